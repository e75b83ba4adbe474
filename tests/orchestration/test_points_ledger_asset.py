"""The points ledger asset over two weeks twelve months apart: redemptions spend the oldest points, what is left
expires, a rescored week is adjusted, and re-running a week leaves the warehouse exactly as it was."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.resources import PlanResource, WarehouseResource
from orchestration.defs.scoring import marts
from orchestration.defs.scoring.points_ledger import LEDGER, REDEMPTIONS, points_ledger
from scoring.plan import load_plan

from .plan_warehouse import plan_text, write_plan

W1 = date(2025, 3, 3)
W2 = date(2026, 3, 2)  # E2's points of W1 expire on Tuesday 2026-03-03
RETIRED = "      - {code: OLD_MUG, name: Old mug, points: 10, kind: goods, retired: true}\n"


def _plan(folder: Path) -> Path:
    text = plan_text(effective_from="2025-01-06")
    gift = "{code: GOODS_GIFT_CARD, name: Gift card, points: 200, kind: goods}\n"
    assert text.count(gift) == 1
    text = text.replace(gift, gift.replace("200", "120") + RETIRED)
    return write_plan(folder, "default.yaml", text)


def _scores(con: duckdb.DuckDBPyConnection, week: date, points: dict[str, int], plan) -> None:
    """Rows of scoring.score_activity_points_weekly as weekly_scoring writes them."""
    records = [{"employee_id": e, "week_start": week, "points": p, "points_before_cap": p} for e, p in points.items()]
    marts.write_scores(con, "score_activity_points_weekly", week, records, plan)


def _requests(con: duckdb.DuckDBPyConnection, rows: list[tuple[str, str, str, datetime]]) -> None:
    con.executemany(
        "insert into staging.stg_activities__redemption_requests values (?, ?, ?, ?, ?, ?)",
        [(*row, f"redemption_requests.csv:{n}", "b1") for n, row in enumerate(rows, start=2)],
    )


@pytest.fixture
def company(tmp_path):
    plans = _plan(tmp_path / "plans").parent
    plan = load_plan(plans / "default.yaml")
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema staging")
        con.execute(
            """create table staging.stg_activities__redemption_requests (request_id varchar, employee_id varchar,
               item_code varchar, requested_at_utc timestamp, _source_ref varchar, _batch_id varchar)"""
        )
        _scores(con, W1, {"E1": 600, "E2": 100}, plan)
        _requests(
            con,
            [
                ("RR-1", "E1", "LEAVE_8H", datetime(2025, 3, 5, 2, 0)),  # Wed 10:00 Shanghai
                ("RR-1", "E1", "LEAVE_8H", datetime(2025, 3, 5, 2, 0)),  # the same request re-exported
                ("RR-2", "E2", "LEAVE_8H", datetime(2025, 3, 5, 3, 0)),  # 100 points: over the balance
                ("RR-3", "E1", "OLD_MUG", datetime(2025, 3, 6, 3, 0)),  # retired
                ("RR-0", "E1", "LEAVE_8H", datetime(2025, 3, 2, 15, 0)),  # Sunday 23:00 Shanghai: the week before
            ],
        )
        # The next year's week: both ask for a gift card.
        _scores(con, W2, {"E1": 50}, plan)
        _requests(
            con,
            [
                ("RR-4", "E1", "GOODS_GIFT_CARD", datetime(2026, 3, 2, 1, 0)),  # Monday: old points still valid
                ("RR-5", "E2", "GOODS_GIFT_CARD", datetime(2026, 3, 4, 1, 0)),  # Wednesday: expired on Tuesday
            ],
        )
    resources = {"warehouse": WarehouseResource(path=str(warehouse)), "plan": PlanResource(path=str(plans))}
    return warehouse, resources


def _run(resources, week: date) -> dg.ExecuteInProcessResult:
    result = dg.materialize([points_ledger], partition_key=week.isoformat(), resources=resources)
    assert result.success
    return result


def _table(warehouse: Path, table: str, columns: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"select week_start, {columns} from scoring.{table} order by week_start, 2, 3").fetchall()


def _metadata(result: dg.ExecuteInProcessResult, table: str) -> dict[str, object]:
    [materialization] = [
        m for m in result.asset_materializations_for_node("points_ledger") if m.asset_key.path[-1] == table
    ]
    return {key: value.value for key, value in materialization.metadata.items()}


def test_two_weeks_a_year_apart_redeem_expire_adjust_and_rerun_identically(company):
    warehouse, resources = company
    first = _run(resources, W1)
    # Before W2 is posted, E1's W1 score is corrected (an event withdrawn): 600 -> 580.
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update scoring.score_activity_points_weekly set points = 580 where week_start = ? and employee_id = 'E1'",
            [W1],
        )
    second = _run(resources, W2)

    entries = _table(warehouse, LEDGER, "seq, kind, employee_id, points, effective_on")
    assert entries == [
        (W1, 0, "earn", "E1", 600, W1),
        (W1, 1, "earn", "E2", 100, W1),
        (W1, 2, "redeem", "E1", -500, date(2025, 3, 5)),
        (W2, 0, "adjust", "E1", -20, W2),
        (W2, 1, "earn", "E1", 50, W2),
        (W2, 2, "redeem", "E1", -120, W2),
        (W2, 3, "expire", "E2", -100, date(2026, 3, 3)),
    ]
    decisions = _table(warehouse, REDEMPTIONS, "request_id, status, points, leave_hours, balance_before, reason")
    assert decisions == [
        (W1, "RR-1", "granted", 500, 8, 600, ""),
        (W1, "RR-2", "refused", 0, 0, 100, "LEAVE_8H costs 500 points; the balance on 2025-03-05 is 100"),
        (W1, "RR-3", "refused", 0, 0, 100, "catalog item OLD_MUG (Old mug) is retired"),
        (W2, "RR-4", "granted", 120, 0, 130, ""),
        (W2, "RR-5", "refused", 0, 0, 0, "GOODS_GIFT_CARD costs 120 points; the balance on 2026-03-04 is 0"),
    ]
    assert _metadata(first, REDEMPTIONS)["leave_hours_granted"] == 8
    ledger_metadata = _metadata(second, LEDGER)
    assert ledger_metadata["points_outstanding"] == 10  # E1: 600 - 500 - 20 + 50 - 120; E2: expired
    assert ledger_metadata["entries_by_kind"] == {
        "adjust": {"entries": 1, "points": -20},
        "earn": {"entries": 1, "points": 50},
        "redeem": {"entries": 1, "points": -120},
        "expire": {"entries": 1, "points": -100},
    }

    # Re-running the later week (the feed replayed, the same scores) changes nothing, down to the entry ids.
    with duckdb.connect(str(warehouse), read_only=True) as con:
        ids = con.execute("select entry_id from scoring.points_ledger order by week_start, seq").fetchall()
    _run(resources, W2)
    assert _table(warehouse, LEDGER, "seq, kind, employee_id, points, effective_on") == entries
    assert _table(warehouse, REDEMPTIONS, "request_id, status, points, leave_hours, balance_before, reason") == (
        decisions
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select entry_id from scoring.points_ledger order by week_start, seq").fetchall() == ids


def test_an_earlier_week_is_not_rewritten_once_a_later_week_is_posted(company):
    warehouse, resources = company
    _run(resources, W1)
    _run(resources, W2)
    before = _table(warehouse, LEDGER, "seq, entry_id, points")
    # W1's score changes again after W2 was posted on top of it, and W1 is recomputed (e.g. after late data).
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update scoring.score_activity_points_weekly set points = 560 where week_start = ? and employee_id = 'E1'",
            [W1],
        )
    rerun = _run(resources, W1)
    assert _table(warehouse, LEDGER, "seq, entry_id, points") == before
    assert _metadata(rerun, LEDGER)["kept_as_posted"] is True
    assert _metadata(rerun, LEDGER)["differs_from_now"] is True
    # The next new week posts the change as an adjust instead: 600 -> 560 takes back 40 points, but E1 only holds
    # 30 (600 - 500 + 50 - 120), so 30 are taken back and the balance stays at zero.
    next_week = date(2026, 3, 9)
    _run(resources, next_week)
    posted = [row[1:] for row in _table(warehouse, LEDGER, "kind, employee_id, points") if row[0] == next_week]
    assert posted == [("adjust", "E1", -30)]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select sum(points) from scoring.points_ledger where employee_id = 'E1'").fetchone() == (0,)


def test_a_week_before_any_points_writes_typed_empty_tables(company):
    warehouse, resources = company
    result = _run(resources, date(2025, 2, 24))
    assert _metadata(result, LEDGER)["rows"] == 0
    assert _metadata(result, REDEMPTIONS)["granted"] == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns where table_name = 'points_ledger'"
            ).fetchall()
        )
    assert types["points"] == "BIGINT" and types["expires_on"] == "DATE"
    # The next week then posts on top of an empty (but existing) ledger.
    _run(resources, W1)
    assert [row[2:] for row in _table(warehouse, LEDGER, "seq, kind, points")] == [
        ("earn", 600),
        ("earn", 100),
        ("redeem", -500),
    ]
