"""Post-processing of finished tracks: objects that enter or leave by a side of the frame.

An object coming in by a side of the frame is in view a part at a time: first a hand or a
bumper a few pixels wide, then more of it. A detector that needs a minimum size (a motion blob,
a detector's smallest anchor) finds it only once enough of it is in view, so its track starts
late, and its first boxes may hold only the part that was found (a head without legs). The same
holds, reversed, for an object that leaves.

:func:`extend_at_sides` repairs both ends of a track whose first (last) box touches exactly one
side of the frame (within ``margin`` pixels; a box in a corner is left alone):

* the inner edge of the boxes while they touch that side (the edge away from it: how deep the
  object is in view) is fitted by a robust line (Theil-Sen) over the end's first ``fit_s``
  seconds (at least ``min_fit`` boxes);
* if the object comes in (goes out) at ``min_speed`` of its size across the side per second or
  faster, the line is followed back (forward) in time: each earlier (later) frame, up to
  ``max_s`` seconds, gets a box against the side as deep as the line says, while that is at least
  ``min_visible`` pixels;
* across the side, these boxes take the extent of the tallest third of the fitted boxes (for a
  left or right side: their top and height), and with ``replace`` so do the fitted boxes that are
  less than 0.8 of it (a part found without the rest); a fitted box whose depth is more than
  ``OFF_LINE`` pixels and half the line's depth off the line (a blob grown by the mask's
  morphology at the side: 9 pixels of a car of which 2 are in view) takes the line's depth.

Boxes are xywh in pixels of a frame of ``size`` = (width, height). Ground truth that marks every
visible pixel of an entering object (``svag synth``, SVAG-Bench's clipped boxes) is what this
follows; benchmarks that start a person only once most of them is in view (PETS09-S2L1) count the
first boxes as false positives.
"""
from __future__ import annotations

import numpy as np

from svag.core.types import Detections
from svag.errors import InputError

OFF_LINE = 3.0     # pixels: a fitted box this far (and half) off the line is given the line's depth


def touching(boxes: np.ndarray, size: tuple[float, float], margin: float = 1.5) -> np.ndarray:
    """(N, 4) bool: each xywh box touches the left, top, right, bottom side of a frame of
    ``size`` = (width, height), within ``margin`` pixels."""
    w, h = size
    return np.stack([boxes[:, 0] <= margin, boxes[:, 1] <= margin,
                     boxes[:, 0] + boxes[:, 2] >= w - margin, boxes[:, 1] + boxes[:, 3] >= h - margin], axis=1)


def _clip(boxes: np.ndarray, size: tuple[float, float]) -> np.ndarray:
    x0 = np.clip(boxes[:, 0], 0, size[0])
    y0 = np.clip(boxes[:, 1], 0, size[1])
    x1 = np.clip(boxes[:, 0] + boxes[:, 2], 0, size[0])
    y1 = np.clip(boxes[:, 1] + boxes[:, 3], 0, size[1])
    return np.stack([x0, y0, x1 - x0, y1 - y0], axis=1)


