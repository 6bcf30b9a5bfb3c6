"""The offline default (motion detector -> ByteTrack -> kinematic grounder) on a `svag synth`
seed never used to choose its settings (issue #13): its grounding HOTA next to the same
grounder's over the true tracks, and no person query answered with a car."""
from __future__ import annotations

from pathlib import Path

import numpy as np

HELD_OUT_SEED = 4242          # settings were chosen on seeds 1 and 11; 4242 and 777 were held out


def test_pixel_pipeline_on_held_out_synthetic_videos(tmp_path: Path):
    from svag.core.boxes import iou_matrix
    from svag.eval.svag_protocol import evaluate_svag
    from svag.ground.categories import category_group
    from svag.io.mot import read_mot_gt
    from svag.io.svag_json import read_svag
    from svag.pipeline import GroundConfig, QuerySpec, VideoGrounder, to_prediction
    from svag.run.bench import true_scene
    from svag.synth import generate_benchmark

    generate_benchmark(tmp_path, videos=2, frames=300, size=(640, 360), seed=HELD_OUT_SEED)
    gt = read_svag(tmp_path / "gt.json", "gt")
    vg = VideoGrounder(GroundConfig(cache_dir=""))
    pixels, true = [], []
    cars_returned = []
    for video in sorted({q.video_name for d in gt for q in d}):
        queries = [q for d in gt for q in d if q.video_name == video]
        texts = [q.text for q in queries]
        specs = [QuerySpec.of(q) for q in queries]
        found = vg.ground(vg.prepare(tmp_path / video, progress=False), texts)
        pixels += zip(specs, found)
        true += zip(specs, vg.ground(true_scene(tmp_path / video), texts))
        truth = read_mot_gt(tmp_path / video / "gt" / "gt.txt")
        car = truth.classes == 3
        for res in found:
            if category_group(res.query.category) != "person":
                continue
            for g in res.groundings:
                on_car = [bool((m := car & (truth.frames == f)).any() and iou_matrix(b[None], truth.boxes[m]).max() >= 0.5)
                          for f, b in zip(g.track.frames, g.track.boxes)]
                if np.mean(on_car) > 0.5:
                    cars_returned.append((video, res.query.text, g.track.track_id))
    name = gt.datasets[0].name
    hota_pixels = evaluate_svag(gt, to_prediction(name, pixels)).mean["HOTA"]
    hota_true = evaluate_svag(gt, to_prediction(name, true)).mean["HOTA"]
    assert cars_returned == []
    # 0.68 here since session 10 (37.01 / 54.07; 0.49 when this test was written); the issue's
    # target, 0.8, is not reached yet. The bound guards what was reached, with room for encoders
    assert hota_pixels >= 0.62 * hota_true, (hota_pixels, hota_true)


# ---- benchmarks/diag_pixels.py: the oracles that mend pixel tracks with the ground truth ------------------

def _diag():
    from scripts import load_script
    return load_script(Path(__file__).resolve().parents[1] / "benchmarks" / "diag_pixels.py")


