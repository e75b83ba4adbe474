"""Weekly goals from Jira Cloud: issues of type ``Goal`` whose goal-week field falls in the week.

Uses ``POST /rest/api/3/search/jql`` (the old ``/search`` is gone) with a bounded JQL on the goal-week custom
field, paging with ``nextPageToken`` until ``isLast`` (there is no ``total``). Custom field ids differ per Jira
site, so they are configuration (``JiraGoalFields``). Numbers are kept as the exact text Jira sent.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
import requests

from connectors.http import (
    BasicAuth,
    HttpClient,
    JsonBody,
    Outcome,
    RetryPolicy,
    Secret,
    Sleep,
    SourceError,
    Verdict,
    classify_http_status,
    records_frame,
)

SOURCE = "jira"
SEARCH_PATH = "/rest/api/3/search/jql"
MAX_PAGE_SIZE = 100  # Jira returns at most this many issues per page when fields are requested
GOAL_DTYPES = {
    column: "str"
    for column in (
        "issue_id", "issue_key", "account_id", "metric", "unit", "target", "actual", "weight", "direction",
        "goal_week", "objective_id", "updated", "_source_ref",
    )
}  # fmt: skip


@dataclass(frozen=True)
class JiraGoalFields:
    """Custom field ids of the goal attributes on the Jira site (the sandbox uses these defaults)."""

    metric: str = "customfield_10201"
    unit: str = "customfield_10202"
    target: str = "customfield_10203"
    actual: str = "customfield_10204"
    weight: str = "customfield_10205"
    direction: str = "customfield_10206"
    goal_week: str = "customfield_10207"
    objective_id: str = "customfield_10208"  # the OKR objective (Feishu objective id) the goal aligns to; optional

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not (value.startswith("customfield_") and value[len("customfield_") :].isdigit()):
                raise ValueError(f"{item.name} must be a custom field id like customfield_10201, got {value!r}")

    @property
    def goal_week_jql(self) -> str:
        """``cf[10207]``: how JQL names a custom field by id."""
        return f"cf[{self.goal_week.removeprefix('customfield_')}]"


@dataclass(frozen=True)
class JiraConfig:
    base_url: str  # https://<site>.atlassian.net (or the sandbox's /jira)
    email: str
    api_token: Secret
    project_key: str = "GOAL"
    issue_type: str = "Goal"
    goal_fields: JiraGoalFields = field(default_factory=JiraGoalFields)
    page_size: int = MAX_PAGE_SIZE
    timeout: tuple[float, float] = (5.0, 60.0)

    def __post_init__(self) -> None:
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be in 1..{MAX_PAGE_SIZE}, got {self.page_size}")
        for name in ("project_key", "issue_type"):
            if '"' in getattr(self, name):
                raise ValueError(f"{name} must not contain a double quote")


def classify_jira(response: requests.Response, body: JsonBody) -> Outcome:
    """Status-based (429 and 5xx honour ``Retry-After``), reporting Jira's ``errorMessages``."""
    outcome = classify_http_status(response, body)
    if outcome.verdict is not Verdict.OK and isinstance(body, dict) and body.get("errorMessages"):
        message = "; ".join(str(m) for m in body["errorMessages"])
        return Outcome(outcome.verdict, outcome.code, message, outcome.retry_after)
    return outcome


