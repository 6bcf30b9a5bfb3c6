"""Track–text grounders that see pixels: ``clip`` (CLIP / SigLIP similarity of each track's
crops with the query) and ``fusion`` (the kinematic predicates weighted by that similarity).

Encode once, query many: the grounders require the ``crops`` encoder
(:class:`svag.vision.crops.CropEncoder`), which embeds every track's sampled crops once per
(scene, tracks, model, sampling) from ``scene.frames`` and caches them on disk; a query then
costs its text embeddings and a matrix product. Grounders take query text
(``ground(scene, text)``); ``prepare_texts`` parses the video's query set in one batch, and that
set supplies the contrast prompts. The query is split into an actor-with-attributes prompt, a verb prompt and the
whole action (weights ``weights``); each crop's similarity to a prompt is calibrated by a
softmax against contrast prompts (the other actors of the query set, generic negatives), so a
track's relevance is the probability that it is this actor rather than another. Relevance is
interpolated over the track's frames, smoothed, and turned into windows by
:func:`svag.ground.windows.windows_from_relevance`. A track whose detected category
(``Track.category``) differs from the query's is never returned ("a dog runs" returns no person).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from svag.core.types import Track
from svag.errors import InputError
from svag.ground.base import Grounding, GroundingResult, QueryLike, Scene
from svag.ground.windows import windows_from_relevance
from svag.language.types import ActionQuery
from svag.vision.crops import CropEmbeddings, CropEncoder
from svag.vision.embedder import DEFAULT_MODEL
from svag.vision.prompts import contrast_prompts, query_prompts

GENERIC_CATEGORIES = {"animal": None, "vehicle": {"car", "bus", "truck", "van", "motorcycle", "bicycle", "train", "tram"},
                      "actor": None, "object": None}


def category_compatible(track: Track, query: ActionQuery) -> bool:
    """False when both the track's detected category and the query's are known and differ."""
    if track.category is None or query.category is None or track.category == query.category:
        return True
    group = GENERIC_CATEGORIES.get(query.category, set())
    return group is None or track.category in group


def smooth(x: np.ndarray, n: int) -> np.ndarray:
    """Centred moving average over ``n`` samples (edges use the samples present)."""
    if n <= 1 or len(x) < 2:
        return x
    k = np.ones(n)
    return np.convolve(x, k, "same") / np.convolve(np.ones(len(x)), k, "same")


class ClipGrounder:
    """Track–text grounding with a CLIP-family model (see the module docstring).

    ``model``: hub id or folder of a CLIP or SigLIP checkpoint; ``weights``: actor, verb and
    whole-action prompt weights; ``per_second``: crops per second of track life (``cache_dir``:
    where crop embeddings are cached, default the scene's cache folder; "": memory only);
    ``threshold``: a track matches when its mean relevance reaches it (windows: runs above it,
    then above ``low``); ``smooth_s``: smoothing of the per-frame relevance."""

    name = "clip"

    def __init__(self, model: str = DEFAULT_MODEL, *, device: str = "auto", dtype: str = "auto",
                 weights: Sequence[float] = (0.6, 0.2, 0.2), per_second: float = 2.0, max_per_track: int = 64,
                 threshold: float = 0.5, low: float = 0.35, smooth_s: float = 1.0, max_windows: int = 5,
                 min_track_s: float = 0.5, batch_size: int = 64, allow_download: bool | None = None,
                 cache_dir: str | None = None) -> None:
        self.model = model
        self.device = device
        self.dtype = dtype
        self.weights = weights
        self.per_second = per_second
        self.max_per_track = max_per_track
        self.threshold = threshold
        self.low = low
        self.smooth_s = smooth_s
        self.max_windows = max_windows
        self.min_track_s = min_track_s
        self.batch_size = batch_size
        self.allow_download = allow_download
        self.cache_dir = cache_dir
        self.requires: tuple[Any, ...] = (CropEncoder(model, per_second=per_second, max_per_track=max_per_track,
                                                      batch_size=batch_size, cache_dir=cache_dir,
                                                      embedder=self.embedder),)
        self.parsed_: dict[str, ActionQuery] = {}
        self.query_set_: tuple[ActionQuery, ...] = ()

    # -- encoding (once per video) --------------------------------------------------------------------

    def embedder(self) -> Any:
        if getattr(self, "embedder_", None) is None:
            from svag.vision.embedder import ImageTextEmbedder
            self.embedder_ = ImageTextEmbedder(self.model, device=self.device, dtype=self.dtype,
                                               allow_download=self.allow_download)
        return self.embedder_

    def prepare_texts(self, texts: Sequence[str]) -> None:
        """Parse the video's query texts in one batch; their actors are each other's contrast prompts."""
        from svag.language.parser import parse_queries
        texts = list(dict.fromkeys(texts))
        if not texts:                               # already parsed queries: the set stays as it was
            return
        new = [t for t in texts if t not in self.parsed_]
        if new:
            self.parsed_.update(zip(new, parse_queries(new)))
        self.query_set_ = tuple(self.parsed_[t] for t in texts)

    def parse(self, query: QueryLike) -> ActionQuery:
        """The query parsed (once per text); a parsed query passes through."""
        if isinstance(query, ActionQuery):
            return query
        if query not in self.parsed_:
            from svag.language.parser import parse_queries
            self.parsed_[query] = parse_queries([query])[0]
        return self.parsed_[query]

    # -- scoring --------------------------------------------------------------------------------------

    def crop_probabilities(self, enc: CropEmbeddings, query: ActionQuery) -> np.ndarray:
        """(crops,) probability that each crop shows the query's actor doing it rather than a
        contrast actor (weighted over the actor / verb / action prompts)."""
        prompts = query_prompts(query)
        contrasts = list(contrast_prompts(query, self.query_set_ or (query,)))
        m = self.embedder()
        targets = [prompts["actor"], prompts["verb"], prompts["action"]]
        text = m.encode_texts(targets + contrasts)
        logits = m.scale * enc.embeddings @ text.T + m.bias                     # (crops, 3 + K)
        neg = logits[:, 3:]
        w = np.asarray(self.weights, np.float64)
        if w.shape != (3,) or np.any(w < 0) or w.sum() <= 0:
            raise InputError(f"clip grounder: weights must be three non-negative numbers (actor, verb, action), "
                             f"got {list(self.weights)}")
        prob = np.zeros(len(logits))
        for j in range(3):
            both = np.column_stack([logits[:, j], neg])
            both -= both.max(axis=1, keepdims=True)
            e = np.exp(both)
            prob += w[j] * e[:, 0] / e.sum(axis=1)
        return prob / w.sum()

    def track_relevance(self, scene: Scene, query: ActionQuery) -> dict[object, tuple[Track, np.ndarray]]:
        """Per track compatible with the query: the per-frame relevance over its life."""
        enc = scene.encode(self.requires[0])         # computed once per scene (the pipeline runs it first)
        prob = self.crop_probabilities(enc, query)
        n = max(1, int(round(self.smooth_s * scene.fps)))
        out: dict[object, tuple[Track, np.ndarray]] = {}
        for i, t in enumerate(scene.tracks):
            s, e = enc.starts[i], enc.starts[i + 1]
            if e == s or len(t) < self.min_track_s * scene.fps or not category_compatible(t, query):
                continue
            rel = np.interp(t.frames, enc.frames[s:e], prob[s:e])
            out[t.track_id] = (t, smooth(rel, n))
        return out

    def ground(self, scene: Scene, query: QueryLike) -> GroundingResult:
        query = self.parse(query)
        result = GroundingResult(query)
        for t, rel in self.track_relevance(scene, query).values():
            score = float(rel.mean())
            if score < self.threshold:
                continue
            dense = np.interp(np.arange(t.frames[0], t.frames[-1] + 1), t.frames, rel)
            wins = windows_from_relevance(dense, int(t.frames[0]), scene.fps, threshold=self.threshold, low=self.low,
                                          max_windows=self.max_windows)
            if len(wins) == 0:
                wins = np.array([[float(t.frames[0]), float(t.frames[-1]), score]])
            result.groundings.append(Grounding(t, score, wins))
        result.groundings.sort(key=lambda g: -g.score)
        return result


class FusionGrounder(ClipGrounder):
    """The kinematic grounder's tracks and windows, each weighted by its vision relevance:
    ``score = kinematic ** (1 - vision_weight) * vision ** vision_weight``; tracks whose vision
    relevance is under ``min_vision`` are dropped (``kinematic``: the kinematic grounder's
    parameters). Queries the kinematic grounder cannot read
    (gestures, clothing, objects: no predicate understood) are grounded by vision alone."""

    name = "fusion"

    def __init__(self, model: str = DEFAULT_MODEL, *, vision_weight: float = 0.5, min_vision: float = 0.2,
                 fused_threshold: float = 0.2, kinematic: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(model, **kwargs)
        self.vision_weight = vision_weight
        self.min_vision = min_vision
        self.fused_threshold = fused_threshold
        self.kinematic = kinematic
        from svag.ground.kinematic import KinematicGrounder
        self.kinematic_ = KinematicGrounder(**(kinematic or {}))
        self.requires = (*self.requires, *self.kinematic_.requires)

    def encoders_for(self, texts: Sequence[str]) -> tuple[Any, ...]:
        """The crop encoder, the kinematic grounder's encoders and, for texts naming a colour, its colours."""
        return (*self.requires, *(e for e in self.kinematic_.encoders_for(texts) if e not in self.requires))

    def ground(self, scene: Scene, query: QueryLike) -> GroundingResult:
        from svag.ground.kinematic import SCORERS
        query = self.parse(query)
        if not query.restricted(SCORERS).steps:
            result = super().ground(scene, query)
            result.notes.append("no motion predicate understood: grounded by appearance only")
            return result
        kin = self.kinematic_.ground(scene, query)
        vision = {tid: float(rel.mean()) for tid, (_, rel) in self.track_relevance(scene, query).items()}
        w = self.vision_weight
        out = GroundingResult(query, notes=list(kin.notes))
        for g in kin.groundings:
            v = vision.get(g.track.track_id)
            if v is None or v < self.min_vision:
                continue
            wins = g.windows.copy()
            wins[:, 2] = np.clip(wins[:, 2], 0, None) ** (1 - w) * v ** w
            score = float(max(g.score, 0.0) ** (1 - w) * v ** w)
            if score >= self.fused_threshold:
                out.groundings.append(Grounding(g.track, score, wins))
        out.groundings.sort(key=lambda g: -g.score)
        return out
