"""What a dbt invocation is told: the rules as ``--vars`` (constant between runs) and the partition window in the
environment (``HRHUB_DBT_WINDOW_START`` / ``_END``, read by the project's ``window_start()`` / ``window_end()``).

Keeping the per-run window out of ``--vars`` lets dbt reuse its parse of the project: new vars make it re-parse
everything (about 5 s a run here), a changed environment variable only the few files that read it. ``make
manifest`` parses with the same rule vars so the first run starts from that state too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from orchestration.lib.attendance_config import load_attendance_config
from orchestration.settings import Settings
from scoring.plan import Plan, load_plan_history

WINDOW_START_ENV = "HRHUB_DBT_WINDOW_START"
WINDOW_END_ENV = "HRHUB_DBT_WINDOW_END"


def rule_vars(timezone: str, plan_vars: Mapping[str, object], site_vars: Mapping[str, object]) -> dict[str, object]:
    """The company time zone, the plan's attendance rules and the attendance site configuration."""
    return {**plan_vars, **site_vars, "timezone": timezone}


def settings_rule_vars(settings: Settings) -> dict[str, object]:
    """``rule_vars`` for the newest plan version and the attendance configuration the settings point at."""
    return rule_vars(
        settings.timezone,
        load_plan_history(settings.plan_path).latest.dbt_vars(),
        load_attendance_config(settings.attendance_config_path).dbt_vars(),
    )


class PlanWindowError(ValueError):
    """A dbt window whose weeks need different attendance rules: one dbt run applies one set."""


def window_weeks(start: datetime, end: datetime) -> list[date]:
    """The Mondays of the weeks in ``[start, end)`` (local-time partition bounds)."""
    first, stop = start.date(), end.date()
    return [first + timedelta(weeks=n) for n in range((stop - first).days // 7)]


def window_rules_plan(plans_by_week: Mapping[date, Plan]) -> Plan:
    """The plan whose attendance rules and identity a dbt run over these weeks gets: the last week's plan.

    dbt applies one set of attendance rules per run, so every week of the window must have the same attendance
    section (their plans may differ elsewhere; the attendance marts then record the last week's plan). Otherwise
    raises ``PlanWindowError`` telling to run the weeks one per run.
    """
    weeks = sorted(plans_by_week)
    segments: list[list[date]] = []
    for week in weeks:
        if segments and plans_by_week[segments[-1][-1]].attendance == plans_by_week[week].attendance:
            segments[-1].append(week)
        else:
            segments.append([week])
    if len(segments) > 1:
        parts = "; ".join(
            f"{segment[0]}..{segment[-1]}: plan {', '.join(sorted({plans_by_week[w].version for w in segment}))}"
            for segment in segments
        )
        raise PlanWindowError(
            f"the weeks {weeks[0]}..{weeks[-1]} need different attendance rules ({parts}), and one dbt run applies "
            f"one set: backfill these weeks one week per run, or split the window at "
            f"{', '.join(str(segment[0]) for segment in segments[1:])}"
        )
    return plans_by_week[weeks[-1]]


def window_environment(start: datetime, end: datetime) -> dict[str, str]:
    """The weeks in ``[start, end)`` (local-time partition bounds) as the variables the project reads."""
    return {WINDOW_START_ENV: start.date().isoformat(), WINDOW_END_ENV: end.date().isoformat()}


@contextmanager
def partition_window(start: datetime, end: datetime) -> Iterator[None]:
    """Set the window variables for a dbt invocation started inside the block; restore them afterwards."""
    values = window_environment(start, end)
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
