"""Feishu OKR connector against the sandbox over real HTTP: periods page by page, the OKRs of a week's periods as a
snapshot (alignments followed up to the company objective), ``limit`` at most 10, the shared tenant token,
throttling, and progress over 100 quarantined."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import requests

from connectors.feishu import OKR_RAW_SCHEMAS, FeishuOkrClient, FeishuOkrConfig
from connectors.http import Secret
from connectors.quality import validate_rows
from sandbox.sample import SampleConfig, generate_sample
from sandbox.server import SandboxServer
from tests.connectors.conftest import FakeClock, Recorder

TZ = "Asia/Shanghai"
START = date(2026, 3, 16)  # four weeks: two in Q1, one across Q1/Q2 (03-30), one in Q2
ACROSS_QUARTERS, LAST_WEEK = date(2026, 3, 30), date(2026, 4, 6)
PERIODS, USER_OKRS, TOKEN = "/okr/v1/periods", "/okrs", "tenant_access_token"


@pytest.fixture(scope="module")
def company() -> dict[str, pd.DataFrame]:
    return generate_sample(SampleConfig(seed=7, employees=120, weeks=4, start_week=START))


@pytest.fixture
def sandbox(company: dict[str, pd.DataFrame], clock: FakeClock) -> Iterator[SandboxServer]:
    with SandboxServer(company, clock=clock) as server:
        yield server


def make_client(sandbox: SandboxServer, clock: FakeClock, **config: object) -> FeishuOkrClient:
    settings = {
        "base_url": sandbox.feishu_url,
        "app_id": sandbox.credentials.feishu_app_id,
        "app_secret": Secret(sandbox.credentials.feishu_app_secret),
        **config,
    }
    return FeishuOkrClient(FeishuOkrConfig(**settings), sleep=clock.sleep, clock=clock)


def record(sandbox: SandboxServer, path: str) -> Recorder:
    recorder = Recorder("feishu", path_contains=path)
    sandbox.add_interceptor(recorder)
    return recorder


def week_end(monday: date) -> datetime:
    """The last second of the ISO week in Shanghai: what a run right after the week sees."""
    return datetime.combine(monday + timedelta(days=7), datetime.min.time(), ZoneInfo(TZ)) - timedelta(seconds=1)


def feishu_users(company: dict[str, pd.DataFrame]) -> list[str]:
    """The Feishu user_ids the HR crosswalk knows (the Shenzhen people)."""
    return sorted(company["employees"]["feishu_user_id"].dropna())


def okr_owner_in_crosswalk(company: dict[str, pd.DataFrame]) -> str:
    """The Feishu user_id of a Shenzhen manager who owns objectives."""
    employees = company["employees"].set_index("employee_id")
    return employees.loc[company["okr_objectives"]["owner_id"], "feishu_user_id"].dropna().iloc[0]


def progress_as_of(company: dict[str, pd.DataFrame], monday: date) -> pd.DataFrame:
    """Each key result's sample progress in the week starting ``monday`` (percent, last update in ms)."""
    rows = company["okr_progress"][company["okr_progress"]["week_start"] == pd.Timestamp(monday)]
    millis = rows["updated_at_utc"].dt.as_unit("ms").astype("int64")
    return pd.DataFrame(
        {"percent": rows["percent"].astype(str).to_numpy(), "updated_ms": millis.to_numpy()},
        index=rows["kr_id"].to_numpy(),
    )


# ---- periods ---------------------------------------------------------------------------------------------------


def test_periods_are_read_page_by_page_with_their_local_bounds(sandbox, clock, company):
    pages = record(sandbox, PERIODS)
    periods = make_client(sandbox, clock, period_page_size=1).periods()

    assert [p.period_id for p in periods] == company["okr_periods"]["period_id"].tolist()
    assert [r.query.get("page_token") for r in pages.requests] == [None, "1"]
    assert {r.query["page_size"] for r in pages.requests} == {"1"}
    q1 = periods[0]
    assert (q1.name, q1.start_ms) == ("2026 Q1", int(datetime(2026, 1, 1, tzinfo=ZoneInfo(TZ)).timestamp() * 1000))
    assert q1.end_ms == int(datetime(2026, 4, 1, tzinfo=ZoneInfo(TZ)).timestamp() * 1000) - 1
    client = make_client(sandbox, clock)
    assert [p.name for p in client.periods_overlapping(START, TZ)] == ["2026 Q1"]
    assert [p.name for p in client.periods_overlapping(ACROSS_QUARTERS, TZ)] == ["2026 Q1", "2026 Q2"]


# ---- the week's snapshot ---------------------------------------------------------------------------------------


