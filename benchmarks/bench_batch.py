"""Batch grounding: videos/min in one process, in local worker processes, and on Ray.

Generates synthetic videos (``svag synth``), then runs ``svag ground --batch`` on them in a
fresh process per mode, pixels decoded, detected (motion detector) and tracked, no scene cache:

- sequential (one process), ``--workers 2`` (local processes), ``--ray --workers 2`` (local Ray,
  started with svag's no-traffic guard);
- Ray's start-up cost alone: start and stop a local Ray session the same way.

Checks that every mode writes a byte-identical ``pred.json``. The expectation of issue #16 on
a 2-core machine: the Ray run is not slower than the sequential one by more than Ray's start-up.

    python benchmarks/bench_batch.py [--videos 8] [--frames 300] [--size 640x360] [--repeat 1]

Writes benchmarks/results/batch.json and prints a table.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SRC = HERE.parent / "src"
MODES = {"sequential": [], "processes (2)": ["--workers", "2"], "ray (2 actors)": ["--ray", "--workers", "2"]}
RAY_START = ("import time; t = time.perf_counter()\n"
             "from svag.run.ray_session import ray_session\n"
             "with ray_session(num_cpus=2) as ray:\n"
             "    ray.get(ray.remote(lambda: 1).remote())\n"
             "print(time.perf_counter() - t)\n")


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}


def _svag(*args: str) -> subprocess.CompletedProcess:
    run = subprocess.run([sys.executable, "-m", "svag.cli.main", *args], env=_env(), capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"svag {' '.join(args)} failed:\n{run.stderr[-3000:]}")
    return run


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--videos", type=int, default=8)
    ap.add_argument("--frames", type=int, default=300)
    ap.add_argument("--size", default="640x360")
    ap.add_argument("--repeat", type=int, default=1, help="runs per mode (the fastest counts)")
    ap.add_argument("--out", type=Path, default=RESULTS / "batch.json")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="svag-bench-batch-") as tmp:
        root = Path(tmp)
        _svag("synth", "--out", str(root / "synth"), "--videos", str(args.videos), "--frames", str(args.frames),
              "--size", args.size, "--seed", "16")
        names = sorted(p.name for p in (root / "synth").iterdir() if (p / "seqinfo.ini").is_file())
        manifest = root / "videos.txt"
        manifest.write_text(f"queries: {root / 'synth' / 'gt.json'}\n" +
                            "".join(f"{root / 'synth' / n / (n + '.mp4')}\n" for n in names))
        rows = {}
        preds = {}
        for mode, extra in MODES.items():
            walls = []
            for r in range(args.repeat):
                out = root / f"out-{len(rows)}-{r}"
                t0 = time.perf_counter()
                _svag("ground", "--batch", str(manifest), "--out", str(out), "--no-cache", "--no-progress", *extra)
                walls.append(time.perf_counter() - t0)
                preds.setdefault(mode, (out / "pred.json").read_bytes())
                summary = json.loads((out / "summary.json").read_text())
                assert summary["done"] == len(names), summary
            wall = min(walls)
            rows[mode] = {"wall_s": wall, "videos_per_min": 60 * len(names) / wall, "frames": summary["frames"],
                          "runs": walls}
        starts = [float(subprocess.run([sys.executable, "-c", RAY_START], env=_env(), capture_output=True,
                                       text=True, check=True).stdout.split()[-1]) for _ in range(args.repeat)]
    identical = len(set(preds.values())) == 1
    ray_start = min(starts)
    seq, ray = rows["sequential"]["wall_s"], rows["ray (2 actors)"]["wall_s"]
    result = {"videos": len(names), "frames_per_video": args.frames, "size": args.size, "cpus": os.cpu_count(),
              "load_avg_1min": os.getloadavg()[0], "python": platform.python_version(), "modes": rows,
              "ray_start_s": ray_start, "ray_minus_sequential_s": ray - seq,
              "ray_within_startup_cost": ray - seq <= ray_start, "predictions_identical": identical}
    print(f"{args.videos} videos x {args.frames} frames ({args.size}), motion detector + ByteTrack, "
          f"{os.cpu_count()} CPUs, load {result['load_avg_1min']:.1f}")
    print(f"{'mode':16} {'wall s':>8} {'videos/min':>11}")
    for mode, row in rows.items():
        print(f"{mode:16} {row['wall_s']:8.1f} {row['videos_per_min']:11.1f}")
    print(f"Ray start-up alone: {ray_start:.1f} s; Ray - sequential: {ray - seq:+.1f} s "
          f"({'within' if result['ray_within_startup_cost'] else 'MORE than'} the start-up cost)")
    print(f"pred.json byte-identical across modes: {identical}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
