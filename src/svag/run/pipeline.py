"""The grounding pipeline: video -> detections -> tracks -> scene -> grounded queries -> SVAG prediction.

Encode once, score per query: :meth:`VideoGrounder.prepare` builds a video's
:class:`~svag.core.scene.Scene` once (:mod:`svag.run.scene`: decode, detect and track, or read
tracks; cached on disk), :meth:`VideoGrounder.ground` runs the encoders the grounder requires
once on it, then grounds every query text on it.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any, Sequence

from svag.core.scene import Scene
from svag.core.timing import StageTimings
from svag.core.types import Dataset, Query, SvagData, Track
from svag.errors import InputError
from svag.ground import build_grounder
from svag.ground.base import GroundingResult, clip_to_windows, query_text
from svag.language.types import ActionQuery
from svag.run.scene import SceneBuilder, SceneConfig, has_pixels  # noqa: F401  (has_pixels: re-export)

PathLike = str | os.PathLike


@dataclass
class GroundConfig(SceneConfig):
    grounder: str = "kinematic"
    grounder_args: dict[str, Any] = field(default_factory=dict)

    def scene_config(self) -> SceneConfig:
        return SceneConfig(self.detector, dict(self.detector_args), self.tracker, dict(self.tracker_args),
                           self.stride, self.resize, self.fps, self.cache_dir, self.frame_memory_mb)


class VideoGrounder:
    """Ground many queries on one or more videos with one configuration."""

    def __init__(self, config: GroundConfig | None = None) -> None:
        self.config = config or GroundConfig()
        self.grounder = build_grounder(self.config.grounder, **self.config.grounder_args)
        self.times = StageTimings()
        self.scenes = SceneBuilder(self.config.scene_config(), self.times)

    # -- scenes ------------------------------------------------------------------------------------

    def prepare(self, video: PathLike, *, tracks: PathLike | None = None, progress: bool = True,
                prompts: Sequence[str] | None = None, texts: Sequence[str] | None = None) -> Scene:
        """The video's scene: over ``tracks`` (a MOT result file) when given, else from pixels.
        ``texts``: the queries that will be grounded on it (default ``prompts``), so that the
        frames their encoders read are kept while tracking decodes the video (one decode)."""
        if tracks is not None:
            return self.scenes.from_tracks(tracks, video)
        texts = prompts if texts is None else texts
        t0 = time.perf_counter()
        encoders = encoders_for(self.grounder, texts or ())         # may read the texts (parse them)
        self.times.add("text", time.perf_counter() - t0)
        return self.scenes.from_video(video, progress=progress, prompts=prompts, encoders=encoders)

    def scene_from_tracks(self, tracks_file: PathLike, video: PathLike | None = None, **geometry: Any) -> Scene:
        return self.scenes.from_tracks(tracks_file, video, **geometry)

    def scene_from_video(self, video: PathLike, *, progress: bool = True) -> Scene:
        return self.scenes.from_video(video, progress=progress)

    def with_colours(self, scene: Scene, video: PathLike | None = None, every: int = 5) -> Scene:
        """Kept for callers of the old API: the colour encoding is computed on the scene (the
        kinematic grounder computes it by itself when a query names a colour)."""
        from svag.encode.colour import ColourEncoder
        scene.encode(ColourEncoder(every))
        return scene

    # -- queries -----------------------------------------------------------------------------------

    def ground(self, scene: Scene, queries: Sequence[str | ActionQuery]) -> list[GroundingResult]:
        """Ground every query; then the key frames the scene kept for its encoders are dropped
        (the encodings they served stay on the scene)."""
        out = ground_queries(self.grounder, scene, queries, self.times)
        store = getattr(scene.frames, "store", None)
        if store is not None:
            store.clear()
        return out


def ground_queries(grounder: Any, scene: Scene, queries: Sequence[str | ActionQuery],
                   times: StageTimings | None = None) -> list[GroundingResult]:
    """Run the grounder's encoders once on the scene, read the texts in one batch, ground each query
    (then drop tracks confidently of another category than the query's actor: :func:`~svag.ground.policy.category_check`)."""
    from svag.encode import run_encoders
    t0 = time.perf_counter()
    run_encoders(scene, getattr(grounder, "requires", ()))
    t1 = time.perf_counter()
    if hasattr(grounder, "prepare_texts"):
        grounder.prepare_texts([query_text(q) for q in queries if isinstance(q, str)])
    t2 = time.perf_counter()
    from svag.ground.policy import category_check
    out = [category_check(grounder.ground(scene, q), grounder) for q in queries]      # every grounder: the actor's category
    if times is not None:
        times.add("encode", t1 - t0)
        times.add("text", t2 - t1)
        times.add("ground", time.perf_counter() - t2)
    return out


def encoders_for(grounder: Any, texts: Sequence[str]) -> list[Any]:
    """The encoders ``grounder`` will run for these query texts (:func:`svag.ground.base.stage_encoders`)."""
    from svag.encode import as_encoder
    from svag.ground.base import stage_encoders
    return [as_encoder(s) for s in stage_encoders(grounder, texts)]


def parse_all(queries: Sequence[str | ActionQuery]) -> list[ActionQuery]:
    """Parse texts into predicates (what the kinematic grounder reads); parsed ones pass through."""
    texts = [q for q in queries if isinstance(q, str)]
    if not texts:
        return list(queries)  # type: ignore[arg-type]
    from svag.language.parser import parse_queries
    parsed = iter(parse_queries(texts))
    return [next(parsed) if isinstance(q, str) else q for q in queries]


# -- predictions ---------------------------------------------------------------------------------

@dataclass
class QuerySpec:
    """A query to ground: text plus the identifiers the prediction file should carry
    (``video_length`` None: the scene's length, filled in once the scene is built)."""

    text: str
    query_id: Any
    video_name: str
    video_length: int | None
    video_id: Any = None

    @classmethod
    def of(cls, query: Query) -> QuerySpec:
        """The spec of a ground-truth query: its text and ids."""
        return cls(query.text, query.query_id, query.video_name, query.video_length, query.video_id)


def to_prediction(dataset: str, items: Sequence[tuple[QuerySpec, GroundingResult]], *,
                  window_convention: str = "svag") -> SvagData:
    """SVAG prediction data: each matched track with its boxes inside its windows.

    ``window_convention``: "svag" writes 1-based inclusive frames [s, e] (the format of the
    ground truth; what svag-strict expects); "toolkit" writes [s - 1, e] (what the official
    SVAGEval toolkit compares ground truth against)."""
    if window_convention not in ("svag", "toolkit"):
        raise InputError(f"window convention must be 'svag' or 'toolkit', got {window_convention!r}")
    queries = []
    for spec, result in items:
        if spec.video_length is None:
            raise InputError("query has no video length", query=spec.query_id)
        tracks = []
        for g in result.groundings:
            t = clip_to_windows(g.track, g.windows)
            t = Track(t.track_id, t.frames[t.frames <= spec.video_length], t.boxes[t.frames <= spec.video_length],
                      windows=t.windows)
            if window_convention == "toolkit":
                w = t.windows.copy()
                w[:, 0] -= 1
                t = Track(t.track_id, t.frames, t.boxes, windows=w)
            tracks.append(t)
        queries.append(Query(spec.query_id, spec.text, spec.video_name, spec.video_length, tuple(tracks),
                             video_id=spec.video_id))
    return SvagData((Dataset(dataset, tuple(queries)),))


__all__ = ["GroundConfig", "QuerySpec", "VideoGrounder", "encoders_for", "ground_queries", "has_pixels", "parse_all",
           "to_prediction"]
