"""Shift definitions and the customer-service rotation, shared by the people and attendance topics.

Times are minutes after the work date's midnight; a shift whose end is not after its start ends the next day
(``EVENING`` ends at 24:00, shown as ``00:00``; ``NIGHT`` runs 22:00-06:00) and belongs to its start date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.sample import text

MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class ShiftSpec:
    code: str
    start_minute: int
    end_minute: int
    break_minutes: int

    @property
    def end_offset_minutes(self) -> int:
        """End as minutes after the work date's midnight (past 1440 when the shift ends the next day)."""
        return self.end_minute if self.end_minute > self.start_minute else self.end_minute + MINUTES_PER_DAY

    @property
    def paid_minutes(self) -> int:
        return self.end_offset_minutes - self.start_minute - self.break_minutes


SHIFTS: tuple[ShiftSpec, ...] = (
    ShiftSpec("DAY", 9 * 60, 18 * 60, 60),
    ShiftSpec("EARLY", 7 * 60, 16 * 60, 60),
    ShiftSpec("LATE", 13 * 60, 22 * 60, 60),
    ShiftSpec("EVENING", 16 * 60, 0, 60),
    ShiftSpec("NIGHT", 22 * 60, 6 * 60, 60),
)
SHIFT_INDEX = {spec.code: i for i, spec in enumerate(SHIFTS)}
DAY_SHIFT = SHIFT_INDEX["DAY"]
NIGHT_SHIFT = SHIFT_INDEX["NIGHT"]
# Customer-service teams rotate weekly, backwards through this order, so every change leaves >= 9 h of rest.
CUSTOMER_SERVICE_ROTATION = np.array([SHIFT_INDEX[c] for c in ("EARLY", "LATE", "EVENING", "NIGHT")])
WORK_DAYS_PER_WEEK = 5

START_MINUTE = np.array([s.start_minute for s in SHIFTS])
END_OFFSET_MINUTE = np.array([s.end_offset_minutes for s in SHIFTS])
PAID_MINUTES = np.array([s.paid_minutes for s in SHIFTS])


def customer_service_shift(team_rank: np.ndarray, week: np.ndarray | int) -> np.ndarray:
    """Shift index a customer-service team works in a given week of the period."""
    return CUSTOMER_SERVICE_ROTATION[(np.asarray(team_rank) - np.asarray(week)) % len(CUSTOMER_SERVICE_ROTATION)]


def customer_service_works(team_rank: np.ndarray, weekday: np.ndarray) -> np.ndarray:
    """Two consecutive rest days per week, staggered by team so every day (weekends too) is covered."""
    first_rest_day = (np.asarray(team_rank) * 2) % 7
    return (np.asarray(weekday) - first_rest_day) % 7 >= 7 - WORK_DAYS_PER_WEEK


def shifts_table() -> pd.DataFrame:
    def hhmm(minute: int) -> str:
        return f"{minute // 60 % 24:02d}:{minute % 60:02d}"

    return pd.DataFrame(
        {
            "shift_code": text.labels([s.code for s in SHIFTS]),
            "start_time": text.labels([hhmm(s.start_minute) for s in SHIFTS]),
            "end_time": text.labels([hhmm(s.end_minute) for s in SHIFTS]),
            "break_minutes": np.array([s.break_minutes for s in SHIFTS], dtype=np.int64),
        }
    )
