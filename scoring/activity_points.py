"""Activity points per employee-week, with the rule behind every point (domain.md section 4).

Feeds resend events, so an event counts once however often it arrives: first by ``event_id``, then by what it
means (a person joins a challenge once, likes a story once, a story is published once, a collaboration pays its
pair once). An ``event_id`` that arrives with different contents is not guessed at: every version is rejected.
Likes and comments pay the story's author (never for your own story), likes up to the per-story cap; the
weekly cap comes last.

What the caller knows about the world refuses events too, each with its reason (rows in = counted + rejected):
an employee or activity not on record, a like or comment on a story not yet published, a challenge joined before
its prerequisite course was completed (and that member's share of the win), and a timestamp further past the
event's arrival than the clock-skew tolerance. Winning a challenge also earns performance points (goal scoring
reads them), and collaboration points fund the team-building budget (``team_building_fund``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from scoring.money import round_money
from scoring.plan import ActivityPointRules, Plan
from scoring.weeks import DEFAULT_TIMEZONE, week_start_of


class EventType(StrEnum):
    CHALLENGE_JOINED = "challenge_joined"
    CHALLENGE_WON = "challenge_won"
    COLLABORATION_COMPLETED = "collaboration_completed"
    STORY_PUBLISHED = "story_published"
    STORY_LIKED = "story_liked"
    STORY_COMMENTED = "story_commented"
    QUIZ_ANSWERED = "quiz_answered"
    SURVEY_ANSWERED = "survey_answered"


# Breakdown lines that are not event types: adjustments a statement has to show.
OWN_LIKE_EXCLUDED = "own_like_excluded"
OWN_COMMENT_EXCLUDED = "own_comment_excluded"
STORY_LIKE_CAP = "story_like_cap"
WEEKLY_CAP = "weekly_cap"
RULE_ORDER = (*(str(kind) for kind in EventType), OWN_LIKE_EXCLUDED, OWN_COMMENT_EXCLUDED, STORY_LIKE_CAP, WEEKLY_CAP)

_NEEDS_ACTIVITY = {
    EventType.CHALLENGE_JOINED,
    EventType.CHALLENGE_WON,
    EventType.COLLABORATION_COMPLETED,
    EventType.QUIZ_ANSWERED,
    EventType.SURVEY_ANSWERED,
}
_STORY_INTERACTIONS = {EventType.STORY_LIKED, EventType.STORY_COMMENTED}
_NEEDS_STORY = {EventType.STORY_PUBLISHED, *_STORY_INTERACTIONS}
_NEEDS_COUNTERPART = {EventType.COLLABORATION_COMPLETED, EventType.STORY_LIKED, EventType.STORY_COMMENTED}


@dataclass(frozen=True)
class ActivityEvent:
    """One row of ``marts.fct_activity_events``. ``counterpart_id`` is the story's author for likes and
    comments and the other side of a collaboration; ``occurred_at`` must be time-zone aware. ``prerequisite_course``
    is the course a challenge asks joiners to have completed; ``received_at`` when the event arrived, if known."""

    event_id: str
    event_type: str
    employee_id: str
    occurred_at: datetime
    counterpart_id: str | None = None
    story_id: str | None = None
    activity_id: str | None = None
    team_id: str | None = None
    prerequisite_course: str | None = None
    received_at: datetime | None = None


@dataclass(frozen=True)
class WeekContext:
    """What is on record besides the events. ``None`` means "not known here": that check is skipped.

    ``completions`` maps employee -> course code -> when it was (first) completed; ``published_stories`` holds
    stories published before these events (earlier weeks): a like or comment needs its story published by then.
    """

    employees: Collection[str] | None = None
    activities: Collection[str] | None = None
    completions: Mapping[str, Mapping[str, datetime]] | None = None
    published_stories: Collection[str] | None = None


@dataclass(frozen=True)
class RejectedEvent:
    event: ActivityEvent
    reason: str


@dataclass(frozen=True)
class PointsLine:
    """How many events (or adjustments) of one rule, and the points they made; caps are negative lines."""

    rule: str
    count: int
    points: int


@dataclass(frozen=True)
class EmployeeWeekPoints:
    employee_id: str
    week_start: date
    points: int
    points_before_cap: int
    lines: tuple[PointsLine, ...]
    performance_points: int = 0
    """From winning challenges; not activity points (no weekly cap), goal scoring counts them."""

    @property
    def collaboration_points(self) -> int:
        """Collaboration points earned in the week (before the weekly cap): what the team-building fund gets."""
        return sum(line.points for line in self.lines if line.rule == EventType.COLLABORATION_COMPLETED)

    def as_record(self) -> dict[str, object]:
        """A flat row for ``scoring.score_activity_points_weekly`` (the caller adds plan_version and plan_hash)."""
        breakdown = {line.rule: {"count": line.count, "points": line.points} for line in self.lines}
        return {
            "employee_id": self.employee_id,
            "week_start": self.week_start,
            "points": self.points,
            "points_before_cap": self.points_before_cap,
            "performance_points": self.performance_points,
            "collaboration_points": self.collaboration_points,
            "breakdown_json": json.dumps(breakdown),
        }


@dataclass(frozen=True)
class TeamFundWeek:
    """Money a team's collaboration points put into its team-building budget in one week."""

    team_id: str
    week_start: date
    collaboration_points: int
    amount: Decimal
    currency: str

    def as_record(self) -> dict[str, object]:
        return {
            "team_id": self.team_id,
            "week_start": self.week_start,
            "collaboration_points": self.collaboration_points,
            "amount": self.amount,
            "currency": self.currency,
        }


