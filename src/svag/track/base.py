"""The tracker protocol and the loop that runs a tracker over a table of detections.

A tracker is fed one frame at a time, in increasing frame order, and answers with the ids and
boxes of the tracks it reports at that frame (online output)::

    ids, boxes = tracker.update(frame_index, boxes, scores)
    ...
    tracks = tracker.finalize()     # Detections with ids filled: the whole video, post-processed

``finalize`` may return more than the online answers (e.g. the boxes a track had before it was
confirmed, or interpolated gaps). ``reset()`` clears per-video state. Constructors only store
their keyword parameters (scikit-learn style); state lives in trailing-underscore attributes.
"""
from __future__ import annotations

from typing import Protocol

import numpy as np

from svag.core.types import Detections
from svag.errors import InputError


class Tracker(Protocol):
    def reset(self) -> None: ...

    def update(self, frame_index: int, boxes: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...

    def finalize(self) -> Detections: ...


def track_detections(tracker: Tracker, detections: Detections, num_frames: int | None = None) -> Detections:
    """Run ``tracker`` (after ``reset()``) over every frame 1..num_frames of a detection table,
    frames without detections included, and return ``tracker.finalize()``."""
    if detections.scores is None:
        raise InputError("detections need scores to be tracked", file=detections.source)
    n = num_frames or detections.num_frames or int(detections.frames.max(initial=0))
    order = np.argsort(detections.frames, kind="stable")
    frames, boxes, scores = detections.frames[order], detections.boxes[order], detections.scores[order]
    bounds = np.searchsorted(frames, np.arange(1, n + 2))
    tracker.reset()
    for f in range(1, n + 1):
        lo, hi = bounds[f - 1], bounds[f]
        tracker.update(f, boxes[lo:hi], scores[lo:hi])
    out = tracker.finalize()
    return Detections(out.frames, out.ids, out.boxes, out.scores, num_frames=n, source=detections.source)
