"""The forward camera motion of a scene (median zoom and translation per frame), estimated from
its tracks (:func:`svag.ground.camera.estimate_camera_motion`); None for a static camera."""
from __future__ import annotations

from typing import Any

from svag.core.scene import Scene


class CameraEncoder:
    name = "camera"

    def params(self) -> dict[str, Any]:
        return {}

    def encode(self, scene: Scene) -> Any:
        from svag.ground.camera import estimate_camera_motion
        return estimate_camera_motion(scene.tracks, scene.width, scene.height, scene.num_frames, scene.fps)
