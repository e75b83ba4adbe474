"""The planning marts (seed 003) built by dbt on a small hand-made raw layer: roster checks, evening coverage,
next week's staffing forecast with its recommended extra shifts, and the flexible-shift requests.

The raw layer is ``raw_fixture``'s (so every source the attendance models read exists) plus the scenario below,
loaded in later partitions for people of its own (``C*`` customer service, ``R*``/``O1`` office staff). The run's
window is the week of 2026-03-30, so "next week" is 2026-04-06 .. 04-12:

- inquiries in the four weeks 2026-03-09 .. 03-30: 20:00 and 21:00 every day 26/34/28/32 (mean 30), 10:00 every
  day 10/14/12/12 (mean 12), Wednesday 06:00 12 each week (no shift covers 06:00-07:00); every other hour 0 or
  missing. The first week's Monday 20:00 was loaded as 99 and corrected to 26 in the next week's file.
- the promotion calendar as known before next week has PROMO-618 (+40%) on 04-10 .. 04-12; an older snapshot's
  PROMO-OLD and next week's own reload of PROMO-618 (+80%) must not count.
- last week's customer-service roster (next week is not rostered yet): EVENING C1 Mon-Fri and C5 Sat-Sun, LATE C2
  Mon-Fri, EARLY C3 Mon-Fri and C6 Sat-Sun, NIGHT C4 on Sunday (into next Monday); on Monday also C7, C8 on
  EVENING and C9 on LATE (C9 leaves on 04-03). R2, an engineer, works a LATE shift that must not count.
- Monday 2026-03-30 evening (20:00-22:00): team CS-A = C1 (in 15:55, out 00:03), C2 (12:58 -> 21:30), C7 (late
  at 20:10, out 00:00); team CS-B = C8 (a single 15:50 punch), C9 (approved leave).
- roster findings: O1 DAY Mon-Sat (48 h); R1 NIGHT Tue then a 05:00-14:00 shift Wed (1 h overlap); R2 LATE Mon
  then EARLY Tue (9 h rest); R3 DAY Mon-Thu and NIGHT Fri and Sat (46 h: the night shifts count in full).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dbt.cli.main import dbtRunnerResult

from connectors.warehouse import connect, replace_week
from tests.dbt import raw_fixture
from tests.dbt.runner import failures
from tests.dbt.runner import run_dbt as _run_dbt

WINDOW = date(2026, 3, 30)
NEXT_WEEK = date(2026, 4, 6)
HISTORY = [date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23), date(2026, 3, 30)]
DBT_VARS = {
    "week_start": WINDOW.isoformat(),
    "week_end": NEXT_WEEK.isoformat(),
    "plan_version": "2026.1-test",
    # the planning defaults, pinned so the expectations below hold whatever the plan file says
    "weekly_hours_cap": 40,
    "min_rest_hours": 11,
    "evening_window_start": "20:00",
    "evening_window_end": "22:00",
    "forecast_history_weeks": 4,
    "inquiries_per_agent_hour": 12,
    "staffing_forecast_role": "customer_service",
}


def run_dbt(args: list[str], database: Path, work_dir: Path, **kwargs: object) -> dbtRunnerResult:
    return _run_dbt(args, database, work_dir, DBT_VARS, **kwargs)


PLANNING_MODELS = [
    "rpt_roster_checks",
    "fct_evening_coverage_daily",
    "rpt_staffing_forecast_next_week",
    "rpt_extra_shifts_recommended_next_week",
    "fct_flexible_shift_requests",
]
SHIFTS = {
    "DAY": ("09:00", "18:00"),
    "EARLY": ("07:00", "16:00"),
    "LATE": ("13:00", "22:00"),
    "EVENING": ("16:00", "00:00"),
    "NIGHT": ("22:00", "06:00"),
    "DAWN": ("05:00", "14:00"),
}
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = (WINDOW + timedelta(days=d) for d in range(7))


# ---------- the scenario's raw rows


def _frame(source_file: str, rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["_source_ref"] = [f"{source_file}:{i + 2}" for i in range(len(frame))]
    return frame


def _people() -> list[tuple[str, str, str, str | None]]:
    """(employee_id, team, role, zk pin)."""
    service = [("C1", "CS-A"), ("C2", "CS-A"), ("C3", "CS-A"), ("C4", "CS-B"), ("C5", "CS-B"), ("C6", "CS-B")]
    service += [("C7", "CS-A"), ("C8", "CS-B"), ("C9", "CS-B")]
    people = [(e, team, "customer_service", f"9{e[1:]:0>3}") for e, team in service]
    return people + [(e, "RD-9", "engineer", None) for e in ("O1", "R1", "R2", "R3")]


def _employees() -> list[dict[str, object]]:
    leaving = {"C9": "2026-04-03"}  # C9's last day is before next week: out of next week's pattern
    return [
        {
            "employee_id": employee,
            "name": employee,
            "department": "Customer Service" if role == "customer_service" else "R&D",
            "team": team,
            "project_group": None,
            "city": "Wuhan",
            "role": role,
            "manager_id": None,
            "hire_date": "2025-01-06",
            "termination_date": leaving.get(employee),
            "timezone": "Asia/Shanghai",
            "payroll_id": None,
            "variable_base": "0.00",
        }
        for employee, team, role, _ in _people()
    ]


def _identities() -> list[dict[str, object]]:
    return [
        {"employee_id": e, "system": "zk", "external_id": pin, "valid_from": "2025-01-06", "valid_to": None}
        for e, _, _, pin in _people()
        if pin
    ]


def _roster() -> list[dict[str, object]]:
    weekdays = [MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY]
    plan: list[tuple[str, date, str]] = []
    plan += [("C1", d, "EVENING") for d in weekdays] + [("C5", d, "EVENING") for d in (SATURDAY, SUNDAY)]
    plan += [("C2", d, "LATE") for d in weekdays]
    plan += [("C3", d, "EARLY") for d in weekdays] + [("C6", d, "EARLY") for d in (SATURDAY, SUNDAY)]
    plan += [("C4", SUNDAY, "NIGHT"), ("C7", MONDAY, "EVENING"), ("C8", MONDAY, "EVENING"), ("C9", MONDAY, "LATE")]
    plan += [("O1", d, "DAY") for d in [*weekdays, SATURDAY]]
    plan += [("R1", TUESDAY, "NIGHT"), ("R1", WEDNESDAY, "DAWN")]
    plan += [("R2", MONDAY, "LATE"), ("R2", TUESDAY, "EARLY"), ("R2", WEDNESDAY, "DAY")]
    plan += [("R3", d, "DAY") for d in weekdays[:4]] + [("R3", d, "NIGHT") for d in (FRIDAY, SATURDAY)]
    return [_shift_row(employee, day, code) for employee, day, code in plan]


def _shift_row(employee: str, day: date, code: str) -> dict[str, object]:
    start, end = SHIFTS[code]
    return {
        "employee_id": employee,
        "work_date": day.isoformat(),
        "shift_code": code,
        "start_time": start,
        "end_time": end,
        "break_minutes": 60,
    }


def _leave() -> list[dict[str, object]]:
    return [
        {"employee_id": "C9", "leave_date": "2026-03-30", "hours": "8", "leave_type": "annual", "status": "approved"}
    ]


def _punches() -> list[dict[str, object]]:
    pins = {e: pin for e, _, _, pin in _people()}
    punches = [
        ("C1", "2026-03-30 15:55:00", 0),
        ("C1", "2026-03-31 00:03:00", 1),
        ("C2", "2026-03-30 12:58:00", 0),
        ("C2", "2026-03-30 21:30:00", 1),
        ("C7", "2026-03-30 20:10:00", 0),
        ("C7", "2026-03-31 00:00:00", 1),
        ("C8", "2026-03-30 15:50:00", 0),
    ]
    return [
        {"device_sn": "ZK-T1", "pin": pins[e], "punch_time_local": t, "verify_type": 1, "punch_state": s,
         "work_code": "0"}
        for e, t, s in punches
    ]  # fmt: skip


def _inquiries(week: date) -> list[dict[str, object]]:
    """One week's hourly file as designed; hours without inquiries are 0, except 03:00 in the first week (absent)."""
    index = HISTORY.index(week)
    rows = []
    for hour_of_week in range(168):
        day, hour = divmod(hour_of_week, 24)
        count = {20: (26, 34, 28, 32), 21: (26, 34, 28, 32), 10: (10, 14, 12, 12)}.get(hour, (0, 0, 0, 0))[index]
        if day == 2 and hour == 6:
            count = 12
        if index == 0 and hour == 3:
            continue
        start = datetime.combine(week, datetime.min.time()) + timedelta(hours=hour_of_week)
        rows.append({"hour_start_local": start.strftime("%Y-%m-%d %H:%M:%S"), "inquiries": str(count)})
    return rows


