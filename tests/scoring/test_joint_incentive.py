"""Joint designer / operator incentive (worked example C) and the project pool."""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.joint_incentive import (
    Contribution,
    CreativeWeek,
    DesignerWeek,
    JointInputError,
    OperatorWeek,
    allocate_project_pool,
    days_in_role,
    designer_week_from_creatives,
    joint_pay,
    merge_contributions,
    metric_score,
    operator_week_from_creatives,
    score_joint_week,
)

WEEK = date(2026, 3, 2)
D = Decimal


def example_c_designer(**changes) -> DesignerWeek:
    values = {
        "variable_base": D("3000.00"),
        "operator_rating": D(4),
        "favorites_rate": D("0.015"),
        "ctr": D("0.036"),
        "order_rate": D("0.020"),
        "repurchase_rate": D("0.22"),
    } | changes
    return DesignerWeek("E1", WEEK, **values)


def example_c_operator(**changes) -> OperatorWeek:
    values = {
        "variable_base": D("2000.00"),
        "department_conversion_rate": D("0.0275"),
        "ctr": D("0.036"),
        "avg_dwell_seconds": D(44),
    } | changes
    return OperatorWeek("E2", WEEK, **values)


def test_worked_example_c_designer(plan):
    [designer], rejected = score_joint_week([example_c_designer()], [], plan)
    assert rejected == []
    assert designer.metric_scores == {
        "operator_rating": 80,
        "favorites_rate": 75,
        "ctr": 120,
        "order_rate": 80,
        "repurchase_rate": 110,
    }
    assert designer.components == {"design_quality": D("90.5"), "conversion_contribution": 95}
    assert designer.score == D("93.2")
    assert designer.pay == D("2796.00")  # 3000 x 93.2 / 100


def test_worked_example_c_operator(plan):
    [operator], _ = score_joint_week([], [example_c_operator()], plan)
    assert operator.components == {"conversion_effect": 110, "design_collaboration": 115}
    assert operator.score == 113
    assert operator.pay == D("2260.00")
    assert operator.as_record()["score"] == D("113.00")


def test_worked_example_c_pool(plan):
    contributions = [Contribution("E1", "designer", D(7)), Contribution("E2", "operator", D(3))]
    allocation = allocate_project_pool("P1", WEEK, D("150000"), contributions, plan)
    assert allocation.pool == D("30000.00")
    assert allocation.role_pools == {"designer": D("12000.00"), "operator": D("18000.00")}
    assert [(s.employee_id, s.amount) for s in allocation.shares] == [("E1", D("12000.00")), ("E2", D("18000.00"))]


def test_metric_score_is_capped(plan):
    cap = plan.joint_incentive.metric_score_cap
    assert metric_score(D("0.09"), D("0.03"), cap) == 120
    assert metric_score(D("0.03"), D("0.03"), cap) == 100
    assert metric_score(D("0"), D("0.03"), cap) == 0


@pytest.mark.trust("bad input", "scoring: joint incentive")
@pytest.mark.parametrize("target", [D(0), None, D("-1")])
def test_zero_or_missing_targets_are_errors(plan, target):
    with pytest.raises(JointInputError, match="target for ctr"):
        metric_score(D("0.03"), target, D("1.2"), "ctr")


@pytest.mark.trust("bad input", "scoring: joint incentive")
def test_bad_person_weeks_are_rejected_not_paid(plan):
    designers = [example_c_designer(), example_c_designer(operator_rating=None), example_c_designer(ctr=D("-0.1"))]
    operators = [example_c_operator(variable_base=None)]
    results, rejected = score_joint_week(designers, operators, plan)
    assert len(results) == 1
    assert [r.reason for r in rejected] == [
        "operator_rating is missing",
        "ctr must not be negative, got -0.1",
        "variable_base is missing",
    ]


@pytest.mark.trust("bad input", "scoring: joint incentive")
def test_target_overrides_replace_the_defaults_and_are_checked(plan):
    defaults = plan.joint_incentive.default_targets
    easier = defaults.model_copy(update={"ctr": D("0.018")})
    [designer], _ = score_joint_week([example_c_designer(ctr=D("0.018"))], [], plan, targets=easier)
    assert designer.metric_scores["ctr"] == 100
    broken = defaults.model_copy(update={"order_rate": D(0)})
    results, rejected = score_joint_week([example_c_designer()], [], plan, targets=broken)
    assert results == [] and rejected[0].reason == "target for order_rate must be positive, got 0"


def creative(cid, impressions, clicks, dwell, favorites, sessions, orders, repurchase, rating=None):
    return CreativeWeek(
        cid,
        D(impressions),
        D(clicks),
        D(dwell),
        D(favorites),
        D(sessions),
        D(orders),
        D(repurchase),
        None if rating is None else D(rating),
    )


