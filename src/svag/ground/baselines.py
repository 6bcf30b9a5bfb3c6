"""Trivial grounders that give every number a floor: every track over its whole life, and the
single longest track. They ignore the query's text."""
from __future__ import annotations

from svag.ground.base import Grounding, GroundingResult, QueryLike, Scene
from svag.ground.windows import whole_life
from svag.language.types import ActionQuery


def _unparsed(query: QueryLike) -> ActionQuery:
    return query if isinstance(query, ActionQuery) else ActionQuery(query)


class AllTracksGrounder:
    """Every track, over its whole lifespan (the "trivial baseline")."""

    name = "all-tracks"
    ignores_query = True          # a floor: no category check either
    requires = ()

    def ground(self, scene: Scene, query: QueryLike) -> GroundingResult:
        return GroundingResult(_unparsed(query), [Grounding(t, 1.0, whole_life(t)) for t in scene.tracks if len(t)])


class LongestTrackGrounder:
    """The single longest track, over its whole lifespan."""

    name = "longest-track"
    ignores_query = True          # a floor: no category check either
    requires = ()

    def ground(self, scene: Scene, query: QueryLike) -> GroundingResult:
        tracks = [t for t in scene.tracks if len(t)]
        if not tracks:
            return GroundingResult(_unparsed(query))
        best = max(tracks, key=lambda t: (len(t), -int(t.frames[0])))
        return GroundingResult(_unparsed(query), [Grounding(best, 1.0, whole_life(best))])
