"""The Jira work behind two goal metrics, so the pipeline can measure them instead of trusting the goal's number.

- ``jira_work_issues``: for every goal row with metric ``story_points_done`` on the ``jira`` channel, issues of
  project ``ENG`` resolved in that week by its owner whose story points (1, 2, 3, 5, 8) add up to exactly the
  goal's actual (an actual of 0 has no issue). Resolutions fall on working days (Monday to Friday, when the owner
  was employed) between 09:30 and 18:00 in the company time zone. About a tenth of those goal rows also have an
  issue still in progress (no resolution: it must not count). Project ``LEARN`` holds one issue per course.
- ``jira_worklogs``: for every goal row with metric ``learning_hours`` (any channel), 1-3 worklogs on ``LEARN``
  issues started in that week that add up to exactly the actual (actuals have one decimal: 6-minute steps). A few
  engineers also log time on their ``ENG`` issues (not learning). Some learning worklogs are corrected in the next
  week (``original_time_spent_seconds`` was logged first, ``updated_at_utc`` is the correction) and a few extra
  ones are deleted (``deleted``, ``deleted_at_utc``; in the next week when there is one): neither may change a
  week's measured hours. A one-week sample has no later week, so it has no correction.

Every frame is built with array operations (no per-row Python), from its own random stream.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.sample import text
from sandbox.sample.config import SampleConfig
from sandbox.sample.people import People
from sandbox.sample.randomness import topic_rng

ENG, LEARN = "ENG", "LEARN"
STORY_POINTS_METRIC, LEARNING_METRIC, JIRA_CHANNEL = "story_points_done", "learning_hours", "jira"
DONE, IN_PROGRESS = "Done", "In Progress"
POINT_VALUES = np.array([1, 2, 3, 5, 8], dtype=np.int64)
POINT_WEIGHTS = np.array([0.15, 0.25, 0.30, 0.20, 0.10])
# What is left below the next drawn value, written with allowed values: 4 = 3 + 1, 6 = 5 + 1, 7 = 5 + 2.
REMAINDER_POINTS: tuple[tuple[int, ...], ...] = ((), (1,), (2,), (3,), (3, 1), (5,), (5, 1), (5, 2))
COURSES = 10  # LEARN issues, one per course
ISSUE_ID_BASE = 1_000_000_000  # far above the sandbox's goal issue ids (10000 + n), so ids never collide
WORKLOG_ID_BASE = 100_000
OPEN_ISSUE_SHARE = 0.10
ENG_WORKLOG_SHARE = 0.05
LATE_EDIT_SHARE = 0.02
DELETED_SHARE = 0.01
LEARNING_STEP_SECONDS = 360  # a tenth of an hour
MAX_LEARNING_WORKLOGS = 3
CORRECTION_SECONDS = 1800  # a corrected worklog first said half an hour more
HOUR, DAY = 3600, 86_400
RESOLVE_SECONDS = (9 * HOUR + 1800, 18 * HOUR)  # 09:30-18:00 local
LEARNING_START_SECONDS = (9 * HOUR, 17 * HOUR)
LATE_ACTION_SECONDS = (8 * DAY + 10 * HOUR, 8 * DAY + 12 * HOUR)  # Tuesday 10:00-12:00 of the next week
NAT = np.datetime64("NaT", "s")


def build_jira_work(config: SampleConfig, people: People, goals: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The ``jira_work_issues`` and ``jira_worklogs`` tables measuring ``goals`` (only its employee_id, week_start,
    metric, actual and channel columns are read)."""
    rng = topic_rng(config, "jira_work")
    employee = pd.Index(people.ids).get_indexer(goals["employee_id"].astype(str))
    week_day = _day_offsets(config, goals["week_start"])
    metric = goals["metric"].astype(str).to_numpy()
    actual = pd.to_numeric(goals["actual"], errors="coerce").fillna(0).to_numpy(dtype=np.float64)
    known = employee >= 0
    on_jira = goals["channel"].astype(str).to_numpy() == JIRA_CHANNEL
    story = np.flatnonzero(known & on_jira & (metric == STORY_POINTS_METRIC))
    learning = np.flatnonzero(known & (metric == LEARNING_METRIC))

    eng = _eng_issues(config, people, employee[story], week_day[story], actual[story], rng)
    issues = _issues_frame(config, people, eng)
    worklogs = _worklogs_frame(
        config,
        people,
        eng,
        _learning_worklogs(config, people, employee[learning], week_day[learning], actual[learning], rng),
        rng,
    )
    return {"jira_work_issues": issues, "jira_worklogs": worklogs}


