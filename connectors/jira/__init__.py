"""Weekly goals as Jira Cloud issues -> ``raw.jira_goal_issues``."""

from connectors.jira.client import JiraClient, JiraConfig, JiraGoalFields, classify_jira
from connectors.jira.schemas import RAW_SCHEMAS, JiraGoalIssues

__all__ = ["RAW_SCHEMAS", "JiraClient", "JiraConfig", "JiraGoalFields", "JiraGoalIssues", "classify_jira"]
