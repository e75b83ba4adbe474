"""Payroll long CSV: the canonical ``payroll_line`` rows rendered as the generic file payroll systems import.

Rendering is pure (bytes in memory, no clock, no randomness): the same lines give the same bytes, so a past
period re-rendered with the same inputs and plan reproduces its file and its sha256. Writing is the only I/O
and never overwrites anything.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from exports.locked_file import private_dir

if TYPE_CHECKING:
    from exports.manifest import PayrollManifest

LONG_CSV_COLUMNS = (
    "payroll_id",
    "employee_id",
    "name",
    "pay_period",
    "component_code",
    "amount",
    "currency",
    "quantity",
    "unit",
    "plan_version",
    "source_ref",
)
CENT = Decimal("0.01")
# Excel treats a cell starting with one of these as a formula (CSV injection); text cells get a leading quote.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Period and plan version become part of a file name: keep them to characters that cannot escape the folder.
_SAFE_NAME_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class PayrollLineLike(Protocol):
    """What the renderer needs from a ``payroll_line`` row (``scoring.payroll_lines.PayrollLine`` fits)."""

    @property
    def employee_id(self) -> str: ...
    @property
    def pay_period(self) -> str: ...
    @property
    def component_code(self) -> str: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def currency(self) -> str: ...
    @property
    def quantity(self) -> Decimal | None: ...
    @property
    def unit(self) -> str | None: ...
    @property
    def plan_version(self) -> str: ...
    @property
    def source_ref(self) -> str: ...


PayrollLineInput = PayrollLineLike | Mapping[str, object]


class ExportConflictError(RuntimeError):
    """A file with the export's name already exists with other bytes: a human must look, nothing is replaced."""


@dataclass(frozen=True)
class PayrollCsvRow:
    """One rendered line, every field already the exact text written to the file."""

    payroll_id: str
    employee_id: str
    name: str
    pay_period: str
    component_code: str
    amount: str
    currency: str
    quantity: str
    unit: str
    plan_version: str
    source_ref: str

    def as_tuple(self) -> tuple[str, ...]:
        return tuple(getattr(self, column) for column in LONG_CSV_COLUMNS)


@dataclass(frozen=True)
class RejectedLine:
    """A payroll line left out of the file; the caller records it (quarantine) so no pay disappears silently."""

    employee_id: str
    component_code: str
    amount: str
    source_ref: str
    reason: str


@dataclass(frozen=True)
class LongCsvExport:
    """The rendered file plus what the manifest and the caller need to know about it."""

    content: bytes
    rows: tuple[PayrollCsvRow, ...]
    rejected: tuple[RejectedLine, ...]
    pay_period: str
    plan_version: str
    currency: str | None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def file_name(self) -> str:
        return payroll_file_name(self.pay_period, self.plan_version, self.content)

    @property
    def rejected_employee_ids(self) -> tuple[str, ...]:
        return tuple(sorted({line.employee_id for line in self.rejected}))


def payroll_file_name(pay_period: str, plan_version: str, content: bytes) -> str:
    """``payroll_{period}_{plan_version}_{sha8}.csv``: a new content always gets a new name, so nothing is replaced."""
    sha8 = hashlib.sha256(content).hexdigest()[:8]
    return f"payroll_{name_part(pay_period, 'pay_period')}_{name_part(plan_version, 'plan_version')}_{sha8}.csv"


def render_long_csv(
    lines: Iterable[PayrollLineInput],
    employees: Mapping[str, tuple[str | None, str]],
    *,
    pay_period: str | None = None,
    plan_version: str | None = None,
) -> LongCsvExport:
    """Render payroll lines as the long CSV; lines of employees without a payroll id are rejected, not written.

    ``employees`` maps employee_id -> (payroll_id, name). ``pay_period`` / ``plan_version`` are required when
    ``lines`` may be empty and, when given, every line must match them (one file = one period, one plan).

    The file is UTF-8 **with a BOM**: HR and finance in China open these files in Excel, which reads a BOM-less
    CSV in the system code page (GBK) and garbles Chinese names; with the BOM it detects UTF-8. Payroll importers
    and Python's ``utf-8-sig`` skip the BOM. Lines end in ``\\n`` and are sorted by (payroll_id, component_code,
    then every other column), so the bytes do not depend on input order. Ids stay text: Excel may still strip
    leading zeros on open, which is why the wide XLSX layout exists for hand editing.
    """
    materialised = [read_line(line) for line in lines]
    period = _single_value("pay_period", [line.pay_period for line in materialised], pay_period)
    version = _single_value("plan_version", [line.plan_version for line in materialised], plan_version)
    currencies = sorted({line.currency for line in materialised if line.currency})
    if len(currencies) > 1:
        raise ValueError(f"payroll lines mix currencies {currencies}; render one file per currency")

    rows, rejected = long_csv_rows(materialised, employees)
    return LongCsvExport(
        content=long_csv_bytes(rows),
        rows=tuple(rows),
        rejected=tuple(rejected),
        pay_period=period,
        plan_version=version,
        currency=currencies[0] if currencies else None,
    )


