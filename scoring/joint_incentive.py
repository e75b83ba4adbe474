"""Joint designer / operator incentive and the project bonus pool (domain.md section 3).

Designers are paid partly on conversion and operators partly on design, so neither side can win alone.
Scores stay exact; only pay is rounded (to the cent, once). Pool shares use largest-remainder rounding so a
pool is always paid out to the cent, never a cent more or less. Someone hired or leaving inside a week is paid
for the days they held the role (``days_in_role``); pool credit needs no proration (it is their credited orders).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from scoring.money import ZERO, allocate_largest_remainder, round_money, round_places, to_decimal
from scoring.plan import JointIncentiveRules, JointTargets, Plan

HUNDRED = Decimal(100)
# Scores are stored at 6 places so a statement can redo "base x score / 100" to the cent; shown at 2.
SCORE_PLACES = 6
DAYS_IN_WEEK = 7


class JointRole(StrEnum):
    DESIGNER = "designer"
    OPERATOR = "operator"


class JointInputError(ValueError):
    """A person-week (or pool) that cannot be scored; ``reason`` goes to quarantine."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def _number(value: object, what: str) -> Decimal:
    try:
        return to_decimal(value, what)
    except ValueError as error:
        raise JointInputError(str(error)) from None


def metric_score(actual: object, target: object, cap: Decimal, metric: str = "metric") -> Decimal:
    """100 x min(actual / target, cap): on target scores 100, never more than 100 x cap."""
    target_value = _number(target, f"target for {metric}")
    actual_value = _number(actual, metric)
    if target_value <= 0:
        raise JointInputError(f"target for {metric} must be positive, got {target_value}")
    if actual_value < 0:
        raise JointInputError(f"{metric} must not be negative, got {actual_value}")
    return HUNDRED * min(actual_value / target_value, cap)


def rating_score(rating: object, rating_max: int) -> Decimal:
    """An operator's 1..max rating of a creative on the 0-100 scale (4 of 5 scores 80)."""
    value = _number(rating, "operator_rating")
    if not 1 <= value <= rating_max:
        raise JointInputError(f"operator_rating must be between 1 and {rating_max}, got {value}")
    return HUNDRED * value / rating_max


def days_in_role(week_start: date, start: date | None, end: date | None) -> int:
    """Days of the week (Monday..Sunday) inside ``start``..``end`` (both inclusive; ``None`` is open-ended).

    ``start`` is the hire (or role start) date, ``end`` the termination (or role end) date, the last day worked.
    """
    first, last = week_start, week_start + timedelta(days=DAYS_IN_WEEK - 1)
    if start is not None and start > first:
        first = start
    if end is not None and end < last:
        last = end
    return max((last - first).days + 1, 0)


@dataclass(frozen=True)
class DesignerWeek:
    """A designer's week: the metrics of their creatives (rates are fractions) and their variable pay base."""

    employee_id: str
    week_start: date
    variable_base: Decimal | None
    operator_rating: Decimal | None
    favorites_rate: Decimal | None
    ctr: Decimal | None
    order_rate: Decimal | None
    repurchase_rate: Decimal | None
    days_in_role: int = DAYS_IN_WEEK


@dataclass(frozen=True)
class OperatorWeek:
    """An operator's week: department conversion and the design metrics of the creatives on their products."""

    employee_id: str
    week_start: date
    variable_base: Decimal | None
    department_conversion_rate: Decimal | None
    ctr: Decimal | None
    avg_dwell_seconds: Decimal | None
    days_in_role: int = DAYS_IN_WEEK


@dataclass(frozen=True)
class CompositeScore:
    score: Decimal
    components: Mapping[str, Decimal]
    metric_scores: Mapping[str, Decimal]
    actuals: Mapping[str, Decimal] = field(default_factory=dict)  # the inputs each metric score was computed from
    targets: Mapping[str, Decimal] = field(default_factory=dict)  # and what they were measured against


def designer_score(week: DesignerWeek, rules: JointIncentiveRules, targets: JointTargets) -> CompositeScore:
    """Designer = quality weight x design quality + contribution weight x conversion contribution."""
    cap, weights = rules.metric_score_cap, rules.designer
    metrics = {
        "operator_rating": rating_score(week.operator_rating, rules.operator_rating_max),
        "favorites_rate": metric_score(week.favorites_rate, targets.favorites_rate, cap, "favorites_rate"),
        "ctr": metric_score(week.ctr, targets.ctr, cap, "ctr"),
        "order_rate": metric_score(week.order_rate, targets.order_rate, cap, "order_rate"),
        "repurchase_rate": metric_score(week.repurchase_rate, targets.repurchase_rate, cap, "repurchase_rate"),
    }
    quality = weights.design_quality
    contribution = weights.conversion_contribution
    components = {
        "design_quality": quality.operator_rating * metrics["operator_rating"]
        + quality.favorites_rate * metrics["favorites_rate"]
        + quality.ctr * metrics["ctr"],
        "conversion_contribution": contribution.order_rate * metrics["order_rate"]
        + contribution.repurchase_rate * metrics["repurchase_rate"],
    }
    score = (
        weights.design_quality_weight * components["design_quality"]
        + weights.conversion_contribution_weight * components["conversion_contribution"]
    )
    return CompositeScore(score, components, metrics, *_inputs(week, metrics, targets))


