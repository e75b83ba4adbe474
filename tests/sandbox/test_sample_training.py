"""The sample company's training completions: every challenge names a prerequisite course, most joiners completed it
before joining and a few did not, and the completions and the prerequisite reach the inbox files, where scoring
refuses exactly the joins without a prior completion."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from connectors.files.training import read_training_completions
from sandbox.inbox import render_inbox_week
from sandbox.sample.config import SampleConfig
from sandbox.sample.generate import generate_sample
from scoring.activity_points import ActivityEvent, WeekContext, score_activity_week
from scoring.plan import load_plan

START = date(2026, 3, 2)
CONFIG = SampleConfig(seed=7, employees=300, weeks=2, start_week=START)
TZ = "Asia/Shanghai"


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    return generate_sample(CONFIG)


def _joins(sample: dict[str, pd.DataFrame]) -> pd.DataFrame:
    events = sample["activity_events"]
    courses = sample["activities"].set_index("activity_id")["prerequisite_course"]
    joins = events[events["event_type"] == "challenge_joined"].copy()
    joins["course"] = joins["activity_id"].map(courses)
    return joins


def test_challenges_name_a_course_and_most_joiners_completed_it_first(sample):
    activities = sample["activities"]
    challenge = activities["activity_type"] == "challenge"
    assert activities.loc[challenge, "prerequisite_course"].notna().all()
    assert activities.loc[~challenge, "prerequisite_course"].isna().all()

    completions = sample["training_completions"]
    assert not completions.duplicated(["employee_id", "course_code"]).any()
    first = completions.set_index(["employee_id", "course_code"])["completed_at_utc"]
    joins = _joins(sample)
    done_at = [first.get((e, c)) for e, c in zip(joins["employee_id"], joins["course"], strict=True)]
    before = sum(done is not None and done <= at for done, at in zip(done_at, joins["occurred_at_utc"], strict=True))
    assert 0.85 * len(joins) <= before < len(joins)  # most, not all


def test_the_inbox_carries_completions_and_prerequisites_and_scoring_refuses_the_rest(sample, tmp_path):
    files = render_inbox_week(sample, START, TZ)
    feed = [json.loads(line) for line in files["activity_events.jsonl"].decode().splitlines()]
    joined = {e["event_id"]: e for e in feed if e["event_type"] == "challenge_joined"}
    assert joined and all(e["prerequisite_course"] for e in joined.values())

    export = tmp_path / "training_completions.csv"
    export.write_bytes(files["training_completions.csv"])
    csv = read_training_completions(export)
    assert csv.quarantine.empty and len(csv.rows) > 0
    completions: dict[str, dict[str, datetime]] = {}
    for row in csv.rows.itertuples():
        at = pd.Timestamp(row.completed_at).tz_convert("UTC").to_pydatetime()
        previous = completions.setdefault(row.employee_id, {}).get(row.course_code)
        completions[row.employee_id][row.course_code] = min(at, previous) if previous else at

    events = [
        ActivityEvent(
            e["event_id"],
            e["event_type"],
            e["employee_id"],
            pd.Timestamp(e["occurred_at"]).to_pydatetime(),
            activity_id=e["activity_id"],
            prerequisite_course=e["prerequisite_course"],
        )
        for e in joined.values()
    ]
    points, rejected = score_activity_week(events, load_plan(), TZ, context=WeekContext(completions=completions))
    assert 0 < len(rejected) < 0.15 * len(events)
    assert {r.reason.split(" ")[0] for r in rejected} == {"prerequisite"}
    assert sum(line.count for p in points for line in p.lines) + len(rejected) == len(events)
    week_end = pd.Timestamp(START + timedelta(days=7), tz=TZ)
    assert all(pd.Timestamp(at) < week_end for c in completions.values() for at in c.values())
