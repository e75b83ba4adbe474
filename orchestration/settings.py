"""Where hrhub keeps its files and which company it serves: plain, non-secret configuration from the environment.

Secrets never come through here; Dagster resources read them with ``dg.EnvVar`` at run launch.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from scoring.weeks import DEFAULT_TIMEZONE

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SWITCHABLE_SOURCES = frozenset({"wecom", "dingtalk", "feishu", "zkbiotime", "shopify", "ga4", "jira"})
"""Sources a company may not use (HRHUB_DISABLED_SOURCES); the inbox files are always read."""


@dataclass(frozen=True)
class Settings:
    home: Path
    timezone: str
    first_week: str
    plan_path: Path  # a folder of plan versions, or a single plan file
    exports_config_path: Path
    attendance_config_path: Path
    disabled_sources: frozenset[str] = frozenset()

    @property
    def duckdb_path(self) -> Path:
        return Path(os.environ.get("HRHUB_DUCKDB_PATH", self.home / "warehouse.duckdb"))

    @property
    def inbox_dir(self) -> Path:
        return Path(os.environ.get("HRHUB_INBOX_DIR", self.home / "inbox"))

    @property
    def exports_dir(self) -> Path:
        return self.home / "exports"

    @property
    def payroll_drafts_dir(self) -> Path:
        return self.exports_dir / "payroll"

    @property
    def payroll_release_dir(self) -> Path:
        """Where approved payroll files are released to: the folder payroll imports (or an SFTP sync) read."""
        return self.exports_dir / "released"

    @property
    def payroll_ledger_path(self) -> Path:
        return self.exports_dir / "payroll_ledger.jsonl"

    @property
    def statements_dir(self) -> Path:
        return self.exports_dir / "statements"

    @property
    def outbox_path(self) -> Path:
        """The dry-run channel: messages "sent" by appending to this file."""
        return self.home / "outbox" / "outbox.jsonl"

    @property
    def outbox_store_path(self) -> Path:
        """The durable outbox: every message with its delivery state."""
        return self.home / "outbox" / "outbox.sqlite"

    @property
    def gx_dir(self) -> Path:
        """The Great Expectations file context; HR reads its Data Docs at ``<gx_dir>/data_docs/index.html``."""
        return Path(os.environ.get("HRHUB_GX_DIR", self.home / "gx"))

    @property
    def dbt_runs_dir(self) -> Path:
        """Each dbt step's target folder (run_results.json, dbt.log; the newest 20) and the parse state they share."""
        return self.home / "dbt_runs"

    @property
    def sample_dir(self) -> Path:
        return self.home / "sample"

    @property
    def dagster_home(self) -> Path:
        return Path(os.environ.get("DAGSTER_HOME", self.home / "dagster_home"))


def load_settings() -> Settings:
    """Read settings from ``HRHUB_*`` variables; defaults put everything under ``var/`` in the checkout."""
    return Settings(
        home=Path(os.environ.get("HRHUB_HOME", PROJECT_ROOT / "var")).resolve(),
        timezone=os.environ.get("HRHUB_TIMEZONE", DEFAULT_TIMEZONE),
        first_week=os.environ.get("HRHUB_FIRST_WEEK", "2025-01-06"),
        plan_path=Path(os.environ.get("HRHUB_PLAN_PATH", PROJECT_ROOT / "plans")),
        exports_config_path=Path(os.environ.get("HRHUB_EXPORTS_CONFIG", PROJECT_ROOT / "config" / "exports.yaml")),
        attendance_config_path=Path(
            os.environ.get("HRHUB_ATTENDANCE_CONFIG", PROJECT_ROOT / "config" / "attendance.yaml")
        ),
        disabled_sources=_disabled_sources(os.environ.get("HRHUB_DISABLED_SOURCES", "")),
    )


def _disabled_sources(value: str) -> frozenset[str]:
    names = frozenset(name.strip().lower() for name in value.split(",") if name.strip())
    unknown = sorted(names - SWITCHABLE_SOURCES)
    if unknown:
        raise ValueError(
            f"HRHUB_DISABLED_SOURCES names unknown sources {unknown}; known: {', '.join(sorted(SWITCHABLE_SOURCES))}"
        )
    return names
