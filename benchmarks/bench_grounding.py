"""Grounding benchmark: speed on the real PETS09 video and accuracy on SVAG-Bench MOT17.

1. `svag ground ../shared/data/video/pets09-s2l1.avi "a person walks to the left" --render out.mp4`
   in a fresh process (model loading, decoding, detection, tracking, grounding and rendering
   included), with the frames per second of each stage; real time is 79.5 s (795 frames, 10 fps).
2. Ground every query of the SVAG-Bench MOT17 training annotations (ground truth built with
   `svag data build`) over the real tracker's tracks and over oracle tracks, with the trivial
   baselines and the kinematic grounder; HOTA, mIoU and m-HIoU per video under the official and
   the strict protocol.

    python benchmarks/bench_grounding.py [--skip-video]
Writes benchmarks/results/grounding.json.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = Path(os.environ.get("SVAG_SHARED_DATA", REPO.parent / "shared" / "data"))
TRACKER = "20221127_result_auginput17dim_finethresh_wodist_onefut"
GROUNDERS = ("kinematic",)


def video_run() -> dict:
    video = DATA / "video" / "pets09-s2l1.avi"
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "svag.cli.main", "ground", str(video), "a person walks to the left",
               "--render", f"{tmp}/out.mp4", "--out", f"{tmp}/pred.json", "--no-cache", "--no-progress"]
        start = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True)
        total = time.perf_counter() - start
    speed = next((ln for ln in out.stdout.splitlines() if ln.startswith("speed:")), "")
    stages = {p.split()[0]: float(p.split()[1]) for p in speed.replace("speed:", "").split(",") if p.strip()}
    return {"seconds": total, "real_time_s": 79.5, "x_real_time": 79.5 / total, "stage_fps": stages}


def accuracy() -> dict:
    from svag.run.bench import run_benchmark
    from svag.data.build import build_ground_truth
    gt, _ = build_ground_truth(DATA / "svag" / "original" / "MOT17-training.json", DATA / "mot", "MOT17")
    out = {}
    for label, tracks in (("tracker", DATA / "trackers" / TRACKER), ("oracle", None)):
        runs = run_benchmark(gt, DATA / "mot", tracks_dir=tracks, grounders=GROUNDERS)
        out[label] = {r.name: {"seconds": r.seconds, "scores": r.scores} for r in runs}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skip-video", action="store_true")
    args = ap.parse_args()
    result: dict = {}
    if not args.skip_video:
        result["pets_video"] = v = video_run()
        print(f"PETS09 video, 795 frames: {v['seconds']:.1f} s end to end ({v['x_real_time']:.1f}x real time); "
              "stage fps: " + ", ".join(f"{k} {x:.0f}" for k, x in v["stage_fps"].items()))
    result["mot17"] = acc = accuracy()
    keys = ("HOTA", "DetA", "mIoU", "m-HIoU")
    for label, runs in acc.items():
        for protocol in ("svag", "svag-strict"):
            print(f"\nMOT17 training, {label} tracks, protocol {protocol}")
            videos = list(next(iter(runs.values()))["scores"][protocol])
            print(f"{'grounder':14} {'video':9} " + " ".join(f"{k:>7}" for k in keys))
            for name, r in runs.items():
                for vname in videos:
                    vals = r["scores"][protocol][vname]
                    print(f"{name:14} {vname:9} " + " ".join(f"{vals[k]:7.2f}" for k in keys))
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "grounding.json").write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
