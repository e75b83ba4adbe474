from __future__ import annotations

import multiprocessing
import stat
from collections import Counter
from pathlib import Path

import pytest

from exports.notifications import Message, idempotency_key
from exports.outbox import Channel, FileOutbox


def _messages(count: int, week: str = "2026-03-02") -> list[Message]:
    return [
        Message(
            idempotency_key=idempotency_key("employee_weekly_result", week, f"E{i:06d}", "v1-x"),
            channel="wecom",
            recipient=f"E{i:06d}",
            subject=f"本周成绩 {week}",
            body_markdown=f"### 本周成绩\n- 周奖金：**{i}.00 CNY**\n",
            locale="zh-CN",
        )
        for i in range(count)
    ]


def test_a_retried_run_sends_nothing_twice(tmp_path: Path):
    outbox = FileOutbox(tmp_path / "outbox" / "outbox.jsonl")
    messages = _messages(5)

    first = outbox.send(messages)
    second = FileOutbox(outbox.path).send(messages)

    assert first.sent == tuple(m.idempotency_key for m in messages) and first.skipped == ()
    assert second.sent == () and second.skipped == first.sent
    assert outbox.read() == messages  # Chinese text and markdown round-trip unchanged


def test_a_message_appended_by_another_writer_is_seen_between_one_by_one_sends(tmp_path: Path):
    first, second, third = _messages(3)
    outbox = FileOutbox(tmp_path / "outbox.jsonl")
    outbox.send([first])  # this object now remembers the file as it left it
    FileOutbox(outbox.path).send([second])  # another process appends behind its back

    report = outbox.send([second, third])

    assert report.skipped == (second.idempotency_key,) and report.sent == (third.idempotency_key,)
    assert outbox.read() == [first, second, third]


def test_only_new_messages_are_appended_and_a_batch_repeat_counts_once(tmp_path: Path):
    outbox = FileOutbox(tmp_path / "outbox.jsonl")
    old, new = _messages(3), _messages(2, week="2026-03-09")
    outbox.send(old)

    report = outbox.send([old[0], new[0], new[0], new[1]])

    assert report.sent == (new[0].idempotency_key, new[1].idempotency_key)
    assert report.skipped == (old[0].idempotency_key, new[0].idempotency_key)
    assert outbox.read() == [*old, *new]


def test_outbox_file_is_private(tmp_path: Path):
    outbox = FileOutbox(tmp_path / "outbox" / "outbox.jsonl")
    outbox.send(_messages(1))
    assert stat.S_IMODE(outbox.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(outbox.path.parent.stat().st_mode) == 0o700


def test_outbox_is_a_channel_that_reports_duplicates(tmp_path: Path):
    channel: Channel = FileOutbox(tmp_path / "outbox.jsonl")
    message = _messages(1)[0]
    assert channel.deliver(message).status == "sent"
    assert channel.deliver(message).status == "duplicate"


def test_a_torn_last_line_is_dropped_and_that_message_is_sent_again(tmp_path: Path):
    outbox = FileOutbox(tmp_path / "outbox.jsonl")
    first, second = _messages(2)
    outbox.send([first])
    with outbox.path.open("ab") as handle:  # a crash in the middle of appending `second`
        handle.write(b'{"body_markdown": "### half')

    assert outbox.read() == [first]
    assert outbox.send([first, second]).sent == (second.idempotency_key,)
    assert outbox.read() == [first, second]


def test_a_corrupt_record_in_the_middle_is_an_error(tmp_path: Path):
    path = tmp_path / "outbox.jsonl"
    path.write_text('{"not": "a message"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="outbox line 1"):
        FileOutbox(path).read()


def test_reading_an_outbox_that_does_not_exist_yet_is_empty(tmp_path: Path):
    assert FileOutbox(tmp_path / "missing.jsonl").read() == []
    assert not (tmp_path / "missing.jsonl").exists()


def _race(path: str, barrier, results) -> None:
    outbox = FileOutbox(Path(path))
    barrier.wait()
    sent = sum(len(outbox.send([message]).sent) for message in _messages(40))
    results.put(sent)


def test_two_processes_racing_send_each_message_once(tmp_path: Path):
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(2), context.Queue()
    path = str(tmp_path / "outbox.jsonl")
    workers = [context.Process(target=_race, args=(path, barrier, results)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0

    assert results.get(timeout=5) + results.get(timeout=5) == 40
    counts = Counter(m.idempotency_key for m in FileOutbox(Path(path)).read())
    assert len(counts) == 40
    assert set(counts.values()) == {1}
