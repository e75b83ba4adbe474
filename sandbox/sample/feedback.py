"""Feedback scores on the sample company's activities (domain.md section 4: "feedback score").

After taking part, some participants rate the activity from 1 to 5 in the engagement platform. Scores depend on
the activity type, and R&D rates the technical quiz of the last week well (seed 001: changing the quiz topics is
what brought R&D in), so the feedback report has a story to show next to the participation jump. A rating comes
after the participant's last event in the activity, in the same week.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.sample import text
from sandbox.sample.activities import TECH_QUIZ_TOPIC
from sandbox.sample.config import SampleConfig
from sandbox.sample.contract import ACTIVITY_TYPES
from sandbox.sample.people import RD, People
from sandbox.sample.randomness import topic_rng

RESPONSE_RATE = 0.4  # share of an activity's participants who rate it
MEAN_SCORE = {"challenge": 4.0, "collaboration": 3.8, "story": 3.9, "quiz": 3.3, "survey": 3.5}
RD_TECH_QUIZ_MEAN_SCORE = 4.4
SCORE_SPREAD = 0.8
RATING_DELAY_SECONDS = (3600, 24 * 3600)  # between the last event and the rating


def build_feedback(
    config: SampleConfig, people: People, activities: pd.DataFrame, activity_events: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    rng = topic_rng(config, "activity_feedback")
    assert set(MEAN_SCORE) == set(ACTIVITY_TYPES)
    last_events = (
        activity_events.groupby(["activity_id", "employee_id"], sort=True, observed=True)["occurred_at_utc"]
        .max()
        .reset_index()
    )
    # Events for an activity not in the table (the pop-up quiz off the calendar) get no rating.
    last_events = last_events[last_events["activity_id"].isin(activities["activity_id"])].reset_index(drop=True)
    rated = last_events[rng.random(len(last_events)) < RESPONSE_RATE].reset_index(drop=True)
    activity = activities.set_index("activity_id").loc[rated["activity_id"]]
    index_of = pd.Series(np.arange(people.size), index=people.ids.to_numpy())
    in_rd = people.department[index_of.loc[rated["employee_id"]].to_numpy()] == RD
    mean = activity["activity_type"].map(MEAN_SCORE).to_numpy(dtype=np.float64)
    mean = np.where(in_rd & (activity["title"] == TECH_QUIZ_TOPIC).to_numpy(), RD_TECH_QUIZ_MEAN_SCORE, mean)
    score = np.clip(np.rint(rng.normal(mean, SCORE_SPREAD)), 1, 5).astype(np.int64)

    week_end_local = (activity["week_start"] + pd.Timedelta(days=7) - pd.Timedelta(seconds=1)).to_numpy()
    week_end = text.local_to_utc(week_end_local, config.timezone).as_unit("s")
    delay = pd.to_timedelta(rng.integers(*RATING_DELAY_SECONDS, size=len(rated)), unit="s")
    submitted = pd.DatetimeIndex(rated["occurred_at_utc"]) + delay
    submitted = submitted.where(submitted <= week_end, week_end).as_unit("s")

    order = np.lexsort((rated["employee_id"].to_numpy(), submitted.asi8))
    feedback = pd.DataFrame(
        {
            "activity_id": rated["activity_id"].to_numpy()[order],
            "employee_id": rated["employee_id"].to_numpy()[order],
            "score": score[order],
            "submitted_at_utc": submitted[order],
        }
    )
    feedback["activity_id"] = feedback["activity_id"].astype(activities["activity_id"].dtype)
    feedback["employee_id"] = feedback["employee_id"].astype(activity_events["employee_id"].dtype)
    return {"activity_feedback": feedback}
