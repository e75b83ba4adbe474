"""What a ``raw.jira_goal_issues`` row must look like (failures are quarantined).

A goal without an assignee cannot be credited to anyone, so ``account_id`` is required; numbers must parse as
decimals (weights and targets positive) and the goal week must be a Monday-keyed ``YYYY-MM-DD`` date.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

DIRECTIONS = ["higher_is_better", "lower_is_better"]
DECIMAL = r"^-?\d+(\.\d+)?$"
ISO_DATE = r"^\d{4}-[01]\d-[0-3]\d$"
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


RAW_SCHEMAS: dict[str, type[pa.DataFrameModel]] = {"jira_goal_issues": JiraGoalIssues}
