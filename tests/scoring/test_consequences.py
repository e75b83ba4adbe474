"""Consequences of a scored week: what each band sets in motion, with stable event ids."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from scoring.attainment import Band
from scoring.consequences import ConsequenceKind, ScoredWeek, consequences, week_consequences

WEEK = date(2026, 3, 30)
D = Decimal


def week(attainment: str, band: Band, **kw) -> ScoredWeek:
    base = ScoredWeek(
        employee_id="E1",
        week_start=WEEK,
        attainment=D(attainment),
        band=band,
        bonus=D("0"),
        extra_leave_hours=D("0"),
        streak_weeks=0,
        excellence_certificate=False,
        weakest_metric="csat",
        reason_codes=(),
    )
    return replace(base, **kw)


def kinds(events) -> list[str]:
    return sorted(str(e.kind) for e in events)


def test_exceeded_pays_a_bonus_grants_leave_and_counts_toward_promotion(plan):
    events = consequences(
        week("1.1367", Band.EXCEEDED, bonus=D("602.50"), extra_leave_hours=D("2")), "M1", {}, plan.goals
    )
    assert kinds(events) == ["extra_leave", "promotion_review_credit", "weekly_bonus"]
    by_kind = {e.kind: e for e in events}
    assert by_kind[ConsequenceKind.WEEKLY_BONUS].amount == D("602.50")
    assert by_kind[ConsequenceKind.EXTRA_LEAVE].hours == D("2")
    assert by_kind[ConsequenceKind.PROMOTION_REVIEW_CREDIT].counter == 1


def test_improving_gets_a_note_with_the_course_for_the_weakest_metric(plan):
    [note] = consequences(week("0.7", Band.IMPROVING, weakest_metric="csat"), "M1", {}, plan.goals)
    assert note.kind is ConsequenceKind.IMPROVEMENT_NOTE
    assert (note.recipient_id, note.metric, note.course) == ("E1", "csat", plan.goals.course_for("csat"))
    assert note.course != plan.goals.course_for("no-such-metric")  # a specific course, not the default


def test_at_risk_alerts_the_manager_with_the_attendance_reasons(plan):
    [alert] = consequences(week("0.5", Band.AT_RISK, reason_codes=("ABSENT_2D", "LATE_3X")), "M7", {}, plan.goals)
    assert alert.kind is ConsequenceKind.MANAGER_ALERT
    assert (alert.recipient_id, alert.reasons, alert.metric) == ("M7", ("ABSENT_2D", "LATE_3X"), "csat")


def test_an_alert_without_a_manager_goes_to_hr(plan):
    [alert] = consequences(week("0.5", Band.AT_RISK), None, {}, plan.goals)
    assert alert.recipient_id == "HR" and "no manager" in alert.detail


def test_the_third_week_in_a_row_earns_a_certificate(plan):
    scored = week("1.05", Band.EXCEEDED, streak_weeks=3, excellence_certificate=True)
    [certificate] = [e for e in consequences(scored, "M1", {}, plan.goals) if e.kind == "excellence_certificate"]
    assert certificate.counter == 3


def test_promotion_review_eligibility_fires_once_when_the_count_is_reached(plan):
    rules = plan.goals.promotion_review
    needed = rules.qualifying_weeks
    history = {WEEK - timedelta(weeks=n): D("0.9") for n in range(1, needed)}  # needed - 1 earlier weeks
    events = consequences(week("0.85", Band.ON_TRACK), "M1", history, plan.goals)
    [eligible] = [e for e in events if e.kind == ConsequenceKind.PROMOTION_REVIEW_ELIGIBLE]
    assert eligible.counter == needed
    next_week = replace(week("0.85", Band.ON_TRACK), week_start=WEEK + timedelta(weeks=1))
    later = consequences(next_week, "M1", {**history, WEEK: D("0.85")}, plan.goals)
    assert ConsequenceKind.PROMOTION_REVIEW_ELIGIBLE not in {e.kind for e in later}


def test_weeks_outside_the_window_do_not_count(plan):
    window = plan.goals.promotion_review.window_weeks
    old = {WEEK - timedelta(weeks=window + n): D("1.0") for n in range(10)}
    [credit] = [e for e in consequences(week("0.9", Band.ON_TRACK), "M1", old, plan.goals) if e.counter]
    assert credit.counter == 1


def test_recomputing_a_week_rebuilds_the_same_event_ids(plan):
    scored = [week("1.1", Band.EXCEEDED, bonus=D("500")), week("0.5", Band.AT_RISK, employee_id="E2")]
    first = week_consequences(scored, {"E1": "M1", "E2": "M1"}, {}, plan.goals)
    again = week_consequences(list(reversed(scored)), {"E1": "M1", "E2": "M1"}, {}, plan.goals)
    assert [e.event_id for e in first] == [e.event_id for e in again]
    assert len({e.event_id for e in first}) == len(first)


def test_each_performance_point_counts_as_one_qualifying_week(plan):
    needed = plan.goals.promotion_review.qualifying_weeks
    history = {WEEK - timedelta(weeks=n): D("0.9") for n in range(1, needed - 1)}  # needed - 2 earlier weeks
    without = consequences(week("0.85", Band.ON_TRACK), "M1", history, plan.goals)
    assert ConsequenceKind.PROMOTION_REVIEW_ELIGIBLE not in {e.kind for e in without}

    won_earlier = {WEEK - timedelta(weeks=3): 1}
    events = consequences(week("0.85", Band.ON_TRACK), "M1", history, plan.goals, won_earlier)
    [eligible] = [e for e in events if e.kind == ConsequenceKind.PROMOTION_REVIEW_ELIGIBLE]
    assert eligible.counter == needed
    [credit] = [e for e in events if e.kind == ConsequenceKind.PROMOTION_REVIEW_CREDIT]
    assert credit.detail.endswith("(each performance point counts as one)")


def test_a_performance_point_credits_a_week_below_on_track_and_old_points_drop_out(plan):
    window = plan.goals.promotion_review.window_weeks
    performance = {WEEK: 1, WEEK - timedelta(weeks=window): 5}  # the second is outside the window
    [credit] = [
        e
        for e in consequences(week("0.5", Band.AT_RISK), "M1", {}, plan.goals, performance)
        if e.kind == ConsequenceKind.PROMOTION_REVIEW_CREDIT
    ]
    assert credit.counter == 1
    by_employee = week_consequences([week("0.5", Band.AT_RISK)], {"E1": "M1"}, {}, plan.goals, {"E2": {WEEK: 1}})
    assert ConsequenceKind.PROMOTION_REVIEW_CREDIT not in {e.kind for e in by_employee}  # E2's point is not E1's
