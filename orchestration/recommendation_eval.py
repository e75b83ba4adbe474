"""``hrhub recommendations evaluate``: the recommendation model's hit rate on held-out weeks of the sample company.

The sample is generated in memory (no warehouse, no pipeline), its activity events become participation history
(``scoring.recommendations.JOINING_EVENT_TYPES``, both sides of a completed collaboration), and the last
``holdout`` weeks are predicted from the weeks before each of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from sandbox.sample.config import SampleConfig
from sandbox.sample.generate import generate_sample
from scoring.plan import ActivityRecommendationRules
from scoring.recommendations import JOINING_EVENT_TYPES, HitRate, Participation, hit_rate


def sample_history(tables: dict[str, pd.DataFrame]) -> tuple[list[Participation], dict[str, str]]:
    """Participation rows (employee, department, type, local ISO week) and the roster (id -> department)."""
    employees = tables["employees"]
    roster = dict(zip(employees["employee_id"].astype(str), employees["department"].astype(str), strict=True))
    activities = tables["activities"][["activity_id", "activity_type", "week_start"]]
    # Events for activities not on the calendar are refused by scoring (the sample plants a few): not history.
    events = tables["activity_events"].merge(activities, on="activity_id", how="inner")
    counterparts = events[(events["event_type"] == "collaboration_completed") & events["counterpart_id"].notna()]
    events = events[events["event_type"].isin(JOINING_EVENT_TYPES)]
    columns = ["employee_id", "activity_type", "week_start"]
    as_counterpart = counterparts.drop(columns="employee_id").rename(columns={"counterpart_id": "employee_id"})
    # An activity belongs to its week (the sample's events of a week's activity all fall inside that week).
    actors = pd.concat([events[columns], as_counterpart[columns]]).drop_duplicates()
    history = [
        Participation(str(e), roster.get(str(e), "unknown"), str(t), pd.Timestamp(w).date())
        for e, t, w in actors.itertuples(index=False)
    ]
    return history, roster


@dataclass(frozen=True)
class Evaluation:
    employees: int
    weeks: int
    holdout: int
    seed: int
    result: HitRate


def evaluate(
    employees: int, weeks: int, holdout: int, start_week: date, rules: ActivityRecommendationRules, seed: int = 42
) -> Evaluation:
    if not 1 <= holdout < weeks:
        raise ValueError(f"holdout must be at least 1 and fewer than weeks ({weeks}), got {holdout}")
    config = SampleConfig(seed=seed, employees=employees, weeks=weeks, start_week=start_week)
    tables = generate_sample(config)
    history, roster = sample_history(tables)
    held_out = config.week_starts[-holdout:]
    return Evaluation(employees, weeks, holdout, seed, hit_rate(history, held_out, rules, roster))


def format_evaluation(evaluation: Evaluation, rules: ActivityRecommendationRules) -> str:
    r = evaluation.result
    w = rules.weights
    return "\n".join(
        [
            f"sample company: {evaluation.employees} employees, {evaluation.weeks} weeks (seed {evaluation.seed}); "
            f"held out the last {evaluation.holdout}: {', '.join(d.isoformat() for d in r.weeks)}",
            f"model: own {w.own} + department {w.department} + company {w.company}, own_prior {rules.own_prior}, "
            f"history {rules.history_weeks} weeks, top {rules.top_n}",
            f"employee-weeks scored (active in a held-out week): {r.employee_weeks}",
            f"hit rate, top {rules.top_n}: model {r.rate:.1%} ({r.hits}) vs popularity baseline "
            f"{r.baseline_rate:.1%} ({r.baseline_hits})",
            f"hit rate, top 1: model {r.top1_rate:.1%} ({r.top1_hits}) vs popularity baseline "
            f"{r.baseline_top1_rate:.1%} ({r.baseline_top1_hits})",
        ]
    )
