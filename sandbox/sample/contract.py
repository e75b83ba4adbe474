"""The sample company's tables and columns, as fixed by docs/architecture.md ("Sample company").

Other parts (HTTP sandbox, inbox renderer, tests) read these names; change them only with the contract.
"""

from __future__ import annotations

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "employees": (
        "employee_id", "name", "department", "team", "project_group", "city", "role", "manager_id", "hire_date",
        "termination_date", "timezone", "shift_code", "attendance_source", "zk_pin", "wecom_userid",
        "dingtalk_userid", "feishu_user_id", "jira_account_id", "payroll_id", "variable_base",
    ),
    "shifts": ("shift_code", "start_time", "end_time", "break_minutes"),
    "roster": ("employee_id", "work_date", "shift_code"),
    "leave": ("employee_id", "leave_date", "hours", "leave_type", "status"),
    "punches": ("employee_id", "source", "device_sn", "punch_time_local", "punch_state"),
    "goals": ("employee_id", "week_start", "metric", "unit", "target", "actual", "weight", "direction", "channel"),
    "projects": ("project_id", "name", "city"),
    "project_pnl": ("project_id", "week_start", "revenue", "cost", "ad_spend", "currency"),
    "products": ("product_id", "shopify_product_id", "title", "page_path", "project_id"),
    "product_operators": ("product_id", "employee_id"),
    "creatives": ("creative_id", "product_id", "designer_id", "live_from", "live_to", "operator_rating"),
    "page_daily": ("date", "page_path", "sessions", "screen_page_views", "user_engagement_seconds", "wishlist_adds"),
    "creative_daily": ("date", "creative_id", "impressions", "clicks"),
    "customers": ("customer_id",),
    "orders": (
        "order_id", "name", "created_at_utc", "updated_at_utc", "customer_id", "financial_status",
        "cancelled_at_utc", "total_amount", "currency",
    ),
    "order_lines": ("order_id", "line_no", "sku", "product_id", "quantity"),
    "activities": ("activity_id", "activity_type", "title", "week_start"),
    "activity_events": (
        "event_id", "event_type", "activity_id", "employee_id", "counterpart_id", "story_id", "team_id",
        "occurred_at_utc",
    ),
    "cs_inquiries": ("hour_start_local", "inquiries"),
    "promotions": ("promotion_id", "name", "start_date", "end_date", "uplift"),
    "shift_requests": ("request_id", "employee_id", "week_start", "requested_shift_code", "submitted_at_utc"),
}  # fmt: skip

# Calendar-date columns: naive datetime64[s] at midnight in memory, Parquet DATE on disk.
DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "employees": ("hire_date", "termination_date"),
    "roster": ("work_date",),
    "leave": ("leave_date",),
    "goals": ("week_start",),
    "project_pnl": ("week_start",),
    "creatives": ("live_from", "live_to"),
    "page_daily": ("date",),
    "creative_daily": ("date",),
    "activities": ("week_start",),
    "promotions": ("start_date", "end_date"),
    "shift_requests": ("week_start",),
}

DEPARTMENTS = ("R&D", "Customer Success", "Customer Service", "Design", "Operations", "Functional")
ROLES = ("engineer", "customer_success", "customer_service", "designer", "operator", "functional")
CITIES = ("Shanghai", "Beijing", "Chengdu", "Wuhan", "Xi'an", "Shenzhen")
SHIFT_CODES = ("DAY", "EARLY", "LATE", "EVENING", "NIGHT")
ATTENDANCE_SOURCES = ("zk", "wecom", "dingtalk", "feishu")
LEAVE_TYPES = ("annual", "sick")
DIRECTIONS = ("higher_is_better", "lower_is_better")
FINANCIAL_STATUSES = ("PAID", "REFUNDED")
ACTIVITY_TYPES = ("challenge", "collaboration", "story", "quiz", "survey")
EVENT_TYPES = (
    "challenge_joined", "challenge_won", "collaboration_completed", "story_published", "story_liked",
    "story_commented", "quiz_answered", "survey_answered",
)  # fmt: skip
CURRENCY = "CNY"
