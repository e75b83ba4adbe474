"""Great Expectations suites on the marts and the scores, as data, and the runner that validates one week with them.

A suite reads one week's rows from the warehouse (the week bound as a parameter, so a check stays fast however many
weeks are stored), names the asset it guards and lists its expectations by GX class name and arguments. The runner
imports Great Expectations only when a week is validated (the import takes seconds), validates through a file
context under ``HRHUB_GX_DIR`` (``var/gx``) and rebuilds the Data Docs site HR reads at ``<gx dir>/data_docs/``.

Every outcome is appended to ``quality.gx_validations``; the export steps read the week's latest outcome per suite
from there, so a later run of the exports alone cannot bypass a failed check (``held_reason``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from scoring.money import round_money
from scoring.plan import Plan

QUALITY_SCHEMA = "quality"
VALIDATIONS_TABLE = f"{QUALITY_SCHEMA}.gx_validations"
DATA_DOCS_SITE = "hrhub"
DATA_DOCS_FOLDER = "data_docs"
EXAMPLE_ROWS = 5
TWO_DECIMALS = r"^-?\d+(?:\.\d{1,2})?$"
"""An amount as DuckDB prints it: at most two decimals (cents), as payroll files carry it."""


@dataclass(frozen=True)
class Expect:
    """One expectation: the GX class name (``great_expectations.expectations``) and its arguments."""

    kind: str
    kwargs: Mapping[str, Any]

    @property
    def label(self) -> str:
        """How people read it: ``expect_column_values_to_be_between(attainment)``."""
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in self.kind).lstrip("_")
        columns = self.kwargs.get("column") or self.kwargs.get("column_list")
        if columns is None and "column_A" in self.kwargs:
            columns = [self.kwargs["column_A"], self.kwargs["column_B"]]
        return f"{snake}({columns if isinstance(columns, str) else ','.join(columns or [])})"


@dataclass(frozen=True)
class Suite:
    """A named set of expectations on one week's rows of one warehouse table (the asset it guards)."""

    name: str
    asset: tuple[str, str]  # (schema, table): the Dagster asset key path
    description: str
    query: str  # one week's rows; ``?`` is the week's Monday
    keys: tuple[str, ...]  # columns that identify a row in the examples of a failure
    expectations: tuple[Expect, ...]
    prepare: Callable[[pd.DataFrame], pd.DataFrame] | None = None  # computed columns (e.g. the expected pool)

    def frame(self, con: duckdb.DuckDBPyConnection, week: date) -> pd.DataFrame:
        """The week's rows; empty when the table has none (a table only ever written empty lacks its columns)."""
        try:
            frame = con.execute(self.query, [week]).df()
        except duckdb.BinderException:
            schema, table = self.asset
            count = con.execute(f'select count(*) from "{schema}"."{table}" where week_start = ?', [week]).fetchone()
            if count and count[0]:
                raise
            return pd.DataFrame()
        return self.prepare(frame) if self.prepare is not None and not frame.empty else frame


def _between(column: str, low: object | None, high: object | None) -> Expect:
    return Expect("ExpectColumnValuesToBeBetween", {"column": column, "min_value": low, "max_value": high})


def _not_null(*columns: str) -> tuple[Expect, ...]:
    return tuple(Expect("ExpectColumnValuesToNotBeNull", {"column": c}) for c in columns)


def _unique(*columns: str) -> Expect:
    if len(columns) == 1:
        return Expect("ExpectColumnValuesToBeUnique", {"column": columns[0]})
    return Expect("ExpectCompoundColumnsToBeUnique", {"column_list": list(columns)})


def _cents(column: str) -> Expect:
    return Expect("ExpectColumnValuesToMatchRegex", {"column": column, "regex": TWO_DECIMALS})