def write_payroll_export(out_dir: Path, period: str, content: bytes, manifest: PayrollManifest) -> Path:
    """Write the CSV and its manifest into ``out_dir``; return the CSV path. Never overwrites a file.

    Same name with the same bytes: nothing is written (an idempotent re-run). A different content for the same
    period has a different sha8 and so a new name; the earlier file stays untouched. Files are created 0600
    through a temp file in the same folder and ``os.replace``, so a crash never leaves half a file under the
    final name. The manifest goes first: a CSV is never visible without the control totals that check it.
    """
    if manifest.pay_period != period:
        raise ValueError(f"manifest is for pay period {manifest.pay_period!r}, not {period!r}")
    if hashlib.sha256(content).hexdigest() != manifest.sha256:
        raise ValueError("content does not match the manifest's sha256; render and manifest must come together")
    if payroll_file_name(period, manifest.plan_version, content) != manifest.file_name:
        raise ValueError(f"manifest file name {manifest.file_name!r} does not follow the naming rule")

    private_dir(out_dir)
    csv_path = out_dir / manifest.file_name
    write_file_once(out_dir / manifest.manifest_file_name, manifest.to_bytes())
    write_file_once(csv_path, content)
    return csv_path


def format_amount(amount: Decimal) -> str:
    """Money as plain text with exactly 2 places (``1E+3`` -> ``1000.00``), refusing sub-cent values."""
    if not amount.is_finite():
        raise ValueError(f"amount {amount} is not a finite number")
    cents = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if cents != amount:
        raise ValueError(f"amount {amount} has more than 2 decimal places; payroll_line amounts are cents")
    return _plain(cents)


def format_quantity(quantity: Decimal | None) -> str:
    """A quantity as plain text without trailing zeros (``8.00`` and ``8`` both give ``8``); empty when absent."""
    if quantity is None:
        return ""
    if not quantity.is_finite():
        raise ValueError(f"quantity {quantity} is not a finite number")
    return _plain(quantity.normalize())


def _plain(value: Decimal) -> str:
    """Fixed-point text, never scientific notation, and never ``-0``."""
    return format(value.copy_abs() if value.is_zero() else value, "f")


@dataclass(frozen=True)
class PayrollLineRecord:
    """A payroll line read and checked once (Decimal amount, text fields), whatever shape it came in."""

    employee_id: str
    pay_period: str
    component_code: str
    amount: Decimal
    currency: str
    quantity: Decimal | None
    unit: str | None
    plan_version: str
    source_ref: str

    def as_record(self) -> dict[str, object]:
        """The ``payroll_line`` columns, e.g. to store the lines a released file was made from."""
        return {
            "employee_id": self.employee_id,
            "pay_period": self.pay_period,
            "component_code": self.component_code,
            "amount": self.amount,
            "currency": self.currency,
            "quantity": self.quantity,
            "unit": self.unit,
            "plan_version": self.plan_version,
            "source_ref": self.source_ref,
        }


def read_line(line: PayrollLineInput) -> PayrollLineRecord:
    """Read a dict or an object shaped like ``payroll_line``; amounts must be Decimal (or int), never float."""
    if isinstance(line, PayrollLineRecord):
        return line

    def get(field: str) -> object:
        return line[field] if isinstance(line, Mapping) else getattr(line, field)

    amount, quantity = get("amount"), get("quantity")
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError(f"amount must be a Decimal, got {type(amount).__name__} ({amount!r}) in {get('source_ref')}")
    if quantity is not None and (isinstance(quantity, bool) or not isinstance(quantity, Decimal | int)):
        raise TypeError(f"quantity must be a Decimal or None, got {type(quantity).__name__} in {get('source_ref')}")
    return PayrollLineRecord(
        employee_id=str(get("employee_id")),
        pay_period=str(get("pay_period")),
        component_code=str(get("component_code")),
        amount=Decimal(amount),
        currency=str(get("currency") or ""),
        quantity=None if quantity is None else Decimal(quantity),
        unit=str(get("unit") or "") or None,
        plan_version=str(get("plan_version")),
        source_ref=str(get("source_ref") or ""),
    )


