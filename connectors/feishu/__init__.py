"""Feishu/Lark (飞书): attendance punches, the shift roster and approved leave -> ``raw.feishu_punches``,
``raw.feishu_shift_roster``, ``raw.feishu_leave``; OKR snapshots (``okr``) -> ``raw.feishu_okr_objectives``,
``raw.feishu_okr_key_results``. ``auth`` (tenant token, error classes) is shared by both."""

from connectors.feishu.attendance import FeishuAttendanceClient, FeishuAttendanceConfig, UserIssue
from connectors.feishu.auth import FEISHU_BASE_URL, LARK_BASE_URL, classify_feishu, tenant_http
from connectors.feishu.okr import FeishuOkrClient, FeishuOkrConfig, Period
from connectors.feishu.schemas import (
    OKR_RAW_SCHEMAS,
    RAW_SCHEMAS,
    FeishuLeave,
    FeishuOkrKeyResults,
    FeishuOkrObjectives,
    FeishuPunches,
    FeishuShiftRoster,
)

__all__ = [
    "FEISHU_BASE_URL",
    "LARK_BASE_URL",
    "OKR_RAW_SCHEMAS",
    "RAW_SCHEMAS",
    "FeishuAttendanceClient",
    "FeishuAttendanceConfig",
    "FeishuLeave",
    "FeishuOkrClient",
    "FeishuOkrConfig",
    "FeishuOkrKeyResults",
    "FeishuOkrObjectives",
    "FeishuPunches",
    "FeishuShiftRoster",
    "Period",
    "UserIssue",
    "classify_feishu",
    "tenant_http",
]