def _expected_pools(share_of_profit: Decimal) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """Adds ``pool``: the project's pool as the plan defines it (share of a positive profit, to the cent)."""

    def prepare(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        frame["pool"] = [
            None if profit is None or pd.isna(profit) else str(round_money(share_of_profit * max(Decimal(profit), 0)))
            for profit in frame["profit"]
        ]
        frame["allocated"] = [str(Decimal(a).quantize(Decimal("0.01"))) for a in frame["allocated"]]
        return frame

    return prepare


def suites(plan: Plan) -> tuple[Suite, ...]:
    """Every suite, with the limits of ``plan`` (the plan the week was scored with)."""
    attainment_cap = plan.goals.ratio_cap  # attainment is a weighted mean of ratios capped here
    components = sorted(str(code) for code in plan.payroll.components.model_dump().values())
    return (
        Suite(
            name="scores_goal_attainment",
            asset=("scoring", "score_goal_attainment_weekly"),
            description="One row per employee-week; attainment within [0, the plan's cap]; bonus and leave "
            "non-negative, in cents.",
            query="""select employee_id, week_start, attainment::double as attainment,
                        attainment_uncapped::double as attainment_uncapped, bonus::double as bonus,
                        extra_leave_hours::double as extra_leave_hours, bonus::varchar as bonus_text, band
                     from scoring.score_goal_attainment_weekly where week_start = ?""",
            keys=("employee_id",),
            expectations=(
                _unique("employee_id", "week_start"),
                *_not_null("employee_id", "attainment", "band"),
                _between("attainment", 0, float(attainment_cap)),
                _between("attainment_uncapped", 0, None),
                _between("bonus", 0, None),
                _between("extra_leave_hours", 0, None),
                _cents("bonus_text"),
            ),
        ),
        Suite(
            name="scores_project_pool",
            asset=("scoring", "score_project_pool_weekly"),
            description="Per project, the shares add up to the pool exactly (share of positive profit, to the "
            "cent); no negative share.",
            query="""select s.project_id, any_value(p.profit)::varchar as profit, sum(s.amount)::varchar as allocated,
                        min(s.amount)::double as smallest_share, count(*) as shares
                     from scoring.score_project_pool_weekly s
                     left join marts.fct_project_profit_weekly p
                       on p.project_id = s.project_id and p.week_start = s.week_start
                     where s.week_start = ? group by s.project_id order by s.project_id""",
            keys=("project_id",),
            expectations=(
                _unique("project_id"),
                Expect("ExpectColumnPairValuesToBeEqual", {"column_A": "allocated", "column_B": "pool"}),
                _between("smallest_share", 0, None),
                _cents("allocated"),
            ),
            prepare=_expected_pools(plan.project_pool.share_of_profit),
        ),
        Suite(
            name="scores_payroll_lines",
            asset=("scoring", "payroll_line"),
            description="One line per employee-week, component and source; known components; amounts and "
            "quantities non-negative, in cents; nobody paid for a week after their termination.",
            query="""select l.employee_id, l.week_start, l.component_code, l.source_ref,
                        l.amount::double as amount, l.quantity::double as quantity, l.amount::varchar as amount_text,
                        e.termination_date
                     from scoring.payroll_line l left join marts.dim_employee e using (employee_id)
                     where l.week_start = ?""",
            keys=("employee_id", "component_code"),
            expectations=(
                _unique("employee_id", "week_start", "component_code", "source_ref"),
                *_not_null("employee_id", "component_code"),
                Expect("ExpectColumnValuesToBeInSet", {"column": "component_code", "value_set": components}),
                _between("amount", 0, None),
                _between("quantity", 0, None),
                _cents("amount_text"),
                # a person terminated before the week started is paid nothing for it (mid-week leavers are)
                Expect(
                    "ExpectColumnPairValuesAToBeGreaterThanB",
                    {
                        "column_A": "termination_date",
                        "column_B": "week_start",
                        "or_equal": True,
                        "ignore_row_if": "either_value_is_missing",
                    },
                ),
            ),
        ),
        Suite(
            name="marts_attendance_daily",
            asset=("marts", "fct_attendance_daily"),
            description="One row per employee and work date inside the week; minutes non-negative.",
            query="""select employee_id, week_start, work_date, status, late_minutes, early_leave_minutes,
                        worked_minutes, overtime_minutes, datediff('day', week_start, work_date) as day_of_week
                     from marts.fct_attendance_daily where week_start = ?""",
            keys=("employee_id", "work_date"),
            expectations=(
                _unique("employee_id", "work_date"),
                *_not_null("employee_id", "work_date", "status"),
                _between("day_of_week", 0, 6),
                *(
                    _between(c, 0, None)
                    for c in ("late_minutes", "early_leave_minutes", "worked_minutes", "overtime_minutes")
                ),
            ),
        ),
        Suite(
            name="marts_goal_progress",
            asset=("marts", "fct_goal_progress_weekly"),
            description="One row per employee, week and goal; keys set; weights within [0, 1]; a known direction.",
            query="""select employee_id, week_start, goal_id, metric, weight::double as weight, direction
                     from marts.fct_goal_progress_weekly where week_start = ?""",
            keys=("employee_id", "goal_id"),
            expectations=(
                _unique("employee_id", "week_start", "goal_id"),
                *_not_null("employee_id", "goal_id", "metric", "weight"),
                _between("weight", 0, 1),
                Expect(
                    "ExpectColumnValuesToBeInSet",
                    {"column": "direction", "value_set": ["higher_is_better", "lower_is_better"]},
                ),
            ),
        ),
        Suite(
            name="marts_creative_performance",
            asset=("marts", "fct_creative_performance_weekly"),
            description="One row per creative-week; rates within [0, 1]; clicks never above impressions.",
            query="""select creative_id, week_start, designer_id, impressions, clicks, ctr::double as ctr,
                        favorites_rate::double as favorites_rate, order_rate::double as order_rate,
                        repurchase_rate::double as repurchase_rate
                     from marts.fct_creative_performance_weekly where week_start = ?""",
            keys=("creative_id",),
            expectations=(
                _unique("creative_id", "week_start"),
                *_not_null("creative_id", "designer_id"),
                *(_between(c, 0, 1) for c in ("ctr", "favorites_rate", "order_rate", "repurchase_rate")),
                _between("impressions", 0, None),
                Expect(
                    "ExpectColumnPairValuesAToBeGreaterThanB",
                    {"column_A": "impressions", "column_B": "clicks", "or_equal": True},
                ),
            ),
        ),
    )


@dataclass(frozen=True)
class FailedExpectation:
    label: str
    unexpected: int
    examples: list[dict[str, object]] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.label} {self.unexpected} row{'s' if self.unexpected != 1 else ''}"


