"""``make bench``: time each stage of the weekly run on a sample company of a given size, and its peak memory.

Runs under ``var/bench/<employees>/`` so it never touches the demo's warehouse. Stage times come from the Dagster
event log (step start -> step success), so they measure exactly what a scheduled run does.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sysconfig
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from orchestration.settings import PROJECT_ROOT

STAGES = {"ingestion": "ingest", "dbt": "dbt build", "scoring": "score", "exports": "export"}
MARTS_ALONE = {
    "attendance": "+path:models/marts/attendance",  # the marts and every staging/intermediate model they read
    "commerce": "+path:models/marts/commerce",  # the e-commerce contribution marts the joint incentive reads
}
DETAILED_STAGES = ("ingestion", "scoring")  # listed step by step, the slowest first
SLOWEST_STEPS = 6


def _peak_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest finished child (dbt), in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def _groups_by_step() -> dict[str, str]:
    """Map each step (op) of the weekly job to its stage: the group of the assets it materializes."""
    from orchestration.definitions import defs

    groups: dict[str, str] = {}
    for assets_def in defs().resolve_asset_graph().assets_defs:
        if assets_def.is_executable:
            group = next(iter(assets_def.group_names_by_key.values()), "other")
            groups[assets_def.op.name] = "dbt" if "dbt" in assets_def.op.name else group
    return groups


def _stage_of(step_key: str, groups: dict[str, str]) -> str:
    return groups.get(step_key, "other")


def _step_seconds(instance, run_id: str) -> dict[str, float]:  # noqa: ANN001 - DagsterInstance
    import dagster as dg

    starts: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            starts[event.step_key] = entry.timestamp
        elif event.event_type in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
            seconds[event.step_key] = entry.timestamp - starts.get(event.step_key, entry.timestamp)
    return seconds


def _marts_alone_seconds(week: date, selector: str) -> float:
    """Rebuild (and test) the ``selector`` marts of ``week`` alone, as a scheduled run does: a dbt process of its own,
    start-up included, after an earlier week's run (so dbt has its parse state, as the next weekly run does)."""
    from orchestration.defs.dbt.project import SCHEDULED_BUILD, dbt_project
    from orchestration.lib.dbt_vars import settings_rule_vars, window_environment
    from orchestration.settings import load_settings

    settings = load_settings()
    dbt_vars = json.dumps(settings_rule_vars(settings))
    project = dbt_project()

    def build(monday: date) -> float:
        start = datetime.combine(monday, datetime.min.time())
        command = [
            shutil.which("dbt") or str(Path(sysconfig.get_path("scripts")) / "dbt"),
            *SCHEDULED_BUILD,
            "--quiet",
            "--select",
            selector,
            "--vars",
            dbt_vars,
            "--project-dir",
            str(project.project_dir),
            "--profiles-dir",
            str(project.profiles_dir),
            "--target-path",
            str(Path(settings.home) / "bench_dbt_target"),
        ]
        environment = {**os.environ, **window_environment(start, start + timedelta(days=7))}
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=environment)
        return time.perf_counter() - started

    build(week - timedelta(days=7))
    return build(week)


def run_benchmark(employees: int = 5000, weeks: int = 1, seed: int = 42) -> int:
    home = PROJECT_ROOT / "var" / "bench" / str(employees)
    shutil.rmtree(home, ignore_errors=True)
    os.environ["HRHUB_HOME"] = str(home)
    os.environ["HRHUB_DUCKDB_PATH"] = str(home / "warehouse.duckdb")

    import dagster as dg

    from orchestration.local_run import (
        default_start_week,
        generate_and_write_sample,
        pipeline_job,
        render_inbox,
        run_week,
        sandbox_running,
    )
    from orchestration.settings import load_settings
    from sandbox.sample import load_sample
    from scoring.weeks import weeks_from

    console = Console()
    settings = load_settings()
    start_week: date = default_start_week(weeks)
    week_keys = weeks_from(start_week, weeks)
    timings: dict[str, float] = {}

    started = time.perf_counter()
    sample_dir = generate_and_write_sample(seed, employees, weeks, start_week, settings.sample_dir)
    timings["sample company (generate + write)"] = time.perf_counter() - started
    _, tables = load_sample(sample_dir)
    started = time.perf_counter()
    render_inbox(tables, week_keys, settings.inbox_dir, settings.timezone)
    timings["inbox files (render)"] = time.perf_counter() - started

    stage_seconds: dict[str, float] = defaultdict(float)
    # the ingest and score stages step by step (which source, which scoring step)
    stage_steps: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    total_run = 0.0
    with sandbox_running(tables), dg.DagsterInstance.ephemeral() as instance:
        # Definitions load inside: the connector resources read the sandbox's URLs from the environment.
        job = pipeline_job()
        groups = _groups_by_step()
        for week in week_keys:
            log_path = home / "logs" / f"run-{week}.log"
            outcome = run_week(job, week, instance, log_path)
            if not outcome.success:
                console.print(f"[red]run for {week} failed[/] (log: {log_path})")
                for problem in outcome.problems:
                    console.print(f"    {problem}")
                return 1
            total_run += outcome.seconds
            for step, seconds in _step_seconds(instance, outcome.run_id).items():
                stage_seconds[_stage_of(step, groups)] += seconds
                stage_steps[_stage_of(step, groups)][step] += seconds
    for stage, seconds in sorted(
        stage_seconds.items(), key=lambda item: list(STAGES).index(item[0]) if item[0] in STAGES else 99
    ):
        timings[f"{STAGES.get(stage, stage)} ({weeks} week{'s' if weeks > 1 else ''})"] = seconds
        if stage in DETAILED_STAGES:
            for step, step_seconds in sorted(stage_steps[stage].items(), key=lambda item: -item[1])[:SLOWEST_STEPS]:
                timings[f"  {STAGES[stage]} step {step}"] = step_seconds
    timings["weekly run, wall time incl. Dagster overhead"] = total_run
    alone = {name: _marts_alone_seconds(week_keys[-1], selector) for name, selector in MARTS_ALONE.items()}
    for name, seconds in alone.items():
        timings[f"{name} marts alone, dbt build of {MARTS_ALONE[name]} (week {week_keys[-1]})"] = seconds
    # Issue 5's figure: build the commerce marts and score them. The joint incentive and project pools are scored
    # in the weekly_scoring step (together with goals and points, so this is an upper bound).
    weekly_scoring = stage_steps["scoring"].get("weekly_scoring", 0.0) / weeks
    timings["commerce: build + score one week (marts alone + weekly_scoring step)"] = alone["commerce"] + weekly_scoring
    own, child = _peak_mb()

    table = Table(title=f"hrhub benchmark: {employees} employees, {weeks} week(s), seed {seed}", title_justify="left")
    table.add_column("stage")
    table.add_column("seconds", justify="right")
    for stage, seconds in timings.items():
        table.add_row(stage, f"{seconds:.1f}")
    table.add_row("peak memory, pipeline process (MiB)", f"{own:.0f}")
    table.add_row("peak memory, largest child e.g. dbt (MiB)", f"{child:.0f}")
    console.print(table)
    return 0
