"""Feishu attendance connector against the sandbox over real HTTP: the week's punches, 排班 and approved leave,
user batches of 50, the tenant token's life cycle, throttling and ``code`` bodies, and quarantine."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import requests

from connectors.feishu import RAW_SCHEMAS, FeishuAttendanceClient, FeishuAttendanceConfig
from connectors.http import Secret, SourceError
from connectors.quality import validate_rows
from sandbox.server import SandboxServer
from sandbox.vendors.base import SandboxRequest, SandboxResponse
from sandbox.vendors.feishu import feishu_error, rate_limited, shift_id_for
from tests.connectors.conftest import FakeClock, Recorder
from tests.connectors.tiny_company import TZ, WEEK, tiny_company

FLOWS, DAILY, APPROVALS, SHIFTS, TOKEN = (
    "user_flows/query",
    "user_daily_shifts/query",
    "user_approvals/query",
    "/attendance/v1/shifts/",
    "tenant_access_token",
)
PUNCH_COLUMNS = [
    "record_id", "user_id", "check_time", "type", "location_name", "device_id", "is_wifi", "user_issue", "_source_ref"
]  # fmt: skip
ROSTER_COLUMNS = [
    "user_id", "work_date", "shift_id", "shift_name", "on_time", "off_time", "off_is_next_day", "rest_minutes",
    "user_issue", "_source_ref",
]  # fmt: skip
LEAVE_COLUMNS = [
    "approval_id", "uniq_id", "user_id", "leave_date", "start_time", "end_time", "unit", "interval", "hours",
    "leave_type", "status", "user_issue", "_source_ref",
]  # fmt: skip
NIGHT_WORKER, ON_LEAVE = "fs000002", "fs000003"  # everyone else works DAY shifts Monday to Friday


# ---- a company with Feishu people, derived from the shared tiny company ------------------------------------------


def feishu_company(feishu_users: int = 3) -> dict[str, pd.DataFrame]:
    """``tiny_company`` plus ``feishu_users`` Feishu people (``fs000001``...).

    ``fs000002`` works NIGHT shifts (22:00-06:00) Monday to Friday and Sunday, plus the Sunday night before the week
    (its check-out falls inside the week); it is on sick leave on Thursday's night shift. Everyone else works DAY
    Monday to Friday and also the Sundays on either side of the week; ``fs000003`` takes annual leave on Wednesday
    and on the Monday after the week. Everyone punches 5 minutes before and after each shift they work.
    """
    company = tiny_company(3)
    users = [f"fs{n:06d}" for n in range(1, feishu_users + 1)]
    people = pd.DataFrame(
        {
            "employee_id": [f"E5{n:05d}" for n in range(1, feishu_users + 1)],
            "name": [f"Feishu {n}" for n in range(1, feishu_users + 1)],
            "department": "Operations",
            "timezone": TZ,
            "city": "Shenzhen",
            "attendance_source": "feishu",
            "zk_pin": None,
            "wecom_userid": None,
            "jira_account_id": [f"acc-f{n:04d}" for n in range(1, feishu_users + 1)],
            "shift_code": "DAY",
            "feishu_user_id": users,
        }
    )
    employees = pd.concat([company["employees"].assign(feishu_user_id=None), people], ignore_index=True)
    days = [WEEK + timedelta(days=d) for d in range(5)]
    roster, leave, punches = [], [], []
    for employee, user in zip(people["employee_id"], users, strict=True):
        if user == NIGHT_WORKER:
            shifts = [(day, "NIGHT") for day in [WEEK - timedelta(days=1), *days, WEEK + timedelta(days=6)]]
            off_days = {WEEK + timedelta(days=3): "sick"}
        else:
            shifts = [(day, "DAY") for day in [WEEK - timedelta(days=1), *days, WEEK + timedelta(days=7)]]
            off_days = (
                {WEEK + timedelta(days=2): "annual", WEEK + timedelta(days=7): "annual"} if user == ON_LEAVE else {}
            )
        for day, code in shifts:
            roster.append({"employee_id": employee, "work_date": day, "shift_code": code})
            if day in off_days:
                hours = "7.0" if code == "NIGHT" else "8.0"
                leave.append({"employee_id": employee, "leave_date": day, "hours": hours, "leave_type": off_days[day]})
                continue
            start, end = (22, 30) if code == "NIGHT" else (9, 18)
            midnight = datetime.combine(day, datetime.min.time())
            for when, state in (
                (midnight + timedelta(hours=start, minutes=-5), 0),
                (midnight + timedelta(hours=end, minutes=5), 1),
            ):
                punches.append(
                    {
                        "employee_id": employee,
                        "source": "feishu",
                        "device_sn": None,
                        "punch_time_local": when,
                        "punch_state": state,
                    }
                )
    roster_frame = pd.concat([company["roster"], pd.DataFrame(roster)], ignore_index=True)
    roster_frame["work_date"] = pd.to_datetime(roster_frame["work_date"]).astype("datetime64[s]")
    punch_frame = pd.concat([company["punches"], pd.DataFrame(punches)], ignore_index=True)
    punch_frame["punch_time_local"] = pd.to_datetime(punch_frame["punch_time_local"]).astype("datetime64[s]")
    leave_frame = pd.DataFrame(leave).assign(status="approved")
    leave_frame["leave_date"] = pd.to_datetime(leave_frame["leave_date"]).astype("datetime64[s]")
    return {**company, "employees": employees, "roster": roster_frame, "punches": punch_frame, "leave": leave_frame}


@pytest.fixture(scope="module")
def company() -> dict[str, pd.DataFrame]:
    return feishu_company(3)


@pytest.fixture
def sandbox(company: dict[str, pd.DataFrame], clock: FakeClock) -> Iterator[SandboxServer]:
    with SandboxServer(company, clock=clock) as server:
        yield server


def make_client(sandbox: SandboxServer, clock: FakeClock, **config: object) -> FeishuAttendanceClient:
    settings = {
        "base_url": sandbox.feishu_url,
        "app_id": sandbox.credentials.feishu_app_id,
        "app_secret": Secret(sandbox.credentials.feishu_app_secret),
        **config,
    }
    return FeishuAttendanceClient(FeishuAttendanceConfig(**settings), sleep=clock.sleep, clock=clock)


def record(sandbox: SandboxServer, path: str) -> Recorder:
    recorder = Recorder("feishu", path_contains=path)
    sandbox.add_interceptor(recorder)
    return recorder


def unix(day: int, hour: int, minute: int) -> int:
    return int(datetime(2026, 3, day, hour, minute, tzinfo=ZoneInfo(TZ)).timestamp())


USERS = ["fs000001", NIGHT_WORKER, ON_LEAVE]


# ---- the week ----------------------------------------------------------------------------------------------------


def test_fetches_exactly_the_iso_week_of_punches_roster_and_leave(sandbox, clock):
    flows, daily, approvals = record(sandbox, FLOWS), record(sandbox, DAILY), record(sandbox, APPROVALS)
    tables = make_client(sandbox, clock).fetch_week(WEEK, TZ, USERS)
    punches, roster, leave = tables["feishu_punches"], tables["feishu_shift_roster"], tables["feishu_leave"]

    assert [list(t.columns) for t in tables.values()] == [PUNCH_COLUMNS, ROSTER_COLUMNS, LEAVE_COLUMNS]
    # Monday 00:00 to next Monday 00:00 Shanghai, as Feishu wants each field written
    assert flows.bodies() == [
        {"user_ids": USERS, "check_time_from": str(unix(2, 0, 0)), "check_time_to": str(unix(9, 0, 0) - 1)}
    ]
    assert [(b["check_date_from"], b["check_date_to"]) for b in daily.bodies() + approvals.bodies()] == [
        (20260302, 20260308)
    ] * 2
    assert approvals.bodies()[0]["status"] == 2
    assert {r.query["employee_type"] for r in flows.requests + daily.requests + approvals.requests} == {"employee_id"}

    # punches by instant: the Sunday-night shift before the week checks out inside it; this Sunday's checks out after
    night = set(punches.loc[punches["user_id"] == NIGHT_WORKER, "check_time"])
    assert unix(2, 6, 5) in night and unix(8, 21, 55) in night and unix(9, 6, 5) not in night
    assert punches["check_time"].between(unix(2, 0, 0), unix(9, 0, 0) - 1).all()
    assert punches.groupby("user_id").size().to_dict() == {"fs000001": 10, NIGHT_WORKER: 10, ON_LEAVE: 8}
    # roster and leave by local work date
    assert roster["work_date"].between("2026-03-02", "2026-03-08").all()
    assert roster.groupby("user_id").size().to_dict() == {"fs000001": 5, NIGHT_WORKER: 6, ON_LEAVE: 5}
    assert sorted(zip(leave["user_id"], leave["leave_date"], strict=True)) == [
        (NIGHT_WORKER, "2026-03-05"),
        (ON_LEAVE, "2026-03-04"),
    ]
    for name, frame in tables.items():
        assert frame["_source_ref"].is_unique
        assert validate_rows(frame, RAW_SCHEMAS[name]).counts == {"rows_loaded": len(frame), "rows_quarantined": 0}


def test_an_overnight_shift_ends_the_next_day_and_rest_days_are_not_shifts(sandbox, clock):
    daily_answers: list[SandboxResponse] = []

    def spy(vendor: str, request: SandboxRequest) -> SandboxResponse | None:
        if vendor != "feishu" or DAILY not in request.path:
            return None
        daily_answers.append(sandbox.feishu.handle(request))
        return daily_answers[-1]

    sandbox.add_interceptor(spy)
    tables = make_client(sandbox, clock).fetch_week(WEEK, TZ, USERS)
    roster, leave = tables["feishu_shift_roster"], tables["feishu_leave"]

    shifts = roster.drop(columns=["user_id", "work_date", "user_issue", "_source_ref"]).drop_duplicates()
    assert shifts.sort_values("shift_name").values.tolist() == [
        [shift_id_for("DAY"), "DAY", "09:00", "18:00", False, 60],  # Feishu wrote "9:00"
        [shift_id_for("NIGHT"), "NIGHT", "22:00", "06:00", True, 60],  # Feishu wrote "30:00"
    ]
    night_leave = leave[leave["user_id"] == NIGHT_WORKER].iloc[0]
    assert (night_leave["start_time"], night_leave["end_time"]) == ("2026-03-05 22:00:00", "2026-03-06 06:00:00")
    assert (night_leave["unit"], night_leave["interval"], night_leave["hours"]) == (2, "25200", "7.00")
    assert night_leave["leave_type"] == "病假"
    day_leave = leave[leave["user_id"] == ON_LEAVE].iloc[0]
    assert (day_leave["start_time"], day_leave["end_time"], day_leave["interval"]) == (
        "2026-03-04 09:00:00",
        "2026-03-04 18:00:00",
        "28800",
    )
    assert (day_leave["hours"], day_leave["leave_type"], day_leave["status"]) == ("8.00", "年假", "approved")
    # Feishu sent a "0" (rest) entry for every unrostered day; none of them became a roster row
    sent = [e for answer in daily_answers for e in answer.body["data"]["user_daily_shifts"]]
    rest = [(e["user_id"], e["day_no"]) for e in sent if e["shift_id"] == "0"]
    assert len(sent) == 3 * 7 and ("fs000001", 7) in rest and len(rest) == 3 * 7 - len(roster)
    assert "2026-03-07" not in set(roster.loc[roster["user_id"] == "fs000001", "work_date"])


def test_more_than_50_users_are_fetched_in_batches_of_at_most_50():
    clock = FakeClock()
    users = [f"fs{n:06d}" for n in range(1, 121)]
    with SandboxServer(feishu_company(120), clock=clock) as sandbox:
        calls = {path: record(sandbox, path) for path in (FLOWS, DAILY, APPROVALS, SHIFTS, TOKEN)}
        tables = make_client(sandbox, clock).fetch_week(WEEK, TZ, users)
    for path in (FLOWS, DAILY, APPROVALS):
        assert [len(body["user_ids"]) for body in calls[path].bodies()] == [50, 50, 20]
        assert sorted(u for body in calls[path].bodies() for u in body["user_ids"]) == users
    assert len(calls[SHIFTS].requests) == 2  # DAY and NIGHT, each read once
    assert len(calls[TOKEN].requests) == 1
    assert len(tables["feishu_punches"]) == 119 * 10 + 8 and tables["feishu_punches"]["user_id"].nunique() == 120
    assert len(tables["feishu_shift_roster"]) == 119 * 5 + 6 and len(tables["feishu_leave"]) == 2
    assert tables["feishu_punches"]["_source_ref"].str.contains("batch=3/3").sum() == 20 * 10


def test_the_week_cut_into_windows_neither_overlaps_nor_leaves_gaps(sandbox, clock):
    flows, daily = record(sandbox, FLOWS), record(sandbox, DAILY)
    sliced = make_client(sandbox, clock, window_days=3).fetch_week(WEEK, TZ, USERS)
    seconds = [(int(b["check_time_from"]), int(b["check_time_to"])) for b in flows.bodies()]
    assert seconds[0][0] == unix(2, 0, 0) and seconds[-1][1] == unix(9, 0, 0) - 1 and len(seconds) == 3
    assert all(seconds[i][1] + 1 == seconds[i + 1][0] for i in range(len(seconds) - 1))
    assert [(b["check_date_from"], b["check_date_to"]) for b in daily.bodies()] == [
        (20260302, 20260304),
        (20260305, 20260307),
        (20260308, 20260308),
    ]
    whole = make_client(sandbox, clock).fetch_week(WEEK, TZ, USERS)
    for name, keys in {
        "feishu_punches": ["record_id"],
        "feishu_shift_roster": ["user_id", "work_date"],
        "feishu_leave": ["approval_id", "leave_date"],
    }.items():
        assert sorted(map(tuple, sliced[name][keys].values)) == sorted(map(tuple, whole[name][keys].values))


def test_no_users_means_no_calls(sandbox, clock):
    calls = record(sandbox, "")
    tables = make_client(sandbox, clock).fetch_week(WEEK, TZ, [])
    assert all(frame.empty for frame in tables.values())
    assert list(tables["feishu_leave"].columns) == LEAVE_COLUMNS
    assert calls.requests == []


# ---- the tenant token --------------------------------------------------------------------------------------------


def test_the_token_is_fetched_once_sent_as_bearer_and_reused(sandbox, clock):
    tokens, flows = record(sandbox, TOKEN), record(sandbox, FLOWS)
    client = make_client(sandbox, clock)
    client.fetch_week(WEEK, TZ, USERS)
    client.fetch_week(WEEK - timedelta(days=7), TZ, USERS)
    assert len(tokens.requests) == 1
    assert tokens.bodies() == [{"app_id": "cli_sandboxfeishu01", "app_secret": "sandbox-feishu-secret"}]
    bearers = {r.header("Authorization") for r in flows.requests}
    assert len(bearers) == 1 and bearers.pop().startswith("Bearer t-")


def test_the_token_is_refreshed_when_fewer_than_30_minutes_remain(sandbox, clock):
    tokens, flows = record(sandbox, TOKEN), record(sandbox, FLOWS)
    client = make_client(sandbox, clock)
    client.fetch_week(WEEK, TZ, USERS)
    clock.now += 7200 - 1790  # 29 min 50 s left: still valid at Feishu, but due for renewal
    client.fetch_week(WEEK, TZ, USERS)
    assert len(tokens.requests) == 2
    first, second = (r.header("Authorization") for r in flows.requests)
    assert first != second


@pytest.mark.trust("fault", "connectors: Feishu")
def test_an_invalid_token_99991663_is_refreshed_once_and_the_call_retried(sandbox, clock):
    tokens = record(sandbox, TOKEN)
    client = make_client(sandbox, clock)
    client.fetch_week(WEEK, TZ, USERS)
    sandbox.feishu.expire_tokens()  # revoked early: only the 99991663 body can tell us
    tables = client.fetch_week(WEEK, TZ, USERS)
    assert len(tables["feishu_punches"]) == 28
    assert len(tokens.requests) == 2 and clock.sleeps == []


@pytest.mark.trust("fault", "connectors: Feishu")
def test_a_token_refused_again_after_refreshing_fails_the_run(sandbox, clock):
    tokens, flows = record(sandbox, TOKEN), record(sandbox, FLOWS)
    flows.script = [feishu_error(99991663), feishu_error(99991663)]
    with pytest.raises(SourceError) as raised:
        make_client(sandbox, clock).fetch_week(WEEK, TZ, USERS)
    assert raised.value.code == "code 99991663"
    assert len(tokens.requests) == 2 and len(flows.requests) == 2


# ---- throttling and errors ---------------------------------------------------------------------------------------


@pytest.mark.trust("fault", "connectors: Feishu")
def test_http_429_99991400_waits_as_long_as_x_ogw_ratelimit_reset_says(sandbox, clock):
    approvals = record(sandbox, APPROVALS)
    approvals.script = [rate_limited(reset_seconds=7)]
    tables = make_client(sandbox, clock).fetch_week(WEEK, TZ, USERS)
    assert len(tables["feishu_leave"]) == 2
    assert clock.sleeps == [7.0] and len(approvals.requests) == 2


def test_the_sandbox_allows_50_calls_a_second_per_api_and_the_client_waits_it_out(clock):
    company = feishu_company(60)
    users = [f"fs{n:06d}" for n in range(1, 61)]
    with SandboxServer(company, clock=clock) as busy:
        flows = record(busy, FLOWS)
        tables = make_client(busy, clock, user_batch_size=1).fetch_week(WEEK, TZ, users)
    assert len(flows.requests) == 61  # 60 batches plus the one refused call, sent again after the wait
    assert clock.sleeps == [1.0]
    assert tables["feishu_punches"]["user_id"].nunique() == 60


@pytest.mark.trust("fault", "connectors: Feishu")
def test_a_feishu_internal_error_on_http_500_is_retried_after_a_backoff(sandbox, clock):
    daily = record(sandbox, DAILY)
    daily.script = [feishu_error(1225000)]
    tables = make_client(sandbox, clock).fetch_week(WEEK, TZ, USERS)
    assert len(tables["feishu_shift_roster"]) == 16
    assert clock.sleeps == [1.0] and len(daily.requests) == 2


@pytest.mark.trust("fault", "connectors: Feishu")
def test_a_bad_parameter_1220001_fails_at_once_with_the_code_and_no_token(sandbox, clock):
    flows = record(sandbox, FLOWS)
    flows.script = [feishu_error(1220001, "check_time_from invalid")]
    with pytest.raises(SourceError) as raised:
        make_client(sandbox, clock).fetch_week(WEEK, TZ, USERS)
    error = raised.value
    assert error.code == "code 1220001" and "check_time_from invalid" in error.message
    assert len(flows.requests) == 1 and clock.sleeps == []
    token = flows.requests[0].header("Authorization").removeprefix("Bearer ")
    for text in (str(error), repr(error)):
        assert token not in text and "sandbox-feishu-secret" not in text


@pytest.mark.trust("fault", "connectors: Feishu")
def test_an_unknown_user_1220004_fails_the_run_naming_the_code(sandbox, clock):
    with pytest.raises(SourceError) as raised:
        make_client(sandbox, clock).fetch_week(WEEK, TZ, ["fs000001", "fs999999"])
    assert raised.value.code == "code 1220004" and "fs999999" in raised.value.message


@pytest.mark.trust("security", "connectors: Feishu")
def test_a_wrong_app_secret_fails_and_the_secret_appears_nowhere(sandbox, clock):
    config = FeishuAttendanceConfig(
        base_url=sandbox.feishu_url, app_id=sandbox.credentials.feishu_app_id, app_secret=Secret("wrong-secret-123")
    )
    client = FeishuAttendanceClient(config, sleep=clock.sleep, clock=clock)
    with pytest.raises(SourceError) as raised:
        client.fetch_week(WEEK, TZ, USERS)
    assert raised.value.code == "code 10014"
    for text in (str(raised.value), repr(raised.value), repr(config), str(config.__dict__)):
        assert "wrong-secret-123" not in text
    assert "app_secret='***'" in repr(config)


@pytest.mark.trust("bad input", "connectors: Feishu")
def test_config_refuses_what_feishu_would_refuse():
    secret = Secret("x")
    with pytest.raises(ValueError, match="user_batch_size"):
        FeishuAttendanceConfig(base_url="http://x", app_id="cli_x", app_secret=secret, user_batch_size=51)
    with pytest.raises(ValueError, match="window_days"):
        FeishuAttendanceConfig(base_url="http://x", app_id="cli_x", app_secret=secret, window_days=31)
    with pytest.raises(ValueError, match="employee_type"):
        FeishuAttendanceConfig(base_url="http://x", app_id="cli_x", app_secret=secret, employee_type="open_id")


def test_unknown_paths_get_a_json_404(sandbox):
    answer = requests.post(sandbox.feishu_url + "/open-apis/attendance/v1/user_tasks/query", json={}, timeout=5)
    assert answer.status_code == 404 and answer.json()["code"] == 404


# ---- quarantine ----------------------------------------------------------------------------------------------------


@pytest.mark.trust("bad input", "connectors: Feishu")
def test_users_feishu_could_not_read_are_quarantined_not_taken_as_absent(sandbox, clock):
    flows = record(sandbox, FLOWS)
    data = {"user_flow_results": [], "invalid_user_ids": ["fs000001"], "unauthorized_user_ids": [ON_LEAVE]}
    flows.script = [SandboxResponse(200, {"code": 0, "msg": "success", "data": data})]
    client = make_client(sandbox, clock)
    punches = client.fetch_week(WEEK, TZ, USERS)["feishu_punches"]
    validated = validate_rows(punches, RAW_SCHEMAS["feishu_punches"])
    assert validated.counts == {"rows_loaded": 0, "rows_quarantined": 2}
    reasons = dict(zip(validated.quarantine["source_ref"], validated.quarantine["reason"], strict=True))
    assert all("user_issue failed feishu_could_not_read_this_user" in reason for reason in reasons.values())
    assert any(ref.endswith("invalid_user_ids=fs000001") for ref in reasons)
    assert any(ref.endswith(f"unauthorized_user_ids={ON_LEAVE}") for ref in reasons)
    assert [(i.kind, i.user_id) for i in client.user_issues] == [
        ("invalid_user_ids", "fs000001"),
        ("unauthorized_user_ids", ON_LEAVE),
    ]


@pytest.mark.trust("bad input", "connectors: Feishu")
def test_unusable_rows_are_quarantined_with_a_reason(sandbox, clock):
    tables = make_client(sandbox, clock).fetch_week(WEEK, TZ, USERS)
    punches, roster, leave = tables["feishu_punches"], tables["feishu_shift_roster"], tables["feishu_leave"]
    punches.loc[0, "check_time"] = punches.loc[0, "check_time"] * 1000  # milliseconds: a unit mistake
    punches.loc[1, "user_id"] = None
    roster.loc[0, "off_time"] = "30:00"  # Feishu's next-day notation, not normalised
    leave.loc[0, "interval"] = "-3600"
    leave.loc[1, "start_time"] = "2026/03/04 09:00"

    checks = {"feishu_punches": punches, "feishu_shift_roster": roster, "feishu_leave": leave}
    validated = {name: validate_rows(frame, RAW_SCHEMAS[name]) for name, frame in checks.items()}
    assert [v.counts["rows_quarantined"] for v in validated.values()] == [2, 1, 2]
    assert validated["feishu_punches"].counts["rows_loaded"] == 26
    reasons = " ".join(" ".join(v.quarantine["reason"]) for v in validated.values())
    for column in ("check_time", "user_id", "off_time", "interval", "start_time"):
        assert f"{column} failed" in reasons


def test_the_next_week_gets_only_what_falls_inside_it(sandbox, clock):
    tables = make_client(sandbox, clock).fetch_week(WEEK + timedelta(days=7), TZ, USERS)
    punches = tables["feishu_punches"]
    assert set(punches["check_time"]) == {unix(9, 6, 5), unix(9, 8, 55), unix(9, 18, 5)}
    assert set(tables["feishu_shift_roster"]["work_date"]) == {date(2026, 3, 9).isoformat()}
    assert tables["feishu_leave"][["user_id", "leave_date"]].values.tolist() == [[ON_LEAVE, "2026-03-09"]]