def test_diag_oracles_mend_a_swap_and_the_boxes_of_one_kind():
    """Two pixel tracks that swap actors at frame 3 (a person, id 1; a car, id 2), a third
    pixel box on nothing: ``ids`` re-cuts the tracks by actor, ``boxes`` takes the true boxes,
    ``boxes:person`` only the person's; unmatched boxes stay where they were."""
    from svag.core.types import Track
    diag = _diag()
    person = lambda f: [10.0 + f, 20.0, 10.0, 30.0]      # noqa: E731
    car = lambda f: [100.0 - f, 40.0, 40.0, 16.0]        # noqa: E731
    gt = np.array([[f, 1, *person(f), 1, 1, 1.0] for f in range(1, 5)]
                  + [[f, 2, *car(f), 1, 3, 0.6] for f in range(1, 5)])
    shift = np.array([1.0, 1.0, 0.0, 0.0])              # pixel boxes: one pixel off (IoU > 0.8)
    a = Track(7, [1, 2, 3, 4], [np.add(person(1), shift), np.add(person(2), shift),
                                np.add(car(3), shift), np.add(car(4), shift)])
    b = Track(8, [1, 2, 3, 4], [np.add(car(1), shift), np.add(car(2), shift),
                                np.add(person(3), shift), np.add(person(4), shift)])
    stray = Track(9, [2], [[300.0, 300.0, 5.0, 5.0]])
    tracks = [a, b, stray]
    matched = diag.match_boxes(tracks, gt, 0.3)
    assert matched[(7, 1)][0] == 1 and matched[(7, 3)][0] == 2 and (9, 2) not in matched

    ids = diag.mend(tracks, matched, "ids")
    cut = sorted((t.frames.tolist(), t.boxes[:, 0].tolist()) for t in ids)
    assert cut == sorted([([1, 2, 3, 4], [person(f)[0] + 1 for f in range(1, 5)]),
                          ([1, 2, 3, 4], [car(f)[0] + 1 for f in range(1, 5)]),
                          ([2], [300.0])])

    boxes = diag.mend(tracks, matched, "boxes")
    assert np.array_equal(boxes[0].boxes, np.array([person(1), person(2), car(3), car(4)]))
    assert np.array_equal(boxes[2].boxes, stray.boxes)
    only = diag.mend(tracks, matched, "boxes:person")
    assert np.array_equal(only[0].boxes[:2], np.array([person(1), person(2)]))
    assert np.array_equal(only[0].boxes[2:], a.boxes[2:])                 # the car keeps its pixel boxes
    hidden = diag.mend(tracks, matched, "boxes:hidden")                   # the car is partly hidden (0.6)
    assert np.array_equal(hidden[1].boxes[:2], np.array([car(1), car(2)]))
    assert np.array_equal(hidden[1].boxes[2:], b.boxes[2:])
    both = diag.mend(tracks, matched, "ids+boxes")
    assert sorted(t.boxes[0, 0] for t in both) == sorted([person(1)[0], car(1)[0], 300.0])


def test_diag_edge_oracles_take_only_the_named_sides_of_people():
    """``sides:person`` takes a person's true left and right sides and keeps the pixel box's top
    and bottom; ``bottom:person`` only the feet's row, ``top:person`` only the head's; a car's
    box is never touched."""
    from svag.core.types import Track
    diag = _diag()
    gt = np.array([[1, 1, 10.0, 20.0, 10.0, 30.0, 1, 1, 1.0],       # person: x 10-20, y 20-50
                   [1, 2, 100.0, 40.0, 40.0, 16.0, 1, 3, 1.0]])    # car
    person = Track(5, [1], [[11.0, 22.0, 8.0, 24.0]])              # x 11-19, y 22-46: IoU 0.64
    car = Track(6, [1], [[101.0, 41.0, 38.0, 14.0]])
    matched = diag.match_boxes([person, car], gt, 0.3)
    sides, bottom, top = (diag.mend([person, car], matched, o) for o in ("sides:person", "bottom:person", "top:person"))
    assert sides[0].boxes[0].tolist() == [10.0, 22.0, 10.0, 24.0]      # x 10-20, rows as found
    assert bottom[0].boxes[0].tolist() == [11.0, 22.0, 8.0, 28.0]      # feet at row 50
    assert top[0].boxes[0].tolist() == [11.0, 20.0, 8.0, 26.0]         # head at row 20, feet kept at 46
    for mended in (sides, bottom, top):
        assert mended[1].boxes[0].tolist() == car.boxes[0].tolist()


def test_seed_panel_summaries_by_hand():
    """benchmarks/seed_panel.py: the mean and its standard error, and paired differences on the
    seeds two runs share."""
    from scripts import load_script
    panel = load_script(Path(__file__).resolve().parents[1] / "benchmarks" / "seed_panel.py")
    m, se = panel.mean_se([1.0, 2.0, 3.0])
    assert m == 2.0 and abs(se - (1 / 3) ** 0.5) < 1e-12
    assert panel.mean_se([5.0]) == (5.0, 0.0)
    new = [{"seed": 1, "pixels": 40.0}, {"seed": 2, "pixels": 31.0}, {"seed": 3, "pixels": 10.0}]
    old = [{"seed": 2, "pixels": 30.0}, {"seed": 1, "pixels": 41.0}]
    diffs, dm, dse = panel.paired(new, old)
    assert diffs == [(1, -1.0), (2, 1.0)] and dm == 0.0 and abs(dse - 1.0) < 1e-12

