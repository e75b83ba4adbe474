"""ZKTeco punches read from a ZKBioTime attendance server's own database (table ``iclock_transaction``).

BioTime stores each device punch with the device's naive wall-clock time (``punch_time``) and the server's naive
time of arrival (``upload_time``); both columns are ``timestamp without time zone`` / ``DATETIME2``. Rows come out
exactly as the file connector's ``zk_punches`` rows (PIN as text with its zeros, codes as text, the time as
``YYYY-MM-DD HH:MM:SS``), into their own raw table ``zkbiotime_punches``, so dbt stages both with one macro and
maps both through the ``zk`` identities.

Devices that were offline upload their logs days later, so a week is never final: ``weeks_touched_since`` names
the weeks that received rows after an instant (keep ``latest_upload_time`` as the cursor, it is the server's own
clock) and the pipeline re-loads those weeks.

The URL holds a password: it is a ``Secret``, and every database error is re-raised as ``ZkBioTimeError`` with the
password scrubbed from its text and the original exception (whose message may quote the URL) suppressed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote, quote_plus
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from connectors.files.schemas import raw_frame
from connectors.secret import Secret
from scoring.weeks import DEFAULT_TIMEZONE, week_start_of

SOURCE = "zkbiotime"
"""The ``_source`` the warehouse writer records for these rows."""
URL_ENV = "HRHUB_ZKBIOTIME_URL"
TABLE = "zkbiotime_punches"
"""The raw table these rows go to: ``zk_punches``' columns, its own table (dbt source ``zkbiotime``), so loading a
week from the server never replaces the week's punches loaded from device files."""
SHAPE = "zk_punches"  # the file punches' raw contract, shared column for column
TRANSACTION_TABLE = "iclock_transaction"
DEFAULT_CHUNK_ROWS = 10_000
REF_PREFIX = f"{TRANSACTION_TABLE}:"
_WALL_CLOCK = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


class ZkBioTimeError(RuntimeError):
    """The BioTime database could not be read; the message never contains the password."""


