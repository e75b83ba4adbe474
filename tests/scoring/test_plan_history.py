"""Plan versions: a folder (or one file) of plans, each in force from its Monday; every mistake names its file."""

from __future__ import annotations

from datetime import date

import pytest

from scoring.plan import (
    DEFAULT_PLAN_PATH,
    DEFAULT_PLANS_DIR,
    NoPlanInForceError,
    PlanError,
    PlanHistoryError,
    load_plan,
    load_plan_history,
)


def _version(plan_text: str, version: str, effective_from: str, base_bonus: str = "500") -> str:
    text = plan_text.replace('version: "2026.1"', f'version: "{version}"', 1)
    text = text.replace("effective_from: 2026-01-05", f"effective_from: {effective_from}", 1)
    return text.replace('default: "500"', f'default: "{base_bonus}"', 1)


@pytest.fixture
def folder(tmp_path, plan_text):
    """Three versions: 2026.1 from 2026-01-05, 2026.2 from 2026-03-02, 2026.3 from 2026-06-01."""
    (tmp_path / "default.yaml").write_text(plan_text, encoding="utf-8")
    (tmp_path / "2026-03.yaml").write_text(_version(plan_text, "2026.2", "2026-03-02", "600"), encoding="utf-8")
    (tmp_path / "2026-06.yml").write_text(_version(plan_text, "2026.3", "2026-06-01", "650"), encoding="utf-8")
    return tmp_path


def _problems(path) -> list[str]:
    with pytest.raises(PlanHistoryError) as caught:
        load_plan_history(path)
    assert str(caught.value).startswith(f"{path} is not a valid plan history")
    return caught.value.problems


def test_the_shipped_folder_holds_the_default_plan_as_its_first_version(plan):
    history = load_plan_history(DEFAULT_PLANS_DIR)
    assert history.versions == ("2026.1",)
    assert history.in_force(date(2026, 3, 2)).content_hash == plan.content_hash == load_plan().content_hash


def test_a_single_file_is_a_history_of_one_version():
    history = load_plan_history(DEFAULT_PLAN_PATH)
    assert history.versions == ("2026.1",)
    assert history.latest.effective_from == date(2026, 1, 5)


def test_each_week_gets_the_version_in_force_on_its_monday(folder):
    history = load_plan_history(folder)
    assert history.versions == ("2026.1", "2026.2", "2026.3")  # by effective date, not by file name
    assert history.in_force(date(2026, 1, 5)).version == "2026.1"  # the first day of the first version
    assert history.in_force(date(2026, 2, 23)).version == "2026.1"  # the week before the next version
    assert history.in_force(date(2026, 3, 2)).version == "2026.2"  # its effective Monday
    assert history.in_force(date(2026, 5, 25)).version == "2026.2"
    assert history.in_force(date(2026, 6, 1)).goals.base_bonus(None) == 650
    assert history.in_force(date(2027, 1, 4)).version == "2026.3"  # the latest stays in force
    assert history.latest.version == "2026.3"
    assert history.by_version("2026.2").source.endswith("2026-03.yaml")
    assert history.by_hash(history.latest.content_hash) is history.latest


@pytest.mark.trust("bad input", "scoring: plan history")
def test_a_week_before_the_first_version_is_a_clear_error(folder):
    with pytest.raises(NoPlanInForceError) as caught:
        load_plan_history(folder).in_force(date(2025, 12, 29))
    message = str(caught.value)
    assert "no incentive plan is in force for the week of 2025-12-29" in message
    assert "2026.1" in message and "default.yaml" in message and "takes effect on 2026-01-05" in message


def test_other_files_in_the_folder_are_ignored(folder, plan_text):
    (folder / "README.md").write_text("how HR edits plans", encoding="utf-8")
    (folder / ".default.yaml.swp").write_text("editor junk", encoding="utf-8")
    (folder / "archive").mkdir()
    (folder / "archive" / "old.yaml").write_text(_version(plan_text, "2025.9", "2025-09-01"), encoding="utf-8")
    assert load_plan_history(folder).versions == ("2026.1", "2026.2", "2026.3")


@pytest.mark.trust("bad input", "scoring: plan history")
def test_every_invalid_file_is_named_with_its_problems(folder, plan_text):
    (folder / "2026-03.yaml").write_text(
        _version(plan_text, "2026.2", "2026-03-02").replace('ratio_cap: "1.5"', 'ratio_cap: "-1"'), encoding="utf-8"
    )
    (folder / "broken.yaml").write_text("version: [", encoding="utf-8")
    problems = _problems(folder)
    assert "2026-03.yaml: goals.ratio_cap: must be greater than 0 (got '-1')" in problems
    assert any(p.startswith("broken.yaml: not readable as YAML") for p in problems)
    assert len(problems) == 2


@pytest.mark.trust("bad input", "scoring: plan history")
def test_two_files_with_one_version_are_refused(folder, plan_text):
    (folder / "copy.yaml").write_text(_version(plan_text, "2026.2", "2026-04-06"), encoding="utf-8")
    assert _problems(folder) == [
        "version 2026.2 is declared by 2026-03.yaml, copy.yaml; give each version its own version"
    ]


@pytest.mark.trust("bad input", "scoring: plan history")
def test_two_versions_effective_the_same_monday_are_refused(folder, plan_text):
    (folder / "other.yaml").write_text(_version(plan_text, "2026.2b", "2026-03-02"), encoding="utf-8")
    assert _problems(folder) == [
        "effective_from 2026-03-02 is declared by 2026-03.yaml, other.yaml; each version needs its own effective_from"
    ]


@pytest.mark.trust("bad input", "scoring: plan history")
def test_a_version_must_take_effect_on_a_monday(folder, plan_text, tmp_path_factory):
    (folder / "2026-03.yaml").write_text(_version(plan_text, "2026.2", "2026-03-04"), encoding="utf-8")
    assert _problems(folder) == [
        "2026-03.yaml: effective_from 2026-03-04 is a Wednesday; a plan takes effect on a Monday (the first day of an "
        "ISO week)"
    ]
    single = tmp_path_factory.mktemp("single") / "plan.yaml"
    single.write_text(_version(plan_text, "2026.1", "2026-01-06"), encoding="utf-8")
    assert _problems(single) == [
        "plan.yaml: effective_from 2026-01-06 is a Tuesday; a plan takes effect on a Monday (the first day of an ISO "
        "week)"
    ]


@pytest.mark.trust("bad input", "scoring: plan history")
def test_an_empty_folder_is_no_history(tmp_path):
    assert _problems(tmp_path) == ["holds no plan file (.yaml or .yml)"]


def test_load_plan_on_the_folder_points_to_the_history(folder):
    with pytest.raises(PlanError, match="is a folder of plan versions: load it with load_plan_history"):
        load_plan(folder)


def test_a_plan_keeps_its_exact_bytes_and_where_it_came_from(folder):
    plan = load_plan_history(folder).by_version("2026.2")
    assert plan.body == (folder / "2026-03.yaml").read_bytes()
    assert plan.source == str(folder / "2026-03.yaml")
