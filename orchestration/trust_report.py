"""``hrhub trust-report``: every bad input, fault, attack, quality gate and stale source the tests try, with outcomes.

The cases are the tests marked ``@pytest.mark.trust(category, case)`` (``tests/conftest.py``). They run once with
``pytest -m trust``; the JUnit XML it writes carries each test's marker as properties, so the report needs nothing but
that file: one readable line per case (the test's name, plus its parametrization id), grouped by category and area,
with its outcome and duration, and totals a README can quote. Any case that failed makes the exit code 1.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
CATEGORIES = ("bad input", "fault", "security", "quality gate", "freshness")
UNMARKED = "outside any case"  # a collection error or crash the JUnit XML reports without a trust marker
CATEGORY_PROPERTY = "trust_category"
CASE_PROPERTY = "trust_case"
SKIP_SLOW_ENV = "HRHUB_TRUST_SKIP_SLOW"
OUTCOMES = ("passed", "failed", "skipped")


class TrustReportError(RuntimeError):
    """pytest did not leave a JUnit XML to report on."""


@dataclass(frozen=True)
class Case:
    """One test run: which category and area it belongs to, and how it ended."""

    category: str
    area: str
    test: str  # the test's name with its parametrization id, e.g. ``test_bad_items_are_rejected[neg]``
    module: str  # dotted, e.g. ``tests.scoring.test_attainment``
    outcome: str  # passed | failed | skipped
    detail: str  # the skip reason or the first line of the failure; empty when passed
    seconds: float

    @property
    def sentence(self) -> str:
        return case_sentence(self.test)


@dataclass(frozen=True)
class Totals:
    cases: int
    passed: int
    failed: int
    skipped: int
    seconds: float


def case_sentence(test_name: str) -> str:
    """``test_zero_or_missing_targets_are_errors[0]`` -> ``zero or missing targets are errors [0]``."""
    name, bracket, param = test_name.partition("[")
    words = re.sub(r"^test_", "", name).replace("_", " ").strip()
    return f"{words} [{param.removesuffix(']')}]" if bracket else words


def _first_line(text: str | None, limit: int = 160) -> str:
    line = next((part.strip() for part in (text or "").splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def parse_junit(path: Path) -> list[Case]:
    """The trust cases in a pytest JUnit XML, plus any unmarked test that failed (a collection error, say)."""
    root = ET.parse(path).getroot()
    cases = []
    for testcase in root.iter("testcase"):
        properties = {p.get("name"): p.get("value", "") for p in testcase.iter("property")}
        failure = testcase.find("failure")
        if failure is None:
            failure = testcase.find("error")
        skipped = testcase.find("skipped")
        if failure is not None:
            outcome, detail = "failed", _first_line(failure.get("message") or failure.text)
        elif skipped is not None:
            outcome, detail = "skipped", _first_line(skipped.get("message") or skipped.text)
        else:
            outcome, detail = "passed", ""
        category = properties.get(CATEGORY_PROPERTY)
        if category is None and outcome != "failed":
            continue  # an ordinary test: not part of the report
        module = testcase.get("classname", "")
        cases.append(
            Case(
                category=category or UNMARKED,
                area=properties.get(CASE_PROPERTY) or module,
                test=testcase.get("name", ""),
                module=module,
                outcome=outcome,
                detail=detail,
                seconds=float(testcase.get("time") or 0.0),
            )
        )
    return cases


def totals(cases: list[Case]) -> Totals:
    counts = Counter(case.outcome for case in cases)
    return Totals(
        len(cases), counts["passed"], counts["failed"], counts["skipped"], round(sum(c.seconds for c in cases), 2)
    )


def _category_order(cases: list[Case]) -> list[str]:
    present = {case.category for case in cases}
    return [c for c in CATEGORIES if c in present] + sorted(present - set(CATEGORIES))


def totals_by_category(cases: list[Case]) -> dict[str, Totals]:
    return {category: totals([c for c in cases if c.category == category]) for category in _category_order(cases)}


def exit_code(cases: list[Case]) -> int:
    """1 when any case failed: the report is also a gate."""
    return 1 if any(case.outcome == "failed" for case in cases) else 0


def read_fault_counts(paths: list[Path]) -> dict[str, int]:
    """Injected faults by kind, summed over the fault injector's summary files that exist (``sandbox/faults.py``)."""
    counts: Counter[str] = Counter()
    for path in paths:
        if path.is_file():
            injected = json.loads(path.read_text(encoding="utf-8")).get("injected", {})
            counts.update({str(kind): int(n) for kind, n in injected.items()})
    return dict(counts)


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _outcome_cell(case: Case) -> str:
    label = {"passed": "passed", "failed": "**FAILED**", "skipped": "skipped"}[case.outcome]
    return f"{label}: {_cell(case.detail)}" if case.detail else label


