"""What a week's goal scores add up to and set in motion: each scored item as a row (for BI and the goal tree),
team / department / company roll-ups, and the consequence events (bonus, extra leave, promotion review,
improvement note, manager alert, certificate).

Both read the week's ``score_goal_attainment_weekly`` rows back, so they follow whatever plan scored them; the
rules are ``scoring.rollups`` and ``scoring.consequences``.
"""

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import dagster as dg
import duckdb
import pandas as pd

from connectors.warehouse import connect
from orchestration.defs.partitions import week_by_week, weekly_partitions
from orchestration.defs.resources import PlanResource, WarehouseResource
from orchestration.lib import warehouse_rows
from orchestration.lib.asset_keys import mart_key, scoring_key
from orchestration.lib.ingest import partition_week
from orchestration.lib.plan_pins import scored_plan
from scoring.attainment import Band
from scoring.consequences import ScoredWeek, week_consequences
from scoring.rollups import Placement, ScoredItem, roll_up_week

from . import marts
from .assets import GOALS, POINTS

ITEMS = "score_goal_items_weekly"
ROLLUPS = "score_goal_rollups_weekly"
EVENTS = "goal_consequence_events"


def _scored_rows(con: duckdb.DuckDBPyConnection, week: date) -> list[dict[str, object]]:
    return warehouse_rows.rows(
        con,
        f"""select employee_id, week_start, attainment, band, bonus, extra_leave_hours, streak_weeks,
                   excellence_certificate, weakest_metric, reason_codes, items_json
            from {marts.SCORING_SCHEMA}.{GOALS} where week_start = ? order by employee_id""",
        [week],
    )


def _item_records(row: dict[str, object]) -> list[dict[str, object]]:
    """items_json as rows: the ratio each goal item was scored at, next to its target and actual."""
    return [
        {
            "employee_id": row["employee_id"],
            **{key: item.get(key) for key in ("metric", "unit", "direction", "target", "actual", "weight")},
            "ratio": Decimal(item["ratio"]),
            "capped_ratio": Decimal(item["capped_ratio"]),
        }
        for item in json.loads(str(row["items_json"]))
    ]


def _items(row: dict[str, object]) -> list[ScoredItem]:
    return [
        ScoredItem(
            employee_id=str(row["employee_id"]),
            metric=item["metric"],
            unit=item["unit"],
            target=Decimal(item["target"]),
            weight=Decimal(item["weight"]),
            ratio=Decimal(item["ratio"]),
            capped_ratio=Decimal(item["capped_ratio"]),
        )
        for item in json.loads(str(row["items_json"]))
    ]


def _scored_week(row: dict[str, object]) -> ScoredWeek:
    return ScoredWeek(
        employee_id=str(row["employee_id"]),
        week_start=row["week_start"],  # type: ignore[arg-type]
        attainment=Decimal(row["attainment"]),  # type: ignore[arg-type]
        band=Band(row["band"]),
        bonus=Decimal(row["bonus"]),  # type: ignore[arg-type]
        extra_leave_hours=Decimal(row["extra_leave_hours"]),  # type: ignore[arg-type]
        streak_weeks=int(row["streak_weeks"]),  # type: ignore[arg-type]
        excellence_certificate=bool(row["excellence_certificate"]),
        weakest_metric=str(row["weakest_metric"]),
        reason_codes=tuple(code for code in str(row["reason_codes"] or "").split(",") if code),
    )


def _placements(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, Placement], dict[str, str | None]]:
    rows = warehouse_rows.rows(con, "select employee_id, team, department, manager_id from marts.dim_employee")
    placements = {r["employee_id"]: Placement(r["team"], r["department"]) for r in rows}
    return placements, {r["employee_id"]: r["manager_id"] for r in rows}


def _history(con: duckdb.DuckDBPyConnection, week: date, weeks: int) -> dict[str, dict[date, Decimal]]:
    history: dict[str, dict[date, Decimal]] = defaultdict(dict)
    for employee_id, week_start, attainment in con.execute(
        f"""select employee_id, week_start, attainment from {marts.SCORING_SCHEMA}.{GOALS}
            where week_start < ? and week_start >= ?""",
        [week, week - timedelta(weeks=weeks)],
    ).fetchall():
        history[employee_id][week_start] = attainment
    return history


