"""The attendance site configuration is validated on load and reaches dbt as vars."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.lib.attendance_config import AttendanceConfig, load_attendance_config
from orchestration.settings import PROJECT_ROOT


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "attendance.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_file_loads_and_puts_devices_first():
    config = load_attendance_config(PROJECT_ROOT / "config" / "attendance.yaml")
    assert config.source_precedence[:2] == ("zk", "zkbiotime")
    assert config.dbt_vars()["attendance_devices"] == []


def test_devices_reach_dbt_with_their_zone_and_offset(tmp_path):
    path = _write(
        tmp_path,
        "devices:\n"
        "  - {device_sn: ZK-SH-03, clock_offset_seconds: 240}\n"
        "  - {device_sn: ZK-TYO-01, timezone: Asia/Tokyo}\n",
    )
    assert load_attendance_config(path).dbt_vars()["attendance_devices"] == [
        {"device_sn": "ZK-SH-03", "clock_offset_seconds": 240},
        {"device_sn": "ZK-TYO-01", "timezone": "Asia/Tokyo", "clock_offset_seconds": 0},
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("source_precedence: [zk, wecom]\n", "missing"),
        ("source_precedence: [zk, zkbiotime, dingtalk, feishu, wecom, slack]\n", "unknown"),
        ("devices:\n  - {device_sn: A, timezone: Mars/Olympus}\n", "unknown time zone 'Mars/Olympus'"),
        ("devices:\n  - {device_sn: A}\n  - {device_sn: A}\n", "devices listed twice: A"),
        ("lookback_days: 90\n", "lookback_days"),
        ("devcies: []\n", "devcies"),
    ],
)
def test_mistakes_are_clear_errors_naming_the_file(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(ValueError, match=message) as error:
        load_attendance_config(path)
    assert str(path) in str(error.value)


def test_a_missing_file_means_the_defaults(tmp_path):
    assert load_attendance_config(tmp_path / "absent.yaml") == AttendanceConfig()
