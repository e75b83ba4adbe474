"""Great Expectations suites (``orchestration/lib/gx_suites.py``) as blocking asset checks, one per suite.

Each check validates the partition week's rows of the asset it guards, appends the outcome to
``quality.gx_validations`` and rebuilds the Data Docs (``var/gx/data_docs/index.html``). A failed check stops the
assets downstream in the same run (blocking); the export steps also read the recorded outcome (``gate.py``), so a
later run of the exports alone is held too.
"""

import warnings

import dagster as dg

from connectors.warehouse import connect
from orchestration.defs.partitions import weekly_partitions
from orchestration.defs.resources import PlanResource, WarehouseResource
from orchestration.lib import gx_suites
from orchestration.lib.plan_pins import scored_plan
from orchestration.settings import load_settings
from scoring.plan import DEFAULT_PLAN_PATH, load_plan
from scoring.weeks import parse_week

CHECK_PREFIX = "gx_"


def _result(outcomes: list[gx_suites.Outcome]) -> dg.AssetCheckResult:
    failed = [f for o in outcomes for f in o.failed]
    return dg.AssetCheckResult(
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(f"{o.week}: {o.summary}" for o in outcomes),
        metadata={
            "weeks": dg.MetadataValue.json([str(o.week) for o in outcomes]),
            "rows_validated": sum(o.rows for o in outcomes),
            "expectations_passed": sum(o.evaluated - len(o.failed) for o in outcomes),
            "expectations_failed": len(failed),
            "failing_expectations": dg.MetadataValue.json([str(f) for f in failed]),
            "failing_examples": dg.MetadataValue.json({f.label: f.examples for f in failed}),
            "data_docs": dg.MetadataValue.path(str(outcomes[0].data_docs) if outcomes else ""),
        },
    )


def _gx_check(name: str, asset: tuple[str, str], description: str) -> dg.AssetChecksDefinition:
    with warnings.catch_warnings():
        # Partitioned checks are "preview" in Dagster 1.13; they are what lets a check validate its run's week only.
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return _partitioned_check(name, asset, description)


def _partitioned_check(name: str, asset: tuple[str, str], description: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(list(asset)),
        name=f"{CHECK_PREFIX}{name}",
        description=f"Great Expectations suite {name}: {description}",
        blocking=True,
        partitions_def=weekly_partitions,
    )
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, plan: PlanResource
    ) -> dg.AssetCheckResult:
        gx_dir = load_settings().gx_dir
        history = plan.history()
        outcomes = []
        with connect(warehouse.path) as con:
            for key in context.partition_keys:  # one week, or each week of a dbt window
                week = parse_week(key)
                week_plan = scored_plan(con, history, week, "payroll_line") or history.in_force(week)
                [suite] = [s for s in gx_suites.suites(week_plan) if s.name == name]
                outcome = gx_suites.validate(suite, suite.frame(con, week), week, gx_dir)
                gx_suites.record(con, outcome, context.run.run_id)
                (context.log.info if outcome.passed else context.log.error)(outcome.summary)
                outcomes.append(outcome)
        return _result(outcomes)

    return _check


# The suites' names, assets and descriptions do not depend on the plan's numbers: build them from the default plan.
_SUITES = gx_suites.suites(load_plan(DEFAULT_PLAN_PATH))
gx_checks = [_gx_check(suite.name, suite.asset, suite.description) for suite in _SUITES]
GUARDED_ASSETS = [dg.AssetKey(list(suite.asset)) for suite in _SUITES]
"""The assets the suites guard. Exports list them as deps so a failed (blocking) check stops them in the same run;
a check only blocks the assets that depend on its asset directly."""
