"""End to end: the sample company, served by the sandbox, through every asset of one weekly partition."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

pytestmark = [pytest.mark.slow]  # `make test` runs with --dist loadfile: the module fixture is built once

EMPLOYEES = 80


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory):
    """Materialize the whole graph for one week as a backfill does (ingest, dbt, score and export runs) in a
    temporary home and Dagster instance, then once more as the weekly schedule does (one run)."""
    home = tmp_path_factory.mktemp("hrhub_home")
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("HRHUB_HOME", str(home))
    monkeypatch.setenv("HRHUB_DUCKDB_PATH", str(home / "warehouse.duckdb"))
    monkeypatch.setenv("HRHUB_INBOX_DIR", str(home / "inbox"))

    from orchestration.local_run import (
        generate_and_write_sample,
        pipeline_job,
        render_inbox,
        run_backfill,
        run_week,
        sandbox_running,
    )
    from orchestration.settings import load_settings
    from sandbox.sample import load_sample
    from scoring.weeks import parse_week

    week = parse_week("2026-03-02")
    settings = load_settings()
    _, tables = load_sample(generate_and_write_sample(7, EMPLOYEES, 1, week, settings.sample_dir))
    render_inbox(tables, [week], settings.inbox_dir, settings.timezone)
    with sandbox_running(tables), dg.instance_for_test() as instance:
        job = pipeline_job()
        first = list(run_backfill(job, [week], instance, home / "logs"))
        first_files = _files(settings.payroll_drafts_dir)
        first_statements = _files(settings.statements_dir)
        first_outbox = settings.outbox_path.read_bytes()
        second = run_week(job, week, instance)
        yield {
            "settings": settings,
            "week": week,
            "first": first,
            "second": second,
            "first_files": first_files,
            "first_statements": first_statements,
            "first_outbox": first_outbox,
            "job": job,
            "instance": instance,
        }
    monkeypatch.undo()


def _files(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _query(settings, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_every_asset_materializes_and_every_check_passes(pipeline):
    graph = pipeline["job"].asset_layer.asset_graph
    executable = [key for key in graph.get_all_asset_keys() if graph.get(key).is_executable]
    for outcome in (pipeline["first"], [pipeline["second"]]):
        assert all(run.success for run in outcome), [run.problems for run in outcome]
        assert sum(run.assets for run in outcome) == len(executable)
        assert sum(run.checks_failed for run in outcome) == 0
        # dbt tests arrive as asset checks, plus the ingestion and scoring checks
        assert sum(run.checks_passed for run in outcome) > 40
    assert [run.label.split()[0] for run in pipeline["first"]] == ["ingest", "dbt", "score+export"]


def test_marts_hold_the_sample_company(pipeline):
    settings, week = pipeline["settings"], pipeline["week"]
    (headcount,) = _query(settings, "select count(*) from marts.dim_employee")[0:1][0]
    assert headcount >= EMPLOYEES
    statuses = dict(
        _query(
            settings, "select status, count(*) from marts.fct_attendance_daily where week_start = ? group by 1", [week]
        )
    )
    assert statuses.get("present", 0) > statuses.get("late", 0) > 0
    goals = _query(
        settings, "select count(distinct employee_id) from marts.fct_goal_progress_weekly where week_start = ?", [week]
    )
    assert goals[0][0] >= EMPLOYEES * 0.9
    creatives = _query(
        settings,
        "select sum(clicks), sum(credited_orders) from marts.fct_creative_performance_weekly where week_start = ?",
        [week],
    )
    assert creatives[0][0] > 0 and creatives[0][1] > 0


def test_scores_carry_the_plan_and_payroll_file_matches_its_manifest(pipeline):
    settings, week = pipeline["settings"], pipeline["week"]
    from scoring.plan import load_plan_history

    plan = load_plan_history(settings.plan_path).in_force(week)
    for table in ("score_goal_attainment_weekly", "score_joint_incentive_weekly", "payroll_line"):
        versions = _query(
            settings, f"select distinct plan_version, plan_hash from scoring.{table} where week_start = ?", [week]
        )
        assert versions == [(plan.version, plan.content_hash)], table
    files = pipeline["first_files"]
    csv_name = next(name for name in files if name.startswith(f"weekly_csv/{week}/") and name.endswith(".csv"))
    manifest = json.loads(files[csv_name.removesuffix(".csv") + ".manifest.json"])
    content = files[csv_name]
    assert manifest["sha256"] == hashlib.sha256(content).hexdigest()
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert manifest["rows"] == len(rows) > 0
    total = sum((Decimal(row["amount"]) for row in rows), Decimal(0))
    db_total = _query(settings, "select sum(amount) from scoring.payroll_line where week_start = ?", [week])[0][0]
    assert total == db_total


def test_rerun_is_idempotent(pipeline):
    """The same week again, now as one scheduled run: same payroll bytes, no second file, no message sent twice."""
    settings = pipeline["settings"]
    assert _files(settings.payroll_drafts_dir) == pipeline["first_files"]
    assert _files(settings.statements_dir) == pipeline["first_statements"]
    assert settings.outbox_path.read_bytes() == pipeline["first_outbox"]
    sent = [json.loads(line) for line in settings.outbox_path.read_text().splitlines()]
    assert sent and len({m["idempotency_key"] for m in sent}) == len(sent)


def test_rows_reconcile_at_the_connector_boundary(pipeline):
    settings, week = pipeline["settings"], pipeline["week"]
    metadata = {}
    instance = pipeline["instance"]
    for key in (dg.AssetKey(["raw", "zk_punches"]), dg.AssetKey(["raw", "wecom_checkins"])):
        event = instance.get_latest_materialization_event(key)
        values = {k: v.value for k, v in event.asset_materialization.metadata.items()}
        assert values["rows_fetched"] == values["rows_loaded"] + values["rows_quarantined"]
        loaded = _query(settings, f"select count(*) from raw.{key.path[1]} where week_start = ?", [week])[0][0]
        assert loaded == values["rows_loaded"] > 0
        metadata[key] = values


def test_every_payroll_target_gets_its_layout(pipeline):
    import openpyxl

    settings = pipeline["settings"]
    files = pipeline["first_files"]
    xlsx_name = next(name for name in files if name.startswith("finance_cn/2026-03/") and name.endswith(".xlsx"))
    sheet = openpyxl.load_workbook(settings.payroll_drafts_dir / xlsx_name).active
    header = [cell.value for cell in sheet[1]]
    assert header[:2] == ["工号", "姓名"] and "周目标奖金" in header
    assert all(isinstance(row[0].value, str) for row in sheet.iter_rows(min_row=2))  # ids are text cells
    adp_name = next(name for name in files if name.startswith("adp_wfn/") and name.endswith(".csv"))
    adp_header = files[adp_name].decode("utf-8").splitlines()[0].split(",")
    assert adp_header[:3] == ["Co Code", "Batch ID", "File #"]


def test_every_payee_gets_a_statement_that_adds_up_to_their_pay(pipeline):
    settings, week = pipeline["settings"], pipeline["week"]
    statements = [
        json.loads(content)
        for name, content in pipeline["first_statements"].items()
        if name.startswith("2026-03/") and name.endswith(".json")
    ]
    sql = "select count(distinct employee_id), sum(amount) from scoring.payroll_line where week_start = ?"
    payees = _query(settings, sql, [week])[0]
    assert len(statements) >= payees[0] > 0
    assert all(statement["plans"] and statement["plans"][0]["version"] for statement in statements)
    assert sum(Decimal(s["grand_total"]) for s in statements) == payees[1]
    html = [name for name in pipeline["first_statements"] if name.endswith(".html")]
    assert len(html) == len(statements)


def test_dbt_steps_after_the_first_start_from_its_parse_state(pipeline):
    """Only a home's first dbt step parses the whole project; the later ones (same warehouse, same vars) reuse it."""
    steps = sorted(pipeline["settings"].dbt_runs_dir.glob("*/dbt.log"), key=lambda log: log.stat().st_mtime)
    assert len(steps) == 4  # models and score reports, in the backfill and in the scheduled run
    assert [log.parent.name for log in steps if "Unable to do partial parsing" in log.read_text()] == [
        steps[0].parent.name
    ]


