"""The sample company: deterministic, shaped exactly like the contract, and carrying the behaviours the demo and
later checks rely on (late arrivals, absences, leave, missing check-outs, duplicates, night shifts, a fast
device clock, one 40 h roster breach, a loss-making project-week, weaker R&D goals in the last week)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sandbox.sample import TABLE_COLUMNS, SampleConfig, generate_sample, load_sample, read_meta, write_sample
from sandbox.sample.attendance import roster_rule_violations

START = date(2026, 3, 2)
CONFIG = SampleConfig(seed=7, employees=120, weeks=4, start_week=START)
PERIOD_START = pd.Timestamp(START)
PERIOD_END = pd.Timestamp(START + timedelta(days=28))
ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    return generate_sample(CONFIG)


@pytest.fixture(scope="module")
def bigger() -> dict[str, pd.DataFrame]:
    """Enough people for rates to settle (still well under a second)."""
    return generate_sample(SampleConfig(seed=11, employees=600, weeks=4, start_week=START))


def _shift_instances(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    shifts = tables["shifts"].set_index("shift_code")

    def minutes(hhmm: pd.Series) -> pd.Series:
        return hhmm.str.slice(0, 2).astype(int) * 60 + hhmm.str.slice(3, 5).astype(int)

    start, end = minutes(shifts["start_time"]), minutes(shifts["end_time"])
    end = end.where(end > start, end + 24 * 60)
    roster = tables["roster"].copy()
    roster["start"] = roster["work_date"] + pd.to_timedelta(roster["shift_code"].map(start).to_numpy(), unit="min")
    roster["end"] = roster["work_date"] + pd.to_timedelta(roster["shift_code"].map(end).to_numpy(), unit="min")
    return roster


def _attendance_per_shift(tables: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each punch attached to the shift it belongs to, and per shift: first in, last out, punch counts, leave."""
    roster = _shift_instances(tables)
    roster["window"] = (roster["start"] - pd.Timedelta(hours=2)).dt.as_unit("s")
    punches = pd.merge_asof(
        tables["punches"].sort_values("punch_time_local"),
        roster.sort_values("window"),
        left_on="punch_time_local",
        right_on="window",
        by="employee_id",
        direction="backward",
    )
    punches = punches[punches["punch_time_local"] <= punches["end"] + pd.Timedelta(hours=4)]
    key = ["employee_id", "work_date"]
    ins, outs = punches[punches["punch_state"] == 0], punches[punches["punch_state"] == 1]
    per_shift = roster.set_index(key)
    per_shift["first_in"] = ins.groupby(key)["punch_time_local"].min()
    per_shift["last_out"] = outs.groupby(key)["punch_time_local"].max()
    per_shift["ins"] = ins.groupby(key).size()
    per_shift["outs"] = outs.groupby(key).size()
    per_shift = per_shift.fillna({"ins": 0, "outs": 0})
    per_shift["on_leave"] = per_shift.index.isin(tables["leave"].set_index(["employee_id", "leave_date"]).index)
    return punches, per_shift


