"""Points redemptions reach the exports: a granted LEAVE_8H is 8 hours in every payroll draft of the real exports
config, each employee with points activity gets a weekly digest in the outbox, a re-run adds nothing, and a
redemption withdrawn after the week was released is drafted as an adjustment."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from openpyxl import load_workbook

from exports.payroll_ledger import PayrollLedger
from exports.payroll_release import release_approved
from orchestration.defs.exports.notifications import notification_outbox
from orchestration.defs.exports.payroll import payroll_files
from orchestration.defs.resources import ExportsResource, PlanResource, WarehouseResource
from orchestration.defs.scoring import marts
from orchestration.defs.scoring.assets import weekly_scoring
from orchestration.defs.scoring.points_ledger import points_ledger
from scoring.plan import load_plan

from .plan_warehouse import build_marts, plan_text, write_plan

WEEK = date(2026, 3, 2)
EARLIER = date(2026, 2, 23)  # points scored before the week: E1 600, E2 100
EXPORTS_CONFIG = Path(__file__).resolve().parents[2] / "config" / "exports.yaml"
ASSETS = [weekly_scoring, points_ledger, payroll_files, notification_outbox]


@pytest.fixture
def home(tmp_path: Path) -> dict[str, object]:
    warehouse = build_marts(tmp_path / "warehouse.duckdb", (WEEK,))
    plans = tmp_path / "plans"
    write_plan(plans, "default.yaml", plan_text())
    with duckdb.connect(str(warehouse)) as con:
        records = [{"employee_id": e, "week_start": EARLIER, "points": p} for e, p in (("E1", 600), ("E2", 100))]
        marts.write_scores(con, "score_activity_points_weekly", EARLIER, records, load_plan(plans / "default.yaml"))
        con.execute("create schema staging")
        con.execute(
            """create table staging.stg_activities__redemption_requests (request_id varchar, employee_id varchar,
               item_code varchar, requested_at_utc timestamp, _source_ref varchar, _batch_id varchar)"""
        )
        con.executemany(
            "insert into staging.stg_activities__redemption_requests values (?, ?, ?, ?, 'requests.csv', 'b1')",
            [
                ("RR-1", "E1", "LEAVE_8H", datetime(2026, 3, 4, 2, 0)),  # Wednesday: granted, 8 hours
                ("RR-2", "E2", "LEAVE_8H", datetime(2026, 3, 4, 3, 0)),  # 100 points: refused
            ],
        )
    ledger = PayrollLedger(tmp_path / "exports" / "payroll_ledger.jsonl")
    resources = {
        "warehouse": WarehouseResource(path=str(warehouse)),
        "plan": PlanResource(path=str(plans)),
        "exports": ExportsResource(
            config_path=str(EXPORTS_CONFIG),
            payroll_drafts_dir=str(tmp_path / "exports" / "payroll"),
            payroll_release_dir=str(tmp_path / "exports" / "released"),
            payroll_ledger_path=str(ledger.path),
            statements_dir=str(tmp_path / "exports" / "statements"),
            outbox_path=str(tmp_path / "outbox" / "outbox.jsonl"),
            outbox_store_path=str(tmp_path / "outbox" / "outbox.sqlite"),
        ),
    }
    return {"root": tmp_path, "warehouse": warehouse, "ledger": ledger, "resources": resources}


def _run(home: dict[str, object]) -> dg.ExecuteInProcessResult:
    result = dg.materialize(ASSETS, partition_key=WEEK.isoformat(), resources=home["resources"])
    assert result.success
    return result


def _files(home: dict[str, object]) -> dict[str, bytes]:
    root = Path(home["root"]) / "exports" / "payroll"
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _draft(files: dict[str, bytes], target: str, suffix: str) -> tuple[str, bytes]:
    [(name, content)] = [
        (n, c) for n, c in files.items() if n.startswith(f"{target}/") and n.endswith(suffix) and ".manifest" not in n
    ]
    return name, content


def _csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _outbox(home: dict[str, object]) -> list[dict[str, object]]:
    path = Path(home["root"]) / "outbox" / "outbox.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _outbox_metadata(result: dg.ExecuteInProcessResult) -> dict[str, object]:
    [materialization] = result.asset_materializations_for_node("notification_outbox")
    return {key: value.value for key, value in materialization.metadata.items()}


def test_granted_leave_reaches_every_payroll_layout_and_the_digest_the_outbox_once(home):
    first = _run(home)
    files = _files(home)

    # Long CSV (weekly): one REDEEMED_LEAVE_HOURS line of 8 hours and no money.
    weekly_name, weekly = _draft(files, "weekly_csv", ".csv")
    leave = [row for row in _csv(weekly) if row["component_code"] == "REDEEMED_LEAVE_HOURS"]
    assert [(r["employee_id"], Decimal(r["amount"]), Decimal(r["quantity"]), r["unit"]) for r in leave] == [
        ("E1", Decimal("0"), Decimal("8"), "hours")
    ]
    assert "points_redemptions:2026-03-02:E1:RR-1" in leave[0]["source_ref"]
    manifest = json.loads(files[weekly_name.removesuffix(".csv") + ".manifest.json"])
    assert manifest["control_totals"]["REDEEMED_LEAVE_HOURS"] == {
        "amount": "0.00",
        "quantity": "8",
        "rows": 1,
        "unit": "hours",
    }

    # Wide XLSX (monthly, 工资表): its own column, 8 hours for 张伟 (P001) only.
    _, xlsx = _draft(files, "finance_cn", ".xlsx")
    sheet = load_workbook(io.BytesIO(xlsx)).active
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("积分兑换假期小时")
    assert {row[0]: row[column] for row in rows[1:] if row[column]} == {"P001": 8}

    # ADP paydata (weekly): an hours code/amount pair RLV 8.00 for file # P001.
    _, adp = _draft(files, "adp_wfn", ".csv")
    records = _csv(adp)
    pairs = {
        (record["File #"], record[f"Hours {n} Code"], record[f"Hours {n} Amount"])
        for record in records
        for n in (3, 4)
        if f"Hours {n} Code" in record and record[f"Hours {n} Code"] == "RLV"
    }
    assert pairs == {("P001", "RLV", "8.00")}

    # The outbox: a digest for both people with points activity (E1 granted, E2 refused), nobody else.
    digests = {m["recipient"]: m for m in _outbox(home) if "积分周报" in m["subject"]}
    assert sorted(digests) == ["E1", "E2"]
    assert (
        "- `LEAVE_8H`：**已兑换**，使用 500 积分，获得 8 小时假期（已计入工资导出）" in digests["E1"]["body_markdown"]
    )
    assert "- 当前余额：**" in digests["E1"]["body_markdown"]
    assert "LEAVE＿8H costs 500 points; the balance on 2026-03-04 is " in digests["E2"]["body_markdown"]
    assert _outbox_metadata(first)["points_digests"] == 2

    # The same week again: not one new file, message or outbox line.
    outbox_bytes = (Path(home["root"]) / "outbox" / "outbox.jsonl").read_bytes()
    again = _run(home)
    assert _files(home) == files
    assert (Path(home["root"]) / "outbox" / "outbox.jsonl").read_bytes() == outbox_bytes
    assert _outbox_metadata(again)["new_in_outbox"] == 0


def test_a_redemption_withdrawn_after_release_is_drafted_as_an_adjustment_and_a_new_digest(home):
    _run(home)
    ledger: PayrollLedger = home["ledger"]
    now = datetime.now(UTC).isoformat(timespec="seconds")
    ledger.approve("weekly_csv", WEEK.isoformat(), "王芳", now)
    assert release_approved(ledger, "weekly_csv", WEEK.isoformat(), Path(home["root"]) / "exports" / "released", now)
    before = {m["idempotency_key"] for m in _outbox(home) if m["recipient"] == "E1" and "积分周报" in m["subject"]}

    # The request is withdrawn at the source and the week is posted again (no later week is posted yet).
    with duckdb.connect(str(home["warehouse"])) as con:
        con.execute("delete from staging.stg_activities__redemption_requests where request_id = 'RR-1'")
    _run(home)

    draft = ledger.pending_draft("weekly_csv", WEEK.isoformat())
    assert draft is not None and draft.kind == "adjustment"
    adjustment = (Path(draft.draft_dir) / draft.file_name).read_bytes()
    deltas = [(r["employee_id"], r["component_code"], Decimal(r["quantity"])) for r in _csv(adjustment)]
    assert deltas == [("E1", "REDEEMED_LEAVE_HOURS", Decimal("-8"))]
    after = {m["idempotency_key"] for m in _outbox(home) if m["recipient"] == "E1" and "积分周报" in m["subject"]}
    assert before < after  # the digest changed (no leave, a higher balance): one new message
