"""Files dropped into the inbox cannot reach outside it, nor exhaust memory: refused with a reason, never read."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from connectors.files import read_inbox_week, zk_attlog
from connectors.files.inbox import UnsafePathError, list_week_files, safe_inbox_path, unsafe_archive_members
from connectors.files.zk_attlog import FileTooLargeError, read_punch_export_xlsx
from sandbox.inbox import write_inbox_week
from tests.sandbox.test_inbox import TZ, WEEK, small_company_tables

pytestmark = pytest.mark.trust("security", "inbox files")


@pytest.fixture
def week_dir(tmp_path: Path) -> Path:
    write_inbox_week(small_company_tables(), WEEK, tmp_path / "inbox", TZ)
    return tmp_path / "inbox" / WEEK.isoformat()


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _quarantined(week_dir: Path) -> dict[str, str]:
    frames = read_inbox_week(week_dir.parent, WEEK)
    rows = frames["quarantine"][frames["quarantine"]["table_name"] == "inbox_files"]
    return dict(zip(rows["source_ref"], rows["reason"], strict=True))


@pytest.mark.parametrize("name", ["../hr_roster.csv", "/etc/passwd", "sub/../../x.csv", "C:\\x.csv", "."])
def test_names_with_parent_parts_or_absolute_paths_are_refused(tmp_path, name):
    with pytest.raises(UnsafePathError, match="not a plain file name"):
        safe_inbox_path(tmp_path, name)


def test_an_absolute_symlink_out_of_the_inbox_is_quarantined_and_never_read(week_dir, tmp_path):
    outside = tmp_path / "payroll_secrets.csv"
    outside.write_text("工号,姓名\nE1,Zhang\n", encoding="utf-8")
    (week_dir / "employee_identity.csv").unlink()
    (week_dir / "employee_identity.csv").symlink_to(outside)
    (week_dir / "shift_roster.csv").unlink()
    (week_dir / "shift_roster.csv").symlink_to(os.path.relpath(outside, week_dir))  # relative ../../ link

    reasons = _quarantined(week_dir)

    assert "resolves outside" in reasons["employee_identity.csv"]
    assert "resolves outside" in reasons["shift_roster.csv"]
    listing = list_week_files(week_dir.parent, WEEK)
    assert {f.path.name for f in listing.files}.isdisjoint({"employee_identity.csv", "shift_roster.csv"})


def test_a_symlink_to_another_weeks_folder_is_refused_too(week_dir):
    other_week = week_dir.parent / "2026-02-23"
    other_week.mkdir()
    (other_week / "hr_roster.csv").write_bytes((week_dir / "hr_roster.csv").read_bytes())
    (week_dir / "hr_roster.csv").unlink()
    (week_dir / "hr_roster.csv").symlink_to(other_week / "hr_roster.csv")

    assert "resolves outside" in _quarantined(week_dir)["hr_roster.csv"]


def test_an_xlsx_whose_members_climb_out_of_the_archive_is_quarantined_as_zip_slip(week_dir):
    _zip(week_dir / "attendance_export_zip_slip.xlsx", {"[Content_Types].xml": b"<x/>", "../../evil.sh": b"rm -rf ~"})
    _zip(week_dir / "goal_sheet_sales.xlsx", {"/etc/cron.d/evil": b"* * * * * root sh"})

    reasons = _quarantined(week_dir)

    assert "zip-slip" in reasons["attendance_export_zip_slip.xlsx"]
    assert "../../evil.sh" in reasons["attendance_export_zip_slip.xlsx"]
    assert "zip-slip" in reasons["goal_sheet_sales.xlsx"]
    assert not (week_dir.parent.parent / "evil.sh").exists()


def test_a_plain_zip_archive_is_not_unpacked(week_dir):
    _zip(week_dir / "exports.zip", {"../hr_roster.csv": b"employee_id\nE999\n"})

    assert "unrecognised" in _quarantined(week_dir)["exports.zip"]
    assert not (week_dir.parent / "hr_roster.csv").exists()


def test_well_formed_member_names_are_not_flagged(tmp_path):
    path = _zip(tmp_path / "a.xlsx", {"xl/worksheets/sheet1.xml": b"<x/>", "docProps/app.xml": b"<x/>"})
    assert unsafe_archive_members(path) == []


def test_a_zip_bomb_xlsx_is_refused_from_its_declared_size_before_any_sheet_is_parsed(tmp_path, monkeypatch):
    """A few kilobytes that unpack to megabytes: the declared size alone refuses it; the zip reader also never
    returns more than a member's declared size, so the check cannot be bypassed by lying about it."""
    zeros = b"<row>" + b"0" * (4 * 1024 * 1024) + b"</row>"
    path = _zip(tmp_path / "attendance_export_bomb.xlsx", {"xl/worksheets/sheet1.xml": zeros})
    assert path.stat().st_size < 64 * 1024
    monkeypatch.setattr(zk_attlog, "MAX_XLSX_UNPACKED_BYTES", 1024 * 1024)

    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the workbook was opened before its size was checked")

    monkeypatch.setattr(zk_attlog.openpyxl, "load_workbook", never)
    with pytest.raises(FileTooLargeError, match=r"attendance_export_bomb\.xlsx: unpacks to 4,194,\d+ bytes, over"):
        read_punch_export_xlsx(path)


def test_an_xlsx_file_over_the_byte_limit_is_refused_before_it_is_opened(tmp_path, monkeypatch):
    path = tmp_path / "attendance_export_big.xlsx"
    path.write_bytes(io.BytesIO(os.urandom(4096)).getvalue())
    monkeypatch.setattr(zk_attlog, "MAX_XLSX_BYTES", 1024)

    with pytest.raises(FileTooLargeError, match="4,096 bytes is over the 1,024-byte limit"):
        read_punch_export_xlsx(path)
