"""A pay period rendered for one payroll target: the file's bytes, its deterministic name and its manifest.

This is the entry point the pipeline calls for every layout (long CSV, wide XLSX, ADP paydata):

1. load the weekly ``payroll_line`` rows of ``weeks_of_period(period, target.pay_frequency)`` and ``roll_up`` them;
2. ``render_period`` -> ``PeriodExport`` (content, file_name, manifest, the lines written, the lines rejected);
3. ``write_period_export`` writes it once (temp file + rename, 0600, never over other bytes);
4. after a release, a recomputed period goes through ``render_adjustment`` (deltas only, or None).

Names: ``payroll_{target}_{period}[_adj{n}]_{sha8}.csv|.xlsx``; ADP ``PR{co}EPI_{period}[_adj{n}]_{sha8}.csv``.
The sha8 of the content is part of every name, so a name never points at two contents.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath

from exports.adjustments import adjustment_lines
from exports.layouts.adp_paydata import adp_file_name, adp_file_number_problem, render_adp_paydata
from exports.layouts.base import LayoutOutput, RenderedPayroll, split_payees
from exports.layouts.wide_xlsx import render_wide_xlsx
from exports.locked_file import private_dir
from exports.manifest import PayrollManifest, build_manifest
from exports.pay_periods import join_plan_versions, weeks_of_period
from exports.payroll import (
    PayrollLineInput,
    PayrollLineRecord,
    RejectedLine,
    long_csv_bytes,
    long_csv_rows,
    name_part,
    read_line,
    rejection_reason,
    write_file_once,
)
from exports.targets import PayrollTarget

FULL = "full"
ADJUSTMENT = "adjustment"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_EXTENSIONS = {"long_csv": "csv", "wide_xlsx": "xlsx", "adp_paydata_csv": "csv"}


@dataclass(frozen=True)
class PeriodExport:
    """One file for one target and period, with its manifest; ``lines`` are what the file pays."""

    rendered: RenderedPayroll
    manifest: PayrollManifest

    @property
    def content(self) -> bytes:
        return self.rendered.content

    @property
    def file_name(self) -> str:
        return self.rendered.file_name

    @property
    def sha256(self) -> str:
        return self.rendered.sha256

    @property
    def lines(self) -> tuple[PayrollLineRecord, ...]:
        """The lines written to the file: keep them as the period's paid lines for later adjustments."""
        return self.rendered.lines

    @property
    def rejected(self) -> tuple[RejectedLine, ...]:
        return self.rendered.rejected

    def line_records(self) -> list[dict[str, object]]:
        return [line.as_record() for line in self.rendered.lines]


def render_period(
    target: PayrollTarget,
    lines: Iterable[PayrollLineInput],
    employees: Mapping[str, tuple[str | None, str]],
    *,
    pay_period: str,
    plan_version: str,
    plan_hash: str,
    input_fingerprint: str,
    generator_version: str | None = None,
) -> PeriodExport:
    """The period's full file for ``target`` from its rolled-up lines (``pay_periods.roll_up``).

    ``employees`` maps employee_id -> (payroll_id, name); lines of employees without a payroll id are rejected
    with the reason, in every layout, and counted in the manifest. ``plan_version`` is the plan the period was
    scored with, recorded when there are no lines; a period whose lines span plan versions names them all.
    Raises ``TargetColumnMapError`` for a component the target has no column for, ``ValueError`` for lines of
    another period or mixed currencies.
    """
    return _render(
        target,
        [read_line(line) for line in lines],
        employees,
        pay_period=pay_period,
        plan_version=plan_version,
        plan_hash=plan_hash,
        input_fingerprint=input_fingerprint,
        generator_version=generator_version,
    )


def render_adjustment(
    target: PayrollTarget,
    released_lines: Iterable[PayrollLineInput],
    current_lines: Iterable[PayrollLineInput],
    employees: Mapping[str, tuple[str | None, str]],
    *,
    pay_period: str,
    adjusts_sha256: str,
    adjustment_number: int,
    plan_version: str,
    plan_hash: str,
    input_fingerprint: str,
    generator_version: str | None = None,
) -> PeriodExport | None:
    """The adjustment file of a released period: deltas only, or None when there is nothing to pay.

    None when the recomputation changed nothing, or when every delta belongs to an employee who still has no
    payroll id (their pay stays owed and is picked up by a later adjustment).

    ``released_lines`` are the lines already paid: the released full file's ``lines`` plus those of earlier
    adjustments (``PeriodExport.lines``, not the lines it was rendered from). ``current_lines`` are the period
    rolled up again. ``adjusts_sha256`` is the released full file's sha256 and ``adjustment_number`` counts from
    1; both go into the manifest (``"kind": "adjustment"``) and the number into the file name (``_adj{n}_``).
    """
    if not _SHA256.fullmatch(adjusts_sha256):
        raise ValueError(f"adjusts_sha256 must be the released file's sha256 (64 hex digits), got {adjusts_sha256!r}")
    if isinstance(adjustment_number, bool) or not isinstance(adjustment_number, int) or adjustment_number < 1:
        raise ValueError(f"adjustment_number counts from 1, got {adjustment_number!r}")
    deltas = adjustment_lines(released_lines, current_lines)
    if not deltas:
        return None
    export = _render(
        target,
        deltas,
        employees,
        pay_period=pay_period,
        plan_version=plan_version,
        plan_hash=plan_hash,
        input_fingerprint=input_fingerprint,
        generator_version=generator_version,
        adjusts_sha256=adjusts_sha256,
        adjustment_number=adjustment_number,
    )
    # Deltas of employees who still cannot be paid through a file stay owed (they are not in the paid lines, so a
    # later adjustment picks them up): a file without a single payable row is not worth HR's approval.
    return export if export.rendered.rows else None


