"""Independent random streams per topic, so adding or changing one topic never shifts another's numbers.

A stream is keyed by the seed and a stable hash of the topic name (never Python's salted ``hash``).
"""

from __future__ import annotations

import hashlib

import numpy as np

from sandbox.sample.config import SampleConfig


def topic_rng(config: SampleConfig, topic: str) -> np.random.Generator:
    """The generator for one topic (``"people"``, ``"punches"``, ...) of this config."""
    topic_key = int.from_bytes(hashlib.sha256(topic.encode()).digest()[:8], "big")
    return np.random.default_rng(np.random.SeedSequence(entropy=config.seed, spawn_key=(topic_key,)))


def weighted_choice(rng: np.random.Generator, weights: np.ndarray | list[float], size: int) -> np.ndarray:
    """Indices drawn with the given (unnormalised) weights."""
    p = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(p), size=size, p=p / p.sum())


def uniform_int(rng: np.random.Generator, low: np.ndarray | int, high: np.ndarray | int, size: int) -> np.ndarray:
    """Integers in ``[low, high]`` (inclusive), element-wise bounds allowed."""
    return rng.integers(low, np.asarray(high) + 1, size=size)
