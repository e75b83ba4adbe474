"""Customer-service demand and the plans around it (seed 003): hourly inquiries, the promotion calendar and
flexible-shift requests.

Inquiries follow a daily curve that peaks in the evening (20:00-22:00), busier towards the weekend, scaled to
the customer-service headcount so the rota's evening staff run at about 70% of their capacity (12 inquiries
per agent-hour); promotions lift the days they cover. The desk is closed 06:00-07:00, the one hour
no shift of the rota covers (``NIGHT`` ends at 06:00, ``EARLY`` starts at 07:00). The calendar holds a short
members' day sale inside the period and a 618-style pre-sale (+40%) in the week right after it, so a staffing
forecast for that week has something to recommend. A few percent of staff ask each week for a flexible shift
in the following week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from sandbox.sample import text
from sandbox.sample.config import SampleConfig
from sandbox.sample.people import CUSTOMER_SERVICE, People
from sandbox.sample.randomness import topic_rng

# Share of the evening peak per local hour (index = hour of day); 06:00-07:00 is closed.
HOURLY_SHAPE = np.array(
    [
        0.42, 0.28, 0.18, 0.12, 0.10, 0.10, 0.00, 0.20,
        0.30, 0.36, 0.40, 0.40, 0.38, 0.45, 0.50, 0.52,
        0.58, 0.64, 0.74, 0.86, 1.00, 1.00, 0.78, 0.58,
    ]
)  # fmt: skip
WEEKDAY_FACTOR = np.array([0.96, 0.95, 0.96, 0.98, 1.03, 1.07, 1.05])  # Monday first
PEAK_INQUIRIES_PER_AGENT = 3.0  # evening-peak inquiries per hour, per customer-service employee
NOISE_SHAPE = 150.0  # gamma day-hour noise around the curve (about 8%), then Poisson counts

PRESALE_UPLIFT = "0.40"
MEMBERS_DAY_UPLIFT = "0.20"

SHIFT_REQUEST_RATE = 0.03  # share of staff asking for a flexible shift in a given week
OFFICE_FLEX_SHIFTS = ("EARLY", "LATE")
SERVICE_FLEX_SHIFTS = ("EARLY", "LATE", "EVENING", "NIGHT")
SUBMIT_HOURS = (9, 18)  # requests are filed in office hours, Monday to Friday


@dataclass(frozen=True)
class Promotion:
    promotion_id: str
    name: str
    start: date
    end: date  # inclusive
    uplift: str  # decimal text, e.g. "0.40"


def promotion_calendar(config: SampleConfig) -> tuple[Promotion, ...]:
    """A members' day sale (Friday-Saturday of the middle week) and the pre-sale the week after the period."""
    middle_week = config.start_week + timedelta(days=7 * ((config.weeks - 1) // 2))
    presale_start = config.end_exclusive
    return (
        Promotion("PROMO-01", "会员日闪购", middle_week + timedelta(days=4), middle_week + timedelta(days=5),
                  MEMBERS_DAY_UPLIFT),
        Promotion("PROMO-02", "618年中大促预售", presale_start, presale_start + timedelta(days=6), PRESALE_UPLIFT),
    )  # fmt: skip


def _promotions_frame(promotions: tuple[Promotion, ...]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "promotion_id": text.labels([p.promotion_id for p in promotions]),
            "name": text.labels([p.name for p in promotions]),
            "start_date": np.array([np.datetime64(p.start, "s") for p in promotions], dtype="datetime64[s]"),
            "end_date": np.array([np.datetime64(p.end, "s") for p in promotions], dtype="datetime64[s]"),
            "uplift": text.labels([p.uplift for p in promotions]),
        }
    )


def _daily_uplift(config: SampleConfig, promotions: tuple[Promotion, ...]) -> np.ndarray:
    """Per day of the period, the summed uplift of the promotions covering it."""
    days = config.start_week + np.arange(config.days) * timedelta(days=1)
    uplift = np.zeros(config.days)
    for promotion in promotions:
        covered = np.array([promotion.start <= day <= promotion.end for day in days])
        uplift += np.where(covered, float(promotion.uplift), 0.0)
    return uplift


def _inquiries(config: SampleConfig, people: People, promotions: tuple[Promotion, ...]) -> pd.DataFrame:
    rng = topic_rng(config, "inquiries")
    agents = max(1, int((people.department == CUSTOMER_SERVICE).sum()))
    day = np.arange(config.days)
    mean = (
        PEAK_INQUIRIES_PER_AGENT
        * agents
        * (WEEKDAY_FACTOR[day % 7] * (1 + _daily_uplift(config, promotions)))[:, None]
        * HOURLY_SHAPE[None, :]
    )
    noisy = mean * rng.gamma(NOISE_SHAPE, 1 / NOISE_SHAPE, mean.shape)
    hours = np.arange(config.days * 24)
    return pd.DataFrame(
        {
            "hour_start_local": np.datetime64(config.start_week, "s") + hours * np.timedelta64(3600, "s"),
            "inquiries": rng.poisson(noisy).reshape(-1).astype(np.int64),
        }
    )


def _shift_requests(config: SampleConfig, people: People) -> pd.DataFrame:
    """Per week of the period, a few percent of the people employed then ask for a shift in the next week."""
    rng = topic_rng(config, "shift_requests")
    asks = rng.random((people.size, config.weeks)) < SHIFT_REQUEST_RATE
    submit_day = 7 * np.arange(config.weeks)[None, :] + rng.integers(0, 5, asks.shape)
    next_monday = 7 * (np.arange(config.weeks) + 1)[None, :]
    asks &= (people.hire_day[:, None] <= submit_day) & (people.last_day[:, None] >= next_monday)
    employee, week = np.nonzero(asks)
    day = submit_day[employee, week]
    second = rng.integers(SUBMIT_HOURS[0] * 3600, SUBMIT_HOURS[1] * 3600, len(employee))
    local = np.datetime64(config.start_week, "s") + (day.astype(np.int64) * 86_400 + second).astype("timedelta64[s]")
    service = people.department[employee] == CUSTOMER_SERVICE
    choice = rng.integers(0, len(SERVICE_FLEX_SHIFTS), len(employee))
    shift = np.where(service, choice, choice % len(OFFICE_FLEX_SHIFTS))  # office shifts are a prefix
    order = np.lexsort((employee, local))
    employee, week, local, service, shift = (a[order] for a in (employee, week, local, service, shift))
    return pd.DataFrame(
        {
            "request_id": text.numbered("FS", np.arange(1, len(employee) + 1), 6),
            "employee_id": text.pick(people.ids, employee),
            "week_start": text.day_timestamps(config.start_week, 7 * (week + 1)),
            "requested_shift_code": text.pick(text.labels(SERVICE_FLEX_SHIFTS), shift),
            "submitted_at_utc": text.local_to_utc(local, config.timezone).as_unit("s"),
        }
    )


def build_demand(config: SampleConfig, people: People) -> dict[str, pd.DataFrame]:
    """The ``cs_inquiries``, ``promotions`` and ``shift_requests`` tables."""
    promotions = promotion_calendar(config)
    return {
        "cs_inquiries": _inquiries(config, people, promotions),
        "promotions": _promotions_frame(promotions),
        "shift_requests": _shift_requests(config, people),
    }
