"""Two runs of the same week never run at once on the instance ``hrhub dev`` and the demo use: Dagster's run queue,
configured in the ``dagster.yaml`` they write, holds the second run of a week while other weeks go ahead."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._core.remote_origin import RegisteredCodeLocationOrigin, RemoteRepositoryOrigin
from dagster._core.storage.dagster_run import DagsterRun, DagsterRunStatus
from dagster._core.utils import make_new_run_id
from dagster._daemon.run_coordinator.queued_run_coordinator_daemon import QueuedRunCoordinatorDaemon

from orchestration.local_run import ASSET_PARTITION_RANGE_START_TAG, _prepare_dagster_home

pytestmark = pytest.mark.trust("security", "week run queue")


def _week(week: str) -> dict[str, str]:
    return {"dagster/partition": week}


def create_run_for_test(
    instance: dg.DagsterInstance, job_name: str, status: DagsterRunStatus, tags: dict[str, str]
) -> None:
    """A run record as the UI's launch leaves it in run storage (no code location needed to queue it)."""
    location = RegisteredCodeLocationOrigin("orchestration")
    origin = RemoteRepositoryOrigin(location, "__repository__").get_job_origin(job_name)
    run = DagsterRun(job_name=job_name, run_id=make_new_run_id(), status=status, tags=tags, remote_job_origin=origin)
    instance.add_run(run)


def _runs_the_queue_would_start(instance: dg.DagsterInstance) -> list[str]:
    """What the daemon's next pass would take off the queue (its own selection logic, without launching)."""
    daemon = QueuedRunCoordinatorDaemon(interval_seconds=1)
    picked = daemon._get_runs_to_dequeue(instance, instance.get_concurrency_config(), None)
    return [run.tags.get("dagster/partition") or run.tags[ASSET_PARTITION_RANGE_START_TAG] for run in picked]


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    home = tmp_path / "dagster_home"
    _prepare_dagster_home(home)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as dagster_instance:
        yield dagster_instance


def test_a_second_run_of_a_running_week_waits_while_another_week_starts(instance):
    create_run_for_test(instance, job_name="weekly_pipeline", status=DagsterRunStatus.STARTED, tags=_week("2026-03-02"))
    create_run_for_test(instance, job_name="weekly_pipeline", status=DagsterRunStatus.QUEUED, tags=_week("2026-03-02"))
    create_run_for_test(instance, job_name="weekly_pipeline", status=DagsterRunStatus.QUEUED, tags=_week("2026-03-09"))

    assert _runs_the_queue_would_start(instance) == ["2026-03-09"]


def test_of_two_queued_runs_of_one_week_only_the_first_starts(instance):
    for week in ("2026-03-02", "2026-03-02", "2026-03-09"):
        create_run_for_test(instance, job_name="weekly_pipeline", status=DagsterRunStatus.QUEUED, tags=_week(week))

    assert _runs_the_queue_would_start(instance) == ["2026-03-02", "2026-03-09"]


def test_backfill_range_runs_starting_at_the_same_week_are_serialised_too(instance):
    tags = {ASSET_PARTITION_RANGE_START_TAG: "2026-03-02"}
    create_run_for_test(instance, job_name="weekly_pipeline", status=DagsterRunStatus.STARTED, tags=tags)
    create_run_for_test(instance, job_name="weekly_pipeline", status=DagsterRunStatus.QUEUED, tags=tags)

    assert _runs_the_queue_would_start(instance) == []


def test_an_existing_dagster_yaml_gains_the_queue_but_an_operators_own_queue_is_kept(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: true\n", encoding="utf-8")
    _prepare_dagster_home(home)
    config = yaml.safe_load((home / "dagster.yaml").read_text(encoding="utf-8"))
    assert config["telemetry"] == {"enabled": True}
    assert {limit["key"] for limit in config["run_queue"]["tag_concurrency_limits"]} >= {"dagster/partition"}

    own = "run_queue:\n  max_concurrent_runs: 1\n"
    (home / "dagster.yaml").write_text(own, encoding="utf-8")
    _prepare_dagster_home(home)
    assert (home / "dagster.yaml").read_text(encoding="utf-8") == own
