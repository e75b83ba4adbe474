"""One explanation block per score row: its inputs and every step of its formula, re-derived from the plan.

The steps are recomputed with the same pure functions that scored the week (``scoring/``), then compared with
what the warehouse stored: a block whose recomputation disagrees with its row is an error, because a statement
must never show working that does not lead to the amount paid. Where the warehouse keeps only rounded inputs
(joint scores have 2 places), the comparison allows exactly the rounding those places can explain.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from itertools import pairwise

from exports.statements import records as r
from exports.statements.model import (
    AttendanceWeek,
    BandDecision,
    GoalItemFact,
    GoalWeek,
    JointComponent,
    JointWeek,
    PlanRef,
    PoolShareFact,
    StatementError,
    Step,
    SubScore,
)
from exports.statements.records import Record
from scoring.attainment import (
    BANDS_WITH_EXTRA_LEAVE,
    MULTIPLIER_PLACES,
    Band,
    Direction,
    GoalItem,
    GoalItemError,
    ItemScore,
    band_for,
    payout_multiplier,
    score_item,
    weighted_attainment,
)
from scoring.joint_incentive import DAYS_IN_WEEK, SCORE_PLACES, JointRole
from scoring.money import CENT, ZERO, allocate_largest_remainder, round_money, round_places
from scoring.plan import CurvePoint, GoalRules, JointIncentiveRules, Plan

# Ratios, attainment and multipliers are shown with this many places; pay is always computed from exact values.
SHOWN_PLACES = 6
HUNDRED = Decimal(100)
# A component or score recomputed from 2-place inputs may be off by the inputs' rounding (weights sum to 1).
SCORE_TOLERANCE = Decimal(1).scaleb(-SCORE_PLACES)


def plain(value: Decimal) -> str:
    """A number as people write it in a formula: no trailing zeros, never scientific, never ``-0``."""
    text = format(value.normalize(), "f")
    return "0" if value.is_zero() else text


def money(value: Decimal) -> str:
    return format(round_money(value), "f")


def shown(value: Decimal) -> Decimal:
    return round_places(value, SHOWN_PLACES)


def agrees(worked: Decimal, result: Decimal) -> bool:
    """Whether the working, done by hand and rounded to the result's places, gives the result."""
    return round_places(worked, max(-int(result.as_tuple().exponent), 0)) == result


def at_least_places(value: Decimal, places: int) -> Decimal:
    """``62.480000`` (a wide SQL decimal) -> ``62.48``; keeps any digit that is really there (``62.478150``)."""
    trimmed = value.normalize()
    return trimmed if -int(trimmed.as_tuple().exponent) >= places else round_places(value, places)


def ref_goal(week: date, employee_id: str) -> str:
    return f"score_goal_attainment_weekly:{week.isoformat()}:{employee_id}"


def ref_joint(week: date, employee_id: str, role: str) -> str:
    return f"score_joint_incentive_weekly:{week.isoformat()}:{employee_id}:{role}"


def ref_pool(week: date, project_id: str, employee_id: str) -> str:
    return f"score_project_pool_weekly:{week.isoformat()}:{project_id}:{employee_id}"


def ref_attendance(week: date, employee_id: str) -> str:
    return f"fct_attendance_weekly:{week.isoformat()}:{employee_id}"


def _mismatch(what: str, name: str, stored: object, derived: object) -> StatementError:
    return StatementError(f"{what}: stored {name} {stored} does not follow from its inputs and the plan ({derived})")


# --- weekly goal attainment -------------------------------------------------------------------------------------


def _goal_items(row: Record, employee_id: str, week: date, rules: GoalRules, what: str) -> list[ItemScore]:
    try:
        raw_items = json.loads(r.text(row, "items_json", what))
    except json.JSONDecodeError as error:
        raise StatementError(f"{what}: items_json is not JSON ({error.msg})") from None
    if not isinstance(raw_items, list) or not raw_items:
        raise StatementError(f"{what}: items_json lists no goal items")
    scores = []
    for raw in raw_items:
        item = GoalItem(
            employee_id=employee_id,
            week_start=week,
            metric=str(raw.get("metric") or ""),
            target=raw.get("target"),
            actual=raw.get("actual"),
            weight=raw.get("weight"),
            direction=str(raw.get("direction") or ""),
            unit=raw.get("unit"),
        )
        try:
            scores.append(score_item(item, rules))
        except GoalItemError as error:
            raise StatementError(f"{what}: goal {item.metric!r}: {error.reason}") from None
    return sorted(scores, key=lambda score: score.item.metric)


