"""Moment-retrieval metrics: hand-computed cases, an oracle of the official code, and parity with
the recorded output of the official SVAGEval run (../shared/data/svageval-parity)."""
from __future__ import annotations

import gzip
import json
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svag.errors import InputError
from svag.eval.temporal import (THRESHOLDS, average_precision_detection, average_precisions,
                                moment_retrieval_metrics, official_round, r1_iou, recall_detail, recall_ious,
                                rk_best_iou, temporal_iou, threshold_key)

# ---------------------------------------------------------------- oracle of the official code
# A plain loop transcription of what SVAGEval's temporal_eval (moment_detr utils) does, used only
# to fuzz the vectorised implementation.


def _cross(a, b):
    a, b = np.asarray(a, float).reshape(-1, 3)[:, :2], np.asarray(b, float).reshape(-1, 2)
    right, left = np.minimum(a[:, None, 1], b[None, :, 1]), np.maximum(a[:, None, 0], b[None, :, 0])
    inter = np.clip(right - left, 0, None)
    union = (a[:, 1] - a[:, 0])[:, None] + (b[:, 1] - b[:, 0])[None, :] - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return inter / union


def _paired(a, b):
    inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union != 0 else 0.0


def oracle_r1(pred, gts):
    j = int(np.argmax(_cross([pred[0]], gts)[0]))
    return _paired(pred[0], gts[j])


def oracle_rk(pred, gts, k):
    m = _cross(pred[:k], gts)
    m[np.isnan(m)] = 0
    i, j = np.where(m == np.max(m))
    return _paired(pred[i[0]], gts[j[0]])


def _voc(prec, rec):
    mp, mr = np.hstack([[0], prec, [0]]), np.hstack([[0], rec, [1]])
    for i in range(len(mp) - 1)[::-1]:
        mp[i] = max(mp[i], mp[i + 1])
    idx = np.where(mr[1::] != mr[0:-1])[0] + 1
    return np.sum((mr[idx] - mr[idx - 1]) * mp[idx])


def oracle_ap(preds, gts, thr=THRESHOLDS):
    ap = np.zeros(len(thr))
    if not preds:
        return ap
    preds = sorted(preds, key=lambda w: -w[2])
    lock = np.full((len(thr), len(gts)), -1)
    tp, fp = np.zeros((len(thr), len(preds))), np.zeros((len(thr), len(preds)))
    for i, p in enumerate(preds):
        ious = _cross([p], gts)[0]
        order = ious.argsort()[::-1]
        for t, th in enumerate(thr):
            for j in order:
                if ious[j] < th:
                    fp[t, i] = 1
                    break
                if lock[t, j] >= 0:
                    continue
                tp[t, i], lock[t, j] = 1, i
                break
            if fp[t, i] == 0 and tp[t, i] == 0:
                fp[t, i] = 1
    tpc, fpc = np.cumsum(tp, axis=1), np.cumsum(fp, axis=1)
    rec, prec = tpc / float(len(gts)), tpc / (tpc + fpc)
    return np.array([_voc(prec[t], rec[t]) for t in range(len(thr))])


# ---------------------------------------------------------------- temporal_iou

@pytest.mark.parametrize("a, b, expected", [
    # official GT [2, 10] (1-based) -> [1, 10]; pred [0, 5, 0.9]: inter min(5,10)-max(0,1) = 4,
    # union max(5,10)-min(0,1) = 10 -> 0.4
    ([0, 5, 0.9], [1, 10], 0.4),
    ([1, 10], [0, 5, 0.9], 0.4),                 # symmetric
    ([0, 2], [5, 9], 0.0),                       # disjoint
    ([0, 5], [5, 10], 0.0),                      # touching: inter 0
    ([3, 3], [0, 10], 0.0),                      # zero-length window
    ([3, 3], [3, 3], 0.0),                       # both zero-length: union 0 -> 0 (not NaN)
    ([4, 20], [4, 20], 1.0),
    ([5, 20], [4, 20], 15 / 16),                 # 1-based pred vs shifted GT: (e-s)/(e-s+1)
    ([-10, 35], [0, 30], 30 / 45),               # nothing clipped (edge case E17)
    ([0, 30.75], [0, 30], 30 / 30.75),           # float bounds (E18)
])
def test_temporal_iou_by_hand(a, b, expected):
    assert temporal_iou([a], [b])[0, 0] == pytest.approx(expected, abs=1e-15)


