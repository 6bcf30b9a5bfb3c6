"""The grounding stage: which tracks of a scene perform a query's action, and when.

A :class:`Scene` is what grounders see of one video: its tracks (from a tracker or a file) and
the video's geometry and frame rate, plus optional per-track appearance (colour) descriptors.
A grounder returns :class:`Grounding` objects: a matched track, its score and scored windows
(1-based inclusive frames, best first). Grounders follow one small protocol so that a new one is
one file plus a registry entry (:mod:`svag.ground`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, Sequence

import numpy as np

from svag.core.types import Track
from svag.language.types import ActionQuery


@dataclass(frozen=True, eq=False)
class Scene:
    tracks: tuple[Track, ...]
    width: int
    height: int
    fps: float
    num_frames: int
    colors: dict[object, np.ndarray] | None = None   # track id -> colour-name probabilities (see appearance)
    name: str = ""
    encodings: dict[str, Any] = field(default_factory=dict)   # per-video encodings (e.g. "crops": embeddings)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tracks", tuple(self.tracks))
        if self.fps <= 0 or self.width <= 0 or self.height <= 0 or self.num_frames <= 0:
            raise ValueError(f"scene {self.name!r}: width, height, fps and num_frames must be positive")


@dataclass(frozen=True, eq=False)
class Grounding:
    track: Track                 # the matched track (boxes over its whole life)
    score: float                 # how well the track matches the query, 0-1
    windows: np.ndarray          # (K, 3) [start, end, score], 1-based inclusive frames, best first


@dataclass
class GroundingResult:
    query: ActionQuery
    groundings: list[Grounding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Grounder(Protocol):
    """``ground(scene, query)`` -> matched tracks with windows, best first."""

    name: str

    def ground(self, scene: Scene, query: ActionQuery) -> GroundingResult: ...


def clip_to_windows(track: Track, windows: np.ndarray) -> Track:
    """The track's boxes inside its windows (the official format gives boxes only where the
    action happens), with the windows attached."""
    keep = np.zeros(len(track), bool)
    for s, e, _ in windows:
        keep |= (track.frames >= s) & (track.frames <= e)
    return Track(track.track_id, track.frames[keep], track.boxes[keep],
                 None if track.scores is None else track.scores[keep], windows=windows)


def top_groundings(groundings: Sequence[Grounding], limit: int | None) -> list[Grounding]:
    out = sorted(groundings, key=lambda g: -g.score)
    return out[:limit] if limit else out
