"""The manifest written beside each payroll file: row count, control totals, sha256 and plan version.

Importers reject extra rows, so the totals travel in a separate file. The manifest holds no timestamp: the same
inputs and plan give the same bytes, which lets a re-run prove it reproduced an earlier export.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from importlib import metadata
from pathlib import PurePath
from typing import TYPE_CHECKING

from exports.payroll import format_amount, format_quantity

if TYPE_CHECKING:
    from exports.payroll import LongCsvExport, PayrollCsvRow

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

    @property
    def manifest_file_name(self) -> str:
        """``payroll_..._<sha8>.manifest.json`` beside ``payroll_..._<sha8>.csv``."""
        return f"{PurePath(self.file_name).stem}.manifest.json"

    def to_dict(self) -> dict[str, object]:
        return {
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

    def to_bytes(self) -> bytes:
        """Canonical JSON: sorted keys, 2-space indent, UTF-8, trailing newline."""
        return (json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def build_manifest(
    export: LongCsvExport,
    *,
    plan_hash: str,
    input_fingerprint: str,
    generator_version: str | None = None,
) -> PayrollManifest:
    """Describe a rendered long CSV; ``input_fingerprint`` identifies the inputs (the caller computes it)."""
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


def control_totals(rows: Iterable[PayrollCsvRow]) -> dict[str, ComponentTotal]:
    """Sum the rendered amounts and quantities per component, in component order.

    Summing the text that is in the file (not the inputs) makes the totals check the file itself. A component
    whose lines carry different units has no meaningful quantity total, so that is an error.
    """
    grouped: dict[str, list[PayrollCsvRow]] = defaultdict(list)
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
