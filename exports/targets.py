"""Payroll targets: which layout, pay frequency and column map each payroll system receives.

A target is configuration (a YAML mapping of target name -> settings), checked once when loaded so a typo fails
before any file is rendered, with an error that names the target and the field:

```yaml
finance_cn:                       # the name goes into file names: letters, digits, '-' and '_'
  layout: wide_xlsx               # long_csv | wide_xlsx | adp_paydata_csv
  pay_frequency: monthly          # weekly | monthly (a month = the ISO weeks whose Thursday is in it)
  header_language: zh             # wide_xlsx: 工号/姓名 (zh, the default) or Employee No./Name (en)
  columns:                        # wide_xlsx: component -> header, in column order
    WEEKLY_GOAL_BONUS: 周目标奖金
    JOINT_INCENTIVE: {zh: 联合激励, en: Joint incentive}   # per language, picked by header_language
    OVERTIME_HOURS: 加班小时
adp_us:
  layout: adp_paydata_csv
  pay_frequency: weekly
  company_code: "7XY"             # quote codes: YAML reads 012 as the number 10
  batch_id: HRHUB
  columns:                        # adp: component -> ADP column or earnings code
    OVERTIME_HOURS: O/T Hours     # Reg Hours / O/T Hours take hours, Reg Earnings / O/T Earnings money
    WEEKLY_GOAL_BONUS: BON        # any other text is an earnings code: Earnings 3, 4, 5 Code/Amount in map order
    EXTRA_LEAVE_HOURS: {hours_code: LVE}   # hours with a code: Hours 3, 4 Code/Amount
```

A component that reaches a target without a column is a ``TargetColumnMapError``: pay is never dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, cast, get_args

import yaml

from exports.pay_periods import PAY_FREQUENCIES, PayFrequency

Layout = Literal["long_csv", "wide_xlsx", "adp_paydata_csv"]
LAYOUTS: tuple[str, ...] = get_args(Layout)
HeaderLanguage = Literal["zh", "en"]
HEADER_LANGUAGES: tuple[str, ...] = get_args(HeaderLanguage)
Measure = Literal["amount", "hours"]

# The wide XLSX's first two headers; 工号 is the payroll system's employee number (our payroll_id).
ID_HEADERS: dict[str, tuple[str, str]] = {"zh": ("工号", "姓名"), "en": ("Employee No.", "Name")}
# ADP paydata columns in the order ADP documents them; the first three are required in positions 1-3.
ADP_KEY_COLUMNS = ("Co Code", "Batch ID", "File #")
ADP_FIXED_COLUMNS: dict[str, Measure] = {
    "Reg Hours": "hours",
    "O/T Hours": "hours",
    "Reg Earnings": "amount",
    "O/T Earnings": "amount",
}
ADP_HOURS_PAIRS = (3, 4)
ADP_EARNINGS_PAIRS = (3, 4, 5)
ADP_COLUMN_ORDER = (
    *ADP_KEY_COLUMNS,
    "Reg Hours",
    "O/T Hours",
    *(f"Hours {n} {part}" for n in ADP_HOURS_PAIRS for part in ("Code", "Amount")),
    "Reg Earnings",
    "O/T Earnings",
    *(f"Earnings {n} {part}" for n in ADP_EARNINGS_PAIRS for part in ("Code", "Amount")),
)

_LAYOUT_FIELDS: dict[str, frozenset[str]] = {
    "long_csv": frozenset({"layout", "pay_frequency"}),
    "wide_xlsx": frozenset({"layout", "pay_frequency", "header_language", "columns"}),
    "adp_paydata_csv": frozenset({"layout", "pay_frequency", "company_code", "batch_id", "columns"}),
}
_TARGET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_COMPONENT_CODE = re.compile(r"[A-Z][A-Z0-9_]*")
_ADP_COMPANY_CODE = re.compile(r"[A-Za-z0-9_]{3}")
_ADP_BATCH_ID = re.compile(r"[A-Za-z0-9_-]{1,20}")
_ADP_CODE = re.compile(r"[A-Za-z0-9]{1,10}")


class TargetConfigError(ValueError):
    """A payroll target's configuration is wrong; the message names the target and the field."""

    def __init__(self, target: str, field: str, problem: str) -> None:
        self.target = target
        self.field = field
        super().__init__(f"payroll target {target!r}, field {field!r}: {problem}")


class TargetColumnMapError(ValueError):
    """Lines carry a component the target has no column for: the file would silently miss pay."""

    def __init__(self, target: str, component_codes: Iterable[str]) -> None:
        self.target = target
        self.component_codes = tuple(sorted(set(component_codes)))
        super().__init__(
            f"payroll target {target!r} has no column for component(s) {', '.join(self.component_codes)}: "
            "add them to the target's columns (lines are never left out of a file silently)"
        )


@dataclass(frozen=True)
class XlsxColumn:
    component_code: str
    header: str