def operator_score(week: OperatorWeek, rules: JointIncentiveRules, targets: JointTargets) -> CompositeScore:
    """Operator = effect weight x s(department conversion) + collaboration weight x design collaboration."""
    cap, weights = rules.metric_score_cap, rules.operator
    metrics = {
        "department_conversion_rate": metric_score(
            week.department_conversion_rate, targets.department_conversion_rate, cap, "department_conversion_rate"
        ),
        "ctr": metric_score(week.ctr, targets.ctr, cap, "ctr"),
        "avg_dwell_seconds": metric_score(week.avg_dwell_seconds, targets.avg_dwell_seconds, cap, "avg_dwell_seconds"),
    }
    collaboration = weights.design_collaboration
    components = {
        "conversion_effect": metrics["department_conversion_rate"],
        "design_collaboration": collaboration.ctr * metrics["ctr"]
        + collaboration.avg_dwell_seconds * metrics["avg_dwell_seconds"],
    }
    score = (
        weights.conversion_effect_weight * components["conversion_effect"]
        + weights.design_collaboration_weight * components["design_collaboration"]
    )
    return CompositeScore(score, components, metrics, *_inputs(week, metrics, targets))


def _inputs(
    week: DesignerWeek | OperatorWeek, metrics: Mapping[str, Decimal], targets: JointTargets
) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """The actual and target behind each metric score (already validated by scoring), for the score row."""
    actuals = {name: _number(getattr(week, name), name) for name in metrics}
    chosen = {name: getattr(targets, name) for name in metrics if hasattr(targets, name)}
    return actuals, chosen


def joint_pay(variable_base: object, score: Decimal, days: object = DAYS_IN_WEEK) -> Decimal:
    """Pay = variable base x score / 100 x days in role / 7, to the cent (from the exact score, rounded once).

    A full week (7 days) is the unprorated pay; fewer days never pay more, and 0 days pay nothing.
    """
    base = _number(variable_base, "variable_base")
    if base < 0:
        raise JointInputError(f"variable_base must not be negative, got {base}")
    return round_money(base * score / HUNDRED * _days(days) / DAYS_IN_WEEK)


def _days(days: object) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= DAYS_IN_WEEK:
        raise JointInputError(f"days_in_role must be a whole number of days from 0 to {DAYS_IN_WEEK}, got {days!r}")
    return days


@dataclass(frozen=True)
class JointResult:
    employee_id: str
    week_start: date
    role: JointRole
    score: Decimal
    components: Mapping[str, Decimal]
    metric_scores: Mapping[str, Decimal]
    variable_base: Decimal
    pay: Decimal
    days_in_role: int = DAYS_IN_WEEK
    actuals: Mapping[str, Decimal] = field(default_factory=dict)
    targets: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def full_week_pay(self) -> Decimal:
        """What a whole week in the role would have paid (``pay`` before proration)."""
        return joint_pay(self.variable_base, self.score)

    def as_record(self) -> dict[str, object]:
        """A flat row for ``scoring.score_joint_incentive_weekly`` (the caller adds plan_version and plan_hash).

        ``components_json`` holds everything the score was computed from: component and metric scores, the
        actuals and the targets; ``days_in_role`` shows the proration (pay = base x score / 100 x days / 7).
        """
        explained = {
            "components": {name: str(round_places(v, SCORE_PLACES)) for name, v in self.components.items()},
            "metric_scores": {name: str(round_places(v, SCORE_PLACES)) for name, v in self.metric_scores.items()},
            "actuals": {name: str(v) for name, v in self.actuals.items()},
            "targets": {name: str(v) for name, v in self.targets.items()},
        }
        return {
            "employee_id": self.employee_id,
            "week_start": self.week_start,
            "role": str(self.role),
            "score": round_places(self.score, SCORE_PLACES),
            "variable_base": self.variable_base,
            "days_in_role": self.days_in_role,
            "pay": self.pay,
            "components_json": json.dumps(explained, sort_keys=True),
        }


@dataclass(frozen=True)
class RejectedJointInput:
    input: DesignerWeek | OperatorWeek
    reason: str


