"""Measured goal actuals from Jira Cloud: the issues people resolve and the time they log.

- ``resolved_issues(week_start, week_end, tz)``: issues of the configured projects resolved in a window of local
  days, through ``POST /rest/api/3/search/jql`` (``nextPageToken`` until ``isLast``; there is no ``total``). JQL
  dates have minute precision and are read in the API user's time zone, so the bounded JQL overlaps the window
  by a few minutes on each side and the rows are then cut to the exact window here.
- ``worklogs_updated_since(since)``: the worklogs changed since a cursor, the Jira way: ``GET worklog/updated``
  (pages of at most 1000 ids from oldest to youngest, ``since`` inclusive, nothing from the last minute), then
  ``POST worklog/list`` (at most 1000 ids a call) for their content, and ``GET worklog/deleted`` for deletions.
  Each worklog gets its issue's key and project (one ``id in (...)`` search), which tells learning from delivery
  work. Both feeds keep their own cursor, so a feed with nothing new never holds the other back.

Values are kept as the exact text Jira sent (numbers included); ``_source_ref`` names the request and position.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import requests

from connectors.http import (
    BasicAuth,
    HttpClient,
    RetryPolicy,
    Sleep,
    SourceError,
    batched,
    records_frame,
)
from connectors.jira.client import MAX_PAGE_SIZE, SOURCE, JiraConfig, _text, classify_jira, search_issues
from scoring.weeks import DEFAULT_TIMEZONE

UPDATED_PATH = "/rest/api/3/worklog/updated"
DELETED_PATH = "/rest/api/3/worklog/deleted"
LIST_PATH = "/rest/api/3/worklog/list"
LIST_BATCH = 1000  # Jira's limit of ids per worklog/list call
ISSUE_LOOKUP_BATCH = 100  # issue ids per ``id in (...)`` search: one page of issues with fields
ISSUE_DTYPES = {
    column: "str"
    for column in (
        "issue_id", "issue_key", "project_key", "issue_type", "status", "account_id", "story_points", "created",
        "updated", "resolved", "_source_ref",
    )
}  # fmt: skip
WORKLOG_DTYPES = {
    column: "str"
    for column in (
        "worklog_id", "issue_id", "issue_key", "project_key", "account_id", "started", "time_spent_seconds",
        "created", "updated", "updated_time", "deleted", "_source_ref",
    )
}  # fmt: skip


@dataclass(frozen=True)
class JiraWorkConfig:
    """Which projects hold delivery work, where story points live, and the API user's JQL time zone."""

    projects: tuple[str, ...] = ("ENG",)
    story_points_field: str = "customfield_10016"
    user_timezone: str | None = None  # the API user's Jira profile zone; None: the company zone passed in
    overlap_minutes: int = 5
    page_size: int = MAX_PAGE_SIZE

    def __post_init__(self) -> None:
        if not self.projects or any(not p or '"' in p for p in self.projects):
            raise ValueError(f"projects must be non-empty project keys without double quotes, got {self.projects!r}")
        field = self.story_points_field
        if not (field.startswith("customfield_") and field[len("customfield_") :].isdigit()):
            raise ValueError(f"story_points_field must be a custom field id like customfield_10016, got {field!r}")
        if self.user_timezone is not None:
            try:
                ZoneInfo(self.user_timezone)
            except (ZoneInfoNotFoundError, ValueError) as error:
                raise ValueError(f"unknown user_timezone {self.user_timezone!r}") from error
        if self.overlap_minutes < 1:
            raise ValueError("overlap_minutes must be at least 1: JQL dates are whole minutes")
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be in 1..{MAX_PAGE_SIZE}, got {self.page_size}")


class WorklogCursor(NamedTuple):
    """Where each feed continues: epoch milliseconds for ``worklog/updated`` and ``worklog/deleted`` (inclusive)."""

    updated_ms: int
    deleted_ms: int


class WorklogChanges(NamedTuple):
    worklogs: pd.DataFrame  # one row per changed worklog, as ``worklog/list`` returned it
    deleted: pd.DataFrame  # one row per deletion: worklog_id, updated_time, deleted = "true"
    cursor: WorklogCursor