@dataclass(frozen=True)
class Outcome:
    """What one suite found in one week."""

    suite: str
    week: date
    rows: int
    evaluated: int
    failed: tuple[FailedExpectation, ...]
    data_docs: Path

    @property
    def passed(self) -> bool:
        return not self.failed

    @property
    def summary(self) -> str:
        if self.passed:
            return f"suite {self.suite} passed: {self.evaluated} expectations on {self.rows} rows"
        return f"suite {self.suite} failed: " + "; ".join(str(f) for f in self.failed)


def _context(gx_dir: Path) -> Any:
    """The file context under ``gx_dir``, with its Data Docs site at ``gx_dir/data_docs``; no analytics."""
    os.environ["GX_ANALYTICS_ENABLED"] = "False"  # before the import: no network at run time
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    gx_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", context_root_dir=str(gx_dir))
    if DATA_DOCS_SITE not in context.get_site_names():
        context.add_data_docs_site(
            site_name=DATA_DOCS_SITE,
            site_config={
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": f"{DATA_DOCS_FOLDER}/",
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    for other in set(context.get_site_names()) - {DATA_DOCS_SITE}:  # the scaffold's default site
        context.delete_data_docs_site(other)
    bars = context.variables.progress_bars  # a dict once read back from great_expectations.yml
    if (bars.get("globally") if isinstance(bars, dict) else getattr(bars, "globally", None)) is not False:
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        context.variables.save()
    return context


def validate(suite: Suite, frame: pd.DataFrame, week: date, gx_dir: Path) -> Outcome:
    """Validate ``frame`` (one week's rows) with ``suite`` through a GX checkpoint that updates the Data Docs."""
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.core.run_identifier import RunIdentifier

    if frame.empty:  # nothing to hold back (and no columns to check when the table was only ever written empty)
        return Outcome(suite.name, week, 0, 0, (), gx_dir / DATA_DOCS_FOLDER / "index.html")
    context = _context(gx_dir)
    source = context.data_sources.add_or_update_pandas("hrhub_warehouse")
    asset = next((a for a in source.assets if a.name == suite.name), None) or source.add_dataframe_asset(suite.name)
    batch = next((b for b in asset.batch_definitions if b.name == "week"), None)
    batch = batch or asset.add_batch_definition_whole_dataframe("week")
    expectations = [getattr(gxe, e.kind)(**e.kwargs, meta={"label": e.label}) for e in suite.expectations]
    gx_suite = context.suites.add_or_update(
        gx.ExpectationSuite(name=suite.name, expectations=expectations, meta={"notes": suite.description})
    )
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite)
    )
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=suite.name,
            validation_definitions=[definition],
            actions=[UpdateDataDocsAction(name="data_docs", site_names=[DATA_DOCS_SITE])],
            result_format={
                "result_format": "SUMMARY",
                "partial_unexpected_count": EXAMPLE_ROWS,
                "unexpected_index_column_names": list(suite.keys),
            },
        )
    )
    result = checkpoint.run(
        batch_parameters={"dataframe": frame},
        run_id=RunIdentifier(run_name=f"week-{week}", run_time=datetime.now(UTC)),  # Data Docs list by week
    )
    failed = []
    by_label = {e.kind: e for e in suite.expectations}
    for validation in result.run_results.values():
        for item in validation.results:
            if item.success:
                continue
            config = item.expectation_config
            label = (config.meta or {}).get("label") or by_label.get(config.type, Expect(config.type, {})).label
            details = item.result or {}
            examples = details.get("partial_unexpected_index_list") or details.get("partial_unexpected_list") or []
            count = details.get("unexpected_count")
            failed.append(
                FailedExpectation(
                    label=label,
                    unexpected=int(count) if count is not None else len(frame),
                    examples=[json.loads(json.dumps(x, default=str)) for x in examples[:EXAMPLE_ROWS]],
                )
            )
    return Outcome(
        suite=suite.name,
        week=week,
        rows=len(frame),
        evaluated=len(suite.expectations),
        failed=tuple(failed),
        data_docs=gx_dir / DATA_DOCS_FOLDER / "index.html",
    )


