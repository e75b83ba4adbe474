"""The versioned incentive plan: every number that scores people or moves money, loaded from YAML.

HR edits the plan file, not code. Loading is strict on purpose: an unknown key is usually a typo that would
otherwise silently fall back to a default, and weights that do not sum to 1 would quietly change everybody's pay.
Each problem is reported with its path in the file (``goals.payout_curve[2].attainment: ...``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from scoring.money import to_decimal

DEFAULT_PLANS_DIR = Path(__file__).resolve().parents[1] / "plans"
"""The plan history: one file per version (``HRHUB_PLAN_PATH`` defaults to this folder)."""
DEFAULT_PLAN_PATH = DEFAULT_PLANS_DIR / "default.yaml"
"""The first version of the plan."""


class PlanError(ValueError):
    """The plan file cannot be used; ``problems`` lists each one as ``path: what is wrong``."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source} is not a valid plan:\n" + "\n".join(f"  - {p}" for p in problems))


def _plan_decimal(value: object) -> Decimal:
    try:
        return to_decimal(value, "value")
    except ValueError as error:
        raise ValueError(str(error).removeprefix("value ")) from None


PlanDecimal = Annotated[Decimal, BeforeValidator(_plan_decimal)]
NonNegativeDecimal = Annotated[PlanDecimal, Field(ge=0)]
PositiveDecimal = Annotated[PlanDecimal, Field(gt=0)]
Fraction = Annotated[PlanDecimal, Field(ge=0, le=1)]
Count = Annotated[StrictInt, Field(ge=0)]
ClockTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]  # HH:MM, company-local
PositiveCount = Annotated[StrictInt, Field(gt=0)]
ComponentCode = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$")]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _require_sum_of_one(weights: dict[str, Decimal]) -> None:
    total = sum(weights.values(), Decimal(0))
    if total != 1:
        terms = " + ".join(f"{name} {value}" for name, value in weights.items())
        raise ValueError(f"weights must sum to 1, got {total} ({terms})")


class _Weights(_Section):
    """A set of weights that must sum to exactly 1."""

    @model_validator(mode="after")
    def _sum_to_one(self) -> _Weights:
        _require_sum_of_one({name: getattr(self, name) for name in type(self).model_fields})
        return self


class AttendanceRules(_Section):
    duplicate_window_seconds: Count
    punch_window_before_minutes: Count
    punch_window_after_minutes: Count
    late_grace_minutes: Count
    early_leave_grace_minutes: Count
    unpaid_break_minutes: Count
    break_applies_over_hours: Count
    weekly_hours_cap: PositiveCount
    max_session_hours: PositiveCount
    every_valid_pair_shift_codes: tuple[Annotated[str, Field(min_length=1)], ...] = ()
    """Shift types paid as the sum of every check-in/check-out pair (split shifts); the rest: first-in/last-out."""
    min_rest_hours: PositiveCount = 11
    evening_window_start: ClockTime = "20:00"
    evening_window_end: ClockTime = "22:00"
    forecast_history_weeks: PositiveCount = 4
    inquiries_per_agent_hour: PositiveCount = 12
    staffing_forecast_role: Annotated[str, Field(min_length=1)] = "customer_service"

    @model_validator(mode="after")
    def _evening_window_forward(self) -> AttendanceRules:
        if self.evening_window_end <= self.evening_window_start:
            raise ValueError(
                f"evening_window_end {self.evening_window_end} must be after evening_window_start "
                f"{self.evening_window_start}"
            )
        return self


class BandThresholds(_Section):
    """Minimum attainment of each band; below ``on_track`` a person is ``improving`` or ``at_risk``."""

    high_performer: NonNegativeDecimal
    exceeded: NonNegativeDecimal
    on_track: NonNegativeDecimal

    @model_validator(mode="after")
    def _descending(self) -> BandThresholds:
        if not self.high_performer > self.exceeded > self.on_track:
            raise ValueError(
                "thresholds must fall strictly from high_performer to exceeded to on_track, got "
                f"{self.high_performer}, {self.exceeded}, {self.on_track}"
            )
        return self


class CurvePoint(_Section):
    attainment: NonNegativeDecimal
    multiplier: NonNegativeDecimal


