"""The sample company's Taobao store as 生意参谋 (Sycm) reports it: the weekly 商品 and 页面 XLSX exports.

Every ``TAOBAO_EVERY``-th product (in product-id order) is also a Taobao-channel product: its item page and the
designed pages showing its creatives are reported by Sycm. The numbers are the sample's own page and creative
traffic for those products (the sandbox has one traffic truth), so dbt, which prefers Sycm's rows over GA4's
for the same page or creative and week, counts each visit once and the marts keep their values.

The files look like Sycm's downloads: a merged title row and a 统计日期 range row above the Chinese header, counts
as text with thousands separators, rates as percentages, ``-`` for a rate without a denominator. Bytes are
deterministic: a fixed workbook time (the Monday after the week, 09:00) and fixed zip entry metadata.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

import openpyxl
import pandas as pd
from openpyxl.xml.functions import tostring

TAOBAO_EVERY = 4
ITEM_FILE = "taobao_item_metrics.xlsx"
PAGE_FILE = "taobao_page_metrics.xlsx"
ITEM_HEADERS = (
    "统计日期", "商品ID", "商品名称", "商家编码", "商品访客数", "商品浏览量", "平均停留时长", "商品详情页跳出率",
    "商品收藏人数",
)  # fmt: skip
PAGE_HEADERS = ("统计日期", "页面ID", "页面名称", "页面类型", "浏览量", "访客数", "点击次数", "点击率")
ITEM_ID_BASE = 600_000_000_000  # Taobao item ids (num_iid) are 12-digit numbers
PAGE_ID_BASE = 880_000_000
PAGE_VISITOR_SHARE = (4, 5)  # visitors / page views of a designed page, as a fraction
EXPORTED_AFTER = timedelta(days=7, hours=9)  # the operator downloads the week on the next Monday morning


def taobao_products(products: pd.DataFrame) -> pd.DataFrame:
    """The Taobao-channel subset of the catalogue, with the Taobao item id each is listed under."""
    ordered = products.sort_values("product_id", kind="stable").reset_index(drop=True)
    chosen = ordered.iloc[TAOBAO_EVERY - 1 :: TAOBAO_EVERY].copy()
    chosen["item_id"] = [str(ITEM_ID_BASE + int(str(sid)[-9:])) for sid in chosen["shopify_product_id"]]
    return chosen.reset_index(drop=True)


def taobao_page_id(creative_id: str) -> str:
    """The Taobao page id of the designed page showing a creative (digits of the creative id, offset)."""
    digits = "".join(ch for ch in creative_id if ch.isdigit()) or "0"
    return str(PAGE_ID_BASE + int(digits))


def render_taobao_files(tables: Mapping[str, pd.DataFrame], first_day: date) -> dict[str, bytes]:
    """File name -> XLSX bytes for the week starting ``first_day``; empty without the traffic tables."""
    if "page_daily" not in tables or "creative_daily" not in tables:
        return {}
    products = taobao_products(tables["products"])
    if products.empty:
        return {}
    days = (first_day, first_day + timedelta(days=6))
    stamp = datetime.combine(first_day, time()) + EXPORTED_AFTER
    items = _item_rows(tables["page_daily"], products, days)
    pages = _page_rows(tables["creative_daily"], tables["creatives"], products, days)
    return {
        ITEM_FILE: _workbook("商品", ITEM_HEADERS, items, days, stamp),
        PAGE_FILE: _workbook("页面", PAGE_HEADERS, pages, days, stamp),
    }


def _in_days(frame: pd.DataFrame, days: tuple[date, date]) -> pd.DataFrame:
    day = pd.to_datetime(frame["date"]).dt.date
    return frame.assign(day=day)[(day >= days[0]) & (day <= days[1])]


def _item_rows(page_daily: pd.DataFrame, products: pd.DataFrame, days: tuple[date, date]) -> list[list[object]]:
    """One row per Taobao item and day: the product page's visitors, views, dwell and favourites."""
    by_path = products.set_index("page_path")
    week = _in_days(page_daily, days)
    week = week[week["page_path"].isin(by_path.index)].sort_values(["day", "page_path"], kind="stable")
    rows: list[list[object]] = []
    for row in week.to_dict("records"):
        product = by_path.loc[row["page_path"]]
        sessions, views = int(row["sessions"]), int(row["screen_page_views"])
        engagement = int(row["user_engagement_seconds"])
        # 4 decimals: visitors x average stay gives back the engagement seconds exactly (below 10,000 visitors)
        stay = f"{engagement / sessions:.4f}" if sessions else "0.00"
        bounce = _percent(max(0, 2 * sessions - views), sessions) if sessions else "-"
        rows.append(
            [
                row["day"].isoformat(), str(product["item_id"]), str(product["title"]), str(product["product_id"]),
                f"{sessions:,}", f"{views:,}", stay, bounce, f"{int(row['wishlist_adds']):,}",
            ]
        )  # fmt: skip
    return rows


def _page_rows(
    creative_daily: pd.DataFrame, creatives: pd.DataFrame, products: pd.DataFrame, days: tuple[date, date]
) -> list[list[object]]:
    """One row per designed page (one per creative of a Taobao product) and day: views are the creative's
    impressions, clicks its clicks."""
    mine = set(creatives.loc[creatives["product_id"].isin(set(products["product_id"])), "creative_id"].astype(str))
    week = _in_days(creative_daily, days)
    week = week[week["creative_id"].astype(str).isin(mine)].sort_values(["day", "creative_id"], kind="stable")
    rows: list[list[object]] = []
    share_num, share_den = PAGE_VISITOR_SHARE
    for row in week.to_dict("records"):
        creative_id, views, clicks = str(row["creative_id"]), int(row["impressions"]), int(row["clicks"])
        rows.append(
            [
                row["day"].isoformat(), taobao_page_id(creative_id), f"{creative_id} 详情海报", "自定义页",
                f"{views:,}", f"{views * share_num // share_den:,}", f"{clicks:,}",
                _percent(clicks, views) if views else "-",
            ]
        )  # fmt: skip
    return rows


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f}%"


def _workbook(
    report: str, headers: tuple[str, ...], rows: list[list[object]], days: tuple[date, date], stamp: datetime
) -> bytes:
    """Sycm's layout: a merged title row, the 统计日期 range, a blank row, the header, then text cells."""
    from sandbox.inbox import _reproducible_xlsx  # here: sandbox.inbox imports this module

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = report
    sheet.append([f"【生意参谋平台】{report}_全部"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append([f"统计日期：{days[0].isoformat()} ~ {days[1].isoformat()}"])
    sheet.append([])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    workbook.properties.creator = "生意参谋"
    workbook.properties.created = stamp
    buffer = io.BytesIO()
    workbook.save(buffer)
    workbook.properties.modified = stamp  # save() has just set it to the wall clock
    return _reproducible_xlsx(buffer.getvalue(), tostring(workbook.properties.to_tree()), stamp)
