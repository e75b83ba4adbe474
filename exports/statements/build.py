"""Statements from warehouse rows: every payroll line linked to the block that explains it, and checked against it.

The caller reads the rows (``scoring.payroll_line``, the ``scoring.score_*`` tables, ``marts.fct_attendance_weekly``,
``marts.fct_goal_progress_weekly``, ``marts.fct_project_profit_weekly``, ``marts.dim_employee``) and passes them
as dicts. Linking is strict both ways: a payroll line no block explains, a block whose amount has no payroll line,
or a line whose amount or quantity differs from its block's result is a ``StatementError``, never a document.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from exports.statements import records as r
from exports.statements.explain import (
    explain_attendance_week,
    explain_goal_week,
    explain_joint_week,
    explain_pool_share,
)
from exports.statements.model import (
    ZERO,
    AttendanceWeek,
    Employee,
    GoalWeek,
    JointWeek,
    LeaveFromPoints,
    PlanRef,
    PoolShareFact,
    QuantityTotal,
    RedeemedLeave,
    Statement,
    StatementError,
    StatementLine,
    WeekSection,
)
from exports.statements.records import Record
from scoring.plan import Plan

Block = GoalWeek | JointWeek | PoolShareFact | AttendanceWeek | RedeemedLeave


@dataclass(frozen=True)
class RejectedStatement:
    """An employee whose statement could not be built, with why (the caller lists it; nobody is skipped silently)."""

    employee_id: str
    reason: str


@dataclass(frozen=True)
class _Expected:
    """What a block puts on the payroll: one line per component, with its amount and (hours) quantity."""

    block: Block
    component: str
    amount: Decimal
    quantity: Decimal | None


@dataclass
class _PersonRows:
    lines: list[Record] = field(default_factory=list)
    goals: list[Record] = field(default_factory=list)
    joint: list[Record] = field(default_factory=list)
    pool: list[Record] = field(default_factory=list)
    attendance: list[Record] = field(default_factory=list)
    progress: list[Record] = field(default_factory=list)
    redemptions: list[Record] = field(default_factory=list)


@dataclass(frozen=True)
class _Shared:
    """Rows shared by everybody in the period: plans by hash, project shares and profits by (project, week)."""

    plans: Mapping[str, Plan]
    project_shares: Mapping[tuple[str, date], Sequence[Record]]
    profits: Mapping[tuple[str, date], Record]
    weeks: tuple[date, ...] | None


def build_statement(
    employee: Record,
    pay_period: str,
    plans: Iterable[Plan],
    *,
    payroll_lines: Iterable[Record] = (),
    goal_rows: Iterable[Record] = (),
    joint_rows: Iterable[Record] = (),
    pool_rows: Iterable[Record] = (),
    project_profits: Iterable[Record] = (),
    attendance_rows: Iterable[Record] = (),
    goal_progress_rows: Iterable[Record] = (),
    redemption_rows: Iterable[Record] = (),
    weeks: Iterable[date] | None = None,
) -> Statement:
    """The statement of one employee (a ``dim_employee`` row) for ``pay_period``; raises ``StatementError``.

    Rows of other employees are ignored, except ``pool_rows``: pass every share of the projects this person shares
    in (all roles, all people), since a share is explained by the project's whole split. ``plans`` must include
    every plan the rows were scored with (matched by ``plan_hash``). Any component may be absent.

    ``payroll_lines`` are the weekly ``scoring.payroll_line`` rows (``pay_period`` is the week's Monday, or
    ``pay_period`` itself), not lines rolled up into a month: each must name its own score row. For a period
    longer than a week pass its Mondays as ``weeks`` (``exports.pay_periods.weeks_of_period``): a row of any other
    week is then an error, and the statement lists every week of the period. ``redemption_rows`` are
    ``scoring.points_redemptions`` rows: each granted leave request explains its ``REDEEMED_LEAVE_HOURS`` line.
    """
    employee_id = r.text(employee, "employee_id", "dim_employee row")
    pool = list(pool_rows)
    shared = _shared(plans, pool, project_profits, weeks)
    rows = _PersonRows()
    for target, source in (
        (rows.lines, payroll_lines),
        (rows.goals, goal_rows),
        (rows.joint, joint_rows),
        (rows.pool, pool),
        (rows.attendance, attendance_rows),
        (rows.progress, goal_progress_rows),
        (rows.redemptions, redemption_rows),
    ):
        target.extend(row for row in source if row.get("employee_id") == employee_id)
    return _build(employee, pay_period, rows, shared)


def build_period_statements(
    pay_period: str,
    employees: Iterable[Record],
    plans: Iterable[Plan],
    *,
    payroll_lines: Iterable[Record] = (),
    goal_rows: Iterable[Record] = (),
    joint_rows: Iterable[Record] = (),
    pool_rows: Iterable[Record] = (),
    project_profits: Iterable[Record] = (),
    attendance_rows: Iterable[Record] = (),
    goal_progress_rows: Iterable[Record] = (),
    redemption_rows: Iterable[Record] = (),
    weeks: Iterable[date] | None = None,
) -> tuple[list[Statement], list[RejectedStatement]]:
    """Statements of everybody with a payroll line, a score or an attendance row in the period's rows.

    Pass the period's rows of each table unfiltered (arguments as for ``build_statement``). A person who cannot be
    explained comes back in the second list with the reason (including people missing from ``employees``), so one
    bad row never hides the others.
    """
    pool = list(pool_rows)
    shared = _shared(plans, pool, project_profits, weeks)
    people: dict[str, _PersonRows] = defaultdict(_PersonRows)
    for name, source in (
        ("lines", payroll_lines),
        ("goals", goal_rows),
        ("joint", joint_rows),
        ("pool", pool),
        ("attendance", attendance_rows),
    ):
        for row in source:
            getattr(people[str(row.get("employee_id"))], name).append(row)
    for row in goal_progress_rows:
        employee_id = str(row.get("employee_id"))
        if employee_id in people:
            people[employee_id].progress.append(row)
    for row in redemption_rows:  # a redemption explains a payroll line; alone (goods, refused) it is no statement
        employee_id = str(row.get("employee_id"))
        if employee_id in people:
            people[employee_id].redemptions.append(row)

    directory = {str(row.get("employee_id")): row for row in employees}
    statements: list[Statement] = []
    rejected: list[RejectedStatement] = []
    for employee_id, rows in sorted(people.items()):
        if employee_id not in directory:
            rejected.append(RejectedStatement(employee_id, f"employee {employee_id} is not in the employee directory"))
            continue
        try:
            statements.append(_build(directory[employee_id], pay_period, rows, shared))
        except StatementError as error:
            rejected.append(RejectedStatement(employee_id, str(error)))
    return statements, rejected


def _shared(
    plans: Iterable[Plan], pool_rows: Sequence[Record], profits: Iterable[Record], weeks: Iterable[date] | None
) -> _Shared:
    by_hash: dict[str, Plan] = {}
    for plan in plans:
        if not plan.content_hash:
            raise StatementError(f"plan {plan.version} has no content hash; load it with scoring.plan.load_plan")
        by_hash[plan.content_hash] = plan
    shares: dict[tuple[str, date], list[Record]] = defaultdict(list)
    for row in pool_rows:
        what = "score_project_pool_weekly row"
        shares[(r.text(row, "project_id", what), r.day(row, "week_start", what))].append(row)
    by_project: dict[tuple[str, date], Record] = {}
    for row in profits:
        what = "fct_project_profit_weekly row"
        key = (r.text(row, "project_id", what), r.day(row, "week_start", what))
        if key in by_project:
            raise StatementError(f"{what}: project {key[0]} has two profit rows for {key[1]}")
        by_project[key] = row
    period_weeks = None if weeks is None else tuple(sorted({r.as_date(week, "week of the period") for week in weeks}))
    return _Shared(by_hash, shares, by_project, period_weeks)


def _plan_of(row: Record, shared: _Shared, what: str) -> tuple[Plan, PlanRef]:
    version = r.text(row, "plan_version", what)
    sha256 = r.text(row, "plan_hash", what)
    plan = shared.plans.get(sha256)
    if plan is None:
        raise StatementError(f"{what} was scored with plan {version} ({sha256[:12]}), which was not supplied")
    if plan.version != version:
        raise StatementError(f"{what} names plan version {version}, but its hash is plan {plan.version}'s")
    return plan, PlanRef(version, sha256)


def _employee(row: Record) -> Employee:
    what = "dim_employee row"
    return Employee(
        employee_id=r.text(row, "employee_id", what),
        name=r.text(row, "name", f"{what} of {row.get('employee_id')}"),
        payroll_id=r.optional_text(row, "payroll_id"),
        department=r.optional_text(row, "department"),
        role=r.optional_text(row, "role"),
    )


def _unique(blocks: Sequence[Block], what: str) -> None:
    seen: set[str] = set()
    for block in blocks:
        if block.ref in seen:
            raise StatementError(f"{what} has two rows for {block.ref}")
        seen.add(block.ref)


def _blocks(rows: _PersonRows, shared: _Shared) -> list[Block]:
    progress: dict[tuple[date, str], list[Record]] = defaultdict(list)
    for row in rows.progress:
        progress[(r.day(row, "week_start", "fct_goal_progress_weekly row"), str(row.get("metric")))].append(row)

    goals = []
    for row in rows.goals:
        plan, ref = _plan_of(row, shared, "score_goal_attainment_weekly row")
        week = r.day(row, "week_start", "score_goal_attainment_weekly row")
        sources = {metric: found for (when, metric), found in progress.items() if when == week}
        goals.append(explain_goal_week(row, plan, ref, sources))
    joint = [explain_joint_week(row, *_plan_of(row, shared, "score_joint_incentive_weekly row")) for row in rows.joint]
    pool = []
    for row in rows.pool:
        plan, ref = _plan_of(row, shared, "score_project_pool_weekly row")
        key = (r.text(row, "project_id", "pool row"), r.day(row, "week_start", "pool row"))
        pool.append(explain_pool_share(row, shared.project_shares.get(key, [row]), shared.profits.get(key), plan, ref))
    attendance = [
        explain_attendance_week(row, *_plan_of(row, shared, "fct_attendance_weekly row")) for row in rows.attendance
    ]
    leave = [block for row in rows.redemptions if (block := _redeemed_leave(row, shared)) is not None]
    for what, found in (
        ("goal rows", goals),
        ("joint rows", joint),
        ("pool rows", pool),
        ("attendance", attendance),
        ("points_redemptions", leave),
    ):
        _unique(found, what)
    return [*goals, *joint, *pool, *attendance, *leave]


def _redeemed_leave(row: Record, shared: _Shared) -> RedeemedLeave | None:
    """The leave a granted redemption bought, its hours checked against the plan's catalog; None for a refused
    request or an item that grants no leave (goods, courses: nothing for payroll)."""
    what = "points_redemptions row"
    request_id = r.text(row, "request_id", what)
    employee_id = r.text(row, "employee_id", what)
    what = f"redemption {request_id} of {employee_id}"
    status = r.text(row, "status", what)
    if status not in ("granted", "refused"):
        raise StatementError(f"{what} has status {status!r}, expected 'granted' or 'refused'")
    hours = r.decimal(row, "leave_hours", what) if row.get("leave_hours") is not None else ZERO
    if status == "refused" or hours == 0:
        return None
    plan, ref = _plan_of(row, shared, what)
    week = r.day(row, "week_start", what)
    item_code = r.text(row, "item_code", what)
    item = plan.activity_points.redemption.item(item_code)
    if item is None:
        raise StatementError(f"{what}: item {item_code} is not in plan {plan.version}'s catalog")
    if hours != Decimal(item.leave_hours):
        raise StatementError(f"{what}: leave_hours {hours} differs from the {item.leave_hours} h {item_code} grants")
    points = row.get("points")
    return RedeemedLeave(
        ref=f"points_redemptions:{week.isoformat()}:{employee_id}:{request_id}",
        week_start=week,
        plan=ref,
        request_id=request_id,
        item_code=item_code,
        item_name=item.name,
        points=None if points is None else r.integer(row, "points", what),
        leave_hours=hours,
    )


def _plan_by_ref(blocks: Sequence[Block], shared: _Shared) -> dict[str, Plan]:
    return {block.ref: shared.plans[block.plan.sha256] for block in blocks}


def _expected_lines(blocks: Sequence[Block], shared: _Shared) -> dict[tuple[str, str], _Expected]:
    """(source_ref, component_code) -> what the payroll must carry for it, per the block's own plan."""
    plans = _plan_by_ref(blocks, shared)
    expected: dict[tuple[str, str], _Expected] = {}
    for block in blocks:
        codes = plans[block.ref].payroll.components
        items: list[tuple[str, Decimal, Decimal | None]]
        if isinstance(block, GoalWeek):
            items = [("weekly_goal_bonus", block.bonus, None), ("extra_leave_hours", ZERO, block.extra_leave_hours)]
        elif isinstance(block, JointWeek):
            items = [("joint_incentive", block.pay, None)]
        elif isinstance(block, PoolShareFact):
            items = [("project_pool_share", block.amount, None)]
        elif isinstance(block, RedeemedLeave):
            items = [("redeemed_leave_hours", ZERO, block.leave_hours)]
        else:
            items = [("overtime_hours", ZERO, block.overtime_hours)]
        for component, amount, quantity in items:
            expected[(block.ref, getattr(codes, component))] = _Expected(block, component, amount, quantity)
    return expected