def test_hr_approval_releases_the_reviewed_bytes_and_a_rerun_pays_nothing_twice(pipeline):
    """Runs last: approve the weekly CSV, release it, score and export the week again; no second payment is drafted.
    (The fixture's second run already re-ran the whole graph; what the release changes is the export side.)"""
    from exports.payroll_ledger import ApprovalError, PayrollLedger
    from orchestration.lib.payroll_approval import approve_and_release
    from orchestration.local_run import run_scoring_and_exports

    settings, week = pipeline["settings"], pipeline["week"]
    ledger = PayrollLedger(settings.payroll_ledger_path)
    pending = ledger.pending_draft("weekly_csv", week.isoformat())
    assert pending is not None and not list(settings.payroll_release_dir.rglob("*.csv"))
    with pytest.raises(ApprovalError, match="not 000000000000"):
        approve_and_release("weekly_csv", week.isoformat(), "alice", sha256="0" * 64)
    [released] = approve_and_release("weekly_csv", week.isoformat(), "alice", sha256=pending.sha256)
    assert hashlib.sha256(released.read_bytes()).hexdigest() == pending.sha256
    drafts_before = _files(settings.payroll_drafts_dir)
    assert run_scoring_and_exports(pipeline["job"], week, pipeline["instance"]).success
    assert ledger.pending_draft("weekly_csv", week.isoformat()) is None  # unchanged inputs: no adjustment
    assert _files(settings.payroll_drafts_dir) == drafts_before


