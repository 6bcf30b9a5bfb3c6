"""The grounding stage: which tracks of a scene perform a query's action, and when.

A :class:`~svag.core.scene.Scene` is what grounders see of one video (tracks, geometry, frame
rate, optionally its pixels and per-video encodings). A grounder takes the query's text
(``ground(scene, text)``): each grounder reads text its own way (the kinematic grounder parses
it into predicates, the learned one embeds it), and returns :class:`Grounding` objects: a
matched track, its score and scored windows (1-based inclusive frames, best first). It names
the per-video encoders it needs in ``requires`` (:mod:`svag.encode`); the pipeline computes them
once per scene. A :class:`Verifier` is a second stage: it re-scores and filters another
grounder's groundings. New grounders are one file plus a registry entry (:mod:`svag.ground`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, Sequence

import numpy as np

from svag.core.scene import Scene
from svag.core.types import Track
from svag.language.types import ActionQuery

QueryLike = str | ActionQuery        # text; an already parsed query is accepted where a grounder parses


@dataclass(frozen=True, eq=False)
class Grounding:
    track: Track                 # the matched track (boxes over its whole life)
    score: float                 # how well the track matches the query, 0-1
    windows: np.ndarray          # (K, 3) [start, end, score], 1-based inclusive frames, best first


@dataclass
class GroundingResult:
    query: ActionQuery           # the query as the grounder read it (parsed, or just its text)
    groundings: list[Grounding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.query.text


class Grounder(Protocol):
    """``ground(scene, text)`` -> matched tracks with windows, best first.

    ``requires``: encoder names (or encoder objects) the grounder reads, computed once per scene
    by the pipeline. Optional: ``prepare_texts(texts)`` reads many query texts in one batch
    ahead of grounding (parsing, sentence embeddings); ``ground`` works without it.
    ``encoders_for(texts)``: ``requires`` plus the encoders ``ground`` runs by itself for some
    texts (the kinematic grounder's colours), asked before tracking so that the frames those
    encoders read are kept as the video is decoded."""

    name: str
    requires: tuple[Any, ...]

    def ground(self, scene: Scene, query: QueryLike) -> GroundingResult: ...


class Verifier(Protocol):
    """A second stage: ``verify(scene, result)`` -> the result with its groundings re-scored
    and filtered (e.g. the learned model's track scores, later a multimodal LLM's verdicts)."""

    name: str
    requires: tuple[Any, ...]

    def verify(self, scene: Scene, result: GroundingResult) -> GroundingResult: ...


class ParsesText:
    """For grounders that read parsed queries: ``prepare_texts`` parses the texts not parsed yet
    in one batch (the parser embeds unknown phrases together); ``parse`` returns a text's
    :class:`ActionQuery` (parsed once per text; an already parsed query passes through)."""

    parsed_: dict[str, ActionQuery]

    def prepare_texts(self, texts: Sequence[str]) -> None:
        from svag.language.parser import parse_queries
        cache = self.__dict__.setdefault("parsed_", {})
        new = [t for t in dict.fromkeys(texts) if t not in cache]
        if new:
            cache.update(zip(new, parse_queries(new)))

    def parse(self, query: QueryLike) -> ActionQuery:
        if isinstance(query, ActionQuery):
            return query
        if query not in self.__dict__.get("parsed_", {}):
            self.prepare_texts([query])
        return self.parsed_[query]


class VerifiedGrounder:
    """A grounder followed by a verifier."""

    def __init__(self, grounder: Grounder, verifier: Verifier, name: str | None = None) -> None:
        self.grounder, self.verifier = grounder, verifier
        self.name = name or f"{grounder.name}+{verifier.name}"
        self.requires: tuple[Any, ...] = (*getattr(grounder, "requires", ()), *getattr(verifier, "requires", ()))

    def prepare_texts(self, texts: Sequence[str]) -> None:
        for stage in (self.grounder, self.verifier):
            if hasattr(stage, "prepare_texts"):
                stage.prepare_texts(texts)

    def encoders_for(self, texts: Sequence[str]) -> tuple[Any, ...]:
        return (*stage_encoders(self.grounder, texts), *stage_encoders(self.verifier, texts))

    def ground(self, scene: Scene, query: QueryLike) -> GroundingResult:
        return self.verifier.verify(scene, self.grounder.ground(scene, query))


def stage_encoders(stage: Any, texts: Sequence[str]) -> tuple[Any, ...]:
    """The encoders a grounder or verifier will run for these texts: its ``encoders_for(texts)``
    when it has one (encoders run only for some texts), else its ``requires``."""
    if hasattr(stage, "encoders_for"):
        return tuple(stage.encoders_for(list(texts)))
    return tuple(getattr(stage, "requires", ()))


def query_text(query: QueryLike) -> str:
    return query.text if isinstance(query, ActionQuery) else str(query)


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


__all__ = ["Grounder", "Grounding", "GroundingResult", "QueryLike", "Scene", "Verifier", "clip_to_windows",
           "query_text", "stage_encoders", "top_groundings"]
