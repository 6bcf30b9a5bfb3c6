"""Post-processing of finished tracks: joining a track that ends to one that starts soon after
near where the first one was heading (motion-only tracklet linking).

For every pair (A ends at frame ``e``, B starts at ``s``, ``-max_overlap < s - e <= max_gap``;
B starts after A or overlaps A's last frames, as when a detector briefly sees one person twice
and the second box outlives the first) the end of A is extrapolated (back, for an overlap) to
frame ``s`` with A's mean velocity over its last ``velocity_window`` boxes;
the cost is the distance from there to B's first box centre, in units of the boxes' mean height.
Pairs with cost above ``max_distance`` or a height ratio above ``max_height_ratio`` are refused;
the rest are matched one-to-one (Hungarian) and linked into chains that take the first id.
Where linked tracks overlap, the earlier track's boxes are kept.
"""
from __future__ import annotations

import numpy as np

from svag.core.types import Detections
from svag.track.matching import linear_assignment
from svag.track.sides import touching


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
                  max_height_ratio: float = 1.5, velocity_window: int = 5, max_overlap: int = 0) -> Detections:
    """Relabel ``tracks`` so that linked tracks share one id (see the module docstring)."""
    if max_gap < 1 or len(tracks) == 0:
        return tracks
    ids, first, last, c_start, c_end, h_start, h_end, vel = _ends(tracks, velocity_window)
    gap = first[None, :] - last[:, None]                                   # rows end, cols start
    ok = (gap > -max(0, max_overlap)) & (gap <= max_gap) & (first[None, :] > first[:, None])
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
    out = Detections(tracks.frames, relabelled, tracks.boxes, tracks.scores, num_frames=tracks.num_frames,
                     source=tracks.source)
    if max_overlap <= 0:
        return out
    rank = dict(zip(ids.tolist(), first.tolist()))            # the earlier track wins an overlap
    start = np.array([rank[i] for i in tracks.ids.tolist()], dtype=np.int64)
    order = np.lexsort((start, tracks.frames, relabelled))
    dup = np.zeros(len(order), bool)
    dup[1:] = (relabelled[order][1:] == relabelled[order][:-1]) & (tracks.frames[order][1:] == tracks.frames[order][:-1])
    keep = np.ones(len(tracks), bool)
    keep[order[dup]] = False
    return out.subset(keep) if not keep.all() else out


def drop_short_tracks(tracks: Detections, min_frames: float, edge: int = 0, *,
                      size: tuple[float, float] | None = None, side_frames: float = 0, margin: float = 1.5) -> Detections:
    """``tracks`` without the tracks whose span (first to last frame) is shorter than ``min_frames``,
    except those that start within ``edge`` frames of the video's first frame or end within
    ``edge`` frames of its last (``tracks.num_frames``): the video cut them, their length says
    nothing about them. With the frame ``size`` (width, height), tracks of at least
    ``side_frames`` whose first or last box touches a side of the frame (within ``margin``
    pixels: an object that comes in or goes out there) are kept too."""
    if len(tracks) == 0:
        return tracks
    ids, inverse = np.unique(tracks.ids, return_inverse=True)
    first = np.full(len(ids), np.iinfo(np.int64).max)
    last = np.full(len(ids), np.iinfo(np.int64).min)
    np.minimum.at(first, inverse, tracks.frames)
    np.maximum.at(last, inverse, tracks.frames)
    keep = last - first + 1 >= min_frames
    if edge > 0:
        end = tracks.num_frames or int(tracks.frames.max())
        keep |= (first <= edge) | (last > end - edge)
    if size is not None:
        order = np.lexsort((tracks.frames, inverse))
        b = tracks.boxes[order]
        inv = inverse[order]
        ends = np.r_[np.flatnonzero(inv[1:] != inv[:-1]), len(inv) - 1]
        starts = np.r_[0, ends[:-1] + 1]
        touch = touching(b, size, margin).any(axis=1)
        at_side = np.zeros(len(ids), bool)
        at_side[inv[starts]] = touch[starts] | touch[ends]
        keep |= at_side & (last - first + 1 >= side_frames)
    keep = keep[inverse]
    return tracks if keep.all() else tracks.subset(keep)
