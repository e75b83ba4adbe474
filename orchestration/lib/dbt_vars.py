"""Pure helpers that turn a partition window and the plan into dbt ``--vars``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime


def partition_vars(start: datetime, end: datetime, timezone: str, plan_vars: Mapping[str, object]) -> dict[str, object]:
    """dbt vars for the weeks in ``[start, end)`` (local-time partition bounds) plus the plan's parameters."""
    return {
        **plan_vars,
        "week_start": start.date().isoformat(),
        "week_end": end.date().isoformat(),
        "timezone": timezone,
    }