def _performance_points(con: duckdb.DuckDBPyConnection, week: date, weeks: int) -> dict[str, dict[date, int]]:
    """Performance points from winning activity challenges in the ``weeks`` ending with ``week``, per employee:
    each counts as one qualifying week toward promotion review (``scoring.consequences``)."""
    columns = con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [marts.SCORING_SCHEMA, POINTS],
    ).fetchall()
    if ("performance_points",) not in columns:  # activity points never scored, or scored before the rule existed
        return {}
    performance: dict[str, dict[date, int]] = defaultdict(dict)
    for employee_id, week_start, points in con.execute(
        f"""select employee_id, week_start, performance_points from {marts.SCORING_SCHEMA}.{POINTS}
            where week_start <= ? and week_start > ? and performance_points > 0""",
        [week, week - timedelta(weeks=weeks)],
    ).fetchall():
        performance[employee_id][week_start] = int(points)
    return performance


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            scoring_key(ITEMS),
            deps=[scoring_key(GOALS)],
            description="Each scored goal item of the week with the ratio it was scored at (capped and uncapped).",
        ),
        dg.AssetSpec(
            scoring_key(ROLLUPS),
            deps=[scoring_key(GOALS), mart_key("dim_employee")],
            description="Goal attainment of every team, department and the company, overall and per metric: by "
            "target where units agree, else by weight (domain.md §2).",
        ),
        dg.AssetSpec(
            scoring_key(EVENTS),
            deps=[scoring_key(GOALS), scoring_key(POINTS), mart_key("dim_employee")],
            description="Consequences of the week's bands as events with stable ids: bonus, extra leave, promotion "
            "review credit and eligibility (activity performance points count as qualifying weeks), improvement "
            "note with a course, manager alert, excellence certificate.",
        ),
    ],
    group_name="scoring",
    partitions_def=weekly_partitions,
    backfill_policy=week_by_week,
    name="goal_outcomes",
)
def goal_outcomes(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, plan: PlanResource
) -> Iterator[dg.MaterializeResult]:
    week = partition_week(context)
    with connect(warehouse.path) as con:
        # Roll up and act on the scores with the plan that scored them (a pinned week keeps its exported plan).
        history = plan.history()
        current = scored_plan(con, history, week, GOALS) or history.in_force(week)
        rules = current.goals
        scored = _scored_rows(con, week)
        placements, managers = _placements(con)
        rollups, unplaced = roll_up_week(week, [i for row in scored for i in _items(row)], placements)
        history = _history(con, week, rules.promotion_review.window_weeks)
        performance = _performance_points(con, week, rules.promotion_review.window_weeks)
        events = week_consequences([_scored_week(row) for row in scored], managers, history, rules, performance)
        item_rows = marts.write_scores(con, ITEMS, week, [i for row in scored for i in _item_records(row)], current)
        rollup_rows = marts.write_scores(
            con, ROLLUPS, week, [r.as_record(rules.reported_places) for r in rollups], current
        )
        event_rows = marts.write_scores(con, EVENTS, week, [e.as_record() for e in events], current)

    departments = {r.group_id: str(r.attainment) for r in rollups if r.level == "department" and r.metric == "*"}
    mixed = [f"{r.level} {r.group_id}: {r.metric}" for r in rollups if r.note.startswith("units disagree")]
    yield dg.MaterializeResult(asset_key=scoring_key(ITEMS), metadata={"rows": item_rows})
    yield dg.MaterializeResult(
        asset_key=scoring_key(ROLLUPS),
        metadata={
            "rows": rollup_rows,
            "department_attainment": dg.MetadataValue.json(departments),
            "metrics_with_mixed_units": dg.MetadataValue.json(mixed[:50]),
            "employees_without_placement": dg.MetadataValue.json(unplaced[:50]),
        },
    )
    kinds = pd.Series([str(e.kind) for e in events], dtype="string").value_counts().to_dict()
    yield dg.MaterializeResult(
        asset_key=scoring_key(EVENTS), metadata={"rows": event_rows, "by_kind": dg.MetadataValue.json(kinds)}
    )
