"""Weekly goal attainment: worked example B, the payout curve, bands, streaks and bad goal rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.attainment import (
    Band,
    GoalItem,
    GoalItemError,
    WeekAttainment,
    band_for,
    payout_multiplier,
    score_item,
    score_week,
)

WEEK = date(2026, 3, 2)
D = Decimal


def item(metric="tickets", target="100", actual="100", weight="1", direction="higher_is_better", employee="E1", **kw):
    def number(value):
        return D(value) if isinstance(value, str) else value

    return GoalItem(
        employee, kw.pop("week", WEEK), metric, number(target), number(actual), number(weight), direction, **kw
    )


def example_b() -> list[GoalItem]:
    return [
        item("tickets_resolved", "200", "230", "0.5"),
        item("first_response_minutes", "10", "8", "0.3", "lower_is_better", reason_codes=("LATE_3X",)),
        item("csat", "4.5", "4.2", "0.2", reason_codes=("ABSENT_2D", "LATE_3X")),
    ]


def score_one(plan, items, previous=None, role="customer_service"):
    results, rejected = score_week(items, {"E1": role}, {"E1": previous or []}, plan)
    assert rejected == []
    [result] = results
    return result


def test_worked_example_b(plan):
    result = score_one(plan, example_b())
    ratios = {s.item.metric: round(s.ratio, 4) for s in result.items}
    assert ratios == {"tickets_resolved": D("1.1500"), "first_response_minutes": D("1.2500"), "csat": D("0.9333")}
    assert result.attainment == D("1.1367")
    assert result.band == Band.EXCEEDED
    assert round(result.payout_multiplier, 6) == D("1.205000")
    assert result.bonus == D("602.50")  # from the exact attainment; 1.1367 would pay 602.53
    assert result.extra_leave_hours == D("2")
    assert result.weakest_metric == "csat"
    assert result.reason_codes == ("ABSENT_2D", "LATE_3X")


def test_example_b_record_explains_itself(plan):
    record = score_one(plan, example_b()).as_record()
    assert record["bonus"] == D("602.50")
    assert record["band"] == "exceeded"
    assert record["reason_codes"] == "ABSENT_2D,LATE_3X"
    assert '"metric": "csat"' in record["items_json"]
    assert '"ratio": "0.9333"' in record["items_json"]


@pytest.mark.parametrize(
    ("attainment", "multiplier"),
    [
        ("0", "0"),
        ("0.5999", "0"),
        ("0.6", "0.5"),
        ("0.8", "0.75"),
        ("1.0", "1.0"),
        ("1.1", "1.15"),
        ("1.2", "1.3"),
        ("1.35", "1.45"),
        ("1.5", "1.6"),
        ("1.51", "1.6"),
        ("9", "1.6"),
    ],
)
def test_payout_curve_zero_below_linear_between_flat_after(plan, attainment, multiplier):
    assert payout_multiplier(D(attainment), plan.goals.payout_curve) == D(multiplier)


def test_ratio_is_capped_for_pay_but_kept_for_flags(plan):
    result = score_one(plan, [item(target="100", actual="300")])
    assert result.items[0].ratio == 3
    assert result.attainment == D("1.5")
    assert result.attainment_uncapped == D("3")
    assert result.bonus == D("800.00")  # 500 x 1.6, flat after the last curve point


def test_lower_is_better_inverts_the_ratio(plan):
    faster = score_item(item(target="10", actual="5", direction="lower_is_better"), plan.goals)
    slower = score_item(item(target="10", actual="20", direction="lower_is_better"), plan.goals)
    assert (faster.ratio, faster.capped_ratio) == (D(2), D("1.5"))
    assert slower.ratio == D("0.5")


@pytest.mark.parametrize(
    ("attainment", "previous", "band"),
    [
        ("1.25", None, Band.HIGH_PERFORMER),
        ("1.2", None, Band.HIGH_PERFORMER),
        ("1.0", None, Band.EXCEEDED),
        ("0.8", None, Band.ON_TRACK),
        ("0.7", "0.6", Band.IMPROVING),
        ("0.7", "0.7", Band.AT_RISK),
        ("0.7", "0.75", Band.AT_RISK),
        ("0.7", None, Band.AT_RISK),
    ],
)
def test_bands(plan, attainment, previous, band):
    history = [WeekAttainment(WEEK - timedelta(days=7), D(previous))] if previous else []
    result = score_one(plan, [item(actual=str(D(attainment) * 100))], history)
    assert result.band == band
    assert result.extra_leave_hours == (D(2) if band in (Band.HIGH_PERFORMER, Band.EXCEEDED) else 0)


def test_improving_needs_last_week_not_an_older_one(plan):
    two_weeks_ago = [WeekAttainment(WEEK - timedelta(days=14), D("0.5"))]
    assert score_one(plan, [item(actual="70")], two_weeks_ago).band == Band.AT_RISK


def test_band_follows_the_reported_attainment_while_pay_uses_the_exact_one(plan):
    # 0.99996 is reported as 1.0000, so the person is told `exceeded`; the curve still sees 0.99996
    result = score_one(plan, [item(target="100000", actual="99996")])
    assert result.attainment == D("1.0000")
    assert result.band == Band.EXCEEDED
    assert result.bonus == D("499.98")  # 500 x 0.99995 = 499.975


def streak_history(*values):
    return [WeekAttainment(WEEK - timedelta(days=7 * (i + 1)), D(v)) for i, v in enumerate(values)]


@pytest.mark.parametrize(
    ("current", "earlier", "streak", "certificate"),
    [
        ("100", ("1.0", "1.1"), 3, True),
        ("100", ("1.0",), 2, False),
        ("99", ("1.0", "1.1"), 0, False),
        ("100", ("1.0", "0.9", "1.2"), 2, False),
        ("100", ("1.0", "1.1", "1.3", "1.0", "1.2"), 6, True),
        ("100", ("1.0", "1.1", "1.3"), 4, False),
    ],
)
def test_streaks_and_excellence_certificates(plan, current, earlier, streak, certificate):
    result = score_one(plan, [item(actual=current)], streak_history(*earlier))
    assert (result.streak_weeks, result.excellence_certificate) == (streak, certificate)


def test_a_missing_week_breaks_the_streak(plan):
    history = [WeekAttainment(WEEK - timedelta(days=7), D("1.1")), WeekAttainment(WEEK - timedelta(days=21), D("1.1"))]
    result = score_one(plan, [item(actual="100")], history)
    assert (result.streak_weeks, result.excellence_certificate) == (2, False)


def test_role_base_and_default_base(plan):
    assert score_one(plan, [item()], role="engineer").base_bonus == D("500")
    results, _ = score_week([item(employee="E9")], {}, {}, plan)
    assert results[0].role is None and results[0].bonus == D("500.00")


@pytest.mark.trust("bad input", "scoring: attainment")
@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (item(target="0"), "target must be positive, got 0"),
        (item(target=None), "target is missing"),
        (item(actual="-1"), "actual must not be negative, got -1"),
        (item(actual="0", direction="lower_is_better"), "actual is 0 on a lower-is-better metric"),
        (item(weight="-0.5"), "weight must not be negative"),
        (replace(item(), target="lots"), "target must be a number, got 'lots'"),
        (item(direction="sideways"), "direction must be higher_is_better or lower_is_better"),
    ],
)
def test_bad_items_are_rejected_with_a_reason(plan, bad, reason):
    with pytest.raises(GoalItemError, match="^" + reason.replace("(", r"\(").replace(")", r"\)")):
        score_item(bad, plan.goals)
    results, rejected = score_week([bad], {"E1": "engineer"}, {}, plan)
    assert results == []
    assert [(r.item, r.reason.startswith(reason)) for r in rejected] == [(bad, True)]


@pytest.mark.trust("bad input", "scoring: attainment")
def test_one_bad_item_holds_back_the_whole_employee_week(plan):
    good, bad = item("csat"), item("tickets", target="0")
    other = item(employee="E2")
    results, rejected = score_week([good, bad, other], {}, {}, plan)
    assert [r.employee_id for r in results] == ["E2"]
    reasons = {r.item.metric: r.reason for r in rejected}
    assert reasons["tickets"].startswith("target must be positive")
    assert reasons["csat"].startswith("held back: goal 'tickets' of the same employee-week was rejected")


@pytest.mark.trust("bad input", "scoring: attainment")
def test_weights_that_do_not_add_up_to_one_hold_the_employee_week_back(plan):
    items = [item("a", weight="0.5"), item("b", weight="0.6"), item(employee="E2")]
    results, rejected = score_week(items, {}, {}, plan)
    assert [r.employee_id for r in results] == ["E2"]
    assert {r.reason for r in rejected} == {
        "the weights of this employee-week's goals add up to 1.1, not 1 (a 0.5 + b 0.6)"
    }


@pytest.mark.trust("bad input", "scoring: attainment")
def test_the_same_metric_twice_in_an_employee_week_is_held_back_not_double_counted(plan):
    items = [item("tickets", weight="0.5"), item("tickets", actual="300", weight="0.5"), item(employee="E2")]
    results, rejected = score_week(items, {}, {}, plan)
    assert [r.employee_id for r in results] == ["E2"]
    assert [r.reason for r in rejected] == 2 * [
        "duplicate goal rows: metric 'tickets' is set more than once for this employee-week"
    ]


def test_a_plan_may_let_weights_normalise_instead(plan):
    lenient = plan.model_copy(update={"goals": plan.goals.model_copy(update={"weights_must_sum_to_one": False})})
    [result] = score_week([item("a", actual="50", weight="2"), item("b", actual="100", weight="2")], {}, {}, lenient)[0]
    assert result.attainment == D("0.7500")


def test_approved_leave_prorates_volume_targets_but_not_rates(plan):
    leave = {"days_scheduled": 5, "days_on_leave": 2}
    tickets = item("tickets_resolved", "200", "120", "0.5", **leave)
    csat = item("csat", "4.5", "4.5", "0.5", **leave)
    [result] = score_week([tickets, csat], {}, {}, plan)[0]
    scores = {s.item.metric: s for s in result.items}
    assert scores["tickets_resolved"].target == D("120")  # 200 x 3/5
    assert scores["tickets_resolved"].ratio == 1
    assert scores["csat"].target == D("4.5")
    assert result.attainment == D("1.0000")
    assert '"target_before_leave": "200"' in result.as_record()["items_json"]


@pytest.mark.trust("bad input", "scoring: attainment")
def test_leave_every_scheduled_day_is_a_reason_not_a_zero(plan):
    whole_week = item("tickets_resolved", "200", "0", "1", days_scheduled=5, days_on_leave=5)
    results, [rejected] = score_week([whole_week], {}, {}, plan)
    assert results == []
    assert rejected.reason.startswith("on approved leave all 5 scheduled days")


@given(
    attainment=st.decimals(min_value=0, max_value=3, places=4),
    previous=st.none() | st.decimals(min_value=0, max_value=3, places=4),
)
def test_bands_agree_with_the_plan_thresholds(plan, attainment, previous):
    thresholds = plan.goals.band_thresholds
    band = band_for(attainment, previous, plan.goals)
    expected = (
        Band.HIGH_PERFORMER if attainment >= thresholds.high_performer
        else Band.EXCEEDED if attainment >= thresholds.exceeded
        else Band.ON_TRACK if attainment >= thresholds.on_track
        else Band.IMPROVING if previous is not None and attainment > previous
        else Band.AT_RISK
    )  # fmt: skip
    assert band == expected


@pytest.mark.trust("bad input", "scoring: attainment")
def test_weights_summing_to_zero_reject_every_item(plan):
    items = [item("a", weight="0"), item("b", weight="0")]
    results, rejected = score_week(items, {}, {}, plan)
    assert results == []
    assert len(rejected) == 2
    assert all("sum to 0" in r.reason for r in rejected)


def test_each_employee_week_is_scored_separately(plan):
    items = [item(actual="50"), item(actual="120", week=WEEK + timedelta(days=7)), item(employee="E2")]
    results, _ = score_week(items, {}, {}, plan)
    assert [(r.employee_id, r.week_start, r.attainment) for r in results] == [
        ("E1", WEEK, D("0.5000")),
        ("E1", WEEK + timedelta(days=7), D("1.2000")),
        ("E2", WEEK, D("1.0000")),
    ]


amounts = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)


@given(
    target=st.decimals(min_value=D("0.01"), max_value=1000, places=2),
    low=amounts,
    high=amounts,
    other_actual=amounts,
    weight=st.decimals(min_value=D("0.01"), max_value=D("0.99"), places=2),
)
def test_attainment_and_bonus_never_fall_when_an_actual_rises(plan, target, low, high, other_actual, weight):
    low, high = sorted((low, high))

    def scored(actual):
        items = [item("a", str(target), str(actual), str(weight)), item("b", "10", str(other_actual), str(1 - weight))]
        results, _ = score_week(items, {}, {}, plan)
        return results[0]

    before, after = scored(low), scored(high)
    assert after.attainment_exact >= before.attainment_exact
    assert after.bonus >= before.bonus


@given(
    target=st.decimals(min_value=D("0.01"), max_value=1000, places=2),
    low=st.decimals(min_value=D("0.01"), max_value=1000, places=2),
    high=st.decimals(min_value=D("0.01"), max_value=1000, places=2),
)
def test_on_a_lower_is_better_metric_a_higher_actual_never_helps(plan, target, low, high):
    low, high = sorted((low, high))
    better = score_item(item(target=str(target), actual=str(low), direction="lower_is_better"), plan.goals)
    worse = score_item(item(target=str(target), actual=str(high), direction="lower_is_better"), plan.goals)
    assert better.ratio >= worse.ratio
