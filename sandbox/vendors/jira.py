"""Jira Cloud ``POST /rest/api/3/search/jql`` as the sandbox serves it, with weekly goals as issues.

One issue per row of the sample's ``goals`` on the ``jira`` channel: project ``GOAL``, issue type ``Goal``, ``assignee.accountId`` from
the employee's ``jira_account_id``, and custom fields (ids in ``GOAL_FIELDS``; the connector's defaults match):

| field | id | JSON |
| --- | --- | --- |
| metric | customfield_10201 | text |
| unit | customfield_10202 | text |
| target | customfield_10203 | number |
| actual | customfield_10204 | number |
| weight | customfield_10205 | number |
| direction | customfield_10206 | select option ``{"value": "higher_is_better", "id": ...}`` |
| goal week | customfield_10207 | date ``YYYY-MM-DD`` (the Monday) |

What matches Jira: Basic ``email:api_token`` (401 otherwise), ``nextPageToken``/``isLast`` paging without
``total``, ``maxResults`` default 50 and silently capped (100 when fields are requested, 5000 for ids/keys only),
only requested ``fields`` returned, ``updated`` like ``2026-03-06T18:07:00.000+0800``, and unbounded JQL refused
with Jira's 400 ``errorMessages`` body. The JQL reader is purpose-built: clauses on ``project``, ``issuetype``,
``assignee``, ``updated`` and ``cf[N]`` with ``= != > >= < <=``, joined by ``AND``, then ``ORDER BY``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

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
PROJECT_KEY, ISSUE_TYPE = "GOAL", "Goal"
GOAL_FIELDS = {
    "metric": "customfield_10201",
    "unit": "customfield_10202",
    "target": "customfield_10203",
    "actual": "customfield_10204",
    "weight": "customfield_10205",
    "direction": "customfield_10206",
    "goal_week": "customfield_10207",
}
DIRECTION_OPTION_IDS = {"higher_is_better": "10300", "lower_is_better": "10301"}
DEFAULT_MAX_RESULTS, FIELDS_PAGE_CAP, KEYS_PAGE_CAP = 50, 100, 5000
USER_ZONE = ZoneInfo("Asia/Shanghai")  # JQL dates are read in the calling user's time zone
UNBOUNDED = "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."

_CLAUSE = re.compile(
    r"""\s*(?P<field>cf\[\d+\]|[A-Za-z_]+)\s*(?P<op>!=|>=|<=|=|>|<)\s*(?P<value>"[^"]*"|'[^']*'|[^\s"']+)\s*""",
)
_ORDER_BY = re.compile(r"\s+ORDER\s+BY\s+|^\s*ORDER\s+BY\s+", re.IGNORECASE)
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a is not None and a > b,
    ">=": lambda a, b: a is not None and a >= b,
    "<": lambda a, b: a is not None and a < b,
    "<=": lambda a, b: a is not None and a <= b,
}


class JqlError(ValueError):
    pass


def jira_error(status: int, message: str) -> SandboxResponse:
    return SandboxResponse(status, {"errorMessages": [message], "errors": {}})


@dataclass(frozen=True)
class Clause:
    field: str
    op: str
    value: Any  # already in the form it is compared in: upper-case key, aware datetime, ISO date text


def _comparable(field: str, value: str) -> Any:
    if field == "project":
        return value.upper()
    if field == "issuetype":
        return value.lower()
    if field == "updated":
        return _jql_instant(value)
    if field.startswith("cf["):
        return _jql_instant(value).date().isoformat()
    return value


