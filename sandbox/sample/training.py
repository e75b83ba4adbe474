"""Training completions of the sample company: the prerequisite courses of technical challenges (domain.md §4).

Most people who join a challenge completed its course earlier that week (between Monday 00:00 and joining); a few
did not: some never took it, some finished it only after joining, so activity scoring has both refusals to show.
A person completes a course once (the earliest completion is kept).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.sample import text
from sandbox.sample.config import SampleConfig
from sandbox.sample.randomness import topic_rng

COMPLETED_BEFORE_JOINING = 0.92  # share of joiners who completed the course before joining
COMPLETED_AFTER_JOINING = 0.04  # ... who completed it only later that day; the rest never did
LATE_DELAY_SECONDS = (600, 6 * 3600)


def build_training(
    config: SampleConfig, activities: pd.DataFrame, activity_events: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    rng = topic_rng(config, "training")
    course_of = dict(zip(activities["activity_id"], activities["prerequisite_course"], strict=True))
    joined = activity_events[activity_events["event_type"] == "challenge_joined"]
    courses = joined["activity_id"].map(course_of)
    joined, courses = joined[courses.notna()], courses[courses.notna()]

    at = pd.DatetimeIndex(joined["occurred_at_utc"])
    local = at.tz_convert(config.timezone).tz_localize(None)
    start = pd.Timestamp(config.start_week)
    monday = start + pd.to_timedelta((local - start).days // 7 * 7, unit="D")
    since_monday = np.asarray((local - monday).total_seconds(), dtype=np.int64)
    draw = rng.random(len(joined))
    before = draw < COMPLETED_BEFORE_JOINING
    after = (draw >= COMPLETED_BEFORE_JOINING) & (draw < COMPLETED_BEFORE_JOINING + COMPLETED_AFTER_JOINING)
    early = (rng.random(len(joined)) * np.maximum(since_monday, 1)).astype(np.int64)  # back to Monday 00:00 at most
    late = rng.integers(*LATE_DELAY_SECONDS, size=len(joined))
    shift = np.where(before, -np.maximum(early, 60), late)
    completed = at + pd.to_timedelta(shift, unit="s")

    keep = before | after
    frame = pd.DataFrame(
        {
            "employee_id": joined["employee_id"].to_numpy()[keep],
            "course_code": courses.to_numpy()[keep],
            "completed_at_utc": completed[keep],
        }
    )
    frame = frame.sort_values(["completed_at_utc", "employee_id", "course_code"], kind="stable")
    frame = frame.drop_duplicates(["employee_id", "course_code"], keep="first").reset_index(drop=True)
    return {
        "training_completions": pd.DataFrame(
            {
                "employee_id": text.labels(frame["employee_id"].astype(str).to_numpy()),
                "course_code": text.labels(frame["course_code"].astype(str).to_numpy()),
                "completed_at_utc": pd.DatetimeIndex(frame["completed_at_utc"]).as_unit("s"),
            }
        )
    }