def test_a_released_week_recomputed_under_a_new_plan_drafts_only_the_deltas(pipeline, tmp_path):
    """Runs after the approval: the weekly bonus base goes 500 -> 550 in a new plan version covering the week. A
    re-run keeps the plan the week was paid with; a run tagged to re-plan exported weeks drafts the adjustment."""
    from exports.payroll_ledger import PayrollLedger
    from exports.payroll_release import lines_name, read_lines
    from orchestration.lib.plan_pins import REPLAN_TAG
    from orchestration.local_run import pipeline_job, run_scoring_and_exports
    from scoring.plan import load_plan_history

    settings, week = pipeline["settings"], pipeline["week"]
    ledger = PayrollLedger(settings.payroll_ledger_path)
    [released] = ledger.released("weekly_csv", week.isoformat())
    paid = read_lines(Path(released.draft_dir) / lines_name(released.file_name))
    exported = load_plan_history(settings.plan_path).in_force(week)
    plan = exported.body.decode("utf-8")
    changed = plan.replace('version: "2026.1"', 'version: "2026.2"').replace('default: "500"', 'default: "550"')
    assert changed.count("2026.2") == 1 and '"550"' in changed
    (tmp_path / "plan.yaml").write_text(changed, encoding="utf-8")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("HRHUB_PLAN_PATH", str(tmp_path / "plan.yaml"))  # the old version's file is gone, too
        job = pipeline_job()
        assert run_scoring_and_exports(job, week, pipeline["instance"]).success
        pinned = "select distinct plan_version, plan_hash from scoring.payroll_line where week_start = ?"
        assert _query(settings, pinned, [week]) == [("2026.1", exported.content_hash)]
        assert ledger.pending_draft("weekly_csv", week.isoformat()) is None
        assert run_scoring_and_exports(job, week, pipeline["instance"], tags={REPLAN_TAG: "true"}).success

    adjustment = ledger.pending_draft("weekly_csv", week.isoformat())
    assert adjustment is not None and adjustment.kind == "adjustment"
    deltas = read_lines(Path(adjustment.draft_dir) / lines_name(adjustment.file_name))
    assert deltas and {line["component_code"] for line in deltas} == {"WEEKLY_GOAL_BONUS"}
    rescored = _query(
        settings,
        "select sum(amount) from scoring.payroll_line where week_start = ? and component_code = 'WEEKLY_GOAL_BONUS'",
        [week],
    )[0][0]
    paid_bonus = sum((line["amount"] for line in paid if line["component_code"] == "WEEKLY_GOAL_BONUS"), Decimal(0))
    assert sum((line["amount"] for line in deltas), Decimal(0)) == rescored - paid_bonus > 0


def test_attendance_reaches_the_marts_from_every_source_the_sample_uses(pipeline):
    import pandas as pd

    settings = pipeline["settings"]
    employees = pd.read_parquet(settings.sample_dir / "employees.parquet")
    used = set(employees["attendance_source"])
    assert used == {"zk", "wecom", "dingtalk", "feishu"}
    sources_in_marts = dict(
        _query(
            settings,
            "select unified.source, count(distinct daily.employee_id)"
            " from intermediate.int_punches_unified as unified"
            " join marts.fct_attendance_daily as daily"
            "   on daily.employee_id = unified.employee_id and daily.work_date = cast(unified.punch_local as date)"
            " group by unified.source",
        )
    )
    # Beijing's devices upload to the ZKBioTime server, Shanghai's are read from USB attlogs.
    assert set(sources_in_marts) == {"zk", "zkbiotime", "wecom", "dingtalk", "feishu"}
    feishu_people = set(employees.loc[employees["attendance_source"] == "feishu", "employee_id"])
    rostered_in_feishu = {
        row[0] for row in _query(settings, "select distinct employee_id from marts.fct_attendance_daily")
    }
    assert feishu_people & rostered_in_feishu  # their roster came from Feishu 排班, not the HR file
    unmapped = _query(settings, "select count(*) from intermediate.int_unmapped_source_ids where source_system in"
                      " ('zk', 'zkbiotime', 'wecom', 'dingtalk', 'feishu')")  # fmt: skip
    assert unmapped == [(0,)]


