"""What a scored week sets in motion (seed 002): bonus, extra leave, promotion review, improvement note, manager
alert and excellence certificate, as events with deterministic ids.

Events are facts derived from one week's score and the weeks before it; recomputing a week rebuilds the same ids,
so a consumer (payroll, notifications, an LMS or HRIS import) can upsert them without doubling anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from scoring.attainment import Band
from scoring.plan import GoalRules


class ConsequenceKind(StrEnum):
    WEEKLY_BONUS = "weekly_bonus"
    EXTRA_LEAVE = "extra_leave"
    PROMOTION_REVIEW_CREDIT = "promotion_review_credit"
    PROMOTION_REVIEW_ELIGIBLE = "promotion_review_eligible"
    IMPROVEMENT_NOTE = "improvement_note"
    MANAGER_ALERT = "manager_alert"
    EXCELLENCE_CERTIFICATE = "excellence_certificate"


@dataclass(frozen=True)
class ScoredWeek:
    """The columns of a ``score_goal_attainment_weekly`` row that consequences read."""

    employee_id: str
    week_start: date
    attainment: Decimal
    band: Band
    bonus: Decimal
    extra_leave_hours: Decimal
    streak_weeks: int
    excellence_certificate: bool
    weakest_metric: str
    reason_codes: tuple[str, ...]


@dataclass(frozen=True)
class ConsequenceEvent:
    event_id: str
    employee_id: str
    week_start: date
    kind: ConsequenceKind
    recipient_id: str  # who acts on it: the employee, or their manager for an alert
    amount: Decimal | None = None
    hours: Decimal | None = None
    counter: int | None = None
    metric: str | None = None
    course: str | None = None
    reasons: tuple[str, ...] = ()
    detail: str = ""

    def as_record(self) -> dict[str, object]:
        return {
            "event_id": self.event_id,
            "employee_id": self.employee_id,
            "week_start": self.week_start,
            "kind": str(self.kind),
            "recipient_id": self.recipient_id,
            "amount": self.amount,
            "hours": self.hours,
            "counter": self.counter,
            "metric": self.metric,
            "course": self.course,
            "reasons": ",".join(self.reasons),
            "detail": self.detail,
        }


def event_id(kind: ConsequenceKind, employee_id: str, week: date) -> str:
    return hashlib.sha256(f"{kind}|{employee_id}|{week.isoformat()}".encode()).hexdigest()[:32]


def qualifying_weeks(
    week: date,
    attainment: Decimal,
    history: Mapping[date, Decimal],
    rules: GoalRules,
    performance: Mapping[date, int] | None = None,
) -> int:
    """Weeks at on_track or better among the ``window_weeks`` ending with ``week`` (missing weeks do not count),
    plus one per performance point (from winning an activity challenge) earned in those weeks."""
    threshold = rules.band_thresholds.on_track
    window = rules.promotion_review.window_weeks
    earlier = (history.get(week - timedelta(weeks=n)) for n in range(1, window))
    bonus = sum((performance or {}).get(week - timedelta(weeks=n), 0) for n in range(window))
    return (
        int(attainment >= threshold) + sum(1 for value in earlier if value is not None and value >= threshold) + bonus
    )


def consequences(
    week: ScoredWeek,
    manager_id: str | None,
    history: Mapping[date, Decimal],
    rules: GoalRules,
    performance: Mapping[date, int] | None = None,
) -> list[ConsequenceEvent]:
    """The events one scored employee-week sets off; ``history`` maps earlier weeks to reported attainment and
    ``performance`` weeks (this one included) to the performance points earned in them."""

    def event(kind: ConsequenceKind, recipient: str | None = None, **fields: object) -> ConsequenceEvent:
        return ConsequenceEvent(
            event_id(kind, week.employee_id, week.week_start),
            week.employee_id,
            week.week_start,
            kind,
            recipient or week.employee_id,
            **fields,  # type: ignore[arg-type]
        )

    events: list[ConsequenceEvent] = []
    if week.bonus > 0:
        events.append(event(ConsequenceKind.WEEKLY_BONUS, amount=week.bonus))
    if week.extra_leave_hours > 0:
        events.append(event(ConsequenceKind.EXTRA_LEAVE, hours=week.extra_leave_hours))

    counted = qualifying_weeks(week.week_start, week.attainment, history, rules, performance)
    window = rules.promotion_review.window_weeks
    earned = (performance or {}).get(week.week_start, 0)
    if week.attainment >= rules.band_thresholds.on_track or earned > 0:
        detail = f"{counted} of the last {window} weeks at on_track or better"
        if performance and any(performance.values()):
            detail += " (each performance point counts as one)"
        events.append(event(ConsequenceKind.PROMOTION_REVIEW_CREDIT, counter=counted, detail=detail))
        last_week = week.week_start - timedelta(weeks=1)
        before = qualifying_weeks(last_week, history.get(last_week, Decimal(-1)), history, rules, performance)
        needed = rules.promotion_review.qualifying_weeks
        if counted >= needed > before:
            detail = f"reached {needed} weeks at on_track or better within {window} weeks"
            events.append(event(ConsequenceKind.PROMOTION_REVIEW_ELIGIBLE, counter=counted, detail=detail))

    if week.band is Band.IMPROVING:
        metric = week.weakest_metric
        events.append(event(ConsequenceKind.IMPROVEMENT_NOTE, metric=metric, course=rules.course_for(metric)))
    if week.band is Band.AT_RISK:
        detail = "" if manager_id else "no manager on record: routed to HR"
        events.append(
            event(
                ConsequenceKind.MANAGER_ALERT,
                recipient=manager_id or "HR",
                metric=week.weakest_metric,
                reasons=week.reason_codes,
                detail=detail,
            )
        )
    if week.excellence_certificate:
        detail = f"{week.streak_weeks} consecutive weeks at or above {rules.streak_threshold}"
        events.append(event(ConsequenceKind.EXCELLENCE_CERTIFICATE, counter=week.streak_weeks, detail=detail))
    return events


def week_consequences(
    weeks: Sequence[ScoredWeek],
    managers: Mapping[str, str | None],
    history: Mapping[str, Mapping[date, Decimal]],
    rules: GoalRules,
    performance: Mapping[str, Mapping[date, int]] | None = None,
) -> list[ConsequenceEvent]:
    """Every event of a scored week, in (employee, kind) order; ``performance`` is per employee, as in
    ``consequences``."""
    performance = performance or {}
    events = [
        event
        for week in weeks
        for event in consequences(
            week,
            managers.get(week.employee_id),
            history.get(week.employee_id, {}),
            rules,
            performance.get(week.employee_id),
        )
    ]
    return sorted(events, key=lambda e: (e.employee_id, str(e.kind)))