class PromotionReviewRules(_Section):
    """``qualifying_weeks`` at on_track or better within the last ``window_weeks`` make a person eligible."""

    qualifying_weeks: PositiveCount
    window_weeks: PositiveCount

    @model_validator(mode="after")
    def _fits_window(self) -> PromotionReviewRules:
        if self.qualifying_weeks > self.window_weeks:
            raise ValueError(f"qualifying_weeks {self.qualifying_weeks} cannot exceed window_weeks {self.window_weeks}")
        return self


MetricName = Annotated[str, Field(min_length=1)]


class GoalRules(_Section):
    ratio_cap: PositiveDecimal
    reported_places: Annotated[StrictInt, Field(ge=0, le=10)]
    band_thresholds: BandThresholds
    payout_curve: tuple[CurvePoint, ...] = Field(min_length=1)
    base_bonus_by_role: dict[str, NonNegativeDecimal]
    extra_leave_hours: NonNegativeDecimal
    streak_weeks: PositiveCount
    streak_threshold: NonNegativeDecimal
    weights_must_sum_to_one: bool = True
    """An employee-week whose goal weights do not add up to exactly 1 is held back (a typo would reweight silently)."""
    prorated_metrics: tuple[MetricName, ...] = ()
    """Volume metrics whose target shrinks with approved leave days (never with unexcused absence)."""
    promotion_review: PromotionReviewRules = PromotionReviewRules(qualifying_weeks=8, window_weeks=12)
    courses_by_metric: dict[str, Annotated[str, Field(min_length=1)]] = {"default": "Weekly planning and focus"}
    """The course an improvement note recommends for the weakest metric; ``default`` for metrics not listed."""

    @field_validator("courses_by_metric")
    @classmethod
    def _has_default_course(cls, courses: dict[str, str]) -> dict[str, str]:
        if "default" not in courses:
            raise ValueError("needs a `default` entry for metrics that are not listed")
        return courses

    def course_for(self, metric: str) -> str:
        """The recommended course for an improvement note on ``metric``."""
        return self.courses_by_metric.get(metric, self.courses_by_metric["default"])

    @field_validator("payout_curve")
    @classmethod
    def _increasing(cls, points: tuple[CurvePoint, ...]) -> tuple[CurvePoint, ...]:
        xs = [point.attainment for point in points]
        if any(later <= earlier for earlier, later in pairwise(xs)):
            raise ValueError(f"points must be sorted by strictly increasing attainment, got {', '.join(map(str, xs))}")
        return points

    @field_validator("base_bonus_by_role")
    @classmethod
    def _has_default(cls, bases: dict[str, Decimal]) -> dict[str, Decimal]:
        if "default" not in bases:
            raise ValueError("needs a `default` entry for roles that are not listed")
        return bases

    def base_bonus(self, role: str | None) -> Decimal:
        """The weekly bonus base for ``role`` (the ``default`` entry when the role is not listed)."""
        return self.base_bonus_by_role.get(role or "default", self.base_bonus_by_role["default"])


class DesignQualityWeights(_Weights):
    operator_rating: Fraction
    favorites_rate: Fraction
    ctr: Fraction


class ConversionContributionWeights(_Weights):
    order_rate: Fraction
    repurchase_rate: Fraction


class DesignCollaborationWeights(_Weights):
    ctr: Fraction
    avg_dwell_seconds: Fraction


class DesignerWeights(_Section):
    design_quality_weight: Fraction
    conversion_contribution_weight: Fraction
    design_quality: DesignQualityWeights
    conversion_contribution: ConversionContributionWeights

    @model_validator(mode="after")
    def _sum_to_one(self) -> DesignerWeights:
        _require_sum_of_one(
            {
                "design_quality_weight": self.design_quality_weight,
                "conversion_contribution_weight": self.conversion_contribution_weight,
            }
        )
        return self


class OperatorWeights(_Section):
    conversion_effect_weight: Fraction
    design_collaboration_weight: Fraction
    design_collaboration: DesignCollaborationWeights

    @model_validator(mode="after")
    def _sum_to_one(self) -> OperatorWeights:
        _require_sum_of_one(
            {
                "conversion_effect_weight": self.conversion_effect_weight,
                "design_collaboration_weight": self.design_collaboration_weight,
            }
        )
        return self


class JointTargets(_Section):
    """Targets of the joint-incentive metrics; rates are fractions (3.0% is 0.030)."""

    ctr: PositiveDecimal
    avg_dwell_seconds: PositiveDecimal
    favorites_rate: PositiveDecimal
    order_rate: PositiveDecimal
    repurchase_rate: PositiveDecimal
    department_conversion_rate: PositiveDecimal


