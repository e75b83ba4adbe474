"""Pandera models of the raw tables fed by inbox files: what a row must look like to enter the warehouse.

Raw keeps every value as text, exactly as the file had it (ids keep their leading zeros), so the checks are
about *parseability*, not types: a date must be a real date, hours a non-negative number, a punch state one
the device can emit. Rows failing a check are quarantined by ``connectors.quality.validate_rows``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from connectors.quality import Validated, validate_rows

Text = Series[pd.StringDtype]

PUNCH_STATES = ["0", "1", "2", "3", "4", "5"]  # check-in, check-out, break-out, break-in, OT-in, OT-out
IDENTITY_SYSTEMS = ["zk", "wecom", "dingtalk", "feishu", "feishu_open_id", "jira"]
ACTIVITY_TYPES = ["challenge", "collaboration", "story", "quiz", "survey"]
GOAL_DIRECTIONS = ["higher_is_better", "lower_is_better"]
TICKET_STATUSES = ["new", "open", "pending", "hold", "solved", "closed"]  # the helpdesk's ticket lifecycle
EVENT_TYPES = [
    "challenge_joined",
    "challenge_won",
    "collaboration_completed",
    "story_published",
    "story_liked",
    "story_commented",
    "quiz_answered",
    "survey_answered",
]

_DECIMAL = r"^-?\d+(\.\d+)?$"
_DIGITS = r"^\d+$"


def _not_blank(s: pd.Series) -> pd.Series:
    return s.str.strip().str.len() > 0


def _is_date(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").notna() & s.str.fullmatch(r"\d{4}-\d{2}-\d{2}")


def _is_local_timestamp(s: pd.Series) -> pd.Series:
    parsed = pd.to_datetime(s, format="%Y-%m-%d %H:%M:%S", errors="coerce")
    return parsed.notna() & s.str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def _is_instant_with_offset(s: pd.Series) -> pd.Series:
    has_offset = s.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True)
    return has_offset & pd.to_datetime(s, utc=True, format="ISO8601", errors="coerce").notna()


def _is_non_negative_number(s: pd.Series) -> pd.Series:
    return s.str.fullmatch(_DECIMAL) & (pd.to_numeric(s, errors="coerce") >= 0)


def _is_timezone(s: pd.Series) -> pd.Series:
    def valid(name: str) -> bool:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return False
        return True

    return s.map(valid).astype(bool)


def _required(**checks: object) -> object:
    return pa.Field(nullable=False, **checks)


def _optional(**checks: object) -> object:
    return pa.Field(nullable=True, **checks)


class RawFileModel(pa.DataFrameModel):
    """Every raw row names the file line it came from."""

    source_ref: Text = pa.Field(alias="_source_ref", nullable=False, str_length={"min_value": 1})

    class Config:
        strict = True


class ZkPunches(RawFileModel):
    device_sn: Text = _required()
    pin: Text = _required()
    punch_time_local: Text = _required()
    verify_type: Text = _optional(str_matches=_DIGITS)
    punch_state: Text = _required(isin=PUNCH_STATES)
    work_code: Text = _optional(str_matches=_DIGITS)

    @pa.check("device_sn", "pin", name="not_blank")
    @classmethod
    def _ids_present(cls, s: pd.Series) -> pd.Series:
        return _not_blank(s)

    @pa.check("punch_time_local", name="is_timestamp YYYY-MM-DD HH:MM:SS")
    @classmethod
    def _parseable_time(cls, s: pd.Series) -> pd.Series:
        return _is_local_timestamp(s)


class HrisEmployees(RawFileModel):
    employee_id: Text = _required()
    name: Text = _required()
    department: Text = _required()
    team: Text = _optional()
    project_group: Text = _optional()
    city: Text = _optional()
    role: Text = _required()
    manager_id: Text = _optional()
    hire_date: Text = _required()
    termination_date: Text = _optional()
    timezone: Text = _optional()
    payroll_id: Text = _optional()
    variable_base: Text = _optional()

    @pa.check("employee_id", "name", "department", "role", name="not_blank")
    @classmethod
    def _present(cls, s: pd.Series) -> pd.Series:
        return _not_blank(s)

    @pa.check("hire_date", "termination_date", name="is_date YYYY-MM-DD")
    @classmethod
    def _dates(cls, s: pd.Series) -> pd.Series:
        return _is_date(s)

    @pa.check("timezone", name="is_iana_timezone")
    @classmethod
    def _timezone(cls, s: pd.Series) -> pd.Series:
        return _is_timezone(s)

    @pa.check("variable_base", name="is_non_negative_decimal")
    @classmethod
    def _base(cls, s: pd.Series) -> pd.Series:
        return _is_non_negative_number(s)


class HrisIdentities(RawFileModel):
    employee_id: Text = _required()
    system: Text = _required(isin=IDENTITY_SYSTEMS)
    external_id: Text = _required()
    valid_from: Text = _optional()
    valid_to: Text = _optional()

    @pa.check("employee_id", "external_id", name="not_blank")
    @classmethod
    def _present(cls, s: pd.Series) -> pd.Series:
        return _not_blank(s)

    @pa.check("valid_from", "valid_to", name="is_date YYYY-MM-DD")
    @classmethod
    def _dates(cls, s: pd.Series) -> pd.Series:
        return _is_date(s)


class RosterShifts(RawFileModel):
    employee_id: Text = _required()
    work_date: Text = _required()
    shift_code: Text = _required()
    start_time: Text = _required(str_matches=r"^([01]\d|2[0-3]):[0-5]\d$")
    end_time: Text = _required(str_matches=r"^([01]\d|2[0-3]):[0-5]\d$")
    break_minutes: Text = _required(str_matches=_DIGITS)

    @pa.check("employee_id", "shift_code", name="not_blank")
    @classmethod
    def _present(cls, s: pd.Series) -> pd.Series:
        return _not_blank(s)

    @pa.check("work_date", name="is_date YYYY-MM-DD")
    @classmethod
    def _dates(cls, s: pd.Series) -> pd.Series:
        return _is_date(s)


class LeaveRequests(RawFileModel):
    employee_id: Text = _required()
    leave_date: Text = _required()
    hours: Text = _required()
    leave_type: Text = _required()
    status: Text = _required()

    @pa.check("employee_id", "leave_type", "status", name="not_blank")
    @classmethod
    def _present(cls, s: pd.Series) -> pd.Series:
        return _not_blank(s)

    @pa.check("leave_date", name="is_date YYYY-MM-DD")
    @classmethod
    def _dates(cls, s: pd.Series) -> pd.Series:
        return _is_date(s)

    @pa.check("hours", name="is_non_negative_number")
    @classmethod
    def _hours(cls, s: pd.Series) -> pd.Series:
        return _is_non_negative_number(s)


class CreativeRegistry(RawFileModel):
    creative_id: Text = _required()
    product_id: Text = _required()
    designer_id: Text = _required()
    live_from: Text = _required()
    live_to: Text = _optional()
    operator_rating: Text = _optional(isin=["1", "2", "3", "4", "5"])

    @pa.check("creative_id", "product_id", "designer_id", name="not_blank")
    @classmethod
    def _present(cls, s: pd.Series) -> pd.Series:
        return _not_blank(s)

    @pa.check("live_from", "live_to", name="is_date YYYY-MM-DD")
    @classmethod
    def _dates(cls, s: pd.Series) -> pd.Series:
        return _is_date(s)


class ProductRegistry(RawFileModel):
    product_id: Text = _required()
    shopify_product_id: Text = _required(str_matches=_DIGITS)
    page_path: Text = _required(str_startswith="/")
    project_id: Text = _required()
    operator_id: Text = _optional()

    @pa.check("product_id", "project_id", name="not_blank")
    @classmethod
    def _present(cls, s: pd.Series) -> pd.Series:
        return _not_blank(s)


class ProjectPnl(RawFileModel):
    project_id: Text = _required()
    week_start_reported: Text = _required()
    revenue: Text = _required(str_matches=_DECIMAL)
    cost: Text = _required()
    ad_spend: Text = _required()
    currency: Text = _required(str_matches=r"^[A-Z]{3}$")

    @pa.check("project_id", name="not_blank")
    @classmethod
    def _present(cls, s: pd.Series) -> pd.Series:
        return _not_blank(s)

    @pa.check("week_start_reported", name="is_monday YYYY-MM-DD")
    @classmethod
    def _monday(cls, s: pd.Series) -> pd.Series:
        return _is_date(s) & (pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").dt.day_of_week == 0)

    @pa.check("cost", "ad_spend", name="is_non_negative_decimal")
    @classmethod
    def _money(cls, s: pd.Series) -> pd.Series:
        return _is_non_negative_number(s)


class ActivityEvents(RawFileModel):
    event_id: Text = _required()
    event_type: Text = _required(isin=EVENT_TYPES)
    activity_id: Text = _required()
    activity_type: Text = _optional(isin=ACTIVITY_TYPES)
    employee_id: Text = _required()
    counterpart_id: Text = _optional()
    story_id: Text = _optional()
    team_id: Text = _optional()
    prerequisite_course: Text = _optional()  # the course a challenge's joiners must have completed
    occurred_at: Text = _required()

    @pa.check("event_id", "activity_id", "employee_id", name="not_blank")
    @classmethod
    def _present(cls, s: pd.Series) -> pd.Series:
        return _not_blank(s)

    @pa.check("occurred_at", name="is_iso8601_with_offset")
    @classmethod
    def _instant(cls, s: pd.Series) -> pd.Series:
        return _is_instant_with_offset(s)


class ServiceInquiriesHourly(RawFileModel):
    hour_start_local: Text = _required()
    inquiries: Text = _required(str_matches=_DIGITS)

    @pa.check("hour_start_local", name="is_hour_start YYYY-MM-DD HH:00:00")
    @classmethod
    def _hour(cls, s: pd.Series) -> pd.Series:
        return _is_local_timestamp(s) & s.str.endswith(":00:00")


class PromotionCalendar(RawFileModel):
    promotion_id: Text = _required()
    name: Text = _optional()
    start_date: Text = _required()
    end_date: Text = _required()
    uplift: Text = _required(str_matches=_DECIMAL)

    @pa.check("promotion_id", name="not_blank")
    @classmethod
    def _present(cls, s: pd.Series) -> pd.Series:
        return _not_blank(s)

    @pa.check("start_date", "end_date", name="is_date YYYY-MM-DD")
    @classmethod
    def _dates(cls, s: pd.Series) -> pd.Series:
        return _is_date(s)

    @pa.check("uplift", name="is_uplift above -1 and at most 10 (40% is 0.40)")
    @classmethod
    def _uplift(cls, s: pd.Series) -> pd.Series:
        value = pd.to_numeric(s, errors="coerce")
        return (value > -1) & (value <= 10)


class ShiftRequests(RawFileModel):
    request_id: Text = _required()
    employee_id: Text = _required()
    requested_week_start: Text = _required()
    requested_shift_code: Text = _required()
    submitted_at: Text = _required()

    @pa.check("request_id", "employee_id", "requested_shift_code", name="not_blank")
    @classmethod
    def _present(cls, s: pd.Series) -> pd.Series:
        return _not_blank(s)

    @pa.check("requested_week_start", name="is_monday YYYY-MM-DD")
    @classmethod
    def _monday(cls, s: pd.Series) -> pd.Series:
        return _is_date(s) & (pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").dt.day_of_week == 0)

    @pa.check("submitted_at", name="is_local YYYY-MM-DD HH:MM:SS or ISO-8601 with offset")
    @classmethod
    def _instant(cls, s: pd.Series) -> pd.Series:
        return _is_local_timestamp(s) | _is_instant_with_offset(s)


class GoalSheetRows(RawFileModel):
    """A manager's weekly goal sheet. Numbers may be blank (scoring rejects a missing or zero target with its own
    reason); what is there must be a number, and the week a Monday."""

    employee_id: Text = _required()
    goal_week: Text = _required()
    metric: Text = _required()
    unit: Text = _optional()
    target: Text = _optional()
    actual: Text = _optional()
    weight: Text = _optional()
    direction: Text = _required(isin=GOAL_DIRECTIONS)
    objective_id: Text = _optional()
    file_modified_at: Text = _required()

    @pa.check("employee_id", "metric", name="not_blank")
    @classmethod
    def _present(cls, s: pd.Series) -> pd.Series:
        return _not_blank(s)

    @pa.check("target", "actual", "weight", name="is_number like 12 or -2.5")
    @classmethod
    def _numbers(cls, s: pd.Series) -> pd.Series:
        return s.str.fullmatch(_DECIMAL)

    @pa.check("goal_week", name="is_monday YYYY-MM-DD")
    @classmethod
    def _monday(cls, s: pd.Series) -> pd.Series:
        return _is_date(s) & (pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").dt.day_of_week == 0)

    @pa.check("file_modified_at", name="is_iso8601_with_offset")
    @classmethod
    def _instant(cls, s: pd.Series) -> pd.Series:
        return _is_instant_with_offset(s)


class HelpdeskTickets(RawFileModel):
    """The helpdesk's ticket export: instants must carry their UTC offset (a bare wall-clock time is ambiguous)."""

    ticket_id: Text = _required()
    assignee_employee_id: Text = _optional()
    status: Text = _required(isin=TICKET_STATUSES)
    created_at: Text = _required()
    solved_at: Text = _optional()

    @pa.check("ticket_id", name="not_blank")
    @classmethod
    def _present(cls, s: pd.Series) -> pd.Series:
        return _not_blank(s)

    @pa.check("created_at", "solved_at", name="is_iso8601_with_utc_offset")
    @classmethod
    def _instant(cls, s: pd.Series) -> pd.Series:
        return _is_instant_with_offset(s)


