"""The attendance site configuration (``config/attendance.yaml``): source precedence, lookback, devices.

These are facts about a company's installation, not pay rules, so they live beside the plan rather than in it.
They reach dbt as vars (``dbt_vars``) and the ingestion assets as the lookback and plausibility window.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

KNOWN_SOURCES = ("zk", "zkbiotime", "dingtalk", "feishu", "wecom")


class DeviceSetting(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    device_sn: Annotated[str, Field(min_length=1)]
    timezone: str | None = None
    clock_offset_seconds: Annotated[StrictInt, Field(ge=-86_400, le=86_400)] = 0

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as error:
                raise ValueError(f"unknown time zone {value!r}") from error
        return value


class AttendanceConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    source_precedence: tuple[str, ...] = KNOWN_SOURCES
    lookback_days: Annotated[StrictInt, Field(ge=0, le=31)] = 7
    max_punch_age_days: Annotated[StrictInt, Field(ge=1, le=3660)] = 62
    devices: tuple[DeviceSetting, ...] = ()

    @field_validator("source_precedence")
    @classmethod
    def _every_source_once(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - set(KNOWN_SOURCES))
        missing = sorted(set(KNOWN_SOURCES) - set(value))
        if unknown or missing or len(set(value)) != len(value):
            raise ValueError(
                f"must list each of {', '.join(KNOWN_SOURCES)} once (unknown: {unknown}, missing: {missing})"
            )
        return value

    @model_validator(mode="after")
    def _devices_once(self) -> AttendanceConfig:
        serials = [device.device_sn for device in self.devices]
        repeated = sorted({sn for sn in serials if serials.count(sn) > 1})
        if repeated:
            raise ValueError(f"devices listed twice: {', '.join(repeated)}")
        return self

    def dbt_vars(self) -> dict[str, object]:
        return {
            "attendance_source_precedence": list(self.source_precedence),
            "attendance_devices": [device.model_dump(exclude_none=True) for device in self.devices],
        }


def load_attendance_config(path: Path) -> AttendanceConfig:
    """Read and validate the file; a missing file means the defaults."""
    if not path.exists():
        return AttendanceConfig()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return AttendanceConfig.model_validate(data)
    except (yaml.YAMLError, ValueError) as error:
        raise ValueError(f"{path}: {error}") from error
