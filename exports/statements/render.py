"""A statement as canonical JSON and as a self-contained, printable HTML page (zh-CN or en).

Both are pure and deterministic: no clock, no randomness, sorted keys, Decimals written exactly as text, so the same
statement always gives the same bytes and a content-derived file name. The HTML is rendered by Jinja2 with
autoescaping on (a name may contain markup) from a template shipped in this package, with inline CSS and no
external resources, so it opens offline and prints as it looks.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from typing import cast

from jinja2 import Environment, PackageLoader, StrictUndefined

from exports.statements.labels import component_label, labels, role_label, score_label, step_text
from exports.statements.model import Statement
from exports.templates import (
    band_label,
    check_locale,
    format_money,
    format_number,
    format_ratio_percent,
    reason_label,
    week_label,
)

FORMAT = "hrhub.statement"
FORMAT_VERSION = 1
TEMPLATE = "statement.html.j2"
_SAFE_NAME_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

_ENVIRONMENT = Environment(
    loader=PackageLoader("exports.statements", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def decimal_text(value: Decimal) -> str:
    """Exact fixed-point text (``1E+3`` -> ``1000``, never scientific, never ``-0``); ``Decimal(text) == value``."""
    if not value.is_finite():
        raise ValueError(f"{value} is not a finite number")
    return format(value.copy_abs() if value.is_zero() else value, "f")


def _plain(value: object) -> object:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (str, int, bool)):
        return value
    raise TypeError(f"cannot write {type(value).__name__} into a statement")


def statement_dict(statement: Statement) -> dict[str, object]:
    """The statement as JSON-ready data: dates as ``YYYY-MM-DD``, every Decimal as exact text."""
    data = cast(dict[str, object], _plain(statement))
    return {"format": FORMAT, "format_version": FORMAT_VERSION, **data}


def statement_json(statement: Statement) -> bytes:
    """Canonical UTF-8 JSON: sorted keys, 2-space indent, one trailing newline."""
    text = json.dumps(statement_dict(statement), sort_keys=True, ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def statement_html(statement: Statement, locale: str) -> bytes:
    """The statement as one HTML page in ``locale`` (``zh-CN`` or ``en``)."""
    check_locale(locale)
    template = _ENVIRONMENT.get_template(TEMPLATE)
    html = template.render(
        s=statement,
        locale=locale,
        t=labels(locale),
        component_label=partial(component_label, locale=locale),
        role_label=partial(role_label, locale=locale),
        score_label=partial(score_label, locale=locale),
        step_text=partial(step_text, locale=locale),
        band_label=partial(band_label, locale=locale),
        reason_label=partial(reason_label, locale=locale),
        week=partial(week_label, locale=locale),
        money=format_money,
        number=format_number,
        percent=format_ratio_percent,
        exact=decimal_text,
        plain=_trimmed,
    )
    return html.encode("utf-8")


def _trimmed(value: Decimal) -> str:
    """Inputs as people write them (``200.0000`` -> ``200``)."""
    return decimal_text(value.normalize())


def statement_file_name(statement: Statement, content: bytes, suffix: str) -> str:
    """``statement_{employee_id}_{period}_{sha8}.{suffix}``: new content always gets a new name."""
    sha8 = hashlib.sha256(content).hexdigest()[:8]
    employee_id = _name_part(statement.employee.employee_id, "employee_id")
    period = _name_part(statement.pay_period, "pay_period")
    return f"statement_{employee_id}_{period}_{sha8}.{_name_part(suffix, 'suffix')}"


def statement_files(statement: Statement, locale: str) -> dict[str, bytes]:
    """The JSON and the ``locale`` HTML of a statement by their file names, ready to be written once each."""
    rendered = {"json": statement_json(statement), "html": statement_html(statement, locale)}
    return {statement_file_name(statement, content, suffix): content for suffix, content in rendered.items()}


def _name_part(value: str, what: str) -> str:
    if not _SAFE_NAME_PART.fullmatch(value):
        raise ValueError(f"{what} {value!r} cannot be part of a file name (letters, digits, '.', '_', '-' only)")
    return value
