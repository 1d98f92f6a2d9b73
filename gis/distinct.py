"""Doing per-value work once per distinct value: survey columns repeat a handful of values
(village codes, yes/no, conditions, dates) tens of thousands of times."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd


def distinct_map(function: Callable[[Any], Any],
                 cells: Sequence[Any] | np.ndarray[Any, Any]) -> list[Any]:
    """``[function(c) for c in cells]`` with ``function`` called once per distinct cell.

    Missing cells (None, NaN, NA) all give ``function(None)``. Cells of mixed types are told
    apart by type (pandas would take 1, 1.0 and True for one value); unhashable cells (dicts,
    lists) get one call each."""
    # fromiter keeps a list of lists one-dimensional (np.asarray would make it 2-D)
    array = cells if isinstance(cells, np.ndarray) else np.fromiter(
        cells, dtype=object, count=len(cells))
    if len(array) == 0:
        return []
    if pd.api.types.infer_dtype(array, skipna=True).startswith("mixed"):
        memo: dict[Any, Any] = {}
        out_mixed = []
        for c in array:
            try:
                key = (c.__class__, c)
                out_mixed.append(memo[key] if key in memo else memo.setdefault(key, function(c)))
            except TypeError:
                out_mixed.append(function(c))
        return out_mixed
    try:
        codes, uniques = pd.factorize(array, use_na_sentinel=True)
    except TypeError:
        return [function(c) for c in array]
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = [function(u) for u in uniques]
    table[-1] = function(None)  # code -1 (missing) takes the last slot
    out: list[Any] = table[codes].tolist()
    return out
