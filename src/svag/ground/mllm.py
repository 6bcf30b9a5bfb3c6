"""The ``mllm`` grounder: shortlist, then ask a video-chat model (track, then ask).

1. **Which tracks**: another grounder (``shortlist``: ``kinematic``, ``fusion``, ``clip``,
   ``all-tracks`` ...) proposes candidates; the best ``verify`` of them (the budget per query)
   are shown to the model, each as one clip over its proposed windows (or its whole life).
2. **Re-rank and filter**: a candidate's score becomes ``p(yes)`` (``combine="verify"``) or the
   product with the shortlist's score (``combine="product"``); candidates under ``threshold``
   are dropped.
3. **Which moments** (``moments=True``): the same question on sliding segments of each kept
   track (``segment_s`` long, every ``stride_s``) gives a per-segment probability; each frame
   takes the mean over the segments that cover it, and the shared window post-processing
   (:func:`svag.ground.windows.windows_from_relevance`) turns that into scored windows.

The model and the clips are handled by :class:`svag.vision.mllm.MllmVerifier`: visual tokens
are computed once per clip and answers cached per (video, track, segment, model, prompt).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from svag.errors import InputError
from svag.ground.base import Grounding, GroundingResult, Scene, VerifiedGrounder
from svag.ground.windows import windows_from_relevance


class MllmStage:
    """The verification stage (a :class:`~svag.ground.base.Verifier`): asks the model about the
    best ``verify`` groundings of another grounder's result, re-ranks and filters them by
    p(yes), and (``moments``) finds their windows from sliding segments."""

    name = "mllm"
    requires: tuple[Any, ...] = ()

    def __init__(self, model: str = "Qwen/Qwen2.5-VL-3B-Instruct", *, verify: int = 8, threshold: float = 0.5,
                 combine: str = "verify", moments: bool = True, segment_s: float = 2.0, stride_s: float = 1.0,
                 max_segments: int = 16, view: str = "box", max_frames: int = 8, size: int = 336,
                 device: str = "auto", dtype: str = "auto", batch_size: int = 4, max_prompt_tokens: int = 96,
                 cache_dir: str | None = None, allow_download: bool | None = None, verifier: Any = None) -> None:
        if combine not in ("verify", "product"):
            raise InputError(f"mllm combine must be 'verify' or 'product', got {combine!r}")
        if int(verify) < 1 or int(max_segments) < 1 or segment_s <= 0 or stride_s <= 0:
            raise InputError("mllm verify and max_segments must be at least 1, segment_s and stride_s positive")
        if not 0.0 <= float(threshold) <= 1.0:
            raise InputError(f"mllm threshold must be in [0, 1], got {threshold}")
        self.verify_count, self.threshold, self.combine = int(verify), float(threshold), combine
        self.moments, self.segment_s, self.stride_s = bool(moments), float(segment_s), float(stride_s)
        self.max_segments = int(max_segments)
        if verifier is None:
            from svag.vision.mllm import MllmVerifier
            verifier = MllmVerifier(model, device=device, dtype=dtype, view=view, max_frames=max_frames, size=size,
                                    batch_size=batch_size, max_prompt_tokens=max_prompt_tokens, cache_dir=cache_dir,
                                    allow_download=allow_download)
        self.verifier = verifier

    def verify(self, scene: Scene, result: GroundingResult) -> GroundingResult:
        from svag.vision.mllm import ClipSpec
        text = result.text
        cands = [g for g in result.groundings if len(g.track)][:self.verify_count]
        notes = list(result.notes)
        if len(result.groundings) > len(cands):
            notes.append(f"mllm: verified the best {len(cands)} of {len(result.groundings)} shortlisted tracks")
        if not cands:
            return GroundingResult(result.query, [], notes)
        specs = [ClipSpec(g.track.track_id, *_clip_span(g)) for g in cands]
        p_track = self.verifier.verify(scene, specs, text)
        out = []
        for g, p in zip(cands, p_track.tolist()):
            score = p if self.combine == "verify" else p * g.score
            if score < self.threshold:
                continue
            windows = self._moments(scene, g, text) if self.moments else _rescaled(g.windows, score)
            if len(windows):
                out.append(Grounding(g.track, float(score), windows))
        out.sort(key=lambda g: -g.score)
        return GroundingResult(result.query, out, notes)

    def _moments(self, scene: Scene, g: Grounding, text: str) -> np.ndarray:
        from svag.vision.mllm import ClipSpec
        first, last = int(g.track.frames[0]), int(g.track.frames[-1])
        seg = max(1, int(round(self.segment_s * scene.fps)))
        step = max(1, int(round(self.stride_s * scene.fps)))
        starts = np.arange(first, max(first, last - seg + 1) + 1, step)
        if len(starts) > self.max_segments:          # the budget: evenly spread segments
            starts = starts[np.unique(np.round(np.linspace(0, len(starts) - 1, self.max_segments)).astype(int))]
        ends = np.minimum(starts + seg - 1, last)
        specs = [ClipSpec(g.track.track_id, int(s), int(e)) for s, e in zip(starts, ends)]
        p = self.verifier.verify(scene, specs, text)
        n = last - first + 1
        total, count = np.zeros(n), np.zeros(n)
        for s, e, v in zip(starts - first, ends - first, p):
            total[s:e + 1] += v
            count[s:e + 1] += 1
        relevance = np.divide(total, count, out=np.zeros(n), where=count > 0)
        windows = windows_from_relevance(relevance, first, scene.fps, threshold=self.threshold,
                                         low=0.8 * self.threshold)
        if len(windows) == 0:                       # the track passed; its best segment is the moment
            best = int(np.argmax(p))
            windows = np.array([[float(starts[best]), float(ends[best]), float(p[best])]])
        return windows


class MllmGrounder(VerifiedGrounder):
    """``shortlist`` (another grounder, built by name with ``shortlist_args``) followed by the
    :class:`MllmStage`; every other keyword goes to the stage."""

    def __init__(self, model: str = "Qwen/Qwen2.5-VL-3B-Instruct", *, shortlist: str = "kinematic",
                 shortlist_args: dict[str, Any] | None = None, **stage_args: Any) -> None:
        if shortlist == "mllm":
            raise InputError("mllm shortlist must be another grounder (kinematic, fusion, clip, all-tracks ...)")
        import inspect
        from svag.ground import build_grounder
        known = set(inspect.signature(MllmStage.__init__).parameters) - {"self", "model"}
        unknown = sorted(set(stage_args) - known)
        if unknown:
            raise InputError(f"mllm grounder: unknown option(s) {', '.join(unknown)}; known: shortlist, "
                             f"shortlist_args, model, {', '.join(sorted(known))}")
        super().__init__(build_grounder(shortlist, **dict(shortlist_args or {})), MllmStage(model, **stage_args),
                         name="mllm")
        self.shortlist = shortlist


def _clip_span(g: Grounding) -> tuple[int, int]:
    """The frames a candidate is asked about: the span of its proposed windows, else its life."""
    first, last = int(g.track.frames[0]), int(g.track.frames[-1])
    if len(g.windows):
        s, e = int(np.floor(g.windows[:, 0].min())), int(np.ceil(g.windows[:, 1].max()))
        s, e = max(s, first), min(e, last)
        if s <= e and np.any((g.track.frames >= s) & (g.track.frames <= e)):
            return s, e
    return first, last


def _rescaled(windows: np.ndarray, score: float) -> np.ndarray:
    out = np.asarray(windows, dtype=np.float64).copy()
    if len(out):
        out[:, 2] = score
    return out
