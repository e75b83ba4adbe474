"""ADP Workforce Now paydata CSV: one row per employee, keyed by company code, batch and File #.

The import is header-based; ``Co Code``, ``Batch ID`` and ``File #`` (the employee's number in ADP, our payroll
id) must be columns 1-3, then the columns the target uses in ADP's documented order: ``Reg Hours``, ``O/T Hours``,
``Hours 3/4 Code/Amount``, ``Reg Earnings``, ``O/T Earnings``, ``Earnings 3/4/5 Code/Amount``. ADP names import
files ``PRcccEPI.csv`` (ccc = company code); ours keep that prefix and add the period, an adjustment number and
the content's sha8, so a name never points at two contents.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from exports.layouts.base import LayoutOutput, Payee, check_measure
from exports.payroll import format_amount
from exports.targets import PayrollTarget

ADP_ENCODING = "utf-8"  # no BOM: the importer matches the first header, 'Co Code', byte for byte
ADP_LINE_END = "\r\n"
_FILE_NUMBER = re.compile(r"[A-Za-z0-9]+")


def adp_file_number_problem(payroll_id: str) -> str | None:
    """Why a payroll id cannot be an ADP File # (None if it can): the line is rejected, not written."""
    if _FILE_NUMBER.fullmatch(payroll_id):
        return None
    return f"payroll id {payroll_id!r} cannot be an ADP File # (letters and digits only)"


def adp_file_name(company_code: str, pay_period: str, sha8: str, adjustment: int | None = None) -> str:
    """``PR{co}EPI_{period}_{sha8}.csv``, or ``PR{co}EPI_{period}_adj{n}_{sha8}.csv`` for adjustment n."""
    adjustment_part = f"_adj{adjustment}" if adjustment is not None else ""
    return f"PR{company_code}EPI_{pay_period}{adjustment_part}_{sha8}.csv"


def render_adp_paydata(payees: Sequence[Payee], target: PayrollTarget) -> LayoutOutput:
    """The paydata CSV's bytes, one row per payee in the given order (sorted by payroll id).

    Hours columns carry the lines' hours and money columns their amounts, both with 2 places; a Code/Amount pair
    is filled only for employees who have that component. A component mapped to hours whose lines carry money,
    or the other way round, is an error: one half of the line would be lost.
    """
    if target.company_code is None or target.batch_id is None:
        raise ValueError(f"payroll target {target.name!r} is not an ADP target (no company code or batch id)")
    lines = [line for payee in payees for line in payee.lines]
    target.check_components(line.component_code for line in lines)
    for column in target.adp_columns:
        check_measure(target.name, column.component_code, column.measure, lines)

    header = target.adp_header
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=ADP_LINE_END, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for payee in payees:
        row = dict.fromkeys(header, "")
        row.update({"Co Code": target.company_code, "Batch ID": target.batch_id, "File #": payee.payroll_id})
        for column in target.adp_columns:
            value = payee.value(column.component_code, column.measure)
            if value is None:
                continue
            row[column.amount_header] = format_amount(value)
            if column.code_header is not None and column.code is not None:
                row[column.code_header] = column.code
        writer.writerow([row[name] for name in header])
    return LayoutOutput(content=buffer.getvalue().encode(ADP_ENCODING), rows=len(payees))