def _problem(event: ActivityEvent) -> str | None:
    """Why an event cannot be counted, or None."""
    if not event.event_id:
        return "event_id is missing"
    if event.event_type not in set(EventType):
        return f"unknown event_type {event.event_type!r}"
    if not event.employee_id:
        return "employee_id is missing"
    if not isinstance(event.occurred_at, datetime) or event.occurred_at.utcoffset() is None:
        return f"occurred_at must be a time-zone aware timestamp, got {event.occurred_at!r}"
    kind = EventType(event.event_type)
    if kind in _NEEDS_ACTIVITY and not event.activity_id:
        return f"{kind} needs an activity_id"
    if kind in _NEEDS_STORY and not event.story_id:
        return f"{kind} needs a story_id"
    if kind in _NEEDS_COUNTERPART and not event.counterpart_id:
        who = "the other side" if kind == EventType.COLLABORATION_COMPLETED else "the story's author"
        return f"{kind} needs a counterpart_id ({who})"
    if kind == EventType.COLLABORATION_COMPLETED and event.counterpart_id == event.employee_id:
        return "collaboration_completed with oneself"
    return None


def _meaning(event: ActivityEvent) -> tuple[object, ...]:
    """What an event stands for: two events with the same meaning count once."""
    kind = EventType(event.event_type)
    if kind == EventType.STORY_PUBLISHED:
        return (kind, event.story_id)
    if kind == EventType.STORY_LIKED:
        return (kind, event.story_id, event.employee_id)
    if kind == EventType.STORY_COMMENTED:
        return (kind, event.event_id)
    if kind == EventType.COLLABORATION_COMPLETED:
        return (kind, event.activity_id, *sorted((event.employee_id, event.counterpart_id or "")))
    return (kind, event.activity_id, event.employee_id)


def _chronological(event: ActivityEvent) -> tuple[datetime, str]:
    return (event.occurred_at, event.event_id)


def unique_events(events: Iterable[ActivityEvent]) -> tuple[list[ActivityEvent], list[RejectedEvent]]:
    """Events to count, in time order, and those that are not counted with the reason.

    Exact replays of an ``event_id`` collapse silently (that is what "counted once" means); everything else
    that is not counted is reported.
    """
    versions: dict[str, set[ActivityEvent]] = defaultdict(set)
    rejected: list[RejectedEvent] = []
    for event in events:
        problem = _problem(event)
        if problem:
            rejected.append(RejectedEvent(event, problem))
        else:
            versions[event.event_id].add(event)

    candidates: list[ActivityEvent] = []
    for event_id, contents in versions.items():
        if len(contents) > 1:
            reason = f"event_id {event_id} arrived with {len(contents)} different contents; none is counted"
            rejected.extend(RejectedEvent(e, reason) for e in sorted(contents, key=repr))
        else:
            candidates.extend(contents)

    kept: dict[tuple[object, ...], ActivityEvent] = {}
    for event in sorted(candidates, key=_chronological):
        first = kept.setdefault(_meaning(event), event)
        if first is not event:
            rejected.append(RejectedEvent(event, f"duplicate of event {first.event_id} ({event.event_type})"))
    rejected.sort(key=lambda r: (str(r.event.event_id), r.reason, repr(r.event)))
    return sorted(kept.values(), key=_chronological), rejected


