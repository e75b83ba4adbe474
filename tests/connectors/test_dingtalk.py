"""DingTalk connector against the sandbox over real HTTP: windows x user batches in DingTalk's wall time, epoch
milliseconds, the token life cycle, errcode bodies (88 + sub_code), the per-second quota and quarantine."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import requests

from connectors.dingtalk import RAW_SCHEMAS, DingTalkClient, DingTalkConfig
from connectors.http import Secret, SourceError
from connectors.quality import validate_rows
from sandbox.server import SandboxServer
from sandbox.vendors.base import SandboxResponse
from sandbox.vendors.dingtalk import dingtalk_auth_error, dingtalk_error
from tests.connectors.conftest import FakeClock, Recorder
from tests.connectors.tiny_company import TZ, WEEK, tiny_company

COLUMNS = [
    "record_id",
    "user_id",
    "check_type",
    "source_type",
    "time_result",
    "location_result",
    "user_check_time",
    "base_check_time",
    "is_legal",
    "device_id",
    "_source_ref",
]
USERS = ["dt000001", "dt000002", "dt000003"]
TOKYO = "Asia/Tokyo"
MACHINE = "DT-ATM-01"


def dingtalk_company(users: int = 3) -> dict[str, pd.DataFrame]:
    """tiny_company with its app users on DingTalk (``dt000001``...; dt000002 works from Tokyo), plus a punch in the
    week's last second, one in the next week's first second, and one on an attendance machine."""
    company = tiny_company(users)
    employees = company["employees"].copy()
    app = employees["attendance_source"] == "wecom"
    employees["attendance_source"] = employees["attendance_source"].where(~app, "dingtalk")
    employees["dingtalk_userid"] = ("dt" + employees["employee_id"].str[1:]).where(app)
    employees["wecom_userid"] = employees["wecom_userid"].where(~app)
    punches = company["punches"].copy()
    punches["source"] = punches["source"].where(punches["source"] != "wecom", "dingtalk")
    machine = (
        (punches["employee_id"] == "E000003")
        & (punches["punch_time_local"].dt.date == datetime(2026, 3, 3).date())
        & (punches["punch_state"] == 0)
    )
    punches.loc[machine, "device_sn"] = MACHINE
    edges = pd.DataFrame(
        {
            "employee_id": ["E000001", "E000001"],
            "source": ["dingtalk", "dingtalk"],
            "device_sn": [None, None],
            "punch_time_local": pd.to_datetime(["2026-03-08 23:59:59", "2026-03-09 00:00:00"]).astype("datetime64[s]"),
            "punch_state": [1, 0],
        }
    )
    return {**company, "employees": employees, "punches": pd.concat([punches, edges], ignore_index=True)}


@pytest.fixture(scope="module")
def company() -> dict[str, pd.DataFrame]:
    return dingtalk_company()


def make_client(sandbox: SandboxServer, clock: FakeClock, **config: object) -> DingTalkClient:
    settings = {
        "base_url": sandbox.dingtalk_url,
        "appkey": sandbox.credentials.dingtalk_appkey,
        "appsecret": Secret(sandbox.credentials.dingtalk_appsecret),
        **config,
    }
    return DingTalkClient(DingTalkConfig(**settings), sleep=clock.sleep, clock=clock)


def record(sandbox: SandboxServer, path: str = "listRecord") -> Recorder:
    recorder = Recorder("dingtalk", path_contains=path)
    sandbox.add_interceptor(recorder)
    return recorder


def ms(day: int, hour: int, minute: int, second: int = 0, zone: str = TZ) -> int:
    return int(datetime(2026, 3, day, hour, minute, second, tzinfo=ZoneInfo(zone)).timestamp()) * 1000


def punches(client: DingTalkClient, users: list[str] = USERS, tz: str = TZ) -> pd.DataFrame:
    return client.fetch_week(WEEK, tz, users)["dingtalk_punches"]


def test_fetches_exactly_the_weeks_punches_in_epoch_milliseconds(sandbox, clock):
    frame = punches(make_client(sandbox, clock))

    assert list(frame.columns) == COLUMNS
    assert len(frame) == 3 * 5 * 2 + 1  # three users, five rostered days, in and out, plus Sunday 23:59:59
    times = set(frame["user_check_time"])
    assert ms(8, 23, 59, 59) in times  # the week's last second is in
    assert ms(9, 0, 0) not in times and ms(1, 20, 0) not in times  # next Monday 00:00 and the Sunday before are not
    assert frame["user_check_time"].between(ms(2, 0, 0), ms(9, 0, 0) - 1).all()
    monday_in = frame[(frame["user_id"] == "dt000001") & (frame["user_check_time"] < ms(2, 12, 0))]
    fields = ["check_type", "time_result", "user_check_time", "base_check_time", "is_legal", "source_type"]
    assert monday_in[fields].values.tolist() == [["OnDuty", "Late", ms(2, 9, 7), ms(2, 9, 0), "N", "USER"]]
    tokyo = set(frame.loc[frame["user_id"] == "dt000002", "user_check_time"])
    assert ms(2, 8, 55, zone=TOKYO) in tokyo  # wall time read in the employee's own zone
    assert frame.loc[frame["source_type"] == "DING_ATM", ["user_id", "device_id"]].values.tolist() == [
        ["dt000003", MACHINE]
    ]
    assert frame.loc[frame["source_type"] == "USER", "device_id"].isna().all()
    assert frame.loc[frame["user_check_time"] == ms(8, 23, 59, 59), "base_check_time"].isna().all()  # no roster
    assert frame["record_id"].str.fullmatch(r"\d+").all() and frame["record_id"].is_unique
    assert frame["_source_ref"].str.startswith("POST /attendance/listRecord checkDateFrom=2026-03-02 00:00:00").all()
    assert frame["_source_ref"].is_unique
    validated = validate_rows(frame, RAW_SCHEMAS["dingtalk_punches"])
    assert validated.counts == {"rows_loaded": 31, "rows_quarantined": 0}


def test_the_week_is_cut_into_windows_that_neither_overlap_nor_skip_a_second(sandbox, clock):
    calls = record(sandbox)
    sliced = punches(make_client(sandbox, clock, window_days=3))
    assert [(body["checkDateFrom"], body["checkDateTo"]) for body in calls.bodies()] == [
        ("2026-03-02 00:00:00", "2026-03-04 23:59:59"),
        ("2026-03-05 00:00:00", "2026-03-07 23:59:59"),
        ("2026-03-08 00:00:00", "2026-03-08 23:59:59"),
    ]
    assert all(body["userIds"] == USERS and body["isI18n"] is False for body in calls.bodies())
    whole = punches(make_client(sandbox, clock))
    assert sliced["record_id"].is_unique
    assert sorted(sliced["record_id"]) == sorted(whole["record_id"])


def test_a_company_in_another_zone_asks_dingtalk_in_china_wall_time(sandbox, clock):
    calls = record(sandbox)
    frame = punches(make_client(sandbox, clock), tz=TOKYO)
    body = calls.bodies()[0]
    assert (body["checkDateFrom"], body["checkDateTo"]) == ("2026-03-01 23:00:00", "2026-03-08 22:59:59")
    assert frame["user_check_time"].between(ms(2, 0, 0, zone=TOKYO), ms(9, 0, 0, zone=TOKYO) - 1).all()
    assert len(frame) == 30  # Sunday 23:59:59 Shanghai is Monday 00:59:59 in Tokyo: next week there


def test_more_than_50_users_are_fetched_in_batches_of_at_most_50_per_window():
    clock = FakeClock()
    users = [f"dt{n:06d}" for n in range(1, 121)]
    with SandboxServer(dingtalk_company(120), clock=clock) as sandbox:
        calls = record(sandbox)
        frame = punches(make_client(sandbox, clock, window_days=3), users)
    bodies = calls.bodies()
    assert [len(body["userIds"]) for body in bodies] == [50, 50, 20] * 3  # 3 windows x 3 batches
    assert len({body["checkDateFrom"] for body in bodies}) == 3
    assert sorted(u for body in bodies[:3] for u in body["userIds"]) == users
    assert frame["user_id"].nunique() == 120 and len(frame) == 120 * 10 + 1
    assert frame["_source_ref"].str.contains("batch=3/3").sum() == 20 * 10


def test_only_asked_for_users_come_back_and_no_users_means_no_calls(sandbox, clock):
    calls = record(sandbox)
    client = make_client(sandbox, clock)
    assert set(punches(client, ["dt000003", "nobody"])["user_id"]) == {"dt000003"}
    empty = punches(client, [])
    assert empty.empty and list(empty.columns) == COLUMNS
    assert len(calls.requests) == 1


def test_a_sample_without_dingtalk_users_serves_no_punches():
    clock = FakeClock()
    with SandboxServer(tiny_company(3), clock=clock) as sandbox:  # no dingtalk_userid column at all
        frame = punches(make_client(sandbox, clock))
    assert frame.empty and list(frame.columns) == COLUMNS


def test_the_token_is_reused_and_refreshed_before_it_expires(sandbox, clock):
    token_calls, data_calls = record(sandbox, "gettoken"), record(sandbox)
    client = make_client(sandbox, clock)
    punches(client, ["dt000001"])
    punches(client, ["dt000002"])
    assert len(token_calls.requests) == 1
    clock.now += 7200 - 200  # inside the 300 s refresh margin, still valid at the vendor
    punches(client, ["dt000001"])
    assert len(token_calls.requests) == 2
    tokens = [r.query["access_token"] for r in data_calls.requests]
    assert tokens[0] == tokens[1] != tokens[2]


@pytest.mark.trust("fault", "connectors: DingTalk")
def test_an_expired_token_88_42001_is_refreshed_once_and_the_call_retried(sandbox, clock):
    token_calls, data_calls = record(sandbox, "gettoken"), record(sandbox)
    client = make_client(sandbox, clock)
    punches(client, ["dt000001"])
    sandbox.dingtalk.expire_tokens()  # the vendor ends it early: only the errcode can tell us
    assert len(punches(client, ["dt000001"])) == 11
    assert len(token_calls.requests) == 2 and len(data_calls.requests) == 3
    assert clock.sleeps == []


@pytest.mark.trust("fault", "connectors: DingTalk")
def test_a_token_still_refused_after_one_refresh_fails_with_the_sub_code(sandbox, clock):
    calls = record(sandbox)
    calls.script = [dingtalk_auth_error("40014"), dingtalk_auth_error("40014")]
    token_calls = record(sandbox, "gettoken")
    with pytest.raises(SourceError) as raised:
        punches(make_client(sandbox, clock))
    assert raised.value.code == "errcode 88 sub_code 40014" and "不合法的access_token" in raised.value.message
    assert len(calls.requests) == 2 and len(token_calls.requests) == 2


@pytest.mark.trust("fault", "connectors: DingTalk")
def test_rate_limit_90018_on_http_200_is_retried_after_a_backoff(sandbox, clock):
    calls = record(sandbox)
    calls.script = [dingtalk_error(90018), dingtalk_error(90018)]
    assert len(punches(make_client(sandbox, clock))) == 31
    assert clock.sleeps == [1.0, 2.0] and len(calls.requests) == 3


def test_the_client_side_limiter_keeps_under_the_vendors_per_second_quota(sandbox, clock):
    sandbox.dingtalk.calls_per_second = 5
    calls = record(sandbox)
    frame = punches(make_client(sandbox, clock, window_days=1, user_batch_size=1, max_calls_per_second=5))
    assert len(calls.requests) == 7 * 3  # never throttled, so never retried
    assert clock.sleeps == [1.0] * 4  # waits after calls 5, 10, 15 and 20
    assert len(frame) == 31


@pytest.mark.trust("fault", "connectors: DingTalk")
def test_without_the_limiter_the_vendor_throttles_and_the_client_backs_off(sandbox, clock):
    sandbox.dingtalk.calls_per_second = 5
    calls = record(sandbox)
    frame = punches(make_client(sandbox, clock, window_days=1, user_batch_size=1, max_calls_per_second=1000))
    assert clock.sleeps == [1.0] * 4  # each sixth call in a second got 90018 and waited
    assert len(calls.requests) == 7 * 3 + 4
    assert len(frame) == 31 and frame["record_id"].is_unique


@pytest.mark.trust("security", "connectors: DingTalk")
def test_a_wrong_secret_fails_fast_and_the_secret_appears_nowhere(sandbox, clock):
    token_calls = record(sandbox, "gettoken")
    config = DingTalkConfig(
        base_url=sandbox.dingtalk_url, appkey=sandbox.credentials.dingtalk_appkey, appsecret=Secret("wrong-secret-123")
    )
    client = DingTalkClient(config, sleep=clock.sleep, clock=clock)
    with pytest.raises(SourceError) as raised:
        punches(client)
    assert raised.value.code == "errcode 40096" and "appSecret" in raised.value.message
    assert len(token_calls.requests) == 1 and clock.sleeps == []
    for text in (str(raised.value), repr(raised.value), repr(config), repr(client.config), str(config.__dict__)):
        assert "wrong-secret-123" not in text
    assert "appsecret='***'" in repr(config)


@pytest.mark.trust("fault", "connectors: DingTalk")
def test_no_permission_88_60011_fails_without_retrying_or_leaking_the_token(sandbox, clock):
    calls = record(sandbox)
    calls.script = [dingtalk_auth_error("60011")]
    client = make_client(sandbox, clock)
    with pytest.raises(SourceError) as raised:
        punches(client)
    assert raised.value.code == "errcode 88 sub_code 60011" and "没有调用该接口的权限" in str(raised.value)
    assert len(calls.requests) == 1 and clock.sleeps == []
    assert client.tokens.known_values()[0] not in str(raised.value)


@pytest.mark.trust("fault", "connectors: DingTalk")
def test_an_ip_ban_fails_at_once_instead_of_backing_off_for_seconds(sandbox, clock):
    calls = record(sandbox)
    calls.script = [SandboxResponse(200, {"status": 1111, "wait": 5, "source": "x5", "punish": "deny", "uuid": "u"})]
    with pytest.raises(SourceError) as raised:
        punches(make_client(sandbox, clock))
    assert raised.value.code == "ip throttled" and clock.sleeps == []


@pytest.mark.trust("bad input", "connectors: DingTalk")
def test_the_sandbox_refuses_what_dingtalk_refuses(sandbox):
    base, creds = sandbox.dingtalk_url, sandbox.credentials
    token = requests.get(
        f"{base}/gettoken", params={"appkey": creds.dingtalk_appkey, "appsecret": creds.dingtalk_appsecret}, timeout=5
    ).json()["access_token"]

    def list_record(body: object, access_token: str | None = token) -> dict:
        params = {"access_token": access_token} if access_token else {}
        return requests.post(f"{base}/attendance/listRecord", params=params, json=body, timeout=5).json()

    week = {"userIds": USERS, "checkDateFrom": "2026-03-02 00:00:00", "isI18n": False}
    assert list_record({**week, "checkDateTo": "2026-03-09 00:00:00"})["errcode"] == 0  # exactly 7 days is allowed
    too_long = list_record({**week, "checkDateTo": "2026-03-09 00:00:01"})
    assert too_long["errcode"] == 400002 and "7天" in too_long["errmsg"]
    too_many = list_record({**week, "userIds": [f"dt{n:06d}" for n in range(51)], "checkDateTo": "2026-03-03 00:00:00"})
    assert too_many["errcode"] == 400002 and "50" in too_many["errmsg"]
    assert list_record({**week, "checkDateTo": "2026/03/03"})["errcode"] == 400002
    assert list_record({**week, "checkDateTo": "2026-03-01 00:00:00"})["errcode"] == 400002  # ends before it starts
    blank = list_record({**week, "checkDateTo": "2026-03-03 00:00:00"}, access_token=None)
    assert (blank["errcode"], blank["sub_code"]) == (88, "40000")
    assert requests.get(f"{base}/attendance/listRecord", timeout=5).status_code == 404
    assert requests.get(f"{base}/topapi/attendance/nothing", timeout=5).status_code == 404
    assert (
        requests.get(f"{base}/gettoken", params={"appkey": creds.dingtalk_appkey}, timeout=5).json()["errcode"] == 40035
    )


@pytest.mark.trust("bad input", "connectors: DingTalk")
def test_config_refuses_what_dingtalk_would_refuse():
    secret = Secret("x")
    with pytest.raises(ValueError, match="user_batch_size"):
        DingTalkConfig(base_url="http://x", appkey="k", appsecret=secret, user_batch_size=51)
    with pytest.raises(ValueError, match="window_days"):
        DingTalkConfig(base_url="http://x", appkey="k", appsecret=secret, window_days=8)
    with pytest.raises(ValueError, match="max_calls_per_second"):
        DingTalkConfig(base_url="http://x", appkey="k", appsecret=secret, max_calls_per_second=0)
    with pytest.raises(ValueError, match="vendor_timezone"):
        DingTalkConfig(base_url="http://x", appkey="k", appsecret=secret, vendor_timezone="China/Beijing")


@pytest.mark.trust("bad input", "connectors: DingTalk")
def test_unusable_rows_are_quarantined_with_a_reason(sandbox, clock):
    frame = punches(make_client(sandbox, clock))
    frame.loc[0, "user_check_time"] = frame.loc[0, "user_check_time"] // 1000  # seconds sent for milliseconds
    frame.loc[1, "check_type"] = "Break"
    frame.loc[2, "user_id"] = None
    validated = validate_rows(frame, RAW_SCHEMAS["dingtalk_punches"])
    assert validated.counts == {"rows_loaded": 28, "rows_quarantined": 3}
    reasons = " ".join(validated.quarantine["reason"])
    assert "user_check_time" in reasons and "check_type" in reasons and "user_id" in reasons
    assert validated.quarantine["source_ref"].str.startswith("POST /attendance/listRecord").all()