def _promotions(*promotions: tuple[str, str, str, str]) -> list[dict[str, object]]:
    return [
        {"promotion_id": p, "name": p, "start_date": start, "end_date": end, "uplift": uplift}
        for p, start, end, uplift in promotions
    ]


def _shift_requests(*requests: tuple[str, str, str, str]) -> list[dict[str, object]]:
    return [
        {"request_id": r, "employee_id": e, "requested_week_start": "2026-04-06", "requested_shift_code": code,
         "submitted_at": submitted}
        for r, e, code, submitted in requests
    ]  # fmt: skip


def write_scenario(database: Path) -> None:
    raw_fixture.write_raw_tables(database)
    loads: list[tuple[str, date, pd.DataFrame]] = [
        ("hris_employees", WINDOW, _frame("hr_roster.csv", _employees())),
        ("hris_identities", WINDOW, _frame("employee_identity.csv", _identities())),
        ("roster_shifts", WINDOW, _frame("shift_roster.csv", _roster())),
        ("leave_requests", WINDOW, _frame("leave_requests.csv", _leave())),
        ("zk_punches", WINDOW, _frame("ZK-T1_attlog.dat", _punches())),
        (
            "promotion_calendar",
            HISTORY[2],
            _frame("promotion_calendar.csv", _promotions(("PROMO-OLD", "2026-04-06", "2026-04-07", "0.50"))),
        ),
        (
            "promotion_calendar",
            WINDOW,
            _frame("promotion_calendar.csv", _promotions(("PROMO-618", "2026-04-10", "2026-04-12", "0.40"))),
        ),
        (
            "promotion_calendar",
            NEXT_WEEK,
            _frame("promotion_calendar.csv", _promotions(("PROMO-618", "2026-04-06", "2026-04-12", "0.80"))),
        ),
        (
            "shift_requests",
            WINDOW,
            _frame(
                "shift_requests.csv",
                _shift_requests(
                    ("FS1", "C1", "EARLY", "2026-03-31 10:00:00"), ("FS2", "R2", "late", "2026-04-01T09:30:00+08:00")
                ),
            ),
        ),
        (
            "shift_requests",
            NEXT_WEEK,
            _frame("shift_requests.csv", _shift_requests(("FS1", "C1", "NIGHT", "2026-04-06 08:00:00"))),
        ),
    ]
    files = {week: _inquiries(week) for week in HISTORY}
    # the first week's Monday 20:00 arrived as 99; the next week's file carries the correction (26)
    corrected = next(row for row in files[HISTORY[0]] if row["hour_start_local"] == "2026-03-09 20:00:00")
    files[HISTORY[1]].append(dict(corrected))
    corrected["inquiries"] = "99"
    loads += [("service_inquiries_hourly", week, _frame("cs_inquiries.csv", rows)) for week, rows in files.items()]
    with connect(database) as con:
        for table, week, frame in loads:
            replace_week(con, table, week, frame, "inbox")


