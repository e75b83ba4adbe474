"""Every source's raw tables carry a freshness policy, so a source that stopped loading shows as stale in the UI."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest
from dagster._core.definitions.freshness import FreshnessState, TimeWindowFreshnessPolicy
from dagster._core.definitions.freshness_evaluator import TimeWindowFreshnessPolicyEvaluator
from dagster._core.loader import LoadingContextForTest
from dagster._core.test_utils import freeze_time

from orchestration.lib.asset_keys import raw_key
from orchestration.lib.ingest import FRESHNESS_ENV, SourceFreshness, source_freshness

pytestmark = pytest.mark.trust("freshness", "source freshness")


@pytest.fixture(scope="module")
def asset_graph():
    from orchestration.definitions import defs

    return defs().resolve_asset_graph()


def _raw_nodes(asset_graph) -> dict[dg.AssetKey, object]:
    """The raw tables a source loads (the quarantine table is declared, never materialized by itself)."""
    return {
        key: asset_graph.get(key)
        for key in asset_graph.get_all_asset_keys()
        if key.path[0] == "raw" and asset_graph.get(key).is_executable
    }


def test_every_source_raw_table_carries_the_weekly_freshness_policy(asset_graph):
    nodes = _raw_nodes(asset_graph)
    # every connector family: inbox files, the ZKBioTime database, the attendance apps, commerce, Jira, Feishu OKR
    expected = {
        "zk_punches",
        "zkbiotime_punches",
        "wecom_checkins",
        "dingtalk_punches",
        "shopify_orders",
        "ga4_page_daily",
    }
    assert expected <= {key.path[1] for key in nodes}
    for key, node in nodes.items():
        policy = node.freshness_policy
        assert isinstance(policy, TimeWindowFreshnessPolicy), key
        assert policy.fail_window.to_timedelta() == timedelta(days=8), key
        assert policy.warn_window is not None and policy.warn_window.to_timedelta() == timedelta(days=7), key


def test_windows_are_configurable_per_source():
    environ = {FRESHNESS_ENV: "shopify=1:2, jira=6.5:9"}
    assert source_freshness("shopify", environ) == SourceFreshness(timedelta(days=1), timedelta(days=2))
    assert source_freshness("jira", environ) == SourceFreshness(timedelta(days=6.5), timedelta(days=9))
    assert source_freshness("wecom", environ) == SourceFreshness()  # not named: the weekly default


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("shopfy=1:2", "unknown source 'shopfy'"),
        ("shopify=2:1", "shorter than its fail window"),
        ("shopify=2", "is not source=WARN_DAYS:FAIL_DAYS"),
    ],
)
def test_a_bad_freshness_setting_is_refused_with_the_entry_named(value: str, problem: str):
    with pytest.raises(ValueError, match=problem):
        source_freshness("shopify", {FRESHNESS_ENV: value})


def _state_after(node, days_ago: float) -> FreshnessState:
    """The freshness Dagster's evaluator reports now for ``node`` last materialized ``days_ago`` days ago."""
    with dg.instance_for_test() as instance:
        with freeze_time(datetime.now(UTC) - timedelta(days=days_ago)):
            instance.report_runless_asset_event(dg.AssetMaterialization(node.key, partition="2026-03-02"))
        context = LoadingContextForTest(instance)
        return asyncio.run(TimeWindowFreshnessPolicyEvaluator().evaluate_freshness(context, node))


def test_a_source_last_loaded_ten_days_ago_is_stale(asset_graph):
    node = asset_graph.get(raw_key("wecom_checkins"))
    assert _state_after(node, 10) == FreshnessState.FAIL
    assert _state_after(node, 7.5) == FreshnessState.WARN
    assert _state_after(node, 1) == FreshnessState.PASS
