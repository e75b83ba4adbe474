"""Validation at the connector boundary: good rows go on, bad rows go to quarantine with a reason.

Nothing is dropped silently: ``len(rows) + len(quarantine) == len(input)`` always holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import pandera.errors
import pandera.pandas as pa

QUARANTINE_COLUMNS = ["source_ref", "reason", "payload"]


class SchemaDriftError(ValueError):
    """The source's shape changed (a column is missing or mistyped as a whole): no row can be trusted."""


@dataclass(frozen=True)
class Validated:
    rows: pd.DataFrame
    quarantine: pd.DataFrame

    @property
    def counts(self) -> dict[str, int]:
        return {"rows_loaded": len(self.rows), "rows_quarantined": len(self.quarantine)}


def empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype="string") for column in QUARANTINE_COLUMNS})


def quarantine_rows(df: pd.DataFrame, reasons: pd.Series, source_ref_column: str = "_source_ref") -> pd.DataFrame:
    """Turn the rows of ``df`` named by ``reasons``' index into quarantine records."""
    if reasons.empty:
        return empty_quarantine()
    bad = df.loc[reasons.index]
    payload = [
        json.dumps({k: _jsonable(v) for k, v in row.items()}, ensure_ascii=False, sort_keys=True)
        for row in bad.drop(columns=[source_ref_column], errors="ignore").to_dict("records")
    ]
    refs = bad[source_ref_column].astype("string") if source_ref_column in bad else pd.Series("", index=bad.index)
    return pd.DataFrame(
        {"source_ref": refs.to_numpy(), "reason": reasons.astype("string").to_numpy(), "payload": payload}
    ).astype("string")


def validate_rows(
    df: pd.DataFrame, schema: type[pa.DataFrameModel], source_ref_column: str = "_source_ref"
) -> Validated:
    """Validate lazily; rows failing a row-level check are quarantined with every reason that applies."""
    try:
        return Validated(schema.validate(df, lazy=True), empty_quarantine())
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        frame_level = cases[cases["index"].isna()]
        if not frame_level.empty:
            problems = "; ".join(
                f"{c.column}: {c.check} ({c.failure_case})" for c in frame_level.itertuples(index=False)
            )
            raise SchemaDriftError(f"{schema.__name__}: {problems}") from errors
        labelled = cases.assign(
            label=cases["column"].map(_text)
            + " failed "
            + cases["check"].map(_text)
            + " (got "
            + cases["failure_case"].map(_text)
            + ")"
        )
        reasons = labelled.groupby("index")["label"].agg(lambda s: "; ".join(sorted(set(s))))
        reasons.index = reasons.index.astype(df.index.dtype)
        good = df.drop(index=reasons.index)
        validated = schema.validate(good, lazy=True) if not good.empty else good
        return Validated(validated, quarantine_rows(df, reasons, source_ref_column))


def _text(value: object) -> str:
    return "null" if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else str(value)


def _jsonable(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