class JointIncentiveRules(_Section):
    metric_score_cap: PositiveDecimal
    operator_rating_max: PositiveCount
    designer: DesignerWeights
    operator: OperatorWeights
    default_targets: JointTargets


class RoleWeights(_Weights):
    designer: Fraction
    operator: Fraction


class ProjectPoolRules(_Section):
    share_of_profit: Fraction
    role_weights: RoleWeights


class ActivityPointValues(_Section):
    """Points per event type; the field names are the event types the sources send."""

    challenge_joined: Count
    challenge_won: Count
    collaboration_completed: Count
    story_published: Count
    story_liked: Count
    story_commented: Count
    quiz_answered: Count
    survey_answered: Count


class CatalogItem(_Section):
    """Something points can be redeemed for; a retired item stays listed so old redemptions still resolve."""

    code: ComponentCode
    name: Annotated[str, Field(min_length=1)]
    points: PositiveCount
    kind: Literal["leave", "course", "goods"]
    leave_hours: Count = 0
    """Hours of extra annual leave granted (leave items only; they go to the payroll / HR export)."""
    retired: bool = False

    @model_validator(mode="after")
    def _leave_hours_for_leave(self) -> CatalogItem:
        if self.kind == "leave" and self.leave_hours == 0:
            raise ValueError(f"leave item {self.code} needs leave_hours greater than 0")
        if self.kind != "leave" and self.leave_hours:
            raise ValueError(f"{self.kind} item {self.code} cannot grant leave_hours")
        return self


DEFAULT_REDEMPTION_CATALOG = (
    CatalogItem(code="LEAVE_8H", name="8 h extra annual leave", points=500, kind="leave", leave_hours=8),
    CatalogItem(code="COURSE_ONLINE", name="An online course of your choice", points=300, kind="course"),
    CatalogItem(code="GOODS_GIFT_CARD", name="Gift card", points=200, kind="goods"),
)


class RedemptionRules(_Section):
    """Points expire ``expiry_months`` after the week they were earned in (oldest first); the catalog prices them."""

    expiry_months: PositiveCount = 12
    catalog: tuple[CatalogItem, ...] = DEFAULT_REDEMPTION_CATALOG
    value_per_point: NonNegativeDecimal = Decimal("0.50")
    """What finance books per outstanding point (plan currency): points liability = outstanding points x this."""

    @field_validator("catalog")
    @classmethod
    def _distinct_codes(cls, items: tuple[CatalogItem, ...]) -> tuple[CatalogItem, ...]:
        codes = [item.code for item in items]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise ValueError(f"item codes must be distinct, repeated: {', '.join(repeated)}")
        return items

    def item(self, code: str) -> CatalogItem | None:
        return next((item for item in self.catalog if item.code == code), None)


class RecommendationWeights(_Weights):
    own: Fraction
    department: Fraction
    company: Fraction


class ActivityRecommendationRules(_Section):
    """Activity recommendations (``scoring.recommendations``): a blend of own, department and company history."""

    weights: RecommendationWeights = RecommendationWeights(
        own=Decimal("0.6"), department=Decimal("0.3"), company=Decimal("0.1")
    )
    own_prior: NonNegativeDecimal = Decimal(2)
    """Pseudo-participations spread evenly over the types, added to a person's own history before taking shares."""
    history_weeks: PositiveCount = 8
    top_n: PositiveCount = 3


class ActivityPointRules(_Section):
    points: ActivityPointValues
    like_points_cap_per_story: Count
    weekly_cap: Count
    performance_points_per_win: Count = 1
    """Performance points each member of a winning challenge team gets; goal scoring counts each as one qualifying
    week toward promotion review."""
    team_building_fund_per_point: NonNegativeDecimal = Decimal("1.00")
    """Money (plan currency) the team-building budget gets per collaboration point a team's members earn."""
    clock_skew_tolerance_minutes: Count = 10
    """How far past its arrival an event's own timestamp may lie before the event is refused as clock skew."""
    redemption: RedemptionRules = RedemptionRules()
    recommendations: ActivityRecommendationRules = ActivityRecommendationRules()


