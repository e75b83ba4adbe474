"""The activity-points ledger and redemptions, one ledger week at a time (domain.md §4; rules in
``scoring.points_ledger``).

Each week posts the points ``weekly_scoring`` scored (and any earlier week whose score has since changed, as an
``adjust``), the expiries falling in the week and the week's redemption requests, on top of every earlier week's
entries read back from ``scoring.points_ledger``. Re-running a week replaces only that week's entries and
decisions; since earlier weeks are read back unchanged, the result is the same. Weeks are posted oldest first. Once a
later week is posted, an earlier week is never rewritten (later balances were built on it): re-running it keeps it as
posted, and a score that has changed since is posted as an ``adjust`` by the next new week.
"""

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date
from decimal import Decimal

import dagster as dg
import duckdb
import pandas as pd

from connectors.warehouse import connect, replace_week
from orchestration.defs.partitions import week_by_week, weekly_partitions
from orchestration.defs.resources import PlanResource, WarehouseResource
from orchestration.lib import warehouse_rows
from orchestration.lib.asset_keys import mart_key, scoring_key
from orchestration.lib.ingest import partition_week
from orchestration.lib.plan_pins import scored_plan
from orchestration.settings import load_settings
from scoring.plan import Plan
from scoring.points_ledger import (
    EarnedPoints,
    EntryKind,
    LedgerEntry,
    LedgerWeek,
    RedemptionRequest,
    RedemptionStatus,
    balances,
    points_liability,
    post_week,
)
from scoring.weeks import week_window_utc

from . import marts
from .assets import POINTS

LEDGER = "points_ledger"
REDEMPTIONS = "points_redemptions"
LIABILITY = "points_liability_weekly"
REQUESTS_KEY = dg.AssetKey(["staging", "stg_activities__redemption_requests"])
REQUESTS_VIEW = "staging.stg_activities__redemption_requests"

LEDGER_TYPES = {
    "entry_id": "varchar",
    "seq": "integer",
    "kind": "varchar",
    "employee_id": "varchar",
    "points": "bigint",
    "effective_on": "date",
    "source_ref": "varchar",
    "earned_on": "date",
    "expires_on": "date",
    "source_points": "bigint",
    "note": "varchar",
}
REDEMPTION_TYPES = {
    "request_id": "varchar",
    "employee_id": "varchar",
    "item_code": "varchar",
    "item_kind": "varchar",
    "requested_at_utc": "timestamp",
    "status": "varchar",
    "points": "bigint",
    "leave_hours": "integer",
    "balance_before": "bigint",
    "balance_after": "bigint",
    "reason": "varchar",
    "entry_id": "varchar",
}


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    query = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
    return con.execute(query, [schema, table]).fetchone()[0] > 0


def _prior_entries(con: duckdb.DuckDBPyConnection, week: date) -> list[LedgerEntry]:
    if not _exists(con, marts.SCORING_SCHEMA, LEDGER):
        return []
    rows = warehouse_rows.rows(
        con,
        f"""select week_start, {", ".join(LEDGER_TYPES)} from {marts.SCORING_SCHEMA}.{LEDGER}
            where week_start < ? order by week_start, seq""",
        [week],
    )
    return [
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
        for r in rows
    ]


def _later_weeks(con: duckdb.DuckDBPyConnection, week: date) -> list[date]:
    if not _exists(con, marts.SCORING_SCHEMA, LEDGER):
        return []
    query = f"select distinct week_start from {marts.SCORING_SCHEMA}.{LEDGER} where week_start > ? order by 1"
    return [row[0] for row in con.execute(query, [week]).fetchall()]


def _stored(con: duckdb.DuckDBPyConnection, table: str, columns: str, week: date) -> list[tuple]:
    if not _exists(con, marts.SCORING_SCHEMA, table):
        return []
    query = f"select {columns} from {marts.SCORING_SCHEMA}.{table} where week_start = ? order by all"
    return con.execute(query, [week]).fetchall()


