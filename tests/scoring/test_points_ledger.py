"""The points ledger: balances derived from entries and never negative, FIFO expiry, refusals with reasons,
and replays that never count twice (domain.md section 4)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.plan import CatalogItem, PlanError, RedemptionRules, parse_plan
from scoring.points_ledger import (
    EarnedPoints,
    EntryKind,
    LedgerEntry,
    RedemptionRequest,
    RedemptionStatus,
    add_months,
    balances,
    entry_id,
    lots,
    post_week,
)

W0 = date(2025, 3, 3)
RULES = RedemptionRules(
    catalog=(
        CatalogItem(code="LEAVE_8H", name="8 h leave", points=500, kind="leave", leave_hours=8),
        CatalogItem(code="COURSE", name="A course", points=300, kind="course"),
        CatalogItem(code="MUG", name="Mug", points=50, kind="goods"),
        CatalogItem(code="OLD_MUG", name="Old mug", points=10, kind="goods", retired=True),
    )
)


def _at(week: date, day: int = 2) -> datetime:
    """Noon UTC on ``day`` of ``week`` (afternoon in Shanghai, same date)."""
    return datetime.combine(week + timedelta(days=day), datetime.min.time(), tzinfo=UTC) + timedelta(hours=4)


def _request(request_id: str, item: str, week: date, employee: str = "E1", day: int = 2) -> RedemptionRequest:
    return RedemptionRequest(request_id, employee, item, _at(week, day))


def _run(weeks: dict[date, tuple[list[EarnedPoints], list[RedemptionRequest]]], rules=RULES) -> list[LedgerEntry]:
    """Post ``weeks`` in order, every score seen so far available to each week (as the asset reads them)."""
    ledger: list[LedgerEntry] = []
    earned: list[EarnedPoints] = []
    for week, (scores, requests) in sorted(weeks.items()):
        earned = [e for e in earned if e.week_start != week] + scores
        ledger += post_week(ledger, week, earned, requests, rules).entries
    return ledger


@pytest.mark.trust("bad input", "scoring: points ledger")
def test_earned_points_are_spent_and_a_redemption_over_the_balance_is_refused_with_its_reason():
    posted = post_week(
        [],
        W0,
        [EarnedPoints("E1", W0, 180)],
        [_request("R1", "MUG", W0, day=1), _request("R2", "COURSE", W0, day=3)],
        RULES,
    )
    by_id = {r.request.request_id: r for r in posted.redemptions}
    assert by_id["R1"].status == RedemptionStatus.GRANTED
    assert (by_id["R1"].balance_before, by_id["R1"].balance_after) == (180, 130)
    assert by_id["R2"].status == RedemptionStatus.REFUSED
    assert by_id["R2"].reason == f"COURSE costs 300 points; the balance on {W0 + timedelta(days=3)} is 130"
    assert [(e.kind, e.points) for e in posted.entries] == [(EntryKind.EARN, 180), (EntryKind.REDEEM, -50)]
    assert balances(posted.entries) == {"E1": 130}


@pytest.mark.trust("bad input", "scoring: points ledger")
def test_leave_redemption_grants_its_hours_and_a_retired_or_unknown_item_is_refused():
    posted = post_week(
        [],
        W0,
        [EarnedPoints("E1", W0, 600)],
        [_request("R1", "LEAVE_8H", W0), _request("R2", "OLD_MUG", W0), _request("R3", "YACHT", W0)],
        RULES,
    )
    by_id = {r.request.request_id: r for r in posted.redemptions}
    assert (by_id["R1"].status, by_id["R1"].points, by_id["R1"].leave_hours) == ("granted", 500, 8)
    assert by_id["R2"].reason == "catalog item OLD_MUG (Old mug) is retired"
    assert by_id["R3"].reason == "unknown catalog item 'YACHT'"
    assert {by_id[r].status for r in ("R2", "R3")} == {RedemptionStatus.REFUSED}
    assert balances(posted.entries) == {"E1": 100}


@pytest.mark.trust("bad input", "scoring: points ledger")
def test_duplicate_request_ids_count_once_and_conflicting_versions_are_all_refused():
    same = _request("R1", "MUG", W0)
    conflicting = [_request("R2", "MUG", W0), _request("R2", "COURSE", W0)]
    posted = post_week([], W0, [EarnedPoints("E1", W0, 200)], [same, same, *conflicting], RULES)
    assert [(r.request.request_id, r.status) for r in posted.redemptions] == [
        ("R1", "granted"),
        ("R2", "refused"),
        ("R2", "refused"),
    ]
    assert "R2 arrived with 2 different contents" in posted.redemptions[1].reason
    assert balances(posted.entries) == {"E1": 150}
    # The same request delivered again in a later week is not granted twice.
    later = post_week(
        posted.entries, W0 + timedelta(weeks=1), [], [_request("R1", "MUG", W0 + timedelta(weeks=1))], RULES
    )
    assert later.entries == []
    assert later.redemptions[0].reason == f"request R1 was already granted in the week of {W0}"


@pytest.mark.trust("bad input", "scoring: points ledger")
def test_a_request_without_a_time_zone_is_refused_not_guessed():
    naive = RedemptionRequest("R1", "E1", "MUG", datetime(2025, 3, 4, 9, 0))
    posted = post_week([], W0, [EarnedPoints("E1", W0, 100)], [naive], RULES)
    assert posted.redemptions[0].status == RedemptionStatus.REFUSED
    assert "time-zone aware" in posted.redemptions[0].reason


def test_points_expire_twelve_months_after_the_week_they_were_earned_oldest_first():
    later = W0 + timedelta(weeks=10)
    expiry_week = date(2026, 3, 2)  # the week holding 2026-03-03, twelve months after W0
    ledger = _run(
        {
            W0: ([EarnedPoints("E1", W0, 100)], []),
            later: ([EarnedPoints("E1", later, 80)], [_request("R1", "MUG", later)]),
            expiry_week: ([], []),
        }
    )
    expiries = [e for e in ledger if e.kind == EntryKind.EXPIRE]
    # The mug used the oldest lot, so only the 50 points left of it expire; the later lot is untouched.
    assert [(e.points, e.effective_on, e.posted_week) for e in expiries] == [(-50, date(2026, 3, 3), expiry_week)]
    assert balances(ledger) == {"E1": 80}


def test_a_request_on_the_expiry_day_cannot_use_the_expired_points_but_one_the_day_before_can():
    expiry_week = date(2026, 3, 2)  # W0's lot expires on Tuesday 2026-03-03
    for day, expected in ((0, "granted"), (1, "refused")):
        ledger = _run({W0: ([EarnedPoints("E1", W0, 100)], [])})
        posted = post_week(ledger, expiry_week, [], [_request("R1", "MUG", expiry_week, day=day)], RULES)
        assert posted.redemptions[0].status == expected


def test_expiry_months_come_from_the_plan(plan_text):
    text = plan_text.replace("expiry_months: 12", "expiry_months: 6")
    rules = parse_plan(text).activity_points.redemption
    posted = post_week([], W0, [EarnedPoints("E1", W0, 100)], [], rules)
    assert posted.entries[0].expires_on == date(2025, 9, 3)


def test_a_withdrawn_event_reverses_the_earned_points_and_a_rescore_back_adjusts_again():
    week1 = W0 + timedelta(weeks=1)
    week2 = W0 + timedelta(weeks=2)
    first = post_week([], W0, [EarnedPoints("E1", W0, 100)], [], RULES).entries
    # W0 is rescored (an event withdrawn): 100 -> 70, then corrected back to 100 the week after.
    second = post_week(first, week1, [EarnedPoints("E1", W0, 70)], [], RULES).entries
    third = post_week(first + second, week2, [EarnedPoints("E1", W0, 100)], [], RULES).entries
    assert [(e.kind, e.points) for e in second + third] == [(EntryKind.ADJUST, -30), (EntryKind.ADJUST, 30)]
    assert second[0].entry_id != third[0].entry_id
    assert balances(first + second + third) == {"E1": 100}


@pytest.mark.trust("bad input", "scoring: points ledger")
def test_a_reversal_never_takes_the_balance_below_zero():
    week1 = W0 + timedelta(weeks=1)
    first = post_week([], W0, [EarnedPoints("E1", W0, 120)], [_request("R1", "MUG", W0)], RULES).entries
    # Every point of W0 is withdrawn, but 50 were already spent on the mug.
    second = post_week(first, week1, [EarnedPoints("E2", W0, 10)], [], RULES).entries
    adjust = next(e for e in second if e.kind == EntryKind.ADJUST)
    assert adjust.points == -70
    assert "50 points were already spent or expired" in adjust.note
    assert balances(first + second) == {"E1": 0, "E2": 10}


def test_entry_ids_are_sha256_of_kind_and_source_reference():
    posted = post_week([], W0, [EarnedPoints("E1", W0, 100)], [], RULES)
    assert posted.entries[0].entry_id == entry_id("earn", f"E1:{W0}")
    assert len(posted.entries[0].entry_id) == 64


def test_add_months_clamps_to_the_end_of_a_shorter_month():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 3), 14) == date(2027, 1, 3)


# --- properties ---------------------------------------------------------------------------------------------------

PEOPLE = ("E1", "E2", "E3")
_week_index = st.integers(min_value=0, max_value=70)
_earns = st.lists(st.tuples(st.sampled_from(PEOPLE), _week_index, st.integers(min_value=0, max_value=200)), max_size=25)
_requests = st.lists(
    st.tuples(
        st.sampled_from(PEOPLE),
        _week_index,
        st.integers(min_value=0, max_value=6),
        st.sampled_from(("LEAVE_8H", "COURSE", "MUG", "OLD_MUG", "NOPE")),
    ),
    max_size=25,
)


def _scenario(earns, requests) -> dict[date, tuple[list[EarnedPoints], list[RedemptionRequest]]]:
    weeks: dict[date, tuple[list[EarnedPoints], list[RedemptionRequest]]] = {}
    for person, index, points in earns:
        week = W0 + timedelta(weeks=index)
        weeks.setdefault(week, ([], []))[0].append(EarnedPoints(person, week, points))
    for n, (person, index, day, item) in enumerate(requests):
        week = W0 + timedelta(weeks=index)
        weeks.setdefault(week, ([], []))[1].append(_request(f"R{n}", item, week, person, day))
    # One score row per person and week (the scoring table's key): the last one wins.
    return {week: (list({e.employee_id: e for e in scores}.values()), reqs) for week, (scores, reqs) in weeks.items()}


def _running_balances_never_negative(ledger: list[LedgerEntry]) -> bool:
    running: dict[str, int] = {}
    for entry in sorted(ledger, key=lambda e: (e.posted_week, e.seq)):
        running[entry.employee_id] = running.get(entry.employee_id, 0) + entry.points
        if running[entry.employee_id] < 0:
            return False
    return True


@settings(max_examples=150, deadline=None)
@given(_earns, _requests)
def test_balance_is_the_sum_of_entries_and_never_negative(earns, requests):
    scenario = _scenario(earns, requests)
    ledger = _run(scenario)
    assert _running_balances_never_negative(ledger)
    assert all(balance >= 0 for balance in balances(ledger).values())
    earned = sum(e.points for scores, _ in scenario.values() for e in scores)
    spent = -sum(e.points for e in ledger if e.kind == EntryKind.REDEEM)
    expired = -sum(e.points for e in ledger if e.kind == EntryKind.EXPIRE)
    assert sum(balances(ledger).values()) == earned - spent - expired
    assert len({e.entry_id for e in ledger}) == len(ledger)


@settings(max_examples=100, deadline=None)
@given(_earns, _requests)
def test_replaying_the_same_inputs_never_changes_the_ledger(earns, requests):
    scenario = _scenario(earns, requests)
    ledger: list[LedgerEntry] = []
    earned: list[EarnedPoints] = []
    for week, (scores, week_requests) in sorted(scenario.items()):
        earned += scores
        ledger += post_week(ledger, week, earned, week_requests, RULES).entries
        # The same week delivered again (requests twice over) onto the ledger that already holds it adds nothing.
        assert post_week(ledger, week, earned, week_requests * 2, RULES).entries == []
    # Recomputing the whole history from scratch gives the very same entries.
    assert _run(scenario) == ledger


@settings(max_examples=100, deadline=None)
@given(_earns, _requests)
def test_expiry_takes_only_points_that_are_twelve_months_old_and_unspent(earns, requests):
    scenario = _scenario(earns, requests)
    ledger = _run(scenario)
    positive = {e.entry_id: e for e in ledger if e.points > 0}
    for expiry in (e for e in ledger if e.kind == EntryKind.EXPIRE):
        lot = positive[expiry.source_ref]
        assert expiry.effective_on == add_months(lot.earned_on, 12)
        assert 0 < -expiry.points <= lot.points
    # FIFO: while a younger lot has been spent from, no older lot of the same person still holds points.
    expired = {e.source_ref: -e.points for e in ledger if e.kind == EntryKind.EXPIRE}
    by_person: dict[str, list] = {}
    for lot in lots(ledger):
        by_person.setdefault(lot.employee_id, []).append(lot)
    for person_lots in by_person.values():
        for i, older in enumerate(person_lots):
            for younger in person_lots[i + 1 :]:
                spent = younger.points - younger.remaining - expired.get(younger.entry_id, 0)
                if spent > 0 and younger.earned_on > older.earned_on:
                    assert older.remaining == 0


def test_a_week_that_scored_nothing_posts_nothing():
    assert post_week([], W0, [EarnedPoints("E1", W0, 0)], [], RULES).entries == []


# --- the plan's redemption section ---------------------------------------------------------------------------------


def test_a_plan_file_without_a_redemption_section_gets_the_default_catalog(plan_text):
    start = plan_text.index("  redemption:\n")
    end = plan_text.index("\n\n", start)
    rules = parse_plan(plan_text[:start] + plan_text[end + 1 :]).activity_points.redemption
    leave = rules.item("LEAVE_8H")
    assert rules.expiry_months == 12
    assert (leave.points, leave.kind, leave.leave_hours, leave.retired) == (500, "leave", 8, False)
    assert {item.kind for item in rules.catalog} == {"leave", "course", "goods"}


def test_the_default_plan_prices_8_hours_of_leave_at_500_points_and_lists_a_retired_item(plan):
    rules = plan.activity_points.redemption
    assert (rules.item("LEAVE_8H").points, rules.item("LEAVE_8H").leave_hours) == (500, 8)
    assert [item.code for item in rules.catalog if item.retired] == ["GOODS_MUG_2025"]


@pytest.mark.trust("bad input", "scoring: points ledger")
@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("points: 500, kind: leave, leave_hours: 8}", "points: 500, kind: leave}", "needs leave_hours greater than 0"),
        ("kind: course}", "kind: course, leave_hours: 4}", "course item COURSE_ONLINE cannot grant leave_hours"),
        ("code: COURSE_ONLINE", "code: LEAVE_8H", "item codes must be distinct, repeated: LEAVE_8H"),
        ("expiry_months: 12", "expiry_months: 0", "expiry_months: must be greater than 0"),
        ("kind: goods}", "kind: voucher}", "kind"),
    ],
)
def test_a_broken_catalog_is_refused_with_its_path(plan_text, old, new, problem):
    assert plan_text.count(old) == 1
    with pytest.raises(PlanError) as error:
        parse_plan(plan_text.replace(old, new))
    assert any("activity_points.redemption" in p and problem in p for p in error.value.problems), error.value.problems


def test_points_liability_is_outstanding_points_times_their_value_per_department():
    from decimal import Decimal

    from scoring.points_ledger import points_liability

    rows = points_liability(
        {"E1": 300, "E2": 0, "E3": 125, "E4": 40}, {"E1": "R&D", "E2": "R&D", "E3": "R&D", "E4": None}, Decimal("0.33")
    )
    assert [(r.department, r.employees_with_points, r.points, r.value) for r in rows] == [
        ("(none)", 1, 40, Decimal("13.20")),
        ("R&D", 2, 425, Decimal("140.25")),  # a zero balance is no liability and no holder
    ]
