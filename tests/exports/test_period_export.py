from __future__ import annotations

import hashlib
import json
import stat
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from exports.manifest import build_manifest
from exports.payroll import ExportConflictError, render_long_csv
from exports.period_export import write_period_export
from tests.exports import helpers
from tests.exports.period_fixtures import EMPLOYEES, PERIOD, line, period_lines, render

TARGET_NAMES = ["generic", "finance_cn", "adp_us"]


@pytest.mark.parametrize("target_name", TARGET_NAMES)
def test_an_employee_without_a_payroll_id_is_rejected_in_every_layout(target_name: str):
    employees = {**EMPLOYEES, "E000005": ("  ", "孙丽")}
    lines = [*period_lines(), line("E000005", "WEEKLY_GOAL_BONUS", "20.00"), line("E000009", "JOINT_INCENTIVE", "1.00")]
    export = render(target_name, lines, employees)

    assert {(r.employee_id, r.reason) for r in export.rejected} == {
        ("E000004", "employee E000004 has no payroll id"),
        ("E000005", "employee E000005 has no payroll id"),
        ("E000009", "employee E000009 is not in the employee directory"),
    }
    assert export.manifest.rejected_lines == 3
    assert {item.employee_id for item in export.lines} == {"E000001", "E000002", "E000003"}
    assert "WEEKLY_GOAL_BONUS" in export.manifest.control_totals
    assert export.manifest.control_totals["WEEKLY_GOAL_BONUS"].amount == "1170.25"  # 1205.50 - 35.25, not 500 or 20


@pytest.mark.parametrize(("target_name", "rows"), [("generic", 6), ("finance_cn", 3), ("adp_us", 3)])
def test_every_layout_gets_a_manifest_with_totals_sha_plan_and_fingerprint(target_name: str, rows: int):
    export = render(target_name)
    data = json.loads(export.manifest.to_bytes())

    expected: dict[str, Decimal] = defaultdict(Decimal)
    for item in period_lines():
        if item["employee_id"] != "E000004":
            expected[str(item["component_code"])] += item["amount"]  # type: ignore[operator]
    assert {code: Decimal(t["amount"]) for code, t in data["control_totals"].items()} == expected
    assert data["control_totals"]["OVERTIME_HOURS"]["quantity"] == "10.5"
    assert data["rows"] == rows  # data rows in the file: lines in the long CSV, employees in wide layouts
    assert data["sha256"] == hashlib.sha256(export.content).hexdigest()
    assert data["file_name"] == export.file_name
    assert {k: data[k] for k in ("layout", "target", "kind", "pay_period", "plan_version", "input_fingerprint")} == {
        "layout": export.rendered.layout,
        "target": target_name,
        "kind": "full",
        "pay_period": PERIOD,
        "plan_version": "2026.1",
        "input_fingerprint": "fp-7",
    }
    assert data["adjusts_sha256"] is None
    assert export.manifest.manifest_file_name == export.file_name.rsplit(".", 1)[0] + ".manifest.json"


def test_the_long_csv_manifest_of_render_long_csv_keeps_its_bytes():
    export = render_long_csv(helpers.sample_lines(), helpers.EMPLOYEES)
    data = json.loads(build_manifest(export, plan_hash="b", input_fingerprint="c", generator_version="1").to_bytes())
    assert not {"target", "kind", "adjusts_sha256", "adjustment_number"} & set(data)
    assert data["layout"] == "long_csv"


def test_lines_of_another_period_or_currency_are_refused():
    with pytest.raises(ValueError, match=r"lines of pay periods \['2026-08'\]"):
        render("generic", [*period_lines(), line("E000001", "WEEKLY_GOAL_BONUS", "1.00", period="2026-08")])
    usd = {**line("E000001", "JOINT_INCENTIVE", "1.00"), "currency": "USD"}
    with pytest.raises(ValueError, match="mix currencies"):
        render("finance_cn", [*period_lines(), usd])


def test_a_period_without_lines_names_the_plan_it_was_scored_with():
    export = render("finance_cn", [])
    assert (export.manifest.rows, export.manifest.plan_version, export.manifest.grand_total) == (0, "2026.1", "0.00")


@pytest.mark.parametrize("target_name", TARGET_NAMES)
def test_write_creates_private_files_and_a_rerun_writes_nothing_new(tmp_path: Path, target_name: str):
    export = render(target_name)
    sidecars = {"lines.json": json.dumps(export.line_records(), default=str).encode()}

    path = write_period_export(tmp_path, export, sidecars)

    assert path == tmp_path / export.file_name and path.read_bytes() == export.content
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([export.file_name, export.manifest.manifest_file_name, "lines.json"])
    assert {stat.S_IMODE((tmp_path / name).stat().st_mode) for name in names} == {0o600}
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in tmp_path.iterdir()}

    assert write_period_export(tmp_path, render(target_name), sidecars) == path
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in tmp_path.iterdir()} == before


def test_write_never_replaces_other_bytes(tmp_path: Path):
    export = render("finance_cn")
    path = write_period_export(tmp_path, export)
    path.write_bytes(b"edited by hand")

    with pytest.raises(ExportConflictError, match="refusing to overwrite"):
        write_period_export(tmp_path, export)
    assert path.read_bytes() == b"edited by hand"


def test_write_refuses_a_file_that_does_not_match_its_manifest(tmp_path: Path):
    xlsx, adp = render("finance_cn"), render("adp_us")
    with pytest.raises(ValueError, match="sha256"):
        write_period_export(tmp_path, type(xlsx)(adp.rendered, xlsx.manifest))
    with pytest.raises(ValueError, match="not a plain file name"):
        write_period_export(tmp_path, xlsx, {"../escape.json": b"{}"})
    assert list(tmp_path.iterdir()) == []
