"""Time svag's MOT evaluation against TrackEval 1.3.0 on real MOTChallenge data.

HOTA + CLEAR + Identity on the 7 MOT17 training sequences of the
``20221127_result_auginput17dim_finethresh_wodist_onefut`` tracker in the shared data pack
(``../shared/data`` beside the repository, or ``$SVAG_SHARED_DATA``), end to end (file reading
included on both sides), in the same process: ``svag.eval.mot_protocol.evaluate_mot`` against
TrackEval's ``Evaluator`` configured as in the pack's README recipe (no parallelism, no output
files, its stdout silenced). svag runs as ``evaluate_mot`` does by default (``workers="auto"``:
up to 2 processes, each reading and evaluating whole sequences; the count used is printed) and,
for transparency, also serially in one process (``workers=1``). Reports best-of and median wall
times, the speed ratio (default svag against TrackEval), peak
Python-heap memory of one run of each (tracemalloc; numpy buffers included), a stage breakdown
of svag's run, and the largest absolute difference of the main metrics over the 7 sequences and
COMBINED. Writes ``benchmarks/results/mot_vs_trackeval.json``.

    python benchmarks/bench_mot_vs_trackeval.py [--repeat 7] [--repeat-trackeval 3]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results"
TRACKER = "20221127_result_auginput17dim_finethresh_wodist_onefut"
SEQUENCES = ["MOT17-02", "MOT17-04", "MOT17-05", "MOT17-09", "MOT17-10", "MOT17-11", "MOT17-13"]
TARGET_RATIO = 20.0
MAIN_METRICS = ("HOTA", "DetA", "AssA", "LocA", "MOTA", "MOTP", "IDF1", "IDP", "IDR", "IDSW", "CLR_FP",
                "CLR_FN", "CLR_TP", "Frag", "MT", "PT", "ML", "IDTP")


def data_root() -> Path:
    root = Path(os.environ.get("SVAG_SHARED_DATA", REPO.parent / "shared" / "data"))
    if not (root / "trackers" / TRACKER).is_dir():
        sys.exit(f"shared data pack not found at {root} (set SVAG_SHARED_DATA)")
    return root


# ----------------------------------------------------------------------------------------------
# the two contenders


def run_svag(root: Path, workers: int | str = "auto") -> dict[str, dict[str, float]]:
    from svag.eval.mot_protocol import evaluate_mot
    res = evaluate_mot(root / "mot", root / "trackers" / TRACKER, benchmark="MOT17", sequences=SEQUENCES,
                       workers=workers)
    return {**res.datasets, "COMBINED": res.mean}


def run_trackeval(root: Path) -> dict[str, dict[str, float]]:
    with contextlib.redirect_stdout(io.StringIO()):
        import trackeval
        ev_cfg = trackeval.Evaluator.get_default_eval_config()
        ev_cfg.update(USE_PARALLEL=False, PRINT_RESULTS=False, PRINT_CONFIG=False, TIME_PROGRESS=False,
                      OUTPUT_SUMMARY=False, OUTPUT_DETAILED=False, PLOT_CURVES=False)
        ds_cfg = trackeval.datasets.MotChallenge2DBox.get_default_dataset_config()
        with tempfile.TemporaryDirectory() as out_dir:
            ds_cfg.update(GT_FOLDER=str(root / "mot"), TRACKERS_FOLDER=str(root / "trackers"),
                          TRACKERS_TO_EVAL=[TRACKER], BENCHMARK="MOT17", SKIP_SPLIT_FOL=True,
                          TRACKER_SUB_FOLDER="", SEQ_INFO={s: None for s in SEQUENCES}, OUTPUT_FOLDER=out_dir,
                          PRINT_CONFIG=False)
            metrics = [trackeval.metrics.HOTA(), trackeval.metrics.CLEAR(), trackeval.metrics.Identity()]
            res, _ = trackeval.Evaluator(ev_cfg).evaluate([trackeval.datasets.MotChallenge2DBox(ds_cfg)], metrics)
    out = {}
    for seq, r in res["MotChallenge2DBox"][TRACKER].items():
        r = r["pedestrian"]
        h, c, i = r["HOTA"], r["CLEAR"], r["Identity"]
        vals = {k: 100 * float(np.mean(h[k])) for k in ("HOTA", "DetA", "AssA", "LocA")}
        vals.update({k: 100 * float(c[k]) for k in ("MOTA", "MOTP")})
        vals.update({k: float(c[k]) for k in ("IDSW", "CLR_FP", "CLR_FN", "CLR_TP", "Frag", "MT", "PT", "ML")})
        vals.update({k: 100 * float(i[k]) for k in ("IDF1", "IDP", "IDR")})
        vals["IDTP"] = float(i["IDTP"])
        out["COMBINED" if seq == "COMBINED_SEQ" else seq] = vals
    return out


# ----------------------------------------------------------------------------------------------
# measuring


def timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def peak_mb(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def stages(root: Path, repeat: int) -> dict[str, float]:
    """Best-of time of each stage of svag's run, summed over the sequences."""
    from svag.eval.clear import clear_sequence
    from svag.eval.hota import hota_sequence
    from svag.eval.identity import identity_sequence
    from svag.eval.mot_protocol import find_sequences, preprocess_mot, select_sequences
    from svag.io.mot import read_mot_gt, read_mot_results
    seqs = select_sequences(find_sequences(root / "mot"), SEQUENCES)
    best: dict[str, float] = {}
    for _ in range(repeat):
        spent = dict.fromkeys(("read", "preprocess", "HOTA", "CLEAR", "Identity"), 0.0)
        for s in seqs:
            t0 = time.perf_counter()
            gt = read_mot_gt(s.gt_file)
            tr = read_mot_results(root / "trackers" / TRACKER / f"{s.name}.txt")
            t1 = time.perf_counter()
            seq = preprocess_mot(gt, tr, s.length() or 0, "MOT17")
            t2 = time.perf_counter()
            hota_sequence(seq)
            t3 = time.perf_counter()
            clear_sequence(seq)
            t4 = time.perf_counter()
            identity_sequence(seq)
            t5 = time.perf_counter()
            for k, dt in zip(spent, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
                spent[k] += dt
        best = {k: min(v, best.get(k, np.inf)) for k, v in spent.items()}
    return best


def max_abs_diff(a: dict[str, dict[str, float]], b: dict[str, dict[str, float]]) -> dict[str, float]:
    return {k: max(abs(a[s][k] - b[s][k]) for s in b) for k in MAIN_METRICS}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=7, help="runs of svag (best-of)")
    ap.add_argument("--repeat-trackeval", type=int, default=3, help="runs of TrackEval (best-of)")
    args = ap.parse_args()
    root = data_root()

    run_svag(root)                                      # warm-up: imports, page cache
    ours_t, ours = timed(lambda: run_svag(root), args.repeat)
    serial_t, serial = timed(lambda: run_svag(root, workers=1), args.repeat)
    assert serial == ours, "serial and parallel svag disagree"
    te_t, te = timed(lambda: run_trackeval(root), args.repeat_trackeval)
    ours_mb, te_mb = peak_mb(lambda: run_svag(root)), peak_mb(lambda: run_trackeval(root))
    breakdown = stages(root, args.repeat)
    diff = max_abs_diff(ours, te)
    ratio = min(te_t) / min(ours_t)

    from svag.eval.mot_protocol import _worker_count, find_sequences, find_tracker_files, select_sequences
    seqs = select_sequences(find_sequences(root / "mot"), SEQUENCES)
    trk = find_tracker_files(root / "trackers" / TRACKER, seqs)
    n_workers = _worker_count("auto", [(s, trk[s.name], "MOT17") for s in seqs])
    n_gt = sum(sum(1 for _ in open(root / "mot" / s / "gt" / "gt.txt")) for s in SEQUENCES)
    n_tr = sum(sum(1 for _ in open(root / "trackers" / TRACKER / f"{s}.txt")) for s in SEQUENCES)
    print(f"HOTA + CLEAR + Identity, 7 MOT17 sequences ({n_gt} gt rows, {n_tr} tracker rows), files read included")
    print(f"{'':10} {'best s':>8} {'median s':>9} {'peak MB':>8}")
    print(f"{'svag':10} {min(ours_t):8.3f} {statistics.median(ours_t):9.3f} {ours_mb:8.1f}"
          f"   ({n_workers} worker process{'es' if n_workers > 1 else ''})")
    print(f"{'svag x1':10} {min(serial_t):8.3f} {statistics.median(serial_t):9.3f} {'':>8}   (serial, 1 process)")
    print(f"{'TrackEval':10} {min(te_t):8.3f} {statistics.median(te_t):9.3f} {te_mb:8.1f}")
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    print(f"speed-up (best / best): {ratio:.1f}x  (target {TARGET_RATIO:.0f}x: {verdict}); serial svag "
          f"{min(te_t) / min(serial_t):.1f}x")
    print("svag stages (best-of, summed over sequences): " +
          ", ".join(f"{k} {1000 * v:.0f} ms" for k, v in breakdown.items()))
    print("max |svag - TrackEval| over the 7 sequences and COMBINED:")
    print("  " + ", ".join(f"{k} {v:.2g}" for k, v in diff.items()))

    RESULTS.mkdir(exist_ok=True)
    report = {
        "machine": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
        "numpy": np.__version__, "tracker": TRACKER, "sequences": SEQUENCES, "gt_rows": n_gt, "tracker_rows": n_tr,
        "repeat": {"svag": args.repeat, "trackeval": args.repeat_trackeval},
        "svag_workers": n_workers,
        "svag_s": {"best": min(ours_t), "median": statistics.median(ours_t), "all": ours_t},
        "svag_serial_s": {"best": min(serial_t), "median": statistics.median(serial_t), "all": serial_t},
        "speedup_serial_best": min(te_t) / min(serial_t),
        "trackeval_s": {"best": min(te_t), "median": statistics.median(te_t), "all": te_t},
        "speedup_best": ratio, "speedup_median": statistics.median(te_t) / statistics.median(ours_t),
        "target_speedup": TARGET_RATIO, "target_met": ratio >= TARGET_RATIO,
        "peak_tracemalloc_mb": {"svag": ours_mb, "trackeval": te_mb},
        "svag_stages_best_s": breakdown, "max_abs_diff": diff,
        "combined": {"svag": {k: ours["COMBINED"][k] for k in MAIN_METRICS},
                     "trackeval": {k: te["COMBINED"][k] for k in MAIN_METRICS}},
    }
    (RESULTS / "mot_vs_trackeval.json").write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
