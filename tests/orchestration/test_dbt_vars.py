from datetime import datetime
from zoneinfo import ZoneInfo

from orchestration.lib.dbt_vars import partition_vars

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_partition_window_becomes_local_week_bounds():
    start = datetime(2026, 3, 2, tzinfo=SHANGHAI)
    end = datetime(2026, 3, 9, tzinfo=SHANGHAI)
    assert partition_vars(start, end, "Asia/Shanghai", {}) == {
        "week_start": "2026-03-02",
        "week_end": "2026-03-09",
        "timezone": "Asia/Shanghai",
    }


def test_plan_parameters_pass_through_but_cannot_override_the_window():
    start = datetime(2026, 3, 2, tzinfo=SHANGHAI)
    end = datetime(2026, 3, 16, tzinfo=SHANGHAI)
    plan_vars = {"late_grace_minutes": 5, "week_start": "1999-01-04"}
    result = partition_vars(start, end, "Asia/Shanghai", plan_vars)
    assert result["late_grace_minutes"] == 5
    assert (result["week_start"], result["week_end"]) == ("2026-03-02", "2026-03-16")