def _totals_row(label: str, t: Totals) -> str:
    return f"| {label} | {t.cases} | {t.passed} | {t.failed} | {t.skipped} | {t.seconds:.2f} |"


def render_markdown(
    cases: list[Case],
    fault_counts: dict[str, int] | None = None,
    *,
    command: str = "",
    generated_at: str = "",
    wall_seconds: float | None = None,
) -> str:
    """The report: totals first (what a README quotes), then every case by category and area."""
    overall = totals(cases)
    lines = ["# Trust report", ""]
    about = [f"{overall.cases} cases"]
    if generated_at:
        about.append(f"generated {generated_at}")
    if wall_seconds is not None:
        about.append(f"wall time {wall_seconds:.0f} s")
    lines.append(", ".join(about) + ".")
    if command:
        lines += ["", f"Command: `{command}`"]
    lines += ["", "## Totals", "", "| Category | Cases | Passed | Failed | Skipped | Seconds |"]
    lines.append("|---|---|---|---|---|---|")
    by_category = totals_by_category(cases)
    lines += [_totals_row(category, t) for category, t in by_category.items()]
    lines.append(_totals_row("**all**", overall))
    for category in by_category:
        in_category = [c for c in cases if c.category == category]
        lines += ["", f"## {category[0].upper()}{category[1:]}"]
        for area in sorted({c.area for c in in_category}, key=str.casefold):
            in_area = sorted((c for c in in_category if c.area == area), key=lambda c: (c.module, c.test))
            t = totals(in_area)
            counts = f"{t.cases} case{'s' * (t.cases != 1)}: {t.passed} passed, {t.failed} failed, {t.skipped} skipped"
            lines += ["", f"### {area} ({counts})", ""]
            lines += ["| Case | Outcome | Seconds |", "|---|---|---|"]
            lines += [f"| {_cell(c.sentence)} | {_outcome_cell(c)} | {c.seconds:.2f} |" for c in in_area]
    if fault_counts:
        lines += ["", "## Faults injected, by kind", "", "| Kind | Count |", "|---|---|"]
        lines += [f"| {kind} | {n} |" for kind, n in sorted(fault_counts.items())]
    return "\n".join(lines) + "\n"


def summary_table(cases: list[Case]) -> Table:
    table = Table(title="trust report", show_edge=False, pad_edge=False)
    for index, column in enumerate(("category", "cases", "passed", "failed", "skipped", "seconds")):
        table.add_column(column, justify="left" if index == 0 else "right")
    for category, t in totals_by_category(cases).items():
        table.add_row(category, str(t.cases), str(t.passed), str(t.failed), str(t.skipped), f"{t.seconds:.1f}")
    t = totals(cases)
    table.add_row("all", str(t.cases), str(t.passed), str(t.failed), str(t.skipped), f"{t.seconds:.1f}", style="bold")
    return table


def pytest_command(junit: Path) -> list[str]:
    """The one pytest run behind the report (``--fast`` adds no option: the environment variable skips slow)."""
    return [
        sys.executable,
        "-m",
        "pytest",
        "-m",
        "trust",
        "-n",
        "2",
        "--dist",
        "loadfile",
        "-p",
        "no:cacheprovider",
        "-q",
        "--junitxml",
        str(junit),
    ]


def run_trust_report(out_dir: Path, fault_files: list[Path], fast: bool = False) -> int:
    """Run the trust cases, then write ``out_dir/report.md`` and print the totals; 1 when a case failed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    junit = out_dir / "junit.xml"
    junit.unlink(missing_ok=True)
    command = pytest_command(junit)
    env = {**os.environ, SKIP_SLOW_ENV: "1"} if fast else {k: v for k, v in os.environ.items() if k != SKIP_SLOW_ENV}
    started = time.monotonic()
    pytest_rc = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
    wall = time.monotonic() - started
    if not junit.is_file():
        raise TrustReportError(f"pytest exited {pytest_rc} without writing {junit}")
    cases = parse_junit(junit)
    shown = " ".join(["pytest", *command[3:]])
    report = render_markdown(
        cases,
        read_fault_counts(fault_files),
        command=f"{SKIP_SLOW_ENV}=1 {shown}" if fast else shown,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        wall_seconds=wall,
    )
    (out_dir / "report.md").write_text(report, encoding="utf-8")
    console = Console()
    console.print(summary_table(cases))
    for case in cases:
        if case.outcome == "failed":
            console.print(f"[red]failed[/] {case.category} / {case.area}: {case.sentence}: {case.detail}")
    console.print(f"wall time {wall:.0f} s; every case: {out_dir / 'report.md'}")
    if pytest_rc not in (0, 1, 5):  # 2..4: interrupted, internal or usage error: the XML may be incomplete
        return pytest_rc
    return exit_code(cases) or (1 if pytest_rc == 1 else 0)
