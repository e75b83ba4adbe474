"""The sample on disk: one Parquet file per table plus ``meta.json`` (the config and the planted findings).

Files are byte-identical for equal configs: fixed column order and types, no pandas metadata, no timestamps of
the write itself. Calendar dates are Parquet ``DATE``; instants keep their time zone (UTC).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sandbox.sample.attendance import device_clock_skew, roster_rule_violations
from sandbox.sample.config import SampleConfig
from sandbox.sample.contract import DATE_COLUMNS, TABLE_COLUMNS
from sandbox.sample.people import zk_devices

META_FILE = "meta.json"
FORMAT = "hrhub-sample/1"


def _check_tables(tables: dict[str, pd.DataFrame]) -> None:
    if set(tables) != set(TABLE_COLUMNS):
        missing, extra = sorted(set(TABLE_COLUMNS) - set(tables)), sorted(set(tables) - set(TABLE_COLUMNS))
        raise ValueError(f"sample tables do not match the contract: missing {missing}, unexpected {extra}")
    for name, columns in TABLE_COLUMNS.items():
        if tuple(tables[name].columns) != columns:
            raise ValueError(f"table {name!r} has columns {list(tables[name].columns)}, contract says {list(columns)}")


def _arrow_type(name: str, column: str, series: pd.Series) -> pa.DataType | None:
    if column in DATE_COLUMNS.get(name, ()):
        return pa.date32()
    if pd.api.types.is_string_dtype(series.dtype):
        return pa.string()
    return None  # keep what Arrow infers (int64, timestamp[s, tz=UTC], ...)


def _to_arrow(name: str, frame: pd.DataFrame) -> pa.Table:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    fields = [
        pa.field(field.name, _arrow_type(name, field.name, frame[field.name]) or field.type) for field in table.schema
    ]
    return table.cast(pa.schema(fields)).replace_schema_metadata(None)


def _from_arrow(table: pa.Table) -> pd.DataFrame:
    frame = table.to_pandas(date_as_object=False)
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column].dtype):
            frame[column] = frame[column].dt.as_unit("s")
    return frame


def planted_findings(config: SampleConfig, tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """What a correct pipeline should discover in this sample: the fast device clock and the 40 h breach."""
    devices = zk_devices(tables["employees"])
    skew = device_clock_skew(config, devices)
    violations = roster_rule_violations(tables["roster"], tables["shifts"])
    return {
        "zk_devices": devices,
        "device_clock_skew": None if skew is None else {"device_sn": skew.device_sn, "minutes": skew.minutes},
        "roster_rule_violations": [
            {
                "employee_id": row.employee_id,
                "week_start": row.week_start.date().isoformat(),
                "scheduled_hours": row.scheduled_hours,
            }
            for row in violations.itertuples(index=False)
        ],
    }


def write_sample(tables: dict[str, pd.DataFrame], config: SampleConfig, out_dir: Path) -> Path:
    """Write every table as ``<table>.parquet`` and ``meta.json`` into ``out_dir``; returns ``out_dir``."""
    _check_tables(tables)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in TABLE_COLUMNS:
        pq.write_table(_to_arrow(name, tables[name]), out_dir / f"{name}.parquet", compression="zstd")
    meta = {
        "format": FORMAT,
        "seed": config.seed,
        "employees": config.employees,
        "weeks": config.weeks,
        "start_week": config.start_week.isoformat(),
        "timezone": config.timezone,
        "end_exclusive": config.end_exclusive.isoformat(),
        "tables": {name: {"file": f"{name}.parquet", "rows": len(tables[name])} for name in TABLE_COLUMNS},
        **planted_findings(config, tables),
    }
    (out_dir / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out_dir


def read_meta(sample_dir: Path) -> dict[str, Any]:
    path = Path(sample_dir) / META_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: not a sample directory (write one with write_sample)")
    meta = json.loads(path.read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path} has format {meta.get('format')!r}, expected {FORMAT!r}")
    return meta


def load_sample(sample_dir: Path) -> tuple[SampleConfig, dict[str, pd.DataFrame]]:
    """Read a directory written by ``write_sample``: the config and frames equal to what was generated."""
    sample_dir = Path(sample_dir)
    meta = read_meta(sample_dir)
    config = SampleConfig(
        seed=meta["seed"],
        employees=meta["employees"],
        weeks=meta["weeks"],
        start_week=date.fromisoformat(meta["start_week"]),
        timezone=meta["timezone"],
    )
    tables = {}
    for name, columns in TABLE_COLUMNS.items():
        path = sample_dir / f"{name}.parquet"
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing from the sample (meta.json lists it)")
        tables[name] = _from_arrow(pq.read_table(path))
        if tuple(tables[name].columns) != columns:
            raise ValueError(f"{path} has columns {list(tables[name].columns)}, contract says {list(columns)}")
    return config, tables
