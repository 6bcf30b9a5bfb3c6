"""One scene builder for every origin: a video file, a folder of frames, a MOTChallenge sequence
(its images, or its public ``det/det.txt``), a tracker's result file, or the ground truth (oracle).

* **Frame rate, one rule**: the frame rate given (``fps=``, ``--fps``) wins; otherwise the
  source's own (the container's rate, ``frameRate`` in ``seqinfo.ini``); a source without one (a
  folder of plain frames) is an :class:`~svag.errors.InputError` asking for it. The tracker runs at
  the scene's frame rate unless its options set ``fps``.
* **Validation first**: the path, the geometry and the frame rate are checked before any frame is
  decoded.
* **One cache folder per scene** (``~/.cache/svag/scenes/<key>/`` or ``cache_dir``): ``tracks.txt``,
  ``scene.json`` (geometry, frame rate, settings) and ``encodings/`` (see :meth:`Scene.encode`).
  The key hashes the video file (path, size, mtime) and every setting that changes the tracks.
* Scenes from sources with pixels carry a :class:`~svag.video.frames.VideoFrames` source, so
  encoders (colours, image embeddings) and rendering read the frames they need. ``from_video``
  takes the encoders that will run on the scene: the frames they want (``frames_wanted``) are kept
  in the source's memory-bounded store (``frame_memory_mb``) while the tracking pass decodes the
  video, so the video is decoded once.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from svag.core.scene import Scene
from svag.core.timing import StageTimings
from svag.core.types import Detections, Track
from svag.detect import DETECTORS
from svag.errors import InputError
from svag.registry import effective_arguments, resolve
from svag.track import TRACKERS
from svag.video.frames import DEFAULT_BUDGET_MB

PathLike = str | os.PathLike
CACHE_VERSION = 3    # bump when the tracks a setting gives change without any default changing


@dataclass
class SceneConfig:
    """How scenes are built from pixels (what the cache key covers)."""

    detector: str = "motion"
    detector_args: dict[str, Any] = field(default_factory=dict)
    tracker: str = "bytetrack"
    tracker_args: dict[str, Any] = field(default_factory=dict)
    stride: int = 1
    resize: float | None = None
    fps: float | None = None               # overrides the source's frame rate
    cache_dir: str | None = None           # None: ~/.cache/svag/scenes; "" disables the cache
    frame_memory_mb: float = DEFAULT_BUDGET_MB   # key frames kept while tracking (not in the cache key)

    def cache_key(self, video: Path, prompts: Sequence[str] | None = None) -> str:
        st = video.stat()
        parts = {"v": CACHE_VERSION, "path": str(video.resolve()), "size": st.st_size, "mtime": st.st_mtime_ns,
                 "detector": self.detector, "tracker": self.tracker,    # with their defaults: a new default is a new key
                 "detector_args": effective_arguments("detector", DETECTORS, self.detector, self.detector_args),
                 "tracker_args": effective_arguments("tracker", TRACKERS, self.tracker, {
                     **getattr(resolve("detector", DETECTORS, self.detector), "tracker_defaults", {}),
                     **self.tracker_args}),                  # the detector's tracker settings count too
                 "stride": self.stride, "resize": self.resize, "fps": self.fps}
        if prompts is not None:
            parts["prompts"] = list(prompts)
        return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Geometry:
    width: int
    height: int
    fps: float
    num_frames: int | None
    name: str


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


def resolve_fps(given: float | None, source: float | None, where: str) -> float:
    """The frame-rate rule: the given rate, else the source's, else an InputError."""
    if given is not None:
        if not given > 0:
            raise InputError(f"frame rate must be positive, got {given}", file=where)
        return float(given)
    if source:
        return float(source)
    raise InputError("the frame rate is unknown (a folder of frames has none); give it with --fps", file=where)


def probe(video: PathLike, fps: float | None = None) -> Geometry:
    """Geometry and frame rate of a video, frame folder or MOT sequence, without decoding frames."""
    path = Path(video)
    if not path.exists():
        raise InputError("video not found", file=str(path))
    if path.is_dir() and (path / "seqinfo.ini").is_file() and not has_pixels(path):
        from svag.io.mot import read_seqinfo
        info = read_seqinfo(path)
        if not info.width or not info.height:
            raise InputError("seqinfo.ini needs imWidth and imHeight", file=str(path / "seqinfo.ini"))
        return Geometry(info.width, info.height, resolve_fps(fps, info.frame_rate, str(path)), info.length, path.name)
    from svag.video.reader import open_video
    vi = open_video(path).info
    return Geometry(vi.width, vi.height, resolve_fps(fps, vi.fps, str(path)), vi.num_frames, path.name)


def detector_takes_prompts(name: str) -> bool:
    """Whether the registered detector ``name`` accepts text prompts (``set_prompts``)."""
    from svag.detect import DETECTORS
    from svag.registry import resolve
    return callable(getattr(resolve("detector", DETECTORS, name), "set_prompts", None))