class RedemptionRequests(RawFileModel):
    """Points redemption requests; the instant must carry its offset (the ledger dates it in company time)."""

    request_id: Text = _required()
    employee_id: Text = _required()
    item_code: Text = _required()
    requested_at: Text = _required()

    @pa.check("request_id", "employee_id", "item_code", name="not_blank")
    @classmethod
    def _present(cls, s: pd.Series) -> pd.Series:
        return _not_blank(s)

    @pa.check("requested_at", name="is ISO-8601 with a UTC offset")
    @classmethod
    def _instant(cls, s: pd.Series) -> pd.Series:
        return _is_instant_with_offset(s)


class TrainingCompletions(RawFileModel):
    """Courses employees completed: the prerequisite a challenge is joined against, so the instant needs its offset."""

    employee_id: Text = _required()
    course_code: Text = _required()
    completed_at: Text = _required()

    @pa.check("employee_id", "course_code", name="not_blank")
    @classmethod
    def _present(cls, s: pd.Series) -> pd.Series:
        return _not_blank(s)

    @pa.check("completed_at", name="is ISO-8601 with a UTC offset")
    @classmethod
    def _instant(cls, s: pd.Series) -> pd.Series:
        return _is_instant_with_offset(s)


class ActivityCalendar(RawFileModel):
    """The engagement team's activity calendar: an event for an activity not on it is refused by scoring, so a
    row without its id, with a type scoring does not know, or ending before it starts is quarantined."""

    activity_id: Text = _required()
    activity_type: Text = _required(isin=ACTIVITY_TYPES)
    title: Text = _optional()
    start_date: Text = _required()
    end_date: Text = _required()
    prerequisite_course: Text = _optional()

    @pa.check("activity_id", name="not_blank")
    @classmethod
    def _present(cls, s: pd.Series) -> pd.Series:
        return _not_blank(s)

    @pa.check("start_date", "end_date", name="is_date YYYY-MM-DD")
    @classmethod
    def _dates(cls, s: pd.Series) -> pd.Series:
        return _is_date(s)

    @pa.dataframe_check(name="end_date_not_before_start_date")
    @classmethod
    def _ends_after_it_starts(cls, frame: pd.DataFrame) -> pd.Series:
        start = pd.to_datetime(frame["start_date"], format="%Y-%m-%d", errors="coerce")
        end = pd.to_datetime(frame["end_date"], format="%Y-%m-%d", errors="coerce")
        return ((end >= start) | start.isna() | end.isna()).astype(bool)  # unreadable dates fail their own check