class JiraApi:
    name = "jira"

    def __init__(self, tables: Tables, email: str, api_token: str) -> None:
        self._authorization = "Basic " + base64.b64encode(f"{email}:{api_token}".encode()).decode("ascii")
        self._issues = build_issues(tables)

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        if request.path != SEARCH_PATH or request.method not in ("GET", "POST"):
            return jira_error(404, "Not found")
        if request.header("Authorization") != self._authorization:
            return jira_error(401, "Client must be authenticated to access this resource.")
        if request.method == "POST":
            try:
                body = request.json()
            except InvalidJsonError:
                return jira_error(400, "Invalid request payload. Refer to the REST API documentation and try again.")
            if not isinstance(body, dict):
                return jira_error(400, "Invalid request payload. Refer to the REST API documentation and try again.")
        else:
            body = {**request.query, "fields": request.query.get("fields", "").split(",")}
        try:
            return SandboxResponse(200, self._search(body))
        except JqlError as error:
            return jira_error(400, str(error))

    def _search(self, body: Mapping[str, Any]) -> dict[str, Any]:
        jql = str(body.get("jql") or "")
        clauses, order = parse_jql(jql)
        if not clauses:
            raise JqlError(UNBOUNDED)
        fields = [f for f in (body.get("fields") or []) if f]
        cap = KEYS_PAGE_CAP if set(fields) <= {"id", "key"} else FIELDS_PAGE_CAP
        try:
            page_size = min(int(body.get("maxResults") or DEFAULT_MAX_RESULTS), cap)
        except (TypeError, ValueError) as error:
            raise JqlError("maxResults must be a number") from error
        if page_size < 1:
            raise JqlError("maxResults must be positive")
        matching = [issue for issue in self._issues if all(_matches(issue, c) for c in clauses)]
        for key, descending in reversed(order):
            matching.sort(key=_sort_key(key), reverse=descending)
        start = _page_start(body.get("nextPageToken"), jql)
        page = matching[start : start + page_size]
        result: dict[str, Any] = {"issues": [_render(issue, fields) for issue in page]}
        is_last = start + page_size >= len(matching)
        if not is_last:
            result["nextPageToken"] = _token(start + page_size, jql)
        result["isLast"] = is_last
        return result


def parse_jql(jql: str) -> tuple[list[Clause], list[tuple[str, bool]]]:
    """``clause AND clause ... ORDER BY field [ASC|DESC], ...`` -> clauses and sort keys."""
    parts = _ORDER_BY.split(jql, maxsplit=1)
    where, order_text = parts[0], parts[1] if len(parts) > 1 else ""
    clauses = []
    if where.strip():
        for term in re.split(r"\s+AND\s+", where.strip(), flags=re.IGNORECASE):
            match = _CLAUSE.fullmatch(term)
            if match is None or re.search(r"\b(OR|NOT)\b|[()]", term, re.IGNORECASE):
                raise JqlError(
                    f"Error in the JQL Query: the sandbox cannot read {term.strip()!r} (AND-ed clauses only)."
                )
            field = match["field"].lower()
            searchable = ("project", "issuetype", "assignee", "updated", f"cf[{GOAL_FIELDS['goal_week'][12:]}]")
            if field not in searchable:  # the goal week is the only custom field the sandbox can search
                raise JqlError(f"Field '{match['field']}' does not exist or you do not have permission to view it.")
            clauses.append(Clause(field, match["op"], _comparable(field, match["value"].strip("\"'"))))
    order = []
    for item in filter(None, (s.strip() for s in order_text.split(","))):
        name, *direction = item.split()
        order.append((name.lower(), bool(direction) and direction[0].upper() == "DESC"))
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


def _sort_key(key: str) -> Callable[[Mapping[str, Any]], Any]:
    if key in ("key", "id"):
        return lambda issue: issue["_number"]
    if key == "updated":
        return lambda issue: issue["_updated"]
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
                    "updated": updated,
                    f"cf[{GOAL_FIELDS['goal_week'][12:]}]": week.isoformat(),
                },
                "id": issue_id,
                "key": f"{PROJECT_KEY}-{number}",
                "self": f"https://sandbox.atlassian.net/rest/api/3/issue/{issue_id}",
                "fields": fields,
            }
        )
    return issues


def _jira_time(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%S.000%z")
