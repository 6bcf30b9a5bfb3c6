"""CLEAR, Identity, HOTA and the MOTChallenge preprocessing against TrackEval: the reproduced
values of the real-data pack, hand-computed tiny cases, and randomized comparisons with the
installed ``trackeval`` classes on the same synthetic data."""
from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svag.core.boxes import iou_matrix
from svag.core.types import Detections
from svag.eval.clear import clear_fields, clear_sequence, combine_clear
from svag.eval.hota import combine_hota, hota_fields, hota_sequence
from svag.eval.identity import combine_identity, identity_fields, identity_sequence
from svag.eval.mot_protocol import evaluate_mot, preprocess_mot
from svag.eval.sequence import SequenceData

with contextlib.redirect_stdout(io.StringIO()):   # trackeval prints about optional dependencies
    import trackeval
    from trackeval.datasets import MotChallenge2DBox
    from trackeval.datasets._base_dataset import _BaseDataset

TE_HOTA = trackeval.metrics.HOTA()
TE_CLEAR = trackeval.metrics.CLEAR({"PRINT_CONFIG": False})
TE_IDENTITY = trackeval.metrics.Identity({"PRINT_CONFIG": False})
CLEAR_PERCENT = ("MOTA", "MOTP", "MODA", "CLR_Re", "CLR_Pr", "MTR", "PTR", "MLR", "sMOTA", "CLR_F1", "MOTAL")
CLEAR_RAW = ("FP_per_frame", "MOTP_sum", "CLR_TP", "CLR_FN", "CLR_FP", "IDSW", "MT", "PT", "ML", "Frag",
             "CLR_Frames")
HOTA_ARRAYS = ("HOTA", "DetA", "AssA", "DetRe", "DetPr", "AssRe", "AssPr", "LocA", "OWTA")


# ----------------------------------------------------------------------------------------------
# real data: every entry of trackers/expected.json


def _expected(shared_data: Path) -> list[dict[str, Any]]:
    return json.loads((shared_data / "trackers" / "expected.json").read_text())["entries"]


@pytest.fixture(scope="module")
def real_results(shared_data: Path) -> list[tuple[dict[str, Any], dict[str, float]]]:
    out = []
    for e in _expected(shared_data):
        if e["sequence"] == "COMBINED":
            res = evaluate_mot(shared_data / "mot", shared_data / "trackers" / e["tracker"],
                               benchmark=e["benchmark"], sequences=e["sequences_combined_here"])
            out.append((e, res.mean))
        else:
            res = evaluate_mot(shared_data / e["gt"], shared_data / e["tracker_file"])  # benchmark inferred
            assert res.notes[-1].endswith(f"{e['benchmark']} for {e['sequence']}")
            out.append((e, res.datasets[e["sequence"]]))
    return out


def test_reproduces_trackeval_on_real_data(real_results: list) -> None:
    assert len(real_results) == 11
    for entry, got in real_results:
        for key, want in entry["reproduced"].items():
            assert got[key] == pytest.approx(want, abs=1e-6), (entry["tracker"], entry["sequence"], key)


def test_combined_counts_are_sums(real_results: list, shared_data: Path) -> None:
    per_seq = {e["sequence"]: r for e, r in real_results if e["tracker"].startswith("20221127")}
    combined = per_seq.pop("COMBINED")
    for key in ("IDSW", "CLR_FP", "CLR_FN", "CLR_TP", "IDTP", "GT_Dets", "Dets", "Frag", "MT"):
        assert combined[key] == sum(r[key] for r in per_seq.values())
    assert combined["GT_Dets"] == 112297   # the README's evaluated MOT17 rows


# ----------------------------------------------------------------------------------------------
# hand-computed cases


def boxes_seq(gt: list[tuple[int, int, list[float]]], tr: list[tuple[int, int, list[float]]],
              num_frames: int) -> SequenceData:
    """gt / tr: (frame, id, [x, y, w, h]) rows."""
    def det(rows: list) -> Detections:
        if not rows:
            return Detections(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 4)))
        f, i, b = zip(*rows)
        return Detections(np.array(f), np.array(i), np.array(b, dtype=np.float64))
    return SequenceData.build(det(gt), det(tr), num_frames)


def metrics(seq: SequenceData) -> dict[str, float]:
    return {**clear_fields(clear_sequence(seq)), **identity_fields(identity_sequence(seq)),
            **hota_fields(hota_sequence(seq))}


