"""One weekly run in its own process, for ``test_kill_and_rerun``: optionally SIGKILLed at a chosen point.

    python -m tests.integration.kill_worker WEEK [ingestion|dbt|export]

The home, warehouse, inbox and Dagster home come from the environment (``HRHUB_HOME``, ``HRHUB_DUCKDB_PATH``,
``HRHUB_INBOX_DIR``, ``DAGSTER_HOME``); the sample company must already be written under the home. The run is the
one a schedule launches (``run_week``) against the sandbox, on a persistent local instance, so a re-run sees what
the killed run left behind: in the warehouse, the export folders, the outbox and Dagster's event log.

The kill points are exact, not timed: a wrapper around the code that reaches the point sends SIGKILL to the whole
process group (the worker is started as a session leader, so a running dbt child dies with it), as the kernel's
OOM killer or a pulled plug would. Nothing in production code knows about them.

- ``ingestion``: after the third raw table of the week is committed (the inbox asset loads more than three).
- ``dbt``: while ``dbt build`` runs, after it has reported its tenth node (the dbt process is still building).
- ``export``: after the payroll files are drafted, while the notifications are queued (half of them enqueued).
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

INGESTION_TABLES_BEFORE_KILL = 3
DBT_EVENTS_BEFORE_KILL = 10


def _die() -> None:
    """SIGKILL this process and its children (dbt): no cleanup, no atexit, no finally blocks run."""
    sys.stdout.flush()
    os.killpg(os.getpgrp(), signal.SIGKILL)


def _kill_during_ingestion() -> None:
    import orchestration.lib.ingest as ingest

    original = ingest.replace_week
    committed = 0

    def replace_then_maybe_die(*args: Any, **kwargs: Any) -> int:
        nonlocal committed
        written = original(*args, **kwargs)
        if args[1] != "quarantine":  # a raw table, not its quarantine rows
            committed += 1
            if committed == INGESTION_TABLES_BEFORE_KILL:
                _die()
        return written

    ingest.replace_week = replace_then_maybe_die


def _kill_during_dbt() -> None:
    import orchestration.defs.dbt.assets as dbt_assets

    original: Callable[..., Iterator[Any]] = dbt_assets._build

    def build_then_die(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for count, event in enumerate(original(*args, **kwargs), start=1):
            yield event
            if count == DBT_EVENTS_BEFORE_KILL:
                _die()

    dbt_assets._build = build_then_die  # looked up at call time by the @dbt_assets bodies


def _kill_during_export() -> None:
    from exports.delivery.outbox_store import OutboxStore

    original = OutboxStore.enqueue

    def enqueue_half_then_die(self: OutboxStore, messages: Any) -> Any:
        messages = list(messages)
        original(self, messages[: len(messages) // 2])
        _die()

    OutboxStore.enqueue = enqueue_half_then_die  # type: ignore[method-assign]


KILLS: dict[str, Callable[[], None]] = {
    "ingestion": _kill_during_ingestion,
    "dbt": _kill_during_dbt,
    "export": _kill_during_export,
}


def main(argv: list[str]) -> int:
    import dagster as dg

    from orchestration.local_run import pipeline_job, run_week, sandbox_running
    from orchestration.settings import load_settings
    from sandbox.sample import load_sample
    from scoring.weeks import parse_week

    week = parse_week(argv[1])
    if len(argv) > 2:
        KILLS[argv[2]]()
    settings = load_settings()
    _, tables = load_sample(settings.sample_dir)
    log_path = Path(settings.home) / "logs" / f"run-{os.getpid()}.log"
    with sandbox_running(tables), dg.DagsterInstance.get() as instance:
        outcome = run_week(pipeline_job(), week, instance, log_path)
    print(json.dumps({"success": outcome.success, "assets": outcome.assets, "problems": list(outcome.problems)}))
    return 0 if outcome.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
