"""Names that reach SQL from configuration are quoted (or refused) and values are bound, so a hostile name cannot
end a statement and run its own."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from connectors.warehouse import (
    UnsafeSqlError,
    quote_identifier,
    replace_quarantine,
    replace_week,
    rows_not_loaded_since,
    sql_type,
)
from orchestration.lib.warehouse_rows import rows

WEEK = date(2026, 3, 2)
HOSTILE = 'x"; drop table raw.victim; --'


@pytest.fixture
def con():
    connection = duckdb.connect(":memory:")
    connection.execute("create schema raw")
    connection.execute("create table raw.victim as select 1 as id")
    yield connection
    connection.close()


def _victim_survives(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("select count(*) from raw.victim").fetchone()[0] == 1


@pytest.mark.trust("security", "SQL identifiers")
def test_a_hostile_table_name_becomes_one_literal_table_and_runs_nothing(con):
    frame = pd.DataFrame({"employee_id": ["E1", "E2"]})

    written = replace_week(con, HOSTILE, WEEK, frame, source="inbox")

    assert written == 2 and _victim_survives(con)
    names = {row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()}
    assert HOSTILE in names
    assert rows(con, f"select employee_id from raw.{quote_identifier(HOSTILE)} order by 1") == [
        {"employee_id": "E1"},
        {"employee_id": "E2"},
    ]


@pytest.mark.trust("security", "SQL identifiers")
def test_hostile_schema_and_column_names_and_key_values_are_quoted_or_bound(con):
    hostile_column = "name') ; delete from raw.victim; --"
    frame = pd.DataFrame({hostile_column: ["a"], "_source_ref": ["f.csv:2"]})

    replace_week(con, "t", WEEK, frame, source="inbox", schema=HOSTILE, extra_key={hostile_column: "' or 1=1 --"})
    replace_quarantine(con, WEEK, "x' or '1'='1", HOSTILE, pd.DataFrame({"source_ref": ["r"], "reason": ["bad"]}))
    rows_not_loaded_since(con, HOSTILE, WEEK, frame, date(2026, 1, 5))

    assert _victim_survives(con)
    stored = con.execute(f"select {quote_identifier(hostile_column)} from {quote_identifier(HOSTILE)}.t").fetchall()
    assert stored == [("a",)]
    reason = con.execute("select table_name, _source from raw.quarantine").fetchall()
    assert reason == [(HOSTILE, "x' or '1'='1")]


@pytest.mark.trust("security", "SQL identifiers")
@pytest.mark.parametrize("name", ["", "a\x00b", "tab\tname", "x" * 256, None])
def test_names_no_database_could_hold_are_refused(name):
    with pytest.raises(UnsafeSqlError, match="refusing SQL identifier"):
        quote_identifier(name)


@pytest.mark.trust("security", "SQL identifiers")
def test_embedded_quotes_are_doubled():
    assert quote_identifier('a"b') == '"a""b"'


@pytest.mark.parametrize("text", ["decimal(18,2)", "varchar", "TIMESTAMP WITH TIME ZONE", "bigint[]", "decimal(18, 6)"])
def test_plain_sql_types_pass(text):
    assert sql_type(text) == text


@pytest.mark.trust("security", "SQL identifiers")
@pytest.mark.parametrize(
    "text", ["varchar); drop table raw.victim; --", "int --", "decimal(18,2) default (select 1)", "", "date;"]
)
def test_a_hostile_column_type_is_refused_before_any_sql_runs(con, text):
    with pytest.raises(UnsafeSqlError, match="refusing SQL type"):
        replace_week(con, "typed", WEEK, pd.DataFrame({"amount": ["1"]}), source="x", column_types={"amount": text})
    assert _victim_survives(con)
    assert con.execute("select count(*) from information_schema.tables where table_name = 'typed'").fetchone() == (0,)
