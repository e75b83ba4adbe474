"""Activity events collected from the engagement platform's webhooks (``activity_events.jsonl``).

The collector stores each delivery as one JSON object per line. Webhooks are at-least-once: the same
``event_id`` can arrive twice, and both deliveries are kept here, raw; counting an event once is dbt's job
(``fct_activity_events``), so the raw layer still shows what was actually delivered. Keys the raw table
does not know are ignored (platforms add fields to payloads); a missing key is null.
"""

from __future__ import annotations

import json
from pathlib import Path

from connectors.files.inbox import RowProblem, decode_text, numbered_lines, problems_frame
from connectors.files.schemas import raw_columns, raw_frame, validate_table
from connectors.quality import Validated

TABLE = "activity_events"


def _as_text(value: object) -> str | None:
    """Keep the value as the sender meant it: ids sent as numbers become their digits."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def read_activity_events(path: Path) -> Validated:
    """Parse the JSONL feed into ``activity_events`` rows; a line that is not a JSON object is quarantined."""
    text = decode_text(path.read_bytes(), path.name)
    columns = raw_columns(TABLE)
    records: list[dict[str, str | None]] = []
    problems: list[RowProblem] = []
    for number, line, terminated in numbered_lines(text):
        if not line.strip():
            continue
        ref = f"{path.name}:{number}"
        try:
            event = json.loads(line)
        except json.JSONDecodeError as error:
            cut = "" if terminated else " (last line has no line break: the file was cut mid-write)"
            problems.append(RowProblem(ref, f"not valid JSON: {error.msg}{cut}", {"line": line}))
            continue
        if not isinstance(event, dict):
            problems.append(RowProblem(ref, "a line must hold one JSON object", {"line": line}))
            continue
        record = {column: _as_text(event.get(column)) for column in columns}
        record["_source_ref"] = ref
        records.append(record)
    return validate_table(TABLE, raw_frame(TABLE, records), problems_frame(problems))