def test_a_week_is_a_snapshot_of_its_period_as_of_the_sandbox_clock(sandbox, clock, company):
    sandbox.feishu_okr.freeze_at(week_end(START))
    calls = record(sandbox, USER_OKRS)
    tables = make_client(sandbox, clock).fetch_week(START, TZ, feishu_users(company))
    objectives, key_results = tables["feishu_okr_objectives"], tables["feishu_okr_key_results"]

    q1 = company["okr_periods"]["period_id"].iloc[0]
    assert {r.query_lists["period_ids"][0] for r in calls.requests} == {q1} and set(objectives["period_id"]) == {q1}
    assert {r.query["limit"] for r in calls.requests} == {"10"}
    for name, frame in tables.items():
        assert validate_rows(frame, OKR_RAW_SCHEMAS[name]).counts == {"rows_loaded": len(frame), "rows_quarantined": 0}
        assert frame["_source_ref"].is_unique
    # progress and its last update are the sample's for that week, to the millisecond
    expected = progress_as_of(company, START)
    got = key_results.set_index("kr_id")
    assert (got["progress_percent"] == expected.loc[got.index, "percent"]).all()
    assert (got["last_updated_ms"] == expected.loc[got.index, "updated_ms"]).all()
    # a week later the same key results have moved on where their owners updated them
    sandbox.feishu_okr.freeze_at(week_end(START + timedelta(days=7)))
    later = make_client(sandbox, clock).fetch_week(START, TZ, feishu_users(company))["feishu_okr_key_results"]
    moved = later.set_index("kr_id").loc[got.index, "last_updated_ms"] != got["last_updated_ms"]
    updated_next_week = progress_as_of(company, START + timedelta(days=7)).loc[got.index, "updated_ms"]
    assert moved.any() and not moved.all()
    assert (moved == (updated_next_week != expected.loc[got.index, "updated_ms"])).all()


def test_alignments_are_followed_up_to_the_company_objective(sandbox, clock, company):
    sandbox.feishu_okr.freeze_at(week_end(START))
    sample = company["okr_objectives"]
    team = sample[(sample["level"] == "team") & (sample["period_id"] == sample["period_id"].iloc[0])].iloc[0]
    employees = company["employees"].set_index("employee_id")
    manager_open_id = employees.loc[team["owner_id"], "feishu_open_id"]
    client = make_client(sandbox, clock, user_id_type="open_id")

    objectives = client.fetch_week(START, TZ, [manager_open_id])["feishu_okr_objectives"]

    department = sample.set_index("objective_id").loc[team["parent_objective_id"]]
    company_objective = sample.set_index("objective_id").loc[department["parent_objective_id"]]
    loaded = objectives.set_index("objective_id")
    assert {team["objective_id"], team["parent_objective_id"], department["parent_objective_id"]} <= set(loaded.index)
    assert loaded.loc[team["objective_id"], "aligned_objective_ids"] == team["parent_objective_id"]
    assert pd.isna(loaded.loc[department["parent_objective_id"], "aligned_objective_ids"])
    # the owners were read after the manager, by the open_id Feishu gave in the aligned objective
    owner_open_ids = [
        employees.loc[o, "feishu_open_id"] for o in (department["owner_id"], company_objective["owner_id"])
    ]
    assert client.users_read[0] == ("open_id", manager_open_id)
    assert {("open_id", o) for o in owner_open_ids} <= set(client.users_read)
    # every objective loaded is placed: its parent was loaded too
    parents = objectives["aligned_objective_ids"].dropna()
    assert parents.isin(objectives["objective_id"]).all()


def test_okrs_of_two_periods_are_paged_by_offset_within_the_limit(sandbox, clock, company):
    sandbox.feishu_okr.freeze_at(week_end(ACROSS_QUARTERS))
    calls = record(sandbox, USER_OKRS)
    user = okr_owner_in_crosswalk(company)  # one OKR in each quarter
    objectives = make_client(sandbox, clock, limit=1).fetch_week(ACROSS_QUARTERS, TZ, [user])["feishu_okr_objectives"]

    mine = [r for r in calls.requests if f"/users/{user}/okrs" in r.path]
    assert [(r.query["offset"], r.query["limit"]) for r in mine] == [("0", "1"), ("1", "1")]
    assert sorted(mine[0].query_lists["period_ids"]) == sorted(company["okr_periods"]["period_id"])
    assert set(objectives["period_id"]) == set(company["okr_periods"]["period_id"])


