"""The SVAG protocols: parity with the official SVAGEval outputs, and the strict protocol's rules."""
from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import numpy as np
import pytest

from svag.cli.main import main as cli_main
from svag.core.types import Dataset, Query, SvagData, Track
from svag.eval.result import TrackPair
from svag.eval.svag_protocol import evaluate_svag
from svag.io.svag_json import read_svag

CASES = ("small", "edge", "pairing", "multitrack", "full2")    # full2: benchmark-sized, ~10 s
#: the official warning (temporal_diagnostics) -> svag's reason for an unpaired track
OFFICIAL_REASONS = {"query has no predicted track": "no_prediction", "Warning: track_id": "no_gt_box",
                    "Warning: no matching key found": "no_shared_frame",
                    "Warning: No alpha_match_cols_list entry matched": "key_row_unmatched",
                    # a track with several keys is warned about, then has no matched frame at its key
                    "Warning: keys length != 1": "key_row_unmatched"}


@pytest.fixture(scope="module", params=CASES)
def parity(request, shared_data: Path):
    base = shared_data / "svageval-parity" / request.param
    expected = json.loads((base / "expected.json").read_text())
    gt = read_svag(base / "gt.json.gz", "gt")
    pred = read_svag(base / "pred.json.gz", "pred")
    result = evaluate_svag(gt, pred, protocol="svag")
    diag = json.loads(gzip.decompress((base / "details" / "temporal_diagnostics.json.gz").read_bytes()))
    return base, expected, result, diag


def test_final_numbers_equal_official(parity):
    _, expected, result, _ = parity
    assert result.official["final"] == expected["final"]


def test_per_dataset_combined_equal_official(parity):
    _, expected, result, _ = parity
    for name, ds in expected["datasets"].items():
        for key, value in ds["combined"].items():
            assert result.official["datasets"][name][key] == value, (name, key)


def test_hota_summary_fields_to_five_digits(parity):
    """Every field of TrackEval's summary line, including those the official combination drops
    (the counts are printed whole)."""
    _, expected, result, _ = parity
    for name, ds in expected["datasets"].items():
        for key, value in ds["hota_summary"]["values"].items():
            ours = result.datasets[name][key]
            if key in ("Dets", "GT_Dets", "IDs", "GT_IDs"):
                assert ours == value, (name, key)
            else:
                assert float(f"{ours:1.5g}") == pytest.approx(value, abs=1e-9), (name, key)


def test_temporal_brief_to_two_decimals(parity):
    """R@0.7 and mAP are computed by the official code but dropped from its combined file."""
    _, expected, result, _ = parity
    for name, ds in expected["datasets"].items():
        brief = ds["temporal_metrics"]["brief"]
        for key, value in brief.items():
            ours = result.datasets[name][key.replace("MR-full-", "")]
            assert float(f"{ours:.2f}") == pytest.approx(value, abs=1e-9), (name, key)


def test_per_sequence_hota_equals_trackeval_table(parity):
    base, expected, result, _ = parity
    rows = {(r.dataset, r.video_name, r.query.lower().replace(" ", "-")): r for r in result.per_query}
    checked = 0
    for name in expected["datasets"]:
        text = gzip.decompress((base / "details" / f"{name}_pedestrian_detailed.csv.gz").read_bytes()).decode()
        for row in csv.DictReader(io.StringIO(text)):
            if row["seq"] == "COMBINED":
                continue
            video, slug = row["seq"].split("+", 1)
            ours = rows[(name, video, slug)]
            assert 100 * float(row["HOTA___AUC"]) == pytest.approx(ours.hota, abs=1e-6), row["seq"]
            assert 100 * float(row["AssA___AUC"]) == pytest.approx(ours.ass_a, abs=1e-6), row["seq"]
            checked += 1
    assert checked == sum(ds["num_sequences"] for ds in expected["datasets"].values())


def test_pairs_equal_official(parity):
    """Every ground-truth track: the official pair, or none for the official reason."""
    _, _, result, diag = parity
    records = {(r.dataset, r.query_id): r for r in result.per_query}
    n = 0
    for name, d in diag.items():
        for p in d["pairs"]:
            rec = records[(name, p["qid"])]
            ours = next(t for t in rec.pairs if t.gt_track_id == p["gt_track_id"])
            assert ours.pred_track_id == p["pred_track_id"], (name, p)
            if p["pred_track_id"] is None:
                want = next(v for k, v in OFFICIAL_REASONS.items() if p["reason"].startswith(k))
                assert ours.reason == want, (name, p)
            else:
                assert ours.reason is None
            n += 1
    assert n == sum(len(r.pairs) for r in result.per_query)