def _single_value(field: str, values: list[str], expected: str | None) -> str:
    distinct = sorted(set(values))
    if expected is not None:
        others = [value for value in distinct if value != expected]
        if others:
            raise ValueError(f"lines have {field} {others}, but this export is for {expected!r}")
        return expected
    if len(distinct) != 1:
        problem = "no lines to take it from" if not distinct else f"lines mix {distinct}"
        raise ValueError(f"cannot tell the export's {field}: {problem}; pass {field}=...")
    return distinct[0]


def rejection_reason(employee_id: str, employees: Mapping[str, tuple[str | None, str]]) -> str | None:
    """Why a line of ``employee_id`` cannot be paid through a file (None when it can): every layout uses this."""
    if employee_id not in employees:
        return f"employee {employee_id} is not in the employee directory"
    payroll_id, _ = employees[employee_id]
    if payroll_id is None or not str(payroll_id).strip():
        return f"employee {employee_id} has no payroll id"
    return None


def long_csv_rows(
    lines: Iterable[PayrollLineRecord], employees: Mapping[str, tuple[str | None, str]]
) -> tuple[list[PayrollCsvRow], list[RejectedLine]]:
    """The long CSV's rows (sorted) and the lines rejected for want of a payroll id, without the one-plan check."""
    rows: list[PayrollCsvRow] = []
    rejected: list[RejectedLine] = []
    for line in lines:
        reason = rejection_reason(line.employee_id, employees)
        if reason is not None:
            rejected.append(reject(line, reason))
            continue
        payroll_id, name = employees[line.employee_id]
        rows.append(_render_row(line, str(payroll_id).strip(), name))
    rows.sort(key=lambda row: (row.payroll_id, row.component_code, row.as_tuple()))
    return rows, sort_rejected(rejected)


def reject(line: PayrollLineRecord, reason: str) -> RejectedLine:
    return RejectedLine(line.employee_id, line.component_code, format_amount(line.amount), line.source_ref, reason)


def sort_rejected(rejected: Iterable[RejectedLine]) -> list[RejectedLine]:
    return sorted(rejected, key=lambda r: (r.employee_id, r.component_code, r.source_ref, r.amount))


def _render_row(line: PayrollLineRecord, payroll_id: str, name: str) -> PayrollCsvRow:
    return PayrollCsvRow(
        payroll_id=_text_cell(payroll_id),
        employee_id=_text_cell(line.employee_id),
        name=_text_cell(name),
        pay_period=_text_cell(line.pay_period),
        component_code=_text_cell(line.component_code),
        amount=format_amount(line.amount),
        currency=_text_cell(line.currency),
        quantity=format_quantity(line.quantity),
        unit=_text_cell(line.unit or ""),
        plan_version=_text_cell(line.plan_version),
        source_ref=_text_cell(line.source_ref),
    )


def _text_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def long_csv_bytes(rows: Iterable[PayrollCsvRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(LONG_CSV_COLUMNS)
    writer.writerows(row.as_tuple() for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def name_part(value: str, field: str) -> str:
    """``value`` unchanged if it is safe inside a file name, else a ``ValueError`` naming ``field``."""
    if not _SAFE_NAME_PART.fullmatch(value):
        raise ValueError(f"{field} {value!r} cannot be part of a file name (letters, digits, '.', '_', '-' only)")
    return value


def write_file_once(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data`` (mode 0600) unless it already holds exactly ``data``."""
    if path.exists():
        if path.read_bytes() == data:
            return
        raise ExportConflictError(f"{path} already exists with different bytes; refusing to overwrite it")
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mkstemp: 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # The name carries the content's sha, so a concurrent writer of the same name writes the same bytes.
        Path(temp_name).replace(path)  # os.replace: atomic within the folder
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
