from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXPORT_MODULES = [
    "exports.payroll",
    "exports.manifest",
    "exports.templates",
    "exports.notifications",
    "exports.outbox",
    "exports.pay_periods",
    "exports.targets",
    "exports.adjustments",
    "exports.period_export",
    "exports.layouts.base",
    "exports.layouts.wide_xlsx",
    "exports.layouts.adp_paydata",
    "exports.statements",
    "exports.statements.build",
    "exports.statements.explain",
    "exports.statements.labels",
    "exports.statements.model",
    "exports.statements.records",
    "exports.statements.render",
    "exports.channels.config",
    "exports.channels.payloads",
    "exports.channels.errors",
]
FORBIDDEN = ["dagster", "requests", "sqlalchemy"]


def test_exports_import_no_orchestration_or_io_frameworks():
    """Rendering stays pure so it can be tested and reused without the pipeline around it."""
    script = (
        "import sys\n"
        f"for name in {EXPORT_MODULES!r}: __import__(name)\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({FORBIDDEN!r})))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2]
    )
    assert completed.stdout.strip() == "[]"
