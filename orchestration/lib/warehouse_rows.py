"""Small reads the export assets share: rows as dicts, the payroll identity of each employee, input fingerprints."""

import hashlib
import json
from collections.abc import Sequence

import duckdb


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> list[dict[str, object]]:
    cursor = con.execute(sql, list(params))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def employees_for_payroll(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str | None, str]]:
    """employee_id -> (payroll_id, name): what every payroll layout needs to name a person."""
    records = rows(con, "select employee_id, payroll_id, name from marts.dim_employee")
    return {r["employee_id"]: (r["payroll_id"], r["name"]) for r in records}


def input_fingerprint(lines: Sequence[dict[str, object]], plan_hash: str) -> str:
    """Identifies what a payroll file was made from: its lines (with their source refs) and the plan."""
    canonical = json.dumps([plan_hash, *lines], sort_keys=True, default=str).encode()
    return hashlib.sha256(canonical).hexdigest()