# ---- helpers -----------------------------------------------------------------------------------------------------


def _day_offsets(config: SampleConfig, days: pd.Series) -> np.ndarray:
    """Calendar dates as day offsets from ``start_week``."""
    values = pd.to_datetime(days).to_numpy(dtype="datetime64[D]")
    return (values - np.datetime64(config.start_week, "D")).astype(np.int64)


def _working_days(people: People, employee: np.ndarray, week_day: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A day of each row's week (offset from ``start_week``) on which its employee worked: Monday to Friday while
    employed, or any employed day of the week when they were employed on no weekday of it."""
    lo = np.clip(people.hire_day[employee].astype(np.int64) - week_day, 0, 6)
    hi = np.clip(people.last_day[employee].astype(np.int64) - week_day, 0, 6)
    weekday_hi = np.minimum(hi, 4)
    top = np.maximum(np.where(lo <= weekday_hi, weekday_hi, hi), lo)
    return week_day + lo + (rng.random(len(employee)) * (top - lo + 1)).astype(np.int64)


def _local(config: SampleConfig, day: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Naive local wall times from day offsets and seconds into the day."""
    offsets = (day.astype(np.int64) * DAY + second.astype(np.int64)).astype("timedelta64[s]")
    return np.datetime64(config.start_week, "s") + offsets


def _seconds(values: np.ndarray | int) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).astype("timedelta64[s]")


def _utc(config: SampleConfig, local: np.ndarray) -> pd.DatetimeIndex:
    return text.local_to_utc(local, config.timezone).as_unit("s")


def _at_least_one(picked: np.ndarray, candidates: np.ndarray, draw: np.ndarray) -> np.ndarray:
    """``picked`` (a mask), with the best-drawn candidate added when no candidate was picked."""
    if candidates.any() and not (picked & candidates).any():
        picked = picked.copy()
        picked[np.flatnonzero(candidates)[np.argmin(draw[candidates])]] = True
    return picked & candidates


# ---- issues ------------------------------------------------------------------------------------------------------


