"""The sample's Jira work: issues and worklogs that measure the goals exactly, plus the traps a pipeline must avoid
(issues in progress, worklogs that are not learning, corrected in a later week, deleted)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from sandbox.sample import SampleConfig, generate_sample, load_sample, write_sample
from sandbox.sample.jira_work import split_story_points

TZ = "Asia/Shanghai"
CONFIG = SampleConfig(seed=3, employees=150, weeks=3, start_week=date(2026, 3, 2))


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    return generate_sample(CONFIG)


def _monday(local: pd.Series) -> pd.Series:
    day = local.dt.normalize()
    return day - pd.to_timedelta(day.dt.day_of_week, unit="D")


def _local(utc: pd.Series) -> pd.Series:
    return utc.dt.tz_convert(TZ).dt.tz_localize(None)


def _compare(goals: pd.DataFrame, measured: pd.Series) -> pd.DataFrame:
    """Each goal row with what the sample's work adds up to (0 when there is none)."""
    keyed = goals.set_index(["employee_id", "week_start"])["actual"].astype(float)
    joined = keyed.to_frame().join(measured.rename("measured"))
    return joined.fillna({"measured": 0.0})


def test_resolved_eng_story_points_add_up_to_each_story_point_goal(sample):
    goals = sample["goals"]
    story_goals = goals[(goals["metric"] == "story_points_done") & (goals["channel"] == "jira")]
    issues = sample["jira_work_issues"]
    done = issues[(issues["project_key"] == "ENG") & issues["resolved_at_utc"].notna()]
    points = done.assign(week_start=_monday(_local(done["resolved_at_utc"])), points=done["story_points"].astype(int))
    measured = points.groupby(["employee_id", "week_start"])["points"].sum()

    compared = _compare(story_goals, measured)
    assert len(story_goals) > 50 and (compared["actual"] == compared["measured"]).all()
    assert set(measured.index) <= set(compared.index)  # no resolved work without a goal row
    assert set(points["points"]) <= {1, 2, 3, 5, 8} and (done["status"] == "Done").all()


def test_resolutions_fall_on_weekdays_in_working_hours_while_employed(sample):
    issues = sample["jira_work_issues"]
    done = issues[issues["resolved_at_utc"].notna()]
    local = _local(done["resolved_at_utc"])
    assert (local.dt.day_of_week < 5).mean() > 0.98  # a person employed only on a weekend day works then
    minutes = local.dt.hour * 60 + local.dt.minute
    assert minutes.between(9 * 60 + 30, 18 * 60).all()
    employed = done.merge(sample["employees"][["employee_id", "hire_date", "termination_date"]], on="employee_id")
    day = _local(employed["resolved_at_utc"]).dt.normalize()
    assert (day >= employed["hire_date"]).all() and not (day > employed["termination_date"]).any()
    assert (done["created_at_utc"] < done["resolved_at_utc"]).all()


def test_unresolved_issues_and_courses_are_there_to_be_ignored(sample):
    issues = sample["jira_work_issues"]
    open_eng = issues[(issues["project_key"] == "ENG") & issues["resolved_at_utc"].isna()]
    assert len(open_eng) > 0 and (open_eng["status"] == "In Progress").all()
    assert open_eng["story_points"].notna().all()  # estimated, but not done: must not count
    courses = issues[issues["project_key"] == "LEARN"]
    assert len(courses) == 10 and courses["employee_id"].isna().all() and courses["story_points"].isna().all()
    assert issues["issue_id"].is_unique and issues["issue_key"].is_unique
    assert issues["issue_key"].str.fullmatch(r"(ENG|LEARN)-\d+").all() and issues["issue_id"].str.isdigit().all()


def test_learning_worklogs_add_up_to_each_learning_goal(sample):
    goals = sample["goals"]
    learning_goals = goals[goals["metric"] == "learning_hours"]
    logs, issues = sample["jira_worklogs"], sample["jira_work_issues"]
    project = logs["issue_id"].map(issues.set_index("issue_id")["project_key"])
    learning = logs[(project == "LEARN") & ~logs["deleted"]]
    seconds = learning.assign(week_start=_monday(learning["started_local"]))
    measured = seconds.groupby(["employee_id", "week_start"])["time_spent_seconds"].sum() / 3600

    compared = _compare(learning_goals, measured)
    assert len(learning_goals) > 20 and np.allclose(compared["actual"], compared["measured"])
    assert set(measured.index) <= set(compared.index)
    assert (project == "ENG").sum() > 0  # delivery work is logged too, and is not learning
    assert project.notna().all() and logs["worklog_id"].is_unique


def test_a_later_correction_and_a_deletion_are_planted(sample):
    logs = sample["jira_worklogs"]
    started_week = _monday(logs["started_local"])
    corrected = logs[logs["time_spent_seconds"] != logs["original_time_spent_seconds"]]
    assert len(corrected) >= 1
    assert (_monday(_local(corrected["updated_at_utc"])) > started_week[corrected.index]).all()
    assert (logs.loc[corrected.index, "updated_at_utc"] > logs.loc[corrected.index, "created_at_utc"]).all()
    untouched = logs.drop(index=corrected.index)
    assert (untouched["updated_at_utc"] == untouched["created_at_utc"]).all()

    deleted = logs[logs["deleted"]]
    assert len(deleted) >= 1 and deleted["deleted_at_utc"].notna().all()
    assert logs.loc[~logs["deleted"], "deleted_at_utc"].isna().all()
    assert (deleted["deleted_at_utc"] >= deleted["created_at_utc"]).all()
    assert (_monday(_local(deleted["deleted_at_utc"])) >= started_week[deleted.index]).all()
    assert (logs["started_utc"] == logs["started_local"].dt.tz_localize(TZ).dt.tz_convert("UTC")).all()


def test_one_week_samples_have_no_correction_but_still_a_deletion():
    tables = generate_sample(SampleConfig(seed=5, employees=60, weeks=1, start_week=date(2026, 3, 2)))
    logs = tables["jira_worklogs"]
    assert (logs["time_spent_seconds"] == logs["original_time_spent_seconds"]).all()  # no later week to do it in
    deleted = logs[logs["deleted"]]
    assert len(deleted) >= 1 and (_local(deleted["deleted_at_utc"]) < pd.Timestamp("2026-03-09")).all()


def test_story_point_splits_are_exact_for_every_actual():
    rng = np.random.default_rng(0)
    actual = np.arange(0, 120, dtype=np.float64)
    row, points = split_story_points(actual, rng)
    assert np.bincount(row, weights=points, minlength=len(actual)).tolist() == actual.tolist()
    assert set(points.tolist()) <= {1, 2, 3, 5, 8} and not (row == 0).any()  # an actual of 0 has no issue


def test_jira_work_is_reproducible_and_round_trips(sample, tmp_path):
    again = generate_sample(CONFIG)
    for name in ("jira_work_issues", "jira_worklogs"):
        pd.testing.assert_frame_equal(again[name], sample[name], check_exact=True, obj=name)
    _, loaded = load_sample(write_sample(sample, CONFIG, tmp_path))
    for name in ("jira_work_issues", "jira_worklogs"):
        pd.testing.assert_frame_equal(loaded[name], sample[name], check_exact=True, obj=name)
