from __future__ import annotations

import csv
import hashlib
import io
import random
import stat
from decimal import Decimal
from pathlib import Path

import pytest

from exports.manifest import build_manifest
from exports.payroll import ExportConflictError, render_long_csv, write_payroll_export
from tests.exports.helpers import EMPLOYEES, Line, sample_lines


def _parse(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _manifest_for(export):
    return build_manifest(export, plan_hash="a" * 64, input_fingerprint="fp-1", generator_version="0.1.0")


def test_same_lines_in_any_order_render_identical_bytes_and_name():
    lines = sample_lines()
    first = render_long_csv(lines, EMPLOYEES)
    shuffled = lines[:]
    random.Random(7).shuffle(shuffled)
    second = render_long_csv(shuffled, EMPLOYEES)

    assert second.content == first.content
    assert second.file_name == first.file_name
    assert first.file_name == f"payroll_2026-03_2026.1_{hashlib.sha256(first.content).hexdigest()[:8]}.csv"


def test_file_is_utf8_with_bom_newline_terminated_and_sorted_by_payroll_id_then_component():
    content = render_long_csv(sample_lines(), EMPLOYEES).content

    assert content.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in content
    assert content.endswith(b"\n")
    rows = _parse(content)
    assert [(r["payroll_id"], r["component_code"]) for r in rows] == [
        ("P0001", "OVERTIME_HOURS"),
        ("P0001", "WEEKLY_GOAL_BONUS"),
        ("P0002", "JOINT_INCENTIVE"),
        ("P0002", "WEEKLY_GOAL_BONUS"),
        ("P0003", "OVERTIME_HOURS"),
        ("P0003", "PROJECT_POOL_SHARE"),
        ("P0003", "WEEKLY_GOAL_BONUS"),
    ]
    assert rows[2]["name"] == "李娜, Jr."  # a comma inside a name survives quoting


def test_amounts_are_plain_two_place_text_never_scientific():
    lines = [
        Line("E000001", "JOINT_INCENTIVE", Decimal("1E+3")),
        Line("E000001", "PROJECT_POOL_SHARE", Decimal("-0")),
        Line("E000001", "WEEKLY_GOAL_BONUS", Decimal("12.5")),
        Line("E000001", "OVERTIME_HOURS", Decimal("0"), Decimal("8.00"), "hours"),
        Line("E000001", "EXTRA_LEAVE_HOURS", Decimal("0"), Decimal("1E+1"), "hours"),
    ]
    rows = {r["component_code"]: r for r in _parse(render_long_csv(lines, EMPLOYEES).content)}

    assert rows["JOINT_INCENTIVE"]["amount"] == "1000.00"
    assert rows["PROJECT_POOL_SHARE"]["amount"] == "0.00"
    assert rows["WEEKLY_GOAL_BONUS"]["amount"] == "12.50"
    assert rows["OVERTIME_HOURS"]["quantity"] == "8"
    assert rows["EXTRA_LEAVE_HOURS"]["quantity"] == "10"
    assert rows["WEEKLY_GOAL_BONUS"]["quantity"] == ""


def test_sub_cent_or_float_amounts_are_refused_rather_than_rounded_silently():
    with pytest.raises(ValueError, match="more than 2 decimal places"):
        render_long_csv([Line("E000001", "WEEKLY_GOAL_BONUS", Decimal("602.505"))], EMPLOYEES)
    with pytest.raises(TypeError, match="must be a Decimal"):
        render_long_csv([Line("E000001", "WEEKLY_GOAL_BONUS", 602.5)], EMPLOYEES)  # type: ignore[arg-type]


def test_employee_without_payroll_id_is_rejected_with_a_reason_not_written():
    employees = {**EMPLOYEES, "E000004": (None, "赵磊"), "E000005": ("  ", "孙丽")}
    lines = [
        *sample_lines(),
        Line("E000004", "WEEKLY_GOAL_BONUS", Decimal("500.00"), source_ref="goal:E000004"),
        Line("E000005", "WEEKLY_GOAL_BONUS", Decimal("500.00")),
        Line("E000009", "WEEKLY_GOAL_BONUS", Decimal("500.00")),
    ]
    export = render_long_csv(lines, employees)

    written_ids = {r["employee_id"] for r in _parse(export.content)}
    assert written_ids == {"E000001", "E000002", "E000003"}
    assert len(export.rows) == len(sample_lines())
    reasons = {r.employee_id: r.reason for r in export.rejected}
    assert reasons == {
        "E000004": "employee E000004 has no payroll id",
        "E000005": "employee E000005 has no payroll id",
        "E000009": "employee E000009 is not in the employee directory",
    }
    rejected_e4 = next(r for r in export.rejected if r.employee_id == "E000004")
    assert (rejected_e4.amount, rejected_e4.source_ref) == ("500.00", "goal:E000004")
    assert export.rejected_employee_ids == ("E000004", "E000005", "E000009")


def test_one_file_holds_one_period_plan_and_currency():
    with pytest.raises(ValueError, match="pay_period"):
        render_long_csv([*sample_lines(), Line("E000001", "WEEKLY_GOAL_BONUS", Decimal(1), pay_period="2026-04")], {})
    with pytest.raises(ValueError, match="this export is for '2026-04'"):
        render_long_csv(sample_lines(), EMPLOYEES, pay_period="2026-04")
    with pytest.raises(ValueError, match="currencies"):
        render_long_csv([*sample_lines(), Line("E000001", "JOINT_INCENTIVE", Decimal(1), currency="USD")], EMPLOYEES)


def test_no_lines_needs_the_period_and_gives_a_header_only_file():
    with pytest.raises(ValueError, match="no lines"):
        render_long_csv([], EMPLOYEES)
    export = render_long_csv([], EMPLOYEES, pay_period="2026-03", plan_version="2026.1")
    assert _parse(export.content) == []
    assert export.content.decode("utf-8-sig").startswith("payroll_id,employee_id,name,")


def test_names_cannot_become_spreadsheet_formulas():
    employees = {"E000001": ("P0001", '=HYPERLINK("http://x")')}
    export = render_long_csv([Line("E000001", "WEEKLY_GOAL_BONUS", Decimal("-10.00"))], employees)
    row = _parse(export.content)[0]
    assert row["name"] == '\'=HYPERLINK("http://x")'
    assert row["amount"] == "-10.00"  # numbers keep their sign


def test_plan_version_that_could_escape_the_folder_is_refused():
    export = render_long_csv([Line("E000001", "WEEKLY_GOAL_BONUS", Decimal(1), plan_version="../x")], EMPLOYEES)
    with pytest.raises(ValueError, match="cannot be part of a file name"):
        _ = export.file_name


def test_write_creates_private_csv_and_manifest(tmp_path: Path):
    export = render_long_csv(sample_lines(), EMPLOYEES)
    manifest = _manifest_for(export)
    out = tmp_path / "exports"

    path = write_payroll_export(out, "2026-03", export.content, manifest)

    assert path == out / export.file_name
    assert path.read_bytes() == export.content
    manifest_path = out / manifest.manifest_file_name
    assert manifest_path.read_bytes() == manifest.to_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(manifest_path.stat().st_mode) == 0o600
    assert sorted(p.name for p in out.iterdir()) == sorted([export.file_name, manifest.manifest_file_name])


def test_rerun_writes_nothing_new(tmp_path: Path):
    export = render_long_csv(sample_lines(), EMPLOYEES)
    manifest = _manifest_for(export)
    path = write_payroll_export(tmp_path, "2026-03", export.content, manifest)
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in tmp_path.iterdir()}

    rerender = render_long_csv(sample_lines(), EMPLOYEES)
    again = write_payroll_export(tmp_path, "2026-03", rerender.content, _manifest_for(rerender))

    assert again == path
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in tmp_path.iterdir()} == before