def _context_problem(
    event: ActivityEvent, context: WeekContext, published: Mapping[str, datetime], tolerance: timedelta
) -> str | None:
    """Why what is on record refuses an otherwise well-formed event, or None."""
    if event.received_at is not None and event.occurred_at - event.received_at > tolerance:
        ahead = event.occurred_at - event.received_at
        return (
            f"clock skew: occurred_at {event.occurred_at.isoformat()} is {ahead} after the event arrived "
            f"({event.received_at.isoformat()}), beyond the {tolerance} tolerance"
        )
    if context.employees is not None:
        for role, person in (("employee", event.employee_id), ("counterpart", event.counterpart_id)):
            if person and person not in context.employees:
                return f"unknown {role} {person}: not on the employee record"
    kind = EventType(event.event_type)
    if context.activities is not None and event.activity_id and event.activity_id not in context.activities:
        return f"unknown activity {event.activity_id}"
    if context.published_stories is not None and kind in _STORY_INTERACTIONS:
        story = event.story_id or ""
        published_here = story in published and published[story] <= event.occurred_at
        if story not in context.published_stories and not published_here:
            return f"{kind} on story {story} before it was published"
    course = event.prerequisite_course
    if kind == EventType.CHALLENGE_JOINED and course and context.completions is not None:
        completed = context.completions.get(event.employee_id, {}).get(course)
        if completed is None:
            return f"prerequisite course {course} not completed before joining"
        if completed > event.occurred_at:
            return f"prerequisite course {course} completed at {completed.isoformat()}, after joining"
    return None


def _check_context(
    events: list[ActivityEvent], context: WeekContext, rules: ActivityPointRules
) -> tuple[list[ActivityEvent], list[RejectedEvent]]:
    published = {e.story_id or "": e.occurred_at for e in reversed(events) if e.event_type == EventType.STORY_PUBLISHED}
    tolerance = timedelta(minutes=rules.clock_skew_tolerance_minutes)
    kept: list[ActivityEvent] = []
    rejected: list[RejectedEvent] = []
    refused_joins: set[tuple[str, str | None]] = set()  # a member who never validly joined does not share the win
    for event in events:
        problem = _context_problem(event, context, published, tolerance)
        won = event.event_type == EventType.CHALLENGE_WON
        if not problem and won and (event.employee_id, event.activity_id) in refused_joins:
            problem = f"challenge_won but joining {event.activity_id} was refused (prerequisite course)"
        if problem:
            rejected.append(RejectedEvent(event, problem))
            if event.event_type == EventType.CHALLENGE_JOINED and problem.startswith("prerequisite"):
                refused_joins.add((event.employee_id, event.activity_id))
        else:
            kept.append(event)
    return kept, rejected


