"""Activity points: worked example D, caps, own likes, and events that arrive more than once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from scoring.activity_points import (
    ActivityEvent,
    WeekContext,
    like_points_by_story,
    score_activity_week,
    team_building_fund,
)

MONDAY_NOON = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # 12:00 in Asia/Shanghai
WEEK = date(2026, 3, 2)


def event(event_id, event_type, employee="E1", minutes=0, **fields):
    return ActivityEvent(event_id, event_type, employee, MONDAY_NOON + timedelta(minutes=minutes), **fields)


def likes(story, count, author="E1", prefix="L", start=0):
    return [
        event(f"{prefix}{story}-{i}", "story_liked", f"F{i:03d}", minutes=10 + i, counterpart_id=author, story_id=story)
        for i in range(start, start + count)
    ]


def example_d():
    return [
        event("J1", "challenge_joined", activity_id="A1"),
        event("K1", "collaboration_completed", counterpart_id="E2", activity_id="A2"),
        event("S1", "story_published", story_id="S1"),
        *likes("S1", 25),
        event("S2", "story_published", story_id="S2"),
        *likes("S2", 2),
        event("OWN", "story_liked", "E1", minutes=5, counterpart_id="E1", story_id="S2"),
    ]


def points_of(results, employee="E1"):
    return {(r.employee_id, r.week_start): r for r in results}[(employee, WEEK)]


def test_worked_example_d(plan):
    results, rejected = score_activity_week(example_d(), plan)
    assert rejected == []
    e1 = points_of(results)
    assert e1.points == 164
    assert {line.rule: (line.count, line.points) for line in e1.lines} == {
        "challenge_joined": (1, 50),
        "collaboration_completed": (1, 30),
        "story_published": (2, 40),
        "story_liked": (27, 54),
        "own_like_excluded": (1, 0),
        "story_like_cap": (5, -10),
    }
    assert points_of(results, "E2").points == 30  # the other side of the collaboration


@pytest.mark.trust("bad input", "scoring: activity points")
def test_replayed_events_count_once(plan):
    events = example_d()
    results, rejected = score_activity_week(events + events[:10] + list(reversed(events)), plan)
    assert points_of(results).points == 164
    assert rejected == []


@pytest.mark.trust("bad input", "scoring: activity points")
def test_same_meaning_with_a_new_event_id_counts_once_and_is_reported(plan):
    events = [
        event("S1", "story_published", story_id="S1"),
        event("S1-again", "story_published", minutes=1, story_id="S1"),
        event("L1", "story_liked", "F1", counterpart_id="E1", story_id="S1"),
        event("L1-again", "story_liked", "F1", minutes=1, counterpart_id="E1", story_id="S1"),
        event("K1", "collaboration_completed", "E1", counterpart_id="E2", activity_id="A2"),
        event("K2", "collaboration_completed", "E2", minutes=1, counterpart_id="E1", activity_id="A2"),
    ]
    results, rejected = score_activity_week(events, plan)
    assert points_of(results).points == 20 + 2 + 30
    assert points_of(results, "E2").points == 30
    assert sorted(r.reason for r in rejected) == [
        "duplicate of event K1 (collaboration_completed)",
        "duplicate of event L1 (story_liked)",
        "duplicate of event S1 (story_published)",
    ]


@pytest.mark.trust("bad input", "scoring: activity points")
def test_an_event_id_with_conflicting_contents_is_not_guessed(plan):
    original = event("J1", "challenge_joined", activity_id="A1")
    results, rejected = score_activity_week([original, replace(original, employee_id="E9")], plan)
    assert results == []
    assert {r.event.employee_id for r in rejected} == {"E1", "E9"}
    assert all("arrived with 2 different contents" in r.reason for r in rejected)


def test_weekly_cap(plan):
    events = [event(f"J{i}", "challenge_joined", minutes=i, activity_id=f"A{i}") for i in range(5)]
    e1 = points_of(score_activity_week(events, plan)[0])
    assert (e1.points, e1.points_before_cap) == (200, 250)
    assert e1.lines[-1].rule == "weekly_cap" and e1.lines[-1].points == -50


def test_like_cap_is_per_story_and_holds_across_weeks(plan):
    earlier = likes("S1", 15, prefix="old")  # 30 like points already earned
    prior = like_points_by_story(earlier, plan)
    assert prior == {"S1": 30}
    later = [replace(e, occurred_at=e.occurred_at + timedelta(days=7)) for e in likes("S1", 10, start=100)]
    results, _ = score_activity_week(later, plan, prior_like_points=prior)
    [e1] = results
    assert e1.week_start == WEEK + timedelta(days=7)
    assert e1.points == 10


@pytest.mark.trust("bad input", "scoring: activity points")
def test_liking_or_commenting_on_your_own_story_earns_nothing(plan):
    events = [
        event("OWN", "story_liked", "E1", counterpart_id="E1", story_id="S1"),
        event("C1", "story_commented", "E1", counterpart_id="E1", story_id="S1"),
    ]
    [e1] = score_activity_week(events, plan)[0]
    assert e1.points == 0
    assert {line.rule for line in e1.lines} == {"own_like_excluded", "own_comment_excluded"}


def test_winning_team_members_get_the_bonus_each(plan):
    events = [event(f"W{i}", "challenge_won", f"E{i}", activity_id="A1", team_id="T1") for i in range(3)]
    results, _ = score_activity_week(events, plan)
    assert [r.points for r in results] == [100, 100, 100]


def test_points_land_in_the_local_week(plan):
    sunday_night_local = datetime(
        2026, 3, 8, 16, 30, tzinfo=UTC
    )  # still Sunday in UTC, Monday 2026-03-09 00:30 in Shanghai
    [result] = score_activity_week(
        [ActivityEvent("Q1", "quiz_answered", "E1", sunday_night_local, activity_id="A1")], plan
    )[0]
    assert result.week_start == date(2026, 3, 9)
    assert result.points == plan.activity_points.points.quiz_answered


@pytest.mark.trust("bad input", "scoring: activity points")
@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (event("X1", "story_shared"), "unknown event_type 'story_shared'"),
        (event("X2", "story_liked", story_id="S1"), "story_liked needs a counterpart_id (the story's author)"),
        (event("X3", "story_published"), "story_published needs a story_id"),
        (event("X4", "challenge_joined"), "challenge_joined needs an activity_id"),
        (
            event("X5", "collaboration_completed", counterpart_id="E1", activity_id="A1"),
            "collaboration_completed with oneself",
        ),
        (ActivityEvent("X6", "quiz_answered", "E1", datetime(2026, 3, 2, 12), activity_id="A1"), "occurred_at must be"),
    ],
)
def test_bad_events_are_rejected_with_a_reason(plan, bad, reason):
    results, rejected = score_activity_week([bad], plan)
    assert results == []
    assert [r.reason.startswith(reason) for r in rejected] == [True]


def test_record_carries_the_breakdown(plan):
    record = points_of(score_activity_week(example_d(), plan)[0]).as_record()
    assert record["points"] == 164
    assert '"story_like_cap": {"count": 5, "points": -10}' in record["breakdown_json"]


# --- rules that need what is on record: prerequisites, unknown people and activities, stories, clock skew ---

COURSE_DONE = MONDAY_NOON - timedelta(days=3)


def joins(*employees, course="SEC-101"):
    return [
        event(f"J-{e}", "challenge_joined", e, minutes=i, activity_id="A1", prerequisite_course=course)
        for i, e in enumerate(employees)
    ]


@pytest.mark.trust("bad input", "scoring: activity points")
def test_joining_a_challenge_without_the_prerequisite_course_earns_nothing_and_says_why(plan):
    completions = {
        "E1": {"SEC-101": COURSE_DONE},
        "E2": {"SEC-101": MONDAY_NOON + timedelta(hours=2)},  # completed, but only after joining
        "E3": {"OTHER-1": COURSE_DONE},
    }
    events = joins("E1", "E2", "E3")
    results, rejected = score_activity_week(events, plan, context=WeekContext(completions=completions))
    assert [(r.employee_id, r.points) for r in results] == [("E1", 50)]
    assert {r.event.employee_id: r.reason for r in rejected} == {
        "E2": "prerequisite course SEC-101 completed at 2026-03-02T06:00:00+00:00, after joining",
        "E3": "prerequisite course SEC-101 not completed before joining",
    }
    assert len(results) + len(rejected) == len(events)


def test_a_member_whose_join_was_refused_does_not_share_the_win(plan):
    won = [event(f"W-{e}", "challenge_won", e, minutes=60, activity_id="A1", team_id="T1") for e in ("E1", "E2")]
    context = WeekContext(completions={"E1": {"SEC-101": COURSE_DONE}})
    results, rejected = score_activity_week(joins("E1", "E2") + won, plan, context=context)
    assert [(r.employee_id, r.points, r.performance_points) for r in results] == [("E1", 150, 1)]
    assert sorted(r.reason for r in rejected) == [
        "challenge_won but joining A1 was refused (prerequisite course)",
        "prerequisite course SEC-101 not completed before joining",
    ]


def test_a_challenge_without_a_prerequisite_needs_no_course(plan):
    [e1] = score_activity_week(joins("E1", course=None), plan, context=WeekContext(completions={}))[0]
    assert e1.points == 50


def test_example_d_stays_exact_with_every_check_on(plan):
    context = WeekContext(
        employees={"E1", "E2", *(f"F{i:03d}" for i in range(30))},
        activities={"A1", "A2"},
        completions={"E1": {"SEC-101": COURSE_DONE}},
        published_stories=set(),
    )
    events = [replace(e, prerequisite_course="SEC-101") if e.event_id == "J1" else e for e in example_d()]
    results, rejected = score_activity_week(events, plan, context=context)
    assert rejected == []
    assert points_of(results).points == 164


def test_winning_team_members_earn_a_performance_point_each_besides_the_bonus(plan):
    events = [event(f"W{i}", "challenge_won", f"E{i}", activity_id="A1", team_id="T1") for i in range(2)]
    events.append(event("J9", "challenge_joined", "E9", activity_id="A1"))
    results, _ = score_activity_week(events, plan)
    assert [(r.employee_id, r.points, r.performance_points) for r in results] == [
        ("E0", 100, 1),
        ("E1", 100, 1),
        ("E9", 50, 0),
    ]
    assert results[0].as_record()["performance_points"] == 1


def test_performance_points_per_win_come_from_the_plan(plan):
    doubled = plan.model_copy(
        update={"activity_points": plan.activity_points.model_copy(update={"performance_points_per_win": 2})}
    )
    [e1] = score_activity_week([event("W1", "challenge_won", activity_id="A1", team_id="T1")], doubled)[0]
    assert e1.performance_points == 2


@pytest.mark.trust("bad input", "scoring: activity points")
@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (event("U1", "quiz_answered", "GHOST", activity_id="A1"), "unknown employee GHOST: not on the employee record"),
        (
            event("U2", "story_liked", "E1", counterpart_id="GHOST", story_id="S0"),
            "unknown counterpart GHOST: not on the employee record",
        ),
        (event("U3", "quiz_answered", "E1", activity_id="A404"), "unknown activity A404"),
        (
            event("U4", "story_liked", "E2", counterpart_id="E1", story_id="S-later"),
            "story_liked on story S-later before it was published",
        ),
    ],
)
def test_events_the_record_does_not_support_are_rejected_with_the_reason(plan, bad, reason):
    context = WeekContext(employees={"E1", "E2"}, activities={"A1"}, published_stories={"S0"})
    later = event("S-later", "story_published", "E1", minutes=60, story_id="S-later")
    results, rejected = score_activity_week([bad, later], plan, context=context)
    assert [(r.event.event_id, r.reason) for r in rejected] == [(bad.event_id, reason)]
    assert sum(line.count for r in results for line in r.lines) == 1  # only the publication counts


def test_a_like_after_the_story_was_published_counts(plan):
    events = [
        event("S1", "story_published", "E1", story_id="S1"),
        event("L1", "story_liked", "E2", minutes=1, counterpart_id="E1", story_id="S1"),
    ]
    [e1] = score_activity_week(events, plan, context=WeekContext(published_stories=set()))[0]
    assert e1.points == 22


@pytest.mark.trust("bad input", "scoring: activity points")
def test_an_event_stamped_past_its_arrival_beyond_the_tolerance_is_clock_skew(plan):
    arrived = MONDAY_NOON
    skewed = replace(event("Q1", "quiz_answered", activity_id="A1", minutes=11), received_at=arrived)
    slightly = replace(event("Q2", "quiz_answered", "E2", activity_id="A2", minutes=10), received_at=arrived)
    results, rejected = score_activity_week([skewed, slightly], plan)
    assert [r.employee_id for r in results] == ["E2"]
    [refused] = rejected
    assert refused.reason.startswith("clock skew: occurred_at 2026-03-02T04:11:00+00:00 is 0:11:00 after the event")
    assert refused.reason.endswith("beyond the 0:10:00 tolerance")


@pytest.mark.trust("bad input", "scoring: activity points")
def test_the_same_webhook_delivered_twice_counts_once(plan):
    delivery = event("Q1", "quiz_answered", activity_id="A1")
    results, rejected = score_activity_week([delivery, delivery], plan)
    assert [r.points for r in results] == [plan.activity_points.points.quiz_answered]
    assert rejected == []


def test_collaboration_points_fund_the_team_building_budget_in_decimal_money(plan):
    events = [
        event("K1", "collaboration_completed", "E1", counterpart_id="E2", activity_id="A2"),
        event("K2", "collaboration_completed", "E3", counterpart_id="E1", activity_id="A3"),
        event("J1", "challenge_joined", "E1", activity_id="A1"),
    ]
    points, _ = score_activity_week(events, plan)
    assert {p.employee_id: p.as_record()["collaboration_points"] for p in points} == {"E1": 60, "E2": 30, "E3": 30}
    collaboration = [(p.employee_id, p.week_start, p.collaboration_points) for p in points]
    fund = team_building_fund(collaboration, {"E1": "T1", "E2": "T1", "E3": None}, plan)
    assert [r.as_record() for r in fund] == [
        {"team_id": "(no team)", "week_start": WEEK, "collaboration_points": 30, "amount": Decimal("30.00"),
         "currency": "CNY"},
        {"team_id": "T1", "week_start": WEEK, "collaboration_points": 90, "amount": Decimal("90.00"),
         "currency": "CNY"},
    ]  # fmt: skip
    half = plan.model_copy(
        update={
            "activity_points": plan.activity_points.model_copy(update={"team_building_fund_per_point": Decimal("0.5")})
        }
    )
    assert [f.amount for f in team_building_fund(collaboration, {}, half)] == [Decimal("60.00")]
