"""Jira connector against the sandbox over real HTTP: bounded JQL, nextPageToken paging, 429 and auth errors."""

from __future__ import annotations

import pandera.errors
import pytest

from connectors.http import Secret, SourceError
from connectors.jira import RAW_SCHEMAS, JiraClient, JiraConfig, JiraGoalFields, JiraGoalIssues
from connectors.quality import validate_rows
from sandbox.server import SandboxServer
from sandbox.vendors.base import SandboxResponse
from tests.connectors.conftest import FakeClock, Recorder
from tests.connectors.tiny_company import TZ, WEEK

COLUMNS = [
    "issue_id", "issue_key", "account_id", "metric", "unit", "target", "actual", "weight", "direction", "goal_week",
    "objective_id", "updated", "_source_ref",
]  # fmt: skip


def make_client(sandbox: SandboxServer, clock: FakeClock, **config: object) -> JiraClient:
    settings = {
        "base_url": sandbox.jira_url,
        "email": sandbox.credentials.jira_email,
        "api_token": Secret(sandbox.credentials.jira_api_token),
        **config,
    }
    return JiraClient(JiraConfig(**settings), sleep=clock.sleep)


def record(sandbox: SandboxServer) -> Recorder:
    recorder = Recorder("jira")
    sandbox.add_interceptor(recorder)
    return recorder


def test_pages_with_next_page_token_until_is_last(sandbox, clock):
    calls = record(sandbox)
    frame = make_client(sandbox, clock, page_size=5).fetch_week(WEEK, TZ)["jira_goal_issues"]

    assert list(frame.columns) == COLUMNS
    assert len(frame) == 4 * 3 + 1  # three goals for each of 4 employees, plus one goal with no assignee
    assert set(frame["goal_week"]) == {"2026-03-02"}  # last week's goals are not fetched
    assert frame["issue_key"].is_unique
    tokens = [body.get("nextPageToken") for body in calls.bodies()]
    assert tokens[0] is None and all(tokens[1:]) and len(tokens) == 3
    assert {body["jql"] for body in calls.bodies()} == {
        'project = "GOAL" AND issuetype = "Goal" AND cf[10207] >= "2026-03-02" AND cf[10207] < "2026-03-09" '
        "ORDER BY key ASC"
    }
    assert {body["maxResults"] for body in calls.bodies()} == {5}


def test_goal_fields_are_read_from_the_configured_custom_fields(sandbox, clock):
    frame = make_client(sandbox, clock).fetch_week(WEEK, TZ)["jira_goal_issues"]
    row = frame[(frame["account_id"] == "acc-0001") & (frame["metric"] == "first_response_minutes")].iloc[0]
    assert (row["unit"], row["target"], row["actual"], row["weight"], row["direction"]) == (
        "minutes",
        "10.0",
        "8.0",
        "0.3",
        "lower_is_better",
    )  # numbers are the exact text Jira sent, never a rounded float
    assert row["updated"].endswith("+0800") and row["issue_id"].isdigit()


@pytest.mark.trust("bad input", "connectors: Jira")
def test_a_goal_without_assignee_cannot_be_credited_and_is_flagged(sandbox, clock):
    frame = make_client(sandbox, clock).fetch_week(WEEK, TZ)["jira_goal_issues"]
    with pytest.raises(pandera.errors.SchemaErrors) as raised:
        JiraGoalIssues.validate(frame, lazy=True)
    cases = raised.value.failure_cases
    assert set(cases["column"]) == {"account_id"} and len(cases) == 1
    assigned = frame[frame["account_id"].notna()]
    assert validate_rows(assigned, RAW_SCHEMAS["jira_goal_issues"]).counts == {"rows_loaded": 12, "rows_quarantined": 0}


@pytest.mark.trust("fault", "connectors: Jira")
def test_rate_limit_429_waits_for_retry_after(sandbox, clock):
    calls = record(sandbox)
    limited = {"errorMessages": ["Rate limit exceeded."], "errors": {}}
    calls.script = [SandboxResponse(429, limited, {"Retry-After": "12", "RateLimit-Reason": "jira-burst-based"})]
    frame = make_client(sandbox, clock).fetch_week(WEEK, TZ)["jira_goal_issues"]
    assert clock.sleeps == [12.0] and len(frame) == 13


@pytest.mark.trust("security", "connectors: Jira")
def test_a_wrong_api_token_fails_and_never_appears_in_the_error(sandbox, clock):
    client = make_client(sandbox, clock, api_token=Secret("ATATT-wrong-token"))
    with pytest.raises(SourceError) as raised:
        client.fetch_week(WEEK, TZ)
    assert raised.value.code == "HTTP 401" and "authenticated" in raised.value.message
    assert "ATATT-wrong-token" not in str(raised.value) + repr(client.config)


@pytest.mark.trust("fault", "connectors: Jira")
def test_a_rejected_query_reports_jiras_error_messages(sandbox, clock):
    fields = JiraGoalFields(goal_week="customfield_99999")  # a field the site does not have
    with pytest.raises(SourceError) as raised:
        make_client(sandbox, clock, goal_fields=fields).fetch_week(WEEK, TZ)
    assert raised.value.code == "HTTP 400" and "cf[" in raised.value.message


@pytest.mark.trust("bad input", "connectors: Jira")
def test_config_validates_field_ids_and_page_size():
    with pytest.raises(ValueError, match="custom field id"):
        JiraGoalFields(metric="Metric")
    with pytest.raises(ValueError, match="page_size"):
        JiraConfig(base_url="http://x", email="a@b.c", api_token=Secret("t"), page_size=500)
