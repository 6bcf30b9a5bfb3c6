"""Cross-validated table of the learned grounder (leave-one-MOT17-video-out).

For each MOT17 training video: train on the SVAG-Bench annotations of the other videos (MOT17
original + rephrased, MOT20-01), ground the held-out video's original queries with the real
tracker's tracks and with the oracle (gt) tracks, and score under the official and the strict
protocol, next to the trivial baselines and the kinematic grounder. Prints the table (per video,
mean over videos, pooled) and writes the JSON.

    .venv/bin/python benchmarks/bench_learned.py [--data ../shared/data]

Same seed, same numbers (training is deterministic). About 5 x 1 min on 2 CPU cores.
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

TRACKER = "trackers/20221127_result_auginput17dim_finethresh_wodist_onefut"
FILES = ("svag/original/MOT17-training.json", "svag/rephrased_with_qid/MOT17-training-doubled_qid.json",
         "svag/original/MOT20-training.json")


def main() -> None:
    from svag.train.samples import load_samples
    from svag.data.build import build_ground_truth
    from svag.train.learned import cross_validate, format_cv

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = os.environ.get("SVAG_SHARED_DATA", str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    p.add_argument("--data", default=default, help="the shared data folder (svag/, mot/, trackers/); "
                                                  "default ../shared/data or $SVAG_SHARED_DATA")
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=str(Path(__file__).parent / "results" / "learned_cv.json"))
    args = p.parse_args()
    data = Path(args.data)
    mot = str(data / "mot")
    samples, _ = load_samples([str(data / f) for f in FILES], mot, "MOT17")
    eval_gt, report = build_ground_truth(data / FILES[0], mot, "MOT17", queries="original")
    result = cross_validate(samples, eval_gt, mot, tracks_dir=str(data / TRACKER), videos=sorted(report.videos),
                            log=print, epochs=args.epochs, seed=args.seed)
    print(format_cv(result))
    print(f"threshold tuned on the held-out folds: {result['cv_threshold']:.2f}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