@dataclass(frozen=True)
class AdpColumn:
    """Where one component goes in the ADP file: a fixed column, or a Code/Amount pair carrying ``code``."""

    component_code: str
    measure: Measure  # "hours" writes the lines' quantity, "amount" their money
    amount_header: str  # "O/T Hours", "Earnings 3 Amount", ...
    code_header: str | None = None  # "Earnings 3 Code" for a pair, None for a fixed column
    code: str | None = None


@dataclass(frozen=True)
class PayrollTarget:
    name: str
    layout: Layout
    pay_frequency: PayFrequency
    header_language: HeaderLanguage = "zh"
    xlsx_columns: tuple[XlsxColumn, ...] = ()
    adp_columns: tuple[AdpColumn, ...] = ()
    company_code: str | None = None
    batch_id: str | None = None

    @property
    def component_codes(self) -> tuple[str, ...]:
        """Components the column map places, in column order (empty for the long CSV, which takes any)."""
        columns: tuple[XlsxColumn | AdpColumn, ...] = (*self.xlsx_columns, *self.adp_columns)
        return tuple(column.component_code for column in columns)

    def check_components(self, component_codes: Iterable[str]) -> None:
        """Raise ``TargetColumnMapError`` if any component has no column in this target."""
        if self.layout == "long_csv":
            return
        missing = set(component_codes) - set(self.component_codes)
        if missing:
            raise TargetColumnMapError(self.name, missing)

    @property
    def id_headers(self) -> tuple[str, str]:
        return ID_HEADERS[self.header_language]

    @property
    def adp_header(self) -> tuple[str, ...]:
        """The ADP file's columns: the three key columns, then the used ones in ADP's documented order."""
        used = {column.amount_header for column in self.adp_columns}
        used |= {column.code_header for column in self.adp_columns if column.code_header}
        return tuple(column for column in ADP_COLUMN_ORDER if column in ADP_KEY_COLUMNS or column in used)


def parse_targets_yaml(text: str) -> dict[str, PayrollTarget]:
    """Targets from YAML text (a mapping of target name -> settings)."""
    document = yaml.safe_load(text)
    if not isinstance(document, Mapping):
        raise TargetConfigError("*", "(document)", "payroll targets must be a mapping of target name -> settings")
    return load_targets(document)


def load_targets(config: Mapping[str, object]) -> dict[str, PayrollTarget]:
    """Every target of a mapping of target name -> settings, checked, in the mapping's order."""
    targets = {str(name): load_target(str(name), settings) for name, settings in config.items()}
    adp_batches: dict[tuple[str | None, str | None], str] = {}
    for target in targets.values():
        if target.layout != "adp_paydata_csv":
            continue
        batch = (target.company_code, target.batch_id)
        if batch in adp_batches:
            raise TargetConfigError(
                target.name, "batch_id", f"company {batch[0]} batch {batch[1]} is already target {adp_batches[batch]!r}"
            )
        adp_batches[batch] = target.name
    return targets


def load_target(name: str, settings: object) -> PayrollTarget:
    """One target from its settings mapping; ``TargetConfigError`` names the target and the field at fault."""
    if not _TARGET_NAME.fullmatch(name):
        raise TargetConfigError(name, "name", "use 1-64 letters, digits, '-' or '_' (it becomes part of file names)")
    if not isinstance(settings, Mapping):
        raise TargetConfigError(name, "(settings)", f"expected a mapping of settings, got {type(settings).__name__}")
    layout = _choice(name, settings, "layout", LAYOUTS)
    unknown = sorted(set(map(str, settings)) - _LAYOUT_FIELDS[layout])
    if unknown:
        allowed = ", ".join(sorted(_LAYOUT_FIELDS[layout]))
        raise TargetConfigError(name, unknown[0], f"not a setting of a {layout} target (settings: {allowed})")
    frequency = cast(PayFrequency, _choice(name, settings, "pay_frequency", PAY_FREQUENCIES))

    if layout == "long_csv":
        return PayrollTarget(name=name, layout="long_csv", pay_frequency=frequency)
    if layout == "wide_xlsx":
        language = cast(HeaderLanguage, _choice(name, settings, "header_language", HEADER_LANGUAGES, default="zh"))
        return PayrollTarget(
            name=name,
            layout="wide_xlsx",
            pay_frequency=frequency,
            header_language=language,
            xlsx_columns=_xlsx_columns(name, _columns(name, settings), language),
        )
    return PayrollTarget(
        name=name,
        layout="adp_paydata_csv",
        pay_frequency=frequency,
        adp_columns=_adp_columns(name, _columns(name, settings)),
        company_code=_pattern_text(
            name, settings, "company_code", _ADP_COMPANY_CODE, "ADP company codes have 3 letters, digits or '_'"
        ),
        batch_id=_pattern_text(name, settings, "batch_id", _ADP_BATCH_ID, "use 1-20 letters, digits, '-' or '_'"),
    )


