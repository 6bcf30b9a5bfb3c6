"""Encoders: per-video features computed once per scene and reused by every query
(:class:`~svag.core.scene.Encoder`: ``encode(scene) -> features``, cached by scene, encoder and
parameters through :meth:`~svag.core.scene.Scene.encode`).

One file per encoder plus an entry in :data:`ENCODERS`. A grounder names the encoders it needs
in ``requires`` (names, or encoder objects when it sets their parameters); the pipeline runs
them once per scene before the first query (:func:`run_encoders`), and a grounder reads them
with ``scene.encode(...)`` (already computed: a dictionary lookup).
"""
from __future__ import annotations

from typing import Any, Iterable

from svag.core.scene import Encoder, Scene
from svag.registry import build

ENCODERS: dict[str, str] = {
    "colour": "svag.encode.colour:ColourEncoder",
    "camera": "svag.encode.camera:CameraEncoder",
    "kinematic": "svag.encode.kinematic:KinematicEncoder",
    "learned-steps": "svag.encode.steps:StepEncoder",
    "box-size": "svag.encode.box_size:BoxSizeEncoder",
    "crops": "svag.vision.crops:CropEncoder",     # image embeddings of track crops (torch + transformers)
}


def build_encoder(name: str, **kwargs: Any) -> Encoder:
    """The encoder registered as ``name``."""
    return build("encoder", ENCODERS, name, **kwargs)


def as_encoder(spec: str | Encoder) -> Encoder:
    return build_encoder(spec) if isinstance(spec, str) else spec


def encoding(scene: Scene, spec: str | Encoder) -> Any:
    """The scene's encoding by ``spec`` (a registered name or an encoder), computed once."""
    return scene.encode(as_encoder(spec))


def run_encoders(scene: Scene, specs: Iterable[str | Encoder]) -> None:
    """Compute (or load from the scene's cache) each encoding once."""
    for spec in specs:
        scene.encode(as_encoder(spec))


__all__ = ["ENCODERS", "Encoder", "as_encoder", "build_encoder", "encoding", "run_encoders"]
