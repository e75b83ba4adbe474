"""Activity points: worked example D, caps, own likes, and events that arrive more than once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from scoring.activity_points import ActivityEvent, like_points_by_story, score_activity_week

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


def test_replayed_events_count_once(plan):
    events = example_d()
    results, rejected = score_activity_week(events + events[:10] + list(reversed(events)), plan)
    assert points_of(results).points == 164
    assert rejected == []


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
