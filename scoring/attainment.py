"""Weekly goal attainment: item ratios, employee attainment, band, bonus, streaks (domain.md section 2).

Two precisions on purpose: bands, streaks and the week-on-week comparison read the attainment as reported
(``goals.reported_places``), so the band a person is told matches the number they see; money reads the exact
attainment, so rounding never moves pay (worked example B pays 602.50, not 602.53).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise

from scoring.money import ZERO, round_money, round_places, to_decimal
from scoring.plan import CurvePoint, GoalRules, Plan

MULTIPLIER_PLACES = 6


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class Band(StrEnum):
    HIGH_PERFORMER = "high_performer"
    EXCEEDED = "exceeded"
    ON_TRACK = "on_track"
    IMPROVING = "improving"
    AT_RISK = "at_risk"


BANDS_WITH_EXTRA_LEAVE = frozenset({Band.HIGH_PERFORMER, Band.EXCEEDED})


class GoalItemError(ValueError):
    """A goal item (or an employee-week of items) that cannot be scored; ``reason`` goes to quarantine."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class GoalItem:
    """One goal row of ``marts.fct_goal_progress_weekly``; numbers may arrive as Decimal, int, str or None."""

    employee_id: str
    week_start: date
    metric: str
    target: Decimal | None
    actual: Decimal | None
    weight: Decimal | None
    direction: str
    unit: str | None = None
    reason_codes: tuple[str, ...] = ()
    days_scheduled: int | None = None  # from the attendance mart; None when the person has no roster that week
    days_on_leave: int | None = None  # approved leave only


@dataclass(frozen=True)
class ItemScore:
    """A goal item with the numbers derived from it, kept so a statement can show its working.

    ``target`` is the target the ratio was taken against: the item's own, or prorated for approved leave
    (``available_share`` < 1, see ``prorated_target``).
    """

    item: GoalItem
    target: Decimal
    actual: Decimal
    weight: Decimal
    ratio: Decimal
    capped_ratio: Decimal
    available_share: Decimal = Decimal(1)


@dataclass(frozen=True)
class WeekAttainment:
    """An earlier week's attainment of one employee (as stored in ``score_goal_attainment_weekly``)."""

    week_start: date
    attainment: Decimal


@dataclass(frozen=True)
class RejectedItem:
    item: GoalItem
    reason: str


@dataclass(frozen=True)
class GoalResult:
    employee_id: str
    week_start: date
    role: str | None
    items: tuple[ItemScore, ...]
    attainment_exact: Decimal
    attainment: Decimal
    attainment_uncapped: Decimal
    previous_attainment: Decimal | None
    band: Band
    payout_multiplier: Decimal
    base_bonus: Decimal
    bonus: Decimal
    extra_leave_hours: Decimal
    streak_weeks: int
    excellence_certificate: bool
    weakest_metric: str
    reason_codes: tuple[str, ...]
    reported_places: int

    def as_record(self) -> dict[str, object]:
        """A flat row for ``scoring.score_goal_attainment_weekly`` (the caller adds plan_version and plan_hash)."""
        places = self.reported_places
        return {
            "employee_id": self.employee_id,
            "week_start": self.week_start,
            "role": self.role,
            "attainment": self.attainment,
            "attainment_uncapped": self.attainment_uncapped,
            "previous_attainment": self.previous_attainment,
            "band": str(self.band),
            "payout_multiplier": round_places(self.payout_multiplier, MULTIPLIER_PLACES),
            "base_bonus": round_money(self.base_bonus),
            "bonus": self.bonus,
            "extra_leave_hours": self.extra_leave_hours,
            "streak_weeks": self.streak_weeks,
            "excellence_certificate": self.excellence_certificate,
            "weakest_metric": self.weakest_metric,
            "reason_codes": ",".join(self.reason_codes),
            "items_json": json.dumps([_item_json(score, places) for score in self.items], ensure_ascii=False),
        }


def _item_json(score: ItemScore, places: int) -> dict[str, object]:
    prorated = {
        "target_before_leave": str(score.item.target),
        "available_share": str(round_places(score.available_share, places)),
    }
    return {
        "metric": score.item.metric,
        "unit": score.item.unit,
        "direction": score.item.direction,
        **(prorated if score.available_share != 1 else {}),
        "target": str(score.target),
        "actual": str(score.actual),
        "weight": str(score.weight),
        "ratio": str(round_places(score.ratio, places)),
        "capped_ratio": str(round_places(score.capped_ratio, places)),
    }


def _number(value: object, what: str) -> Decimal:
    try:
        return to_decimal(value, what)
    except ValueError as error:
        raise GoalItemError(str(error)) from None


