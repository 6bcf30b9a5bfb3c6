"""Track–text grounders that see pixels: ``clip`` (CLIP / SigLIP similarity of each track's
crops with the query) and ``fusion`` (the kinematic evidence, with vision for the words it cannot check).

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

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from svag.core.types import Track
from svag.errors import InputError
from svag.ground.base import Grounding, GroundingResult, QueryLike, Scene
from svag.ground.windows import windows_from_relevance
from svag.language.types import ActionQuery
from svag.vision.crops import CropEmbeddings, CropEncoder
from svag.vision.embedder import DEFAULT_MODEL
from svag.vision.prompts import GENERIC_NEGATIVES, contrast_prompts, query_prompts

if TYPE_CHECKING:
    from svag.ground.kinematic import Evidence

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
        w = np.asarray(self.weights, np.float64)
        if w.shape != (3,) or np.any(w < 0) or w.sum() <= 0:
            raise InputError(f"clip grounder: weights must be three non-negative numbers (actor, verb, action), "
                             f"got {list(self.weights)}")
        prob = self.prompt_probabilities(enc, [prompts["actor"], prompts["verb"], prompts["action"]], contrasts)
        return prob @ w / w.sum()

    def prompt_probabilities(self, enc: CropEmbeddings, targets: Sequence[str], contrasts: Sequence[str]
                             ) -> np.ndarray:
        """(crops, targets): per crop, the softmax probability of each target prompt against the
        ``contrasts`` (each target on its own: the probability that the crop shows it rather than
        one of the contrasts)."""
        m = self.embedder()
        text = m.encode_texts([*targets, *contrasts])
        logits = m.scale * enc.embeddings @ text.T + m.bias                     # (crops, T + K)
        k = len(targets)
        tgt, neg = logits[:, :k], logits[:, k:]
        top = np.maximum(tgt, neg.max(axis=1, keepdims=True) if neg.shape[1] else tgt)
        e_neg = np.exp(neg[:, None, :] - top[:, :, None]).sum(axis=2)          # (crops, T)
        e_tgt = np.exp(tgt - top)
        return e_tgt / (e_tgt + e_neg)

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


HEAT_CONTRAST = 0.2     # fusion with videogem: the best box's heat contrast below which heatmaps are not used


class FusionGrounder(ClipGrounder):
    """The kinematic grounder's evidence, with vision for what the kinematic grounder cannot check.

    The kinematic grounder scores every track by the query's motion predicates, its colour words
    (from pixels, the ``colour`` encoder) and its category (the track's detected category where
    it is confident, else an aspect-ratio prior). Fusion keeps that evidence: only the tracks it
    matches (evidence at least its ``threshold``) are candidates, and each one's score and
    windows are multiplied by vision factors in (0, 1]. A factor comes from ``p``, the track's
    mean CLIP probability over its crops for a prompt, calibrated by a softmax against contrast
    prompts (as in ``clip``):

    * **category** ("a dog", "a vehicle"), for tracks without a confident detected category:
      "a photo of a dog" against the other coarse groups ("a photo of a person", "... of a
      vehicle") and the other actors of the video's query set, and the background; factor
      ``min(1, p / confident) ** vision_weight`` (vision lowers a track only when it is
      unsure the track is of that kind).
    * **words the kinematic grounder did not check**: attributes that are not colours ("hat",
      "shirt"), colour words when the scene has no pixels (the actor prompt), predicates not
      visible in boxes such as gestures (the whole-action prompt); same factor, against the
      ``clip`` grounder's contrast prompts (the query set's other actors, other colours, generic
      negatives). With ``videogem`` (a dict of the ``videogem`` grounder's options, its ``model``
      at least), the predicates not visible in boxes are checked by the query's VideoGEM heatmaps
      instead, relative to the other tracks of the video: a track's contrast ``c`` is ``2 r - 1``
      (at least 0) for ``r`` its box's mean relevance over its frames (the heat inside against
      the heat outside, ``in / (in + out)``: 0.5 is no contrast), and its factor
      ``min(1, c / (recheck * c_best)) ** vision_weight``, once the best track's contrast
      ``c_best`` is at least ``HEAT_CONTRAST`` (0.2; below it the heatmaps show no actor and are
      not used, with a note). The heatmaps read the video's pixels and are cached as the
      ``videogem`` grounder caches them. (Not validated on data: the synthetic benchmarks have no
      gestures; the rule mirrors the colour recheck below.)
    * **words it checked** (colours): vision is a second opinion relative to the other tracks
      of the video: ``min(1, p / (recheck * max(p_best, confident)))``, so a track is lowered
      only when the best-looking track of the video is clearly (1 / ``recheck`` times) more
      likely the described actor.

    Then the kinematic grounder's output policy (``relative`` cut, ``max_tracks``) picks the
    tracks on the fused scores (its absolute ``threshold`` was applied to the kinematic
    evidence). Vision never adds a track the kinematic grounder did not match.
    Queries with no predicate the kinematic grounder can score but with words boxes cannot show
    (gestures, objects, clothing) are grounded by vision alone (``clip``: the tracks that look
    like the actor, over their whole life). ``appearance_only``: also queries with nothing
    recognisable; off by default, since such answers have no notion of when (on the synthetic training seeds they
    cost up to 1.6 points of m-HIoU). Defaults (``confident`` 0.5, ``recheck`` 0.5,
    ``vision_weight`` 1, ``appearance_only`` False) were chosen on synthetic videos of seeds 101 to
    606 (benchmarks/bench_fusion.py), not on the held-out ones of docs/vision.md. ``kinematic``: the kinematic grounder's parameters."""

    name = "fusion"

    def __init__(self, model: str = DEFAULT_MODEL, *, vision_weight: float = 1.0, confident: float = 0.5,
                 recheck: float = 0.5, appearance_only: bool = False, kinematic: dict[str, Any] | None = None,
                 videogem: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(model, **kwargs)
        if vision_weight < 0 or not 0 < confident <= 1 or not 0 <= recheck <= 1:
            raise InputError(f"fusion grounder: need vision_weight >= 0, 0 < confident <= 1 and 0 <= recheck <= 1, "
                             f"got {vision_weight}, {confident}, {recheck}")
        self.vision_weight = vision_weight
        self.confident = confident
        self.recheck = recheck
        self.appearance_only = appearance_only
        self.kinematic = kinematic
        from svag.ground.kinematic import KinematicGrounder
        self.kinematic_ = KinematicGrounder(**(kinematic or {}))
        self.requires = (*self.requires, *self.kinematic_.requires)
        self.videogem = videogem
        self.videogem_: Any = None
        if videogem is not None:
            from svag.ground.videogem import VideoGemGrounder
            if not isinstance(videogem, dict):
                raise InputError(f"fusion grounder: videogem must be a dict of the videogem grounder's options "
                                 f"(e.g. {{\"model\": \"DIR\"}}), got {videogem!r}")
            self.videogem_ = VideoGemGrounder(**videogem)   # loads its model when first used
            self.needs_pixels = True                         # the heatmaps read scene.frames

    def heat(self, scene: Scene, query: ActionQuery) -> dict[object, float]:
        """Track id -> the mean relevance of its box in the query's VideoGEM heatmaps over its
        frames (``in / (in + out)`` heat, 0.5: no contrast; :meth:`VideoGemGrounder.relevance`)."""
        rel = self.videogem_.relevance(scene, self.videogem_.heatmaps(scene, query))
        return {tid: float(np.mean(r)) for tid, r in rel.items() if len(r)}

    def track_probability(self, scene: Scene, enc: CropEmbeddings, target: str, contrasts: Sequence[str]
                          ) -> dict[object, float]:
        """Track id -> its mean probability for ``target`` (against ``contrasts``) over its crops."""
        prob = self.prompt_probabilities(enc, [target], contrasts)[:, 0]
        return {t.track_id: float(prob[enc.starts[i]:enc.starts[i + 1]].mean())      # rows in scene order
                for i, t in enumerate(scene.tracks) if enc.starts[i + 1] > enc.starts[i]}

    def factors(self, scene: Scene, query: ActionQuery, ev: Evidence) -> tuple[dict[object, float], list[str]]:
        """Track id -> the vision factor of its score, and notes on what vision checked."""
        from svag.ground.categories import CONFIDENT, track_category
        from svag.ground.kinematic import split_attributes
        prompts = query_prompts(query)
        contrasts = contrast_prompts(query, self.query_set_ or (query,))
        factor = {t.track_id: 1.0 for t in scene.tracks}
        notes = []
        encoded: list[CropEmbeddings] = []

        def crops() -> CropEmbeddings:          # the crops are encoded only when a check needs them
            if not encoded:
                encoded.append(scene.encode(self.requires[0]))
            return encoded[0]

        def check(target: str, against: Sequence[str], tracks: Sequence[object]) -> None:
            p = self.track_probability(scene, crops(), target, against)
            for tid in tracks:
                factor[tid] *= min(1.0, p.get(tid, self.confident) / self.confident) ** self.vision_weight

        blind = [t.track_id for t in scene.tracks if track_category(t)[1] < CONFIDENT]
        if query.category and blind:
            check(category_prompt(query.category), category_contrasts(query, self.query_set_ or (query,)), blind)
            notes.append(f"category {query.category!r} checked by vision for {len(blind)} track(s) without one")
        colours, _ = split_attributes(query.attributes)
        unchecked = [*ev.unchecked, *(c for c in colours if c not in ev.colours)]
        if unchecked:
            check(prompts["actor"], contrasts, list(factor))
        by_crops = list(unchecked)
        if ev.dropped and self.videogem_ is not None:
            # the action's heatmaps, relative to the video: contrast 0 where a box holds no more heat
            # than the rest of the frame, 1 where it holds all of it
            contrast = {tid: max(0.0, 2.0 * r - 1.0) for tid, r in self.heat(scene, query).items()}
            best = max(contrast.values(), default=0.0)
            if best >= HEAT_CONTRAST:
                level = self.recheck * best              # recheck 0: no track is lowered
                for tid in factor:
                    factor[tid] *= min(1.0, contrast.get(tid, 0.0) / level if level > 0 else 1.0) ** self.vision_weight
                notes.append(f"checked by VideoGEM heatmaps: {', '.join(ev.dropped)}")
            else:
                notes.append(f"VideoGEM heatmaps of {', '.join(ev.dropped)}: no track's box holds the heat "
                             f"(contrast under {HEAT_CONTRAST}); not used")
        elif ev.dropped:
            check(prompts["action"], contrasts, list(factor))
            by_crops += ev.dropped
        if by_crops:
            notes.append(f"checked by vision: {', '.join(by_crops)}")
        if ev.colours and self.recheck > 0:              # checked words: a second opinion, relative to the video
            p = self.track_probability(scene, crops(), prompts["actor"], contrasts)
            level = self.recheck * max([self.confident, *p.values()])
            for tid in factor:
                factor[tid] *= min(1.0, p.get(tid, level) / level)
        return factor, notes

    def encoders_for(self, texts: Sequence[str]) -> tuple[Any, ...]:
        """The crop encoder, the kinematic grounder's encoders and, for texts naming a colour, its colours."""
        return (*self.requires, *(e for e in self.kinematic_.encoders_for(texts) if e not in self.requires))

    def ground(self, scene: Scene, query: QueryLike) -> GroundingResult:
        from svag.ground.kinematic import split_attributes
        query = self.parse(query)
        ev = self.kinematic_.candidates(scene, query)
        if not ev.query.steps:
            visual = ev.dropped or split_attributes(query.attributes)[1]   # gestures, objects, clothing
            if not (self.appearance_only or visual):
                return GroundingResult(query, notes=[*ev.notes, "appearance_only=True grounds such queries by "
                                                     "vision alone (whole-life windows)"])
            result = super().ground(scene, query)
            result.notes.append("no motion predicate understood: grounded by appearance only")
            return result
        out = GroundingResult(query, notes=list(ev.notes))
        factor, notes = self.factors(scene, query, ev)
        out.notes.extend(notes)
        fused = []
        for g in ev.matched:
            f = factor.get(g.track.track_id, 1.0)
            wins = g.windows.copy()
            wins[:, 2] *= f
            fused.append(Grounding(g.track, g.score * f, wins))
        ev.matched = fused
        out.groundings = self.kinematic_.select(scene, ev, out, threshold=0.0)   # threshold: kinematic evidence
        return out


def category_prompt(category: str) -> str:
    return f"a photo of {'an' if category[:1] in 'aeiou' else 'a'} {category}"


COARSE_GROUPS = {"person": "person", "vehicle": "vehicle", "other": "animal"}


def category_contrasts(query: ActionQuery, others: Sequence[ActionQuery]) -> tuple[str, ...]:
    """Prompts of actors of another coarse group than the query's (person, vehicle, animal and
    the categories of the query set's other actors) and the background. Not the other generic
    negatives ("an object"): a track is some object, the question is which kind."""
    from svag.ground.categories import category_group
    mine = category_group(query.category)
    cats = [*COARSE_GROUPS.values(), *(o.category for o in others if o.category)]
    out = [category_prompt(c) for c in dict.fromkeys(cats) if category_group(c) != mine]
    return tuple(dict.fromkeys([*out, GENERIC_NEGATIVES[0]]))
