"""The activity-points ledger: append-only ``earn`` / ``redeem`` / ``expire`` / ``adjust`` entries (domain.md §4).

A balance is never stored: it is the sum of a person's entries, and it never goes below zero. Every entry has an
id derived from what caused it (sha256 of its kind and source reference), so posting a week again, or a feed that
replays a request, finds the entry already there and adds nothing.

Points are held in lots, one per positive entry, dated by the week they were earned in; a lot expires
``expiry_months`` after that week. Redemptions and reversals use the oldest points first (FIFO), so the points
that expire are always the ones a person could not have used any earlier.

One ledger week (``post_week``) is posted in this order: the points of every scored week that are new or changed
(``earn`` for a first posting, ``adjust`` for a score that changed because an event was withdrawn or corrected),
credited as of the week's Monday; then, day by day, the lots expiring that day and the redemption requests made
that day (company-local date, in request order). A lot expiring on a day is gone before that day's requests.
"""

from __future__ import annotations

import calendar
import hashlib
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from scoring.money import round_money
from scoring.plan import RedemptionRules
from scoring.weeks import DEFAULT_TIMEZONE


class EntryKind(StrEnum):
    EARN = "earn"
    REDEEM = "redeem"
    EXPIRE = "expire"
    ADJUST = "adjust"


