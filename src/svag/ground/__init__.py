"""Grounders: which tracks perform a query's action, and when. One file per grounder plus an
entry in ``GROUNDERS``; build one by name with :func:`build_grounder`."""
from __future__ import annotations

import importlib
from typing import Any

from svag.registry import build

# name -> "module:Class", imported on demand (heavy grounders pull optional dependencies)
GROUNDERS: dict[str, str] = {
    "kinematic": "svag.ground.kinematic:KinematicGrounder",
    "hybrid": "svag.ground.hybrid:HybridGrounder",
    "all-tracks": "svag.ground.baselines:AllTracksGrounder",
    "longest-track": "svag.ground.baselines:LongestTrackGrounder",
    "learned": "svag.ground.learned:LearnedGrounder",
    "videogem": "svag.ground.videogem:VideoGemGrounder",
}
# grounders that read pixels: `svag ground` passes them the video as video=PATH
PIXEL_GROUNDERS: frozenset[str] = frozenset({"videogem"})


def build_grounder(name: str, **kwargs: Any) -> Any:
    """The grounder registered as ``name`` (its module is imported on demand)."""
    def lazy(spec: str) -> Any:
        module, cls = spec.split(":")
        return lambda **kw: getattr(importlib.import_module(module), cls)(**kw)
    return build("grounder", {k: lazy(v) for k, v in GROUNDERS.items()}, name, **kwargs)
