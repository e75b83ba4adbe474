"""Registries and finance exports behind the joint designer/operator incentive and the project pool.

The creative and product registries say who designed what and who operates which product (one row per
product-operator pair); ``project_pnl.csv`` carries each project's weekly figures with the week it reports
on, kept as ``week_start_reported`` so a file filed under the wrong week can be noticed downstream.
Money stays text exactly as exported; staging casts it to DECIMAL.
"""

from __future__ import annotations

from pathlib import Path

from connectors.files.column_maps import CREATIVE_REGISTRY, PRODUCT_REGISTRY, PROJECT_PNL
from connectors.files.inbox import read_mapped_csv
from connectors.quality import Validated


def read_creative_registry(path: Path) -> Validated:
    """``creative_registry.csv`` -> ``creative_registry``."""
    return read_mapped_csv(path, CREATIVE_REGISTRY, "creative_registry")


def read_product_registry(path: Path) -> Validated:
    """``product_registry.csv`` -> ``product_registry``."""
    return read_mapped_csv(path, PRODUCT_REGISTRY, "product_registry")


def read_project_pnl(path: Path) -> Validated:
    """``project_pnl.csv`` (the file's ``week`` -> ``week_start_reported``) -> ``project_pnl``."""
    return read_mapped_csv(path, PROJECT_PNL, "project_pnl")
