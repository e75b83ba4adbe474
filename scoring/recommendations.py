"""Activity recommendations (domain.md section 4): per employee, the activity types most likely to interest them.

The model is a transparent blend HR can read and tune in the plan (``activity_points.recommendations``):

    score(type) = w_own * own share + w_department * department rate + w_company * company rate

- own share: the share of the employee's own participations in the history window that were of this type,
  smoothed with ``own_prior`` pseudo-participations spread evenly over the types (so one quiz is not a verdict,
  and a new joiner's own share is flat and the department decides);
- department rate: on average, the share of the employee's department taking part in this type each week;
- company rate: the same for the whole company (the popularity baseline on its own).

Every recommendation carries its reason with the numbers that made it, and ``hit_rate`` measures the model on
held-out weeks against the popularity-only baseline, so the figure means something.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal

from scoring.plan import ActivityRecommendationRules, RecommendationWeights

JOINING_EVENT_TYPES = frozenset(
    {"challenge_joined", "collaboration_completed", "story_published", "quiz_answered", "survey_answered"}
)
"""Events that mean an employee joined an activity. Liking or commenting on a colleague's story is a reaction,
not joining story sharing (nearly everybody reacts to something, which would make every history look alike)."""

POPULARITY_ONLY = RecommendationWeights(own=Decimal(0), department=Decimal(0), company=Decimal(1))
"""The baseline: company popularity alone, the same top-N for everybody."""

_PLURAL = {
    "challenge": "challenges",
    "collaboration": "collaboration tasks",
    "story": "story sharing",
    "quiz": "quizzes",
    "survey": "surveys",
}


def _plural(activity_type: str) -> str:
    return _PLURAL.get(activity_type, f"{activity_type} activities")


@dataclass(frozen=True)
class Participation:
    """An employee took part in an activity of ``activity_type`` in the ISO week starting ``week_start``."""

    employee_id: str
    department: str
    activity_type: str
    week_start: date


@dataclass(frozen=True)
class OfferedActivity:
    """An activity on offer in the week recommendations are made for."""

    activity_id: str
    activity_type: str
    title: str
    week_start: date


@dataclass(frozen=True)
class Recommendation:
    employee_id: str
    department: str
    week_start: date  # the week recommended for
    rank: int
    activity_type: str
    activity_id: str | None  # set when the week's activities were given
    title: str | None
    score: float
    own_count: int  # the employee's participations of this type in the window
    own_total: int  # all their participations in the window
    own_share: float  # smoothed
    department_rate: float
    company_rate: float
    history_weeks: int  # weeks of history the numbers come from
    reason: str

    def as_record(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class HitRate:
    """How often a held-out week's actual participation was among the recommendations made before it."""

    weeks: tuple[date, ...]
    employee_weeks: int  # employees active in a held-out week (the denominator)
    hits: int
    baseline_hits: int
    top1_hits: int
    baseline_top1_hits: int

    @property
    def rate(self) -> float:
        return self.hits / self.employee_weeks if self.employee_weeks else 0.0

    @property
    def baseline_rate(self) -> float:
        return self.baseline_hits / self.employee_weeks if self.employee_weeks else 0.0

    @property
    def top1_rate(self) -> float:
        return self.top1_hits / self.employee_weeks if self.employee_weeks else 0.0

    @property
    def baseline_top1_rate(self) -> float:
        return self.baseline_top1_hits / self.employee_weeks if self.employee_weeks else 0.0


@dataclass(frozen=True)
class _Window:
    """Counts over the history window before one week, for the employees on the roster."""

    weeks: int
    own: Mapping[str, Counter[str]]
    department_rate: Mapping[str, Mapping[str, float]]
    company_rate: Mapping[str, float]


def _window(
    history: Iterable[Participation], employees: Mapping[str, str], week: date, history_weeks: int
) -> tuple[_Window, set[str]]:
    first = week - timedelta(weeks=history_weeks)
    seen = {(p.employee_id, p.activity_type, p.week_start) for p in history if first <= p.week_start < week}
    weeks = len({w for _, _, w in seen})
    types = {t for _, t, _ in seen}
    own: dict[str, Counter[str]] = defaultdict(Counter)
    by_department: dict[str, Counter[str]] = defaultdict(Counter)
    company: Counter[str] = Counter()
    for employee_id, activity_type, _ in seen:
        if employee_id not in employees:  # left since: not in the rates' denominator either
            continue
        own[employee_id][activity_type] += 1
        by_department[employees[employee_id]][activity_type] += 1
        company[activity_type] += 1
    headcount = Counter(employees.values())
    department_rate = {
        department: {t: counts[t] / (headcount[department] * weeks) for t in counts}
        for department, counts in by_department.items()
    }
    company_rate = {t: company[t] / (len(employees) * weeks) for t in company} if weeks else {}
    return _Window(weeks, own, department_rate, company_rate), types


