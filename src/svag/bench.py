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

from svag.core.types import Dataset, Query, SvagData, Track
from svag.errors import InputError
from svag.eval.svag_protocol import evaluate_svag
from svag.ground import build_grounder
from svag.ground.base import Scene
from svag.language.types import ActionQuery
from svag.pipeline import QuerySpec, parse_all, to_prediction

PathLike = str | os.PathLike
BASELINES = ("all-tracks", "longest-track")
TABLE_KEYS = ("HOTA", "DetA", "AssA", "mIoU", "R1@0.5", "m-HIoU")


def _scene_for(video: str, mot_root: Path, tracks_dir: Path | None) -> Scene:
    from svag.data.mot_seq import find_sequence
    from svag.io.mot import read_mot_results
    seq = find_sequence(mot_root, video)
    if seq is None:
        raise InputError(f"no MOT sequence folder for video {video!r}", file=str(mot_root))
    info = seq.info()
    if info is None or not info.width or not info.height or not info.frame_rate:
        raise InputError("seqinfo.ini with imWidth, imHeight and frameRate is needed", file=str(seq.path))
    if tracks_dir is None:
        gt = seq.gt()
        # hide the identities: renumber tracks 1..n in order of first appearance
        tracks = gt.tracks()
        tracks = [Track(i + 1, t.frames, t.boxes) for i, t in enumerate(tracks)]
    else:
        path = seq.result_file([tracks_dir], video)
        if path is None:
            names = sorted({f"{n}.txt" for n in (video, seq.path.name, info.name)})
            raise InputError(f"no track file for video {video!r} (looked for {names})", file=str(tracks_dir))
        tracks = read_mot_results(path, num_frames=info.length).tracks()
    return Scene(tuple(tracks), info.width, info.height, info.frame_rate, info.length, name=video)


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
        by_video: dict[str, list[Query]] = {}
        for q in d.queries:
            by_video.setdefault(q.video_name, []).append(q)
        for video, queries in by_video.items():
            scene = scenes[video]
            texts = [q.text for q in queries]
            parsed = (parse_all(texts) if getattr(grounder, "uses_language", True)
                      else [ActionQuery(t) for t in texts])
            if hasattr(grounder, "set_query_set"):          # vision grounders contrast the video's actors
                grounder.set_query_set(parsed)
            for q, aq in zip(queries, parsed):
                items.append((QuerySpec(q.text, q.query_id, q.video_name, q.video_length, q.video_id),
                              grounder.ground(scene, aq)))
        datasets.extend(to_prediction(d.name, items, window_convention=window_convention).datasets)
    return SvagData(tuple(datasets)), time.perf_counter() - start


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


def run_benchmark(gt: SvagData, mot_root: PathLike, *, tracks_dir: PathLike | None = None,
                  grounders: Sequence[str] = ("kinematic",), grounder_args: dict[str, dict] | None = None,
                  protocols: Sequence[str] = ("svag", "svag-strict")) -> list[GrounderRun]:
    """Ground and score ``gt`` with each grounder and the trivial baselines."""
    videos = sorted({q.video_name for d in gt for q in d})
    scenes = {v: _scene_for(v, Path(mot_root), Path(tracks_dir) if tracks_dir else None) for v in videos}
    names = list(dict.fromkeys([*BASELINES, *grounders]))
    runs = []
    for name in names:
        grounder = build_grounder(name, **(grounder_args or {}).get(name, {}))
        run_scenes = _encoded(scenes, grounder, Path(mot_root))
        pred, secs = ground_dataset(gt, run_scenes, grounder)
        run = GrounderRun(name, pred, secs)
        run.scores = score(gt, pred, protocols)
        runs.append(run)
    return runs


def _encoded(scenes: dict[str, Scene], grounder: Any, mot_root: Path) -> dict[str, Scene]:
    """Scenes with the grounder's per-video encodings (vision grounders: crop embeddings, from
    the sequence's pixels: img1/ frames or the videoFile of seqinfo.ini)."""
    if not hasattr(grounder, "encode_scene"):
        return scenes
    from svag.data.mot_seq import find_sequence
    from svag.pipeline import has_pixels
    out = {}
    for video, scene in scenes.items():
        seq = find_sequence(mot_root, video)
        if seq is None or not has_pixels(seq.path):
            raise InputError(f"grounder {getattr(grounder, 'name', grounder)!r} needs pixels: video {video!r} has no "
                             "img1/ frames or videoFile", file=str(mot_root))
        out[video] = grounder.encode_scene(scene, seq.path)
    return out


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
