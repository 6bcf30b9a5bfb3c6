"""What an evaluation report shows, as plain JSON-ready data: the summary tables of both SVAG
protocols per dataset, and per query its tracks (box runs and windows), per-query numbers,
the pairing of ground-truth tracks with predicted tracks and notes on why a query scored what
it did. The page (:mod:`svag.report.page`) only draws this data; every number in it comes from
:func:`svag.eval.svag_protocol.evaluate_svag`, exactly as ``svag eval`` and ``svag eval
--per-query`` print it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np

from svag.core.types import Query, SvagData, Track
from svag.eval.result import EvalResult
from svag.eval.svag_protocol import PROTOCOLS, evaluate_svag

SUMMARY_KEYS = ("HOTA", "DetA", "AssA", "LocA", "mIoU", "R1@0.3", "R1@0.5", "R5@0.5", "R10@0.5", "mAP",
                "m-HIoU", "queries", "scored_queries")
LENGTH_BINS = ((1, 5), (6, 8), (9, 12), (13, 10**9))


@dataclass
class Submission:
    """One prediction file and its evaluation under both protocols."""

    name: str
    pred: SvagData
    results: dict[str, EvalResult] = field(default_factory=dict)


def evaluate_submission(name: str, gt: SvagData, pred: SvagData, datasets: Iterable[str] | None = None
                        ) -> Submission:
    wanted = list(datasets) if datasets else None
    return Submission(name, pred, {p: evaluate_svag(gt, pred, protocol=p, datasets=wanted) for p in PROTOCOLS})


# ----------------------------------------------------------------------------------------------
# the adapter between the evaluation's per-query rows and the report


@dataclass
class PairInfo:
    """Per ground-truth track (in the query's order): the predicted track paired with it (None:
    unpaired) and why none; and the windows R1/R5/R10 compared, where the evaluation says."""

    gt: list[str]
    pred: list[str | None]
    why: list[str | None]
    compared: dict[str, Any] | None = None


def _pairs_for(row: dict[str, Any], protocol: str) -> PairInfo:
    """The one place that reads pairs out of a per-query row of :func:`evaluate_svag`
    (:meth:`svag.eval.result.QueryRecord.to_row`): ``pairs`` as ``[gt, pred, reason]`` triples
    (reason: a key of :data:`svag.eval.svag_pairing.UNPAIRED_REASONS`) and ``windows``, the
    windows R1/R5/R10 compared. Rows of the older shape (``pairs`` as a dict gt -> pred) get a
    reason inferred from the row."""
    from svag.eval.svag_pairing import UNPAIRED_REASONS
    pairs = row.get("pairs", {})
    if isinstance(pairs, list):
        compared = {}
        for w in row.get("windows") or []:
            pred = "none" if w["pred_track_id"] is None else w["pred_track_id"]
            compared[f"{w['measure']} (GT {w['gt_track_id']} / pred {pred})"] = {
                "pred_window": w["pred_window"], "gt_window": w["gt_window"], "iou": w["iou"]}
        return PairInfo([str(g) for g, _, _ in pairs], [None if p is None else str(p) for _, p, _ in pairs],
                        [UNPAIRED_REASONS.get(r, r) if p is None else None for _, p, r in pairs], compared or None)
    gt = list(pairs)
    pred = [None if v is None else str(v) for v in pairs.values()]
    return PairInfo(gt, pred, [None if p is not None else _why_unpaired(row, protocol) for p in pred])


def _why_unpaired(row: dict[str, Any], protocol: str) -> str:
    if row.get("pred_tracks", 0) == 0:
        return "no predicted track for this query"
    if row.get("DetA", 0.0) == 0.0:
        return "no predicted box overlaps a ground-truth box of this query"
    if protocol == "svag":
        return ("no predicted box matched at IoU 0.5 in the frames the official pairing reads for this "
                "track (its row position in the frame)")
    return "no predicted box matched this track's boxes at IoU 0.5"


def _query_notes(row: dict[str, Any], info: PairInfo, protocol: str, has_entry: bool) -> list[str]:
    notes = []
    if not has_entry:
        notes.append("no prediction entry for this query: every ground-truth box is missed")
    unpaired = sum(p is None for p in info.pred)
    if unpaired and info.gt:
        notes.append(f"{unpaired} of {len(info.gt)} ground-truth tracks unpaired")
    if protocol == "svag":
        if not row.get("scored"):
            notes.append("unscored: no ground-truth track is paired, so the query is left out of the temporal "
                         "metrics (official)")
        elif len(info.gt) > 1:
            notes.append("R1 compares the last paired prediction's first window with the last ground-truth "
                         "track's windows (official)")
    elif not row.get("scored"):
        notes.append("unscored: no ground-truth track has a temporal window")
    elif unpaired:
        notes.append("unpaired tracks score IoU 0 (strict)")
    return notes


# ----------------------------------------------------------------------------------------------
# tracks and queries


def _num(x: float) -> float | int | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return int(x) if float(x).is_integer() else float(x)


def box_runs(frames: np.ndarray) -> list[list[int]]:
    """Runs of consecutive frames ``[[first, last], ...]``."""
    if len(frames) == 0:
        return []
    cut = np.flatnonzero(np.diff(frames) != 1)
    starts = frames[np.concatenate([[0], cut + 1])]
    ends = frames[np.concatenate([cut, [len(frames) - 1]])]
    return np.column_stack([starts, ends]).tolist()


def _lane(track: Track, scores: bool) -> list[Any]:
    cols = 3 if scores else 2
    wins = [[_num(v) for v in w[:cols]] for w in track.windows.tolist()]
    return [str(track.track_id), wins, box_runs(track.frames)]


def query_verb(parsed: Any) -> str:
    """The first predicate of a parsed query, the "verb" its breakdown groups by."""
    preds = parsed.predicates
    return preds[0].name if preds else "(not understood)"


def length_bin(text: str) -> str:
    n = len(text.split())
    lo, hi = next(b for b in LENGTH_BINS if b[0] <= n <= b[1]) if n else LENGTH_BINS[0]
    return f"{lo}+ words" if hi > 1000 else f"{lo}-{hi} words"


def _verbs(texts: Sequence[str]) -> list[str]:
    """Rules only (no embedder): fast, and the same on every machine."""
    from svag.language.parser import parse_queries
    filled = [t for t in texts if t.strip()]
    parsed = iter(parse_queries(filled, embedder=False)) if filled else iter(())
    return [query_verb(next(parsed)) if t.strip() else "(empty query)" for t in texts]


def query_key(dataset: str, query_id: Any) -> str:
    return f"{dataset}\u241f{query_id}"


def build_queries(gt: SvagData, subs: Sequence[Submission]) -> list[dict[str, Any]]:
    """One entry per evaluated ground-truth query, in the order of the per-query rows."""
    gt_q = {query_key(d.name, q.query_id): q for d in gt for q in d}
    rows = [{query_key(r["dataset"], r["query_id"]): r for r in s.results[PROTOCOLS[0]].rows()} for s in subs]
    rows_strict = [{query_key(r["dataset"], r["query_id"]): r for r in s.results[PROTOCOLS[1]].rows()}
                   for s in subs]
    pred_q = [{query_key(d.name, q.query_id): q for d in s.pred for q in d} for s in subs]
    # a single prediction dataset scored against a differently named gt one: look up by query id
    for k, s in enumerate(subs):
        if len(s.pred.datasets) == 1 and len(gt.datasets) == 1 and s.pred.datasets[0].name != gt.datasets[0].name:
            pred_q[k] = {query_key(gt.datasets[0].name, q.query_id): q for q in s.pred.datasets[0]}
    keys = list(rows[0])
    verbs = _verbs([gt_q[k].text for k in keys])
    out = []
    for key, verb in zip(keys, verbs):
        q: Query = gt_q[key]
        entry: dict[str, Any] = {
            "k": key, "d": rows[0][key]["dataset"], "q": str(q.query_id), "v": q.video_name, "t": q.text,
            "n": q.video_length, "verb": verb, "len": length_bin(q.text),
            "g": [_lane(t, False) for t in q.tracks], "p": []}
        for k, s in enumerate(subs):
            pq = pred_q[k].get(key)
            row = rows[k][key]
            per = {"tr": [_lane(t, True) for t in pq.tracks] if pq is not None else [],
                   "HOTA": row["HOTA"], "DetA": row["DetA"], "AssA": row["AssA"]}
            for protocol, table in zip(PROTOCOLS, (rows[k], rows_strict[k])):
                r = table[key]
                info = _pairs_for(r, protocol)
                per[protocol] = {"pairs": info.pred, "why": info.why, "scored": bool(r.get("scored")),
                                 "iou": r.get("R1_IoU"), "cmp": info.compared,
                                 "notes": _query_notes(r, info, protocol, pq is not None)}
            entry["p"].append(per)
        out.append(entry)
    return out


# ----------------------------------------------------------------------------------------------
# summary tables


def summary_rows(result: EvalResult) -> dict[str, dict[str, float]]:
    """Dataset -> numbers as ``svag eval`` prints them (official rounding under ``svag``), plus "mean"."""
    if result.official is not None:
        rows = {}
        for name, vals in result.official["datasets"].items():
            full = result.datasets[name]
            rows[name] = {**vals, "m-HIoU": (vals["HOTA"] + vals["mIoU"]) / 2, "mAP": full["mAP"],
                          "queries": full["queries"], "scored_queries": full["scored_queries"]}
        mean = {**result.official["final"], "mAP": result.mean["mAP"]}
    else:
        rows, mean = {k: dict(v) for k, v in result.datasets.items()}, dict(result.mean)
    for key in ("queries", "scored_queries"):     # counts add up over datasets
        mean[key] = float(sum(result.datasets[name][key] for name in result.datasets))
    rows["mean"] = mean
    return {name: {k: vals[k] for k in SUMMARY_KEYS if k in vals} for name, vals in rows.items()}


def build_summary(subs: Sequence[Submission], baselines: Sequence[Submission] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {"keys": list(SUMMARY_KEYS), "protocols": {}}
    for protocol in PROTOCOLS:
        out["protocols"][protocol] = [
            {"name": s.name, "baseline": any(s is b for b in baselines), "rows": summary_rows(s.results[protocol]),
             "notes": list(s.results[protocol].notes)}
            for s in [*subs, *baselines]]
    return out
