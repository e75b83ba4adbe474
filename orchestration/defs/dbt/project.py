"""The dbt project as Dagster sees it; ``prepare_if_dev`` re-parses it under ``dagster dev``."""

import os
import shutil
import tempfile
import uuid
from functools import cache
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.settings import PROJECT_ROOT

# What a scheduled run builds: models, seeds, snapshots and data tests. dbt unit tests check the SQL logic, not the
# week's data, so they run in the test suite (tests/dbt) rather than every week.
SCHEDULED_BUILD = ["build", "--exclude-resource-type", "unit_test"]


@cache
def dbt_project() -> DbtProject:
    project = DbtProject(project_dir=PROJECT_ROOT / "dbt_project", profiles_dir=PROJECT_ROOT / "dbt_project")
    project.prepare_if_dev()
    return project


PARSE_STATE = "partial_parse.msgpack"


KEPT_STEP_TARGETS = 20  # step folders (run_results.json, dbt.log) kept under the home's dbt_runs folder


def step_target(runs_dir: Path, step: str, run_id: str) -> Path:
    """A new target folder for one dbt step under ``runs_dir``, holding the parse state the previous step left there.

    dbt's partial parsing starts over when the profile changes, and the profile holds the warehouse path, so the
    state is kept per home (per warehouse) instead of in ``dbt_project/target``, where ``make manifest``'s state (parsed
    for another path) only seeds a home's first step. Without it every step parsed the whole project again (about
    10 s), and two homes on one machine (the test suite's workers, say) kept overwriting each other's state.
    """
    runs_dir.mkdir(parents=True, exist_ok=True)
    steps = sorted((p for p in runs_dir.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in steps[KEPT_STEP_TARGETS - 1 :]:
        shutil.rmtree(old, ignore_errors=True)
    target = runs_dir / f"{step}-{run_id[:8]}-{uuid.uuid4().hex[:8]}"
    target.mkdir()
    kept = runs_dir / PARSE_STATE
    seed = kept if kept.exists() else dbt_project().project_dir / dbt_project().target_path / PARSE_STATE
    if seed.exists():
        shutil.copyfile(seed, target / PARSE_STATE)
    return target


def keep_parse_state(step_target: Path) -> None:
    """Make a step's parse state the one the next step of its home starts from (atomically: runs may overlap)."""
    state = step_target / PARSE_STATE
    if not state.exists():
        return
    handle, temporary = tempfile.mkstemp(dir=step_target.parent, prefix=f".{PARSE_STATE}.")
    os.close(handle)
    shutil.copyfile(state, temporary)
    Path(temporary).replace(step_target.parent / PARSE_STATE)
