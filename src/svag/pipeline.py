"""The grounding pipeline: video -> detections -> tracks -> grounded queries -> SVAG prediction.

Encode once, query many: :meth:`VideoGrounder.prepare` decodes, detects and tracks a video once
(or reads existing tracks) and returns a :class:`~svag.ground.base.Scene`; every query reuses it.
Scenes built from pixels are cached on disk (keyed by the video file and the detector/tracker
settings) so a second run with new queries decodes nothing.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from svag.core.types import Dataset, Detections, Query, SvagData, Track
from svag.errors import InputError
from svag.ground import build_grounder
from svag.ground.base import GroundingResult, Scene, clip_to_windows
from svag.language.types import ActionQuery

PathLike = str | os.PathLike
CACHE_VERSION = 1


@dataclass
class GroundConfig:
    detector: str = "motion"
    detector_args: dict[str, Any] = field(default_factory=dict)
    tracker: str = "bytetrack"
    tracker_args: dict[str, Any] = field(default_factory=dict)
    grounder: str = "kinematic"
    grounder_args: dict[str, Any] = field(default_factory=dict)
    stride: int = 1
    resize: float | None = None
    cache_dir: str | None = None          # None: ~/.cache/svag; "" disables the cache

    def cache_key(self, video: Path) -> str:
        st = video.stat()
        parts = {"v": CACHE_VERSION, "path": str(video.resolve()), "size": st.st_size, "mtime": st.st_mtime_ns,
                 "detector": self.detector, "detector_args": self.detector_args, "tracker": self.tracker,
                 "tracker_args": self.tracker_args, "stride": self.stride, "resize": self.resize}
        return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


@dataclass
class StageTimes:
    seconds: dict[str, float] = field(default_factory=dict)
    frames: int = 0

    def add(self, stage: str, dt: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + dt

    def fps(self) -> dict[str, float]:
        return {k: (self.frames / v if v > 0 else float("inf")) for k, v in self.seconds.items()}


class VideoGrounder:
    """Ground many queries on one or more videos with one configuration."""

    def __init__(self, config: GroundConfig | None = None) -> None:
        self.config = config or GroundConfig()
        self.grounder = build_grounder(self.config.grounder, **self.config.grounder_args)
        self.times = StageTimes()

    # -- scenes ------------------------------------------------------------------------------------

    def scene_from_tracks(self, tracks_file: PathLike, video: PathLike | None = None, *,
                          width: int | None = None, height: int | None = None, fps: float | None = None,
                          num_frames: int | None = None) -> Scene:
        """A scene from a MOT result file; geometry from the video (file, frames or MOT sequence)
        or the keyword arguments."""
        from svag.io.mot import read_mot_results
        info = _video_geometry(video) if video is not None else {}
        width, height = width or info.get("width"), height or info.get("height")
        fps, num_frames = fps or info.get("fps"), num_frames or info.get("num_frames")
        dets = read_mot_results(tracks_file)
        if num_frames is None:
            num_frames = int(dets.frames.max()) if len(dets) else 1
        missing = [k for k, v in (("width", width), ("height", height), ("fps", fps)) if not v]
        if missing:
            raise InputError(f"need the video's {', '.join(missing)} to ground tracks (give a video, a MOT "
                             "sequence folder with seqinfo.ini, or --width/--height/--fps)", file=str(tracks_file))
        late = np.flatnonzero(dets.frames > num_frames)
        if len(late):
            raise InputError(f"track box at frame {int(dets.frames[late[0]])} is after the last frame ({num_frames})",
                             file=str(tracks_file), frame=int(dets.frames[late[0]]))
        return Scene(tuple(dets.tracks()), int(width), int(height), float(fps), int(num_frames),  # type: ignore[arg-type]
                     name=Path(video).name if video is not None else Path(tracks_file).stem)

    def scene_from_video(self, video: PathLike, *, progress: bool = True) -> Scene:
        """Decode, detect and track (cached on disk)."""
        video = Path(video)
        cache = self._cache_path(video)
        if cache is not None and (cache / "tracks.txt").is_file():
            return self._load_cached(cache, video)
        if self.config.detector == "mot" and not has_pixels(video):
            return self._scene_from_det_file(video)
        from svag.track.pipeline import track_video
        run = track_video(video, self.config.detector, self.config.tracker,
                          detector_kwargs=self.config.detector_args, tracker_kwargs=self.config.tracker_args,
                          stride=self.config.stride, resize=self.config.resize, progress=progress)
        for stage, secs in run.timings.seconds.items():
            self.times.add(stage, secs)
        self.times.frames += run.timings.frames
        info = run.info
        num_frames = max(run.tracks.num_frames or 0, info.num_frames or 0, 1)
        scene = Scene(tuple(run.tracks.tracks()), info.width, info.height, float(info.fps or 25.0), num_frames,
                      name=video.name)
        if cache is not None:
            self._save_cached(cache, scene)
        return scene

    def _scene_from_det_file(self, video: Path) -> Scene:
        """A MOT sequence without images: track its det/det.txt (public detections)."""
        from svag.detect.mot_file import read_detections
        from svag.track import build_tracker
        from svag.track.base import track_detections
        geo = _video_geometry(video)
        det_path = Path(self.config.detector_args.get("path", video / "det" / "det.txt"))
        t0 = time.perf_counter()
        dets = read_detections(det_path)
        kw = {"fps": geo["fps"], **self.config.tracker_args}
        tracks = track_detections(build_tracker(self.config.tracker, **kw), dets, geo["num_frames"])
        self.times.add("track", time.perf_counter() - t0)
        return Scene(tuple(tracks.tracks()), geo["width"], geo["height"], float(geo["fps"]), geo["num_frames"],
                     name=video.name)

    def with_colours(self, scene: Scene, video: PathLike, every: int = 5) -> Scene:
        """The scene with colour descriptors of its tracks, from a second pass over the video
        (only run when a query names colours)."""
        if scene.colors is not None:
            return scene

        from svag.ground.appearance import crop_descriptor, normalise
        from svag.video.reader import open_video
        t0 = time.perf_counter()
        by_frame: dict[int, list[tuple[object, np.ndarray]]] = {}
        for t in scene.tracks:
            for f, box in zip(t.frames[::every].tolist(), t.boxes[::every]):
                by_frame.setdefault(f, []).append((t.track_id, box))
        counts: dict[object, np.ndarray] = {}
        for frame in open_video(video):
            for tid, box in by_frame.get(frame.index, ()):
                counts[tid] = counts.get(tid, 0) + crop_descriptor(frame.image, box)
        self.times.add("colour", time.perf_counter() - t0)
        scene = replace(scene, colors={k: normalise(v) for k, v in counts.items()})
        cache = self._cache_path(Path(video))
        if cache is not None and (cache / "tracks.txt").is_file():
            self._save_cached(cache, scene)
        return scene

    def _cache_path(self, video: Path) -> Path | None:
        if self.config.cache_dir == "" or not video.is_file():
            return None
        root = Path(self.config.cache_dir) if self.config.cache_dir else Path.home() / ".cache" / "svag" / "scenes"
        return root / self.config.cache_key(video)

    def _save_cached(self, cache: Path, scene: Scene) -> None:
        from svag.io.mot import write_mot
        cache.mkdir(parents=True, exist_ok=True)
        write_mot(cache / "tracks.txt", Detections.from_tracks(list(scene.tracks)), overwrite=True)
        meta = {"width": scene.width, "height": scene.height, "fps": scene.fps, "num_frames": scene.num_frames,
                "colors": {str(k): v.tolist() for k, v in (scene.colors or {}).items()},
                "categories": {str(t.track_id): [t.category, t.category_score] for t in scene.tracks
                               if t.category is not None},
                "config": asdict(self.config)}
        (cache / "scene.json").write_text(json.dumps(meta, default=str))

    def _load_cached(self, cache: Path, video: Path) -> Scene:
        from svag.io.mot import read_mot_results
        meta = json.loads((cache / "scene.json").read_text())
        tracks = read_mot_results(cache / "tracks.txt").tracks()
        cats = meta.get("categories", {})
        tracks = [replace(t, category=cats[str(t.track_id)][0], category_score=cats[str(t.track_id)][1])
                  if str(t.track_id) in cats else t for t in tracks]
        colors = {int(k): np.asarray(v) for k, v in meta.get("colors", {}).items()} or None
        return Scene(tuple(tracks), meta["width"], meta["height"], meta["fps"], meta["num_frames"], colors,
                     name=video.name)

    def with_encodings(self, scene: Scene, video: PathLike, *, progress: bool = False) -> Scene:
        """The scene with the grounder's per-video encodings (vision grounders embed each track's
        crops once; cached on disk next to the scenes), or the scene itself."""
        if not hasattr(self.grounder, "encode_scene"):
            return scene
        t0 = time.perf_counter()
        root = None if self.config.cache_dir is None else "" if self.config.cache_dir == "" else \
            Path(self.config.cache_dir) / "encodings"
        scene = self.grounder.encode_scene(scene, video, cache_root=root, progress=progress)
        self.times.add("encode", time.perf_counter() - t0)
        return scene

    # -- queries -----------------------------------------------------------------------------------

    def ground(self, scene: Scene, queries: Sequence[str | ActionQuery]) -> list[GroundingResult]:
        parsed = parse_all(queries)
        if hasattr(self.grounder, "set_query_set"):       # vision grounders contrast the video's actors
            self.grounder.set_query_set(parsed)
        t0 = time.perf_counter()
        out = [self.grounder.ground(scene, q) for q in parsed]
        self.times.add("ground", time.perf_counter() - t0)
        return out


def parse_all(queries: Sequence[str | ActionQuery]) -> list[ActionQuery]:
    texts = [q for q in queries if isinstance(q, str)]
    if not texts:
        return list(queries)  # type: ignore[arg-type]
    from svag.language.parser import parse_queries
    parsed = iter(parse_queries(texts))
    return [next(parsed) if isinstance(q, str) else q for q in queries]


def _as_tracks(out: Any) -> list[Track]:
    if isinstance(out, Detections):
        return out.tracks()
    return list(out)


def has_pixels(video: PathLike) -> bool:
    """A video file, a folder of frames, or a MOT sequence with its images."""
    from svag.video.reader import IMAGE_EXTS
    p = Path(video)
    if p.is_file():
        return True
    if (p / "seqinfo.ini").is_file():
        from svag.io.mot import read_seqinfo
        info = read_seqinfo(p)
        if info.video_file and (p / info.video_file).is_file():
            return True
    folder = p / "img1" if (p / "seqinfo.ini").is_file() else p
    return folder.is_dir() and any(f.suffix.lower() in IMAGE_EXTS for f in folder.iterdir())


def _video_geometry(video: PathLike) -> dict[str, Any]:
    path = Path(video)
    if path.is_dir() and (path / "seqinfo.ini").is_file():
        from svag.io.mot import read_seqinfo
        info = read_seqinfo(path)
        return {"width": info.width, "height": info.height, "fps": info.frame_rate, "num_frames": info.length,
                "name": path.name}
    from svag.video.reader import open_video
    vi = open_video(path).info
    return {"width": vi.width, "height": vi.height, "fps": vi.fps, "num_frames": vi.num_frames, "name": path.name}


# -- predictions ---------------------------------------------------------------------------------

@dataclass
class QuerySpec:
    """A query to ground: text plus the identifiers the prediction file should carry."""

    text: str
    query_id: Any
    video_name: str
    video_length: int
    video_id: Any = None


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
