"""The promise of issue 7: a delivery run killed midway and restarted sends no message twice, loses none, and
reports the one whose fate it cannot know. Real processes, a real SIGKILL, a real HTTP bot server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from exports.delivery.outbox_store import OutboxStore
from tests.exports.bot_server import WECOM_KEY, BotServer, Received
from tests.exports.outbox_kill_worker import messages

ROOT = Path(__file__).parents[2]
N = 30
KEYS = [message.idempotency_key for message in messages(N)]


def _start_worker(outbox_db: Path, base_url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.exports.outbox_kill_worker", str(outbox_db), base_url, str(N)],
        cwd=ROOT,
        env={**os.environ, "HRHUB_TEST_WECOM_KEY": WECOM_KEY},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run_worker(outbox_db: Path, base_url: str) -> dict:
    worker = _start_worker(outbox_db, base_url)
    stdout, stderr = worker.communicate(timeout=60)
    assert worker.returncode == 0, stderr
    return json.loads(stdout)


def _kill(worker: subprocess.Popen[str]) -> None:
    os.kill(worker.pid, signal.SIGKILL)
    worker.communicate(timeout=10)
    assert worker.returncode == -signal.SIGKILL


def test_killed_while_a_message_is_in_flight(tmp_path: Path):
    """Killed while the bot holds the 10th request: 9 sent, the 10th unknown, 20 pending; the restart sends the
    20, reports the 10th and never sends it again."""
    outbox_db = tmp_path / "outbox.db"
    in_flight, release = threading.Event(), threading.Event()

    def hold_the_tenth(received: Received) -> None:
        if received.idempotency_key == KEYS[9]:
            in_flight.set()
            release.wait(timeout=30)

    with BotServer(on_request=hold_the_tenth) as server:
        worker = _start_worker(outbox_db, server.base_url)
        assert in_flight.wait(timeout=30), worker.stderr
        _kill(worker)
        release.set()

        with OutboxStore(outbox_db) as store:  # the state the kill left: "sending" was committed before the request
            assert store.status_counts() == {"pending": 20, "sending": 1, "sent": 9, "failed": 0, "unknown": 0}
            assert [row.message.idempotency_key for row in store.rows("sending")] == [KEYS[9]]

        restart = _run_worker(outbox_db, server.base_url)
        again = _run_worker(outbox_db, server.base_url)

        received = Counter(server.keys())

    assert restart["new"] == 0 and restart["already_present"] == N  # the retried run rebuilt the same messages
    assert restart["recovered"] == restart["unknown"] == [KEYS[9]]
    assert restart["sent"] == KEYS[10:] and restart["retry_later"] == []
    assert again["sent"] == [] and again["unknown"] == [KEYS[9]]  # still reported, still not re-sent
    assert received == Counter(KEYS)  # every message reached the bot exactly once
    with OutboxStore(outbox_db) as store:
        assert store.status_counts() == {"pending": 0, "sending": 0, "sent": 29, "failed": 0, "unknown": 1}
        assert store.get(KEYS[9]).last_error.startswith("interrupted while sending")


def test_killed_at_an_arbitrary_moment_of_a_slow_run(tmp_path: Path):
    """Wherever the kill lands (mid-request, between requests, between commit and request), nothing arrives
    twice, at most the one in-flight message is unknown, and everything else is delivered after the restart."""
    outbox_db = tmp_path / "outbox.db"
    with BotServer(on_request=lambda received: time.sleep(0.02)) as server:  # a slow bot: about 50 messages/s
        worker = _start_worker(outbox_db, server.base_url)
        deadline = time.monotonic() + 30
        while len(server.keys()) < 12 and time.monotonic() < deadline:
            time.sleep(0.005)
        _kill(worker)
        received_before = len(server.keys())
        assert 12 <= received_before < N

        restart = _run_worker(outbox_db, server.base_url)
        received = Counter(server.keys())

    assert max(received.values()) == 1  # no key twice
    assert len(restart["unknown"]) <= 1 and restart["unknown"] == restart["recovered"]
    with OutboxStore(outbox_db) as store:
        statuses = {row.message.idempotency_key: row.status for row in store.rows()}
    unknown = [key for key, status in statuses.items() if status == "unknown"]
    assert unknown == restart["unknown"]
    assert all(statuses[key] == "sent" and received[key] == 1 for key in KEYS if key not in unknown)
    assert all(received[key] <= 1 for key in unknown)  # killed after the commit, maybe before the request left
