"""Tracks of objects that enter or leave by a side of the frame (svag.track.sides)."""
from __future__ import annotations

import numpy as np
import pytest

from svag.core.types import Detections
from svag.errors import InputError
from svag.track import ByteTracker
from svag.track.sides import extend_at_sides

SIZE = (200, 100)


def _visible(left: float, width: float, y: float = 20.0, height: float = 50.0) -> list[float]:
    """The part of a box [left, y, width, height] inside a SIZE frame."""
    x0, x1 = max(left, 0.0), min(left + width, SIZE[0])
    return [x0, y, x1 - x0, height]


def _table(rows: dict[int, list[tuple[int, list[float]]]]) -> Detections:
    f, i, b = [], [], []
    for tid, seq in rows.items():
        for frame, box in seq:
            f.append(frame)
            i.append(tid)
            b.append(box)
    return Detections(np.array(f), np.array(i), np.array(b, float), scores=np.full(len(f), 0.9), num_frames=60)


def test_an_entering_object_is_followed_back_to_where_it_is_first_in_view():
    # a 20-wide object whose left edge is at -20 + 2 (t - 10): in view from frame 11 on; the
    # detector finds it once 8 pixels are in view (frame 14); its first box is a head only
    seq = [(t, _visible(-20 + 2 * (t - 10), 20)) for t in range(14, 40)]
    seq[0] = (14, [0.0, 20.0, 8.0, 20.0])
    out = extend_at_sides(_table({1: seq}), SIZE, fps=10)
    first = out.frames.min()
    assert first == 12                                       # 4 and 6 pixels in view; 2 (frame 11) < min_visible 3
    np.testing.assert_allclose(out.boxes[out.frames == 12][0], [0, 20, 4, 50])
    np.testing.assert_allclose(out.boxes[out.frames == 13][0], [0, 20, 6, 50])
    np.testing.assert_allclose(out.boxes[out.frames == 14][0], [0, 20, 8, 50])   # the head got its body
    assert out.scores[out.frames == 12][0] == 0.9
    # order: by frame, then id; boxes past the entry are untouched
    assert np.all(np.diff(out.frames) >= 0)
    np.testing.assert_allclose(out.boxes[out.frames == 30][0], _visible(20, 20))
    # min_visible 1 reaches frame 11 (2 pixels), max_s caps the added time
    assert extend_at_sides(_table({1: seq}), SIZE, fps=10, min_visible=1).frames.min() == 11
    assert extend_at_sides(_table({1: seq}), SIZE, fps=10, min_visible=1, max_s=0.1).frames.min() == 13


def test_a_first_box_grown_at_the_side_is_given_the_lines_depth():
    # the demo's car: 2 pixels in view at its first frame, but the blob there is 9 wide
    seq = [(t, _visible(-40 + 3 * (t - 6) + 2, 40, 60, 24)) for t in range(6, 30)]
    seq[0] = (6, [0.0, 60.0, 9.0, 24.0])
    out = extend_at_sides(_table({2: seq}), SIZE, fps=25)
    np.testing.assert_allclose(out.boxes[out.frames == 6][0], [0, 60, 2, 24])
    assert out.frames.min() == 6                    # nothing before: 2 - 3 < min_visible


def test_a_leaving_object_is_followed_forward_at_the_right_side():
    # a 30-wide object whose left edge is at 150 + 3 (t - 1): it touches the right side (200) from
    # frame 8 and is found while at least 8 pixels of it are in view (up to frame 15)
    seq = [(t, _visible(150 + 3 * (t - 1), 30)) for t in range(1, 60) if 200 - (150 + 3 * (t - 1)) >= 8]
    last = seq[-1][0]
    out = extend_at_sides(_table({7: seq}), SIZE, fps=10)
    added = out.frames[out.frames > last]
    assert len(added) >= 1
    for f in added:
        box = out.boxes[out.frames == f][0]
        assert box[0] + box[2] == pytest.approx(200)                     # against the right side
        assert box[2] == pytest.approx(200 - (150 + 3 * (f - 1)))       # as deep as the object is in view
        assert box[2] >= 3


def test_objects_that_stand_at_a_side_sit_in_a_corner_or_start_inside_are_left_alone():
    standing = [(t, [0.0, 20.0, 12.0, 50.0]) for t in range(10, 40)]
    corner = [(t, [0.0, 0.0, 10.0 + t, 30.0]) for t in range(10, 40)]
    inside = [(t, [50.0 + t, 20.0, 20.0, 50.0]) for t in range(10, 40)]
    going_out = [(t, _visible(20 - 2 * (t - 10), 20)) for t in range(10, 40) if 20 - 2 * (t - 10) + 20 >= 8]
    table = _table({1: standing, 2: corner, 3: inside})
    out = extend_at_sides(table, SIZE, fps=10)
    assert out is table
    # an object that leaves by the left side is followed forward, never back before its first box
    out = extend_at_sides(_table({4: going_out}), SIZE, fps=10)
    assert out.frames.min() == 10 and out.frames.max() > going_out[-1][0]


