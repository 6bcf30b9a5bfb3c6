"""``svag train``: train the learned grounder on SVAG-Bench annotations (oracle MOT gt tracks),
optionally cross-validated leave-one-video-out."""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from svag.cli.validate import check_input_dir, check_outputs, non_negative_float, positive_int
from svag.errors import InputError
from svag.train.samples import load_samples  # noqa: F401  (also imported from here by benchmarks)

EPILOG = """examples (from the project folder):
  svag train ../shared/data/svag/original/MOT17-training.json \\
      ../shared/data/svag/rephrased_with_qid/MOT17-training-doubled_qid.json \\
      --mot-root ../shared/data/mot --dataset MOT17 --out learned.pt
  svag train ../shared/data/svag/original/MOT17-training.json --mot-root ../shared/data/mot --dataset MOT17 \\
      --out fold.pt --val-videos MOT17-09
  svag train ../shared/data/svag/original/MOT17-training.json --mot-root ../shared/data/mot --dataset MOT17 \\
      --out learned_cv.pt --cv --tracks ../shared/data/trackers/20221127_result_auginput17dim_finethresh_wodist_onefut --cv-json cv.json

Positives of a query are its annotated tracks (label 1 inside their windows), negatives every other
MOT gt track of the video. --train-tracks DIR adds the same queries over a tracker's tracks (what the
grounder sees at test time): a tracker track that covers an annotated track (IoU >= 0.5) inside its
windows for 0.5 s or more is a positive, every other one a negative. --rank-weight adds a ranking
loss (softmax over each query's candidate tracks) to the per-track and per-step losses.
--cv trains once per video of the FIRST annotation file, holding it out, and scores that file's
original queries of the held-out video with the tracker's tracks (--tracks) and the oracle tracks,
next to the kinematic grounder and the trivial baselines; the final model (all videos) then uses
the threshold tuned on the held-out folds."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train the learned trajectory-language grounder", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("annotations", nargs="+", help="SVAG-Bench annotation JSON file(s)")
    p.add_argument("--mot-root", required=True, help="folder of MOT sequence folders (seqinfo.ini, gt/gt.txt)")
    p.add_argument("--dataset", required=True, help="dataset name of the ground truth (e.g. MOT17)")
    p.add_argument("--out", required=True, metavar="CKPT.pt", help="checkpoint to write")
    p.add_argument("--epochs", type=positive_int, default=6, help="training epochs (default 6)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--val-videos", metavar="V1,V2", help="videos held out of training (threshold tuned on them)")
    p.add_argument("--train-tracks", metavar="DIR", action="append", default=[],
                   help="also train on a tracker's tracks: folder of <VIDEO>.txt (repeatable)")
    p.add_argument("--rank-weight", type=non_negative_float, default=0.0, help="weight of the ranking loss (default 0: off)")
    p.add_argument("--negatives", type=positive_int, default=12,
                   help="negative tracks sampled per query and step (default 12)")
    p.add_argument("--cv", action="store_true", help="leave-one-video-out cross-validation first")
    p.add_argument("--tracks", metavar="DIR", help="tracker results <VIDEO>.txt for --cv")
    p.add_argument("--cv-json", metavar="FILE", help="write the cross-validation result as JSON")
    p.add_argument("--force", action="store_true", help="overwrite existing outputs")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from svag.ground.learned_model import save_checkpoint
    from svag.train.learned import best_threshold, cross_validate, fit, format_cv, track_scores
    check_outputs(args.force, {"--out": (args.out, (".pt",)), "--cv-json": (args.cv_json, (".json",))},
                  inputs={f"ANNOTATIONS {i + 1}": a for i, a in enumerate(args.annotations)})
    check_input_dir(args.mot_root, "--mot-root")
    if args.epochs < 1:
        raise InputError(f"--epochs must be at least 1, got {args.epochs}")
    if args.negatives < 1:
        raise InputError(f"--negatives must be at least 1, got {args.negatives}")
    samples, described = load_samples(args.annotations, args.mot_root, args.dataset, args.train_tracks)
    names = list(dict.fromkeys(s.name for s in samples))
    print(f"training data: {sum(len(s.texts) for s in samples)} (query, track set) pairs on {len(names)} videos "
          f"({', '.join(names)}; {len(samples)} track sets)")
    opts = {"epochs": args.epochs, "seed": args.seed, "rank_weight": args.rank_weight,
            "neg_per_query": args.negatives}
    cv_threshold = None
    if args.cv:
        from svag.data.build import build_ground_truth
        eval_gt, report = build_ground_truth(args.annotations[0], args.mot_root, args.dataset, queries="original")
        videos = sorted(report.videos)
        if len(videos) < 2:
            raise InputError("--cv needs at least two videos in the first annotation file", file=args.annotations[0])
        result = cross_validate(samples, eval_gt, args.mot_root, tracks_dir=args.tracks, videos=videos,
                                log=print, **opts)
        print(format_cv(result))
        cv_threshold = result["cv_threshold"]
        print(f"threshold tuned on the held-out folds: {cv_threshold:.2f}")
        if args.cv_json:
            from svag.io.atomic import write_text
            write_text(args.cv_json, json.dumps(result, indent=1))
            print(f"wrote {args.cv_json} (complete; training the final model next)")
    val = [v for v in (args.val_videos or "").split(",") if v]
    unknown = [v for v in val if v not in {s.name for s in samples}]
    if unknown:
        raise InputError(f"--val-videos {unknown} not in the training data ({[s.name for s in samples]})")
    train_set = [s for s in samples if s.name not in val]
    if not train_set:
        raise InputError("--val-videos leaves no video to train on")
    start = time.perf_counter()
    net, cfg = fit(train_set, log=print, **opts)
    secs = time.perf_counter() - start
    if val:
        cfg["threshold"] = best_threshold(*track_scores(net, [s for s in samples if s.name in val]))
    elif cv_threshold is not None:
        cfg["threshold"] = cv_threshold
    cfg["training_data"] = described
    cfg["train_videos"] = list(dict.fromkeys(s.name for s in train_set))
    cfg["train_seconds"] = round(secs, 1)
    digest = save_checkpoint(args.out, net, cfg)
    size = Path(args.out).stat().st_size
    print(f"trained in {secs:.1f} s; threshold {cfg['threshold']:.2f}; wrote {args.out} "
          f"({size / 1024:.0f} KiB, sha256 {digest[:16]})")
    return 0
