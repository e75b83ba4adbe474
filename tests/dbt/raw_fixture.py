"""A small raw layer for one week (2026-03-02), written the way the connectors write it.

Each table goes through ``connectors.warehouse.replace_week`` so the dbt project is tested against the real
raw-table shape (business columns + ``week_start``, ``_source``, ``_source_ref``, ``_batch_id``). Values are
text where the sources send text (money, GA4 metrics, ZK pins with leading zeros) and integers where they
send integers (WeCom Unix seconds, Shopify quantities).

What the rows are designed to show:
- worked example A for E001 (ZK pin ``0001``): Monday 09:07:00 + 09:07:30 (a duplicate) + 18:02 -> late 7,
  worked 475; Tuesday night shift 22:00-06:00 with 21:55 and 06:03 next morning -> one session on Tuesday;
  Wednesday's single 09:02 -> missing_checkout; Thursday no punch -> absent; Friday approved leave.
- E002 punches through WeCom (Unix seconds): present Monday, early leave Tuesday, a Sunday evening shift
  ending at midnight (``00:00``) and checked out at 00:02 on Monday.
- a punch from pin ``0099`` that maps to nobody, and a Jira goal whose assignee maps to nobody.
- orders: a REFUNDED one, a cancelled one, a repeat customer, a product missing from the registry; creatives
  C1/C2 share product P1 by clicks (30/10), C3/C4 share P2 equally because neither had a click.
- activity event ``ev-1`` arrives twice.
- E003 is rostered and on leave in Feishu (``fs-003``): a DAY shift Monday (08:58 -> 18:01), a SPLIT shift
  Tuesday paired as every valid pair (07:58-12:00 + 13:00-20:05 = 667 min), approved leave Wednesday; Feishu
  user ``fs-999`` maps to nobody.
- E004 punches on a device (pin ``0004``) and in DingTalk (``dt-004``): Monday the app punch 09:00:10 and the
  device punch 09:00:30 are one punch and the device's is kept; the 18:00 DingTalk record arrives again in the
  next week's lookback. Tuesday on ZKBioTime device ``ZK-BJ-01`` whose clock runs 10 min ahead (09:20 ->
  09:10 late, 18:00 -> 17:50). Wednesday's device states are swapped (out 09:00, in 18:00). Thursday on a
  device in Tokyo (10:00 / 19:00 Tokyo = 09:00 / 18:00 Shanghai). Friday on ``ZK-BAD`` whose clock is two
  hours fast and not configured: both punches fit no shift window (absent), and the drift report flags it.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from connectors.files.schemas import raw_frame
from connectors.http import records_frame
from connectors.jira.work import ISSUE_DTYPES, WORKLOG_DTYPES
from connectors.warehouse import connect, replace_week

FIXTURE_WEEK = date(2026, 3, 2)
PREVIOUS_WEEK = date(2026, 2, 23)
NEXT_WEEK = date(2026, 3, 9)
SKEWED_DEVICE = {"device_sn": "ZK-BJ-01", "clock_offset_seconds": 600}
TOKYO_DEVICE = {"device_sn": "ZK-TYO-01", "timezone": "Asia/Tokyo"}
DEVICES = [SKEWED_DEVICE, TOKYO_DEVICE]
EVERY_VALID_PAIR_SHIFTS = ["SPLIT"]
SHANGHAI = ZoneInfo("Asia/Shanghai")
PLANNING_TABLES = ("service_inquiries_hourly", "promotion_calendar", "shift_requests")
JIRA_WORK_TABLES = {"jira_work_issues": ISSUE_DTYPES, "jira_worklogs": WORKLOG_DTYPES}
GOAL_FILE_TABLES = ("goal_sheet_rows", "helpdesk_tickets")  # tests/dbt/test_goal_sheets_and_tickets.py fills them
TAOBAO_TABLES = ("taobao_item_metrics", "taobao_page_metrics")  # tests/dbt/test_taobao_models.py fills them


def _epoch(local: str) -> int:
    """Unix seconds of a Shanghai wall-clock time, as WeCom sends it."""
    return int(datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).timestamp())


def _frame(source_file: str, rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["_source_ref"] = [f"{source_file}:{i + 2}" for i in range(len(frame))]
    return frame


def _employee(
    employee_id: str,
    name: str,
    department: str,
    team: str,
    project_group: str,
    role: str,
    manager_id: str | None,
    variable_base: str,
    termination_date: str | None = None,
) -> dict[str, object]:
    return {
        "employee_id": employee_id,
        "name": name,
        "department": department,
        "team": team,
        "project_group": project_group,
        "city": "Shanghai",
        "role": role,
        "manager_id": manager_id,
        "hire_date": "2024-01-15",
        "termination_date": termination_date,
        "timezone": "Asia/Shanghai",
        "payroll_id": "P" + employee_id[1:],
        "variable_base": variable_base,
    }


def _employees(first_team: str) -> list[dict[str, object]]:
    return [
        _employee("E001", "Li Wei", "Customer Service", first_team, "PG-A", "customer_service", "E006", "3000.00"),
        _employee("E002", "Wang Fang", "Customer Service", "CS-1", "PG-A", "customer_service", "E006", "3000.00"),
        _employee("E003", "Zhang Min", "Design", "DS-1", "PG-B", "designer", "E006", "5000.00"),
        _employee("E004", "Chen Jie", "Operations", "OP-1", "PG-B", "operator", "E006", "4500.50"),
        _employee("E005", "Liu Yang", "R&D", "RD-1", "PG-A", "engineer", "E006", "6000.00", "2026-02-27"),
        _employee("E006", "Zhao Lei", "Functional", "HQ", "HQ", "functional", None, "8000.00"),
    ]


def _identities() -> list[dict[str, object]]:
    def row(employee_id: str, system: str, external_id: str) -> dict[str, object]:
        return {
            "employee_id": employee_id,
            "system": system,
            "external_id": external_id,
            "valid_from": "2024-01-15",
            "valid_to": None,
        }

    return [
        row("E001", "zk", "0001"),
        row("E001", "jira", "acc-001"),
        row("E002", "wecom", "wangfang"),
        row("E002", "jira", "acc-002"),
        row("E003", "feishu", "fs-003"),
        row("E004", "zk", "0004"),
        row("E004", "dingtalk", "dt-004"),
    ]


def _roster() -> list[dict[str, object]]:
    shifts = {"DAY": ("09:00", "18:00"), "NIGHT": ("22:00", "06:00"), "EVENING": ("16:00", "00:00")}

    def row(employee_id: str, work_date: str, shift_code: str) -> dict[str, object]:
        start, end = shifts[shift_code]
        return {
            "employee_id": employee_id,
            "work_date": work_date,
            "shift_code": shift_code,
            "start_time": start,
            "end_time": end,
            "break_minutes": 60,
        }

    return [
        row("E001", "2026-03-02", "DAY"),
        row("E001", "2026-03-03", "NIGHT"),
        row("E001", "2026-03-04", "DAY"),
        row("E001", "2026-03-05", "DAY"),
        row("E001", "2026-03-06", "DAY"),
        row("E002", "2026-03-02", "DAY"),
        row("E002", "2026-03-03", "DAY"),
        row("E002", "2026-03-08", "EVENING"),
        row("E004", "2026-03-02", "DAY"),
        row("E004", "2026-03-03", "DAY"),
        row("E004", "2026-03-04", "DAY"),
        row("E004", "2026-03-05", "DAY"),
        row("E004", "2026-03-06", "DAY"),
        row("E005", "2026-03-02", "DAY"),  # rostered after leaving on 2026-02-27
    ]


def _leave() -> list[dict[str, object]]:
    return [
        {"employee_id": "E001", "leave_date": "2026-03-06", "hours": "8", "leave_type": "annual", "status": "approved"},
        {"employee_id": "E002", "leave_date": "2026-03-04", "hours": "4", "leave_type": "sick", "status": "pending"},
        {"employee_id": "E002", "leave_date": "2026-03-05", "hours": "8", "leave_type": "annual", "status": "approved"},
    ]


def _zk_punches() -> list[dict[str, object]]:
    def row(pin: str, local: str, state: int) -> dict[str, object]:
        return {
            "device_sn": "ZK001",
            "pin": pin,
            "punch_time_local": local,
            "verify_type": 1,
            "punch_state": state,
            "work_code": "0",
        }

    return [
        row("0001", "2026-03-02 09:07:00", 0),
        row("0001", "2026-03-02 09:07:30", 0),
        row("0001", "2026-03-02 18:02:00", 1),
        row("0001", "2026-03-03 21:55:00", 0),
        row("0001", "2026-03-04 06:03:00", 1),
        row("0001", "2026-03-04 09:02:00", 0),
        row("0099", "2026-03-02 08:55:00", 0),
        row("0004", "2026-03-02 09:00:30", 0),
        row("0004", "2026-03-04 09:00:00", 1),
        row("0004", "2026-03-04 18:00:00", 0),
        {**row("0004", "2026-03-05 10:00:00", 0), "device_sn": "ZK-TYO-01"},
        {**row("0004", "2026-03-05 19:00:00", 1), "device_sn": "ZK-TYO-01"},
        {**row("0004", "2026-03-06 11:00:00", 0), "device_sn": "ZK-BAD"},
        {**row("0004", "2026-03-06 20:00:00", 1), "device_sn": "ZK-BAD"},
    ]


def _zkbiotime_punches() -> list[dict[str, object]]:
    return [
        {"device_sn": "ZK-BJ-01", "pin": "0004", "punch_time_local": local, "verify_type": 15, "punch_state": state,
         "work_code": "0"}
        for local, state in (("2026-03-03 09:20:00", 0), ("2026-03-03 18:00:00", 1))
    ]  # fmt: skip


def _dingtalk_record(record_id: str, local: str, check_type: str) -> dict[str, object]:
    return {
        "record_id": record_id,
        "user_id": "dt-004",
        "check_type": check_type,
        "source_type": "USER",
        "time_result": "Normal",
        "location_result": "Normal",
        "user_check_time": _epoch(local) * 1000,
        "base_check_time": None,
        "is_legal": "Y",
        "device_id": None,
    }


def _dingtalk_punches() -> list[dict[str, object]]:
    return [
        _dingtalk_record("9001", "2026-03-02 09:00:10", "OnDuty"),
        _dingtalk_record("9002", "2026-03-02 18:00:00", "OffDuty"),
    ]


def _feishu_punches() -> list[dict[str, object]]:
    times = ["2026-03-02 08:58:00", "2026-03-02 18:01:00", "2026-03-03 07:58:00", "2026-03-03 12:00:00",
             "2026-03-03 13:00:00", "2026-03-03 20:05:00"]  # fmt: skip
    return [
        {"record_id": f"fr-{n}", "user_id": "fs-003", "check_time": str(_epoch(t)), "type": "0",
         "location_name": "Shenzhen", "device_id": None}
        for n, t in enumerate(times, start=1)
    ]  # fmt: skip


def _feishu_roster() -> list[dict[str, object]]:
    def row(user_id: str, day: str, name: str, on: str, off: str) -> dict[str, object]:
        return {"user_id": user_id, "work_date": day, "shift_id": name.lower(), "shift_name": name, "on_time": on,
                "off_time": off, "rest_minutes": "60"}  # fmt: skip

    return [
        row("fs-003", "2026-03-02", "DAY", "09:00", "18:00"),
        row("fs-003", "2026-03-03", "SPLIT", "08:00", "20:00"),
        row("fs-999", "2026-03-02", "DAY", "09:00", "18:00"),
    ]


def _feishu_leave() -> list[dict[str, object]]:
    return [
        {"approval_id": "ap-1", "user_id": "fs-003", "leave_date": "2026-03-04", "hours": "8", "leave_type": "Annual",
         "status": "approved"}
    ]  # fmt: skip


def _wecom_checkins() -> list[dict[str, object]]:
    def row(local: str | None, checkin_type: str, exception_type: str = "") -> dict[str, object]:
        return {
            "userid": "wangfang",
            "checkin_type": checkin_type,
            "exception_type": exception_type,
            "checkin_time": _epoch(local) if local else 0,
            "sch_checkin_time": 0,
            "groupname": "打卡一组",
        }

    return [
        row("2026-03-02 08:58:00", "上班打卡"),
        row("2026-03-02 18:05:00", "下班打卡"),
        row("2026-03-03 09:00:00", "上班打卡"),
        row("2026-03-03 17:30:00", "下班打卡"),
        row(None, "上班打卡", "未打卡"),
        row("2026-03-08 15:55:00", "上班打卡"),
        row("2026-03-09 00:02:00", "下班打卡"),
    ]


def _goal(
    issue_id: str, account_id: str, metric: str, target: str, actual: str, weight: str, direction: str, updated: str
) -> dict[str, object]:
    return {
        "issue_id": issue_id,
        "issue_key": f"GOAL-{issue_id[-1]}",
        "account_id": account_id,
        "metric": metric,
        "unit": "count",
        "target": target,
        "actual": actual,
        "weight": weight,
        "direction": direction,
        "goal_week": "2026-03-02",
        "objective_id": None,
        "updated": updated,
    }


def _goals() -> list[dict[str, object]]:
    return [
        _goal(
            "10001",
            "acc-001",
            "tickets_resolved",
            "200",
            "230",
            "0.5",
            "higher_is_better",
            "2026-03-06T10:00:00.000+0800",
        ),
        _goal(
            "10002",
            "acc-001",
            "first_response_minutes",
            "10",
            "8",
            "0.3",
            "lower_is_better",
            "2026-03-06T10:00:00.000+0800",
        ),
        _goal("10003", "acc-001", "csat", "4.5", "4.2", "0.2", "higher_is_better", "2026-03-06T10:00:00.000+0800"),
        _goal(
            "10004",
            "acc-unknown",
            "tickets_resolved",
            "100",
            "90",
            "1",
            "higher_is_better",
            "2026-03-06T10:00:00.000+0800",
        ),
    ]


def order_row(
    number: int,
    created: str,
    customer: int,
    status: str,
    cancelled: str | None = None,
    amount: str = "100.00",
    currency: str = "CNY",
) -> dict[str, object]:
    """One raw.shopify_orders row as the connector lands it."""
    return {
        "order_gid": f"gid://shopify/Order/{5500 + number}",
        "name": f"#{1000 + number}",
        "created_at": created,
        "updated_at": created,
        "financial_status": status,
        "cancelled_at": cancelled,
        "customer_gid": f"gid://shopify/Customer/{customer}",
        "total_amount": amount,
        "currency": currency,
    }


def _orders() -> list[dict[str, object]]:
    return [
        # 2026-03-01 17:30 UTC is Monday 01:30 in Shanghai: the order belongs to the fixture week.
        order_row(1, "2026-03-01T17:30:00Z", 1, "PAID"),
        order_row(2, "2026-03-04T03:00:00Z", 2, "PAID"),
        order_row(3, "2026-03-05T04:00:00Z", 1, "PAID"),
        order_row(4, "2026-03-05T05:00:00Z", 3, "REFUNDED"),
        order_row(5, "2026-03-06T06:00:00Z", 4, "PAID", "2026-03-06T08:00:00Z"),
        order_row(6, "2026-03-06T07:00:00Z", 5, "PAID"),
    ]


def _order_lines() -> list[dict[str, object]]:
    def row(order: int, line_no: int, product: int, quantity: int) -> dict[str, object]:
        return {
            "order_gid": f"gid://shopify/Order/{5500 + order}",
            "line_no": line_no,
            "sku": f"SKU-{product}",
            "quantity": quantity,
            "product_gid": f"gid://shopify/Product/{product}",
        }

    return [
        row(1, 1, 77, 1),
        row(2, 1, 77, 2),
        row(3, 1, 77, 1),
        row(3, 2, 78, 1),
        row(4, 1, 77, 1),
        row(5, 1, 78, 1),
        row(6, 1, 99, 1),
    ]


def _page_daily() -> list[dict[str, object]]:
    def row(day: str, path: str, sessions: str, views: str, engagement: str) -> dict[str, object]:
        return {
            "report_date": day,
            "page_path": path,
            "sessions": sessions,
            "screen_page_views": views,
            "user_engagement_duration": engagement,
        }

    return [
        row("20260302", "/products/aurora-tee", "60", "90", "2400"),
        row("20260303", "/products/aurora-tee", "40", "60", "1600.0"),
        row("20260302", "/products/borealis-mug", "50", "70", "1000"),
    ]


def _page_events() -> list[dict[str, object]]:
    return [
        {
            "report_date": "20260302",
            "page_path": "/products/aurora-tee",
            "event_name": "add_to_wishlist",
            "event_count": "2",
        },
        {
            "report_date": "20260303",
            "page_path": "/products/borealis-mug",
            "event_name": "add_to_wishlist",
            "event_count": "1",
        },
    ]


def _creative_daily() -> list[dict[str, object]]:
    def row(day: str, creative: str, views: str, clicks: str) -> dict[str, object]:
        return {
            "report_date": day,
            "creative_name": creative,
            "items_viewed_in_promotion": views,
            "items_clicked_in_promotion": clicks,
        }

    return [
        row("20260302", "C1", "500", "20"),
        row("20260303", "C1", "500", "10"),
        row("20260302", "C2", "400", "10"),
        row("20260302", "C3", "300", "0"),
        row("20260302", "C9", "100", "5"),
    ]


def _creatives() -> list[dict[str, object]]:
    def row(creative: str, product: str, live_from: str, live_to: str | None, rating: str) -> dict[str, object]:
        return {
            "creative_id": creative,
            "product_id": product,
            "designer_id": "E003",
            "live_from": live_from,
            "live_to": live_to,
            "operator_rating": rating,
        }

    return [
        row("C1", "P1", "2026-03-01", None, "4"),
        row("C2", "P1", "2026-03-01", "2026-03-31", "3"),
        row("C3", "P2", "2026-02-01", None, "5"),
        row("C4", "P2", "2026-02-15", None, "2"),
        row("C5", "P1", "2026-01-01", "2026-02-28", "4"),
    ]


def _products() -> list[dict[str, object]]:
    return [
        {
            "product_id": "P1",
            "shopify_product_id": "77",
            "page_path": "/products/aurora-tee",
            "project_id": "PRJ1",
            "operator_id": "E004",
        },
        {
            "product_id": "P2",
            "shopify_product_id": "78",
            "page_path": "/products/borealis-mug",
            "project_id": "PRJ1",
            "operator_id": "E004",
        },
    ]


def _project_pnl() -> list[dict[str, object]]:
    return [
        {
            "project_id": "PRJ1",
            "week_start_reported": "2026-03-02",
            "revenue": "10000.00",
            "cost": "6000.00",
            "ad_spend": "1500.50",
            "currency": "CNY",
        },
        {
            "project_id": "PRJ2",
            "week_start_reported": "2026-03-02",
            "revenue": "1000.00",
            "cost": "1500.00",
            "ad_spend": "0.00",
            "currency": "CNY",
        },
    ]


def _activity_events() -> list[dict[str, object]]:
    def row(
        event_id: str,
        event_type: str,
        activity: str,
        activity_type: str,
        employee: str,
        counterpart: str | None,
        story: str | None,
        occurred: str,
    ) -> dict[str, object]:
        return {
            "event_id": event_id,
            "event_type": event_type,
            "activity_id": activity,
            "activity_type": activity_type,
            "employee_id": employee,
            "counterpart_id": counterpart,
            "story_id": story,
            "team_id": "T1",
            "prerequisite_course": "SEC-101" if activity_type == "challenge" else None,
            "occurred_at": occurred,
        }

    return [
        row("ev-1", "challenge_joined", "A1", "challenge", "E001", None, None, "2026-03-02T02:00:00Z"),
        row("ev-1", "challenge_joined", "A1", "challenge", "E001", None, None, "2026-03-02T02:00:00Z"),
        row("ev-2", "story_published", "A2", "story", "E002", None, "S1", "2026-03-03T03:00:00Z"),
        row("ev-3", "story_liked", "A2", "story", "E001", "E002", "S1", "2026-03-03T04:00:00Z"),
        row("ev-4", "story_commented", "A2", "story", "E003", "E002", "S1", "2026-03-03T05:00:00Z"),
        row("ev-5", "story_liked", "A2", "story", "E002", "E002", "S1", "2026-03-03T06:00:00Z"),
        row("ev-6", "collaboration_completed", "A3", "collaboration", "E003", "E004", None, "2026-03-04T02:00:00Z"),
    ]


def _fixture_tables() -> list[tuple[str, str, date, pd.DataFrame]]:
    """(raw table, _source, partition week, rows) for everything the fixture loads."""
    week = FIXTURE_WEEK
    return [
        # An older HR snapshot: E001 was in team CS-0 then; dim_employee must show the latest (CS-1).
        ("hris_employees", "inbox", PREVIOUS_WEEK, _frame("hr_roster.csv", _employees("CS-0"))),
        ("hris_employees", "inbox", week, _frame("hr_roster.csv", _employees("CS-1"))),
        ("hris_identities", "inbox", week, _frame("employee_identity.csv", _identities())),
        ("roster_shifts", "inbox", week, _frame("shift_roster.csv", _roster())),
        ("leave_requests", "inbox", week, _frame("leave_requests.csv", _leave())),
        ("zk_punches", "zk", week, _frame("ZK001_attlog.dat", _zk_punches())),
        ("wecom_checkins", "wecom", week, _frame("wecom:getcheckindata", _wecom_checkins())),
        ("zkbiotime_punches", "zkbiotime", week, _frame("iclock_transaction", _zkbiotime_punches())),
        ("dingtalk_punches", "dingtalk", week, _frame("dingtalk:listRecord", _dingtalk_punches())),
        # The next week's run re-fetches a lookback that includes Monday's 18:00 record again.
        ("dingtalk_punches", "dingtalk", NEXT_WEEK, _frame("dingtalk:listRecord", _dingtalk_punches()[1:])),
        ("feishu_punches", "feishu", week, _frame("feishu:user_flows", _feishu_punches())),
        ("feishu_shift_roster", "feishu", week, _frame("feishu:user_daily_shifts", _feishu_roster())),
        ("feishu_leave", "feishu", week, _frame("feishu:user_approvals", _feishu_leave())),
        ("jira_goal_issues", "jira", week, _frame("jira:search/jql", _goals())),
        ("shopify_orders", "shopify", week, _frame("shopify:orders", _orders())),
        ("shopify_order_lines", "shopify", week, _frame("shopify:orders.lineItems", _order_lines())),
        ("ga4_page_daily", "ga4", week, _frame("ga4:runReport/pages", _page_daily())),
        ("ga4_page_events", "ga4", week, _frame("ga4:runReport/events", _page_events())),
        ("ga4_creative_daily", "ga4", week, _frame("ga4:runReport/creatives", _creative_daily())),
        ("creative_registry", "inbox", week, _frame("creative_registry.csv", _creatives())),
        ("product_registry", "inbox", week, _frame("product_registry.csv", _products())),
        ("project_pnl", "inbox", week, _frame("project_pnl.csv", _project_pnl())),
        ("activity_events", "inbox", week, _frame("activity_events.jsonl", _activity_events())),
    ]


def write_raw_tables(database: Path) -> None:
    """Create the raw schema in ``database`` with the fixture rows (and an empty quarantine table)."""
    with connect(database) as con:
        for table, source, week, frame in _fixture_tables():
            replace_week(con, table, week, frame, source)
        from tests.dbt.okr_fixture import write_okr_tables  # it reads this module's weeks

        write_okr_tables(con)
        # The planning, goal-file, redemption and feedback tests (tests/dbt/test_redemption_requests.py,
        # tests/dbt/test_activity_analytics.py) load their own.
        activity_files = ("redemption_requests", "training_completions", "activity_feedback", "activity_calendar")
        for table in (*PLANNING_TABLES, *GOAL_FILE_TABLES, *activity_files):
            replace_week(con, table, FIXTURE_WEEK, raw_frame(table, []), "inbox")
        for table in TAOBAO_TABLES:
            replace_week(con, table, FIXTURE_WEEK, raw_frame(table, []), "inbox")
        for table, dtypes in JIRA_WORK_TABLES.items():  # tests/integration/test_jira_goal_actuals.py loads real ones
            replace_week(con, table, FIXTURE_WEEK, records_frame([], dtypes), "jira")
        con.execute(
            "create table if not exists raw.quarantine (week_start date, table_name varchar, source_ref varchar,"
            " reason varchar, payload varchar, _source varchar, _batch_id varchar)"
        )


def replace_project_pnl(database: Path, revenue: str) -> None:
    """Reload the fixture week's project P&L with a different PRJ1 revenue (to test incremental rebuilds)."""
    rows = _project_pnl()
    rows[0]["revenue"] = revenue
    with connect(database) as con:
        replace_week(con, "project_pnl", FIXTURE_WEEK, _frame("project_pnl.csv", rows), "inbox")