# ---------- the build


@dataclass(frozen=True)
class Build:
    database: Path
    result: dbtRunnerResult


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    work_dir = tmp_path_factory.mktemp("dbt_planning")
    database = work_dir / "warehouse.duckdb"
    write_scenario(database)
    # the upstream models are built, not tested (test_dbt_build.py tests them); the planning models are both
    upstream = " ".join(f"+{model}" for model in PLANNING_MODELS)
    built = run_dbt(["run", "--threads", "4", "--select", upstream], database, work_dir)
    assert built.success, failures(built)
    tests = ["test", "--threads", "4", "--select", " ".join(PLANNING_MODELS), "--indirect-selection", "cautious"]
    result = run_dbt(tests, database, work_dir)
    yield Build(database, result)


def query(build: Build, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(build.database)) as con:
        return con.execute(sql, params or []).fetchall()


def test_planning_models_build_with_their_data_tests(build: Build) -> None:
    assert build.result.success, failures(build.result)
    tested = {model for r in build.result.result.results for model in PLANNING_MODELS if model in r.node.unique_id}
    assert tested == set(PLANNING_MODELS)


# ---------- roster checks


def _findings(build: Build) -> dict[tuple[str, str], tuple]:
    rows = query(
        build,
        "select employee_id, check_name, work_date, previous_work_date, shift_codes, measured_hours, limit_hours,"
        " week_start, detail from marts.rpt_roster_checks where employee_id in ('O1', 'R1', 'R2', 'R3')"
        " or employee_id like 'C%'",
    )
    return {(r[0], r[1]): r[2:] for r in rows}


