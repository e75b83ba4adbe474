"""Jira work connector against the sandbox over real HTTP: resolved issues through bounded, overlapping JQL with
nextPageToken paging, and worklogs through the incremental updated/list/deleted feeds and their cursor."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import requests

from connectors.http import Secret, SourceError
from connectors.jira import RAW_SCHEMAS, JiraConfig, JiraWorkClient, JiraWorkConfig, WorklogCursor
from connectors.quality import validate_rows
from sandbox.server import SandboxCredentials, SandboxServer
from sandbox.vendors.base import SandboxResponse
from tests.connectors.conftest import FakeClock, Recorder
from tests.connectors.tiny_company import tiny_company

SH = ZoneInfo("Asia/Shanghai")
WEEK, NEXT_WEEK = date(2026, 3, 2), date(2026, 3, 9)
WEEK_START_MS = int(datetime(2026, 3, 2, tzinfo=SH).timestamp() * 1000)
WEEK_END_MS = int(datetime(2026, 3, 9, tzinfo=SH).timestamp() * 1000)
AFTER_WEEK = datetime(2026, 3, 9, 8, 0, tzinfo=SH)  # the first load
AFTER_NEXT_WEEK = datetime(2026, 3, 16, 8, 0, tzinfo=SH)  # the second load
BULK_WORKLOGS = 2_400  # more than two pages of worklog/updated, three worklog/list calls
CORRECTED, DELETED, JUST_NOW, ENG_LOG = "900001", "900002", "900003", "900004"
EXPECTED_JQL = (
    'project in ("ENG") AND resolved >= "2026-03-01 23:55" AND resolved < "2026-03-09 00:05" '
    "ORDER BY resolved ASC, key ASC"
)


def _utc(local: str | None) -> pd.Timestamp:
    return pd.NaT if local is None else pd.Timestamp(local, tz=SH).tz_convert("UTC").as_unit("s")


def _issues() -> pd.DataFrame:
    def row(
        number: int, project: str, resolved: str | None, employee: str | None = "E000001", points: str | None = "3"
    ):
        return {
            "issue_id": str((50_000 if project == "ENG" else 60_000) + number),
            "issue_key": f"{project}-{number}",
            "project_key": project,
            "issue_type": "Task" if project == "LEARN" else "Story",
            "status": "Done" if resolved else "In Progress",
            "employee_id": employee,
            "story_points": None if project == "LEARN" else points,
            "created_at_utc": _utc("2026-02-20 10:00:00"),
            "resolved_at_utc": _utc(resolved),
        }

    rows = [row(n, "ENG", f"2026-03-04 10:{n % 60:02d}:00", f"E00000{1 + n % 2}") for n in range(1, 251)]
    rows += [
        row(301, "ENG", "2026-03-02 00:00:30"),  # first minute of the week: inside
        row(302, "ENG", "2026-03-01 23:58:00"),  # two minutes before: fetched by the overlap, cut here
        row(303, "ENG", "2026-03-09 00:01:00"),  # a minute after the week: fetched by the overlap, cut here
        row(304, "ENG", "2026-03-09 00:00:00"),  # the end is exclusive
        row(305, "ENG", "2026-03-01 23:50:00"),  # outside even the overlap
        row(306, "ENG", None),  # in progress
        row(307, "ENG", "2026-03-05 15:00:00", employee=None),  # resolved, but nobody to credit
        row(308, "ENG", "2026-03-05 16:00:00", points=None),  # not estimated: counts as an issue, no points
        row(309, "OPS", "2026-03-05 16:00:00"),  # not a delivery project
        row(1, "LEARN", None, employee=None),
        row(2, "LEARN", None, employee=None),
    ]
    return pd.DataFrame(rows)


def _worklogs() -> pd.DataFrame:
    def row(worklog: str, issue: str, created: str, spent: int, employee: str = "E000001", **changes: object):
        return {
            "worklog_id": worklog,
            "issue_id": issue,
            "employee_id": employee,
            "started_utc": _utc(created) - pd.Timedelta(seconds=spent),
            "time_spent_seconds": spent,
            "original_time_spent_seconds": changes.get("original", spent),
            "created_at_utc": _utc(created),
            "updated_at_utc": _utc(changes.get("updated", created)),
            "deleted": "deleted" in changes,
            "deleted_at_utc": _utc(changes.get("deleted")),
        }

    start = pd.Timestamp("2026-03-03 09:00:00")
    rows = [
        row(str(100_000 + n), "60001" if n % 5 else "60002", str(start + pd.Timedelta(seconds=60 * n)), 1800)
        for n in range(BULK_WORKLOGS)
    ]
    rows += [
        row(CORRECTED, "60001", "2026-03-05 10:00:00", 5400, original=7200, updated="2026-03-10 10:00:00"),
        row(DELETED, "60001", "2026-03-05 11:00:00", 3600, deleted="2026-03-10 11:00:00"),
        row(JUST_NOW, "60001", str(AFTER_WEEK.replace(tzinfo=None) - timedelta(seconds=30)), 600, employee="E000002"),
        row(ENG_LOG, "50010", "2026-03-04 18:00:00", 3600, employee="E000002"),
    ]
    frame = pd.DataFrame(rows)
    frame["started_local"] = frame["started_utc"].dt.tz_convert(SH).dt.tz_localize(None)
    return frame


@pytest.fixture(scope="module")
def work_company() -> dict[str, pd.DataFrame]:
    """The tiny company (E000001 is ``acc-0001`` in Jira, E000002 ``acc-0002``) with its Jira work."""
    return {**tiny_company(3), "jira_work_issues": _issues(), "jira_worklogs": _worklogs()}


@pytest.fixture
def jira_sandbox(work_company: dict[str, pd.DataFrame], clock: FakeClock) -> Iterator[SandboxServer]:
    with SandboxServer(work_company, clock=clock) as server:
        server.jira.freeze_at(AFTER_WEEK)
        yield server


def make_client(sandbox: SandboxServer, clock: FakeClock, **work: object) -> JiraWorkClient:
    creds = sandbox.credentials
    config = JiraConfig(base_url=sandbox.jira_url, email=creds.jira_email, api_token=Secret(creds.jira_api_token))
    return JiraWorkClient(config, JiraWorkConfig(**work), sleep=clock.sleep)


def record(sandbox: SandboxServer, path: str = "") -> Recorder:
    recorder = Recorder("jira", path_contains=path)
    sandbox.add_interceptor(recorder)
    return recorder


def keys(frame: pd.DataFrame) -> set[str]:
    return set(frame["issue_key"])


# ---- resolved issues ---------------------------------------------------------------------------------------------


def test_resolved_issues_page_through_a_bounded_overlapping_jql_and_are_cut_to_the_exact_week(jira_sandbox, clock):
    calls = record(jira_sandbox, "search/jql")
    frame = make_client(jira_sandbox, clock).resolved_issues(WEEK, NEXT_WEEK, "Asia/Shanghai")

    bodies = calls.bodies()
    assert {body["jql"] for body in bodies} == {EXPECTED_JQL}
    tokens = [body.get("nextPageToken") for body in bodies]
    assert len(bodies) == 3 and tokens[0] is None and all(tokens[1:]) and len(set(tokens[1:])) == 2
    assert {body["maxResults"] for body in bodies} == {100}
    # The overlap made Jira return the issues resolved just outside the week; they are cut here.
    creds = jira_sandbox.credentials
    auth = base64.b64encode(f"{creds.jira_email}:{creds.jira_api_token}".encode()).decode()
    answer = requests.post(
        f"{jira_sandbox.jira_url}/rest/api/3/search/jql",
        json={"jql": EXPECTED_JQL, "fields": ["id"], "maxResults": 5000},
        headers={"Authorization": f"Basic {auth}"},
        timeout=5,
    ).json()
    assert {"ENG-302", "ENG-303", "ENG-304"} <= {issue["key"] for issue in answer["issues"]}
    assert keys(frame) == {f"ENG-{n}" for n in range(1, 251)} | {"ENG-301", "ENG-307", "ENG-308"}
    first = frame[frame["issue_key"] == "ENG-301"].iloc[0]
    assert (first["resolved"], first["story_points"], first["status"], first["account_id"]) == (
        "2026-03-02T00:00:30.000+0800",
        "3",
        "Done",
        "acc-0001",
    )
    assert frame.loc[frame["issue_key"] == "ENG-308", "story_points"].isna().all()
    assert frame["_source_ref"].str.startswith("POST /rest/api/3/search/jql page=").all()


def test_jql_dates_are_written_in_the_jira_users_time_zone(jira_sandbox, clock):
    client = make_client(jira_sandbox, clock, user_timezone="UTC", projects=("ENG", "PLAT"), overlap_minutes=10)
    start, end = datetime(2026, 3, 2, tzinfo=SH), datetime(2026, 3, 9, tzinfo=SH)
    assert client.resolved_jql(start, end) == (
        'project in ("ENG", "PLAT") AND resolved >= "2026-03-01 15:50" AND resolved < "2026-03-08 16:10" '
        "ORDER BY resolved ASC, key ASC"
    )
    # a window edge that is not a whole minute is widened to the next one, never narrowed
    odd = make_client(jira_sandbox, clock).resolved_jql(start, end + timedelta(seconds=30))
    assert 'resolved < "2026-03-09 00:06"' in odd


def test_an_issue_nobody_is_assigned_is_quarantined_with_its_reason(jira_sandbox, clock):
    frame = make_client(jira_sandbox, clock).resolved_issues(WEEK, NEXT_WEEK, "Asia/Shanghai")
    validated = validate_rows(frame, RAW_SCHEMAS["jira_work_issues"])
    assert validated.counts == {"rows_loaded": len(frame) - 1, "rows_quarantined": 1}
    (reason,) = validated.quarantine["reason"]
    assert "account_id" in reason and "ENG-307" in validated.quarantine["payload"].iloc[0]


def test_a_rate_limited_search_waits_for_retry_after(jira_sandbox, clock):
    calls = record(jira_sandbox, "search/jql")
    limited = {"errorMessages": ["Rate limit exceeded."], "errors": {}}
    calls.script = [SandboxResponse(429, limited, {"Retry-After": "9", "RateLimit-Reason": "jira-burst-based"})]
    frame = make_client(jira_sandbox, clock).resolved_issues(WEEK, NEXT_WEEK, "Asia/Shanghai")
    assert clock.sleeps == [9.0] and len(frame) == 253


def test_config_rejects_what_jql_cannot_carry():
    with pytest.raises(ValueError, match="double quotes"):
        JiraWorkConfig(projects=('EN"G',))
    with pytest.raises(ValueError, match="custom field id"):
        JiraWorkConfig(story_points_field="Story points")
    with pytest.raises(ValueError, match="overlap_minutes"):
        JiraWorkConfig(overlap_minutes=0)
    with pytest.raises(ValueError, match="user_timezone"):
        JiraWorkConfig(user_timezone="Mars/Olympus")


# ---- worklogs ----------------------------------------------------------------------------------------------------


def test_worklog_feed_pages_by_1000_and_lists_at_most_1000_ids_a_call(jira_sandbox, clock):
    feed, listed = record(jira_sandbox, "worklog/updated"), record(jira_sandbox, "worklog/list")
    changes = make_client(jira_sandbox, clock).worklogs_updated_since(WEEK_START_MS)

    sinces = [int(r.query["since"]) for r in feed.requests]
    assert len(sinces) == 3 and sinces[0] == WEEK_START_MS and sinces == sorted(sinces)
    batches = [json.loads(r.body)["ids"] for r in listed.requests]
    assert [len(b) for b in batches] == [1000, 1000, BULK_WORKLOGS + 3 - 2000]  # + corrected, deleted, ENG
    worklogs = changes.worklogs
    assert worklogs["worklog_id"].is_unique and len(worklogs) == BULK_WORKLOGS + 3
    assert JUST_NOW not in set(worklogs["worklog_id"])  # changed in the last minute: not listed yet
    projects = worklogs.set_index("worklog_id")["project_key"]
    assert projects[ENG_LOG] == "ENG" and (projects.drop(ENG_LOG) == "LEARN").all()
    assert set(worklogs["issue_key"]) == {"LEARN-1", "LEARN-2", "ENG-10"}
    assert changes.deleted.empty
    last_change = int(_utc("2026-03-05 11:00:00").timestamp() * 1000)  # the newest worklog listed
    assert changes.cursor == WorklogCursor(last_change, WEEK_START_MS)
    assert validate_rows(worklogs, RAW_SCHEMAS["jira_worklogs"]).counts["rows_quarantined"] == 0


def test_the_cursor_brings_a_correction_and_a_deletion_from_the_next_week(jira_sandbox, clock):
    client = make_client(jira_sandbox, clock)
    first = client.worklogs_updated_since(WEEK_START_MS)
    before = first.worklogs.set_index("worklog_id")
    assert before.loc[CORRECTED, "time_spent_seconds"] == "7200"  # as first logged
    assert before.loc[DELETED, "time_spent_seconds"] == "3600"

    jira_sandbox.jira.freeze_at(AFTER_NEXT_WEEK)
    listed = record(jira_sandbox, "worklog/list")
    second = client.worklogs_updated_since(first.cursor)

    after = second.worklogs.set_index("worklog_id")
    assert set(after.index) == {CORRECTED, JUST_NOW}  # unchanged worklogs are not read again; the deleted one is gone
    assert sum(len(json.loads(r.body)["ids"]) for r in listed.requests) == len(after)
    assert after.loc[CORRECTED, "time_spent_seconds"] == "5400"
    assert after.loc[CORRECTED, "updated"] == "2026-03-10T10:00:00.000+0800"
    assert int(after.loc[CORRECTED, "updated_time"]) > int(before.loc[CORRECTED, "updated_time"])
    (deletion,) = second.deleted.to_dict("records")
    assert deletion["worklog_id"] == DELETED and deletion["deleted"] == "true"
    assert int(deletion["updated_time"]) == int(_utc("2026-03-10 11:00:00").timestamp() * 1000)
    assert second.cursor.updated_ms > first.cursor.updated_ms and second.cursor.deleted_ms > first.cursor.deleted_ms
    both = pd.concat([second.worklogs, second.deleted], ignore_index=True)
    assert validate_rows(both, RAW_SCHEMAS["jira_worklogs"]).counts == {"rows_loaded": len(both), "rows_quarantined": 0}


def test_until_leaves_later_changes_for_the_next_load(jira_sandbox, clock):
    jira_sandbox.jira.freeze_at(AFTER_NEXT_WEEK)
    client = make_client(jira_sandbox, clock)
    capped = client.worklogs_updated_since(WEEK_START_MS, until_ms=WEEK_END_MS)
    # what changed after the week (a worklog logged, one corrected, one deleted) is left for the next load
    assert len(capped.worklogs) == BULK_WORKLOGS + 1 and capped.deleted.empty  # + the ENG worklog
    assert not {CORRECTED, JUST_NOW, DELETED} & set(capped.worklogs["worklog_id"])
    assert capped.cursor == WorklogCursor(WEEK_END_MS, WEEK_END_MS)
    rest = client.worklogs_updated_since(capped.cursor)
    assert set(rest.worklogs["worklog_id"]) == {CORRECTED, JUST_NOW} and set(rest.deleted["worklog_id"]) == {DELETED}


def test_a_rate_limited_feed_waits_for_retry_after(jira_sandbox, clock):
    feed = record(jira_sandbox, "worklog/updated")
    limited = {"errorMessages": ["Rate limit exceeded."], "errors": {}}
    feed.script = [SandboxResponse(429, limited, {"Retry-After": "30"}), SandboxResponse(429, limited)]
    changes = make_client(jira_sandbox, clock).worklogs_updated_since(WEEK_START_MS)
    assert clock.sleeps == [30.0, 2.0] and len(changes.worklogs) == BULK_WORKLOGS + 3  # no header: backoff


def test_bad_worklogs_are_quarantined_and_nothing_is_lost(jira_sandbox, clock):
    listed = record(jira_sandbox, "worklog/list")
    good = {"id": "100000", "issueId": "60002", "author": {"accountId": "acc-0001"}, "timeSpentSeconds": 1800}
    good |= {"started": "2026-03-03T08:30:00.000+0800", "created": "2026-03-03T09:00:00.000+0800"}
    no_author = {**good, "id": "100001", "author": None}
    bad_time = {**good, "id": "100002", "started": "03/03/2026 08:30", "timeSpentSeconds": -60}
    listed.script = [SandboxResponse(200, [good, no_author, bad_time])]  # the first batch of 1000 ids
    changes = make_client(jira_sandbox, clock).worklogs_updated_since(WEEK_START_MS)

    validated = validate_rows(changes.worklogs, RAW_SCHEMAS["jira_worklogs"])
    assert len(changes.worklogs) == 3 + BULK_WORKLOGS + 3 - 1000
    assert validated.counts == {"rows_loaded": len(changes.worklogs) - 2, "rows_quarantined": 2}
    reasons = dict(zip(validated.quarantine["payload"].map(lambda p: json.loads(p)["worklog_id"]),
                       validated.quarantine["reason"], strict=True))  # fmt: skip
    assert "a worklog (not a deletion) has its issue, author, start and time spent" in reasons["100001"]
    assert "started" in reasons["100002"] and "time_spent_seconds" in reasons["100002"]


def test_paging_that_does_not_move_forward_is_an_error(jira_sandbox, clock):
    feed = record(jira_sandbox, "worklog/updated")
    stuck = {"values": [{"worklogId": 1, "updatedTime": WEEK_START_MS}], "since": WEEK_START_MS}
    stuck |= {"until": WEEK_START_MS, "lastPage": False}
    feed.script = [SandboxResponse(200, stuck)]
    with pytest.raises(SourceError, match="bad paging"):
        make_client(jira_sandbox, clock).worklogs_updated_since(WEEK_START_MS)


def test_the_sandbox_holds_jira_to_its_limits(jira_sandbox):
    creds: SandboxCredentials = jira_sandbox.credentials
    auth = {
        "Authorization": "Basic " + base64.b64encode(f"{creds.jira_email}:{creds.jira_api_token}".encode()).decode()
    }
    base = f"{jira_sandbox.jira_url}/rest/api/3/worklog"
    too_many = requests.post(f"{base}/list", json={"ids": list(range(1001))}, headers=auth, timeout=5)
    assert too_many.status_code == 400 and "1000" in too_many.json()["errorMessages"][0]
    assert requests.get(f"{base}/updated", params={"since": "yesterday"}, headers=auth, timeout=5).status_code == 400
    assert requests.get(f"{base}/updated", params={"since": "0"}, timeout=5).status_code == 401
    page = requests.get(f"{base}/updated", params={"since": "0"}, headers=auth, timeout=5).json()
    assert len(page["values"]) == 1000 and page["lastPage"] is False
    assert page["nextPage"].endswith(f"since={page['until']}") and page["until"] == page["values"][-1]["updatedTime"]