def test_changed_content_gets_a_new_file_and_the_old_one_is_untouched(tmp_path: Path):
    old = render_long_csv(sample_lines(), EMPLOYEES)
    old_path = write_payroll_export(tmp_path, "2026-03", old.content, _manifest_for(old))
    old_stat = old_path.stat()

    corrected = render_long_csv([*sample_lines(), Line("E000001", "JOINT_INCENTIVE", Decimal("88.00"))], EMPLOYEES)
    new_path = write_payroll_export(tmp_path, "2026-03", corrected.content, _manifest_for(corrected))

    assert new_path != old_path
    assert old_path.read_bytes() == old.content
    assert (old_path.stat().st_ino, old_path.stat().st_mtime_ns) == (old_stat.st_ino, old_stat.st_mtime_ns)
    assert len(list(tmp_path.glob("payroll_2026-03_*.csv"))) == 2
    assert len(list(tmp_path.glob("payroll_2026-03_*.manifest.json"))) == 2


def test_a_tampered_file_under_the_same_name_is_never_overwritten(tmp_path: Path):
    export = render_long_csv(sample_lines(), EMPLOYEES)
    manifest = _manifest_for(export)
    path = write_payroll_export(tmp_path, "2026-03", export.content, manifest)
    path.write_bytes(b"edited by hand")

    with pytest.raises(ExportConflictError, match="refusing to overwrite"):
        write_payroll_export(tmp_path, "2026-03", export.content, manifest)
    assert path.read_bytes() == b"edited by hand"


def test_write_refuses_content_that_does_not_match_the_manifest(tmp_path: Path):
    export = render_long_csv(sample_lines(), EMPLOYEES)
    manifest = _manifest_for(export)
    with pytest.raises(ValueError, match="sha256"):
        write_payroll_export(tmp_path, "2026-03", export.content + b"x", manifest)
    with pytest.raises(ValueError, match="pay period"):
        write_payroll_export(tmp_path, "2026-04", export.content, manifest)
    assert list(tmp_path.iterdir()) == []


def test_a_crash_before_the_rename_leaves_no_file_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    export = render_long_csv(sample_lines(), EMPLOYEES)

    def crash(self: Path, target: Path) -> Path:
        raise OSError("disk gone")

    monkeypatch.setattr(Path, "replace", crash)
    with pytest.raises(OSError, match="disk gone"):
        write_payroll_export(tmp_path, "2026-03", export.content, _manifest_for(export))
    assert list(tmp_path.iterdir()) == []  # neither a partial final file nor a leftover temp file


def test_plain_dict_rows_render_like_objects():
    as_dicts = [dict(vars(line)) for line in sample_lines()]
    assert render_long_csv(as_dicts, EMPLOYEES).content == render_long_csv(sample_lines(), EMPLOYEES).content