def test_temporal_iou_shape_and_matrix():
    # rows: [0,10] vs [0,5] = 5/10, vs [5,20] = 5/20; [2,4] vs [0,5] = 2/5, vs [5,20] = 0
    m = temporal_iou([[0, 10, 0.3], [2, 4, 0.1]], [[0, 5], [5, 20], [30, 31]])
    assert m.shape == (2, 3)
    np.testing.assert_allclose(m, [[0.5, 0.25, 0], [0.4, 0, 0]])
    assert temporal_iou([], [[0, 1]]).shape == (0, 1)


def test_bad_windows_raise():
    with pytest.raises(InputError, match="shape"):
        temporal_iou([[0, 1, 2, 3]], [[0, 1]])
    with pytest.raises(InputError, match="query 1"):
        recall_ious([([[0, 1, 1]], [[0, 1]]), ([[0, 1, 2, 3]], [[0, 1]])])
    with pytest.raises(InputError, match="rank"):
        r1_iou([[0, 1, 1]], [[0, 1]], rank="best")
    with pytest.raises(InputError, match="list of prediction window arrays"):
        average_precisions([(np.array([[0, 1, 1.0]]), [np.array([[0, 1.0]])])])


# widths 0 or >= 0.01: a shift must not round a tiny window to zero length
widths = st.one_of(st.just(0.0), st.floats(0.01, 1e3))
windows = st.lists(st.tuples(st.floats(-1e3, 1e3), widths), min_size=1, max_size=6).map(
    lambda rows: np.array([[s, s + w] for s, w in rows]))


@settings(max_examples=60, deadline=None)
@given(windows, windows, st.integers(-500, 500))
def test_iou_symmetric_bounded_shift_invariant(a, b, shift):
    m = temporal_iou(a, b)
    np.testing.assert_array_equal(m, temporal_iou(b, a).T)
    assert np.all((m >= 0) & (m <= 1))
    np.testing.assert_allclose(temporal_iou(a + shift, b + shift), m, atol=1e-9)


# ---------------------------------------------------------------- R1 / R5 / R10

def test_r1_listed_vs_score_ranking():
    pred = [[0, 4, 0.2], [10, 20, 0.9]]      # listed out of score order
    gt = [[10, 20]]
    assert r1_iou(pred, gt) == 0.0           # official: FIRST listed window [0,4]: disjoint
    assert r1_iou(pred, gt, rank="score") == 1.0   # corrected: best score [10,20]


def test_r1_reads_best_gt_window_and_ties():
    # pred [0,10] vs GT [20,30]: 0; [0,8]: 8/10; [2,10]: 8/10 (tie: first, same value)
    assert r1_iou([[0, 10, 1]], [[20, 30], [0, 8], [2, 10]]) == pytest.approx(0.8)
    # E12: pred [13,26] vs GT windows [0,5], [14,25], [40,50] -> [14,25]: 11/13
    assert r1_iou([[13, 26, 0.5]], [[0, 5], [14, 25], [40, 50]]) == pytest.approx(11 / 13)


def test_score_ties_keep_listed_order():
    pred = [[0, 4, 0.5], [10, 20, 0.5]]      # equal scores: stable -> [0,4] stays first
    assert r1_iou(pred, [[10, 20]], rank="score") == 0.0
    assert rk_best_iou(pred, [[10, 20]], 1, rank="score") == 0.0
    assert rk_best_iou(pred, [[10, 20]], 2, rank="score") == 1.0


def test_rk_fewer_windows_than_k():
    # 2 windows for R5: [0,2] vs [10,19] = 0; [10,20] vs [10,19]: inter 9, union 10 -> 0.9
    pred = [[0, 2, 0.9], [10, 20, 0.1]]
    assert rk_best_iou(pred, [[10, 19]], 5) == pytest.approx(0.9)
    assert rk_best_iou(pred, [[10, 19]], 10) == pytest.approx(0.9)


