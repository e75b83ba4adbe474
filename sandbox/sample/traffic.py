"""Shop traffic as GA4 reports it: product-page metrics per day, and promotion views and clicks per creative.

Pages have their own popularity, dwell time and wishlist rate, with busier weekends. Creatives only get
impressions on days they are live, and their click-through rate (1-6%) rises with the operator's rating.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.sample import text
from sandbox.sample.catalog import Catalog
from sandbox.sample.config import SampleConfig
from sandbox.sample.randomness import topic_rng

MEDIAN_DAILY_SESSIONS = 110
WEEKDAY_TRAFFIC_FACTOR = np.array([0.90, 0.95, 0.95, 1.00, 1.05, 1.25, 1.20])  # Monday first
VIEWS_PER_SESSION_RANGE = (1.3, 2.4)
DWELL_SECONDS_RANGE = (25.0, 60.0)
WISHLIST_RATE_RANGE = (0.01, 0.03)
IMPRESSIONS_PER_SESSION_RANGE = (0.6, 1.6)


@dataclass(frozen=True)
class Traffic:
    tables: dict[str, pd.DataFrame]  # page_daily, creative_daily
    sessions: np.ndarray  # (products, days)
    live_creative_ctr: np.ndarray  # (products, days) mean CTR of the creatives live on the page, NaN if none


def _page_metrics(config: SampleConfig, products: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    shape = (products, config.days)
    popularity = rng.lognormal(np.log(MEDIAN_DAILY_SESSIONS), 0.6, products)[:, None]
    weekday = WEEKDAY_TRAFFIC_FACTOR[np.arange(config.days) % 7][None, :]
    sessions = rng.poisson(popularity * weekday * rng.gamma(20.0, 1 / 20.0, shape))
    dwell = rng.uniform(*DWELL_SECONDS_RANGE, products)[:, None] * rng.gamma(30.0, 1 / 30.0, shape)
    return {
        "sessions": sessions,
        "screen_page_views": np.rint(sessions * rng.uniform(*VIEWS_PER_SESSION_RANGE, shape)).astype(np.int64),
        "user_engagement_seconds": np.rint(sessions * dwell).astype(np.int64),
        "wishlist_adds": rng.binomial(sessions, rng.uniform(*WISHLIST_RATE_RANGE, products)[:, None]),
    }


def build_traffic(config: SampleConfig, catalog: Catalog) -> Traffic:
    rng = topic_rng(config, "traffic")
    metrics = _page_metrics(config, catalog.product_count, rng)
    page_paths = pd.array(catalog.tables["products"]["page_path"], dtype="str")
    day, product = np.divmod(np.arange(catalog.product_count * config.days), catalog.product_count)  # date-major
    page_daily = pd.DataFrame(
        {
            "date": text.day_timestamps(config.start_week, day),
            "page_path": text.pick(page_paths, product),
            **{name: values[product, day].astype(np.int64) for name, values in metrics.items()},
        }
    )

    days = np.arange(config.days)
    live = (catalog.creative_live_from[None, :] <= days[:, None]) & (catalog.creative_live_to[None, :] >= days[:, None])
    live_day, creative = np.nonzero(live)  # date-major, then creative
    on_product = catalog.creative_product[creative]
    exposure = rng.uniform(*IMPRESSIONS_PER_SESSION_RANGE, len(catalog.creative_product))
    impressions = rng.poisson(metrics["sessions"][on_product, live_day] * exposure[creative])
    clicks = rng.binomial(impressions, catalog.creative_ctr[creative])
    creative_daily = pd.DataFrame(
        {
            "date": text.day_timestamps(config.start_week, live_day),
            "creative_id": text.pick(catalog.creative_ids, creative),
            "impressions": impressions.astype(np.int64),
            "clicks": clicks.astype(np.int64),
        }
    )

    cell = on_product * config.days + live_day
    cells = catalog.product_count * config.days
    ctr_sum = np.bincount(cell, weights=catalog.creative_ctr[creative], minlength=cells)
    live_count = np.bincount(cell, minlength=cells)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_ctr = (ctr_sum / live_count).reshape(catalog.product_count, config.days)
    return Traffic(
        tables={"page_daily": page_daily, "creative_daily": creative_daily},
        sessions=metrics["sessions"],
        live_creative_ctr=mean_ctr,
    )
