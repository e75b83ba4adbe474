"""Exact decimal arithmetic for money and ratios.

Floats never touch money: inputs are converted through ``str`` so ``0.1`` stays ``Decimal('0.1')``. Rounding is
explicit and happens once, at the edge where a number becomes an amount somebody is paid.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import TypeVar

CENT = Decimal("0.01")
ZERO = Decimal("0")

K = TypeVar("K", bound=Hashable)


def to_decimal(value: object, what: str = "value") -> Decimal:
    """Convert a number read from YAML, DuckDB or a CSV into a finite Decimal, or raise ``ValueError``.

    ``what`` names the field in the error so a bad row can be quarantined with a readable reason.
    """
    if value is None:
        raise ValueError(f"{what} is missing")
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number, got {value!r}")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, (int, float, str)):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"{what} must be a number, got {value!r}") from None
    else:
        raise ValueError(f"{what} must be a number, got {type(value).__name__} {value!r}")
    if not number.is_finite():
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    return number


def round_money(amount: Decimal) -> Decimal:
    """Round to cents, half up (the way payroll rounds)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def round_places(value: Decimal, places: int) -> Decimal:
    """Round half up to ``places`` decimals (for ratios and scores as people read them)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def allocate_largest_remainder(total: Decimal, weights: Mapping[K, Decimal]) -> dict[K, Decimal]:
    """Split ``total`` (whole cents) in proportion to ``weights`` so the parts add up to ``total`` exactly.

    Each part is first rounded down to the cent; the cents left over go one each to the largest remainders.
    Equal remainders are broken by key order, so the same input always gives the same cents to the same people.
    A larger weight never gets less than a smaller one.
    """
    if total != round_money(total):
        raise ValueError(f"total to allocate must be whole cents, got {total}")
    if total < 0:
        raise ValueError(f"total to allocate must not be negative, got {total}")
    negative = sorted(str(key) for key, weight in weights.items() if weight < 0)
    if negative:
        raise ValueError(f"weights must not be negative: {', '.join(negative)}")
    weight_sum = sum(weights.values(), ZERO)
    if weight_sum <= 0:
        raise ValueError("weights must have a positive sum to allocate anything")

    total_cents = int(total / CENT)
    floors: dict[K, int] = {}
    remainders: dict[K, Decimal] = {}
    with localcontext() as context:
        context.prec = 60  # far beyond any cent count, so a part never loses a cent to precision
        for key, weight in weights.items():
            exact_cents = Decimal(total_cents) * weight / weight_sum
            floor = int(exact_cents.to_integral_value(rounding=ROUND_DOWN))
            floors[key] = floor
            remainders[key] = exact_cents - floor

    leftover = total_cents - sum(floors.values())
    by_remainder = sorted((key for key, weight in weights.items() if weight > 0), key=lambda k: (-remainders[k], k))
    for key in by_remainder[:leftover]:
        floors[key] += 1
    return {key: (Decimal(cents) * CENT).quantize(CENT) for key, cents in floors.items()}
