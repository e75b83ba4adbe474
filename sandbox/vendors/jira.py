"""Jira Cloud ``POST /rest/api/3/search/jql`` as the sandbox serves it, with weekly goals as issues.

One issue per row of the sample's ``goals`` on the ``jira`` channel: project ``GOAL``, issue type ``Goal``,
``assignee.accountId`` from the employee's ``jira_account_id``, and custom fields (ids in ``GOAL_FIELDS``; the
connector's defaults match):

| field | id | JSON |
| --- | --- | --- |
| metric | customfield_10201 | text |
| unit | customfield_10202 | text |
| target | customfield_10203 | number |
| actual | customfield_10204 | number |
| weight | customfield_10205 | number |
| direction | customfield_10206 | select option ``{"value": "higher_is_better", "id": ...}`` |
| goal week | customfield_10207 | date ``YYYY-MM-DD`` (the Monday) |
| aligned objective | customfield_10208 | text: the Feishu OKR objective id, or null |

What matches Jira: Basic ``email:api_token`` (401 otherwise), ``nextPageToken``/``isLast`` paging without
``total``, ``maxResults`` default 50 and silently capped (100 when fields are requested, 5000 for ids/keys only),
only requested ``fields`` returned, ``updated`` like ``2026-03-06T18:07:00.000+0800``, and unbounded JQL refused
with Jira's 400 ``errorMessages`` body. The JQL reader is purpose-built: clauses on ``project``, ``issuetype``,
``assignee``, ``status``, ``id``, ``updated``, ``resolved`` (``resolutiondate``) and ``cf[N]`` with
``= != > >= < <=`` or ``in (...)``, joined by ``AND``, then ``ORDER BY``.

The work the goals measure (``jira_work_issues``, ``jira_worklogs`` of the sample) is served too:

- project ``ENG`` (delivery) and ``LEARN`` (courses) issues through the same search, with ``resolutiondate``,
  ``status``, ``assignee``, ``project`` and story points in ``customfield_10016`` (a number);
- ``GET /rest/api/3/worklog/updated?since=<ms>`` and ``GET /rest/api/3/worklog/deleted?since=<ms>``: pages of at
  most 1000 ``{worklogId, updatedTime}`` from oldest to youngest, ``since`` inclusive, ``until`` the last item's
  time, ``nextPage`` (``?since=<until>``) and ``lastPage``; nothing changed in the minute before the request;
- ``POST /rest/api/3/worklog/list`` ``{"ids": [...]}`` (at most 1000): the worklogs as they are now.

Worklogs change over time (created, corrected, deleted), so the vendor answers as of its clock: the wall clock,
or the instant a test sets with ``freeze_at``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from sandbox.vendors.base import (
    InvalidJsonError,
    SandboxRequest,
    SandboxResponse,
    Tables,
    as_date,
    as_number,
    is_missing,
    table,
    text,
)

SEARCH_PATH = "/rest/api/3/search/jql"
WORKLOG_UPDATED_PATH = "/rest/api/3/worklog/updated"
WORKLOG_DELETED_PATH = "/rest/api/3/worklog/deleted"
WORKLOG_LIST_PATH = "/rest/api/3/worklog/list"
SITE = "https://sandbox.atlassian.net"
PROJECT_KEY, ISSUE_TYPE = "GOAL", "Goal"
GOAL_FIELDS = {
    "metric": "customfield_10201",
    "unit": "customfield_10202",
    "target": "customfield_10203",
    "actual": "customfield_10204",
    "weight": "customfield_10205",
    "direction": "customfield_10206",
    "goal_week": "customfield_10207",
    "objective_id": "customfield_10208",
}
STORY_POINTS_FIELD = "customfield_10016"  # "Story points" on Jira Cloud company-managed projects
WORK_PROJECTS = {"ENG": ("10200", "Engineering"), "LEARN": ("10300", "Learning")}
ISSUE_TYPE_IDS = {"Story": "10001", "Task": "10002"}
DIRECTION_OPTION_IDS = {"higher_is_better": "10300", "lower_is_better": "10301"}
DEFAULT_MAX_RESULTS, FIELDS_PAGE_CAP, KEYS_PAGE_CAP = 50, 100, 5000
WORKLOG_PAGE, WORKLOG_LIST_CAP = 1000, 1000
HIDDEN_LAST_MS = 60_000  # worklog feeds leave out what changed in the minute before the request
USER_ZONE = ZoneInfo("Asia/Shanghai")  # JQL dates are read in the calling user's time zone
UNBOUNDED = "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
SEARCHABLE = (
    "project", "issuetype", "assignee", "status", "id", "updated", "resolved", "resolutiondate",
    f"cf[{GOAL_FIELDS['goal_week'][12:]}]",  # the goal week is the only custom field the sandbox can search
)  # fmt: skip
SEARCH_CACHE_SIZE = 32  # queries whose matching issues are kept, so paging through one query stays cheap

_VALUE = r"""(?:"[^"]*"|'[^']*'|[^\s"',()]+)"""
_CLAUSE = re.compile(
    rf"""\s*(?P<field>cf\[\d+\]|[A-Za-z_]+)\s*(?P<op>!=|>=|<=|=|>|<)\s*(?P<value>{_VALUE})\s*""",
)
_IN_CLAUSE = re.compile(
    rf"""\s*(?P<field>cf\[\d+\]|[A-Za-z_]+)\s+(?P<op>in)\s*\((?P<values>\s*{_VALUE}(?:\s*,\s*{_VALUE})*\s*)\)\s*""",
    re.IGNORECASE,
)
_ORDER_BY = re.compile(r"\s+ORDER\s+BY\s+|^\s*ORDER\s+BY\s+", re.IGNORECASE)
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a is not None and a > b,
    ">=": lambda a, b: a is not None and a >= b,
    "<": lambda a, b: a is not None and a < b,
    "<=": lambda a, b: a is not None and a <= b,
    "in": lambda a, b: a in b,
}


