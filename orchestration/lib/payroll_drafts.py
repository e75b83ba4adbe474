"""Drafting a week's payroll files: per target, the pay period holding the week, or its adjustment after a release.

Plain functions over a warehouse connection (no Dagster), so the ``payroll_files`` asset stays thin and a crash
test can run exactly this code in a process it kills.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from exports.pay_periods import pay_period_of, roll_up, weeks_of_period
from exports.payroll import RejectedLine
from exports.payroll_ledger import LedgerEvent, PayrollLedger
from exports.payroll_release import lines_bytes, lines_name, paid_lines
from exports.period_export import PeriodExport, render_adjustment, render_period, write_period_export
from exports.targets import PayrollTarget
from orchestration.lib.plan_pins import WeekPlan, period_week_plans, plans_bytes, plans_name, stored_plan
from orchestration.lib.warehouse_rows import employees_for_payroll, input_fingerprint, rows
from scoring.payroll_lines import build_redeemed_leave_lines
from scoring.plan import Plan, PlanError

REDEMPTIONS = "points_redemptions"


@dataclass(frozen=True)
class TargetDraft:
    target: str
    pay_period: str
    export: PeriodExport | None  # None: nothing to pay beyond what was released
    path: Path | None
    awaiting_approval: bool

    @property
    def rejected(self) -> tuple[RejectedLine, ...]:
        return self.export.rejected if self.export else ()

    def summary(self) -> dict[str, object]:
        if self.export is None:
            return {"pay_period": self.pay_period, "draft": "nothing to pay beyond what was released"}
        return {
            "pay_period": self.pay_period,
            "kind": self.export.manifest.kind or "full",
            "file": str(self.path),
            "sha256": self.export.sha256,
            "rows": self.export.manifest.rows,
            "rejected_lines": len(self.export.rejected),
            "grand_total": self.export.manifest.grand_total,
            "awaiting_approval": self.awaiting_approval,
        }


def draft_week(
    con: duckdb.DuckDBPyConnection,
    week: date,
    plan: Plan,
    targets: Mapping[str, PayrollTarget],
    ledger: PayrollLedger,
    drafts_dir: Path,
) -> list[TargetDraft]:
    """Write (once) and record every target's draft for the pay period holding ``week``.

    ``plan`` is the week's plan, recorded when the period has no lines; beside each draft a ``*.plans.json``
    names the plan every week of the period was scored with (what ``plan_pins`` pins an exported week to).
    """
    employees = employees_for_payroll(con)
    drafts = []
    for name, target in sorted(targets.items()):
        period = pay_period_of(week, target.pay_frequency)
        week_plans = period_week_plans(con, weeks_of_period(period, target.pay_frequency))
        lines = _period_lines(con, period, target) + _redeemed_leave_lines(con, period, target, plan)
        export = _render(target, period, lines, employees, plan, ledger, week_plans)
        path = None
        if export is not None:
            out_dir = drafts_dir / name / period
            # The file is written before the ledger hears of it: a crash in between leaves a file the next run
            # finds identical (write-once) and then records, never a ledger entry without its file.
            sidecars = {
                lines_name(export.file_name): lines_bytes(export.line_records()),
                plans_name(export.file_name): plans_bytes(week_plans),
            }
            path = write_period_export(out_dir, export, sidecars=sidecars)
            ledger.record_draft(
                LedgerEvent(
                    event="drafted",
                    target=name,
                    pay_period=period,
                    file_name=export.file_name,
                    sha256=export.sha256,
                    kind=export.manifest.kind or "full",
                    draft_dir=str(out_dir),
                    actor="pipeline",
                    at=datetime.now(UTC).isoformat(timespec="seconds"),
                )
            )
        drafts.append(TargetDraft(name, period, export, path, ledger.pending_draft(name, period) is not None))
    return drafts


def _period_lines(con: duckdb.DuckDBPyConnection, period: str, target: PayrollTarget) -> list[dict[str, object]]:
    return rows(
        con,
        """select employee_id, pay_period, component_code, amount, currency, quantity, unit, plan_version, source_ref
           from scoring.payroll_line where week_start in (select unnest(?::date[]))
           order by employee_id, component_code, source_ref""",
        [weeks_of_period(period, target.pay_frequency)],
    )


def _redeemed_leave_lines(
    con: duckdb.DuckDBPyConnection, period: str, target: PayrollTarget, plan: Plan
) -> list[dict[str, object]]:
    """The leave hours the period's granted points redemptions give, as payroll lines (none before the ledger ran).

    Read at drafting time rather than written into ``scoring.payroll_line``: the ledger is posted after
    ``weekly_scoring`` (it spends the points that run scores). Each week's lines use the plan its ledger week was
    posted with: ``plan`` when the hashes match, else the stored snapshot of that plan.
    """
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'scoring' and table_name = ?",
        [REDEMPTIONS],
    ).fetchone()[0]
    if not exists:
        return []
    # Every decision, not only the granted ones: the pure builder checks each row and keeps the granted leave.
    decisions = rows(
        con,
        f"""select week_start, request_id, employee_id, status, leave_hours, plan_hash from scoring.{REDEMPTIONS}
            where week_start in (select unnest(?::date[])) order by week_start, employee_id, request_id""",
        [weeks_of_period(period, target.pay_frequency)],
    )
    by_week: dict[tuple[date, str], list[dict[str, object]]] = defaultdict(list)
    for row in decisions:
        by_week[(row["week_start"], str(row["plan_hash"]))].append(row)  # type: ignore[index]
    lines = []
    for (week, plan_hash), redemptions in sorted(by_week.items()):
        week_plan = plan if plan.content_hash == plan_hash else stored_plan(con, plan_hash)
        if week_plan is None:
            raise PlanError(
                f"scoring.{REDEMPTIONS} of {week}",
                [f"posted with plan {plan_hash[:12]}, which is neither the week's plan nor stored in plan_snapshots"],
            )
        lines += [line.as_record() for line in build_redeemed_leave_lines(week, week_plan, redemptions)]
    return lines


def _render(
    target: PayrollTarget,
    period: str,
    weekly_lines: list[dict[str, object]],
    employees: dict[str, tuple[str | None, str]],
    plan: Plan,
    ledger: PayrollLedger,
    week_plans: list[WeekPlan],
) -> PeriodExport | None:
    """The period's full file, or after a release the adjustment against what was paid (None: nothing to pay).

    The manifest's plan hash is that of the plans the period's lines were scored with (``+``-joined when its weeks
    were scored under several), so the same lines give the same manifest whichever week's run drafts them.
    """
    lines = roll_up(weekly_lines, target.pay_frequency)
    versions = sorted({str(line.plan_version) for line in lines}) or [plan.version]
    plan_hash = "+".join(sorted({p.plan_hash for p in week_plans})) or plan.content_hash
    common = {
        "pay_period": period,
        "plan_version": "+".join(versions),
        "plan_hash": plan_hash,
        "input_fingerprint": input_fingerprint([line.as_record() for line in lines], plan_hash),
    }
    paid = paid_lines(ledger, target.name, period)
    if paid is None:
        return render_period(target, lines, employees, **common)
    releases = ledger.released(target.name, period)
    full = next(event for event in releases if event.kind == "full")
    return render_adjustment(
        target,
        paid,
        lines,
        employees,
        adjusts_sha256=full.sha256,
        adjustment_number=sum(1 for event in releases if event.kind == "adjustment") + 1,
        **common,
    )