class RedemptionStatus(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"


def entry_id(kind: str, source_ref: str) -> str:
    """The deterministic id of the entry of ``kind`` caused by ``source_ref``: the same cause, the same id."""
    return hashlib.sha256(f"{kind}|{source_ref}".encode()).hexdigest()


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months; the 31st becomes the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class EarnedPoints:
    """One row of ``scoring.score_activity_points_weekly``: what an employee's week scored."""

    employee_id: str
    week_start: date
    points: int


@dataclass(frozen=True)
class RedemptionRequest:
    """A request to spend points on a catalog item; ``requested_at`` must be time-zone aware."""

    request_id: str
    employee_id: str
    item_code: str
    requested_at: datetime


@dataclass(frozen=True)
class LedgerEntry:
    """One ledger line. ``points`` is signed (earn and positive adjusts add, the rest take away).

    ``posted_week`` is the ledger week that wrote it and ``seq`` its order there; ``effective_on`` the day it
    counts from. Positive entries open a lot: ``earned_on`` (the scored week) and ``expires_on``.
    ``source_points`` is what an earn/adjust brings its scored week to, so a later change is seen as a delta.
    """

    entry_id: str
    kind: str
    employee_id: str
    points: int
    posted_week: date
    seq: int
    effective_on: date
    source_ref: str
    earned_on: date | None = None
    expires_on: date | None = None
    source_points: int | None = None
    note: str = ""

    def as_record(self) -> dict[str, object]:
        """A row of ``scoring.points_ledger`` (``posted_week`` is the row's ``week_start``)."""
        return {
            "entry_id": self.entry_id,
            "seq": self.seq,
            "kind": self.kind,
            "employee_id": self.employee_id,
            "points": self.points,
            "effective_on": self.effective_on,
            "source_ref": self.source_ref,
            "earned_on": self.earned_on,
            "expires_on": self.expires_on,
            "source_points": self.source_points,
            "note": self.note,
        }


@dataclass(frozen=True)
class Redemption:
    """What became of one request: granted (with its ``redeem`` entry) or refused with the reason."""

    request: RedemptionRequest
    status: str
    reason: str
    item_kind: str | None
    points: int
    leave_hours: int
    balance_before: int
    balance_after: int
    entry_id: str | None

    def as_record(self) -> dict[str, object]:
        """A row of ``scoring.points_redemptions``."""
        return {
            "request_id": self.request.request_id,
            "employee_id": self.request.employee_id,
            "item_code": self.request.item_code,
            "item_kind": self.item_kind,
            "requested_at_utc": _utc(self.request.requested_at),
            "status": str(self.status),
            "points": self.points,
            "leave_hours": self.leave_hours,
            "balance_before": self.balance_before,
            "balance_after": self.balance_after,
            "reason": self.reason,
            "entry_id": self.entry_id,
        }


def _utc(moment: datetime) -> datetime:
    """A naive UTC timestamp for the warehouse (a naive input, refused anyway, is kept as it came)."""
    return moment if moment.utcoffset() is None else moment.astimezone(UTC).replace(tzinfo=None)


@dataclass
class _Lot:
    entry_id: str
    earned_on: date
    expires_on: date
    remaining: int


@dataclass
class _Book:
    """Lots, scored-week positions and ids as entries are applied, in order."""

    lots: dict[str, list[_Lot]] = field(default_factory=lambda: defaultdict(list))
    sources: dict[str, tuple[str, date, int]] = field(default_factory=dict)  # ref -> employee, week, points
    adjusts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    ids: set[str] = field(default_factory=set)
    redeemed: dict[str, date] = field(default_factory=dict)

    def balance(self, employee_id: str) -> int:
        return sum(lot.remaining for lot in self.lots.get(employee_id, ()))

    def _consume(self, employee_id: str, points: int) -> None:
        """Take ``points`` from the oldest lots first."""
        for lot in sorted(self.lots[employee_id], key=lambda lot: (lot.earned_on, lot.entry_id)):
            taken = min(points, lot.remaining)
            lot.remaining -= taken
            points -= taken
        if points:
            raise ValueError(f"the ledger of {employee_id} would go negative by {points} points")

    def apply(self, entry: LedgerEntry) -> None:
        self.ids.add(entry.entry_id)
        if entry.kind in (EntryKind.EARN, EntryKind.ADJUST):
            ref = entry.source_ref.rpartition("#")[0] if entry.kind == EntryKind.ADJUST else entry.source_ref
            assert entry.earned_on is not None and entry.source_points is not None, entry
            self.sources[ref] = (entry.employee_id, entry.earned_on, entry.source_points)
            self.adjusts[ref] += entry.kind == EntryKind.ADJUST
        if entry.kind == EntryKind.REDEEM:
            self.redeemed[entry.source_ref] = entry.posted_week
        if entry.points > 0:
            assert entry.expires_on is not None and entry.earned_on is not None, entry
            self.lots[entry.employee_id].append(_Lot(entry.entry_id, entry.earned_on, entry.expires_on, entry.points))
        elif entry.kind == EntryKind.EXPIRE:
            lot = next(lot for lot in self.lots[entry.employee_id] if lot.entry_id == entry.source_ref)
            if lot.remaining < -entry.points:
                raise ValueError(f"expiry {entry.entry_id} takes more than lot {lot.entry_id} holds")
            lot.remaining += entry.points
        elif entry.points < 0:
            self._consume(entry.employee_id, -entry.points)


def _book(entries: Iterable[LedgerEntry]) -> _Book:
    book = _Book()
    for entry in sorted(entries, key=lambda e: (e.posted_week, e.seq)):
        book.apply(entry)
    return book


@dataclass(frozen=True)
class Lot:
    """Points earned in one week (one positive entry) and how many of them are still unspent and unexpired."""

    employee_id: str
    entry_id: str
    earned_on: date
    expires_on: date
    points: int
    remaining: int


def lots(entries: Iterable[LedgerEntry]) -> list[Lot]:
    """Every lot after ``entries`` (oldest first per employee): what expires when, for statements and checks."""
    entries = list(entries)
    book = _book(entries)
    points = {e.entry_id: e.points for e in entries}
    return [
        Lot(employee_id, lot.entry_id, lot.earned_on, lot.expires_on, points[lot.entry_id], lot.remaining)
        for employee_id in sorted(book.lots)
        for lot in sorted(book.lots[employee_id], key=lambda lot: (lot.earned_on, lot.entry_id))
    ]


def balances(entries: Iterable[LedgerEntry]) -> dict[str, int]:
    """Each employee's balance: the sum of their entries."""
    totals: dict[str, int] = defaultdict(int)
    for entry in entries:
        totals[entry.employee_id] += entry.points
    return dict(sorted(totals.items()))


@dataclass(frozen=True)
class Liability:
    """Outstanding points of one department at the end of a week, and what they are worth when redeemed."""

    department: str
    employees_with_points: int
    points: int
    value: Decimal

    def as_record(self, currency: str) -> dict[str, object]:
        return {
            "department": self.department,
            "employees_with_points": self.employees_with_points,
            "points": self.points,
            "value": self.value,
            "currency": currency,
        }


def points_liability(
    balances_by_employee: Mapping[str, int], departments: Mapping[str, str | None], value_per_point: Decimal
) -> list[Liability]:
    """Per department (``(none)`` for people without one): outstanding points x ``value_per_point``, to the cent."""
    points: dict[str, int] = defaultdict(int)
    people: dict[str, int] = defaultdict(int)
    for employee_id, balance in balances_by_employee.items():
        if balance > 0:
            department = departments.get(employee_id) or "(none)"
            points[department] += balance
            people[department] += 1
    return [
        Liability(department, people[department], total, round_money(Decimal(total) * value_per_point))
        for department, total in sorted(points.items())
    ]


def _source_ref(employee_id: str, week: date) -> str:
    return f"{employee_id}:{week.isoformat()}"


def _request_problem(request: RedemptionRequest) -> str | None:
    if not request.request_id:
        return "request_id is missing"
    if not request.employee_id:
        return "employee_id is missing"
    if not request.item_code:
        return "item_code is missing"
    if not isinstance(request.requested_at, datetime) or request.requested_at.utcoffset() is None:
        return f"requested_at must be a time-zone aware timestamp, got {request.requested_at!r}"
    return None


@dataclass(frozen=True)
class LedgerWeek:
    """What posting one week added: new entries (in order) and a decision for every request."""

    week: date
    entries: list[LedgerEntry]
    redemptions: list[Redemption]


class _Poster:
    def __init__(self, prior: Sequence[LedgerEntry], week: date, rules: RedemptionRules) -> None:
        self.book = _book(prior)
        self.week = week
        self.rules = rules
        self.entries: list[LedgerEntry] = []

    def post(
        self, kind: EntryKind, employee_id: str, points: int, effective_on: date, ref: str, **extra: object
    ) -> bool:
        """Add the entry unless its id is already in the ledger (a replay); True if added."""
        new_id = entry_id(kind, ref)
        if new_id in self.book.ids:
            return False
        entry = LedgerEntry(new_id, kind, employee_id, points, self.week, len(self.entries), effective_on, ref, **extra)
        self.book.apply(entry)
        self.entries.append(entry)
        return True

    def credit(self, earned: Iterable[EarnedPoints], scored_weeks: Collection[date]) -> None:
        """``earn`` for newly scored weeks, ``adjust`` by the difference for weeks whose score changed."""
        targets = {_source_ref(e.employee_id, e.week_start): e for e in earned if e.week_start <= self.week}
        sources = {ref: (e.employee_id, e.week_start) for ref, e in targets.items()}
        sources.update({ref: (employee_id, week) for ref, (employee_id, week, _) in self.book.sources.items()})
        for ref, (employee_id, week) in sorted(sources.items()):
            if week not in scored_weeks or week > self.week:
                continue
            target = targets[ref].points if ref in targets else 0
            lot = {"earned_on": week, "expires_on": add_months(week, self.rules.expiry_months)}
            if ref not in self.book.sources:
                if target > 0:
                    self.post(EntryKind.EARN, employee_id, target, self.week, ref, source_points=target, **lot)
                continue
            current = self.book.sources[ref][2]
            if target == current:
                continue
            delta = target - current
            note = f"week {week} rescored from {current} to {target} points"
            if delta < 0:
                available = self.book.balance(employee_id)
                if -delta > available:
                    note += f"; {-delta - available} points were already spent or expired and are not recovered"
                    delta = -available
                lot = {"earned_on": week, "expires_on": None}
            adjust_ref = f"{ref}#{self.book.adjusts[ref] + 1}"
            self.post(
                EntryKind.ADJUST, employee_id, delta, self.week, adjust_ref, source_points=target, note=note, **lot
            )

    def expire(self, until: date) -> None:
        """Expire what is left of every lot whose expiry date is on or before ``until``."""
        for employee_id in sorted(self.book.lots):
            for lot in sorted(self.book.lots[employee_id], key=lambda lot: (lot.expires_on, lot.entry_id)):
                if lot.expires_on <= until and lot.remaining > 0:
                    self.post(
                        EntryKind.EXPIRE,
                        employee_id,
                        -lot.remaining,
                        lot.expires_on,
                        lot.entry_id,
                        note=f"points earned in the week of {lot.earned_on} expired on {lot.expires_on}",
                    )

    def redeem(self, request: RedemptionRequest, day: date) -> Redemption:
        balance = self.book.balance(request.employee_id)
        item = self.rules.item(request.item_code)
        kind = item.kind if item else None

        def refused(reason: str) -> Redemption:
            return Redemption(request, RedemptionStatus.REFUSED, reason, kind, 0, 0, balance, balance, None)

        if item is None:
            return refused(f"unknown catalog item {request.item_code!r}")
        if item.retired:
            return refused(f"catalog item {item.code} ({item.name}) is retired")
        if request.request_id in self.book.redeemed:
            return refused(
                f"request {request.request_id} was already granted in the week of "
                f"{self.book.redeemed[request.request_id]}"
            )
        if item.points > balance:
            return refused(f"{item.code} costs {item.points} points; the balance on {day} is {balance}")
        self.post(EntryKind.REDEEM, request.employee_id, -item.points, day, request.request_id, note=item.code)
        return Redemption(
            request,
            RedemptionStatus.GRANTED,
            "",
            kind,
            item.points,
            item.leave_hours,
            balance,
            balance - item.points,
            entry_id(EntryKind.REDEEM, request.request_id),
        )


def _refused(request: RedemptionRequest, reason: str, balance: int) -> Redemption:
    return Redemption(request, RedemptionStatus.REFUSED, reason, None, 0, 0, balance, balance, None)


def post_week(
    prior: Sequence[LedgerEntry],
    week: date,
    earned: Iterable[EarnedPoints],
    requests: Iterable[RedemptionRequest],
    rules: RedemptionRules,
    tz: str = DEFAULT_TIMEZONE,
    scored_weeks: Collection[date] | None = None,
) -> LedgerWeek:
    """Post ledger week ``week`` on top of ``prior`` (every entry of earlier weeks).

    ``earned`` holds the scored points of ``week`` and of any earlier week (a changed earlier score becomes an
    ``adjust``; a scored week in ``scored_weeks``, default the weeks present in ``earned``, without a row for a
    person it had paid is a reversal to 0). ``requests`` are the week's redemption requests; each gets a
    decision. Entries already in ``prior`` are never added again.
    """
    earned = list(earned)
    weeks = set(scored_weeks) if scored_weeks is not None else {e.week_start for e in earned}
    poster = _Poster(prior, week, rules)
    poster.credit(earned, weeks)

    decisions: list[Redemption] = []
    zone = ZoneInfo(tz)
    valid: dict[str, set[RedemptionRequest]] = defaultdict(set)
    for request in requests:
        problem = _request_problem(request)
        if problem:
            decisions.append(_refused(request, problem, poster.book.balance(request.employee_id)))
        else:
            valid[request.request_id].add(request)
    timed: list[tuple[date, datetime, str, RedemptionRequest]] = []
    for request_id, versions in valid.items():
        if len(versions) > 1:
            reason = f"request_id {request_id} arrived with {len(versions)} different contents; none is granted"
            decisions.extend(
                _refused(r, reason, poster.book.balance(r.employee_id)) for r in sorted(versions, key=repr)
            )
            continue
        (request,) = versions
        timed.append((request.requested_at.astimezone(zone).date(), request.requested_at, request_id, request))

    for day, _, _, request in sorted(timed, key=lambda t: t[:3]):
        poster.expire(day)
        decisions.append(poster.redeem(request, day))
    poster.expire(week + timedelta(days=6))
    return LedgerWeek(week, poster.entries, sorted(decisions, key=lambda d: (d.request.request_id, d.reason)))
