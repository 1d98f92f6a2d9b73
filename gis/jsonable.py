"""One way to turn a cell of a frame into a value JSON can hold."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd


def jsonable(value: Any) -> Any:
    """``value`` as JSON can hold it: missing (None, NaN, NA, NaT) → None, dates → ISO text,
    numpy scalars → Python, lists and dicts kept, anything else unknown → its text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, str | bool | int | float | list | dict):
        return value
    return str(value)
