"""The output policy every grounder applies to its scored candidates, in one place: which tracks
are returned and in what order.

Candidates are sorted by score (stable: ties keep the scene's track order); a track is kept when
its score reaches ``threshold`` or it is among the best ``min_tracks`` (so that a query always
gets an answer); then those scoring at least ``relative`` times the best; then the first
``max_tracks``. ``fallback="all"``: when nothing is left, every track of at least
``min_track_s`` seconds' worth of boxes over its whole life at score 0.01 (with a note).
Windows are shaped by :mod:`svag.ground.windows` (runs, span snapping, chaining).

The actor's category (:mod:`svag.ground.categories`) is checked here too: ``select(...,
category=...)`` drops the candidates whose track is confidently of another category before any
cut (and the fallback never returns them), and :func:`category_check` applies the same rule to any
grounder's result — :func:`svag.run.pipeline.ground_queries` runs it on every result, so a grounder
that never calls the policy still gets it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from svag.core.scene import Scene
from svag.errors import InputError
from svag.ground.base import Grounding, GroundingResult
from svag.ground.categories import category_mask, query_category
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
               notes: list[str] | None = None, category: str | None = None) -> list[Grounding]:
        if category:
            allowed, found = category_mask([g.track for g in candidates], category)
            candidates = [g for g, ok in zip(candidates, allowed) if ok]
            if notes is not None:
                notes.extend(n for n in found if n not in notes)
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
            allowed, _ = category_mask(scene.tracks, category)
            out = [Grounding(t, FALLBACK_SCORE, whole_life(t, FALLBACK_SCORE))
                   for t, ok in zip(scene.tracks, allowed) if ok and len(t) >= min_len]
        return out


def category_check(result: GroundingResult, grounder: object = None) -> GroundingResult:
    """``result`` without the groundings whose track is confidently not the query's actor
    (:func:`~svag.ground.categories.query_category`: parsed, or read from the text), with a
    note. A grounder with ``ignores_query = True`` (the trivial baselines) is left as it is."""
    if getattr(grounder, "ignores_query", False) or not result.groundings:
        return result
    category = query_category(result.query)
    if not category:
        return result
    allowed, notes = category_mask([g.track for g in result.groundings], category)
    if allowed.all():
        return result
    result.groundings = [g for g, ok in zip(result.groundings, allowed) if ok]
    result.notes.extend(n for n in notes if n not in result.notes)
    return result
