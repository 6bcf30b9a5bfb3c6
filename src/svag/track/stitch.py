"""Post-processing of finished tracks: joining a track that ends to one that starts soon after
near where the first one was heading (motion-only tracklet linking).

For every pair (A ends at frame ``e``, B starts at ``s``, ``0 < s - e <= max_gap``) the end of A
is extrapolated to frame ``s`` with A's mean velocity over its last ``velocity_window`` boxes;
the cost is the distance from there to B's first box centre, in units of the boxes' mean height.
Pairs with cost above ``max_distance`` or a height ratio above ``max_height_ratio`` are refused;
the rest are matched one-to-one (Hungarian) and linked into chains that take the first id.
"""
from __future__ import annotations

import numpy as np

from svag.core.types import Detections
from svag.track.matching import linear_assignment


def _ends(tracks: Detections, window: int) -> tuple[np.ndarray, ...]:
    order = np.lexsort((tracks.frames, tracks.ids))
    ids, frames, boxes = tracks.ids[order], tracks.frames[order], tracks.boxes[order]
    cuts = np.flatnonzero(ids[1:] != ids[:-1]) + 1
    starts = np.concatenate([[0], cuts])
    stops = np.concatenate([cuts, [len(ids)]]) - 1
    centres = boxes[:, :2] + boxes[:, 2:] / 2
    back = np.maximum(starts, stops - window)
    span = np.maximum(frames[stops] - frames[back], 1)
    velocity = (centres[stops] - centres[back]) / span[:, None]
    return (ids[starts], frames[starts], frames[stops], centres[starts], centres[stops],
            boxes[starts, 3], boxes[stops, 3], velocity)


def stitch_tracks(tracks: Detections, max_gap: int, *, max_distance: float = 1.0,
                  max_height_ratio: float = 1.5, velocity_window: int = 5) -> Detections:
    """Relabel ``tracks`` so that linked tracks share one id (see the module docstring)."""
    if max_gap < 1 or len(tracks) == 0:
        return tracks
    ids, first, last, c_start, c_end, h_start, h_end, vel = _ends(tracks, velocity_window)
    gap = first[None, :] - last[:, None]                                   # rows end, cols start
    ok = (gap > 0) & (gap <= max_gap)
    if not ok.any():
        return tracks
    pred = c_end[:, None, :] + vel[:, None, :] * gap[..., None]
    height = (h_end[:, None] + h_start[None, :]) / 2
    cost = np.linalg.norm(pred - c_start[None, :, :], axis=2) / height
    ratio = np.maximum(h_end[:, None], h_start[None, :]) / np.minimum(h_end[:, None], h_start[None, :])
    cost[~ok | (ratio > max_height_ratio)] = np.inf
    pairs = linear_assignment(cost, max_distance).pairs
    target = np.arange(len(ids))                                           # union by chain
    nxt = dict(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist()))
    has_prev = set(pairs[:, 1].tolist())
    for head in range(len(ids)):
        if head in has_prev:
            continue
        j = head
        while j in nxt:
            j = nxt[j]
            target[j] = head
    new_id = dict(zip(ids.tolist(), ids[target].tolist()))
    relabelled = np.array([new_id[i] for i in tracks.ids.tolist()], dtype=tracks.ids.dtype)
    return Detections(tracks.frames, relabelled, tracks.boxes, tracks.scores, num_frames=tracks.num_frames,
                      source=tracks.source)