class PayrollComponents(_Section):
    weekly_goal_bonus: ComponentCode
    joint_incentive: ComponentCode
    project_pool_share: ComponentCode
    extra_leave_hours: ComponentCode
    overtime_hours: ComponentCode
    redeemed_leave_hours: ComponentCode = "REDEEMED_LEAVE_HOURS"
    """Leave hours granted by activity-points redemptions (``scoring.points_redemptions``), quantity in hours."""

    @model_validator(mode="after")
    def _distinct(self) -> PayrollComponents:
        codes = [getattr(self, name) for name in type(self).model_fields]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise ValueError(f"component codes must be distinct, repeated: {', '.join(repeated)}")
        return self


class PayrollRules(_Section):
    hours_unit: Annotated[str, Field(min_length=1)]
    components: PayrollComponents


def _version_text(value: object) -> object:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f'must be a quoted string such as "2026.1" (YAML read {value!r} as a number)')
    return value


class Plan(_Section):
    """A validated plan. ``content_hash`` is the sha256 of the file's bytes, recorded on every output row."""

    version: Annotated[str, BeforeValidator(_version_text), Field(min_length=1)]
    effective_from: date
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    attendance: AttendanceRules
    goals: GoalRules
    joint_incentive: JointIncentiveRules
    project_pool: ProjectPoolRules
    activity_points: ActivityPointRules
    payroll: PayrollRules

    _content_hash: str = PrivateAttr(default="")
    _body: bytes = PrivateAttr(default=b"")
    _source: str = PrivateAttr(default="")

    @property
    def content_hash(self) -> str:
        return self._content_hash

    @property
    def body(self) -> bytes:
        """The exact bytes the plan was read from (what ``content_hash`` hashes), kept so a snapshot can be stored."""
        return self._body

    @property
    def source(self) -> str:
        """Where the plan was read from (a file, or a stored snapshot), for messages."""
        return self._source

    def dbt_vars(self) -> dict[str, object]:
        """The attendance parameters as flat dbt vars, plus the plan identity for lineage columns."""
        attendance = self.attendance.model_dump()
        attendance["every_valid_pair_shift_codes"] = [
            code.upper() for code in self.attendance.every_valid_pair_shift_codes
        ]
        return {**attendance, "plan_version": self.version, "plan_hash": self.content_hash}


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML that rejects a key written twice (plain YAML silently keeps the last one)."""


def _mapping_without_duplicates(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def _location(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(top level)"


def _problem(error: Any) -> str:
    where = _location(tuple(error["loc"]))
    kind = error["type"]
    if kind == "missing":
        return f"{where}: required but missing"
    if kind == "extra_forbidden":
        return f"{where}: unknown key (check the spelling against plans/default.yaml)"
    bounds = error.get("ctx", {})
    message = {
        "greater_than_equal": f"must be at least {bounds.get('ge')}",
        "greater_than": f"must be greater than {bounds.get('gt')}",
        "less_than_equal": f"must be at most {bounds.get('le')}",
    }.get(kind, error["msg"].removeprefix("Value error, "))
    if kind != "value_error" and not isinstance(error.get("input"), (dict, list, tuple)):
        message += f" (got {error.get('input')!r})"
    return f"{where}: {message}"


def _yaml_problem(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"not readable as YAML: {where}{problem}"


def parse_plan(data: bytes | str, source: str = "<plan>") -> Plan:
    """Validate plan text; ``source`` names it in errors. Raises ``PlanError`` listing every problem found."""
    raw = data.encode() if isinstance(data, str) else data
    try:
        document = yaml.load(raw, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except yaml.YAMLError as error:
        raise PlanError(source, [_yaml_problem(error)]) from None
    if not isinstance(document, dict):
        raise PlanError(source, ["the plan must be a YAML mapping of sections (version, goals, ...)"])
    try:
        plan = Plan.model_validate(document)
    except ValidationError as error:
        raise PlanError(source, [_problem(e) for e in error.errors()]) from None
    plan._content_hash = hashlib.sha256(raw).hexdigest()
    plan._body = raw
    plan._source = source
    return plan


def load_plan(path: str | Path = DEFAULT_PLAN_PATH) -> Plan:
    """Load and validate the plan file at ``path``."""
    file = Path(path)
    if file.is_dir():
        raise PlanError(str(file), ["is a folder of plan versions: load it with load_plan_history"])
    try:
        data = file.read_bytes()
    except OSError as error:
        raise PlanError(str(file), [f"cannot be read: {error.strerror}"]) from None
    return parse_plan(data, source=str(file))


# --- Plan history: every version HR has published, each in force from its Monday ---------------------------------

PLAN_FILE_SUFFIXES = (".yaml", ".yml")


class NoPlanInForceError(LookupError):
    """A week before the first plan version takes effect: nothing says how to score or pay it."""


class PlanHistoryError(PlanError):
    """The plan folder cannot be used as a history; each problem names the file it is about."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(source, problems)
        self.args = (f"{source} is not a valid plan history:\n" + "\n".join(f"  - {p}" for p in problems),)


