"""The SVAG evaluation: spatial HOTA per (video, query) plus temporal moment retrieval.

Two protocols share the spatial part and differ in how tracks are paired and windows scored:

``svag`` (official)
    Reproduces SVAGEval (``Shuaicong97/SVAGEval`` @ 65b14956) number for number, including its
    surprising parts, described in ``docs/protocols.md``: the count-based pairing keyed on a
    track's position in the frame, "last wins" per query, R1 by the first listed window, queries
    without a paired prediction left out of the temporal metrics, 1-based ground-truth windows
    shifted to ``[s - 1, e]`` while predictions are used as given, and the official rounding
    (:attr:`EvalResult.official`).

``svag-strict``
    Each ground-truth track is paired with the prediction matched to *it* in the most frames at
    alpha 0.5; every ground-truth track of every query is scored (unpaired: IoU 0, AP 0), a
    query's score being the mean over its tracks, every query weighing the same;
    windows are ranked by score; both sides are read as 1-based inclusive frame windows
    ``[s, e]`` (interval ``[s - 1, e]``); nothing is rounded.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np

from svag.core.types import Dataset, Detections, Query, SvagData, Track
from svag.errors import InputError
from svag.eval.hota import HotaCounts, HotaMatches, combine_hota, hota_arrays, hota_fields, hota_segments
from svag.eval.result import ComparedWindows, EvalResult, QueryRecord, TrackPair
from svag.eval.sequence import SequenceData
from svag.eval.svag_pairing import pair_official, pair_strict, unpaired_reason
from svag.eval.temporal import RECALL_KS, THRESHOLDS, RecallDetail, average_precisions, recall_detail

PROTOCOLS = ("svag", "svag-strict")
MAP_THRESHOLDS = THRESHOLDS            # 0.10, 0.15, ..., 0.95: defined once, in eval.temporal
RECALL_THRESHOLDS = (0.1, 0.3, 0.5, 0.7)
HOTA_KEYS = ("HOTA", "DetA", "AssA", "DetRe", "DetPr", "AssRe", "AssPr", "LocA")
TEMPORAL_KEYS = ("mIoU",) + tuple(f"R{k}@{t}" for k in (1, 5, 10) for t in (0.1, 0.3, 0.5))
OFFICIAL_KEYS = HOTA_KEYS + TEMPORAL_KEYS          # the keys of combined_result_mean.json (+ m-HIoU)


# ----------------------------------------------------------------------------------------------
# matching predictions to ground truth


@dataclass
class _QueryPair:
    gt: Query
    pred: Query | None


def _sort_key(qid: object) -> tuple:
    return (0, qid, "") if isinstance(qid, (int, float)) and not isinstance(qid, bool) else (1, 0, str(qid))


def _match_queries(gt: Dataset, pred: Dataset | None, source: str | None, notes: list[str]) -> list[_QueryPair]:
    preds = pred.by_id() if pred is not None else {}
    pairs = []
    for q in sorted(gt.queries, key=lambda q: _sort_key(q.query_id)):
        p = preds.get(q.query_id)
        if p is not None:
            where = dict(file=source, dataset=gt.name, query=q.query_id)
            if p.video_name != q.video_name:
                raise InputError(f"prediction is for video {p.video_name!r} but the ground truth's query "
                                 f"is on video {q.video_name!r}", **where)
            if p.video_length != q.video_length:
                raise InputError(f"prediction has video_length {p.video_length}, ground truth "
                                 f"{q.video_length}", **where)
        pairs.append(_QueryPair(q, p))
    missing = [pq.gt.query_id for pq in pairs if pq.pred is None]
    if missing:
        notes.append(f"{gt.name}: {len(missing)} ground-truth queries have no prediction entry and count as "
                     f"empty predictions (all boxes missed), e.g. {missing[:5]}")
    if pred is not None:
        known = {q.query_id for q in gt.queries}
        extra = [q.query_id for q in pred.queries if q.query_id not in known]
        if extra:
            notes.append(f"{gt.name}: {len(extra)} predicted queries are not in the ground truth and were "
                         f"ignored, e.g. {extra[:5]}")
    return pairs


def match_datasets(gt: SvagData, pred: SvagData, datasets: Iterable[str] | None = None
                   ) -> tuple[list[tuple[Dataset, Dataset | None]], list[str]]:
    """Pair the datasets of ground truth and prediction (by name) and check they agree."""
    notes: list[str] = []
    gt_names, pred_names = gt.names(), pred.names()
    if len(gt_names) == 1 and len(pred_names) == 1 and gt_names != pred_names:
        notes.append(f"ground truth has one dataset ({gt_names[0]!r}) and the prediction one "
                     f"({pred_names[0]!r}): scored against each other")
        return [(gt.datasets[0], pred.datasets[0])], notes
    wanted = list(datasets) if datasets else gt_names
    unknown = [n for n in wanted if n not in gt_names]
    if unknown:
        raise InputError(f"dataset(s) {unknown} not in the ground truth, which has {gt_names}", file=gt.source)
    extra = [n for n in pred_names if n not in gt_names]
    if extra:
        raise InputError(f"prediction has dataset(s) {extra} that the ground truth ({gt.source}) does not "
                         f"have; it has {gt_names}", file=pred.source)
    absent = [n for n in wanted if n not in pred_names]
    if absent:
        raise InputError(f"prediction has no dataset {absent} (it has {pred_names})", file=pred.source,
                         hint="score a subset with --datasets")
    return [(gt.get(n), pred.get(n)) for n in wanted], notes  # type: ignore[misc]


# ----------------------------------------------------------------------------------------------
# the spatial part: every query of a dataset is one sequence, all laid out on one time axis


@dataclass
class _Layout:
    pairs: list[_QueryPair]
    seq: SequenceData
    counts: HotaCounts                      # per query
    matches: HotaMatches
    offsets: np.ndarray                     # first global frame index of each query
    gt_tracks: list[list[int]]              # per query: global gt id of each track (-1: no box)
    pr_tracks: list[list[int]]
    pr_track_of_id: list[tuple[int, int]]   # global pred id -> (query index, track index)


def _stack(tracks_per_query: list[tuple[Track, ...]], offsets: np.ndarray, total: int
           ) -> tuple[Detections, list[list[int]], list[tuple[int, int]]]:
    frames, ids, boxes, ids_per_query, owner = [], [], [], [], []
    nid = 0
    for k, tracks in enumerate(tracks_per_query):
        row = []
        for j, t in enumerate(tracks):
            if len(t) == 0:
                row.append(-1)
                continue
            frames.append(t.frames - 1 + offsets[k])
            ids.append(np.full(len(t), nid, np.int64))
            boxes.append(t.boxes)
            row.append(nid)
            owner.append((k, j))
            nid += 1
        ids_per_query.append(row)
    if frames:
        dets = Detections(np.concatenate(frames) + 1, np.concatenate(ids), np.concatenate(boxes), num_frames=total)
    else:
        dets = Detections(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 4)), num_frames=total)
    return dets, ids_per_query, owner


def _layout(pairs: list[_QueryPair]) -> _Layout:
    lengths = np.array([p.gt.video_length for p in pairs], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]) if len(pairs) else np.zeros(0, np.int64)
    total = int(lengths.sum())
    gt_det, gt_ids, _ = _stack([p.gt.tracks for p in pairs], offsets, total)
    pr_det, pr_ids, pr_owner = _stack([p.pred.tracks if p.pred else () for p in pairs], offsets, total)
    seq = SequenceData.build(gt_det, pr_det, num_frames=total)
    # SequenceData relabels ids to 0..n-1 in sorted order of the originals, ours are 0..n-1 already
    assert np.array_equal(seq.gt_orig_id, np.arange(seq.num_gt_ids))
    assert np.array_equal(seq.tr_orig_id, np.arange(seq.num_tracker_ids))
    segment = np.repeat(np.arange(len(pairs)), lengths)
    counts, matches = hota_segments(seq, segment, len(pairs))
    return _Layout(pairs, seq, counts, matches, offsets, gt_ids, pr_ids, pr_owner)


# ----------------------------------------------------------------------------------------------
# pairing ground-truth tracks with predicted tracks (svag_pairing.py)


@dataclass
class _Pairing:
    pred: list[list[int | None]]          # per query, per gt track: global pred id
    reason: list[list[str | None]]        # why None


def _pairing(lay: _Layout, strict: bool) -> _Pairing:
    if strict:
        best, key = pair_strict(lay.seq, lay.matches), None
    else:
        best, key = pair_official(lay.seq, lay.matches)
    out = _Pairing([], [])
    for k, gids in enumerate(lay.gt_tracks):
        has_pred = bool(lay.counts.num_tracker_dets[k] > 0)
        reasons = [unpaired_reason(g, best, key, has_pred) for g in gids]
        out.reason.append(reasons)
        out.pred.append([int(best[g]) if r is None else None for g, r in zip(gids, reasons)])
    return out


# ----------------------------------------------------------------------------------------------
# temporal windows


def _gt_intervals(track: Track, video_name: str, official: bool) -> np.ndarray:
    """Ground-truth windows [s, e] (1-based inclusive) as intervals [s - 1, e]. The official
    converter hard-codes other shifts for two OVIS videos; reproduced under the official protocol."""
    w = track.windows[:, :2].copy()
    if official and video_name == "cfff47c3":
        return np.column_stack([w[:, 0] - 171, w[:, 1] - 170])
    if official and video_name == "af48b2f9":
        out = []
        for s, e in w:
            if s <= 5:
                s -= 1
            if s == 8:
                s = 5
            if e == 8:
                e = 6
            if s >= 12:
                s -= 6
            if e >= 12:
                e -= 5
            out.append([s, e])
        return np.asarray(out, dtype=np.float64).reshape(-1, 2)
    w[:, 0] -= 1
    return w


@dataclass
class _TemporalAcc:
    """The scored units (queries or gt tracks): windows for R1/R5/R10 and for AP."""

    rank: str = "listed"                    # "listed": official; "score": strict
    max_ap_windows: int | None = None       # windows kept per predicted track for AP
    items: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    ap_items: list[tuple[list[np.ndarray], list[np.ndarray]]] = field(default_factory=list)
    query_of: list[int] = field(default_factory=list)      # the query of each unit
    ap_query_of: list[int] = field(default_factory=list)
    labels: list[tuple[Any, Any]] = field(default_factory=list)   # (gt track id, pred track id) of each unit

    def add(self, preds: np.ndarray, gts: np.ndarray, ap_preds: list[np.ndarray] | None,
            ap_gts: list[np.ndarray], query: int, label: tuple[Any, Any]) -> None:
        """R1/R5/R10 compare ``preds`` with ``gts``; AP pools ``ap_preds`` against ``ap_gts``
        (``None``: the unit has no AP, as a query without any predicted window officially).
        Every query weighs the same: the units of a query share its weight."""
        self.items.append((preds, gts))
        self.query_of.append(query)
        self.labels.append(label)
        if ap_preds is not None:
            self.ap_items.append((ap_preds, ap_gts))
            self.ap_query_of.append(query)

    @staticmethod
    def _weights(query_of: list[int]) -> np.ndarray:
        q = np.asarray(query_of, dtype=np.int64)
        if len(q) == 0:
            return np.zeros(0)
        _, inv, counts = np.unique(q, return_inverse=True, return_counts=True)
        w = 1.0 / counts[inv]
        return w / w.sum()

    def recall(self) -> RecallDetail:
        """Per unit, the IoU that R1 (and mIoU), R5 and R10 read, and the windows compared."""
        if not self.items:
            return RecallDetail(np.zeros((0, 3)), np.zeros((0, 3, 2)), np.zeros((0, 3, 2)))
        return recall_detail(self.items, RECALL_KS, rank=self.rank)

    def aps(self) -> np.ndarray:
        """(AP units, thresholds): the AP of every unit that has one."""
        if not self.ap_items:
            return np.zeros((0, len(MAP_THRESHOLDS)))
        return average_precisions(self.ap_items, MAP_THRESHOLDS, rank=self.rank, max_windows=self.max_ap_windows)

    def fields(self, recall: np.ndarray, aps: np.ndarray) -> dict[str, float]:
        w = self._weights(self.query_of)
        out = {"mIoU": 100.0 * float(w @ recall[:, 0]) if len(recall) else 0.0}
        for i, name in enumerate(("R1", "R5", "R10")):
            for t in RECALL_THRESHOLDS:
                out[f"{name}@{t}"] = 100.0 * float(w @ (recall[:, i] >= t)) if len(recall) else 0.0
        ap = self._weights(self.ap_query_of) @ aps if len(aps) else np.zeros(len(MAP_THRESHOLDS))
        out["mAP"] = 100.0 * float(np.mean(ap))
        for t in RECALL_THRESHOLDS:
            out[f"mAP@{t}"] = 100.0 * float(ap[int(np.argmin(np.abs(MAP_THRESHOLDS - t)))])
        return out


def _windows_of(lay: _Layout, k: int, pid: int | None) -> np.ndarray:
    if pid is None:
        return np.zeros((0, 3))
    qk, j = lay.pr_track_of_id[pid]
    assert qk == k
    return lay.pairs[k].pred.tracks[j].windows  # type: ignore[union-attr]


def _track_id_of(lay: _Layout, k: int, pid: int | None) -> Any:
    if pid is None:
        return None
    return lay.pairs[k].pred.tracks[lay.pr_track_of_id[pid][1]].track_id  # type: ignore[union-attr]


def _temporal_official(lay: _Layout, pairing: _Pairing, notes: list[str]) -> _TemporalAcc:
    acc = _TemporalAcc(rank="listed", max_ap_windows=10)
    empty_pred = no_gt_windows = 0
    for k, pair in enumerate(lay.pairs):
        paired = [p for p in pairing.pred[k] if p is not None]
        if not paired:
            continue
        last_gt = pair.gt.tracks[-1]
        gts = _gt_intervals(last_gt, pair.gt.video_name, True)   # the last gt track
        preds = _windows_of(lay, k, paired[-1])             # the last paired prediction, as listed
        ap_preds = [_windows_of(lay, k, p) for p in paired]  # first 10 of each, duplicates kept
        ap_gts = [_gt_intervals(t, pair.gt.video_name, True) for t in pair.gt.tracks]
        empty_pred += len(preds) == 0
        no_gt_windows += len(gts) == 0
        acc.add(preds, gts, ap_preds if any(len(w) for w in ap_preds) else None, ap_gts, k,
                (last_gt.track_id, _track_id_of(lay, k, paired[-1])))
    if empty_pred:
        notes.append(f"{empty_pred} scored queries have a paired prediction without windows: IoU 0 "
                     "(the official code crashes here)")
    if no_gt_windows:
        notes.append(f"{no_gt_windows} scored queries have a last ground-truth track without windows: IoU 0 "
                     "(the official code crashes here)")
    return acc


def _strict_intervals(windows: np.ndarray) -> np.ndarray:
    """Predicted windows read as 1-based inclusive frames, as intervals [s - 1, e]; a reversed
    window becomes empty. Ranking by score is left to the metric (``rank="score"``)."""
    w = windows.copy()
    w[:, 1] = np.maximum(w[:, 0], w[:, 1])
    w[:, 0] -= 1
    return w


def _temporal_strict(lay: _Layout, pairing: _Pairing, notes: list[str]) -> _TemporalAcc:
    acc = _TemporalAcc(rank="score", max_ap_windows=None)
    skipped = 0
    for k, pair in enumerate(lay.pairs):
        for j, t in enumerate(pair.gt.tracks):
            gts = _gt_intervals(t, pair.gt.video_name, False)
            if len(gts) == 0:
                skipped += 1
                continue
            pid = pairing.pred[k][j]
            preds = _strict_intervals(_windows_of(lay, k, pid))
            acc.add(preds, gts, [preds], [gts], k, (t.track_id, _track_id_of(lay, k, pid)))
    if skipped:
        notes.append(f"{skipped} ground-truth tracks have no temporal window and were left out of the "
                     "temporal metrics")
    return acc


def _window(w: np.ndarray) -> tuple[float, float] | None:
    return None if np.isnan(w[0]) else (float(w[0]), float(w[1]))


def _records(gt_name: str, lay: _Layout, pairing: _Pairing, acc: _TemporalAcc, recall: RecallDetail,
             aps: np.ndarray) -> list[QueryRecord]:
    units: list[list[int]] = [[] for _ in lay.pairs]
    for u, k in enumerate(acc.query_of):
        units[k].append(u)
    ap_units: list[list[int]] = [[] for _ in lay.pairs]
    for u, k in enumerate(acc.ap_query_of):
        ap_units[k].append(u)
    hota = {k: 100.0 * v.mean(axis=1) for k, v in hota_arrays(lay.counts).items()}   # per query
    out = []
    for k, p in enumerate(lay.pairs):
        windows = [ComparedWindows(name, *acc.labels[u], _window(recall.pred_window[u, c]),
                                   _window(recall.gt_window[u, c]), float(recall.iou[u, c]))
                   for u in units[k] for c, name in enumerate(("R1", "R5", "R10"))]
        out.append(QueryRecord(
            dataset=gt_name, query_id=p.gt.query_id, video_name=p.gt.video_name, query=p.gt.text,
            gt_tracks=len(p.gt.tracks), pred_tracks=len(p.pred.tracks) if p.pred else 0,
            hota=float(hota["HOTA"][k]), det_a=float(hota["DetA"][k]), ass_a=float(hota["AssA"][k]),
            pairs=[TrackPair(t.track_id, _track_id_of(lay, k, pid), why)
                   for t, pid, why in zip(p.gt.tracks, pairing.pred[k], pairing.reason[k])],
            scored=bool(units[k]),
            r1_iou=float(np.mean(recall.iou[units[k], 0])) if units[k] else None,
            compared_windows=windows,
            ap=tuple(float(v) for v in np.mean(aps[ap_units[k]], axis=0)) if ap_units[k] else None))
    return out


# ----------------------------------------------------------------------------------------------
# putting it together


def official_round_5g(x: float) -> float:
    """TrackEval's summary file prints 5 significant digits (``{:1.5g}``)."""
    return float(f"{x:1.5g}")


