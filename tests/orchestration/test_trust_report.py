"""The trust report: JUnit XML plus trust markers in, one line per case and totals out; a failed case fails it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from orchestration.trust_report import (
    case_sentence,
    exit_code,
    parse_junit,
    read_fault_counts,
    render_markdown,
    totals,
    totals_by_category,
)

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="0" failures="1" skipped="1" tests="5" time="3.1">
  <testcase classname="tests.scoring.test_joint_incentive" name="test_zero_or_missing_targets_are_errors[0]"
            time="0.010">
    <properties>
      <property name="trust_category" value="bad input"/><property name="trust_case" value="scoring: joint incentive"/>
    </properties>
  </testcase>
  <testcase classname="tests.connectors.test_shopify" name="test_bad_amounts_and_quantities_are_quarantined"
            time="0.250">
    <properties>
      <property name="trust_category" value="bad input"/><property name="trust_case" value="connectors: Shopify"/>
    </properties>
    <failure message="AssertionError: 2 rows quarantined, expected 3&#10;more detail">traceback</failure>
  </testcase>
  <testcase classname="tests.integration.test_faults" name="test_marts_hold_the_same_rows_with_and_without_faults"
            time="0.001">
    <properties>
      <property name="trust_category" value="fault"/>
      <property name="trust_case" value="weekly run under 20% vendor faults"/>
    </properties>
    <skipped type="pytest.skip" message="slow: left out by --fast">skipped</skipped>
  </testcase>
  <testcase classname="tests.connectors.test_files_inbox" name="test_names_that_leave_the_inbox_are_refused[a|b]"
            time="0.004">
    <properties>
      <property name="trust_category" value="security"/><property name="trust_case" value="inbox paths"/>
    </properties>
  </testcase>
  <testcase classname="tests.scoring.test_money" name="test_money_rounds_half_up" time="0.002"/>
</testsuite></testsuites>
"""


def _cases(tmp_path: Path):
    path = tmp_path / "junit.xml"
    path.write_text(JUNIT, encoding="utf-8")
    return parse_junit(path)


def test_names_and_parametrization_ids_read_as_sentences():
    assert case_sentence("test_zero_or_missing_targets_are_errors[0]") == "zero or missing targets are errors [0]"
    assert case_sentence("test_bad_items_are_rejected_with_a_reason") == "bad items are rejected with a reason"
    assert case_sentence("test_refused[../../etc/passwd]") == "refused [../../etc/passwd]"


def test_only_marked_cases_are_reported_with_their_outcome_and_reason(tmp_path):
    cases = {case.test: case for case in _cases(tmp_path)}

    assert "test_money_rounds_half_up" not in cases  # an ordinary passing test is not a trust case
    failed = cases["test_bad_amounts_and_quantities_are_quarantined"]
    assert (failed.category, failed.area, failed.outcome) == ("bad input", "connectors: Shopify", "failed")
    assert failed.detail == "AssertionError: 2 rows quarantined, expected 3"
    skipped = cases["test_marts_hold_the_same_rows_with_and_without_faults"]
    assert (skipped.outcome, skipped.detail) == ("skipped", "slow: left out by --fast")
    assert cases["test_zero_or_missing_targets_are_errors[0]"].seconds == 0.01


def test_totals_per_category_and_overall(tmp_path):
    cases = _cases(tmp_path)

    overall = totals(cases)
    assert (overall.cases, overall.passed, overall.failed, overall.skipped) == (4, 2, 1, 1)
    assert overall.seconds == 0.27
    by_category = totals_by_category(cases)
    assert list(by_category) == ["bad input", "fault", "security"]
    assert (by_category["bad input"].cases, by_category["bad input"].failed) == (2, 1)


