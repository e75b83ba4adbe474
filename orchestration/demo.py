"""``make demo``: the sample company through the whole pipeline for the latest weeks, then a one-screen summary."""

from __future__ import annotations

import time

from rich.console import Console

from orchestration.local_run import (
    default_start_week,
    demo_instance,
    generate_and_write_sample,
    pipeline_job,
    render_inbox,
    run_backfill,
    sandbox_running,
)
from orchestration.settings import load_settings
from orchestration.summary import print_summary
from sandbox.sample import load_sample
from scoring.weeks import weeks_from


def run_demo(employees: int = 500, weeks: int = 4, seed: int = 42) -> int:
    console = Console()
    settings = load_settings()
    started = time.perf_counter()
    start_week = default_start_week(weeks)
    week_keys = weeks_from(start_week, weeks)

    with console.status("generating the sample company ..."):
        sample_dir = generate_and_write_sample(seed, employees, weeks, start_week, settings.sample_dir)
        _, tables = load_sample(sample_dir)
        inbox_files = render_inbox(tables, week_keys, settings.inbox_dir, settings.timezone)
    console.print(
        f"[green]✓[/] sample company: {employees} employees, weeks {week_keys[0]} .. {week_keys[-1]} "
        f"(seed {seed}); {inbox_files} files dropped in {settings.inbox_dir}"
    )

    failed = 0
    with sandbox_running(tables) as server, demo_instance(settings) as instance:
        vendors = ", ".join(sorted(server.vendors))
        console.print(f"[green]✓[/] sandbox serving {vendors} at {server.base_url} (+ a ZKBioTime database)")
        job = pipeline_job()
        runs = run_backfill(job, week_keys, instance, settings.home / "logs")
        while True:
            with console.status(
                f"running: ingest each week -> dbt over the {len(week_keys)} weeks -> score, export ..."
            ):
                outcome = next(runs, None)
            if outcome is None:
                break
            mark = "[green]✓[/]" if outcome.success else "[red]✗[/]"
            console.print(
                f"{mark} {outcome.label}: {outcome.assets} assets, {outcome.checks_passed} checks passed, "
                f"{outcome.checks_failed} failed ({outcome.seconds:.0f} s)"
            )
            for problem in outcome.problems:
                console.print(f"    [red]{problem}[/] (logs: {settings.home / 'logs'})")
            failed += 0 if outcome.success else 1
    console.print("[green]✓[/] sandbox stopped")
    print_summary(console, settings, week_keys)
    console.print(f"\nfinished in {time.perf_counter() - started:.0f} s; `make dev` opens these runs in the Dagster UI")
    return 1 if failed else 0