# ---------- the contribution dashboard fixture (tests/dbt/test_contribution_dashboard.py, test_commerce_bad_input.py)
# Two weeks, W1 = 2026-02-23 and W2 = 2026-03-02, loaded in the fixture week's partition (replacing the e-commerce
# rows above). Products P1 (/products/one, operator E004) and P2 (/products/two, operator E005), both project PRJ1
# in CNY. Creatives: C1 (P1, designer E003), C2 (P1, E006), C3 (P2, E003), C5 on product PX that has no page.
# Clicks W1: C1 30/1000, C2 10/500, C3 0/200; W2: C1 60/1000, C2 20/1000, C3 8/400, C5 none.
# Sessions W1: P1 100, P2 50; W2: P1 200, P2 0 (zero sessions). Wishlist adds W2: P1 4.
# Orders (100.00 CNY unless said): W1 1 and 2 on P1; W2 3 on P1 by customer 1 (a repeat), 4 (200.00) on P1 and
# P2 (seen on two pages), 5 REFUNDED and 6 cancelled on P1, 7 on unregistered product 99, 8 on P1 in USD 50.00,
# 9 on P2.
def _contribution_orders() -> list[dict[str, object]]:
    def row(
        number: int,
        day: str,
        customer: int,
        status: str = "PAID",
        amount: str = "100.00",
        currency: str = "CNY",
        cancelled: bool = False,
    ) -> dict[str, object]:
        created = f"{day}T04:00:00Z"  # noon in Shanghai, the same local date
        return {
            "order_gid": f"gid://shopify/Order/{5500 + number}",
            "name": f"#{1000 + number}",
            "created_at": created,
            "updated_at": created,
            "financial_status": status,
            "cancelled_at": f"{day}T06:00:00Z" if cancelled else None,
            "customer_gid": f"gid://shopify/Customer/{customer}",
            "total_amount": amount,
            "currency": currency,
        }

    return [
        row(1, "2026-02-24", 1),
        row(2, "2026-02-25", 2),
        row(3, "2026-03-03", 1),
        row(4, "2026-03-03", 3, amount="200.00"),
        row(5, "2026-03-04", 4, status="REFUNDED"),
        row(6, "2026-03-04", 5, cancelled=True),
        row(7, "2026-03-04", 6),
        row(8, "2026-03-05", 7, amount="50.00", currency="usd"),
        row(9, "2026-03-05", 8),
    ]