BOX = [0.0, 0.0, 10.0, 10.0]


def test_one_track_known_ious() -> None:
    # gt [0,0,10,10] on frames 1-3; the tracker box is the same (IoU 1), shifted 5 px
    # (inter 50, union 150: IoU 1/3, no match) and shifted 2 px (inter 80, union 120: IoU 2/3).
    seq = boxes_seq([(f, 1, BOX) for f in (1, 2, 3)],
                    [(1, 7, BOX), (2, 7, [5, 0, 10, 10]), (3, 7, [2, 0, 10, 10])], 3)
    assert seq.sim.tolist() == [1.0, 1 / 3, 2 / 3]
    m = metrics(seq)
    # CLEAR: TP 2 (frames 1, 3), FN 1, FP 1; MOTA = (2 - 1 - 0) / 3; MOTP = (1 + 2/3) / 2;
    # tracked ratio 2/3 -> partly tracked; matched, lost, matched again -> one fragmentation.
    assert (m["CLR_TP"], m["CLR_FN"], m["CLR_FP"], m["IDSW"], m["Frag"]) == (2, 1, 1, 0, 1)
    assert (m["MT"], m["PT"], m["ML"]) == (0, 1, 0)
    assert m["MOTA"] == pytest.approx(100 / 3)
    assert m["MOTP"] == pytest.approx(100 * 5 / 6)
    assert m["MODA"] == pytest.approx(100 / 3)
    # sMOTA = (MOTP_sum - FP - IDSW) / (TP + FN) = (5/3 - 1) / 3
    assert m["sMOTA"] == pytest.approx(100 * (5 / 3 - 1) / 3)
    # Identity: the IoU >= 0.5 frames (1 and 3) are the IDTPs: IDF1 = 2 / (2 + 0.5 + 0.5)
    assert (m["IDTP"], m["IDFN"], m["IDFP"]) == (2, 1, 1)
    assert m["IDF1"] == pytest.approx(200 / 3)
    # HOTA: one id pair with alignment 1, so at alpha a, TP = #{IoU >= a} and
    # DetA = AssA = TP / (6 - TP). TP = 3 for the 6 alphas <= 1/3, 2 for the 7 alphas in
    # (1/3, 2/3], 1 for the 6 alphas above -> HOTA = (6 * 1 + 7 * 2/4 + 6 * 1/5) / 19.
    assert m["HOTA"] == pytest.approx(100 * (6 + 3.5 + 1.2) / 19)
    # LocA = mean IoU of the TPs: 2/3, 5/6, 1 on those alpha ranges
    assert m["LocA"] == pytest.approx(100 * (6 * 2 / 3 + 7 * 5 / 6 + 6 * 1) / 19)


def test_identity_switch() -> None:
    # one gt track on 4 frames; tracker id 1 covers frames 1-2, id 2 frames 3-4, both exact.
    seq = boxes_seq([(f, 1, BOX) for f in (1, 2, 3, 4)], [(f, 1 if f <= 2 else 2, BOX) for f in (1, 2, 3, 4)], 4)
    m = metrics(seq)
    # every frame matched (TP 4), one switch: MOTA = (4 - 0 - 1) / 4; no fragmentation
    assert (m["CLR_TP"], m["IDSW"], m["Frag"], m["MT"]) == (4, 1, 0, 1)
    assert m["MOTA"] == pytest.approx(75.0)
    assert m["MOTAL"] == pytest.approx(100.0)        # log10(1) = 0
    # Identity: the gt id is assigned one tracker id: IDTP 2, IDFN 2, IDFP 2 -> IDF1 50
    assert (m["IDTP"], m["IDFN"], m["IDFP"], m["IDF1"]) == (2, 2, 2, 50.0)
    # HOTA: DetA 1 at every alpha; each id pair has 2 matches, Jaccard 2 / (4 + 2 - 2) -> AssA 1/2
    assert m["DetA"] == pytest.approx(100.0) and m["AssA"] == pytest.approx(50.0)
    assert m["HOTA"] == pytest.approx(100 * np.sqrt(0.5))


