"""The sample company's OKRs: one company -> department -> team tree per quarter, weights that add up, progress that
rises with unchanged weeks in between, one planted bad percent, and weekly goals linked to their team's objective."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from sandbox.sample import SampleConfig, generate_sample

START = date(2026, 3, 16)  # weeks 03-16, 03-23, 03-30 (across Q1/Q2), 04-06


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    return generate_sample(SampleConfig(seed=11, employees=300, weeks=4, start_week=START))


def test_each_quarter_is_one_tree_owned_by_heads_and_managers(sample):
    objectives, employees = sample["okr_objectives"], sample["employees"].set_index("employee_id")
    assert sample["okr_periods"]["name"].tolist() == ["2026 Q1", "2026 Q2"]
    heads = employees[employees["manager_id"].isna()]
    teams = employees["team"].nunique()
    by_id = objectives.set_index("objective_id")
    for _, period in objectives.groupby("period_id"):
        company = period[period["level"] == "company"]
        departments, team_objectives = period[period["level"] == "department"], period[period["level"] == "team"]
        assert len(company) == 1 and company["parent_objective_id"].isna().all()
        assert employees.loc[company["owner_id"].iloc[0], "department"] == "Functional"
        assert company["owner_id"].iloc[0] in heads.index
        assert len(departments) == 2 * len(heads) and set(departments["owner_id"]) == set(heads.index)
        assert (departments["parent_objective_id"] == company["objective_id"].iloc[0]).all()
        assert len(team_objectives) == teams and team_objectives["owner_id"].is_unique
        owners = employees.loc[team_objectives["owner_id"]]
        assert set(owners["team"]) == set(employees["team"])
        parents = by_id.loc[team_objectives["parent_objective_id"]]
        assert (parents["level"] == "department").all()
        assert (employees.loc[parents["owner_id"], "department"].to_numpy() == owners["department"].to_numpy()).all()
    assert objectives["objective_id"].str.fullmatch(r"\d{19}").all() and objectives["objective_id"].is_unique


def test_weights_add_up_to_one_per_objective_and_per_okr(sample):
    key_results, objectives = sample["okr_key_results"], sample["okr_objectives"]
    assert key_results.groupby("objective_id").size().between(2, 3).all()
    assert set(key_results["objective_id"]) == set(objectives["objective_id"])
    for weights in (
        key_results.groupby("objective_id")["kr_weight"],
        objectives.groupby("okr_id")["weight"],
    ):
        assert set(weights.agg(lambda w: sum(map(Decimal, w)))) == {Decimal("1.00")}
    assert (objectives.groupby("okr_id")[["owner_id", "period_id"]].nunique() == 1).all().all()


def test_progress_rises_with_unchanged_weeks_and_one_planted_bad_percent(sample):
    progress = sample["okr_progress"].sort_values(["kr_id", "week_start"])
    planted = progress[progress["percent"] > 100]
    assert len(planted) == 1 and planted["percent"].iloc[0] == 120
    assert planted["week_start"].iloc[0] == pd.Timestamp(date(2026, 3, 30))  # the second-to-last week
    corrected = progress[(progress["kr_id"] == planted["kr_id"].iloc[0]) & (progress["week_start"] > "2026-03-30")]
    assert len(corrected) == 1 and corrected["percent"].iloc[0] <= 100
    planted_kr = sample["okr_key_results"].set_index("kr_id").loc[planted["kr_id"].iloc[0], "objective_id"]
    assert sample["okr_objectives"].set_index("objective_id").loc[planted_kr, "level"] == "company"

    valid = progress[progress["kr_id"] != planted["kr_id"].iloc[0]]
    assert valid["percent"].between(0, 100).all()
    assert (valid.groupby("kr_id")["percent"].diff().dropna() >= 0).all()
    # a week without an update repeats the previous row; an update happens within its week
    repeated = valid.groupby("kr_id")["updated_at_utc"].diff() == pd.Timedelta(0)
    assert 0.1 < repeated.mean() < 0.4
    changed = valid[~repeated]
    week_start_utc = changed["week_start"].dt.tz_localize("Asia/Shanghai").dt.tz_convert("UTC")
    assert (
        (changed["updated_at_utc"] >= week_start_utc)
        & (changed["updated_at_utc"] < week_start_utc + pd.Timedelta(days=7))
    ).all()
    # the week across the quarters has a row for the key results of both quarters
    across = progress[progress["week_start"] == "2026-03-30"]
    key_results = sample["okr_key_results"].set_index("kr_id")
    periods = (
        sample["okr_objectives"]
        .set_index("objective_id")
        .loc[key_results.loc[across["kr_id"], "objective_id"], "period_id"]
    )
    assert periods.nunique() == 2


def test_goals_point_at_their_team_objective_of_the_quarter(sample):
    goals = sample["goals"].merge(sample["employees"][["employee_id", "team"]])
    objectives = sample["okr_objectives"].merge(
        sample["employees"][["employee_id", "team"]], left_on="owner_id", right_on="employee_id"
    )
    team_objectives = objectives[objectives["level"] == "team"].merge(sample["okr_periods"], on="period_id")
    linked = goals.merge(team_objectives[["objective_id", "team", "start_date", "end_date"]], on="objective_id")
    assert len(linked) == len(goals) and goals["objective_id"].notna().all()
    assert (linked["team_x"] == linked["team_y"]).all()
    assert linked["week_start"].between(linked["start_date"], linked["end_date"]).all()
    assert (
        goals.loc[goals["week_start"] == "2026-04-06", "objective_id"]
        .isin(team_objectives.loc[team_objectives["name"] == "2026 Q2", "objective_id"])
        .all()
    )


def test_everyone_has_a_feishu_open_id(sample):
    open_ids = sample["employees"]["feishu_open_id"]
    assert open_ids.str.fullmatch(r"ou_[0-9a-f]{32}").all() and open_ids.is_unique
