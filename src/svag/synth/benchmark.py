"""Synthetic SVAG benchmarks: scenes -> frames (MP4) + exact ground truth (SVAG JSON and MOT files).

Layout written by :func:`generate_benchmark`::

    OUT/gt.json                 SVAG JSON ground truth (one dataset, default name SYNTH)
    OUT/scripts.json            every scene: occluders, actors and what they did (segments),
                                and every query's predicate and subject
    OUT/manifest.json           parameters, counts, timings
    OUT/SYNTH-01/               a MOTChallenge sequence:
        seqinfo.ini, gt/gt.txt, det/det.txt, SYNTH-01.mp4

Everything is a function of the seed: video k uses ``SeedSequence(seed).spawn`` child k, so a
video does not change when more videos are asked for.
"""
from __future__ import annotations

import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from svag import __version__
from svag.core.types import Dataset, Query, SvagData, Track
from svag.errors import InputError
from svag.io.atomic import atomic_dir
from svag.io.svag_json import write_svag
from svag.synth.files import DetConfig, det_text, gt_text, write_seqinfo
from svag.video.writer import VideoWriter
from svag.synth.planner import RandomPlanner, random_scene
from svag.synth.queries import PredicateFrames, SynthQuery, generate_queries
from svag.synth.render import Renderer
from svag.synth.scene import ActorMotion, ActorSpec, Occluder, SceneSpec, simulate

PathLike = str | os.PathLike


@dataclass
class SynthVideo:
    """One simulated, rendered and annotated video (in memory)."""

    scene: SceneSpec
    motions: list[ActorMotion]
    boxes: np.ndarray          # (actors, frames, 4) xywh, NaN where the actor has no box
    visibility: np.ndarray     # (actors, frames), NaN where no box
    hidden: np.ndarray         # (actors, frames, occluders) bool: occluder covers part of the actor
    queries: list[SynthQuery] = field(default_factory=list)

    def renderer(self) -> Renderer:
        return Renderer(self.scene, self.motions)

    def track_id(self, actor: int) -> int:
        return actor + 1

    def svag_queries(self, first_id: int = 1, video_id: int = 1) -> list[Query]:
        """The queries as SVAG ground truth: boxes only inside each track's windows."""
        out = []
        for k, q in enumerate(self.queries):
            tracks = []
            for i, wins in q.tracks:
                inside = np.zeros(self.scene.frames, bool)
                for s, e in wins:
                    inside[s - 1:e] = True
                frames = np.flatnonzero(inside & ~np.isnan(self.boxes[i, :, 0])) + 1
                tracks.append(Track(self.track_id(i), frames, self.boxes[i, frames - 1],
                                    windows=np.array(wins, dtype=np.float64)))
            out.append(Query(first_id + k, q.text, self.scene.name, self.scene.frames, tuple(tracks),
                             video_id=video_id))
        return out

    def summary(self) -> dict:
        return {"name": self.scene.name, "frames": self.scene.frames, "actors": len(self.motions),
                "queries": len(self.queries), "empty_queries": sum(not q.tracks for q in self.queries),
                "tracks": sum(len(q.tracks) for q in self.queries),
                "boxes": int(np.count_nonzero(~np.isnan(self.boxes[..., 0])))}


def render_video(scene: SceneSpec, motions: list[ActorMotion],
                 sink: Callable[[np.ndarray], None] | None = None, progress: bool = False) -> SynthVideo:
    """Render every frame (passed to ``sink``) and record boxes, visibility and occlusion
    (``progress``: a progress bar on a terminal)."""
    n, F, k = len(motions), scene.frames, len(scene.occluders)
    boxes = np.full((n, F, 4), np.nan)
    vis = np.full((n, F), np.nan)
    hidden = np.zeros((n, F, k), bool)
    renderer = Renderer(scene, motions)
    frames: Iterable[int] = range(1, F + 1)
    if progress:
        from svag.video.progress import progress_bar
        frames = progress_bar(frames, total=F, desc=f"synth {scene.name}")
    for f in frames:
        res = renderer.render(f)
        for i, b in res.boxes.items():
            boxes[i, f - 1] = b
            vis[i, f - 1] = res.visibility[i]
            hidden[i, f - 1, list(res.hidden_by[i])] = True
        if sink is not None:
            sink(res.image)
    return SynthVideo(scene, motions, boxes, vis, hidden)


