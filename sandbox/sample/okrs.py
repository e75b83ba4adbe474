"""Feishu OKR (seed 002's goal linkage graph): quarterly periods, the company -> department -> team objective
tree, key results and a weekly progress snapshot per key result.

Per quarter overlapping the sample weeks: one company objective owned by the head of the Functional department
(the first employee when there is none), two objectives per department owned by its head and aligned to the
company objective, and one objective per team owned by its manager, aligned to one of its department's two. Each
objective has 2-3 key results whose ``kr_weight`` (hundredths) adds up to exactly 1; the objectives of one owner's
OKR (one per owner and quarter, Feishu's ``okr_list`` entry) share a weight of 1 the same way.

``okr_progress`` holds one row per key result and sample week of its quarter: ``percent`` rises with the share of
the quarter gone by at the week's end (times a per-KR pace), and ``updated_at_utc`` is when it was last changed.
About a quarter of the weeks bring no update: the row repeats the previous percent and time (an unchanged
snapshot), which is what change detection must recognise. A KR's first week in the sample is always an update.

Planted bad input: when the sample has two weeks or more, the first key result of the company objective of the
quarter holding the second-to-last week reports ``120`` percent that week (over 100: quarantined), and the next
week corrects it, so a sandbox serving "now" (after the sample) serves a valid value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from sandbox.sample import text
from sandbox.sample.config import SampleConfig
from sandbox.sample.contract import DEPARTMENTS
from sandbox.sample.people import FUNCTIONAL, People
from sandbox.sample.randomness import topic_rng

COMPANY, DEPARTMENT, TEAM = "company", "department", "team"
OBJECTIVES_PER_DEPARTMENT = 2
KR_WEIGHT_PRESETS = {2: ((50, 50), (60, 40)), 3: ((40, 30, 30), (34, 33, 33), (50, 25, 25))}  # hundredths
PACE_RANGE = (0.55, 1.05)  # share of the quarter's target a KR reaches by the quarter's end
UPDATE_SHARE = 0.75  # share of later weeks in which an owner updates a KR
PLANTED_PERCENT = 120
UPDATE_HOURS = (10, 18)  # local working hours in which progress is updated
# Leading digits keep the id families apart; every id has 19 digits, like Feishu's.
PERIOD_ID_BASE, OKR_ID_BASE, OBJECTIVE_ID_BASE, KR_ID_BASE = (
    6_900 * 10**15,
    7_000 * 10**15,
    7_100 * 10**15,
    7_200 * 10**15,
)
ID_STRIDE = 1_000_003  # > the random offset added to each sequence number, so ids stay unique


@dataclass(frozen=True)
class Okrs:
    tables: dict[str, pd.DataFrame]  # okr_periods, okr_objectives, okr_key_results, okr_progress
    team_week_objectives: pd.DataFrame  # team (global number), week (index), objective_id: for the goals table


@dataclass(frozen=True)
class _Quarter:
    name: str
    start: date
    end: date  # inclusive


def quarters_covering(start: date, end_exclusive: date) -> list[_Quarter]:
    """Calendar quarters overlapping ``[start, end_exclusive)``."""
    quarters = []
    year, first_month = start.year, 3 * ((start.month - 1) // 3) + 1
    while date(year, first_month, 1) < end_exclusive:
        following = date(year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
        name = f"{year} Q{(first_month - 1) // 3 + 1}"
        quarters.append(_Quarter(name, date(year, first_month, 1), following - timedelta(days=1)))
        year, first_month = following.year, following.month
    return quarters


def _ids(base: int, count: int, rng: np.random.Generator) -> text.TextArray:
    """``count`` distinct 19-digit ids as text."""
    numbers = base + np.arange(1, count + 1, dtype=np.int64) * ID_STRIDE + rng.integers(0, ID_STRIDE - 1, count)
    return text.integer_text(numbers)


def _shares(groups: np.ndarray) -> np.ndarray:
    """Hundredths per row adding up to exactly 100 within each group (the first rows take the remainder)."""
    order = pd.Series(groups)
    size = order.map(order.value_counts()).to_numpy()
    position = order.groupby(order).cumcount().to_numpy()
    return 100 // size + (position < 100 % size)


def build_okrs(config: SampleConfig, people: People) -> Okrs:
    rng = topic_rng(config, "okrs")
    quarters = quarters_covering(config.start_week, config.end_exclusive)
    frame = people.frame
    heads = np.flatnonzero(frame["manager_id"].isna().to_numpy())
    head_of = {int(people.department[i]): int(i) for i in heads}
    company_owner = head_of.get(FUNCTIONAL, 0)
    managers = np.flatnonzero(people.is_manager)  # exactly one per team: its first member
    team_manager = managers[np.argsort(people.team[managers], kind="stable")]
    teams = people.team[team_manager]
    team_department = people.department[team_manager]
    departments = np.array(sorted(head_of))

    # One quarter's tree, in a fixed order: company, departments' objectives, teams' objectives.
    owner = np.concatenate(
        [[company_owner], np.repeat([head_of[d] for d in departments], OBJECTIVES_PER_DEPARTMENT), team_manager]
    )
    level = np.array([COMPANY] + [DEPARTMENT] * (len(departments) * OBJECTIVES_PER_DEPARTMENT) + [TEAM] * len(teams))
    department_slot = {d: 1 + OBJECTIVES_PER_DEPARTMENT * k for k, d in enumerate(departments)}
    team_parent = np.array([department_slot[d] for d in team_department]) + people.team_rank[team_manager] % 2
    parent = np.concatenate([[-1], np.zeros(len(departments) * OBJECTIVES_PER_DEPARTMENT, np.int64), team_parent])
    per_quarter = len(owner)

    count = per_quarter * len(quarters)
    quarter_of = np.repeat(np.arange(len(quarters)), per_quarter)
    owner_all = np.tile(owner, len(quarters))
    parent_tiled = np.tile(parent, len(quarters))
    parent_all = np.where(parent_tiled >= 0, parent_tiled + quarter_of * per_quarter, -1)
    objective_ids = _ids(OBJECTIVE_ID_BASE, count, rng)
    period_ids = _ids(PERIOD_ID_BASE, len(quarters), rng)
    okr_key = pd.Series(quarter_of * people.size + owner_all)
    okr_index = okr_key.factorize()[0]
    okr_ids = _ids(OKR_ID_BASE, int(okr_index.max()) + 1 if count else 0, rng)
    quarter_names = text.labels([q.name for q in quarters])
    department_names = text.labels([f"{name} " for name in DEPARTMENTS])
    level_all = np.tile(level, len(quarters))
    slot = np.tile(
        np.concatenate(
            [[0], np.tile(np.arange(1, OBJECTIVES_PER_DEPARTMENT + 1), len(departments)), np.zeros(len(teams), int)]
        ),
        len(quarters),
    )
    company_text = pd.Series(text.concat(text.pick(quarter_names, quarter_of), " 公司目标：利润与客户满意度双增长"))
    department_text = pd.Series(
        text.concat(text.pick(department_names, people.department[owner_all]), "部门目标 ", text.integer_text(slot))
    )
    team_text = pd.Series(text.concat(people.team_names.take(owner_all), " 团队目标：交付本季度承诺"))
    content = team_text.where(level_all == TEAM, department_text.where(level_all == DEPARTMENT, company_text))
    objectives = pd.DataFrame(
        {
            "objective_id": objective_ids,
            "okr_id": text.pick(okr_ids, okr_index),
            "period_id": text.pick(period_ids, quarter_of),
            "owner_id": text.pick(people.ids, owner_all),
            "level": pd.array(level_all, dtype="str"),
            "parent_objective_id": text.pick(objective_ids, parent_all),
            "content": pd.array(content, dtype="str"),
            "weight": text.decimal_text(_shares(okr_index), 2),
        }
    )

    # Key results: 2-3 per objective, weights from a preset adding up to 1.
    kr_count = rng.integers(2, 4, count)
    preset = rng.random(count)
    kr_objective = np.repeat(np.arange(count), kr_count)
    kr_position = pd.Series(kr_objective).groupby(kr_objective).cumcount().to_numpy()
    weights = np.empty(len(kr_objective), dtype=np.int64)
    for size, choices in KR_WEIGHT_PRESETS.items():
        rows = kr_count[kr_objective] == size
        pick = (preset[kr_objective[rows]] * len(choices)).astype(np.int64)
        weights[rows] = np.array(choices)[pick, kr_position[rows]]
    kr_ids = _ids(KR_ID_BASE, len(kr_objective), rng)
    key_results = pd.DataFrame(
        {
            "kr_id": kr_ids,
            "objective_id": objective_ids.take(kr_objective),
            "content": text.concat(
                "关键结果 ",
                text.integer_text(kr_position + 1),
                "：",
                pd.array(content.to_numpy()[kr_objective], dtype="str"),
            ),
            "kr_weight": text.decimal_text(weights, 2),
        }
    )

    on_company = level_all[kr_objective] == COMPANY
    progress = _progress(config, quarters, quarter_of[kr_objective], kr_ids, on_company, kr_position, rng)
    periods = pd.DataFrame(
        {
            "period_id": period_ids,
            "name": quarter_names,
            "start_date": np.array([q.start for q in quarters], dtype="datetime64[s]"),
            "end_date": np.array([q.end for q in quarters], dtype="datetime64[s]"),
        }
    )
    return Okrs(
        tables={
            "okr_periods": periods,
            "okr_objectives": objectives,
            "okr_key_results": key_results,
            "okr_progress": progress,
        },
        team_week_objectives=_team_weeks(config, quarters, objectives, level_all, owner_all, people),
    )


def _progress(
    config: SampleConfig,
    quarters: list[_Quarter],
    kr_quarter: np.ndarray,
    kr_ids: text.TextArray,
    on_company: np.ndarray,
    kr_position: np.ndarray,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """One row per key result and sample week overlapping its quarter (see the module docstring)."""
    mondays = np.array(config.week_starts, dtype="datetime64[D]")
    starts = np.array([q.start for q in quarters], dtype="datetime64[D]")
    ends = np.array([q.end for q in quarters], dtype="datetime64[D]") + 1  # exclusive
    overlaps = (mondays[None, :] < ends[kr_quarter][:, None]) & (mondays[None, :] + 7 > starts[kr_quarter][:, None])
    kr, week = np.nonzero(overlaps)
    quarter = kr_quarter[kr]
    first_day = np.maximum(mondays[week], starts[quarter])
    last_day = np.minimum(mondays[week] + 7, ends[quarter])  # exclusive
    elapsed = (last_day - starts[quarter]).astype(np.int64) / (ends[quarter] - starts[quarter]).astype(np.int64)
    pace = rng.uniform(*PACE_RANGE, len(kr_ids))[kr]
    candidate = np.clip(np.floor(100 * elapsed * pace), 0, 100).astype(np.int64)
    first_of_kr = np.r_[True, kr[1:] != kr[:-1]]  # rows are ordered by kr, then week
    updated = first_of_kr | (rng.random(len(kr)) < UPDATE_SHARE)

    span_days = np.minimum((last_day - first_day).astype(np.int64), 5)
    minutes = (rng.random(len(kr)) * span_days).astype(np.int64) * 24 * 60 + rng.integers(
        UPDATE_HOURS[0] * 60, UPDATE_HOURS[1] * 60, len(kr)
    )
    local = first_day.astype("datetime64[s]") + minutes.astype("timedelta64[m]")

    plant = np.zeros(len(kr), dtype=bool)
    if config.weeks >= 2:
        planted_week = config.weeks - 2
        next_week_too = np.r_[(kr[1:] == kr[:-1]) & (week[1:] == week[:-1] + 1), False]
        candidates = np.flatnonzero(on_company[kr] & (kr_position[kr] == 0) & (week == planted_week) & next_week_too)
        if len(candidates):
            plant[candidates[0]] = True
            updated[candidates[0]] = True
            updated[(kr == kr[candidates[0]]) & (week == planted_week + 1)] = True  # corrected the next week
    percent = np.where(plant, PLANTED_PERCENT, candidate)

    # Weeks without an update repeat the last update (percent and time) of the same key result.
    last_update = np.where(updated, np.arange(len(kr)), -1)
    last_update = np.maximum.accumulate(last_update)
    return pd.DataFrame(
        {
            "kr_id": kr_ids.take(kr),
            "week_start": mondays[week].astype("datetime64[s]"),
            "percent": percent[last_update].astype(np.int64),
            "updated_at_utc": text.local_to_utc(local[last_update], config.timezone).as_unit("s"),
        }
    )


def _team_weeks(
    config: SampleConfig,
    quarters: list[_Quarter],
    objectives: pd.DataFrame,
    level: np.ndarray,
    owner: np.ndarray,
    people: People,
) -> pd.DataFrame:
    """The team objective of each team for each sample week: the one of the quarter holding the week's Monday."""
    is_team = level == TEAM
    quarter_of_objective = np.repeat(np.arange(len(quarters)), len(level) // max(len(quarters), 1))
    by_quarter_team = pd.DataFrame(
        {
            "quarter": quarter_of_objective[is_team],
            "team": people.team[owner[is_team]],
            "objective_id": objectives["objective_id"].to_numpy()[is_team],
        }
    )
    starts = [q.start for q in quarters]
    week_quarter = [max(i for i, s in enumerate(starts) if s <= monday) for monday in config.week_starts]
    weeks = pd.DataFrame({"week": np.arange(config.weeks), "quarter": week_quarter})
    return weeks.merge(by_quarter_team, on="quarter")[["team", "week", "objective_id"]]
