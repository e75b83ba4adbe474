"""dbt gets the rules as vars (the same every run) and the partition window through the environment."""

import os
from datetime import datetime
from zoneinfo import ZoneInfo

from orchestration.lib.dbt_vars import (
    WINDOW_END_ENV,
    WINDOW_START_ENV,
    partition_window,
    rule_vars,
    settings_rule_vars,
)
from orchestration.settings import load_settings

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_rule_vars_carry_the_rules_and_the_zone_but_no_window():
    result = rule_vars("Asia/Shanghai", {"late_grace_minutes": 5}, {"attendance_devices": []})
    assert result == {"late_grace_minutes": 5, "attendance_devices": [], "timezone": "Asia/Shanghai"}
    shipped = settings_rule_vars(load_settings())
    assert "week_start" not in shipped and "week_end" not in shipped  # a new week must not force a full re-parse
    assert shipped["attendance_source_precedence"][0] == "zk" and shipped["late_grace_minutes"] == 5


def test_the_window_is_set_for_the_invocation_and_restored_after(monkeypatch):
    monkeypatch.setenv(WINDOW_START_ENV, "1999-01-04")
    monkeypatch.delenv(WINDOW_END_ENV, raising=False)
    start, end = datetime(2026, 3, 2, tzinfo=SHANGHAI), datetime(2026, 3, 16, tzinfo=SHANGHAI)

    with partition_window(start, end):
        assert (os.environ[WINDOW_START_ENV], os.environ[WINDOW_END_ENV]) == ("2026-03-02", "2026-03-16")

    assert os.environ[WINDOW_START_ENV] == "1999-01-04" and WINDOW_END_ENV not in os.environ