def test_rk_cut_at_k_listed_and_by_score():
    # E11-like: 7 windows; only the 6th listed (highest score) is perfect; the 3rd has IoU 0.6
    gt = [[10, 20]]
    pred = [[50, 60, 0.1], [60, 70, 0.2], [10, 16, 0.3], [70, 80, 0.1], [80, 90, 0.1],
            [10, 20, 0.99], [90, 95, 0.1]]
    assert r1_iou(pred, gt) == 0.0
    assert rk_best_iou(pred, gt, 5) == pytest.approx(0.6)        # [10,16]: 6/10
    assert rk_best_iou(pred, gt, 10) == 1.0
    assert r1_iou(pred, gt, rank="score") == 1.0                  # best score first
    assert rk_best_iou(pred, gt, 5, rank="score") == 1.0


def test_zero_length_windows_in_recall():
    # E10: the first listed windows have start == end -> R1 IoU 0; R5 finds [10,30] -> 1
    pred = [[10, 10, 0.9], [20, 20, 0.8], [10, 30, 0.7]]
    assert r1_iou(pred, [[10, 30]]) == 0.0
    assert rk_best_iou(pred, [[10, 30]], 5) == 1.0
    # zero-length prediction vs zero-length GT: cross IoU is NaN in the official selection, the
    # reported (span) IoU is 0
    assert r1_iou([[5, 5, 1]], [[5, 5], [0, 10]]) == 0.0
    assert rk_best_iou([[5, 5, 1]], [[5, 5], [0, 10]], 5) == 0.0


def test_no_windows_give_zero():
    assert r1_iou([], [[0, 10]]) == 0.0
    assert r1_iou([[0, 10, 1]], []) == 0.0
    assert rk_best_iou(None, [[0, 10]], 5, rank="score") == 0.0
    np.testing.assert_array_equal(recall_ious([]), np.zeros((0, 3)))


def test_rk_tie_resolved_in_np_where_order():
    # E26: GT windows unsorted; window 0 matches GT 1 exactly, window 1 matches GT 0 exactly:
    # np.where order takes (window 0, GT 1); both IoU 1
    gt = [[20, 30], [0, 10]]
    assert rk_best_iou([[0, 10, 0.5], [20, 30, 0.4]], gt, 5) == 1.0


# ---------------------------------------------------------------- AP

def test_ap_known_ranking():
    # GT [0,10], [20,30]; sorted preds: [0,10] TP, [40,50] FP, [20,28] IoU 8/10 = 0.8
    # θ <= 0.8 (15 thresholds): TP FP TP -> precision 1, 1/2, 2/3; recall 1/2, 1/2, 1
    #   envelope 1, 2/3, 2/3 -> AP = 1/2 * 1 + 1/2 * 2/3 = 5/6
    # θ > 0.8 (0.85, 0.9, 0.95): TP FP FP -> recall 1/2 only -> AP = 1/2 * 1 = 1/2
    ap = average_precision_detection([[0, 10, 0.9], [40, 50, 0.8], [20, 28, 0.7]], [[0, 10], [20, 30]])
    expected = np.where(THRESHOLDS <= 0.8, 5 / 6, 0.5)
    np.testing.assert_allclose(ap, expected, rtol=1e-15)
    assert THRESHOLDS.tolist()[:3] == [0.1, 0.15, 0.2] and len(THRESHOLDS) == 18


def test_ap_sorts_listed_windows_by_score():
    # listed FP first but with the lower score: sorted -> TP, FP: precision 1, 1/2; recall 1, 1 -> 1
    ap = average_precision_detection([[50, 60, 0.1], [0, 10, 0.9]], [[0, 10]])
    np.testing.assert_array_equal(ap, np.ones(18))


def test_ap_equal_scores_stable():
    # equal scores keep the listed order: FP then TP -> precision 0, 1/2; recall 0, 1 -> 1 * 1/2
    for rank in ("listed", "score"):
        ap = average_precision_detection([[50, 60, 0.5], [0, 10, 0.5]], [[0, 10]], rank=rank)
        np.testing.assert_array_equal(ap, np.full(18, 0.5))


