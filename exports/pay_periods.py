"""Pay periods: weekly scores rolled up into the period a payroll target pays (a week or a month).

A month is the set of ISO weeks whose **Thursday** falls in it (the ISO 8601 rule that decides which year a week
belongs to, applied to months). Every week therefore belongs to exactly one month, a week is never split across
two payslips, and a month has 4 or 5 weeks: the week of Mon 2026-06-29 (Thursday 07-02) is paid in 2026-07,
and the week of Mon 2026-07-27 (Thursday 07-30) is paid in 2026-07 too, although it ends on 08-02.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal, get_args

from exports.payroll import PayrollLineInput, PayrollLineRecord, read_line

PayFrequency = Literal["weekly", "monthly"]
PAY_FREQUENCIES: tuple[str, ...] = get_args(PayFrequency)
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_WEEK = timedelta(days=7)
_MONDAY_TO_THURSDAY = timedelta(days=3)
# Separators of the compact source_ref list (see ``compact_source_refs``).
REF_GROUP_SEPARATOR = ";"
REF_WEEK_SEPARATOR = ","
PLAN_VERSION_SEPARATOR = "+"


def pay_period_of(week_start: date, frequency: PayFrequency) -> str:
    """The pay period holding the ISO week that starts on ``week_start``: ``2026-11-02`` (weekly) or ``2026-11``."""
    _check_monday(week_start)
    if frequency == "weekly":
        return week_start.isoformat()
    if frequency == "monthly":
        thursday = week_start + _MONDAY_TO_THURSDAY
        return f"{thursday.year:04d}-{thursday.month:02d}"
    raise ValueError(f"pay frequency {frequency!r} is not one of {list(PAY_FREQUENCIES)}")


def weeks_of_period(period: str, frequency: PayFrequency) -> list[date]:
    """The Mondays of the weeks paid in ``period``, oldest first (what to load before ``roll_up``)."""
    if frequency == "weekly":
        week = _parse_week(period)
        return [week]
    if frequency == "monthly":
        match = _MONTH.fullmatch(period)
        if match is None or not 1 <= int(match[2]) <= 12:
            raise ValueError(f"monthly pay period {period!r} is not 'YYYY-MM'")
        year, month = int(match[1]), int(match[2])
        first = date(year, month, 1)
        first_thursday = first + timedelta(days=(3 - first.weekday()) % 7)
        weeks = []
        thursday = first_thursday
        while thursday.month == month:
            weeks.append(thursday - _MONDAY_TO_THURSDAY)
            thursday += _WEEK
        return weeks
    raise ValueError(f"pay frequency {frequency!r} is not one of {list(PAY_FREQUENCIES)}")


def period_start(period: str, frequency: PayFrequency) -> date:
    """The Monday the period's first week starts on: a fixed date to stamp a period's files with."""
    return weeks_of_period(period, frequency)[0]


def roll_up(lines: Iterable[PayrollLineInput], frequency: PayFrequency) -> list[PayrollLineRecord]:
    """Sum weekly payroll lines into their pay period, one line per employee, component, currency, unit and plan.

    Input lines carry the week's Monday as ``pay_period`` (as ``scoring.payroll_line`` does). A period whose weeks
    were scored under different plan versions keeps **one line per plan version** rather than merging them, so
    the file and its manifest show that the period mixes plans. Amounts are summed exactly; a quantity is the sum
    of the weeks' quantities, or None when no week had one; ``source_ref`` lists the weekly refs compactly (see
    ``compact_source_refs``). Output is sorted by period, employee, component, currency, unit and plan version.
    """
    groups: dict[tuple[str, str, str, str, str, str], list[PayrollLineRecord]] = defaultdict(list)
    for raw in lines:
        line = read_line(raw)
        week = _parse_week(line.pay_period, f"line {line.source_ref or line.employee_id}")
        period = pay_period_of(week, frequency)
        key = (period, line.employee_id, line.component_code, line.currency, line.unit or "", line.plan_version)
        groups[key].append(line)

    rolled = []
    for key in sorted(groups):
        period, employee_id, component_code, currency, unit, plan_version = key
        weekly = groups[key]
        quantities = [line.quantity for line in weekly if line.quantity is not None]
        rolled.append(
            PayrollLineRecord(
                employee_id=employee_id,
                pay_period=period,
                component_code=component_code,
                amount=sum((line.amount for line in weekly), Decimal(0)),
                currency=currency,
                quantity=sum(quantities, Decimal(0)) if quantities else None,
                unit=unit or None,
                plan_version=plan_version,
                source_ref=compact_source_refs((line.pay_period, line.source_ref) for line in weekly),
            )
        )
    return rolled


def join_plan_versions(versions: Iterable[str]) -> str:
    """Distinct plan versions, sorted and joined with ``+`` (``2026.1+2026.2``): how a mixed period is labelled."""
    return PLAN_VERSION_SEPARATOR.join(
        sorted({part for version in versions for part in version.split(PLAN_VERSION_SEPARATOR) if part})
    )


def compact_source_refs(refs: Iterable[tuple[str, str]]) -> str:
    """``(week, ref)`` pairs as one short text: refs differing only in their week share one entry.

    ``score_goal_attainment_weekly:2026-06-29:E1`` and ``...:2026-07-06:E1`` become
    ``score_goal_attainment_weekly:2026-06-29,2026-07-06:E1``; entries that differ otherwise are joined with ``;``
    in sorted order, so the text does not depend on input order.
    """
    weeks_by_template: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for week, ref in refs:
        if not ref:
            continue
        parts = tuple("{week}" if part == week else part for part in ref.split(":"))
        weeks_by_template[parts].add(week if "{week}" in parts else "")
    entries = []
    for parts, weeks in weeks_by_template.items():
        joined_weeks = REF_WEEK_SEPARATOR.join(sorted(weeks))
        entries.append(":".join(joined_weeks if part == "{week}" else part for part in parts))
    return REF_GROUP_SEPARATOR.join(sorted(set(entries)))


def _parse_week(value: str, what: str = "weekly pay period") -> date:
    try:
        week = date.fromisoformat(value)
    except ValueError:
        week = None
    if week is None or week.isoformat() != value:  # 3.11 also accepts '20261102' and week dates: keep one form
        raise ValueError(f"{what}: pay_period {value!r} is not a week's Monday (YYYY-MM-DD)")
    _check_monday(week, what)
    return week


def _check_monday(week_start: date, what: str = "week") -> None:
    if week_start.weekday() != 0:
        raise ValueError(f"{what}: {week_start.isoformat()} is a {week_start:%A}, not the Monday an ISO week starts on")
