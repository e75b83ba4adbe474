"""The week folder: which files are read, which are refused or set aside, and how bytes become text."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from connectors.files import read_inbox_week
from connectors.files.inbox import (
    InboxEncodingError,
    UnsafePathError,
    decode_text,
    list_week_files,
    safe_inbox_path,
)
from sandbox.inbox import write_inbox_week
from tests.sandbox.test_inbox import TZ, WEEK, small_company_tables


@pytest.fixture
def week_dir(tmp_path):
    write_inbox_week(small_company_tables(), WEEK, tmp_path, TZ)
    return tmp_path / WEEK.isoformat()


@pytest.mark.trust("bad input", "files: inbox")
def test_a_file_dropped_twice_under_another_name_is_read_once(week_dir):
    before = read_inbox_week(week_dir.parent, WEEK)
    shutil.copy(week_dir / "ZK01_attlog.dat", week_dir / "ZK01_copy_attlog.dat")
    shutil.copy(week_dir / "hr_roster.csv", week_dir / "hr_roster (1).csv")

    after = read_inbox_week(week_dir.parent, WEEK)

    assert after["zk_punches"].equals(before["zk_punches"])
    assert after["hris_employees"].equals(before["hris_employees"])
    skipped = after["quarantine"].set_index("source_ref")
    assert set(skipped.index) == {"ZK01_copy_attlog.dat", "hr_roster (1).csv"}
    assert (skipped["table_name"] == "inbox_files").all()
    assert skipped.loc["ZK01_copy_attlog.dat", "reason"].startswith("duplicate of ZK01_attlog.dat")


def test_the_copy_with_the_expected_name_is_the_one_kept(week_dir):
    (week_dir / "project_pnl.csv").rename(week_dir / "project_pnl (2).csv")
    shutil.copy(week_dir / "project_pnl (2).csv", week_dir / "project_pnl.csv")

    listing = list_week_files(week_dir.parent, WEEK)

    assert "project_pnl.csv" in {f.path.name for f in listing.files}
    assert [s.name for s in listing.skipped] == ["project_pnl (2).csv"]


@pytest.mark.trust("bad input", "files: inbox")
def test_every_line_of_a_week_is_either_loaded_or_quarantined(week_dir):
    with (week_dir / "ZK02_attlog.dat").open("ab") as attlog:
        attlog.write(b"00345\t2026-03-08 2")  # the USB copy was pulled out mid-write

    frames = read_inbox_week(week_dir.parent, WEEK)

    loaded = (frames["zk_punches"]["device_sn"] == "ZK02").sum()
    quarantined = frames["quarantine"][frames["quarantine"]["table_name"] == "zk_punches"]
    assert (loaded, len(quarantined)) == (2, 1)
    assert quarantined.iloc[0]["source_ref"] == "ZK02_attlog.dat:3"


@pytest.mark.trust("bad input", "files: inbox")
def test_unexpected_files_are_reported_not_read(week_dir):
    (week_dir / "notes.txt").write_text("call HR about March")

    frames = read_inbox_week(week_dir.parent, WEEK)

    row = frames["quarantine"].iloc[0]
    assert (row["table_name"], row["source_ref"]) == ("inbox_files", "notes.txt")
    assert "unrecognised" in row["reason"]


@pytest.mark.trust("security", "inbox paths")
@pytest.mark.parametrize("name", ["../../etc/passwd", "..", "a/b.csv", "..\\hr_roster.csv", "", "x\x00.csv"])
def test_names_that_leave_the_inbox_are_refused(tmp_path, name):
    with pytest.raises(UnsafePathError):
        safe_inbox_path(tmp_path, name)


@pytest.mark.trust("security", "inbox paths")
def test_a_symlink_leading_out_of_the_inbox_is_refused(week_dir, tmp_path_factory):
    secret = tmp_path_factory.mktemp("elsewhere") / "salaries.csv"
    secret.write_text("employee_id,amount\n")
    (week_dir / "hr_roster.csv").unlink()
    (week_dir / "hr_roster.csv").symlink_to(secret)

    frames = read_inbox_week(week_dir.parent, WEEK)

    row = frames["quarantine"].set_index("source_ref").loc["hr_roster.csv"]
    assert row["table_name"] == "inbox_files"
    assert "resolves outside" in row["reason"]
    assert frames["hris_employees"].empty and not frames["zk_punches"].empty  # the other files still load


def test_a_plain_name_inside_the_folder_is_allowed(tmp_path):
    assert safe_inbox_path(tmp_path, "ZK01_attlog.dat") == tmp_path / "ZK01_attlog.dat"


@pytest.mark.trust("bad input", "files: inbox")
def test_a_missing_week_folder_is_an_error_not_an_empty_week(tmp_path):
    with pytest.raises(FileNotFoundError, match="2026-03-09"):
        read_inbox_week(tmp_path, date(2026, 3, 9))


@pytest.mark.trust("bad input", "files: inbox")
def test_a_week_must_be_keyed_by_its_monday(tmp_path):
    with pytest.raises(ValueError, match="Monday"):
        read_inbox_week(tmp_path, date(2026, 3, 4))


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("工号,姓名\r\n".encode(), "工号,姓名\r\n"),
        ("\ufeff工号,姓名\n".encode(), "工号,姓名\n"),
        ("工号,姓名\n".encode("gbk"), "工号,姓名\n"),
    ],
    ids=["utf-8", "utf-8 with BOM", "gbk"],
)
def test_text_is_decoded_as_utf8_or_gbk(data, text):
    assert decode_text(data, "x.csv") == text


@pytest.mark.trust("bad input", "files: inbox")
def test_bytes_that_are_neither_utf8_nor_gbk_give_a_clear_error():
    with pytest.raises(InboxEncodingError, match=r"x\.csv: cannot decode as UTF-8 or GBK"):
        decode_text(b"employee_id\n\xff\xfe\xff", "x.csv")