def _line(
    row: Record, employee_id: str, pay_period: str, expected: Mapping[tuple[str, str], _Expected]
) -> StatementLine:
    what = "payroll_line row"
    source_ref = r.text(row, "source_ref", what)
    code = r.text(row, "component_code", what)
    what = f"payroll line {code} of {employee_id} ({source_ref})"
    found = expected.get((source_ref, code))
    if found is None:
        raise StatementError(f"{what} is not explained by any score or attendance row passed in")
    if r.text(row, "pay_period", what) not in (pay_period, found.block.week_start.isoformat()):
        raise StatementError(f"{what} belongs to pay period {row['pay_period']}, not {pay_period}")
    amount = r.decimal(row, "amount", what)
    quantity = r.optional_decimal(row, "quantity", what)
    if amount != found.amount:
        raise StatementError(f"{what}: amount {amount} differs from the {found.amount} its working gives")
    if (quantity or ZERO) != (found.quantity or ZERO):
        raise StatementError(f"{what}: quantity {quantity} differs from the {found.quantity} its working gives")
    version = r.text(row, "plan_version", what)
    if version != found.block.plan.version:
        raise StatementError(f"{what} names plan {version}, its score row plan {found.block.plan.version}")
    return StatementLine(
        component=found.component,
        component_code=code,
        amount=amount,
        currency=r.text(row, "currency", what),
        quantity=quantity,
        unit=r.optional_text(row, "unit"),
        week_start=found.block.week_start,
        plan_version=version,
        source_ref=source_ref,
    )


