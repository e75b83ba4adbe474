"""Suite-wide pytest setup: the ``trust`` marker that ``hrhub trust-report`` lists (``orchestration/trust_report.py``).

``@pytest.mark.trust(category, case)`` says a test tries a bad input, a fault, an attack, a quality gate or a stale
source; ``case`` names the source or area. The marker's arguments go into the JUnit XML as properties, so the report
can group every case without importing the tests. ``HRHUB_TRUST_SKIP_SLOW=1`` (``hrhub trust-report --fast``) skips
the ``slow`` cases with a reason, so the report still lists them as not run instead of silently leaving them out.

Hypothesis runs without its timing checks (deadline, too_slow): the suite shares two cores with dbt builds, so a
property test's speed says nothing about the property; the examples and shrinking stay as they are.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("hrhub", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("hrhub")

TRUST_CATEGORIES = ("bad input", "fault", "security", "quality gate", "freshness")
TRUST_CATEGORY_PROPERTY = "trust_category"
TRUST_CASE_PROPERTY = "trust_case"
SKIP_SLOW_ENV = "HRHUB_TRUST_SKIP_SLOW"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "trust(category, case=None): a bad input, fault, security, quality gate or freshness case tried; "
        "listed by hrhub trust-report",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_slow = os.environ.get(SKIP_SLOW_ENV) == "1"
    for item in items:
        marker = item.get_closest_marker("trust")
        if marker is None:
            continue
        category = marker.kwargs.get("category", marker.args[0] if marker.args else None)
        case = marker.kwargs.get("case", marker.args[1] if len(marker.args) > 1 else None)
        if category not in TRUST_CATEGORIES:
            raise pytest.UsageError(f"{item.nodeid}: trust category {category!r} is not one of {TRUST_CATEGORIES}")
        item.user_properties.append((TRUST_CATEGORY_PROPERTY, category))
        item.user_properties.append((TRUST_CASE_PROPERTY, case or item.nodeid.split("::")[0]))
        if skip_slow and item.get_closest_marker("slow") is not None:
            item.add_marker(pytest.mark.skip(reason="slow: left out by --fast"))
