"""Carry what detectors know about each box (category, its confidence, embeddings) onto the
boxes of the tracks a tracker made from them.

Trackers see boxes and scores only; their output boxes are smoothed or interpolated, so the
link back to the detections is made afterwards, per frame, by overlap: each track box takes the
extras of the detection it overlaps most (IoU >= ``min_iou``, one detection per track box,
by maximum-IoU assignment). Track boxes without such a detection (filled gaps) get None / NaN.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from svag.core.boxes import iou_matrix
from svag.core.types import Detections
from svag.detect.base import EXTENT


def transfer_extras(tracks: Detections, detections: Detections, min_iou: float = 0.3,
                    skip: tuple[str, ...] = ()) -> Detections:
    """``tracks`` with ``extras`` copied from the best-overlapping detection of the same frame
    (those named in ``skip`` are not copied)."""
    if not detections.extras or not set(detections.extras) - set(skip) or len(tracks) == 0:
        return tracks
    src = np.full(len(tracks), -1, np.int64)       # detection row of each track row
    t_order = np.argsort(tracks.frames, kind="stable")
    d_order = np.argsort(detections.frames, kind="stable")
    tf, df = tracks.frames[t_order], detections.frames[d_order]
    common = np.intersect1d(tf, df)
    t_lo, t_hi = np.searchsorted(tf, common), np.searchsorted(tf, common, side="right")
    d_lo, d_hi = np.searchsorted(df, common), np.searchsorted(df, common, side="right")
    for a, b, c, d in zip(t_lo.tolist(), t_hi.tolist(), d_lo.tolist(), d_hi.tolist()):
        ti, di = t_order[a:b], d_order[c:d]
        iou = iou_matrix(tracks.boxes[ti], detections.boxes[di])
        rows, cols = linear_sum_assignment(iou, maximize=True)
        ok = iou[rows, cols] >= min_iou
        src[ti[rows[ok]]] = di[cols[ok]]
    hit = src >= 0
    extras = {}
    for key, values in detections.extras.items():
        if key in skip:
            continue
        floats = values.dtype.kind == "f"
        out = np.full((len(tracks),) + values.shape[1:], np.nan if floats else None,
                      dtype=values.dtype if floats else object)
        out[hit] = values[src[hit]]
        extras[key] = out
    return Detections(tracks.frames, tracks.ids, tracks.boxes, tracks.scores, tracks.classes, tracks.visibility,
                      tracks.consider, tracks.num_frames, tracks.source, extras)


def take_extents(tracks: Detections, detections: Detections, key: str = EXTENT) -> Detections:
    """``tracks`` whose boxes that are a detection's own box (same frame, same box: the box the
    tracker associated, output as it was) are replaced by that detection's ``extras[key]``, the
    object's own extent (a detector may keep the associated box tighter than the object so that
    it does not reach into a neighbour; :data:`~svag.detect.base.EXTENT`). Filled gaps and
    smoothed boxes keep theirs; detections without the extra (NaN) change nothing."""
    if not detections.extras or key not in detections.extras or len(tracks) == 0 or len(detections) == 0:
        return tracks
    extent = np.asarray(detections.extras[key], dtype=np.float64).reshape(len(detections), 4)
    own = np.column_stack([detections.frames, detections.boxes])
    both = np.concatenate([own, np.column_stack([tracks.frames, tracks.boxes])])
    _, first, inverse = np.unique(both, axis=0, return_index=True, return_inverse=True)
    src = first[inverse.reshape(-1)[len(own):]]          # the first row with the same (frame, box)
    hit = src < len(own)
    hit[hit] = np.isfinite(extent[src[hit]]).all(axis=1)
    if not hit.any():
        return tracks
    boxes = tracks.boxes.copy()
    boxes[hit] = extent[src[hit]]
    return Detections(tracks.frames, tracks.ids, boxes, tracks.scores, tracks.classes, tracks.visibility,
                      tracks.consider, tracks.num_frames, tracks.source, tracks.extras)
