"""Benchmark runner: ground every query of a ground-truth file over given tracks with one or
more grounders, evaluate, and tabulate — always next to the trivial baselines.

Tracks come from a tracker's MOT result files (``tracks_dir/<VIDEO>.txt``) or are the oracle:
the video's ground-truth tracks (every class) with their ids hidden and whole lifespans, i.e.
a perfect tracker. Scene geometry comes from each video's ``seqinfo.ini`` under ``mot_root``.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from svag.core.scene import Scene
from svag.core.types import Dataset, Query, SvagData
from svag.errors import InputError
from svag.eval.svag_protocol import evaluate_svag
from svag.ground import build_grounder
from svag.run.pipeline import QuerySpec, ground_queries, to_prediction
from svag.run.scene import SceneBuilder

PathLike = str | os.PathLike
BASELINES = ("all-tracks", "longest-track")
TABLE_KEYS = ("HOTA", "DetA", "AssA", "mIoU", "R1@0.5", "m-HIoU")


def mot_scene(video: str, mot_root: PathLike, tracks_dir: PathLike | None) -> Scene:
    """The scene of ``video`` under ``mot_root`` with the tracker's tracks, or the oracle's
    (``tracks_dir`` None); see :meth:`svag.run.scene.SceneBuilder.from_mot`."""
    return SceneBuilder().from_mot(mot_root, video, tracks_dir)


_scene_for = mot_scene          # the name benchmarks and tests used before svag.run

# MOTChallenge ground-truth classes (and svag synth's dog, 14) as track categories
MOT_CLASS_CATEGORY = {1: "person", 2: "person", 7: "person", 3: "vehicle", 4: "vehicle", 5: "vehicle", 6: "vehicle",
                      14: "other"}


def true_scene(seq: PathLike) -> Scene:
    """The ground-truth tracks of a MOT sequence folder (every class, ids hidden) as a scene, each
    track with the category of its class (:data:`MOT_CLASS_CATEGORY`) at full confidence."""
    from dataclasses import replace

    from svag.data.mot_seq import find_sequence
    seq = Path(seq)
    found = find_sequence(seq.parent, seq.name)
    if found is None:
        raise InputError("not a MOT sequence folder", file=str(seq))
    scene = mot_scene(seq.name, seq.parent, None)
    gt = found.gt()
    categories = {}
    for i, t in enumerate(gt.tracks()):          # the order the oracle scene numbers them in
        cls = int(gt.classes[gt.ids == t.track_id][0]) if gt.classes is not None else 1
        categories[i + 1] = MOT_CLASS_CATEGORY.get(cls)
    tracks = tuple(replace(t, category=categories.get(t.track_id),
                           category_score=1.0 if categories.get(t.track_id) else None) for t in scene.tracks)
    return replace(scene, tracks=tracks)


@dataclass
class GrounderRun:
    name: str
    prediction: SvagData
    seconds: float
    scores: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)  # protocol -> video|mean -> metric


def ground_dataset(gt: SvagData, scenes: dict[str, Scene], grounder: Any, *, window_convention: str = "svag"
                   ) -> tuple[SvagData, float]:
    """Ground every query of ``gt`` on its video's scene; returns the prediction and seconds."""
    start = time.perf_counter()
    datasets = []
    for d in gt.datasets:
        items = []
        for video, queries in queries_by_video(d).items():
            items.extend(_ground_video(scenes[video], queries, grounder))
        datasets.extend(to_prediction(d.name, items, window_convention=window_convention).datasets)
    return SvagData(tuple(datasets)), time.perf_counter() - start


def queries_by_video(d: Dataset) -> dict[str, list[Query]]:
    """A dataset's queries grouped by video name, in their order."""
    by_video: dict[str, list[Query]] = {}
    for q in d.queries:
        by_video.setdefault(q.video_name, []).append(q)
    return by_video


def _ground_video(scene: Scene, queries: Sequence[Query], grounder: Any) -> list[tuple[QuerySpec, Any]]:
    results = ground_queries(grounder, scene, [q.text for q in queries])
    return [(QuerySpec.of(q), res)
            for q, res in zip(queries, results)]


