from __future__ import annotations

import datetime as real_datetime
import hashlib
import io
import zipfile
from decimal import Decimal
from types import SimpleNamespace

import openpyxl.writer.excel
import pytest
from openpyxl import load_workbook

from exports.targets import TargetColumnMapError
from tests.exports.period_fixtures import EMPLOYEES, line, period_lines, render


def _sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def test_workbook_has_one_header_row_then_one_row_per_employee():
    sheet = _sheet(render("finance_cn").content)
    rows = list(sheet.iter_rows(values_only=True))

    assert rows[0] == ("工号", "姓名", "周目标奖金", "联合激励", "项目奖金池", "加班小时")
    assert rows[1][:2] == ("000123", "张伟")  # row 2 is already data: no second header row
    assert [row[0] for row in rows[1:]] == ["000123", "000456", "007890"]  # E000004 has no payroll id
    assert sheet.max_row == 4


def test_ids_and_names_are_text_cells_that_keep_leading_zeros():
    sheet = _sheet(render("finance_cn").content)
    for row in range(2, sheet.max_row + 1):
        for cell in (sheet.cell(row, 1), sheet.cell(row, 2)):
            assert cell.data_type == "s"
            assert cell.number_format == "@"
            assert isinstance(cell.value, str)
    assert sheet.cell(4, 1).value == "007890"


def test_amounts_are_numbers_with_two_places_equal_to_the_lines():
    sheet = _sheet(render("finance_cn").content)
    cells = {
        (row[0].value, header.value): row[i] for row in sheet.iter_rows(min_row=2) for i, header in enumerate(sheet[1])
    }

    assert Decimal(str(cells["000123", "周目标奖金"].value)) == Decimal("1205.50")
    assert Decimal(str(cells["000456", "周目标奖金"].value)) == Decimal("-35.25")
    assert Decimal(str(cells["007890", "项目奖金池"].value)) == Decimal("12000.00")
    assert Decimal(str(cells["000123", "加班小时"].value)) == Decimal("6.50")  # hours columns show hours
    assert cells["000123", "周目标奖金"].data_type == "n"
    assert cells["000123", "周目标奖金"].number_format == "0.00"
    assert cells["000123", "联合激励"].value is None  # no line: an empty cell, not a made-up zero

    total = sum(
        Decimal(str(cell.value))
        for row in sheet.iter_rows(min_row=2, min_col=3, max_col=5)
        for cell in row
        if cell.value
    )
    paid = [item for item in period_lines() if item["employee_id"] != "E000004"]
    assert total == sum(item["amount"] for item in paid)  # type: ignore[misc]


def test_english_headers_for_an_english_target():
    header = next(_sheet(render("finance_en").content).iter_rows(max_row=1, values_only=True))
    assert header == (
        "Employee No.",
        "Name",
        "Weekly goal bonus",
        "Joint incentive",
        "Project pool share",
        "Overtime hours",
    )


def test_text_that_looks_like_a_formula_is_stored_as_text():
    tricky = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)"]
    employees = {f"E00000{i}": (f"00{i}", name) for i, name in enumerate(tricky, start=1)}
    lines = [line(employee_id, "WEEKLY_GOAL_BONUS", "1.00") for employee_id in employees]
    content = render("finance_cn", lines, employees).content

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    sheet = _sheet(content)
    assert [sheet.cell(row, 2).value for row in range(2, 6)] == tricky
    assert {sheet.cell(row, 2).data_type for row in range(2, 6)} == {"s"}


def test_same_input_gives_the_same_bytes_whatever_the_clock_says(monkeypatch: pytest.MonkeyPatch):
    first = render("finance_cn").content

    class Later(real_datetime.datetime):
        @classmethod
        def now(cls, tz: real_datetime.tzinfo | None = None) -> Later:
            return cls(2031, 5, 17, 9, 30, tzinfo=tz)

    monkeypatch.setattr(
        openpyxl.writer.excel, "datetime", SimpleNamespace(datetime=Later, timezone=real_datetime.timezone)
    )
    second = render("finance_cn").content

    assert hashlib.sha256(second).hexdigest() == hashlib.sha256(first).hexdigest()
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 6, 29, 0, 0, 0)}  # the period's first Monday
        assert archive.namelist() == sorted(archive.namelist())
        core = archive.read("docProps/core.xml").decode()
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2026-06-29T00:00:00Z</dcterms:created>' in core
    assert '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-06-29T00:00:00Z</dcterms:modified>' in core


def test_a_component_without_a_column_is_an_error_not_a_dropped_line():
    lines = [*period_lines(), line("E000001", "EXTRA_LEAVE_HOURS", "0.00", "4.00")]
    with pytest.raises(TargetColumnMapError, match="EXTRA_LEAVE_HOURS"):
        render("finance_cn", lines)


def test_a_component_with_money_and_hours_cannot_share_a_cell():
    lines = [line("E000001", "OVERTIME_HOURS", "0.00", "2.00"), line("E000002", "OVERTIME_HOURS", "50.00")]
    with pytest.raises(ValueError, match="both money and hours"):
        render("finance_cn", lines)


def test_two_employees_with_one_payroll_id_are_refused():
    employees = {**EMPLOYEES, "E000002": ("000123", "李娜")}
    with pytest.raises(ValueError, match="payroll id 000123 belongs to both E000001 and E000002"):
        render("finance_cn", employees=employees)


def test_plan_versions_of_one_employee_share_the_component_cell():
    lines = [
        line("E000001", "WEEKLY_GOAL_BONUS", "100.00", plan_version="2026.1"),
        line("E000001", "WEEKLY_GOAL_BONUS", "25.50", plan_version="2026.2"),
    ]
    export = render("finance_cn", lines)
    assert Decimal(str(_sheet(export.content).cell(2, 3).value)) == Decimal("125.50")
    assert export.manifest.plan_version == "2026.1+2026.2"
    assert export.manifest.control_totals["WEEKLY_GOAL_BONUS"].rows == 1  # one cell