def _attainment(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    goals = tables["goals"].merge(tables["employees"][["employee_id", "department"]])
    target, actual, weight = (goals[c].astype(float) for c in ("target", "actual", "weight"))
    ratio = np.where(goals["direction"] == "higher_is_better", actual / target, target / actual)
    goals["weighted"] = ratio * weight
    return goals.groupby(["employee_id", "department", "week_start"], as_index=False)["weighted"].sum()


# ---------- determinism and size


def test_same_config_gives_identical_tables(sample):
    again = generate_sample(CONFIG)
    for name, frame in sample.items():
        pd.testing.assert_frame_equal(frame, again[name], check_exact=True, obj=name)


def test_a_different_seed_gives_a_different_company(sample):
    other = generate_sample(SampleConfig(seed=8, employees=120, weeks=4, start_week=START))
    assert not other["employees"]["name"].equals(sample["employees"]["name"])
    assert not other["punches"]["punch_time_local"].equals(sample["punches"]["punch_time_local"])
    assert not other["orders"]["total_amount"].equals(sample["orders"]["total_amount"])


def test_sizes_follow_employees_and_weeks(sample):
    double = generate_sample(SampleConfig(seed=7, employees=240, weeks=4, start_week=START))
    short = generate_sample(SampleConfig(seed=7, employees=120, weeks=2, start_week=START))
    assert len(sample["employees"]) == 120 and len(double["employees"]) == 240
    assert len(sample["products"]) == 15 and len(double["products"]) == 30  # one per 8 employees
    assert len(sample["projects"]) == 3 and len(double["projects"]) == 5  # one per 50, at least 3
    assert 1.7 < len(double["roster"]) / len(sample["roster"]) < 2.3
    assert 1.7 < len(sample["roster"]) / len(short["roster"]) < 2.3
    assert short["goals"]["week_start"].nunique() == 2 and sample["goals"]["week_start"].nunique() == 4
    assert len(short["activities"]) == 2 * 5 and len(sample["activities"]) == 4 * 5


def test_config_rejects_what_it_cannot_generate():
    with pytest.raises(ValueError, match="not a Monday"):
        SampleConfig(start_week=date(2026, 3, 3))
    with pytest.raises(ValueError, match="employees"):
        SampleConfig(employees=5, start_week=START)
    with pytest.raises(ValueError, match="timezone"):
        SampleConfig(start_week=START, timezone="Mars/Olympus")


# ---------- contract


def _contract_tables() -> dict[str, list[str]]:
    """Table -> columns as written in docs/architecture.md, section "Sample company"."""
    section = ARCHITECTURE.read_text(encoding="utf-8").split("## Sample company", 1)[1].split("\n## ", 1)[0]
    tables = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 2 or cells[0] in ("table", "---"):
            continue
        described = re.sub(r"\([^)]*\)", "", cells[1])
        tables[cells[0]] = [item.strip().split()[0] for item in described.split(",") if item.strip()]
    return tables


def test_tables_and_columns_are_exactly_the_documented_contract(sample):
    documented = _contract_tables()
    assert {name: list(columns) for name, columns in TABLE_COLUMNS.items()} == documented
    assert {name: list(frame.columns) for name, frame in sample.items()} == documented


def test_identifiers_look_like_the_source_systems(sample):
    employees = sample["employees"]
    assert employees["employee_id"].str.fullmatch(r"E\d{6}").all() and employees["employee_id"].is_unique
    zk = employees[employees["attendance_source"] == "zk"]
    assert zk["zk_pin"].str.fullmatch(r"\d{5}").all() and zk["zk_pin"].is_unique
    assert zk["zk_pin"].str.startswith("0").all()  # leading zeros survive: pins are text
    assert employees.loc[employees["attendance_source"] == "wecom", "zk_pin"].isna().all()
    assert employees["jira_account_id"].str.fullmatch(r"[0-9a-f]{24}").all() and employees["jira_account_id"].is_unique
    assert employees["payroll_id"].str.fullmatch(r"PR\d{7}").all() and employees["payroll_id"].is_unique
    assert employees["wecom_userid"].str.fullmatch(r"[a-z]+\d*").all() and employees["wecom_userid"].is_unique
    assert employees["name"].str.fullmatch(r"[\u4e00-\u9fff]{2,3}").all()
    assert sample["orders"]["order_id"].str.fullmatch(r"\d+").all()
    assert sample["orders"]["name"].iloc[0] == "#1001"
    assert sample["products"]["shopify_product_id"].str.fullmatch(r"\d+").all()
    assert sample["products"]["page_path"].str.fullmatch(r"/products/[a-z0-9-]+").all()
    assert sample["products"]["page_path"].is_unique


def test_money_is_text_with_two_decimals(sample):
    money = [sample["employees"]["variable_base"], sample["orders"]["total_amount"]]
    money += [sample["project_pnl"][c] for c in ("revenue", "cost", "ad_spend")]
    for column in money:
        assert column.str.fullmatch(r"-?\d+\.\d{2}").all()
    assert set(sample["orders"]["currency"]) == {"CNY"} and set(sample["project_pnl"]["currency"]) == {"CNY"}


# ---------- people


def test_organisation_has_departments_teams_and_managers(bigger):
    employees = bigger["employees"]
    shares = employees["department"].value_counts(normalize=True)
    expected = {"R&D": 0.35, "Customer Success": 0.12, "Customer Service": 0.20, "Design": 0.08}
    expected |= {"Operations": 0.08, "Functional": 0.17}
    assert shares.to_dict() == pytest.approx(expected, abs=0.01)
    assert employees.groupby("team").size().between(6, 12).all()
    assert (employees.groupby("team")["department"].nunique() == 1).all()
    heads = employees[employees["manager_id"].isna()]
    assert sorted(heads["department"]) == sorted(expected)
    by_id = employees.set_index("employee_id")
    managers = by_id.loc[employees["manager_id"].dropna()]
    assert (managers["department"].to_numpy() == employees.dropna(subset="manager_id")["department"].to_numpy()).all()
    functional_teams = employees.loc[employees["department"] == "Functional", "team"]
    assert {team.split("-")[1] for team in functional_teams} == {"HR", "FIN", "ADM"}


def test_project_groups_cities_and_attendance_sources(bigger):
    employees = bigger["employees"]
    in_groups = employees["project_group"].notna()
    assert set(employees.loc[in_groups, "department"]) == {"R&D", "Customer Success"}
    assert employees.loc[in_groups].groupby("project_group")["city"].nunique().eq(1).all()
    assert employees.loc[in_groups, "city"].nunique() >= 4
    assert set(employees.loc[employees["attendance_source"] == "zk", "city"]) <= {"Shanghai", "Beijing"}
    app_users = employees[~employees["city"].isin(["Shanghai", "Beijing"])]
    assert set(app_users.loc[app_users["city"] == "Chengdu", "attendance_source"]) == {"dingtalk"}
    assert set(app_users.loc[app_users["city"] == "Shenzhen", "attendance_source"]) == {"feishu"}
    assert set(app_users.loc[~app_users["city"].isin(["Chengdu", "Shenzhen"]), "attendance_source"]) == {"wecom"}
    for source, column in (("dingtalk", "dingtalk_userid"), ("feishu", "feishu_user_id")):
        users = employees["attendance_source"] == source
        assert employees.loc[users, column].notna().all() and employees.loc[~users, column].isna().all()
        assert employees.loc[users, column].is_unique
    variable = employees["variable_base"].astype(float)
    paid_variable = employees["role"].isin(["designer", "operator"])
    assert variable[paid_variable].between(3000, 6000).all() and (variable[~paid_variable] == 0).all()


def test_a_few_people_join_and_leave_during_the_period(bigger):
    employees = bigger["employees"]
    hired = employees["hire_date"].between(PERIOD_START, PERIOD_END, inclusive="left")
    left = employees["termination_date"].notna()
    assert 1 <= hired.sum() <= 0.02 * len(employees) and 1 <= left.sum() <= 0.02 * len(employees)
    assert employees.loc[left, "termination_date"].between(PERIOD_START, PERIOD_END, inclusive="left").all()
    roster = bigger["roster"].merge(employees[["employee_id", "hire_date", "termination_date"]])
    assert (roster["work_date"] >= roster["hire_date"]).all()
    assert not (roster["work_date"] > roster["termination_date"]).any()


# ---------- referential integrity and the week window


def test_references_point_at_existing_rows(sample):
    employee_ids = set(sample["employees"]["employee_id"])
    by_department = sample["employees"].set_index("employee_id")["department"]
    for table, column in [
        ("roster", "employee_id"), ("leave", "employee_id"), ("punches", "employee_id"), ("goals", "employee_id"),
        ("product_operators", "employee_id"), ("creatives", "designer_id"), ("activity_events", "employee_id"),
    ]:  # fmt: skip
        assert set(sample[table][column]) <= employee_ids, (table, column)
    assert set(sample["employees"]["manager_id"].dropna()) <= employee_ids
    assert set(sample["activity_events"]["counterpart_id"].dropna()) <= employee_ids
    assert set(by_department[sample["product_operators"]["employee_id"]]) == {"Operations"}
    assert set(by_department[sample["creatives"]["designer_id"]]) == {"Design"}
    products = set(sample["products"]["product_id"])
    assert set(sample["order_lines"]["product_id"]) <= products
    assert set(sample["order_lines"]["order_id"]) == set(sample["orders"]["order_id"])
    assert set(sample["orders"]["customer_id"]) == set(sample["customers"]["customer_id"])
    assert set(sample["creatives"]["product_id"]) == products  # every product has a creative
    assert set(sample["product_operators"]["product_id"]) == products
    assert set(sample["products"]["project_id"]) == set(sample["projects"]["project_id"])
    assert set(sample["project_pnl"]["project_id"]) == set(sample["projects"]["project_id"])
    assert set(sample["page_daily"]["page_path"]) == set(sample["products"]["page_path"])
    assert set(sample["creative_daily"]["creative_id"]) <= set(sample["creatives"]["creative_id"])
    # Apart from the planted pop-up quiz off the calendar (1-2 events a week) that scoring must refuse.
    unlisted = ~sample["activity_events"]["activity_id"].isin(sample["activities"]["activity_id"])
    assert set(sample["activity_events"].loc[unlisted, "activity_id"].str[:4]) == {"POP-"}
    assert len(sample["activity_events"][unlisted]) == CONFIG.weeks // 2 * 3
    assert set(sample["roster"]["shift_code"]) <= set(sample["shifts"]["shift_code"])


def test_everything_happens_inside_the_period(sample):
    for table, column in [
        ("roster", "work_date"), ("leave", "leave_date"), ("page_daily", "date"), ("creative_daily", "date"),
        ("goals", "week_start"), ("project_pnl", "week_start"), ("activities", "week_start"),
    ]:  # fmt: skip
        assert sample[table][column].between(PERIOD_START, PERIOD_END, inclusive="left").all(), table
    weeks = {pd.Timestamp(START + timedelta(days=7 * i)) for i in range(4)}
    assert set(sample["goals"]["week_start"]) == weeks and set(sample["project_pnl"]["week_start"]) == weeks
    punch_times = sample["punches"]["punch_time_local"]
    assert punch_times.min() >= PERIOD_START - pd.Timedelta(hours=1)
    assert punch_times.max() < PERIOD_END + pd.Timedelta(hours=10)  # a Sunday night shift ends on Monday
    window = (PERIOD_START.tz_localize("Asia/Shanghai"), PERIOD_END.tz_localize("Asia/Shanghai"))
    for table, column in [("orders", "created_at_utc"), ("activity_events", "occurred_at_utc")]:
        assert sample[table][column].between(*window, inclusive="left").all(), table


# ---------- roster and attendance behaviours


def test_roster_keeps_to_40_hours_except_one_planted_breach(sample):
    violations = roster_rule_violations(sample["roster"], sample["shifts"])
    assert len(violations) == 1 and violations["scheduled_hours"].iloc[0] == 48
    roster = sample["roster"].merge(sample["employees"][["employee_id", "department"]])
    office = roster[roster["department"] != "Customer Service"]
    assert set(office["shift_code"]) == {"DAY"}
    office_weekend = office[office["work_date"].dt.day_of_week >= 5]
    assert office_weekend["employee_id"].nunique() == 1  # only the breach works a Saturday
    service = roster[roster["department"] == "Customer Service"]
    assert set(service["shift_code"]) == {"EARLY", "LATE", "EVENING", "NIGHT"}
    assert (service["work_date"].dt.day_of_week >= 5).mean() > 0.15


def test_attendance_behaviours_occur_at_realistic_rates(bigger):
    punches, per_shift = _attendance_per_shift(bigger)
    assert len(punches) == len(bigger["punches"])  # every punch belongs to a rostered shift
    on_leave = per_shift["on_leave"]
    assert 0.015 < on_leave.mean() < 0.05
    assert (per_shift.loc[on_leave, "ins"] + per_shift.loc[on_leave, "outs"] == 0).all()
    absent = ~on_leave & (per_shift["ins"] + per_shift["outs"] == 0)
    assert 0.007 < absent.mean() < 0.03
    present = per_shift[per_shift["ins"] > 0]
    late_minutes = (present["first_in"] - present["start"]).dt.total_seconds() / 60
    assert 0.04 < (late_minutes > 5).mean() < 0.12
    assert late_minutes.max() <= 40 + 10  # 6-40 min late, plus the fast device clock
    assert 0.003 < (present["outs"] == 0).mean() < 0.03  # missing check-out
    overtime = (present["last_out"] - present["end"]).dt.total_seconds() / 3600
    # overtime is 21-60 min (inside the plan's punch window after the shift); about 3/4 of it runs past 30 min
    assert 0.04 < (overtime > 0.5).mean() < 0.09 and overtime.max() <= 1 + 10 / 60  # plus the fast device


def test_duplicate_punches_arrive_seconds_after_the_first(bigger):
    punches = bigger["punches"]
    gap = punches.groupby("employee_id")["punch_time_local"].diff().dt.total_seconds()
    same_state = punches["punch_state"].eq(punches.groupby("employee_id")["punch_state"].shift())
    duplicates = gap[same_state & (gap <= 60)]
    assert duplicates.between(5, 50).all()
    shifts_worked = (punches["punch_state"] == 0).sum() - len(duplicates)
    assert 0.015 < len(duplicates) / shifts_worked < 0.05


def test_night_shifts_check_out_the_next_morning(sample):
    punches, _ = _attendance_per_shift(sample)
    night_outs = punches[(punches["shift_code"] == "NIGHT") & (punches["punch_state"] == 1)]
    assert len(night_outs) > 0
    assert (night_outs["punch_time_local"].dt.normalize() == night_outs["work_date"] + pd.Timedelta(days=1)).all()
    assert night_outs["punch_time_local"].dt.hour.between(5, 9).all()  # around 06:00 (early leavers before)


def test_one_device_clock_runs_fast(bigger, tmp_path):
    config = SampleConfig(seed=11, employees=600, weeks=4, start_week=START)
    skew = read_meta(write_sample(bigger, config, tmp_path))["device_clock_skew"]
    assert 4 <= skew["minutes"] <= 8
    punches, _ = _attendance_per_shift(bigger)
    check_ins = punches[(punches["source"] == "zk") & (punches["punch_state"] == 0)]
    offset = (check_ins["punch_time_local"] - check_ins["start"]).dt.total_seconds() / 60
    median_by_device = offset.groupby(check_ins["device_sn"]).median()
    others = median_by_device.drop(skew["device_sn"])
    assert median_by_device[skew["device_sn"]] - others.median() == pytest.approx(skew["minutes"], abs=1.5)
    assert set(median_by_device.index) == {sn for sns in read_meta(tmp_path)["zk_devices"].values() for sn in sns}
    assert (punches.loc[punches["source"] == "wecom", "device_sn"].isna()).all()


# ---------- goals


def test_goal_weights_add_up_to_one_per_employee_week(sample):
    goals = sample["goals"]
    sums = goals.groupby(["employee_id", "week_start"])["weight"].agg(lambda w: sum(Decimal(x) for x in w))
    assert (sums == Decimal("1.00")).all()
    assert goals.groupby(["employee_id", "week_start"]).size().between(2, 4).all()
    assert set(goals["direction"]) == {"higher_is_better", "lower_is_better"}
    lower = goals[goals["direction"] == "lower_is_better"]
    assert (lower["actual"].astype(float) > 0).all()  # target / actual is always defined


def test_customer_service_goals_match_the_seed(bigger):
    goals = bigger["goals"].merge(bigger["employees"][["employee_id", "role"]])
    service = goals[goals["role"] == "customer_service"]
    targets = service.groupby("metric")["target"].agg(lambda t: t.astype(float).mean())
    assert targets["tickets_resolved"] == pytest.approx(200, abs=15)
    assert targets["first_response_minutes"] == pytest.approx(10, abs=1.5)
    assert targets["csat"] == pytest.approx(4.5, abs=0.1)
    directions = service.drop_duplicates("metric").set_index("metric")["direction"]
    assert directions["first_response_minutes"] == "lower_is_better"
    assert directions["tickets_resolved"] == directions["csat"] == "higher_is_better"
    assert service.loc[service["metric"] == "csat", "actual"].astype(float).max() <= 5


def test_attainment_is_mostly_on_track_and_rd_slips_in_the_last_week(bigger):
    attainment = _attainment(bigger)
    assert attainment["weighted"].between(0.7, 1.3).mean() > 0.8
    assert (attainment["weighted"] < 0.7).any() and (attainment["weighted"] > 1.3).any()  # a tail both ways
    by_week = attainment.pivot_table(index="department", columns="week_start", values="weighted", aggfunc="mean")
    last_week = by_week.columns.max()
    assert by_week.loc["R&D", last_week] == pytest.approx(0.7, abs=0.06)
    assert (by_week.drop(columns=last_week) > 0.85).all().all()
    assert (by_week.drop(index="R&D")[last_week] > 0.85).all()


def test_absence_and_leave_pull_actuals_down(bigger):
    _, per_shift = _attendance_per_shift(bigger)
    per_shift = per_shift.reset_index()
    per_shift["week_start"] = per_shift["work_date"] - pd.to_timedelta(per_shift["work_date"].dt.day_of_week, "D")
    per_shift["missed"] = per_shift["ins"] == 0
    missed = per_shift.groupby(["employee_id", "week_start"])["missed"].sum().rename("missed").reset_index()
    goals = bigger["goals"][bigger["goals"]["metric"].isin(["story_points_done", "tickets_resolved"])]
    goals = goals.merge(missed)
    ratio = goals["actual"].astype(float) / goals["target"].astype(float)
    assert ratio[goals["missed"] >= 2].mean() < ratio[goals["missed"] == 0].mean() - 0.2


# ---------- commerce


def test_orders_customers_and_refunds(bigger):
    orders = bigger["orders"]
    assert (orders["updated_at_utc"] >= orders["created_at_utc"]).all()
    cancelled = orders["cancelled_at_utc"].notna()
    assert 0.003 < cancelled.mean() < 0.04
    assert (orders.loc[cancelled, "financial_status"] == "REFUNDED").all()
    assert (orders.loc[cancelled, "cancelled_at_utc"] >= orders.loc[cancelled, "created_at_utc"]).all()
    assert ((orders["financial_status"] == "REFUNDED") & ~cancelled).any()
    earlier_orders = orders.sort_values("created_at_utc").groupby("customer_id").cumcount()
    assert 0.2 <= (earlier_orders > 0).mean() <= 0.3  # orders from returning customers
    lines = bigger["order_lines"]
    assert lines.groupby("order_id")["line_no"].agg(lambda n: sorted(n) in ([1], [1, 2])).all()
    assert lines["quantity"].between(1, 3).all()
    assert (lines["sku"].str.rsplit("-", n=1).str[0] == lines["product_id"]).all()
    conversion = len(orders) / bigger["page_daily"]["sessions"].sum()
    assert 0.01 < conversion < 0.04


def test_creatives_go_live_and_click_like_ads(bigger):
    creatives = bigger["creatives"].set_index("creative_id")
    assert bigger["product_operators"].groupby("product_id").size().between(1, 2).all()
    assert creatives.groupby("product_id").size().between(1, 4).all()
    assert creatives["operator_rating"].between(1, 5).all()
    assert (creatives["live_from"] > PERIOD_START).any()  # some go live mid-period
    assert ((creatives["live_from"] <= PERIOD_START) & (creatives["live_to"] >= PERIOD_END)).mean() > 0.7
    daily = bigger["creative_daily"]
    live = creatives.loc[daily["creative_id"]]
    assert (
        (daily["date"].to_numpy() >= live["live_from"].to_numpy())
        & (daily["date"].to_numpy() <= live["live_to"].to_numpy())
    ).all()
    not_live_in_a_week = set(creatives.index) - set(
        daily.loc[daily["date"] < PERIOD_START + pd.Timedelta(days=7), "creative_id"]
    )
    assert not_live_in_a_week
    ctr = daily["clicks"].sum() / daily["impressions"].sum()
    assert 0.01 < ctr < 0.06
    pages = bigger["page_daily"]
    assert (pages["screen_page_views"] >= pages["sessions"]).all() and (
        pages["wishlist_adds"] <= pages["sessions"]
    ).all()


def test_project_pnl_follows_orders_and_one_week_loses_money(sample):
    pnl = sample["project_pnl"]
    revenue, cost, ad_spend = (pnl[c].map(Decimal) for c in ("revenue", "cost", "ad_spend"))
    assert ((revenue - cost - ad_spend) < 0).any()
    assert (revenue > 0).all() and (cost > 0).all()
    paid = sample["orders"][sample["orders"]["financial_status"] == "PAID"]
    assert sum(revenue) == sum(paid["total_amount"].map(Decimal))  # every paid order lands in one project-week


# ---------- activities


def test_activity_events_reflect_the_seed(bigger):
    events = bigger["activity_events"].merge(bigger["activities"][["activity_id", "activity_type"]])
    people = bigger["employees"].set_index("employee_id")
    events["department"] = people.loc[events["employee_id"], "department"].to_numpy()
    assert events["event_id"].is_unique
    assert (events["team_id"].to_numpy() == people.loc[events["employee_id"], "team"].to_numpy()).all()
    headcount = people["department"].value_counts()

    def participation(event_type: str) -> pd.Series:
        chosen = events[events["event_type"] == event_type]
        return chosen.groupby("department")["employee_id"].nunique() / headcount

    assert participation("challenge_joined").idxmax() == "R&D"
    assert participation("story_published").idxmax() == "Customer Success"
    assert participation("quiz_answered").idxmax() == "Functional"


def test_stories_challenges_and_collaborations_have_their_counterparts(bigger):
    events = bigger["activity_events"]
    people = bigger["employees"].set_index("employee_id")
    likes = events[events["event_type"] == "story_liked"]
    authors = events[events["event_type"] == "story_published"].set_index("story_id")["employee_id"]
    assert (likes["counterpart_id"].to_numpy() == authors.loc[likes["story_id"]].to_numpy()).all()
    assert (likes["employee_id"] == likes["counterpart_id"]).any()  # a few self-likes, for the no-points rule
    assert not likes.duplicated(["story_id", "employee_id"]).any()
    assert likes.groupby("story_id").size().max() > 20  # some stories hit the 40-point like cap
    won = events[events["event_type"] == "challenge_won"]
    joined = events[events["event_type"] == "challenge_joined"]
    assert won.groupby("activity_id")["team_id"].nunique().eq(1).all() and len(won) > 0
    assert set(zip(won["activity_id"], won["employee_id"], strict=True)) <= set(
        zip(joined["activity_id"], joined["employee_id"], strict=True)
    )
    collaborations = events[events["event_type"] == "collaboration_completed"]
    groups = people["project_group"]
    assert len(collaborations) > 0 and len(collaborations) % 2 == 0
    assert (
        groups.loc[collaborations["employee_id"]].to_numpy() != groups.loc[collaborations["counterpart_id"]].to_numpy()
    ).all()


# ---------- on disk


def test_write_and_load_round_trip(sample, tmp_path):
    first = write_sample(sample, CONFIG, tmp_path / "a")
    second = write_sample(generate_sample(CONFIG), CONFIG, tmp_path / "b")
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted([f"{name}.parquet" for name in TABLE_COLUMNS] + ["meta.json"])
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    config, loaded = load_sample(first)
    assert config == CONFIG
    for name, frame in sample.items():
        pd.testing.assert_frame_equal(loaded[name], frame, check_exact=True, obj=name)
    meta = read_meta(first)
    assert (meta["seed"], meta["employees"], meta["weeks"], meta["start_week"]) == (7, 120, 4, "2026-03-02")
    assert meta["tables"]["punches"]["rows"] == len(sample["punches"])
    assert meta["roster_rule_violations"][0]["scheduled_hours"] == 48


def test_loading_something_that_is_not_a_sample_fails_clearly(sample, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"meta\.json"):
        load_sample(tmp_path)
    write_sample(sample, CONFIG, tmp_path)
    (tmp_path / "orders.parquet").unlink()
    with pytest.raises(FileNotFoundError, match=r"orders\.parquet"):
        load_sample(tmp_path)
    with pytest.raises(ValueError, match="missing"):
        write_sample({k: v for k, v in sample.items() if k != "orders"}, CONFIG, tmp_path)
