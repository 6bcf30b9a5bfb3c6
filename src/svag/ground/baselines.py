"""Trivial grounders that give every number a floor: every track over its whole life, and the
single longest track."""
from __future__ import annotations

import numpy as np

from svag.ground.base import Grounding, GroundingResult, Scene
from svag.language.types import ActionQuery


def _whole_life(track) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.array([[float(track.frames[0]), float(track.frames[-1]), 1.0]])


class AllTracksGrounder:
    """Every track, over its whole lifespan (the "trivial baseline")."""

    name = "all-tracks"
    uses_language = False

    def ground(self, scene: Scene, query: ActionQuery) -> GroundingResult:
        return GroundingResult(query, [Grounding(t, 1.0, _whole_life(t)) for t in scene.tracks if len(t)])


class LongestTrackGrounder:
    """The single longest track, over its whole lifespan."""

    name = "longest-track"
    uses_language = False

    def ground(self, scene: Scene, query: ActionQuery) -> GroundingResult:
        tracks = [t for t in scene.tracks if len(t)]
        if not tracks:
            return GroundingResult(query)
        best = max(tracks, key=lambda t: (len(t), -int(t.frames[0])))
        return GroundingResult(query, [Grounding(best, 1.0, _whole_life(best))])