def test_designer_rollup_uses_ratios_of_sums():
    creatives = [creative("C1", 1000, 40, 40, 3, 200, 4, "0.25", 5), creative("C2", 1000, 20, 50, 1, 200, 4, "0.5", 3)]
    week = designer_week_from_creatives("E1", WEEK, D(1000), creatives)
    assert week.ctr == D("0.03")
    assert week.favorites_rate == D("0.01")
    assert week.order_rate == D("0.02")
    assert week.repurchase_rate == D("0.375")
    assert week.operator_rating == 4


def test_operator_rollup_weights_dwell_by_clicks():
    creatives = [creative("C1", 1000, 30, 40, 0, 0, 0, 0), creative("C2", 1000, 10, 80, 0, 0, 0, 0)]
    week = operator_week_from_creatives("E2", WEEK, D(1000), D("0.025"), creatives)
    assert week.ctr == D("0.02")
    assert week.avg_dwell_seconds == 50


def test_no_profit_no_pool(plan):
    allocation = allocate_project_pool("P1", WEEK, D("-500"), [Contribution("E1", "designer", D(1))], plan)
    assert allocation.pool == 0 and allocation.shares == ()


def test_a_role_with_nobody_credited_passes_its_part_to_the_other(plan):
    contributions = [
        Contribution("E2", "operator", D(1)),
        Contribution("E3", "operator", D(3)),
        Contribution("E1", "designer", D(0)),
    ]
    allocation = allocate_project_pool("P1", WEEK, D("1000"), contributions, plan)
    assert allocation.role_pools == {"operator": D("200.00")}
    assert {s.employee_id: s.amount for s in allocation.shares} == {"E2": D("50.00"), "E3": D("150.00")}
    assert allocation.notes == ("no credited designers: their part goes to the other role",)


def test_nobody_credited_leaves_the_pool_unallocated(plan):
    allocation = allocate_project_pool("P1", WEEK, D("1000"), [], plan)
    assert allocation.unallocated == D("200.00") and allocation.shares == ()


@pytest.mark.trust("bad input", "scoring: joint incentive")
@pytest.mark.parametrize(
    ("contribution", "message"),
    [
        (Contribution("E1", "designer", D(-1)), "must not be negative"),
        (Contribution("E1", "intern", D(1)), "role must be designer or operator"),
    ],
)
def test_bad_contributions_are_errors(plan, contribution, message):
    with pytest.raises(JointInputError, match=message):
        allocate_project_pool("P1", WEEK, D(1000), [contribution], plan)


@pytest.mark.trust("bad input", "scoring: joint incentive")
def test_a_person_listed_twice_in_a_role_is_an_error(plan):
    twice = [Contribution("E1", "designer", D(1)), Contribution("E1", "designer", D(2))]
    with pytest.raises(JointInputError, match="listed twice"):
        allocate_project_pool("P1", WEEK, D(1000), twice, plan)


credits = st.decimals(min_value=0, max_value=500, places=2, allow_nan=False, allow_infinity=False)
people = st.lists(
    st.tuples(st.integers(min_value=1, max_value=60), st.sampled_from(["designer", "operator"]), credits),
    min_size=1,
    max_size=15,
    unique_by=lambda t: (t[0], t[1]),
)
profits = st.decimals(min_value=D("-1000"), max_value=D("10000000"), places=2, allow_nan=False, allow_infinity=False)


def _contributions(rows):
    return [Contribution(f"E{n:03d}", role, credit) for n, role, credit in rows]


@given(profit=profits, rows=people)
def test_pool_shares_add_up_to_the_pool_exactly(plan, profit, rows):
    allocation = allocate_project_pool("P1", WEEK, profit, _contributions(rows), plan)
    paid = sum((share.amount for share in allocation.shares), D(0))
    assert paid + allocation.unallocated == allocation.pool
    assert sum(allocation.role_pools.values(), D(0)) == allocation.pool - allocation.unallocated
    assert all(share.amount >= 0 and share.amount == share.amount.quantize(D("0.01")) for share in allocation.shares)
    assert allocation.pool == (max(profit, D(0)) * D("0.20")).quantize(D("0.01"))


@given(profit=profits, rows=people)
def test_more_credit_never_earns_less_inside_a_role(plan, profit, rows):
    shares = allocate_project_pool("P1", WEEK, profit, _contributions(rows), plan).shares
    for a in shares:
        for b in shares:
            if a.role == b.role and a.credited_orders > b.credited_orders:
                assert a.amount >= b.amount


# --- proration by days in role, people in several pods, what a score row carries -----------------------------------


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (None, None, 7),
        (date(2025, 1, 6), None, 7),
        (date(2026, 3, 5), None, 4),  # hired on the week's Thursday: Thu..Sun
        (date(2026, 3, 8), None, 1),  # hired on the Sunday
        (None, date(2026, 3, 2), 1),  # last day worked is the Monday
        (date(2026, 3, 3), date(2026, 3, 6), 4),  # joined Tuesday, left Friday
        (date(2026, 3, 9), None, 0),  # hired the next week
        (None, date(2026, 3, 1), 0),  # left the week before
    ],
)
def test_days_in_role_counts_the_weeks_days_between_start_and_end(start, end, days):
    assert days_in_role(WEEK, start, end) == days