def test_scored_queries_windows_and_aps_equal_official(parity):
    """The queries scored temporally, the windows R1/R5/R10 compared, their IoUs and the APs."""
    _, _, result, diag = parity
    for name, d in diag.items():
        official = {t["qid"]: t for t in d["temporal_per_query"]}
        ours = {r.query_id: r for r in result.per_query if r.dataset == name and r.scored}
        assert ours.keys() == official.keys()
        for qid, t in official.items():
            rec = ours[qid]
            assert rec.r1_iou == t["R1"]["iou"], (name, qid)
            assert [w.measure for w in rec.compared_windows] == ["R1", "R5", "R10"]
            for w in rec.compared_windows:
                o = t[w.measure]
                assert (list(w.pred_window), list(w.gt_window), w.iou) == (
                    o["pred_window"], o["gt_window"], o["iou"]), (name, qid, w.measure)
                assert w.gt_track_id == rec.pairs[-1].gt_track_id       # the last ground-truth track
                assert w.pred_track_id == [p for p in rec.pairs if p.pred_track_id is not None][-1].pred_track_id
            assert list(rec.ap) == t["AP"], (name, qid)


def test_pairing_case_documents_each_convention(shared_data):
    """The hand-made cases: key from frames with predictions only (cause A) and the set order
    of several keys (cause B: keys {1, 8}, official key 8)."""
    base = shared_data / "svageval-parity" / "pairing"
    r = evaluate_svag(read_svag(base / "gt.json.gz", "gt"), read_svag(base / "pred.json.gz", "pred"))
    rec = {q.query_id: q for q in r.per_query}
    assert rec[7001].pairs[1] == TrackPair(6, 16, None)
    assert rec[7002].pairs == [TrackPair(8, None, "key_row_unmatched"), TrackPair(9, 19, None)]
    assert rec[7002].scored and rec[7002].r1_iou == pytest.approx(0.4)
    assert rec[7004].pair_of(29) == 41
    assert rec[7004].compared_windows[0].iou == pytest.approx(1 / 3)