def test_extend_at_sides_input_errors_and_the_trackers_option():
    with pytest.raises(InputError, match="fps > 0"):
        extend_at_sides(_table({1: [(1, [0, 0, 5, 5])]}), SIZE, fps=0)
    with pytest.raises(InputError, match="min_fit >= 2"):
        extend_at_sides(_table({1: [(1, [0, 0, 5, 5])]}), SIZE, fps=10, min_fit=1)
    for bad in ({"sides": -1}, {"side_track_s": -0.5}, {"frame_size": (640, 0)}):
        with pytest.raises(InputError, match="sides|frame_size"):
            ByteTracker(**bad).reset()
    # ByteTracker extends only with the frame size known (track_video gives it)
    seq = [(t, _visible(-20 + 2 * (t - 10), 20)) for t in range(14, 40)]

    def run(**kw):
        tr = ByteTracker(fps=10, fuse_score=False, box_output="detection", **kw)
        tr.reset()
        boxes = dict(seq)
        for f in range(1, 41):
            b = np.array([boxes[f]]) if f in boxes else np.zeros((0, 4))
            tr.update(f, b, np.full(len(b), 0.9))
        return tr.finalize()
    assert run(sides=1.5).frames.min() == 14
    assert run(sides=1.5, frame_size=SIZE).frames.min() == 12
    assert run(frame_size=SIZE).frames.min() == 14


def test_short_tracks_that_come_in_or_go_out_at_a_side_are_kept():
    from svag.track.stitch import drop_short_tracks
    # 1: 12 frames, comes in at the left side; 2: 12 frames in the middle; 3: 5 frames, goes out
    # at the right side; 4: 40 frames in the middle
    rows = {1: [(t, _visible(-10 + 3 * (t - 20), 20)) for t in range(20, 32)],
            2: [(t, [80.0, 20.0, 20.0, 40.0]) for t in range(20, 32)],
            3: [(t, _visible(170 + 3 * (t - 50), 20)) for t in range(50, 55)],
            4: [(t, [40.0, 20.0, 20.0, 40.0]) for t in range(1, 41)]}
    table = _table(rows)
    assert set(drop_short_tracks(table, 30).ids.tolist()) == {4}
    assert set(drop_short_tracks(table, 30, size=SIZE).ids.tolist()) == {1, 3, 4}
    assert set(drop_short_tracks(table, 30, size=SIZE, side_frames=10).ids.tolist()) == {1, 4}
    tr = ByteTracker(fps=10, min_track_s=3.0, side_track_s=1.0, frame_size=SIZE, fuse_score=False)
    tr.reset()
    for f in range(1, 61):
        b = np.array([box for tid in (1, 2, 3) for fr, box in rows[tid] if fr == f]).reshape(-1, 4)
        tr.update(f, b, np.full(len(b), 0.9))
    kept = tr.finalize()
    assert len(np.unique(kept.ids)) == 1 and kept.frames.min() <= 20       # the one that came in
    assert ByteTracker(fps=10, min_track_s=3.0, side_track_s=1.0).frame_size is None


def test_random_tracks_keep_one_box_per_frame_inside_the_frame():
    rng = np.random.default_rng(0)
    for _ in range(200):
        f, i, b = [], [], []
        for tid in range(int(rng.integers(1, 6))):
            start, length = int(rng.integers(1, 50)), int(rng.integers(1, 40))
            x0, v, w, h, y = rng.uniform(-30, 230), rng.normal(0, 4), rng.uniform(2, 60), rng.uniform(5, 80), rng.uniform(-10, 90)
            for k in range(length):
                box = np.array([[x0 + v * k, y, w, h]])
                x0_, y0_ = np.maximum(box[0, :2], 0)
                x1_, y1_ = np.minimum(box[0, :2] + box[0, 2:], SIZE)
                if x1_ > x0_ and y1_ > y0_:
                    f.append(start + k)
                    i.append(tid + 1)
                    b.append([x0_, y0_, x1_ - x0_, y1_ - y0_])
        if not f:
            continue
        table = Detections(np.array(f), np.array(i), np.array(b), scores=np.ones(len(f)), num_frames=120)
        out = extend_at_sides(table, SIZE, fps=float(rng.choice([7, 10, 25, 30])))
        assert len(set(zip(out.frames.tolist(), out.ids.tolist()))) == len(out)
        assert (out.boxes[:, 2:] >= 0).all() and (out.boxes[:, :2] >= 0).all()
        assert (out.boxes[:, 0] + out.boxes[:, 2] <= SIZE[0] + 1e-9).all()
        assert (out.boxes[:, 1] + out.boxes[:, 3] <= SIZE[1] + 1e-9).all()
        assert out.frames.min() >= 1 and out.frames.max() <= 120
        assert set(out.ids.tolist()) == set(table.ids.tolist())