def _theil_sen(t: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Slope and intercept of the line through (t, y), robust to a few wrong points (the median
    of the pairwise slopes; the median of the residuals)."""
    i, j = np.triu_indices(len(t), 1)
    dt = t[j] - t[i]
    ok = dt != 0
    slope = float(np.median((y[j] - y[i])[ok] / dt[ok])) if ok.any() else 0.0
    return slope, float(np.median(y - slope * t))


def _extend_end(frames: np.ndarray, boxes: np.ndarray, touch: np.ndarray, size: tuple[float, float], *,
                fps: float, max_s: float, fit_s: float, min_fit: int, min_speed: float, min_visible: float,
                replace: bool, first_frame: int, last_frame: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Model boxes for one end of one track, given in time order from that end (``frames``
    increasing for the start, decreasing for the end): the track rows to change (indices into
    the given order) with their new boxes, and the new frames with their boxes."""
    none = (np.zeros(0, np.int64), np.zeros((0, 4)), np.zeros(0, np.int64), np.zeros((0, 4)))
    sides = np.flatnonzero(touch[0])
    if len(sides) != 1 or len(frames) < min_fit:   # in no corner, or in a corner: which side is unclear
        return none
    side = int(sides[0])
    axis = side % 2                                # 0: x (left/right side), 1: y (top/bottom)
    lo, hi = boxes[:, axis], boxes[:, axis] + boxes[:, axis + 2]
    # the inner edge (the one away from the side) of the boxes while they touch the side
    inner = hi if side < 2 else size[axis] - lo
    run = int(np.argmin(touch[:, side])) if not touch[:, side].all() else len(frames)
    near = np.abs(frames - frames[0]) <= fit_s * fps
    fit = np.flatnonzero(near[:run])
    if len(fit) < min_fit:
        return none
    t = np.abs(frames[fit] - frames[0]).astype(np.float64)    # frames away from the end, into the track
    slope, at_end = _theil_sen(t, inner[fit])
    # across the side: the object's extent the other way (a person's full height) from the
    # boxes that reach furthest, the tallest third of those fitted
    cross = boxes[fit][:, [1 - axis, 3 - axis]]
    top = np.argsort(-cross[:, 1])[: max(1, len(fit) // 3)]
    c_lo = float(np.median(cross[top, 0]))
    c_len = float(np.median(cross[top, 1]))
    if slope * fps < min_speed * c_len:        # not coming in (going out) fast enough
        return none
    rows = np.zeros(0, np.int64)
    new_boxes = np.zeros((0, 4))
    if replace:
        line = at_end + slope * t                 # depth in view the line gives each fitted box
        short = cross[:, 1] < 0.8 * c_len         # a part only (a head without legs): full extent across
        off = np.abs(inner[fit] - line) > np.maximum(OFF_LINE, 0.5 * line)    # a blob grown at the side
        rows = fit[short | off]
        new_boxes = boxes[rows].copy()
        new_boxes[short[short | off], 1 - axis] = c_lo
        new_boxes[short[short | off], 3 - axis] = c_len
        depth = np.where(off, np.maximum(line, 1.0), inner[fit])[short | off]
        new_boxes[:, axis] = 0.0 if side < 2 else size[axis] - depth
        new_boxes[:, axis + 2] = depth
    count = int(round(max_s * fps))
    k = np.arange(1, count + 1)
    depth_in = at_end - slope * k                              # inner edge before the first box
    step = 1 if len(frames) < 2 or frames[-1] > frames[0] else -1
    new_f = frames[0] - step * k
    keep = np.cumprod((depth_in >= min_visible) & (new_f >= first_frame) & (new_f <= last_frame)).astype(bool)
    depth_in, new_f = depth_in[keep], new_f[keep]
    nb = np.zeros((len(new_f), 4))
    nb[:, axis] = 0.0 if side < 2 else size[axis] - depth_in
    nb[:, axis + 2] = depth_in
    nb[:, 1 - axis] = c_lo
    nb[:, 3 - axis] = c_len
    return rows, new_boxes, new_f, _clip(nb, size)


def extend_at_sides(tracks: Detections, size: tuple[float, float], fps: float, *, max_s: float = 1.5,
                    fit_s: float = 0.3, min_fit: int = 4, min_speed: float = 0.1, min_visible: float = 3.0,
                    margin: float = 1.5, replace: bool = True) -> Detections:
    """``tracks`` with the objects that enter or leave by a side followed to where they are first
    (last) in view (see the module's description). New boxes get the score of the track's nearest
    box. Returns a new table sorted by frame, then id."""
    if fps <= 0 or max_s < 0 or fit_s <= 0 or min_fit < 2:
        raise InputError(f"extend_at_sides needs fps > 0, max_s >= 0, fit_s > 0, min_fit >= 2; got "
                         f"{fps}, {max_s}, {fit_s}, {min_fit}")
    if len(tracks) == 0 or max_s == 0:
        return tracks
    size = (float(size[0]), float(size[1]))
    order = np.lexsort((tracks.frames, tracks.ids))
    ids, frames = tracks.ids[order], tracks.frames[order]
    boxes = tracks.boxes[order].copy()
    scores = tracks.scores[order] if tracks.scores is not None else None
    touch = touching(boxes, size, margin)
    last = int(tracks.num_frames or frames.max())
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    ends = np.r_[starts[1:], len(ids)]
    add_f, add_i, add_b, add_s = [], [], [], []
    kw = dict(fps=fps, max_s=max_s, fit_s=fit_s, min_fit=min_fit, min_speed=min_speed, min_visible=min_visible,
              replace=replace, first_frame=1, last_frame=last)
    for a, b in zip(starts.tolist(), ends.tolist()):
        if ids[a] == -1:
            continue
        for sl in (slice(a, b), slice(b - 1, a - 1 if a > 0 else None, -1)):
            idx = np.arange(len(ids))[sl]
            rows, rboxes, nf, nb = _extend_end(frames[idx], boxes[idx], touch[idx], size, **kw)  # type: ignore[arg-type]
            boxes[idx[rows]] = rboxes
            add_f.append(nf)
            add_i.append(np.full(len(nf), ids[a]))
            add_b.append(nb)
            if scores is not None:
                add_s.append(np.full(len(nf), scores[idx[0]]))
    if not sum(len(f) for f in add_f) and np.array_equal(boxes, tracks.boxes[order]):
        return tracks
    all_f = np.concatenate([frames, *add_f])
    all_i = np.concatenate([ids, *add_i])
    all_b = np.concatenate([boxes, *add_b])
    all_s = None if scores is None else np.concatenate([scores, *add_s])
    final = np.lexsort((all_i, all_f))
    return Detections(all_f[final], all_i[final], all_b[final], None if all_s is None else all_s[final],
                      num_frames=tracks.num_frames, source=tracks.source)