def _file_key(*paths: PathLike | None) -> str:
    parts = []
    for p in paths:
        if p is not None and Path(p).exists():
            st = Path(p).stat()
            parts.append([str(Path(p).resolve()), st.st_size, st.st_mtime_ns])
    return hashlib.sha1(json.dumps([CACHE_VERSION, parts]).encode()).hexdigest()[:16]


class SceneBuilder:
    """Builds scenes with one configuration; the seconds spent go to ``times``."""

    def __init__(self, config: SceneConfig | None = None, times: StageTimings | None = None) -> None:
        self.config = config or SceneConfig()
        self.times = times if times is not None else StageTimings()

    # -- origins -----------------------------------------------------------------------------------

    def from_video(self, video: PathLike, *, progress: bool = True, prompts: Sequence[str] | None = None,
                   encoders: Sequence[Any] = ()) -> Scene:
        """Decode, detect and track (cached on disk); a MOT sequence without images with the
        ``mot`` detector tracks its public detections. The frames ``encoders`` want
        (``frames_wanted``) are kept while tracking decodes the video (within ``frame_memory_mb``)."""
        video = Path(video)
        geo = probe(video, self.config.fps)                  # validated before decoding
        if prompts is not None and not detector_takes_prompts(self.config.detector):
            prompts = None                                   # not part of the cache key either
        pixels = has_pixels(video)
        if self.config.detector == "mot" and not pixels:
            return self._from_det_file(video, geo)
        cache = self._cache_path(video, prompts)
        frames = self._frames(video)
        if cache is not None and (cache / "scene.json").is_file():
            cached = self._load_cached(cache, video, frames)
            if cached is not None:
                return cached
        from svag.track.pipeline import track_video
        for encoder in encoders:
            wanted = getattr(encoder, "frames_wanted", None)
            if wanted is not None:
                frames.store.want(wanted(geo.num_frames, fps=geo.fps))
        tracker_args = {"fps": geo.fps, **self.config.tracker_args}
        run = track_video(video, self.config.detector, self.config.tracker,
                          detector_kwargs=self.config.detector_args, tracker_kwargs=tracker_args,
                          stride=self.config.stride, resize=self.config.resize, progress=progress, prompts=prompts,
                          keep=frames.store if frames.store.wanting else None)
        self.times.merge(run.timings)
        num_frames = max(run.tracks.num_frames or run.info.num_frames or 1, 1)   # frames decoded (truncated files)
        scene = Scene(tuple(run.tracks.tracks()), run.info.width, run.info.height, geo.fps, num_frames,
                      name=video.name, key=cache.name if cache is not None else "", frames=frames, cache_dir=cache)
        if cache is not None:
            self._save_cached(cache, scene)
        return scene

    def from_tracks(self, tracks_file: PathLike, video: PathLike | None = None, *, width: int | None = None,
                    height: int | None = None, fps: float | None = None, num_frames: int | None = None) -> Scene:
        """A scene from a MOT result file; geometry from the video (file, frames or MOT sequence)
        or the keyword arguments (which win)."""
        from svag.io.mot import read_mot_results
        fps = fps or self.config.fps
        geo = None
        if video is not None:
            try:
                geo = probe(video, fps)
            except InputError:
                if not (width and height and fps):
                    raise
        width, height = width or (geo and geo.width), height or (geo and geo.height)
        fps = fps or (geo and geo.fps)
        num_frames = num_frames or (geo and geo.num_frames)
        missing = [k for k, v in (("width", width), ("height", height), ("fps", fps)) if not v]
        if missing:
            raise InputError(f"need the video's {', '.join(missing)} to ground tracks (give a video, a MOT "
                             "sequence folder with seqinfo.ini, or --width/--height/--fps)", file=str(tracks_file))
        dets = read_mot_results(tracks_file)
        if num_frames is None:
            num_frames = int(dets.frames.max()) if len(dets) else 1
        late = [int(f) for f in dets.frames[dets.frames > num_frames][:1]]
        if late:
            raise InputError(f"track box at frame {late[0]} is after the last frame ({num_frames})",
                             file=str(tracks_file), frame=late[0])
        frames = self._frames(Path(video)) if video is not None and has_pixels(video) else None
        key = _file_key(tracks_file, video)
        cache = self._cache_root() / f"tracks-{key}" if frames is not None and self._cache_root() else None
        return Scene(tuple(dets.tracks()), int(width), int(height), float(fps), int(num_frames),  # type: ignore[arg-type]
                     name=Path(video).name if video is not None else Path(tracks_file).stem, key=key,
                     frames=frames, cache_dir=cache)

    def from_mot(self, mot_root: PathLike, video: str, tracks_dir: PathLike | None = None) -> Scene:
        """The scene of sequence ``video`` under ``mot_root`` with a tracker's tracks
        (``tracks_dir/<VIDEO>.txt``) or, with ``tracks_dir`` None, the oracle: the ground-truth
        tracks (every class), ids hidden (renumbered 1..n in order of first appearance)."""
        from svag.data.mot_seq import find_sequence
        from svag.io.mot import read_mot_results
        seq = find_sequence(mot_root, video)
        if seq is None:
            raise InputError(f"no MOT sequence folder for video {video!r}", file=str(mot_root))
        info = seq.info()
        if info is None or not info.width or not info.height or not info.frame_rate:
            raise InputError("seqinfo.ini with imWidth, imHeight and frameRate is needed", file=str(seq.path))
        if tracks_dir is None:
            tracks = [Track(i + 1, t.frames, t.boxes) for i, t in enumerate(seq.gt().tracks())]
            key = f"oracle:{_file_key(seq.gt_path)}"
        else:
            path = seq.result_file([tracks_dir], video)
            if path is None:
                names = sorted({f"{n}.txt" for n in (video, seq.path.name, info.name)})
                raise InputError(f"no track file for video {video!r} (looked for {names})", file=str(tracks_dir))
            tracks = read_mot_results(path, num_frames=info.length).tracks()
            key = _file_key(path)
        frames = self._frames(seq.path) if has_pixels(seq.path) else None
        return Scene(tuple(tracks), info.width, info.height, resolve_fps(None, info.frame_rate, str(seq.path)),
                     info.length, name=video, key=key, frames=frames)

    # -- helpers -----------------------------------------------------------------------------------

    def _from_det_file(self, video: Path, geo: Geometry) -> Scene:
        """A MOT sequence without images: track its det/det.txt (public detections)."""
        from svag.detect.mot_file import read_detections
        from svag.track import build_tracker
        from svag.track.base import track_detections
        det_path = Path(self.config.detector_args.get("path", video / "det" / "det.txt"))
        if geo.num_frames is None:
            raise InputError("seqinfo.ini needs seqLength", file=str(video))
        t0 = time.perf_counter()
        dets = read_detections(det_path)
        kw = {"fps": geo.fps, **self.config.tracker_args}
        tracks = track_detections(build_tracker(self.config.tracker, **kw), dets, geo.num_frames)
        self.times.add("track", time.perf_counter() - t0)
        return Scene(tuple(tracks.tracks()), geo.width, geo.height, geo.fps, geo.num_frames, name=video.name,
                     key=_file_key(det_path))

    def _frames(self, video: Path) -> Any:
        from svag.video.frames import FrameStore, VideoFrames
        mb = self.config.frame_memory_mb
        if not (isinstance(mb, (int, float)) and mb >= 0):
            raise InputError(f"frame memory must be a number of megabytes >= 0, got {mb!r}")
        return VideoFrames(video, FrameStore(mb * 2**20))

    def _cache_root(self) -> Path | None:
        if self.config.cache_dir == "":
            return None
        return Path(self.config.cache_dir) if self.config.cache_dir else Path.home() / ".cache" / "svag" / "scenes"

    def _cache_path(self, video: Path, prompts: Sequence[str] | None = None) -> Path | None:
        root = self._cache_root()
        if root is None or not video.is_file():
            return None
        return root / self.config.cache_key(video, prompts)

    def _save_cached(self, cache: Path, scene: Scene) -> None:
        """Write the scene's cache folder; it appears complete or not at all (a run killed while
        saving leaves no half cache for the next run to trust). Encodings computed later are
        added to ``encodings/`` one atomic file at a time."""
        from dataclasses import asdict

        from svag.io.atomic import atomic_dir
        from svag.io.mot import write_mot
        meta = {"width": scene.width, "height": scene.height, "fps": scene.fps, "num_frames": scene.num_frames,
                "categories": {str(t.track_id): [t.category, t.category_score] for t in scene.tracks
                               if t.category is not None},
                "config": asdict(self.config)}
        with atomic_dir(cache, keep=("encodings",)) as tmp:
            write_mot(tmp / "tracks.txt", Detections.from_tracks(list(scene.tracks)), overwrite=True)
            (tmp / "scene.json").write_text(json.dumps(meta, default=str))

    def _load_cached(self, cache: Path, video: Path, frames: Any) -> Scene | None:
        """The cached scene, or None when the cache cannot be read (it is then rebuilt)."""
        import warnings
        from dataclasses import replace

        from svag.io.mot import read_mot_results
        try:
            meta = json.loads((cache / "scene.json").read_text())
            tracks = read_mot_results(cache / "tracks.txt").tracks()
            cats = meta.get("categories", {})
            tracks = [replace(t, category=cats[str(t.track_id)][0], category_score=cats[str(t.track_id)][1])
                      if str(t.track_id) in cats else t for t in tracks]
            return Scene(tuple(tracks), meta["width"], meta["height"], meta["fps"], meta["num_frames"],
                         name=video.name, key=cache.name, frames=frames, cache_dir=cache)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            warnings.warn(f"ignoring an unreadable track cache {cache} ({exc}); decoding again", stacklevel=2)
            return None
