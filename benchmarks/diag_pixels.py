"""Where the pixel pipeline loses against the true tracks: oracles, coverage and query kinds.

``bench_pixels.py`` says how far the pixel pipeline (motion detector -> ByteTrack -> kinematic
grounder) is from the same grounder over the true tracks; this script says where the difference
comes from, on ``--videos`` `svag synth` videos (300 frames, 640x360) of ``--seed``.

1. **Oracles.** The pixel tracks are mended with the videos' ground truth and grounded again by the
   same grounder (every variant, the unmended one included, over the true-track scene of the video,
   so only the tracks differ). Each pixel box is matched to at most one true box per frame
   (Hungarian on IoU, pairs under ``--match-iou`` refused):

   ========================  ==================================================================
   ``none``                  the pixel tracks as they are
   ``boxes``                 every matched pixel box takes its true box
   ``ids``                   every matched pixel box takes its true actor's identity (pixel
                             tracks are re-cut by actor; unmatched boxes stay on their track)
   ``ids+boxes``             both
   ``boxes:person`` (car,    the true boxes of actors of one kind only
   dog)
   ``boxes:full-view``       the true boxes of actors in full view only (visibility 1)
   ``boxes:hidden``          of partly or fully hidden actors only (visibility < 1)
   ``sides:person``          people's left and right sides from their true boxes, the rest of
                             each box (and every other box) as it is
   ``bottom:person``,        people's bottom (top) side only: the feet's (head's) row
   ``top:person``
   ========================  ==================================================================

2. **Coverage.** Every annotated box of the queries' actors inside their windows is counted once:
   covered (a returned track has a box at IoU >= 0.5 there, inside one of its windows), outside the
   returned windows, on a pixel track the query did not return, or with no pixel box at IoU >= 0.5
   at all; the last kind by cause (at a side of the frame; hidden by visibility; touching another
   actor's box; in full view and alone) and actor kind.
3. **Query kinds.** Per-query HOTA, pixels against true tracks, by the synth predicate family
   (``start``, ``turn``, ``enter``, ...) and by actor kind, with each one's share of the total loss.

    python benchmarks/diag_pixels.py [--seed 11] [--videos 10] [--keep DIR]

``--keep DIR`` keeps (and reuses) the generated videos there. Prints tables and writes
``benchmarks/results/diag_pixels_<seed>.json``. About a minute for 10 videos on 2 cores.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
KINDS = {1: "person", 3: "car", 14: "dog"}
PARTS = ("HOTA", "DetA", "AssA", "DetRe", "DetPr", "AssRe", "AssPr", "LocA")
ORACLES = ("none", "boxes", "ids", "ids+boxes", "boxes:person", "boxes:car", "boxes:dog",
           "boxes:full-view", "boxes:hidden", "sides:person", "bottom:person", "top:person")
EDGES = {"sides": (0, 2), "bottom": (3,), "top": (1,)}     # box edges (x0, y0, x1, y1) an edge oracle takes


def match_boxes(tracks: list, gt: np.ndarray, min_iou: float) -> dict:
    """(track id, frame) -> (true id, true box, class, visibility) for the pixel boxes matched one
    to one per frame (Hungarian on IoU) to the rows of a MOT ground truth ``gt``."""
    from scipy.optimize import linear_sum_assignment

    from svag.core.boxes import iou_matrix
    rows: dict[int, list] = defaultdict(list)
    for t in tracks:
        for k, f in enumerate(t.frames.tolist()):
            rows[f].append((t.track_id, t.boxes[k]))
    out = {}
    for f, items in rows.items():
        g = gt[gt[:, 0] == f]
        if not len(g):
            continue
        iou = iou_matrix(np.array([b for _, b in items]), g[:, 2:6])
        pi, gi = linear_sum_assignment(-iou)
        for a, b in zip(pi, gi):
            if iou[a, b] >= min_iou:
                out[(items[a][0], f)] = (int(g[b, 1]), g[b, 2:6], int(g[b, 7]), float(g[b, 8]))
    return out


def mend(tracks: list, matched: dict, oracle: str) -> list:
    """The pixel tracks mended by ``oracle`` (see the module docstring)."""
    from svag.core.boxes import xywh_to_xyxy
    from svag.core.types import Track
    if oracle == "none":
        return list(tracks)
    want = oracle.split(":")[1] if ":" in oracle else None

    edges = EDGES.get(oracle.split(":")[0])     # an edge oracle: only those edges, of one kind's boxes

    def takes_box(m: tuple) -> bool:
        if "boxes" not in oracle and edges is None:
            return False
        if want in ("person", "car", "dog"):
            return KINDS.get(m[2]) == want
        if want == "full-view":
            return m[3] >= 0.999
        if want == "hidden":
            return m[3] < 0.999
        return True

    def mended(box: np.ndarray, true: np.ndarray) -> np.ndarray:
        if edges is None:
            return true
        corners = xywh_to_xyxy(np.asarray(box, np.float64)[None])[0]
        corners[list(edges)] = xywh_to_xyxy(np.asarray(true, np.float64)[None])[0][list(edges)]
        return np.r_[corners[:2], corners[2:] - corners[:2]]

    if not oracle.startswith("ids"):
        out = []
        for t in tracks:
            b = t.boxes.astype(np.float64)
            for k, f in enumerate(t.frames.tolist()):
                m = matched.get((t.track_id, f))
                if m is not None and takes_box(m):
                    b[k] = mended(b[k], m[1])
            out.append(replace(t, boxes=b))
        return out
    groups: dict[tuple, dict] = defaultdict(dict)
    for t in tracks:
        for k, f in enumerate(t.frames.tolist()):
            m = matched.get((t.track_id, f))
            key = ("true", m[0]) if m is not None else ("pixels", t.track_id)
            groups[key][f] = (m[1] if m is not None and takes_box(m) else t.boxes[k], t)
    out = []
    for n, (_, rows) in enumerate(sorted(groups.items())):
        frames = sorted(rows)
        votes = Counter(rows[f][1].track_id for f in frames)
        src = next(rows[f][1] for f in frames if rows[f][1].track_id == votes.most_common(1)[0][0])
        out.append(Track(n + 1, np.array(frames), np.array([rows[f][0] for f in frames]),
                         category=src.category, category_score=src.category_score))
    return out


def coverage(query, result, pixel_boxes: dict, gt: np.ndarray, width: int) -> Counter:  # type: ignore[no-untyped-def]
    """Counts of the query's annotated boxes by what the pixel pipeline made of them."""
    from svag.core.boxes import iou_matrix
    from svag.run.pipeline import clip_to_windows

    def at(tracks: list) -> dict:
        d: dict[int, list] = defaultdict(list)
        for t in tracks:
            for f, b in zip(t.frames.tolist(), t.boxes):
                d[f].append(b)
        return d

    returned = at([g.track for g in result.groundings])
    inside = at([clip_to_windows(g.track, g.windows) for g in result.groundings])
    counts: Counter = Counter()
    for t in query.tracks:
        for f, b in zip(t.frames.tolist(), t.boxes):
            def hit(d: dict) -> bool:
                return bool(d.get(f)) and float(iou_matrix(b[None], np.array(d[f])).max()) >= 0.5
            if hit(inside):
                counts["covered"] += 1
            elif hit(returned):
                counts["outside the windows"] += 1
            elif hit(pixel_boxes):
                counts["track not returned"] += 1
            else:
                g = gt[gt[:, 0] == f]
                k = int(np.argmin(np.abs(g[:, 2:6] - b).sum(axis=1)))
                vis, kind = float(g[k, 8]), KINDS.get(int(g[k, 7]), "other")
                others = np.delete(g[:, 2:6], k, axis=0)
                if b[0] <= 1 or b[0] + b[2] >= width - 1:
                    cause = "at a side"
                elif vis < 0.5:
                    cause = "mostly hidden (vis < 0.5)"
                elif vis < 0.999:
                    cause = "partly hidden (vis 0.5-1)"
                elif len(others) and float(iou_matrix(b[None], others).max()) > 0:
                    cause = "touching another actor"
                else:
                    cause = "full view, alone"
                counts[f"no pixel box: {cause}, {kind}"] += 1
    return counts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--videos", type=int, default=10)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--match-iou", type=float, default=0.3, help="least IoU of a pixel box and the true box it takes")
    ap.add_argument("--keep", type=Path, help="keep (and reuse) the generated videos in this folder")
    args = ap.parse_args()
    from svag.eval.svag_protocol import evaluate_svag
    from svag.io.svag_json import read_svag
    from svag.pipeline import GroundConfig, QuerySpec, VideoGrounder, to_prediction
    from svag.run.bench import queries_by_video, true_scene
    from svag.synth import generate_benchmark

    tmp_dir = None if args.keep else tempfile.TemporaryDirectory()
    root = args.keep if args.keep else Path(tmp_dir.name)   # type: ignore[union-attr]
    synth = root / "synth"
    t0 = time.perf_counter()
    if not (synth / "gt.json").exists():
        generate_benchmark(synth, videos=args.videos, frames=300, size=(640, 360), seed=args.seed)
    gt = read_svag(synth / "gt.json", "gt")
    name = gt.datasets[0].name
    scripts = {v["name"]: v for v in json.loads((synth / "scripts.json").read_text())}
    vg = VideoGrounder(GroundConfig(cache_dir=""))
    items: dict[str, list] = {k: [] for k in ("pixels", "true tracks", *ORACLES)}
    cover: Counter = Counter()
    for d in gt:
        for video, queries in sorted(queries_by_video(d).items()):
            seq = synth / video
            texts = [q.text for q in queries]
            specs = [QuerySpec.of(q) for q in queries]
            scene = vg.prepare(seq, progress=False)
            truth = true_scene(seq)
            px = vg.ground(scene, texts)
            items["pixels"] += list(zip(specs, px))
            items["true tracks"] += list(zip(specs, vg.ground(truth, texts)))
            table = np.loadtxt(seq / "gt" / "gt.txt", delimiter=",", ndmin=2)
            matched = match_boxes(list(scene.tracks), table, args.match_iou)
            for oracle in ORACLES:
                tracks = tuple(mend(list(scene.tracks), matched, oracle))
                items[oracle] += list(zip(specs, vg.ground(replace(truth, tracks=tracks), texts)))
            pixel_boxes: dict[int, list] = defaultdict(list)
            for t in scene.tracks:
                for f, b in zip(t.frames.tolist(), t.boxes):
                    pixel_boxes[f].append(b)
            for q, r in zip(queries, px):
                cover += coverage(q, r, pixel_boxes, table, int(scripts[video]["width"]))
            print(f"{video}: {len(queries)} queries, {len(scene.tracks)} pixel tracks "
                  f"({time.perf_counter() - t0:.0f} s)", flush=True)
    evals = {k: evaluate_svag(gt, to_prediction(name, v), protocol="svag") for k, v in items.items()}
    true_hota = float(evals["true tracks"].mean["HOTA"])
    result: dict = {"seed": args.seed, "videos": args.videos, "match_iou": args.match_iou,
                    "hota": {k: {p: float(e.mean[p]) for p in PARTS} for k, e in evals.items()}}
    result["ratio"] = {k: float(e.mean["HOTA"]) / max(true_hota, 1e-9) for k, e in evals.items()}

    print(f"\nSVAG HOTA and its parts, seed {args.seed}, {args.videos} videos")
    print(f"{'tracks':22}" + "".join(f"{p:>8}" for p in PARTS) + f"{'ratio':>8}")
    for k in ("pixels", "true tracks", *ORACLES):
        label = k if k in ("pixels", "true tracks") else f"oracle {k}"
        print(f"{label:22}" + "".join(f"{result['hota'][k][p]:8.2f}" for p in PARTS) + f"{result['ratio'][k]:8.3f}")

    total = sum(cover.values())
    result["coverage"] = {k: v / max(total, 1) for k, v in cover.most_common()}
    print(f"\nAnnotated boxes of the queries' actors inside their windows: {total}")
    for k, v in cover.most_common():
        if v / max(total, 1) >= 0.005:
            print(f"  {k:55}{100 * v / total:6.1f} %")

    kinds = {(v, q["query_id"]): (q["predicate"].split(":")[0], (q.get("subject") or {}).get("kind") or "-")
             for v, s in scripts.items() for q in s["queries"]}
    rows_t = {(r["video_name"], r["query_id"]): r for r in evals["true tracks"].rows()}
    groups: dict[str, list] = defaultdict(lambda: [0, 0.0, 0.0])
    for r in evals["pixels"].rows():
        key = (r["video_name"], r["query_id"])
        fam, kind = kinds.get(key, ("?", "?"))
        for g in (f"predicate {fam}", f"actor {kind}"):
            acc = groups[g]
            acc[0] += 1
            acc[1] += float(r["HOTA"])
            acc[2] += float(rows_t[key]["HOTA"])
    loss = sum(a[2] - a[1] for g, a in groups.items() if g.startswith("predicate"))
    result["queries"] = {g: {"n": a[0], "pixels": a[1] / a[0], "true tracks": a[2] / a[0],
                             "loss_share": (a[2] - a[1]) / loss if loss else 0.0} for g, a in groups.items()}
    print("\nPer-query HOTA by query kind (mean over queries; loss share: of the summed per-query loss)")
    print(f"{'kind':22}{'queries':>8}{'pixels':>8}{'true':>8}{'loss share':>12}")
    for g, v in sorted(result["queries"].items(), key=lambda kv: (not kv[0].startswith("predicate"), -kv[1]["loss_share"])):
        print(f"{g:22}{v['n']:8d}{v['pixels']:8.1f}{v['true tracks']:8.1f}{v['loss_share']:12.2f}")
    (HERE / "results").mkdir(exist_ok=True)
    out = HERE / "results" / f"diag_pixels_{args.seed}.json"
    out.write_text(json.dumps(result, indent=1))
    print(f"\n{time.perf_counter() - t0:.0f} s; wrote {out}")
    if tmp_dir is not None:
        tmp_dir.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
