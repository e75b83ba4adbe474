"""ZKBioTime connector against a real PostgreSQL database filled by the sandbox writer (and the demo's SQLite)."""

from __future__ import annotations

import traceback
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from connectors.files.schemas import raw_columns, raw_frame
from connectors.quality import validate_rows
from connectors.secret import Secret
from connectors.zkbiotime import RAW_SCHEMAS, ZkBioTimeClient, ZkBioTimeConfig, ZkBioTimeError
from sandbox.zkbiotime import ICLOCK_TRANSACTION, write_zkbiotime_database
from tests.connectors.tiny_company import TZ, WEEK, tiny_company

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
COLUMNS = ["device_sn", "pin", "punch_time_local", "verify_type", "punch_state", "work_code", "_source_ref"]
DEVICE = "ZK001"
PIN = "00004"  # tiny_company's ZK user: the PIN has leading zeros
SAMPLE_ROWS = 10  # Monday-Friday, in and out


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """A database of its own on the local server, dropped afterwards."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.fail("the PostgreSQL driver is not installed: these tests need psycopg (psycopg[binary])", pytrace=False)
    name = f"hrhub_zkbiotime_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'create database "{name}"'))
    except sa.exc.OperationalError as error:
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 (user postgres) is unreachable: {error.orig}", pytrace=False)
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'drop database if exists "{name}" with (force)'))
        admin.dispose()


@pytest.fixture
def biotime(pg_url: str) -> str:
    """The tiny company's punches on device ZK001, written afresh for each test (the writer replaces its rows)."""
    assert write_zkbiotime_database(pg_url, tiny_company(3), [DEVICE]) == SAMPLE_ROWS
    return pg_url


def client(url: str, **settings: object) -> ZkBioTimeClient:
    return ZkBioTimeClient(ZkBioTimeConfig(url=Secret(url), **settings))


def add_transactions(url: str, *rows: dict[str, object]) -> None:
    defaults = {"verify_type": 1, "work_code": "0", "terminal_sn": DEVICE, "punch_state": "0", "emp_code": PIN}
    engine = sa.create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(sa.insert(ICLOCK_TRANSACTION), [{**defaults, **row} for row in rows])
    engine.dispose()


def at(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second)


@pytest.mark.postgres
def test_fetches_the_weeks_punches_as_the_file_connector_shapes_them(biotime):
    add_transactions(
        biotime,
        {"id": 101, "punch_time": at(WEEK - timedelta(days=1), 23, 59, 59)},  # Sunday before: not this week
        {"id": 102, "punch_time": at(WEEK)},  # Monday 00:00:00 belongs to the week
        {"id": 103, "punch_time": at(WEEK + timedelta(days=6), 23, 59, 59)},  # the week's last second
        {"id": 104, "punch_time": at(WEEK + timedelta(days=7))},  # next Monday 00:00: the next week
        {"id": 105, "punch_time": at(WEEK, 7), "emp_code": "000123", "verify_type": 15, "work_code": None},
    )

    frames = client(biotime).fetch_week(WEEK, TZ)
    frame = frames["zkbiotime_punches"]

    assert list(frames) == ["zkbiotime_punches"]
    assert list(frame.columns) == COLUMNS == [*raw_columns("zk_punches"), "_source_ref"]  # the file punches' columns
    assert len(frame) == SAMPLE_ROWS + 3
    assert frame["punch_time_local"].between("2026-03-02 00:00:00", "2026-03-08 23:59:59").all()
    assert set(frame["_source_ref"]) >= {"iclock_transaction:102", "iclock_transaction:103"}
    assert "iclock_transaction:101" not in set(frame["_source_ref"])
    assert "iclock_transaction:104" not in set(frame["_source_ref"])
    first_sample = frame[frame["_source_ref"] == "iclock_transaction:1"].iloc[0].to_dict()
    assert first_sample == {
        "device_sn": DEVICE,
        "pin": PIN,
        "punch_time_local": "2026-03-02 08:55:00",
        "verify_type": "1",
        "punch_state": "0",
        "work_code": "0",
        "_source_ref": "iclock_transaction:1",
    }
    added = frame[frame["_source_ref"] == "iclock_transaction:105"].iloc[0]
    assert (added["pin"], added["verify_type"]) == ("000123", "15") and added["work_code"] is pd.NA
    assert frame.dtypes.map(str).eq("string").all()  # the same text columns as file punches
    assert validate_rows(frame, RAW_SCHEMAS["zkbiotime_punches"]).counts == {"rows_loaded": 13, "rows_quarantined": 0}