def _weeks(blocks: Sequence[Block]) -> tuple[WeekSection, ...]:
    by_week: dict[date, list[Block]] = defaultdict(list)
    for block in blocks:
        by_week[block.week_start].append(block)
    sections = []
    for week, found in sorted(by_week.items()):
        goals = [b for b in found if isinstance(b, GoalWeek)]
        attendance = [b for b in found if isinstance(b, AttendanceWeek)]
        sections.append(
            WeekSection(
                week_start=week,
                goal=goals[0] if goals else None,
                joint=tuple(sorted((b for b in found if isinstance(b, JointWeek)), key=lambda b: b.ref)),
                pool_shares=tuple(sorted((b for b in found if isinstance(b, PoolShareFact)), key=lambda b: b.ref)),
                attendance=attendance[0] if attendance else None,
                redeemed_leave=tuple(sorted((b for b in found if isinstance(b, RedeemedLeave)), key=lambda b: b.ref)),
            )
        )
    return tuple(sections)


def _build(employee_row: Record, pay_period: str, rows: _PersonRows, shared: _Shared) -> Statement:
    employee = _employee(employee_row)
    blocks = _blocks(rows, shared)
    if not blocks and not rows.lines:
        raise StatementError(f"nothing to explain for {employee.employee_id} in {pay_period}")
    outside = sorted({b.ref for b in blocks if shared.weeks is not None and b.week_start not in shared.weeks})
    if outside:
        raise StatementError(f"{outside[0]} is not in a week of pay period {pay_period}")
    expected = _expected_lines(blocks, shared)

    lines = [_line(row, employee.employee_id, pay_period, expected) for row in rows.lines]
    paid: set[tuple[str, str]] = set()
    for line in lines:
        key = (line.source_ref, line.component_code)
        if key in paid:
            raise StatementError(f"payroll line {line.component_code} of {line.source_ref} appears twice")
        paid.add(key)
    for key, owed in sorted(expected.items()):
        if key not in paid and (owed.amount != 0 or (owed.quantity or ZERO) != 0):
            raise StatementError(
                f"{key[0]} gives {key[1]} {owed.amount if owed.quantity is None else owed.quantity}, "
                "but the payroll has no line for it"
            )

    plans = _plan_by_ref(blocks, shared)
    currencies = sorted({line.currency for line in lines} | {plan.currency for plan in plans.values()})
    if len(currencies) > 1:
        raise StatementError(f"statement of {employee.employee_id} for {pay_period} mixes currencies {currencies}")
    if not currencies:
        raise StatementError(f"cannot tell the currency of {employee.employee_id}'s statement for {pay_period}")

    quantities: dict[tuple[str, str, str | None], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        if line.quantity is not None:
            quantities[(line.component, line.component_code, line.unit)] += line.quantity
    return Statement(
        employee=employee,
        pay_period=pay_period,
        period_weeks=shared.weeks if shared.weeks is not None else tuple(sorted({b.week_start for b in blocks})),
        weeks=_weeks(blocks),
        plans=tuple(sorted({block.plan for block in blocks}, key=lambda p: (p.version, p.sha256))),
        lines=tuple(sorted(lines, key=lambda line: (line.week_start, line.component_code, line.source_ref))),
        currency=currencies[0],
        # From the working, not from the lines: Statement checks the two agree.
        grand_total=sum((owed.amount for owed in expected.values()), ZERO),
        quantity_totals=tuple(
            QuantityTotal(component, code, unit, quantity)
            for (component, code, unit), quantity in sorted(quantities.items(), key=str)
        ),
        leave_from_points=_leave_from_points(lines, blocks),
    )


def _leave_from_points(lines: Sequence[StatementLine], blocks: Sequence[Block]) -> LeaveFromPoints | None:
    """The period's redeemed leave in one line: hours from the payroll lines, requests from their redemptions."""
    redeemed = {block.ref: block for block in blocks if isinstance(block, RedeemedLeave)}
    leave = [line for line in lines if line.source_ref in redeemed and line.component == "redeemed_leave_hours"]
    if not leave:
        return None
    return LeaveFromPoints(
        component_code=leave[0].component_code,
        hours=sum((line.quantity or ZERO for line in leave), ZERO),
        unit=leave[0].unit,
        request_ids=tuple(sorted({redeemed[line.source_ref].request_id for line in leave})),
    )
