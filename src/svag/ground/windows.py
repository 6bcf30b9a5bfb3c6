"""From per-frame relevance to scored temporal windows (shared by every grounder).

A window is a run of frames whose relevance stays above a threshold, with short gaps bridged
and very short runs dropped; its score is the mean relevance inside. Several candidates are
returned, best first, as the official format expects (R5/R10 read the first 5/10): one window
per run above the main threshold, with that run's own extent, then the runs above a lower
threshold that contain no main run (weaker evidence elsewhere in the track's life). A run is
never listed twice, and no window is wider than the run it stands for.
"""
from __future__ import annotations

import numpy as np


def runs(mask: np.ndarray) -> np.ndarray:
    """(K, 2) start/end indices (inclusive) of the True runs of a boolean array."""
    if not mask.any():
        return np.zeros((0, 2), np.int64)
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1) - 1
    return np.column_stack([starts, ends])


def segments(relevance: np.ndarray, threshold: float, fps: float, *, bridge_s: float = 0.6,
             min_s: float = 0.4) -> np.ndarray:
    """(K, 3) [start_index, end_index, mean relevance] of the runs above ``threshold``."""
    r = runs(relevance >= threshold)
    if len(r) == 0:
        return np.zeros((0, 3))
    gap = max(1, int(round(bridge_s * fps)))
    merged = [list(r[0])]
    for s, e in r[1:]:
        if s - merged[-1][1] - 1 <= gap:
            merged[-1][1] = e
        else:
            merged.append([s, e])
    m = np.asarray(merged)
    keep = (m[:, 1] - m[:, 0] + 1) >= max(1, int(round(min_s * fps)))
    m = m[keep]
    if len(m) == 0:
        return np.zeros((0, 3))
    csum = np.concatenate([[0.0], np.cumsum(relevance)])
    mean = (csum[m[:, 1] + 1] - csum[m[:, 0]]) / (m[:, 1] - m[:, 0] + 1)
    return np.column_stack([m, mean])


def windows_from_relevance(relevance: np.ndarray, first_frame: int, fps: float, *, threshold: float = 0.5,
                           low: float = 0.3, max_windows: int = 5) -> np.ndarray:
    """Scored windows [start, end, score] (1-based inclusive frames), best first.

    ``relevance[i]`` is the relevance of frame ``first_frame + i``."""
    main = segments(relevance, threshold, fps)
    cands = [main]
    if low < threshold:
        lows = segments(relevance, low, fps)
        if len(lows) and len(main):     # a low run around a main run is that run, loosely drawn
            around = (lows[:, None, 0] <= main[None, :, 1]) & (lows[:, None, 1] >= main[None, :, 0])
            lows = lows[~around.any(axis=1)]
        if len(lows):
            lows = lows.copy()
            lows[:, 2] *= 0.9                       # ranked after the main runs of equal mean
            cands.append(lows)
    allw = np.concatenate(cands)
    if len(allw) == 0:
        return np.zeros((0, 3))
    out = unique_windows(allw[np.argsort(-allw[:, 2], kind="stable")])[:max_windows]
    out[:, :2] += first_frame
    return out


def unique_windows(windows: np.ndarray) -> np.ndarray:
    """``windows`` without repeated [start, end] rows (the first of each kept, order kept)."""
    windows = np.asarray(windows, dtype=np.float64).reshape(-1, 3)
    _, first = np.unique(windows[:, :2], axis=0, return_index=True)
    return windows[np.sort(first)].copy()


def chain_steps(step_windows: list[np.ndarray], fps: float, max_gap_s: float = 4.0) -> np.ndarray:
    """Windows of a multi-step query ("A then B"): a run of each step, each starting after the
    previous one started and at most ``max_gap_s`` after it ended; the window spans the chain,
    scored by the mean of its steps' scores. Inputs and output are [start, end, score] rows."""
    chains = [tuple(w) for w in step_windows[0]]
    gap = max_gap_s * fps
    for nxt in step_windows[1:]:
        new = []
        for s, e, sc in chains:
            ok = (nxt[:, 0] > s) & (nxt[:, 0] <= e + gap) & (nxt[:, 1] >= e) if len(nxt) else np.zeros(0, bool)
            for ns, ne, nsc in nxt[ok]:
                new.append((s, ne, sc + nsc))
        chains = new
    if not chains:
        return np.zeros((0, 3))
    out = np.asarray(chains, dtype=np.float64)
    out[:, 2] /= len(step_windows)
    return out[np.argsort(-out[:, 2], kind="stable")]


def episode_span(windows: np.ndarray, max_gap: float | None = None) -> tuple[float, float]:
    """From the first to the last of ``windows`` (rows start, end, score); with ``max_gap``
    (frames), only the windows around the best-scoring one that follow each other with gaps of at
    most that long (windows farther apart are other episodes: a walker who goes right, turns away
    for nine seconds and goes right again)."""
    if max_gap is None or len(windows) < 2:
        return float(windows[:, 0].min()), float(windows[:, 1].max())
    runs = windows[np.argsort(windows[:, 0], kind="stable")]
    gap = runs[1:, 0] - np.maximum.accumulate(runs[:-1, 1])
    episode = np.concatenate([[0], np.cumsum(gap > max_gap)])
    mine = runs[episode == episode[int(np.argmax(runs[:, 2]))]]
    return float(mine[:, 0].min()), float(mine[:, 1].max())


def snap_span(lo: float, hi: float, first: float, last: float, edge: float) -> tuple[float, float]:
    """A span [lo, hi] stretched to the track's ends [first, last] where it comes within ``edge``
    frames of them (a state seen up to near a track's ends holds there too)."""
    return (first if lo - first <= edge else lo), (last if last - hi <= edge else hi)


def whole_life(track, score: float = 1.0) -> np.ndarray:  # type: ignore[no-untyped-def]
    """One window over the track's whole life."""
    return np.array([[float(track.frames[0]), float(track.frames[-1]), score]])