@pytest.mark.postgres
def test_rows_come_oldest_first_ties_by_id_the_same_on_every_run_and_chunk_size(biotime):
    tuesday = WEEK + timedelta(days=1)
    add_transactions(  # inserted out of order: the database's physical order must not leak out
        biotime,
        {"id": 203, "punch_time": at(tuesday, 12)},
        {"id": 201, "punch_time": at(tuesday, 12)},
        {"id": 202, "punch_time": at(tuesday, 11, 59)},
    )

    frame = client(biotime).fetch_week(WEEK, TZ)["zkbiotime_punches"]

    middays = frame[frame["_source_ref"].isin([f"iclock_transaction:{n}" for n in (201, 202, 203)])]
    assert middays["_source_ref"].tolist() == [f"iclock_transaction:{n}" for n in (202, 201, 203)]
    assert frame["punch_time_local"].is_monotonic_increasing
    for chunk_rows in (1, 4, 10_000):
        again = client(biotime, chunk_rows=chunk_rows).fetch_week(WEEK, TZ)["zkbiotime_punches"]
        assert again.equals(frame)


@pytest.mark.postgres
def test_the_week_is_read_through_a_server_side_cursor_in_chunks(biotime):
    cursors: list[tuple[str, object]] = []

    def spy(connection, cursor, statement, parameters, context, executemany):
        cursors.append((type(cursor).__name__, context.execution_options.get("yield_per")))

    sa.event.listen(sa.Engine, "before_cursor_execute", spy)
    try:
        frame = client(biotime, chunk_rows=3).fetch_week(WEEK, TZ)["zkbiotime_punches"]
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", spy)

    assert len(frame) == SAMPLE_ROWS
    assert cursors == [("ServerCursor", 3)]  # psycopg's named cursor: rows stay on the server until fetched


@pytest.mark.trust("bad input", "connectors: ZKBioTime")
@pytest.mark.postgres
def test_unusable_rows_are_quarantined_with_their_reason(biotime):
    add_transactions(
        biotime,
        {"id": 301, "punch_time": at(WEEK, 9), "emp_code": ""},
        {"id": 302, "punch_time": at(WEEK, 9), "emp_code": "   "},
        {"id": 303, "punch_time": at(WEEK, 9), "punch_state": "255"},  # BioTime's "no state"
        {"id": 304, "punch_time": at(WEEK, 9), "punch_state": "9"},
        {"id": 305, "punch_time": at(WEEK, 9), "terminal_sn": None},  # a punch no device sent
    )

    frame = client(biotime).fetch_week(WEEK, TZ)["zkbiotime_punches"]
    validated = validate_rows(frame, RAW_SCHEMAS["zkbiotime_punches"])

    assert validated.counts == {"rows_loaded": SAMPLE_ROWS, "rows_quarantined": 5}
    reasons = dict(zip(validated.quarantine["source_ref"], validated.quarantine["reason"], strict=True))
    assert "pin failed not_blank" in reasons["iclock_transaction:301"]
    assert "pin failed not_blank" in reasons["iclock_transaction:302"]
    assert reasons["iclock_transaction:303"] == "punch_state failed isin(['0', '1', '2', '3', '4', '5']) (got 255)"
    assert "punch_state failed isin" in reasons["iclock_transaction:304"]
    assert "device_sn failed not_blank" in reasons["iclock_transaction:305"]
    assert not validated.rows["_source_ref"].isin(list(reasons)).any()


@pytest.mark.postgres
def test_late_uploads_name_the_weeks_to_reload(biotime):
    zk = client(biotime)
    cursor = zk.latest_upload_time()
    assert cursor == datetime(2026, 3, 6, 18, 5, 30, tzinfo=ZoneInfo(TZ))  # Friday's check-out + upload delay
    assert zk.weeks_touched_since(cursor) == []
    previous_week = WEEK - timedelta(days=7)
    uploaded = at(WEEK + timedelta(days=8), 10)  # a device back online on the next Tuesday at 10:00
    add_transactions(
        biotime,
        {"id": 401, "punch_time": at(previous_week + timedelta(days=2), 9), "upload_time": uploaded},
        {"id": 402, "punch_time": at(WEEK + timedelta(days=5), 9), "upload_time": uploaded},
        {"id": 403, "punch_time": at(WEEK + timedelta(days=6), 9), "upload_time": uploaded},
    )

    assert zk.weeks_touched_since(cursor) == [previous_week, WEEK]
    assert zk.latest_upload_time() == uploaded.replace(tzinfo=ZoneInfo(TZ))
    # The instant is compared on the server's clock: 10:00 in Shanghai is 02:00 UTC, and "since" is strict.
    assert zk.weeks_touched_since(datetime(2026, 3, 10, 1, 59, 59, tzinfo=UTC)) == [previous_week, WEEK]
    assert zk.weeks_touched_since(datetime(2026, 3, 10, 2, 0, 0, tzinfo=UTC)) == []
    # Re-loading the previous week now brings the late punch.
    late = zk.fetch_week(previous_week, TZ)["zkbiotime_punches"]
    assert late["_source_ref"].tolist() == ["iclock_transaction:401"]
    with pytest.raises(ValueError, match="timezone-aware"):
        zk.weeks_touched_since(datetime(2026, 3, 10))