def test_fragmentation_counts_scored_timesteps_only() -> None:
    # gt on frames 1-5, tracker id 1 on frames 1, 2, 4, 5 (exact boxes).
    gt = [(f, 1, BOX) for f in range(1, 6)]
    tr = [(f, 1, BOX) for f in (1, 2, 4, 5)]
    # frame 3 has no tracker box at all: TrackEval does not reset its "previous timestep"
    # memory there, so frame 4 continues frame 2: no fragmentation.
    m = metrics(boxes_seq(gt, tr, 5))
    assert (m["CLR_TP"], m["CLR_FN"], m["Frag"], m["IDSW"]) == (4, 1, 0, 0)
    # a far-away tracker box on frame 3 makes it a scored timestep: the match resumes on frame 4
    m = metrics(boxes_seq(gt, tr + [(3, 9, [100, 100, 10, 10])], 5))
    assert (m["CLR_TP"], m["CLR_FN"], m["CLR_FP"], m["Frag"]) == (4, 1, 1, 1)


def test_continuity_bonus_beats_iou() -> None:
    # frame 1: tracker 1 has IoU 0.9 (box 10 x 9 inside the gt); frame 2: tracker 1 IoU 0.6,
    # tracker 2 IoU 0.95. CLEAR keeps tracker 1 (bonus 1000), so no switch, MOTP (0.9 + 0.6) / 2.
    seq = boxes_seq([(1, 1, BOX), (2, 1, BOX)],
                    [(1, 1, [0, 0, 10, 9]), (2, 1, [0, 0, 10, 6]), (2, 2, [0, 0, 10, 9.5])], 2)
    m = metrics(seq)
    assert (m["CLR_TP"], m["CLR_FP"], m["IDSW"]) == (2, 1, 0)
    assert m["MOTP"] == pytest.approx(75.0)
    assert m["MOTP_sum"] == pytest.approx(1.5)


def test_distractor_removal() -> None:
    # gt 1 is a pedestrian, gt 2 a static person (class 7), gt 3 a pedestrian with consider 0.
    # Tracker 10 sits on the static person (IoU 1): removed. Tracker 11 sits on gt 3: kept,
    # and since gt 3 is not evaluated it is a false positive.
    boxes = [[0, 0, 10, 10], [50, 0, 10, 10], [100, 0, 10, 10.0]]
    gt = Detections(np.array([1, 1, 1]), np.array([1, 2, 3]), np.array(boxes), classes=np.array([1, 7, 1]),
                    consider=np.array([True, True, False]))
    tr = Detections(np.array([1, 1, 1]), np.array([9, 10, 11]), np.array(boxes))
    seq = preprocess_mot(gt, tr, 1, "MOT17")
    assert seq.gt_orig_id.tolist() == [1] and seq.tr_orig_id.tolist() == [9, 11]
    m = metrics(seq)
    assert (m["CLR_TP"], m["CLR_FP"], m["CLR_FN"]) == (1, 1, 0)
    # MOT15 conventions: no distractor removal, no class filter, consider only
    seq = preprocess_mot(gt, tr, 1, "MOT15")
    assert seq.gt_orig_id.tolist() == [1, 2] and seq.tr_orig_id.tolist() == [9, 10, 11]


# ----------------------------------------------------------------------------------------------
# TrackEval on the same synthetic data


