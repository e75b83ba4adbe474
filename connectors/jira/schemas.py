"""What ``raw.jira_goal_issues``, ``raw.jira_work_issues`` and ``raw.jira_worklogs`` rows must look like (failures
are quarantined).

A goal without an assignee cannot be credited to anyone, so ``account_id`` is required; numbers must parse as
decimals (weights and targets positive) and the goal week must be a Monday-keyed ``YYYY-MM-DD`` date. The same
holds for a resolved work issue (assignee, resolution time, story points a non-negative number when set). A
worklog row is either a worklog (its issue, author, start and seconds spent) or a deletion (id and time only).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

DIRECTIONS = ["higher_is_better", "lower_is_better"]
DECIMAL = r"^-?\d+(\.\d+)?$"
ISO_DATE = r"^\d{4}-[01]\d-[0-3]\d$"
DIGITS = r"^\d+$"
ISSUE_KEY = r"^[A-Z][A-Z0-9_]*-\d+$"
JIRA_INSTANT = r"^\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-][0-2]\d:?[0-5]\d)$"


class JiraGoalIssues(pa.DataFrameModel):
    issue_id: Series[str] = pa.Field(nullable=False, str_matches=r"^\d+$")
    issue_key: Series[str] = pa.Field(nullable=False, str_matches=r"^[A-Z][A-Z0-9_]*-\d+$")
    account_id: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1})
    metric: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1})
    unit: Series[str] = pa.Field(nullable=True)
    target: Series[str] = pa.Field(nullable=False, str_matches=DECIMAL)
    actual: Series[str] = pa.Field(nullable=True, str_matches=DECIMAL)  # not reported yet: no actual
    weight: Series[str] = pa.Field(nullable=False, str_matches=DECIMAL)
    direction: Series[str] = pa.Field(nullable=False, isin=DIRECTIONS)
    goal_week: Series[str] = pa.Field(nullable=False, str_matches=ISO_DATE)
    objective_id: Series[str] = pa.Field(nullable=True, str_matches=r"^\d+$")  # aligned objective, if any
    updated: Series[str] = pa.Field(nullable=False, str_matches=JIRA_INSTANT)
    source_ref: Series[str] = pa.Field(alias="_source_ref", nullable=False, str_length={"min_value": 1})

    @pa.check("target", "weight", name="positive")
    @classmethod
    def _positive(cls, s: pd.Series) -> pd.Series:
        return pd.to_numeric(s, errors="coerce") > 0

    @pa.check("goal_week", name="is a Monday")
    @classmethod
    def _monday(cls, s: pd.Series) -> pd.Series:
        days = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
        return days.dt.day_of_week == 0

    class Config:
        strict = True


class JiraWorkIssues(pa.DataFrameModel):
    issue_id: Series[str] = pa.Field(nullable=False, str_matches=DIGITS)
    issue_key: Series[str] = pa.Field(nullable=False, str_matches=ISSUE_KEY)
    project_key: Series[str] = pa.Field(nullable=False, str_matches=r"^[A-Z][A-Z0-9_]*$")
    issue_type: Series[str] = pa.Field(nullable=True)
    status: Series[str] = pa.Field(nullable=True)
    account_id: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1})  # who gets the credit
    story_points: Series[str] = pa.Field(nullable=True, str_matches=DECIMAL)  # not estimated: no points
    created: Series[str] = pa.Field(nullable=True, str_matches=JIRA_INSTANT)
    updated: Series[str] = pa.Field(nullable=True, str_matches=JIRA_INSTANT)
    resolved: Series[str] = pa.Field(nullable=False, str_matches=JIRA_INSTANT)
    source_ref: Series[str] = pa.Field(alias="_source_ref", nullable=False, str_length={"min_value": 1})

    @pa.check("story_points", name="not negative")
    @classmethod
    def _not_negative(cls, s: pd.Series) -> pd.Series:
        return s.isna() | (pd.to_numeric(s, errors="coerce") >= 0)

    class Config:
        strict = True


class JiraWorklogs(pa.DataFrameModel):
    worklog_id: Series[str] = pa.Field(nullable=False, str_matches=DIGITS)
    issue_id: Series[str] = pa.Field(nullable=True, str_matches=DIGITS)
    issue_key: Series[str] = pa.Field(nullable=True, str_matches=ISSUE_KEY)  # null: the issue was not found
    project_key: Series[str] = pa.Field(nullable=True)
    account_id: Series[str] = pa.Field(nullable=True, str_length={"min_value": 1})
    started: Series[str] = pa.Field(nullable=True, str_matches=JIRA_INSTANT)
    time_spent_seconds: Series[str] = pa.Field(nullable=True, str_matches=DIGITS)
    created: Series[str] = pa.Field(nullable=True, str_matches=JIRA_INSTANT)
    updated: Series[str] = pa.Field(nullable=True, str_matches=JIRA_INSTANT)
    updated_time: Series[str] = pa.Field(nullable=False, str_matches=DIGITS)  # epoch ms of the change
    deleted: Series[str] = pa.Field(nullable=False, isin=["true", "false"])
    source_ref: Series[str] = pa.Field(alias="_source_ref", nullable=False, str_length={"min_value": 1})

    @pa.dataframe_check(name="a worklog (not a deletion) has its issue, author, start and time spent")
    @classmethod
    def _complete(cls, df: pd.DataFrame) -> pd.Series:
        required = df[["issue_id", "account_id", "started", "time_spent_seconds"]].notna().all(axis=1)
        return (df["deleted"] == "true") | required

    class Config:
        strict = True


GOAL_SCHEMAS: dict[str, type[pa.DataFrameModel]] = {"jira_goal_issues": JiraGoalIssues}
WORK_SCHEMAS: dict[str, type[pa.DataFrameModel]] = {
    "jira_work_issues": JiraWorkIssues,
    "jira_worklogs": JiraWorklogs,
}
RAW_SCHEMAS: dict[str, type[pa.DataFrameModel]] = {**GOAL_SCHEMAS, **WORK_SCHEMAS}