def _item_fact(score: ItemScore, sources: Sequence[Record]) -> GoalItemFact:
    item = score.item
    if item.direction == Direction.LOWER_IS_BETTER:
        working = f"{plain(score.target)} / {plain(score.actual)}"
    else:
        working = f"{plain(score.actual)} / {plain(score.target)}"
    return GoalItemFact(
        metric=item.metric,
        unit=item.unit,
        direction=item.direction,
        target=score.target,
        actual=score.actual,
        weight=score.weight,
        ratio_working=working,
        ratio=shown(score.ratio),
        capped_ratio=shown(score.capped_ratio),
        capped=score.capped_ratio < score.ratio,
        issue_keys=tuple(sorted({str(s["issue_key"]) for s in sources if s.get("issue_key")})),
        source_refs=tuple(sorted({str(s["source_ref"]) for s in sources if s.get("source_ref")})),
    )


def _weighted_step(name: str, scores: Sequence[ItemScore], capped: bool) -> Step:
    """Σ(weight x ratio) / Σ weight with the ratios as shown; the result is the exact attainment, shown."""
    ratios = [(s.weight, shown(s.capped_ratio if capped else s.ratio)) for s in scores]
    total_weight = sum((weight for weight, _ in ratios), ZERO)
    working = " + ".join(f"{plain(weight)} × {plain(ratio)}" for weight, ratio in ratios)
    by_hand = sum((weight * ratio for weight, ratio in ratios), ZERO) / total_weight
    result = shown(weighted_attainment(scores, capped=capped))
    return Step(name, f"({working}) / {plain(total_weight)}", result, not agrees(by_hand, result))


def multiplier_step(attainment: Decimal, curve: Sequence[CurvePoint]) -> Step:
    """The payout curve at ``attainment``, showing the segment it falls on (or that it is below / beyond it)."""
    result = shown(payout_multiplier(attainment, curve))
    approximate = not agrees(payout_multiplier(shown(attainment), curve), result)
    value = plain(shown(attainment))
    if attainment < curve[0].attainment:
        return Step("payout_multiplier_below", f"{value} < {plain(curve[0].attainment)}", result, approximate)
    for left, right in pairwise(curve):
        if attainment <= right.attainment:
            a0, a1 = plain(left.attainment), plain(right.attainment)
            m0, m1 = plain(left.multiplier), plain(right.multiplier)
            working = f"{m0} + ({value} - {a0}) / ({a1} - {a0}) × ({m1} - {m0})"
            return Step("payout_multiplier", working, result, approximate)
    last = curve[-1]
    working = f"{value} ≥ {plain(last.attainment)} → {plain(last.multiplier)}"
    return Step("payout_multiplier_flat", working, result, approximate)


def _band_decision(band: Band, reported: Decimal, previous: Decimal | None, rules: GoalRules) -> BandDecision:
    thresholds = rules.band_thresholds
    value = plain(reported)
    if band in (Band.HIGH_PERFORMER, Band.EXCEEDED, Band.ON_TRACK):
        threshold = getattr(thresholds, str(band))
        return BandDecision(str(band), f"{value} ≥ {plain(threshold)}", threshold, previous)
    working = f"{value} < {plain(thresholds.on_track)}"
    if previous is not None:
        working += f"; {value} {'>' if band == Band.IMPROVING else '≤'} {plain(previous)}"
    return BandDecision(str(band), working, thresholds.on_track, previous)