def test_ap_duplicate_prediction_windows():
    # [0,10] twice: the copy cannot take the GT window already taken -> TP, FP, TP
    # precision 1, 1/2, 2/3; recall 1/2, 1/2, 1 -> 1/2 + 1/2 * 2/3 = 5/6
    gts = [[0, 10], [20, 30]]
    ap = average_precision_detection([[0, 10, 0.9], [0, 10, 0.8], [20, 30, 0.7]], gts)
    np.testing.assert_allclose(ap, np.full(18, 5 / 6), rtol=1e-15)
    # the same through a prediction listed twice in ap_items (official "duplicates included")
    one = np.array([[0, 10, 0.9]])
    preds = [one, one, np.array([[20, 30, 0.7]])]
    ap2 = average_precisions([(preds, [np.array([[0, 10]]), np.array([[20, 30]])])])[0]
    np.testing.assert_allclose(ap2, np.full(18, 5 / 6), rtol=1e-15)


def test_ap_iou_ties_between_gt_windows():
    # pred A [5,15] has IoU 5/15 with both GT [0,10] and [10,20]; pred B [0,10] matches [0,10].
    # θ <= 1/3 (0.1 ... 0.3, 5 thresholds):
    #   corrected (first GT on ties): A takes [0,10], B finds nothing -> TP FP, recall 1/2 -> AP 1/2
    #   official (argsort()[::-1], stable numpy: later GT first): A takes [10,20], B [0,10] -> AP 1
    # θ > 1/3: A FP, B TP -> precision 0, 1/2; recall 0, 1/2 -> AP 1/4
    preds, gts = [[5, 15, 0.9], [0, 10, 0.8]], [[0, 10], [10, 20]]
    low = THRESHOLDS < 1 / 3
    strict = average_precision_detection(preds, gts, rank="score")
    np.testing.assert_array_equal(strict, np.where(low, 0.5, 0.25))
    official = average_precision_detection(preds, gts)
    np.testing.assert_array_equal(official, oracle_ap(preds, gts))
    later_first = np.argsort(np.array([1 / 3, 1 / 3]))[::-1][0] == 1
    np.testing.assert_array_equal(official, np.where(low, 1.0 if later_first else 0.5, 0.25))


def test_ap_zero_length_quirk():
    # official: zero-length pred vs zero-length GT -> cross IoU 0/0 = NaN, which sorts first and
    # passes every threshold -> TP -> AP 1; corrected: IoU 0 -> AP 0
    np.testing.assert_array_equal(average_precision_detection([[5, 5, 0.9]], [[5, 5]]), np.ones(18))
    strict = average_precision_detection([[5, 5, 0.9]], [[5, 5]], rank="score")
    np.testing.assert_array_equal(strict, np.zeros(18))


def test_ap_no_gt_or_no_pred():
    np.testing.assert_array_equal(average_precision_detection([[0, 1, 1]], []), np.zeros(18))
    np.testing.assert_array_equal(average_precision_detection([], [[0, 1]]), np.zeros(18))


def test_ap_max_windows_listed_vs_score():
    # 3 windows, keep 2: listed keeps the first two (both miss); score keeps the two best (one hits)
    pred = [[50, 60, 0.1], [60, 70, 0.2], [0, 10, 0.9]]
    np.testing.assert_array_equal(average_precision_detection(pred, [[0, 10]], max_windows=2), np.zeros(18))
    np.testing.assert_array_equal(average_precision_detection(pred, [[0, 10]], rank="score", max_windows=2),
                                  np.ones(18))


scored = st.lists(st.tuples(st.integers(0, 12), st.integers(0, 6), st.sampled_from([0.1, 0.5, 0.9])),
                  min_size=0, max_size=12).map(
    lambda r: np.array([[s, s + w, c] for s, w, c in r]).reshape(-1, 3))
gt_w = st.lists(st.tuples(st.integers(0, 12), st.integers(0, 6)), min_size=1, max_size=5).map(
    lambda r: np.array([[s, s + w] for s, w in r], dtype=float))


@settings(max_examples=150, deadline=None)
@given(scored, gt_w)
def test_matches_official_oracle(pred, gts):
    """Small integer windows: many ties in IoU and score, duplicates and zero-length windows."""
    np.testing.assert_array_equal(average_precision_detection(pred, gts), oracle_ap(list(pred), gts))
    if len(pred):
        assert r1_iou(pred, gts) == oracle_r1(pred, gts)
        assert rk_best_iou(pred, gts, 5) == oracle_rk(pred, gts, 5)
        assert rk_best_iou(pred, gts, 10) == oracle_rk(pred, gts, 10)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(scored, gt_w), min_size=1, max_size=8), st.sampled_from(["listed", "score"]))