def random_sequence(rng: np.random.Generator, num_frames: int = 25, n_obj: int = 6, dup: float = 0.0,
                    classes: tuple[int, ...] = (1, 1, 1, 1, 2, 7, 8, 12, 6, 9, 3), area: float = 200.0
                    ) -> tuple[Detections, Detections]:
    """Moving objects, a tracker with noise, misses, id switches, false positives; gt classes
    and consider flags for the MOTChallenge preprocessing. ``dup``: share of exact duplicate
    tracker boxes (exact ties)."""
    gt_rows, tr_rows = [], []
    next_tid = 100
    for o in range(n_obj):
        start, end = sorted(rng.integers(1, num_frames + 1, 2))
        pos = rng.uniform(0, area, 2)
        vel = rng.normal(0, 3, 2)
        size = rng.uniform(15, 40, 2)
        cls = rng.choice(classes)
        consider = rng.random() > 0.15
        tid = next_tid = next_tid + 1
        for f in range(start, end + 1):
            p = pos + vel * (f - start)
            box = [*p, *size]
            gt_rows.append((f, o + 1, box, cls, consider))
            if rng.random() < 0.85:
                if rng.random() < 0.08:
                    tid = next_tid = next_tid + 1                       # id switch
                noisy = [*(p + rng.normal(0, 3, 2)), *(size * rng.uniform(0.8, 1.2, 2))]
                tr_rows.append((f, tid, noisy))
                if rng.random() < dup:
                    tr_rows.append((f, tid + 5000, list(noisy)))        # exact duplicate box
    for _ in range(int(rng.integers(0, 3 * n_obj))):                   # false positives
        tr_rows.append((int(rng.integers(1, num_frames + 1)), int(rng.integers(900, 960)),
                        [*rng.uniform(0, 200, 2), *rng.uniform(10, 40, 2)]))
    rng.shuffle(tr_rows)
    gt_rows.sort(key=lambda r: r[0])
    # a tracker id must not repeat within a frame
    seen: set[tuple[int, int]] = set()
    tr_rows = [r for r in tr_rows if (r[0], r[1]) not in seen and not seen.add((r[0], r[1]))]
    gt = Detections(np.array([r[0] for r in gt_rows], dtype=np.int64), np.array([r[1] for r in gt_rows]),
                    np.array([r[2] for r in gt_rows]).reshape(-1, 4), classes=np.array([r[3] for r in gt_rows]),
                    consider=np.array([r[4] for r in gt_rows], dtype=bool))
    tr = Detections(np.array([r[0] for r in tr_rows], dtype=np.int64), np.array([r[1] for r in tr_rows]),
                    np.array([r[2] for r in tr_rows]).reshape(-1, 4))
    return gt, tr


def per_timestep(d: Detections, num_frames: int) -> list[np.ndarray]:
    """Row indices of each timestep in file order (TrackEval's grouping)."""
    return [np.flatnonzero(d.frames == t + 1) for t in range(num_frames)]


def trackeval_raw(gt: Detections, tr: Detections, num_frames: int) -> dict[str, Any]:
    """TrackEval's raw_data for MotChallenge2DBox, with its own IoU."""
    g_rows, t_rows = per_timestep(gt, num_frames), per_timestep(tr, num_frames)
    consider = gt.consider if gt.consider is not None else np.ones(len(gt), bool)
    classes = gt.classes if gt.classes is not None else np.full(len(gt), -1)
    return {
        "num_timesteps": num_frames, "seq": "synthetic",
        "gt_ids": [gt.ids[r].astype(int) for r in g_rows], "tracker_ids": [tr.ids[r].astype(int) for r in t_rows],
        "gt_dets": [gt.boxes[r] for r in g_rows], "tracker_dets": [tr.boxes[r] for r in t_rows],
        "gt_classes": [classes[r] for r in g_rows], "tracker_classes": [np.ones(len(r), int) for r in t_rows],
        "tracker_confidences": [np.ones(len(r)) for r in t_rows],
        "gt_extras": [{"zero_marked": consider[r].astype(int)} for r in g_rows],
        "similarity_scores": [_BaseDataset._calculate_box_ious(gt.boxes[g], tr.boxes[t])
                              for g, t in zip(g_rows, t_rows)],
    }


def trackeval_preprocess(raw: dict[str, Any], benchmark: str | None) -> dict[str, Any]:
    """MotChallenge2DBox.get_preprocessed_seq_data without its folders; benchmark None: only
    TrackEval's relabelling (every gt box kept, nothing removed)."""
    ds = MotChallenge2DBox.__new__(MotChallenge2DBox)
    ds.benchmark = benchmark or "MOT15"
    ds.do_preproc = benchmark is not None
    ds.class_name_to_class_id = {"pedestrian": 1, "person_on_vehicle": 2, "car": 3, "bicycle": 4,
                                 "motorbike": 5, "non_mot_vehicle": 6, "static_person": 7, "distractor": 8,
                                 "occluder": 9, "occluder_on_ground": 10, "occluder_full": 11,
                                 "reflection": 12, "crowd": 13}
    ds.valid_class_numbers = list(ds.class_name_to_class_id.values())
    if benchmark is None:
        raw = {**raw, "gt_extras": [{"zero_marked": np.ones(len(i), int)} for i in raw["gt_ids"]]}
    return ds.get_preprocessed_seq_data(raw, "pedestrian")


def trackeval_fields(data: dict[str, Any]) -> dict[str, float]:
    h, c, i = TE_HOTA.eval_sequence(data), TE_CLEAR.eval_sequence(data), TE_IDENTITY.eval_sequence(data)
    return fields_of(h, c, i)