def _choice(name: str, settings: Mapping[str, object], field: str, allowed: tuple[str, ...], default: str = "") -> str:
    value = settings.get(field, default or None)
    if value is None:
        raise TargetConfigError(name, field, f"missing; one of {', '.join(allowed)}")
    if value not in allowed:
        raise TargetConfigError(name, field, f"{value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _pattern_text(name: str, settings: Mapping[str, object], field: str, pattern: re.Pattern[str], rule: str) -> str:
    value = settings.get(field)
    if value is None:
        raise TargetConfigError(name, field, f"missing ({rule})")
    if not isinstance(value, str):
        raise TargetConfigError(name, field, f"must be text, got {type(value).__name__} {value!r}: quote it in YAML")
    if not pattern.fullmatch(value):
        raise TargetConfigError(name, field, f"{value!r} is not valid: {rule}")
    return value


def _columns(name: str, settings: Mapping[str, object]) -> list[tuple[str, object]]:
    columns = settings.get("columns")
    if not isinstance(columns, Mapping) or not columns:
        raise TargetConfigError(name, "columns", "missing or empty; map every component code to its column")
    pairs = []
    for code, value in columns.items():
        if not isinstance(code, str) or not _COMPONENT_CODE.fullmatch(code):
            raise TargetConfigError(name, f"columns.{code}", "component codes are upper case, e.g. WEEKLY_GOAL_BONUS")
        pairs.append((code, value))
    return pairs


def _xlsx_columns(name: str, columns: list[tuple[str, object]], language: HeaderLanguage) -> tuple[XlsxColumn, ...]:
    taken = {header: "the id columns" for header in ID_HEADERS[language]}
    result = []
    for code, value in columns:
        field = f"columns.{code}"
        if isinstance(value, Mapping):
            extra = sorted(set(map(str, value)) - set(HEADER_LANGUAGES))
            if extra:
                raise TargetConfigError(name, field, f"header languages are {', '.join(HEADER_LANGUAGES)}, not {extra}")
            if language not in value:
                raise TargetConfigError(name, field, f"no {language!r} header, the target's header_language")
            value = value[language]
        if not isinstance(value, str) or not value.strip():
            raise TargetConfigError(name, field, f"the column header must be non-empty text, got {value!r}")
        header = value.strip()
        if header in taken:
            raise TargetConfigError(name, field, f"header {header!r} is already used by {taken[header]}")
        taken[header] = code
        result.append(XlsxColumn(code, header))
    return tuple(result)


def _adp_columns(name: str, columns: list[tuple[str, object]]) -> tuple[AdpColumn, ...]:
    pairs = {"hours": list(ADP_HOURS_PAIRS), "earnings": list(ADP_EARNINGS_PAIRS)}
    used: dict[str, str] = {}
    result = []
    for code, value in columns:
        field = f"columns.{code}"
        column = _adp_column(name, field, code, value, pairs)
        slot = column.amount_header if column.code is None else f"{column.code_header}={column.code}"
        reuse_key = column.amount_header if column.code is None else f"{column.measure}:{column.code}"
        if reuse_key in used:
            raise TargetConfigError(name, field, f"{slot} is already used by {used[reuse_key]}")
        used[reuse_key] = code
        result.append(column)
    return tuple(result)


def _adp_column(name: str, field: str, code: str, value: object, pairs: dict[str, list[int]]) -> AdpColumn:
    if isinstance(value, str) and value in ADP_FIXED_COLUMNS:
        return AdpColumn(code, ADP_FIXED_COLUMNS[value], value)
    if isinstance(value, str):
        kind, adp_code = "earnings", value
    elif isinstance(value, Mapping) and len(value) == 1 and next(iter(value)) in ("earnings_code", "hours_code"):
        key = str(next(iter(value)))
        kind, adp_code = key.removesuffix("_code"), value[key]
    else:
        raise TargetConfigError(
            name,
            field,
            f"expected one of {', '.join(ADP_FIXED_COLUMNS)}, an earnings code, {{earnings_code: X}} or "
            f"{{hours_code: X}}; got {value!r}",
        )
    if not isinstance(adp_code, str) or not _ADP_CODE.fullmatch(adp_code):
        raise TargetConfigError(
            name,
            field,
            f"{adp_code!r} is neither an ADP column ({', '.join(ADP_FIXED_COLUMNS)}) nor an ADP {kind} code "
            "(1-10 letters or digits)",
        )
    if not pairs[kind]:
        documented = ADP_HOURS_PAIRS if kind == "hours" else ADP_EARNINGS_PAIRS
        raise TargetConfigError(
            name, field, f"ADP paydata has {len(documented)} {kind.title()} Code/Amount pairs and all are taken"
        )
    number = pairs[kind].pop(0)
    title = kind.title()
    measure: Measure = "hours" if kind == "hours" else "amount"
    return AdpColumn(code, measure, f"{title} {number} Amount", f"{title} {number} Code", adp_code)
