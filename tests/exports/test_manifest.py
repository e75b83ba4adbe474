from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from decimal import Decimal

import pytest

from exports.manifest import build_manifest
from exports.payroll import render_long_csv
from tests.exports.helpers import EMPLOYEES, Line, sample_lines


def _manifest(lines, employees=EMPLOYEES):
    export = render_long_csv(lines, employees)
    return export, build_manifest(export, plan_hash="b" * 64, input_fingerprint="fp-42", generator_version="9.9.9")


def test_control_totals_match_the_written_lines():
    employees = {**EMPLOYEES, "E000004": (None, "赵磊")}
    lines = [*sample_lines(), Line("E000004", "WEEKLY_GOAL_BONUS", Decimal("999.00"))]
    _, manifest = _manifest(lines, employees)

    amounts: dict[str, Decimal] = defaultdict(Decimal)
    quantities: dict[str, Decimal] = defaultdict(Decimal)
    counts: dict[str, int] = defaultdict(int)
    for line in lines:
        if line.employee_id == "E000004":  # rejected: no payroll id, so not in the file or its totals
            continue
        amounts[line.component_code] += line.amount
        counts[line.component_code] += 1
        if line.quantity is not None:
            quantities[line.component_code] += line.quantity

    data = json.loads(manifest.to_bytes())
    totals = data["control_totals"]
    assert sorted(totals) == sorted(amounts)
    for code, amount in amounts.items():
        assert Decimal(totals[code]["amount"]) == amount
        assert totals[code]["rows"] == counts[code]
    assert totals["OVERTIME_HOURS"] == {"amount": "0.00", "quantity": "6.5", "rows": 2, "unit": "hours"}
    assert totals["WEEKLY_GOAL_BONUS"]["amount"] == "1067.25"  # 602.50 + 500.00 - 35.25
    assert totals["WEEKLY_GOAL_BONUS"]["quantity"] is None
    assert data["grand_total"] == "14067.25"
    assert Decimal(data["grand_total"]) == sum(amounts.values())
    assert data["rows"] == sum(counts.values()) == 7
    assert data["rejected_lines"] == 1


def test_manifest_identifies_file_plan_and_inputs():
    export, manifest = _manifest(sample_lines())
    data = json.loads(manifest.to_bytes())

    assert data["sha256"] == hashlib.sha256(export.content).hexdigest()
    assert data["file_name"] == export.file_name
    assert manifest.manifest_file_name == export.file_name.removesuffix(".csv") + ".manifest.json"
    assert {k: data[k] for k in ("pay_period", "plan_version", "plan_hash", "input_fingerprint", "currency")} == {
        "pay_period": "2026-03",
        "plan_version": "2026.1",
        "plan_hash": "b" * 64,
        "input_fingerprint": "fp-42",
        "currency": "CNY",
    }
    assert data["generator"] == "hrhub 9.9.9"


def test_manifest_bytes_are_canonical_and_reproducible():
    _, first = _manifest(sample_lines())
    _, second = _manifest(list(reversed(sample_lines())))
    text = first.to_bytes().decode("utf-8")

    assert first.to_bytes() == second.to_bytes()
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert "time" not in text and "date" not in text


def test_default_generator_names_the_installed_hrhub():
    export = render_long_csv(sample_lines(), EMPLOYEES)
    manifest = build_manifest(export, plan_hash="c", input_fingerprint="d")
    assert manifest.generator.startswith("hrhub ")
    assert len(manifest.generator) > len("hrhub ")


def test_a_component_with_two_units_cannot_be_totalled():
    lines = [
        Line("E000001", "OVERTIME_HOURS", Decimal(0), Decimal(2), "hours"),
        Line("E000002", "OVERTIME_HOURS", Decimal(0), Decimal(1), "days"),
    ]
    with pytest.raises(ValueError, match="mixes units"):
        _manifest(lines)
