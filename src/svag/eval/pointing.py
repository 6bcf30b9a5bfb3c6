"""The pointing game (Zhang et al. 2016; as the GEM and VideoGEM papers report it): a frame is a
hit when the point a method predicts — the maximum of its heatmap, or the point stored with it —
lies inside a ground-truth box of one of the query's actors at that frame.

Scored frames are the *annotated* frames of a query that have a heatmap: frames where one of the
query's ground-truth tracks has a box, inside one of that track's windows (``frames="windows"``,
default: the action is happening) or anywhere on the track (``frames="boxes"``). Boxes are
``[x, y, w, h]`` in pixels and a point (x, y) is inside when ``x0 <= x <= x0 + w`` and
``y0 <= y <= y0 + h``. ``accuracy`` is hits over scored frames (all queries pooled), in percent;
``query_accuracy`` the mean of the per-query accuracies. Annotated frames without a heatmap
are counted (``frames_without_heatmap``) and reported in the notes, never scored as hits or misses.

    from svag.eval.pointing import evaluate_pointing, pointing_hits
    result = evaluate_pointing(read_svag("gt.json"), "heatmaps/")
"""
from __future__ import annotations

import os
from typing import Iterable

import numpy as np

from svag.core.types import Query, SvagData
from svag.errors import InputError
from svag.eval.result import EvalResult

FRAME_MODES = ("windows", "boxes")


def annotated_boxes(q: Query, frames: str = "windows") -> dict[int, np.ndarray]:
    """Frame -> (K, 4) ground-truth boxes of the query's actors at the frames that count."""
    if frames not in FRAME_MODES:
        raise InputError(f"pointing frames must be one of {FRAME_MODES}, got {frames!r}")
    f_all, b_all = [], []
    for t in q.tracks:
        keep = np.ones(len(t), bool)
        if frames == "windows" and len(t.windows):
            keep = np.zeros(len(t), bool)
            for s, e in t.windows[:, :2]:
                keep |= (t.frames >= s) & (t.frames <= e)
        f_all.append(t.frames[keep])
        b_all.append(t.boxes[keep])
    if not f_all:
        return {}
    f = np.concatenate(f_all)
    b = np.concatenate(b_all)
    order = np.argsort(f, kind="stable")
    f, b = f[order], b[order]
    uniq, start = np.unique(f, return_index=True)
    return {int(fr): bx for fr, bx in zip(uniq, np.split(b, start[1:]))}


def pointing_hits(points: np.ndarray, boxes: Iterable[np.ndarray]) -> np.ndarray:
    """(F,) bool: point i inside any box of ``boxes[i]`` ((K, 4) xywh each)."""
    out = []
    for (x, y), bx in zip(np.asarray(points, np.float64), boxes):
        bx = np.asarray(bx, np.float64).reshape(-1, 4)
        inside = (x >= bx[:, 0]) & (x <= bx[:, 0] + bx[:, 2]) & (y >= bx[:, 1]) & (y <= bx[:, 1] + bx[:, 3])
        out.append(bool(inside.any()))
    return np.asarray(out, bool)


def score_query(q: Query, points_by_frame: dict[int, np.ndarray], frames: str = "windows") -> dict:
    """Hits and counts of one query given its predicted point per frame."""
    ann = annotated_boxes(q, frames)
    scored = sorted(f for f in ann if f in points_by_frame)
    hits = pointing_hits(np.array([points_by_frame[f] for f in scored]).reshape(-1, 2), [ann[f] for f in scored])
    return {"query_id": q.query_id, "video_name": q.video_name, "annotated": len(ann), "scored": len(scored),
            "hits": int(hits.sum()), "accuracy": 100.0 * hits.mean() if len(scored) else float("nan")}


def evaluate_pointing(gt: SvagData, heatmaps: str | os.PathLike, *, frames: str = "windows",
                      datasets: Iterable[str] | None = None) -> EvalResult:
    """Pointing-game accuracy of the heatmaps in folder ``heatmaps`` (:mod:`svag.io.heatmaps`)
    against the ground truth, per dataset and over all of them."""
    from pathlib import Path

    from svag.io.heatmaps import heatmap_path, read_heatmaps
    folder = Path(heatmaps)
    if not folder.is_dir():
        raise InputError("heatmap folder not found (write one with `svag ground --heatmaps DIR`)", file=str(folder))
    wanted = set(datasets) if datasets else None
    rows, notes, per_ds = [], [], {}
    missing_files = 0
    for d in gt.datasets:
        if wanted is not None and d.name not in wanted:
            continue
        ds_rows = []
        for q in d.queries:
            if not q.tracks:
                continue                      # a query with no actor has nothing to point at
            path = heatmap_path(folder, q.video_name, q.query_id)
            if not path.is_file():
                missing_files += 1
                pts: dict[int, np.ndarray] = {}
            else:
                hm = read_heatmaps(path)
                pts = dict(zip(hm.frames.tolist(), hm.peak_points()))
            row = {"dataset": d.name, **score_query(q, pts, frames)}
            ds_rows.append(row)
        per_ds[d.name] = _summary(ds_rows)
        rows += ds_rows
    if wanted is not None and not per_ds:
        raise InputError(f"dataset(s) {sorted(wanted)} not in the ground truth", file=gt.source)
    if missing_files:
        notes.append(f"{missing_files} queries with actors have no heatmap file in {folder} (their frames are "
                     "counted as frames_without_heatmap, not scored)")
    total = _summary(rows)
    if total["frames_without_heatmap"] and not missing_files:
        notes.append(f"{total['frames_without_heatmap']} annotated frames have no heatmap (sampled frames only)")
    if not total["frames"]:
        notes.append("no annotated frame had a heatmap: accuracy is undefined")
    return EvalResult("pointing", total, per_ds, per_query=rows, notes=notes)


def _summary(rows: list[dict]) -> dict[str, float]:
    scored = sum(r["scored"] for r in rows)
    hits = sum(r["hits"] for r in rows)
    accs = [r["accuracy"] for r in rows if r["scored"]]
    return {"accuracy": 100.0 * hits / scored if scored else float("nan"),
            "query_accuracy": float(np.mean(accs)) if accs else float("nan"),
            "frames": scored, "hits": hits, "queries": len(accs),
            "frames_without_heatmap": sum(r["annotated"] - r["scored"] for r in rows)}
