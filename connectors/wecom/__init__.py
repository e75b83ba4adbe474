"""WeCom (企业微信) attendance check-ins -> ``raw.wecom_checkins``."""

from connectors.wecom.client import WeComClient, WeComConfig, classify_wecom
from connectors.wecom.schemas import RAW_SCHEMAS, WeComCheckins

__all__ = ["RAW_SCHEMAS", "WeComCheckins", "WeComClient", "WeComConfig", "classify_wecom"]