def fields_of(h: dict, c: dict, i: dict) -> dict[str, float]:
    out = {k: 100 * float(np.mean(h[k])) for k in HOTA_ARRAYS}
    out.update({k: 100 * h[k] for k in ("HOTA(0)", "LocA(0)", "HOTALocA(0)")})
    out.update({k: 100 * float(c[k]) for k in CLEAR_PERCENT})
    out.update({k: float(c[k]) for k in CLEAR_RAW})
    out.update({k: 100 * float(i[k]) for k in ("IDF1", "IDR", "IDP")})
    out.update({k: float(i[k]) for k in ("IDTP", "IDFN", "IDFP")})
    return out


def ours(seq: SequenceData) -> tuple[dict[str, float], tuple]:
    counts = (hota_sequence(seq), clear_sequence(seq), identity_sequence(seq))
    return {**hota_fields(counts[0]), **clear_fields(counts[1]), **identity_fields(counts[2])}, counts


def assert_fields_equal(got: dict[str, float], want: dict[str, float], tol: float = 1e-9) -> None:
    for k, v in want.items():
        assert got[k] == pytest.approx(v, rel=tol, abs=tol), k


def check_against_trackeval(gt: Detections, tr: Detections, num_frames: int, benchmark: str | None) -> tuple:
    te_data = trackeval_preprocess(trackeval_raw(gt, tr, num_frames), benchmark)
    if benchmark is None:
        seq = SequenceData.build(gt, tr, num_frames)
    else:
        seq = preprocess_mot(gt, tr, num_frames, benchmark)
    assert (seq.num_gt_dets, seq.num_tracker_dets, seq.num_gt_ids, seq.num_tracker_ids) == (
        te_data["num_gt_dets"], te_data["num_tracker_dets"], te_data["num_gt_ids"], te_data["num_tracker_ids"])
    for t in range(num_frames):   # same rows, ids and IoUs per timestep
        g, r, sim = seq.frame_block(t)
        assert np.array_equal(seq.gt_id[g], te_data["gt_ids"][t])
        assert np.array_equal(seq.tr_id[r], te_data["tracker_ids"][t])
        assert np.array_equal(sim, te_data["similarity_scores"][t])
    got, counts = ours(seq)
    assert_fields_equal(got, trackeval_fields(te_data))
    return counts, te_data


@pytest.mark.parametrize("benchmark", [None, "MOT17", "MOT20", "MOT15"])
def test_random_sequences_match_trackeval(benchmark: str | None) -> None:
    rng = np.random.default_rng(1234 + len(str(benchmark)))
    ours_counts, te_res = [], []
    for _ in range(12):
        gt, tr = random_sequence(rng, num_frames=int(rng.integers(5, 40)), n_obj=int(rng.integers(1, 12)))
        counts, te_data = check_against_trackeval(gt, tr, int(max(gt.frames.max(initial=1), tr.frames.max(initial=1))), benchmark)
        ours_counts.append(counts)
        te_res.append((TE_HOTA.eval_sequence(te_data), TE_CLEAR.eval_sequence(te_data),
                       TE_IDENTITY.eval_sequence(te_data)))
    # combined over sequences, as TrackEval's COMBINED_SEQ
    got = {**hota_fields(combine_hota([c[0] for c in ours_counts])),
           **clear_fields(combine_clear([c[1] for c in ours_counts])),
           **identity_fields(combine_identity([c[2] for c in ours_counts]))}
    want = fields_of(*(m.combine_sequences({str(k): r[j] for k, r in enumerate(te_res)})
                       for j, m in enumerate((TE_HOTA, TE_CLEAR, TE_IDENTITY))))
    assert_fields_equal(got, want)


def test_crowded_sequences_with_exact_ties_match_trackeval() -> None:
    # many overlapping objects and exact duplicate tracker boxes: groups of candidate pairs
    # with tied IoUs, where the solver's tie-breaking decides (CLEAR, Identity, preprocessing)
    rng = np.random.default_rng(7)
    for _ in range(6):
        gt, tr = random_sequence(rng, num_frames=30, n_obj=14, dup=0.3)
        n = int(max(gt.frames.max(initial=1), tr.frames.max(initial=1)))
        for bench in (None, "MOT17"):
            te_data = trackeval_preprocess(trackeval_raw(gt, tr, n), bench)
            seq = SequenceData.build(gt, tr, n) if bench is None else preprocess_mot(gt, tr, n, bench)
            got = {**clear_fields(clear_sequence(seq)), **identity_fields(identity_sequence(seq))}
            want = fields_of(TE_HOTA.eval_sequence(te_data), TE_CLEAR.eval_sequence(te_data),
                             TE_IDENTITY.eval_sequence(te_data))
            assert_fields_equal(got, {k: v for k, v in want.items() if k in got})


