"""How far can boxes alone go on SVAG-Bench MOT17? Ceilings and track-ranking recall.

On the SVAG-Bench MOT17 training annotations (original queries) over the real tracker's tracks:

1. **Ceilings**: predictions built from the ground truth itself — the tracker tracks that cover
   each query's annotated tracks (IoU >= 0.5, most frames; a perfect choice of tracks) over their
   whole lives, and the same tracks cut to the annotated windows — scored under the official and
   the strict protocol, next to every track over its whole life (the trivial baseline).
2. **Recall@k of the right tracks**: rank every tracker track of the video for each query and
   count the share of annotated tracks whose covering tracker track is among the first k (mean
   over queries). Rankings: track duration, duration x box height (prominence), the kinematic
   grounder's score, and the learned model's track score, cross-validated (leave one video out,
   trained like ``bench_learned.py``) — the in-sample score of the shipped model is shown too.
3. **Coverage**: the share of queries whose parse holds at least one motion predicate the
   kinematic grounder can score, and how many tracks it keeps for them.

    .venv/bin/python benchmarks/bench_grounding_limits.py [--data ../shared/data] [--no-cv]

Prints the tables, writes benchmarks/results/grounding_limits.json. About 3 min (1 without --cv).
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
TRACKER = "trackers/20221127_result_auginput17dim_finethresh_wodist_onefut"
FILES = ("svag/original/MOT17-training.json", "svag/rephrased_with_qid/MOT17-training-doubled_qid.json",
         "svag/original/MOT20-training.json")
KS = (1, 3, 5, 10, 20, 40)


def covering_tracks(gt_query, scene) -> list[int | None]:
    """For each annotated track: the row of the tracker track covering it in most frames."""
    from svag.train.samples import tracker_matches
    gi, pi, _ = tracker_matches(list(gt_query.tracks), list(scene.tracks), scene.num_frames)
    out: list[int | None] = []
    for g in range(len(gt_query.tracks)):
        rows, counts = np.unique(pi[gi == g], return_counts=True)
        out.append(int(rows[np.argmax(counts)]) if len(rows) else None)
    return out


def recall_at(scores: np.ndarray, right: list[int | None]) -> np.ndarray:
    order = np.argsort(-scores, kind="stable")
    rank = np.empty(len(scores), np.int64)
    rank[order] = np.arange(len(scores))
    return np.array([[r is not None and rank[r] < k for r in right] for k in KS], float).mean(axis=1)


def ceiling_predictions(gt, scenes, right):
    from svag.core.types import Dataset, Query, SvagData, Track
    from svag.ground.base import clip_to_windows
    out = {}
    for label in ("right tracks, whole lives", "right tracks, annotated windows", "every track, whole lives"):
        datasets = []
        for d in gt.datasets:
            queries = []
            for q in d.queries:
                scene = scenes[q.video_name]
                tracks = []
                if label.startswith("every"):
                    chosen = [(t, None) for t in scene.tracks]
                else:
                    chosen = [(scene.tracks[r], g) for r, g in zip(right[q.query_id], q.tracks) if r is not None]
                    seen: set = set()
                    chosen = [(t, g) for t, g in chosen if not (t.track_id in seen or seen.add(t.track_id))]
                for t, g in chosen:
                    w = (g.windows if label.endswith("annotated windows")
                         else np.array([[t.frames[0], t.frames[-1], 1.0]], float))
                    c = clip_to_windows(t, w)
                    if len(c):
                        tracks.append(Track(t.track_id, c.frames, c.boxes, windows=w))
                queries.append(Query(q.query_id, q.text, q.video_name, q.video_length, tuple(tracks)))
            datasets.append(Dataset(d.name, tuple(queries)))
        out[label] = SvagData(tuple(datasets))
    return out


def learned_cv_scores(data: Path, videos: list[str], scenes: dict, gt) -> dict:
    """Track scores of every query from a model trained without the query's video."""
    from svag.train.samples import load_samples
    from svag.ground.learned import LearnedGrounder
    from svag.train.learned import fit
    samples, _ = load_samples([str(data / f) for f in FILES], str(data / "mot"), "MOT17")
    out = {}
    for v in videos:
        net, cfg = fit([s for s in samples if s.name != v])
        g = LearnedGrounder()
        g.net_, g.config_ = net, cfg
        for q in (q for d in gt.datasets for q in d.queries if q.video_name == v):
            out[q.query_id] = g.relevance(scenes[v], q.text)[1]
    return out


