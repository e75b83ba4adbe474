"""``hrhub plan diff``: what a plan change would have paid over past weeks, per employee and component.

Each week is re-scored from the warehouse marts with both plans through the weekly scoring asset's own code
(``orchestration/lib/week_scoring.py``), read-only, and the payroll lines are compared (``scoring/plan_diff.py``).
Attendance rules are applied by dbt when the marts are built, so a change to the ``attendance`` section is not
reflected (overtime hours stay as built); the report says so when the two plans' attendance rules differ.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from exports.locked_file import private_dir
from orchestration.lib.plan_pins import SCORING_SCHEMA, short, stored_plans
from orchestration.lib.week_scoring import score_week_from_marts
from scoring.plan import Plan, PlanError, PlanHistory, load_plan, load_plan_history
from scoring.plan_diff import DiffRow, PlanDiff, diff_payroll_lines
from scoring.weeks import parse_week

CSV_COLUMNS = [
    "week_start",
    "employee_id",
    "component_code",
    "measure",
    "unit",
    "old",
    "new",
    "delta",
    "old_plan",
    "new_plan",
]


class PlanDiffError(ValueError):
    """The diff cannot run as asked; the message says why."""


@dataclass(frozen=True)
class PlanDiffReport:
    old: Plan
    new: Plan
    weeks: list[date]
    diff: PlanDiff
    notes: list[str]


def parse_weeks(text: str) -> list[date]:
    """``2026-01-05..2026-03-30`` (both Mondays, inclusive) or a single Monday."""
    first_text, _, last_text = text.partition("..")
    try:
        first = parse_week(first_text.strip())
        last = parse_week(last_text.strip()) if last_text else first
    except ValueError as error:
        raise PlanDiffError(f"--weeks {text!r}: {error}") from None
    if last < first:
        raise PlanDiffError(f"--weeks {text!r}: the range ends before it starts")
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def scored_weeks(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Every week the warehouse has payroll lines for: the default of ``--weeks``."""
    query = "select count(*) from information_schema.tables where table_schema = ? and table_name = 'payroll_line'"
    if con.execute(query, [SCORING_SCHEMA]).fetchone()[0] == 0:
        return []
    return [row[0] for row in con.execute("select distinct week_start from scoring.payroll_line order by 1").fetchall()]


def resolve_plan(spec: str, history: PlanHistory | None, con: duckdb.DuckDBPyConnection) -> Plan:
    """A plan file, or a version of the plan history (then of ``scoring.plan_snapshots``, for earlier texts)."""
    path = Path(spec)
    if path.is_dir():
        raise PlanDiffError(f"{spec} is a folder: name one plan file, or a version")
    if path.is_file():
        return load_plan(path)
    found = history.by_version(spec) if history is not None else None
    if found is not None:
        return found
    stored = stored_plans(con, spec)
    if len(stored) == 1:
        return stored[0]
    if len(stored) > 1:
        texts = ", ".join(short(plan.content_hash) for plan in stored)
        raise PlanDiffError(f"version {spec} was scored with several texts ({texts}); pass the plan file instead")
    known = sorted({*(history.versions if history is not None else ()), *(p.version for p in stored_plans(con))})
    raise PlanDiffError(
        f"{spec!r} is neither a plan file nor a known plan version (known: {', '.join(known) or 'none'})"
    )


def run_plan_diff(
    warehouse: Path, old_spec: str, new_spec: str, weeks: list[date] | None, tz: str, plan_path: Path | None
) -> PlanDiffReport:
    """Re-score ``weeks`` (default: every scored week) with both plans, read-only, and compare their pay."""
    if not warehouse.exists():
        raise PlanDiffError(f"no warehouse at {warehouse} (HRHUB_DUCKDB_PATH): run the pipeline first")
    history = None
    if plan_path is not None and plan_path.exists():
        try:
            history = load_plan_history(plan_path)
        except PlanError:
            history = None  # versions are then looked up in the stored snapshots only
    with duckdb.connect(str(warehouse), read_only=True) as con:
        old, new = resolve_plan(old_spec, history, con), resolve_plan(new_spec, history, con)
        weeks = weeks if weeks is not None else scored_weeks(con)
        if not weeks:
            raise PlanDiffError(f"{warehouse} has no scored weeks: pass --weeks")
        old_lines, new_lines = [], []
        for week in weeks:
            old_lines += score_week_from_marts(con, week, old, tz, activity_points=False).lines
            new_lines += score_week_from_marts(con, week, new, tz, activity_points=False).lines
    notes = []
    if old.attendance != new.attendance:
        notes.append(
            "the plans' attendance rules differ: dbt applies them when the marts are built, so their effect "
            "(overtime and other hours) is not in this diff"
        )
    if old.content_hash == new.content_hash:
        notes.append("both sides are the same plan text")
    return PlanDiffReport(old, new, weeks, diff_payroll_lines(old_lines, new_lines, weeks), notes)


def _money(value: Decimal, signed: bool = False) -> str:
    text = f"{value:,.2f}"
    return f"+{text}" if signed and value > 0 else text


_NUMERIC = {"old", "new", "delta"}


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    out = []
    for row in [header, *rows]:
        cells = [
            cell.rjust(width) if name in _NUMERIC else cell.ljust(width)
            for name, cell, width in zip(header, row, widths, strict=True)
        ]
        out.append("  ".join(cells).rstrip())
    return out


def _describe(plan: Plan) -> str:
    return f"{plan.version} ({plan.source}, sha256 {short(plan.content_hash)})"


def format_report(report: PlanDiffReport, show_all: bool = False) -> str:
    """The console report: per employee and component over the weeks (changed ones unless ``show_all``), the
    total per week and overall."""
    diff = report.diff
    lines = [
        f"plan diff: {_describe(report.old)} -> {_describe(report.new)}",
        f"weeks {report.weeks[0]}..{report.weeks[-1]} ({len(report.weeks)}), amounts in {diff.currency or '-'}",
        *(f"note: {note}" for note in report.notes),
        "",
    ]
    per_person = diff.by_employee_component()
    shown = per_person if show_all else [row for row in per_person if row.delta != 0]
    lines.append(f"per employee and component ({len(shown)} of {len(per_person)} shown; --all shows every one):")
    if shown:
        lines += _table(
            ["employee", "component", "old", "new", "delta", "unit"],
            [_person_row(row) for row in shown],
        )
    lines += ["", "per week:"]
    week_rows = [[str(w.week_start), _money(w.old), _money(w.new), _money(w.delta, True)] for w in diff.weeks]
    total = ["total", _money(diff.old_total), _money(diff.new_total), _money(diff.delta_total, True)]
    lines += _table(["week", "old", "new", "delta"], [*week_rows, total])
    return "\n".join(lines)


def _person_row(row: DiffRow) -> list[str]:
    return [row.employee_id, row.component_code, _money(row.old), _money(row.new), _money(row.delta, True), row.unit]


def write_csv(report: PlanDiffReport, path: Path) -> None:
    """Every week, employee and component (changed or not), with plain decimal text.

    It is per-employee pay, so it is private like the payroll files: created 0600 (an earlier file of the same
    name is overwritten and made 0600 too), in folders created 0700."""
    private_dir(path.parent)
    with os.fdopen(
        os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", newline="", encoding="utf-8"
    ) as handle:
        os.fchmod(handle.fileno(), 0o600)  # O_CREAT's mode only applies to a new file
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for row in report.diff.rows:
            values = [row.week_start, row.employee_id, row.component_code, row.measure, row.unit, row.old, row.new]
            writer.writerow([*values, row.delta, report.old.version, report.new.version])
