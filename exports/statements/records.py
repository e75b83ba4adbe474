"""Reading warehouse rows (plain dicts) into typed values, with errors that name the row and the column.

Rows arrive as DuckDB returns them (Decimal, int, date, None) or as the scoring ``as_record()`` dicts; both work.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from exports.statements.model import StatementError
from scoring.money import to_decimal

Record = Mapping[str, object]


def field(row: Record, name: str, what: str) -> object:
    if name not in row:
        raise StatementError(f"{what}: column {name!r} is missing")
    return row[name]


def text(row: Record, name: str, what: str) -> str:
    value = field(row, name, what)
    if value is None or str(value) == "":
        raise StatementError(f"{what}: {name} is empty")
    return str(value)


def optional_text(row: Record, name: str) -> str | None:
    value = row.get(name)
    return None if value is None or str(value) == "" else str(value)


def decimal(row: Record, name: str, what: str) -> Decimal:
    return number(field(row, name, what), f"{what}: {name}")


def optional_decimal(row: Record, name: str, what: str) -> Decimal | None:
    value = row.get(name)
    return None if value is None else number(value, f"{what}: {name}")


def number(value: object, what: str) -> Decimal:
    try:
        return to_decimal(value, what)
    except ValueError as error:
        raise StatementError(str(error)) from None


def integer(row: Record, name: str, what: str) -> int:
    value = decimal(row, name, what)
    if value != value.to_integral_value():
        raise StatementError(f"{what}: {name} must be a whole number, got {value}")
    return int(value)


def day(row: Record, name: str, what: str) -> date:
    return as_date(field(row, name, what), f"{what}: {name}")


def as_date(value: object, what: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise StatementError(f"{what} must be a date, got {value!r}")


def codes(value: object) -> tuple[str, ...]:
    """Reason codes as stored (``ABSENT_2D,LATE_3X``, empty for none), sorted and without duplicates."""
    if value is None:
        return ()
    if isinstance(value, str):
        parts = value.split(",")
    elif isinstance(value, (list, tuple)):
        parts = [str(part) for part in value]
    else:
        raise StatementError(f"reason codes must be text like 'ABSENT_2D,LATE_3X', got {value!r}")
    return tuple(sorted({part.strip() for part in parts if part.strip()}))
