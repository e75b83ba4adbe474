"""The sample company's tables and columns, as fixed by docs/architecture.md ("Sample company").

Other parts (HTTP sandbox, inbox renderer, tests) read these names; change them only with the contract.
"""

from __future__ import annotations

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "employees": (
        "employee_id", "name", "department", "team", "project_group", "city", "role", "manager_id", "hire_date",
        "termination_date", "timezone", "shift_code", "attendance_source", "zk_pin", "wecom_userid",
        "dingtalk_userid", "feishu_user_id", "feishu_open_id", "jira_account_id", "payroll_id", "variable_base",
    ),
    "shifts": ("shift_code", "start_time", "end_time", "break_minutes"),
    "roster": ("employee_id", "work_date", "shift_code"),
    "leave": ("employee_id", "leave_date", "hours", "leave_type", "status"),
    "punches": ("employee_id", "source", "device_sn", "punch_time_local", "punch_state"),
    "goals": (
        "employee_id", "week_start", "metric", "unit", "target", "actual", "weight", "direction", "channel",
        "objective_id",
    ),
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
    "activities": ("activity_id", "activity_type", "title", "week_start", "prerequisite_course"),
    "activity_events": (
        "event_id", "event_type", "activity_id", "employee_id", "counterpart_id", "story_id", "team_id",
        "occurred_at_utc",
    ),
    "cs_inquiries": ("hour_start_local", "inquiries"),
    "promotions": ("promotion_id", "name", "start_date", "end_date", "uplift"),
    "shift_requests": ("request_id", "employee_id", "week_start", "requested_shift_code", "submitted_at_utc"),
    "service_tickets": ("ticket_id", "employee_id", "status", "created_at_utc", "solved_at_utc"),
    "redemption_requests": ("request_id", "employee_id", "item_code", "requested_at_utc"),
    "training_completions": ("employee_id", "course_code", "completed_at_utc"),
    "activity_feedback": ("activity_id", "employee_id", "score", "submitted_at_utc"),
    "okr_periods": ("period_id", "name", "start_date", "end_date"),
    "okr_objectives": (
        "objective_id", "okr_id", "period_id", "owner_id", "level", "parent_objective_id", "content", "weight",
    ),
    "okr_key_results": ("kr_id", "objective_id", "content", "kr_weight"),
    "okr_progress": ("kr_id", "week_start", "percent", "updated_at_utc"),
    "jira_work_issues": (
        "issue_id", "issue_key", "project_key", "issue_type", "status", "employee_id", "story_points",
        "created_at_utc", "resolved_at_utc",
    ),
    "jira_worklogs": (
        "worklog_id", "issue_id", "employee_id", "started_local", "started_utc", "time_spent_seconds",
        "original_time_spent_seconds", "created_at_utc", "updated_at_utc", "deleted", "deleted_at_utc",
    ),
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
    "okr_periods": ("start_date", "end_date"),
    "okr_progress": ("week_start",),
}

DEPARTMENTS = ("R&D", "Customer Success", "Customer Service", "Design", "Operations", "Functional")
ROLES = ("engineer", "customer_success", "customer_service", "designer", "operator", "functional")
CITIES = ("Shanghai", "Beijing", "Chengdu", "Wuhan", "Xi'an", "Shenzhen")
SHIFT_CODES = ("DAY", "EARLY", "LATE", "EVENING", "NIGHT")
ATTENDANCE_SOURCES = ("zk", "wecom", "dingtalk", "feishu")
LEAVE_TYPES = ("annual", "sick")
DIRECTIONS = ("higher_is_better", "lower_is_better")
OKR_LEVELS = ("company", "department", "team")
FINANCIAL_STATUSES = ("PAID", "REFUNDED")
TICKET_STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
ACTIVITY_TYPES = ("challenge", "collaboration", "story", "quiz", "survey")
EVENT_TYPES = (
    "challenge_joined", "challenge_won", "collaboration_completed", "story_published", "story_liked",
    "story_commented", "quiz_answered", "survey_answered",
)  # fmt: skip
CURRENCY = "CNY"
