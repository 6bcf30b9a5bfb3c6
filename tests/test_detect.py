"""Detectors: NMS hand cases, the registry, det.txt input, and the pixel detectors on real
PETS09 frames (only the first ~60 frames are decoded)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from svag.core.boxes import iou_matrix
from svag.detect import DETECTORS, FrameDetections, build_detector, detect_video, nms, read_detections
from svag.detect.mot_file import MotFileDetector, normalise_scores
from svag.detect.motion import split_columns
from svag.errors import InputError
from svag.io.mot import read_mot_gt
from svag.video.reader import Frame, open_video

# -- NMS -------------------------------------------------------------------------------------------

A = [0, 0, 10, 10]
A_SHIFTED = [1, 0, 10, 10]        # IoU with A = 90 / 110 = 0.818
A_HALF = [5, 0, 10, 10]           # IoU with A = 50 / 150 = 0.333
FAR = [100, 100, 10, 10]
INSIDE = [2, 2, 4, 4]             # inside A: IoU 0.16, intersection over smaller 1.0


@pytest.mark.parametrize("boxes, scores, thr, kwargs, expected", [
    ([], [], 0.5, {}, []),
    ([A], [0.3], 0.5, {}, [0]),
    ([A, A_SHIFTED], [0.9, 0.8], 0.5, {}, [0]),
    ([A, A_SHIFTED], [0.8, 0.9], 0.5, {}, [1]),
    ([A, FAR], [0.2, 0.9], 0.5, {}, [1, 0]),                       # best first
    ([A, A_HALF], [0.9, 0.8], 0.5, {}, [0, 1]),                    # IoU 0.33 < 0.5
    ([A, A_HALF], [0.9, 0.8], 0.3, {}, [0]),                       # IoU 0.33 > 0.3
    # chain: A suppresses A_SHIFTED; A_SHIFTED would suppress A_HALF (IoU 0.43) but is gone
    ([A, A_SHIFTED, A_HALF], [0.9, 0.8, 0.7], 0.4, {}, [0, 2]),
    ([A, A_SHIFTED], [0.9, 0.8], 0.5, {"labels": [1, 2]}, [0, 1]),  # other class: kept
    ([A, INSIDE], [0.9, 0.8], 0.5, {}, [0, 1]),
    ([A, INSIDE], [0.9, 0.8], 0.5, {"metric": "ios"}, [0]),
    ([A, A], [0.5, 0.5], 0.5, {}, [0]),                             # tie: earlier kept
])
def test_nms_cases(boxes, scores, thr, kwargs, expected):
    assert nms(np.array(boxes, float).reshape(-1, 4), scores, thr, **kwargs).tolist() == expected


def _nms_reference(boxes: np.ndarray, scores: np.ndarray, thr: float) -> list[int]:
    order = sorted(range(len(boxes)), key=lambda i: (-scores[i], i))
    keep: list[int] = []
    for i in order:
        if all(iou_matrix(boxes[[i]], boxes[[k]])[0, 0] <= thr for k in keep):
            keep.append(i)
    return keep


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(1, 20), st.integers(1, 20),
                          st.integers(0, 5)), min_size=0, max_size=12),
       st.sampled_from([0.1, 0.3, 0.5, 0.7]))
def test_nms_matches_greedy_reference(rows, thr):
    boxes = np.array([r[:4] for r in rows], float).reshape(-1, 4)
    scores = np.array([r[4] for r in rows], float)
    assert nms(boxes, scores, thr).tolist() == _nms_reference(boxes, scores, thr)


def test_nms_rejects_mismatched_scores():
    with pytest.raises(InputError, match="2 boxes but 1 scores"):
        nms(np.array([A, FAR], float), [0.5], 0.5)


# -- containers, registry ----------------------------------------------------------------------------

def test_frame_detections_validates_and_indexes():
    d = FrameDetections([A, FAR], [0.9, 0.1], labels=[1, 3])
    assert len(d) == 2 and d.boxes.dtype == np.float64
    assert d[d.scores > 0.5].labels.tolist() == [1]
    assert len(FrameDetections.empty()) == 0
    with pytest.raises(ValueError, match="one value per box"):
        FrameDetections([A], [0.1, 0.2])
    with pytest.raises(ValueError, match=r"shape \(N, 4\)"):
        FrameDetections([[1, 2, 3]], [0.1])


def test_registry_lists_known_names():
    assert set(DETECTORS) == {"mot", "hog", "motion", "owlv2", "grounding-dino", "omdet-turbo"}
    with pytest.raises(InputError, match="known detectors: grounding-dino, hog, mot, motion, omdet-turbo, owlv2") as err:
        build_detector("motoin")
    assert "did you mean 'motion'" in str(err.value)
    with pytest.raises(InputError, match="unexpected keyword"):
        build_detector("motion", no_such_option=1)


# -- det.txt -------------------------------------------------------------------------------------

def test_score_normalisation():
    assert normalise_scores(np.array([-0.5, 50.0, 138.0])).tolist() == [0.0, 0.5, 1.0]
    assert normalise_scores(np.array([0.2, 0.9])).tolist() == [0.2, 0.9]       # already 0-1
    assert normalise_scores(np.array([2.0]), 4).tolist() == [0.5]
    assert normalise_scores(np.array([2.0]), None).tolist() == [2.0]
    with pytest.raises(InputError, match="score_scale"):
        normalise_scores(np.array([2.0]), "percent")


def test_mot_detector_serves_rows_per_frame(shared_data):
    path = shared_data / "mot" / "PETS09-S2L1" / "det" / "det.txt"
    det = build_detector("mot", path=path)
    raw = np.loadtxt(path, delimiter=",")
    out = det.detect(Frame(1, 0.0, np.zeros((1, 1, 3), np.uint8)))
    assert len(out) == int((raw[:, 0] == 1).sum())
    assert np.array_equal(out.boxes, raw[raw[:, 0] == 1, 2:6])
    assert out.scores.min() >= 0 and out.scores.max() <= 1
    assert np.allclose(out.scores, np.clip(raw[raw[:, 0] == 1, 6] / 100, 0, 1))
    assert len(det.detect(Frame(10_000, 0.0, np.zeros((1, 1, 3), np.uint8)))) == 0
    table = read_detections(path, min_score=0.5)
    assert table.scores.min() >= 0.5 and len(table) < len(raw)


@pytest.mark.parametrize("text, message", [
    ("1,-1,10,20,30,40\n", "expected at least 7 comma-separated columns"),
    ("1,-1,10,20,30,40,0.9\n1,-1,10,20\n", "line 2 has 4 comma-separated columns"),
    ("1,-1,10,20,abc,40,0.9\n", "'abc' is not a number"),
    ("1,-1,10,20,0,40,0.9\n", "width and height"),
    ("1,1,10,20,30,40,1,1\n1,2,50,20,30,40,1,1\n2,1,11,20,30,40,0,1\n", "looks like a ground-truth"),
])
def test_bad_det_file_names_the_file(tmp_path, text, message):
    path = tmp_path / "det.txt"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as err:
        MotFileDetector(path).detect(Frame(1, 0.0, np.zeros((1, 1, 3), np.uint8)))
    assert str(path) in str(err.value)


# -- pixel detectors on real frames ---------------------------------------------------------------

@pytest.fixture(scope="module")
def pets_head(shared_data):
    frames = [f for f, _ in zip(open_video(shared_data / "video" / "pets09-s2l1.avi"), range(60))]
    gt = read_mot_gt(shared_data / "mot" / "PETS09-S2L1" / "gt" / "gt.txt")
    return frames, gt


def _matched(gt_boxes: np.ndarray, boxes: np.ndarray, thr: float) -> int:
    if len(gt_boxes) == 0 or len(boxes) == 0:
        return 0
    m = iou_matrix(gt_boxes, boxes)
    r, c = linear_sum_assignment(-m)
    return int((m[r, c] >= thr).sum())


def test_split_columns_cuts_at_valleys():
    profile = np.array([5, 9, 9, 5, 0, 6, 9, 9, 4], float)
    assert split_columns(profile, 2).tolist() == [4]
    assert split_columns(np.full(9, 7.0), 2, valley=0.5).tolist() == []   # no valley: no cut


def test_motion_detector_finds_pets_people(pets_head):
    frames, gt = pets_head
    dets = detect_video(build_detector("motion"), frames)
    assert dets.frames.min() > 5                      # warm-up frames give nothing
    assert dets.scores.min() >= 0 and dets.scores.max() <= 1
    tp = n_gt = n_det = 0
    for f in range(20, 61):
        g, d = gt.boxes[gt.frames == f], dets.boxes[dets.frames == f]
        tp, n_gt, n_det = tp + _matched(g, d, 0.4), n_gt + len(g), n_det + len(d)
    assert tp / n_gt > 0.6 and tp / n_det > 0.6, (tp, n_gt, n_det)


def test_motion_detector_reset_clears_background(pets_head):
    frames, _ = pets_head
    det = build_detector("motion", warmup=3)
    first = [len(det.detect(f)) for f in frames[:4]]
    det.reset()
    again = [len(det.detect(f)) for f in frames[:4]]
    assert first == again and first[:3] == [0, 0, 0]


def test_hog_detector_finds_pets_people(pets_head):
    frames, gt = pets_head
    det = build_detector("hog")
    tp = n_gt = 0
    for frame in (frames[0], frames[59]):
        d = det.detect(frame)
        assert d.scores.min() >= 0 and d.scores.max() < 1
        g = gt.boxes[gt.frames == frame.index]
        tp, n_gt = tp + _matched(g, d.boxes, 0.3), n_gt + len(g)
    assert tp / n_gt >= 0.5, (tp, n_gt)