def score_joint_week(
    designers: Iterable[DesignerWeek],
    operators: Iterable[OperatorWeek],
    plan: Plan,
    targets: JointTargets | None = None,
) -> tuple[list[JointResult], list[RejectedJointInput]]:
    """Score and pay every designer and operator; a week with a bad or missing number comes back with its reason.

    ``targets`` overrides the plan's default targets (e.g. per project); a zero or missing target is rejected.
    """
    rules = plan.joint_incentive
    chosen = targets or rules.default_targets
    results: list[JointResult] = []
    rejected: list[RejectedJointInput] = []
    people: list[tuple[JointRole, DesignerWeek | OperatorWeek]] = [
        *((JointRole.DESIGNER, week) for week in designers),
        *((JointRole.OPERATOR, week) for week in operators),
    ]
    for role, week in people:
        try:
            if isinstance(week, DesignerWeek):
                composite = designer_score(week, rules, chosen)
            else:
                composite = operator_score(week, rules, chosen)
            pay = joint_pay(week.variable_base, composite.score, week.days_in_role)
        except JointInputError as error:
            rejected.append(RejectedJointInput(week, error.reason))
            continue
        results.append(
            JointResult(
                employee_id=week.employee_id,
                week_start=week.week_start,
                role=role,
                score=composite.score,
                components=composite.components,
                metric_scores=composite.metric_scores,
                variable_base=round_money(to_decimal(week.variable_base)),
                pay=pay,
                days_in_role=week.days_in_role,
                actuals=composite.actuals,
                targets=composite.targets,
            )
        )
    results.sort(key=lambda result: (result.employee_id, str(result.week_start), result.role))
    return results, rejected


@dataclass(frozen=True)
class CreativeWeek:
    """One creative's week from ``marts.fct_creative_performance_weekly`` (the columns the rollups need)."""

    creative_id: str
    impressions: Decimal
    clicks: Decimal
    avg_dwell_seconds: Decimal
    favorites: Decimal
    sessions: Decimal
    credited_orders: Decimal
    repurchase_rate: Decimal
    operator_rating: Decimal | None = None


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal:
    return numerator / denominator if denominator > 0 else ZERO


_COUNTED = ("impressions", "clicks", "avg_dwell_seconds", "favorites", "sessions", "credited_orders", "repurchase_rate")


def _counts(creatives: Sequence[CreativeWeek]) -> list[dict[str, Decimal]]:
    rows = []
    for creative in creatives:
        row = {
            name: _number(getattr(creative, name), f"{name} of creative {creative.creative_id}") for name in _COUNTED
        }
        negative = [name for name, value in row.items() if value < 0]
        if negative:
            raise JointInputError(f"creative {creative.creative_id}: {', '.join(negative)} must not be negative")
        rows.append(row)
    return rows


def _sum(rows: Sequence[dict[str, Decimal]], name: str, weight: str | None = None) -> Decimal:
    return sum((row[name] * (row[weight] if weight else 1) for row in rows), ZERO)


def designer_week_from_creatives(
    employee_id: str, week_start: date, variable_base: Decimal | None, creatives: Sequence[CreativeWeek]
) -> DesignerWeek:
    """Roll a designer's creatives up to one week: rates are ratios of sums, so a big creative weighs more.

    CTR = clicks / impressions, favorites and order rate per session, repurchase rate weighted by credited
    orders, operator rating the mean of the rated creatives (``None`` when none is rated, which is rejected).
    """
    rows = _counts(creatives)
    ratings = [_number(c.operator_rating, "operator_rating") for c in creatives if c.operator_rating is not None]
    credited, sessions = _sum(rows, "credited_orders"), _sum(rows, "sessions")
    return DesignerWeek(
        employee_id=employee_id,
        week_start=week_start,
        variable_base=variable_base,
        operator_rating=sum(ratings, ZERO) / len(ratings) if ratings else None,
        favorites_rate=_ratio(_sum(rows, "favorites"), sessions),
        ctr=_ratio(_sum(rows, "clicks"), _sum(rows, "impressions")),
        order_rate=_ratio(credited, sessions),
        repurchase_rate=_ratio(_sum(rows, "repurchase_rate", weight="credited_orders"), credited),
    )


def operator_week_from_creatives(
    employee_id: str,
    week_start: date,
    variable_base: Decimal | None,
    department_conversion_rate: Decimal | None,
    creatives: Sequence[CreativeWeek],
) -> OperatorWeek:
    """Roll up the creatives on an operator's products: CTR = clicks / impressions, dwell weighted by clicks."""
    rows = _counts(creatives)
    clicks = _sum(rows, "clicks")
    return OperatorWeek(
        employee_id=employee_id,
        week_start=week_start,
        variable_base=variable_base,
        department_conversion_rate=department_conversion_rate,
        ctr=_ratio(clicks, _sum(rows, "impressions")),
        avg_dwell_seconds=_ratio(_sum(rows, "avg_dwell_seconds", weight="clicks"), clicks),
    )