def test_planted_roster_breach_is_reported_and_punch_loads_report_their_weeks(pipeline):
    from sandbox.sample import read_meta

    settings, week = pipeline["settings"], pipeline["week"]
    planted = [v for v in read_meta(settings.sample_dir)["roster_rule_violations"] if v["week_start"] == str(week)]
    findings = _query(
        settings,
        "select employee_id from marts.rpt_roster_checks where check_name = 'over_weekly_hours' and week_start = ?",
        [week],
    )
    assert {v["employee_id"] for v in planted} <= {row[0] for row in findings}

    instance = pipeline["instance"]
    event = instance.get_latest_materialization_event(dg.AssetKey(["raw", "zk_punches"]))
    touched = event.asset_materialization.metadata["weeks_touched"].value
    assert str(week) in touched


def test_goals_arrive_from_every_goal_tool_with_measured_actuals(pipeline):
    settings, week = pipeline["settings"], pipeline["week"]
    by_source = dict(
        _query(
            settings,
            """select g.goal_source || ':' || case when e.department = 'Functional' then 'functional' else 'other' end,
                      count(*)
               from marts.fct_goal_progress_weekly g join marts.dim_employee e using (employee_id)
               where g.week_start = ? group by 1""",
            [week],
        )
    )
    assert set(by_source) == {"goal_sheet:functional", "jira:other"}  # Functional managers fill sheets
    measured = _query(
        settings,
        """select metric, actual_source, count(*), sum(case when actual = reported_actual then 1 else 0 end)
           from marts.fct_goal_progress_weekly
           where week_start = ? and metric in ('story_points_done', 'tickets_resolved', 'learning_hours')
           group by 1, 2 order by 1, 2""",
        [week],
    )
    measured_by = {"learning_hours": "jira", "story_points_done": "jira", "tickets_resolved": "helpdesk"}
    assert {metric for metric, *_ in measured} == set(measured_by)
    for metric, source, _, _ in measured:  # "(none recorded)": the tool saw no work, so the actual is 0
        assert source in (f"measured:{measured_by[metric]}", f"measured:{measured_by[metric]} (none recorded)")
    assert all(rows == agreeing for _, _, rows, agreeing in measured)  # the sample's tools agree with its goals
    assert _query(
        settings, "select count(*) from intermediate.int_unmapped_source_ids where week_start = ?", [week]
    ) == [(0,)]


def test_the_dashboard_answers_why_rd_is_at_70_percent(pipeline):
    settings, week = pipeline["settings"], pipeline["week"]
    rows = {
        department: (attainment, weakest, summary)
        for department, attainment, weakest, summary in _query(
            settings,
            """select department, attainment, weakest_metric, summary
               from marts.rpt_goal_department_dashboard_weekly where week_start = ?""",
            [week],
        )
    }
    departments = {d for (d,) in _query(settings, "select distinct department from marts.dim_employee")}
    assert set(rows) == departments
    attainment, weakest, summary = rows["R&D"]
    assert Decimal("0.6") < attainment < Decimal("0.8")  # the planted week: story points halved, reopened bugs up
    assert weakest == "story_points_done"
    assert summary.startswith("R&D at ") and "weakest metric story_points_done" in summary
    others = [a for d, (a, _, _) in rows.items() if d != "R&D"]
    assert min(others) > attainment


def test_the_goal_tree_links_weekly_goals_to_company_objectives(pipeline):
    settings, week = pipeline["settings"], pipeline["week"]
    nodes = _query(
        settings,
        """select node_id, node_type, parent_node_id, level, goals_aligned
           from marts.rpt_goal_tree_weekly where week_start = ?""",
        [week],
    )
    ids = {node_id for node_id, *_ in nodes}
    goals = [n for n in nodes if n[1] == "weekly_goal"]
    assert goals and all(parent in ids for _, _, parent, _, _ in goals)  # every goal hangs under a loaded objective
    [company] = [n for n in nodes if n[3] == "company"]
    assert company[4] == len(goals)  # the company objective sees every aligned goal below it
    teams = [n for n in nodes if n[3] == "team"]
    assert teams and sum(n[4] for n in teams) == len(goals)


def test_consequences_follow_the_bands(pipeline):
    settings, week = pipeline["settings"], pipeline["week"]
    counts = dict(
        _query(
            settings,
            """select s.band || '>' || c.kind, count(*)
               from scoring.score_goal_attainment_weekly s
               join scoring.goal_consequence_events c using (employee_id, week_start)
               where s.week_start = ? group by 1""",
            [week],
        )
    )
    bands = dict(
        _query(
            settings,
            "select band, count(*) from scoring.score_goal_attainment_weekly where week_start = ? group by 1",
            [week],
        )
    )
    assert counts.get("at_risk>manager_alert", 0) == bands.get("at_risk", 0) > 0
    assert counts.get("exceeded>extra_leave", 0) == bands.get("exceeded", 0)
    assert counts.get("improving>improvement_note", 0) == bands.get("improving", 0)