def explain_goal_week(row: Record, plan: Plan, plan_ref: PlanRef, sources: Mapping[str, Sequence[Record]]) -> GoalWeek:
    """A week's goal attainment and bonus; ``sources`` maps a metric to its ``fct_goal_progress_weekly`` rows."""
    employee_id = r.text(row, "employee_id", "score_goal_attainment_weekly row")
    week = r.day(row, "week_start", f"goal row of {employee_id}")
    what = f"score_goal_attainment_weekly {week} of {employee_id}"
    rules = plan.goals
    scores = _goal_items(row, employee_id, week, rules, what)
    role = r.optional_text(row, "role")
    previous = r.optional_decimal(row, "previous_attainment", what)

    exact = weighted_attainment(scores)
    reported = round_places(exact, rules.reported_places)
    uncapped = round_places(weighted_attainment(scores, capped=False), rules.reported_places)
    band = band_for(reported, previous, rules)
    multiplier = payout_multiplier(exact, rules.payout_curve)
    base = round_money(rules.base_bonus(role))
    bonus = round_money(base * multiplier)
    extra_leave = rules.extra_leave_hours if band in BANDS_WITH_EXTRA_LEAVE else ZERO

    derived = {
        "attainment": reported,
        "attainment_uncapped": uncapped,
        "payout_multiplier": round_places(multiplier, MULTIPLIER_PLACES),
        "base_bonus": base,
        "bonus": bonus,
        "extra_leave_hours": extra_leave,
    }
    for name, value in derived.items():
        stored = r.decimal(row, name, what)
        if stored != value:
            raise _mismatch(what, name, stored, value)
    if r.text(row, "band", what) != band:
        raise _mismatch(what, "band", row["band"], band)

    steps = [
        _weighted_step("attainment", scores, capped=True),
        Step("attainment_reported", f"round({plain(shown(exact))}, {rules.reported_places})", reported),
    ]
    if uncapped != reported:
        steps.append(_weighted_step("attainment_uncapped", scores, capped=False))
    steps.append(multiplier_step(exact, rules.payout_curve))
    by_hand = base * shown(multiplier)
    steps.append(Step("bonus", f"{money(base)} × {plain(shown(multiplier))}", bonus, not agrees(by_hand, bonus)))
    comparison = "≥" if extra_leave > 0 else "<"
    exceeded = plain(rules.band_thresholds.exceeded)
    steps.append(Step("extra_leave_hours", f"{plain(reported)} {comparison} {exceeded}", extra_leave))

    return GoalWeek(
        ref=ref_goal(week, employee_id),
        week_start=week,
        plan=plan_ref,
        role=role,
        items=tuple(_item_fact(score, sources.get(score.item.metric, ())) for score in scores),
        ratio_cap=rules.ratio_cap,
        attainment=reported,
        attainment_uncapped=uncapped,
        band=_band_decision(band, reported, previous, rules),
        base_bonus=base,
        payout_multiplier=shown(multiplier),
        bonus=bonus,
        extra_leave_hours=extra_leave,
        streak_weeks=r.integer(row, "streak_weeks", what),
        excellence_certificate=bool(r.field(row, "excellence_certificate", what)),
        weakest_metric=r.text(row, "weakest_metric", what),
        reason_codes=r.codes(row.get("reason_codes")),
        steps=tuple(steps),
    )


# --- joint designer / operator incentive --------------------------------------------------------------------------


def joint_structure(
    role: JointRole, rules: JointIncentiveRules
) -> list[tuple[str, Decimal, list[tuple[str, Decimal]]]]:
    """The plan's weights as (component, weight, [(metric, weight inside the component)]) for a role."""
    if role == JointRole.DESIGNER:
        designer = rules.designer
        quality, contribution = designer.design_quality, designer.conversion_contribution
        return [
            (
                "design_quality",
                designer.design_quality_weight,
                [
                    ("operator_rating", quality.operator_rating),
                    ("favorites_rate", quality.favorites_rate),
                    ("ctr", quality.ctr),
                ],
            ),
            (
                "conversion_contribution",
                designer.conversion_contribution_weight,
                [("order_rate", contribution.order_rate), ("repurchase_rate", contribution.repurchase_rate)],
            ),
        ]
    operator = rules.operator
    collaboration = operator.design_collaboration
    return [
        ("conversion_effect", operator.conversion_effect_weight, [("department_conversion_rate", Decimal(1))]),
        (
            "design_collaboration",
            operator.design_collaboration_weight,
            [("ctr", collaboration.ctr), ("avg_dwell_seconds", collaboration.avg_dwell_seconds)],
        ),
    ]


def _stored_scores(explained: object, part: str, what: str) -> dict[str, Decimal]:
    values = explained.get(part) if isinstance(explained, dict) else None
    if not isinstance(values, dict):
        raise StatementError(f"{what}: components_json has no {part!r}")
    return {str(name): r.number(value, f"{what}: {part}.{name}") for name, value in values.items()}


def _within(what: str, name: str, stored: Decimal, derived: Decimal, tolerance: Decimal) -> None:
    if abs(stored - derived) > tolerance:
        raise _mismatch(what, name, stored, f"{derived}, allowing {tolerance} for rounding")


