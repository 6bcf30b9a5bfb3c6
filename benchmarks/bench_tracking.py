"""Tracking quality and speed: ByteTrack on public detections, and the pixel pipeline on PETS09.

1. Public detections: ``det/det.txt`` of PETS09-S2L1, TUD-Campus and TUD-Stadtmitte (MOT15, scores
   0-100, normalised by the ``mot`` detector), tracked with the default ``bytetrack`` settings
   (frame rate from ``seqinfo.ini``) and scored by ``evaluate_mot`` against the MOT15 gt.
2. Pixel pipeline: decode -> default detector (``motion``) -> ``bytetrack`` on the PETS09-S2L1
   video (795 frames, 768x576, 10 fps), scored the same way, with frames per second per stage
   (best of ``--repeat`` runs) and the detector's own precision/recall at IoU 0.5.
3. For comparison, the ``hog`` detector on every ``--hog-every``-th frame (speed, precision/recall).

Prints a table and writes ``benchmarks/results/tracking.json``.

    python benchmarks/bench_tracking.py [--data ../shared/data] [--repeat 3] [--hog-every 20]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from svag.core.boxes import iou_matrix
from svag.core.types import Detections
from svag.detect import DEFAULT_DETECTOR, build_detector, read_detections
from svag.eval.mot_protocol import evaluate_mot
from svag.io.mot import read_mot_gt, read_seqinfo, write_mot
from svag.track import build_tracker, track_detections
from svag.track.pipeline import track_video
from svag.video.reader import open_video

HERE = Path(__file__).resolve().parent
PUBLIC_SEQS = ("PETS09-S2L1", "TUD-Campus", "TUD-Stadtmitte")
METRICS = ("HOTA", "IDF1", "MOTA", "IDSW", "DetA", "AssA")
TARGETS = {"HOTA": 45.0, "IDF1": 55.0}
REALTIME_FACTOR = 4.0


def default_data_dir() -> Path:
    return Path(os.environ.get("SVAG_SHARED_DATA", HERE.parent.parent / "shared" / "data"))


def score(gt_seq: Path, tracks: Detections, name: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.txt"
        write_mot(path, tracks)
        fields = evaluate_mot(gt_seq, path).datasets[name]
    return {k: fields[k] for k in METRICS}


def detection_pr(gt: Detections, dets: Detections, frames: np.ndarray, iou: float = 0.5) -> dict[str, float]:
    """Precision and recall of a detector at one IoU threshold over the given frames."""
    tp = n_det = n_gt = 0
    keep_gt = gt.consider if gt.consider is not None else np.ones(len(gt), bool)
    for f in frames:
        g = gt.boxes[(gt.frames == f) & keep_gt]
        d = dets.boxes[dets.frames == f]
        n_det, n_gt = n_det + len(d), n_gt + len(g)
        if len(g) and len(d):
            m = iou_matrix(g, d)
            r, c = linear_sum_assignment(-m)
            tp += int((m[r, c] >= iou).sum())
    return {"precision": tp / n_det if n_det else 0.0, "recall": tp / n_gt if n_gt else 0.0,
            "detections": n_det, "gt_boxes": n_gt}


def public_detections(data: Path) -> dict[str, dict[str, float]]:
    out = {}
    for seq in PUBLIC_SEQS:
        folder = data / "mot" / seq
        info = read_seqinfo(folder)
        dets = read_detections(folder / "det" / "det.txt")
        tracker = build_tracker("bytetrack", fps=info.frame_rate)
        t0 = time.perf_counter()
        tracks = track_detections(tracker, dets, info.length)
        seconds = time.perf_counter() - t0
        out[seq] = {**score(folder, tracks, seq), "track_fps": info.length / seconds,
                    "fps_used": info.frame_rate, "tracks": int(len(np.unique(tracks.ids)))}
    return out


def pixel_pipeline(data: Path, repeat: int) -> dict[str, object]:
    video = data / "video" / "pets09-s2l1.avi"
    gt_seq = data / "mot" / "PETS09-S2L1"
    runs = [track_video(video) for _ in range(repeat)]
    best = min(runs, key=lambda r: sum(r.timings.seconds.values()))
    gt = read_mot_gt(gt_seq / "gt" / "gt.txt")
    n = best.timings.frames
    duration = best.info.duration or n / (best.info.fps or 10.0)
    total = sum(best.timings.seconds.values())
    return {"detector": DEFAULT_DETECTOR, "video": str(video), "frames": n, "video_fps": best.info.fps,
            **score(gt_seq, best.tracks, "PETS09-S2L1"),
            "detection@0.5": detection_pr(gt, best.detections, np.arange(1, n + 1)),
            "timings": best.timings.to_json(), "realtime_factor": duration / total,
            "all_runs_total_s": [sum(r.timings.seconds.values()) for r in runs]}


def hog_sample(data: Path, every: int) -> dict[str, object]:
    gt = read_mot_gt(data / "mot" / "PETS09-S2L1" / "gt" / "gt.txt")
    det = build_detector("hog")
    det.reset()
    frames, boxes, scores, seconds = [], [], [], 0.0
    for frame in open_video(data / "video" / "pets09-s2l1.avi", stride=every):
        t0 = time.perf_counter()
        found = det.detect(frame)
        seconds += time.perf_counter() - t0
        frames.append(np.full(len(found), frame.index))
        boxes.append(found.boxes)
        scores.append(found.scores)
    table = Detections(np.concatenate(frames), np.full(sum(map(len, frames)), -1), np.concatenate(boxes),
                       scores=np.concatenate(scores))
    sampled = np.arange(1, 796, every)
    return {"frames": len(sampled), "detect_fps": len(sampled) / seconds,
            "detection@0.5": detection_pr(gt, table, sampled)}


def print_table(result: dict[str, object]) -> None:
    print(f"{'ByteTrack, public det':<24}" + "".join(f"{m:>8}" for m in METRICS) + f"{'fps':>9}")
    for seq, row in result["public"].items():  # type: ignore[attr-defined]
        print(f"{seq:<24}" + "".join(f"{row[m]:>8.2f}" if m != "IDSW" else f"{int(row[m]):>8d}" for m in METRICS)
              + f"{row['track_fps']:>9.0f}")
    pix = result["pixel"]
    print(f"\npixel pipeline, {pix['detector']} + bytetrack on PETS09-S2L1 video ({pix['frames']} frames)")  # type: ignore[index]
    print(f"{'PETS09-S2L1 (video)':<24}" + "".join(f"{pix[m]:>8.2f}" if m != "IDSW" else f"{int(pix[m]):>8d}"  # type: ignore[index]
                                             for m in METRICS))
    d = pix["detection@0.5"]  # type: ignore[index]
    print(f"detector alone @IoU0.5: precision {d['precision']:.3f} recall {d['recall']:.3f}")
    t = pix["timings"]  # type: ignore[index]
    print("stage    seconds      fps")
    for stage, sec in t["seconds"].items():
        print(f"{stage:<8}{sec:>8.2f}{t['fps'][stage]:>9.0f}")
    print(f"{'total':<8}{sum(t['seconds'].values()):>8.2f}{t['fps']['total']:>9.0f}   "
          f"= {pix['realtime_factor']:.1f}x real time (target >= {REALTIME_FACTOR:g}x)")  # type: ignore[index]
    if "hog" in result:
        h = result["hog"]
        print(f"hog (every {result['hog_every']}th frame, {h['frames']} frames): {h['detect_fps']:.1f} fps, "  # type: ignore[index]
              f"precision {h['detection@0.5']['precision']:.3f} recall {h['detection@0.5']['recall']:.3f}")  # type: ignore[index]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=default_data_dir(), help="the shared data pack")
    ap.add_argument("--repeat", type=int, default=3, help="pixel pipeline runs (best time is reported)")
    ap.add_argument("--hog-every", type=int, default=20, help="HOG on every n-th frame (0: skip)")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "tracking.json")
    args = ap.parse_args()
    result: dict[str, object] = {"python": sys.version.split()[0], "machine": platform.machine(),
                                 "cpus": os.cpu_count(), "targets": TARGETS}
    result["public"] = public_detections(args.data)
    result["pixel"] = pixel_pipeline(args.data, args.repeat)
    if args.hog_every:
        result["hog"] = hog_sample(args.data, args.hog_every)
        result["hog_every"] = args.hog_every
    pets = result["public"]["PETS09-S2L1"]  # type: ignore[index]
    result["targets_met"] = {"HOTA": pets["HOTA"] >= TARGETS["HOTA"], "IDF1": pets["IDF1"] >= TARGETS["IDF1"],
                             "realtime": result["pixel"]["realtime_factor"] >= REALTIME_FACTOR}  # type: ignore[index]
    print_table(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
