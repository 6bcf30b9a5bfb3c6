"""Colour descriptors of each track: the share of its pixels of each colour name
(:mod:`svag.ground.appearance`), from crops of its boxes on the key frames 1, 1 + every,
1 + 2 every, ... (the same frames for every track, fixed before tracking: ``frames_wanted``, so
that the scene keeps them while tracking decodes the video and this encoder decodes nothing
more); a track with no box on a key frame (shorter than ``every`` frames) is read at its first
box. Frames are read from the scene's frames in one pass. A scene without pixels encodes to None
(colour words are then ignored)."""
from __future__ import annotations

from typing import Any

import numpy as np

from svag.core.scene import Scene

UNKNOWN_LENGTH = 2**40          # the grid's end when the video's length is not known before decoding


class ColourEncoder:
    name = "colour"

    def __init__(self, every: int = 5) -> None:
        self.every = every

    def params(self) -> dict[str, Any]:
        return {"every": self.every, "frames": "key"}

    def frames_wanted(self, num_frames: int | None, fps: float | None = None) -> range:
        """The key frames: every ``every``-th frame from the first (``fps`` is not needed)."""
        return range(1, (num_frames or UNKNOWN_LENGTH) + 1, self.every)

    def encode(self, scene: Scene) -> dict[object, np.ndarray] | None:
        if scene.frames is None:
            return None
        from svag.ground.appearance import crop_descriptor, normalise
        by_frame: dict[int, list[tuple[object, np.ndarray]]] = {}
        for t in scene.tracks:
            if len(t) == 0:
                continue
            sel = np.flatnonzero((t.frames - 1) % self.every == 0)
            if len(sel) == 0:
                sel = np.zeros(1, np.int64)
            for f, box in zip(t.frames[sel].tolist(), t.boxes[sel]):
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