class ActivityFeedback(RawFileModel):
    """Participants' 1-5 ratings of an activity (connectors/files/feedback.py); another score is quarantined."""

    activity_id: Text = _required()
    employee_id: Text = _required()
    score: Text = _required()
    submitted_at: Text = _required()

    @pa.check("activity_id", "employee_id", name="not_blank")
    @classmethod
    def _present(cls, s: pd.Series) -> pd.Series:
        return _not_blank(s)

    @pa.check("score", name="is a whole score from 1 to 5")
    @classmethod
    def _score(cls, s: pd.Series) -> pd.Series:
        return s.str.fullmatch(r"[1-5]").fillna(False).astype(bool)

    @pa.check("submitted_at", name="is ISO-8601 with a UTC offset")
    @classmethod
    def _instant(cls, s: pd.Series) -> pd.Series:
        return _is_instant_with_offset(s)


def _is_numeric(s: pd.Series) -> pd.Series:
    return s.str.fullmatch(_DECIMAL).fillna(False).astype(bool)


def _not_negative_if_numeric(s: pd.Series) -> pd.Series:
    """A negative count is its own reason; text that is no number at all is reported by ``is_numeric``."""
    return ~_is_numeric(s) | (pd.to_numeric(s, errors="coerce") >= 0)


def _whole_if_numeric(s: pd.Series) -> pd.Series:
    return ~_is_numeric(s) | ~s.str.contains(".", regex=False).fillna(False).astype(bool)


