"""Running the pipeline on one machine against the sandbox: shared by the demo, ``hrhub dev``, the benchmark and
the end-to-end test, so all four exercise the same path a customer's deployment runs."""

from __future__ import annotations

import os
import subprocess
import sysconfig
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import pandas as pd
import yaml

from orchestration.settings import PROJECT_ROOT, Settings, load_settings
from sandbox.faults import install_from_env
from sandbox.inbox import write_inbox_week
from sandbox.sample import SampleConfig, generate_sample, load_sample, write_sample
from sandbox.sample.people import zkbiotime_devices
from sandbox.server import SandboxServer
from sandbox.zkbiotime import write_zkbiotime_database
from scoring.weeks import recent_weeks

# The run tags Dagster's backfills put on a run that covers a range of partitions.
ASSET_PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
ASSET_PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


def default_start_week(weeks: int) -> date:
    """The first of the latest ``weeks`` complete weeks in the company time zone."""
    return recent_weeks(weeks, datetime.now(UTC), load_settings().timezone)[0]


def generate_and_write_sample(seed: int, employees: int, weeks: int, start_week: date, out: Path | None) -> Path:
    settings = load_settings()
    config = SampleConfig(
        seed=seed, employees=employees, weeks=weeks, start_week=start_week, timezone=settings.timezone
    )
    return write_sample(generate_sample(config), config, out or settings.sample_dir)


def render_inbox(tables: dict[str, pd.DataFrame], weeks: list[date], inbox_dir: Path, tz: str) -> int:
    """Drop each week's file exports into the inbox, as the device and the HR system would; returns files written."""
    return sum(len(write_inbox_week(tables, week, inbox_dir, tz)) for week in weeks)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    previous = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def connector_environment(server: SandboxServer) -> dict[str, str]:
    """The variables a deployment sets for its real vendors, pointed at the sandbox instead."""
    credentials = server.credentials
    return {
        "HRHUB_WECOM_BASE_URL": server.vendor_url("wecom"),
        "HRHUB_WECOM_CORPID": credentials.wecom_corpid,
        "HRHUB_WECOM_CORPSECRET": credentials.wecom_corpsecret,
        "HRHUB_DINGTALK_BASE_URL": server.vendor_url("dingtalk"),
        "HRHUB_DINGTALK_APPKEY": credentials.dingtalk_appkey,
        "HRHUB_DINGTALK_APPSECRET": credentials.dingtalk_appsecret,
        "HRHUB_FEISHU_BASE_URL": server.vendor_url("feishu"),
        "HRHUB_FEISHU_APP_ID": credentials.feishu_app_id,
        "HRHUB_FEISHU_APP_SECRET": credentials.feishu_app_secret,
        "HRHUB_SHOPIFY_BASE_URL": server.vendor_url("shopify"),
        "HRHUB_SHOPIFY_ACCESS_TOKEN": credentials.shopify_access_token,
        "HRHUB_GA4_BASE_URL": server.vendor_url("ga4"),
        "HRHUB_GA4_PROPERTY_ID": credentials.ga4_property_id,
        "HRHUB_GA4_ACCESS_TOKEN": credentials.ga4_access_token,
        "HRHUB_JIRA_BASE_URL": server.vendor_url("jira"),
        "HRHUB_JIRA_EMAIL": credentials.jira_email,
        "HRHUB_JIRA_API_TOKEN": credentials.jira_api_token,
    }


# The sandbox's Shopify bucket as on Shopify Plus (points, points per second): the demo shows the pipeline, not
# throttling, which the connector's contract tests cover on the Standard plan's bucket.
SHOPIFY_PLUS_BUCKET = (20_000.0, 1_000.0)
# Feishu OKR allows 100 calls a minute; the demo loads its weeks back to back (a weekly run never does), so the
# sandbox lets it through instead of making each week after the first wait a minute. The contract tests keep 100.
DEMO_FEISHU_OKR_CALLS_PER_MINUTE = 10_000


@contextmanager
def sandbox_running(tables: dict[str, pd.DataFrame]) -> Iterator[SandboxServer]:
    """Serve ``tables`` on an ephemeral port and point every connector at it (URLs and credentials via env).

    The devices that upload to a ZKBioTime server get that server's database as a SQLite file under the home.
    With ``HRHUB_SANDBOX_FAULT_RATE`` set, a seeded fault injector sits in front of the vendors (``sandbox/faults.py``)
    and its counts go to ``HRHUB_SANDBOX_FAULT_REPORT`` (default ``$HRHUB_HOME/sandbox_faults.json``) when it stops.
    """
    zkbiotime_url = f"sqlite:///{load_settings().home / 'zkbiotime' / 'biotime.sqlite'}"
    write_zkbiotime_database(zkbiotime_url, tables, zkbiotime_devices(tables["employees"]))
    with (
        SandboxServer(tables) as server,
        _environment({**connector_environment(server), "HRHUB_ZKBIOTIME_URL": zkbiotime_url}),
    ):
        server.shopify.set_throttle(*SHOPIFY_PLUS_BUCKET)
        server.feishu_okr.set_rate_limit(DEMO_FEISHU_OKR_CALLS_PER_MINUTE)
        faults = install_from_env(server)
        try:
            yield server
        finally:
            if faults is not None:  # counts by kind, for the trust report
                faults.write_summary(faults.config.report_path or load_settings().home / "sandbox_faults.json")


