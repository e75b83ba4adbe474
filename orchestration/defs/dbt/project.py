"""The dbt project as Dagster sees it; ``prepare_if_dev`` re-parses it under ``dagster dev``."""

from functools import cache

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
