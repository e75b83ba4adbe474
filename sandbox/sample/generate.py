"""Assemble the sample company: every table of the contract, from one config, topic by topic."""

from __future__ import annotations

import pandas as pd

from sandbox.sample.activities import build_activities
from sandbox.sample.attendance import build_attendance
from sandbox.sample.catalog import build_catalog
from sandbox.sample.config import SampleConfig
from sandbox.sample.contract import TABLE_COLUMNS
from sandbox.sample.demand import build_demand
from sandbox.sample.feedback import build_feedback
from sandbox.sample.goals import build_goals
from sandbox.sample.jira_work import build_jira_work
from sandbox.sample.okrs import build_okrs
from sandbox.sample.orders import build_orders
from sandbox.sample.people import build_people
from sandbox.sample.randomness import topic_rng
from sandbox.sample.redemptions import build_redemptions
from sandbox.sample.tickets import build_tickets
from sandbox.sample.traffic import build_traffic
from sandbox.sample.training import build_training


def generate_sample(config: SampleConfig) -> dict[str, pd.DataFrame]:
    """Table name -> frame, with exactly the contract's tables and columns (see ``sandbox.sample`` for dtypes)."""
    people = build_people(config, topic_rng(config, "people"))
    attendance = build_attendance(config, people)
    okrs = build_okrs(config, people)
    catalog = build_catalog(config, people)
    traffic = build_traffic(config, catalog)
    tables = {
        "employees": people.frame,
        **attendance.tables,
        "goals": build_goals(config, people, attendance, okrs.team_week_objectives),
        **okrs.tables,
        **catalog.tables,
        **traffic.tables,
        **build_orders(config, catalog, traffic),
        **build_activities(config, people),
        **build_demand(config, people),
    }
    tables["service_tickets"] = build_tickets(config, tables["goals"])
    tables.update(build_jira_work(config, people, tables["goals"]))
    tables.update(build_redemptions(config, people, tables["activity_events"]))
    tables.update(build_feedback(config, people, tables["activities"], tables["activity_events"]))
    tables.update(build_training(config, tables["activities"], tables["activity_events"]))
    return {name: tables[name][list(columns)] for name, columns in TABLE_COLUMNS.items()}