class JiraClient:
    def __init__(
        self,
        config: JiraConfig,
        *,
        sleep: Sleep = time.sleep,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.config = config
        self._http = HttpClient(
            base_url=config.base_url,
            source=SOURCE,
            auth=BasicAuth(config.email, config.api_token),
            classify=classify_jira,
            retry=retry or RetryPolicy(),
            timeout=config.timeout,
            sleep=sleep,
            session=session or requests.Session(),
        )

    def jql(self, week_start: date) -> str:
        """Bounded JQL: the project, the issue type and the goal-week range (a date field: no time zone)."""
        week_field = self.config.goal_fields.goal_week_jql
        next_week = week_start + timedelta(days=7)
        return (
            f'project = "{self.config.project_key}" AND issuetype = "{self.config.issue_type}" '
            f'AND {week_field} >= "{week_start.isoformat()}" AND {week_field} < "{next_week.isoformat()}" '
            "ORDER BY key ASC"
        )

    def fetch_week(self, week_start: date, tz: str) -> dict[str, pd.DataFrame]:
        """Goal issues of the week starting ``week_start`` (``tz`` unused: the goal week is a date field)."""
        goal_fields = self.config.goal_fields
        wanted = ["assignee", "updated", *(getattr(goal_fields, f.name) for f in fields(goal_fields))]
        issues = search_issues(self._http, self.jql(week_start), wanted, self.config.page_size)
        rows = [_goal_row(issue, goal_fields, ref) for issue, ref in issues]
        return {"jira_goal_issues": records_frame(rows, GOAL_DTYPES)}


def search_issues(
    http: HttpClient, jql: str, fields: list[str], page_size: int
) -> Iterator[tuple[dict[str, Any], str]]:
    """Yield (issue, source ref) for every issue ``jql`` selects: ``search/jql`` pages by ``nextPageToken`` until
    ``isLast`` (there is no ``total``); a page that says more follow but gives no new token is an error. An issue
    served again (a replayed page or token) is yielded once."""
    request: dict[str, Any] = {"jql": jql, "fields": fields, "maxResults": page_size}
    token: str | None = None
    page = 0
    seen: set[object] = set()  # issue ids already yielded
    while True:
        page += 1
        body = http.request_json("POST", SEARCH_PATH, json={**request, **({"nextPageToken": token} if token else {})})
        ref = f"POST {SEARCH_PATH} page={page} nextPageToken={token or '-'}"
        issues = body.get("issues") if isinstance(body, dict) else None
        if not isinstance(issues, list):
            raise SourceError(SOURCE, ref, "bad response", "no issues list in the response")
        fresh = [
            (i, issue) for i, issue in enumerate(issues) if not isinstance(issue, dict) or issue.get("id") not in seen
        ]
        if issues and not fresh:
            page -= 1  # a page served again (replayed token) is not a new page: source refs stay as a clean read's
        for i, issue in fresh:
            if isinstance(issue, dict) and issue.get("id") is not None:
                seen.add(issue["id"])
            yield (issue if isinstance(issue, dict) else {}), f"{ref}#{i}"
        if body.get("isLast", True):
            return
        next_token = body.get("nextPageToken")
        if not next_token or next_token == token:
            raise SourceError(SOURCE, ref, "bad paging", "isLast is false but no new nextPageToken")
        token = next_token


def _goal_row(issue: Any, goal_fields: JiraGoalFields, ref: str) -> dict[str, object]:
    issue = issue if isinstance(issue, dict) else {}
    values = issue.get("fields") or {}
    direction = values.get(goal_fields.direction)
    return {
        "issue_id": _text(issue.get("id")),
        "issue_key": _text(issue.get("key")),
        "account_id": _text((values.get("assignee") or {}).get("accountId")),
        "metric": _text(values.get(goal_fields.metric)),
        "unit": _text(values.get(goal_fields.unit)),
        "target": _text(values.get(goal_fields.target)),
        "actual": _text(values.get(goal_fields.actual)),
        "weight": _text(values.get(goal_fields.weight)),
        "direction": _text(direction.get("value") if isinstance(direction, dict) else direction),
        "goal_week": _text(values.get(goal_fields.goal_week)),
        "objective_id": _text(values.get(goal_fields.objective_id)),
        "updated": _text(values.get("updated")),
        "_source_ref": ref,
    }


def _text(value: object) -> str | None:
    """Text as sent; JSON numbers arrive as ``Decimal`` (exact), so ``200.0`` stays ``"200.0"``."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
