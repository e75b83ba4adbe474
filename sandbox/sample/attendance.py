"""Rosters, leave and punches: the raw material of the attendance rules (seed 003).

Every rostered shift gets one outcome, drawn for all shifts at once: approved leave (in blocks of 1-3 rostered
days), unexcused absence, or presence with punches; present shifts may start late, end early or run over,
lose their check-out punch or carry a duplicate check-in. Night and evening shifts end the next day. One
Shanghai ZK device's clock runs a few minutes fast, and one employee is rostered over 40 h in one week: both are
planted findings, reported in ``meta.json`` so tests and demos can look for them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.sample import text
from sandbox.sample.config import SampleConfig
from sandbox.sample.people import (
    ATTENDANCE_SOURCE_CODES,
    CUSTOMER_SERVICE,
    ZK_OFFICES,
    People,
    attendance_source_codes,
    zk_devices,
)
from sandbox.sample.randomness import topic_rng
from sandbox.sample.shifts import (
    DAY_SHIFT,
    END_OFFSET_MINUTE,
    PAID_MINUTES,
    SHIFTS,
    START_MINUTE,
    customer_service_shift,
    customer_service_works,
    shifts_table,
)

MAX_WEEKLY_SCHEDULED_HOURS = 40
LEAVE_BLOCK_START_RATE = 0.017  # x mean block length 1.8 days ~ 3% of rostered shifts on approved leave
LEAVE_BLOCK_LENGTH_WEIGHTS = (0.45, 0.30, 0.25)
SICK_LEAVE_SHARE = 0.3
ABSENT_RATE = 0.015
LATE_RATE = 0.06
OVERTIME_RATE = 0.08
EARLY_LEAVE_RATE = 0.01
MISSING_CHECKOUT_RATE = 0.01
DUPLICATE_PUNCH_RATE = 0.03
MINUTE = 60


@dataclass(frozen=True)
class DeviceClockSkew:
    device_sn: str
    minutes: int


@dataclass(frozen=True)
class Attendance:
    tables: dict[str, pd.DataFrame]  # shifts, roster, leave, punches
    rostered_days: np.ndarray  # (employees, weeks)
    unavailable_days: np.ndarray  # absent or on leave, (employees, weeks)
    clock_skew: DeviceClockSkew | None


@dataclass(frozen=True)
class _Roster:
    employee: np.ndarray
    day: np.ndarray
    shift: np.ndarray


def device_clock_skew(config: SampleConfig, devices: dict[str, list[str]]) -> DeviceClockSkew | None:
    """The one device whose clock runs fast: a Shanghai device when there is one, 4-8 minutes."""
    rng = topic_rng(config, "device_clock")
    office = next((city for city in ZK_OFFICES if devices.get(city)), None)
    if office is None:
        return None
    serials = devices[office]
    return DeviceClockSkew(serials[int(rng.integers(len(serials)))], int(rng.integers(4, 9)))


def _roster(config: SampleConfig, people: People, rng: np.random.Generator) -> _Roster:
    day = np.arange(config.days)
    weekday, week = day % 7, day // 7
    customer_service = (people.department == CUSTOMER_SERVICE)[:, None]
    team_rank = people.team_rank[:, None]
    works = np.where(customer_service, customer_service_works(team_rank, weekday[None, :]), weekday[None, :] < 5)
    works &= (people.hire_day[:, None] <= day) & (people.last_day[:, None] >= day)
    shift = np.where(customer_service, customer_service_shift(team_rank, week[None, :]), DAY_SHIFT)

    # The planted roster-rule violation: one office employee also works the Saturday of one week (48 h).
    candidates = np.flatnonzero(~customer_service[:, 0] & ~people.is_manager & people.active_between(0, day[-1]))
    violator = candidates[rng.integers(len(candidates))]
    works[violator, 7 * rng.integers(config.weeks) + 5] = True

    employee, work_day = np.nonzero(works)
    return _Roster(employee=employee, day=work_day, shift=shift[employee, work_day])


def _leave_blocks(roster: _Roster, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Per roster row: on approved leave, and whether it is sick leave (decided once per block)."""
    size = len(roster.employee)
    starts = rng.random(size) < LEAVE_BLOCK_START_RATE
    length = 1 + rng.choice(len(LEAVE_BLOCK_LENGTH_WEIGHTS), size, p=LEAVE_BLOCK_LENGTH_WEIGHTS)
    sick_block = rng.random(size) < SICK_LEAVE_SHARE
    on_leave = np.zeros(size, dtype=bool)
    sick = np.zeros(size, dtype=bool)
    for lag in reversed(range(len(LEAVE_BLOCK_LENGTH_WEIGHTS))):  # the latest block start wins on overlap
        covers = starts[: size - lag] & (length[: size - lag] > lag)
        covers &= roster.employee[: size - lag] == roster.employee[lag:]  # consecutive shifts of one person
        on_leave[lag:] |= covers
        sick[lag:] = np.where(covers, sick_block[: size - lag], sick[lag:])
    return on_leave, sick


