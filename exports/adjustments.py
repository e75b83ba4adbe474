"""Adjustments: a period recomputed after its file was released is paid the difference, never a second time.

``released_lines`` are the lines already paid for the period: the lines written to the released full file plus
those of every adjustment released since (the ``lines`` of each ``PeriodExport``, not the lines it was rendered
from, so an employee rejected then is paid in full once they have a payroll id). The adjustment holds, per
employee, component, currency and unit, what is owed now minus what was paid; unchanged pay yields no line, and
pay that disappeared yields a negative line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from exports.pay_periods import REF_GROUP_SEPARATOR, join_plan_versions
from exports.payroll import PayrollLineInput, PayrollLineRecord, read_line

_Key = tuple[str, str, str, str]  # employee_id, component_code, currency, unit ("" for none)


def adjustment_lines(
    released_lines: Iterable[PayrollLineInput], current_lines: Iterable[PayrollLineInput]
) -> list[PayrollLineRecord]:
    """The deltas ``current - released`` of one pay period, sorted; an empty list when nothing changed.

    Plan versions are not part of the key: a period rescored under a new plan adjusts the same pay items. A
    delta line names the current lines' plan versions and source refs (the released ones for pay that
    disappeared). Quantities (hours) are adjusted like amounts; a quantity is None only when neither side had one.
    """
    released = _grouped(released_lines)
    current = _grouped(current_lines)
    periods = {line.pay_period for lines in (*released.values(), *current.values()) for line in lines}
    if len(periods) > 1:
        raise ValueError(f"an adjustment is for one pay period, but the lines span {sorted(periods)}")

    deltas = []
    for key in sorted(released.keys() | current.keys()):
        paid, owed = released.get(key, []), current.get(key, [])
        amount = _total_amount(owed) - _total_amount(paid)
        paid_hours, owed_hours = _total_quantity(paid), _total_quantity(owed)
        quantity = (
            None
            if paid_hours is None and owed_hours is None
            else (owed_hours or Decimal(0)) - (paid_hours or Decimal(0))
        )
        if amount == 0 and not quantity:
            continue
        employee_id, component_code, currency, unit = key
        explained_by = owed or paid
        deltas.append(
            PayrollLineRecord(
                employee_id=employee_id,
                pay_period=explained_by[0].pay_period,
                component_code=component_code,
                amount=amount,
                currency=currency,
                quantity=quantity,
                unit=unit or None,
                plan_version=join_plan_versions(line.plan_version for line in explained_by),
                source_ref=_joined_refs(explained_by),
            )
        )
    return deltas


def _grouped(lines: Iterable[PayrollLineInput]) -> dict[_Key, list[PayrollLineRecord]]:
    groups: dict[_Key, list[PayrollLineRecord]] = defaultdict(list)
    for raw in lines:
        line = read_line(raw)
        groups[(line.employee_id, line.component_code, line.currency, line.unit or "")].append(line)
    return groups


def _total_amount(lines: list[PayrollLineRecord]) -> Decimal:
    return sum((line.amount for line in lines), Decimal(0))


def _total_quantity(lines: list[PayrollLineRecord]) -> Decimal | None:
    quantities = [line.quantity for line in lines if line.quantity is not None]
    return sum(quantities, Decimal(0)) if quantities else None


def _joined_refs(lines: list[PayrollLineRecord]) -> str:
    refs = {ref for line in lines for ref in line.source_ref.split(REF_GROUP_SEPARATOR) if ref}
    return REF_GROUP_SEPARATOR.join(sorted(refs))
