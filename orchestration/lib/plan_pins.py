"""Which plan scores a week: the version in force for it, unless the week's payroll was already exported.

A week whose payroll was exported (released to payroll, or re-drafted as an adjustment after a release) is
*pinned* to the plan version and hash it was exported with: publishing a new version that covers it, or any
other plan change, does not silently change what it pays. Re-scoring it keeps the pinned plan and says so, unless
the run carries the tag ``hrhub/replan_exported=true``; then the plan in force applies and the payroll export drafts
the difference as an adjustment. A version edited in place (same ``version``, other bytes) after a week was
exported with it is refused: HR publishes a new version instead.

What a week was exported with is read from the payroll ledger and the ``*.plans.json`` sidecar written beside each
draft (week -> plan version and hash). The exact text of every plan used for scoring is kept in
``scoring.plan_snapshots``, so a pinned plan can be re-read after its file changed or was removed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path, PurePath
from typing import Literal

import duckdb

from exports.pay_periods import PAY_FREQUENCIES, pay_period_of, weeks_of_period
from exports.payroll_ledger import LedgerEvent, PayrollLedger
from exports.payroll_release import manifest_name
from orchestration.lib.warehouse_rows import rows
from scoring.plan import Plan, PlanError, PlanHistory, parse_plan

REPLAN_TAG = "hrhub/replan_exported"
"""Run tag that lets a run re-score exported weeks with the plan now in force (value ``true``)."""
SCORING_SCHEMA = "scoring"
SNAPSHOTS = "plan_snapshots"
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no", ""}

StoredPlans = Callable[[str], Plan | None]
"""Looks a plan up by content hash in ``scoring.plan_snapshots`` (None when it was never stored)."""


class PlanPinError(RuntimeError):
    """A week cannot be scored without silently changing what was exported; the message says what HR can do."""


def replan_requested(tags: Mapping[str, str]) -> bool:
    """Whether the run opted in to re-plan exported weeks (tag ``hrhub/replan_exported``)."""
    value = str(tags.get(REPLAN_TAG, "")).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise PlanPinError(f"run tag {REPLAN_TAG}={tags[REPLAN_TAG]!r} is neither true nor false")


def short(plan_hash: str) -> str:
    return plan_hash[:12]


# --- Snapshots: the exact bytes of every plan that scored a week ------------------------------------------------


def store_snapshot(con: duckdb.DuckDBPyConnection, plan: Plan) -> bool:
    """Keep ``plan``'s bytes in ``scoring.plan_snapshots`` (once per hash); True when it was not stored before."""
    if not plan.body or not plan.content_hash:
        raise ValueError(f"plan {plan.version} has no source bytes to keep: load it with scoring.plan.load_plan")
    con.execute(f"create schema if not exists {SCORING_SCHEMA}")
    con.execute(
        f"""create table if not exists {SCORING_SCHEMA}.{SNAPSHOTS} (
                version varchar not null, plan_hash varchar primary key, effective_from date not null,
                body blob not null, stored_at timestamp not null)"""
    )
    before = _snapshot_count(con)
    con.execute(
        f"insert or ignore into {SCORING_SCHEMA}.{SNAPSHOTS} values (?, ?, ?, ?, ?)",
        [plan.version, plan.content_hash, plan.effective_from, plan.body, datetime.now(UTC).replace(tzinfo=None)],
    )
    return _snapshot_count(con) > before


