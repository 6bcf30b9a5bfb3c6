"""Multi-object trackers behind one protocol (:class:`svag.track.base.Tracker`).

Trackers are registered explicitly in :data:`TRACKERS`; :func:`build_tracker` builds one by name
from plain keyword arguments::

    tracker = build_tracker("bytetrack", fps=10.0)
    tracks = track_detections(tracker, detections)      # Detections with ids filled
"""
from __future__ import annotations

from typing import Any, Callable

from svag.registry import build
from svag.track.base import Tracker, track_detections
from svag.track.bytetrack import ByteTracker
from svag.track.interpolate import interpolate_gaps
from svag.track.stitch import stitch_tracks

TRACKERS: dict[str, str | Callable[..., Tracker]] = {
    "bytetrack": "svag.track.bytetrack:ByteTracker",
}


def build_tracker(name: str, **kwargs: Any) -> Tracker:
    """The tracker registered as ``name``, built with ``kwargs``."""
    return build("tracker", TRACKERS, name, **kwargs)


__all__ = ["TRACKERS", "ByteTracker", "Tracker", "build_tracker", "interpolate_gaps", "stitch_tracks", "track_detections"]
