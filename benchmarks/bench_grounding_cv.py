"""The kinematic grounder's defaults chosen by leave-one-video-out, not in-sample.

Data: the five public MOT17 training videos with SVAG-Bench annotations (ground truth built with
`svag data build`), grounded over a real tracker's tracks (``TRACKER``). For each video held
out, every setting of :data:`GRID` is scored on the four other videos (official protocol, mean
per video of m-HIoU + HOTA) and the best one is then scored on the held-out video, under the
official and the strict protocol; next to it: every track over its whole life (all-tracks) and
the grounder's shipped defaults. The most often chosen setting is what the defaults should be.

    python benchmarks/bench_grounding_cv.py
Writes benchmarks/results/grounding_cv.json and prints the table.
"""
from __future__ import annotations

import itertools
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("SVAG_SHARED_DATA", HERE.parent.parent / "shared" / "data"))
TRACKER = "20221127_result_auginput17dim_finethresh_wodist_onefut"
GRID = {"uninformative": (None, 0.5, 0.3), "fallback": ("none", "all"), "relative": (0.0, 0.5), "span_gap_s": (None, 8.0)}
KEYS = ("HOTA", "mIoU", "m-HIoU")


def settings() -> list[dict]:
    return [dict(zip(GRID, values)) for values in itertools.product(*GRID.values())]


def cached_kinematic(cache: dict, **kwargs):  # type: ignore[no-untyped-def]
    """A kinematic grounder whose per-track relevance (independent of the settings searched) is
    computed once per scene and query."""
    from svag.ground.kinematic import KinematicGrounder

    class Cached(KinematicGrounder):
        def relevance(self, scene, query):  # type: ignore[no-untyped-def]
            key = (scene.name, repr(query.steps))
            if key not in cache:
                cache[key] = super().relevance(scene, query)
            return cache[key]
    return Cached(**kwargs)


def main() -> int:
    from svag.bench import _scene_for, _subset, _subset_pred, ground_dataset
    from svag.data.build import build_ground_truth
    from svag.eval.svag_protocol import evaluate_svag
    from svag.ground import build_grounder

    start = time.perf_counter()
    gt, _ = build_ground_truth(DATA / "svag" / "original" / "MOT17-training.json", DATA / "mot", "MOT17")
    videos = sorted({q.video_name for d in gt for q in d})
    scenes = {v: _scene_for(v, DATA / "mot", DATA / "trackers" / TRACKER) for v in videos}
    per_video_gt = {v: _subset(gt, v) for v in videos}

    def scores(pred, protocol: str) -> dict[str, dict[str, float]]:  # type: ignore[no-untyped-def]
        return {v: {k: float(evaluate_svag(per_video_gt[v], _subset_pred(pred, gt, v), protocol=protocol).mean[k])
                    for k in KEYS} for v in videos}

    cache: dict = {}
    grid = settings()
    official: list[dict[str, dict[str, float]]] = []
    preds = []
    for i, kw in enumerate(grid):
        pred, _ = ground_dataset(gt, scenes, cached_kinematic(cache, **kw))
        preds.append(pred)
        official.append(scores(pred, "svag"))
        print(f"[{i + 1}/{len(grid)}] {time.perf_counter() - start:.0f} s {kw} " + " ".join(f"{v[-2:]} {official[-1][v]['m-HIoU']:.1f}/{official[-1][v]['HOTA']:.1f}"
                                                      for v in videos), flush=True)

    def objective(s: dict[str, dict[str, float]], vids: list[str]) -> float:
        return float(np.mean([s[v]["m-HIoU"] + s[v]["HOTA"] for v in vids]))

    baselines = {}
    for name, grounder in (("all-tracks", build_grounder("all-tracks")), ("defaults", build_grounder("kinematic"))):
        pred, _ = ground_dataset(gt, scenes, grounder)
        baselines[name] = {p: scores(pred, p) for p in ("svag", "svag-strict")}
    strict_cache: dict[int, dict] = {}
    folds = []
    for held in videos:
        train = [v for v in videos if v != held]
        best = max(range(len(grid)), key=lambda i: objective(official[i], train))
        if best not in strict_cache:
            strict_cache[best] = scores(preds[best], "svag-strict")
        folds.append({"held_out": held, "setting": grid[best],
                      "svag": official[best][held], "svag-strict": strict_cache[best][held],
                      "in_sample_best": grid[max(range(len(grid)), key=lambda i: objective(official[i], [held]))]})
    chosen = Counter(json.dumps(f["setting"], sort_keys=True) for f in folds).most_common(1)[0][0]

    rows = [("held-out kinematic (LOVO)", {p: {v: f[p] for f in folds for v in [f["held_out"]]}
                                           for p in ("svag", "svag-strict")}),
            ("all-tracks", baselines["all-tracks"]), ("kinematic defaults", baselines["defaults"])]
    print("\nLeave-one-video-out, MOT17 training videos, tracker tracks (each row: the held-out video)")
    print(f"{'':27}{'video':10}" + "".join(f"{'off ' + k:>12}" for k in KEYS) + f"{'strict m-HIoU':>15}")
    summary = {}
    for label, table in rows:
        for v in videos:
            print(f"{label:27}{v:10}" + "".join(f"{table['svag'][v][k]:12.2f}" for k in KEYS)
                  + f"{table['svag-strict'][v]['m-HIoU']:15.2f}")
        mean = {p: {k: float(np.mean([table[p][v][k] for v in videos])) for k in KEYS} for p in ("svag", "svag-strict")}
        summary[label] = mean
        print(f"{label:27}{'mean':10}" + "".join(f"{mean['svag'][k]:12.2f}" for k in KEYS)
              + f"{mean['svag-strict']['m-HIoU']:15.2f}\n")
    for f in folds:
        print(f"held out {f['held_out']}: chose {f['setting']} (in-sample best there: {f['in_sample_best']})")
    print(f"most often chosen: {chosen}  ({time.perf_counter() - start:.0f} s)")
    out = {"grid": GRID, "folds": folds, "summary": summary, "chosen": json.loads(chosen),
           "baselines": baselines, "tracker": TRACKER, "seconds": time.perf_counter() - start}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "grounding_cv.json").write_text(json.dumps(out, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