def score_item(item: GoalItem, rules: GoalRules) -> ItemScore:
    """Ratio of one item: actual/target, or target/actual when lower is better; capped at ``ratio_cap`` for pay."""
    if not item.employee_id:
        raise GoalItemError("employee_id is missing")
    if item.week_start is None:
        raise GoalItemError("week_start is missing")
    if item.direction not in set(Direction):
        raise GoalItemError(f"direction must be higher_is_better or lower_is_better, got {item.direction!r}")
    target = _number(item.target, "target")
    actual = _number(item.actual, "actual")
    weight = _number(item.weight, "weight")
    if target <= 0:
        raise GoalItemError(f"target must be positive, got {target}: a ratio against it is undefined")
    if actual < 0:
        raise GoalItemError(f"actual must not be negative, got {actual}")
    if weight < 0:
        raise GoalItemError(f"weight must not be negative, got {weight}")
    share = available_share(item, rules)
    target = target * share
    if item.direction == Direction.LOWER_IS_BETTER:
        if actual == 0:
            raise GoalItemError("actual is 0 on a lower-is-better metric: the ratio target/actual is undefined")
        ratio = target / actual
    else:
        ratio = actual / target
    return ItemScore(item, target, actual, weight, ratio, min(ratio, rules.ratio_cap), share)


def available_share(item: GoalItem, rules: GoalRules) -> Decimal:
    """Share of the week the person was available for a prorated volume metric: approved leave days shrink the
    target; unexcused absence never does (it is what the target is meant to notice)."""
    if item.metric not in rules.prorated_metrics or not item.days_scheduled or not item.days_on_leave:
        return Decimal(1)
    if item.days_on_leave >= item.days_scheduled:
        raise GoalItemError(
            f"on approved leave all {item.days_scheduled} scheduled days: there is no target left to prorate"
        )
    return Decimal(item.days_scheduled - item.days_on_leave) / Decimal(item.days_scheduled)


def weighted_attainment(scores: Sequence[ItemScore], capped: bool = True) -> Decimal:
    """sum(weight x ratio) / sum(weight), from the capped ratios (pay) or the uncapped ones (flags)."""
    total_weight = sum((score.weight for score in scores), ZERO)
    if total_weight <= 0:
        raise GoalItemError("the weights of this employee-week's goals sum to 0: attainment is undefined")
    weighted = sum((score.weight * (score.capped_ratio if capped else score.ratio) for score in scores), ZERO)
    return weighted / total_weight


def payout_multiplier(attainment: Decimal, curve: Sequence[CurvePoint]) -> Decimal:
    """The payout curve: 0 below its first point, flat after its last, linear between neighbouring points."""
    if attainment < curve[0].attainment:
        return ZERO
    for left, right in pairwise(curve):
        if attainment <= right.attainment:
            rise = (attainment - left.attainment) * (right.multiplier - left.multiplier)
            return left.multiplier + rise / (right.attainment - left.attainment)
    return curve[-1].multiplier


def band_for(attainment: Decimal, previous: Decimal | None, rules: GoalRules) -> Band:
    """Band of a (reported) attainment; below on_track it is ``improving`` only if it beats last week's."""
    thresholds = rules.band_thresholds
    if attainment >= thresholds.high_performer:
        return Band.HIGH_PERFORMER
    if attainment >= thresholds.exceeded:
        return Band.EXCEEDED
    if attainment >= thresholds.on_track:
        return Band.ON_TRACK
    if previous is not None and attainment > previous:
        return Band.IMPROVING
    return Band.AT_RISK


def streak_length(week_start: date, attainment: Decimal, history: Mapping[date, Decimal], rules: GoalRules) -> int:
    """Consecutive weeks up to and including this one at or above ``streak_threshold``; a missing week breaks it."""
    length = 0
    week, value = week_start, attainment
    while value is not None and value >= rules.streak_threshold:
        length += 1
        week -= timedelta(days=7)
        value = history.get(week)
    return length


def weakest_metric(scores: Sequence[ItemScore]) -> str:
    """The weighted metric with the lowest capped ratio (ties by metric name): the one an improvement note targets."""
    weighted = [score for score in scores if score.weight > 0] or list(scores)
    return min(weighted, key=lambda score: (score.capped_ratio, score.item.metric)).item.metric