def _contribution_order_lines() -> list[dict[str, object]]:
    lines = [(1, 77), (2, 77), (3, 77), (4, 77), (4, 78), (5, 77), (6, 77), (7, 99), (8, 77), (9, 78)]
    return [
        {
            "order_gid": f"gid://shopify/Order/{5500 + order}",
            "line_no": n,
            "sku": f"SKU-{product}",
            "quantity": 1,
            "product_gid": f"gid://shopify/Product/{product}",
        }
        for n, (order, product) in enumerate(lines, start=1)
    ]


def _contribution_tables() -> list[tuple[str, str, pd.DataFrame]]:
    def page(day: str, path: str, sessions: str) -> dict[str, object]:
        return {
            "report_date": day,
            "page_path": path,
            "sessions": sessions,
            "screen_page_views": sessions,
            "user_engagement_duration": str(int(sessions) * 30),
        }

    def clicks(day: str, creative: str, views: str, clicked: str) -> dict[str, object]:
        return {
            "report_date": day,
            "creative_name": creative,
            "items_viewed_in_promotion": views,
            "items_clicked_in_promotion": clicked,
        }

    def creative(creative_id: str, product: str, designer: str) -> dict[str, object]:
        return {
            "creative_id": creative_id,
            "product_id": product,
            "designer_id": designer,
            "live_from": "2026-02-01",
            "live_to": None,
            "operator_rating": "4",
        }

    def product(product_id: str, shopify_id: str, path: str, operator: str) -> dict[str, object]:
        return {
            "product_id": product_id,
            "shopify_product_id": shopify_id,
            "page_path": path,
            "project_id": "PRJ1",
            "operator_id": operator,
        }

    pages = [
        page("20260224", "/products/one", "100"),
        page("20260224", "/products/two", "50"),
        page("20260303", "/products/one", "200"),
        page("20260303", "/products/two", "0"),
    ]
    wishlist = [
        {"report_date": "20260303", "page_path": "/products/one", "event_name": "add_to_wishlist", "event_count": "4"}
    ]
    creative_clicks = [
        clicks("20260224", "C1", "1000", "30"),
        clicks("20260224", "C2", "500", "10"),
        clicks("20260224", "C3", "200", "0"),
        clicks("20260303", "C1", "1000", "60"),
        clicks("20260303", "C2", "1000", "20"),
        clicks("20260303", "C3", "400", "8"),
    ]
    creatives = [creative("C1", "P1", "E003"), creative("C2", "P1", "E006"), creative("C3", "P2", "E003")]
    creatives.append(creative("C5", "PX", "E006"))
    products = [product("P1", "77", "/products/one", "E004"), product("P2", "78", "/products/two", "E005")]
    pnl = [
        {
            "project_id": "PRJ1",
            "week_start_reported": "2026-03-02",
            "revenue": "500.00",
            "cost": "200.00",
            "ad_spend": "0.00",
            "currency": "CNY",
        }
    ]
    return [
        ("shopify_orders", "shopify", _frame("shopify:orders", _contribution_orders())),
        ("shopify_order_lines", "shopify", _frame("shopify:orders.lineItems", _contribution_order_lines())),
        ("ga4_page_daily", "ga4", _frame("ga4:runReport/pages", pages)),
        ("ga4_page_events", "ga4", _frame("ga4:runReport/events", wishlist)),
        ("ga4_creative_daily", "ga4", _frame("ga4:runReport/creatives", creative_clicks)),
        ("creative_registry", "inbox", _frame("creative_registry.csv", creatives)),
        ("product_registry", "inbox", _frame("product_registry.csv", products)),
        ("project_pnl", "inbox", _frame("project_pnl.csv", pnl)),
    ]


def write_contribution_tables(database: Path) -> None:
    """The raw layer of ``write_raw_tables`` with the e-commerce rows replaced by the contribution fixture."""
    write_raw_tables(database)
    with connect(database) as con:
        for table, source, frame in _contribution_tables():
            replace_week(con, table, FIXTURE_WEEK, frame, source)
