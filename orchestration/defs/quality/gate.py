"""The export steps' gate: a week whose latest Great Expectations validation failed exports nothing.

Blocking checks already stop the exports in the run that failed them; this gate reads the recorded outcome
(``quality.gx_validations``), so a later run of the exports alone is held with the same reason.
"""

from __future__ import annotations

from datetime import date

import dagster as dg
import duckdb

from orchestration.lib.gx_suites import held_reason


def hold_if_checks_failed(context: dg.AssetExecutionContext, con: duckdb.DuckDBPyConnection, week: date) -> None:
    """Raise ``dg.Failure`` naming the failed suites and expectations when the week may not be exported."""
    hold = held_reason(con, week)
    if hold is None:
        return
    context.log.error(hold.reason)
    raise dg.Failure(
        description=hold.reason,
        metadata={
            "week": str(week),
            "failed_suites": dg.MetadataValue.json(sorted(hold.failures)),
            "failures": dg.MetadataValue.json(hold.details),
            "data_docs": dg.MetadataValue.path(hold.data_docs),
            "next_step": "fix the inputs (or the scoring) and re-run the week: the checks run again with it",
        },
        allow_retries=False,
    )
