"""``svag demo``: the whole pipeline, offline, in well under a minute.

1. generate a short synthetic clip (real MP4) with exact ground truth (``svag synth``);
2. ground its queries from pixels: motion detection (people, vehicles and other movers told
   apart by shape and size), ByteTrack tracking, query parsing, the kinematic grounder
   (``svag ground``);
3. ground the same queries over the clip's true tracks, to show what detection and tracking
   cost;
4. evaluate both under the official and the strict SVAG protocol (``svag eval``);
5. render the video with what was found from pixels: one box and one label per actor, the
   queries it matches listed by tag, a legend of the tags.

Files go to ``--out`` (default: a new ``svag-demo`` folder in the current directory, numbered
when one exists); the rendered video's path is printed last.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from svag.cli.validate import check_output_dir, non_negative_int, positive_int
from svag.errors import InputError

DEFAULT_OUT = "svag-demo"
RENDERED = 4          # queries drawn on the video


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run the offline end-to-end demo", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", help=f"keep the demo's files in this new folder (default: ./{DEFAULT_OUT}, "
                                 f"or ./{DEFAULT_OUT}-2, -3 ... when that one is taken)")
    p.add_argument("--frames", type=positive_int, default=300, help="length of the synthetic clip (default 300)")
    p.add_argument("--seed", type=non_negative_int, default=1, help="random seed of the clip (default 1)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars (also none from model loading)")
    p.set_defaults(func=run)


def demo_folder(out: str | None, cwd: Path | None = None) -> Path:
    """The folder the demo writes: ``out`` (must be new or empty), else the first free
    ``svag-demo``, ``svag-demo-2``, ... under ``cwd``."""
    if out:
        path = Path(out)
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise InputError("demo folder exists and is not empty; choose a new one", file=str(path))
        return path
    root = cwd or Path.cwd()
    for k in range(1, 1000):
        path = root / (DEFAULT_OUT if k == 1 else f"{DEFAULT_OUT}-{k}")
        if not path.exists() or (path.is_dir() and not any(path.iterdir())):
            return path
    raise InputError(f"no free demo folder name under {root}; pass --out DIR")


def run(args: argparse.Namespace) -> int:
    if args.frames < 50:
        raise InputError(f"--frames must be at least 50, got {args.frames}")
    if args.out:
        check_output_dir(args.out, "--out")
    out = demo_folder(args.out)
    out.mkdir(parents=True, exist_ok=True)
    return _run(out, args)


def _run(out: Path, args: argparse.Namespace) -> int:
    from svag.run.bench import true_scene
    from svag.io.svag_json import read_svag, write_svag
    from svag.pipeline import GroundConfig, QuerySpec, VideoGrounder, to_prediction
    from svag.synth import generate_benchmark
    from svag.video.render import render_groundings

    start = time.perf_counter()
    progress = not args.no_progress
    generate_benchmark(out, videos=1, frames=args.frames, size=(640, 360), seed=args.seed, progress=progress)
    gt = read_svag(out / "gt.json", "gt")
    seq = next(p for p in sorted(out.iterdir()) if (p / "seqinfo.ini").is_file())
    print(f"1. synthetic clip: {seq.name}, {args.frames} frames, {sum(len(d) for d in gt)} queries "
          f"({time.perf_counter() - start:.1f} s)")

    t = time.perf_counter()
    vg = VideoGrounder(GroundConfig(cache_dir=""))
    queries = [q for d in gt for q in d]
    scene = vg.prepare(seq, progress=progress, texts=[q.text for q in queries])   # one decode
    results = vg.ground(scene, [q.text for q in queries])
    specs = [QuerySpec.of(q) for q in queries]
    pred = to_prediction(gt.datasets[0].name, list(zip(specs, results)))
    write_svag(out / "pred.json", pred, "pred")
    cats: dict[str, int] = {}
    for tr in scene.tracks:
        name = str(getattr(tr, "category", None) or "unlabelled")
        cats[name] = cats.get(name, 0) + 1
    print(f"2. grounded from pixels: {len(scene.tracks)} tracks ("
          + ", ".join(f"{n} {c}" for c, n in sorted(cats.items())) + "), "
          + ", ".join(f"{k} {v:.0f} fps" for k, v in vg.times.rates().items()) + f" ({time.perf_counter() - t:.1f} s)")
    for spec, res in list(zip(specs, results))[:6]:
        found = ", ".join(f"#{g.track.track_id} [{int(g.windows[0, 0])}-{int(g.windows[0, 1])}]"
                          for g in res.groundings[:4]) or "nothing"
        more = f" (+{len(res.groundings) - 4})" if len(res.groundings) > 4 else ""
        print(f"   {spec.text!r} -> {res.query.describe()}: {found}{more}")

    t = time.perf_counter()
    oracle = true_scene(seq)
    oracle_pred = to_prediction(gt.datasets[0].name, list(zip(specs, vg.ground(oracle, [q.text for q in queries]))))
    write_svag(out / "pred_true_tracks.json", oracle_pred, "pred")
    print(f"3. grounded the same queries over the {len(oracle.tracks)} true tracks ({time.perf_counter() - t:.1f} s)")

    print("4. evaluation (pixels: what svag finds from the video; true tracks: the same grounder given "
          "perfect detection and tracking):")
    print(comparison_table({"pixels": pred, "true tracks": oracle_pred}, gt))

    t = time.perf_counter()
    video = out / "grounded.mp4"
    shown = [i for i, r in enumerate(results) if r.groundings][:RENDERED] or list(range(min(RENDERED, len(results))))
    render_groundings(scene.frames or seq, video, [(specs[i], results[i]) for i in shown], progress=progress,
                      fps=scene.fps)
    print(f"5. rendered {len(shown)} queries ({time.perf_counter() - t:.1f} s); all files in {out}; "
          f"done in {time.perf_counter() - start:.1f} s")
    print(f"rendered video: {video}")
    return 0


def comparison_table(preds: dict[str, Any], gt: Any) -> str:
    """HOTA, mIoU and m-HIoU of each prediction under both protocols, one row each."""
    from svag.eval.svag_protocol import evaluate_svag
    cols = ("HOTA", "mIoU", "m-HIoU")
    head = f"   {'':14}{'protocol':14}" + "".join(f"{c:>9}" for c in cols)
    lines = [head, "   " + "-" * (len(head) - 3)]
    for protocol in ("svag", "svag-strict"):
        for name, pred in preds.items():
            mean = evaluate_svag(gt, pred, protocol=protocol).mean
            lines.append(f"   {name:14}{protocol:14}" + "".join(f"{mean[c]:9.2f}" for c in cols))
    return "\n".join(lines)
