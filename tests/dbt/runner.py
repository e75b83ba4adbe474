"""Running dbt in-process against a test warehouse, with every artefact kept under the test's own folder."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from dbt.cli.main import dbtRunner, dbtRunnerResult

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"


def run_dbt(
    args: list[str],
    database: Path,
    work_dir: Path,
    dbt_vars: Mapping[str, object],
    project_dir: Path = PROJECT_DIR,
) -> dbtRunnerResult:
    """Invoke dbt against ``database`` with ``dbt_vars``; target and logs go under ``work_dir``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HRHUB_DUCKDB_PATH", str(database))
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        return dbtRunner().invoke(
            [
                *args,
                "--project-dir",
                str(project_dir),
                "--profiles-dir",
                str(project_dir),
                "--target-path",
                str(work_dir / "target"),
                "--log-path",
                str(work_dir / "logs"),
                "--vars",
                json.dumps(dbt_vars),
            ]
        )


def failures(result: dbtRunnerResult) -> list[str]:
    """What did not pass, one line per node (or the exception that stopped dbt)."""
    if result.result is None:
        return [repr(result.exception)]
    return [
        f"{r.node.unique_id}: {r.status} {r.message}"
        for r in result.result.results
        if r.status not in ("success", "pass")
    ]