def test_a_designer_hired_on_thursday_is_paid_four_sevenths_of_example_c(plan):
    [designer], rejected = score_joint_week([example_c_designer(days_in_role=4)], [], plan)
    assert rejected == []
    assert designer.score == D("93.2")  # the score is the week's; only the pay is prorated
    assert designer.pay == D("1597.71")  # 3000 x 93.2 / 100 x 4 / 7 = 1597.714...
    assert designer.full_week_pay == D("2796.00")
    assert designer.as_record()["days_in_role"] == 4


@pytest.mark.trust("bad input", "scoring: joint incentive")
@pytest.mark.parametrize("days", [8, -1, D("2.5"), None, True])
def test_impossible_days_in_role_are_rejected_not_paid(plan, days):
    results, rejected = score_joint_week([], [example_c_operator(days_in_role=days)], plan)
    assert results == []
    assert [r.reason for r in rejected] == [f"days_in_role must be a whole number of days from 0 to 7, got {days!r}"]


bases = st.decimals(min_value=0, max_value=D("100000"), places=2, allow_nan=False, allow_infinity=False)
scores = st.decimals(min_value=0, max_value=120, places=6, allow_nan=False, allow_infinity=False)


@given(
    base=bases, score=scores, fewer=st.integers(min_value=0, max_value=7), more=st.integers(min_value=0, max_value=7)
)
def test_pay_never_falls_with_more_days_and_never_exceeds_a_full_week(base, score, fewer, more):
    fewer, more = sorted((fewer, more))
    full = joint_pay(base, score)
    assert joint_pay(base, score, fewer) <= joint_pay(base, score, more) <= joint_pay(base, score, 7) == full
    assert joint_pay(base, score, 0) == 0
    assert joint_pay(base, score, more) == (base * score / 100 * more / 7).quantize(D("0.01"), rounding=ROUND_HALF_UP)


def test_a_score_row_carries_its_components_inputs_and_proration(plan):
    [designer], _ = score_joint_week([example_c_designer(days_in_role=5)], [], plan)
    [operator], _ = score_joint_week([], [example_c_operator()], plan)
    row = designer.as_record()
    explained = json.loads(row["components_json"])
    assert (row["variable_base"], row["days_in_role"], row["pay"]) == (D("3000.00"), 5, D("1997.14"))
    assert explained["components"] == {"conversion_contribution": "95.000000", "design_quality": "90.500000"}
    assert explained["metric_scores"]["favorites_rate"] == "75.000000"
    assert explained["actuals"] == {
        "ctr": "0.036",
        "favorites_rate": "0.015",
        "operator_rating": "4",
        "order_rate": "0.020",
        "repurchase_rate": "0.22",
    }
    targets = plan.joint_incentive.default_targets
    assert explained["targets"] == {
        "ctr": str(targets.ctr),
        "favorites_rate": str(targets.favorites_rate),
        "order_rate": str(targets.order_rate),
        "repurchase_rate": str(targets.repurchase_rate),
    }
    operator_explained = json.loads(operator.as_record()["components_json"])
    assert (
        set(operator_explained["actuals"])
        == set(operator_explained["targets"])
        == {
            "ctr",
            "avg_dwell_seconds",
            "department_conversion_rate",
        }
    )
    assert operator.as_record()["days_in_role"] == 7


def test_several_rows_of_a_person_are_summed_per_role_before_the_pool():
    rows = [
        Contribution("E1", "operator", D("2.5")),
        Contribution("E2", "designer", D(1)),
        Contribution("E1", "operator", D("1.5")),
        Contribution("E1", "designer", D(3)),  # the same person in the other role stays separate
    ]
    assert merge_contributions(rows) == [
        Contribution("E1", "operator", D(4)),
        Contribution("E2", "designer", D(1)),
        Contribution("E1", "designer", D(3)),
    ]
    with pytest.raises(JointInputError, match="credited_orders of E3 is missing"):
        merge_contributions([Contribution("E3", "designer", None)])


def test_a_pod_member_of_two_projects_is_credited_in_each(plan):
    first = allocate_project_pool("P1", WEEK, D(10000), [Contribution("E1", "operator", D(2))], plan)
    second = allocate_project_pool(
        "P2", WEEK, D(5000), [Contribution("E1", "operator", D(1)), Contribution("E2", "designer", D(1))], plan
    )
    assert [(s.project_id, s.amount) for s in first.shares] == [("P1", D("2000.00"))]  # no designer: all to E1
    assert [(s.project_id, s.employee_id, s.amount) for s in second.shares] == [
        ("P2", "E2", D("400.00")),
        ("P2", "E1", D("600.00")),
    ]
