"""Team / department / company roll-ups of goal attainment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.rollups import ALL_METRICS, Level, Placement, ScoredItem, Weighting, aggregate, roll_up_week

WEEK = date(2026, 3, 2)
D = Decimal


def scored(employee: str, metric: str, unit: str | None, target: str, weight: str, ratio: str) -> ScoredItem:
    return ScoredItem(employee, metric, unit, D(target), D(weight), D(ratio), min(D(ratio), D("1.5")))


def test_one_unit_is_weighted_by_target_so_bigger_targets_count_more():
    items = [
        scored("E1", "tickets", "tickets", "300", "1", "1.0"),
        scored("E2", "tickets", "tickets", "100", "1", "0.6"),
    ]
    capped, uncapped, weighting = aggregate(items)
    assert weighting is Weighting.TARGET
    assert capped == D("0.9")  # (300 x 1.0 + 100 x 0.6) / 400 = 360 tickets resolved of 400
    assert uncapped == D("0.9")


def test_different_units_fall_back_to_weights():
    items = [
        scored("E1", "tickets", "tickets", "200", "0.5", "1.2"),
        scored("E1", "csat", "score", "4.5", "0.5", "0.8"),
    ]
    capped, _, weighting = aggregate(items)
    assert weighting is Weighting.WEIGHT
    assert capped == D("1.0")


def test_uncapped_is_kept_next_to_the_capped_pay_view():
    capped, uncapped, _ = aggregate([scored("E1", "leads", "leads", "10", "1", "3.0")])
    assert (capped, uncapped) == (D("1.5"), D("3.0"))


def test_rollups_cover_team_department_company_overall_and_per_metric():
    items = [
        scored("E1", "tickets", "tickets", "200", "0.5", "1.0"),
        scored("E1", "csat", "score", "4.5", "0.5", "0.8"),
        scored("E2", "tickets", "tickets", "200", "1", "0.5"),
        scored("E3", "story_points", "points", "30", "1", "1.2"),
    ]
    placements = {
        "E1": Placement("CS-01", "Customer Service"),
        "E2": Placement("CS-01", "Customer Service"),
        "E3": Placement("RD-01", "R&D"),
    }
    rollups, unplaced = roll_up_week(WEEK, items, placements)
    by_key = {(r.level, r.group_id, r.metric): r for r in rollups}
    assert unplaced == []
    team = by_key[(Level.TEAM, "CS-01", ALL_METRICS)]
    assert (team.members, team.items, team.attainment) == (2, 3, D("0.7"))  # mean of E1 0.9 and E2 0.5
    assert by_key[(Level.TEAM, "CS-01", "tickets")].attainment == D("0.75")  # 300 of 400 tickets
    assert by_key[(Level.DEPARTMENT, "R&D", ALL_METRICS)].attainment == D("1.2")
    company = by_key[(Level.COMPANY, "company", ALL_METRICS)]
    assert company.members == 3
    assert company.attainment == (D("0.9") + D("0.5") + D("1.2")) / 3


@pytest.mark.trust("bad input", "scoring: rollups")
def test_a_metric_reported_in_two_units_is_rolled_up_by_weight_and_flagged():
    items = [scored("E1", "tickets", "tickets", "200", "1", "1.0"), scored("E2", "tickets", "count", "100", "1", "0.5")]
    placements = {e: Placement("CS-01", "Customer Service") for e in ("E1", "E2")}
    rollups, _ = roll_up_week(WEEK, items, placements)
    [metric] = [r for r in rollups if r.level == Level.TEAM and r.metric == "tickets"]
    assert metric.weighting is Weighting.WEIGHT
    assert metric.attainment == D("0.75")
    assert metric.note == "units disagree (count, tickets): rolled up by weight, not by target"


@pytest.mark.trust("bad input", "scoring: rollups")
def test_people_without_a_placement_are_listed_not_dropped_silently():
    rollups, unplaced = roll_up_week(WEEK, [scored("E9", "x", "u", "1", "1", "1")], {})
    assert rollups == [] and unplaced == ["E9"]


ratios = st.decimals(min_value=0, max_value=3, places=4)
member = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c"]), st.decimals(min_value=1, max_value=500, places=1), ratios),
    min_size=1,
    max_size=3,
    unique_by=lambda t: t[0],
)


@given(st.lists(member, min_size=1, max_size=6))
def test_a_rollup_equals_its_members_weighted_sum(members):
    """With each member's weights summing to 1, the group is the mean of its members' attainments."""
    items, attainments = [], []
    for n, goals in enumerate(members):
        weight = D(1) / len(goals)
        person = [scored(f"E{n}", m, m, str(t), str(weight), str(r)) for m, t, r in goals]
        items.extend(person)
        attainments.append(
            sum((i.weight * i.capped_ratio for i in person), D(0)) / sum((i.weight for i in person), D(0))
        )
    placements = {f"E{n}": Placement("T", "D") for n in range(len(members))}
    rollups, _ = roll_up_week(WEEK, items, placements)
    [team] = [r for r in rollups if r.level == Level.TEAM and r.metric == ALL_METRICS]
    if team.weighting is Weighting.WEIGHT:
        expected = sum(attainments, D(0)) / len(attainments)
    else:  # every item in one unit: weighted by target
        expected = sum((i.target * i.capped_ratio for i in items), D(0)) / sum((i.target for i in items), D(0))
    assert abs(team.attainment - expected) < D("1e-20")
    for metric in {i.metric for i in items}:
        [row] = [r for r in rollups if r.level == Level.TEAM and r.metric == metric]
        of_metric = [i for i in items if i.metric == metric]
        total = sum((i.target for i in of_metric), D(0))
        assert abs(row.attainment - sum((i.target * i.capped_ratio for i in of_metric), D(0)) / total) < D("1e-20")