class JqlError(ValueError):
    pass


def jira_error(status: int, message: str) -> SandboxResponse:
    return SandboxResponse(status, {"errorMessages": [message], "errors": {}})


@dataclass(frozen=True)
class Clause:
    field: str
    op: str
    value: Any  # already in the form it is compared in: upper-case key, aware datetime, ISO date text, a tuple


def _canonical_field(field: str) -> str:
    return "resolved" if field == "resolutiondate" else field


def _comparable(field: str, value: str) -> Any:
    if field == "project":
        return value.upper()
    if field in ("issuetype", "status"):
        return value.lower()
    if field in ("updated", "resolved"):
        return _jql_instant(value)
    if field.startswith("cf["):
        return _jql_instant(value).date().isoformat()
    return value


def _wall_clock() -> datetime:
    return datetime.now(UTC)


class JiraApi:
    name = "jira"

    def __init__(self, tables: Tables, email: str, api_token: str, now: Callable[[], datetime] = _wall_clock) -> None:
        self._authorization = "Basic " + base64.b64encode(f"{email}:{api_token}".encode()).decode("ascii")
        self._issues = build_issues(tables) + build_work_issues(tables)
        self._by_id = {issue["id"]: issue for issue in self._issues}
        self._worklogs = Worklogs(tables)
        self._now = now
        self._frozen: datetime | None = None
        self._matching: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def freeze_at(self, instant: datetime | None) -> None:
        """Test hook: answer as of ``instant`` (aware) from now on; ``None`` goes back to the clock."""
        if instant is not None and instant.tzinfo is None:
            raise ValueError("freeze_at needs an aware datetime")
        self._frozen = instant

    def as_of(self) -> datetime:
        return self._frozen or self._now()

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        routes = {
            SEARCH_PATH: ("GET", "POST"),
            WORKLOG_UPDATED_PATH: ("GET",),
            WORKLOG_DELETED_PATH: ("GET",),
            WORKLOG_LIST_PATH: ("POST",),
        }
        if request.method not in routes.get(request.path, ()):
            return jira_error(404, "Not found")
        if request.header("Authorization") != self._authorization:
            return jira_error(401, "Client must be authenticated to access this resource.")
        if request.path in (WORKLOG_UPDATED_PATH, WORKLOG_DELETED_PATH):
            return self._changed_worklogs(request)
        if request.method == "POST":
            try:
                body = request.json()
            except InvalidJsonError:
                return jira_error(400, "Invalid request payload. Refer to the REST API documentation and try again.")
            if not isinstance(body, dict):
                return jira_error(400, "Invalid request payload. Refer to the REST API documentation and try again.")
            if request.path == WORKLOG_LIST_PATH:
                return self._list_worklogs(body)
        else:
            body = {**request.query, "fields": request.query.get("fields", "").split(",")}
        try:
            return SandboxResponse(200, self._search(body))
        except JqlError as error:
            return jira_error(400, str(error))

    def _search(self, body: Mapping[str, Any]) -> dict[str, Any]:
        jql = str(body.get("jql") or "")
        fields = [f for f in (body.get("fields") or []) if f]
        cap = KEYS_PAGE_CAP if set(fields) <= {"id", "key"} else FIELDS_PAGE_CAP
        try:
            page_size = min(int(body.get("maxResults") or DEFAULT_MAX_RESULTS), cap)
        except (TypeError, ValueError) as error:
            raise JqlError("maxResults must be a number") from error
        if page_size < 1:
            raise JqlError("maxResults must be positive")
        matching = self._matching_issues(jql)
        start = _page_start(body.get("nextPageToken"), jql)
        page = matching[start : start + page_size]
        result: dict[str, Any] = {"issues": [_render(issue, fields) for issue in page]}
        is_last = start + page_size >= len(matching)
        if not is_last:
            result["nextPageToken"] = _token(start + page_size, jql)
        result["isLast"] = is_last
        return result

    def _matching_issues(self, jql: str) -> list[dict[str, Any]]:
        """The issues ``jql`` selects, in its order; remembered per query, since each page asks again."""
        with self._lock:
            if jql in self._matching:
                self._matching.move_to_end(jql)
                return self._matching[jql]
        clauses, order = parse_jql(jql)
        if not clauses:
            raise JqlError(UNBOUNDED)
        candidates = self._issues
        for clause in clauses:  # an id list narrows the search at once (the worklog connector looks issues up so)
            if clause.field == "id" and clause.op in ("=", "in"):
                wanted = clause.value if clause.op == "in" else (clause.value,)
                candidates = [self._by_id[i] for i in dict.fromkeys(wanted) if i in self._by_id]
                break
        matching = [issue for issue in candidates if all(_matches(issue, c) for c in clauses)]
        for key, descending in reversed(order):
            matching.sort(key=_sort_key(key), reverse=descending)
        with self._lock:
            self._matching[jql] = matching
            while len(self._matching) > SEARCH_CACHE_SIZE:
                self._matching.popitem(last=False)
        return matching

    # ---- worklogs -----------------------------------------------------------------------------------------------

    def _changed_worklogs(self, request: SandboxRequest) -> SandboxResponse:
        raw_since = request.query.get("since", "0") or "0"
        if not raw_since.isdigit():
            return jira_error(400, f"'since' must be a UNIX timestamp in milliseconds, got '{raw_since}'.")
        since = int(raw_since)
        now_ms = int(self.as_of().timestamp() * 1000)
        if request.path == WORKLOG_DELETED_PATH:
            changed, times = self._worklogs.deleted_since(since, now_ms)
        else:
            changed, times = self._worklogs.updated_since(since, now_ms)
        ids, times = changed[:WORKLOG_PAGE], times[:WORKLOG_PAGE]
        until = int(times[-1]) if len(times) else since
        return SandboxResponse(
            200,
            {
                "values": [
                    {"worklogId": int(worklog), "updatedTime": int(at), "properties": []}
                    for worklog, at in zip(ids, times, strict=True)
                ],
                "since": since,
                "until": until,
                "self": f"{SITE}{request.path}?since={since}",
                "nextPage": f"{SITE}{request.path}?since={until}",
                "lastPage": len(changed) <= WORKLOG_PAGE,
            },
        )

    def _list_worklogs(self, body: Mapping[str, Any]) -> SandboxResponse:
        ids = body.get("ids")
        if not isinstance(ids, list) or not all(
            isinstance(i, int) or (isinstance(i, str) and i.isdigit()) for i in ids
        ):
            return jira_error(400, "ids must be a list of worklog ids.")
        if len(ids) > WORKLOG_LIST_CAP:
            return jira_error(400, f"The number of worklog ids must not exceed {WORKLOG_LIST_CAP}.")
        return SandboxResponse(200, self._worklogs.render([int(i) for i in ids], int(self.as_of().timestamp() * 1000)))


