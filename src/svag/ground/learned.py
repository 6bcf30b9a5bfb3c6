"""The learned grounder: a small trajectory-language network (:mod:`svag.ground.learned_model`)
scores every track of a scene against the query's sentence embedding, per step and per track.

Tracks whose track score passes the checkpoint's threshold (chosen when training) are returned,
best first (the best track always, so that every query gets an answer), with windows from the
per-frame relevance (:func:`svag.ground.windows.windows_from_relevance`). Scene features are
computed once per scene and reused for every query on it; sentence embeddings are cached per text.
The shipped weights (``svag/models/learned_v1.pt``, see its MODEL_CARD.md) load by default.
"""
from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np

from svag.encode.steps import StepEncoder
from svag.ground.base import Grounding, GroundingResult, QueryLike, Scene, query_text
from svag.ground.categories import category_mask, query_category
from svag.ground.learned_data import RATE, SceneFeatures
from svag.ground.policy import OutputPolicy
from svag.ground.windows import snap_span, whole_life, windows_from_relevance
from svag.language.types import ActionQuery

SHIPPED = "learned_v1.pt"


def load_shipped() -> tuple[Any, dict]:
    from importlib.resources import files

    from svag.ground.learned_model import load_checkpoint
    res = files("svag.models").joinpath(SHIPPED)
    with res.open("rb") as fh:
        return load_checkpoint(fh, name=f"svag/models/{SHIPPED}")


class LearnedGrounder:
    """Parameters: ``checkpoint`` (a path; None: the shipped weights), ``threshold`` (track score
    to match; None: the checkpoint's), ``min_tracks`` (always return at least this many),
    ``max_tracks``, ``max_windows`` per track, ``min_track_s`` (ignore shorter tracks), ``snap_s``
    (the first window spans all runs, stretched to the track's ends within this many seconds:
    SVAG-Bench annotators mark an action over most of a track's presence; the runs follow)."""

    name = "learned"
    requires = ("learned-steps",)

    def __init__(self, checkpoint: str | os.PathLike | None = None, threshold: float | None = None,
                 min_tracks: int = 1, max_tracks: int | None = None, max_windows: int = 5,
                 min_track_s: float = 0.5, snap_s: float = 2.0) -> None:
        self.snap_s = snap_s
        self.checkpoint = checkpoint
        self.threshold = threshold
        self.min_tracks = min_tracks
        self.max_tracks = max_tracks
        self.max_windows = max_windows
        self.min_track_s = min_track_s
        self.net_: Any = None
        self.config_: dict = {}
        self.embeddings_: dict[str, np.ndarray] = {}

    def _load(self) -> None:
        if self.net_ is not None:
            return
        if self.checkpoint is None:
            self.net_, self.config_ = load_shipped()
        else:
            from svag.ground.learned_model import load_checkpoint
            self.net_, self.config_ = load_checkpoint(self.checkpoint)

    def reset(self) -> None:
        self.embeddings_.clear()

    def prepare_texts(self, texts: Sequence[str]) -> None:
        """Embed texts in one batch ahead of grounding (optional; ground() embeds on demand)."""
        from svag.ground.learned_model import embed_texts
        new = [t for t in dict.fromkeys(texts) if t not in self.embeddings_]
        self.embeddings_.update(zip(new, embed_texts(new)))

    encode_texts = prepare_texts

    def relevance(self, scene: Scene, text: QueryLike) -> tuple[np.ndarray, np.ndarray, SceneFeatures]:
        """Per-step relevance (N, K), track scores (N,) and the scene's step features."""
        from svag.ground.learned_model import predict
        self._load()
        text = query_text(text)
        if text not in self.embeddings_:
            self.prepare_texts([text])
        feats = scene.encode(StepEncoder())
        steps, scores = predict(self.net_, feats, self.embeddings_[text])
        return steps, scores, feats

    def policy(self) -> OutputPolicy:
        self._load()
        threshold = self.config_["threshold"] if self.threshold is None else self.threshold
        return OutputPolicy(threshold=threshold, min_tracks=self.min_tracks, max_tracks=self.max_tracks)

    def ground(self, scene: Scene, query: QueryLike) -> GroundingResult:
        result = GroundingResult(query if isinstance(query, ActionQuery) else ActionQuery(query))
        if not scene.tracks:
            return result
        allowed, notes = category_mask(scene.tracks, query_category(query))
        result.notes.extend(notes)
        if not allowed.any():
            return result
        steps, scores, feats = self.relevance(scene, result.text)
        policy = self.policy()
        min_len = self.min_track_s * scene.fps
        candidates = []
        for i, track in enumerate(scene.tracks):
            if (len(track) == 0 or (track.frames[-1] - track.frames[0] + 1) < min_len or not feats.mask[i].any()
                    or not allowed[i]):
                continue
            candidates.append((float(scores[i]), i))
        chosen = policy.select([Grounding(scene.tracks[i], s, np.zeros((0, 3))) for s, i in candidates])
        index = {id(scene.tracks[i]): i for _, i in candidates}
        out = []
        for g in chosen:                       # windows only for the tracks returned
            i = index[id(g.track)]
            wins = self._windows(g.track, steps[i], feats, scene.fps)
            out.append(Grounding(g.track, g.score, self._with_span(g.track, wins, g.score, scene.fps)))
        result.groundings = out
        return result

    def _windows(self, track: Any, step_rel: np.ndarray, feats: SceneFeatures, fps: float) -> np.ndarray:
        first, last = int(track.frames[0]), int(track.frames[-1])
        frames = np.arange(first, last + 1)
        ks = np.arange(len(feats.frames))
        present = (feats.frames >= first) & (feats.frames <= last)
        u = (frames - 1) / fps * RATE
        rel = np.interp(u, ks[present], step_rel[present])
        return windows_from_relevance(rel, first, fps, max_windows=self.max_windows)

    def _with_span(self, track: Any, wins: np.ndarray, score: float, fps: float) -> np.ndarray:
        first, last = float(track.frames[0]), float(track.frames[-1])
        if len(wins) == 0:      # nothing above the low threshold: the track's whole life
            return whole_life(track, score)
        lo, hi = snap_span(float(wins[:, 0].min()), float(wins[:, 1].max()), first, last, self.snap_s * fps)
        span = np.array([[lo, hi, score]])
        rest = wins[~((wins[:, 0] == lo) & (wins[:, 1] == hi))]
        return np.vstack([span, rest])[: self.max_windows]
