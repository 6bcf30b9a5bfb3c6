"""Grounders: which tracks perform a query's action, and when. One file per grounder plus an
entry in ``GROUNDERS``; build one by name with :func:`build_grounder`."""
from __future__ import annotations

from typing import Any

from svag.registry import build

# name -> "module:Class", imported on demand (heavy grounders pull optional dependencies)
GROUNDERS: dict[str, str] = {
    "kinematic": "svag.ground.kinematic:KinematicGrounder",
    "hybrid": "svag.ground.hybrid:HybridGrounder",
    "all-tracks": "svag.ground.baselines:AllTracksGrounder",
    "longest-track": "svag.ground.baselines:LongestTrackGrounder",
    "learned": "svag.ground.learned:LearnedGrounder",
    "largest-tracks": "svag.ground.largest:LargestTracksGrounder",
    "mllm": "svag.ground.mllm:MllmGrounder",
    "clip": "svag.vision.grounders:ClipGrounder",        # sees pixels: CLIP / SigLIP track-text similarity
    "fusion": "svag.vision.grounders:FusionGrounder",    # kinematic predicates x vision relevance
    "videogem": "svag.ground.videogem:VideoGemGrounder",    # sees pixels: VideoGEM action heatmaps (scene.frames)
}


def build_grounder(name: str, **kwargs: Any) -> Any:
    """The grounder registered as ``name`` (its module is imported on demand)."""
    return build("grounder", GROUNDERS, name, **kwargs)
