"""A baseline that ignores the query: the ``count`` tracks with the largest boxes (median box
area, from the ``box-size`` encoder), each over its whole life, scored by area relative to the
largest (the actors nearest the camera are often the ones annotated)."""
from __future__ import annotations

import numpy as np

from svag.encode.box_size import BoxSizeEncoder
from svag.ground.base import Grounding, GroundingResult, QueryLike, Scene
from svag.ground.windows import whole_life
from svag.language.types import ActionQuery


class LargestTracksGrounder:
    name = "largest-tracks"
    ignores_query = True          # a floor: no category check either
    requires = ("box-size",)

    def __init__(self, count: int = 3) -> None:
        self.count = count

    def ground(self, scene: Scene, query: QueryLike) -> GroundingResult:
        result = GroundingResult(query if isinstance(query, ActionQuery) else ActionQuery(query))
        area = scene.encode(BoxSizeEncoder())["area"]
        if not len(area) or area.max() <= 0:
            return result
        order = np.argsort(-area, kind="stable")[: self.count]
        for i in order:
            if area[i] > 0:
                s = float(area[i] / area.max())
                result.groundings.append(Grounding(scene.tracks[i], s, whole_life(scene.tracks[i], s)))
        return result