class _VideoBench:
    """Batch worker: every grounder on one video (grounders built once per worker)."""

    def __init__(self, mot_root: str, tracks_dir: str | None, grounders: dict[str, dict]) -> None:
        self.mot_root, self.tracks_dir = mot_root, tracks_dir
        self.grounders = {name: build_grounder(name, **args) for name, args in grounders.items()}

    def process(self, job: tuple[str, SvagData]) -> dict[str, Any]:
        video, gt = job
        try:
            scene = mot_scene(video, self.mot_root, self.tracks_dir)
            out: dict[str, Any] = {}
            for name, grounder in self.grounders.items():
                t0 = time.perf_counter()
                items = {d.name: _ground_video(scene, d.queries, grounder) for d in gt.datasets}
                out[name] = (items, time.perf_counter() - t0)
            return {"ok": out}
        except Exception as exc:   # reported with the video; the other videos go on
            return {"error": str(exc) if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"}


def _ground_parallel(gt: SvagData, mot_root: PathLike, tracks_dir: PathLike | None, grounders: dict[str, dict],
                     *, workers: int, ray: bool, ray_address: str | None) -> dict[str, tuple[SvagData, float]]:
    """``ground_dataset`` for every grounder, one task per video on a process pool or Ray;
    the same predictions, in the same order, as the sequential run."""
    import functools

    from svag.run.pool import open_pool
    videos = sorted({q.video_name for d in gt for q in d})
    factory = functools.partial(_VideoBench, str(mot_root), str(tracks_dir) if tracks_dir else None, grounders)
    per_video: dict[str, dict] = {}
    failed: dict[str, str] = {}
    with open_pool(factory, workers=workers, ray=ray, ray_address=ray_address) as pool:
        for (video, _), res in pool.imap_unordered([(v, _subset(gt, v)) for v in videos]):
            if isinstance(res, dict) and "ok" in res:
                per_video[video] = res["ok"]
            else:
                failed[video] = res["error"] if isinstance(res, dict) else f"{type(res).__name__}: {res}"
    if failed:
        raise InputError(f"{len(failed)} of {len(videos)} videos failed: " +
                         "; ".join(f"{v}: {e}" for v, e in sorted(failed.items())))
    out = {}
    for name in grounders:
        datasets = []
        for d in gt.datasets:
            items = [it for video in queries_by_video(d) for it in per_video[video][name][0][d.name]]
            datasets.extend(to_prediction(d.name, items).datasets)
        out[name] = (SvagData(tuple(datasets)), sum(per_video[v][name][1] for v in videos))
    return out


def _subset(data: SvagData, video: str) -> SvagData:
    return SvagData(tuple(Dataset(d.name, tuple(q for q in d.queries if q.video_name == video)) for d in data.datasets
                          if any(q.video_name == video for q in d.queries)))


def score(gt: SvagData, pred: SvagData, protocols: Sequence[str] = ("svag", "svag-strict")
          ) -> dict[str, dict[str, dict[str, float]]]:
    """protocol -> {video: metrics, "all": metrics over all videos}."""
    videos = sorted({q.video_name for d in gt for q in d})
    out: dict[str, dict[str, dict[str, float]]] = {}
    for protocol in protocols:
        per = {v: evaluate_svag(_subset(gt, v), _subset_pred(pred, gt, v), protocol=protocol).mean for v in videos}
        per["all"] = evaluate_svag(gt, pred, protocol=protocol).mean
        out[protocol] = per
    return out


def _subset_pred(pred: SvagData, gt: SvagData, video: str) -> SvagData:
    names = {d.name for d in gt.datasets if any(q.video_name == video for q in d.queries)}
    return SvagData(tuple(Dataset(d.name, tuple(q for q in d.queries if q.video_name == video))
                          for d in pred.datasets if d.name in names))


def build_scenes(gt: SvagData, mot_root: PathLike, tracks_dir: PathLike | None = None) -> dict[str, Scene]:
    """Video name -> scene: a tracker's tracks from ``tracks_dir`` or, without it, the oracle tracks."""
    videos = sorted({q.video_name for d in gt for q in d})
    return {v: mot_scene(v, mot_root, tracks_dir or None) for v in videos}


def run_benchmark(gt: SvagData, mot_root: PathLike, *, tracks_dir: PathLike | None = None,
                  grounders: Sequence[str] = ("kinematic",), grounder_args: dict[str, dict] | None = None,
                  protocols: Sequence[str] = ("svag", "svag-strict"), progress: bool = False, workers: int = 0,
                  ray: bool = False, ray_address: str | None = None) -> list[GrounderRun]:
    """Ground and score ``gt`` with each grounder and the trivial baselines (``progress``: a
    progress bar over grounders on a terminal). ``workers`` > 1 or ``ray``: one task per video on
    local processes or Ray (the same predictions)."""
    names = list(dict.fromkeys([*BASELINES, *grounders]))
    args = {name: (grounder_args or {}).get(name, {}) for name in names}
    built = {name: build_grounder(name, **args[name]) for name in names}  # checked first
    if ray or workers > 1:
        preds = _ground_parallel(gt, mot_root, tracks_dir, args, workers=workers, ray=ray, ray_address=ray_address)
    else:
        scenes = build_scenes(gt, mot_root, tracks_dir)
        preds = {}
    runs = []
    order = names
    if progress:
        from svag.video.progress import progress_bar
        order = progress_bar(names, total=len(names), desc="bench", unit="grounder")
    for name in order:
        if name not in preds:
            preds[name] = ground_dataset(gt, scenes, built[name])
        pred, secs = preds[name]
        run = GrounderRun(name, pred, secs)
        run.scores = score(gt, pred, protocols)
        runs.append(run)
    return runs


def format_runs(runs: Sequence[GrounderRun], protocol: str) -> str:
    """One block per grounder: a row per video and the overall row."""
    lines = [f"protocol: {protocol}"]
    for run in runs:
        per = run.scores[protocol]
        width = max(len(k) for k in per)
        lines.append(f"\n{run.name}  ({run.seconds:.2f} s grounding)")
        lines.append(f"{'video':{width}}  " + "  ".join(f"{k:>7}" for k in TABLE_KEYS))
        for video, vals in per.items():
            lines.append(f"{video:{width}}  " + "  ".join(f"{vals.get(k, float('nan')):7.2f}" for k in TABLE_KEYS))
    return "\n".join(lines)


def runs_to_json(runs: Sequence[GrounderRun]) -> dict[str, Any]:
    return {r.name: {"seconds": r.seconds, "scores": r.scores} for r in runs}


def mean_over_videos(run: GrounderRun, protocol: str, key: str) -> float:
    vals = [v[key] for k, v in run.scores[protocol].items() if k != "all"]
    return float(np.mean(vals)) if vals else float("nan")
