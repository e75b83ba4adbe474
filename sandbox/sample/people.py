"""The organisation: departments split into teams of 6-12 with a manager, project groups across cities, and the
people's ids in every system (ZK PIN, WeCom user id, Feishu user and open ids, Jira account id, payroll id).

Structure is built department by department, then people are ordered by hire date so ``E000001`` is the
longest-serving employee, as an HRIS numbering would be. ``People`` keeps the integer codes the other topics
work with; its ``frame`` is the ``employees`` table, in the same row order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sandbox.sample import text
from sandbox.sample.config import SampleConfig
from sandbox.sample.contract import CITIES, DEPARTMENTS, ROLES
from sandbox.sample.names import chinese_names, unique_user_ids
from sandbox.sample.randomness import topic_rng, weighted_choice
from sandbox.sample.shifts import DAY_SHIFT, SHIFTS, customer_service_shift


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    share: float
    project_based: bool  # teams belong to project groups, which sit in cities
    city_weights: tuple[float, ...] = ()  # over CITIES, for departments outside project groups


# Same order as contract.DEPARTMENTS and contract.ROLES: department i's people have role i.
DEPARTMENT_SPECS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec("RD", 0.35, project_based=True),
    DepartmentSpec("CSU", 0.12, project_based=True),
    DepartmentSpec("CSV", 0.20, project_based=False, city_weights=(0.25, 0, 0.40, 0.35, 0, 0)),
    DepartmentSpec("DES", 0.08, project_based=False, city_weights=(0.60, 0.25, 0, 0, 0, 0.15)),
    DepartmentSpec("OPS", 0.08, project_based=False, city_weights=(0.60, 0.20, 0, 0, 0, 0.20)),
    DepartmentSpec("FUN", 0.17, project_based=False, city_weights=(0.60, 0.25, 0.15, 0, 0, 0)),
)
RD, CUSTOMER_SUCCESS, CUSTOMER_SERVICE, DESIGN, OPERATIONS, FUNCTIONAL = range(len(DEPARTMENTS))
FUNCTIONAL_AREAS = ("HR", "FIN", "ADM")
VARIABLE_PAY_DEPARTMENTS = (DESIGN, OPERATIONS)
VARIABLE_BASE_RANGE_CNY = (3000, 6000)

PROJECT_GROUP_CITY_WEIGHTS = (0.25, 0.20, 0.15, 0.15, 0.10, 0.15)
PEOPLE_PER_PROJECT_GROUP = 40
REMOTE_PROJECT_GROUP_SHARE = 0.15  # distributed groups check in through WeCom wherever they sit
ZK_OFFICES = ("Shanghai", "Beijing")  # office staff here punch on ZK devices; everyone else uses an app
ZK_OFFICE_CODES = ("SH", "BJ")
ZKBIOTIME_OFFICES = ("Beijing",)  # these devices upload to a ZKBioTime server; the others are read from USB attlogs
APP_SOURCE_BY_CITY = {"Chengdu": "dingtalk", "Shenzhen": "feishu"}  # app punchers elsewhere use WeCom
ATTENDANCE_SOURCE_CODES = ("zk", "wecom", "dingtalk", "feishu")

TEAM_SIZE_MIN, TEAM_SIZE_MAX, TEAM_SIZE_TYPICAL = 6, 12, 9
HIRES_PER_WEEK_SHARE = 0.0015
TERMINATIONS_PER_WEEK_SHARE = 0.0015
NOT_TERMINATED = np.iinfo(np.int32).max  # last employed day offset of people who stay


@dataclass(frozen=True)
class People:
    """The employees table plus aligned integer codes (index i = row i of ``frame``)."""

    frame: pd.DataFrame
    ids: text.TextArray
    team_names: text.TextArray
    department: np.ndarray
    team: np.ndarray  # global team number
    team_rank: np.ndarray  # team number inside the department
    project_group: np.ndarray  # -1 outside project groups
    city: np.ndarray
    office: np.ndarray  # index into ZK_OFFICES for ZK punchers, -1 for app punchers
    is_manager: np.ndarray
    hire_day: np.ndarray  # day offset from start_week (negative: hired before the period)
    last_day: np.ndarray  # last employed day offset, NOT_TERMINATED if staying

    @property
    def size(self) -> int:
        return len(self.department)

    def active_between(self, first_day: int, last_day: int) -> np.ndarray:
        """Employed on every day of ``[first_day, last_day]``."""
        return (self.hire_day <= first_day) & (self.last_day >= last_day)


@dataclass(frozen=True)
class _Structure:
    """Department order: arrays before people are renumbered by hire date."""

    department: np.ndarray
    team: np.ndarray
    team_rank: np.ndarray
    team_names: text.TextArray
    is_manager: np.ndarray
    is_head: np.ndarray
    manager: np.ndarray
    project_group: np.ndarray
    city: np.ndarray
    remote: np.ndarray


def department_sizes(employees: int) -> np.ndarray:
    """Headcount per department from the shares (largest remainder, so sizes add up exactly)."""
    shares = np.array([spec.share for spec in DEPARTMENT_SPECS])
    exact = shares / shares.sum() * employees
    sizes = np.floor(exact).astype(np.int64)
    remainder_order = np.argsort(-(exact - sizes), kind="stable")
    sizes[remainder_order[: employees - sizes.sum()]] += 1
    return sizes


def team_sizes(headcount: int, rng: np.random.Generator) -> np.ndarray:
    """Split a department into teams of 6-12 (smaller only when the whole department is)."""
    count = int(np.clip(round(headcount / TEAM_SIZE_TYPICAL), -(-headcount // TEAM_SIZE_MAX), max(1, headcount // 6)))
    if headcount < TEAM_SIZE_MIN * count:
        return np.array([headcount])
    spare_slots = np.repeat(np.arange(count), TEAM_SIZE_MAX - TEAM_SIZE_MIN)
    extra = rng.permutation(spare_slots)[: headcount - TEAM_SIZE_MIN * count]
    return TEAM_SIZE_MIN + np.bincount(extra, minlength=count)


def _team_names(department: int, ranks: np.ndarray) -> text.TextArray:
    code = DEPARTMENT_SPECS[department].code
    if department != FUNCTIONAL:
        return text.numbered(f"{code}-", ranks + 1, 2)
    areas = text.labels([f"{code}-{area}-" for area in FUNCTIONAL_AREAS])
    return text.concat(text.pick(areas, ranks % len(FUNCTIONAL_AREAS)), text.numbered("", ranks + 1, 2))


def _structure(config: SampleConfig, rng: np.random.Generator) -> _Structure:
    departments, teams, names = [], [], []
    team_department, team_rank_of_team = [], []
    team_offset = 0
    for department, headcount in enumerate(department_sizes(config.employees)):
        sizes = team_sizes(int(headcount), rng)
        team_ids = team_offset + np.arange(len(sizes))
        departments.append(np.full(headcount, department))
        teams.append(np.repeat(team_ids, sizes))
        team_department.append(np.full(len(sizes), department))
        team_rank_of_team.append(np.arange(len(sizes)))
        names.append(_team_names(department, np.arange(len(sizes))))
        team_offset += len(sizes)
    department = np.concatenate(departments)
    team = np.concatenate(teams)
    of_team_department = np.concatenate(team_department)
    of_team_rank = np.concatenate(team_rank_of_team)
    team_names = pd.array(pd.concat([pd.Series(n) for n in names], ignore_index=True), dtype="str")

    index = np.arange(len(team))
    team_first_member = np.searchsorted(team, np.arange(team_offset))
    is_manager = index == team_first_member[team]
    head_of_department = team_first_member[np.searchsorted(of_team_department, np.arange(len(DEPARTMENTS)))]
    is_head = index == head_of_department[department]
    manager = np.where(is_manager, head_of_department[department], team_first_member[team])
    manager[is_head] = -1

    team_group, team_city, team_remote = _place_teams(of_team_department, rng)
    return _Structure(
        department=department,
        team=team,
        team_rank=of_team_rank[team],
        team_names=team_names,
        is_manager=is_manager,
        is_head=is_head,
        manager=manager,
        project_group=team_group[team],
        city=team_city[team],
        remote=team_remote[team],
    )


def _place_teams(team_department: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Project group, city and remote flag per team: project teams take their group's city."""
    team_count = len(team_department)
    project_teams = np.flatnonzero(np.array([spec.project_based for spec in DEPARTMENT_SPECS])[team_department])
    group_count = max(2, round(len(project_teams) * 9 / PEOPLE_PER_PROJECT_GROUP))
    group = np.full(team_count, -1)
    group[project_teams] = rng.permutation(np.arange(len(project_teams)) % group_count)
    group_city = weighted_choice(rng, PROJECT_GROUP_CITY_WEIGHTS, group_count)
    spread = min(group_count, len(CITIES))  # every city hosts a group once there are enough groups
    group_city[:spread] = rng.permutation(len(CITIES))[:spread]
    group_remote = rng.random(group_count) < REMOTE_PROJECT_GROUP_SHARE

    city = np.zeros(team_count, dtype=np.int64)
    for department, spec in enumerate(DEPARTMENT_SPECS):
        own = np.flatnonzero(team_department == department)
        if not spec.project_based:
            city[own] = weighted_choice(rng, spec.city_weights, len(own))
    city[project_teams] = group_city[group[project_teams]]
    remote = np.zeros(team_count, dtype=bool)
    remote[project_teams] = group_remote[group[project_teams]]
    return group, city, remote


