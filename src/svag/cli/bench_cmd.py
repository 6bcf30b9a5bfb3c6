"""``svag bench run``: ground every query of a ground truth over given tracks and score it."""
from __future__ import annotations

import argparse
import json

from svag.cli.validate import JSON_EXTS, check_input_dir, check_outputs, non_negative_int
from svag.errors import InputError

EPILOG = """examples (from the project folder; gt_mot17.json from `svag data build`, see its --help):
  svag bench run gt_mot17.json --mot-root ../shared/data/mot \\
      --tracks ../shared/data/trackers/20221127_result_auginput17dim_finethresh_wodist_onefut --grounder kinematic
  svag bench run gt_mot17.json --mot-root ../shared/data/mot --oracle-tracks --grounder kinematic --json bench_scores.json
  svag bench run gt_mot17.json --mot-root ../shared/data/mot --oracle-tracks --workers 2
      one task per video on 2 local processes (--ray: on Ray on this machine, needs svag[ray])

The trivial baselines (every track over its whole life; the single longest track) are always run."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="benchmark grounders on a ground-truth file")
    bsub = p.add_subparsers(dest="bench_command", metavar="SUBCOMMAND")
    r = bsub.add_parser("run", help="ground all queries over given tracks, evaluate, tabulate", epilog=EPILOG,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("gt", help="ground truth (SVAG JSON)")
    r.add_argument("--mot-root", required=True, help="folder of MOT sequence folders (seqinfo.ini, gt/gt.txt)")
    src = r.add_mutually_exclusive_group(required=True)
    src.add_argument("--tracks", metavar="DIR", help="tracker results <VIDEO>.txt")
    src.add_argument("--oracle-tracks", action="store_true", help="the ground-truth tracks, ids hidden")
    r.add_argument("--grounder", action="append", default=[], help="grounder to run (repeatable)")
    r.add_argument("--grounder-option", "-O", action="append", default=[], metavar="GROUNDER.KEY=VALUE",
                   help="parameter of one grounder, repeatable, e.g. -O kinematic.threshold=0.5")
    r.add_argument("--protocol", action="append", choices=("svag", "svag-strict"),
                   help="protocols to report (default: both)")
    r.add_argument("--out", metavar="PRED.json", help="write the prediction of the last --grounder")
    r.add_argument("--json", metavar="FILE", help="write all scores as JSON")
    r.add_argument("--no-progress", action="store_true", help="no progress bars (also none from model loading)")
    r.add_argument("--force", action="store_true", help="overwrite existing output files")
    r.add_argument("--workers", type=non_negative_int, default=0, metavar="N",
                   help="one task per video on N local processes (or N Ray actors with --ray)")
    r.add_argument("--ray", nargs="?", const="local", metavar="ADDRESS",
                   help="one task per video on Ray: local (started without off-machine traffic) or the "
                        "cluster at ADDRESS (needs svag[ray])")
    r.set_defaults(func=run)
    p.set_defaults(func=lambda args: p.print_help() or 1)


def run(args: argparse.Namespace) -> int:
    from svag.io.atomic import atomic_outputs
    from svag.run.bench import format_runs, run_benchmark, runs_to_json
    from svag.io.svag_json import read_svag, write_svag
    check_outputs(args.force, {"--out": (args.out, JSON_EXTS), "--json": (args.json, (".json",))},
                  inputs={"GT": args.gt})
    check_input_dir(args.mot_root, "--mot-root")
    if args.tracks:
        check_input_dir(args.tracks, "--tracks")
    gt = read_svag(args.gt, "gt")
    protocols = args.protocol or ["svag", "svag-strict"]
    from svag.cli.ground_options import parse_options
    options: dict[str, dict] = {}
    for name_key, value in parse_options(args.grounder_option).items():
        name, dot, key = name_key.partition(".")
        if not dot:
            raise InputError(f"bench options are GROUNDER.KEY=VALUE, got {name_key!r}")
        options.setdefault(name, {})[key] = value
    grounders = args.grounder or ["kinematic"]
    runs = run_benchmark(gt, args.mot_root, tracks_dir=None if args.oracle_tracks else args.tracks,
                         grounders=grounders, grounder_args=options, protocols=protocols,
                         progress=not args.no_progress, workers=args.workers, ray=args.ray is not None,
                         ray_address=None if args.ray == "local" else args.ray)
    for protocol in protocols:
        print(format_runs(runs, protocol))
        print()
    with atomic_outputs(args.out, args.json) as (out_tmp, json_tmp):
        if out_tmp is not None:
            chosen = next(r for r in runs if r.name == grounders[-1])   # not a baseline run after it
            write_svag(out_tmp, chosen.prediction, "pred", overwrite=True)
        if json_tmp is not None:
            json_tmp.write_text(json.dumps(runs_to_json(runs), indent=1))
    return 0