@dataclass(frozen=True)
class Contribution:
    """A person's credit on a project in a week: credited orders (fractional, split by clicks in dbt)."""

    employee_id: str
    role: str
    credited_orders: Decimal


@dataclass(frozen=True)
class PoolShare:
    project_id: str
    week_start: date
    employee_id: str
    role: JointRole
    credited_orders: Decimal
    amount: Decimal

    def as_record(self) -> dict[str, object]:
        """A flat row for ``scoring.score_project_pool_weekly`` (the caller adds plan_version and plan_hash)."""
        return {
            "project_id": self.project_id,
            "week_start": self.week_start,
            "employee_id": self.employee_id,
            "role": str(self.role),
            "credited_orders": self.credited_orders,
            "amount": self.amount,
        }


@dataclass(frozen=True)
class PoolAllocation:
    project_id: str
    week_start: date
    profit: Decimal
    pool: Decimal
    role_pools: Mapping[str, Decimal]
    shares: tuple[PoolShare, ...]
    unallocated: Decimal = ZERO
    notes: tuple[str, ...] = ()


def merge_contributions(contributions: Iterable[Contribution]) -> list[Contribution]:
    """One contribution per person and role, their credit summed (e.g. a mart with a row per product line).

    ``allocate_project_pool`` refuses a person listed twice in a role; this is how callers reading several rows per
    person combine them first. Order follows each person's first appearance.
    """
    merged: dict[tuple[str, str], Decimal] = {}
    for contribution in contributions:
        key = (contribution.employee_id, contribution.role)
        credited = _number(contribution.credited_orders, f"credited_orders of {contribution.employee_id}")
        merged[key] = merged.get(key, ZERO) + credited
    return [Contribution(employee_id, role, credited) for (employee_id, role), credited in merged.items()]


def _contributions_by_role(contributions: Iterable[Contribution]) -> dict[JointRole, dict[str, Decimal]]:
    by_role: dict[JointRole, dict[str, Decimal]] = {role: {} for role in JointRole}
    for contribution in contributions:
        if contribution.role not in set(JointRole):
            raise JointInputError(
                f"{contribution.employee_id}: role must be designer or operator, got {contribution.role!r}"
            )
        role = JointRole(contribution.role)
        credited = _number(contribution.credited_orders, f"credited_orders of {contribution.employee_id}")
        if credited < 0:
            raise JointInputError(f"credited_orders of {contribution.employee_id} must not be negative, got {credited}")
        if contribution.employee_id in by_role[role]:
            raise JointInputError(f"{contribution.employee_id} is listed twice as {role}; sum their credit first")
        by_role[role][contribution.employee_id] = credited
    return by_role


def allocate_project_pool(
    project_id: str, week_start: date, profit: object, contributions: Iterable[Contribution], plan: Plan
) -> PoolAllocation:
    """Share of a positive profit, split between roles by weight and inside a role by credited orders.

    A role with no credited orders this week passes its part to the other role (the pool rewards whoever
    produced the result); with nobody credited at all the pool stays ``unallocated``. Raises ``JointInputError``.
    """
    rules = plan.project_pool
    profit_value = _number(profit, f"profit of project {project_id}")
    by_role = _contributions_by_role(contributions)
    pool = round_money(rules.share_of_profit * max(profit_value, ZERO))
    if pool == 0:
        note = "no positive profit" if profit_value <= 0 else "the pool rounds to 0.00"
        return PoolAllocation(project_id, week_start, profit_value, pool, {}, (), notes=(note,))

    active = {role: members for role, members in by_role.items() if sum(members.values(), ZERO) > 0}
    if not active:
        note = "nobody has credited orders on the project this week: the pool is not paid out"
        return PoolAllocation(project_id, week_start, profit_value, pool, {}, (), unallocated=pool, notes=(note,))
    notes = tuple(f"no credited {role}s: their part goes to the other role" for role in JointRole if role not in active)

    role_weights = {role: getattr(rules.role_weights, role) for role in active}
    if sum(role_weights.values(), ZERO) == 0:
        role_weights = dict.fromkeys(active, Decimal(1))
    role_pools = allocate_largest_remainder(pool, role_weights)
    shares = [
        PoolShare(project_id, week_start, employee_id, role, by_role[role][employee_id], amount)
        for role, role_pool in sorted(role_pools.items())
        for employee_id, amount in sorted(allocate_largest_remainder(role_pool, by_role[role]).items())
    ]
    return PoolAllocation(
        project_id,
        week_start,
        profit_value,
        pool,
        {str(r): v for r, v in role_pools.items()},
        tuple(shares),
        notes=notes,
    )
