"""Multi-object trackers behind one protocol (:class:`svag.track.base.Tracker`).

Trackers are registered explicitly in :data:`TRACKERS`; :func:`build_tracker` builds one by name
from plain keyword arguments::

    tracker = build_tracker("bytetrack", fps=10.0)
    tracks = track_detections(tracker, detections)      # Detections with ids filled
"""
from __future__ import annotations

import difflib
from typing import Any, Callable

from svag.errors import InputError
from svag.track.base import Tracker, track_detections
from svag.track.bytetrack import ByteTracker
from svag.track.interpolate import interpolate_gaps
from svag.track.stitch import stitch_tracks

TRACKERS: dict[str, Callable[..., Tracker]] = {
    "bytetrack": ByteTracker,
}


def build_tracker(name: str, **kwargs: Any) -> Tracker:
    """The tracker registered as ``name``, built with ``kwargs``."""
    try:
        factory = TRACKERS[name]
    except KeyError:
        close = difflib.get_close_matches(str(name), TRACKERS, n=1)
        raise InputError(f"unknown tracker {name!r}; known trackers: {', '.join(sorted(TRACKERS))}",
                         hint=f"did you mean {close[0]!r}?" if close else None) from None
    try:
        return factory(**kwargs)
    except TypeError as exc:
        raise InputError(f"tracker {name!r}: {exc}") from None


__all__ = ["TRACKERS", "ByteTracker", "Tracker", "build_tracker", "interpolate_gaps", "stitch_tracks", "track_detections"]
