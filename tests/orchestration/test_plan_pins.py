"""A week whose payroll went out keeps the plan it was paid with, until a run explicitly re-plans it."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from exports.payroll_ledger import PayrollLedger
from exports.payroll_release import lines_name, read_lines, release_approved
from orchestration.defs.exports.payroll import payroll_files
from orchestration.defs.resources import ExportsResource, PlanResource, WarehouseResource
from orchestration.defs.scoring.assets import weekly_scoring
from orchestration.lib.dbt_vars import PlanWindowError, window_rules_plan, window_weeks
from orchestration.lib.plan_pins import REPLAN_TAG, PlanPinError, plans_name, replan_requested
from scoring.plan import parse_plan

from .plan_warehouse import build_marts, plan_text, write_plan

WEEK = date(2026, 3, 2)
TARGET = "weekly_csv"
EXPORTS_YAML = "payroll_targets:\n  weekly_csv:\n    layout: long_csv\n    pay_frequency: weekly\n"


class Company:
    """One scored and exported week in a temporary home: warehouse, plan folder, exports and ledger."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.warehouse = build_marts(home / "warehouse.duckdb", (WEEK,))
        self.plans = home / "plans"
        write_plan(self.plans, "default.yaml", plan_text())
        (home / "exports.yaml").write_text(EXPORTS_YAML, encoding="utf-8")
        self.ledger = PayrollLedger(home / "exports" / "payroll_ledger.jsonl")
        self.resources = {
            "warehouse": WarehouseResource(path=str(self.warehouse)),
            "plan": PlanResource(path=str(self.plans)),
            "exports": ExportsResource(
                config_path=str(home / "exports.yaml"),
                payroll_drafts_dir=str(home / "exports" / "payroll"),
                payroll_release_dir=str(home / "exports" / "released"),
                payroll_ledger_path=str(self.ledger.path),
                statements_dir=str(home / "exports" / "statements"),
                outbox_path=str(home / "outbox" / "outbox.jsonl"),
                outbox_store_path=str(home / "outbox" / "outbox.sqlite"),
            ),
        }

    def run(self, tags: dict[str, str] | None = None) -> dg.ExecuteInProcessResult:
        return dg.materialize(
            [weekly_scoring, payroll_files],
            partition_key=WEEK.isoformat(),
            resources=self.resources,
            tags=tags,
            raise_on_error=False,
        )

    def release(self) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        self.ledger.approve(TARGET, WEEK.isoformat(), "王芳", now)
        assert release_approved(self.ledger, TARGET, WEEK.isoformat(), self.home / "exports" / "released", now)

    def scored_with(self) -> set[tuple[str, str]]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return set(con.execute("select distinct plan_version, plan_hash from scoring.payroll_line").fetchall())

    def goal_bonuses(self) -> dict[str, Decimal]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            query = "select employee_id, amount from scoring.payroll_line where component_code = 'WEEKLY_GOAL_BONUS'"
            return dict(con.execute(query).fetchall())


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _failure(result: dg.ExecuteInProcessResult) -> str:
    assert not result.success
    [failure] = [event for event in result.all_events if event.is_step_failure]
    error, messages = failure.event_specific_data.error, []
    while error is not None:  # the asset's own exception is the cause of Dagster's step error
        messages.append(error.message)
        error = error.cause
    return "\n".join(messages)


def _scoring_metadata(result: dg.ExecuteInProcessResult) -> dict[str, object]:
    [materialization] = [
        m for m in result.asset_materializations_for_node("weekly_scoring") if m.asset_key.path[-1] == "payroll_line"
    ]
    return {key: value.value for key, value in materialization.metadata.items()}


@pytest.fixture
def company(tmp_path) -> Company:
    company = Company(tmp_path)
    assert company.run().success
    return company


def test_the_export_records_each_weeks_plan_and_the_warehouse_keeps_its_text(company):
    [drafted] = company.ledger.events(TARGET)
    sidecar = Path(drafted.draft_dir) / plans_name(drafted.file_name)
    assert f'"plan_hash": "{_hash(plan_text())}"' in sidecar.read_text(encoding="utf-8")
    with duckdb.connect(str(company.warehouse), read_only=True) as con:
        [(version, body)] = con.execute("select version, body from scoring.plan_snapshots").fetchall()
    assert version == "2026.1" and body == plan_text().encode()


def test_before_anything_is_released_an_edited_plan_simply_applies(company):
    edited = plan_text(base_bonus="550")  # same version, other bytes: fine while nothing went out
    write_plan(company.plans, "default.yaml", edited)
    assert company.run().success
    assert company.scored_with() == {("2026.1", _hash(edited))}
    assert company.ledger.pending_draft(TARGET, WEEK.isoformat()).kind == "full"  # the new draft supersedes