def _employment_days(structure: _Structure, config: SampleConfig, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Hire and last-employed day offsets: tenure grows with seniority; a few join or leave inside the period."""
    size = len(structure.department)
    tenure = np.minimum(30 + rng.exponential(900, size), 5000).astype(np.int64)
    tenure = np.where(structure.is_manager, rng.integers(700, 3500, size), tenure)
    tenure = np.where(structure.is_head, rng.integers(1500, 4500, size), tenure)
    hire_day = -tenure
    last_day = np.full(size, NOT_TERMINATED, dtype=np.int64)

    weekdays = np.flatnonzero(np.arange(config.days) % 7 < 5)
    members = rng.permutation(np.flatnonzero(~structure.is_manager))
    hires = max(1, round(size * HIRES_PER_WEEK_SHARE * config.weeks))
    leavers = max(1, round(size * TERMINATIONS_PER_WEEK_SHARE * config.weeks))
    hire_day[members[:hires]] = rng.choice(weekdays[weekdays > 0], hires)
    last_day[members[hires : hires + leavers]] = rng.choice(weekdays[weekdays < config.days - 1], leavers)
    return hire_day, last_day


def build_people(config: SampleConfig, rng: np.random.Generator) -> People:
    structure = _structure(config, rng)
    hire_day, last_day = _employment_days(structure, config, rng)

    order = np.argsort(hire_day, kind="stable")  # E000001 is the earliest hire
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    manager = structure.manager[order]
    manager = np.where(manager >= 0, position[np.maximum(manager, 0)], -1)
    department, team = structure.department[order], structure.team[order]
    team_rank, city = structure.team_rank[order], structure.city[order]
    is_zk = np.isin(city, [CITIES.index(c) for c in ZK_OFFICES]) & ~structure.remote[order]
    office = np.where(is_zk, np.searchsorted(np.array([CITIES.index(c) for c in ZK_OFFICES]), city), -1)

    people = People(
        frame=pd.DataFrame(),
        ids=text.numbered("E", np.arange(1, len(order) + 1), 6),
        team_names=text.pick(structure.team_names, team),
        department=department,
        team=team,
        team_rank=team_rank,
        project_group=structure.project_group[order],
        city=city,
        office=office,
        is_manager=structure.is_manager[order],
        hire_day=hire_day[order],
        last_day=last_day[order],
    )
    frame = _employees_frame(people, manager, config, rng)
    return replace(people, frame=frame)


def _employees_frame(
    people: People, manager: np.ndarray, config: SampleConfig, rng: np.random.Generator
) -> pd.DataFrame:
    size = people.size
    names, pinyin = chinese_names(rng, size)
    is_zk = people.office >= 0
    pin_width = max(5, len(str(size)))
    variable_base_cents = np.where(
        np.isin(people.department, VARIABLE_PAY_DEPARTMENTS),
        rng.integers(VARIABLE_BASE_RANGE_CNY[0] // 100, VARIABLE_BASE_RANGE_CNY[1] // 100 + 1, size) * 100 * 100,
        0,
    )
    payroll_numbers = np.sort(rng.choice(9_000_000, size, replace=False)) + 1_000_000
    shift = np.where(people.department == CUSTOMER_SERVICE, customer_service_shift(people.team_rank, 0), DAY_SHIFT)
    terminated = people.last_day != NOT_TERMINATED
    source = attendance_source_codes(people)
    return pd.DataFrame(
        {
            "employee_id": people.ids,
            "name": names,
            "department": text.pick(text.labels(DEPARTMENTS), people.department),
            "team": people.team_names,
            "project_group": text.keep_where(
                text.numbered("PG-", people.project_group + 1, 2), people.project_group >= 0
            ),
            "city": text.pick(text.labels(CITIES), people.city),
            "role": text.pick(text.labels(ROLES), people.department),
            "manager_id": text.pick(people.ids, manager),
            "hire_date": text.day_timestamps(config.start_week, people.hire_day),
            "termination_date": np.where(
                terminated,
                text.day_timestamps(config.start_week, np.where(terminated, people.last_day, 0)),
                np.datetime64("NaT", "s"),
            ),
            "timezone": text.pick(text.labels([config.timezone]), np.zeros(size, dtype=np.int64)),
            "shift_code": text.pick(text.labels([s.code for s in SHIFTS]), shift),
            "attendance_source": text.pick(text.labels(ATTENDANCE_SOURCE_CODES), source),
            "zk_pin": text.keep_where(text.numbered("", np.cumsum(is_zk), pin_width), is_zk),
            "wecom_userid": unique_user_ids(pinyin),
            "dingtalk_userid": _app_user_ids("dt", source == DINGTALK),
            "feishu_user_id": _app_user_ids("fs", source == FEISHU),
            # Everyone uses Feishu OKR, wherever they punch: their open_id (own stream, so no other column moves).
            "feishu_open_id": text.concat("ou_", text.random_hex(topic_rng(config, "feishu_open_ids"), size, 32)),
            "jira_account_id": text.random_hex(rng, size, 24),
            "payroll_id": text.numbered("PR", payroll_numbers, 7),
            "variable_base": text.decimal_text(variable_base_cents, 2),
        }
    )


def attendance_source_codes(people: People) -> np.ndarray:
    """Index into ATTENDANCE_SOURCE_CODES per person: ZK at a ZK office, else the app their city runs on."""
    app = np.full(people.size, ATTENDANCE_SOURCE_CODES.index("wecom"))
    for city, source in APP_SOURCE_BY_CITY.items():
        app[people.city == CITIES.index(city)] = ATTENDANCE_SOURCE_CODES.index(source)
    return np.where(people.office >= 0, ATTENDANCE_SOURCE_CODES.index("zk"), app)


DINGTALK, FEISHU = ATTENDANCE_SOURCE_CODES.index("dingtalk"), ATTENDANCE_SOURCE_CODES.index("feishu")


def _app_user_ids(prefix: str, users: np.ndarray) -> text.TextArray:
    """``dt000001``-style ids for the people of one app, missing for everyone else."""
    return text.keep_where(text.numbered(prefix, np.cumsum(users), 6), users)


def zk_devices(employees: pd.DataFrame) -> dict[str, list[str]]:
    """Device serials per ZK office (``{"Shanghai": ["ZK-SH-01", ...]}``): 2-6 per office by headcount."""
    punchers = employees.loc[employees["attendance_source"] == "zk", "city"].value_counts()
    devices = {}
    for city, code in zip(ZK_OFFICES, ZK_OFFICE_CODES, strict=True):
        staff = int(punchers.get(city, 0))
        if staff:
            count = int(np.clip(-(-staff // 150), 2, 6))
            devices[city] = [f"ZK-{code}-{n:02d}" for n in range(1, count + 1)]
    return devices


def zkbiotime_devices(employees: pd.DataFrame) -> list[str]:
    """Serials of the devices that upload to the ZKBioTime server instead of being read from USB attlogs."""
    devices = zk_devices(employees)
    return [sn for city in ZKBIOTIME_OFFICES for sn in devices.get(city, [])]
