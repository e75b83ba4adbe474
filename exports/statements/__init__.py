"""Employee statements: per employee and pay period, every amount with the plan, inputs and steps behind it.

``build_statement`` / ``build_period_statements`` turn warehouse rows into a checked ``Statement``;
``statement_json`` / ``statement_html`` render it; ``statement_files`` names the files. All pure: no I/O here.
"""

from exports.statements.build import RejectedStatement, build_period_statements, build_statement
from exports.statements.model import Statement, StatementError
from exports.statements.render import (
    statement_dict,
    statement_file_name,
    statement_files,
    statement_html,
    statement_json,
)

__all__ = [
    "RejectedStatement",
    "Statement",
    "StatementError",
    "build_period_statements",
    "build_statement",
    "statement_dict",
    "statement_file_name",
    "statement_files",
    "statement_html",
    "statement_json",
]
