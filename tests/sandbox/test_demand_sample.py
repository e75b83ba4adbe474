"""The sample's planning inputs: hourly inquiries with an evening peak, a promotion calendar with a pre-sale the
week after the period, and flexible-shift requests; and how the inbox renders them."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from connectors.files import read_inbox_week
from sandbox.inbox import render_inbox_week, write_inbox_week
from sandbox.sample import SampleConfig, generate_sample

START = date(2026, 3, 2)
CONFIG = SampleConfig(seed=5, employees=300, weeks=3, start_week=START)
TZ = "Asia/Shanghai"


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    return generate_sample(CONFIG)


def test_planning_tables_are_deterministic_per_seed(sample):
    again = generate_sample(CONFIG)
    other = generate_sample(SampleConfig(seed=6, employees=300, weeks=3, start_week=START))
    for name in ("cs_inquiries", "promotions", "shift_requests"):
        pd.testing.assert_frame_equal(sample[name], again[name], check_exact=True, obj=name)
    assert not other["cs_inquiries"]["inquiries"].equals(sample["cs_inquiries"]["inquiries"])


def test_inquiries_cover_every_hour_and_peak_in_the_evening(sample):
    inquiries = sample["cs_inquiries"]
    expected_hours = pd.date_range(pd.Timestamp(START), periods=CONFIG.days * 24, freq="h").as_unit("s")
    assert inquiries["hour_start_local"].tolist() == expected_hours.tolist()
    assert str(inquiries["inquiries"].dtype) == "int64" and (inquiries["inquiries"] >= 0).all()
    by_hour = inquiries.groupby(inquiries["hour_start_local"].dt.hour)["inquiries"].mean()
    assert set(by_hour.nlargest(2).index) == {20, 21}
    assert by_hour[20] > 2 * by_hour[10] and by_hour[4] < by_hour[10]
    assert by_hour[6] == 0  # the desk is closed in the hour no shift covers


def test_a_presale_follows_the_period_and_an_earlier_promotion_lifts_inquiries(sample):
    promotions = sample["promotions"].set_index("promotion_id")
    last_monday = CONFIG.end_exclusive
    presale = promotions.loc["PROMO-02"]
    assert (presale["start_date"].date(), presale["end_date"].date()) == (last_monday, last_monday + timedelta(days=6))
    assert Decimal(presale["uplift"]) == Decimal("0.40") and "618" in presale["name"]
    earlier = promotions.loc["PROMO-01"]
    assert pd.Timestamp(START) <= earlier["start_date"] <= earlier["end_date"] < pd.Timestamp(CONFIG.end_exclusive)
    assert sample["promotions"]["uplift"].str.fullmatch(r"\d+\.\d{2}").all()

    inquiries = sample["cs_inquiries"].assign(day=lambda f: f["hour_start_local"].dt.normalize())
    daily = inquiries.groupby("day")["inquiries"].sum()
    promoted = daily[(daily.index >= earlier["start_date"]) & (daily.index <= earlier["end_date"])]
    same_weekdays = daily[daily.index.day_of_week.isin(promoted.index.day_of_week)].drop(promoted.index)
    assert promoted.mean() > 1.1 * same_weekdays.mean()


def test_a_few_percent_ask_for_next_weeks_flexible_shift(sample):
    requests = sample["shift_requests"]
    employees = sample["employees"].set_index("employee_id")
    assert requests["request_id"].is_unique and set(requests["employee_id"]) <= set(employees.index)
    per_week = requests.groupby("week_start").size()
    assert sorted(per_week.index) == [pd.Timestamp(START + timedelta(days=7 * w)) for w in (1, 2, 3)]
    assert (per_week.between(0.01 * CONFIG.employees, 0.06 * CONFIG.employees)).all()
    local = requests["submitted_at_utc"].dt.tz_convert(TZ).dt.tz_localize(None)
    submitted_week = local.dt.normalize() - pd.to_timedelta(local.dt.day_of_week, unit="D")
    assert (requests["week_start"] - submitted_week == pd.Timedelta(days=7)).all()  # asked during the week before
    office = requests["employee_id"].map(employees["department"]) != "Customer Service"
    assert set(requests.loc[office, "requested_shift_code"]) <= {"EARLY", "LATE"}
    assert set(requests["requested_shift_code"]) <= set(sample["shifts"]["shift_code"])


def test_the_inbox_renders_the_week_as_the_producers_would(sample):
    week = START + timedelta(days=7)
    files = render_inbox_week(sample, week, TZ)

    inquiries = list(csv.reader(io.StringIO(files["cs_inquiries.csv"].decode("utf-8"))))
    assert inquiries[0] == ["hour_start", "inquiries"] and len(inquiries) == 1 + 7 * 24
    assert inquiries[1][0] == "2026-03-09 00:00"
    calendar = list(csv.reader(io.StringIO(files["promotion_calendar.csv"].decode("utf-8-sig"))))
    assert calendar[0] == ["活动编号", "活动名称", "开始日期", "结束日期", "预计增幅"]
    assert calendar[2][2:] == ["2026/3/23", "2026/3/29", "40%"]
    requests = list(csv.reader(io.StringIO(files["shift_requests.csv"].decode("gbk"))))
    assert requests[0] == ["申请单号", "工号", "申请周", "申请班次", "提交时间"]
    assert {row[2] for row in requests[1:]} == {"2026-03-16"}


def test_rendered_planning_files_read_back_without_quarantine(tmp_path):
    config = SampleConfig(seed=5, employees=120, weeks=2, start_week=START)
    small = generate_sample(config)
    for week in config.week_starts:
        write_inbox_week(small, week, tmp_path, TZ)
    frames = {week: read_inbox_week(tmp_path, week) for week in config.week_starts}

    assert all(f["quarantine"].empty for f in frames.values())
    inquiries = pd.concat(f["service_inquiries_hourly"] for f in frames.values())
    assert inquiries["inquiries"].astype(int).tolist() == small["cs_inquiries"]["inquiries"].tolist()
    assert frames[config.week_starts[-1]]["promotion_calendar"]["uplift"].tolist() == ["0.20", "0.40"]
    requests = pd.concat(f["shift_requests"] for f in frames.values())
    assert sorted(requests["request_id"]) == sorted(small["shift_requests"]["request_id"])
    assert len(requests) > 0
