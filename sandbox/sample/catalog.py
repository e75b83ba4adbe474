"""The shop's catalogue (seed 004): projects, products with their operators, and the creatives designers made.

About one product per 8 employees (at least 5) and one project per 50 (at least 3). Each product has 1-2
operators from Operations and 1-4 creatives by designers from Design. A product's first creative is live
throughout the period; the others mostly are too, but some go live mid-period and a few are not live at all.
``live_from``/``live_to`` are inclusive dates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.sample import text
from sandbox.sample.config import SampleConfig
from sandbox.sample.contract import CITIES
from sandbox.sample.people import DESIGN, OPERATIONS, People
from sandbox.sample.randomness import topic_rng, weighted_choice

EMPLOYEES_PER_PRODUCT, MIN_PRODUCTS = 8, 5
EMPLOYEES_PER_PROJECT, MIN_PROJECTS = 50, 3
SECOND_OPERATOR_SHARE = 0.4
CREATIVES_PER_PRODUCT_WEIGHTS = (0.25, 0.35, 0.25, 0.15)  # 1, 2, 3 or 4
# Extra creatives: live all period, go live mid-period, stop mid-period, not live in the period at all.
EXTRA_CREATIVE_LIVE_PATTERN_WEIGHTS = (0.70, 0.18, 0.07, 0.05)
OPERATOR_RATING_WEIGHTS = (0.05, 0.15, 0.35, 0.30, 0.15)  # ratings 1-5
PRICE_POINTS_CNY = (39, 49, 59, 69, 79, 89, 99, 129, 159, 199, 249, 299, 399, 599)
PROJECT_CITY_WEIGHTS = (0.35, 0.20, 0.15, 0.10, 0.05, 0.15)

PROJECT_CODENAMES = (
    "Aurora", "Borealis", "Cedar", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Iris", "Jade", "Kestrel",
    "Lotus", "Meridian", "Nova", "Orchid", "Pioneer", "Quartz", "Rainier", "Sequoia", "Tundra", "Umber",
    "Vista", "Willow", "Xenon", "Yarrow", "Zephyr",
)  # fmt: skip
PRODUCT_ADJECTIVES = (
    "Cloud", "Bamboo", "Lantern", "Jade", "Silk", "Peony", "Harbor", "Summit", "Breeze", "Maple", "Pebble",
    "Willow", "Aurora", "Tea", "Lotus", "Ripple", "Canyon", "Firefly", "Meadow", "Panda",
)  # fmt: skip
PRODUCT_NOUNS = (
    "Tee", "Hoodie", "Mug", "Tumbler", "Backpack", "Tote", "Lamp", "Notebook", "Pillow", "Blanket", "Sneaker",
    "Cap", "Scarf", "Umbrella", "Speaker", "Charger", "Planner", "Kettle", "Bowl", "Candle",
)  # fmt: skip


@dataclass(frozen=True)
class Catalog:
    tables: dict[str, pd.DataFrame]  # projects, products, product_operators, creatives
    project_ids: text.TextArray
    product_ids: text.TextArray
    product_project: np.ndarray
    product_price_cents: np.ndarray
    creative_ids: text.TextArray
    creative_product: np.ndarray
    creative_live_from: np.ndarray  # day offsets, inclusive
    creative_live_to: np.ndarray
    creative_ctr: np.ndarray  # the click-through rate the creative tends to get

    @property
    def project_count(self) -> int:
        return len(self.project_ids)

    @property
    def product_count(self) -> int:
        return len(self.product_ids)


def _projects(count: int, rng: np.random.Generator) -> tuple[text.TextArray, pd.DataFrame]:
    number = np.arange(count)
    ids = text.numbered("PJ-", number + 1, max(3, len(str(count))))
    round_number = number // len(PROJECT_CODENAMES)  # "Aurora", ..., "Zephyr", "Aurora 2", ...
    suffix = text.labels(np.where(round_number > 0, " " + (round_number + 1).astype(np.str_), ""))
    name = text.concat(text.pick(text.labels(PROJECT_CODENAMES), number % len(PROJECT_CODENAMES)), suffix)
    frame = pd.DataFrame(
        {
            "project_id": ids,
            "name": name,
            "city": text.pick(text.labels(CITIES), weighted_choice(rng, PROJECT_CITY_WEIGHTS, count)),
        }
    )
    return ids, frame


def _products(projects: int, count: int, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    project = np.concatenate([np.arange(projects), rng.integers(0, projects, count - projects)])
    project = rng.permutation(project)  # every project has a product; ids are not grouped by project
    adjective = rng.integers(0, len(PRODUCT_ADJECTIVES), count)
    noun = rng.integers(0, len(PRODUCT_NOUNS), count)
    title = text.concat(
        text.pick(text.labels(PRODUCT_ADJECTIVES), adjective), " ", text.pick(text.labels(PRODUCT_NOUNS), noun)
    )
    handle = pd.Series(title).str.lower().str.replace(" ", "-", regex=False)
    repeat = handle.groupby(handle, sort=False).cumcount().to_numpy()
    handle = text.concat(
        pd.array(handle, dtype="str"), text.labels(np.where(repeat > 0, "-" + (repeat + 1).astype(np.str_), ""))
    )
    shopify_ids = 7_400_000_000_000 + np.sort(rng.choice(1_000_000_000, count, replace=False))
    price_cents = np.asarray(PRICE_POINTS_CNY)[rng.integers(0, len(PRICE_POINTS_CNY), count)] * 100
    frame = pd.DataFrame(
        {
            "product_id": text.numbered("PRD-", np.arange(1, count + 1), max(5, len(str(count)))),
            "shopify_product_id": text.integer_text(shopify_ids),
            "title": title,
            "page_path": text.concat("/products/", handle),
            "project_id": project,  # replaced by the id text in build_catalog
        }
    )
    return frame, project, price_cents


def _product_operators(people: People, products: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    operators = np.flatnonzero(people.department == OPERATIONS)
    slot = rng.permutation(np.arange(products) % len(operators))  # spread products evenly over operators
    product = np.arange(products)
    second = (rng.random(products) < SECOND_OPERATOR_SHARE) & (len(operators) > 1)
    second_slot = (slot + 1 + rng.integers(0, max(1, len(operators) - 1), products)) % len(operators)
    pair_product = np.concatenate([product, product[second]])
    pair_operator = np.concatenate([operators[slot], operators[second_slot[second]]])
    order = np.lexsort((pair_operator, pair_product))
    return pair_product[order], pair_operator[order]


def _creatives(config: SampleConfig, people: People, products: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    per_product = 1 + weighted_choice(rng, CREATIVES_PER_PRODUCT_WEIGHTS, products)
    product = np.repeat(np.arange(products), per_product)
    count = len(product)
    first_of_product = np.r_[True, product[1:] != product[:-1]]
    pattern = np.where(first_of_product, 0, weighted_choice(rng, EXTRA_CREATIVE_LIVE_PATTERN_WEIGHTS, count))
    last_day = config.days - 1
    live_from = -rng.integers(7, 121, count)
    live_to = last_day + rng.integers(7, 121, count)
    live_from = np.where(pattern == 1, rng.integers(1, max(2, config.days), count), live_from)
    live_to = np.where(pattern == 2, rng.integers(0, max(1, last_day), count), live_to)
    live_to = np.where(pattern == 3, -rng.integers(1, 30, count), live_to)
    live_from = np.minimum(live_from, live_to)
    rating = 1 + weighted_choice(rng, OPERATOR_RATING_WEIGHTS, count)
    ctr = np.clip(0.012 + 0.006 * (rating - 1) + rng.normal(0, 0.007, count), 0.01, 0.06)
    designers = np.flatnonzero(people.department == DESIGN)
    return {
        "product": product,
        "designer": designers[rng.integers(0, len(designers), count)],
        "live_from": live_from,
        "live_to": live_to,
        "rating": rating,
        "ctr": ctr,
    }


def build_catalog(config: SampleConfig, people: People) -> Catalog:
    rng = topic_rng(config, "catalog")
    project_count = max(MIN_PROJECTS, round(config.employees / EMPLOYEES_PER_PROJECT))
    product_count = max(MIN_PRODUCTS, round(config.employees / EMPLOYEES_PER_PRODUCT))
    project_ids, projects = _projects(project_count, rng)
    products, product_project, price_cents = _products(project_count, product_count, rng)
    products["project_id"] = text.pick(project_ids, product_project)
    product_ids = pd.array(products["product_id"], dtype="str")
    operator_product, operator = _product_operators(people, product_count, rng)
    creative = _creatives(config, people, product_count, rng)
    creative_ids = text.numbered("CR-", np.arange(1, len(creative["product"]) + 1), 6)
    return Catalog(
        tables={
            "projects": projects,
            "products": products,
            "product_operators": pd.DataFrame(
                {"product_id": text.pick(product_ids, operator_product), "employee_id": text.pick(people.ids, operator)}
            ),
            "creatives": pd.DataFrame(
                {
                    "creative_id": creative_ids,
                    "product_id": text.pick(product_ids, creative["product"]),
                    "designer_id": text.pick(people.ids, creative["designer"]),
                    "live_from": text.day_timestamps(config.start_week, creative["live_from"]),
                    "live_to": text.day_timestamps(config.start_week, creative["live_to"]),
                    "operator_rating": creative["rating"].astype(np.int64),
                }
            ),
        },
        project_ids=project_ids,
        product_ids=product_ids,
        product_project=product_project,
        product_price_cents=price_cents,
        creative_ids=creative_ids,
        creative_product=creative["product"],
        creative_live_from=creative["live_from"],
        creative_live_to=creative["live_to"],
        creative_ctr=creative["ctr"],
    )
