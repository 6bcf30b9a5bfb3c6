"""What every stage above tracking sees of one video: a :class:`Scene`.

A scene holds the tracks (from a tracker, a file or the ground truth), the video's geometry and
frame rate, a stable ``key`` (what it was built from, with which settings), optionally a
:class:`FrameSource` to read the video's pixels again, and the per-video encodings computed on it
(:meth:`Scene.encode`: each encoder runs once per scene; results with a disk form are kept in
the scene's cache folder). Scenes are built by :mod:`svag.run.scene` (one builder for every origin).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Protocol

import numpy as np

from svag.core.types import Track
from svag.errors import InputError


class FrameSource(Protocol):
    """The pixels of a video, read again on demand. A source may keep some frames in memory
    (:class:`svag.video.frames.VideoFrames` keeps the key frames its scene's encoders asked for
    while the tracking pass decoded the video, within a memory budget); those cost no decoding.
    Optionally, ``in_memory(indices)`` lists which of the given frames are held."""

    def read(self, indices: Iterable[int]) -> Iterator[tuple[int, np.ndarray]]:
        """``(index, BGR image)`` for each wanted 1-based frame index, in ascending order: frames
        held in memory from there, the others in one pass over the video (only the frame being
        yielded is decoded and held)."""
        ...


class Encoder(Protocol):
    """A per-video encoding: ``encode(scene)`` -> features, computed once per (scene, encoder,
    parameters). ``params()`` lists what changes the result (part of the cache key). An encoder
    with ``to_json(value)`` and ``from_json(obj)`` is also cached on disk, in the scene's cache
    folder (``encodings/<key>.json``). An encoder that reads pixels at frames fixed in advance
    (not chosen from the tracks) says which with ``frames_wanted(num_frames, fps=None) ->
    Iterable[int]`` (a ``range`` is best): the scene builder keeps those frames while tracking
    decodes the video, so the encoder's ``scene.frames.read`` needs no second decode."""

    name: str

    def params(self) -> dict[str, Any]: ...

    def encode(self, scene: "Scene") -> Any: ...


def encoder_key(encoder: Encoder) -> str:
    """``name-<hash of the parameters>``: the encoding's cache key within a scene."""
    params = json.dumps(encoder.params(), sort_keys=True, default=str)
    return f"{encoder.name}-{hashlib.sha1(params.encode()).hexdigest()[:10]}"


@dataclass(frozen=True, eq=False)
class Scene:
    tracks: tuple[Track, ...]
    width: int
    height: int
    fps: float
    num_frames: int
    name: str = ""
    key: str = ""                              # stable identity of what the scene was built from
    frames: FrameSource | None = None          # the video's pixels, when the scene came from a video
    cache_dir: Path | None = None              # this scene's cache folder (tracks, metadata, encodings)
    encodings: dict[str, Any] = field(default_factory=dict, init=False, repr=False)  # encoder key -> value

    def __post_init__(self) -> None:
        object.__setattr__(self, "tracks", tuple(self.tracks))
        if not (self.fps > 0 and self.width > 0 and self.height > 0 and self.num_frames > 0):
            raise InputError(f"width, height, fps and num_frames must be positive, got {self.width}, "
                             f"{self.height}, {self.fps}, {self.num_frames}", hint=f"scene {self.name!r}")

    def encode(self, encoder: Encoder) -> Any:
        """The encoder's features of this scene, computed once (memory, then the disk cache)."""
        key = encoder_key(encoder)
        if key in self.encodings:
            return self.encodings[key]
        path = None
        if self.cache_dir is not None and hasattr(encoder, "to_json") and hasattr(encoder, "from_json"):
            path = self.cache_dir / "encodings" / f"{key}.json"
        if path is not None and path.is_file():
            value = encoder.from_json(json.loads(path.read_text()))  # type: ignore[attr-defined]
        else:
            value = encoder.encode(self)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps(encoder.to_json(value)))  # type: ignore[attr-defined]
                tmp.replace(path)
        self.encodings[key] = value
        return value
