"""Single-tube (STVG) and moment-retrieval protocols, for data of HC-STVG / VidSTG and
QVHighlights / SVAG-temporal style.

``stvg``: one ground-truth tube per query (its first track; the span is its first window, or
the track's first..last frame). The predicted tube of a query is its track whose best window has
the highest score (the first track if no window has a score); its span is that window, read as
1-based inclusive frames and rounded to whole frames, or the track's extent. Metrics: m_tIoU,
m_vIoU, vIoU@0.3, vIoU@0.5 (corrected TubeDETR vIoU, :mod:`svag.eval.stvg`). A query without
prediction scores 0.

``mr``: moment-retrieval JSON lines as moment_detr / FlashVTG / SVAGEval's temporal step read
them: ground truth ``{"qid", "relevant_windows": [[s, e], ...]}``, predictions
``{"qid", "pred_relevant_windows": [[s, e, score], ...]}``, windows compared as given. R1 is the
first listed window (the convention of these tools; predictions are normally sorted by score),
R@k the first k, mAP over windows sorted by score at 0.10 ... 0.95. Several ground-truth lines of
one qid are pooled; a qid without prediction scores 0.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from svag.core.types import Query, SvagData, Track
from svag.errors import InputError
from svag.eval.result import EvalResult
from svag.eval.stvg import TubePair, stvg_per_video, stvg_summary
from svag.eval.temporal import moment_retrieval_metrics


def _gt_tube(q: Query, dataset: str, source: str | None) -> tuple[Track, tuple[int, int] | None]:
    if not q.tracks:
        raise InputError("STVG ground truth needs one tube per query, this query has none",
                         file=source, dataset=dataset, query=q.query_id)
    t = q.tracks[0]
    span = (int(t.windows[0, 0]), int(t.windows[0, 1])) if len(t.windows) else None
    return t, span


def _pred_tube(q: Query | None) -> tuple[Track | None, tuple[int, int] | None]:
    if q is None or not q.tracks:
        return None, None
    best_score = [float(np.nanmax(t.windows[:, 2])) if len(t.windows) and not np.isnan(t.windows[:, 2]).all()
                  else -math.inf for t in q.tracks]
    t = q.tracks[int(np.argmax(best_score))]
    if not len(t.windows):
        return t, None
    scores = np.where(np.isnan(t.windows[:, 2]), -np.inf, t.windows[:, 2])
    s, e = t.windows[int(np.argmax(scores)), :2]
    return t, (int(round(s)), int(round(max(s, e))))


def evaluate_stvg(gt: SvagData, pred: SvagData) -> EvalResult:
    """STVG metrics per dataset and their mean over datasets."""
    from svag.eval.svag_protocol import match_datasets  # shares the dataset checks
    matched, notes = match_datasets(gt, pred)
    per_dataset: dict[str, dict[str, float]] = {}
    rows: list[dict[str, Any]] = []
    for g, p in matched:
        preds = p.by_id() if p is not None else {}
        pairs, extra_tracks = [], 0
        for q in g.queries:
            gtrack, gspan = _gt_tube(q, g.name, gt.source)
            extra_tracks += len(q.tracks) > 1
            ptrack, pspan = _pred_tube(preds.get(q.query_id))
            pairs.append(TubePair(q.query_id, gtrack, ptrack, gspan, pspan))
        if extra_tracks:
            notes.append(f"{g.name}: {extra_tracks} queries have several ground-truth tracks; STVG uses the first")
        names, tiou, viou = stvg_per_video(pairs)
        rows.extend({"dataset": g.name, "query_id": n, "tIoU": 100 * float(t), "vIoU": 100 * float(v)}
                    for n, t, v in zip(names, tiou, viou))
        per_dataset[g.name] = stvg_summary(tiou, viou)
    keys = list(next(iter(per_dataset.values()))) if per_dataset else []
    mean = {k: float(np.mean([d[k] for d in per_dataset.values()])) for k in keys}
    return EvalResult("stvg", mean, per_dataset, rows, notes)


def _read_jsonl(path: str | Path, key: str, need_score: bool) -> dict[Any, list[list[float]]]:
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", file=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc}", file=str(path)) from None
    out: dict[Any, list[list[float]]] = {}
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise InputError(f"line {i}: malformed or too deeply nested JSON: {exc}", file=str(path)) from None
        if not isinstance(obj, dict) or "qid" not in obj or key not in obj:
            raise InputError(f'line {i}: expected an object with "qid" and "{key}"', file=str(path))
        if not isinstance(obj["qid"], (int, str)) or isinstance(obj["qid"], bool):
            raise InputError(f'line {i}: "qid" must be a number or string, got {obj["qid"]!r:.60}', file=str(path))
        wins = obj[key] or []
        if not isinstance(wins, list):
            raise InputError(f'line {i}: "{key}" must be a list of windows', file=str(path), query=obj["qid"])
        for w in wins:
            ok = isinstance(w, list) and len(w) in ((3,) if need_score else (2, 3)) and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) <= 1e12 and math.isfinite(v)
                for v in w)
            if not ok:
                shape = "[start, end, score]" if need_score else "[start, end]"
                raise InputError(f"line {i}: window {w!r:.80} must be {shape} (finite numbers)",
                                 file=str(path), query=obj["qid"])
        out.setdefault(obj["qid"], []).extend([list(map(float, w[:3])) for w in wins])
    if not out:
        raise InputError("no query lines found", file=str(path))
    return out


def evaluate_moment_retrieval(gt_path: str | Path, pred_path: str | Path) -> EvalResult:
    """mIoU, R1/R5/R10@θ and mAP of a moment-retrieval prediction file (JSON lines)."""
    gt = _read_jsonl(gt_path, "relevant_windows", need_score=False)
    pred = _read_jsonl(pred_path, "pred_relevant_windows", need_score=True)
    notes = []
    missing = [q for q in gt if q not in pred]
    if missing:
        notes.append(f"{len(missing)} queries have no prediction and score 0, e.g. {missing[:5]}")
    extra = [q for q in pred if q not in gt]
    if extra:
        notes.append(f"{len(extra)} predicted queries are not in the ground truth and were ignored, e.g. {extra[:5]}")
    items = [(np.asarray(pred.get(q, []), dtype=float).reshape(-1, 3), np.asarray(w, dtype=float).reshape(-1, 2))
             for q, w in gt.items()]
    values = moment_retrieval_metrics(items, rank="listed", max_ap_windows=None)
    values["queries"] = float(len(items))
    return EvalResult("mr", values, {"all": values}, [], notes)