def _rate_if_numeric(s: pd.Series) -> pd.Series:
    value = pd.to_numeric(s, errors="coerce")
    return ~_is_numeric(s) | ((value >= 0) & (value <= 1))


class _TaobaoDaily(RawFileModel):
    """A 生意参谋 export row: one day of one item or page. The reader has already turned ``1,234`` into ``1234``
    and ``3.5%`` into ``0.035``; what is left must be a number, counts whole and not negative, rates in 0..1.
    ``period_start``/``period_end`` are the date range the file's title row states (else the inbox week)."""

    stat_date: Text = _required()
    period_start: Text = _required()
    period_end: Text = _required()

    @pa.check("stat_date", "period_start", "period_end", name="is_date YYYY-MM-DD")
    @classmethod
    def _dates(cls, s: pd.Series) -> pd.Series:
        return _is_date(s)


class TaobaoItemMetrics(_TaobaoDaily):
    item_id: Text = _required(str_matches=_DIGITS)
    item_name: Text = _optional()
    outer_id: Text = _optional()
    visitors: Text = _required()
    page_views: Text = _required()
    avg_stay_seconds: Text = _required()
    bounce_rate: Text = _optional()
    favorite_buyers: Text = _required()
    cart_units: Text = _optional()
    pay_buyers: Text = _optional()
    pay_conversion_rate: Text = _optional()

    @pa.check(
        "visitors", "page_views", "avg_stay_seconds", "bounce_rate", "favorite_buyers", "cart_units", "pay_buyers",
        "pay_conversion_rate", name="is_numeric (like 1234, 1,234, 12.5 or 3.5%)",
    )  # fmt: skip
    @classmethod
    def _numbers(cls, s: pd.Series) -> pd.Series:
        return _is_numeric(s)

    @pa.check(
        "visitors", "page_views", "avg_stay_seconds", "favorite_buyers", "cart_units", "pay_buyers",
        name="is_not_negative",
    )  # fmt: skip
    @classmethod
    def _not_negative(cls, s: pd.Series) -> pd.Series:
        return _not_negative_if_numeric(s)

    @pa.check("visitors", "page_views", "favorite_buyers", "cart_units", "pay_buyers", name="is_whole_count")
    @classmethod
    def _whole(cls, s: pd.Series) -> pd.Series:
        return _whole_if_numeric(s)

    @pa.check("bounce_rate", "pay_conversion_rate", name="is_rate_from_0_to_100%")
    @classmethod
    def _rates(cls, s: pd.Series) -> pd.Series:
        return _rate_if_numeric(s)


