"""An HTML report of an SVAG evaluation: summary tables of both protocols, per-query timelines
with the pairing of tracks, breakdowns, thumbnails and side-by-side comparisons, in one
self-contained file (``svag report``)."""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Sequence

from svag.core.types import SvagData
from svag.report.model import Submission, build_queries, build_summary, evaluate_submission
from svag.report.page import render_html

__all__ = ["Submission", "baseline_submissions", "build_report", "evaluate_submission"]

PathLike = str | os.PathLike


def baseline_submissions(gt: SvagData, mot_root: PathLike, tracks_dir: PathLike | None = None,
                         datasets: Sequence[str] | None = None) -> list[Submission]:
    """The trivial baselines of ``svag bench run`` (every track over its whole life; the longest
    track), grounded on a tracker's tracks or, without ``tracks_dir``, on the oracle tracks."""
    from svag.bench import BASELINES, build_scenes, ground_dataset
    from svag.ground import build_grounder
    scenes = build_scenes(gt, mot_root, tracks_dir)
    out = []
    for name in BASELINES:
        pred, _ = ground_dataset(gt, scenes, build_grounder(name))
        out.append(evaluate_submission(f"baseline: {name}", gt, pred, datasets))
    return out


def _thumbnails(gt: SvagData, subs: Sequence[Submission], queries: list[dict[str, Any]], video_root: PathLike,
                limit: int) -> tuple[dict[str, Any], list[str]]:
    """Thumbnails for the ``limit`` worst queries (lowest HOTA of the first prediction)."""
    from svag.report.model import query_key
    from svag.report.thumbs import ThumbRequest, make_thumbnails
    worst = sorted(queries, key=lambda q: (q["p"][0]["HOTA"] if q["p"][0]["HOTA"] is not None else -1.0))
    chosen = {q["k"] for q in (worst if limit < 0 else worst[:limit])}
    gt_q = {query_key(d.name, q.query_id): q for d in gt for q in d}
    preds = [{query_key(d.name, q.query_id): q for d in s.pred for q in d} for s in subs]
    reqs = [ThumbRequest(k, gt_q[k], [p.get(k) for p in preds]) for k in (q["k"] for q in queries) if k in chosen]
    return make_thumbnails(reqs, video_root)


def build_report(gt: SvagData, subs: Sequence[Submission], *, baselines: Sequence[Submission] = (),
                 video_root: PathLike | None = None, thumbnails: int = 200, title: str | None = None,
                 gt_name: str | None = None) -> str:
    """The report's HTML. ``subs``: evaluated predictions (the first one is the main one);
    ``thumbnails``: how many of the worst queries get key-frame thumbnails (-1: all)."""
    from svag import __version__
    queries = build_queries(gt, subs)
    notes: list[str] = []
    thumbs: dict[str, Any] = {}
    thumbs_note = None
    if video_root is not None and thumbnails != 0:
        thumbs, notes = _thumbnails(gt, subs, queries, video_root, thumbnails)
        if 0 <= thumbnails < len(queries):
            thumbs_note = (f"thumbnails were made for the {thumbnails} worst queries (by HOTA of the first "
                           "prediction); svag report --thumbnails N for more")
    elif video_root is None:
        thumbs_note = "no thumbnails: svag report --video-root DIR draws the boxes on key frames"
    payload = {
        "meta": {"title": title or f"svag report: {', '.join(s.name for s in subs)}",
                 "gt": gt_name or gt.source or "", "preds": [s.name for s in subs], "version": __version__,
                 "created": time.strftime("%Y-%m-%d %H:%M:%S"), "notes": notes, "thumbs_note": thumbs_note},
        "summary": build_summary(subs, baselines),
        "queries": queries,
    }
    return render_html(payload, thumbs)


def write_report(path: PathLike, html: str) -> None:
    Path(path).write_text(html, encoding="utf-8")
