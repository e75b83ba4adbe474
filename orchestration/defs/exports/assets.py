"""Exports of a scored week: the payroll long CSV with its manifest, and notifications through the outbox.

Both are idempotent: the payroll file name is derived from its content and never overwritten, and every message
carries an idempotency key the outbox refuses to send twice.
"""

import hashlib
import json
from collections import defaultdict
from datetime import date
from pathlib import Path

import dagster as dg

from connectors.warehouse import connect
from exports.manifest import PayrollManifest, build_manifest
from exports.notifications import (
    AtRiskMember,
    EmployeeWeeklyResult,
    employee_weekly_message,
    export_ready_message,
    manager_at_risk_message,
)
from exports.outbox import FileOutbox
from exports.payroll import LongCsvExport, render_long_csv, write_payroll_export
from orchestration.defs.partitions import week_by_week, weekly_partitions
from orchestration.defs.resources import ExportsResource, PlanResource, WarehouseResource
from orchestration.lib.asset_keys import mart_key, scoring_key
from orchestration.lib.ingest import partition_week
from scoring.plan import Plan

HR_RECIPIENT = "hr"


def _rows(con, sql: str, params: list[object]) -> list[dict[str, object]]:  # noqa: ANN001 - duckdb connection
    cursor = con.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def input_fingerprint(lines: list[dict[str, object]], plan_hash: str) -> str:
    """Identifies what a payroll file was made from: its lines (with their source refs) and the plan."""
    canonical = json.dumps([plan_hash, *lines], sort_keys=True, default=str).encode()
    return hashlib.sha256(canonical).hexdigest()


def render_week_payroll(con, week: date, plan: Plan) -> tuple[LongCsvExport, PayrollManifest]:  # noqa: ANN001
    """Render the week's payroll file and manifest from ``scoring.payroll_line`` (pure given the rows)."""
    lines = _rows(
        con,
        """select employee_id, pay_period, component_code, amount, currency, quantity, unit, plan_version, source_ref
           from scoring.payroll_line where week_start = ? order by employee_id, component_code, source_ref""",
        [week],
    )
    employees = {
        row["employee_id"]: (row["payroll_id"], row["name"])
        for row in _rows(con, "select employee_id, payroll_id, name from marts.dim_employee", [])
    }
    export = render_long_csv(lines, employees, pay_period=week.isoformat(), plan_version=plan.version)
    fingerprint = input_fingerprint(lines, plan.content_hash)
    return export, build_manifest(export, plan_hash=plan.content_hash, input_fingerprint=fingerprint)


@dg.asset(
    partitions_def=weekly_partitions,
    backfill_policy=week_by_week,
    group_name="exports",
    deps=[scoring_key("payroll_line"), mart_key("dim_employee")],
    kinds={"csv"},
    description="The week's payroll lines as the long CSV payroll systems import, with a manifest beside it.",
)
def payroll_export(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, plan: PlanResource, exports: ExportsResource
) -> dg.MaterializeResult:
    week = partition_week(context)
    current = plan.load()
    with connect(warehouse.path, read_only=True) as con:
        export, manifest = render_week_payroll(con, week, current)
    path = write_payroll_export(
        Path(exports.payroll_dir) / week.isoformat(), week.isoformat(), export.content, manifest
    )
    for rejected in export.rejected:
        context.log.warning(f"payroll line not exported for {rejected.employee_id}: {rejected.reason}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "rows": len(export.rows),
            "sha256": export.sha256,
            "plan_version": current.version,
            "rejected_lines": len(export.rejected),
            "control_totals": dg.MetadataValue.json(json.loads(manifest.to_bytes())["control_totals"]),
        }
    )


@dg.asset(
    partitions_def=weekly_partitions,
    backfill_policy=week_by_week,
    group_name="exports",
    deps=[
        "payroll_export",
        scoring_key("score_goal_attainment_weekly"),
        scoring_key("score_activity_points_weekly"),
        mart_key("dim_employee"),
    ],
    kinds={"outbox"},
    description="Employee weekly results, managers' at-risk lists and HR's export-ready note, sent once each.",
)
def notification_outbox(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, plan: PlanResource, exports: ExportsResource
) -> dg.MaterializeResult:
    week = partition_week(context)
    with connect(warehouse.path, read_only=True) as con:
        _, manifest = render_week_payroll(con, week, plan.load())
        results = _rows(
            con,
            """select g.employee_id, e.name, e.manager_id, g.attainment, g.band, g.bonus, g.reason_codes,
                      coalesce(p.points, 0) as points
               from scoring.score_goal_attainment_weekly g
               join marts.dim_employee e using (employee_id)
               left join scoring.score_activity_points_weekly p
                 on p.employee_id = g.employee_id and p.week_start = g.week_start
               where g.week_start = ? order by g.employee_id""",
            [week],
        )
        currency = con.execute(
            "select any_value(currency) from scoring.payroll_line where week_start = ?", [week]
        ).fetchone()[0]
    messages = [
        employee_weekly_message(
            EmployeeWeeklyResult(
                employee_id=row["employee_id"],
                name=row["name"],
                week_start=week,
                attainment=row["attainment"],
                band=row["band"],
                bonus=row["bonus"],
                currency=currency or "CNY",
                points=row["points"],
            )
        )
        for row in results
    ]
    at_risk: dict[str, list[AtRiskMember]] = defaultdict(list)
    for row in results:
        if row["band"] == "at_risk" and row["manager_id"]:
            codes = tuple(code for code in (row["reason_codes"] or "").split(",") if code)
            at_risk[row["manager_id"]].append(AtRiskMember(row["employee_id"], row["name"], row["attainment"], codes))
    messages += [manager_at_risk_message(manager, week, members) for manager, members in sorted(at_risk.items())]
    messages.append(export_ready_message(manifest, recipient=HR_RECIPIENT))
    report = FileOutbox(Path(exports.outbox_path)).send(messages)
    return dg.MaterializeResult(
        metadata={
            "outbox": dg.MetadataValue.path(exports.outbox_path),
            "messages_built": len(messages),
            "sent": len(report.sent),
            "skipped_already_sent": len(report.skipped),
            "managers_alerted": len(at_risk),
        }
    )
