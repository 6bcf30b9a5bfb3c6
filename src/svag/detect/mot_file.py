"""Detections read from a MOTChallenge ``det.txt`` (public detections), served frame by frame.

Scores are brought to [0, 1] so that tracker thresholds mean the same for every source:

* ``score_scale="auto"`` (default): files whose scores exceed 1 are taken to be on the MOT15
  0-100 scale (PETS09 and TUD ACF scores, which run slightly past 100 and below 0) and divided by
  100; files with scores in [0, 1] (MOT17/MOT20) are kept;
* a number: scores are divided by it; ``None``: scores are kept as they are.

Scaled scores are clipped to [0, 1]. ``min_score`` (on the scaled scores) drops weaker rows.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from svag.core.types import Detections
from svag.detect.base import FrameDetections
from svag.errors import InputError
from svag.io.mot import read_mot_det, read_mot_results
from svag.video.reader import Frame


def normalise_scores(scores: np.ndarray, scale: float | str | None = "auto") -> np.ndarray:
    """Scores on [0, 1] (see the module docstring for ``scale``)."""
    scores = np.asarray(scores, dtype=np.float64)
    if scale is None:
        return scores
    if scale == "auto":
        scale = 100.0 if scores.size and np.nanmax(scores) > 1.0 else 1.0
    if isinstance(scale, str) or not float(scale) > 0:
        raise InputError(f"score_scale must be 'auto', a positive number or None, got {scale!r}")
    return np.clip(scores / float(scale), 0.0, 1.0)


def _looks_like_ground_truth(path: Path, dets: Detections) -> bool:
    """Column 7 only 0/1 and column 2 holding several positive ids: a gt or result file."""
    if dets.scores is None or len(dets) == 0 or not np.isin(dets.scores, (0.0, 1.0)).all():
        return False
    ids = read_mot_results(path).ids            # read_mot_det drops the id column
    return bool((ids > 0).all() and len(np.unique(ids)) > 1)


def read_detections(path: str | os.PathLike, *, score_scale: float | str | None = "auto",
                    min_score: float | None = None) -> Detections:
    """A whole ``det.txt`` with scores normalised (module docstring) and filtered."""
    path = Path(path)
    raw = read_mot_det(path)
    if _looks_like_ground_truth(path, raw):
        raise InputError("this looks like a ground-truth or tracker file, not detections: column 2 holds "
                         "track ids and column 7 only 0/1 flags", file=str(path),
                         hint="det.txt columns are frame, -1, x, y, w, h, score[, ...]")
    bad = np.flatnonzero((raw.boxes[:, 2] <= 0) | (raw.boxes[:, 3] <= 0))
    if len(bad):
        raise InputError(f"row {int(bad[0]) + 1}: box width and height (columns 5, 6) must be positive, got "
                         f"{raw.boxes[bad[0], 2]:g} x {raw.boxes[bad[0], 3]:g}", file=str(path))
    scores = normalise_scores(raw.scores, score_scale)  # type: ignore[arg-type]
    keep = np.ones(len(scores), bool) if min_score is None else scores >= min_score
    return Detections(raw.frames[keep], raw.ids[keep], raw.boxes[keep], scores=scores[keep], source=str(path))


class MotFileDetector:
    """Serves the rows of a ``det.txt`` for each frame index (the image is not looked at)."""

    def __init__(self, path: str | os.PathLike, *, score_scale: float | str | None = "auto",
                 min_score: float | None = None) -> None:
        self.path = path
        self.score_scale = score_scale
        self.min_score = min_score

    def reset(self) -> None:
        table = read_detections(self.path, score_scale=self.score_scale, min_score=self.min_score)
        order = np.argsort(table.frames, kind="stable")
        self.frames_ = table.frames[order]
        self.boxes_ = table.boxes[order]
        self.scores_ = table.scores[order]  # type: ignore[index]

    def detect(self, frame: Frame) -> FrameDetections:
        if not hasattr(self, "frames_"):
            self.reset()
        lo, hi = np.searchsorted(self.frames_, [frame.index, frame.index + 1])
        return FrameDetections(self.boxes_[lo:hi], self.scores_[lo:hi])
