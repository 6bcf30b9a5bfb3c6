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
        specs = [QuerySpec(q.text, q.query_id, q.video_name, q.video_length, q.video_id) for q in queries]
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
    # 0.49 here (0.55 over five videos of this seed, 0.62 over five of seed 777); the target,
    # 0.8, is not reached yet
    assert hota_pixels >= 0.45 * hota_true, (hota_pixels, hota_true)
