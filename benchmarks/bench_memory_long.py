"""Peak memory of `svag ground` with many queries on a short and a 10x longer video (issue #10).

For 1,500 and 15,000 frames: a synthetic benchmark video (annotations only, ``svag synth
--no-video``, 54 queries), its gt tracks copied 12 times with shifted ids and boxes (60 tracks:
many groundings per query), then ``svag ground SEQ --tracks many.txt --queries gt.json --out
pred.json`` in a fresh process whose peak resident memory (ru_maxrss) is measured. The targets:
growth below 2x from the short to the long video, and below 150 MB in absolute terms (about
430 MB of each peak is the sentence-embedding model, the same for both lengths). Before the
streamed writer (commit of issue #10), the same run peaked at 707 MB and 1,259 MB (+552 MB);
after it, 593 MB and 626 MB (+33 MB).

    python benchmarks/bench_memory_long.py

Writes benchmarks/results/memory_long.json and prints a table.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
FRAMES = (1500, 15000)
COPIES = 12
TARGET_GROWTH = 2.0
TARGET_DELTA_MB = 150

_MEASURE = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
if done.returncode:
    sys.exit(done.stderr[-2000:])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def svag(*args: str) -> list[str]:
    return [sys.executable, "-m", "svag.cli.main", *args]


def many_tracks(gt_txt: Path, out: Path) -> int:
    a = np.loadtxt(gt_txt, delimiter=",", ndmin=2)
    copies = []
    for k in range(COPIES):
        b = a[:, :7].copy()
        b[:, 1] += 100 * k
        b[:, 2] = np.clip(b[:, 2] + 7 * k, 0, 600)
        copies.append(b)
    rows = np.concatenate(copies)
    rows = rows[np.lexsort((rows[:, 1], rows[:, 0]))]
    np.savetxt(out, rows, fmt="%g", delimiter=",")
    return len(rows)


def measure(frames: int, work: Path) -> dict:
    out = work / f"f{frames}"
    subprocess.run(svag("synth", "--out", str(out), "--videos", "1", "--frames", str(frames), "--no-video",
                        "--queries", "40", "--no-progress"), check=True, capture_output=True)
    seq = out / "SYNTH-01"
    rows = many_tracks(seq / "gt" / "gt.txt", work / f"many{frames}.txt")
    queries = sum(len(d["queries"]) for d in json.loads((out / "gt.json").read_text())["datasets"])
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURE, *svag(
        "ground", str(seq), "--tracks", str(work / f"many{frames}.txt"), "--queries", str(out / "gt.json"),
        "--out", str(work / f"pred{frames}.json"), "--no-progress")], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    return {"frames": frames, "queries": queries, "track_rows": rows, "peak_mb": int(done.stdout) / 1024,
            "seconds": round(time.perf_counter() - t0, 1),
            "pred_mb": (work / f"pred{frames}.json").stat().st_size / 2**20}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="svag-mem-") as tmp:
        rows = [measure(f, Path(tmp)) for f in FRAMES]
    growth = rows[1]["peak_mb"] / rows[0]["peak_mb"]
    delta = rows[1]["peak_mb"] - rows[0]["peak_mb"]
    print(f"{'frames':>7} {'queries':>7} {'rows':>7} {'peak MB':>8} {'pred MB':>8} {'s':>6}")
    for r in rows:
        print(f"{r['frames']:7d} {r['queries']:7d} {r['track_rows']:7d} {r['peak_mb']:8.0f} {r['pred_mb']:8.1f} "
              f"{r['seconds']:6.1f}")
    print(f"growth {growth:.2f}x (target < {TARGET_GROWTH:g}x), +{delta:.0f} MB (target < {TARGET_DELTA_MB} MB)")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "memory_long.json").write_text(json.dumps({"runs": rows, "growth": growth, "delta_mb": delta,
                                                          "cpus": os.cpu_count()}, indent=1))
    return 0 if growth < TARGET_GROWTH and delta < TARGET_DELTA_MB else 1


if __name__ == "__main__":
    sys.exit(main())
