"""``svag synth``: generate a synthetic SVAG benchmark (MP4 videos + exact ground truth)."""
from __future__ import annotations

import argparse
import os
import re
import sys

from svag.cli.validate import (check_output_dir, non_negative_float, non_negative_int, positive_float, positive_int,
                               probability)
from svag.errors import InputError

EPILOG = """examples:
  svag synth --out synth/
      10 videos x 300 frames, 640x360
  svag synth --out tiny/ --videos 1 --frames 20 --size 160x96 --seed 3
  svag synth --out bench/ --videos 4 --frames 1000 --det-noise 0.1 --det-miss 0.2 --det-fp 1 --jobs 2

Writes OUT/gt.json (SVAG JSON), OUT/scripts.json (what every actor did, and every query's
predicate), OUT/manifest.json, and one MOTChallenge sequence per video:
OUT/<NAME>/seqinfo.ini, gt/gt.txt, det/det.txt, <NAME>.mp4. Same seed, same benchmark."""


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 640x360, got {text!r}") from None
    return w, h


def _name(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", text):
        raise argparse.ArgumentTypeError(f"expected a name of letters, digits, '_', '.' or '-' (it names the "
                                         f"video folders), got {text!r}")
    return text


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("synth", help="generate a synthetic benchmark (videos + ground truth)",
                       description="Generate synthetic SVAG videos with scripted actors and exact ground truth.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (must be empty unless --force)")
    p.add_argument("--videos", type=positive_int, default=10, metavar="N", help="number of videos (default 10)")
    p.add_argument("--frames", type=positive_int, default=300, metavar="F", help="frames per video (default 300)")
    p.add_argument("--size", type=_size, default=(640, 360), metavar="WxH", help="frame size (default 640x360)")
    p.add_argument("--seed", type=non_negative_int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument("--fps", type=positive_float, default=25.0, help="frame rate (default 25)")
    p.add_argument("--max-actors", type=positive_int, default=5, metavar="N", help="actors per video: 2..N (default 5)")
    p.add_argument("--queries", type=positive_int, metavar="N",
                   help="queries with matches per video (default: 6 + frames/25, at most 40)")
    p.add_argument("--empty-queries", type=non_negative_int, default=2, metavar="N",
                   help="queries per video that match no actor (default 2)")
    p.add_argument("--det-noise", type=non_negative_float, default=0.05, help="det.txt box jitter, fraction of box size (0.05)")
    p.add_argument("--det-miss", type=probability, default=0.1, help="det.txt miss probability (0.1)")
    p.add_argument("--det-fp", type=non_negative_float, default=0.2, help="det.txt false positives per frame (0.2)")
    p.add_argument("--dataset", type=_name, default="SYNTH", help="dataset name and video-name prefix (default SYNTH)")
    p.add_argument("--codec", choices=("libx264", "mpeg4"), help="video encoder (default: libx264 if available)")
    p.add_argument("--no-video", action="store_true", help="write annotations only, no MP4 files")
    p.add_argument("--jobs", type=positive_int, default=1, metavar="N",
                   help=f"videos generated in parallel (default 1; this machine has {os.cpu_count()} CPUs)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--force", action="store_true", help="overwrite a previous svag synth output in --out")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from svag.synth import DetConfig, generate_benchmark
    if args.max_actors < 2:
        raise InputError(f"--max-actors must be at least 2, got {args.max_actors}")
    check_output_dir(args.out, "--out")
    info = generate_benchmark(
        args.out, videos=args.videos, frames=args.frames, size=args.size, seed=args.seed, fps=args.fps,
        max_actors=args.max_actors, det=DetConfig(args.det_noise, args.det_miss, args.det_fp),
        queries_per_video=args.queries, empty_queries=args.empty_queries, dataset=args.dataset,
        write_video=not args.no_video, codec=args.codec, jobs=args.jobs, overwrite=args.force,
        progress=not args.no_progress)
    print(f"wrote {len(info.sequences)} videos x {args.frames} frames ({args.size[0]}x{args.size[1]}), "
          f"{info.queries} queries ({info.empty_queries} matching nobody), {info.tracks} query tracks "
          f"to {info.out_dir} in {info.seconds:.1f} s", file=sys.stderr)
    print(info.gt_path)
    return 0