def _punch_times(starts: np.ndarray, ends: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Check-in and check-out instants (local seconds) for present shifts, plus which check-outs are missing
    and which check-ins are duplicated (and when)."""
    size = len(starts)
    late = rng.random(size) < LATE_RATE
    check_in = starts + np.where(
        late, rng.integers(6 * MINUTE, 40 * MINUTE + 1, size), -rng.integers(0, 10 * MINUTE + 1, size)
    )
    leaving = rng.random(size)
    out_offset = np.select(
        [leaving < OVERTIME_RATE, leaving < OVERTIME_RATE + EARLY_LEAVE_RATE],
        # Overtime stays inside the plan's 60-minute punch window after the shift: a later check-out is not paid.
        [rng.integers(21 * MINUTE, 60 * MINUTE + 1, size), -rng.integers(10 * MINUTE, 60 * MINUTE + 1, size)],
        rng.integers(0, 20 * MINUTE + 1, size),
    )
    has_check_out = rng.random(size) >= MISSING_CHECKOUT_RATE
    duplicated = rng.random(size) < DUPLICATE_PUNCH_RATE
    duplicate_time = check_in + rng.integers(5, 51, size)
    return check_in, ends + out_offset, has_check_out, duplicated, duplicate_time


def _punches(
    config: SampleConfig, people: People, roster: _Roster, present: np.ndarray, skew: DeviceClockSkew | None
) -> pd.DataFrame:
    rng = topic_rng(config, "punches")
    employee, day, shift = roster.employee[present], roster.day[present], roster.shift[present]
    midnight = day.astype(np.int64) * 86_400
    check_in, check_out, has_out, duplicated, duplicate_time = _punch_times(
        midnight + START_MINUTE[shift] * MINUTE, midnight + END_OFFSET_MINUTE[shift] * MINUTE, rng
    )
    who = np.concatenate([employee, employee[has_out], employee[duplicated]])
    when = np.concatenate([check_in, check_out[has_out], duplicate_time[duplicated]])
    state = np.concatenate([np.zeros(len(employee)), np.ones(has_out.sum()), np.zeros(duplicated.sum())])

    devices = zk_devices(people.frame)
    serials = [sn for city in ZK_OFFICES for sn in devices.get(city, [])]
    office_first = np.cumsum([0] + [len(devices.get(city, [])) for city in ZK_OFFICES])
    office = people.office[who]
    at_office = office >= 0
    device_count = np.where(at_office, office_first[office + 1] - office_first[np.maximum(office, 0)], 1)
    entrance = (rng.random(len(who)) * device_count).astype(np.int64)  # any device of the office
    device = np.where(at_office, office_first[np.maximum(office, 0)] + entrance, -1)
    if skew is not None:
        when = when + np.where(device == serials.index(skew.device_sn), skew.minutes * MINUTE, 0)

    order = np.lexsort((state, when, who))
    who, when, state, device = who[order], when[order], state[order], device[order]
    return pd.DataFrame(
        {
            "employee_id": text.pick(people.ids, who),
            "source": text.pick(text.labels(ATTENDANCE_SOURCE_CODES), attendance_source_codes(people)[who]),
            "device_sn": text.pick(text.labels(serials or [""]), device),
            "punch_time_local": np.datetime64(config.start_week, "s") + when.astype("timedelta64[s]"),
            "punch_state": state.astype(np.int64),
        }
    )


def _per_employee_week(roster: _Roster, mask: np.ndarray, config: SampleConfig, employees: int) -> np.ndarray:
    key = roster.employee[mask] * config.weeks + roster.day[mask] // 7
    return np.bincount(key, minlength=employees * config.weeks).reshape(employees, config.weeks)


def build_attendance(config: SampleConfig, people: People) -> Attendance:
    roster = _roster(config, people, topic_rng(config, "roster"))
    absence_rng = topic_rng(config, "absence")
    on_leave, sick = _leave_blocks(roster, absence_rng)
    absent = ~on_leave & (absence_rng.random(len(roster.employee)) < ABSENT_RATE)
    present = ~on_leave & ~absent
    skew = device_clock_skew(config, zk_devices(people.frame))

    roster_frame = pd.DataFrame(
        {
            "employee_id": text.pick(people.ids, roster.employee),
            "work_date": text.day_timestamps(config.start_week, roster.day),
            "shift_code": text.pick(text.labels([s.code for s in SHIFTS]), roster.shift),
        }
    )
    leave_frame = pd.DataFrame(
        {
            "employee_id": text.pick(people.ids, roster.employee[on_leave]),
            "leave_date": text.day_timestamps(config.start_week, roster.day[on_leave]),
            "hours": text.decimal_text(PAID_MINUTES[roster.shift[on_leave]] // 6, 1),  # tenths of an hour
            "leave_type": text.pick(text.labels(["annual", "sick"]), sick[on_leave].astype(np.int64)),
            "status": text.pick(text.labels(["approved"]), np.zeros(on_leave.sum(), dtype=np.int64)),
        }
    )
    return Attendance(
        tables={
            "shifts": shifts_table(),
            "roster": roster_frame,
            "leave": leave_frame,
            "punches": _punches(config, people, roster, present, skew),
        },
        rostered_days=_per_employee_week(roster, np.ones(len(roster.employee), dtype=bool), config, people.size),
        unavailable_days=_per_employee_week(roster, ~present, config, people.size),
        clock_skew=skew,
    )


def scheduled_hours_by_week(roster: pd.DataFrame, shifts: pd.DataFrame) -> pd.DataFrame:
    """Scheduled (paid) hours per employee and ISO week, from the roster and shift tables."""

    def minutes(hhmm: pd.Series) -> np.ndarray:
        return (hhmm.str.slice(0, 2).astype(int) * 60 + hhmm.str.slice(3, 5).astype(int)).to_numpy()

    start, end = minutes(shifts["start_time"]), minutes(shifts["end_time"])
    paid = np.where(end > start, end, end + 24 * 60) - start - shifts["break_minutes"].to_numpy()
    paid_minutes = pd.Series(paid, index=shifts["shift_code"].to_numpy())
    week_start = roster["work_date"] - pd.to_timedelta(roster["work_date"].dt.day_of_week, unit="D")
    hours = roster["shift_code"].map(paid_minutes).to_numpy() / 60
    return (
        pd.DataFrame({"employee_id": roster["employee_id"], "week_start": week_start, "scheduled_hours": hours})
        .groupby(["employee_id", "week_start"], as_index=False, sort=True)["scheduled_hours"]
        .sum()
    )


def roster_rule_violations(roster: pd.DataFrame, shifts: pd.DataFrame) -> pd.DataFrame:
    """Employee-weeks rostered over the 40 h weekly limit."""
    hours = scheduled_hours_by_week(roster, shifts)
    return hours[hours["scheduled_hours"] > MAX_WEEKLY_SCHEDULED_HOURS].reset_index(drop=True)