def parse_jql(jql: str) -> tuple[list[Clause], list[tuple[str, bool]]]:
    """``clause AND clause ... ORDER BY field [ASC|DESC], ...`` -> clauses and sort keys."""
    parts = _ORDER_BY.split(jql, maxsplit=1)
    where, order_text = parts[0], parts[1] if len(parts) > 1 else ""
    clauses = []
    if where.strip():
        for term in re.split(r"\s+AND\s+", where.strip(), flags=re.IGNORECASE):
            listed = _IN_CLAUSE.fullmatch(term)
            match = listed or _CLAUSE.fullmatch(term)
            if match is None or re.search(r"\b(OR|NOT)\b", term, re.IGNORECASE) or (not listed and "(" in term):
                raise JqlError(
                    f"Error in the JQL Query: the sandbox cannot read {term.strip()!r} (AND-ed clauses only)."
                )
            field = match["field"].lower()
            if field not in SEARCHABLE:
                raise JqlError(f"Field '{match['field']}' does not exist or you do not have permission to view it.")
            field = _canonical_field(field)
            if listed:
                values = re.findall(_VALUE, listed["values"])
                clauses.append(Clause(field, "in", tuple(_comparable(field, v.strip("\"'")) for v in values)))
            else:
                clauses.append(Clause(field, match["op"], _comparable(field, match["value"].strip("\"'"))))
    order = []
    for item in filter(None, (s.strip() for s in order_text.split(","))):
        name, *direction = item.split()
        order.append((_canonical_field(name.lower()), bool(direction) and direction[0].upper() == "DESC"))
    return clauses, order


