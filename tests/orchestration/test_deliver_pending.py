"""Messages left pending by a weekly run go out with the next delivery run, once."""

from datetime import date
from decimal import Decimal
from pathlib import Path

from exports.delivery import OutboxStore
from exports.notifications import EmployeeWeeklyResult, employee_weekly_message
from exports.outbox import FileOutbox
from orchestration.defs.exports.delivery import deliver_pending_notifications
from orchestration.defs.resources import ExportsResource


def _exports(tmp_path: Path) -> ExportsResource:
    config = tmp_path / "exports.yaml"
    config.write_text(
        "notifications:\n  dry_run: true\n  channels:\n    group: {kind: wecom_bot, key_env: HRHUB_TEST_BOT_KEY}\n"
        "  routing:\n    - {channel: group}\n",
        encoding="utf-8",
    )
    return ExportsResource(
        config_path=str(config),
        payroll_drafts_dir=str(tmp_path / "drafts"),
        payroll_release_dir=str(tmp_path / "released"),
        payroll_ledger_path=str(tmp_path / "ledger.jsonl"),
        statements_dir=str(tmp_path / "statements"),
        outbox_path=str(tmp_path / "outbox.jsonl"),
        outbox_store_path=str(tmp_path / "outbox.sqlite"),
    )


def test_pending_messages_are_delivered_once_by_the_delivery_job(tmp_path):
    exports = _exports(tmp_path)
    result = EmployeeWeeklyResult(
        "E000001", "张伟", date(2026, 3, 2), Decimal("1.05"), "on_track", Decimal("500.00"), "CNY", 40
    )
    message = employee_weekly_message(result)
    with OutboxStore(Path(exports.outbox_store_path)) as store:
        store.enqueue([message])  # enqueued by a weekly run that stopped before delivering
    for _ in range(2):
        result = deliver_pending_notifications.execute_in_process(resources={"exports": exports})
        assert result.success
    delivered = FileOutbox(Path(exports.outbox_path)).read()
    assert [m.idempotency_key for m in delivered] == [message.idempotency_key]
    with OutboxStore(Path(exports.outbox_store_path)) as store:
        assert store.status_counts().get("sent") == 1