def _snapshot_count(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute(f"select count(*) from {SCORING_SCHEMA}.{SNAPSHOTS}").fetchone()[0]


def _table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    query = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
    return con.execute(query, [SCORING_SCHEMA, table]).fetchone()[0] > 0


def stored_plans(con: duckdb.DuckDBPyConnection, version: str | None = None) -> list[Plan]:
    """Every stored plan (or those of one ``version``), oldest effective date first, each checked against its hash."""
    if not _table_exists(con, SNAPSHOTS):
        return []
    where, params = ("where version = ?", [version]) if version is not None else ("", [])
    found = rows(
        con,
        f"select version, plan_hash, body from {SCORING_SCHEMA}.{SNAPSHOTS} {where} order by effective_from, plan_hash",
        params,
    )
    return [_parsed_snapshot(row) for row in found]


def stored_plan(con: duckdb.DuckDBPyConnection, plan_hash: str) -> Plan | None:
    """The stored plan with this content hash, or None."""
    if not _table_exists(con, SNAPSHOTS):
        return None
    found = rows(
        con, f"select version, plan_hash, body from {SCORING_SCHEMA}.{SNAPSHOTS} where plan_hash = ?", [plan_hash]
    )
    return _parsed_snapshot(found[0]) if found else None


def _parsed_snapshot(row: Mapping[str, object]) -> Plan:
    where = f"{SCORING_SCHEMA}.{SNAPSHOTS} ({row['version']}, {short(str(row['plan_hash']))})"
    plan = parse_plan(bytes(row["body"]), source=where)  # type: ignore[arg-type]
    if plan.content_hash != row["plan_hash"]:
        raise PlanError(where, [f"the stored bytes hash to {short(plan.content_hash)}: the snapshot was altered"])
    return plan


def stored_plans_at(warehouse_path: str | Path) -> StoredPlans:
    """``stored_plan`` through a short read-only connection of its own (for steps that hold no connection)."""

    def lookup(plan_hash: str) -> Plan | None:
        if not Path(warehouse_path).exists():
            return None
        with duckdb.connect(str(warehouse_path), read_only=True) as con:
            return stored_plan(con, plan_hash)

    return lookup


def plans_for_hashes(con: duckdb.DuckDBPyConnection, history: PlanHistory, hashes: Iterable[str]) -> list[Plan]:
    """Every version of ``history`` plus the stored plans of any other hash in ``hashes`` (rows scored earlier)."""
    plans = list(history.plans)
    known = {plan.content_hash for plan in plans}
    for plan_hash in sorted(set(hashes) - known):
        stored = stored_plan(con, plan_hash)
        if stored is not None:
            plans.append(stored)
    return plans


def scored_plan(con: duckdb.DuckDBPyConnection, history: PlanHistory, week: date, table: str) -> Plan | None:
    """The plan ``scoring.<table>`` rows of ``week`` were scored with (None when the week has no rows there)."""
    if not _table_exists(con, table):
        return None
    hashes = [
        row[0]
        for row in con.execute(
            f"select distinct plan_hash from {SCORING_SCHEMA}.{table} where week_start = ? order by 1", [week]
        ).fetchall()
    ]
    if not hashes:
        return None
    if len(hashes) > 1:
        raise PlanPinError(f"scoring.{table} rows of the week of {week} mix plans {', '.join(map(short, hashes))}")
    plan = history.by_hash(hashes[0]) or stored_plan(con, hashes[0])
    if plan is None:
        raise PlanPinError(
            f"scoring.{table} rows of the week of {week} were scored with plan {short(hashes[0])}, which is neither "
            f"in {history.source} nor in scoring.{SNAPSHOTS}; re-score the week"
        )
    return plan


# --- What each exported week was exported with ------------------------------------------------------------------


@dataclass(frozen=True)
class WeekPlan:
    week_start: date
    plan_version: str
    plan_hash: str


def plans_name(file_name: str) -> str:
    """``payroll_..._<sha8>.plans.json`` beside the draft: the plan each week of the file was scored with."""
    return f"{PurePath(file_name).stem}.plans.json"


def period_week_plans(con: duckdb.DuckDBPyConnection, weeks: Iterable[date]) -> list[WeekPlan]:
    """The plan of every week in ``weeks`` that has payroll lines, as ``scoring.payroll_line`` records it."""
    found = con.execute(
        """select distinct week_start, plan_version, plan_hash from scoring.payroll_line
           where week_start in (select unnest(?::date[])) order by 1, 2, 3""",
        [list(weeks)],
    ).fetchall()
    return [WeekPlan(*row) for row in found]


def plans_bytes(week_plans: Iterable[WeekPlan]) -> bytes:
    """Canonical JSON of the week plans (stored beside each draft, write-once like the draft)."""
    records = [
        {"week_start": p.week_start.isoformat(), "plan_version": p.plan_version, "plan_hash": p.plan_hash}
        for p in sorted(week_plans, key=lambda p: (p.week_start, p.plan_version, p.plan_hash))
    ]
    return (json.dumps({"weeks": records}, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


@dataclass(frozen=True)
class ExportedPlan:
    """The plan a week's payroll went out with, and the ledger entry that says so."""

    week: date
    plan_version: str
    plan_hash: str
    target: str
    pay_period: str
    file_name: str

    def describe(self) -> str:
        return f"plan {self.plan_version} ({short(self.plan_hash)}; {self.target} {self.pay_period}, {self.file_name})"


def _frequency(pay_period: str) -> str:
    return "monthly" if len(pay_period) == len("2026-03") else "weekly"


def _event_plans(event: LedgerEvent) -> list[WeekPlan]:
    folder = Path(event.draft_dir)
    sidecar = folder / plans_name(event.file_name)
    if sidecar.exists():
        records = json.loads(sidecar.read_text(encoding="utf-8"))["weeks"]
        return [WeekPlan(date.fromisoformat(r["week_start"]), r["plan_version"], r["plan_hash"]) for r in records]
    manifest = folder / manifest_name(event.file_name)
    if not manifest.exists():
        raise PlanPinError(
            f"cannot tell which plan {event.target} {event.pay_period} was exported with: neither {sidecar} nor "
            f"{manifest} exists (the exported files were moved or deleted)"
        )
    # A draft written before plan sidecars existed: its manifest names one plan for the whole period.
    described = json.loads(manifest.read_text(encoding="utf-8"))
    version, plan_hash = str(described.get("plan_version", "")), str(described.get("plan_hash", ""))
    if not version or "+" in version or "+" in plan_hash:
        return []
    weeks = weeks_of_period(event.pay_period, _frequency(event.pay_period))  # type: ignore[arg-type]
    return [WeekPlan(week, version, plan_hash) for week in weeks]


def exported_plans(ledger: PayrollLedger, weeks: Iterable[date]) -> dict[date, ExportedPlan]:
    """For each of ``weeks`` that was exported, the plan of its latest export.

    A week counts as exported once a payroll file of its pay period was released (to any target); from then on
    its latest file (the release, or an adjustment drafted after it) says which plan it was paid with. Drafts of
    a period nothing was released for yet are not exports: a re-run simply supersedes them.
    """
    wanted = set(weeks)
    periods = {pay_period_of(week, frequency) for week in wanted for frequency in PAY_FREQUENCIES}
    by_period: dict[tuple[str, str], list[tuple[int, LedgerEvent]]] = {}
    for index, event in enumerate(ledger.events()):
        if event.pay_period in periods:
            by_period.setdefault((event.target, event.pay_period), []).append((index, event))
    latest: dict[date, tuple[int, ExportedPlan]] = {}
    for events in by_period.values():
        first_release = next((index for index, event in events if event.event == "released"), None)
        if first_release is None:
            continue
        for index, event in events:
            if index < first_release or event.event == "approved":
                continue
            for week_plan in _event_plans(event):
                week = week_plan.week_start
                if week in wanted and (week not in latest or index > latest[week][0]):
                    exported = ExportedPlan(
                        week,
                        week_plan.plan_version,
                        week_plan.plan_hash,
                        event.target,
                        event.pay_period,
                        event.file_name,
                    )
                    latest[week] = (index, exported)
    return {week: exported for week, (_, exported) in latest.items()}


# --- The decision ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanChoice:
    """The plan a week is scored with, and why."""

    week: date
    plan: Plan
    in_force: Plan
    exported: ExportedPlan | None
    status: Literal["in_force", "pinned", "replanned"]

    @property
    def note(self) -> str:
        week, now = self.week, f"plan {self.in_force.version} ({short(self.in_force.content_hash)})"
        if self.status == "pinned":
            assert self.exported is not None
            return (
                f"pinned: the week of {week} was exported with {self.exported.describe()}; {now} is in force for "
                f"it now and is not applied. To apply it and pay the difference as an adjustment, re-run the week "
                f"with the run tag {REPLAN_TAG}=true"
            )
        if self.status == "replanned":
            assert self.exported is not None
            return (
                f"replanned ({REPLAN_TAG}=true): the week of {week} is scored with {now}, in force for it now; it "
                f"was exported with {self.exported.describe()}, so the payroll export drafts the difference as an "
                "adjustment"
            )
        exported = ", the plan it was exported with" if self.exported is not None else ""
        return f"{now} is in force for the week of {week}{exported}"

    def metadata(self) -> dict[str, str]:
        return {"plan_choice": self.status, "plan_note": self.note}


def choose_plan(
    history: PlanHistory, week: date, exported: ExportedPlan | None, replan: bool, stored: StoredPlans
) -> PlanChoice:
    """The plan to score ``week`` with (see the module docstring); raises ``PlanPinError`` when there is none."""
    in_force = history.in_force(week)
    if exported is None:
        return PlanChoice(week, in_force, in_force, None, "in_force")
    edited = [p for p in history.plans if p.version == exported.plan_version and p.content_hash != exported.plan_hash]
    if edited:
        raise PlanPinError(
            f"plan version {exported.plan_version} was edited in place ({edited[0].source} is now "
            f"{short(edited[0].content_hash)}), but the week of {week} was exported with its earlier text "
            f"({exported.describe()}). A published version must not change: restore its text, and put the change in "
            f"a new plan version (its own file with a new `version` and the Monday it takes effect as "
            f"`effective_from`; to change weeks already exported, re-run them with the run tag {REPLAN_TAG}=true "
            "and HR approves the adjustment)"
        )
    if exported.plan_hash == in_force.content_hash:
        return PlanChoice(week, in_force, in_force, exported, "in_force")
    if replan:
        return PlanChoice(week, in_force, in_force, exported, "replanned")
    pinned = history.by_hash(exported.plan_hash) or stored(exported.plan_hash)
    if pinned is None:
        raise PlanPinError(
            f"the week of {week} was exported with {exported.describe()}, whose text is neither in {history.source} "
            f"nor in scoring.{SNAPSHOTS}: restore that plan file to re-score the week as exported, or re-run it "
            f"with the run tag {REPLAN_TAG}=true to apply plan {in_force.version}"
        )
    return PlanChoice(week, pinned, in_force, exported, "pinned")


def choose_plans(
    history: PlanHistory, weeks: Iterable[date], ledger: PayrollLedger, replan: bool, stored: StoredPlans
) -> dict[date, PlanChoice]:
    """``choose_plan`` for every week, reading the ledger once."""
    weeks = sorted(set(weeks))
    exported = exported_plans(ledger, weeks)
    return {week: choose_plan(history, week, exported.get(week), replan, stored) for week in weeks}


def week_plan_choice(
    con: duckdb.DuckDBPyConnection, history: PlanHistory, ledger: PayrollLedger, week: date, tags: Mapping[str, str]
) -> PlanChoice:
    """The plan a run with ``tags`` scores ``week`` with; stored plans are read through ``con``."""
    replan = replan_requested(tags)
    return choose_plans(history, [week], ledger, replan, lambda plan_hash: stored_plan(con, plan_hash))[week]
