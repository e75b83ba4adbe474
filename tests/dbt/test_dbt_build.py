"""End-to-end check of the dbt project: raw fixture -> `dbt build` (models, data tests, unit tests) -> mart values.

The fixture (``raw_fixture.py``) is one week of raw rows written through the connectors' writer; the
assertions are the worked examples of ``domain.md`` and the data-quality promises (nothing dropped silently).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunnerResult

from tests.dbt import raw_fixture
from tests.dbt.runner import PROJECT_DIR, failures
from tests.dbt.runner import run_dbt as _run_dbt

DBT_VARS = {
    "week_start": "2026-03-02",
    "week_end": "2026-03-09",
    "plan_version": "2026.1-test",
    "every_valid_pair_shift_codes": raw_fixture.EVERY_VALID_PAIR_SHIFTS,
    "attendance_devices": raw_fixture.DEVICES,
    "clock_drift_min_punches": 2,
}


def run_dbt(args: list[str], database: Path, work_dir: Path, **kwargs: object) -> dbtRunnerResult:
    return _run_dbt(args, database, work_dir, DBT_VARS, **kwargs)


EXPECTED_UNIT_TESTS = 9


@dataclass(frozen=True)
class Build:
    database: Path
    work_dir: Path
    result: dbtRunnerResult


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    work_dir = tmp_path_factory.mktemp("dbt_build")
    database = work_dir / "warehouse.duckdb"
    raw_fixture.write_raw_tables(database)
    result = run_dbt(["build", "--exclude", "tag:reads_scores"], database, work_dir)  # no scores in this fixture
    yield Build(database, work_dir, result)


def query(build: Build, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(build.database)) as con:
        return con.execute(sql, params or []).fetchall()


def test_build_succeeds_with_every_test_and_unit_test(build: Build) -> None:
    assert build.result.success, failures(build.result)
    results = build.result.result.results
    unit_tests = [r for r in results if r.node.resource_type == "unit_test"]
    assert len(unit_tests) == EXPECTED_UNIT_TESTS
    assert all(r.status == "pass" for r in unit_tests)
    assert sum(r.node.resource_type == "model" for r in results) >= 40


def test_worked_example_a_day_shift_is_late_with_475_worked_minutes(build: Build) -> None:
    rows = query(
        build,
        "select status, late_minutes, worked_minutes, punch_count, first_in_local, source_refs "
        "from marts.fct_attendance_daily where employee_id = 'E001' and work_date = date '2026-03-02'",
    )
    status, late, worked, punches, first_in, refs = rows[0]
    assert (status, late, worked, punches) == ("late", 7, 475, 2)
    assert str(first_in) == "2026-03-02 09:07:00"
    # the 09:07:30 duplicate is not among the punches that made the session
    assert refs == "ZK001_attlog.dat:2,ZK001_attlog.dat:4"


def test_worked_example_a_night_shift_is_one_session_on_its_start_date(build: Build) -> None:
    rows = query(
        build,
        "select work_date, status, first_in_local, last_out_local, worked_minutes from marts.fct_attendance_daily "
        "where employee_id = 'E001' and shift_code = 'NIGHT'",
    )
    assert len(rows) == 1
    work_date, status, first_in, last_out, worked = rows[0]
    assert str(work_date) == "2026-03-03"
    assert (str(first_in), str(last_out)) == ("2026-03-03 21:55:00", "2026-03-04 06:03:00")
    assert (status, worked) == ("present", 488 - 60)


def test_daily_statuses_cover_checkout_absence_leave_and_early_leave(build: Build) -> None:
    rows = dict(
        ((employee, str(day)), (status, early))
        for employee, day, status, early in query(
            build, "select employee_id, work_date, status, early_leave_minutes from marts.fct_attendance_daily"
        )
    )
    assert rows[("E001", "2026-03-04")] == ("missing_checkout", 0)
    assert rows[("E001", "2026-03-05")] == ("absent", 0)
    assert rows[("E001", "2026-03-06")] == ("on_leave", 0)
    assert rows[("E002", "2026-03-03")] == ("early_leave", 30)
    # an approved leave day without a shift is still reported; a pending request is not leave
    assert rows[("E002", "2026-03-05")] == ("on_leave", 0)
    assert ("E002", "2026-03-04") not in rows
    # the evening shift ending at 00:00 is checked out at 00:02 the next (Monday) morning
    assert rows[("E002", "2026-03-08")] == ("present", 0)


def test_weekly_attendance_carries_reason_codes(build: Build) -> None:
    rows = dict(
        (employee, (reasons, worked, overtime))
        for employee, reasons, worked, overtime in query(
            build, "select employee_id, reason_codes, worked_hours, overtime_hours from marts.fct_attendance_weekly"
        )
    )
    assert query(build, "select distinct plan_version from marts.fct_attendance_weekly") == [("2026.1-test",)]
    assert rows["E001"][0] == "ABSENT_1D,LATE_1X,LEAVE_1D,MISSING_CHECKOUT_1D"
    assert rows["E001"][1] == Decimal("15.05")  # (475 + 428) / 60
    assert rows["E002"][0] == "LEAVE_1D"
    assert {overtime for _, _, overtime in rows.values()} == {Decimal("0.00")}


def test_duplicate_punch_is_flagged_and_unmapped_pin_is_counted(build: Build) -> None:
    duplicates = query(
        build,
        "select source_ref, duplicate_reason, duplicate_of_source_ref, punch_week_start"
        " from intermediate.int_punches_deduplicated where is_duplicate",
    )
    monday = raw_fixture.FIXTURE_WEEK
    assert sorted(duplicates) == sorted(
        [
            ("ZK001_attlog.dat:3", "within_window", "ZK001_attlog.dat:2", monday),
            # DingTalk's 09:00:10 and the device's 09:00:30: the device is trusted first, though it came later.
            ("dingtalk:listRecord:2", "within_window", "ZK001_attlog.dat:9", monday),
            # The next week's lookback fetched Monday's 18:00 record again: a redelivery, not a second punch.
            ("dingtalk:listRecord:2", "redelivered", "dingtalk:listRecord:3", monday),
        ]
    )
    unmapped = query(
        build,
        "select source_system, external_id, record_count from intermediate.int_unmapped_source_ids "
        "order by source_system, external_id",
    )
    assert ("zk", "0099", 1) in unmapped
    assert ("feishu", "fs-999", 1) in unmapped
    assert ("jira", "acc-unknown", 1) in unmapped
    assert ("ga4", "C9", 1) in unmapped
    assert ("shopify", "99", 1) in unmapped


def test_every_attendance_source_reaches_the_daily_mart(build: Build) -> None:
    rows = query(
        build,
        "select employee_id, cast(work_date as varchar), status, pairing_mode, late_minutes, early_leave_minutes,"
        " worked_minutes, reasons, leave_hours from marts.fct_attendance_daily"
        " where employee_id in ('E003', 'E004') order by employee_id, work_date",
    )
    assert rows == [
        # Feishu roster, punches and leave; Tuesday's SPLIT shift is paired as every valid pair.
        ("E003", "2026-03-02", "present", "first_in_last_out", 0, 0, 483, "", None),
        ("E003", "2026-03-03", "present", "every_valid_pair", 0, 0, 667, "", None),
        ("E003", "2026-03-04", "on_leave", "first_in_last_out", 0, 0, 0, "", Decimal("8.00")),
        # Device + DingTalk: the device's 09:00:30 is kept; DingTalk's 18:00 closes the day.
        ("E004", "2026-03-02", "present", "first_in_last_out", 0, 0, 479, "", None),
        # ZKBioTime device 10 minutes fast: 09:20 -> 09:10 (late 10), 18:00 -> 17:50 (early 10).
        ("E004", "2026-03-03", "late", "first_in_last_out", 10, 10, 460, "CLOCK_CORRECTED", None),
        # Check-out keyed at 09:00 and check-in at 18:00: times are trusted, the swap is flagged.
        ("E004", "2026-03-04", "present", "first_in_last_out", 0, 0, 480, "PUNCH_STATE_MISMATCH", None),
        # A device standing in Tokyo: its 10:00 / 19:00 are 09:00 / 18:00 in Shanghai.
        ("E004", "2026-03-05", "present", "first_in_last_out", 0, 0, 480, "", None),
        # A device two hours fast: its 20:00 check-out fits no shift window, so the day lacks a checkout and is
        # not paid silently; the drift report flags the device.
        ("E004", "2026-03-06", "missing_checkout", "first_in_last_out", 0, 0, 0, "SINGLE_PUNCH", None),
    ]
    flagged = query(
        build,
        "select device_sn, punches, punches_outside_shift_windows from marts.rpt_device_clock_drift"
        " where needs_correction",
    )
    assert ("ZK-BAD", 2, 1) in flagged


def test_a_day_rostered_after_termination_is_reported_not_counted_absent(build: Build) -> None:
    daily = query(
        build,
        "select status, worked_minutes, reasons from marts.fct_attendance_daily where employee_id = 'E005'",
    )
    assert daily == [("not_employed", 0, "ROSTERED_OUTSIDE_EMPLOYMENT")]
    assert query(build, "select count(*) from marts.fct_attendance_weekly where employee_id = 'E005'") == [(0,)]


def test_goal_items_are_decimals_with_attendance_reasons(build: Build) -> None:
    rows = query(
        build,
        "select issue_key, target, actual, weight, direction, reason_codes from marts.fct_goal_progress_weekly "
        "where employee_id = 'E001' order by issue_key",
    )
    assert [r[0] for r in rows] == ["GOAL-1", "GOAL-2", "GOAL-3"]
    assert rows[0][1:4] == (Decimal("200.0000"), Decimal("230.0000"), Decimal("0.5000"))
    assert rows[1][4] == "lower_is_better"
    assert {r[5] for r in rows} == {"ABSENT_1D,LATE_1X,LEAVE_1D,MISSING_CHECKOUT_1D"}
    assert query(build, "select count(*) from marts.fct_goal_progress_weekly where issue_key = 'GOAL-4'") == [(0,)]


def test_orders_are_credited_by_clicks_or_equally_and_refunds_are_excluded(build: Build) -> None:
    credited = dict(query(build, "select creative_id, credited_orders from marts.fct_creative_performance_weekly"))
    # P1 has 3 valid orders (the refunded one is excluded), but #1003 also bought P2 (1 unit each), so P1 holds
    # 1 + 1 + 1/2 = 2.5 orders: C1 30 clicks, C2 10 clicks -> 3/4 and 1/4 of that.
    # P2 has the other half of #1003 (the cancelled one is excluded): C3 and C4 had no click -> half each.
    # Every valid order is credited once in total: 1.875 + 0.625 + 0.25 + 0.25 = 3.
    assert credited == {
        "C1": Decimal("1.875000"),
        "C2": Decimal("0.625000"),
        "C3": Decimal("0.250000"),
        "C4": Decimal("0.250000"),
    }
    refunded = query(
        build,
        "select count(*) from intermediate.int_orders_credited_to_creatives where order_id in ('5504', '5505')",
    )
    assert refunded == [(0,)]


def test_creative_rates_follow_their_definitions(build: Build) -> None:
    row = query(
        build,
        "select clicks, ctr, avg_dwell_seconds, favorites_rate, order_rate, repurchase_rate "
        "from marts.fct_creative_performance_weekly where creative_id = 'C1'",
    )[0]
    assert row == (
        30,
        Decimal("0.030000"),  # 30 clicks / 1000 impressions
        Decimal("40.0000"),  # 4000 engagement seconds / 100 sessions
        Decimal("0.020000"),  # 2 wishlist adds / 100 sessions
        Decimal("0.030000"),  # 3 valid orders / 100 sessions
        Decimal("0.333333"),  # 1 of 3 orders by a returning customer
    )
    zero_click = query(build, "select clicks, ctr from marts.fct_creative_performance_weekly where creative_id = 'C4'")
    assert zero_click == [(0, None)]


def test_operator_department_and_project_marts(build: Build) -> None:
    operator = query(
        build, "select operator_id, ctr, avg_dwell_seconds, credited_orders from marts.fct_operator_performance_weekly"
    )
    # clicks-weighted: (30 x 0.030 + 10 x 0.025) / 40; E004 operates P1 and P2, whose 3 valid orders count once each
    assert operator == [("E004", Decimal("0.028750"), Decimal("40.0000"), Decimal("3.000000"))]
    department = query(build, "select orders, sessions, conversion_rate from marts.fct_department_conversion_weekly")
    assert department == [(4, 150, Decimal("0.026667"))]
    profit = dict(query(build, "select project_id, profit from marts.fct_project_profit_weekly"))
    assert profit == {"PRJ1": Decimal("2499.50"), "PRJ2": Decimal("-500.00")}


def test_activity_events_count_once_and_participation_rates(build: Build) -> None:
    events = query(build, "select event_id, times_received from marts.fct_activity_events where event_id = 'ev-1'")
    assert events == [("ev-1", 2)]
    assert query(build, "select count(*) from marts.fct_activity_events") == [(6,)]
    author = query(
        build,
        "select likes_received, comments_received, self_likes, stories_published "
        "from marts.fct_activity_participation_weekly where employee_id = 'E002' and activity_id = 'A2'",
    )
    assert author == [(1, 1, 1, 1)]
    group = query(
        build,
        "select participants, active_headcount, participation_rate "
        "from marts.rpt_activity_participation_by_group_weekly "
        "where activity_id = 'A1' and department = 'Customer Service'",
    )
    assert group == [(1, 2, Decimal("0.500000"))]


def test_dim_employee_is_the_latest_snapshot(build: Build) -> None:
    rows = dict(
        (employee, (team, active, base))
        for employee, team, active, base in query(
            build, "select employee_id, team, is_active, variable_base from marts.dim_employee"
        )
    )
    assert len(rows) == 6
    assert rows["E001"] == ("CS-1", True, Decimal("3000.00"))
    assert rows["E005"][1] is False


def test_incremental_run_replaces_only_the_window(build: Build, tmp_path: Path) -> None:
    assert build.result.success, failures(build.result)
    with duckdb.connect(str(build.database)) as con:
        con.execute("checkpoint")  # the copy must not miss what still sits in the write-ahead log
    database = tmp_path / "warehouse.duckdb"
    shutil.copy(build.database, database)
    with duckdb.connect(str(database)) as con:
        con.execute(
            "insert into marts.fct_project_profit_weekly by name select 'PRJ1' as project_id, "
            "date '2026-02-23' as week_start, 1.00 as revenue, 0.00 as cost, 0.00 as ad_spend, 1.00 as profit"
        )
    raw_fixture.replace_project_pnl(database, revenue="12000.00")

    result = run_dbt(["run", "--select", "fct_project_profit_weekly"], database, tmp_path)

    assert result.success, failures(result)
    with duckdb.connect(str(database)) as con:
        rows = con.execute(
            "select week_start, project_id, revenue, profit from marts.fct_project_profit_weekly order by 1, 2"
        ).fetchall()
    assert [(str(w), p, r, pr) for w, p, r, pr in rows] == [
        ("2026-02-23", "PRJ1", Decimal("1.00"), Decimal("1.00")),  # outside the window: untouched
        ("2026-03-02", "PRJ1", Decimal("12000.00"), Decimal("4499.50")),  # rebuilt once, not duplicated
        ("2026-03-02", "PRJ2", Decimal("1000.00"), Decimal("-500.00")),
    ]


def test_the_window_in_the_environment_wins_over_the_vars(
    build: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Orchestration passes the window through HRHUB_DBT_WINDOW_START/END: a run for the next week leaves the
    fixture week alone even though the vars still name it."""
    with duckdb.connect(str(build.database)) as con:
        con.execute("checkpoint")
    database = tmp_path / "warehouse.duckdb"
    shutil.copy(build.database, database)
    raw_fixture.replace_project_pnl(database, revenue="12000.00")
    monkeypatch.setenv("HRHUB_DBT_WINDOW_START", "2026-03-09")
    monkeypatch.setenv("HRHUB_DBT_WINDOW_END", "2026-03-16")

    result = run_dbt(["run", "--select", "fct_project_profit_weekly"], database, tmp_path)

    assert result.success, failures(result)
    with duckdb.connect(str(database)) as con:
        revenue = con.execute(
            "select revenue from marts.fct_project_profit_weekly where project_id = 'PRJ1' and week_start = ?",
            [raw_fixture.FIXTURE_WEEK],
        ).fetchall()
    assert revenue != [(Decimal("12000.00"),)] and len(revenue) == 1


def test_parse_works_from_a_clean_copy_without_packages(tmp_path: Path) -> None:
    clean = tmp_path / "dbt_project"
    shutil.copytree(PROJECT_DIR, clean, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    assert not (clean / "packages.yml").exists()
    assert not (clean / "dependencies.yml").exists()

    result = run_dbt(["parse"], tmp_path / "unused.duckdb", tmp_path, project_dir=clean)

    assert result.success, failures(result)
    nodes = result.result.nodes
    marts = {node.name for node in nodes.values() if node.resource_type == "model" and node.schema == "marts"}
    assert {
        "dim_employee",
        "fct_attendance_daily",
        "fct_attendance_weekly",
        "fct_goal_progress_weekly",
        "fct_creative_performance_weekly",
        "fct_operator_performance_weekly",
        "fct_department_conversion_weekly",
        "fct_project_profit_weekly",
        "fct_activity_events",
        "fct_activity_participation_weekly",
    } <= marts
