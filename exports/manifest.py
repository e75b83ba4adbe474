"""The manifest written beside each payroll file: row count, control totals, sha256 and plan version.

Importers reject extra rows, so the totals travel in a separate file. The manifest holds no timestamp: the same
inputs and plan give the same bytes, which lets a re-run prove it reproduced an earlier export.

``build_manifest`` describes a long CSV from ``render_long_csv`` (its manifest bytes are unchanged) or a
``RenderedPayroll`` of any layout, whose manifest also names the target, the kind (``full`` or ``adjustment``)
and, for an adjustment, the sha256 of the file it adjusts.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from importlib import metadata
from pathlib import PurePath
from typing import Protocol

from exports.layouts.base import RenderedPayroll
from exports.payroll import LongCsvExport, PayrollLineRecord, format_amount, format_quantity

LONG_CSV_LAYOUT = "long_csv"


@dataclass(frozen=True)
class ComponentTotal:
    """Control totals of one pay component, as the text a reconciler compares against the file."""

    rows: int
    amount: str
    quantity: str | None  # None when no line of the component carries a quantity
    unit: str | None


@dataclass(frozen=True)
class PayrollManifest:
    file_name: str
    layout: str
    pay_period: str
    plan_version: str
    plan_hash: str
    input_fingerprint: str
    currency: str | None
    rows: int
    rejected_lines: int
    control_totals: dict[str, ComponentTotal]
    grand_total: str
    sha256: str
    generator: str
    # Layout-neutral exports only (None for the long CSV of ``render_long_csv``, keeping its manifest bytes):
    target: str | None = None
    kind: str | None = None  # "full" or "adjustment"
    adjusts_sha256: str | None = None
    adjustment_number: int | None = None

    @property
    def manifest_file_name(self) -> str:
        """``payroll_..._<sha8>.manifest.json`` beside ``payroll_..._<sha8>.csv``."""
        return f"{PurePath(self.file_name).stem}.manifest.json"

    def to_dict(self) -> dict[str, object]:
        release = {}
        if self.kind is not None:
            release = {
                "adjusts_sha256": self.adjusts_sha256,
                "adjustment_number": self.adjustment_number,
                "kind": self.kind,
                "target": self.target,
            }
        return {
            **release,
            "control_totals": {
                code: {"amount": t.amount, "quantity": t.quantity, "rows": t.rows, "unit": t.unit}
                for code, t in self.control_totals.items()
            },
            "currency": self.currency,
            "file_name": self.file_name,
            "generator": self.generator,
            "grand_total": self.grand_total,
            "input_fingerprint": self.input_fingerprint,
            "layout": self.layout,
            "pay_period": self.pay_period,
            "plan_hash": self.plan_hash,
            "plan_version": self.plan_version,
            "rejected_lines": self.rejected_lines,
            "rows": self.rows,
            "sha256": self.sha256,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> PayrollManifest:
        """The manifest read back from its JSON (``to_dict``'s inverse), e.g. to announce a draft to HR."""
        fields = dict(data)
        totals = fields.pop("control_totals")
        return cls(
            **fields,  # type: ignore[arg-type]
            control_totals={code: ComponentTotal(**total) for code, total in totals.items()},  # type: ignore[union-attr]
        )

    def to_bytes(self) -> bytes:
        """Canonical JSON: sorted keys, 2-space indent, UTF-8, trailing newline."""
        return (json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


class TotalsRow(Protocol):
    """One entry of a file as text: a long CSV row, or one cell of a wide layout."""

    @property
    def component_code(self) -> str: ...
    @property
    def amount(self) -> str: ...
    @property
    def quantity(self) -> str: ...
    @property
    def unit(self) -> str: ...


@dataclass(frozen=True)
class _Entry:
    component_code: str
    amount: str
    quantity: str
    unit: str


def build_manifest(
    export: LongCsvExport | RenderedPayroll,
    *,
    plan_hash: str,
    input_fingerprint: str,
    generator_version: str | None = None,
) -> PayrollManifest:
    """Describe a rendered file; ``input_fingerprint`` identifies the inputs (the caller computes it)."""
    if isinstance(export, RenderedPayroll):
        return _layout_manifest(export, plan_hash, input_fingerprint, generator_version)
    totals = control_totals(export.rows)
    return PayrollManifest(
        file_name=export.file_name,
        layout=LONG_CSV_LAYOUT,
        pay_period=export.pay_period,
        plan_version=export.plan_version,
        plan_hash=plan_hash,
        input_fingerprint=input_fingerprint,
        currency=export.currency,
        rows=len(export.rows),
        rejected_lines=len(export.rejected),
        control_totals=totals,
        grand_total=format_amount(sum((Decimal(t.amount) for t in totals.values()), Decimal("0.00"))),
        sha256=export.sha256,
        generator=f"hrhub {generator_version or hrhub_version()}",
    )


def _layout_manifest(
    export: RenderedPayroll, plan_hash: str, input_fingerprint: str, generator_version: str | None
) -> PayrollManifest:
    totals = control_totals(file_entries(export))
    return PayrollManifest(
        file_name=export.file_name,
        layout=export.layout,
        pay_period=export.pay_period,
        plan_version=export.plan_version,
        plan_hash=plan_hash,
        input_fingerprint=input_fingerprint,
        currency=export.currency,
        rows=export.rows,
        rejected_lines=len(export.rejected),
        control_totals=totals,
        grand_total=format_amount(sum((Decimal(t.amount) for t in totals.values()), Decimal("0.00"))),
        sha256=export.sha256,
        generator=f"hrhub {generator_version or hrhub_version()}",
        target=export.target,
        kind=export.kind,
        adjusts_sha256=export.adjusts_sha256,
        adjustment_number=export.adjustment_number,
    )


def file_entries(export: RenderedPayroll) -> list[_Entry]:
    """What the file holds per component: a row per line (long CSV), or a cell per employee (wide layouts).

    Wide layouts put an employee's lines of one component (several plan versions) into one cell, so that is
    what a reconciler counts there.
    """
    if export.layout == LONG_CSV_LAYOUT:
        groups = [[line] for line in export.lines]
    else:
        by_cell: dict[tuple[str, str, str | None], list[PayrollLineRecord]] = defaultdict(list)
        for line in export.lines:
            by_cell[(line.employee_id, line.component_code, line.unit)].append(line)
        groups = list(by_cell.values())
    return [_entry(lines) for lines in groups]


def _entry(lines: list[PayrollLineRecord]) -> _Entry:
    quantities = [line.quantity for line in lines if line.quantity is not None]
    return _Entry(
        component_code=lines[0].component_code,
        amount=format_amount(sum((line.amount for line in lines), Decimal(0))),
        quantity=format_quantity(sum(quantities, Decimal(0))) if quantities else "",
        unit=lines[0].unit or "",
    )


def control_totals(rows: Iterable[TotalsRow]) -> dict[str, ComponentTotal]:
    """Sum the rendered amounts and quantities per component, in component order.

    Summing the text that is in the file (not the inputs) makes the totals check the file itself. A component
    whose lines carry different units has no meaningful quantity total, so that is an error.
    """
    grouped: dict[str, list[TotalsRow]] = defaultdict(list)
    for row in rows:
        grouped[row.component_code].append(row)
    totals: dict[str, ComponentTotal] = {}
    for code in sorted(grouped):
        component_rows = grouped[code]
        quantities = [Decimal(row.quantity) for row in component_rows if row.quantity]
        units = sorted({row.unit for row in component_rows if row.quantity or row.unit})
        if len(units) > 1:
            raise ValueError(f"component {code} mixes units {units}; its quantities cannot be totalled")
        totals[code] = ComponentTotal(
            rows=len(component_rows),
            amount=format_amount(sum((Decimal(row.amount) for row in component_rows), Decimal("0.00"))),
            quantity=format_quantity(sum(quantities, Decimal(0))) if quantities else None,
            unit=(units[0] or None) if units else None,
        )
    return totals


def hrhub_version() -> str:
    """The installed hrhub version, recorded so a manifest names the code that produced it."""
    try:
        return metadata.version("hrhub")
    except metadata.PackageNotFoundError:
        return "0+unknown"