class JiraWorkClient:
    def __init__(
        self,
        config: JiraConfig,
        work: JiraWorkConfig | None = None,
        *,
        sleep: Sleep = time.sleep,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.config, self.work = config, work or JiraWorkConfig()
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

    # ---- resolved issues ----------------------------------------------------------------------------------------

    def resolved_jql(self, start: datetime, end: datetime) -> str:
        """Bounded JQL for issues resolved in ``[start, end)`` (aware), widened to whole minutes plus the overlap in
        the API user's time zone (JQL reads dates there)."""
        zone = ZoneInfo(self.work.user_timezone) if self.work.user_timezone else start.tzinfo
        overlap = timedelta(minutes=self.work.overlap_minutes)
        lower = (start.astimezone(zone) - overlap).replace(second=0, microsecond=0)
        upper = end.astimezone(zone) + overlap
        upper = upper.replace(second=0, microsecond=0) + (
            timedelta(minutes=1) if upper.second or upper.microsecond else timedelta()
        )
        projects = ", ".join(f'"{p}"' for p in self.work.projects)
        return (
            f'project in ({projects}) AND resolved >= "{lower:%Y-%m-%d %H:%M}" AND resolved < "{upper:%Y-%m-%d %H:%M}" '
            "ORDER BY resolved ASC, key ASC"
        )

    def resolved_issues(self, week_start: date, week_end: date, tz: str = DEFAULT_TIMEZONE) -> pd.DataFrame:
        """Issues resolved from ``week_start`` 00:00 to ``week_end`` 00:00 (local days in ``tz``), one row each.

        A resolution time Jira sent that cannot be read is kept (validation quarantines it), never dropped.
        """
        zone = ZoneInfo(tz)
        start = datetime.combine(week_start, datetime.min.time(), tzinfo=zone)
        end = datetime.combine(week_end, datetime.min.time(), tzinfo=zone)
        points = self.work.story_points_field
        fields = ["project", "issuetype", "status", "assignee", "created", "updated", "resolutiondate", points]
        rows = [
            _issue_row(issue, points, ref)
            for issue, ref in self._search(self.resolved_jql(start, end), fields, self.work.page_size)
        ]
        frame = records_frame(rows, ISSUE_DTYPES)
        resolved = pd.to_datetime(frame["resolved"], utc=True, format="ISO8601", errors="coerce")
        inside = resolved.isna() | ((resolved >= pd.Timestamp(start)) & (resolved < pd.Timestamp(end)))
        return frame[inside.to_numpy()].reset_index(drop=True)

    def _search(self, jql: str, fields: list[str], page_size: int) -> Iterator[tuple[dict[str, Any], str]]:
        return search_issues(self._http, jql, fields, page_size)

    # ---- worklogs -----------------------------------------------------------------------------------------------

    def worklogs_updated_since(self, since: int | WorklogCursor, until_ms: int | None = None) -> WorklogChanges:
        """Worklogs changed and deleted from ``since`` (epoch ms, inclusive) up to ``until_ms`` when given (later
        changes are left for the cursor returned), with the cursor to continue from.

        Jira re-sends the changes at the cursor instant itself, so consecutive loads overlap slightly: staging keeps
        one version per worklog.
        """
        cursor = since if isinstance(since, WorklogCursor) else WorklogCursor(int(since), int(since))
        changed, updated_reached = self._changes(UPDATED_PATH, cursor.updated_ms, until_ms)
        gone, deleted_reached = self._changes(DELETED_PATH, cursor.deleted_ms, until_ms)
        rows = self._worklog_rows(changed)
        deleted = [
            {"worklog_id": str(worklog), "updated_time": str(at), "deleted": "true", "_source_ref": ref}
            for worklog, (at, ref) in sorted(gone.items())
        ]
        return WorklogChanges(
            worklogs=records_frame(rows, WORKLOG_DTYPES),
            deleted=records_frame(deleted, WORKLOG_DTYPES),
            cursor=WorklogCursor(updated_reached, deleted_reached),
        )

    def _changes(self, path: str, since: int, until_ms: int | None) -> tuple[dict[int, tuple[int, str]], int]:
        """worklog id -> (latest change time, source ref) from one feed, and how far the feed was read."""
        seen: dict[int, tuple[int, str]] = {}
        cursor, reached, page = since, since, 0
        while True:
            page += 1
            body = self._http.request_json("GET", path, params={"since": str(cursor)})
            ref = f"GET {path} since={cursor} page={page}"
            values = body.get("values") if isinstance(body, dict) else None
            if not isinstance(values, list):
                raise SourceError(SOURCE, ref, "bad response", "no values list in the response")
            for i, value in enumerate(values):
                worklog, at = _int(value, "worklogId"), _int(value, "updatedTime")
                if worklog is None or at is None:
                    raise SourceError(SOURCE, ref, "bad response", f"value #{i} lacks a numeric worklogId/updatedTime")
                if until_ms is not None and at > until_ms:  # oldest first: everything up to until_ms was seen
                    return seen, until_ms
                if worklog not in seen or seen[worklog][0] < at:  # the same change re-sent keeps its first ref
                    seen[worklog] = (at, f"{ref}#{i}")
                reached = max(reached, at)
            if body.get("lastPage", True):
                return seen, reached
            next_since = _int(body, "until")
            if next_since is None or next_since <= cursor:
                raise SourceError(SOURCE, ref, "bad paging", "lastPage is false but until does not move forward")
            cursor = next_since

    def _worklog_rows(self, changed: dict[int, tuple[int, str]]) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = []
        for batch_no, batch in enumerate(batched(sorted(changed), LIST_BATCH), start=1):
            body = self._http.request_json("POST", LIST_PATH, json={"ids": batch})
            ref = f"POST {LIST_PATH} batch={batch_no}"
            if not isinstance(body, list):
                raise SourceError(SOURCE, ref, "bad response", "worklog/list did not return a list")
            for i, worklog in enumerate(body):
                worklog = worklog if isinstance(worklog, dict) else {}
                worklog_id = _text(worklog.get("id"))
                change = changed.get(int(worklog_id)) if worklog_id and worklog_id.isdigit() else None
                rows.append(
                    {
                        "worklog_id": worklog_id,
                        "issue_id": _text(worklog.get("issueId")),
                        "account_id": _text((worklog.get("author") or {}).get("accountId")),
                        "started": _text(worklog.get("started")),
                        "time_spent_seconds": _text(worklog.get("timeSpentSeconds")),
                        "created": _text(worklog.get("created")),
                        "updated": _text(worklog.get("updated")),
                        "updated_time": str(change[0]) if change else None,
                        "deleted": "false",
                        "_source_ref": f"{ref}#{i}",
                    }
                )
        issues = self._issue_projects({str(row["issue_id"]) for row in rows if row["issue_id"]})
        for row in rows:
            row["issue_key"], row["project_key"] = issues.get(str(row["issue_id"]), (None, None))
        return rows

    def _issue_projects(self, issue_ids: set[str]) -> dict[str, tuple[str | None, str | None]]:
        """issue id -> (key, project key), for the issues the worklogs are on."""
        numeric = sorted((i for i in issue_ids if i.isdigit()), key=int)
        found: dict[str, tuple[str | None, str | None]] = {}
        for batch in batched(numeric, ISSUE_LOOKUP_BATCH):
            jql = f"id in ({', '.join(batch)}) ORDER BY id ASC"
            for issue, _ in self._search(jql, ["project"], MAX_PAGE_SIZE):
                project = (issue.get("fields") or {}).get("project") or {}
                found[str(issue.get("id"))] = (_text(issue.get("key")), _text(project.get("key")))
        return found


def _int(mapping: object, key: str) -> int | None:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _issue_row(issue: dict[str, Any], points_field: str, ref: str) -> dict[str, object]:
    values = issue.get("fields") or {}
    return {
        "issue_id": _text(issue.get("id")),
        "issue_key": _text(issue.get("key")),
        "project_key": _text((values.get("project") or {}).get("key")),
        "issue_type": _text((values.get("issuetype") or {}).get("name")),
        "status": _text((values.get("status") or {}).get("name")),
        "account_id": _text((values.get("assignee") or {}).get("accountId")),
        "story_points": _text(values.get(points_field)),
        "created": _text(values.get("created")),
        "updated": _text(values.get("updated")),
        "resolved": _text(values.get("resolutiondate")),
        "_source_ref": ref,
    }