class TaobaoPageMetrics(_TaobaoDaily):
    page_id: Text = _required()
    page_name: Text = _required()
    page_type: Text = _optional()
    page_views: Text = _required()
    visitors: Text = _required()
    clicks: Text = _required()
    click_visitors: Text = _optional()
    click_rate: Text = _optional()
    avg_stay_seconds: Text = _optional()
    bounce_rate: Text = _optional()

    @pa.check("page_id", "page_name", name="not_blank")
    @classmethod
    def _present(cls, s: pd.Series) -> pd.Series:
        return _not_blank(s)

    @pa.check(
        "page_views", "visitors", "clicks", "click_visitors", "click_rate", "avg_stay_seconds", "bounce_rate",
        name="is_numeric (like 1234, 1,234, 12.5 or 3.5%)",
    )  # fmt: skip
    @classmethod
    def _numbers(cls, s: pd.Series) -> pd.Series:
        return _is_numeric(s)

    @pa.check("page_views", "visitors", "clicks", "click_visitors", "avg_stay_seconds", name="is_not_negative")
    @classmethod
    def _not_negative(cls, s: pd.Series) -> pd.Series:
        return _not_negative_if_numeric(s)

    @pa.check("page_views", "visitors", "clicks", "click_visitors", name="is_whole_count")
    @classmethod
    def _whole(cls, s: pd.Series) -> pd.Series:
        return _whole_if_numeric(s)

    @pa.check("click_rate", "bounce_rate", name="is_rate_from_0_to_100%")
    @classmethod
    def _rates(cls, s: pd.Series) -> pd.Series:
        return _rate_if_numeric(s)


