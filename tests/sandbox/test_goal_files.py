"""The sample's helpdesk tickets and the goal files the inbox renders from them: goal sheets per Functional team and
the week's ticket export, both readable by the file connectors."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from connectors.files import read_inbox_week
from sandbox.inbox import render_inbox_week, write_inbox_week
from sandbox.sample import SampleConfig, generate_sample

START = date(2026, 3, 2)
SECOND_WEEK = START + timedelta(days=7)
TZ = "Asia/Shanghai"


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    return generate_sample(SampleConfig(seed=5, employees=150, weeks=2, start_week=START))


def _local_week(instants: pd.Series) -> pd.Series:
    local = instants.dt.tz_convert(TZ).dt.tz_localize(None).dt.normalize()
    return local - pd.to_timedelta(local.dt.day_of_week, unit="D")


def test_each_tickets_resolved_goal_has_exactly_that_many_tickets_solved_in_its_week(sample):
    tickets, goals = sample["service_tickets"], sample["goals"]
    solved = tickets[tickets["solved_at_utc"].notna()]
    counted = solved.groupby([solved["employee_id"], _local_week(solved["solved_at_utc"])]).size()
    resolved = goals[goals["metric"] == "tickets_resolved"]
    expected = resolved.set_index(["employee_id", "week_start"])["actual"].astype(int)

    assert len(expected) > 20 and expected.sum() > 1000
    pd.testing.assert_series_equal(
        counted.sort_index(), expected[expected > 0].sort_index(), check_names=False, check_index_type=False
    )


def test_unsolved_tickets_exist_and_never_have_a_solved_time(sample):
    tickets = sample["service_tickets"]
    unsolved = tickets[~tickets["status"].isin(["solved", "closed"])]

    assert 0.02 < len(unsolved) / len(tickets) < 0.08
    assert set(unsolved["status"]) == {"new", "open", "pending", "hold"}
    assert unsolved["solved_at_utc"].isna().all()
    assert unsolved.loc[unsolved["status"] == "new", "employee_id"].isna().all()  # nobody assigned yet
    solved = tickets[tickets["status"].isin(["solved", "closed"])]
    assert (solved["created_at_utc"] <= solved["solved_at_utc"]).all()
    assert solved["employee_id"].notna().all()
    assert tickets["ticket_id"].is_unique and tickets["created_at_utc"].is_monotonic_increasing


def test_solved_tickets_close_four_days_after_solving(sample):
    tickets = sample["service_tickets"]
    period_end = pd.Timestamp(START + timedelta(days=14)).tz_localize(TZ)
    solved = tickets[tickets["solved_at_utc"].notna()]
    expected = (solved["solved_at_utc"] <= period_end - pd.Timedelta(days=4)).map({True: "closed", False: "solved"})

    assert solved["status"].equals(expected)


def test_one_goal_sheet_per_functional_team_half_of_them_xlsx(sample):
    files = render_inbox_week(sample, START, TZ)
    sheets = sorted(name for name in files if name.startswith("goal_sheet_"))
    employees = sample["employees"]
    teams = sorted(employees.loc[employees["department"] == "Functional", "team"].unique())

    assert sheets == sorted(
        f"goal_sheet_{team}.{'xlsx' if position % 2 == 0 else 'csv'}" for position, team in enumerate(teams)
    )
    csv_sheet = next(name for name in sheets if name.endswith(".csv"))
    assert files[csv_sheet].startswith(b"\xef\xbb\xbfemployee_id,name,week_start,metric,")


def test_goal_sheets_read_back_as_the_weeks_goal_sheet_goals(sample, tmp_path):
    write_inbox_week(sample, START, tmp_path, TZ)
    frames = read_inbox_week(tmp_path, START)

    goals = sample["goals"]
    expected = goals[(goals["channel"] == "goal_sheet") & (goals["week_start"] == pd.Timestamp(START))]
    rows = frames["goal_sheet_rows"]
    assert frames["quarantine"].empty

    def items(frame: pd.DataFrame, week: str) -> list[tuple]:
        return sorted(
            (r.employee_id, r.metric, r.unit, Decimal(r.target), Decimal(r.actual), Decimal(r.weight), r.direction)
            for r in frame.itertuples()
            if str(getattr(r, week))[:10] == START.isoformat()
        )

    assert items(rows, "goal_week") == items(expected, "week_start")
    assert rows["_source_ref"].str.contains(r"\.xlsx:周目标!R\d+$").any()
    assert rows["_source_ref"].str.contains(r"\.csv:\d+$").any()
    assert set(rows["file_modified_at"]) == {"2026-03-06T10:00:00Z"}  # Friday 18:00 in Shanghai


def test_an_objective_column_appears_when_goals_carry_one(sample, tmp_path):
    goals = sample["goals"].copy()
    goals["objective_id"] = "OKR-" + goals["employee_id"].str[-2:]
    tables = {**sample, "goals": goals}

    write_inbox_week(tables, START, tmp_path, TZ)
    rows = read_inbox_week(tmp_path, START)["goal_sheet_rows"]

    assert len(rows) > 0
    assert (rows["objective_id"] == "OKR-" + rows["employee_id"].str[-2:]).all()


def test_goal_files_render_byte_identical_each_time(sample):
    shuffled = {name: frame.sample(frac=1, random_state=3) for name, frame in sample.items()}
    first, again = render_inbox_week(sample, START, TZ), render_inbox_week(shuffled, START, TZ)

    rendered = [name for name in first if name.startswith(("goal_sheet_", "helpdesk_"))]
    assert any(name.endswith(".xlsx") for name in rendered) and "helpdesk_tickets.csv" in rendered
    assert {name: first[name] for name in rendered} == {name: again[name] for name in rendered}


def _export(sample: dict[str, pd.DataFrame], week: date) -> list[dict[str, str]]:
    content = render_inbox_week(sample, week, TZ)["helpdesk_tickets.csv"].decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(content)))


def test_the_ticket_export_shows_tickets_as_they_stood_at_the_end_of_the_week(sample):
    first, second = _export(sample, START), _export(sample, SECOND_WEEK)
    tickets = sample["service_tickets"].set_index("ticket_id")
    in_first = {row["Ticket ID"]: row for row in first}

    # a ticket opened in the first week and solved in the second shows as open, then as solved
    solved_later = set(tickets.index[tickets["solved_at_utc"] >= pd.Timestamp(SECOND_WEEK).tz_localize(TZ)])
    carried = [row for row in second if row["Ticket ID"] in solved_later and row["Ticket ID"] in in_first]
    assert carried and all(row["Status"] in ("solved", "closed") and row["Solved at"] for row in carried)
    assert all(in_first[row["Ticket ID"]]["Status"] == "open" for row in carried)
    assert all(not in_first[row["Ticket ID"]]["Solved at"] for row in carried)
    # the second export reaches back to the first week's Sunday: those tickets are in both files
    sunday = [row for row in second if row["Solved at"].startswith(str(START + timedelta(days=6)))]
    assert sunday and all(row["Ticket ID"] in in_first for row in sunday)
    sample_row = first[0]
    assert sample_row["Created at"].endswith(" +0800") and len(sample_row["Created at"]) == 25
    assert sample_row["Assignee external ID"] == tickets.loc[sample_row["Ticket ID"], "employee_id"]
