"""Asset keys follow the warehouse: ``<schema>/<table>`` (``raw/zk_punches``, ``marts/dim_employee``,
``scoring/payroll_line``), so a key in the UI names the table a BI tool queries."""

import dagster as dg


def raw_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table])


def mart_key(model: str) -> dg.AssetKey:
    return dg.AssetKey(["marts", model])


def scoring_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["scoring", table])
