"""ISO weeks in the company time zone: the period every weekly output is keyed by.

A week is keyed by its Monday (``date``); its window is Monday 00:00 to the next Monday 00:00 local time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Shanghai"


def week_start_of(day: date) -> date:
    """The Monday of the ISO week containing ``day``."""
    return day - timedelta(days=day.weekday())


def parse_week(key: str) -> date:
    """Parse a partition key (``YYYY-MM-DD``) and insist it is a Monday."""
    day = date.fromisoformat(key)
    if day.weekday() != 0:
        raise ValueError(f"week key {key!r} is not a Monday; weeks are keyed by their Monday")
    return day


def week_window_utc(week_start: date, tz: str = DEFAULT_TIMEZONE) -> tuple[datetime, datetime]:
    """The week's [start, end) as aware UTC datetimes."""
    zone = ZoneInfo(tz)
    start = datetime.combine(week_start, time.min, tzinfo=zone)
    end = datetime.combine(week_start + timedelta(days=7), time.min, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def latest_complete_week(now: datetime, tz: str = DEFAULT_TIMEZONE) -> date:
    """The Monday of the last week that has fully ended at ``now`` (aware) in ``tz``."""
    local_today = now.astimezone(ZoneInfo(tz)).date()
    return week_start_of(local_today) - timedelta(days=7)


def recent_weeks(count: int, now: datetime, tz: str = DEFAULT_TIMEZONE) -> list[date]:
    """The ``count`` latest complete weeks, oldest first."""
    last = latest_complete_week(now, tz)
    return [last - timedelta(days=7 * i) for i in reversed(range(count))]


def weeks_from(start: date, count: int) -> list[date]:
    """``count`` consecutive weeks from the week containing ``start``."""
    first = week_start_of(start)
    return [first + timedelta(days=7 * i) for i in range(count)]
