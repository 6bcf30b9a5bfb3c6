"""Pixel / true-track grounding HOTA over several ``svag synth`` seeds, for telling a change to the
pixel pipeline from noise.

``bench_pixels.py`` measures one seed. A change to the detector or the tracker moves which tracks
and windows the grounder picks, so one seed's HOTA moves by +-0.6 for changes that are neutral
on average (docs/grounding.md, session 11). This script grounds ``--videos`` videos (300 frames,
640x360) of each of ``--seeds`` from pixels and over the true tracks (same kinematic grounder,
as ``bench_pixels.py``), ``--jobs`` seeds at a time, and prints per seed the pixel HOTA, the
true-track HOTA and their ratio, then the mean ratio with its standard error. With ``--compare
OLD.json`` (this script's ``--json`` output from the code before the change) it prints the
paired difference per seed and its mean with the standard error: a change is a gain when that
mean is several standard errors above 0, on seeds it was not tuned on.

    python benchmarks/seed_panel.py --json before.json            # on the old code
    python benchmarks/seed_panel.py --compare before.json         # on the new code

About 50 s per seed of 10 videos on one core: the eight default seeds took 197 s with ``--jobs 2``
on a 2-core machine. The default seeds are the ones earlier sessions tuned and checked on;
held-out claims need fresh seeds.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

PANEL = (11, 1, 2027, 5150, 9001, 31337, 60606, 80808)


def seed_scores(seed: int, videos: int) -> dict:
    """Pixel and true-track SVAG HOTA (official protocol) on ``videos`` synth videos of ``seed``."""
    from svag.eval.svag_protocol import evaluate_svag
    from svag.io.svag_json import read_svag
    from svag.pipeline import GroundConfig, QuerySpec, VideoGrounder, to_prediction
    from svag.run.bench import queries_by_video, true_scene
    from svag.synth import generate_benchmark

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        generate_benchmark(tmp / "synth", videos=videos, frames=300, size=(640, 360), seed=seed)
        gt = read_svag(tmp / "synth" / "gt.json", "gt")
        vg = VideoGrounder(GroundConfig(cache_dir=""))
        items: dict[str, list] = {"pixels": [], "true": []}
        for d in gt:
            for video, queries in sorted(queries_by_video(d).items()):
                seq = tmp / "synth" / video
                texts = [q.text for q in queries]
                specs = [QuerySpec.of(q) for q in queries]
                items["pixels"] += list(zip(specs, vg.ground(vg.prepare(seq, progress=False), texts)))
                items["true"] += list(zip(specs, vg.ground(true_scene(seq), texts)))
        name = gt.datasets[0].name
        hota = {k: float(evaluate_svag(gt, to_prediction(name, v), protocol="svag").mean["HOTA"])
                for k, v in items.items()}
    return {"seed": seed, "pixels": hota["pixels"], "true": hota["true"],
            "ratio": hota["pixels"] / max(hota["true"], 1e-9), "seconds": time.perf_counter() - t0}


def mean_se(values: list[float]) -> tuple[float, float]:
    """Mean and its standard error (sample standard deviation / sqrt(n); 0 for one value)."""
    n = len(values)
    m = sum(values) / n
    if n < 2:
        return m, 0.0
    return m, math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1) / n)


def paired(new: list[dict], old: list[dict], key: str = "pixels") -> tuple[list[tuple[int, float]], float, float]:
    """Per-seed differences new - old of ``key`` on the seeds both runs have, their mean and its
    standard error."""
    before = {r["seed"]: r[key] for r in old}
    diffs = [(r["seed"], r[key] - before[r["seed"]]) for r in new if r["seed"] in before]
    if not diffs:
        raise SystemExit("seed_panel: --compare has none of these seeds")
    m, se = mean_se([d for _, d in diffs])
    return diffs, m, se


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default=",".join(map(str, PANEL)), help="comma-separated seeds")
    ap.add_argument("--videos", type=int, default=10)
    ap.add_argument("--jobs", type=int, default=2, help="seeds grounded at a time (processes)")
    ap.add_argument("--json", metavar="FILE", help="write the per-seed results here")
    ap.add_argument("--compare", metavar="FILE", help="a --json file of an earlier run: paired differences")
    args = ap.parse_args()
    try:
        seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    except ValueError:
        raise SystemExit(f"seed_panel: --seeds must be comma-separated integers, got {args.seeds!r}")
    if not seeds or args.videos < 1 or args.jobs < 1:
        raise SystemExit("seed_panel: need at least one seed, --videos >= 1 and --jobs >= 1")
    old = json.loads(Path(args.compare).read_text())["seeds"] if args.compare else None
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=min(args.jobs, len(seeds))) as pool:
        rows = list(pool.map(seed_scores, seeds, [args.videos] * len(seeds)))
    print(f"{'seed':>8}{'pixels':>9}{'true':>9}{'ratio':>8}")
    for r in rows:
        print(f"{r['seed']:8d}{r['pixels']:9.2f}{r['true']:9.2f}{r['ratio']:8.3f}")
    m, se = mean_se([r["ratio"] for r in rows])
    mp, sep = mean_se([r["pixels"] for r in rows])
    print(f"mean ratio {m:.3f} +- {se:.3f} (standard error), pixel HOTA {mp:.2f} +- {sep:.2f}; "
          f"{len(seeds)} seeds x {args.videos} videos in {time.perf_counter() - t0:.0f} s")
    out = {"videos": args.videos, "seeds": rows, "mean_ratio": m, "se_ratio": se}
    if old is not None:
        diffs, dm, dse = paired(rows, old)
        print("pixel HOTA, this run - " + args.compare + ": "
              + ", ".join(f"{s}: {d:+.2f}" for s, d in diffs)
              + f"; mean {dm:+.2f} +- {dse:.2f}" + (f" ({dm / dse:+.1f} standard errors)" if dse > 0 else ""))
        out["compare"] = {"file": args.compare, "differences": dict(diffs), "mean": dm, "se": dse}
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
