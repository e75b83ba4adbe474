"""A stand-in ZKBioTime database: the sample company's punches of some ZK devices in ``iclock_transaction``.

The table has BioTime's names and types for the columns the connector reads plus the ones that give a row its
context (``terminal_alias``, ``area_alias``, ``source``): naive ``punch_time`` (device wall clock) and
``upload_time`` (server clock), ``punch_state`` as text, ``verify_type`` as an integer, ``emp_code`` as text.
Devices are online here, so each punch reaches the server ``UPLOAD_DELAY`` after it happened.

Used by the demo (a SQLite file) and by the connector's tests (PostgreSQL). Writing is idempotent: the table is
this module's, every call replaces its whole content, and ids are numbered in a fixed order so the same tables
always give the same rows (and the same ``_source_ref``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import timedelta
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

TABLE = "iclock_transaction"
UPLOAD_DELAY = timedelta(seconds=30)
VERIFY_FINGERPRINT = 1  # what the sample's device punches are verified by (as in the attlog files)
WORK_CODE = "0"
SOURCE_DEVICE = 1  # BioTime's ``source`` 1: the punch came from a terminal

_metadata = sa.MetaData()
ICLOCK_TRANSACTION = sa.Table(
    TABLE,
    _metadata,
    # BIGSERIAL on PostgreSQL; SQLite only auto-numbers an INTEGER primary key.
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("emp_code", sa.String(20), nullable=False),
    sa.Column("punch_time", sa.DateTime(), nullable=False),
    sa.Column("punch_state", sa.String(5), nullable=False),
    sa.Column("verify_type", sa.Integer(), nullable=False),
    sa.Column("work_code", sa.String(20), nullable=True),
    sa.Column("terminal_sn", sa.String(50), nullable=True),
    sa.Column("terminal_alias", sa.String(50), nullable=True),
    sa.Column("area_alias", sa.String(120), nullable=True),
    sa.Column("source", sa.SmallInteger(), nullable=True),
    sa.Column("upload_time", sa.DateTime(), nullable=True),
    sa.Index("iclock_transaction_punch_time", "punch_time"),
    sa.Index("iclock_transaction_upload_time", "upload_time"),
)


def write_zkbiotime_database(url: str, tables: Mapping[str, pd.DataFrame], device_sns: Collection[str]) -> int:
    """Create ``iclock_transaction`` in the database at ``url`` and fill it with the ZK punches of ``device_sns``.

    Takes ``tables["punches"]`` rows with ``source == "zk"`` on those devices, their ``emp_code`` from
    ``tables["employees"].zk_pin``. Replaces what the table held; returns the number of rows written.
    """
    rows = transaction_rows(tables["punches"], tables["employees"], device_sns)
    engine = sa.create_engine(_prepared(url), poolclass=NullPool)
    try:
        with engine.begin() as connection:
            _metadata.create_all(connection, checkfirst=True)
            connection.execute(sa.delete(ICLOCK_TRANSACTION))
            if rows:
                connection.execute(sa.insert(ICLOCK_TRANSACTION), rows)
            if rows and connection.dialect.name == "postgresql":
                # Ids were given: move BIGSERIAL past them so rows added later (a late upload) number on.
                connection.execute(
                    sa.text("select setval(pg_get_serial_sequence(:table, 'id'), :last)"),
                    {"table": TABLE, "last": len(rows)},
                )
    finally:
        engine.dispose()
    return len(rows)


def transaction_rows(
    punches: pd.DataFrame, employees: pd.DataFrame, device_sns: Collection[str]
) -> list[dict[str, object]]:
    """The ``iclock_transaction`` rows of the devices' punches, ordered by time, device and PIN, ids from 1."""
    wanted = {str(sn) for sn in device_sns}
    chosen = punches[punches["source"].eq("zk").fillna(False) & punches["device_sn"].isin(wanted).fillna(False)]
    pins = employees.set_index("employee_id")["zk_pin"]
    emp_code = chosen["employee_id"].map(pins)
    unknown = sorted(chosen.loc[emp_code.isna() | emp_code.astype("string").eq(""), "employee_id"].astype(str).unique())
    if unknown:
        raise ValueError(f"zk punches of employees without a zk_pin: {unknown[:5]}")
    punch_time = pd.to_datetime(chosen["punch_time_local"])
    if punch_time.dt.tz is not None:
        raise ValueError("punch_time_local must be naive device time")
    frame = pd.DataFrame(
        {
            "emp_code": emp_code.astype(str).to_numpy(),
            "punch_time": punch_time.dt.floor("s").to_numpy(),
            "punch_state": chosen["punch_state"].astype("int64").astype(str).to_numpy(),
            "terminal_sn": chosen["device_sn"].astype(str).to_numpy(),
        }
    ).sort_values(["punch_time", "terminal_sn", "emp_code", "punch_state"], ignore_index=True, kind="stable")
    return [
        {
            "id": number,
            "emp_code": row.emp_code,
            "punch_time": row.punch_time.to_pydatetime(),
            "punch_state": row.punch_state,
            "verify_type": VERIFY_FINGERPRINT,
            "work_code": WORK_CODE,
            "terminal_sn": row.terminal_sn,
            "terminal_alias": row.terminal_sn,
            "area_alias": "HQ",
            "source": SOURCE_DEVICE,
            "upload_time": (row.punch_time + UPLOAD_DELAY).to_pydatetime(),
        }
        for number, row in enumerate(frame.itertuples(index=False), start=1)
    ]


def _prepared(url: str) -> str:
    """A SQLite file's folder is created (the demo writes under ``var/``); other URLs are used as given."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return url
