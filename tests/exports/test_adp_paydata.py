from __future__ import annotations

import csv
import hashlib
import io
import re

import pytest

from exports.period_export import render_period
from exports.targets import TargetColumnMapError, load_targets
from tests.exports.period_fixtures import EMPLOYEES, PERIOD, line, period_lines, render


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))


def test_co_code_batch_id_and_file_number_are_columns_one_to_three():
    rows = _rows(render("adp_us").content)

    assert rows[0][:3] == ["Co Code", "Batch ID", "File #"]
    assert [row[:3] for row in rows[1:]] == [
        ["7XY", "HRHUB", "000123"],  # File # is the payroll id, leading zeros kept
        ["7XY", "HRHUB", "000456"],
        ["7XY", "HRHUB", "007890"],
    ]


def test_hours_go_to_hours_columns_and_money_to_earnings_code_amount_pairs():
    rows = _rows(render("adp_us").content)
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]

    assert rows[0][3:] == [
        "O/T Hours",
        "Earnings 3 Code",
        "Earnings 3 Amount",
        "Earnings 4 Code",
        "Earnings 4 Amount",
        "Earnings 5 Code",
        "Earnings 5 Amount",
    ]
    zhang, li, wang = records
    assert (zhang["O/T Hours"], zhang["Earnings 3 Code"], zhang["Earnings 3 Amount"]) == ("6.50", "BON", "1205.50")
    assert (zhang["Earnings 4 Code"], zhang["Earnings 4 Amount"]) == ("", "")  # no joint incentive: pair left empty
    assert (li["Earnings 3 Amount"], li["Earnings 4 Code"], li["Earnings 4 Amount"]) == ("-35.25", "JNT", "1000.00")
    assert (wang["O/T Hours"], wang["Earnings 5 Code"], wang["Earnings 5 Amount"]) == ("4.00", "POL", "12000.00")


def test_file_is_plain_utf8_crlf_and_named_after_the_company_code():
    export = render("adp_us")

    assert not export.content.startswith(b"\xef\xbb\xbf")  # the importer matches 'Co Code' byte for byte
    assert export.content.count(b"\r\n") == 4 and b"\n" not in export.content.replace(b"\r\n", b"")
    sha8 = hashlib.sha256(export.content).hexdigest()[:8]
    assert export.file_name == f"PR7XYEPI_{PERIOD}_{sha8}.csv"
    assert re.fullmatch(r"PR[A-Za-z0-9_]{3}EPI_.+\.csv", export.file_name)
    assert render("adp_us").content == export.content


def test_a_payroll_id_that_cannot_be_a_file_number_is_rejected_with_the_reason():
    employees = {**EMPLOYEES, "E000003": ("=007890", "王芳")}
    export = render("adp_us", employees=employees)

    assert [row[2] for row in _rows(export.content)[1:]] == ["000123", "000456"]
    reasons = {(r.employee_id, r.reason) for r in export.rejected}
    assert ("E000003", "payroll id '=007890' cannot be an ADP File # (letters and digits only)") in reasons
    assert export.manifest.rejected_lines == 3  # E000003's two lines and E000004's


def test_hours_mapped_to_an_earnings_code_would_lose_them_so_they_are_refused():
    target = load_targets(
        {
            "adp": {
                "layout": "adp_paydata_csv",
                "pay_frequency": "monthly",
                "company_code": "7XY",
                "batch_id": "B",
                "columns": {"OVERTIME_HOURS": "OT"},
            }
        }
    )["adp"]
    with pytest.raises(ValueError, match="maps OVERTIME_HOURS to a money column"):
        render_period(
            target,
            [line("E000001", "OVERTIME_HOURS", "0.00", "2.00")],
            EMPLOYEES,
            pay_period=PERIOD,
            plan_version="2026.1",
            plan_hash="h",
            input_fingerprint="f",
        )


def test_a_component_without_a_column_is_an_error():
    with pytest.raises(TargetColumnMapError, match=r"'adp_us' has no column for component\(s\) EXTRA_LEAVE_HOURS"):
        render("adp_us", [*period_lines(), line("E000002", "EXTRA_LEAVE_HOURS", "0.00", "8.00")])
