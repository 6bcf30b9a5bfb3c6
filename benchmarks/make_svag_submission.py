"""Generate a benchmark-sized SVAG ground truth and prediction (SVAG-Bench validation scale).

About 1,800 queries over three datasets (OVIS-like short videos, MOT17- and MOT20-like long
ones), videos of 15 to 3,300 frames, 1 to 6 ground-truth tracks per query. Predictions are noisy
copies of the ground truth: jittered boxes, missed and fragmented tracks, identity switches,
false tracks, shifted windows with scores, several windows per track.

    python benchmarks/make_svag_submission.py OUT_DIR [--seed 0] [--scale 1.0]
"""
from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

import numpy as np

DATASETS = (("OVIS", 900, (15, 500)), ("MOT17", 500, (300, 1500)), ("MOT20", 430, (400, 3300)))


def _walk(rng: np.random.Generator, n: int, w: int, h: int) -> np.ndarray:
    size = rng.uniform(20, 200, 2)
    start = rng.uniform([0, 0], [w - size[0], h - size[1]])
    steps = rng.normal(0, 2.0, (n, 2)).cumsum(axis=0)
    xy = np.clip(start + steps, 0, [w - size[0], h - size[1]])
    scale = np.exp(rng.normal(0, 0.005, n).cumsum())[:, None]
    return np.column_stack([xy, size[None, :] * scale])


def _windows(rng: np.random.Generator, first: int, last: int, k: int) -> list[list[int]]:
    cuts = np.sort(rng.choice(np.arange(first, last + 1), size=min(2 * k, last - first + 1), replace=False))
    return [[int(cuts[i]), int(cuts[i + 1])] for i in range(0, len(cuts) - 1, 2)] or [[first, last]]


def _spatial(frames: np.ndarray, boxes: np.ndarray, length: int, decimals: int | None) -> list:
    out: list = [None] * length
    vals = np.round(boxes, decimals) if decimals is not None else np.round(boxes).astype(int)
    for f, b in zip(frames.tolist(), vals.tolist()):
        out[f - 1] = b
    return out


def make(seed: int = 0, scale: float = 1.0) -> tuple[dict, dict]:
    rng = np.random.default_rng(seed)
    gt_sets, pred_sets = [], []
    qid = 1
    for name, n_queries, (lo, hi) in DATASETS:
        gq, pq = [], []
        n_videos = max(1, int(n_queries * scale) // 6)
        lengths = np.exp(rng.uniform(np.log(lo), np.log(hi), n_videos)).astype(int)
        for i in range(int(n_queries * scale)):
            v = i % n_videos
            length = int(lengths[v])
            w, h = (1280, 720) if name == "OVIS" else (1920, 1080)
            gt_tracks, pred_tracks = [], []
            pid = 100
            for t in range(int(rng.integers(1, 7))):
                first = int(rng.integers(1, max(2, length // 2)))
                last = int(rng.integers(min(length, first + 4), length + 1))
                frames = np.arange(first, last + 1)
                boxes = _walk(rng, len(frames), w, h)
                wins = _windows(rng, first, last, int(rng.integers(1, 4)))
                in_win = np.zeros(len(frames), bool)
                for s, e in wins:
                    in_win |= (frames >= s) & (frames <= e)
                gt_tracks.append({"track_id": t + 1, "spatial": _spatial(frames[in_win], boxes[in_win], length, None),
                                  "temporal": wins})
                if rng.random() < 0.15:  # missed track
                    continue
                jitter = boxes + rng.normal(0, 0.04, boxes.shape) * boxes[:, [2, 3, 2, 3]]
                jitter[:, 2:] = np.maximum(jitter[:, 2:], 2)
                cut = int(rng.integers(1, len(frames))) if rng.random() < 0.2 and len(frames) > 2 else len(frames)
                for part in (slice(0, cut), slice(cut, len(frames))):
                    if part.start >= part.stop:
                        continue
                    n_win = int(rng.integers(1, 11))
                    pw = []
                    for _ in range(n_win):
                        s, e = wins[int(rng.integers(len(wins)))]
                        s2 = s - 1 + rng.normal(0, 3)
                        e2 = e + rng.normal(0, 3)
                        pw.append([round(float(min(s2, e2)), 1), round(float(max(s2, e2)), 1),
                                   round(float(rng.random()), 4)])
                    pred_tracks.append({"track_id": pid, "spatial": _spatial(frames[part], jitter[part], length, 2),
                                        "temporal": pw})
                    pid += 1
            if rng.random() < 0.3:  # a false track
                first = int(rng.integers(1, length))
                frames = np.arange(first, min(length, first + int(rng.integers(5, 200))) + 1)
                pred_tracks.append({"track_id": pid, "spatial": _spatial(frames, _walk(rng, len(frames), w, h), length, 2),
                                    "temporal": [[float(first), float(frames[-1]), 0.1]]})
            query = {"query_id": qid, "query": f"{name} query {qid}", "video_id": v,
                     "video_name": f"{name.lower()}-{v:04d}", "video_length": length}
            gq.append({**query, "tracks": gt_tracks})
            pq.append({**query, "tracks": pred_tracks})
            qid += 1
        gt_sets.append({"name": name, "queries": gq})
        pred_sets.append({"name": name, "queries": pq})
    return {"datasets": gt_sets}, {"datasets": pred_sets}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the query count")
    args = ap.parse_args()
    gt, pred = make(args.seed, args.scale)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, obj in (("gt.json.gz", gt), ("pred.json.gz", pred)):
        with gzip.open(args.out / name, "wt") as fh:
            json.dump(obj, fh, separators=(",", ":"))
    n = sum(len(d["queries"]) for d in gt["datasets"])
    print(f"wrote {args.out}/gt.json.gz and pred.json.gz: {n} queries")


if __name__ == "__main__":
    main()