def test_roster_checks_find_the_week_over_40_hours(build: Build) -> None:
    findings = _findings(build)
    work_date, previous, codes, hours, cap, week, detail = findings[("O1", "over_weekly_hours")]
    assert (work_date, previous, week) == (SATURDAY, None, WINDOW)  # Saturday's shift takes the week past 40 h
    assert (codes, hours, cap) == ("DAY,DAY,DAY,DAY,DAY,DAY", Decimal("48.00"), Decimal("40.00"))
    assert "rostered 48.0 h in the week of 2026-03-30" in detail and "2026-04-04 DAY 09:00-18:00" in detail


def test_overnight_shifts_count_in_full_towards_the_week(build: Build) -> None:
    work_date, _, codes, hours, *_ = _findings(build)[("R3", "over_weekly_hours")]
    assert (work_date, codes, hours) == (SATURDAY, "DAY,DAY,DAY,DAY,NIGHT,NIGHT", Decimal("46.00"))


def test_roster_checks_find_overlaps_and_short_rest(build: Build) -> None:
    findings = _findings(build)
    work_date, previous, codes, hours, limit, _, detail = findings[("R1", "overlapping_shifts")]
    assert (work_date, previous, codes, hours, limit) == (WEDNESDAY, TUESDAY, "NIGHT,DAWN", Decimal("1.00"), 0)
    assert detail == "2026-04-01 DAWN 05:00-14:00 starts 1.0 h before 2026-03-31 NIGHT 22:00-06:00 ends"
    work_date, previous, codes, hours, limit, _, detail = findings[("R2", "short_rest")]
    assert (work_date, previous, codes, hours, limit) == (TUESDAY, MONDAY, "LATE,EARLY", Decimal("9.00"), 11)
    assert detail == (
        "only 9.0 h rest between 2026-03-30 LATE 13:00-22:00 and 2026-03-31 EARLY 07:00-16:00 (minimum 11 h)"
    )
    # R2's EARLY -> DAY leaves 17 h, the customer-service rota keeps its rest, O1 has no overlap: nothing else
    assert set(findings) == {
        ("O1", "over_weekly_hours"),
        ("R3", "over_weekly_hours"),
        ("R1", "overlapping_shifts"),
        ("R2", "short_rest"),
    }


# ---------- evening coverage


