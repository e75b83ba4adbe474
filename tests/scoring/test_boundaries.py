"""scoring/ stays pure: no orchestration, HTTP or database library can creep into the rules."""

from __future__ import annotations

import ast
from pathlib import Path

import scoring

FORBIDDEN = {"dagster", "dagster_dbt", "requests", "sqlalchemy", "duckdb"}


def test_scoring_imports_no_io_frameworks():
    offenders = []
    for path in Path(scoring.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {name}" for name in names if name.split(".")[0] in FORBIDDEN]
    assert offenders == []