def _earned(con: duckdb.DuckDBPyConnection, week: date) -> tuple[list[EarnedPoints], set[date]]:
    """Every scored week up to ``week`` (a rescored earlier week becomes an adjust) and which weeks were scored."""
    if not _exists(con, marts.SCORING_SCHEMA, POINTS):
        return [], set()
    rows = warehouse_rows.rows(
        con,
        f"""select employee_id, week_start, points from {marts.SCORING_SCHEMA}.{POINTS}
            where week_start <= ? order by week_start, employee_id""",
        [week],
    )
    return [EarnedPoints(r["employee_id"], r["week_start"], int(r["points"])) for r in rows], {
        r["week_start"] for r in rows
    }


def _requests(con: duckdb.DuckDBPyConnection, week: date, tz: str) -> list[RedemptionRequest] | None:
    """The requests made in the week (company time), re-exports included; None when staging has no such view."""
    schema, view = REQUESTS_VIEW.split(".")
    if not _exists(con, schema, view):
        return None
    start, end = (moment.replace(tzinfo=None) for moment in week_window_utc(week, tz))
    rows = warehouse_rows.rows(
        con,
        f"""select distinct request_id, employee_id, item_code, requested_at_utc from {REQUESTS_VIEW}
            where requested_at_utc >= ? and requested_at_utc < ? order by requested_at_utc, request_id""",
        [start, end],
    )
    return [
        RedemptionRequest(r["request_id"], r["employee_id"], r["item_code"], r["requested_at_utc"].replace(tzinfo=UTC))
        for r in rows
    ]


def _write(
    con: duckdb.DuckDBPyConnection, table: str, week: date, records: list[dict], types: dict[str, str], plan: Plan
) -> int:
    """Replace the week's rows; the columns are fixed so an empty first week still creates the full table."""
    frame = pd.DataFrame.from_records(records, columns=list(types))
    frame["plan_version"] = plan.version
    frame["plan_hash"] = plan.content_hash
    return replace_week(con, table, week, frame, source="scoring", schema=marts.SCORING_SCHEMA, column_types=types)