def test_evening_coverage_per_team_on_a_hand_computed_day(build: Build) -> None:
    rows = query(
        build,
        "select team, rostered_staff, on_leave_staff, arrived_staff, missing_checkout_staff, covered_minutes,"
        " rostered_window_minutes, arrival_share, coverage_share, window_start_local"
        " from marts.fct_evening_coverage_daily where work_date = date '2026-03-30' and team like 'CS-%'"
        " order by team",
    )
    cs_a, cs_b = rows
    # C1 15:55 -> 00:03 covers 120 min, C2 leaves 21:30 (90), C7 arrives 20:10, after the window start (110)
    assert cs_a[:9] == ("CS-A", 3, 0, 2, 0, 320, 360, Decimal("0.666667"), Decimal("0.888889"))
    assert str(cs_a[9]) == "2026-03-30 20:00:00"
    # C8 clocked in at 15:50 but never out (covers nothing); C9 was rostered and on leave
    assert cs_b[:9] == ("CS-B", 2, 1, 1, 1, 0, 240, Decimal("0.500000"), Decimal("0.000000"))


def test_shifts_outside_the_evening_window_are_not_rostered_for_it(build: Build) -> None:
    rows = dict(
        query(
            build,
            "select team, rostered_staff from marts.fct_evening_coverage_daily where work_date = date '2026-04-05'",
        )
    )
    # Sunday: C5 EVENING counts; C6 EARLY ends at 16:00 and C4 NIGHT starts at 22:00, exactly at the window end
    assert rows == {"CS-B": 1}


# ---------- staffing forecast


def _forecast(build: Build) -> dict[int, tuple]:
    rows = query(
        build,
        "select hour_of_week, history_weeks, mean_inquiries, promotion_ids, promotion_uplift, forecast_inquiries,"
        " required_agents, rostered_agents, roster_basis, agent_gap, extra_agents_recommended, remaining_shortfall,"
        " covered_by_shift, week_start from marts.rpt_staffing_forecast_next_week",
    )
    return {r[0]: r[1:] for r in rows}


def test_forecast_demand_is_the_four_week_mean_times_the_promotion(build: Build) -> None:
    forecast = _forecast(build)
    assert len(forecast) == 168 and {row[-1] for row in forecast.values()} == {NEXT_WEEK}
    monday_20, friday_20, friday_10 = forecast[20], forecast[4 * 24 + 20], forecast[4 * 24 + 10]
    # (the corrected 26 replaced the 99 first loaded for 2026-03-09 20:00)
    assert monday_20[:6] == (4, Decimal("30.0000"), None, Decimal("0.0000"), Decimal("30.0000"), 3)
    # PROMO-618 as known before next week: +40% (not next week's own +80% reload, not the dropped PROMO-OLD)
    assert friday_20[:6] == (4, Decimal("30.0000"), "PROMO-618", Decimal("0.4000"), Decimal("42.0000"), 4)
    assert friday_10[4:6] == (Decimal("16.8000"), 2)
    # an hour missing from the first week's file counts as 0 in the mean, not as a missing week
    assert forecast[3][:2] == (4, Decimal("0.0000"))


def test_forecast_rosters_last_weeks_pattern_and_the_night_shift_running_into_monday(build: Build) -> None:
    forecast = _forecast(build)
    assert {row[7] for row in forecast.values()} == {"last_week_pattern"}
    assert forecast[3][6] == 1  # Monday 03:00: C4's Sunday night shift from last week
    # Monday 20:00: C1, C7, C8 on EVENING and C2 on LATE; not C9 (gone by then) nor R2 (an engineer)
    assert forecast[20][6] == 4
    assert forecast[24 + 20][6] == 2  # Tuesday: C1 and C2
    assert forecast[5 * 24 + 21][6] == 1  # Saturday: C5
    assert forecast[167][6] == 2  # Sunday 23:00: C5's EVENING and C4's NIGHT moved on a week


