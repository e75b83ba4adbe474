"""Wide XLSX: one row per employee, 工号 and 姓名 first, then one column per pay component.

This is the layout Chinese payroll and payslip tools import (工资条 templates): exactly one header row (they reject
multi-row headers), ids as text cells so leading zeros survive, amounts as numbers, no formulas. The bytes are
reproducible: openpyxl stamps the save time into ``docProps/core.xml`` and into every zip entry, so both are
replaced with the start of the pay period and the entries are re-zipped in sorted order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from decimal import Decimal
from io import BytesIO
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.xml.functions import tostring

from exports.layouts.base import LayoutOutput, Payee, component_measure
from exports.pay_periods import period_start
from exports.payroll import FORMULA_PREFIXES, format_amount
from exports.targets import PayrollTarget

TEXT_FORMAT = "@"
NUMBER_FORMAT = "0.00"
SHEET_TITLES = {"zh": "工资表", "en": "Payroll"}
_CORE_PROPERTIES = "docProps/core.xml"
_ZIP_FILE_MODE = 0o600 << 16  # recorded in each entry; fixed so the bytes do not depend on the umask
_ZIP_UNIX = 3  # ZipInfo.create_system: fixed so the bytes do not depend on the platform


def render_wide_xlsx(payees: Sequence[Payee], target: PayrollTarget, pay_period: str) -> LayoutOutput:
    """The workbook's bytes: one header row, then the payees in the given order (sorted by payroll id).

    An hours component (its lines count hours) shows the hours, any other component the money; an employee
    without a component leaves its cell empty. Raises ``TargetColumnMapError`` for a component the target has
    no column for.
    """
    lines = [line for payee in payees for line in payee.lines]
    target.check_components(line.component_code for line in lines)
    measures = {
        column.component_code: component_measure(column.component_code, lines) for column in target.xlsx_columns
    }

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLES[target.header_language]
    for column_index, header in enumerate((*target.id_headers, *(c.header for c in target.xlsx_columns)), start=1):
        _text_cell(sheet.cell(row=1, column=column_index), header)
    for row_index, payee in enumerate(payees, start=2):
        _text_cell(sheet.cell(row=row_index, column=1), payee.payroll_id)
        _text_cell(sheet.cell(row=row_index, column=2), payee.name)
        for column_index, column in enumerate(target.xlsx_columns, start=3):
            value = payee.value(column.component_code, measures[column.component_code])
            if value is not None:
                _number_cell(sheet.cell(row=row_index, column=column_index), value)

    stamp = datetime.combine(period_start(pay_period, target.pay_frequency), time())
    workbook.properties.creator = "hrhub"
    workbook.properties.created = stamp
    buffer = BytesIO()
    workbook.save(buffer)
    workbook.properties.modified = stamp  # save() has just set it to the wall clock
    core_xml = tostring(workbook.properties.to_tree())
    return LayoutOutput(content=_reproducible_zip(buffer.getvalue(), core_xml, stamp), rows=len(payees))


def _text_cell(cell: Cell, value: str) -> None:
    """Text, whatever it looks like: leading zeros stay, and ``=...`` is a string, never a formula."""
    cell.value = value
    cell.data_type = "s"  # openpyxl turns a string starting with '=' into a formula; undo that
    cell.number_format = TEXT_FORMAT
    if value.startswith(FORMULA_PREFIXES):
        cell.quotePrefix = True  # Excel keeps it text even when someone edits the cell


def _number_cell(cell: Cell, value: Decimal) -> None:
    """A number with 2 places, refused if the number in the file, read back to the cent, is not the amount.

    openpyxl writes ``'%.16g'`` of the float (559.31 becomes ``559.3099999999999``): what a spreadsheet or an
    importer reads back, at the cell's 2 places, must still be the exact amount.
    """
    cents = Decimal(format_amount(value))
    written = Decimal(format(float(cents), ".16g"))
    if written.quantize(Decimal("0.01")) != cents:
        raise ValueError(f"{value} has too many digits to store exactly in a spreadsheet cell")
    cell.value = cents
    cell.number_format = NUMBER_FORMAT


def _reproducible_zip(raw: bytes, core_xml: bytes, stamp: datetime) -> bytes:
    """Re-zip openpyxl's output with fixed core properties, entry times and attributes, entries sorted."""
    output = BytesIO()
    with ZipFile(BytesIO(raw)) as source, ZipFile(output, "w", ZIP_DEFLATED) as archive:
        for name in sorted(source.namelist()):  # '[Content_Types].xml' sorts first, where readers look for it
            entry = ZipInfo(name, date_time=stamp.timetuple()[:6])
            entry.compress_type = ZIP_DEFLATED
            entry.create_system = _ZIP_UNIX
            entry.external_attr = _ZIP_FILE_MODE
            archive.writestr(entry, core_xml if name == _CORE_PROPERTIES else source.read(name))
    return output.getvalue()