SCHEMAS: dict[str, type[RawFileModel]] = {
    "zk_punches": ZkPunches,
    "hris_employees": HrisEmployees,
    "hris_identities": HrisIdentities,
    "roster_shifts": RosterShifts,
    "leave_requests": LeaveRequests,
    "creative_registry": CreativeRegistry,
    "product_registry": ProductRegistry,
    "project_pnl": ProjectPnl,
    "activity_events": ActivityEvents,
    "service_inquiries_hourly": ServiceInquiriesHourly,
    "promotion_calendar": PromotionCalendar,
    "shift_requests": ShiftRequests,
    "goal_sheet_rows": GoalSheetRows,
    "helpdesk_tickets": HelpdeskTickets,
    "redemption_requests": RedemptionRequests,
    "activity_feedback": ActivityFeedback,
    "training_completions": TrainingCompletions,
    "activity_calendar": ActivityCalendar,
    "taobao_item_metrics": TaobaoItemMetrics,
    "taobao_page_metrics": TaobaoPageMetrics,
}


def raw_columns(table: str) -> list[str]:
    """The raw table's business columns in contract order (without ``_source_ref``)."""
    return [c for c in SCHEMAS[table].to_schema().columns if c != "_source_ref"]


def raw_frame(table: str, records: Iterable[Mapping[str, object]]) -> pd.DataFrame:
    """Records -> the raw table's exact columns as text; blank optional cells become null.

    Blank *required* cells stay ``""`` rather than null so the ``not_blank`` checks quarantine the row with
    a readable reason (a null in a non-nullable column would fail the frame instead of the row).
    """
    columns = [*raw_columns(table), "_source_ref"]
    frame = pd.DataFrame.from_records(list(records), columns=columns).astype("string")
    nullability = SCHEMAS[table].to_schema().columns
    for column in columns:
        stripped = frame[column].str.strip()
        if nullability[column].nullable:
            frame[column] = stripped.mask(stripped == "")
        else:
            frame[column] = stripped.fillna("")
    return frame


def validate_table(table: str, frame: pd.DataFrame, structural_quarantine: pd.DataFrame | None = None) -> Validated:
    """Validate ``frame`` against its raw model, adding quarantine rows found before validation."""
    validated = validate_rows(frame, SCHEMAS[table])
    quarantine = validated.quarantine
    if structural_quarantine is not None and not structural_quarantine.empty:
        quarantine = pd.concat([structural_quarantine, quarantine], ignore_index=True)
    return Validated(validated.rows.reset_index(drop=True), quarantine.reset_index(drop=True))
