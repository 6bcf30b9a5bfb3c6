"""Maximum-score one-to-one assignment in many small frames at once.

HOTA and CLEAR solve one assignment problem per frame. A benchmark of short per-query
sequences has hundreds of thousands of tiny frames (1-6 boxes a side), where calling the
Hungarian solver frame by frame costs more than the rest of the evaluation together. Frames of
the same small shape are solved together by scoring every injective assignment at once;
larger frames go to :func:`scipy.optimize.linear_sum_assignment`.

On exact ties between optimal assignments the brute force keeps the first in enumeration order;
ties only occur between assignments of equal total score, which for IoU-based scores means
identical boxes (or zero-score pairs, which never count as matches).
"""
from __future__ import annotations

from functools import lru_cache
from itertools import permutations

import numpy as np
from scipy.optimize import linear_sum_assignment

MAX_PERMS = 120          # frames up to 5x5 (or 4x5, 3x6, ...) are brute-forced
BATCH_CELLS = 4_000_000  # frames x permutations per chunk


@lru_cache(maxsize=None)
def _perms(n_rows: int, n_cols: int) -> np.ndarray:
    """All injective maps rows -> cols when n_rows <= n_cols: shape (P, n_rows)."""
    return np.array(list(permutations(range(n_cols), n_rows)), dtype=np.int64).reshape(-1, n_rows)


def _n_perms(g: int, k: int) -> int:
    a, b = min(g, k), max(g, k)
    out = 1
    for i in range(a):
        out *= b - i
    return out


def assign_frames(score: np.ndarray, pair_ptr: np.ndarray, n_gt: np.ndarray, n_tr: np.ndarray) -> np.ndarray:
    """Flat pair indices of a maximum-score assignment in every frame.

    ``score`` holds each frame's (n_gt, n_tr) block flattened row-major at ``pair_ptr[t]``.
    Returns the sorted flat indices of the chosen pairs (min(n_gt, n_tr) per frame)."""
    frames = np.flatnonzero((n_gt > 0) & (n_tr > 0))
    out: list[np.ndarray] = []
    shapes = n_gt[frames] * 1000 + n_tr[frames]
    for shape in np.unique(shapes):
        sel = frames[shapes == shape]
        g, k = int(shape // 1000), int(shape % 1000)
        if g == 1 and k == 1:
            out.append(pair_ptr[sel])
        elif _n_perms(g, k) <= MAX_PERMS:
            out.append(_brute_force(score, pair_ptr[sel], g, k))
        else:
            out.append(_hungarian(score, pair_ptr[sel], g, k))
    if not out:
        return np.zeros(0, np.int64)
    matched = np.concatenate(out)
    matched.sort()
    return matched


def _hungarian(score: np.ndarray, starts: np.ndarray, g: int, k: int) -> np.ndarray:
    """linear_sum_assignment on each (g, k) block at ``starts``; thousands of calls per sequence
    in crowded scenes, so the blocks are gathered (and negated) at once and the loop does
    nothing but call the solver. It returns rows in order, all of them when g <= k (the
    output order does not matter: callers sort the flat indices)."""
    blocks = -score[starts[:, None] + np.arange(g * k)].reshape(-1, g, k)
    if g <= k:
        cols = np.array([linear_sum_assignment(b)[1] for b in blocks]).reshape(-1, g)
        return (starts[:, None] + np.arange(g) * k + cols).ravel()
    rc = np.array([linear_sum_assignment(b) for b in blocks]).reshape(-1, 2, k)
    return (starts[:, None] + rc[:, 0] * k + rc[:, 1]).ravel()


def _brute_force(score: np.ndarray, starts: np.ndarray, g: int, k: int) -> np.ndarray:
    if g <= k:
        perms = _perms(g, k)                                  # (P, g): column of each row
        flat = np.arange(g)[None, :] * k + perms              # (P, g) offsets in the block
    else:
        perms = _perms(k, g)                                  # (P, k): row of each column
        flat = perms * k + np.arange(k)[None, :]
    n = flat.shape[1]
    chunk = max(1, BATCH_CELLS // (len(flat) * n))
    chosen = []
    for i in range(0, len(starts), chunk):
        st = starts[i:i + chunk]
        idx = st[:, None, None] + flat[None, :, :]             # (B, P, n)
        totals = score[idx].sum(axis=2)                        # (B, P)
        best = np.argmax(totals, axis=1)
        chosen.append((st[:, None] + flat[best]).ravel())
    return np.concatenate(chosen)
