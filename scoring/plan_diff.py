"""What a plan change would have paid: the same weeks' payroll lines under two plans, compared exactly.

Pure: the caller scores each week twice (``orchestration/plan_diff.py`` re-runs the weekly scoring with each plan)
and hands both sets of ``PayrollLine``s here. Money lines compare amounts; hours lines (overtime, extra leave) carry
no amount and compare their quantities instead. Totals add money only, as Decimals, so they are exact.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from scoring.payroll_lines import PayrollLine

ZERO = Decimal("0.00")
Measure = Literal["amount", "quantity"]


@dataclass(frozen=True)
class DiffRow:
    """One employee's component in one week (``week_start`` None: summed over the weeks) under both plans."""

    week_start: date | None
    employee_id: str
    component_code: str
    measure: Measure  # amount: money in ``unit`` (the currency); quantity: e.g. hours
    unit: str
    old: Decimal
    new: Decimal

    @property
    def delta(self) -> Decimal:
        return self.new - self.old


@dataclass(frozen=True)
class WeekTotal:
    week_start: date
    old: Decimal
    new: Decimal

    @property
    def delta(self) -> Decimal:
        return self.new - self.old


@dataclass(frozen=True)
class PlanDiff:
    rows: tuple[DiffRow, ...]  # every week, employee and component either plan pays, sorted
    weeks: tuple[WeekTotal, ...]  # money per week, oldest first (weeks without lines included)
    currency: str

    @property
    def old_total(self) -> Decimal:
        return sum((week.old for week in self.weeks), ZERO)

    @property
    def new_total(self) -> Decimal:
        return sum((week.new for week in self.weeks), ZERO)

    @property
    def delta_total(self) -> Decimal:
        return self.new_total - self.old_total

    def changed(self) -> list[DiffRow]:
        return [row for row in self.rows if row.delta != 0]

    def by_employee_component(self) -> list[DiffRow]:
        """The rows summed over the weeks: what each employee's component would have paid in total."""
        sums: dict[tuple[str, str, Measure, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
        for row in self.rows:
            both = sums[(row.employee_id, row.component_code, row.measure, row.unit)]
            both[0] += row.old
            both[1] += row.new
        return [DiffRow(None, *key, old, new) for key, (old, new) in sorted(sums.items())]


def _measured(line: PayrollLine) -> tuple[Measure, str, Decimal]:
    if line.quantity is not None:
        return "quantity", line.unit or "", line.quantity
    return "amount", line.currency, line.amount


def diff_payroll_lines(
    old_lines: Iterable[PayrollLine], new_lines: Iterable[PayrollLine], weeks: Iterable[date] = ()
) -> PlanDiff:
    """Compare two scorings of the same weeks, line by line (lines of one key are summed: several pool shares).

    ``weeks`` are listed in the totals even when neither side pays anything in them. Raises ``ValueError`` when
    the lines are in more than one currency (their totals could not be added).
    """
    sums: dict[tuple[date, str, str, Measure, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    currencies: set[str] = set()
    all_weeks = set(weeks)
    for side, lines in ((0, old_lines), (1, new_lines)):
        for line in lines:
            week = date.fromisoformat(line.pay_period)
            measure, unit, value = _measured(line)
            if measure == "amount":
                currencies.add(line.currency)
            sums[(week, line.employee_id, line.component_code, measure, unit)][side] += value
            all_weeks.add(week)
    if len(currencies) > 1:
        raise ValueError(f"the plans pay in different currencies ({', '.join(sorted(currencies))}): no total adds them")
    rows = tuple(DiffRow(*key, old, new) for key, (old, new) in sorted(sums.items()))
    totals = {week: [ZERO, ZERO] for week in all_weeks}
    for row in rows:
        if row.measure == "amount" and row.week_start is not None:
            totals[row.week_start][0] += row.old
            totals[row.week_start][1] += row.new
    return PlanDiff(
        rows=rows,
        weeks=tuple(WeekTotal(week, old, new) for week, (old, new) in sorted(totals.items())),
        currency=next(iter(currencies), ""),
    )
