"""Points redemption requests from the inbox: rows with an offset-carrying instant are loaded, every other row is
quarantined with its reason, and the file is found by name among the week's files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from connectors.files import read_inbox_week
from connectors.files.column_maps import HeaderError
from connectors.files.inbox import file_kind
from connectors.files.redemptions import read_redemption_requests

WEEK = date(2026, 3, 2)
HEADER = "request_id,employee_id,item_code,requested_at"


def write(path: Path, lines: list[str], encoding: str = "utf-8-sig") -> Path:
    path.write_bytes("".join(line + "\r\n" for line in lines).encode(encoding))
    return path


@pytest.mark.trust("bad input", "files: redemptions")
def test_requests_are_loaded_as_exported_and_bad_rows_are_quarantined_with_the_reason(tmp_path):
    path = write(
        tmp_path / "redemption_requests.csv",
        [
            HEADER,
            "RR-001,E000012,LEAVE_8H,2026-03-03T10:15:00+08:00",
            "RR-002,E000013,GOODS_GIFT_CARD,2026-03-04T02:00:00Z",
            "RR-003,E000014,LEAVE_8H,2026-03-04 10:00:00",
            "RR-004,,LEAVE_8H,2026-03-04T10:00:00+08:00",
            "RR-005,E000015,RETIRED_MUG,2026-03-05T10:00:00+08:00",
        ],
    )

    result = read_redemption_requests(path)

    assert result.rows[["request_id", "employee_id", "item_code", "requested_at"]].values.tolist() == [
        ["RR-001", "E000012", "LEAVE_8H", "2026-03-03T10:15:00+08:00"],
        ["RR-002", "E000013", "GOODS_GIFT_CARD", "2026-03-04T02:00:00Z"],
        # An item the catalog does not offer still enters raw: refusing it, with its reason, is the ledger's call.
        ["RR-005", "E000015", "RETIRED_MUG", "2026-03-05T10:00:00+08:00"],
    ]
    reasons = dict(zip(result.quarantine["source_ref"], result.quarantine["reason"], strict=True))
    assert reasons == {
        "redemption_requests.csv:4": "requested_at failed is ISO-8601 with a UTC offset (got 2026-03-04 10:00:00)",
        "redemption_requests.csv:5": "employee_id failed not_blank (got )",
    }
    assert len(result.rows) + len(result.quarantine) == 5


def test_chinese_headers_in_gbk_map_to_the_same_columns(tmp_path):
    path = write(
        tmp_path / "redemption_requests_portal.csv",
        [
            "兑换单号,工号,姓名,兑换项目,兑换项目编码,申请时间",
            "RR-9,E000001,张伟,8小时年假,LEAVE_8H,2026-03-03T09:00:00+08:00",
        ],
        encoding="gbk",
    )
    result = read_redemption_requests(path)
    assert result.quarantine.empty
    assert result.rows[["request_id", "employee_id", "item_code"]].values.tolist() == [["RR-9", "E000001", "LEAVE_8H"]]


@pytest.mark.trust("bad input", "files: redemptions")
def test_a_file_without_the_item_column_is_an_error_not_an_empty_week(tmp_path):
    path = write(tmp_path / "redemption_requests.csv", ["request_id,employee_id,requested_at", "RR-1,E1,2026-03-03Z"])
    with pytest.raises(HeaderError, match="item_code"):
        read_redemption_requests(path)


def test_the_inbox_reads_every_redemption_export_of_the_week(tmp_path):
    folder = tmp_path / WEEK.isoformat()
    folder.mkdir()
    write(folder / "redemption_requests.csv", [HEADER, "RR-1,E1,LEAVE_8H,2026-03-03T09:00:00+08:00"])
    write(folder / "redemption_requests_late.csv", [HEADER, "RR-2,E2,COURSE_ONLINE,bad"])

    frames = read_inbox_week(tmp_path, WEEK)

    assert file_kind("redemption_requests_late.csv") == "redemption_requests"
    assert frames["redemption_requests"]["_source_ref"].tolist() == ["redemption_requests.csv:2"]
    quarantine = frames["quarantine"]
    assert quarantine.loc[quarantine["table_name"] == "redemption_requests", "source_ref"].tolist() == [
        "redemption_requests_late.csv:2"
    ]