def test_batch_equals_single_and_bounded(queries, rank):
    aps = average_precisions([([p], [g]) for p, g in queries], rank=rank, max_windows=None)
    assert np.all((aps >= 0) & (aps <= 1))
    for row, (p, g) in zip(aps, queries):
        np.testing.assert_array_equal(row, average_precision_detection(p, g, rank=rank))


@settings(max_examples=40, deadline=None)
@given(scored, gt_w, st.integers(-50, 50), st.sampled_from(["listed", "score"]))
def test_shift_changes_nothing(pred, gts, shift, rank):
    moved = pred.copy()
    moved[:, :2] += shift
    np.testing.assert_allclose(average_precision_detection(moved, gts + shift, rank=rank),
                               average_precision_detection(pred, gts, rank=rank))
    a = recall_ious([(pred, gts)], rank=rank)
    np.testing.assert_allclose(recall_ious([(moved, gts + shift)], rank=rank), a)


def test_many_gt_windows_use_numpy_pairwise_sum():
    # >= 8 TPs: the official np.sum adds with 8 partial sums; the result must be bit-identical
    rng = np.random.default_rng(3)
    gts = np.sort(rng.uniform(0, 100, (12, 2)), axis=1)
    pred = np.column_stack([gts + rng.normal(0, 1, gts.shape), rng.random(12)])
    pred = np.vstack([pred, np.column_stack([gts[:5] + 3, rng.random(5)])])
    np.testing.assert_array_equal(average_precision_detection(pred, gts), oracle_ap(list(pred), gts))


# ---------------------------------------------------------------- aggregate

def test_moment_retrieval_metrics_by_hand():
    # q1: R1 IoU 0.4 (gt [1,10] vs [0,5]); R5 finds [1,10] -> 1.  q2: R1 1.0.
    items = [(np.array([[0, 5, 0.9], [1, 10, 0.5]]), np.array([[1, 10]])),
             (np.array([[0, 8, 0.3]]), np.array([[0, 8]]))]
    m = moment_retrieval_metrics(items)
    assert len(m) == 1 + 3 * 18 + 1 + 18
    assert m["mIoU"] == pytest.approx(70.0)                   # (0.4 + 1) / 2
    assert m["R1@0.4"] == 100.0 and m["R1@0.45"] == 50.0     # 0.4 >= 0.4 counts
    assert m["R5@0.95"] == 100.0 and m["R10@0.5"] == 100.0
    # AP q1: sorted [0,5] (IoU 0.4) then [1,10] (1.0). θ <= 0.4 (7 thr): TP, FP -> 1;
    # θ > 0.4 (11 thr): FP, TP -> precision 0, 1/2 -> 1/2.  q2: 1.  mAP@θ: (1+1)/2, (0.5+1)/2
    assert m["mAP@0.4"] == 100.0 and m["mAP@0.45"] == 75.0
    assert m["mAP"] == pytest.approx(100 * (7 * 1 + 11 * 0.75) / 18)
    # q1 with the better window scored higher: listed still reads [0,5] (0.4), score reads [1,10]
    swapped = [(np.array([[0, 5, 0.5], [1, 10, 0.9]]), items[0][1]), items[1]]
    assert moment_retrieval_metrics(swapped)["mIoU"] == pytest.approx(70.0)
    assert moment_retrieval_metrics(swapped, rank="score")["mIoU"] == 100.0
    assert moment_retrieval_metrics([]) == {k: 0.0 for k in m}


def test_official_round():
    assert official_round(1 / 3) == 33.33
    assert official_round(2 / 3) == 66.67
    assert official_round(0.5) == 50.0
    assert threshold_key(0.15) == "0.15" and threshold_key(THRESHOLDS[8]) == "0.5"
    frac = moment_retrieval_metrics([([[0, 5, 1]], [[1, 10]])], percent=False)
    assert official_round(frac["mIoU"]) == 40.0


def test_speed_2000_queries():
    rng = np.random.default_rng(0)

    def mk(n):
        s = rng.uniform(0, 300, n)
        return np.column_stack([s, s + rng.uniform(1, 100, n), rng.random(n)])

    items = [(mk(rng.integers(1, 15)), mk(rng.integers(1, 4))[:, :2]) for _ in range(2000)]
    moment_retrieval_metrics(items[:10])
    t0 = time.perf_counter()
    moment_retrieval_metrics(items)
    assert time.perf_counter() - t0 < 0.5      # ~30 ms on a 2-core machine


