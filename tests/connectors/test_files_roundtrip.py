"""Render a sample week into the inbox, read it back: the raw tables hold exactly the rendered rows."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from connectors.files import RAW_TABLES, quarantine_by_table, read_inbox_week
from connectors.files.schemas import raw_columns
from sandbox.inbox import write_inbox_week
from tests.sandbox.test_inbox import TZ, WEEK, small_company_tables


@pytest.fixture
def inbox(tmp_path):
    tables = small_company_tables()
    write_inbox_week(tables, WEEK, tmp_path, TZ)
    return tmp_path, tables, read_inbox_week(tmp_path, WEEK)


def _rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    return sorted(tuple(None if pd.isna(v) else v for v in row) for row in frame[columns].itertuples(index=False))


def test_every_raw_table_has_exactly_the_contract_columns(inbox):
    _, _, frames = inbox

    assert set(frames) == {*RAW_TABLES, "quarantine"}
    for table in RAW_TABLES:
        assert list(frames[table].columns) == [*raw_columns(table), "_source_ref"], table
        assert {"week_start", "_source", "_batch_id"}.isdisjoint(frames[table].columns)
    assert frames["quarantine"].empty


def test_punches_come_back_with_pins_and_device_times_unchanged(inbox):
    _, tables, frames = inbox
    pins = tables["employees"].set_index("employee_id")["zk_pin"]
    punches = tables["punches"]
    local_days = punches["punch_time_local"].dt.date
    in_week = punches[(punches["source"] == "zk") & (local_days >= WEEK) & (local_days <= date(2026, 3, 8))]
    expected = sorted(
        (row.device_sn, pins[row.employee_id], row.punch_time_local.strftime("%Y-%m-%d %H:%M:%S"), str(row.punch_state))
        for row in in_week.itertuples()
    )

    assert _rows(frames["zk_punches"], ["device_sn", "pin", "punch_time_local", "punch_state"]) == expected
    assert set(frames["zk_punches"]["pin"]) == {"00012", "00345"}


def test_hr_tables_round_trip(inbox):
    _, _, frames = inbox

    assert _rows(frames["hris_employees"], ["employee_id", "name", "hire_date", "termination_date", "manager_id"]) == [
        ("E000001", "张伟", "2025-01-06", None, None),
        ("E000002", "李娜", "2024-05-01", "2026-03-04", "E000001"),
        ("E000003", "王强", "2026-03-03", None, "E000001"),
    ]
    assert ("E000001", "zk", "00012") in _rows(frames["hris_identities"], ["employee_id", "system", "external_id"])
    assert _rows(frames["roster_shifts"], raw_columns("roster_shifts")) == [
        ("E000001", "2026-03-02", "DAY", "09:00", "18:00", "60"),
        ("E000002", "2026-03-03", "EVENING", "16:00", "00:00", "60"),
        ("E000003", "2026-03-08", "NIGHT", "22:00", "06:00", "60"),
    ]
    assert _rows(frames["leave_requests"], raw_columns("leave_requests")) == [
        ("E000001", "2026-03-05", "8", "annual", "approved")
    ]


def test_commerce_tables_round_trip(inbox):
    _, _, frames = inbox

    assert _rows(frames["project_pnl"], raw_columns("project_pnl")) == [
        ("P01", "2026-03-02", "150000.00", "90000.00", "10000.00", "CNY"),
        ("P02", "2026-03-02", "-20.50", "10.00", "0.00", "CNY"),
    ]
    assert _rows(frames["product_registry"], ["product_id", "operator_id"]) == [
        ("PR01", "E000001"),
        ("PR01", "E000004"),
        ("PR02", None),
    ]
    assert _rows(frames["creative_registry"], ["creative_id", "live_from", "operator_rating"]) == [
        ("C01", "2026-02-01", "4"),
        ("C03", "2026-03-08", "5"),
    ]


def test_redelivered_webhook_events_are_kept_raw(inbox):
    _, _, frames = inbox
    events = frames["activity_events"]
    counts = events["event_id"].value_counts()

    assert sorted(counts.index) == ["ev-1", "ev-2", "ev-3", "ev-5"]
    assert sorted(counts.to_list()) == [1, 1, 1, 2]
    assert events["_source_ref"].is_unique


def test_source_refs_name_file_and_row(inbox):
    _, _, frames = inbox

    assert frames["zk_punches"]["_source_ref"].tolist() == [
        "ZK01_attlog.dat:1",
        "ZK01_attlog.dat:2",
        "ZK02_attlog.dat:1",
        "ZK02_attlog.dat:2",
    ]
    assert frames["hris_employees"]["_source_ref"].tolist()[0] == "hr_roster.csv:2"  # row 1 is the header


def test_quarantine_splits_into_an_entry_per_table(inbox):
    _, _, frames = inbox

    split = quarantine_by_table(frames)

    assert set(split) == {*RAW_TABLES, "inbox_files"}
    assert all(frame.empty and list(frame.columns) == ["source_ref", "reason", "payload"] for frame in split.values())


def test_a_generated_sample_week_reads_back_cleanly(tmp_path):
    sample = pytest.importorskip("sandbox.sample")
    if not hasattr(sample, "generate_sample"):
        pytest.skip("sandbox.sample.generate_sample is not available yet")
    week = date(2026, 3, 2)
    tables = sample.generate_sample(sample.SampleConfig(seed=3, employees=40, weeks=1, start_week=week))

    write_inbox_week(tables, week, tmp_path, TZ)
    frames = read_inbox_week(tmp_path, week)

    assert frames["quarantine"].empty, frames["quarantine"].head().to_dict("records")
    punches = tables["punches"]
    days = pd.to_datetime(punches["punch_time_local"]).dt.date
    zk_in_week = punches[(punches["source"] == "zk") & (days >= week) & (days < date(2026, 3, 9))]
    assert len(frames["zk_punches"]) == len(zk_in_week) > 0
    assert len(frames["roster_shifts"]) == len(tables["roster"])
    assert set(frames["hris_employees"]["employee_id"]) <= set(tables["employees"]["employee_id"])