@dataclass(frozen=True)
class PlanHistory:
    """The plan's versions, oldest first; a week is scored with the version in force on its Monday.

    A new version changes weeks from its ``effective_from`` on and leaves earlier weeks to the versions before it,
    so publishing a change never rewrites the rules of weeks already scored. Build it with ``load_plan_history``
    (or ``plan_history``), which validates the versions together.
    """

    plans: tuple[Plan, ...]
    source: str

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(plan.version for plan in self.plans)

    @property
    def latest(self) -> Plan:
        """The version with the latest ``effective_from`` (not necessarily in force yet)."""
        return self.plans[-1]

    def in_force(self, week: date) -> Plan:
        """The version with the latest ``effective_from`` on or before ``week`` (a Monday)."""
        in_force = [plan for plan in self.plans if plan.effective_from <= week]
        if not in_force:
            first = self.plans[0]
            raise NoPlanInForceError(
                f"no incentive plan is in force for the week of {week}: the first version in {self.source} "
                f"({first.version}, {first.source}) takes effect on {first.effective_from}; add a plan version "
                f"effective from {week} or earlier to score that week"
            )
        return in_force[-1]

    def by_version(self, version: str) -> Plan | None:
        return next((plan for plan in self.plans if plan.version == version), None)

    def by_hash(self, content_hash: str) -> Plan | None:
        return next((plan for plan in self.plans if plan.content_hash == content_hash), None)


def _file_name(plan: Plan) -> str:
    return Path(plan.source).name or plan.source


def plan_history(plans: Sequence[Plan], source: str) -> PlanHistory:
    """Validate ``plans`` as one history (distinct versions and effective dates, each effective on a Monday).

    Raises ``PlanHistoryError`` naming ``source`` and, in each problem, the file(s) concerned.
    """
    if not plans:
        raise PlanHistoryError(source, [f"holds no plan file ({' or '.join(PLAN_FILE_SUFFIXES)})"])
    problems = []
    for plan in plans:
        if plan.effective_from.weekday() != 0:
            problems.append(
                f"{_file_name(plan)}: effective_from {plan.effective_from} is a {plan.effective_from:%A}; a plan "
                "takes effect on a Monday (the first day of an ISO week)"
            )
    for label, key in (("version", lambda p: p.version), ("effective_from", lambda p: p.effective_from)):
        seen: dict[object, list[Plan]] = {}
        for plan in plans:
            seen.setdefault(key(plan), []).append(plan)
        for value, same in seen.items():
            if len(same) > 1:
                files = ", ".join(_file_name(plan) for plan in same)
                hint = "give each version its own" if label == "version" else "each version needs its own"
                problems.append(f"{label} {value} is declared by {files}; {hint} {label}")
    if problems:
        raise PlanHistoryError(source, problems)
    return PlanHistory(tuple(sorted(plans, key=lambda plan: plan.effective_from)), source)


def load_plan_history(path: str | Path = DEFAULT_PLANS_DIR) -> PlanHistory:
    """The plan history at ``path``: a folder of plan files (one version each), or a single file (one version).

    Every file of the folder ending in .yaml or .yml is a version (hidden files and sub-folders are ignored); all
    of them are validated and every problem is reported, each prefixed with its file's name.
    """
    folder = Path(path)
    if not folder.is_dir():
        return plan_history([load_plan(folder)], str(folder))
    files = sorted(
        file
        for file in folder.iterdir()
        if file.is_file() and file.suffix in PLAN_FILE_SUFFIXES and not file.name.startswith(".")
    )
    plans, problems = [], []
    for file in files:
        try:
            plans.append(load_plan(file))
        except PlanError as error:
            problems.extend(f"{file.name}: {problem}" for problem in error.problems)
    if problems:
        raise PlanHistoryError(str(folder), problems)
    return plan_history(plans, str(folder))