def test_the_markdown_lists_every_case_under_its_category_and_area(tmp_path):
    report = render_markdown(_cases(tmp_path), {"throttle": 12, "timeout": 3}).splitlines()

    assert "| bad input | 2 | 1 | 1 | 0 | 0.26 |" in report
    assert "| **all** | 4 | 2 | 1 | 1 | 0.27 |" in report
    assert "## Bad input" in report and "## Fault" in report and "## Security" in report
    assert "### connectors: Shopify (1 case: 0 passed, 1 failed, 0 skipped)" in report
    assert "| zero or missing targets are errors [0] | passed | 0.01 |" in report
    assert (
        "| bad amounts and quantities are quarantined | **FAILED**: AssertionError: 2 rows quarantined, expected 3 "
        "| 0.25 |" in report
    )
    assert "| marts hold the same rows with and without faults | skipped: slow: left out by --fast | 0.00 |" in report
    assert "| names that leave the inbox are refused [a\\|b] | passed | 0.00 |" in report  # a pipe cannot split it
    assert report[-2:] == ["| throttle | 12 |", "| timeout | 3 |"]


def test_a_failed_case_makes_the_exit_code_1_and_all_passed_or_skipped_gives_0(tmp_path):
    cases = _cases(tmp_path)

    assert exit_code(cases) == 1
    assert exit_code([case for case in cases if case.outcome != "failed"]) == 0


def test_a_failure_outside_any_marked_test_is_reported_and_fails_the_report(tmp_path):
    path = tmp_path / "junit.xml"
    path.write_text(
        '<testsuites><testsuite><testcase classname="" name="tests.scoring.test_plan" time="0">'
        '<error message="collection failure">ImportError</error></testcase></testsuite></testsuites>',
        encoding="utf-8",
    )

    [case] = parse_junit(path)

    assert (case.category, case.outcome, case.detail) == ("outside any case", "failed", "collection failure")
    assert exit_code([case]) == 1


def test_fault_counts_are_summed_over_the_summary_files_that_exist(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(json.dumps({"rate": 0.2, "seed": 1, "injected": {"throttle": 2, "timeout": 1}}), encoding="utf-8")
    second.write_text(json.dumps({"rate": 0.2, "seed": 2, "injected": {"throttle": 3}}), encoding="utf-8")

    assert read_fault_counts([first, second, tmp_path / "missing.json"]) == {"throttle": 5, "timeout": 1}


# Only the marked tests, with the copied conftest, xdist and the cache off, and strict markers.
PYTEST = ("-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "-m", "trust", "--strict-markers")


def test_the_conftest_marker_reaches_the_junit_xml_and_fast_skips_slow_cases(tmp_path):
    """A real pytest run with the suite's ``tests/conftest.py``: markers become properties the report reads."""
    shutil.copy(Path(__file__).parents[1] / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_sample.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.trust('bad input', 'files: demo')\n"
        "@pytest.mark.parametrize('value', ['', 'x'])\n"
        "def test_blank_values_are_refused(value):\n"
        "    assert value\n\n"
        "@pytest.mark.slow\n"
        "@pytest.mark.trust('fault')\n"
        "def test_a_long_run():\n"
        "    pass\n\n"
        "def test_not_a_trust_case():\n"
        "    pass\n",
        encoding="utf-8",
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    slow: slow\n", encoding="utf-8")
    junit = tmp_path / "junit.xml"

    subprocess.run(
        [sys.executable, *PYTEST, "--junitxml", str(junit)],
        cwd=tmp_path,
        env={"HRHUB_TRUST_SKIP_SLOW": "1", "PATH": ""},
        capture_output=True,
        check=False,
    )
    cases = {case.test: case for case in parse_junit(junit)}

    assert set(cases) == {"test_blank_values_are_refused[]", "test_blank_values_are_refused[x]", "test_a_long_run"}
    assert cases["test_blank_values_are_refused[]"].outcome == "failed"
    assert (cases["test_blank_values_are_refused[x]"].category, cases["test_blank_values_are_refused[x]"].area) == (
        "bad input",
        "files: demo",
    )
    long_run = cases["test_a_long_run"]
    assert (long_run.category, long_run.area) == ("fault", "test_sample.py")
    assert (long_run.outcome, long_run.detail) == ("skipped", "slow: left out by --fast")
