"""The Taobao store's 生意参谋 XLSX exports: title rows above a Chinese header, numbers as display text, and every
row either loaded or quarantined with a reason an operator can act on (rows in = rows loaded + rows quarantined)."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from connectors.files import read_inbox_week
from connectors.files.column_maps import HeaderError
from connectors.files.inbox import file_kind
from connectors.files.taobao_exports import read_taobao_item_metrics, read_taobao_page_metrics
from connectors.files.zk_attlog import FileTooLargeError
from sandbox.taobao import ITEM_FILE, PAGE_FILE, render_taobao_files, taobao_page_id

WEEK = date(2026, 3, 2)
ITEM_HEADER = ["统计日期", "商品ID", "商品名称", "商家编码", "商品访客数", "商品浏览量", "平均停留时长", "商品收藏人数"]
PAGE_HEADER = ["统计日期", "页面ID", "页面名称", "页面类型", "浏览量", "访客数", "点击次数", "点击率"]


def sycm_xlsx(
    path: Path,
    header: list[str],
    rows: list[list[object]],
    period: str | None = "统计日期：2026-03-02 ~ 2026-03-08",
    merge: str | None = "A1:F1",
) -> Path:
    """A workbook laid out as 生意参谋 downloads are: a (merged) title row, the date range, a blank row, the header."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "商品"
    for row in [["【生意参谋平台】商品_全部"], [period] if period else [], [], header, *rows]:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def week_file(tmp_path: Path, name: str) -> Path:
    return tmp_path / "inbox" / WEEK.isoformat() / name


def records(frame: pd.DataFrame, columns: list[str]) -> list[list[object]]:
    return frame[columns].astype(object).where(frame[columns].notna(), None).values.tolist()


# ---------- a rendered export (the sandbox's Taobao store)


def tiny_store() -> dict[str, pd.DataFrame]:
    """Four products (the fourth is the Taobao-channel one), its creative, and their traffic on two days."""
    products = pd.DataFrame(
        {
            "product_id": ["PRD-1", "PRD-2", "PRD-3", "PRD-4"],
            "shopify_product_id": ["7400000000001", "7400000000002", "7400000000003", "7400000123456"],
            "title": ["Cloud Tee", "Jade Mug", "Silk Cap", "Panda Lamp"],
            "page_path": ["/products/cloud-tee", "/products/jade-mug", "/products/silk-cap", "/products/panda-lamp"],
            "project_id": ["PJ-1"] * 4,
        }
    )
    creatives = pd.DataFrame({"creative_id": ["CR-000001", "CR-000042"], "product_id": ["PRD-1", "PRD-4"]})
    days = pd.to_datetime(["2026-03-02", "2026-03-03", "2026-03-09"])
    page_daily = pd.DataFrame(
        {
            "date": [days[0], days[0], days[1], days[2]],
            "page_path": [
                "/products/cloud-tee",
                "/products/panda-lamp",
                "/products/panda-lamp",
                "/products/panda-lamp",
            ],
            "sessions": [10, 1234, 0, 99],
            "screen_page_views": [20, 2000, 0, 150],
            "user_engagement_seconds": [300, 45678, 0, 990],
            "wishlist_adds": [1, 1001, 0, 2],
        }
    )
    creative_daily = pd.DataFrame(
        {
            "date": [days[0], days[0], days[1]],
            "creative_id": ["CR-000001", "CR-000042", "CR-000042"],
            "impressions": [50, 12345, 0],
            "clicks": [1, 401, 0],
        }
    )
    return {
        "products": products,
        "creatives": creatives,
        "page_daily": page_daily,
        "creative_daily": creative_daily,
    }