def _matches(issue: Mapping[str, Any], clause: Clause) -> bool:
    return _COMPARE[clause.op](issue["_search"][clause.field], clause.value)


def _jql_instant(value: str) -> datetime:
    for pattern in ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=USER_ZONE)
        except ValueError:
            continue
    raise JqlError(f"Date value '{value}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm'.")


_NEVER = datetime.max.replace(tzinfo=UTC)


def _sort_key(key: str) -> Callable[[Mapping[str, Any]], Any]:
    if key in ("key", "id"):
        return lambda issue: issue["_number"]
    if key == "updated":
        return lambda issue: issue["_updated"]
    if key == "resolved":  # unresolved issues last, as Jira sorts empty values
        return lambda issue: issue["_search"]["resolved"] or _NEVER
    raise JqlError(f"Not able to sort using field '{key}'.")


def _token(offset: int, jql: str) -> str:
    payload = json.dumps({"o": offset, "q": hashlib.sha256(jql.encode()).hexdigest()[:12]})
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _page_start(token: object, jql: str) -> int:
    if not token:
        return 0
    try:
        padded = str(token) + "=" * (-len(str(token)) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if payload["q"] != hashlib.sha256(jql.encode()).hexdigest()[:12]:
            raise ValueError("token belongs to another query")
        return int(payload["o"])
    except (ValueError, KeyError, TypeError) as error:
        raise JqlError("The provided next page token is invalid or expired.") from error


def _render(issue: Mapping[str, Any], fields: list[str]) -> dict[str, Any]:
    rendered: dict[str, Any] = {"id": issue["id"], "key": issue["key"], "self": issue["self"]}
    wanted = set(issue["fields"]) if {"*all", "*navigable"} & set(fields) else set(fields) - {"id", "key"}
    wanted -= {f[1:] for f in fields if f.startswith("-")}
    if wanted:
        rendered["fields"] = {name: issue["fields"][name] for name in issue["fields"] if name in wanted}
    return rendered


def build_issues(tables: Tables) -> list[dict[str, Any]]:
    """One Goal issue per goal row, numbered in (week, employee, metric) order so keys are reproducible."""
    goals = table(
        tables,
        "goals",
        ["employee_id", "week_start", "metric", "unit", "target", "actual", "weight", "direction", "channel"],
    )
    goals = goals[goals["channel"] == "jira"]  # the rest arrive as goal sheets in the inbox
    if "objective_id" not in goals:  # samples without an OKR tree align no goal
        goals = goals.assign(objective_id=None)
    employees = table(tables, "employees", ["employee_id", "name", "jira_account_id"])
    people = {str(e.employee_id): (text(e.jira_account_id), text(e.name)) for e in employees.itertuples(index=False)}
    ordered = goals.assign(goal_week=[as_date(v) for v in goals["week_start"]]).sort_values(
        ["goal_week", "employee_id", "metric"], kind="stable"
    )
    issues = []
    for number, goal in enumerate(ordered.itertuples(index=False), start=1):
        account_id, name = people.get(str(goal.employee_id), (None, None))
        week = goal.goal_week
        created = datetime.combine(week, time(9, 0), tzinfo=USER_ZONE)
        digest = int(hashlib.sha256(f"{goal.employee_id}|{week}|{goal.metric}".encode()).hexdigest()[:6], 16)
        updated = created + timedelta(days=4, hours=8, minutes=digest % 240)  # Friday afternoon, reproducible
        fields = {
            "summary": f"{goal.metric} - week of {week.isoformat()}",
            "project": {"key": PROJECT_KEY, "id": "10100", "name": "Weekly goals"},
            "issuetype": {"name": ISSUE_TYPE, "id": "10050"},
            "status": {"name": "In Progress"},
            "assignee": {"accountId": account_id, "displayName": name} if account_id else None,
            "created": _jira_time(created),
            "updated": _jira_time(updated),
            GOAL_FIELDS["metric"]: text(goal.metric),
            GOAL_FIELDS["unit"]: text(goal.unit),
            GOAL_FIELDS["target"]: None if is_missing(goal.target) else as_number(goal.target),
            GOAL_FIELDS["actual"]: None if is_missing(goal.actual) else as_number(goal.actual),
            GOAL_FIELDS["weight"]: None if is_missing(goal.weight) else as_number(goal.weight),
            GOAL_FIELDS["direction"]: {
                "value": str(goal.direction),
                "id": DIRECTION_OPTION_IDS.get(str(goal.direction), "0"),
            },
            GOAL_FIELDS["goal_week"]: week.isoformat(),
            GOAL_FIELDS["objective_id"]: None if is_missing(goal.objective_id) else text(goal.objective_id),
        }
        issue_id = str(10000 + number)
        issues.append(
            {
                "_number": number,
                "_updated": updated,
                "_search": {  # what each searchable JQL field compares against, in comparable form
                    "project": PROJECT_KEY,
                    "issuetype": ISSUE_TYPE.lower(),
                    "assignee": account_id,
                    "status": "in progress",
                    "id": issue_id,
                    "updated": updated,
                    "resolved": None,
                    f"cf[{GOAL_FIELDS['goal_week'][12:]}]": week.isoformat(),
                },
                "id": issue_id,
                "key": f"{PROJECT_KEY}-{number}",
                "self": f"{SITE}/rest/api/3/issue/{issue_id}",
                "fields": fields,
            }
        )
    return issues


def _account_ids(tables: Tables) -> tuple[dict[str, str | None], dict[str, str | None]]:
    employees = table(tables, "employees", ["employee_id", "name", "jira_account_id"])
    ids = [str(v) for v in employees["employee_id"]]
    return (
        dict(zip(ids, (text(v) for v in employees["jira_account_id"]), strict=True)),
        dict(zip(ids, (text(v) for v in employees["name"]), strict=True)),
    )


def _user(account_id: str | None, name: str | None) -> dict[str, Any] | None:
    return {"accountId": account_id, "displayName": name, "active": True} if account_id else None


def _jira_times(instants: pd.Series) -> list[str | None]:
    """UTC instants as Jira writes them in the user's zone (``2026-03-06T18:07:00.000+0800``); None when missing.

    Formatted with NumPy (pandas' strftime takes seconds for the 5,000-employee sample).
    """
    stamps = pd.to_datetime(instants, utc=True)
    local = stamps.dt.tz_convert(USER_ZONE).dt.tz_localize(None)
    offsets = ((local - stamps.dt.tz_localize(None)).dt.total_seconds() // 60).fillna(0).astype(int)
    clock = np.datetime_as_string(local.to_numpy(dtype="datetime64[s]"), unit="s")
    zones = {
        minutes: f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
        for minutes in set(offsets)
    }
    return [
        None if missing else f"{wall}.000{zones[minutes]}"
        for wall, minutes, missing in zip(clock, offsets, stamps.isna(), strict=True)
    ]


def build_work_issues(tables: Tables) -> list[dict[str, Any]]:
    """The sample's ``jira_work_issues`` (ENG delivery work, LEARN courses) as Jira issues."""
    work = table(
        tables,
        "jira_work_issues",
        ["issue_id", "issue_key", "project_key", "issue_type", "status", "employee_id", "story_points",
         "created_at_utc", "resolved_at_utc"],
    )  # fmt: skip
    accounts, names = _account_ids(tables)
    created, resolved = _jira_times(work["created_at_utc"]), _jira_times(work["resolved_at_utc"])
    resolved_at = _instants(work["resolved_at_utc"])
    last_change = [
        r if r is not None else c for r, c in zip(resolved_at, _instants(work["created_at_utc"]), strict=True)
    ]
    points = pd.to_numeric(work["story_points"], errors="coerce")
    columns = zip(
        work["issue_id"].astype(str),
        work["issue_key"].astype(str),
        work["project_key"].astype(str),
        work["issue_type"].astype(str),
        work["status"].astype(str),
        (text(v) for v in work["employee_id"]),
        (None if pd.isna(v) else int(v) for v in points),
        strict=True,
    )
    issues = []
    for n, (issue_id, key, project, issue_type, status, employee, story_points) in enumerate(columns):
        account_id = accounts.get(employee) if employee else None
        project_id, project_name = WORK_PROJECTS.get(project, ("10900", project))
        done = resolved_at[n] is not None
        issues.append(
            {
                "_number": int(issue_id),
                "_updated": last_change[n],
                "_search": {
                    "project": project.upper(),
                    "issuetype": issue_type.lower(),
                    "assignee": account_id,
                    "status": status.lower(),
                    "id": issue_id,
                    "updated": last_change[n],
                    "resolved": resolved_at[n],
                    f"cf[{GOAL_FIELDS['goal_week'][12:]}]": None,
                },
                "id": issue_id,
                "key": key,
                "self": f"{SITE}/rest/api/3/issue/{issue_id}",
                "fields": {
                    "summary": f"{project_name} work item {key}",
                    "project": {"key": project, "id": project_id, "name": project_name},
                    "issuetype": {"name": issue_type, "id": ISSUE_TYPE_IDS.get(issue_type, "0")},
                    "status": {"name": status, "statusCategory": {"key": "done" if done else "indeterminate"}},
                    "resolution": {"name": "Done"} if done else None,
                    "assignee": _user(account_id, names.get(employee) if employee else None),
                    "created": created[n],
                    "updated": resolved[n] or created[n],
                    "resolutiondate": resolved[n],
                    STORY_POINTS_FIELD: story_points,
                },
            }
        )
    return issues


def _instants(values: pd.Series) -> list[datetime | None]:
    """Aware UTC datetimes (None when missing), as plain Python values for fast comparisons."""
    stamps = pd.to_datetime(values, utc=True)
    return [None if pd.isna(stamp) else stamp.to_pydatetime() for stamp in stamps]


class Worklogs:
    """The sample's ``jira_worklogs`` as arrays, answering what Jira shows at a given instant.

    A worklog exists from ``created_at_utc`` until ``deleted_at_utc``; before ``updated_at_utc`` it shows its
    first version (``original_time_spent_seconds``, updated = created), from then on the corrected one.
    """

    def __init__(self, tables: Tables) -> None:
        logs = table(
            tables,
            "jira_worklogs",
            ["worklog_id", "issue_id", "employee_id", "started_utc", "time_spent_seconds",
             "original_time_spent_seconds", "created_at_utc", "updated_at_utc", "deleted", "deleted_at_utc"],
        )  # fmt: skip
        accounts, names = _account_ids(tables)
        self.ids = logs["worklog_id"].astype("int64").to_numpy()
        self.created_ms = _millis(logs["created_at_utc"])
        self.updated_ms = _millis(logs["updated_at_utc"])
        deleted = logs["deleted"].astype(bool).to_numpy() & logs["deleted_at_utc"].notna().to_numpy()
        self.deleted_ms = np.where(deleted, _millis(logs["deleted_at_utc"].fillna(pd.Timestamp(0, tz="UTC"))), _END)
        self.spent = logs["time_spent_seconds"].astype("int64").to_numpy()
        self.original = logs["original_time_spent_seconds"].astype("int64").to_numpy()
        self.issue_ids = [str(v) for v in logs["issue_id"]]
        employees = [text(v) for v in logs["employee_id"]]
        self.authors = [_user(accounts.get(e) if e else None, names.get(e) if e else None) for e in employees]
        self.started = _jira_times(logs["started_utc"])
        self.created = _jira_times(logs["created_at_utc"])
        self.updated = _jira_times(logs["updated_at_utc"])
        self.position = {int(worklog): n for n, worklog in enumerate(self.ids)}

    def _exists(self, now_ms: int) -> np.ndarray:
        return (self.created_ms <= now_ms) & (self.deleted_ms > now_ms)

    def _version_ms(self, now_ms: int) -> np.ndarray:
        return np.where(self.updated_ms <= now_ms, self.updated_ms, self.created_ms)

    def updated_since(self, since: int, now_ms: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, updatedTime) of the worklogs whose current version is from ``since`` to a minute ago, oldest first."""
        version = self._version_ms(now_ms)
        chosen = np.flatnonzero(self._exists(now_ms) & (version >= since) & (version <= now_ms - HIDDEN_LAST_MS))
        return _oldest_first(self.ids[chosen], version[chosen])

    def deleted_since(self, since: int, now_ms: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, deletion time) of the worklogs deleted from ``since`` to a minute ago, oldest first."""
        chosen = np.flatnonzero((self.deleted_ms >= since) & (self.deleted_ms <= now_ms - HIDDEN_LAST_MS))
        return _oldest_first(self.ids[chosen], self.deleted_ms[chosen])

    def render(self, ids: list[int], now_ms: int) -> list[dict[str, Any]]:
        """The worklogs among ``ids`` that exist now, as ``worklog/list`` returns them (unknown ids are left out)."""
        exists = self._exists(now_ms)
        rendered = []
        for worklog in sorted(set(ids)):
            n = self.position.get(worklog)
            if n is None or not exists[n]:
                continue
            corrected = self.updated_ms[n] <= now_ms
            seconds = int(self.spent[n] if corrected else self.original[n])
            issue_id = self.issue_ids[n]
            rendered.append(
                {
                    "self": f"{SITE}/rest/api/3/issue/{issue_id}/worklog/{worklog}",
                    "author": self.authors[n],
                    "updateAuthor": self.authors[n],
                    "comment": {"type": "doc", "version": 1, "content": []},
                    "created": self.created[n],
                    "updated": self.updated[n] if corrected else self.created[n],
                    "started": self.started[n],
                    "timeSpent": _duration_text(seconds),
                    "timeSpentSeconds": seconds,
                    "id": str(worklog),
                    "issueId": issue_id,
                }
            )
        return rendered


_END = np.iinfo(np.int64).max


def _millis(instants: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(instants, utc=True)
    return (stamps.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ms]")).astype(np.int64)


def _oldest_first(ids: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.lexsort((ids, times))
    return ids[order], times[order]


def _duration_text(seconds: int) -> str:
    """Jira's ``timeSpent``: ``1h 30m``."""
    hours, minutes = divmod(seconds // 60, 60)
    return " ".join(part for part in (f"{hours}h" if hours else "", f"{minutes}m" if minutes else "") if part) or "0m"


def _jira_time(instant: datetime) -> str:
    return instant.astimezone(USER_ZONE).strftime("%Y-%m-%dT%H:%M:%S.000%z")
