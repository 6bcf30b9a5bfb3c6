"""``svag ground --batch MANIFEST --out DIR``: many videos, in this process, local processes
(``--workers N``) or on Ray (``--ray [ADDRESS]``). The work is :mod:`svag.run.batch`."""
from __future__ import annotations

import argparse
import sys

from svag.cli.validate import check_input_file, check_output_dir, non_negative_int
from svag.errors import InputError

HELP = """batch mode (svag ground --batch MANIFEST --out DIR):
  svag ground --batch videos.txt --out runs/a/
      one video after another (--workers 2: two local processes)
  svag ground --batch videos.json --out runs/b/ --ray
      on Ray on this machine (svag[ray]); --ray HOST:6379: on an existing Ray cluster
  MANIFEST lists videos with their queries and optional tracks (docs/batch.md), e.g. the lines
      queries: gt.json
      SYNTH-01/SYNTH-01.mp4
      SYNTH-02/SYNTH-02.mp4    -    tracks/SYNTH-02.txt
  DIR gets videos/<NAME>.json per video, pred.json (all videos merged) and summary.json; a re-run
  with the same --out skips finished videos. Exit code 1 when a video failed."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("batch mode")
    g.add_argument("--batch", metavar="MANIFEST", help="ground every video of this manifest; --out is then a "
                                                     "folder (see below)")
    g.add_argument("--workers", type=non_negative_int, default=0, metavar="N",
                   help="with --batch: N worker processes (or Ray actors; default: sequential, or one per CPU "
                        "with --ray)")
    g.add_argument("--ray", nargs="?", const="local", metavar="ADDRESS",
                   help="with --batch: run on Ray: a local instance started without any off-machine traffic, "
                        "or the cluster at ADDRESS (needs svag[ray])")


def run(args: argparse.Namespace) -> int:
    from svag.cli.ground_options import ground_config
    from svag.run.batch import run_batch
    from svag.run.manifest import read_manifest
    if any((args.video, args.query, args.queries, args.tracks, args.render, args.video_name, args.dataset,
            args.fps)):
        raise InputError("--batch takes the videos, queries, tracks and dataset name from the manifest: give "
                         "no VIDEO, query, --queries, --tracks, --video-name, --dataset, --fps or --render with it")
    if not args.out:
        raise InputError("--batch needs --out DIR (a folder for the per-video results)")
    check_output_dir(args.out, "--out")
    items = read_manifest(check_input_file(args.batch, "--batch"))
    config = ground_config(args, None)
    summary = run_batch(items, args.out, config=config, window_convention=args.window_convention,
                        workers=args.workers, ray=args.ray is not None,
                        ray_address=None if args.ray == "local" else args.ray, force=args.force,
                        log=None if args.no_progress else sys.stderr)
    print(summary.format())
    return 0 if summary.ok else 1


def check_single(args: argparse.Namespace) -> None:
    """Batch-only options given without --batch."""
    if args.workers or args.ray is not None:
        raise InputError("--workers and --ray apply to --batch runs only")
    if not args.video:
        raise InputError("give a VIDEO (or --batch MANIFEST)")
