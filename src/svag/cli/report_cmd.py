"""``svag report``: an HTML report of an evaluation (one self-contained file)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from svag.cli.common import check_outputs
from svag.errors import InputError

SMALL = "../shared/data/svageval-parity/small"
TRACKER = "../shared/data/trackers/20221127_result_auginput17dim_finethresh_wodist_onefut"

EPILOG = f"""examples (run from the project folder, with the data pack in ../shared/data):
  svag report {SMALL}/gt.json.gz {SMALL}/pred.json.gz --out report.html
  svag bench run gt_mot17.json --mot-root ../shared/data/mot --tracks {TRACKER} --out pred_mot17.json
  svag bench run gt_mot17.json --mot-root ../shared/data/mot --tracks {TRACKER} --grounder all-tracks \\
      --out all_mot17.json
  svag report gt_mot17.json pred_mot17.json --compare all_mot17.json --video-root ../shared/data/mot \\
      --out compare.html
  svag report gt_mot17.json pred_mot17.json --baselines --mot-root ../shared/data/mot --tracks {TRACKER} \\
      --out mot17.html

The page shows both protocols (svag = the official numbers, svag-strict), per query a timeline of
the ground-truth and predicted windows with the pairing of tracks, breakdowns by verb, number of
ground-truth tracks, video and query length, and (with --compare) where predictions differ most.
It needs no network: open it in any browser."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="write an HTML report of an evaluation (timelines, breakdowns, thumbnails)",
                       description="Evaluate predictions under both SVAG protocols and write one HTML page.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("gt", help="ground truth (SVAG JSON, gzip allowed)")
    p.add_argument("pred", help="predictions (SVAG JSON)")
    p.add_argument("--out", required=True, metavar="FILE.html", help="the report to write")
    p.add_argument("--compare", nargs="+", default=[], metavar="PRED2", help="more predictions, side by side")
    p.add_argument("--video-root", metavar="DIR", help="videos or MOT sequence folders (img1/) by video name: "
                                                       "thumbnails of key frames with the boxes drawn")
    p.add_argument("--thumbnails", type=int, default=200, metavar="N",
                   help="thumbnails for the N worst queries (default 200; -1: all, 0: none)")
    p.add_argument("--baselines", action="store_true", help="add the trivial baselines of `svag bench run` "
                                                            "(needs --mot-root)")
    p.add_argument("--mot-root", metavar="DIR", help="with --baselines: MOT sequence folders (seqinfo.ini, gt/)")
    p.add_argument("--tracks", metavar="DIR", help="with --baselines: tracker results <VIDEO>.txt "
                                                   "(default: the oracle tracks, ids hidden)")
    p.add_argument("--datasets", help="comma-separated dataset names to report (default: all)")
    p.add_argument("--title", help="page title")
    p.add_argument("--force", action="store_true", help="overwrite the output file")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from svag.io.svag_json import read_svag
    from svag.report import baseline_submissions, build_report, evaluate_submission, write_report
    check_outputs(args.force, args.out)
    if args.baselines and not args.mot_root:
        raise InputError("--baselines grounds the trivial baselines on tracks: it needs --mot-root DIR "
                         "(and --tracks DIR for a tracker's tracks instead of the oracle ones)")
    if (args.mot_root or args.tracks) and not args.baselines:
        raise InputError("--mot-root and --tracks are only used with --baselines")
    datasets = [d.strip() for d in args.datasets.split(",") if d.strip()] if args.datasets else None
    gt = read_svag(args.gt, "gt")
    subs = []
    for path in [args.pred, *args.compare]:
        subs.append(evaluate_submission(_name(path, [args.pred, *args.compare]), gt, read_svag(path, "pred"),
                                        datasets))
    baselines = baseline_submissions(gt, args.mot_root, args.tracks, datasets) if args.baselines else []
    html = build_report(gt, subs, baselines=baselines, video_root=args.video_root, thumbnails=args.thumbnails,
                        title=args.title, gt_name=args.gt)
    write_report(args.out, html)
    print(f"wrote {args.out} ({len(html) / 1e6:.1f} MB, {len(subs)} prediction(s))", file=sys.stderr)
    return 0


def _name(path: str, all_paths: list[str]) -> str:
    """The file name, or the path where two predictions share a name."""
    names = [Path(p).name for p in all_paths]
    return Path(path).name if names.count(Path(path).name) == 1 else path