# Two runs of the same week would interleave their replace-the-week writes (raw tables, scores, payroll drafts):
# the run queue (the daemon `hrhub dev` starts) keeps a second run of a partition queued until the first ends,
# while runs of other weeks go ahead. A backfill's range runs are keyed by their first week the same way.
WEEK_RUN_QUEUE = {
    "tag_concurrency_limits": [
        {"key": key, "value": {"applyLimitPerUniqueValue": True}, "limit": 1}
        for key in ("dagster/partition", ASSET_PARTITION_RANGE_START_TAG)
    ]
}


def _prepare_dagster_home(dagster_home: Path) -> None:
    """A local instance keeps everything in SQLite under ``dagster_home``; telemetry stays off and the run queue
    runs one run per week at a time (added to an existing ``dagster.yaml`` that configures no queue of its own)."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    path = dagster_home / "dagster.yaml"
    if path.exists():
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if "run_queue" in config or "run_coordinator" in config:
            return  # the operator's own queue settings win
    else:
        config = {"telemetry": {"enabled": False}}
    config["run_queue"] = WEEK_RUN_QUEUE
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


@contextmanager
def demo_instance(settings: Settings) -> Iterator[dg.DagsterInstance]:
    """The persistent local instance under ``var/`` that ``hrhub dev`` opens, so the UI shows the demo's runs."""
    _prepare_dagster_home(settings.dagster_home)
    with _environment({"DAGSTER_HOME": str(settings.dagster_home)}), dg.DagsterInstance.get() as instance:
        yield instance


def pipeline_job() -> dg.JobDefinition:
    from orchestration.definitions import defs

    with warnings.catch_warnings():
        # Expected: dbt takes a range of weeks per run, the other assets one week (see defs/partitions.py).
        warnings.filterwarnings("ignore", message="Asset job weekly_pipeline materializes assets with varying")
        return defs().resolve_job_def("weekly_pipeline")


@dataclass(frozen=True)
class RunOutcome:
    label: str
    success: bool
    assets: int
    checks_passed: int
    checks_failed: int
    seconds: float
    run_id: str
    problems: tuple[str, ...]  # failed steps and failed checks, one line each


def run_week(
    job: dg.JobDefinition, week: date, instance: dg.DagsterInstance, log_path: Path | None = None
) -> RunOutcome:
    """One scheduled run: every asset of ``week``. With ``log_path``, console output (dbt's too) goes there."""
    return _execute(job, instance, f"week {week}", log_path, tags=_partition_tags(week, week))


def run_backfill(
    job: dg.JobDefinition, weeks: list[date], instance: dg.DagsterInstance, log_dir: Path
) -> Iterator[RunOutcome]:
    """Materialize every asset for ``weeks`` the way a Dagster asset backfill does: ingestion one week per run,
    dbt once over the whole window (its models are incremental by the window), then scoring and exports one week
    per run, oldest first (goal streaks read the weeks before). Yields each run's outcome; stops at a failure."""
    ingestion, models, downstream = _backfill_stages(job)
    runs = [(f"ingest {week}", f"ingest-{week}", ingestion, week, week) for week in weeks]
    runs.append((f"dbt {weeks[0]}..{weeks[-1]}", f"dbt-{weeks[0]}", models, weeks[0], weeks[-1]))
    runs += [(f"score+export {week}", f"score-{week}", downstream, week, week) for week in weeks]
    for label, log_name, selection, first, last in runs:
        outcome = _execute(job, instance, label, log_dir / f"{log_name}.log", selection, _partition_tags(first, last))
        yield outcome
        if not outcome.success:
            return  # as a backfill does: nothing downstream of a failed run


def run_scoring_and_exports(
    job: dg.JobDefinition, week: date, instance: dg.DagsterInstance, tags: dict[str, str] | None = None
) -> RunOutcome:
    """Score and export ``week`` again on the marts as they stand (plus the dbt models that read the scores): the run
    an HR approval or a plan change asks for, without pulling the sources and rebuilding the marts."""
    *_, downstream = _backfill_stages(job)
    return _execute(
        job, instance, f"score+export {week}", None, downstream, {**_partition_tags(week, week), **(tags or {})}
    )


