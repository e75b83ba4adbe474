"""The raw layer in DuckDB: each ingestion replaces one week of one table, atomically.

Replacing a week (delete + insert in one transaction) makes every load idempotent: a re-run, a retry or a
backfill leaves the same rows behind. Connections are short-lived because DuckDB allows one writer per file
and dbt opens the same file between ingestion steps.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from connectors.quality import QUARANTINE_COLUMNS

RAW_SCHEMA = "raw"
QUARANTINE_TABLE = "quarantine"


def batch_id(df: pd.DataFrame) -> str:
    """A content fingerprint of what was fetched: the same payload always gets the same id."""
    if df.empty:
        return hashlib.sha256(b"").hexdigest()[:16]
    hashed = pd.util.hash_pandas_object(df.astype("string"), index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()[:16]


@contextmanager
def connect(path: str | Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        yield con
    finally:
        con.close()


class UnsafeSqlError(ValueError):
    """A name or SQL type that cannot be put into a statement safely."""


_MAX_IDENTIFIER = 255
_SQL_TYPE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(?: [A-Za-z][A-Za-z0-9_]*)*(?:\(\s*\d+\s*(?:,\s*\d+\s*)?\))?(?:\[\])?$")


def quote_identifier(name: str) -> str:
    """``name`` as a double-quoted SQL identifier: the one way a schema, table or column name enters SQL here.

    Quoting (embedded quotes doubled) makes any text a single name, so ``x"; drop table y; --`` names a table
    rather than ending the statement. Names no database could hold (empty, control characters, too long) are
    refused: they only come from a broken or hostile configuration.
    """
    if not isinstance(name, str) or not name or len(name) > _MAX_IDENTIFIER:
        raise UnsafeSqlError(f"refusing SQL identifier {name!r}: it must be 1 to {_MAX_IDENTIFIER} characters")
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        raise UnsafeSqlError(f"refusing SQL identifier {name!r}: it contains control characters")
    return '"' + name.replace('"', '""') + '"'


def sql_type(text: str) -> str:
    """``text`` if it is a plain SQL type (``varchar``, ``decimal(18, 2)``, ``double precision``, ``int[]``);
    a type cannot be bound as a parameter, so anything else is refused rather than spliced into a statement."""
    if not isinstance(text, str) or not _SQL_TYPE.fullmatch(text.strip()):
        raise UnsafeSqlError(f"refusing SQL type {text!r}: expected a plain type name such as decimal(18,2)")
    return text.strip()


_quoted = quote_identifier


def replace_week(
    con: duckdb.DuckDBPyConnection,
    table: str,
    week_start: date,
    df: pd.DataFrame,
    source: str,
    schema: str = RAW_SCHEMA,
    extra_key: dict[str, str] | None = None,
    column_types: dict[str, str] | None = None,
) -> int:
    """Replace ``week_start``'s rows of ``schema.table`` with ``df`` (plus lineage columns); returns rows written.

    ``extra_key`` narrows what is replaced inside the week (e.g. one source's quarantine rows). ``column_types``
    fixes SQL types when the table is created (otherwise inferred from this frame: a Decimal column would get the
    precision of its first values and overflow on later weeks).
    """
    frame = df.reset_index(drop=True)
    frame.insert(0, "week_start", week_start)
    frame["_source"] = source
    frame["_batch_id"] = batch_id(df)
    # Untyped (object) columns with no values would create NULL-typed columns that later rows cannot fill.
    untyped = [c for c in frame.columns if c != "week_start" and frame[c].dtype == object and frame[c].isna().all()]
    frame[untyped] = frame[untyped].astype("string")
    target = f"{_quoted(schema)}.{_quoted(table)}"
    con.execute(f"create schema if not exists {_quoted(schema)}")
    con.register("incoming", frame)
    try:
        con.execute("begin transaction")
        declared = {"week_start": "date", **(column_types or {})}
        casts = ", ".join(
            f"cast({_quoted(c)} as {sql_type(t)}) as {_quoted(c)}" for c, t in declared.items() if c in frame
        )
        excluded = ", ".join(_quoted(c) for c in declared if c in frame)
        con.execute(
            f"create table if not exists {target} as select {casts}, * exclude ({excluded}) from incoming limit 0"
        )
        _add_new_columns(con, schema, table, declared)
        where = "week_start = ?"
        params: list[object] = [week_start]
        for column, value in (extra_key or {}).items():
            where += f" and {_quoted(column)} = ?"
            params.append(value)
        con.execute(f"delete from {target} where {where}", params)
        con.execute(f"insert into {target} by name select * from incoming")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("incoming")
    return len(frame)


def _add_new_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str, declared: dict[str, str]) -> None:
    """A column the loader sends that an older table lacks (a connector gained a field) is added, empty for the
    weeks loaded before, instead of failing every load after an upgrade."""
    existing = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()
    }
    for name, inferred, *_ in con.execute("describe select * from incoming").fetchall():
        if name not in existing:
            # DuckDB's own description of the frame is trusted; only a caller's declared type is checked.
            column_type = sql_type(declared[name]) if name in declared else inferred
            con.execute(f"alter table {_quoted(schema)}.{_quoted(table)} add column {_quoted(name)} {column_type}")


def replace_quarantine(
    con: duckdb.DuckDBPyConnection, week_start: date, source: str, table: str, quarantine: pd.DataFrame
) -> int:
    """Record the week's quarantined rows for one source table (replacing the previous attempt's)."""
    frame = quarantine.reindex(columns=QUARANTINE_COLUMNS).astype("string")
    frame.insert(0, "table_name", table)
    return replace_week(
        con, QUARANTINE_TABLE, week_start, frame, source, extra_key={"_source": source, "table_name": table}
    )


def rows_not_loaded_since(
    con: duckdb.DuckDBPyConnection, table: str, week_start: date, df: pd.DataFrame, earliest: date
) -> pd.DataFrame:
    """The rows of ``df`` whose values (all but ``_source_ref``) no partition in ``[earliest, week_start)`` of
    ``raw.<table>`` holds yet: what a lookback re-read brought that is actually new."""
    columns = [c for c in df.columns if c != "_source_ref"]
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [RAW_SCHEMA, table]
    ).fetchone()[0]
    if df.empty or not exists or not columns:
        return df
    selected = ", ".join(f"cast({_quoted(c)} as varchar)" for c in columns)
    earlier = con.execute(
        f"select {selected} from {_quoted(RAW_SCHEMA)}.{_quoted(table)} where week_start >= ? and week_start < ?",
        [earliest, week_start],
    ).fetchall()
    if not earlier:
        return df
    seen = {tuple("" if v is None else v for v in row) for row in earlier}
    texts = df[columns].astype("string").fillna("")
    novel = [tuple(row) not in seen for row in texts.itertuples(index=False, name=None)]
    return df.loc[pd.Series(novel, index=df.index, dtype=bool)]
