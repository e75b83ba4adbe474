"""What a ``raw.zkbiotime_punches`` row must look like: exactly what a file punch (``raw.zk_punches``) must.

The database and the device files deliver the same device records under the same identity system (``zk``), so they
share one pandera model: a DB row failing it (blank ``emp_code``, a state the device cannot emit, a time that is
not ``YYYY-MM-DD HH:MM:SS``) is quarantined with the same reason a file line would get.
"""

from __future__ import annotations

import pandera.pandas as pa

from connectors.files.schemas import ZkPunches

RAW_SCHEMAS: dict[str, type[pa.DataFrameModel]] = {"zkbiotime_punches": ZkPunches}

__all__ = ["RAW_SCHEMAS", "ZkPunches"]