def test_per_query_file_has_pairs_and_windows(shared_data, tmp_path):
    base = shared_data / "svageval-parity" / "pairing"
    out = tmp_path / "queries.jsonl"
    assert cli_main(["eval", str(base / "gt.json.gz"), str(base / "pred.json.gz"), "--quiet",
                     "--per-query", str(out)]) == 0
    rows = {r["query_id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert len(rows) == 10
    assert rows[7002]["pairs"] == [[8, None, "key_row_unmatched"], [9, 19, None]]
    r1 = rows[7002]["windows"][0]
    assert r1 == {"measure": "R1", "gt_track_id": 9, "pred_track_id": 19, "pred_window": [19.0, 31.0],
                  "gt_window": [1.0, 31.0], "iou": pytest.approx(0.4)}
    assert len(rows[7002]["AP"]) == 18
    csv_out = tmp_path / "queries.csv"
    assert cli_main(["eval", str(base / "gt.json.gz"), str(base / "pred.json.gz"), "--quiet",
                     "--per-query", str(csv_out)]) == 0
    table = list(csv.DictReader(csv_out.open()))
    assert json.loads(table[0]["pairs"]) == rows[int(table[0]["query_id"])]["pairs"]


# -- the strict protocol ------------------------------------------------------------------------


def _track(tid, first, n, x=10.0, windows=((1, 5),), score=None):
    frames = np.arange(first, first + n)
    boxes = np.column_stack([x + frames, np.full(n, 20.0), np.full(n, 30.0), np.full(n, 60.0)])
    w = [list(w) + ([score] if score is not None else []) for w in windows]
    return Track(tid, frames, boxes, windows=np.asarray(w, dtype=float))


def _data(queries, name="SYN"):
    return SvagData((Dataset(name, tuple(queries)),))


def test_strict_perfect_prediction_scores_100(shared_data):
    gt = read_svag(shared_data / "svageval-parity" / "small" / "gt.json.gz", "gt")
    pred = SvagData(tuple(Dataset(d.name, tuple(
        Query(q.query_id, q.text, q.video_name, q.video_length,
              tuple(Track(t.track_id, t.frames, t.boxes,
                          windows=np.column_stack([t.windows[:, :2], np.ones(len(t.windows))]))
                    for t in q.tracks)) for q in d.queries)) for d in gt.datasets))
    r = evaluate_svag(gt, pred, protocol="svag-strict")
    for key in ("HOTA", "DetA", "AssA", "LocA", "mIoU", "R1@0.5", "R5@0.7", "mAP", "m-HIoU"):
        assert r.mean[key] == pytest.approx(100.0), key
    # the official protocol shifts only the ground truth: the copied 1-based windows lose a frame
    assert evaluate_svag(gt, pred, protocol="svag").mean["mIoU"] < 100.0


def test_strict_renaming_track_ids_changes_nothing():
    gt = _data([Query(1, "q", "v", 40, (_track(1, 1, 20, windows=((3, 12),)), _track(2, 5, 30, x=200, windows=((10, 30),))))])
    pred_a = _data([Query(1, "q", "v", 40, (_track(7, 1, 18, windows=((2, 11),), score=0.9),
                                            _track(8, 5, 30, x=203, windows=((12, 30),), score=0.5)))])
    pred_b = _data([Query(1, "q", "v", 40, (_track("b", 1, 18, windows=((2, 11),), score=0.9),
                                            _track("a", 5, 30, x=203, windows=((12, 30),), score=0.5)))])
    for protocol in ("svag", "svag-strict"):
        ra, rb = evaluate_svag(gt, pred_a, protocol=protocol), evaluate_svag(gt, pred_b, protocol=protocol)
        assert ra.mean == rb.mean


def test_strict_scores_every_track_and_ranks_by_score():
    """Official: only the last track of a query counts, R1 uses the first listed window.
    Strict: both tracks count (one missed -> IoU 0), R1 uses the highest-scoring window."""
    gt = _data([Query(1, "q", "v", 40, (_track(1, 1, 30, windows=((11, 20),)), _track(2, 1, 30, x=300, windows=((1, 10),))))])
    pred_track = Track(5, np.arange(1, 31), _track(1, 1, 30).boxes,
                       windows=np.array([[0.0, 5.0, 0.1], [11.0, 20.0, 0.9]]))
    pred = _data([Query(1, "q", "v", 40, (pred_track,))])
    strict = evaluate_svag(gt, pred, protocol="svag-strict")
    # track 1: best-score window [11, 20] equals the gt window -> IoU 1; track 2: unpaired -> 0
    assert strict.mean["mIoU"] == pytest.approx(50.0)
    assert strict.per_query[0].pairs == [TrackPair(1, 5, None), TrackPair(2, None, "never_matched")]
    official = evaluate_svag(gt, pred, protocol="svag")
    # last gt track (2, window [1,10] -> [0,10]) vs first listed window [0,5]: IoU 5/10
    assert official.mean["mIoU"] == pytest.approx(50.0)
    assert official.per_query[0].r1_iou == pytest.approx(0.5)


def test_query_without_prediction_is_all_false_negatives():
    gt = _data([Query(1, "q", "v", 40, (_track(1, 1, 20),)), Query(2, "r", "v", 40, (_track(1, 1, 20),))])
    pred = _data([Query(1, "q", "v", 40, (_track(9, 1, 20, windows=((1, 5),), score=1.0),))])
    r = evaluate_svag(gt, pred, protocol="svag-strict")
    assert r.mean["DetRe"] == pytest.approx(50.0)
    assert r.mean["DetPr"] == pytest.approx(100.0)
    assert r.mean["mIoU"] == pytest.approx(50.0)
    assert any("no prediction entry" in n for n in r.notes)


def test_strict_weighs_queries_equally():
    """Query 1 has three tracks, all found exactly; query 2 one track, missed. Per track the mean
    IoU would be 3/4; every query weighing the same it is (1 + 0) / 2."""
    q1_gt = (_track(1, 1, 20, windows=((1, 20),)), _track(2, 1, 20, x=200, windows=((1, 20),)),
             _track(3, 1, 20, x=400, windows=((1, 20),)))
    gt = _data([Query(1, "q", "v", 40, q1_gt), Query(2, "r", "v", 40, (_track(1, 1, 20, windows=((1, 20),)),))])
    q1_pred = tuple(Track(t.track_id, t.frames, t.boxes, windows=np.array([[1.0, 20.0, 1.0]])) for t in q1_gt)
    pred = _data([Query(1, "q", "v", 40, q1_pred), Query(2, "r", "v", 40, ())])
    r = evaluate_svag(gt, pred, protocol="svag-strict")
    assert r.mean["mIoU"] == pytest.approx(50.0)
    assert r.mean["R1@0.5"] == pytest.approx(50.0)
    assert r.mean["mAP"] == pytest.approx(50.0)