@pytest.mark.trust("bad input", "connectors: Feishu OKR")
def test_limit_over_10_is_refused_by_the_config_and_by_feishu(sandbox, clock, company):
    with pytest.raises(ValueError, match="limit"):
        make_client(sandbox, clock, limit=11)
    token = make_client(sandbox, clock).tokens.token()
    answer = requests.get(
        f"{sandbox.feishu_url}/open-apis/okr/v1/users/{feishu_users(company)[0]}/okrs",
        params={"user_id_type": "user_id", "limit": "11"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert (answer.status_code, answer.json()["code"]) == (400, 1001001)


# ---- auth and throttling ---------------------------------------------------------------------------------------


@pytest.mark.trust("fault", "connectors: Feishu OKR")
def test_one_tenant_token_serves_every_call_until_feishu_says_it_expired(sandbox, clock, company):
    tokens = record(sandbox, TOKEN)
    calls = record(sandbox, USER_OKRS)
    client = make_client(sandbox, clock)
    client.fetch_week(START, TZ, feishu_users(company))
    assert len(tokens.requests) == 1 and len(calls.requests) > 5
    assert len({r.header("Authorization") for r in calls.requests}) == 1

    sandbox.feishu.expire_tokens()  # the attendance API issued it: OKR refuses it too, with 99991663
    client.fetch_week(START, TZ, feishu_users(company)[:1])
    assert len(tokens.requests) == 2 and client.tokens.fetch_count == 2


@pytest.mark.trust("fault", "connectors: Feishu OKR")
def test_throttled_calls_wait_as_feishu_asks_and_nobody_is_skipped(sandbox, clock, company):
    everyone = company["employees"]["feishu_open_id"].tolist()  # 120 users: over the 100 calls a minute
    calls = record(sandbox, USER_OKRS)
    client = make_client(sandbox, clock, user_id_type="open_id")
    objectives = client.fetch_week(START, TZ, everyone)["feishu_okr_objectives"]

    assert len(calls.requests) > len(everyone)  # some calls were refused with 99991400 and sent again
    assert clock.sleeps and all(0 < wait <= 60 for wait in clock.sleeps)
    assert len(client.users_read) == len(everyone)
    q1 = company["okr_objectives"][company["okr_objectives"]["period_id"] == company["okr_periods"]["period_id"][0]]
    assert sorted(objectives["objective_id"]) == sorted(q1["objective_id"])


# ---- bad input -------------------------------------------------------------------------------------------------


@pytest.mark.trust("bad input", "connectors: Feishu OKR")
def test_progress_over_100_is_quarantined_with_the_reason(sandbox, clock, company):
    progress = company["okr_progress"]
    planted = progress[progress["percent"] > 100]
    assert len(planted) == 1 and planted["week_start"].iloc[0] == pd.Timestamp(ACROSS_QUARTERS)
    sandbox.feishu_okr.freeze_at(week_end(ACROSS_QUARTERS))
    key_results = make_client(sandbox, clock).fetch_week(ACROSS_QUARTERS, TZ, feishu_users(company))[
        "feishu_okr_key_results"
    ]

    result = validate_rows(key_results, OKR_RAW_SCHEMAS["feishu_okr_key_results"])
    assert len(result.rows) + len(result.quarantine) == len(key_results)
    (reason,) = result.quarantine["reason"]
    assert "progress_percent" in reason and "(got 120)" in reason
    assert planted["kr_id"].iloc[0] in result.quarantine["payload"].iloc[0]
    # the next week the owner corrected it, and nothing is quarantined any more
    sandbox.feishu_okr.freeze_at(week_end(LAST_WEEK))
    corrected = make_client(sandbox, clock).fetch_week(LAST_WEEK, TZ, feishu_users(company))
    assert validate_rows(
        corrected["feishu_okr_key_results"], OKR_RAW_SCHEMAS["feishu_okr_key_results"]
    ).quarantine.empty


@pytest.mark.trust("bad input", "connectors: Feishu OKR")
def test_a_user_feishu_does_not_know_is_quarantined_not_read_as_owning_nothing(sandbox, clock, company):
    objectives = make_client(sandbox, clock).fetch_week(START, TZ, ["fs999999", okr_owner_in_crosswalk(company)])[
        "feishu_okr_objectives"
    ]
    result = validate_rows(objectives, OKR_RAW_SCHEMAS["feishu_okr_objectives"])
    assert len(result.quarantine) == 1
    assert "feishu_could_not_read_this_user" in result.quarantine["reason"].iloc[0]
    assert "fs999999" in result.quarantine["source_ref"].iloc[0]
    assert len(result.rows) == len(objectives) - 1 > 0


def test_ids_stay_text_and_weights_and_percents_stay_as_sent(sandbox, clock, company):
    sandbox.feishu_okr.freeze_at(datetime(2026, 3, 1, tzinfo=UTC))  # before any update of the sample
    tables = make_client(sandbox, clock).fetch_week(START, TZ, feishu_users(company))
    key_results = tables["feishu_okr_key_results"]
    assert key_results["kr_id"].str.fullmatch(r"\d{19}").all()
    sample = company["okr_key_results"].set_index("kr_id").loc[key_results["kr_id"], "kr_weight"]
    assert [Decimal(w) for w in key_results["kr_weight"]] == [Decimal(w) for w in sample]
    # never updated yet: 0 percent, last update 0 (valid, not missing)
    assert set(key_results["progress_percent"]) == {"0"} and set(key_results["last_updated_ms"]) == {0}
    assert validate_rows(key_results, OKR_RAW_SCHEMAS["feishu_okr_key_results"]).quarantine.empty
