"""WeCom connector against the sandbox over real HTTP: windows x user batches, token life cycle, errcode bodies."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from connectors.http import Secret, SourceError
from connectors.quality import validate_rows
from connectors.wecom import RAW_SCHEMAS, WeComClient, WeComConfig
from sandbox.server import SandboxServer
from sandbox.vendors.wecom import wecom_error
from tests.connectors.conftest import FakeClock, Recorder
from tests.connectors.tiny_company import TZ, WEEK, tiny_company

COLUMNS = ["userid", "checkin_type", "exception_type", "checkin_time", "sch_checkin_time", "groupname", "_source_ref"]


def make_client(sandbox: SandboxServer, clock: FakeClock, **config: object) -> WeComClient:
    settings = {
        "base_url": sandbox.wecom_url,
        "corpid": sandbox.credentials.wecom_corpid,
        "corpsecret": Secret(sandbox.credentials.wecom_corpsecret),
        **config,
    }
    return WeComClient(WeComConfig(**settings), sleep=clock.sleep, clock=clock)


def record(sandbox: SandboxServer, path: str = "getcheckindata") -> Recorder:
    recorder = Recorder("wecom", path_contains=path)
    sandbox.add_interceptor(recorder)
    return recorder


def unix(day: int, hour: int, minute: int, zone: str = TZ) -> int:
    return int(datetime(2026, 3, day, hour, minute, tzinfo=ZoneInfo(zone)).timestamp())


def test_fetches_the_weeks_checkins_of_the_requested_users(sandbox, clock):
    frame = make_client(sandbox, clock).fetch_week(WEEK, TZ, ["wx0001", "wx0002", "wx0003"])["wecom_checkins"]

    assert list(frame.columns) == COLUMNS
    assert len(frame) == 3 * 5 * 2  # three users, five rostered days, in and out; Sunday's punch is outside
    assert frame["checkin_time"].between(unix(2, 0, 0), unix(9, 0, 0) - 1).all()
    monday_in = frame[(frame["userid"] == "wx0001") & (frame["checkin_time"] < unix(2, 12, 0))]
    assert monday_in[["checkin_type", "exception_type", "checkin_time", "sch_checkin_time"]].values.tolist() == [
        ["上班打卡", "时间异常", unix(2, 9, 7), unix(2, 9, 0)]  # late: WeCom flags it
    ]
    tokyo = frame[frame["userid"] == "wx0002"]["checkin_time"]
    assert unix(2, 8, 55, "Asia/Tokyo") in set(tokyo)  # wall time read in the employee's own zone
    assert frame["_source_ref"].str.startswith("POST /cgi-bin/checkin/getcheckindata starttime=").all()
    assert frame["_source_ref"].is_unique
    validated = validate_rows(frame, RAW_SCHEMAS["wecom_checkins"])
    assert validated.counts == {"rows_loaded": 30, "rows_quarantined": 0}


def test_only_asked_for_users_come_back_and_no_users_means_no_calls(sandbox, clock):
    calls = record(sandbox)
    client = make_client(sandbox, clock)
    assert set(client.fetch_week(WEEK, TZ, ["wx0003", "nobody"])["wecom_checkins"]["userid"]) == {"wx0003"}
    empty = client.fetch_week(WEEK, TZ, [])["wecom_checkins"]
    assert empty.empty and list(empty.columns) == COLUMNS
    assert len(calls.requests) == 1


def test_more_than_100_users_are_fetched_in_batches_of_at_most_100():
    company = tiny_company(wecom_users=205)
    clock = FakeClock()
    users = [f"wx{n:04d}" for n in range(1, 206)]
    with SandboxServer(company, clock=clock) as sandbox:
        calls = record(sandbox)
        frame = make_client(sandbox, clock).fetch_week(WEEK, TZ, users)["wecom_checkins"]
    sizes = [len(body["useridlist"]) for body in calls.bodies()]
    assert sizes == [100, 100, 5]
    assert sorted(u for body in calls.bodies() for u in body["useridlist"]) == sorted(users)
    assert frame["userid"].nunique() == 205 and len(frame) == 205 * 10
    assert frame["_source_ref"].str.contains("batch=3/3").sum() == 5 * 10


def test_the_week_is_cut_into_windows_that_neither_overlap_nor_leave_gaps(sandbox, clock):
    calls = record(sandbox)
    sliced = make_client(sandbox, clock, window_days=3).fetch_week(WEEK, TZ, ["wx0001"])["wecom_checkins"]
    windows = [(body["starttime"], body["endtime"]) for body in calls.bodies()]
    assert windows[0][0] == unix(2, 0, 0) and windows[-1][1] == unix(9, 0, 0) - 1
    assert all(windows[i][1] + 1 == windows[i + 1][0] for i in range(len(windows) - 1))
    assert len(windows) == 3
    whole = make_client(sandbox, clock).fetch_week(WEEK, TZ, ["wx0001"])["wecom_checkins"]
    assert sorted(sliced["checkin_time"]) == sorted(whole["checkin_time"])


def test_the_token_is_fetched_once_and_reused(sandbox, clock):
    token_calls = record(sandbox, "gettoken")
    client = make_client(sandbox, clock)
    client.fetch_week(WEEK, TZ, ["wx0001"])
    client.fetch_week(WEEK, TZ, ["wx0002"])
    assert len(token_calls.requests) == 1


def test_the_token_is_refreshed_before_it_expires(sandbox, clock):
    token_calls, data_calls = record(sandbox, "gettoken"), record(sandbox)
    client = make_client(sandbox, clock)
    client.fetch_week(WEEK, TZ, ["wx0001"])
    clock.now += 7200 - 200  # inside the 300 s refresh margin, still valid at the vendor
    client.fetch_week(WEEK, TZ, ["wx0001"])
    assert len(token_calls.requests) == 2
    assert data_calls.requests[0].query["access_token"] != data_calls.requests[1].query["access_token"]


@pytest.mark.trust("fault", "connectors: WeCom")
def test_an_expired_token_42001_is_refreshed_once_and_the_call_retried(sandbox, clock):
    token_calls = record(sandbox, "gettoken")
    client = make_client(sandbox, clock)
    client.fetch_week(WEEK, TZ, ["wx0001"])
    sandbox.wecom.expire_tokens()  # the vendor revokes it early: only errcode 42001 can tell us
    frame = client.fetch_week(WEEK, TZ, ["wx0001"])["wecom_checkins"]
    assert len(frame) == 10
    assert len(token_calls.requests) == 2
    assert clock.sleeps == []


@pytest.mark.trust("fault", "connectors: WeCom")
def test_rate_limit_45009_on_http_200_is_retried_after_a_backoff(sandbox, clock):
    calls = record(sandbox)
    calls.script = [wecom_error(45009), wecom_error(45009)]
    frame = make_client(sandbox, clock).fetch_week(WEEK, TZ, ["wx0001"])["wecom_checkins"]
    assert len(frame) == 10
    assert clock.sleeps == [1.0, 2.0] and len(calls.requests) == 3


@pytest.mark.trust("fault", "connectors: WeCom")
def test_invalid_token_40014_fails_without_retrying(sandbox, clock):
    calls = record(sandbox)
    calls.script = [wecom_error(40014)]
    with pytest.raises(SourceError) as raised:
        make_client(sandbox, clock).fetch_week(WEEK, TZ, ["wx0001"])
    assert raised.value.code == "errcode 40014" and "invalid access_token" in raised.value.message
    assert len(calls.requests) == 1 and clock.sleeps == []


@pytest.mark.trust("security", "connectors: WeCom")
def test_a_wrong_secret_fails_and_the_secret_appears_nowhere(sandbox, clock):
    config = WeComConfig(
        base_url=sandbox.wecom_url, corpid=sandbox.credentials.wecom_corpid, corpsecret=Secret("wrong-secret-123")
    )
    client = WeComClient(config, sleep=clock.sleep, clock=clock)
    with pytest.raises(SourceError) as raised:
        client.fetch_week(WEEK, TZ, ["wx0001"])
    assert raised.value.code == "errcode 40001"
    for text in (str(raised.value), repr(raised.value), repr(config), repr(client.config), str(config.__dict__)):
        assert "wrong-secret-123" not in text
    assert "corpsecret='***'" in repr(config)


@pytest.mark.trust("bad input", "connectors: WeCom")
def test_config_refuses_what_wecom_would_refuse():
    secret = Secret("x")
    with pytest.raises(ValueError, match="user_batch_size"):
        WeComConfig(base_url="http://x", corpid="c", corpsecret=secret, user_batch_size=101)
    with pytest.raises(ValueError, match="window_days"):
        WeComConfig(base_url="http://x", corpid="c", corpsecret=secret, window_days=31)


@pytest.mark.trust("bad input", "connectors: WeCom")
def test_unusable_rows_are_quarantined_with_a_reason(sandbox, clock):
    frame = make_client(sandbox, clock).fetch_week(WEEK, TZ, ["wx0001"])["wecom_checkins"]
    frame.loc[0, "checkin_time"] = frame.loc[0, "checkin_time"] * 1000  # milliseconds: a unit mistake
    frame.loc[1, "checkin_type"] = "补卡"
    validated = validate_rows(frame, RAW_SCHEMAS["wecom_checkins"])
    assert validated.counts == {"rows_loaded": 8, "rows_quarantined": 2}
    reasons = " ".join(validated.quarantine["reason"])
    assert "checkin_time" in reasons and "checkin_type" in reasons
