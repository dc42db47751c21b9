"""The direction of a KPI's recent weekly measurements: 'falling', 'rising', 'flat' or
'none' (check-ins, /voortgang, next steps, the export)."""

from __future__ import annotations

import math
from collections.abc import Sequence

TRENDS = ("falling", "rising", "flat", "none")


def trend(values: Sequence[float | None], *, window: int = 4, tolerance: float = 0.10) -> str:
    """Direction of the last ``window`` measurements (oldest first).

    Fits a straight line through the last ``window`` values (missing ones - None or
    NaN - are skipped) and compares the change along that line with the average
    level: a change of less than ``tolerance`` (10 %) of the average is 'flat',
    otherwise 'rising' or 'falling'. Fewer than two values: 'none'.
    """
    clean = [
        float(v)
        for v in values
        if v is not None and not isinstance(v, bool) and math.isfinite(float(v))
    ][-window:]
    n = len(clean)
    if n < 2:
        return "none"
    mean_x = (n - 1) / 2
    mean_y = sum(clean) / n
    cov = sum((i - mean_x) * (y - mean_y) for i, y in enumerate(clean))
    var = sum((i - mean_x) ** 2 for i in range(n))
    change = cov / var * (n - 1)
    if change == 0:
        return "flat"
    level = abs(mean_y)
    if level > 0 and abs(change) < tolerance * level:
        return "flat"
    return "rising" if change > 0 else "falling"
