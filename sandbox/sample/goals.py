"""Weekly goal items per employee (seeds 002/003), served later as Jira ``Goal`` issues.

Each active employee-week gets its role's 2-3 metrics, and a quarter of them a ``learning_hours`` item as well;
weights are whole hundredths that add up to exactly 1. Actuals come from one attainment factor per employee-week
(a personal level, weekly noise and a tail of bad and great weeks), so employee attainment is mostly 0.7-1.3.
Volume metrics shrink with days absent or on leave, and R&D is at about 70% in the last week (the seed's
"technical department at 70%" question), for a reason the dashboard can find: story points fell to about half
and reopened bugs rose, while code review held. Numbers are text, as Jira custom fields carry them.

``objective_id`` links each item to the OKR tree (``okrs.py``): the objective of the employee's team in the
quarter holding the week.

``channel`` says how a goal reaches hrhub: the Functional department's managers fill a weekly goal sheet
(``goal_sheet``, dropped in the inbox); everyone else's goals are Jira ``Goal`` issues (``jira``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.sample import text
from sandbox.sample.attendance import Attendance
from sandbox.sample.config import SampleConfig
from sandbox.sample.people import FUNCTIONAL, RD, People
from sandbox.sample.randomness import topic_rng
from sandbox.sample.shifts import WORK_DAYS_PER_WEEK

HIGHER, LOWER = "higher_is_better", "lower_is_better"
JIRA, GOAL_SHEET = "jira", "goal_sheet"


@dataclass(frozen=True)
class MetricSpec:
    metric: str
    unit: str
    direction: str
    weight_hundredths: int  # a multiple of 10, so scaling by 0.9 for the learning item stays whole
    targets: tuple[float, ...]  # each employee gets one of these for the whole period
    places: int
    volume: bool = False  # scales with the days actually worked
    upper_bound: float | None = None


ROLE_METRICS: tuple[tuple[MetricSpec, ...], ...] = (  # indexed like contract.ROLES
    (  # engineer
        MetricSpec("story_points_done", "points", HIGHER, 50, (20, 24, 28, 32, 36, 40), 0, volume=True),
        MetricSpec("bugs_reopened", "bugs", LOWER, 30, (4, 5, 6, 8), 0),
        MetricSpec("code_review_hours", "hours", LOWER, 20, (4, 5, 6, 8), 1),
    ),
    (  # customer_success
        MetricSpec("accounts_reviewed", "accounts", HIGHER, 40, (20, 22, 24, 26, 28, 30), 0, volume=True),
        MetricSpec("renewal_rate", "percent", HIGHER, 40, (85, 88, 90, 92, 95), 1, upper_bound=100),
        MetricSpec("escalations", "escalations", LOWER, 20, (3, 4, 5, 6), 0),
    ),
    (  # customer_service
        MetricSpec("tickets_resolved", "tickets", HIGHER, 50, (180, 190, 200, 210, 220), 0, volume=True),
        MetricSpec("first_response_minutes", "minutes", LOWER, 30, (8, 9, 10, 11, 12), 1),
        MetricSpec("csat", "score", HIGHER, 20, (4.4, 4.5, 4.6), 2, upper_bound=5),
    ),
    (  # designer
        MetricSpec("creatives_delivered", "creatives", HIGHER, 60, (5, 6, 7, 8), 0, volume=True),
        MetricSpec("revision_rounds", "rounds", LOWER, 40, (2.0, 2.5, 3.0), 1),
    ),
    (  # operator
        MetricSpec("listings_optimized", "listings", HIGHER, 40, (15, 20, 25), 0, volume=True),
        MetricSpec("conversion_rate", "percent", HIGHER, 40, (2.0, 2.5, 3.0), 2),
        MetricSpec("promotions_launched", "promotions", HIGHER, 20, (2, 3, 4), 0, volume=True),
    ),
    (  # functional
        MetricSpec("requests_processed", "requests", HIGHER, 60, (25, 30, 35, 40), 0, volume=True),
        MetricSpec("processing_days", "days", LOWER, 40, (2.0, 2.5, 3.0), 1),
    ),
)
LEARNING = MetricSpec("learning_hours", "hours", HIGHER, 10, (2.0,), 1, volume=True)
LEARNING_SHARE = 0.25
MAX_ITEMS = 1 + max(len(specs) for specs in ROLE_METRICS)

PERSONAL_LEVEL_MEAN, PERSONAL_LEVEL_SD = 1.03, 0.07
WEEKLY_NOISE_SD = 0.09
ITEM_NOISE_SD = 0.06
BAD_WEEK_RATE, GREAT_WEEK_RATE = 0.06, 0.03
RD_LAST_WEEK_FACTORS = {"story_points_done": 0.5, "bugs_reopened": 0.8}  # ratio multipliers; the rest held


@dataclass(frozen=True)
class _EmployeeWeeks:
    employee: np.ndarray
    week: np.ndarray
    factor: np.ndarray  # attainment the items scatter around
    availability: np.ndarray  # share of a normal 5-day week actually worked
    with_learning: np.ndarray
    rd_last_week: np.ndarray


def _employee_weeks(
    config: SampleConfig, people: People, attendance: Attendance, rng: np.random.Generator
) -> _EmployeeWeeks:
    first_day = 7 * np.arange(config.weeks)
    active = (people.hire_day[:, None] <= first_day + 6) & (people.last_day[:, None] >= first_day)
    employee, week = np.nonzero(active)
    size = len(employee)

    level = rng.normal(PERSONAL_LEVEL_MEAN, PERSONAL_LEVEL_SD, people.size)[employee]
    factor = level + rng.normal(0.0, WEEKLY_NOISE_SD, size)
    tail = rng.random(size)
    factor *= np.where(tail < BAD_WEEK_RATE, rng.uniform(0.45, 0.75, size), 1.0)
    factor *= np.where(tail > 1 - GREAT_WEEK_RATE, rng.uniform(1.25, 1.55, size), 1.0)

    worked = attendance.rostered_days[employee, week] - attendance.unavailable_days[employee, week]
    return _EmployeeWeeks(
        employee=employee,
        week=week,
        factor=np.maximum(factor, 0.05),
        availability=np.clip(worked / WORK_DAYS_PER_WEEK, 0.0, 1.0),
        with_learning=rng.random(size) < LEARNING_SHARE,
        rd_last_week=(people.department[employee] == RD) & (week == config.weeks - 1),
    )


def _items(
    spec: MetricSpec,
    position: int,
    rows: np.ndarray,
    weeks: _EmployeeWeeks,
    target_draw: np.ndarray,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """One metric's goal items for the employee-weeks ``rows`` (indices into ``weeks``)."""
    employee = weeks.employee[rows]
    target = np.asarray(spec.targets, dtype=np.float64)[
        (target_draw[employee, position] * len(spec.targets)).astype(np.int64)
    ]
    ratio = weeks.factor[rows] * rng.normal(1.0, ITEM_NOISE_SD, len(rows))
    if spec.volume:
        ratio = ratio * weeks.availability[rows]
    ratio = np.where(weeks.rd_last_week[rows], ratio * RD_LAST_WEEK_FACTORS.get(spec.metric, 1.0), ratio)
    actual = target * ratio if spec.direction == HIGHER else target / np.maximum(ratio, 0.05)
    if spec.upper_bound is not None:
        actual = np.minimum(actual, spec.upper_bound)
    scale = 10**spec.places
    actual_scaled = np.rint(actual * scale).astype(np.int64)
    if spec.direction == LOWER:  # a zero would make target / actual undefined
        actual_scaled = np.maximum(actual_scaled, 1)
    if spec is LEARNING:
        weights = np.full(len(rows), spec.weight_hundredths)
    else:  # the other items shrink to make room for the learning item where there is one
        room = 100 - LEARNING.weight_hundredths
        weights = np.where(weeks.with_learning[rows], spec.weight_hundredths * room // 100, spec.weight_hundredths)
    return pd.DataFrame(
        {
            "employee": employee,
            "week": weeks.week[rows],
            "position": position,
            "metric": spec.metric,
            "unit": spec.unit,
            "target": text.decimal_text(np.rint(target * scale).astype(np.int64), spec.places),
            "actual": text.decimal_text(actual_scaled, spec.places),
            "weight": text.decimal_text(weights, 2),
            "direction": spec.direction,
        }
    )


def build_goals(
    config: SampleConfig, people: People, attendance: Attendance, team_objectives: pd.DataFrame | None = None
) -> pd.DataFrame:
    """``team_objectives`` (team, week, objective_id; see ``okrs.Okrs``) fills ``objective_id``: the OKR objective
    of the goal owner's team in the quarter of the goal's week (missing without one)."""
    rng = topic_rng(config, "goals")
    weeks = _employee_weeks(config, people, attendance, rng)
    target_draw = rng.random((people.size, MAX_ITEMS))
    role = people.department[weeks.employee]
    parts = []
    for role_index, specs in enumerate(ROLE_METRICS):
        rows = np.flatnonzero(role == role_index)
        parts.extend(_items(spec, pos, rows, weeks, target_draw, rng) for pos, spec in enumerate(specs))
        learning_rows = rows[weeks.with_learning[rows]]
        parts.append(_items(LEARNING, len(specs), learning_rows, weeks, target_draw, rng))
    items = pd.concat(parts, ignore_index=True)
    items = items.sort_values(["employee", "week", "position"], kind="stable", ignore_index=True)
    week_starts = text.day_timestamps(config.start_week, 7 * items["week"].to_numpy())
    on_sheet = people.department[items["employee"].to_numpy()] == FUNCTIONAL
    return pd.DataFrame(
        {
            "employee_id": text.pick(people.ids, items["employee"].to_numpy()),
            "week_start": week_starts,
            "metric": items["metric"].astype("str"),
            "unit": items["unit"].astype("str"),
            "target": items["target"],
            "actual": items["actual"],
            "weight": items["weight"],
            "direction": items["direction"].astype("str"),
            "channel": pd.array(np.where(on_sheet, GOAL_SHEET, JIRA), dtype="str"),
            "objective_id": _objective_ids(config, people, items, team_objectives),
        }
    )


def _objective_ids(
    config: SampleConfig, people: People, items: pd.DataFrame, team_objectives: pd.DataFrame | None
) -> pd.api.extensions.ExtensionArray:
    """The team objective of each goal item's employee and week (missing where the team has none)."""
    key = people.team[items["employee"].to_numpy()] * config.weeks + items["week"].to_numpy()
    if team_objectives is None or team_objectives.empty:
        return pd.array(np.full(len(items), None), dtype="str")
    lookup = pd.Series(
        team_objectives["objective_id"].to_numpy(),
        index=team_objectives["team"].to_numpy() * config.weeks + team_objectives["week"].to_numpy(),
    )
    return pd.array(lookup.reindex(key).to_numpy(), dtype="str")