def _kept_as_posted(
    context: dg.AssetExecutionContext, con: duckdb.DuckDBPyConnection, week: date, later: list[date], posted: LedgerWeek
) -> Iterator[dg.MaterializeResult]:
    """A week later weeks were posted on top of: left as it is, with a warning if posting it now would differ."""
    stored = _stored(con, LEDGER, "entry_id, points", week)
    differs = stored != sorted((e.entry_id, e.points) for e in posted.entries)
    if differs:
        context.log.warning(
            f"the points ledger of {week} is kept as posted: weeks {', '.join(map(str, later))} were posted on top "
            "of it; changed scores are posted as adjusts by the next new week"
        )
    metadata = {"kept_as_posted": True, "later_weeks": dg.MetadataValue.json([str(w) for w in later])}
    yield dg.MaterializeResult(
        asset_key=scoring_key(LEDGER), metadata={"rows": len(stored), "differs_from_now": differs, **metadata}
    )
    yield dg.MaterializeResult(
        asset_key=scoring_key(REDEMPTIONS),
        metadata={"rows": len(_stored(con, REDEMPTIONS, "request_id", week)), **metadata},
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            scoring_key(LEDGER),
            deps=[scoring_key(POINTS), REQUESTS_KEY],
            description="Append-only points ledger: earn / redeem / expire / adjust entries with deterministic ids, "
            "posted per week; balances are the sum of entries and never negative; FIFO expiry (domain.md §4).",
        ),
        dg.AssetSpec(
            scoring_key(REDEMPTIONS),
            deps=[scoring_key(POINTS), REQUESTS_KEY],
            description="Every redemption request of the week, granted (with the leave hours it grants) or refused "
            "with the reason (over the balance, retired or unknown item, conflicting duplicate).",
        ),
        dg.AssetSpec(
            scoring_key(LIABILITY),
            deps=[scoring_key(POINTS), mart_key("dim_employee")],
            description="Points liability per department at the week's end: outstanding points x the plan's "
            "value_per_point (what redeeming them would cost).",
            skippable=True,  # not rewritten for a week kept as posted
        ),
    ],
    group_name="scoring",
    partitions_def=weekly_partitions,
    backfill_policy=week_by_week,
    name="points_ledger",
)
def points_ledger(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, plan: PlanResource
) -> Iterator[dg.MaterializeResult]:
    week = partition_week(context)
    tz = load_settings().timezone
    with connect(warehouse.path) as con:
        history = plan.history()
        current = scored_plan(con, history, week, POINTS) or history.in_force(week)
        prior = _prior_entries(con, week)
        earned, scored_weeks = _earned(con, week)
        requests = _requests(con, week, tz)
        if requests is None:
            context.log.warning(f"{REQUESTS_VIEW} does not exist (dbt has not run): no redemption requests posted")
        posted = post_week(prior, week, earned, requests or [], current.activity_points.redemption, tz, scored_weeks)
        later = _later_weeks(con, week)
        if later:
            yield from _kept_as_posted(context, con, week, later, posted)
            return
        entry_rows = _write(con, LEDGER, week, [e.as_record() for e in posted.entries], LEDGER_TYPES, current)
        redemption_rows = _write(
            con, REDEMPTIONS, week, [r.as_record() for r in posted.redemptions], REDEMPTION_TYPES, current
        )
        totals = balances([*prior, *posted.entries])
        departments = (
            dict(con.execute("select employee_id, department from marts.dim_employee").fetchall())
            if _exists(con, "marts", "dim_employee")
            else {}  # before the first dbt run: everyone under (none)
        )
        liability = points_liability(totals, departments, current.activity_points.redemption.value_per_point)
        liability_rows = marts.write_scores(
            con, LIABILITY, week, [row.as_record(current.currency) for row in liability], current
        )

    by_kind: dict[str, dict[str, int]] = {}
    for entry in posted.entries:
        line = by_kind.setdefault(str(entry.kind), {"entries": 0, "points": 0})
        line["entries"] += 1
        line["points"] += entry.points
    granted = [r for r in posted.redemptions if r.status == RedemptionStatus.GRANTED]
    refused = Counter(r.reason.split(";")[0] for r in posted.redemptions if r.status == RedemptionStatus.REFUSED)
    expired = -sum(e.points for e in posted.entries if e.kind == EntryKind.EXPIRE)
    plan_metadata = {"plan_version": current.version, "plan_hash": current.content_hash}
    yield dg.MaterializeResult(
        asset_key=scoring_key(LEDGER),
        metadata={
            "rows": entry_rows,
            "entries_by_kind": dg.MetadataValue.json(by_kind),
            "points_outstanding": sum(totals.values()),
            "points_liability": f"{sum((row.value for row in liability), Decimal(0))} {current.currency}",
            "employees_with_points": sum(1 for balance in totals.values() if balance > 0),
            "points_expired": expired,
            **plan_metadata,
        },
    )
    yield dg.MaterializeResult(
        asset_key=scoring_key(REDEMPTIONS),
        metadata={
            "rows": redemption_rows,
            "granted": len(granted),
            "refused": sum(refused.values()),
            "points_redeemed": sum(r.points for r in granted),
            "leave_hours_granted": sum(r.leave_hours for r in granted),
            "refusal_reasons": dg.MetadataValue.json(dict(refused.most_common(20))),
            "requests_source": "missing" if requests is None else REQUESTS_VIEW,
            **plan_metadata,
        },
    )
    yield dg.MaterializeResult(
        asset_key=scoring_key(LIABILITY),
        metadata={
            "rows": liability_rows,
            "points": sum(row.points for row in liability),
            "value": f"{sum((row.value for row in liability), Decimal(0))} {current.currency}",
            **plan_metadata,
        },
    )
