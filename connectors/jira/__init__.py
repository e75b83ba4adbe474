"""Jira Cloud: weekly goals as issues -> ``raw.jira_goal_issues``; the work that measures goals (resolved issues,
worklogs) -> ``raw.jira_work_issues``, ``raw.jira_worklogs``."""

from connectors.jira.client import JiraClient, JiraConfig, JiraGoalFields, classify_jira
from connectors.jira.schemas import (
    GOAL_SCHEMAS,
    RAW_SCHEMAS,
    WORK_SCHEMAS,
    JiraGoalIssues,
    JiraWorkIssues,
    JiraWorklogs,
)
from connectors.jira.work import JiraWorkClient, JiraWorkConfig, WorklogChanges, WorklogCursor

__all__ = [
    "GOAL_SCHEMAS",
    "RAW_SCHEMAS",
    "WORK_SCHEMAS",
    "JiraClient",
    "JiraConfig",
    "JiraGoalFields",
    "JiraGoalIssues",
    "JiraWorkClient",
    "JiraWorkConfig",
    "JiraWorkIssues",
    "JiraWorklogs",
    "WorklogChanges",
    "WorklogCursor",
    "classify_jira",
]
