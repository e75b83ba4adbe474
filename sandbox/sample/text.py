"""Vectorised text building (ids, decimals as text, hex) on Arrow, so millions of rows format in C, not Python.

Every function returns a pandas ``str`` array (Arrow-backed, missing values are NaN), the dtype the tables use.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TextArray = pd.api.extensions.ExtensionArray
SECONDS_PER_DAY = 86_400
_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _wrap(array: pa.Array | pa.ChunkedArray) -> TextArray:
    return pd.array(array, dtype="str")


def labels(values: Sequence[str] | np.ndarray) -> TextArray:
    """A small vocabulary to ``pick`` from."""
    return _wrap(pa.array(values, type=pa.string()))


def pick(vocabulary: TextArray, codes: np.ndarray) -> TextArray:
    """``vocabulary[codes]``; code -1 gives a missing value."""
    codes = np.asarray(codes, dtype=np.int64)
    return vocabulary.take(codes, allow_fill=bool((codes < 0).any()))


def integer_text(values: np.ndarray) -> TextArray:
    return _wrap(pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string()))


def numbered(prefix: str, numbers: np.ndarray, width: int) -> TextArray:
    """``prefix`` + zero-padded number, e.g. ``numbered("E", [1], 6) -> "E000001"``."""
    digits = pc.utf8_lpad(pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), width, "0")
    return _wrap(pc.binary_join_element_wise(prefix, digits, ""))


def decimal_text(scaled: np.ndarray, places: int) -> TextArray:
    """Fixed-point text from integers scaled by ``10**places`` (cents for money): ``-1205, 2 -> "-12.05"``."""
    scaled = np.asarray(scaled, dtype=np.int64)
    sign = pa.array(np.where(scaled < 0, "-", ""))
    magnitude = np.abs(scaled)
    units = pc.cast(pa.array(magnitude // 10**places), pa.string())
    if places == 0:
        return _wrap(pc.binary_join_element_wise(sign, units, ""))
    fraction = pc.utf8_lpad(pc.cast(pa.array(magnitude % 10**places), pa.string()), places, "0")
    return _wrap(pc.binary_join_element_wise(sign, units, ".", fraction, ""))


def random_hex(rng: np.random.Generator, size: int, width: int) -> TextArray:
    """``size`` random lowercase hex strings of ``width`` characters."""
    digits = _HEX_DIGITS[rng.integers(0, 16, size=(size, width), dtype=np.uint8)]
    return _wrap(pa.array(np.ascontiguousarray(digits).view(f"S{width}").ravel().astype(np.str_)))


def concat(*parts: TextArray | str) -> TextArray:
    """Element-wise concatenation; a missing part makes the result missing."""
    arrays = [p if isinstance(p, str) else pa.array(p, type=pa.string(), from_pandas=True) for p in parts]
    return _wrap(pc.binary_join_element_wise(*arrays, ""))


def day_timestamps(start: date, day_offsets: np.ndarray) -> np.ndarray:
    """Midnight of ``start + offset`` days as naive ``datetime64[s]`` (NaT where the offset is missing)."""
    offsets = np.asarray(day_offsets, dtype=np.int64)
    return np.datetime64(start, "s") + offsets * np.timedelta64(SECONDS_PER_DAY, "s")


def local_to_utc(local: np.ndarray, timezone: str) -> pd.DatetimeIndex:
    """Naive local wall times -> aware UTC instants (DST gaps shift forward, repeated hours take standard time)."""
    index = pd.DatetimeIndex(np.asarray(local, dtype="datetime64[s]"))
    standard_time = np.zeros(len(index), dtype=bool)
    aware = index.tz_localize(timezone, ambiguous=standard_time, nonexistent="shift_forward")
    return aware.tz_convert("UTC")


def keep_where(values: TextArray, keep: np.ndarray) -> TextArray:
    """``values`` where ``keep`` is true, missing elsewhere."""
    arrow = pa.array(values, type=pa.string(), from_pandas=True)
    return _wrap(pc.if_else(pa.array(np.asarray(keep, dtype=bool)), arrow, pa.scalar(None, pa.string())))
