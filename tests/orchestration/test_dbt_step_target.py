"""Each dbt step starts from the parse state the previous step of the same home left (no whole-project re-parse)."""

from __future__ import annotations

import os
import time

from orchestration.defs.dbt.project import KEPT_STEP_TARGETS, PARSE_STATE, keep_parse_state, step_target


def test_a_step_starts_from_the_state_the_previous_step_of_its_home_kept(tmp_path):
    runs = tmp_path / "dbt_runs"
    first = step_target(runs, "hrhub_dbt_models", "run-one-id")
    (first / PARSE_STATE).write_bytes(b"state parsed for this warehouse")
    keep_parse_state(first)
    second = step_target(runs, "hrhub_dbt_score_reports", "run-two-id")
    assert second != first and second.parent == runs
    assert (second / PARSE_STATE).read_bytes() == b"state parsed for this warehouse"
    other_home = step_target(tmp_path / "other_home" / "dbt_runs", "hrhub_dbt_models", "run-one-id")
    assert (other_home / PARSE_STATE).read_bytes() != b"state parsed for this warehouse"


def test_a_step_that_left_no_state_keeps_the_previous_one(tmp_path):
    runs = tmp_path / "dbt_runs"
    first = step_target(runs, "hrhub_dbt_models", "run-one-id")
    (first / PARSE_STATE).write_bytes(b"good state")
    keep_parse_state(first)
    failed = step_target(runs, "hrhub_dbt_models", "run-two-id")
    (failed / PARSE_STATE).unlink(missing_ok=True)  # dbt failed before writing one
    keep_parse_state(failed)
    assert (runs / PARSE_STATE).read_bytes() == b"good state"


def test_only_the_newest_step_folders_are_kept(tmp_path):
    runs = tmp_path / "dbt_runs"
    made = []
    for n in range(KEPT_STEP_TARGETS + 5):
        made.append(step_target(runs, "hrhub_dbt_models", f"run-{n:04d}-id"))
        past = time.time() - 1000 + n
        os.utime(made[-1], (past, past))
    kept = sorted(p for p in runs.iterdir() if p.is_dir())
    assert len(kept) == KEPT_STEP_TARGETS
    assert made[-1] in kept and made[0] not in kept
