"""The sample company's redemption requests: catalog items of the default plan, several over any balance a
person can have built up, one for a retired item, and each week's requests in that week's inbox file."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from connectors.files.redemptions import read_redemption_requests
from sandbox.inbox import render_inbox_week
from sandbox.sample.config import SampleConfig
from sandbox.sample.generate import generate_sample
from scoring.plan import load_plan

START = date(2026, 3, 2)
CONFIG = SampleConfig(seed=7, employees=120, weeks=4, start_week=START)
TZ = "Asia/Shanghai"


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    return generate_sample(CONFIG)


def test_requests_name_catalog_items_and_include_refusals_to_show(sample):
    requests = sample["redemption_requests"]
    rules = load_plan().activity_points
    catalog = {item.code: item for item in rules.redemption.catalog}
    assert requests["request_id"].is_unique
    assert set(requests["item_code"]) <= set(catalog)
    assert [catalog[code].retired for code in requests["item_code"]].count(True) == 1
    assert requests["employee_id"].isin(sample["employees"]["employee_id"]).all()
    # 8 h of leave costs more than a person can earn in the first week (the weekly cap): refused for over balance.
    first_week = requests["requested_at_utc"] < pd.Timestamp(START + timedelta(days=7), tz=TZ)
    leave = requests["item_code"] == "LEAVE_8H"
    assert catalog["LEAVE_8H"].points > rules.weekly_cap
    assert (first_week & leave).any()


def test_each_week_file_holds_that_weeks_requests_and_loads_cleanly(sample, tmp_path):
    loaded = []
    for n in range(CONFIG.weeks):
        week = START + timedelta(weeks=n)
        path = tmp_path / f"{week}_redemption_requests.csv"
        path.write_bytes(render_inbox_week(sample, week, TZ)["redemption_requests.csv"])
        result = read_redemption_requests(path)
        assert result.quarantine.empty
        assert result.rows["requested_at"].str.endswith("+08:00").all()
        loaded.extend(result.rows["request_id"])
    assert sorted(loaded) == sorted(sample["redemption_requests"]["request_id"])
