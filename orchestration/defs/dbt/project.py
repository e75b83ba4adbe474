"""The dbt project as Dagster sees it; ``prepare_if_dev`` re-parses it under ``dagster dev``."""

import os
import shutil
import tempfile
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


def keep_parse_state(invocation_target: Path) -> None:
    """Make an invocation's parse state the one the next invocation starts from.

    dagster-dbt gives every invocation its own target folder and seeds it with ``target/partial_parse.msgpack``.
    That file comes from ``make manifest``, whose profile (the warehouse path) differs from a run's, so dbt threw it
    away and parsed the whole project again in every step (about 25 s). Written atomically: runs may overlap.
    """
    state = invocation_target / PARSE_STATE
    if not state.exists():
        return
    project_target = dbt_project().project_dir / dbt_project().target_path
    project_target.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=project_target, prefix=f".{PARSE_STATE}.")
    os.close(handle)
    shutil.copyfile(state, temporary)
    Path(temporary).replace(project_target / PARSE_STATE)
