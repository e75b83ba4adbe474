"""Points redemption requests of the sample company (domain.md §4): people spend activity points on the catalog.

Requests come from people who took part in activities that week. Many ask for more than they hold (8 h of leave
costs 500 points and a week pays at most 200), so the ledger has refusals to show, and one request names the mug
HR has retired from the catalog (``GOODS_MUG_2025`` in plans/default.yaml).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.sample import text
from sandbox.sample.config import SampleConfig
from sandbox.sample.people import People
from sandbox.sample.randomness import topic_rng, weighted_choice

ITEMS = ("LEAVE_8H", "COURSE_ONLINE", "GOODS_GIFT_CARD")
ITEM_WEIGHTS = (0.3, 0.2, 0.5)
RETIRED_ITEM = "GOODS_MUG_2025"
REQUEST_RATE = 0.05  # share of a week's participants who ask for something
WORKDAY_SECONDS = (9 * 3600, 18 * 3600)  # requests are made in office hours, Monday to Friday


def build_redemptions(config: SampleConfig, people: People, activity_events: pd.DataFrame) -> dict[str, pd.DataFrame]:
    rng = topic_rng(config, "redemptions")
    local = pd.DatetimeIndex(activity_events["occurred_at_utc"]).tz_convert(config.timezone).tz_localize(None)
    week_of_event = np.asarray((local - pd.Timestamp(config.start_week)).days // 7)
    actors = activity_events["employee_id"].astype("string").to_numpy()
    index_of = {employee: i for i, employee in enumerate(people.ids.to_numpy())}

    employees, items, seconds = [], [], []
    for week in range(config.weeks):
        participants = sorted({actor for actor in actors[week_of_event == week] if actor in index_of})
        if not participants:
            continue
        count = max(1, round(REQUEST_RATE * len(participants)))
        chosen = rng.choice(len(participants), size=count, replace=False)
        employees.extend(index_of[participants[i]] for i in sorted(chosen))
        items.extend(weighted_choice(rng, ITEM_WEIGHTS, count).tolist())
        days = rng.integers(0, 5, size=count)
        seconds.extend((week * 7 + days) * 86400 + rng.integers(*WORKDAY_SECONDS, size=count))
    # One request for the retired mug, in the last week, from the first person who asked for anything.
    employees.append(employees[0] if employees else 0)
    items.append(len(ITEMS))
    seconds.append(((config.weeks - 1) * 7 + 2) * 86400 + 11 * 3600)

    offsets = np.asarray(seconds, dtype=np.int64)
    order = np.argsort(offsets, kind="stable")
    moments = np.datetime64(config.start_week, "s") + offsets[order].astype("timedelta64[s]")
    requests = pd.DataFrame(
        {
            "request_id": text.numbered("RR-", np.arange(1, len(order) + 1), 6),
            "employee_id": text.pick(people.ids, np.asarray(employees, dtype=np.int64)[order]),
            "item_code": text.pick(text.labels([*ITEMS, RETIRED_ITEM]), np.asarray(items, dtype=np.int64)[order]),
            "requested_at_utc": text.local_to_utc(moments, config.timezone).as_unit("s"),
        }
    )
    return {"redemption_requests": requests}
