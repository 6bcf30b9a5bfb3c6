"""``svag demo``: the whole pipeline, offline, in well under a minute.

1. generate a short synthetic clip (real MP4) with exact ground truth (``svag synth``);
2. ground its queries from pixels: motion detection, ByteTrack tracking, query parsing, the
   kinematic grounder (``svag ground``);
3. render the video with what was found;
4. evaluate the prediction under the official and the strict SVAG protocol (``svag eval``).
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from svag.cli.validate import check_output_dir, non_negative_int, positive_int
from svag.errors import InputError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run the offline end-to-end demo", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", help="keep the demo's files in this new folder (default: a temporary folder)")
    p.add_argument("--frames", type=positive_int, default=300, help="length of the synthetic clip (default 300)")
    p.add_argument("--seed", type=non_negative_int, default=1, help="random seed of the clip (default 1)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars (also none from model loading)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.out:
        check_output_dir(args.out, "--out")
    if args.out and Path(args.out).exists() and any(Path(args.out).iterdir()):
        raise InputError("demo folder exists and is not empty; choose a new one", file=args.out)
    if args.out:
        return _run(Path(args.out), args)
    with tempfile.TemporaryDirectory(prefix="svag-demo-") as tmp:
        return _run(Path(tmp), args)


def _run(out: Path, args: argparse.Namespace) -> int:
    from svag.cli.eval_cmd import format_table
    from svag.eval.svag_protocol import evaluate_svag
    from svag.io.svag_json import read_svag, write_svag
    from svag.pipeline import GroundConfig, QuerySpec, VideoGrounder, to_prediction
    from svag.synth import generate_benchmark
    from svag.video.render import render_groundings

    start = time.perf_counter()
    progress = not args.no_progress
    generate_benchmark(out, videos=1, frames=args.frames, size=(640, 360), seed=args.seed, progress=progress)
    gt = read_svag(out / "gt.json", "gt")
    seq = next(p for p in out.iterdir() if (p / "seqinfo.ini").is_file())
    print(f"1. synthetic clip: {seq.name}, {args.frames} frames, {sum(len(d) for d in gt)} queries "
          f"({time.perf_counter() - start:.1f} s)")

    t = time.perf_counter()
    vg = VideoGrounder(GroundConfig(cache_dir=""))
    scene = vg.prepare(seq, progress=progress)
    queries = [q for d in gt for q in d]
    results = vg.ground(scene, [q.text for q in queries])
    specs = [QuerySpec(q.text, q.query_id, q.video_name, q.video_length, q.video_id) for q in queries]
    pred = to_prediction(gt.datasets[0].name, list(zip(specs, results)))
    write_svag(out / "pred.json", pred, "pred")
    print(f"2. grounded from pixels: {len(scene.tracks)} tracks, " + ", ".join(
        f"{k} {v:.0f} fps" for k, v in vg.times.rates().items()) + f" ({time.perf_counter() - t:.1f} s)")
    for spec, res in list(zip(specs, results))[:6]:
        print(f"   {spec.text!r} -> {res.query.describe()}: {len(res.groundings)} tracks")

    t = time.perf_counter()
    render_groundings(scene.frames or seq, out / "grounded.mp4", list(zip(specs, results))[:4], progress=progress,
                      fps=scene.fps)
    print(f"3. rendered the first 4 queries to {out / 'grounded.mp4'} ({time.perf_counter() - t:.1f} s)")

    print("4. evaluation:")
    for protocol in ("svag", "svag-strict"):
        print(format_table(evaluate_svag(gt, pred, protocol=protocol)))
    print(f"done in {time.perf_counter() - start:.1f} s; files in {out}"
          + ("" if args.out else " (temporary; pass --out DIR to keep them)"))
    return 0
