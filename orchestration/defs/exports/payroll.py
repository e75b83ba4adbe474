"""Payroll drafts: per configured target, the pay period holding the week, rendered in the target's layout.

A period's file is a *draft* until HR approves it (``approval.py``); once released, a recomputed period drafts an
adjustment with the deltas only. Files are write-once with deterministic names, so a re-run with unchanged
inputs writes nothing new.
"""

from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg

from connectors.warehouse import connect
from exports.pay_periods import pay_period_of, roll_up, weeks_of_period
from exports.payroll_ledger import LedgerEvent, PayrollLedger
from exports.payroll_release import lines_bytes, lines_name, paid_lines
from exports.period_export import PeriodExport, render_adjustment, render_period, write_period_export
from exports.targets import PayrollTarget, load_targets
from orchestration.defs.partitions import week_by_week, weekly_partitions
from orchestration.defs.resources import ExportsResource, PlanResource, WarehouseResource
from orchestration.lib.asset_keys import mart_key, scoring_key
from orchestration.lib.ingest import partition_week
from orchestration.lib.warehouse_rows import employees_for_payroll, input_fingerprint, rows
from scoring.plan import Plan


def _period_lines(con, weeks: list[date]) -> list[dict[str, object]]:  # noqa: ANN001 - duckdb connection
    return rows(
        con,
        """select employee_id, pay_period, component_code, amount, currency, quantity, unit, plan_version, source_ref
           from scoring.payroll_line where week_start in (select unnest(?::date[]))
           order by employee_id, component_code, source_ref""",
        [weeks],
    )


def _draft(
    target: PayrollTarget,
    period: str,
    weekly_lines: list[dict[str, object]],
    employees: dict[str, tuple[str | None, str]],
    plan: Plan,
    ledger: PayrollLedger,
) -> PeriodExport | None:
    """The period's full file, or after a release the adjustment against what was paid (None: nothing to pay)."""
    lines = roll_up(weekly_lines, target.pay_frequency)
    fingerprint = input_fingerprint([line.as_record() for line in lines], plan.content_hash)
    versions = sorted({str(line.plan_version) for line in lines}) or [plan.version]
    common = {
        "pay_period": period,
        "plan_version": "+".join(versions),
        "plan_hash": plan.content_hash,
        "input_fingerprint": fingerprint,
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


@dg.asset(
    partitions_def=weekly_partitions,
    backfill_policy=week_by_week,
    group_name="exports",
    deps=[scoring_key("payroll_line"), mart_key("dim_employee")],
    kinds={"csv", "xlsx"},
    description="Payroll drafts of the week's pay period for every target in the exports config, with manifests; "
    "released only after HR approves (job approve_pay_period or `hrhub payroll approve`).",
)
def payroll_files(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, plan: PlanResource, exports: ExportsResource
) -> dg.MaterializeResult:
    week = partition_week(context)
    current = plan.load()
    targets = load_targets(exports.config().get("payroll_targets") or {})
    ledger = PayrollLedger(Path(exports.payroll_ledger_path))
    drafted: dict[str, dict[str, object]] = {}
    with connect(warehouse.path, read_only=True) as con:
        employees = employees_for_payroll(con)
        for name, target in sorted(targets.items()):
            period = pay_period_of(week, target.pay_frequency)
            weekly_lines = _period_lines(con, weeks_of_period(period, target.pay_frequency))
            export = _draft(target, period, weekly_lines, employees, current, ledger)
            if export is None:
                drafted[name] = {"pay_period": period, "draft": "nothing to pay beyond what was released"}
                continue
            out_dir = Path(exports.payroll_drafts_dir) / name / period
            path = write_period_export(
                out_dir, export, sidecars={lines_name(export.file_name): lines_bytes(export.line_records())}
            )
            kind = export.manifest.kind or "full"
            ledger.record_draft(
                LedgerEvent(
                    event="drafted",
                    target=name,
                    pay_period=period,
                    file_name=export.file_name,
                    sha256=export.sha256,
                    kind=kind,
                    draft_dir=str(out_dir),
                    actor="pipeline",
                    at=datetime.now(UTC).isoformat(timespec="seconds"),
                )
            )
            for rejected in export.rejected:
                context.log.warning(f"{name}: payroll line not exported for {rejected.employee_id}: {rejected.reason}")
            drafted[name] = {
                "pay_period": period,
                "kind": kind,
                "file": str(path),
                "sha256": export.sha256,
                "rows": export.manifest.rows,
                "rejected_lines": len(export.rejected),
                "grand_total": export.manifest.grand_total,
                "awaiting_approval": ledger.pending_draft(name, period) is not None,
            }
    return dg.MaterializeResult(
        metadata={
            "targets": dg.MetadataValue.json(drafted),
            "plan_version": current.version,
            "approve_with": "hrhub payroll approve --target <target> --period <pay_period> --approver <name>",
        }
    )
