"""Box sizes of each track: median box height and area (pixels), in the scene's track order."""
from __future__ import annotations

from typing import Any

import numpy as np

from svag.core.scene import Scene


class BoxSizeEncoder:
    name = "box-size"

    def params(self) -> dict[str, Any]:
        return {}

    def encode(self, scene: Scene) -> dict[str, np.ndarray]:
        """``{"height": (N,), "area": (N,)}``; 0 for a track without boxes."""
        heights = np.array([float(np.median(t.boxes[:, 3])) if len(t) else 0.0 for t in scene.tracks])
        areas = np.array([float(np.median(t.boxes[:, 2] * t.boxes[:, 3])) if len(t) else 0.0 for t in scene.tracks])
        return {"height": heights, "area": areas}

    def to_json(self, value: dict[str, np.ndarray]) -> Any:
        return {k: v.tolist() for k, v in value.items()}

    def from_json(self, obj: Any) -> dict[str, np.ndarray]:
        return {k: np.asarray(v, np.float64) for k, v in obj.items()}