@pytest.fixture
def rendered(tmp_path: Path) -> Path:
    files = render_taobao_files(tiny_store(), WEEK)
    folder = tmp_path / "inbox" / WEEK.isoformat()
    folder.mkdir(parents=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return tmp_path / "inbox"


def test_a_rendered_item_export_maps_its_chinese_header_and_parses_display_numbers(rendered: Path) -> None:
    validated = read_taobao_item_metrics(rendered / WEEK.isoformat() / ITEM_FILE)

    assert validated.quarantine.empty
    columns = ["stat_date", "item_id", "item_name", "outer_id", "visitors", "page_views", "avg_stay_seconds"]
    columns += ["bounce_rate", "favorite_buyers", "period_start", "period_end"]
    assert records(validated.rows, columns) == [
        # 1,234 visitors -> 1234; 45678 s / 1234 visitors; bounce 2x1234-2000 = 468 of 1234 = 37.93% -> 0.3793
        ["2026-03-02", "600000123456", "Panda Lamp", "PRD-4", "1234", "2000", "37.0162", "0.3793", "1001",
         "2026-03-02", "2026-03-08"],
        # a day without visitors: Sycm's "-" for the rate is no value, not zero
        ["2026-03-03", "600000123456", "Panda Lamp", "PRD-4", "0", "0", "0.00", None, "0", "2026-03-02", "2026-03-08"],
    ]  # fmt: skip
    assert validated.rows["_source_ref"].tolist() == [f"{ITEM_FILE}:商品!R5", f"{ITEM_FILE}:商品!R6"]


def test_a_rendered_page_export_names_the_creative_and_turns_percentages_into_fractions(rendered: Path) -> None:
    validated = read_taobao_page_metrics(rendered / WEEK.isoformat() / PAGE_FILE)

    assert validated.quarantine.empty
    columns = ["stat_date", "page_id", "page_name", "page_views", "visitors", "clicks", "click_rate"]
    assert records(validated.rows, columns) == [
        ["2026-03-02", taobao_page_id("CR-000042"), "CR-000042 详情海报", "12345", "9876", "401", "0.0325"],
        ["2026-03-03", taobao_page_id("CR-000042"), "CR-000042 详情海报", "0", "0", "0", None],
    ]


def test_the_inbox_loads_both_exports_as_raw_tables(rendered: Path) -> None:
    frames = read_inbox_week(rendered, WEEK)

    assert len(frames["taobao_item_metrics"]) == 2
    assert len(frames["taobao_page_metrics"]) == 2
    assert frames["quarantine"].empty
    assert file_kind("【生意参谋平台】商品_全部_2026-03-02_2026-03-08.xlsx") == "taobao_item_metrics_xlsx"
    assert file_kind("【生意参谋平台】页面_2026-03-02_2026-03-08.xlsx") == "taobao_page_metrics_xlsx"
    assert file_kind("taobao_item_metrics.csv") is None


def test_rendered_exports_have_fixed_bytes_and_times() -> None:
    first, second = render_taobao_files(tiny_store(), WEEK), render_taobao_files(tiny_store(), WEEK)

    assert first == second
    with zipfile.ZipFile(io.BytesIO(first[ITEM_FILE])) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {(2026, 3, 9, 9, 0, 0)}
        assert b"2026-03-09T09:00:00Z" in archive.read("docProps/core.xml")
    assert render_taobao_files({"products": tiny_store()["products"]}, WEEK) == {}  # no traffic tables, no files


# ---------- bad input


def bad_item_file(tmp_path: Path) -> Path:
    rows = [
        ["2026-03-02", "1001", "Tee", "P1", "1,200", "2,400", "30.5", "24"],  # R5 fine
        ["2026-03-03", "1001", "Tee", "P1", "abc", "10", "3", "1"],  # R6 non-numeric
        ["2026-03-03", "1002", "Mug", "P2", "-5", "10", "3", "1"],  # R7 negative count
        ["2026-03-10", "1002", "Mug", "P2", "5", "10", "3", "1"],  # R8 outside the stated period
        ["2026-03-02", "1001", "Tee", "P1", "1,200", "2,400", "30.5", "24"],  # R9 repeats R5
        [],  # a blank row is no row
        ["2026-03-04", "1002", "Mug", "P2", "7", "-", "3", "1.5"],  # R11 "-" in a required count; half a person
        ["2026/3/5", "1002", "Mug", None, "8", "9", "12.0", "0"],  # R12 fine: slash date, no 商家编码
    ]
    return sycm_xlsx(week_file(tmp_path, "taobao_item_metrics.xlsx"), ITEM_HEADER, rows)


@pytest.mark.trust("bad input", "files: Taobao")
def test_each_bad_row_is_quarantined_with_its_reason_and_none_is_lost(tmp_path: Path) -> None:
    validated = read_taobao_item_metrics(bad_item_file(tmp_path))

    reasons = dict(zip(validated.quarantine["source_ref"], validated.quarantine["reason"], strict=True))
    ref = "taobao_item_metrics.xlsx:商品!R"
    assert sorted(validated.rows["_source_ref"]) == [f"{ref}12", f"{ref}5"]
    assert set(reasons) == {f"{ref}{n}" for n in (6, 7, 8, 9, 11)}
    assert "visitors failed is_numeric" in reasons[f"{ref}6"] and "abc" in reasons[f"{ref}6"]
    assert "is_not_negative" not in reasons[f"{ref}6"]  # not a number is one reason, not two
    assert "visitors failed is_not_negative (got -5)" in reasons[f"{ref}7"]
    assert reasons[f"{ref}8"] == "date 2026-03-10 is outside the period the file states (2026-03-02 ~ 2026-03-08)"
    assert reasons[f"{ref}9"].startswith(f"duplicate of {ref}5")
    assert "page_views failed is_numeric" in reasons[f"{ref}11"]
    assert "favorite_buyers failed is_whole_count (got 1.5)" in reasons[f"{ref}11"]
    kept = validated.rows.set_index("_source_ref")
    assert kept.loc[f"{ref}5", ["visitors", "page_views", "avg_stay_seconds"]].tolist() == ["1200", "2400", "30.5"]
    assert kept.loc[f"{ref}12", ["stat_date", "avg_stay_seconds"]].tolist() == ["2026-03-05", "12.0"]
    assert pd.isna(kept.loc[f"{ref}12", "outer_id"])
    assert len(validated.rows) + len(validated.quarantine) == 7  # the rows of the file, the blank one aside


@pytest.mark.trust("bad input", "files: Taobao")
def test_a_day_outside_the_inbox_week_is_quarantined_even_inside_the_stated_period(tmp_path: Path) -> None:
    rows = [["2026-03-02", "P", "CR-1 海报", "自定义页", "10", "8", "1", "10%"]]
    rows += [["2026-03-09", "P", "CR-1 海报", "自定义页", "10", "8", "1", "10%"]]
    path = sycm_xlsx(
        week_file(tmp_path, "taobao_page_metrics.xlsx"), PAGE_HEADER, rows, "统计日期：2026-03-02至2026-03-09"
    )

    validated = read_taobao_page_metrics(path)

    assert validated.rows["stat_date"].tolist() == ["2026-03-02"]
    assert validated.quarantine["reason"].tolist() == [
        "date 2026-03-09 is outside the inbox week 2026-03-02 the file was delivered in"
    ]


def test_without_a_date_range_row_the_inbox_week_is_the_period(tmp_path: Path) -> None:
    rows = [["2026-03-08", "1", "x", "", "1", "1", "1", "0"], ["2026-03-01", "1", "x", "", "1", "1", "1", "0"]]
    validated = read_taobao_item_metrics(sycm_xlsx(week_file(tmp_path, "t.xlsx"), ITEM_HEADER, rows, period=None))

    assert validated.rows[["stat_date", "period_start", "period_end"]].values.tolist() == [
        ["2026-03-08", "2026-03-02", "2026-03-08"]
    ]
    assert validated.quarantine["reason"].str.contains("outside the period").tolist() == [True]


def test_the_period_may_be_written_as_sycm_names_its_downloads(tmp_path: Path) -> None:
    rows = [[day, "1", "x", "", "1", "1", "1", "0"] for day in ("2026-03-04", "2026-03-05")]
    title = "【生意参谋平台】商品_全部_2026-03-02_2026-03-04"
    validated = read_taobao_item_metrics(sycm_xlsx(week_file(tmp_path, "t.xlsx"), ITEM_HEADER, rows, title))

    assert validated.rows[["stat_date", "period_end"]].values.tolist() == [["2026-03-04", "2026-03-04"]]
    assert validated.quarantine["reason"].tolist() == [
        "date 2026-03-05 is outside the period the file states (2026-03-02 ~ 2026-03-04)"
    ]


@pytest.mark.trust("bad input", "files: Taobao")
def test_an_unknown_header_holds_back_every_row_of_the_file_naming_the_header(tmp_path: Path) -> None:
    rows = [
        ["2026-03-02", "1", "x", "", "1", "1", "1", "0", "9"],
        ["2026-03-03", "1", "x", "", "1", "1", "1", "0", "9"],
    ]
    path = sycm_xlsx(week_file(tmp_path, "t.xlsx"), [*ITEM_HEADER, "直播间访客数"], rows)

    validated = read_taobao_item_metrics(path)

    assert validated.rows.empty
    assert len(validated.quarantine) == 2
    assert validated.quarantine["reason"].str.contains(r"unknown header\(s\) \['直播间访客数'\]").all()


@pytest.mark.trust("bad input", "files: Taobao")
def test_files_that_are_not_a_usable_export_are_refused_with_a_clear_error(tmp_path: Path) -> None:
    no_visitors = [h for h in ITEM_HEADER if h != "商品访客数"]
    with pytest.raises(HeaderError, match=r"missing required column\(s\) \['visitors'\]"):
        read_taobao_item_metrics(sycm_xlsx(week_file(tmp_path, "a.xlsx"), no_visitors, []))
    with pytest.raises(HeaderError, match="no taobao_page_metrics header row"):
        read_taobao_page_metrics(sycm_xlsx(week_file(tmp_path, "b.xlsx"), ITEM_HEADER[1:], []))
    with pytest.raises(HeaderError, match="merged cell"):
        read_taobao_item_metrics(sycm_xlsx(week_file(tmp_path, "c.xlsx"), ITEM_HEADER, [], merge="A4:B4"))
    outside = tmp_path / "loose" / "d.xlsx"
    with pytest.raises(HeaderError, match="not in a week folder"):
        read_taobao_item_metrics(sycm_xlsx(outside, ITEM_HEADER, [], period=None))
    with pytest.raises(HeaderError, match="not a valid period"):
        read_taobao_item_metrics(
            sycm_xlsx(week_file(tmp_path, "e.xlsx"), ITEM_HEADER, [], "统计日期：2026-03-08 ~ 2026-03-02")
        )


@pytest.mark.trust("bad input", "files: Taobao")
def test_an_oversized_export_is_refused_before_it_is_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = sycm_xlsx(week_file(tmp_path, "t.xlsx"), ITEM_HEADER, [["2026-03-02", "1", "x", "", "1", "1", "1", "0"]])
    monkeypatch.setattr("connectors.files.zk_attlog.MAX_XLSX_BYTES", 100)

    with pytest.raises(FileTooLargeError, match="byte limit"):
        read_taobao_item_metrics(path)


def test_typed_cells_read_as_the_text_a_csv_would_hold(tmp_path: Path) -> None:
    rows = [[datetime(2026, 3, 2), 1001, "x", None, 1200.0, 2400, 30.25, 3]]
    validated = read_taobao_item_metrics(sycm_xlsx(week_file(tmp_path, "t.xlsx"), ITEM_HEADER, rows))

    columns = ["stat_date", "item_id", "visitors", "page_views", "avg_stay_seconds"]
    assert records(validated.rows, columns) == [["2026-03-02", "1001", "1200", "2400", "30.25"]]