def score_employee_week(
    scores: Sequence[ItemScore], role: str | None, history: Sequence[WeekAttainment], rules: GoalRules
) -> GoalResult:
    """Score one employee-week from its already validated items; ``history`` holds earlier weeks' attainments."""
    first = scores[0].item
    places = rules.reported_places
    past = _history_by_week(first.employee_id, history, places)
    exact = weighted_attainment(scores)
    reported = round_places(exact, places)
    previous = past.get(first.week_start - timedelta(days=7))
    band = band_for(reported, previous, rules)
    multiplier = payout_multiplier(exact, rules.payout_curve)
    base = rules.base_bonus(role)
    streak = streak_length(first.week_start, reported, past, rules)
    return GoalResult(
        employee_id=first.employee_id,
        week_start=first.week_start,
        role=role,
        items=tuple(sorted(scores, key=lambda score: score.item.metric)),
        attainment_exact=exact,
        attainment=reported,
        attainment_uncapped=round_places(weighted_attainment(scores, capped=False), places),
        previous_attainment=previous,
        band=band,
        payout_multiplier=multiplier,
        base_bonus=base,
        bonus=round_money(base * multiplier),
        extra_leave_hours=rules.extra_leave_hours if band in BANDS_WITH_EXTRA_LEAVE else ZERO,
        streak_weeks=streak,
        excellence_certificate=streak > 0 and streak % rules.streak_weeks == 0,
        weakest_metric=weakest_metric(scores),
        reason_codes=tuple(sorted({code for score in scores for code in score.item.reason_codes})),
        reported_places=places,
    )


def _history_by_week(employee_id: str, history: Sequence[WeekAttainment], places: int) -> dict[date, Decimal]:
    by_week: dict[date, Decimal] = {}
    for week in history:
        if week.week_start in by_week:
            raise ValueError(f"history of {employee_id} lists week {week.week_start} twice")
        by_week[week.week_start] = round_places(to_decimal(week.attainment, "previous attainment"), places)
    return by_week


def _validated_group(group: Sequence[GoalItem], rules: GoalRules) -> tuple[list[ItemScore], list[RejectedItem]]:
    """Scores of one employee-week's items, or every item rejected if any one of them cannot be scored."""
    repeated = sorted({item.metric for item in group if sum(other.metric == item.metric for other in group) > 1})
    if repeated:
        reason = f"duplicate goal rows: metric {repeated[0]!r} is set more than once for this employee-week"
        return [], [RejectedItem(item, reason) for item in group]
    scores: list[ItemScore] = []
    failures: list[RejectedItem] = []
    for item in group:
        try:
            scores.append(score_item(item, rules))
        except GoalItemError as error:
            failures.append(RejectedItem(item, error.reason))
    if failures:
        first = min(failures, key=lambda failure: (failure.item.metric or "", failure.reason))
        held = f"held back: goal {first.item.metric!r} of the same employee-week was rejected ({first.reason})"
        return [], failures + [RejectedItem(score.item, held) for score in scores]
    try:
        weighted_attainment(scores)
        if rules.weights_must_sum_to_one:
            _require_weights_sum_to_one(scores)
    except GoalItemError as error:
        return [], [RejectedItem(score.item, error.reason) for score in scores]
    return scores, []


def _require_weights_sum_to_one(scores: Sequence[ItemScore]) -> None:
    total = sum((score.weight for score in scores), ZERO)
    if total != 1:
        terms = " + ".join(
            f"{score.item.metric} {score.weight}" for score in sorted(scores, key=lambda s: s.item.metric)
        )
        raise GoalItemError(f"the weights of this employee-week's goals add up to {total}, not 1 ({terms})")


def score_week(
    items: Iterable[GoalItem],
    roles: Mapping[str, str],
    previous: Mapping[str, Sequence[WeekAttainment]],
    plan: Plan,
) -> tuple[list[GoalResult], list[RejectedItem]]:
    """Score every employee-week in ``items``; items that cannot be scored come back with a reason.

    An employee-week with any bad item is held back whole (its good items are rejected too, naming the bad one):
    paying on the remaining goals would silently change the person's attainment. ``previous`` maps an employee
    to earlier weeks' attainments; pass every week back to the last one below the streak threshold so
    certificates are counted right. Roles missing from ``roles`` get the ``default`` bonus base.
    """
    rules = plan.goals
    groups: dict[tuple[str, date], list[GoalItem]] = defaultdict(list)
    for item in items:
        groups[(item.employee_id or "", item.week_start)].append(item)

    results: list[GoalResult] = []
    rejected: list[RejectedItem] = []
    for (employee_id, _week), group in sorted(groups.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        scores, failures = _validated_group(group, rules)
        rejected.extend(failures)
        if not failures:
            history = previous.get(employee_id, ())
            results.append(score_employee_week(scores, roles.get(employee_id), history, rules))
    rejected.sort(key=lambda r: (r.item.employee_id or "", str(r.item.week_start), r.item.metric or "", r.reason))
    return results, rejected
