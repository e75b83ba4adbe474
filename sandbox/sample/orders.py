"""Shopify orders, customers and the weekly project P&L that the project bonus pool is cut from (seed 004).

Orders per product page and day are Poisson in sessions x the product's conversion (1-4%), nudged by how
well the live creatives click. About a quarter of orders come from returning customers. A few orders are
refunded and a few cancelled (both ``REFUNDED``; only cancelled ones carry ``cancelled_at_utc``). Refunds come one
to five days after the order, so some land in the next week: the Shopify vendor serves such an order as paid to its
own week's load and as refunded to the later week's (a late refund the pipeline must reverse). Project revenue
per week is what the paid orders' lines on the project's products brought in; one project-week is planted
with a loss.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.sample import text
from sandbox.sample.catalog import Catalog
from sandbox.sample.config import SampleConfig
from sandbox.sample.contract import CURRENCY
from sandbox.sample.randomness import topic_rng, weighted_choice
from sandbox.sample.traffic import Traffic

CONVERSION_RANGE = (0.01, 0.04)
REFERENCE_CTR = 0.03  # creatives clicking better than this lift conversion a little, worse ones lower it
RETURNING_ORDER_SHARE = 0.25
SECOND_LINE_SHARE = 0.25
QUANTITY_WEIGHTS = (0.82, 0.14, 0.04)  # 1, 2 or 3
VARIANTS = ("S", "M", "L", "XL")
CANCELLED_RATE, REFUNDED_RATE = 0.015, 0.02
HOURLY_ORDER_WEIGHTS = (
    2, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 7, 6, 6, 6, 6, 6, 7, 9, 11, 12, 10, 6,
)  # fmt: skip
ORDER_ID_BASE = 5_500_000_000_000
CUSTOMER_ID_BASE = 6_900_000_000_000
FIRST_ORDER_NUMBER = 1001
COST_RATIO_RANGE = (0.45, 0.65)
FIXED_WEEKLY_COST_CNY = (1000, 5000)
AD_SPEND_RATIO_RANGE = (0.06, 0.18)
HOUR, DAY = 3600, 86_400


def _order_placement(
    config: SampleConfig, catalog: Catalog, traffic: Traffic, rng: np.random.Generator
) -> tuple[np.ndarray, ...]:
    """Product, period day and local second (from the period start) of every order, in time order."""
    conversion = rng.uniform(*CONVERSION_RANGE, catalog.product_count)[:, None]
    creative_lift = np.sqrt(np.clip(np.nan_to_num(traffic.live_creative_ctr / REFERENCE_CTR, nan=1.0), 0.6, 1.5))
    orders = rng.poisson(traffic.sessions * conversion * creative_lift)
    product, day = np.nonzero(orders)
    product, day = np.repeat(product, orders[product, day]), np.repeat(day, orders[product, day])
    local = day * DAY + weighted_choice(rng, HOURLY_ORDER_WEIGHTS, len(day)) * HOUR + rng.integers(0, HOUR, len(day))
    order = np.lexsort((product, local))
    return product[order], day[order], local[order]


def _customers(count: int, rng: np.random.Generator) -> np.ndarray:
    """Customer index per order: a new customer, or (for returning orders) one who has bought before."""
    returning = rng.random(count) < RETURNING_ORDER_SHARE
    returning[:1] = False
    new = ~returning
    seen_before = np.cumsum(new) - new  # customers created by earlier orders
    earlier = (rng.random(count) * np.maximum(seen_before, 1)).astype(np.int64)
    return np.where(new, np.cumsum(new) - 1, earlier)


def _other_product_in_project(
    catalog: Catalog, product: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """A different product of the same project for each given product, and whether the project has one."""
    by_project = np.argsort(catalog.product_project, kind="stable")
    size = np.bincount(catalog.product_project, minlength=catalog.project_count)
    start = np.cumsum(size) - size
    rank = np.empty(catalog.product_count, dtype=np.int64)
    rank[by_project] = np.arange(catalog.product_count) - start[catalog.product_project[by_project]]
    project = catalog.product_project[product]
    pick = (rng.random(len(product)) * np.maximum(size[project] - 1, 1)).astype(np.int64)
    pick += pick >= rank[product]
    other = by_project[np.minimum(start[project] + pick, catalog.product_count - 1)]
    return other, size[project] > 1


def _utc(seconds: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(np.asarray(seconds, dtype="datetime64[s]")).tz_localize("UTC")


def build_orders(config: SampleConfig, catalog: Catalog, traffic: Traffic) -> dict[str, pd.DataFrame]:
    rng = topic_rng(config, "orders")
    product, day, local = _order_placement(config, catalog, traffic, rng)
    count = len(product)
    created = text.local_to_utc(np.datetime64(config.start_week, "s") + local.astype("timedelta64[s]"), config.timezone)
    created_s = created.as_unit("s").asi8

    customer = _customers(count, rng)
    other, has_other = _other_product_in_project(catalog, product, rng)
    second = (rng.random(count) < SECOND_LINE_SHARE) & has_other
    line_order = np.concatenate([np.arange(count), np.flatnonzero(second)])
    line_no = np.concatenate([np.ones(count, dtype=np.int64), np.full(second.sum(), 2)])
    line_product = np.concatenate([product, other[second]])
    sort = np.lexsort((line_no, line_order))
    line_order, line_no, line_product = line_order[sort], line_no[sort], line_product[sort]
    quantity = 1 + weighted_choice(rng, QUANTITY_WEIGHTS, len(line_order))
    line_cents = catalog.product_price_cents[line_product] * quantity
    total_cents = np.rint(np.bincount(line_order, weights=line_cents, minlength=count)).astype(np.int64)

    outcome = rng.random(count)
    cancelled = outcome < CANCELLED_RATE
    refunded = cancelled | (outcome < CANCELLED_RATE + REFUNDED_RATE)
    cancelled_s = created_s + rng.integers(10 * 60, 12 * HOUR, count)
    touched = np.where(rng.random(count) < 0.4, 0, rng.integers(60, 6 * HOUR, count))
    updated_s = np.where(refunded, created_s + rng.integers(DAY, 5 * DAY, count), created_s + touched)
    updated_s = np.where(cancelled, cancelled_s, updated_s)
    order_ids = text.integer_text(ORDER_ID_BASE + np.arange(count))
    customer_ids = text.integer_text(CUSTOMER_ID_BASE + np.arange(customer.max() + 1 if count else 0))

    orders = pd.DataFrame(
        {
            "order_id": order_ids,
            "name": text.concat("#", text.integer_text(FIRST_ORDER_NUMBER + np.arange(count))),
            "created_at_utc": created.as_unit("s"),
            "updated_at_utc": _utc(updated_s),
            "customer_id": text.pick(customer_ids, customer),
            "financial_status": text.pick(text.labels(["PAID", "REFUNDED"]), refunded.astype(np.int64)),
            "cancelled_at_utc": _utc(np.where(cancelled, cancelled_s, np.iinfo(np.int64).min)),
            "total_amount": text.decimal_text(total_cents, 2),
            "currency": text.pick(text.labels([CURRENCY]), np.zeros(count, dtype=np.int64)),
        }
    )
    lines = pd.DataFrame(
        {
            "order_id": text.pick(order_ids, line_order),
            "line_no": line_no,
            "sku": text.concat(
                text.pick(catalog.product_ids, line_product),
                "-",
                text.pick(text.labels(VARIANTS), rng.integers(0, len(VARIANTS), len(line_order))),
            ),
            "product_id": text.pick(catalog.product_ids, line_product),
            "quantity": quantity.astype(np.int64),
        }
    )
    paid_line = ~refunded[line_order]
    revenue_key = catalog.product_project[line_product[paid_line]] * config.weeks + day[line_order[paid_line]] // 7
    revenue = np.bincount(revenue_key, weights=line_cents[paid_line], minlength=catalog.project_count * config.weeks)
    return {
        "customers": pd.DataFrame({"customer_id": customer_ids}),
        "orders": orders,
        "order_lines": lines,
        "project_pnl": _project_pnl(config, catalog, np.rint(revenue).astype(np.int64), rng),
    }


def _project_pnl(
    config: SampleConfig, catalog: Catalog, revenue_cents: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """Cost and ad spend per project-week around the order revenue; one project-week runs at a loss."""
    projects, weeks = catalog.project_count, config.weeks
    project = np.repeat(np.arange(projects), weeks)
    week = np.tile(np.arange(weeks), projects)
    cost_ratio = rng.uniform(*COST_RATIO_RANGE, projects)[project]
    fixed_cents = rng.integers(FIXED_WEEKLY_COST_CNY[0], FIXED_WEEKLY_COST_CNY[1] + 1, projects)[project] * 100
    ad_ratio = rng.uniform(*AD_SPEND_RATIO_RANGE, len(project))
    loss = np.zeros(len(project), dtype=bool)
    loss[rng.integers(len(project))] = True
    cost_ratio = np.where(loss, 0.9, cost_ratio)
    ad_ratio = np.where(loss, 0.25, ad_ratio)
    return pd.DataFrame(
        {
            "project_id": text.pick(catalog.project_ids, project),
            "week_start": text.day_timestamps(config.start_week, 7 * week),
            "revenue": text.decimal_text(revenue_cents, 2),
            "cost": text.decimal_text(np.rint(revenue_cents * cost_ratio).astype(np.int64) + fixed_cents, 2),
            "ad_spend": text.decimal_text(np.rint(revenue_cents * ad_ratio).astype(np.int64), 2),
            "currency": text.pick(text.labels([CURRENCY]), np.zeros(len(project), dtype=np.int64)),
        }
    )
