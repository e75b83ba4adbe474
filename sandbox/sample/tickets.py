"""Helpdesk tickets behind the customer-service agents' ``tickets_resolved`` goals (seed 002: service tools report
tickets handled).

For every ``tickets_resolved`` goal row, exactly ``actual`` tickets are solved by that agent inside that ISO week in
the company time zone, at hours that follow the inquiry curve (the evening peak). Each was opened a few minutes to a
couple of days before it was solved, so some were opened the week before. A few percent more stay unsolved (new,
open, pending or on hold; new ones have no assignee yet): they must never count. ``status`` is as of the end of the
period: solved tickets close four days after they were solved, as helpdesks do. Ticket ids are numbered in the order
the tickets were opened.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.sample import text
from sandbox.sample.config import SampleConfig
from sandbox.sample.demand import HOURLY_SHAPE
from sandbox.sample.randomness import topic_rng, weighted_choice

METRIC = "tickets_resolved"
FIRST_TICKET_NUMBER = 100_001
HANDLING_MEAN_SECONDS = 6 * 3600
HANDLING_SECONDS = (120, 3 * 86_400)
CLOSE_AFTER_SECONDS = 4 * 86_400  # a solved ticket closes this long after it was solved
UNSOLVED_SHARE = 0.04  # unsolved tickets per solved ticket of the agent's week
UNSOLVED_STATUSES = ("new", "open", "pending", "hold")
UNSOLVED_WEIGHTS = (0.2, 0.45, 0.25, 0.1)


def _local_seconds_in_week(rng: np.random.Generator, size: int) -> np.ndarray:
    """Seconds after Monday 00:00 local: any day, at an hour drawn from the inquiry curve."""
    day = rng.integers(0, 7, size)
    hour = weighted_choice(rng, HOURLY_SHAPE, size)
    return day * 86_400 + hour * 3600 + rng.integers(0, 3600, size)


def _utc(local: np.ndarray, timezone: str) -> np.ndarray:
    """Naive local wall times -> naive UTC ``datetime64[s]`` (the arithmetic below stays in numpy)."""
    return text.local_to_utc(local, timezone).tz_localize(None).as_unit("s").to_numpy()


def build_tickets(config: SampleConfig, goals: pd.DataFrame) -> pd.DataFrame:
    """The ``service_tickets`` table for the ``goals`` table of the same config."""
    rng = topic_rng(config, "tickets")
    resolved = goals[goals["metric"] == METRIC]
    agents, agent_ids = pd.factorize(resolved["employee_id"], sort=True)  # codes; -1 will mean nobody assigned
    weeks = resolved["week_start"].to_numpy(dtype="datetime64[s]")
    counts = resolved["actual"].astype("int64").to_numpy()

    solved_local = np.repeat(weeks, counts) + _local_seconds_in_week(rng, int(counts.sum())).astype("timedelta64[s]")
    solved = _utc(solved_local, config.timezone)
    handling = np.clip(rng.exponential(HANDLING_MEAN_SECONDS, len(solved)), *HANDLING_SECONDS).astype(np.int64)
    period_end = _utc(np.array([np.datetime64(config.end_exclusive, "s")]), config.timezone)[0]
    closed = solved <= period_end - np.timedelta64(CLOSE_AFTER_SECONDS, "s")

    unsolved_counts = rng.binomial(counts, UNSOLVED_SHARE)
    opened_seconds = _local_seconds_in_week(rng, int(unsolved_counts.sum())).astype("timedelta64[s]")
    opened_local = np.repeat(weeks, unsolved_counts) + opened_seconds
    unsolved_status = weighted_choice(rng, UNSOLVED_WEIGHTS, len(opened_local))  # 0 = new: nobody assigned yet
    unsolved_agents = np.repeat(agents, unsolved_counts)

    statuses = ("solved", "closed", *UNSOLVED_STATUSES)
    status = np.concatenate([closed.astype(np.int64), 2 + unsolved_status])
    agent = np.concatenate([np.repeat(agents, counts), np.where(unsolved_status == 0, -1, unsolved_agents)])
    created = np.concatenate([solved - handling.astype("timedelta64[s]"), _utc(opened_local, config.timezone)])
    solved_at = np.concatenate([solved, np.full(len(opened_local), np.datetime64("NaT", "s"))])
    order = np.lexsort((agent, solved_at.view(np.int64), created.view(np.int64)))  # by opening time
    return pd.DataFrame(
        {
            "ticket_id": text.integer_text(FIRST_TICKET_NUMBER + np.arange(len(order))),
            "employee_id": text.pick(text.labels(np.asarray(agent_ids, dtype=str)), agent[order]),
            "status": text.pick(text.labels(statuses), status[order]),
            "created_at_utc": pd.DatetimeIndex(created[order]).tz_localize("UTC"),
            "solved_at_utc": pd.DatetimeIndex(solved_at[order]).tz_localize("UTC"),
        }
    )