def default_query_count(frames: int) -> int:
    return int(max(6, min(40, 6 + frames // 25)))


def make_video(scene: SceneSpec, rng: np.random.Generator | None = None, *, planner: bool = True,
               n_queries: int | None = None, n_empty: int = 2,
               sink: Callable[[np.ndarray], None] | None = None, progress: bool = False) -> SynthVideo:
    """Simulate (random steps after the scripts when ``planner`` and ``rng`` are given), render,
    and generate queries."""
    rng = rng if rng is not None else np.random.default_rng(0)
    motions = simulate(scene, RandomPlanner(rng) if planner else None)
    video = render_video(scene, motions, sink, progress)
    pf = PredicateFrames(scene, motions, video.boxes, video.hidden)
    video.queries = generate_queries(scene, motions, pf, rng, n_queries or default_query_count(scene.frames),
                                     n_empty)
    return video


def generate_clip(frames: int = 20, size: tuple[int, int] = (160, 96), seed: int = 0, *,
                  actors: Sequence[ActorSpec] | None = None, occluders: Sequence[Occluder] = (),
                  fps: float = 25.0, n_queries: int | None = None, n_empty: int = 1) -> SynthVideo:
    """A small in-memory video for tests: random (``actors=None``) or the given scripted actors."""
    rng = np.random.default_rng(seed)
    if actors is None:
        scene = random_scene(rng, "CLIP", size[0], size[1], frames, fps, max_actors=3)
        return make_video(scene, rng, n_queries=n_queries, n_empty=n_empty)
    scene = SceneSpec("CLIP", size[0], size[1], frames, fps, tuple(actors), tuple(occluders),
                      background=seed)
    return make_video(scene, rng, planner=False, n_queries=n_queries, n_empty=n_empty)


@dataclass
class BenchmarkInfo:
    out_dir: Path
    gt_path: Path
    sequences: list[Path]
    videos: list[Path]
    queries: int
    empty_queries: int
    tracks: int
    seconds: float

    def to_obj(self) -> dict:
        d = asdict(self)
        return {k: (str(v) if isinstance(v, Path) else [str(p) for p in v] if isinstance(v, list) else v)
                for k, v in d.items()}


def benchmark_video(k: int, seed: int, frames: int, size: tuple[int, int], *, name: str | None = None,
                    fps: float = 25.0, max_actors: int = 5, n_queries: int | None = None, n_empty: int = 2,
                    sink: Callable[[np.ndarray], None] | None = None, progress: bool = False
                    ) -> tuple[SynthVideo, np.random.Generator]:
    """Video ``k`` (0-based) of the benchmark of ``seed``, in memory (what :func:`generate_benchmark`
    writes), and the generator it leaves (the detections are drawn from it next)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(k,)))  # = SeedSequence(seed).spawn(n)[k]
    scene = random_scene(rng, name or f"SYNTH-{k + 1:02d}", size[0], size[1], frames, fps, max_actors)
    return make_video(scene, rng, n_queries=n_queries, n_empty=n_empty, sink=sink, progress=progress), rng


def _video_job(args: tuple) -> tuple[dict, list[Query], dict]:
    (k, name, seed, frames, size, fps, max_actors, det, n_queries, n_empty, out_dir, write_video, codec,
     progress) = args
    t0 = time.perf_counter()
    seq = Path(out_dir) / name
    (seq / "gt").mkdir(parents=True, exist_ok=True)
    (seq / "det").mkdir(parents=True, exist_ok=True)
    video_file = f"{name}.mp4" if write_video else None
    writer = VideoWriter(seq / video_file, size[0], size[1], fps, codec) if video_file else None
    try:
        video, rng = benchmark_video(k, seed, frames, size, name=name, fps=fps, max_actors=max_actors,
                                     n_queries=n_queries, n_empty=n_empty, sink=writer.write if writer else None,
                                     progress=progress)
    except BaseException:
        if writer:
            writer.abort()
        raise
    if writer:
        writer.close()
    scene = video.scene
    kinds = [m.spec.kind for m in video.motions]
    write_seqinfo(seq / "seqinfo.ini", name, frames, size[0], size[1], fps, video_file)
    (seq / "gt" / "gt.txt").write_text(gt_text(video.boxes, video.visibility, kinds))
    (seq / "det" / "det.txt").write_text(det_text(video.boxes, video.visibility, det, rng, size[0], size[1]))
    queries = video.svag_queries(1, k + 1)
    script = {"name": name, "width": size[0], "height": size[1], "frames": frames, "fps": fps,
              "background": scene.background, "occluders": [asdict(o) for o in scene.occluders],
              "actors": [{"track_id": video.track_id(i), **asdict(m.spec),
                          "segments": [asdict(s) for s in m.segments]} for i, m in enumerate(video.motions)],
              "queries": [{"text": q.text, "predicate": q.predicate, "subject": asdict(q.subject)}
                          for q in video.queries]}
    summary = {**video.summary(), "codec": writer.codec if writer else None,
               "seconds": round(time.perf_counter() - t0, 3)}
    return script, queries, summary


def generate_benchmark(out_dir: PathLike, videos: int = 10, frames: int = 300, size: tuple[int, int] = (640, 360),
                       seed: int = 0, *, fps: float = 25.0, max_actors: int = 5, det: DetConfig | None = None,
                       queries_per_video: int | None = None, empty_queries: int = 2, dataset: str = "SYNTH",
                       write_video: bool = True, codec: str | None = None, jobs: int = 1,
                       overwrite: bool = False, progress: bool = False) -> BenchmarkInfo:
    """Generate ``videos`` videos of ``frames`` frames at ``size`` (width, height) under ``out_dir``.

    Everything is written into a temporary folder beside ``out_dir`` that replaces it when
    complete (:func:`svag.io.atomic.atomic_dir`): an interrupted run leaves ``out_dir`` as it
    was. With ``overwrite``, files in ``out_dir`` that an earlier ``svag synth`` did not write
    are kept. ``progress``: progress bars on a terminal."""
    t0 = time.perf_counter()
    if videos < 1 or frames < 1:
        raise InputError(f"need at least one video of one frame, got {videos} videos of {frames} frames")
    w, h = size
    if not (32 <= w <= 8192 and 32 <= h <= 8192) or w % 2 or h % 2:
        raise InputError(f"size must be even and from 32x32 to 8192x8192, got {w}x{h}")
    if jobs < 1:
        raise InputError(f"jobs must be at least 1, got {jobs}")
    if not (isinstance(fps, (int, float)) and 0 < fps < 1000) or seed < 0:
        raise InputError(f"need 0 < fps < 1000 and seed >= 0, got fps {fps!r}, seed {seed!r}")
    out = Path(out_dir)
    keep = _prepare_out(out, overwrite)
    with atomic_dir(out, keep=keep) as tmp:
        info = _generate(tmp, out, videos, frames, (w, h), seed, fps, max_actors, det, queries_per_video,
                         empty_queries, dataset, write_video, codec, jobs, progress)
    info.seconds = time.perf_counter() - t0
    return info


def _generate(tmp: Path, out: Path, videos: int, frames: int, size: tuple[int, int], seed: int, fps: float,
              max_actors: int, det: DetConfig | None, queries_per_video: int | None, empty_queries: int,
              dataset: str, write_video: bool, codec: str | None, jobs: int, progress: bool) -> BenchmarkInfo:
    t0 = time.perf_counter()
    w, h = size
    digits = max(2, len(str(videos)))
    names = [f"{dataset}-{k + 1:0{digits}d}" for k in range(videos)]
    det = det or DetConfig()
    parallel = jobs > 1 and videos > 1
    jobs_args = [(k, names[k], seed, frames, (w, h), fps, max_actors, det, queries_per_video, empty_queries,
                  str(tmp), write_video, codec, progress and not parallel) for k in range(videos)]
    if parallel:
        with ProcessPoolExecutor(max_workers=min(jobs, videos)) as pool:
            done = pool.map(_video_job, jobs_args)
            if progress:
                from svag.video.progress import progress_bar
                done = progress_bar(done, total=videos, desc="synth", unit="video")
            results = list(done)
    else:
        results = [_video_job(a) for a in jobs_args]
    all_queries: list[Query] = []
    for script, queries, _ in results:
        first = len(all_queries) + 1
        all_queries += [Query(first + j, q.text, q.video_name, q.video_length, q.tracks, q.video_id)
                        for j, q in enumerate(queries)]
        for j, q in enumerate(script["queries"]):
            q["query_id"] = first + j
    write_svag(tmp / "gt.json", SvagData((Dataset(dataset, tuple(all_queries)),)), "gt", overwrite=True)
    (tmp / "scripts.json").write_text(json.dumps([r[0] for r in results], indent=1))
    seconds = time.perf_counter() - t0
    summaries = [r[2] for r in results]
    manifest = {"generator": "svag.synth", "svag_version": __version__, "seed": seed, "videos": videos,
                "frames": frames, "size": [w, h], "fps": fps, "max_actors": max_actors, "dataset": dataset,
                "detector": asdict(det), "queries_per_video": queries_per_video, "empty_queries": empty_queries,
                "sequences": names, "per_video": summaries, "seconds": round(seconds, 3)}
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return BenchmarkInfo(out, out / "gt.json", [out / n for n in names],
                         [out / n / f"{n}.mp4" for n in names] if write_video else [],
                         queries=len(all_queries), empty_queries=sum(not q.tracks for q in all_queries),
                         tracks=sum(len(q.tracks) for q in all_queries), seconds=seconds)


def _prepare_out(out: Path, overwrite: bool) -> tuple[str, ...]:
    """Check that ``out`` may be (re)written; returns the names of the entries of an existing
    ``out`` to keep (those an earlier svag synth did not write)."""
    if out.exists() and not out.is_dir():
        raise InputError("output path exists and is not a folder", file=str(out))
    if not (out.is_dir() and any(out.iterdir())):
        return ()
    if not overwrite:
        raise InputError("output folder is not empty; pass --force to overwrite it", file=str(out))
    manifest = out / "manifest.json"
    if not manifest.is_file():
        raise InputError("output folder is not empty and was not made by svag synth (no manifest.json); "
                         "refusing to overwrite it", file=str(out))
    try:
        old = json.loads(manifest.read_text()).get("sequences", [])
    except (ValueError, AttributeError, RecursionError, OSError):
        old = []
    ours = {"gt.json", "scripts.json", "manifest.json", *(str(n) for n in old if isinstance(n, str))}
    return tuple(e.name for e in out.iterdir() if e.name not in ours)
