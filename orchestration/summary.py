"""The demo's one-screen summary, read back from the warehouse and the export folders."""

from __future__ import annotations

from datetime import date

import duckdb
from rich.console import Console
from rich.table import Table

from orchestration.settings import Settings


def _table(columns: list[str], rows: list[tuple]) -> Table:
    table = Table(show_edge=False, pad_edge=False)
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index == 0 else "right")
    for row in rows:
        table.add_row(*(str(value) for value in row))
    return table


def _section(console: Console, title: str, columns: list[str], rows: list[tuple]) -> None:
    console.print(f"\n[bold]{title}[/]")
    console.print(_table(columns, rows) if rows else "  (none)")


def _attendance_findings(con: duckdb.DuckDBPyConnection, first: date, last: date) -> list[tuple]:
    """Roster rule breaches, devices whose clock needs fixing, evening arrivals and next week's extra shifts."""
    window = [first, last]
    roster = con.execute(
        "select 'roster check: ' || check_name, count(*) from marts.rpt_roster_checks"
        " where week_start between ? and ? group by 1 order by 1",
        window,
    ).fetchall()
    devices = con.execute(
        "select 'device clock to fix: ' || device_sn || ' (~' || coalesce(cast(round(max(estimated_offset_seconds)"
        " / 60.0) as varchar), '?') || ' min)', count(*) || ' weeks' from marts.rpt_device_clock_drift"
        " where needs_correction and week_start between ? and ? group by device_sn order by 1",
        window,
    ).fetchall()
    evening = con.execute(
        "select 'evening 20:00 arrival rate, week ' || cast(max(week_start) as varchar),"
        " cast(round(100.0 * sum(arrived_staff) / nullif(sum(rostered_staff - on_leave_staff), 0), 1) as varchar)"
        " || ' %' from marts.fct_evening_coverage_daily where week_start = ?",
        [last],
    ).fetchall()
    extra = con.execute(
        "select 'extra shifts recommended for next week', coalesce(sum(extra_shifts), 0)"
        " from marts.rpt_extra_shifts_recommended_next_week"
    ).fetchall()
    return [*roster, *devices, *[row for row in evening if row[0]], *extra]


def print_summary(console: Console, settings: Settings, weeks: list[date]) -> None:
    first, last = weeks[0], weeks[-1]
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        headcount = con.execute(
            "select department, count(*) from marts.dim_employee where is_active group by 1 order by 2 desc"
        ).fetchall()
        attendance = con.execute(
            """select status, count(*), round(100.0 * count(*) / sum(count(*)) over (), 1)
               from marts.fct_attendance_daily where week_start between ? and ? group by 1 order by 2 desc""",
            [first, last],
        ).fetchall()
        bands = con.execute(
            """select band, count(*), round(100.0 * count(*) / sum(count(*)) over (), 1)
               from scoring.score_goal_attainment_weekly where week_start = ? group by 1 order by 2 desc""",
            [last],
        ).fetchall()
        departments = con.execute(
            """select summary from marts.rpt_goal_department_dashboard_weekly
               where week_start = ? order by attainment, department""",
            [last],
        ).fetchall()
        payouts = con.execute(
            """select e.name || ' (' || e.role || ')', sum(p.amount)::varchar
               from scoring.payroll_line p join marts.dim_employee e using (employee_id)
               where p.component_code in ('JOINT_INCENTIVE', 'PROJECT_POOL_SHARE', 'WEEKLY_GOAL_BONUS')
                 and p.week_start between ? and ?
               group by 1 order by sum(p.amount) desc limit 5""",
            [first, last],
        ).fetchall()
        currency = con.execute("select coalesce(any_value(currency), '') from scoring.payroll_line").fetchone()[0]
        points = con.execute(
            """select e.name || ' (' || e.department || ')', sum(s.points)
               from scoring.score_activity_points_weekly s join marts.dim_employee e using (employee_id)
               where s.week_start between ? and ? group by 1 order by 2 desc, 1 limit 5""",
            [first, last],
        ).fetchall()
        findings = _attendance_findings(con, first, last)
    _section(console, "Headcount (active)", ["department", "people"], headcount)
    _section(console, f"Attendance {first} .. {last}", ["status", "shifts", "%"], attendance)
    _section(console, "Attendance findings (reported before HR acts on them)", ["finding", "count"], findings)
    _section(console, f"Goal attainment bands, week {last}", ["band", "people", "%"], bands)
    _section(console, f"Goal dashboard by department, week {last} (lowest first)", ["department"], departments)
    _section(console, f"Top incentive payouts ({currency}, {len(weeks)} weeks)", ["employee", "amount"], payouts)
    _section(console, f"Points leaders ({len(weeks)} weeks)", ["employee", "points"], points)
    drafts = sorted(p for p in settings.payroll_drafts_dir.rglob("*") if p.suffix in {".csv", ".xlsx"})
    latest = max(settings.statements_dir.glob("*/as_of_*"), key=lambda folder: folder.name, default=None)
    statements = sorted(latest.glob("*.html")) if latest else []
    console.print("\nWhere things went:")
    console.print(f"  marts and scores : {settings.duckdb_path} (schemas marts, scoring)")
    console.print(f"  payroll drafts   : {settings.payroll_drafts_dir} ({len(drafts)} files + manifests, per target)")
    console.print(f"  pay statements   : {latest or settings.statements_dir} ({len(statements)} HTML + JSON)")
    console.print(
        f"  notifications    : {settings.outbox_path} (dry run; delivery state in {settings.outbox_store_path.name})"
    )
    console.print(f"  Dagster instance : {settings.dagster_home}")
    console.print(
        "\nPayroll files are released only after HR approves them: `hrhub payroll status`, then "
        "`hrhub payroll approve --target finance_cn --period <YYYY-MM> --approver <name>`."
    )
