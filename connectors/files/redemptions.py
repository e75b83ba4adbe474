"""Points redemption requests exported by the recognition portal (``redemption_requests*.csv``).

One row per request: who (``employee_id``, the HR 工号), what (``item_code`` from the plan's redemption catalog)
and when (``requested_at``, an instant that must carry its UTC offset: ``2026-03-04T10:15:00+08:00`` or ``...Z``;
a wall-clock time without one is quarantined, because the week and the expiry day it falls on would be a guess).
Whether a request is granted is the ledger's decision (``scoring.points_ledger``), not the connector's: an unknown
or retired item code still enters raw and is refused there with its reason. The portal re-exports requests, so
the same ``request_id`` may arrive in several files; raw keeps each row and the ledger grants a request once.
"""

from __future__ import annotations

from pathlib import Path

from connectors.files.column_maps import _column_map
from connectors.files.inbox import read_mapped_csv
from connectors.quality import Validated

TABLE = "redemption_requests"
REDEMPTION_REQUESTS = _column_map(
    TABLE,
    {
        "request_id": ("兑换单号", "申请单号", "request", "redemption id"),
        "employee_id": ("工号", "员工编号"),
        "item_code": ("兑换项目编码", "商品编码", "item", "reward code"),
        "requested_at": ("申请时间", "兑换时间", "requested_at_utc", "requested"),
    },
    ignored=("姓名", "name", "兑换项目", "item_name", "积分", "points", "备注", "notes"),
)


def read_redemption_requests(path: Path) -> Validated:
    """``redemption_requests*.csv`` (request_id, employee_id, item_code, requested_at) -> ``redemption_requests``."""
    return read_mapped_csv(path, REDEMPTION_REQUESTS, TABLE)
