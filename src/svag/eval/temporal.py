"""Moment-retrieval (temporal grounding) metrics: temporal IoU, R1/R5/R10, mIoU and mAP.

Windows are rows ``[start, end]`` or ``[start, end, score]`` read as continuous intervals; a
query's windows are a (K, 2) or (K, 3) array. Every function has two flavours, picked by ``rank``:

``rank="listed"`` (official)
    The SVAGEval protocol (its ``temporal_eval`` code derives from moment_detr / UniVTG /
    FlashVTG), reproduced bit for bit, quirks included:

    * **IoU, two formulas.** The *reported* IoU of R1/R5/R10 (and so mIoU) is
      ``compute_temporal_iou_batch_paired``: ``inter = max(0, min(ends) - max(starts))`` over the
      span union ``max(ends) - min(starts)``, 0 where that union is 0 — :func:`temporal_iou`.
      Window *selection* (which GT window R1 reads, which pair R5/R10 read) and all of mAP use
      ``compute_temporal_iou_batch_cross``: ``inter / (len_a + len_b - inter)`` with no guard, so a
      zero-length window against a zero-length window is 0/0 = NaN. The two unions agree whenever
      the windows overlap (up to an ulp); both IoUs are 0 for disjoint windows of positive length.
    * **R1** reads the *first listed* window (not the best-scored). The GT window is
      ``np.argmax`` of the cross IoUs: the first maximum, but the first NaN if there is one.
    * **R5 / R10**: the cross IoUs of the first 5 / 10 listed windows x all GT windows, NaN set
      to 0, and the pair is the first maximum in ``np.where`` order (prediction-major: the earliest
      listed window, then the earliest GT window). Fewer windows than k: all of them are used.
    * **mIoU** is the mean R1 IoU. R@θ counts ``IoU >= θ``. The 18 thresholds are
      ``float(f"{t:.2f}")`` of ``np.linspace(0.1, 0.95, 18)`` (exactly 0.1, 0.15, ..., 0.95).
    * **mAP** (``compute_average_precision_detection``): the first 10 *listed* windows of each
      prediction are pooled, then sorted by score with Python's stable ``list.sort`` (equal scores
      keep their order, duplicates stay). Each prediction in turn takes the GT window first in
      ``tiou.argsort()[::-1]`` order that is not yet taken at that threshold and has cross IoU
      ``>= θ``: the highest IoU; a NaN IoU sorts first and passes every threshold, so a
      zero-length window "matches" a zero-length GT window. Equal IoUs are tried in the order of
      numpy's default (unstable; x86-simd-sort with AVX-512) ``argsort`` reversed -- with a
      stable sort that is the *last* listed GT window first; we call that same ``argsort`` on
      the same row, so we agree with the official code run with the same numpy and CPU. VOC-2011
      interpolated AP (``interpolated_precision_recall``) per threshold, summed with ``np.sum``
      (we reproduce its pairwise order). A query without predictions has AP 0 at every
      threshold; per-query APs are averaged with ``.mean(0)``, mAP is the mean over thresholds.
    * Values are reported as ``float(f"{100 * x:.2f}")`` -- :func:`official_round`.

``rank="score"`` (corrected)
    Windows are ranked by score, highest first (stable: equal scores keep their listed order; a
    missing/NaN score ranks last). R1 is the best-scored window against its best GT window,
    R5/R10 the best IoU over the 5 / 10 best-scored windows, mAP pools the 10 best-scored
    windows of each prediction. One IoU (:func:`temporal_iou`) everywhere, so a zero-length or
    reversed window scores 0 and never matches; GT ties in mAP go to the first listed GT window.

Where the official code crashes or returns NaN, both flavours return a number: a query without
predicted windows or without GT windows has IoU 0 and AP 0; an empty list of queries gives 0 for
every metric. Nothing is rounded; values are percentages unless ``percent=False``.
"""
from __future__ import annotations

from typing import Literal, NamedTuple, Sequence

import numpy as np

from svag.errors import InputError

Rank = Literal["listed", "score"]
RANKS: tuple[str, ...] = ("listed", "score")
#: The official thresholds, exactly as the official code rounds them.
THRESHOLDS = np.array([float(f"{t:.2f}") for t in np.linspace(0.1, 0.95, 18)])
RECALL_KS: tuple[int, ...] = (1, 5, 10)
MAX_AP_WINDOWS = 10

