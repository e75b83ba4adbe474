"""Running dbt in-process against a test warehouse, with every artefact kept under the test's own folder.

The project is parsed once per test process and the parsed manifest handed to each later invocation (dbt's
documented ``dbtRunner(manifest=...)`` reuse). Every test warehouse has its own path, and dbt's partial parsing
starts over whenever the profile's path changes, so without this each invocation parsed the whole project again
(about 10 s each). The models read vars only when they compile, so one parse serves every test's vars.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from dbt.cli.main import dbtRunner, dbtRunnerResult
from dbt.contracts.graph.manifest import Manifest

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"

# By warehouse file name: the file's stem is the catalog the parsed nodes point at.
_parsed: dict[str, Manifest] = {}


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
        options = [
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
        if args[:1] == ["parse"] or project_dir != PROJECT_DIR:
            return dbtRunner().invoke([*args, *options])
        if database.name not in _parsed:
            parsed = dbtRunner().invoke(["parse", *options])
            if not parsed.success:
                return parsed
            _parsed[database.name] = parsed.result
        return dbtRunner(manifest=_parsed[database.name]).invoke([*args, *options])


def failures(result: dbtRunnerResult) -> list[str]:
    """What did not pass, one line per node (or the exception that stopped dbt)."""
    if result.result is None:
        return [repr(result.exception)]
    return [
        f"{r.node.unique_id}: {r.status} {r.message}"
        for r in result.result.results
        if r.status not in ("success", "pass")
    ]