@dataclass(frozen=True)
class ZkBioTimeConfig:
    url: Secret  # SQLAlchemy URL, e.g. postgresql+psycopg://hr_reader:<password>@biotime-db:5432/biotime
    server_timezone: str = DEFAULT_TIMEZONE  # the zone of the BioTime server's clock (its naive upload_time)
    db_schema: str | None = None  # None: the connection's default (PostgreSQL ``public``; ``dbo`` on SQL Server)
    chunk_rows: int = DEFAULT_CHUNK_ROWS  # rows fetched per round trip through a server-side cursor
    connect_timeout_seconds: int = 10

    def __post_init__(self) -> None:
        if not isinstance(self.url, Secret):
            raise TypeError("url must be a connectors.secret.Secret (it holds the database password)")
        ZoneInfo(self.server_timezone)  # an unknown zone fails here, not mid-run
        if self.chunk_rows < 1:
            raise ValueError(f"chunk_rows must be at least 1, got {self.chunk_rows}")
        if self.connect_timeout_seconds < 1:
            raise ValueError(f"connect_timeout_seconds must be at least 1, got {self.connect_timeout_seconds}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **settings: Any) -> ZkBioTimeConfig:
        """The config with the URL from ``HRHUB_ZKBIOTIME_URL``; a clear error when it is not set."""
        url = (os.environ if environ is None else environ).get(URL_ENV, "").strip()
        if not url:
            raise ZkBioTimeError(f"{URL_ENV} is not set: it must hold the SQLAlchemy URL of the ZKBioTime database")
        return cls(url=Secret(url), **settings)


def transaction_table(db_schema: str | None = None) -> sa.Table:
    """The columns of BioTime's ``iclock_transaction`` this connector reads (the table has about 25)."""
    return sa.Table(
        TRANSACTION_TABLE,
        sa.MetaData(),
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("emp_code", sa.String),
        sa.Column("punch_time", sa.DateTime),
        sa.Column("punch_state", sa.String),
        sa.Column("verify_type", sa.Integer),
        sa.Column("work_code", sa.String),
        sa.Column("terminal_sn", sa.String),
        sa.Column("upload_time", sa.DateTime),
        schema=db_schema,
    )


class ZkBioTimeClient:
    def __init__(self, config: ZkBioTimeConfig) -> None:
        self.config = config
        self._table = transaction_table(config.db_schema)

    def fetch_week(self, week_start: date, tz: str) -> dict[str, pd.DataFrame]:
        """Punches whose device time falls in ``[Monday 00:00, next Monday 00:00)``, oldest first (then by id).

        ``punch_time`` is the device's wall clock in the company zone ``tz``, so the window is compared on wall-clock
        values; ``tz`` only converts values a driver returns with a zone attached.
        """
        if week_start.weekday() != 0:
            raise ValueError(f"week_start must be a Monday, got {week_start}")
        zone = ZoneInfo(tz)
        start = datetime.combine(week_start, time.min)
        t = self._table
        # The time is read without SQLAlchemy's type processing: a text-stored value (SQLite) that does not parse
        # must reach validation and be quarantined with its value, not crash the fetch.
        query = (
            sa.select(
                t.c.id,
                t.c.terminal_sn,
                t.c.emp_code,
                sa.type_coerce(t.c.punch_time, sa.String).label("punch_time"),
                t.c.verify_type,
                t.c.punch_state,
                t.c.work_code,
            )
            .where(t.c.punch_time >= start, t.c.punch_time < start + timedelta(days=7))
            .order_by(t.c.punch_time, t.c.id)
        )
        frames = [
            raw_frame(SHAPE, [_punch_record(row, zone) for row in chunk])
            for chunk in self._stream(query, f"reading the punches of the week {week_start}")
        ]
        frame = pd.concat(frames, ignore_index=True) if frames else raw_frame(SHAPE, [])
        return {TABLE: frame}

    def weeks_touched_since(self, upload_after: datetime) -> list[date]:
        """The weeks (Mondays, ascending) of the punches uploaded strictly after ``upload_after`` (timezone-aware).

        A punch whose time cannot be read belongs to no week and is left out here; it is quarantined when its
        week is fetched.
        """
        after = self._server_wall_clock(upload_after)
        t = self._table
        query = sa.select(sa.type_coerce(t.c.punch_time, sa.String).label("punch_time")).where(t.c.upload_time > after)
        weeks: set[date] = set()
        zone = ZoneInfo(self.config.server_timezone)
        for chunk in self._stream(query, f"reading the punches uploaded after {upload_after.isoformat()}"):
            for row in chunk:
                text = _local_time_text(row.punch_time, zone)
                day = _date_of(text)
                if day is not None:
                    weeks.add(week_start_of(day))
        return sorted(weeks)

    def latest_upload_time(self) -> datetime | None:
        """The newest ``upload_time`` as an aware instant: the cursor to pass to ``weeks_touched_since`` next time."""
        query = sa.select(sa.func.max(self._table.c.upload_time))
        with self._connection("reading the latest upload time") as connection:
            latest = connection.execute(query).scalar()
        if latest is None:
            return None
        if isinstance(latest, str):  # SQLite may hand the aggregate back as text
            latest = datetime.fromisoformat(latest)
        zone = ZoneInfo(self.config.server_timezone)
        return latest.astimezone(zone) if latest.tzinfo else latest.replace(tzinfo=zone)

    # ---------- database access: every error leaves without the password

    def _server_wall_clock(self, instant: datetime) -> datetime:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError(f"upload_after must be timezone-aware (an instant), got the naive {instant.isoformat()}")
        return instant.astimezone(ZoneInfo(self.config.server_timezone)).replace(tzinfo=None)

    def _stream(self, query: sa.Select, action: str) -> Iterator[Sequence[sa.Row]]:
        """The query's rows in chunks of ``chunk_rows`` through a server-side cursor (never the whole result)."""
        with self._connection(action) as connection:
            result = connection.execution_options(yield_per=self.config.chunk_rows).execute(query)
            yield from result.partitions()

    @contextmanager
    def _connection(self, action: str) -> Iterator[sa.Connection]:
        try:
            engine = self._engine()
            try:
                with engine.connect() as connection:
                    if engine.dialect.name == "postgresql":
                        connection = connection.execution_options(postgresql_readonly=True)
                    yield connection
            finally:
                engine.dispose()
        except (sa.exc.SQLAlchemyError, ImportError) as error:
            raise ZkBioTimeError(self._scrub(f"ZKBioTime database: {action} failed: {_describe(error)}")) from None

    def _engine(self) -> sa.Engine:
        url = sa.make_url(self.config.url.reveal())
        connect_args: dict[str, Any] = {}
        if url.get_backend_name() == "postgresql":
            connect_args = {"connect_timeout": self.config.connect_timeout_seconds, "application_name": "hrhub"}
        return sa.create_engine(url, poolclass=NullPool, hide_parameters=True, connect_args=connect_args)

    def _scrub(self, text: str) -> str:
        secrets = {self.config.url.reveal()}
        try:
            password = sa.make_url(self.config.url.reveal()).password
        except sa.exc.ArgumentError:
            password = None
        if password:
            secrets |= {str(password), quote(str(password), safe=""), quote_plus(str(password))}
        for secret in sorted(secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text


def _describe(error: BaseException) -> str:
    """The driver's own message (SQLAlchemy's wrapper adds the SQL and a link), on one line."""
    if isinstance(error, ImportError):
        return f"the database driver is not installed ({error})"
    original = getattr(error, "orig", None)
    message = str(original) if original is not None else str(error)
    return f"{type(original or error).__name__}: " + " ".join(message.split())


# ---------- row shaping: values as BioTime holds them, as text


def _punch_record(row: sa.Row, zone: ZoneInfo) -> dict[str, str | None]:
    return {
        "device_sn": _text(row.terminal_sn),
        "pin": _text(row.emp_code),
        "punch_time_local": _local_time_text(row.punch_time, zone),
        "verify_type": _text(row.verify_type),
        "punch_state": _text(row.punch_state),
        "work_code": _text(row.work_code),
        "_source_ref": f"{REF_PREFIX}{row.id}",
    }


def _text(value: object) -> str | None:
    """Ids and codes as text, never through a number: ``emp_code`` ``00012`` keeps its zeros."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(int(value))
    return str(value)


def _local_time_text(value: object, zone: ZoneInfo) -> str | None:
    """``YYYY-MM-DD HH:MM:SS`` (device seconds; fractions dropped); unreadable text is returned as it was."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(zone).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def _date_of(text: str | None) -> date | None:
    """The calendar day of a ``YYYY-MM-DD HH:MM:SS`` wall-clock text (no zone involved); ``None`` if it is not one."""
    try:
        return date.fromisoformat(text[:10]) if text and _WALL_CLOCK.fullmatch(text) else None
    except ValueError:
        return None