def export_file_name(target: PayrollTarget, pay_period: str, content: bytes, adjustment_number: int | None) -> str:
    """The deterministic name of a target's file: the content's sha8 makes every content its own name."""
    sha8 = hashlib.sha256(content).hexdigest()[:8]
    period = name_part(pay_period, "pay_period")
    if target.layout == "adp_paydata_csv" and target.company_code is not None:
        return adp_file_name(target.company_code, period, sha8, adjustment_number)
    adjustment_part = f"_adj{adjustment_number}" if adjustment_number is not None else ""
    name = name_part(target.name, "target")
    return f"payroll_{name}_{period}{adjustment_part}_{sha8}.{_EXTENSIONS[target.layout]}"


def write_period_export(out_dir: Path, export: PeriodExport, sidecars: Mapping[str, bytes] | None = None) -> Path:
    """Write the manifest, any ``sidecars`` (name -> bytes, e.g. the lines JSON) and the file; return its path.

    Each file is written once: created 0600 through a temp file and ``os.replace``; the same bytes under the same
    name is a no-op (a re-run), other bytes under that name an ``ExportConflictError``. The file goes last, so
    it is never visible without its manifest.
    """
    manifest = export.manifest
    if hashlib.sha256(export.content).hexdigest() != manifest.sha256:
        raise ValueError("content does not match the manifest's sha256; render and manifest must come together")
    if manifest.file_name != export.file_name:
        raise ValueError(f"manifest describes {manifest.file_name!r}, not {export.file_name!r}")
    extra = dict(sidecars or {})
    for name in (export.file_name, manifest.manifest_file_name, *extra):
        if PurePath(name).name != name or name.startswith("."):
            raise ValueError(f"{name!r} is not a plain file name; exports are written into out_dir only")

    private_dir(out_dir)
    write_file_once(out_dir / manifest.manifest_file_name, manifest.to_bytes())
    for name in sorted(extra):
        write_file_once(out_dir / name, extra[name])
    path = out_dir / export.file_name
    write_file_once(path, export.content)
    return path


def _render(
    target: PayrollTarget,
    lines: list[PayrollLineRecord],
    employees: Mapping[str, tuple[str | None, str]],
    *,
    pay_period: str,
    plan_version: str,
    plan_hash: str,
    input_fingerprint: str,
    generator_version: str | None,
    adjusts_sha256: str | None = None,
    adjustment_number: int | None = None,
) -> PeriodExport:
    weeks_of_period(pay_period, target.pay_frequency)  # the period must be one of the target's frequency
    other_periods = sorted({line.pay_period for line in lines} - {pay_period})
    if other_periods:
        raise ValueError(f"lines of pay periods {other_periods} given to the export of {pay_period}")
    currencies = sorted({line.currency for line in lines if line.currency})
    if len(currencies) > 1:
        raise ValueError(f"payroll lines mix currencies {currencies}; render one file per currency")
    target.check_components(line.component_code for line in lines)

    output, accepted, rejected = _layout(target, lines, employees, pay_period)
    rendered = RenderedPayroll(
        content=output.content,
        file_name=export_file_name(target, pay_period, output.content, adjustment_number),
        layout=target.layout,
        target=target.name,
        kind=ADJUSTMENT if adjustment_number is not None else FULL,
        pay_period=pay_period,
        plan_version=join_plan_versions(line.plan_version for line in lines) or plan_version,
        currency=currencies[0] if currencies else None,
        rows=output.rows,
        lines=tuple(sorted(accepted, key=_line_order)),
        rejected=tuple(rejected),
        adjusts_sha256=adjusts_sha256,
        adjustment_number=adjustment_number,
    )
    manifest = build_manifest(
        rendered, plan_hash=plan_hash, input_fingerprint=input_fingerprint, generator_version=generator_version
    )
    return PeriodExport(rendered, manifest)


def _layout(
    target: PayrollTarget,
    lines: list[PayrollLineRecord],
    employees: Mapping[str, tuple[str | None, str]],
    pay_period: str,
) -> tuple[LayoutOutput, list[PayrollLineRecord], list[RejectedLine]]:
    if target.layout == "long_csv":
        rows, rejected = long_csv_rows(lines, employees)
        accepted = [line for line in lines if rejection_reason(line.employee_id, employees) is None]
        return LayoutOutput(long_csv_bytes(rows), len(rows)), accepted, rejected
    if target.layout == "wide_xlsx":
        payees, rejected = split_payees(lines, employees)
        output = render_wide_xlsx(payees, target, pay_period)
    else:
        payees, rejected = split_payees(lines, employees, adp_file_number_problem)
        output = render_adp_paydata(payees, target)
    return output, [line for payee in payees for line in payee.lines], rejected


def _line_order(line: PayrollLineRecord) -> tuple[str, ...]:
    return (
        line.employee_id,
        line.component_code,
        line.currency,
        line.unit or "",
        line.plan_version,
        line.source_ref,
        str(line.amount),
    )
