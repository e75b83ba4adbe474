"""A hand-built sample company small enough to reason about in assertions, shaped like ``sandbox.sample``'s tables.

Week under test: ``WEEK`` (Monday 2026-03-02, Asia/Shanghai). Every source also has rows just outside the week,
so a connector that ignores the window is caught.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd

WEEK = date(2026, 3, 2)
TZ = "Asia/Shanghai"
NEXT_WEEK = WEEK + timedelta(days=7)


def _dates(values: list[date]) -> pd.Series:
    return pd.Series(pd.to_datetime(values), dtype="datetime64[s]")


def employees(wecom_users: int) -> pd.DataFrame:
    """``wecom_users`` app users (``wx0001``...; the second one works from Tokyo) plus one ZK-device user."""
    rows = []
    for n in range(1, wecom_users + 2):
        is_zk = n == wecom_users + 1
        rows.append(
            {
                "employee_id": f"E{n:06d}",
                "name": f"Person {n}",
                "department": "Customer Service",
                "timezone": "Asia/Tokyo" if n == 2 else TZ,
                "city": "Shanghai",
                "attendance_source": "zk" if is_zk else "wecom",
                "zk_pin": f"{n:05d}" if is_zk else None,
                "wecom_userid": None if is_zk else f"wx{n:04d}",
                "jira_account_id": f"acc-{n:04d}",
                "shift_code": "DAY",
            }
        )
    return pd.DataFrame(rows).astype({c: "str" for c in rows[0] if c != "zk_pin"})


def attendance(wecom_users: int) -> dict[str, pd.DataFrame]:
    """DAY shifts Monday-Friday; everyone punches 08:55 / 18:05 wall time, except wx0001 is late on Monday."""
    people = employees(wecom_users)
    roster, punches = [], []
    days = [WEEK + timedelta(days=d) for d in range(5)]
    for person in people.itertuples(index=False):
        source = person.attendance_source
        for day in days:
            roster.append({"employee_id": person.employee_id, "work_date": day, "shift_code": "DAY"})
            late = person.wecom_userid == "wx0001" and day == WEEK
            check_in = datetime.combine(day, datetime.min.time()) + timedelta(hours=9, minutes=7 if late else -5)
            check_out = datetime.combine(day, datetime.min.time()) + timedelta(hours=18, minutes=5)
            for when, state in ((check_in, 0), (check_out, 1)):
                punches.append(
                    {
                        "employee_id": person.employee_id,
                        "source": source,
                        "device_sn": "ZK001" if source == "zk" else None,
                        "punch_time_local": when,
                        "punch_state": state,
                    }
                )
        # Sunday evening before the week: must not be fetched for WEEK.
        punches.append(
            {
                "employee_id": person.employee_id,
                "source": source,
                "device_sn": None,
                "punch_time_local": datetime.combine(WEEK - timedelta(days=1), datetime.min.time())
                + timedelta(hours=20),
                "punch_state": 0,
            }
        )
    roster_frame = pd.DataFrame(roster)
    roster_frame["work_date"] = _dates(list(roster_frame["work_date"]))
    punch_frame = pd.DataFrame(punches)
    punch_frame["punch_time_local"] = punch_frame["punch_time_local"].astype("datetime64[s]")
    shifts = pd.DataFrame(
        {"shift_code": ["DAY", "NIGHT"], "start_time": ["09:00", "22:00"], "end_time": ["18:00", "06:00"]}
    ).assign(break_minutes=[60, 60])
    return {"employees": people, "roster": roster_frame, "shifts": shifts, "punches": punch_frame}


def shop() -> dict[str, pd.DataFrame]:
    """Seven orders updated inside the week (one refunded, one cancelled, one guest) and two outside it."""
    start_utc = datetime(2026, 3, 1, 16, 0)  # WEEK 00:00 in Shanghai
    updated = [start_utc + timedelta(hours=h) for h in (0, 5, 30, 50, 80, 120, 167)]
    outside = [start_utc - timedelta(seconds=1), start_utc + timedelta(days=7)]
    orders, lines = [], []
    for n, when in enumerate(updated + outside, start=1):
        order_id = str(5500 + n)
        orders.append(
            {
                "order_id": order_id,
                "name": f"#{1000 + n}",
                "created_at_utc": when - timedelta(hours=1),
                "updated_at_utc": when,
                "customer_id": None if n == 3 else str(700 + n % 4),
                "financial_status": "REFUNDED" if n == 2 else "PAID",
                "cancelled_at_utc": when if n == 4 else None,
                "total_amount": f"{n * 100 + 0.5:.2f}",
                "currency": "CNY",
            }
        )
        for line_no in range(1, 1 + (n % 3) + 1):
            lines.append(
                {
                    "order_id": order_id,
                    "line_no": line_no,
                    "sku": f"SKU-{n}-{line_no}",
                    "product_id": f"P{(n + line_no) % 3 + 1:03d}",
                    "quantity": line_no,
                }
            )
    order_frame = pd.DataFrame(orders)
    for column in ("created_at_utc", "updated_at_utc", "cancelled_at_utc"):
        order_frame[column] = pd.to_datetime(order_frame[column]).astype("datetime64[s]")
    products = pd.DataFrame(
        {
            "product_id": ["P001", "P002", "P003"],
            "shopify_product_id": ["801", "802", "803"],
            "title": ["Tee", "Mug", "Cap"],
            "page_path": ["/products/tee", "/products/mug", "/products/cap"],
            "project_id": ["PRJ1", "PRJ1", "PRJ2"],
        }
    )
    return {"orders": order_frame, "order_lines": pd.DataFrame(lines), "products": products}


def analytics() -> dict[str, pd.DataFrame]:
    """Three pages x (the 7 week days + the day after); wishlist adds are zero on every third row."""
    days = [WEEK + timedelta(days=d) for d in range(8)]
    pages = ["/products/tee", "/products/mug", "/products/cap"]
    page_rows = []
    for i, (day, page) in enumerate((d, p) for d in days for p in pages):
        page_rows.append(
            {
                "date": day,
                "page_path": page,
                "sessions": 10 + i,
                "screen_page_views": 20 + i,
                "user_engagement_seconds": 300 + i,
                "wishlist_adds": 0 if i % 3 == 0 else i % 5 + 1,
            }
        )
    page_daily = pd.DataFrame(page_rows)
    page_daily["date"] = _dates(list(page_daily["date"]))
    creative_rows = [
        {"date": day, "creative_id": creative, "impressions": 1000 + i, "clicks": 30 + i}
        for i, (day, creative) in enumerate((d, c) for d in days for c in ("CR0001", "CR0002"))
    ]
    creative_daily = pd.DataFrame(creative_rows)
    creative_daily["date"] = _dates(list(creative_daily["date"]))
    return {"page_daily": page_daily, "creative_daily": creative_daily}


def goals(wecom_users: int) -> pd.DataFrame:
    """Three goals per employee for WEEK and one per employee for the week before; one goal has no assignee."""
    rows = []
    for n in range(1, wecom_users + 2):
        employee = f"E{n:06d}"
        for metric, unit, target, actual, weight, direction in (
            ("tickets_resolved", "count", "200", "230", "0.50", "higher_is_better"),
            ("first_response_minutes", "minutes", "10.0", "8.0", "0.30", "lower_is_better"),
            ("csat", "score", "4.50", "4.20", "0.20", "higher_is_better"),
        ):
            rows.append((employee, WEEK, metric, unit, target, actual, weight, direction))
        rows.append(
            (employee, WEEK - timedelta(days=7), "tickets_resolved", "count", "180", "150", "1.00", "higher_is_better")
        )
    rows.append(("E999999", WEEK, "csat", "score", "4.50", "4.00", "1.00", "higher_is_better"))  # not in employees
    frame = pd.DataFrame(
        rows, columns=["employee_id", "week_start", "metric", "unit", "target", "actual", "weight", "direction"]
    )
    frame["week_start"] = _dates(list(frame["week_start"]))
    frame["channel"] = "jira"
    return frame.astype({c: "str" for c in frame.columns if c != "week_start"})


def tiny_company(wecom_users: int = 3) -> dict[str, pd.DataFrame]:
    return {**attendance(wecom_users), **shop(), **analytics(), "goals": goals(wecom_users)}
