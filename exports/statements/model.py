"""What an employee statement says: plain, frozen facts, Decimal throughout, no formatting.

A statement is built so that every amount on it is explained: each payroll line names (``source_ref``) the block
that produced it, each block shows its inputs and every step of its formula, and the grand total is the sum of the
payroll lines. A statement whose numbers do not add up cannot be constructed (``StatementError``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal("0")


class StatementError(ValueError):
    """The rows cannot be explained as a statement (they do not add up, or a link is missing)."""


@dataclass(frozen=True)
class Employee:
    employee_id: str
    name: str
    payroll_id: str | None
    department: str | None
    role: str | None


@dataclass(frozen=True)
class PlanRef:
    """The plan a block was computed with: its version and the sha256 of the plan file's bytes."""

    version: str
    sha256: str


@dataclass(frozen=True)
class Step:
    """One line of working: ``name`` keys its label and formula text, ``working`` is the formula with the numbers
    filled in (language neutral), ``result`` is what it gives.

    ``approximate`` says that redoing ``working`` by hand does not give ``result`` to the last digit, because the
    numbers shown are rounded (the result came from exact values) or cents were handed out by largest remainder.
    """

    name: str
    working: str
    result: Decimal
    approximate: bool = False


@dataclass(frozen=True)
class GoalItemFact:
    """One goal of the week as scored: the ratio is actual / target (target / actual when lower is better)."""

    metric: str
    unit: str | None
    direction: str
    target: Decimal
    actual: Decimal
    weight: Decimal
    ratio_working: str
    ratio: Decimal
    capped_ratio: Decimal
    capped: bool
    issue_keys: tuple[str, ...] = ()
    source_refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class BandDecision:
    """Why the band is what it is: the comparison against the plan's thresholds (and last week's attainment)."""

    band: str
    working: str
    threshold: Decimal | None
    previous_attainment: Decimal | None


@dataclass(frozen=True)
class GoalWeek:
    ref: str
    week_start: date
    plan: PlanRef
    role: str | None
    items: tuple[GoalItemFact, ...]
    ratio_cap: Decimal
    attainment: Decimal
    attainment_uncapped: Decimal
    band: BandDecision
    base_bonus: Decimal
    payout_multiplier: Decimal
    bonus: Decimal
    extra_leave_hours: Decimal
    streak_weeks: int
    excellence_certificate: bool
    weakest_metric: str
    reason_codes: tuple[str, ...]
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class SubScore:
    """A metric score (0..100 x cap) with its weight inside its component; ``target`` is the plan's, if any."""

    metric: str
    weight: Decimal
    score: Decimal
    weighted: Decimal
    target: Decimal | None


@dataclass(frozen=True)
class JointComponent:
    name: str
    weight: Decimal
    value: Decimal
    sub_scores: tuple[SubScore, ...]


@dataclass(frozen=True)
class JointWeek:
    ref: str
    week_start: date
    plan: PlanRef
    role: str
    metric_score_cap: Decimal
    components: tuple[JointComponent, ...]
    score: Decimal
    variable_base: Decimal
    pay: Decimal
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class PoolShareFact:
    ref: str
    week_start: date
    plan: PlanRef
    project_id: str
    role: str
    revenue: Decimal | None
    cost: Decimal | None
    ad_spend: Decimal | None
    profit: Decimal
    share_of_profit: Decimal
    pool: Decimal
    role_weight: Decimal
    role_pool: Decimal
    credited_orders: Decimal
    role_credited_orders: Decimal
    amount: Decimal
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class AttendanceWeek:
    ref: str
    week_start: date
    plan: PlanRef
    days_scheduled: int
    scheduled_hours: Decimal
    worked_minutes: int
    worked_hours: Decimal
    weekly_hours_cap: int
    overtime_hours: Decimal
    days_present: int
    days_absent: int
    days_late: int
    late_minutes: int
    days_early_leave: int
    early_leave_minutes: int
    days_on_leave: int
    days_missing_checkout: int
    reason_codes: tuple[str, ...]
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class RedeemedLeave:
    """Leave a points redemption granted (a ``scoring.points_redemptions`` row): hours on the payroll, never money.
    ``leave_hours`` is checked against the plan's catalog item, so the hours shown are the ones that were bought."""

    ref: str
    week_start: date
    plan: PlanRef
    request_id: str
    item_code: str
    item_name: str
    points: int | None
    leave_hours: Decimal


@dataclass(frozen=True)
class WeekSection:
    """Everything that happened in one ISO week of the pay period, for this person."""

    week_start: date
    goal: GoalWeek | None = None
    joint: tuple[JointWeek, ...] = ()
    pool_shares: tuple[PoolShareFact, ...] = ()
    attendance: AttendanceWeek | None = None
    redeemed_leave: tuple[RedeemedLeave, ...] = ()


@dataclass(frozen=True)
class StatementLine:
    """A ``payroll_line`` row; ``component`` is the plan's name for its code, ``source_ref`` the block behind it."""

    component: str
    component_code: str
    amount: Decimal
    currency: str
    quantity: Decimal | None
    unit: str | None
    week_start: date
    plan_version: str
    source_ref: str


@dataclass(frozen=True)
class QuantityTotal:
    component: str
    component_code: str
    unit: str | None
    quantity: Decimal


@dataclass(frozen=True)
class LeaveFromPoints:
    """The period's leave redeemed with activity points: total hours and the redemption requests behind them."""

    component_code: str
    hours: Decimal
    unit: str | None
    request_ids: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    """One employee's pay period. Constructing it checks the grand total against the payroll lines."""

    employee: Employee
    pay_period: str
    period_weeks: tuple[date, ...]
    weeks: tuple[WeekSection, ...]
    plans: tuple[PlanRef, ...]
    lines: tuple[StatementLine, ...]
    currency: str
    grand_total: Decimal
    quantity_totals: tuple[QuantityTotal, ...]
    leave_from_points: LeaveFromPoints | None = None

    def __post_init__(self) -> None:
        lines_total = sum((line.amount for line in self.lines), ZERO)
        if self.grand_total != lines_total:
            raise StatementError(
                f"statement of {self.employee.employee_id} for {self.pay_period}: grand total {self.grand_total} "
                f"is not the sum of its payroll lines ({lines_total})"
            )
        if self.leave_from_points is not None:
            code = self.leave_from_points.component_code
            hours = sum((line.quantity or ZERO for line in self.lines if line.component_code == code), ZERO)
            if hours != self.leave_from_points.hours:
                raise StatementError(
                    f"statement of {self.employee.employee_id} for {self.pay_period}: leave from points "
                    f"{self.leave_from_points.hours} h is not the sum of its {code} lines ({hours} h)"
                )
        currencies = sorted({line.currency for line in self.lines} - {self.currency})
        if currencies:
            raise StatementError(
                f"statement of {self.employee.employee_id} for {self.pay_period} is in {self.currency}, "
                f"but lines are in {', '.join(currencies)}"
            )