def test_editing_the_version_an_exported_week_was_paid_with_is_refused(company):
    company.release()
    write_plan(company.plans, "default.yaml", plan_text(base_bonus="550"))
    message = _failure(company.run())
    assert "plan version 2026.1 was edited in place" in message
    assert "the week of 2026-03-02 was exported with its earlier text" in message
    assert "new plan version" in message and REPLAN_TAG in message
    assert company.scored_with() == {("2026.1", _hash(plan_text()))}  # nothing was rewritten
    # opting in does not make an in-place edit acceptable either
    assert "edited in place" in _failure(company.run({REPLAN_TAG: "true"}))


def test_a_new_version_covering_an_exported_week_applies_only_when_the_run_opts_in(company):
    company.release()
    paid = company.goal_bonuses()
    assert paid == {"E1": Decimal("500.00"), "E2": Decimal("250.00"), "E3": Decimal("650.00")}
    write_plan(company.plans, "2026-03.yaml", plan_text("2026.2", "2026-03-02", base_bonus="600"))

    pinned = company.run()
    assert pinned.success
    metadata = _scoring_metadata(pinned)
    assert metadata["plan_choice"] == "pinned" and metadata["plan_version"] == "2026.1"
    assert "plan 2026.2" in metadata["plan_note"] and f"{REPLAN_TAG}=true" in metadata["plan_note"]
    assert company.scored_with() == {("2026.1", _hash(plan_text()))}
    assert company.ledger.pending_draft(TARGET, WEEK.isoformat()) is None  # nothing to pay beyond the release

    replanned = company.run({REPLAN_TAG: "true"})
    assert replanned.success and _scoring_metadata(replanned)["plan_choice"] == "replanned"
    assert company.scored_with() == {("2026.2", _hash(plan_text("2026.2", "2026-03-02", "600")))}
    adjustment = company.ledger.pending_draft(TARGET, WEEK.isoformat())
    assert adjustment is not None and adjustment.kind == "adjustment"
    deltas = read_lines(Path(adjustment.draft_dir) / lines_name(adjustment.file_name))
    assert {line["employee_id"]: line["amount"] for line in deltas} == {
        employee: amount * Decimal("0.2") for employee, amount in paid.items()
    }
    assert {line["component_code"] for line in deltas} == {"WEEKLY_GOAL_BONUS"}

    # The adjustment now says what the week is paid with: an ordinary re-run keeps it and drafts nothing new.
    again = company.run()
    assert again.success and _scoring_metadata(again)["plan_choice"] == "in_force"
    assert company.scored_with() == {("2026.2", _hash(plan_text("2026.2", "2026-03-02", "600")))}
    assert company.ledger.pending_draft(TARGET, WEEK.isoformat()) == adjustment


def test_the_pinned_plan_is_read_back_from_the_warehouse_when_its_file_is_gone(company):
    company.release()
    (company.plans / "default.yaml").unlink()
    write_plan(company.plans, "2026.2.yaml", plan_text("2026.2", "2026-01-05", base_bonus="600"))
    result = company.run()
    assert result.success and _scoring_metadata(result)["plan_choice"] == "pinned"
    assert company.scored_with() == {("2026.1", _hash(plan_text()))}

    with duckdb.connect(str(company.warehouse)) as con:
        con.execute("delete from scoring.plan_snapshots where version = '2026.1'")
    message = _failure(company.run())
    assert "neither in" in message and "scoring.plan_snapshots" in message and "restore that plan file" in message


def test_the_replan_tag_is_true_or_false():
    assert replan_requested({REPLAN_TAG: "TRUE"})
    assert not replan_requested({}) and not replan_requested({REPLAN_TAG: "false"})
    with pytest.raises(PlanPinError, match="neither true nor false"):
        replan_requested({REPLAN_TAG: "maybe"})


def test_a_dbt_window_runs_with_one_set_of_attendance_rules():
    first = parse_plan(plan_text())
    goals_only = parse_plan(plan_text("2026.2", "2026-03-09", base_bonus="600"))  # same attendance rules
    stricter = parse_plan(plan_text("2026.3", "2026-03-16").replace("late_grace_minutes: 5", "late_grace_minutes: 3"))
    weeks = window_weeks(datetime(2026, 3, 2), datetime(2026, 3, 23))
    assert weeks == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]

    assert window_rules_plan({weeks[0]: first, weeks[1]: goals_only}) is goals_only
    with pytest.raises(PlanWindowError) as caught:
        window_rules_plan({weeks[0]: first, weeks[1]: goals_only, weeks[2]: stricter})
    assert str(caught.value) == (
        "the weeks 2026-03-02..2026-03-16 need different attendance rules (2026-03-02..2026-03-09: plan 2026.1, "
        "2026.2; 2026-03-16..2026-03-16: plan 2026.3), and one dbt run applies one set: backfill these weeks one week "
        "per run, or split the window at 2026-03-16"
    )