def explain_joint_week(row: Record, plan: Plan, plan_ref: PlanRef) -> JointWeek:
    employee_id = r.text(row, "employee_id", "score_joint_incentive_weekly row")
    week = r.day(row, "week_start", f"joint incentive row of {employee_id}")
    role_text = r.text(row, "role", f"joint incentive row of {employee_id}")
    what = f"score_joint_incentive_weekly {week} of {employee_id} as {role_text}"
    if role_text not in set(JointRole):
        raise StatementError(f"{what}: role must be designer or operator")
    role = JointRole(role_text)
    rules = plan.joint_incentive
    try:
        explained = json.loads(r.text(row, "components_json", what))
    except json.JSONDecodeError as error:
        raise StatementError(f"{what}: components_json is not JSON ({error.msg})") from None
    stored_components = _stored_scores(explained, "components", what)
    stored_metrics = _stored_scores(explained, "metric_scores", what)
    targets = rules.default_targets

    components: list[JointComponent] = []
    steps: list[Step] = []
    for name, weight, metrics in joint_structure(role, rules):
        missing = [m for m, _ in metrics if m not in stored_metrics] + [n for n in [name] if n not in stored_components]
        if missing:
            raise StatementError(f"{what}: components_json lacks {', '.join(missing)}")
        subs = tuple(
            SubScore(metric, w, stored_metrics[metric], w * stored_metrics[metric], getattr(targets, metric, None))
            for metric, w in metrics
        )
        value = stored_components[name]
        by_hand = sum((s.weighted for s in subs), ZERO)
        _within(what, name, value, by_hand, SCORE_TOLERANCE)
        components.append(JointComponent(name, weight, value, subs))
        working = " + ".join(f"{plain(s.weight)} × {plain(s.score)}" for s in subs)
        steps.append(Step(name, working, value, not agrees(by_hand, value)))

    score = at_least_places(r.decimal(row, "score", what), SCORE_PLACES)
    by_hand = sum((c.weight * c.value for c in components), ZERO)
    _within(what, "score", score, by_hand, SCORE_TOLERANCE)
    working = " + ".join(f"{plain(c.weight)} × {plain(c.value)}" for c in components)
    steps.append(Step("joint_score", working, score, not agrees(by_hand, score)))

    base = r.decimal(row, "variable_base", what)
    pay = r.decimal(row, "pay", what)
    # Pay is prorated by the days in role in the week (rows written before that column existed are whole weeks).
    days = r.optional_decimal(row, "days_in_role", what)
    share = Decimal(1) if days is None or days == DAYS_IN_WEEK else days / DAYS_IN_WEEK
    prorated = "" if share == 1 else f" × {plain(days)} / {DAYS_IN_WEEK}"
    # Pay was computed from the unrounded score: allow what half a unit in the score's last place can move it.
    pay_tolerance = base * share * SCORE_TOLERANCE / 2 / HUNDRED + CENT
    _within(what, "pay", pay, round_money(base * score / HUNDRED * share), pay_tolerance)
    by_hand = base * score / HUNDRED * share
    steps.append(Step("joint_pay", f"{money(base)} × {plain(score)} / 100{prorated}", pay, not agrees(by_hand, pay)))
    return JointWeek(
        ref=ref_joint(week, employee_id, role),
        week_start=week,
        plan=plan_ref,
        role=str(role),
        metric_score_cap=rules.metric_score_cap,
        components=tuple(components),
        score=score,
        variable_base=base,
        pay=pay,
        steps=tuple(steps),
    )


# --- project bonus pool -------------------------------------------------------------------------------------------


