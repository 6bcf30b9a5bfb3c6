"""The pixel pipeline against what it would score with perfect detection and tracking.

1. Grounding: ``--videos`` `svag synth` videos (300 frames, 640x360, seed ``--seed``) are
   grounded from pixels (motion detector with categories -> ByteTrack -> kinematic grounder,
   colour pass when a query names a colour) and, with the same grounder, over the videos' true
   tracks (every actor, its true category). HOTA, mIoU and m-HIoU under the official and the
   strict protocol; the pixel/true HOTA ratio (target >= 0.8). Person queries that return a
   vehicle: a returned track whose boxes lie mostly on a true car (IoU >= 0.5 on most of its
   frames) counts as one (target 0).
2. Tracking from pixels: PETS09-S2L1 (795 frames, 19 people; scored against MOT15's gt) and the
   synthetic videos (every actor counts: their gt classes are set to 1), HOTA, IDF1, ID switches
   and the number of tracks; the PETS09 run's speed against real time (79.5 s).

    python benchmarks/bench_pixels.py [--videos 10] [--seed 11]
Prints a table and writes benchmarks/results/pixels.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("SVAG_SHARED_DATA", HERE.parent.parent / "shared" / "data"))
KEYS = ("HOTA", "mIoU", "m-HIoU")
TRACK_KEYS = ("HOTA", "IDF1", "IDSW", "DetA", "AssA")


def ground_video(seq: Path, queries: list, vg) -> tuple[list, list, object]:  # type: ignore[no-untyped-def]
    """Pixel and true-track groundings of ``queries`` on one synthetic sequence, and the pixel scene."""
    from svag.run.bench import true_scene
    scene = vg.prepare(seq, progress=False)      # colours are encoded from its frames when a query names one
    texts = [q.text for q in queries]
    return vg.ground(scene, texts), vg.ground(true_scene(seq), texts), scene


def vehicles_returned(results: list, seq: Path) -> list[dict]:
    """Returned tracks of person queries that are, in truth, a car (class 3)."""
    from svag.core.boxes import iou_matrix
    from svag.ground.categories import category_group
    from svag.io.mot import read_mot_gt
    gt = read_mot_gt(seq / "gt" / "gt.txt")
    cars = gt.classes == 3
    bad = []
    for res in results:
        if category_group(res.query.category) != "person":
            continue
        for g in res.groundings:
            t = g.track
            on_car = 0
            for f, box in zip(t.frames.tolist(), t.boxes):
                m = (gt.frames == f) & cars
                on_car += bool(m.any() and iou_matrix(box[None], gt.boxes[m]).max() >= 0.5)
            if on_car > 0.5 * len(t):
                bad.append({"video": seq.name, "query": res.query.text, "track": t.track_id, "category": t.category,
                            "category_score": t.category_score, "score": g.score})
    return bad


def mot_scores(gt_root: Path, tracks_root: Path) -> dict:
    from svag.eval.mot_protocol import evaluate_mot
    res = evaluate_mot(gt_root, tracks_root)
    return {"mean": {k: float(res.mean[k]) for k in TRACK_KEYS},
            "per_video": {n: {k: float(v[k]) for k in TRACK_KEYS} for n, v in res.datasets.items()}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--videos", type=int, default=10)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    from svag.core.types import Detections
    from svag.eval.svag_protocol import evaluate_svag
    from svag.io.mot import write_mot
    from svag.io.svag_json import read_svag
    from svag.pipeline import GroundConfig, QuerySpec, VideoGrounder, to_prediction
    from svag.run.bench import queries_by_video
    from svag.synth import generate_benchmark
    from svag.track.pipeline import track_video

    result: dict = {"videos": args.videos, "seed": args.seed}
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        t0 = time.perf_counter()
        generate_benchmark(tmp / "synth", videos=args.videos, frames=300, size=(640, 360), seed=args.seed)
        gt = read_svag(tmp / "synth" / "gt.json", "gt")
        print(f"generated {args.videos} synthetic videos in {time.perf_counter() - t0:.0f} s", flush=True)
        vg = VideoGrounder(GroundConfig(cache_dir=""))
        items_px, items_true, vehicles = [], [], []
        (tmp / "gt_all").mkdir()
        (tmp / "tracks").mkdir()
        for d in gt:
            for video, queries in sorted(queries_by_video(d).items()):
                seq = tmp / "synth" / video
                px, true, scene = ground_video(seq, queries, vg)
                specs = [QuerySpec.of(q) for q in queries]
                items_px += list(zip(specs, px))
                items_true += list(zip(specs, true))
                vehicles += vehicles_returned(px, seq)
                # tracking: every actor counts
                write_mot(tmp / "tracks" / f"{video}.txt", Detections.from_tracks(list(scene.tracks)))
                g = tmp / "gt_all" / video
                (g / "gt").mkdir(parents=True)
                shutil.copy(seq / "seqinfo.ini", g)
                rows = [ln.split(",") for ln in (seq / "gt" / "gt.txt").read_text().split()]
                (g / "gt" / "gt.txt").write_text("\n".join(",".join(r[:7] + ["1"] + r[8:]) for r in rows) + "\n")
        name = gt.datasets[0].name
        preds = {"pixels": to_prediction(name, items_px), "true tracks": to_prediction(name, items_true)}
        grounding = {label: {p: {k: float(evaluate_svag(gt, pred, protocol=p).mean[k]) for k in KEYS}
                             for p in ("svag", "svag-strict")} for label, pred in preds.items()}
        synth_tracking = mot_scores(tmp / "gt_all", tmp / "tracks")
        synth_tracking["tracks"] = int(sum(len(set(ln.split(",")[1] for ln in p.read_text().split()))
                                           for p in (tmp / "tracks").glob("*.txt")))
        synth_tracking["actors"] = int(sum(len(set(ln.split(",")[1] for ln in p.read_text().split()))
                                           for p in (tmp / "gt_all").glob("*/gt/gt.txt")))
        result["grounding"] = grounding
        result["hota_ratio"] = {p: grounding["pixels"][p]["HOTA"] / max(grounding["true tracks"][p]["HOTA"], 1e-9)
                                for p in ("svag", "svag-strict")}
        result["person_queries_returning_a_vehicle"] = vehicles
        result["synth_tracking"] = synth_tracking

        t0 = time.perf_counter()
        run = track_video(DATA / "video" / "pets09-s2l1.avi")
        secs = time.perf_counter() - t0
        (tmp / "pets").mkdir()
        write_mot(tmp / "pets" / "PETS09-S2L1.txt", run.tracks)
        pets = mot_scores(DATA / "mot" / "PETS09-S2L1", tmp / "pets")["mean"]
        pets.update({"tracks": int(len(np.unique(run.tracks.ids))), "people": 19, "seconds": secs,
                     "x_real_time": 79.5 / secs, "fps": run.timings.to_json()["fps"]})
        result["pets_tracking"] = pets

    print("\nGrounding on synthetic videos (same kinematic grounder, same queries)")
    print(f"{'tracks':14}{'protocol':14}" + "".join(f"{k:>9}" for k in KEYS))
    for p in ("svag", "svag-strict"):
        for label in preds:
            print(f"{label:14}{p:14}" + "".join(f"{grounding[label][p][k]:9.2f}" for k in KEYS))
    print(f"pixel / true HOTA: {result['hota_ratio']['svag']:.2f} (target >= 0.80); "
          f"person queries returning a vehicle: {len(vehicles)} (target 0)")
    for v in vehicles:
        print(f"  {v['video']} {v['query']!r}: track {v['track']} labelled {v['category']} "
              f"({v['category_score'] or 0:.2f})")
    print("\nTracking from pixels")
    print(f"{'video':14}" + "".join(f"{k:>9}" for k in TRACK_KEYS) + f"{'tracks':>9}{'actors':>9}")
    print(f"{'PETS09-S2L1':14}" + "".join(f"{pets[k]:9.2f}" for k in TRACK_KEYS) + f"{pets['tracks']:9d}{19:9d}")
    st = synth_tracking
    print(f"{'synthetic':14}" + "".join(f"{st['mean'][k]:9.2f}" for k in TRACK_KEYS)
          + f"{st['tracks']:9d}{st['actors']:9d}")
    print(f"PETS09 pixel pipeline (decode+detect+track): {pets['seconds']:.1f} s, {pets['x_real_time']:.1f}x real time")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "pixels.json").write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