def _reason(
    activity_type: str, department: str, own_count: int, own_total: int, window: _Window, rates: tuple[float, float]
) -> str:
    department_rate, company_rate = rates
    span = f"in the last {window.weeks} week{'s' if window.weeks != 1 else ''}"
    if own_total:
        mine = f"{own_count} of your {own_total} activities {span} were {_plural(activity_type)}"
    else:
        mine = f"no activities of yours {span}"
    return (
        f"{mine}; each week {department_rate:.0%} of {department} took part in {_plural(activity_type)} "
        f"(company: {company_rate:.0%})"
    )


def recommend_week(
    history: Iterable[Participation],
    employees: Mapping[str, str],
    week: date,
    rules: ActivityRecommendationRules,
    activities: Sequence[OfferedActivity] | None = None,
) -> list[Recommendation]:
    """Top ``rules.top_n`` per employee (``employees``: id -> department) for ``week``, from history before it.

    Without ``activities`` the recommendations are activity types; with the week's activities they are those
    activities (only types on offer, each type's activities in id order).
    """
    window, types = _window(history, employees, week, rules.history_weeks)
    offered: dict[str, list[OfferedActivity]] = defaultdict(list)
    if activities is not None:
        for activity in sorted(activities, key=lambda a: a.activity_id):
            if activity.week_start == week:
                offered[activity.activity_type].append(activity)
        types = set(offered)
    if not types:
        return []
    weights = rules.weights
    w_own, w_department, w_company = float(weights.own), float(weights.department), float(weights.company)
    prior = float(rules.own_prior)
    result: list[Recommendation] = []
    for employee_id in sorted(employees):
        department = employees[employee_id]
        counts = window.own.get(employee_id, Counter())
        total = sum(counts[t] for t in types)
        department_rates = window.department_rate.get(department, {})
        scored = []
        for activity_type in types:
            own_share = (counts[activity_type] + prior / len(types)) / (total + prior) if total + prior else 0.0
            rates = (department_rates.get(activity_type, 0.0), window.company_rate.get(activity_type, 0.0))
            score = w_own * own_share + w_department * rates[0] + w_company * rates[1]
            scored.append((round(score, 9), activity_type, own_share, rates))
        scored.sort(key=lambda s: (-s[0], s[1]))  # ties: alphabetical, so reruns agree
        picks = [
            (entry, activity)
            for entry in scored
            for activity in (offered[entry[1]] if activities is not None else [None])
        ][: rules.top_n]
        for rank, ((score, activity_type, own_share, rates), activity) in enumerate(picks, start=1):
            result.append(
                Recommendation(
                    employee_id=employee_id,
                    department=department,
                    week_start=week,
                    rank=rank,
                    activity_type=activity_type,
                    activity_id=activity.activity_id if activity else None,
                    title=activity.title if activity else None,
                    score=round(score, 6),
                    own_count=counts[activity_type],
                    own_total=total,
                    own_share=round(own_share, 6),
                    department_rate=round(rates[0], 6),
                    company_rate=round(rates[1], 6),
                    history_weeks=window.weeks,
                    reason=_reason(activity_type, department, counts[activity_type], total, window, rates),
                )
            )
    return result


def _roster(history: Sequence[Participation]) -> dict[str, str]:
    """Everyone in the history with their latest department."""
    roster: dict[str, str] = {}
    for p in sorted(history, key=lambda p: p.week_start):
        roster[p.employee_id] = p.department
    return roster


def hit_rate(
    history: Iterable[Participation],
    held_out_weeks: Iterable[date],
    rules: ActivityRecommendationRules,
    employees: Mapping[str, str] | None = None,
) -> HitRate:
    """For each employee active in a held-out week: a hit when a type they joined that week was in their top-N,
    made from the history before that week. The popularity-only baseline is scored the same way."""
    history = list(history)
    roster = dict(employees) if employees is not None else _roster(history)
    baseline_rules = rules.model_copy(update={"weights": POPULARITY_ONLY})
    weeks = tuple(sorted(set(held_out_weeks)))
    employee_weeks = hits = baseline_hits = top1 = baseline_top1 = 0
    for week in weeks:
        joined: dict[str, set[str]] = defaultdict(set)
        for p in history:
            if p.week_start == week and p.employee_id in roster:
                joined[p.employee_id].add(p.activity_type)
        picks = _picks(recommend_week(history, roster, week, rules))
        baseline = _picks(recommend_week(history, roster, week, baseline_rules))
        for employee_id, actual in joined.items():
            employee_weeks += 1
            mine, popular = picks.get(employee_id, []), baseline.get(employee_id, [])
            hits += bool(actual & set(mine))
            baseline_hits += bool(actual & set(popular))
            top1 += bool(mine) and mine[0] in actual
            baseline_top1 += bool(popular) and popular[0] in actual
    return HitRate(weeks, employee_weeks, hits, baseline_hits, top1, baseline_top1)


def _picks(recommendations: Iterable[Recommendation]) -> dict[str, list[str]]:
    picks: dict[str, list[str]] = defaultdict(list)
    for r in recommendations:  # already in rank order per employee
        picks[r.employee_id].append(r.activity_type)
    return picks