def official_round_2(x: float) -> float:
    """The moment-retrieval code rounds percentages to 2 decimals."""
    return float(f"{x:.2f}")


def _evaluate_dataset(gt: Dataset, pred: Dataset | None, protocol: str, source: str | None,
                      notes: list[str]) -> tuple[dict[str, float], dict[str, float], list[QueryRecord]]:
    pairs = _match_queries(gt, pred, source, notes)
    lay = _layout(pairs)
    strict = protocol == "svag-strict"
    pairing = _pairing(lay, strict)
    acc = (_temporal_strict if strict else _temporal_official)(lay, pairing, notes)
    recall, aps = acc.recall(), acc.aps()
    records = _records(gt.name, lay, pairing, acc, recall, aps)
    values = hota_fields(combine_hota(lay.counts))
    values.update(acc.fields(recall.iou, aps))
    values["m-HIoU"] = (values["HOTA"] + values["mIoU"]) / 2
    values["queries"] = float(len(pairs))
    values["scored_queries"] = float(sum(r.scored for r in records))
    official = {k: official_round_5g(values[k]) for k in HOTA_KEYS}
    official.update({k: official_round_2(values[k]) for k in TEMPORAL_KEYS})
    return values, official, records


def evaluate_svag(gt: SvagData, pred: SvagData, *, protocol: str = "svag",
                  datasets: Iterable[str] | None = None) -> EvalResult:
    """Score ``pred`` against ``gt`` under ``protocol`` ("svag" or "svag-strict")."""
    if protocol not in PROTOCOLS:
        raise InputError(f"unknown protocol {protocol!r}; expected one of {PROTOCOLS}")
    matched, notes = match_datasets(gt, pred, datasets)
    per_dataset: dict[str, dict[str, float]] = {}
    official_ds: dict[str, dict[str, float]] = {}
    rows: list[QueryRecord] = []
    for g, p in matched:
        values, off, r = _evaluate_dataset(g, p, protocol, pred.source, notes)
        per_dataset[g.name] = values
        official_ds[g.name] = off
        rows.extend(r)
        if protocol == "svag" and values["scored_queries"] == 0:
            notes.append(f"{g.name}: no query has a prediction matched at IoU 0.5, so the temporal metrics "
                         "are 0 (the official code crashes here)")
    keys = [k for k in next(iter(per_dataset.values()))] if per_dataset else []
    mean = {k: float(np.mean([v[k] for v in per_dataset.values()])) for k in keys}
    result = EvalResult(protocol, mean, per_dataset, rows, notes)
    if protocol == "svag":
        final = {k: round(float(np.mean([o[k] for o in official_ds.values()])), 3) for k in OFFICIAL_KEYS}
        final = {"m-HIoU": round((final["HOTA"] + final["mIoU"]) / 2, 3), **final}
        result.official = {"final": final, "datasets": official_ds}
    return result