def test_forecast_gaps_and_recommended_extra_shifts(build: Build) -> None:
    forecast = _forecast(build)
    required_20 = [3, 3, 3, 3, 4, 4, 4]  # 30 Mon-Thu, 42 with the promotion Fri-Sun, 12 per agent-hour
    rostered_20 = [4, 2, 2, 2, 2, 1, 1]
    for day in range(7):
        row = forecast[day * 24 + 20]
        assert (row[5], row[6], row[8]) == (required_20[day], rostered_20[day], required_20[day] - rostered_20[day])
        assert row[10] == 0  # the recommended shifts close every evening gap
    # Wednesday 06:00: one agent needed and no shift of the table covers 06:00-07:00
    assert forecast[2 * 24 + 6][5:] == (1, 0, "last_week_pattern", 1, 0, 1, None, NEXT_WEEK)

    shifts = query(
        build,
        "select shift_code, work_date, extra_shifts, short_hours, shortfall_agent_hours, detail"
        " from marts.rpt_extra_shifts_recommended_next_week order by shift_start_local",
    )
    evening = {(day, extra) for code, day, extra, *_ in shifts if code == "EVENING"}
    early = {(day, extra) for code, day, extra, *_ in shifts if code == "EARLY"}
    nxt = [NEXT_WEEK + timedelta(days=d) for d in range(7)]
    # evening gaps go to EVENING (shorter than LATE, which covers them too); Friday-Sunday 10:00 to EARLY
    assert evening == {(nxt[1], 1), (nxt[2], 1), (nxt[3], 1), (nxt[4], 2), (nxt[5], 3), (nxt[6], 3)}
    assert early == {(nxt[4], 1), (nxt[5], 1), (nxt[6], 1)}
    assert len(shifts) == 9 and sum(s[2] for s in shifts) == 14
    saturday = next(s for s in shifts if s[0] == "EVENING" and s[1] == nxt[5])
    assert saturday[3:] == (
        2,
        6,
        "+3 EVENING on 2026-04-11 (16:00-00:00): 2 short hour(s) between 20:00 and 22:00, up to 3 agent(s) short",
    )
    assert forecast[5 * 24 + 20][9:11] == (3, 0) and forecast[5 * 24 + 20][11] == "EVENING 2026-04-11 16:00"


def test_next_weeks_own_roster_replaces_last_weeks_pattern(build: Build, tmp_path: Path) -> None:
    with duckdb.connect(str(build.database)) as con:
        con.execute("checkpoint")
    database = tmp_path / "warehouse.duckdb"
    shutil.copy(build.database, database)
    next_roster = [_shift_row("C1", NEXT_WEEK, "EVENING"), _shift_row("C2", NEXT_WEEK, "LATE")]
    with connect(database) as con:  # the intermediate models are views: they see the new roster at once
        replace_week(con, "roster_shifts", NEXT_WEEK, _frame("shift_roster.csv", next_roster), "inbox")
        rows = dict(
            (hour, (basis, rostered))
            for hour, basis, rostered in con.execute(
                "select hour_of_week, roster_basis, rostered_agents from intermediate.int_staffing_hours_next_week"
                " where hour_of_week in (3, 20, 21, 140, 167)"
            ).fetchall()
        )

    assert rows == {
        3: ("next_week_roster", 1),  # last Sunday's night shift still runs into Monday
        20: ("next_week_roster", 2),  # C1 EVENING and C2 LATE, as rostered for next Monday
        21: ("next_week_roster", 2),
        140: ("next_week_roster", 0),  # Saturday 20:00: nobody rostered yet, last week's pattern no longer counts
        167: ("next_week_roster", 0),
    }


# ---------- flexible-shift requests


def test_shift_requests_keep_the_latest_load_in_utc(build: Build) -> None:
    rows = query(
        build,
        "select request_id, employee_id, requested_week_start, requested_shift_code, submitted_at_utc, team, role"
        " from marts.fct_flexible_shift_requests order by request_id",
    )
    assert [(r[0], r[3], str(r[4]), r[5], r[6]) for r in rows] == [
        ("FS1", "NIGHT", "2026-04-06 00:00:00", "CS-A", "customer_service"),  # 08:00 in Shanghai, reloaded
        ("FS2", "LATE", "2026-04-01 01:30:00", "RD-9", "engineer"),
    ]
    assert {r[2] for r in rows} == {NEXT_WEEK}
