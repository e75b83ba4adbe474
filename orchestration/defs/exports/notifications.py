"""Notifications of a scored week: employee results, managers' at-risk lists, HR's "payroll drafted" note and each
employee's weekly points digest.

Messages get idempotency keys from their facts, go into the durable outbox, and are delivered through the channels
of the exports config (the file channel by default, a dry run); a retried or restarted run never sends twice.
"""

import json
from collections import defaultdict
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb

from connectors.warehouse import connect
from exports.delivery import OutboxStore
from exports.manifest import PayrollManifest
from exports.notifications import (
    AtRiskMember,
    DigestRedemption,
    EmployeeWeeklyResult,
    Message,
    employee_weekly_message,
    export_ready_message,
    manager_at_risk_message,
    points_digest_message,
    points_digests,
)
from exports.pay_periods import pay_period_of
from exports.payroll_ledger import PayrollLedger
from exports.payroll_release import manifest_name
from exports.targets import load_targets
from orchestration.defs.partitions import week_by_week, weekly_partitions
from orchestration.defs.quality.gate import hold_if_checks_failed
from orchestration.defs.resources import ExportsResource, WarehouseResource
from orchestration.lib.asset_keys import mart_key, scoring_key
from orchestration.lib.ingest import partition_week
from orchestration.lib.warehouse_rows import rows
from scoring.points_ledger import LedgerEntry

HR_RECIPIENT = "hr"
UNKNOWN_ADVICE = "check with the recipient, then requeue them with OutboxStore.requeue_unknown"


def _drafts_awaiting_approval(exports: ExportsResource, week: date) -> list[PayrollManifest]:
    """The manifests of the payroll drafts of the week's pay periods that HR has yet to approve."""
    ledger = PayrollLedger(Path(exports.payroll_ledger_path))
    manifests = []
    for name, target in sorted(load_targets(exports.config().get("payroll_targets") or {}).items()):
        draft = ledger.pending_draft(name, pay_period_of(week, target.pay_frequency))
        if draft is not None:
            manifest_path = Path(draft.draft_dir) / manifest_name(draft.file_name)
            manifests.append(PayrollManifest.from_dict(json.loads(manifest_path.read_text(encoding="utf-8"))))
    return manifests


def _scoring_table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    query = "select count(*) from information_schema.tables where table_schema = 'scoring' and table_name = ?"
    return con.execute(query, [table]).fetchone()[0] > 0


def _points_digest_messages(con: duckdb.DuckDBPyConnection, week: date) -> list[Message]:
    """Every weekly points digest of ``week``, from the ledger as posted up to it (none before the ledger ran)."""
    if not (_scoring_table_exists(con, "points_ledger") and _scoring_table_exists(con, "points_redemptions")):
        return []
    entries = [
        LedgerEntry(
            entry_id=r["entry_id"],
            kind=r["kind"],
            employee_id=r["employee_id"],
            points=int(r["points"]),
            posted_week=r["week_start"],
            seq=int(r["seq"]),
            effective_on=r["effective_on"],
            source_ref=r["source_ref"],
            earned_on=r["earned_on"],
            expires_on=r["expires_on"],
            source_points=None if r["source_points"] is None else int(r["source_points"]),
            note=r["note"] or "",
        )
        for r in rows(con, "select * from scoring.points_ledger where week_start <= ? order by week_start, seq", [week])
    ]
    decisions = [
        DigestRedemption(
            employee_id=r["employee_id"],
            request_id=r["request_id"],
            item_code=r["item_code"],
            status=r["status"],
            points=int(r["points"]),
            leave_hours=int(r["leave_hours"]),
            reason=r["reason"] or "",
        )
        for r in rows(con, "select * from scoring.points_redemptions where week_start = ? order by request_id", [week])
    ]
    names = dict(con.execute("select employee_id, name from marts.dim_employee").fetchall())
    return [points_digest_message(digest) for digest in points_digests(week, entries, decisions, names)]


@dg.asset(
    partitions_def=weekly_partitions,
    backfill_policy=week_by_week,
    group_name="exports",
    deps=[
        "payroll_files",
        scoring_key("score_goal_attainment_weekly"),
        scoring_key("score_activity_points_weekly"),
        scoring_key("points_ledger"),
        scoring_key("points_redemptions"),
        mart_key("dim_employee"),
    ],
    kinds={"outbox"},
    description="Employee weekly results, managers' at-risk lists, HR's export-ready note and employees' weekly "
    "points digests, sent once each.",
)
def notification_outbox(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, exports: ExportsResource
) -> dg.MaterializeResult:
    week = partition_week(context)
    with connect(warehouse.path, read_only=True) as con:
        hold_if_checks_failed(context, con, week)  # a week whose blocking checks failed is not announced
        results = rows(
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
        digests = _points_digest_messages(con, week)
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
    messages += [export_ready_message(m, recipient=HR_RECIPIENT) for m in _drafts_awaiting_approval(exports, week)]
    messages += digests
    senders, dry_run = exports.notification_senders()
    with OutboxStore(Path(exports.outbox_store_path)) as store:
        enqueued = store.enqueue(messages)
        report = store.deliver_pending(senders)
    counts = report.counts()
    if report.unknown:
        context.log.warning(
            f"{len(report.unknown)} message(s) may or may not have arrived (a run stopped mid-send); they are not "
            f"re-sent automatically: {UNKNOWN_ADVICE}"
        )
    return dg.MaterializeResult(
        metadata={
            "dry_run": dry_run,
            "outbox": dg.MetadataValue.path(exports.outbox_store_path),
            "messages_built": len(messages),
            "new_in_outbox": len(enqueued.new),
            "already_in_outbox": len(enqueued.already_present),
            "managers_alerted": len(at_risk),
            "points_digests": len(digests),
            **{f"delivery_{status}": count for status, count in counts.items()},
        }
    )
