"""The output policy every grounder applies to its scored candidates, in one place: which tracks
are returned and in what order.

Candidates are sorted by score (stable: ties keep the scene's track order); a track is kept when
its score reaches ``threshold`` or it is among the best ``min_tracks`` (so that a query always
gets an answer); then those scoring at least ``relative`` times the best; then the first
``max_tracks``. ``fallback="all"``: when nothing is left, every track of at least
``min_track_s`` seconds' worth of boxes over its whole life at score 0.01 (with a note).
Windows are shaped by :mod:`svag.ground.windows` (runs, span snapping, chaining).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from svag.core.scene import Scene
from svag.errors import InputError
from svag.ground.base import Grounding
from svag.ground.windows import whole_life

FALLBACKS = ("none", "all")
FALLBACK_SCORE = 0.01


@dataclass(frozen=True)
class OutputPolicy:
    threshold: float = 0.0
    max_tracks: int | None = None
    relative: float = 0.0
    min_tracks: int = 0
    fallback: str = "none"
    min_track_s: float = 0.0

    def __post_init__(self) -> None:
        if self.fallback not in FALLBACKS:
            raise InputError(f"fallback must be one of {FALLBACKS}, got {self.fallback!r}")

    def passes(self, score: float) -> bool:
        return score >= self.threshold

    def select(self, candidates: Sequence[Grounding], scene: Scene | None = None,
               notes: list[str] | None = None) -> list[Grounding]:
        out = sorted(candidates, key=lambda g: -g.score)
        out = [g for i, g in enumerate(out) if g.score >= self.threshold or i < self.min_tracks]
        if out and self.relative > 0:
            best = out[0].score
            out = [g for g in out if g.score >= self.relative * best]
        if self.max_tracks:
            out = out[: self.max_tracks]
        if not out and self.fallback == "all" and scene is not None:
            if notes is not None:
                notes.append("no track matched: every track returned over its whole life (fallback)")
            min_len = self.min_track_s * scene.fps
            out = [Grounding(t, FALLBACK_SCORE, whole_life(t, FALLBACK_SCORE))
                   for t in scene.tracks if len(t) >= min_len]
        return out
