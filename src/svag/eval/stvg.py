"""Spatio-temporal video grounding (STVG) metrics for single-tube data (HC-STVG, VidSTG).

Each video has one true tube and at most one predicted tube: a :class:`~svag.core.types.Track`
(1-based frames and xywh boxes) plus a temporal span ``(start, end)``, 1-based and inclusive
(``[s, e]`` holds ``e - s + 1`` frames), by default the track's first and last frame.

* ``tIoU = |P ∩ G| / |P ∪ G|`` over the frame sets of the two spans.
* ``vIoU = (1 / |P ∪ G|) * Σ_{f ∈ P ∩ G} IoU(gt box f, pred box f)``, the corrected TubeDETR
  definition: a frame of the intersection where either tube has no box contributes 0, boxes
  outside the intersection of the spans contribute nothing (they only widen the union through
  the spans).
* ``m_tIoU`` and ``m_vIoU`` are means over videos; ``vIoU@0.3`` / ``vIoU@0.5`` the share of
  videos with ``vIoU >= θ``. All in percent, unrounded.

A video without a prediction (``pred`` is None, or an empty track with no span) scores tIoU = vIoU
= 0 and still counts in every mean. A span with start > end is an :class:`InputError` naming the
video.
"""
from __future__ import annotations

from typing import Hashable, Iterable, NamedTuple, Sequence

import numpy as np

from svag.core.boxes import iou_paired
from svag.core.types import Track
from svag.errors import InputError

VIOU_THRESHOLDS: tuple[float, ...] = (0.3, 0.5)
Span = tuple[int, int]


class TubePair(NamedTuple):
    """One video: its true tube and the predicted one (None = no prediction)."""

    video: Hashable
    gt: Track
    pred: Track | None
    gt_span: Span | None = None
    pred_span: Span | None = None


def _span(track: Track | None, span: Sequence[int] | None, video: object, side: str) -> Span | None:
    if span is None:
        return None if track is None else track.span
    try:
        s, e = (int(v) for v in span)
    except (TypeError, ValueError):
        raise InputError(f"video {video!r}: {side} span must be (start, end) frame numbers, "
                         f"got {span!r}") from None
    if s > e:
        raise InputError(f"video {video!r}: {side} span starts after it ends: [{s}, {e}]",
                         hint="spans are 1-based and inclusive, start <= end")
    return s, e


def _boxes_in(track: Track, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    i, j = np.searchsorted(track.frames, [lo, hi + 1])
    return track.frames[i:j], track.boxes[i:j]


def stvg_video(gt_track: Track, pred_track: Track | None, gt_span: Sequence[int] | None = None,
               pred_span: Sequence[int] | None = None, *, video: Hashable = None) -> tuple[float, float]:
    """``(tIoU, vIoU)`` of one video as fractions in [0, 1]. ``video`` names it in errors
    (default: the GT track id)."""
    name = gt_track.track_id if video is None else video
    g = _span(gt_track, gt_span, name, "ground-truth")
    p = _span(pred_track, pred_span, name, "predicted")
    if g is None:
        raise InputError(f"video {name!r}: the ground-truth tube has no boxes and no span was given")
    if p is None:
        return 0.0, 0.0
    lo, hi = max(g[0], p[0]), min(g[1], p[1])
    inter = max(0, hi - lo + 1)
    union = (g[1] - g[0] + 1) + (p[1] - p[0] + 1) - inter
    if inter == 0:
        return 0.0, 0.0
    gf, gb = _boxes_in(gt_track, lo, hi)
    if pred_track is None:
        return inter / union, 0.0
    pf, pb = _boxes_in(pred_track, lo, hi)
    _, gi, pi = np.intersect1d(gf, pf, assume_unique=True, return_indices=True)
    total = float(np.sum(iou_paired(gb[gi], pb[pi]))) if len(gi) else 0.0
    return inter / union, total / union


def _as_pair(item: TubePair | Sequence[object]) -> TubePair:
    if isinstance(item, TubePair):
        return item
    try:
        return TubePair(*item)  # type: ignore[arg-type]
    except TypeError:
        raise InputError("each STVG pair must be (video, gt_track, pred_track[, gt_span[, pred_span]]), "
                         f"got {item!r}") from None


def stvg_per_video(pairs: Iterable[TubePair | Sequence[object]]
                   ) -> tuple[list[Hashable], np.ndarray, np.ndarray]:
    """Video names, tIoU and vIoU arrays (fractions), one entry per pair, in order."""
    names: list[Hashable] = []
    tious: list[float] = []
    vious: list[float] = []
    for item in pairs:
        pair = _as_pair(item)
        t, v = stvg_video(pair.gt, pair.pred, pair.gt_span, pair.pred_span, video=pair.video)
        names.append(pair.video)
        tious.append(t)
        vious.append(v)
    return names, np.asarray(tious, dtype=np.float64), np.asarray(vious, dtype=np.float64)


def stvg_metrics(pairs: Iterable[TubePair | Sequence[object]],
                 thresholds: Sequence[float] = VIOU_THRESHOLDS) -> dict[str, float]:
    """``m_tIoU``, ``m_vIoU`` and ``vIoU@θ`` in percent over the videos, plus ``videos`` (count).

    ``pairs``: :class:`TubePair` or tuples ``(video, gt_track, pred_track[, gt_span[, pred_span]])``;
    ``pred_track`` None means the video has no prediction (scores 0). No videos: all 0."""
    _, t, v = stvg_per_video(pairs)
    return stvg_summary(t, v, thresholds)


def stvg_summary(t: np.ndarray, v: np.ndarray, thresholds: Sequence[float] = VIOU_THRESHOLDS) -> dict[str, float]:
    """The metrics of :func:`stvg_metrics` from per-video tIoU and vIoU arrays (fractions)."""
    n = len(t)
    out = {"m_tIoU": 100.0 * float(np.mean(t)) if n else 0.0,
           "m_vIoU": 100.0 * float(np.mean(v)) if n else 0.0}
    for th in thresholds:
        out[f"vIoU@{th:g}"] = 100.0 * float(np.mean(v >= th)) if n else 0.0
    out["videos"] = float(n)
    return out