def record(con: duckdb.DuckDBPyConnection, outcome: Outcome, run_id: str) -> None:
    """Append ``outcome`` to ``quality.gx_validations`` (history kept: the latest row per week and suite counts)."""
    con.execute(f"create schema if not exists {QUALITY_SCHEMA}")
    con.execute(
        f"""create table if not exists {VALIDATIONS_TABLE} (
              week_start date, suite varchar, passed boolean, rows_validated bigint, expectations integer,
              expectations_failed integer, summary varchar, failures_json varchar, data_docs varchar,
              run_id varchar, validated_at timestamp)"""
    )
    failures = [{"expectation": f.label, "rows": f.unexpected, "examples": f.examples} for f in outcome.failed]
    con.execute(
        f"insert into {VALIDATIONS_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            outcome.week,
            outcome.suite,
            outcome.passed,
            outcome.rows,
            outcome.evaluated,
            len(outcome.failed),
            outcome.summary,
            json.dumps(failures, ensure_ascii=False),
            str(outcome.data_docs),
            run_id,
            datetime.now(UTC).replace(tzinfo=None),
        ],
    )


@dataclass(frozen=True)
class Hold:
    """Why a week's exports are held: the suites whose latest validation of the week failed."""

    week: date
    failures: Mapping[str, str]  # suite -> its summary
    details: Mapping[str, list[dict[str, object]]]
    data_docs: str

    @property
    def reason(self) -> str:
        return f"exports for {self.week} held: " + "; ".join(self.failures.values())


def latest_outcomes(con: duckdb.DuckDBPyConnection, week: date) -> list[dict[str, object]]:
    """The week's latest validation per suite (none when no suite has run, or the table does not exist yet)."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = 'gx_validations'",
        [QUALITY_SCHEMA],
    ).fetchone()[0]
    if not exists:
        return []
    cursor = con.execute(
        f"""select suite, passed, summary, failures_json, data_docs from {VALIDATIONS_TABLE} where week_start = ?
            qualify row_number() over (partition by suite order by validated_at desc) = 1 order by suite""",
        [week],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def held_reason(con: duckdb.DuckDBPyConnection, week: date, suite_names: Sequence[str] | None = None) -> Hold | None:
    """A ``Hold`` when the week's latest validation of any suite (of ``suite_names``, default all) failed."""
    latest = [o for o in latest_outcomes(con, week) if suite_names is None or o["suite"] in suite_names]
    failed = [o for o in latest if not o["passed"]]
    if not failed:
        return None
    return Hold(
        week=week,
        failures={str(o["suite"]): str(o["summary"]) for o in failed},
        details={str(o["suite"]): json.loads(str(o["failures_json"])) for o in failed},
        data_docs=str(failed[0]["data_docs"]),
    )
