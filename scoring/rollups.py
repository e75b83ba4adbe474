"""Team, department and company goal attainment from their members' scored items (domain.md section 2).

A group's attainment aggregates its members' item ratios: weighted by target where every item has the same
unit (200 tickets count twice as much as 100), otherwise by the items' weights (a 1-point CSAT and 200 tickets
cannot be added). With weights that sum to 1 per person, the weight case is the plain mean of the members'
attainments. A metric whose members report it in different units is rolled up by weight and says so: that is
nearly always a data problem (``tickets`` vs ``count``) HR should see, not a silent mix.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from scoring.money import ZERO, round_places

ALL_METRICS = "*"
COMPANY = "company"


class Level(StrEnum):
    TEAM = "team"
    DEPARTMENT = "department"
    COMPANY = "company"


class Weighting(StrEnum):
    TARGET = "target"
    WEIGHT = "weight"


@dataclass(frozen=True)
class ScoredItem:
    """One scored goal item of one employee-week, as ``score_goal_attainment_weekly.items_json`` keeps it."""

    employee_id: str
    metric: str
    unit: str | None
    target: Decimal
    weight: Decimal
    ratio: Decimal
    capped_ratio: Decimal


@dataclass(frozen=True)
class Placement:
    """Where an employee sits in the week being rolled up."""

    team: str | None
    department: str | None


@dataclass(frozen=True)
class RollUp:
    level: Level
    group_id: str
    week_start: date
    metric: str  # ALL_METRICS for the group's overall attainment
    members: int
    items: int
    weighting: Weighting
    attainment: Decimal | None  # from capped ratios, as pay sees it; None when the items carry no weight at all
    attainment_uncapped: Decimal | None
    note: str

    def as_record(self, places: int) -> dict[str, object]:
        return {
            "level": str(self.level),
            "group_id": self.group_id,
            "week_start": self.week_start,
            "metric": self.metric,
            "members": self.members,
            "items": self.items,
            "weighting": str(self.weighting),
            "attainment": None if self.attainment is None else round_places(self.attainment, places),
            "attainment_uncapped": None
            if self.attainment_uncapped is None
            else round_places(self.attainment_uncapped, places),
            "note": self.note,
        }


def aggregate(items: Sequence[ScoredItem]) -> tuple[Decimal, Decimal, Weighting]:
    """(capped, uncapped, weighting) of a set of items: by target when one unit covers them all, else by weight."""
    units = {item.unit for item in items}
    weighting = Weighting.TARGET if len(units) == 1 and None not in units else Weighting.WEIGHT
    factors = [item.target if weighting is Weighting.TARGET else item.weight for item in items]
    total = sum(factors, ZERO)
    if total <= 0:
        raise ValueError(f"cannot roll up {len(items)} items whose {weighting} sums to {total}")
    capped = sum((f * item.capped_ratio for f, item in zip(factors, items, strict=True)), ZERO) / total
    uncapped = sum((f * item.ratio for f, item in zip(factors, items, strict=True)), ZERO) / total
    return capped, uncapped, weighting


def _rollup(level: Level, group_id: str, week: date, metric: str, items: Sequence[ScoredItem]) -> RollUp:
    note = ""
    try:
        capped, uncapped, weighting = aggregate(items)
    except ValueError as error:
        capped, uncapped, weighting, note = None, None, Weighting.WEIGHT, str(error)
    units = sorted({item.unit or "(none)" for item in items})
    if metric != ALL_METRICS and len(units) > 1:
        note = f"units disagree ({', '.join(units)}): rolled up by weight, not by target"
    return RollUp(
        level=level,
        group_id=group_id,
        week_start=week,
        metric=metric,
        members=len({item.employee_id for item in items}),
        items=len(items),
        weighting=weighting,
        attainment=capped,
        attainment_uncapped=uncapped,
        note=note,
    )


def roll_up_week(
    week: date, items: Iterable[ScoredItem], placements: Mapping[str, Placement]
) -> tuple[list[RollUp], list[str]]:
    """Every team, department and the company, overall and per metric; people with no placement come back by id.

    A person with no team still counts in their department and the company (and vice versa for the company).
    """
    groups: dict[tuple[Level, str], list[ScoredItem]] = defaultdict(list)
    unplaced: set[str] = set()
    for item in items:
        placement = placements.get(item.employee_id)
        if placement is None:
            unplaced.add(item.employee_id)
            continue
        groups[(Level.COMPANY, COMPANY)].append(item)
        if placement.department:
            groups[(Level.DEPARTMENT, placement.department)].append(item)
        if placement.team:
            groups[(Level.TEAM, placement.team)].append(item)

    rollups: list[RollUp] = []
    for (level, group_id), members in sorted(groups.items()):
        rollups.append(_rollup(level, group_id, week, ALL_METRICS, members))
        by_metric: dict[str, list[ScoredItem]] = defaultdict(list)
        for item in members:
            by_metric[item.metric].append(item)
        rollups.extend(_rollup(level, group_id, week, metric, by_metric[metric]) for metric in sorted(by_metric))
    return rollups, sorted(unplaced)
