"""The webhook collector's JSONL: every delivery kept raw, broken lines quarantined."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from connectors.files.activity_feed import read_activity_events

EVENT = {
    "event_id": "ev-9",
    "event_type": "story_liked",
    "activity_id": "A01",
    "activity_type": "story",
    "employee_id": "E000002",
    "counterpart_id": "E000001",
    "story_id": "S1",
    "team_id": "Design-1",
    "occurred_at": "2026-03-02T03:00:00Z",
}


def _feed(tmp_path, lines: list[str], trailing_newline: bool = True):
    path = tmp_path / "activity_events.jsonl"
    path.write_text("\n".join(lines) + ("\n" if trailing_newline else ""), encoding="utf-8")
    return path


@pytest.mark.trust("bad input", "files: activity feed")
def test_a_duplicate_delivery_is_kept_as_its_own_row(tmp_path):
    line = json.dumps(EVENT)

    result = read_activity_events(_feed(tmp_path, [line, line]))

    assert result.rows["event_id"].tolist() == ["ev-9", "ev-9"]
    assert result.rows["_source_ref"].tolist() == ["activity_events.jsonl:1", "activity_events.jsonl:2"]


@pytest.mark.trust("bad input", "files: activity feed")
def test_broken_lines_are_quarantined_and_counted(tmp_path):
    lines = [
        json.dumps(EVENT),
        json.dumps({**EVENT, "event_type": "story_shared"}),  # unknown type
        json.dumps({**EVENT, "occurred_at": "2026-03-02 03:00:00"}),  # no offset: ambiguous instant
        "[1, 2]",
        json.dumps(EVENT)[:40],  # cut mid-write
    ]
    result = read_activity_events(_feed(tmp_path, lines, trailing_newline=False))

    assert len(result.rows) == 1 and len(result.quarantine) == 4
    reasons = dict(zip(result.quarantine["source_ref"], result.quarantine["reason"], strict=True))
    assert "event_type failed isin" in reasons["activity_events.jsonl:2"]
    assert "occurred_at failed is_iso8601_with_offset" in reasons["activity_events.jsonl:3"]
    assert reasons["activity_events.jsonl:4"] == "a line must hold one JSON object"
    assert "cut mid-write" in reasons["activity_events.jsonl:5"]


def test_numeric_ids_become_text_and_extra_keys_are_ignored(tmp_path):
    event = {**EVENT, "event_id": 12345678901234567890, "team_id": 7, "counterpart_id": None, "delivery": {"try": 2}}

    row = read_activity_events(_feed(tmp_path, [json.dumps(event)])).rows.iloc[0]

    assert row["event_id"] == "12345678901234567890"
    assert row["team_id"] == "7"
    assert pd.isna(row["counterpart_id"])
