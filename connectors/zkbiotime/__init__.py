"""ZKBioTime server database (``iclock_transaction``) -> ``raw.zkbiotime_punches``, shaped as ``raw.zk_punches``."""

from connectors.zkbiotime.client import (
    SOURCE,
    TABLE,
    URL_ENV,
    ZkBioTimeClient,
    ZkBioTimeConfig,
    ZkBioTimeError,
    transaction_table,
)
from connectors.zkbiotime.schemas import RAW_SCHEMAS, ZkPunches

__all__ = [
    "RAW_SCHEMAS",
    "SOURCE",
    "TABLE",
    "URL_ENV",
    "ZkBioTimeClient",
    "ZkBioTimeConfig",
    "ZkBioTimeError",
    "ZkPunches",
    "transaction_table",
]
