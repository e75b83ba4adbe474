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
from datetime import datetime

from orchestration.lib.attendance_config import load_attendance_config
from orchestration.settings import Settings
from scoring.plan import load_plan

WINDOW_START_ENV = "HRHUB_DBT_WINDOW_START"
WINDOW_END_ENV = "HRHUB_DBT_WINDOW_END"


def rule_vars(timezone: str, plan_vars: Mapping[str, object], site_vars: Mapping[str, object]) -> dict[str, object]:
    """The company time zone, the plan's attendance rules and the attendance site configuration."""
    return {**plan_vars, **site_vars, "timezone": timezone}


def settings_rule_vars(settings: Settings) -> dict[str, object]:
    """``rule_vars`` for the plan file and attendance configuration the settings point at."""
    return rule_vars(
        settings.timezone,
        load_plan(settings.plan_path).dbt_vars(),
        load_attendance_config(settings.attendance_config_path).dbt_vars(),
    )


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
