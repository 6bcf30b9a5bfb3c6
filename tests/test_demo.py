"""`svag demo` and the renderer: files kept in a named folder, readable labels (issue #13)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from svag.cli.demo_cmd import demo_folder
from svag.cli.main import main
from svag.errors import InputError
from svag.video.render import place_label


def test_demo_folder_is_new_and_named(tmp_path: Path):
    assert demo_folder(None, tmp_path) == tmp_path / "svag-demo"
    (tmp_path / "svag-demo").mkdir()
    assert demo_folder(None, tmp_path) == tmp_path / "svag-demo"           # empty: reused
    (tmp_path / "svag-demo" / "pred.json").write_text("{}")
    assert demo_folder(None, tmp_path) == tmp_path / "svag-demo-2"         # never overwritten
    with pytest.raises(InputError, match="not empty"):
        demo_folder(str(tmp_path / "svag-demo"))


def test_labels_do_not_cover_each_other():
    placed: list[tuple[int, int, int, int]] = []
    boxes = [np.array([100.0, 100, 30, 80]), np.array([105.0, 102, 30, 80]), np.array([110.0, 98, 30, 80])]
    for box in boxes:
        x, y = place_label(box, (60, 16), (640, 360), placed)
        assert 0 <= x <= 640 - 60 and 0 <= y <= 360 - 16
        assert not any(x < b[2] and b[0] < x + 60 and y < b[3] and b[1] < y + 16 for b in placed)
        placed.append((x, y, x + 60, y + 16))


def test_demo_end_to_end(tmp_path: Path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--frames", "150"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == f"rendered video: {out / 'grounded.mp4'}"             # the video path comes last
    assert (out / "grounded.mp4").stat().st_size > 0 and (out / "pred_true_tracks.json").is_file()
    assert any(ln.strip().startswith("true tracks") for ln in lines)
    pred = json.loads((out / "pred.json").read_text())
    for q in pred["datasets"][0]["queries"]:
        for t in q["tracks"]:
            spans = [tuple(w[:2]) for w in t["temporal"]]
            assert len(spans) == len(set(spans)), (q["query"], t["temporal"])   # no window twice
    _one_box_per_actor(out)


def _one_box_per_actor(out: Path) -> None:
    """Issue #13: the demo's pixel tracks, looked at frame by frame, put one box on each actor
    (IoU >= 0.5) on most of its frames, never two, and (almost) no box on nothing."""
    from svag.core.boxes import iou_matrix
    from svag.io.mot import read_mot_gt
    from svag.track.pipeline import track_video
    seq = out / "SYNTH-01"
    tracks = track_video(seq / "SYNTH-01.mp4").tracks
    gt = read_mot_gt(seq / "gt" / "gt.txt")
    for actor in np.unique(gt.ids):
        rows = np.flatnonzero(gt.ids == actor)
        boxes_on = np.array([(iou_matrix(gt.boxes[r][None], tracks.boxes[tracks.frames == gt.frames[r]]) >= 0.5).sum()
                             for r in rows])
        assert (boxes_on == 1).mean() >= 0.9 and boxes_on.max() <= 1, (actor, np.bincount(boxes_on))
    on_actor = [iou_matrix(b[None], gt.boxes[gt.frames == f]).max() >= 0.5 if (gt.frames == f).any() else False
                for f, b in zip(tracks.frames, tracks.boxes)]
    assert np.mean(on_actor) >= 0.9
