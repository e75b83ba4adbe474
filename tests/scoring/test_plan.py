"""The plan file loads into exact numbers, and every way HR can get it wrong is named with its path."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

from scoring.plan import DEFAULT_PLAN_PATH, PlanError, load_plan, parse_plan


def _problems(text: str) -> list[str]:
    with pytest.raises(PlanError) as caught:
        parse_plan(text, source="edited.yaml")
    assert str(caught.value).startswith("edited.yaml is not a valid plan")
    return caught.value.problems


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, f"fixture drifted: {old!r} not in the default plan"
    return text.replace(old, new, 1)


def test_default_plan_loads_with_exact_numbers(plan):
    assert plan.version == "2026.1"
    assert plan.currency == "CNY"
    assert plan.goals.ratio_cap == Decimal("1.5")
    assert [(p.attainment, p.multiplier) for p in plan.goals.payout_curve] == [
        (Decimal("0.6"), Decimal("0.5")),
        (Decimal("1.0"), Decimal("1.0")),
        (Decimal("1.2"), Decimal("1.3")),
        (Decimal("1.5"), Decimal("1.6")),
    ]
    assert plan.goals.base_bonus("customer_service") == Decimal("500")
    assert plan.joint_incentive.default_targets.ctr == Decimal("0.030")
    assert plan.project_pool.share_of_profit == Decimal("0.20")
    assert plan.activity_points.weekly_cap == 200


def test_content_hash_is_sha256_of_the_file_bytes(plan):
    assert plan.content_hash == hashlib.sha256(DEFAULT_PLAN_PATH.read_bytes()).hexdigest()


def test_any_byte_change_changes_the_hash(plan, plan_text):
    edited = parse_plan(plan_text + "\n# reviewed by HR\n")
    assert edited.version == plan.version
    assert edited.content_hash != plan.content_hash


def test_dbt_vars_are_flat_attendance_parameters(plan):
    dbt_vars = plan.dbt_vars()
    assert dbt_vars["late_grace_minutes"] == 5
    assert dbt_vars["duplicate_window_seconds"] == 60
    assert dbt_vars["weekly_hours_cap"] == 40
    assert dbt_vars["plan_version"] == "2026.1"
    assert dbt_vars["every_valid_pair_shift_codes"] == []
    assert all(isinstance(value, int | str | list) and not isinstance(value, bool) for value in dbt_vars.values()), (
        "dbt vars must be JSON scalars or lists (no Decimals, no booleans)"
    )


def test_every_valid_pair_shift_codes_reach_dbt_upper_case(plan_text):
    edited = parse_plan(_edit(plan_text, "every_valid_pair_shift_codes: []", "every_valid_pair_shift_codes: [split]"))
    assert edited.dbt_vars()["every_valid_pair_shift_codes"] == ["SPLIT"]


def test_plan_is_frozen(plan):
    with pytest.raises(ValueError, match="frozen"):
        plan.goals.ratio_cap = Decimal("9")


def test_floats_in_yaml_become_exact_decimals(plan_text):
    edited = parse_plan(_edit(plan_text, 'ratio_cap: "1.5"', "ratio_cap: 1.1"))
    assert edited.goals.ratio_cap == Decimal("1.1")


@pytest.mark.trust("bad input", "scoring: plan file")
def test_missing_version(plan_text):
    assert _problems(_edit(plan_text, 'version: "2026.1"\n', "")) == ["version: required but missing"]


@pytest.mark.trust("bad input", "scoring: plan file")
def test_unquoted_version_is_refused_because_yaml_would_read_a_number(plan_text):
    [problem] = _problems(_edit(plan_text, 'version: "2026.1"', "version: 2026.10"))
    assert problem.startswith("version: must be a quoted string")


@pytest.mark.trust("bad input", "scoring: plan file")
def test_weights_not_summing_to_one_name_the_group_and_the_sum(plan_text):
    text = _edit(plan_text, 'favorites_rate: "0.3"', 'favorites_rate: "0.2"')
    [problem] = _problems(text)
    assert problem.startswith("joint_incentive.designer.design_quality: weights must sum to 1, got 0.9")
    assert "favorites_rate 0.2" in problem


@pytest.mark.trust("bad input", "scoring: plan file")
def test_role_weights_of_the_pool_must_sum_to_one(plan_text):
    [problem] = _problems(_edit(plan_text, 'operator: "0.60"', 'operator: "0.50"'))
    assert problem.startswith("project_pool.role_weights: weights must sum to 1, got 0.90")


@pytest.mark.trust("bad input", "scoring: plan file")
def test_unsorted_curve_points(plan_text):
    text = _edit(plan_text, '{attainment: "1.2", multiplier: "1.3"}', '{attainment: "0.9", multiplier: "1.3"}')
    [problem] = _problems(text)
    assert (
        problem == "goals.payout_curve: points must be sorted by strictly increasing attainment, got 0.6, 1.0, 0.9, 1.5"
    )


@pytest.mark.trust("bad input", "scoring: plan file")
def test_negative_numbers_are_refused_with_their_path(plan_text):
    text = _edit(plan_text, "weekly_cap: 200", "weekly_cap: -5")
    text = _edit(text, '{attainment: "0.6", multiplier: "0.5"}', '{attainment: "0.6", multiplier: "-0.5"}')
    assert _problems(text) == [
        "goals.payout_curve[0].multiplier: must be at least 0 (got '-0.5')",
        "activity_points.weekly_cap: must be at least 0 (got -5)",
    ]


@pytest.mark.trust("bad input", "scoring: plan file")
def test_unknown_keys_are_typos_not_ignored(plan_text):
    [problem] = _problems(_edit(plan_text, "weekly_cap: 200", "weekly_cap: 200\n  weekly_cap_points: 300"))
    assert problem.startswith("activity_points.weekly_cap_points: unknown key")


@pytest.mark.trust("bad input", "scoring: plan file")
def test_a_key_written_twice_is_refused(plan_text):
    [problem] = _problems(_edit(plan_text, "weekly_cap: 200", "weekly_cap: 200\n  weekly_cap: 300"))
    assert "duplicate key 'weekly_cap'" in problem
    assert problem.startswith("not readable as YAML: line ")


@pytest.mark.trust("bad input", "scoring: plan file")
def test_band_thresholds_must_fall(plan_text):
    [problem] = _problems(_edit(plan_text, 'on_track: "0.8"', 'on_track: "1.1"'))
    assert problem.startswith("goals.band_thresholds: thresholds must fall strictly")


@pytest.mark.trust("bad input", "scoring: plan file")
def test_base_bonus_needs_a_default(plan_text):
    [problem] = _problems(_edit(plan_text, 'default: "500"', 'engineer: "500"'))
    assert problem == "goals.base_bonus_by_role: needs a `default` entry for roles that are not listed"


@pytest.mark.trust("bad input", "scoring: plan file")
def test_zero_targets_are_refused(plan_text):
    [problem] = _problems(_edit(plan_text, 'order_rate: "0.025"', 'order_rate: "0"'))
    assert problem == "joint_incentive.default_targets.order_rate: must be greater than 0 (got '0')"


@pytest.mark.trust("bad input", "scoring: plan file")
def test_non_numbers_are_refused(plan_text):
    [problem] = _problems(_edit(plan_text, 'ratio_cap: "1.5"', "ratio_cap: one and a half"))
    assert problem == "goals.ratio_cap: must be a number, got 'one and a half'"


@pytest.mark.trust("bad input", "scoring: plan file")
def test_every_problem_is_reported_at_once(plan_text):
    text = _edit(plan_text, 'version: "2026.1"\n', "")
    text = _edit(text, "currency: CNY", "currency: yuan")
    assert len(_problems(text)) == 2


@pytest.mark.trust("bad input", "scoring: plan file")
def test_not_a_mapping():
    assert _problems("- just a list") == ["the plan must be a YAML mapping of sections (version, goals, ...)"]


@pytest.mark.trust("bad input", "scoring: plan file")
def test_missing_file_is_a_plan_error(tmp_path):
    with pytest.raises(PlanError, match="cannot be read"):
        load_plan(tmp_path / "nope.yaml")