def explain_pool_share(
    share: Record, project_rows: Sequence[Record], profit_row: Record | None, plan: Plan, plan_ref: PlanRef
) -> PoolShareFact:
    """A person's pool share; ``project_rows`` are all shares of that project-week (every role, every person)."""
    employee_id = r.text(share, "employee_id", "score_project_pool_weekly row")
    project_id = r.text(share, "project_id", f"pool share of {employee_id}")
    week = r.day(share, "week_start", f"pool share of {employee_id} in {project_id}")
    role = r.text(share, "role", f"pool share of {employee_id} in {project_id}")
    what = f"score_project_pool_weekly {week} of {employee_id} in {project_id}"
    if profit_row is None:
        raise StatementError(f"{what}: no fct_project_profit_weekly row for {project_id} in {week}")
    rules = plan.project_pool

    credited: dict[str, dict[str, Decimal]] = {str(role): {} for role in JointRole}
    amounts: dict[str, Decimal] = {str(role): ZERO for role in JointRole}
    for row in project_rows:
        row_role = r.text(row, "role", what)
        if row_role not in credited:
            raise StatementError(f"{what}: a share of the project has role {row_role!r}")
        person = r.text(row, "employee_id", what)
        if person in credited[row_role]:
            raise StatementError(f"{what}: {person} has two {row_role} shares of the project")
        credited[row_role][person] = r.decimal(row, "credited_orders", what)
        amounts[row_role] += r.decimal(row, "amount", what)
    if employee_id not in credited.get(role, {}):
        raise StatementError(f"{what}: the project's shares passed in do not include this one")

    steps: list[Step] = []
    profit = r.decimal(profit_row, "profit", what)
    revenue, cost, ad_spend = (r.optional_decimal(profit_row, name, what) for name in ("revenue", "cost", "ad_spend"))
    if revenue is not None and cost is not None and ad_spend is not None:
        if revenue - cost - ad_spend != profit:
            raise _mismatch(what, "profit", profit, revenue - cost - ad_spend)
        steps.append(Step("profit", f"{money(revenue)} - {money(cost)} - {money(ad_spend)}", profit))

    pool = round_money(rules.share_of_profit * max(profit, ZERO))
    paid = sum(amounts.values(), ZERO)
    if paid != pool:
        raise _mismatch(what, "sum of the project's shares", paid, f"pool {pool}")
    steps.append(Step("pool", f"{plain(rules.share_of_profit)} × {money(profit)}", pool))

    active = {name: people for name, people in credited.items() if sum(people.values(), ZERO) > 0}
    if role not in active:
        raise StatementError(f"{what}: nobody in role {role} has credited orders, so the role has no pool")
    weights = {name: getattr(rules.role_weights, name) for name in active}
    if sum(weights.values(), ZERO) == 0:
        weights = dict.fromkeys(active, Decimal(1))
    role_pool = allocate_largest_remainder(pool, weights)[role]
    if amounts[role] != role_pool:
        raise _mismatch(what, f"{role} pool", amounts[role], role_pool)
    role_weight = weights[role] / sum(weights.values(), ZERO)
    if len(active) == 1:
        steps.append(Step("role_pool_whole", money(pool), role_pool))
    else:
        working = f"{money(pool)} × {plain(role_weight)}"
        steps.append(Step("role_pool", working, role_pool, not agrees(pool * role_weight, role_pool)))

    amount = r.decimal(share, "amount", what)
    derived = allocate_largest_remainder(role_pool, active[role])[employee_id]
    if amount != derived:
        raise _mismatch(what, "amount", amount, derived)
    role_credited = sum(active[role].values(), ZERO)
    mine = active[role][employee_id]
    working = f"{money(role_pool)} × {plain(mine)} / {plain(role_credited)}"
    steps.append(Step("pool_share", working, amount, not agrees(role_pool * mine / role_credited, amount)))
    return PoolShareFact(
        ref=ref_pool(week, project_id, employee_id),
        week_start=week,
        plan=plan_ref,
        project_id=project_id,
        role=role,
        revenue=revenue,
        cost=cost,
        ad_spend=ad_spend,
        profit=profit,
        share_of_profit=rules.share_of_profit,
        pool=pool,
        role_weight=role_weight,
        role_pool=role_pool,
        credited_orders=mine,
        role_credited_orders=role_credited,
        amount=amount,
        steps=tuple(steps),
    )


# --- attendance -----------------------------------------------------------------------------------------------------


def explain_attendance_week(row: Record, plan: Plan, plan_ref: PlanRef) -> AttendanceWeek:
    employee_id = r.text(row, "employee_id", "fct_attendance_weekly row")
    week = r.day(row, "week_start", f"attendance row of {employee_id}")
    what = f"fct_attendance_weekly {week} of {employee_id}"
    cap = plan.attendance.weekly_hours_cap
    worked_minutes = r.integer(row, "worked_minutes", what)
    overtime = r.decimal(row, "overtime_hours", what)
    derived = round_money(Decimal(max(worked_minutes - cap * 60, 0)) / 60)
    if overtime != derived:
        raise _mismatch(what, "overtime_hours", overtime, derived)
    counts = {
        name: r.integer(row, name, what)
        for name in (
            "days_scheduled",
            "days_present",
            "days_absent",
            "days_late",
            "late_minutes",
            "days_early_leave",
            "early_leave_minutes",
            "days_on_leave",
            "days_missing_checkout",
        )
    }
    return AttendanceWeek(
        ref=ref_attendance(week, employee_id),
        week_start=week,
        plan=plan_ref,
        scheduled_hours=r.decimal(row, "scheduled_hours", what),
        worked_minutes=worked_minutes,
        worked_hours=r.decimal(row, "worked_hours", what),
        weekly_hours_cap=cap,
        overtime_hours=overtime,
        reason_codes=r.codes(row.get("reason_codes")),
        steps=(Step("overtime_hours", f"max({worked_minutes} - {cap} × 60, 0) / 60", overtime),),
        **counts,
    )
