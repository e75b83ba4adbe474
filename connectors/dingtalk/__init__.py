"""DingTalk (钉钉) raw attendance punches (打卡详情) -> ``raw.dingtalk_punches``."""

from connectors.dingtalk.client import DingTalkClient, DingTalkConfig, classify_dingtalk
from connectors.dingtalk.schemas import RAW_SCHEMAS, DingTalkPunches

__all__ = ["RAW_SCHEMAS", "DingTalkClient", "DingTalkConfig", "DingTalkPunches", "classify_dingtalk"]