# ---------------------------------------------------------------- parity with the official run

def _load(path):
    with gzip.open(path, "rt") as f:
        return json.load(f)


@pytest.mark.parametrize("case", ["small", "edge", "pairing", "multitrack"])
def test_parity_with_official_diagnostics(shared_data, case):
    root = shared_data / "svageval-parity" / case
    gt, pred = _load(root / "gt.json.gz"), _load(root / "pred.json.gz")
    diag = _load(root / "details" / "temporal_diagnostics.json.gz")
    expected = json.loads((root / "expected.json").read_text())
    for ds in gt["datasets"]:
        name = ds["name"]
        d = diag[name]
        assert d["ap_thresholds"] == THRESHOLDS.tolist()
        gq = {q["query_id"]: q for q in ds["queries"]}
        pq = {q["query_id"]: q for q in next(x for x in pred["datasets"] if x["name"] == name)["queries"]}
        items, ap_items = [], []
        for row in d["temporal_per_query"]:
            qid = row["qid"]
            # the windows R1/R5/R10 compared, re-scored: bit-identical IoUs
            for k in ("R1", "R5", "R10"):
                rec = row[k]
                again = temporal_iou([rec["pred_window"]], [rec["gt_window"]])[0, 0]
                assert again == rec["iou"], (name, qid, k)
            # rebuild the official inputs: GT [s, e] -> [s-1, e]; paired predictions in GT order
            gts = [np.array([[s - 1, e] for s, e in t["temporal"]], float) for t in gq[qid]["tracks"]]
            tracks = {t["track_id"]: t for t in pq[qid]["tracks"]}
            paired = [p["pred_track_id"] for p in d["pairs"]
                      if p["qid"] == qid and p["pred_track_id"] is not None]
            preds = [np.array(tracks[i]["temporal"], float) for i in paired]
            items.append((preds[-1], gts[-1]))        # "last wins"
            ap_items.append((preds, gts))
        ious = recall_ious(items)
        aps = average_precisions(ap_items)
        for row, iou, ap in zip(d["temporal_per_query"], ious, aps):
            assert iou.tolist() == [row["R1"]["iou"], row["R5"]["iou"], row["R10"]["iou"]], (name, row["qid"])
            assert ap.tolist() == row["AP"], (name, row["qid"])
        got = moment_retrieval_metrics(items, ap_items=ap_items, percent=False)
        full = expected["datasets"][name]["temporal_metrics"]["full"]
        assert official_round(got["mIoU"]) == full["MR-mIoU"] == d["mIoU_from_per_query"]
        assert official_round(got["mAP"]) == full["MR-mAP"]["average"]
        for t in THRESHOLDS:
            key = threshold_key(t)
            assert official_round(got[f"mAP@{key}"]) == full["MR-mAP"][str(t)], (name, key)
            for k in (1, 5, 10):
                assert official_round(got[f"R{k}@{key}"]) == full[f"MR-R{k}"][str(t)], (name, k, key)


def test_recall_detail_names_the_compared_windows():
    preds = np.array([[0.0, 4.0, 0.2], [10.0, 20.0, 0.9], [30.0, 40.0, 0.5]])
    gts = np.array([[11.0, 20.0], [29.0, 40.0]])
    listed = recall_detail([(preds, gts), (np.zeros((0, 3)), gts)], (1, 5))
    # R1 reads the first listed window; R5 the best pair over the first five
    assert listed.pred_window[0].tolist() == [[0.0, 4.0], [30.0, 40.0]]
    assert listed.gt_window[0].tolist() == [[11.0, 20.0], [29.0, 40.0]]
    assert listed.iou[0].tolist() == [0.0, 10 / 11]
    assert np.isnan(listed.pred_window[1]).all() and listed.iou[1].tolist() == [0.0, 0.0]
    scored = recall_detail([(preds, gts)], (1,), rank="score")
    assert scored.pred_window[0, 0].tolist() == [10.0, 20.0]    # the best-scored window
    assert scored.iou[0, 0] == pytest.approx(0.9)
    assert np.array_equal(listed.iou, recall_ious([(preds, gts), (np.zeros((0, 3)), gts)], (1, 5)))
