"""Flexible-shift requests: high performers first in line, then attainment, then who asked first."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.flexible_shifts import PriorityGroup, ShiftRequest, rank_flexible_shift_requests

WEEK = date(2026, 4, 6)
D = Decimal
MONDAY_NINE = datetime(2026, 3, 30, 1, 0, tzinfo=UTC)


def request(request_id: str, employee: str, minutes_after: int = 0, week: date = WEEK, shift: str = "EARLY"):
    return ShiftRequest(request_id, employee, week, shift, MONDAY_NINE + timedelta(minutes=minutes_after))


def order(ranked) -> list[str]:
    return [r.request.request_id for r in ranked]


def test_high_performers_first_then_attainment_then_earliest_request():
    requests = [
        request("FS1", "E1", minutes_after=0),  # asked first, attainment 1.10
        request("FS2", "E2", minutes_after=90),  # high performer who asked late
        request("FS3", "E3", minutes_after=30),  # no attainment on record
        request("FS4", "E4", minutes_after=10),  # same attainment as E1, asked later
        request("FS5", "E5", minutes_after=60),  # high performer with a higher attainment
    ]
    attainment = {"E1": D("1.10"), "E2": D("1.2500"), "E4": D("1.10"), "E5": D("1.40")}

    ranked = rank_flexible_shift_requests(requests, attainment)

    assert order(ranked) == ["FS5", "FS2", "FS1", "FS4", "FS3"]
    assert [r.rank for r in ranked] == [1, 2, 3, 4, 5]
    assert [r.is_high_performer for r in ranked] == [True, True, False, False, False]
    assert ranked[1].reason == "high performer: attainment 1.2500 >= 1.2, first in line"
    assert ranked[2].reason == "attainment 1.10 below the high-performer threshold 1.2"
    assert (ranked[4].priority_group, ranked[4].attainment) == (PriorityGroup.NO_ATTAINMENT, None)
    assert ranked[4].reason == "no attainment on record for E3: after everyone with one"


def test_the_threshold_is_inclusive_and_configurable():
    requests = [request("FS1", "E1", 0), request("FS2", "E2", 5)]
    attainment = {"E1": D("1.1999"), "E2": D("1.2")}

    default = rank_flexible_shift_requests(requests, attainment)
    lowered = rank_flexible_shift_requests(requests, attainment, high_performer_threshold=D("1.1"))

    assert [(r.request.employee_id, r.is_high_performer) for r in default] == [("E2", True), ("E1", False)]
    # with 1.1 both are high performers, so attainment decides: E2 (1.2) before E1 (1.1999)
    assert [(r.request.employee_id, r.is_high_performer) for r in lowered] == [("E2", True), ("E1", True)]


def test_attainments_may_arrive_as_text_or_integers_and_are_compared_exactly():
    requests = [request("FS1", "E1", 0), request("FS2", "E2", 5), request("FS3", "E3", 10)]

    ranked = rank_flexible_shift_requests(requests, {"E1": "0.95", "E2": 2, "E3": None})

    assert order(ranked) == ["FS2", "FS1", "FS3"]
    assert ranked[0].attainment == D("2") and ranked[1].attainment == D("0.95")


def test_each_requested_week_is_its_own_queue():
    later_week = WEEK + timedelta(days=7)
    requests = [request("FS1", "E1", 0, week=later_week), request("FS2", "E2", 5), request("FS3", "E1", 9)]

    ranked = rank_flexible_shift_requests(requests, {"E1": D("1.5"), "E2": D("0.9")})

    assert [(r.request.week_start, r.request.request_id, r.rank) for r in ranked] == [
        (WEEK, "FS3", 1),
        (WEEK, "FS2", 2),
        (later_week, "FS1", 1),
    ]


def test_exact_ties_fall_back_to_the_request_id_and_naive_times_are_utc():
    same_time = datetime(2026, 3, 30, 1, 0)  # naive: read as UTC, equal to MONDAY_NINE
    requests = [
        ShiftRequest("FS9", "E1", WEEK, "LATE", same_time),
        ShiftRequest("FS2", "E2", WEEK, "LATE", MONDAY_NINE),
    ]

    ranked = rank_flexible_shift_requests(requests, {"E1": D("1"), "E2": D("1")})

    assert order(ranked) == ["FS2", "FS9"]
    record = ranked[0].as_record()
    assert record == {
        "request_id": "FS2",
        "employee_id": "E2",
        "week_start": WEEK,
        "requested_shift_code": "LATE",
        "submitted_at_utc": MONDAY_NINE,
        "rank": 1,
        "attainment": D("1"),
        "is_high_performer": False,
        "priority_group": "other",
        "reason": "attainment 1 below the high-performer threshold 1.2",
    }


@pytest.mark.trust("bad input", "scoring: flexible shifts")
def test_bad_input_is_refused_with_a_clear_reason():
    with pytest.raises(ValueError, match="FS1 appears twice"):
        rank_flexible_shift_requests([request("FS1", "E1"), request("FS1", "E2")], {})
    with pytest.raises(ValueError, match="attainment of E1 must be a number"):
        rank_flexible_shift_requests([request("FS1", "E1")], {"E1": "n/a"})
    assert rank_flexible_shift_requests([], {}) == []


attainments = st.one_of(
    st.none(), st.decimals(min_value=0, max_value=3, places=4, allow_nan=False, allow_infinity=False)
)


@given(
    people=st.lists(st.tuples(attainments, st.integers(0, 10_000), st.sampled_from([0, 7])), min_size=1, max_size=25),
    threshold=st.decimals(min_value=D("0.5"), max_value=2, places=2),
    data=st.data(),
)
def test_every_high_performer_ranks_above_every_other_request_of_their_week(people, threshold, data):
    requests = [
        request(f"FS{i}", f"E{i}", minutes, week=WEEK + timedelta(days=offset))
        for i, (_, minutes, offset) in enumerate(people)
    ]
    attainment = {f"E{i}": value for i, (value, _, _) in enumerate(people)}
    shuffled = data.draw(st.permutations(requests))

    ranked = rank_flexible_shift_requests(shuffled, attainment, high_performer_threshold=threshold)

    assert order(ranked) == order(rank_flexible_shift_requests(requests, attainment, threshold))  # input order
    for week in {r.request.week_start for r in ranked}:
        queue = [r for r in ranked if r.request.week_start == week]
        assert [r.rank for r in queue] == list(range(1, len(queue) + 1))
        high = [r.rank for r in queue if r.is_high_performer]
        others = [r.rank for r in queue if not r.is_high_performer]
        assert all(h < o for h in high for o in others)
        assert all(r.is_high_performer == (r.attainment is not None and r.attainment >= threshold) for r in queue)
        without = [r.rank for r in queue if r.attainment is None]
        assert all(w > r.rank for w in without for r in queue if r.attainment is not None)