def _backfill_stages(job: dg.JobDefinition) -> tuple[list[dg.AssetKey], list[dg.AssetKey], list[dg.AssetKey]]:
    """The executable assets as ingestion, the dbt models before scoring, and scoring + exports + the models after."""
    graph = job.asset_layer.asset_graph
    groups: dict[str, list[dg.AssetKey]] = {}
    for key in graph.get_all_asset_keys():
        if graph.get(key).is_executable:
            groups.setdefault(graph.get(key).group_name, []).append(key)
    after_scoring = _downstream_of(graph, groups["scoring"])  # e.g. the goal dashboards read the scores
    models = [key for key in _dbt_models(groups) if key not in after_scoring]
    downstream = [*groups["scoring"], *groups["exports"]]
    downstream += [key for key in _dbt_models(groups) if key in after_scoring]
    return groups["ingestion"], models, downstream


def _dbt_models(groups: dict[str, list[dg.AssetKey]]) -> list[dg.AssetKey]:
    return groups["staging"] + groups["intermediate"] + groups["marts"]


def _downstream_of(graph, keys: list[dg.AssetKey]) -> set[dg.AssetKey]:  # noqa: ANN001 (Dagster's asset graph)
    """Every asset that depends, directly or not, on one of ``keys`` (the keys themselves included)."""
    seen: set[dg.AssetKey] = set()
    pending = list(keys)
    while pending:
        key = pending.pop()
        if key not in seen:
            seen.add(key)
            pending.extend(graph.get(key).child_keys)
    return seen


def _partition_tags(first: date, last: date) -> dict[str, str]:
    return {
        ASSET_PARTITION_RANGE_START_TAG: first.isoformat(),
        ASSET_PARTITION_RANGE_END_TAG: last.isoformat(),
    }


def _execute(
    job: dg.JobDefinition,
    instance: dg.DagsterInstance,
    label: str,
    log_path: Path | None,
    selection: list[dg.AssetKey] | None = None,
    tags: dict[str, str] | None = None,
) -> RunOutcome:
    started = time.perf_counter()
    with _output_to(log_path):
        result = job.execute_in_process(
            instance=instance,
            asset_selection=selection,
            tags=tags,
            raise_on_error=False,
            run_config=QUIET_RUN_CONFIG,
        )
    evaluations = result.get_asset_check_evaluations()
    failed_steps = [
        f"step {event.step_key} failed: {event.event_specific_data.error.message.strip().splitlines()[0]}"
        for event in result.all_events
        if event.is_step_failure
    ]
    failed_checks = [f"check {e.asset_key.to_user_string()}:{e.check_name} failed" for e in evaluations if not e.passed]
    return RunOutcome(
        label=label,
        success=result.success,
        assets=len(result.get_asset_materialization_events()),
        checks_passed=sum(1 for e in evaluations if e.passed),
        checks_failed=len(failed_checks),
        seconds=time.perf_counter() - started,
        run_id=result.run_id,
        problems=(*failed_checks, *failed_steps),
    )


@contextmanager
def _output_to(log_path: Path | None) -> Iterator[None]:
    if log_path is None:
        yield
        return
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w", encoding="utf-8") as log, redirect_stdout(log), redirect_stderr(log):
        yield


def run_dev(port: int = 3000) -> int:
    """Start the sandbox on the demo's sample and the Dagster UI on the demo's instance; Ctrl-C stops both."""
    settings = load_settings()
    if not (settings.sample_dir / "meta.json").exists():
        weeks = 4
        generate_and_write_sample(42, 500, weeks, default_start_week(weeks), settings.sample_dir)
    _, tables = load_sample(settings.sample_dir)
    _prepare_dagster_home(settings.dagster_home)
    with sandbox_running(tables) as server:
        print(f"sandbox at {server.base_url}; Dagster UI at http://127.0.0.1:{port}")
        # dagster dev re-parses the dbt project on load and looks for dbt on PATH: put this environment's first.
        path = os.pathsep.join([sysconfig.get_path("scripts"), os.environ.get("PATH", "")])
        env = {**os.environ, "DAGSTER_HOME": str(settings.dagster_home), "PATH": path}
        command = [
            str(Path(sysconfig.get_path("scripts")) / "dagster"),
            "dev",
            "-w",
            str(PROJECT_ROOT / "workspace.yaml"),
            "-p",
            str(port),
        ]
        try:
            return subprocess.call(command, cwd=PROJECT_ROOT, env=env)
        except KeyboardInterrupt:
            return 0
