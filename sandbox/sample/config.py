"""What a sample company is generated from: ``(seed, employees, weeks, start_week, timezone)``, nothing else.

The period is ``weeks`` whole ISO weeks from ``start_week`` (a Monday) in the company time zone. Day offsets used
inside the generator count from ``start_week`` (day 0 = that Monday).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scoring.weeks import DEFAULT_TIMEZONE, weeks_from

MIN_EMPLOYEES = 40  # below this some departments would have no team at all
MAX_EMPLOYEES = 999_999  # employee ids are ``E`` + 6 digits
MAX_WEEKS = 53


@dataclass(frozen=True, kw_only=True)
class SampleConfig:
    """Inputs of the sample generator; equal configs give byte-identical samples."""

    seed: int = 42
    employees: int = 500
    weeks: int = 4
    start_week: date  # a Monday; callers compute the default (e.g. a few weeks back from today)
    timezone: str = DEFAULT_TIMEZONE

    def __post_init__(self) -> None:
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        if not isinstance(self.employees, int) or not MIN_EMPLOYEES <= self.employees <= MAX_EMPLOYEES:
            raise ValueError(
                f"employees must be an integer in [{MIN_EMPLOYEES}, {MAX_EMPLOYEES}], got {self.employees!r}"
            )
        if not isinstance(self.weeks, int) or not 1 <= self.weeks <= MAX_WEEKS:
            raise ValueError(f"weeks must be an integer in [1, {MAX_WEEKS}], got {self.weeks!r}")
        if isinstance(self.start_week, datetime) or not isinstance(self.start_week, date):
            raise ValueError(f"start_week must be a datetime.date, got {self.start_week!r}")
        if self.start_week.weekday() != 0:
            raise ValueError(
                f"start_week {self.start_week.isoformat()} is not a Monday; weeks are keyed by their Monday"
            )
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown timezone {self.timezone!r}") from error

    @property
    def days(self) -> int:
        """Number of calendar days in the period."""
        return 7 * self.weeks

    @property
    def end_exclusive(self) -> date:
        """The Monday after the last week: the period is ``[start_week, end_exclusive)``."""
        return self.start_week + timedelta(days=self.days)

    @property
    def week_starts(self) -> list[date]:
        return weeks_from(self.start_week, self.weeks)
