from __future__ import annotations

import pytest

from scoring.plan import DEFAULT_PLAN_PATH, Plan, load_plan


@pytest.fixture(scope="session")
def plan() -> Plan:
    return load_plan(DEFAULT_PLAN_PATH)


@pytest.fixture(scope="session")
def plan_text() -> str:
    return DEFAULT_PLAN_PATH.read_text(encoding="utf-8")