def main() -> int:
    from svag.run.bench import mot_scene as _scene_for, score
    from svag.data.build import build_ground_truth
    from svag.ground.kinematic import SCORERS, KinematicGrounder
    from svag.ground.learned import LearnedGrounder
    from svag.run.pipeline import parse_all

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = os.environ.get("SVAG_SHARED_DATA", str(HERE.parents[1] / "shared" / "data"))
    p.add_argument("--data", default=default)
    p.add_argument("--no-cv", action="store_true", help="skip the cross-validated learned ranking")
    p.add_argument("--out", default=str(HERE / "results" / "grounding_limits.json"))
    args = p.parse_args()
    data = Path(args.data)
    start = time.perf_counter()
    gt, report = build_ground_truth(data / FILES[0], data / "mot", "MOT17", queries="original")
    videos = sorted(report.videos)
    scenes = {v: _scene_for(v, data / "mot", data / TRACKER) for v in videos}
    queries = [q for d in gt.datasets for q in d.queries]
    right = {q.query_id: covering_tracks(q, scenes[q.video_name]) for q in queries}

    result: dict = {"queries": len(queries), "gt_tracks": sum(len(q.tracks) for q in queries),
                    "tracker_tracks_per_video": {v: len(s.tracks) for v, s in scenes.items()},
                    "gt_tracks_covered": float(np.mean([r is not None for rs in right.values() for r in rs]))}
    result["ceilings"] = {label: {proto: s[proto]["all"] for proto in s}
                          for label, pred in ceiling_predictions(gt, scenes, right).items()
                          for s in [score(gt, pred)]}

    kin = KinematicGrounder(threshold=0.0)
    shipped = LearnedGrounder()
    parsed = dict(zip((q.query_id for q in queries), parse_all([q.text for q in queries])))
    rankings: dict[str, list[np.ndarray]] = {}
    cv = learned_cv_scores(data, videos, scenes, gt) if not args.no_cv else {}
    kept, understood = [], 0
    for q in queries:
        scene = scenes[q.video_name]
        dur = np.array([(t.frames[-1] - t.frames[0] + 1) / scene.fps for t in scene.tracks])
        height = np.array([np.median(t.boxes[:, 3]) / scene.height for t in scene.tracks])
        row = {t.track_id: i for i, t in enumerate(scene.tracks)}
        ks = np.zeros(len(scene.tracks))
        for g in kin.ground(scene, parsed[q.query_id]).groundings:
            ks[row[g.track.track_id]] = g.score
        if any(p.name in SCORERS for p in parsed[q.query_id].predicates):
            understood += 1
            kept.append(float(np.mean(ks >= 0.3)))
        cands = {"duration": dur, "duration x height": dur * height,
                 "kinematic score": ks + 1e-9 * dur,
                 "learned, shipped (in-sample)": shipped.relevance(scene, q.text)[1]}
        if cv:
            cands["learned, cross-validated"] = cv[q.query_id]
        for name, s in cands.items():
            rankings.setdefault(name, []).append(recall_at(np.asarray(s, float), right[q.query_id]))
    result["recall_at_k"] = {name: dict(zip(map(str, KS), np.mean(v, axis=0).tolist())) for name, v in rankings.items()}
    result["random_recall_at_k"] = dict(zip(map(str, KS), [result["gt_tracks_covered"] * float(np.mean(
        [min(k / len(scenes[q.video_name].tracks), 1.0) for q in queries])) for k in KS]))
    result["understood_share"] = understood / len(queries)
    result["kinematic_kept_share"] = float(np.mean(kept)) if kept else 0.0
    result["seconds"] = time.perf_counter() - start

    print(f"SVAG-Bench MOT17 training, original queries: {result['queries']} queries, {result['gt_tracks']} "
          f"annotated tracks; tracker tracks per video {result['tracker_tracks_per_video']}; "
          f"{100 * result['gt_tracks_covered']:.1f} % of annotated tracks covered by some tracker track")
    print("\nceilings (pooled)        " + "".join(f"{p + ' ' + k:>20}" for p in ("official", "strict")
                                                for k in ("HOTA", "mIoU", "m-HIoU")))
    for label, s in result["ceilings"].items():
        print(f"{label:32}" + "".join(f"{s[p][k]:14.2f}" for p in ("svag", "svag-strict")
                                      for k in ("HOTA", "mIoU", "m-HIoU")))
    print("\nrecall@k of the right tracker track (mean over queries)")
    print(f"{'ranking':32}" + "".join(f"{'@' + str(k):>8}" for k in KS))
    for name, r in [("random", result["random_recall_at_k"]), *result["recall_at_k"].items()]:
        print(f"{name:32}" + "".join(f"{100 * r[str(k)]:8.1f}" for k in KS))
    print(f"\n{100 * result['understood_share']:.1f} % of queries hold a motion predicate; for them the kinematic "
          f"grounder keeps {100 * result['kinematic_kept_share']:.1f} % of the tracks on average")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1))
    print(f"wrote {args.out} ({result['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
