"""Smoothed trajectories of every track (:class:`~svag.ground.features.TrackFeatures`, with the
camera's motion taken out when ``camera_motion``) and the scene grid that relation predicates
read (:class:`~svag.ground.features.SceneGrid`): what the kinematic grounder scores."""
from __future__ import annotations

from typing import Any

from svag.core.scene import Scene


class KinematicEncoder:
    name = "kinematic"

    def __init__(self, camera_motion: bool = True) -> None:
        self.camera_motion = camera_motion

    def params(self) -> dict[str, Any]:
        return {"camera_motion": self.camera_motion}

    def encode(self, scene: Scene) -> Any:
        from svag.encode.camera import CameraEncoder
        from svag.ground.features import SceneGrid, track_features
        camera = scene.encode(CameraEncoder()) if self.camera_motion else None
        feats = [track_features(t, scene.width, scene.height, scene.fps, camera=camera) for t in scene.tracks]
        return feats, SceneGrid.build(feats, scene.num_frames, scene.fps)
