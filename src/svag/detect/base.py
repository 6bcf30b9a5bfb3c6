"""The detector protocol and its per-frame output.

A detector turns one decoded :class:`~svag.video.reader.Frame` into a :class:`FrameDetections`::

    detector.reset()                    # per-video state (background model, file table) cleared
    for frame in open_video(path):
        dets = detector.detect(frame)   # boxes (N, 4) xywh, scores (N,) in [0, 1], labels or None

Constructors only store their keyword parameters (scikit-learn style); per-video state lives in
trailing-underscore attributes and is created by ``reset()`` (called on first use if needed).
Scores are in [0, 1] for every detector, so one tracker setting serves them all.

Prompts (optional capability): a detector that finds what it is told (an open-vocabulary model)
has ``set_prompts(texts)``; the pipeline gives it the query texts before the first frame
(:func:`supports_prompts`). Detectors without it ignore the queries.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Protocol

import numpy as np

from svag.core.boxes import as_boxes
from svag.core.types import Detections
from svag.video.reader import Frame

EXTENT = "extent"     # FrameDetections.extras key: the object's own extent, where the box is kept tighter


@dataclass(frozen=True, eq=False)
class FrameDetections:
    """Boxes found in one frame: ``boxes`` (N, 4) float64 xywh, ``scores`` (N,) float64,
    optional integer class ``labels`` (N,) and optional per-box ``extras``: arrays with one row
    per box that the tracker carries into ``Track.data``. Keys every detector uses the same way:
    ``"category"`` (object array of names such as "person", "car"; None = unknown) and
    ``"category_score"`` (float in [0, 1]); the tracker turns them into ``Track.category``;
    ``"extent"`` (:data:`EXTENT`, float (N, 4) xywh): the object's own extent when it differs from
    the box the tracker should associate (the box is kept tight to stay clear of neighbours):
    tracks report it at the frames the box was matched (:func:`svag.track.extras.take_extents`)."""

    boxes: np.ndarray
    scores: np.ndarray
    labels: np.ndarray | None = None
    extras: Mapping[str, np.ndarray] | None = None

    def __post_init__(self) -> None:
        boxes = as_boxes(self.boxes)
        scores = np.asarray(self.scores, dtype=np.float64).reshape(-1)
        if len(scores) != len(boxes):
            raise ValueError(f"scores must have one value per box: {len(boxes)} boxes, {len(scores)} scores")
        object.__setattr__(self, "boxes", boxes)
        object.__setattr__(self, "scores", scores)
        if self.labels is not None:
            labels = np.asarray(self.labels, dtype=np.int64).reshape(-1)
            if len(labels) != len(boxes):
                raise ValueError(f"labels must have one value per box: {len(boxes)} boxes, {len(labels)} labels")
            object.__setattr__(self, "labels", labels)
        if self.extras is not None:
            extras = {str(k): np.asarray(v) for k, v in self.extras.items()}
            for k, v in extras.items():
                if v.ndim == 0 or len(v) != len(boxes):
                    raise ValueError(f"extra {k!r} must have one row per box: {len(boxes)} boxes, shape {v.shape}")
            object.__setattr__(self, "extras", extras)

    def __len__(self) -> int:
        return len(self.boxes)

    def __getitem__(self, index: np.ndarray | slice) -> "FrameDetections":
        """Rows selected by a boolean mask, an index array or a slice."""
        return FrameDetections(self.boxes[index], self.scores[index],
                               None if self.labels is None else self.labels[index],
                               None if self.extras is None else {k: v[index] for k, v in self.extras.items()})

    @classmethod
    def empty(cls) -> "FrameDetections":
        return cls(np.zeros((0, 4)), np.zeros(0))


class Detector(Protocol):
    def reset(self) -> None: ...

    def detect(self, frame: Frame) -> FrameDetections: ...


class PromptableDetector(Detector, Protocol):
    def set_prompts(self, texts: list[str]) -> None: ...


def supports_prompts(detector: object) -> bool:
    """Whether the detector accepts text prompts (``set_prompts``)."""
    return callable(getattr(detector, "set_prompts", None))


def concat_extras(parts: list[Mapping[str, np.ndarray] | None], sizes: list[int]) -> dict[str, np.ndarray] | None:
    """Per-box extras of several frames as one table; a key missing in some frame is filled
    with None (object arrays) or NaN, so that every row keeps its place."""
    keys = sorted({k for p in parts if p for k in p})
    if not keys:
        return None
    out: dict[str, np.ndarray] = {}
    for k in keys:
        like = next(np.asarray(p[k]) for p in parts if p and k in p)
        floats = like.dtype.kind == "f"

        def filler(n: int) -> np.ndarray:
            return np.full((n,) + like.shape[1:], np.nan if floats else None, dtype=like.dtype if floats else object)
        out[k] = np.concatenate([np.asarray(p[k]) if p and k in p else filler(n) for p, n in zip(parts, sizes)])
    return out


def detect_video(detector: Detector, frames: Iterable[Frame]) -> Detections:
    """Run ``detector`` (after ``reset()``) on every frame; one flat table (ids -1)."""
    detector.reset()
    parts_f, parts_b, parts_s, parts_l, parts_x = [], [], [], [], []
    has_labels = True
    last = 0
    for frame in frames:
        d = detector.detect(frame)
        last = frame.index
        parts_f.append(np.full(len(d), frame.index, np.int64))
        parts_b.append(d.boxes)
        parts_s.append(d.scores)
        parts_x.append(d.extras)
        if d.labels is None:
            has_labels = False
        else:
            parts_l.append(d.labels)
    if not parts_f:
        return Detections(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 4)), scores=np.zeros(0))
    frames = np.concatenate(parts_f)
    return Detections(frames, np.full(len(frames), -1, np.int64), np.concatenate(parts_b),
                      scores=np.concatenate(parts_s),
                      classes=np.concatenate(parts_l) if has_labels and parts_l else None, num_frames=last,
                      extras=concat_extras(parts_x, [len(f) for f in parts_f]))