@pytest.mark.trust("security", "connectors: ZKBioTime")
@pytest.mark.postgres
def test_a_failed_connection_names_the_problem_but_never_the_password(pg_url):
    password = "Zk-Pa55word-7731"
    url = f"postgresql+psycopg://hr_reader:{password}@127.0.0.1:1/biotime"  # nothing listens on port 1
    config = ZkBioTimeConfig(url=Secret(url), connect_timeout_seconds=2)
    zk = ZkBioTimeClient(config)

    for call in (lambda: zk.fetch_week(WEEK, TZ), lambda: zk.weeks_touched_since(datetime.now(UTC))):
        with pytest.raises(ZkBioTimeError) as raised:
            call()
        printed = "".join(traceback.format_exception(raised.value))
        assert "port 1 failed" in str(raised.value) and "Connection refused" in str(raised.value)
        for text in (str(raised.value), repr(raised.value), printed):
            assert password not in text
        assert raised.value.__suppress_context__  # the driver's own exception is not printed with it
    for text in (repr(config), str(config), repr(zk.config)):
        assert password not in text


@pytest.mark.trust("security", "connectors: ZKBioTime")
@pytest.mark.postgres
def test_a_refused_login_is_scrubbed_even_where_the_server_quotes_the_secret(pg_url):
    secret = "Zk-Pa55word-8842"
    server = pg_url.rsplit("/", 1)[0]
    # A user name equal to the password: the server's "role ... does not exist" quotes it back.
    url = server.replace("postgres@", f"{secret}:{secret}@") + "/postgres"
    with pytest.raises(ZkBioTimeError, match=r'role "\*\*\*" does not exist') as raised:
        client(url).fetch_week(WEEK, TZ)
    assert secret not in "".join(traceback.format_exception(raised.value))


@pytest.mark.trust("bad input", "connectors: ZKBioTime")
def test_the_demos_sqlite_file_works_and_an_unreadable_time_is_quarantined(tmp_path):
    url = f"sqlite:///{tmp_path / 'biotime' / 'biotime.sqlite'}"
    assert write_zkbiotime_database(url, tiny_company(3), [DEVICE]) == SAMPLE_ROWS
    assert write_zkbiotime_database(url, tiny_company(3), [DEVICE]) == SAMPLE_ROWS  # replaced, not appended
    engine = sa.create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:  # SQLite keeps times as text: a hand-edited value can be anything
        connection.execute(
            sa.text("update iclock_transaction set punch_time = :bad where id = 3"), {"bad": "2026-03-03 25:61"}
        )
    engine.dispose()

    frame = client(url).fetch_week(WEEK, TZ)["zkbiotime_punches"]
    validated = validate_rows(frame, RAW_SCHEMAS["zkbiotime_punches"])

    assert len(frame) == SAMPLE_ROWS and frame["pin"].eq(PIN).all()
    assert validated.counts == {"rows_loaded": SAMPLE_ROWS - 1, "rows_quarantined": 1}
    bad = validated.quarantine.iloc[0]
    assert bad["source_ref"] == "iclock_transaction:3"
    assert "punch_time_local failed is_timestamp" in bad["reason"] and "2026-03-03 25:61" in bad["reason"]
    assert client(url).weeks_touched_since(datetime(2026, 1, 1, tzinfo=UTC)) == [WEEK]


def test_the_writer_takes_only_zk_punches_of_the_named_devices(tmp_path):
    url = f"sqlite:///{tmp_path / 'biotime.sqlite'}"
    assert write_zkbiotime_database(url, tiny_company(3), ["OTHER"]) == 0
    assert client(url).fetch_week(WEEK, TZ)["zkbiotime_punches"].equals(raw_frame("zk_punches", []))
    assert client(url).latest_upload_time() is None


def test_the_url_comes_from_the_environment_as_a_secret():
    url = "postgresql+psycopg://reader:s3cret@biotime:5432/biotime"
    config = ZkBioTimeConfig.from_env({"HRHUB_ZKBIOTIME_URL": url}, chunk_rows=500)
    assert config.url.reveal() == url and config.chunk_rows == 500
    assert "s3cret" not in repr(config)
    with pytest.raises(ZkBioTimeError, match="HRHUB_ZKBIOTIME_URL is not set"):
        ZkBioTimeConfig.from_env({})
    with pytest.raises(TypeError, match="Secret"):
        ZkBioTimeConfig(url=url)
    with pytest.raises(ValueError, match="chunk_rows"):
        ZkBioTimeConfig(url=Secret(url), chunk_rows=0)
    with pytest.raises(ValueError, match="Monday"):
        ZkBioTimeClient(ZkBioTimeConfig(url=Secret(url))).fetch_week(WEEK + timedelta(days=1), TZ)
