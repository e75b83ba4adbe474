"""Data arriving between schedules starts the right runs: inbox drops load their week, late punches recompute theirs."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime

import dagster as dg
import pytest

from orchestration.defs.ingestion.sensors import (
    INBOX_SETTLE_SECONDS,
    inbox_sensor,
    late_data_sensor,
    weeks_to_watch,
)
from orchestration.lib.asset_keys import raw_key
from orchestration.lib.ingest import LATE_WEEKS


def _requests(sensor: dg.SensorDefinition, context: dg.SensorEvaluationContext) -> list[dg.RunRequest]:
    """One tick of ``sensor``: the runs it asks for (``context.cursor`` holds the cursor it leaves)."""
    return [item for item in sensor(context) if isinstance(item, dg.RunRequest)]


def test_weeks_to_watch_are_this_week_and_the_one_just_ended():
    sunday_night_utc = datetime(2026, 3, 15, 16, 30, tzinfo=UTC)  # Monday 00:30 in Shanghai
    assert weeks_to_watch(sunday_night_utc, "Asia/Shanghai") == [date(2026, 3, 9), date(2026, 3, 16)]


@pytest.fixture
def inbox(tmp_path, monkeypatch):
    monkeypatch.setenv("HRHUB_INBOX_DIR", str(tmp_path / "inbox"))
    return tmp_path / "inbox"


def _settled(path):
    old = time.time() - INBOX_SETTLE_SECONDS - 5
    os.utime(path, (old, old))


def test_a_settled_file_drop_starts_one_run_of_its_week_and_a_change_starts_another(inbox):
    this_week = weeks_to_watch(datetime.now(UTC), "Asia/Shanghai")[1]
    folder = inbox / this_week.isoformat()
    folder.mkdir(parents=True)
    dropped = folder / "ZK-SH-01_attlog.dat"
    dropped.write_text("00001\t2026-03-02 09:00:00\t1\t0\t0\t0\r\n")

    still_copying = _requests(inbox_sensor, dg.build_sensor_context())
    assert still_copying == []  # modified just now: the file may be half-written

    _settled(dropped)
    first = _requests(inbox_sensor, dg.build_sensor_context())
    again = _requests(inbox_sensor, dg.build_sensor_context())
    assert [r.partition_key for r in first] == [this_week.isoformat()]
    assert [r.run_key for r in again] == [r.run_key for r in first]  # same folder state: Dagster runs it once

    dropped.write_text("00001\t2026-03-02 09:00:00\t1\t0\t0\t0\r\n00001\t2026-03-02 18:00:00\t1\t1\t0\t0\r\n")
    _settled(dropped)
    changed = _requests(inbox_sensor, dg.build_sensor_context())
    assert changed[0].partition_key == this_week.isoformat() and changed[0].run_key != first[0].run_key


def _report(instance: dg.DagsterInstance, table: str, partition: str, weeks: list[str]) -> None:
    instance.report_runless_asset_event(
        dg.AssetMaterialization(
            asset_key=raw_key(table), partition=partition, metadata={LATE_WEEKS: dg.MetadataValue.json(weeks)}
        )
    )


def test_a_load_touching_an_earlier_week_recomputes_that_week_once():
    with dg.instance_for_test() as instance:
        _report(instance, "zk_punches", "2026-03-09", ["2026-03-02", "2026-03-09"])  # history before the sensor
        context = dg.build_sensor_context(instance=instance)
        assert _requests(late_data_sensor, context) == []  # switching the sensor on does not replay history

        _report(instance, "dingtalk_punches", "2026-03-16", ["2026-03-02", "2026-03-09", "2026-03-16"])
        _report(instance, "wecom_checkins", "2026-03-16", ["2026-03-16"])
        context = dg.build_sensor_context(instance=instance, cursor=context.cursor)
        assert sorted(r.partition_key for r in _requests(late_data_sensor, context)) == ["2026-03-02", "2026-03-09"]

        context = dg.build_sensor_context(instance=instance, cursor=context.cursor)
        assert _requests(late_data_sensor, context) == []  # each load is acted on once


def test_a_late_jira_worklog_recomputes_the_week_it_belongs_to():
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance)
        assert _requests(late_data_sensor, context) == []
        _report(instance, "jira_worklogs", "2026-03-16", ["2026-03-09"])  # a worklog of last week edited today
        context = dg.build_sensor_context(instance=instance, cursor=context.cursor)
        assert [r.partition_key for r in _requests(late_data_sensor, context)] == ["2026-03-09"]