def test_other_gt_boxes_can_keep_a_tracker_box() -> None:
    # the tracker box has IoU 0.6 with a static person (class 7) and 0.9 with an occluder
    # (class 9): the per-timestep assignment gives it to the occluder, so it is not removed
    gt = Detections(np.array([1, 1, 1]), np.array([1, 2, 3]),
                    np.array([[0, 0, 10, 6], [0, 0, 10, 9], [50, 0, 10, 10.0]]), classes=np.array([7, 9, 1]),
                    consider=np.array([False, False, True]))
    tr = Detections(np.array([1, 1]), np.array([4, 5]), np.array([[0, 0, 10, 10], [50, 0, 10, 10.0]]))
    seq = preprocess_mot(gt, tr, 1, "MOT17")
    assert seq.tr_orig_id.tolist() == [4, 5] and seq.gt_orig_id.tolist() == [3]
    te = trackeval_preprocess(trackeval_raw(gt, tr, 1), "MOT17")
    assert te["num_tracker_dets"] == 2
    # without the occluder the static person takes it
    seq = preprocess_mot(gt.subset(np.array([True, False, True])), tr, 1, "MOT17")
    assert seq.tr_orig_id.tolist() == [5]


@pytest.mark.parametrize("benchmark", ["MOT17", "MOT20"])
def test_crowds_of_distractors_and_other_boxes_match_trackeval(benchmark: str) -> None:
    # distractors next to occluders, vehicles and ignored pedestrians, in a small area: the
    # distractor matching needs the other gt boxes of its groups
    rng = np.random.default_rng(21)
    for _ in range(8):
        gt, tr = random_sequence(rng, num_frames=20, n_obj=16, dup=0.1, classes=(1, 1, 7, 2, 6, 9, 10, 3),
                                 area=80.0)
        n = int(max(gt.frames.max(initial=1), tr.frames.max(initial=1)))
        check_against_trackeval(gt, tr, n, benchmark)


def empty(n: int = 0) -> Detections:
    return Detections(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 4)))


@pytest.mark.parametrize("case", ["no_tracker", "no_gt", "both_empty"])
def test_empty_sides_match_trackeval(case: str) -> None:
    gt, tr = random_sequence(np.random.default_rng(3), num_frames=10, n_obj=4)
    gt = empty() if case in ("no_gt", "both_empty") else gt
    tr = empty() if case in ("no_tracker", "both_empty") else tr
    counts, _ = check_against_trackeval(gt, tr, 10, None)
    # TrackEval's early exit: only FN/ML or FP are counted, MLR = 1, every other ratio 0
    assert counts[1]["early_exit"] == 1 and clear_fields(counts[1])["MLR"] == 100.0
    assert SequenceData.build(gt, tr, 10).num_pairs == 0


def test_sparse_pairs_are_the_nonzero_dense_pairs() -> None:
    gt, tr = random_sequence(np.random.default_rng(11), num_frames=30, n_obj=15)
    seq = SequenceData.build(gt, tr, 30)
    nz = np.flatnonzero(seq.sim > 0)
    assert np.array_equal(nz, seq.nz_pair)
    assert np.array_equal(seq.pair_gt[nz], seq.nz_gt) and np.array_equal(seq.pair_tr[nz], seq.nz_tr)
    assert np.array_equal(seq.sim[nz], seq.nz_sim)
    assert len(seq.pair_gt) == len(seq.pair_tr) == seq.num_pairs == seq.pair_ptr[-1]


coords = st.floats(min_value=-50, max_value=50, allow_nan=False, width=32)
sizes = st.floats(min_value=-5, max_value=60, allow_nan=False, width=32)   # degenerate boxes too
box_rows = st.lists(st.tuples(st.integers(1, 4), coords, coords, sizes, sizes), max_size=25)


