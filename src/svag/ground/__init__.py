"""Grounders: which tracks perform a query's action, and when. One file per grounder plus an
entry in ``GROUNDERS``; build one by name with :func:`build_grounder`."""
from __future__ import annotations

import importlib
from typing import Any

from svag.errors import InputError

# name -> "module:Class", imported on demand (heavy grounders pull optional dependencies)
GROUNDERS: dict[str, str] = {
    "kinematic": "svag.ground.kinematic:KinematicGrounder",
    "all-tracks": "svag.ground.baselines:AllTracksGrounder",
    "longest-track": "svag.ground.baselines:LongestTrackGrounder",
    "learned": "svag.ground.learned:LearnedGrounder",
}


def build_grounder(name: str, **kwargs: Any) -> Any:
    if name not in GROUNDERS:
        import difflib
        close = difflib.get_close_matches(name, GROUNDERS, n=1)
        hint = f"did you mean {close[0]!r}?" if close else None
        raise InputError(f"unknown grounder {name!r}; known: {sorted(GROUNDERS)}", hint=hint)
    module, cls = GROUNDERS[name].split(":")
    return getattr(importlib.import_module(module), cls)(**kwargs)
