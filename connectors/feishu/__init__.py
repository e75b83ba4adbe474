"""Feishu/Lark (飞书): attendance punches, the shift roster and approved leave -> ``raw.feishu_punches``,
``raw.feishu_shift_roster``, ``raw.feishu_leave``. ``auth`` (tenant token, error classes) is shared with later
Feishu connectors (OKR)."""

from connectors.feishu.attendance import FeishuAttendanceClient, FeishuAttendanceConfig, UserIssue
from connectors.feishu.auth import FEISHU_BASE_URL, LARK_BASE_URL, classify_feishu, tenant_http
from connectors.feishu.schemas import RAW_SCHEMAS, FeishuLeave, FeishuPunches, FeishuShiftRoster

__all__ = [
    "FEISHU_BASE_URL",
    "LARK_BASE_URL",
    "RAW_SCHEMAS",
    "FeishuAttendanceClient",
    "FeishuAttendanceConfig",
    "FeishuLeave",
    "FeishuPunches",
    "FeishuShiftRoster",
    "UserIssue",
    "classify_feishu",
    "tenant_http",
]