@settings(max_examples=60, deadline=None)
@given(box_rows, box_rows)
def test_iou_equals_core_iou_matrix(g_rows: list, t_rows: list) -> None:
    def det(rows: list) -> Detections:
        if not rows:
            return empty()
        f = np.array([r[0] for r in rows])
        return Detections(f, np.arange(len(rows)), np.array([r[1:] for r in rows], dtype=np.float64))
    gt, tr = det(g_rows), det(t_rows)
    seq = SequenceData.build(gt, tr, 4)
    for t in range(4):
        g, r, sim = seq.frame_block(t)
        ref = iou_matrix(seq.gt_boxes[g], seq.tr_boxes[r])
        assert np.array_equal(sim, ref)                     # bit for bit
        assert np.array_equal(seq.sim[seq.pair_ptr[t]:seq.pair_ptr[t + 1]], ref.ravel())
        assert np.array_equal(seq.gt_src_row[g], np.flatnonzero(gt.frames == t + 1))   # file order kept


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_renaming_and_reordering_ids_changes_nothing(seed: int) -> None:
    rng = np.random.default_rng(seed)
    gt, tr = random_sequence(rng, num_frames=int(rng.integers(3, 25)), n_obj=int(rng.integers(1, 10)))
    n = int(max(gt.frames.max(initial=1), tr.frames.max(initial=1)))
    base, _ = ours(preprocess_mot(gt, tr, n, "MOT17"))

    def rename(d: Detections) -> Detections:
        uniq = np.unique(d.ids)
        new = rng.choice(np.arange(-10**6, 10**6), size=len(uniq), replace=False)
        order = rng.permutation(len(d))          # rows shuffled, frame order restored stably below
        order = order[np.argsort(d.frames[order], kind="stable")]
        return Detections(d.frames[order], new[np.searchsorted(uniq, d.ids)][order], d.boxes[order],
                          classes=None if d.classes is None else d.classes[order],
                          consider=None if d.consider is None else d.consider[order])
    got, _ = ours(preprocess_mot(rename(gt), rename(tr), n, "MOT17"))
    assert_fields_equal(got, base, tol=1e-9)


def test_sequential_fallback_of_clear_matches_trackeval(monkeypatch: pytest.MonkeyPatch) -> None:
    # without the fixed-point rounds CLEAR solves group after group in time order
    from svag.eval import clear
    monkeypatch.setattr(clear._Matcher, "MAX_ROUNDS", 0)
    rng = np.random.default_rng(5)
    for dup in (0.0, 0.3):
        gt, tr = random_sequence(rng, num_frames=30, n_obj=12, dup=dup)
        n = int(max(gt.frames.max(initial=1), tr.frames.max(initial=1)))
        te = trackeval_preprocess(trackeval_raw(gt, tr, n), "MOT17")
        got = clear_fields(clear_sequence(preprocess_mot(gt, tr, n, "MOT17")))
        want = fields_of(TE_HOTA.eval_sequence(te), TE_CLEAR.eval_sequence(te), TE_IDENTITY.eval_sequence(te))
        assert_fields_equal(got, {k: v for k, v in want.items() if k in got})


def test_bipartite_components_match_scipy():
    """The label-propagation path (small graphs) and the scipy path number components alike."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from svag.eval.sequence import bipartite_components
    rng = np.random.default_rng(7)
    for trial in range(300):
        ng, nt = (int(v) for v in rng.integers(1, 40, 2))
        if trial % 3 == 0:      # a long chain: more rounds than the propagation tries
            m = min(ng, nt)
            eg, et = np.r_[np.arange(m), np.arange(1, m)], np.r_[np.arange(m), np.arange(m - 1)]
        else:
            e = int(rng.integers(1, 3 * (ng + nt)))
            eg, et = rng.integers(0, ng, e), rng.integers(0, nt, e)
        ug, ig = np.unique(eg, return_inverse=True)
        ut, it = np.unique(et, return_inverse=True)
        k, lab_g, lab_t = bipartite_components(ig, it, len(ug), len(ut))
        n = len(ug) + len(ut)
        k2, lab = connected_components(coo_matrix((np.ones(len(ig)), (ig, it + len(ug))), shape=(n, n)),
                                       directed=False)
        _, first = np.unique(lab[:len(ug)], return_index=True)
        renum = np.empty(k2, np.int64)
        renum[lab[:len(ug)][np.sort(first)]] = np.arange(k2)
        assert k == k2
        assert np.array_equal(lab_g, renum[lab[:len(ug)]]) and np.array_equal(lab_t, renum[lab[len(ug):]])