class _Tally:
    """Points per (employee, week) and rule as events are credited, and performance points beside them."""

    def __init__(self) -> None:
        self.lines: dict[tuple[str, date], dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        self.performance: dict[tuple[str, date], int] = defaultdict(int)

    def add(self, employee_id: str, week: date, rule: str, points: int) -> None:
        line = self.lines[(employee_id, week)][rule]
        line[0] += 1
        line[1] += points


def _credit(
    events: Iterable[ActivityEvent], rules: ActivityPointRules, tz: str, prior_like_points: Mapping[str, int]
) -> tuple[_Tally, dict[str, int]]:
    tally = _Tally()
    like_points = dict(prior_like_points)
    zone = ZoneInfo(tz)
    for event in events:
        week = week_start_of(event.occurred_at.astimezone(zone).date())
        kind = EventType(event.event_type)
        value = getattr(rules.points, kind.value)
        author = event.counterpart_id or ""
        if kind in _STORY_INTERACTIONS and event.employee_id == author:
            tally.add(author, week, OWN_LIKE_EXCLUDED if kind == EventType.STORY_LIKED else OWN_COMMENT_EXCLUDED, 0)
        elif kind == EventType.STORY_LIKED:
            story = event.story_id or ""
            credited = max(0, min(value, rules.like_points_cap_per_story - like_points.get(story, 0)))
            like_points[story] = like_points.get(story, 0) + credited
            tally.add(author, week, kind, value)
            if credited < value:
                tally.add(author, week, STORY_LIKE_CAP, credited - value)
        elif kind == EventType.STORY_COMMENTED:
            tally.add(author, week, kind, value)
        elif kind == EventType.COLLABORATION_COMPLETED:
            tally.add(event.employee_id, week, kind, value)
            tally.add(author, week, kind, value)
        elif kind == EventType.CHALLENGE_WON:
            tally.add(event.employee_id, week, kind, value)
            tally.performance[(event.employee_id, week)] += rules.performance_points_per_win
        else:
            tally.add(event.employee_id, week, kind, value)
    return tally, like_points


def score_activity_week(
    events: Iterable[ActivityEvent],
    plan: Plan,
    tz: str = DEFAULT_TIMEZONE,
    prior_like_points: Mapping[str, int] | None = None,
    context: WeekContext | None = None,
) -> tuple[list[EmployeeWeekPoints], list[RejectedEvent]]:
    """Points per employee and week (of ``occurred_at`` in ``tz``) with a line per rule, and the events not counted.

    ``prior_like_points`` holds like points stories already earned in earlier weeks (see ``like_points_by_story``)
    so the per-story cap holds across weeks; ``context`` is what is on record to check events against.
    """
    rules = plan.activity_points
    kept, rejected = unique_events(events)
    kept, refused = _check_context(kept, context or WeekContext(), rules)
    rejected = sorted([*rejected, *refused], key=lambda r: (str(r.event.event_id), r.reason, repr(r.event)))
    tally, _ = _credit(kept, rules, tz, prior_like_points or {})
    results = []
    for (employee_id, week), by_rule in sorted(tally.lines.items()):
        lines = [PointsLine(rule, *by_rule[rule]) for rule in RULE_ORDER if rule in by_rule]
        before_cap = sum(line.points for line in lines)
        points = min(before_cap, rules.weekly_cap)
        if points < before_cap:
            lines.append(PointsLine(WEEKLY_CAP, 1, points - before_cap))
        performance = tally.performance.get((employee_id, week), 0)
        results.append(EmployeeWeekPoints(employee_id, week, points, before_cap, tuple(lines), performance))
    return results, rejected


def team_building_fund(
    collaboration: Iterable[tuple[str, date, int]], teams: Mapping[str, str | None], plan: Plan
) -> list[TeamFundWeek]:
    """What each team's members' collaboration points put into its team-building budget, per week.

    ``collaboration`` holds (employee, week, collaboration points) as ``EmployeeWeekPoints.collaboration_points``
    gives them: before the weekly cap, which limits what a person earns, not what the team's work funds. People
    without a team on record are pooled under ``(no team)`` so no point drops out of the total.
    """
    earned: dict[tuple[str, date], int] = defaultdict(int)
    for employee_id, week, points in collaboration:
        if points:
            earned[(teams.get(employee_id) or "(no team)", week)] += points
    rate = plan.activity_points.team_building_fund_per_point
    return [
        TeamFundWeek(team, week, total, round_money(rate * total), plan.currency)
        for (team, week), total in sorted(earned.items())
    ]


def like_points_by_story(events: Iterable[ActivityEvent], plan: Plan, tz: str = DEFAULT_TIMEZONE) -> dict[str, int]:
    """Like points each story has earned from ``events`` (earlier weeks' events), after dedupe and caps."""
    kept, _ = unique_events(events)
    _, awarded = _credit(kept, plan.activity_points, tz, {})
    return awarded