WindowsLike = object   # (K, 2) / (K, 3) array-like, or None for no windows
#: mAP input of one query: (window arrays of its predicted tracks, window arrays of its GT tracks)
ApItem = tuple[Sequence[WindowsLike], Sequence[WindowsLike]]


def official_round(x: float) -> float:
    """A fraction as the official code reports it: ``float(f"{100 * x:.2f}")`` (percent, 2 decimals,
    round-half-even on the binary value). Use it on values from ``percent=False``."""
    return float(f"{100 * x:.2f}")


def threshold_key(t: float) -> str:
    """Key suffix of a threshold: ``0.5 -> "0.5"``, ``0.15 -> "0.15"``."""
    return f"{t:g}"


# ---------------------------------------------------------------- windows and IoU kernels

def _check_rank(rank: str) -> None:
    if rank not in RANKS:
        raise InputError(f"rank must be one of {', '.join(map(repr, RANKS))}, got {rank!r}")


def _as_windows(windows: WindowsLike) -> np.ndarray:
    """Validated (K, 2) or (K, 3) float64 array [start, end(, score)] (no copy when possible)."""
    if type(windows) is np.ndarray and windows.dtype == np.float64 and windows.ndim == 2 \
            and windows.shape[1] in (2, 3):
        return windows
    if windows is None:
        return np.zeros((0, 3))
    try:
        arr = np.asarray(windows, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"windows must be rows of [start, end] or [start, end, score]: {exc}") from None
    if arr.ndim != 2 or arr.shape[1] not in (2, 3):
        if arr.size == 0:
            return np.zeros((0, 3))
        raise InputError(f"windows must have shape (K, 2) or (K, 3) as [start, end(, score)], "
                         f"got shape {arr.shape}")
    return arr


def _validated(windows: Sequence[WindowsLike], what: str) -> list[np.ndarray]:
    """``_as_windows`` of each entry; an error names the entry (``what`` and its index)."""
    try:
        return [_as_windows(w) for w in windows]
    except InputError:
        for i, w in enumerate(windows):
            try:
                _as_windows(w)
            except InputError as exc:
                raise InputError(f"{what} {i}: {exc.detail}") from None
        raise


def _span_iou(s1: np.ndarray, e1: np.ndarray, s2: np.ndarray, e2: np.ndarray) -> np.ndarray:
    """Official ``compute_temporal_iou_batch_paired`` arithmetic, broadcast: span union, 0 if empty."""
    inter = np.maximum(0.0, np.minimum(e1, e2) - np.maximum(s1, s2))
    union = np.maximum(e1, e2) - np.minimum(s1, s2)
    return np.divide(inter, union, out=np.zeros(inter.shape), where=union > 0)


def _sum_iou(s1: np.ndarray, e1: np.ndarray, s2: np.ndarray, e2: np.ndarray) -> np.ndarray:
    """Official ``compute_temporal_iou_batch_cross`` arithmetic, broadcast (0/0 gives NaN)."""
    inter = np.maximum(np.minimum(e1, e2) - np.maximum(s1, s2), 0.0)
    union = (e1 - s1) + (e2 - s2) - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return inter / union


def temporal_iou(a: WindowsLike, b: WindowsLike) -> np.ndarray:
    """IoU of every window of ``a`` with every window of ``b``, shape (len(a), len(b)).

    ``inter = max(0, min(ends) - max(starts))``, ``union = max(ends) - min(starts)`` -- the
    official (moment_detr) union, equal to ``len_a + len_b - inter`` for overlapping windows; a
    zero-length or reversed window gets 0. In [0, 1], symmetric, shift-invariant."""
    a, b = _validated((a, b), "window set")
    return _span_iou(a[:, None, 0], a[:, None, 1], b[None, :, 0], b[None, :, 1])


def _score_key(score: np.ndarray) -> np.ndarray:
    """Ascending sort key for "highest score first", NaN (no score) last."""
    return np.where(np.isnan(score), np.inf, -score)


