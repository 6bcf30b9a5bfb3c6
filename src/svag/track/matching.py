"""Assignment of detections to tracks: a thresholded Hungarian matching on a cost matrix."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.optimize import linear_sum_assignment


class Matching(NamedTuple):
    pairs: np.ndarray             # (K, 2) int64 [row, col] with cost <= threshold
    unmatched_rows: np.ndarray    # (R,) int64
    unmatched_cols: np.ndarray    # (C,) int64


def linear_assignment(cost: np.ndarray, threshold: float) -> Matching:
    """Minimum-cost one-to-one matching of rows (tracks) to columns (detections) keeping only
    pairs whose cost is at most ``threshold``. Pairs above it are never chosen in place of a
    cheaper admissible pair (they are priced out before solving)."""
    cost = np.asarray(cost, dtype=np.float64)
    n_rows, n_cols = cost.shape
    if n_rows == 0 or n_cols == 0:
        return Matching(np.zeros((0, 2), np.int64), np.arange(n_rows, dtype=np.int64),
                        np.arange(n_cols, dtype=np.int64))
    admissible = np.isfinite(cost) & (cost <= threshold)
    big = threshold + 1.0 + float(np.abs(cost[admissible]).sum()) if admissible.any() else threshold + 1.0
    rows, cols = linear_sum_assignment(np.where(admissible, cost, big))
    keep = admissible[rows, cols]
    rows, cols = rows[keep], cols[keep]
    um_rows = np.setdiff1d(np.arange(n_rows), rows)
    um_cols = np.setdiff1d(np.arange(n_cols), cols)
    return Matching(np.column_stack([rows, cols]).astype(np.int64), um_rows.astype(np.int64),
                    um_cols.astype(np.int64))
