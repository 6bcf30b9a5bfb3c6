"""STVG single-tube metrics (tIoU, vIoU, m_tIoU, m_vIoU, vIoU@θ), hand-computed."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svag.core.types import Track
from svag.errors import InputError
from svag.eval.stvg import TubePair, stvg_metrics, stvg_per_video, stvg_video

BOX = [0.0, 0.0, 10.0, 10.0]


def tube(first: int, last: int, box=BOX, tid=1, skip=()) -> Track:
    frames = [f for f in range(first, last + 1) if f not in skip]
    return Track(tid, np.array(frames), np.array([box] * len(frames)))


def test_perfect_tube():
    t, v = stvg_video(tube(1, 10), tube(1, 10))
    assert (t, v) == (1.0, 1.0)
    m = stvg_metrics([("v1", tube(1, 10), tube(1, 10))])
    assert m == {"m_tIoU": 100.0, "m_vIoU": 100.0, "vIoU@0.3": 100.0, "vIoU@0.5": 100.0, "videos": 1.0}


def test_disjoint_spans():
    assert stvg_video(tube(1, 10), tube(11, 20)) == (0.0, 0.0)


def test_half_overlap_by_hand():
    # GT frames 1..10 (10 frames), prediction 6..10 (5 frames): ∩ = 6..10 (5), ∪ = 1..10 (10)
    # tIoU = 5/10 = 0.5. Boxes [0,0,10,10] vs [5,0,10,10]: inter 5*10 = 50, union 100+100-50 = 150,
    # IoU 1/3 in each of the 5 shared frames -> vIoU = 5 * (1/3) / 10 = 1/6
    t, v = stvg_video(tube(1, 10), tube(6, 10, box=[5, 0, 10, 10]))
    assert t == 0.5
    assert v == pytest.approx(1 / 6)


def test_partial_overlap_union_counts_both_sides():
    # GT 1..10, prediction 6..15: ∩ 6..10 = 5 frames, ∪ 1..15 = 15 frames -> tIoU = vIoU = 1/3
    t, v = stvg_video(tube(1, 10), tube(6, 15))
    assert t == pytest.approx(1 / 3) and v == pytest.approx(1 / 3)


def test_missing_box_contributes_zero():
    # GT span [1,4] but no GT box at frame 3; prediction boxes 1..4 identical.
    # tIoU = 4/4 = 1; per-frame IoU 1, 1, 0, 1 -> vIoU = 3/4
    t, v = stvg_video(tube(1, 4, skip=(3,)), tube(1, 4), gt_span=(1, 4))
    assert (t, v) == (1.0, 0.75)
    # same when the prediction is the one missing frame 3 (span defaults to its first/last frame)
    assert stvg_video(tube(1, 4), tube(1, 4, skip=(3,))) == (1.0, 0.75)


def test_explicit_spans_and_boxes_outside_span():
    # prediction boxes on 1..20 but its span is [5,10]; GT 1..10.
    # ∩ 5..10 = 6, ∪ 1..10 = 10 -> tIoU 0.6, vIoU 6 * 1 / 10 = 0.6 (boxes outside ignored)
    assert stvg_video(tube(1, 10), tube(1, 20), pred_span=(5, 10)) == (0.6, 0.6)
    # a single-frame span [s, s] has one frame: GT [3,3] vs prediction [3,4]: 1/2
    assert stvg_video(tube(1, 10), tube(1, 10), gt_span=(3, 3), pred_span=(3, 4)) == (0.5, 0.5)


def test_missing_prediction_counts_zero():
    pairs = [TubePair("a", tube(1, 10), tube(1, 10)),
             TubePair("b", tube(1, 10), None),
             ("c", tube(1, 10), Track(9, np.zeros(0, np.int64), np.zeros((0, 4))))]
    names, t, v = stvg_per_video(pairs)
    assert names == ["a", "b", "c"]
    np.testing.assert_array_equal(t, [1, 0, 0])
    m = stvg_metrics(pairs)
    assert m["m_tIoU"] == pytest.approx(100 / 3) and m["videos"] == 3.0


def test_viou_thresholds():
    # vIoU: 1/3 (>= 0.3, < 0.5), 0.75, 0 -> @0.3: 2/3, @0.5: 1/3; m_vIoU = (1/3 + 3/4) / 3
    pairs = [("x", tube(1, 10), tube(6, 15)),
             ("y", tube(1, 4, skip=(3,)), tube(1, 4), (1, 4)),
             ("z", tube(1, 10), tube(20, 30))]
    m = stvg_metrics(pairs)
    assert m["vIoU@0.3"] == pytest.approx(200 / 3)
    assert m["vIoU@0.5"] == pytest.approx(100 / 3)
    assert m["m_vIoU"] == pytest.approx(100 * (1 / 3 + 0.75) / 3)
    assert stvg_metrics([]) == {"m_tIoU": 0.0, "m_vIoU": 0.0, "vIoU@0.3": 0.0, "vIoU@0.5": 0.0, "videos": 0.0}


def test_bad_span_names_the_video():
    with pytest.raises(InputError, match="video 'v7'.*starts after it ends"):
        stvg_metrics([("v7", tube(1, 10), tube(1, 10), None, (8, 3))])
    with pytest.raises(InputError, match="video 'v8'"):
        stvg_video(tube(1, 10), tube(1, 10), gt_span=(5, 2), video="v8")
    with pytest.raises(InputError, match="no boxes and no span"):
        stvg_video(Track(1, np.zeros(0, np.int64), np.zeros((0, 4))), tube(1, 3), video="v9")


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 30), st.integers(0, 20), st.integers(1, 30), st.integers(0, 20),
       st.floats(-5, 5), st.floats(-5, 5))
def test_bounds_and_viou_le_tiou(g0, gl, p0, pl, dx, dy):
    gt, pred = tube(g0, g0 + gl), tube(p0, p0 + pl, box=[dx, dy, 10, 10])
    t, v = stvg_video(gt, pred)
    assert 0 <= v <= t + 1e-12 <= 1 + 1e-12
    assert stvg_video(pred, gt)[0] == t      # tIoU is symmetric
