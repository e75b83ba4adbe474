"""Largest-remainder allocation pays a total out to the cent, fairly and deterministically."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.money import allocate_largest_remainder, round_money, to_decimal

cents = st.integers(min_value=0, max_value=10_000_000).map(lambda c: Decimal(c) / 100)
weights = st.dictionaries(
    st.integers(min_value=1, max_value=999_999).map(lambda n: f"E{n:06d}"),
    st.decimals(min_value=0, max_value=10_000, places=3, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=12,
).filter(lambda w: sum(w.values()) > 0)


def test_floats_go_through_their_text():
    assert to_decimal(0.1) == Decimal("0.1")


@pytest.mark.trust("bad input", "scoring: money")
@pytest.mark.parametrize("bad", [None, True, "abc", float("nan"), [1]])
def test_non_numbers_are_refused_with_the_field_name(bad):
    with pytest.raises(ValueError, match=r"^target "):
        to_decimal(bad, "target")


def test_money_rounds_half_up():
    assert round_money(Decimal("602.525")) == Decimal("602.53")
    assert round_money(Decimal("0.005")) == Decimal("0.01")


def test_three_equal_shares_of_a_hundred_give_the_odd_cent_to_the_first_id():
    shares = allocate_largest_remainder(Decimal("100.00"), {"E3": Decimal(1), "E1": Decimal(1), "E2": Decimal(1)})
    assert shares == {"E1": Decimal("33.34"), "E2": Decimal("33.33"), "E3": Decimal("33.33")}


def test_leftover_cents_follow_the_largest_remainder_not_the_id():
    # exact parts 0.0333.., 0.0666..: the second has the larger remainder and gets the odd cent
    shares = allocate_largest_remainder(Decimal("0.10"), {"A": Decimal(1), "B": Decimal(2)})
    assert shares == {"A": Decimal("0.03"), "B": Decimal("0.07")}


@pytest.mark.trust("bad input", "scoring: money")
def test_refuses_fractions_of_a_cent_and_empty_weights():
    with pytest.raises(ValueError, match="whole cents"):
        allocate_largest_remainder(Decimal("1.005"), {"A": Decimal(1)})
    with pytest.raises(ValueError, match="positive sum"):
        allocate_largest_remainder(Decimal("1.00"), {"A": Decimal(0)})


@given(total=cents, weights=weights)
def test_parts_add_up_to_the_total_exactly_and_are_whole_cents(total, weights):
    shares = allocate_largest_remainder(total, weights)
    assert sum(shares.values()) == total
    assert set(shares) == set(weights)
    assert all(amount >= 0 and amount == round_money(amount) for amount in shares.values())


@given(total=cents, weights=weights)
def test_each_part_is_within_a_cent_of_its_exact_share(total, weights):
    weight_sum = sum(weights.values())
    for key, amount in allocate_largest_remainder(total, weights).items():
        assert abs(amount - total * weights[key] / weight_sum) < Decimal("0.01")


@given(total=cents, weights=weights)
def test_a_larger_weight_never_gets_less(total, weights):
    shares = allocate_largest_remainder(total, weights)
    for a in weights:
        for b in weights:
            if weights[a] > weights[b]:
                assert shares[a] >= shares[b]


@given(total=cents, weights=weights)
def test_the_same_input_in_any_order_gives_the_same_cents(total, weights):
    reversed_weights = dict(reversed(list(weights.items())))
    assert allocate_largest_remainder(total, weights) == allocate_largest_remainder(total, reversed_weights)