def split_story_points(actual: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Story point values adding up to each ``actual`` exactly: (index into ``actual``, points) per issue.

    Values are drawn per row until the next one would overshoot; the rest (below 8) is written as one or two
    allowed values, so every sum is exact and no value is outside 1, 2, 3, 5, 8.
    """
    actual = np.maximum(np.rint(actual).astype(np.int64), 0)
    if len(actual) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    width = int(actual.max()) + 1  # values are at least 1, so the drawn prefix never uses every column
    values = POINT_VALUES[rng.choice(len(POINT_VALUES), size=(len(actual), width), p=POINT_WEIGHTS)]
    keep = np.cumsum(values, axis=1) <= actual[:, None]
    row, column = np.nonzero(keep)
    remainder = actual - np.where(keep, values, 0).sum(axis=1)
    rows, points = [row], [values[row, column]]
    for rest, parts in enumerate(REMAINDER_POINTS):
        for part in parts:
            matching = np.flatnonzero(remainder == rest)
            rows.append(matching)
            points.append(np.full(len(matching), part, dtype=np.int64))
    return np.concatenate(rows), np.concatenate(points)


def _eng_issues(
    config: SampleConfig,
    people: People,
    employee: np.ndarray,
    week_day: np.ndarray,
    actual: np.ndarray,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Resolved issues adding up to each story-point goal, plus a few still in progress; in creation order."""
    goal, points = split_story_points(actual, rng)
    resolved_day = _working_days(people, employee[goal], week_day[goal], rng)
    resolved = _local(config, resolved_day, rng.integers(*RESOLVE_SECONDS, len(goal)))
    age = _seconds(rng.integers(HOUR, 10 * DAY, len(goal)))
    pending = np.flatnonzero(rng.random(len(employee)) < OPEN_ISSUE_SHARE)
    pending_day = _working_days(people, employee[pending], week_day[pending], rng)
    pending_created = _local(config, pending_day, rng.integers(*RESOLVE_SECONDS, len(pending)))
    frame = pd.DataFrame(
        {
            "employee": np.concatenate([employee[goal], employee[pending]]),
            "points": np.concatenate([points, POINT_VALUES[rng.integers(0, len(POINT_VALUES), len(pending))]]),
            "created_local": np.concatenate([resolved - age, pending_created]),
            "resolved_local": np.concatenate([resolved, np.full(len(pending), NAT)]),
        }
    )
    frame = frame.sort_values(["created_local", "employee"], kind="stable", ignore_index=True)
    frame["issue_id"] = ISSUE_ID_BASE + COURSES + 1 + np.arange(len(frame))  # the courses come first
    return frame


def _issues_frame(config: SampleConfig, people: People, eng: pd.DataFrame) -> pd.DataFrame:
    """LEARN's course issues (created before the period) then the ENG issues; ids follow creation order."""
    total = COURSES + len(eng)
    is_eng = (np.arange(total) >= COURSES).astype(np.int64)
    numbers = np.concatenate([np.arange(1, COURSES + 1), np.arange(1, len(eng) + 1)])
    course_created = np.datetime64(config.start_week, "s") - np.timedelta64(60 * DAY - 10 * HOUR, "s")
    created = np.concatenate([np.full(COURSES, course_created), eng["created_local"].to_numpy()])
    resolved = np.concatenate([np.full(COURSES, NAT), eng["resolved_local"].to_numpy()])
    points = np.concatenate([np.zeros(COURSES, dtype=np.int64), eng["points"].to_numpy()])
    project = text.pick(text.labels([LEARN, ENG]), is_eng)
    return pd.DataFrame(
        {
            "issue_id": text.integer_text(ISSUE_ID_BASE + 1 + np.arange(total)),
            "issue_key": text.concat(project, "-", text.integer_text(numbers)),
            "project_key": project,
            "issue_type": text.pick(text.labels(["Task", "Story"]), is_eng),
            "status": text.pick(text.labels([IN_PROGRESS, DONE]), (~np.isnat(resolved)).astype(np.int64)),
            "employee_id": text.pick(people.ids, np.concatenate([np.full(COURSES, -1), eng["employee"].to_numpy()])),
            "story_points": text.keep_where(text.integer_text(points), is_eng.astype(bool)),
            "created_at_utc": _utc(config, created),
            "resolved_at_utc": _utc(config, resolved),
        }
    )


# ---- worklogs ----------------------------------------------------------------------------------------------------


def _learning_worklogs(
    config: SampleConfig,
    people: People,
    employee: np.ndarray,
    week_day: np.ndarray,
    actual: np.ndarray,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """1-3 LEARN worklogs per learning goal row adding up to its actual, plus the corrected and deleted ones."""
    tenths = np.maximum(np.rint(actual * 10).astype(np.int64), 0)
    goal = np.flatnonzero(tenths > 0)
    count = np.minimum(tenths[goal], rng.integers(1, MAX_LEARNING_WORKLOGS + 1, len(goal)))
    row = np.repeat(goal, count)
    position = np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    parts = np.repeat(tenths[goal] // count, count) + (position < np.repeat(tenths[goal] % count, count))
    seconds = parts * LEARNING_STEP_SECONDS

    last_week = config.weeks - 1
    has_next_week = week_day[row] // 7 < last_week
    draw = rng.random(len(row))
    corrected = _at_least_one(draw < LATE_EDIT_SHARE, has_next_week, draw)
    original = seconds + np.where(corrected, CORRECTION_SECONDS, 0)

    goal_draw = rng.random(len(goal))
    extra = goal[_at_least_one(goal_draw < DELETED_SHARE, np.ones(len(goal), dtype=bool), goal_draw)]
    rows = np.concatenate([row, extra])
    deleted = np.concatenate([np.zeros(len(row), dtype=bool), np.ones(len(extra), dtype=bool)])
    spent = np.concatenate([seconds, np.full(len(extra), HOUR)])
    day = _working_days(people, employee[rows], week_day[rows], rng)
    started = _local(config, day, rng.integers(*LEARNING_START_SECONDS, len(rows)))
    week_end = _local(config, week_day[rows] + 7, np.full(len(rows), -60))  # Sunday 23:59 local
    logged = started + _seconds(spent) + _seconds(rng.integers(5 * 60, 3 * HOUR, len(rows)))
    created = np.minimum(logged, week_end)
    next_week_action = _local(config, week_day[rows], rng.integers(*LATE_ACTION_SECONDS, len(rows)))
    extra_has_next_week = week_day[rows] // 7 < last_week
    return pd.DataFrame(
        {
            "employee": employee[rows],
            "issue_id": ISSUE_ID_BASE + 1 + rng.integers(0, COURSES, len(rows)),
            "started_local": started,
            "time_spent_seconds": spent,
            "original_time_spent_seconds": np.concatenate([original, np.full(len(extra), HOUR)]),
            "created_local": created,
            "updated_local": np.where(
                np.concatenate([corrected, np.zeros(len(extra), dtype=bool)]), next_week_action, created
            ),
            "deleted_local": np.where(
                deleted,
                np.where(extra_has_next_week, next_week_action, np.minimum(created + _seconds(2 * HOUR), week_end)),
                NAT,
            ),
        }
    )


def _eng_worklogs(eng: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Time some engineers log on the ENG issues they resolve (delivery work, not learning)."""
    resolved = eng[eng["resolved_local"].notna()]
    chosen = resolved[rng.random(len(resolved)) < ENG_WORKLOG_SHARE]
    spent = rng.integers(2, 17, len(chosen)) * 900  # 30 min to 4 h
    finished = chosen["resolved_local"].to_numpy() - _seconds(rng.integers(0, 2 * HOUR, len(chosen)))
    logged = chosen["resolved_local"].to_numpy()
    return pd.DataFrame(
        {
            "employee": chosen["employee"].to_numpy(),
            "issue_id": chosen["issue_id"].to_numpy(),
            "started_local": finished - _seconds(spent),
            "time_spent_seconds": spent,
            "original_time_spent_seconds": spent,
            "created_local": logged,
            "updated_local": logged,
            "deleted_local": np.full(len(chosen), NAT),
        }
    )


def _worklogs_frame(
    config: SampleConfig, people: People, eng: pd.DataFrame, learning: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """All worklogs, numbered in the order they were logged."""
    logs = pd.concat([learning, _eng_worklogs(eng, rng)], ignore_index=True)
    logs = logs.sort_values(["created_local", "employee", "started_local"], kind="stable", ignore_index=True)
    started = logs["started_local"].to_numpy(dtype="datetime64[s]")
    deleted = logs["deleted_local"].to_numpy(dtype="datetime64[s]")
    return pd.DataFrame(
        {
            "worklog_id": text.integer_text(WORKLOG_ID_BASE + 1 + np.arange(len(logs))),
            "issue_id": text.integer_text(logs["issue_id"].to_numpy()),
            "employee_id": text.pick(people.ids, logs["employee"].to_numpy()),
            "started_local": started,
            "started_utc": _utc(config, started),
            "time_spent_seconds": logs["time_spent_seconds"].to_numpy(dtype=np.int64),
            "original_time_spent_seconds": logs["original_time_spent_seconds"].to_numpy(dtype=np.int64),
            "created_at_utc": _utc(config, logs["created_local"].to_numpy(dtype="datetime64[s]")),
            "updated_at_utc": _utc(config, logs["updated_local"].to_numpy(dtype="datetime64[s]")),
            "deleted": ~np.isnat(deleted),
            "deleted_at_utc": _utc(config, deleted),
        }
    )
