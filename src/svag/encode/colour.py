"""Colour descriptors of each track: the share of its pixels of each colour name
(:mod:`svag.ground.appearance`), from crops of every ``every``-th box, read from the scene's
frames in one pass. A scene without pixels encodes to None (colour words are then ignored)."""
from __future__ import annotations

from typing import Any

import numpy as np

from svag.core.scene import Scene


class ColourEncoder:
    name = "colour"

    def __init__(self, every: int = 5) -> None:
        self.every = every

    def params(self) -> dict[str, Any]:
        return {"every": self.every}

    def encode(self, scene: Scene) -> dict[object, np.ndarray] | None:
        if scene.frames is None:
            return None
        from svag.ground.appearance import crop_descriptor, normalise
        by_frame: dict[int, list[tuple[object, np.ndarray]]] = {}
        for t in scene.tracks:
            for f, box in zip(t.frames[::self.every].tolist(), t.boxes[::self.every]):
                by_frame.setdefault(f, []).append((t.track_id, box))
        counts: dict[object, np.ndarray] = {}
        for index, image in scene.frames.read(by_frame):
            for tid, box in by_frame[index]:
                counts[tid] = counts.get(tid, 0) + crop_descriptor(image, box)
        return {k: normalise(v) for k, v in counts.items()}

    def to_json(self, value: dict[object, np.ndarray] | None) -> Any:
        return None if value is None else {str(k): v.tolist() for k, v in value.items()}

    def from_json(self, obj: Any) -> dict[object, np.ndarray] | None:
        return None if obj is None else {int(k): np.asarray(v) for k, v in obj.items()}
