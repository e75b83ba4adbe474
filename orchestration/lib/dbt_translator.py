"""How dbt nodes become Dagster assets: raw sources keyed ``raw/<table>``, models grouped by their folder."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator

from orchestration.lib.asset_keys import raw_key, scoring_key


class HrhubDbtTranslator(DagsterDbtTranslator):
    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: Any) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["sources"].get(unique_id) or manifest["nodes"].get(unique_id, {})
        if node.get("resource_type") == "source" and node.get("schema") == "scoring":
            return spec.replace_attributes(key=scoring_key(node["name"]), group_name="scoring")
        if node.get("resource_type") == "source":
            return spec.replace_attributes(key=raw_key(node["name"]), group_name="ingestion")
        fqn = node.get("fqn", [])
        group = fqn[1] if len(fqn) > 2 else "marts"
        return spec.replace_attributes(group_name=group)
