"""Who gets a flexible shift first (seed 003; domain.md section 2: ``high_performer`` is first in line).

Requests are ranked per requested week: high performers (attainment at or above the threshold, by default the
plan's 1.2) first, then everyone else with an attainment, each group by attainment (highest first), then by who
asked first, then by request id so equal cases always come out in the same order. People without an attainment
on record come last, after everyone with one, and their row says so. Pure: the caller reads the requests
(``marts.fct_flexible_shift_requests``) and the attainments (e.g. the latest scored week's).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum

from scoring.money import to_decimal

DEFAULT_HIGH_PERFORMER_THRESHOLD = Decimal("1.2")


class PriorityGroup(StrEnum):
    HIGH_PERFORMER = "high_performer"
    OTHER = "other"
    NO_ATTAINMENT = "no_attainment"


_GROUP_ORDER = {PriorityGroup.HIGH_PERFORMER: 0, PriorityGroup.OTHER: 1, PriorityGroup.NO_ATTAINMENT: 2}


@dataclass(frozen=True)
class ShiftRequest:
    """One flexible-shift request; a naive ``submitted_at_utc`` is taken as UTC."""

    request_id: str
    employee_id: str
    week_start: date
    requested_shift_code: str
    submitted_at_utc: datetime


@dataclass(frozen=True)
class RankedRequest:
    """A request with its place in its week's queue and why it is there."""

    request: ShiftRequest
    rank: int
    priority_group: PriorityGroup
    attainment: Decimal | None
    reason: str

    @property
    def is_high_performer(self) -> bool:
        return self.priority_group is PriorityGroup.HIGH_PERFORMER

    def as_record(self) -> dict[str, object]:
        """A flat row (the caller adds plan_version and plan_hash)."""
        return {
            "request_id": self.request.request_id,
            "employee_id": self.request.employee_id,
            "week_start": self.request.week_start,
            "requested_shift_code": self.request.requested_shift_code,
            "submitted_at_utc": self.request.submitted_at_utc,
            "rank": self.rank,
            "attainment": self.attainment,
            "is_high_performer": self.is_high_performer,
            "priority_group": str(self.priority_group),
            "reason": self.reason,
        }


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _classify(employee_id: str, attainment: object, threshold: Decimal) -> tuple[PriorityGroup, Decimal | None, str]:
    if attainment is None:
        return PriorityGroup.NO_ATTAINMENT, None, f"no attainment on record for {employee_id}: after everyone with one"
    value = to_decimal(attainment, f"attainment of {employee_id}")
    if value >= threshold:
        return PriorityGroup.HIGH_PERFORMER, value, f"high performer: attainment {value} >= {threshold}, first in line"
    return PriorityGroup.OTHER, value, f"attainment {value} below the high-performer threshold {threshold}"


def rank_flexible_shift_requests(
    requests: Iterable[ShiftRequest],
    attainment_by_employee: Mapping[str, Decimal | int | str | None],
    high_performer_threshold: Decimal = DEFAULT_HIGH_PERFORMER_THRESHOLD,
) -> list[RankedRequest]:
    """Requests in queue order per requested week (weeks oldest first); ``rank`` starts at 1 in every week.

    Raises ``ValueError`` on a repeated request id or an attainment that is not a number (naming the employee).
    """
    threshold = to_decimal(high_performer_threshold, "high_performer_threshold")
    seen: set[str] = set()
    keyed = []
    for request in requests:
        if request.request_id in seen:
            raise ValueError(f"request {request.request_id} appears twice; deduplicate requests before ranking")
        seen.add(request.request_id)
        group, attainment, reason = _classify(
            request.employee_id, attainment_by_employee.get(request.employee_id), threshold
        )
        key = (
            request.week_start,
            _GROUP_ORDER[group],
            -attainment if attainment is not None else Decimal(0),
            _utc(request.submitted_at_utc),
            request.request_id,
        )
        keyed.append((key, request, group, attainment, reason))
    keyed.sort(key=lambda item: item[0])

    ranked: list[RankedRequest] = []
    for _, request, group, attainment, reason in keyed:
        rank = ranked[-1].rank + 1 if ranked and ranked[-1].request.week_start == request.week_start else 1
        ranked.append(RankedRequest(request, rank, group, attainment, reason))
    return ranked