class _Padded:
    """Windows of many groups as (G, N) arrays, padded; ``valid`` marks real windows."""

    def __init__(self, flat: np.ndarray, group: np.ndarray, pos: np.ndarray, n_groups: int) -> None:
        width = int(pos.max()) + 1 if len(pos) else 0
        self.start = np.zeros((n_groups, width))
        self.end = np.zeros((n_groups, width))
        self.score = np.full((n_groups, width), np.nan)
        self.valid = np.zeros((n_groups, width), dtype=bool)
        self.start[group, pos], self.end[group, pos], self.score[group, pos] = flat.T
        self.valid[group, pos] = True


def _positions(group: np.ndarray, n_groups: int) -> np.ndarray:
    """Index of each row within its group (rows already ordered by group)."""
    counts = np.bincount(group, minlength=n_groups)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return np.arange(len(group)) - starts[group]


def _flatten(arrays: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate (K, 2|3) arrays into (N, 3) rows (score NaN where absent), with each row's
    array index."""
    lens = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=len(arrays))
    flat = np.full((int(lens.sum()), 3), np.nan)
    if len(flat):
        flat[:, :2] = np.concatenate([a[:, :2] for a in arrays])
        scored = [a[:, 2] for a in arrays if a.shape[1] == 3]
        if len(scored) == len(arrays):
            flat[:, 2] = np.concatenate(scored)
        elif scored:
            has = np.repeat([a.shape[1] == 3 for a in arrays], lens)
            flat[has, 2] = np.concatenate(scored)
    return flat, np.repeat(np.arange(len(arrays)), lens)


def _rank_rows(flat: np.ndarray, group: np.ndarray, n_groups: int, rank: str,
               limit: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Order rows within each group as ``rank`` reads them and keep the first ``limit``."""
    if rank == "score" and len(flat):
        order = np.lexsort((np.arange(len(flat)), _score_key(flat[:, 2]), group))
        flat, group = flat[order], group[order]
    pos = _positions(group, n_groups)
    if limit is not None:
        keep = pos < limit
        flat, group, pos = flat[keep], group[keep], pos[keep]
    return flat, group, pos


def _pad(arrays: Sequence[np.ndarray], rank: str, limit: int | None) -> _Padded:
    flat, group = _flatten(arrays)
    return _Padded(*_rank_rows(flat, group, len(arrays), rank, limit), len(arrays))


# ---------------------------------------------------------------- R1 / Rk

class RecallDetail(NamedTuple):
    """Per query and k: the IoU that R@k reads and the two windows it compared.

    ``iou`` has shape (Q, len(ks)); ``pred_window`` and ``gt_window`` (Q, len(ks), 2) hold
    ``[start, end]`` as compared, NaN where the query has no window on that side."""

    iou: np.ndarray
    pred_window: np.ndarray
    gt_window: np.ndarray


def _recall_column(p: _Padded, g: _Padded, k: int, rank: str
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """IoU that R@k reads for each query (p holds each query's windows in rank order), and the
    predicted and ground-truth windows it compared ((Q, 2) each, NaN where none)."""
    n_q = p.valid.shape[0]
    kk = min(k, p.valid.shape[1])
    out = np.zeros(n_q)
    pw, gw = np.full((n_q, 2), np.nan), np.full((n_q, 2), np.nan)
    if kk == 0 or g.valid.shape[1] == 0:
        return out, pw, gw
    ps, pe = p.start[:, :kk, None], p.end[:, :kk, None]
    gs, ge = g.start[:, None, :], g.end[:, None, :]
    pair_ok = p.valid[:, :kk, None] & g.valid[:, None, :]
    has = pair_ok.any(axis=(1, 2))
    q = np.arange(n_q)
    if rank == "score":
        ious = np.where(pair_ok, _span_iou(ps, pe, gs, ge), -1.0)
        i, j = np.divmod(np.argmax(ious.reshape(n_q, -1), axis=1), ious.shape[2])
    else:
        sel = _sum_iou(ps, pe, gs, ge)
        if k == 1:      # compute_mr_r1: np.argmax over GT windows (first NaN wins, else first max)
            i = np.zeros(n_q, dtype=np.int64)
            j = np.argmax(np.where(pair_ok[:, 0], sel[:, 0], -np.inf), axis=1)
        else:           # compute_mr_r5/r10: NaN -> 0, first max in np.where (row-major) order
            sel = np.where(pair_ok, np.where(np.isnan(sel), 0.0, sel), -np.inf)
            i, j = np.divmod(np.argmax(sel.reshape(n_q, -1), axis=1), sel.shape[2])
    val = _span_iou(p.start[q, i], p.end[q, i], g.start[q, j], g.end[q, j])
    out[has] = val[has]
    pw[has] = np.column_stack([p.start[q, i], p.end[q, i]])[has]
    gw[has] = np.column_stack([g.start[q, j], g.end[q, j]])[has]
    return out, pw, gw


def _check_ks(ks: Sequence[int]) -> list[int]:
    out = [int(k) for k in ks]
    if any(k < 1 for k in out):
        raise InputError(f"every k must be >= 1, got {list(ks)}")
    return out


def _recall_arrays(preds: Sequence[np.ndarray], gts: Sequence[np.ndarray], ks: list[int],
                   rank: str) -> RecallDetail:
    p = _pad(preds, rank, max(ks, default=1))
    g = _pad(gts, "listed", None)
    out = RecallDetail(np.zeros((len(preds), len(ks))), np.full((len(preds), len(ks), 2), np.nan),
                       np.full((len(preds), len(ks), 2), np.nan))
    for c, k in enumerate(ks):
        out.iou[:, c], out.pred_window[:, c], out.gt_window[:, c] = _recall_column(p, g, k, rank)
    return out


def recall_ious(items: Sequence[tuple[WindowsLike, WindowsLike]], ks: Sequence[int] = RECALL_KS,
                rank: Rank = "listed") -> np.ndarray:
    """Per query, the IoU that R@k reads for each k, shape (len(items), len(ks)).

    ``items`` holds one ``(pred_windows, gt_windows)`` per query. ``k = 1`` is R1 (and mIoU)."""
    return recall_detail(items, ks, rank).iou


def recall_detail(items: Sequence[tuple[WindowsLike, WindowsLike]], ks: Sequence[int] = RECALL_KS,
                  rank: Rank = "listed") -> RecallDetail:
    """:func:`recall_ious` with the windows each R@k compared (:class:`RecallDetail`)."""
    _check_rank(rank)
    preds = _validated([it[0] for it in items], "prediction windows of query")
    gts = _validated([it[1] for it in items], "ground-truth windows of query")
    return _recall_arrays(preds, gts, _check_ks(ks), rank)


def r1_iou(pred_windows: WindowsLike, gt_windows: WindowsLike, rank: Rank = "listed") -> float:
    """IoU of the first (``listed``) or best-scored (``score``) window with its best GT window."""
    return float(recall_ious([(pred_windows, gt_windows)], (1,), rank)[0, 0])


def rk_best_iou(pred_windows: WindowsLike, gt_windows: WindowsLike, k: int,
                rank: Rank = "listed") -> float:
    """Best IoU over the first k listed (or k best-scored) windows x all GT windows.

    With ``rank="listed"`` and ``k > 1`` the pair is chosen as the official R5/R10 choose it."""
    return float(recall_ious([(pred_windows, gt_windows)], (k,), rank)[0, 0])


# ---------------------------------------------------------------- AP

def _gather_ap(preds: Sequence[np.ndarray], pred_query: np.ndarray, gts: Sequence[np.ndarray],
               gt_query: np.ndarray, n_q: int, rank: str, max_windows: int | None) -> tuple[_Padded, _Padded]:
    """Pool each query's predictions (first/best ``max_windows`` of each), sorted by score
    (stable), and its GT windows. ``*_query``: the query of each array (non-decreasing)."""
    flat, member = _flatten(preds)
    flat, member, _ = _rank_rows(flat, member, len(preds), rank, max_windows)
    query = pred_query[member]
    # stable sort by score within each query (list.sort(key=-score) in the official code)
    flat, query, pos = _rank_rows(flat, query, n_q, "score", None)
    gflat, gmember = _flatten(gts)
    gquery = gt_query[gmember]
    return _Padded(flat, query, pos, n_q), _Padded(gflat, gquery, _positions(gquery, n_q), n_q)


def _ap_arrays(ap_items: Sequence[ApItem]
               ) -> tuple[list[np.ndarray], np.ndarray, list[np.ndarray], np.ndarray]:
    """Validated window arrays of ``ap_items`` and the query of each."""
    if any(isinstance(pl, np.ndarray) or isinstance(gl, np.ndarray) for pl, gl in ap_items):
        raise InputError("each ap_items entry must be (list of prediction window arrays, "
                         "list of ground-truth window arrays), one array per track")
    preds = _validated([w for pl, _ in ap_items for w in pl], "prediction window array")
    gts = _validated([w for _, gl in ap_items for w in gl], "ground-truth window array")
    q = np.arange(len(ap_items))
    pred_query = np.repeat(q, [len(pl) for pl, _ in ap_items])
    gt_query = np.repeat(q, [len(gl) for _, gl in ap_items])
    return preds, pred_query, gts, gt_query


def _running(op: np.ufunc, x: np.ndarray) -> np.ndarray:
    """``op.accumulate(x, axis=0)``, one vectorised step per leading index (left to right)."""
    out = np.empty_like(x)
    if len(x):
        out[0] = x[0]
    for i in range(1, len(x)):
        op(out[i - 1], x[i], out=out[i])
    return out


def _official_sum(ap: np.ndarray, terms: np.ndarray, tp: np.ndarray, recall_last: np.ndarray) -> None:
    """Redo, in place, the rows whose official ``np.sum`` does not add left to right.

    The official AP is ``np.sum`` of one term per recall change: each TP, plus
    ``(1 - recall) * 0`` at the end when recall < 1. numpy adds fewer than 8 numbers left to
    right (as our cumulative sum does, zero terms being exact); from 8 on it uses 8 partial
    sums, so those (rare) rows are summed again on exactly the array the official code builds."""
    counts = tp.sum(axis=0) + (recall_last != 1.0)
    for q, t in zip(*np.nonzero(counts >= 8)):
        row = terms[:, q, t][tp[:, q, t]]
        if recall_last[q, t] != 1.0:
            row = np.append(row, 0.0)
        ap[q, t] = np.sum(row)


def _official_tie_order(pref: np.ndarray, iou: np.ndarray, key: np.ndarray, nan: np.ndarray,
                        pair_ok: np.ndarray, n_gt: np.ndarray, thresholds: np.ndarray) -> None:
    """Where a prediction has equal IoUs with GT windows it could match, order them as the
    official ``tiou_arr.argsort()[::-1]`` does, in place.

    numpy's default argsort is not stable (with AVX-512 it is x86-simd-sort), so its order of
    ties depends on the numpy build and the CPU; calling it on exactly the official array (the
    unpadded cross-IoU row, NaN included) agrees with the official code run on this machine."""
    if not len(thresholds):
        return
    matchable = pair_ok & ((iou >= thresholds.min()) | nan)
    ranked = np.sort(np.where(matchable, key, -np.inf), axis=-1)
    tied = ((ranked[..., 1:] == ranked[..., :-1]) & (ranked[..., 1:] > -np.inf)).any(axis=-1)
    for i, q in zip(*np.nonzero(tied)):
        n = int(n_gt[q])
        official = np.argsort(iou[i, q, :n])[::-1]
        pref[i, q, official] = np.arange(n - 1, -1, -1)


def _ap_padded(p: _Padded, g: _Padded, thresholds: np.ndarray, rank: str) -> np.ndarray:
    """(Q, T) AP of score-sorted padded predictions against padded GT windows.

    Arrays are prediction-major, (P, Q, T[, M]), so that the greedy pass over predictions and
    the cumulative sums work on contiguous blocks."""
    n_q, n_p = p.valid.shape
    n_g = g.valid.shape[1]
    n_t = len(thresholds)
    if n_p == 0 or n_g == 0:
        return np.zeros((n_q, n_t))
    pv = p.valid.T                                                      # (P, Q)
    args = (p.start.T[:, :, None], p.end.T[:, :, None], g.start[None], g.end[None])
    if rank == "listed":
        iou = _sum_iou(*args)                                           # (P, Q, M)
        nan = np.isnan(iou)
        key = np.where(nan, np.inf, iou)
    else:
        iou = _span_iou(*args)
        nan = np.zeros(iou.shape, dtype=bool)
        key = iou
    pair_ok = pv[:, :, None] & g.valid[None]
    key = np.where(pair_ok, key, -np.inf)
    with np.errstate(invalid="ignore"):
        elig = (iou[:, :, None, :] >= thresholds[None, None, :, None]) | nan[:, :, None, :]
    elig &= pair_ok[:, :, None, :]                                      # (P, Q, T, M)
    # preference of each GT window for each prediction (higher = tried first)
    if rank == "listed":    # tiou.argsort()[::-1]: descending, ties to the later GT window
        order = np.argsort(key, axis=-1, kind="stable")
        ranks = np.arange(n_g)
    else:                   # descending, ties to the earlier GT window
        order = np.argsort(-key, axis=-1, kind="stable")
        ranks = np.arange(n_g - 1, -1, -1)
    pref = np.empty_like(order)
    np.put_along_axis(pref, order, np.broadcast_to(ranks, order.shape), axis=-1)
    if rank == "listed":
        _official_tie_order(pref, iou, key, nan, pair_ok, g.valid.sum(axis=1), thresholds)
    locked = np.zeros((n_q, n_t, n_g), dtype=bool)
    tp = np.zeros((n_p, n_q, n_t), dtype=bool)
    qq, tt = np.arange(n_q)[:, None], np.arange(n_t)[None, :]
    for i in range(n_p):
        choice = np.where(elig[i] & ~locked, pref[i][:, None, :], -1)
        j = np.argmax(choice, axis=-1)
        hit = np.take_along_axis(choice, j[..., None], axis=-1)[..., 0] >= 0
        tp[i] = hit
        locked[qq, tt, j] |= hit
    # VOC-2011 interpolated AP. Loops run over the (short) prediction axis: numpy's accumulate
    # along a leading axis is slow, and a left-to-right sum is what the official np.sum does.
    tp_cum = _running(np.add, tp.astype(np.float64))
    seen = np.minimum(np.arange(1, n_p + 1, dtype=np.float64)[:, None], pv.sum(axis=0))[:, :, None]
    n_pos = g.valid.sum(axis=1).astype(np.float64)[None, :, None]
    recall = np.divide(tp_cum, n_pos, out=np.zeros_like(tp_cum), where=n_pos > 0)
    precision = np.divide(tp_cum, seen, out=np.zeros_like(tp_cum), where=seen > 0)
    envelope = _running(np.maximum, precision[::-1])[::-1]
    step = np.empty_like(recall)
    step[0] = recall[0]
    np.subtract(recall[1:], recall[:-1], out=step[1:])
    terms = step * envelope
    ap = _running(np.add, terms)[-1]
    _official_sum(ap, terms, tp, recall[-1])
    ap[g.valid.sum(axis=1) == 0] = 0.0
    return ap


def average_precisions(ap_items: Sequence[ApItem],
                       thresholds: Sequence[float] = THRESHOLDS, rank: Rank = "listed",
                       max_windows: int | None = MAX_AP_WINDOWS) -> np.ndarray:
    """Per-query AP at each threshold, shape (len(ap_items), len(thresholds)).

    Each item is ``(pred_window_lists, gt_window_lists)``: *lists* of window arrays, one per
    predicted track (its first -- or, ``rank="score"``, best-scored -- ``max_windows`` windows are
    pooled; a track listed twice is pooled twice, as in the official code) and one per GT track
    (all windows pooled)."""
    _check_rank(rank)
    thr = np.asarray(thresholds, dtype=np.float64).reshape(-1)
    preds, pred_query, gts, gt_query = _ap_arrays(ap_items)
    return _ap(preds, pred_query, gts, gt_query, len(ap_items), thr, rank, max_windows)


def _ap(preds: Sequence[np.ndarray], pred_query: np.ndarray, gts: Sequence[np.ndarray], gt_query: np.ndarray,
        n_q: int, thr: np.ndarray, rank: str, max_windows: int | None) -> np.ndarray:
    p, g = _gather_ap(preds, pred_query, gts, gt_query, n_q, rank, max_windows)
    if n_q <= 64:
        return _ap_padded(p, g, thr, rank)
    return _ap_bucketed(p, g, thr, rank)


def _ap_bucketed(p: _Padded, g: _Padded, thr: np.ndarray, rank: str) -> np.ndarray:
    """_ap_padded on groups of queries of similar size, so one long query pads nothing else."""
    n_p, n_g = p.valid.sum(axis=1), g.valid.sum(axis=1)
    size = _octave(n_p) * 64 + _octave(n_g)
    out = np.zeros((len(n_p), len(thr)))
    for s in np.unique(size):
        sel = np.flatnonzero(size == s)
        wp, wg = max(int(n_p[sel].max()), 0), max(int(n_g[sel].max()), 0)
        out[sel] = _ap_padded(_subset(p, sel, wp), _subset(g, sel, wg), thr, rank)
    return out


def _octave(n: np.ndarray) -> np.ndarray:
    return np.ceil(np.log2(np.maximum(n, 1))).astype(int)


def _subset(p: _Padded, rows: np.ndarray, width: int) -> _Padded:
    sub = object.__new__(_Padded)
    for name in ("start", "end", "score", "valid"):
        setattr(sub, name, getattr(p, name)[rows, :width])
    return sub


def average_precision_detection(pred_windows: WindowsLike, gt_windows: WindowsLike,
                                thresholds: Sequence[float] = THRESHOLDS, rank: Rank = "listed",
                                max_windows: int | None = None) -> np.ndarray:
    """AP of one query's scored windows against its GT windows at each threshold, shape (T,).

    moment_detr's ``compute_average_precision_detection`` (with ``rank="listed"``): windows
    sorted by score (stable), greedy matching, VOC-2011 interpolated AP. ``max_windows`` keeps
    the first (``listed``) or best-scored (``score``) windows before sorting; None keeps all."""
    return average_precisions([([pred_windows], [gt_windows])], thresholds, rank, max_windows)[0]


# ---------------------------------------------------------------- aggregate

def moment_retrieval_metrics(items: Sequence[tuple[WindowsLike, WindowsLike]], *, rank: Rank = "listed",
                             ap_items: Sequence[ApItem] | None = None,
                             thresholds: Sequence[float] = THRESHOLDS, ks: Sequence[int] = RECALL_KS,
                             max_ap_windows: int | None = MAX_AP_WINDOWS,
                             percent: bool = True) -> dict[str, float]:
    """mIoU, R{k}@θ, mAP and mAP@θ over queries, unrounded (percent unless ``percent=False``).

    ``items``: one ``(pred_windows, gt_windows)`` per query, read by mIoU and R@k (the official
    protocol passes the query's last paired prediction and last GT track). ``ap_items``: the
    same queries for mAP as ``(pred_window_lists, gt_window_lists)`` (see
    :func:`average_precisions`); by default each item's windows. Keys: ``"mIoU"`` (the mean R1
    IoU; only when 1 is in ``ks``), ``"R1@0.5"``, ``"R5@0.15"``, ..., ``"mAP"``, ``"mAP@0.5"``.
    For the official display, call with ``percent=False`` and apply :func:`official_round`."""
    _check_rank(rank)
    thr = np.asarray(thresholds, dtype=np.float64).reshape(-1)
    scale = 100.0 if percent else 1.0
    n = len(items)
    if ap_items is not None and len(ap_items) != n:
        raise InputError(f"ap_items must describe the same {n} queries as items, got {len(ap_items)}")
    ks = _check_ks(ks)
    preds = _validated([it[0] for it in items], "prediction windows of query")
    gts = _validated([it[1] for it in items], "ground-truth windows of query")
    ious = _recall_arrays(preds, gts, ks, rank).iou
    if ap_items is None:
        q = np.arange(n)
        aps = _ap(preds, q, gts, q, n, thr, rank, max_ap_windows)
    else:
        aps = _ap(*_ap_arrays(ap_items), n, thr, rank, max_ap_windows)
    out: dict[str, float] = {}
    for c, k in enumerate(ks):
        col = np.ascontiguousarray(ious[:, c])
        if k == 1 and "mIoU" not in out:
            out["mIoU"] = float(np.mean(col) * scale) if n else 0.0
        for t in thr:
            out[f"R{k}@{threshold_key(t)}"] = float(np.mean(col >= t) * scale) if n else 0.0
    per_thr = aps.mean(0) if n else np.zeros(len(thr))
    out["mAP"] = float(scale * np.mean(per_thr)) if n else 0.0
    for t, v in zip(thr, per_thr):
        out[f"mAP@{threshold_key(t)}"] = float(scale * v)
    return out
