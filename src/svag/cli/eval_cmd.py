"""``svag eval``: score predictions against ground truth and print a table."""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from svag.cli.validate import check_outputs
from svag.eval.result import EvalResult

SVAG_COLUMNS = ("HOTA", "DetA", "AssA", "LocA", "mIoU", "R1@0.3", "R1@0.5", "R5@0.5", "R10@0.5", "m-HIoU")
MOT_COLUMNS = ("HOTA", "DetA", "AssA", "LocA", "MOTA", "MOTP", "IDF1", "IDSW", "FP", "FN")
COLUMNS = {"mot": MOT_COLUMNS, "stvg": ("m_tIoU", "m_vIoU", "vIoU@0.3", "vIoU@0.5", "videos"),
           "mr": ("mIoU", "R1@0.3", "R1@0.5", "R1@0.7", "R5@0.5", "R10@0.5", "mAP", "queries"),
           "pointing": ("accuracy", "query_accuracy", "frames", "hits", "queries", "frames_without_heatmap")}

EPILOG = """examples (from the project folder; P=../shared/data/svageval-parity/small, T=a tracker's results):
  svag eval ../shared/data/svageval-parity/small/gt.json.gz ../shared/data/svageval-parity/small/pred.json.gz
      official SVAGEval numbers (protocol svag)
  svag eval ../shared/data/svageval-parity/small/gt.json.gz ../shared/data/svageval-parity/small/pred.json.gz --protocol svag-strict --json strict.json --per-query queries.csv
  svag eval ../shared/data/svageval-parity/small/gt.json.gz ../shared/data/svageval-parity/small/pred.json.gz --datasets MOT17
      score one dataset of several
  svag eval --protocol mot ../shared/data/mot/MOT17-02 ../shared/data/trackers/20221127_result_auginput17dim_finethresh_wodist_onefut/MOT17-02.txt
  svag eval --protocol mot ../shared/data/mot ../shared/data/trackers/20221127_result_auginput17dim_finethresh_wodist_onefut
      every sequence with a result file
Also: --protocol stvg GT PRED (HC-STVG / VidSTG annotations or SVAG JSON, single tubes) and
--protocol mr GT.jsonl PRED.jsonl (moment retrieval, moment_detr/FlashVTG files) and
--protocol pointing GT.json HEATMAP_DIR (pointing game on `svag ground --heatmaps` files).

Ground truth and predictions use the SVAG JSON format (gzip allowed). See docs/protocols.md for
what each protocol computes and how it differs from the official toolkit."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="evaluate predictions (SVAG, SVAG-strict, MOTChallenge, STVG, moment retrieval)",
                       description="Evaluate predictions against ground truth.", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("gt", help="ground truth: SVAG JSON (svag protocols) or MOT sequence folder / gt.txt (mot)")
    p.add_argument("pred", help="predictions: SVAG JSON, or a MOT result file / folder of <SEQ>.txt (mot)")
    from svag.eval.protocols import PROTOCOLS
    p.add_argument("--protocol", default="svag", choices=tuple(PROTOCOLS),
                   help="svag: exactly the official SVAGEval numbers (default); svag-strict: corrected "
                        "protocol; mot: TrackEval's MOTChallenge HOTA/CLEAR/Identity; stvg: single-tube "
                        "m_tIoU/m_vIoU/vIoU@R (ground truth: SVAG JSON, HC-STVG or VidSTG); mr: moment "
                        "retrieval on JSON lines (relevant_windows / pred_relevant_windows); pointing: "
                        "pointing game of heatmaps (PRED is a `svag ground --heatmaps` folder)")
    p.add_argument("--pointing-frames", choices=("windows", "boxes"), default="windows",
                   help="pointing: score frames inside the actors' windows (default) or every frame with a box")
    p.add_argument("--datasets", help="comma-separated dataset names to score (default: all in the ground truth)")
    p.add_argument("--benchmark", help="mot protocol: MOT15, MOT16, MOT17 or MOT20 conventions "
                                       "(default: inferred from the files)")
    p.add_argument("--sequences", help="mot protocol: comma-separated sequence names (default: every ground-truth "
                                       "sequence that has a result file)")
    p.add_argument("--json", metavar="FILE", help="write every number, unrounded, as JSON")
    p.add_argument("--per-query", metavar="FILE", help="write one row per query (CSV, or JSON lines if FILE "
                                                       "ends in .jsonl); svag protocols: with the track "
                                                       "pairs (and why a track is unpaired), the windows "
                                                       "R1/R5/R10 compared and their IoU, and the APs")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    p.add_argument("--quiet", action="store_true", help="print no table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from svag.io.atomic import atomic_outputs
    check_outputs(args.force, {"--json": (args.json, (".json",)),
                               "--per-query": (args.per_query, (".csv", ".jsonl", ".json"))},
                  inputs={"GT": args.gt, "PRED": args.pred})
    result = _evaluate(args)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if not args.quiet:
        print(format_table(result))
    # both files appear together when complete, or neither
    with atomic_outputs(args.json, args.per_query) as (json_tmp, rows_tmp):
        if json_tmp is not None:
            json_tmp.write_text(json.dumps(result.to_json(), indent=1, default=_plain))
        if rows_tmp is not None:
            write_rows(rows_tmp, result.rows(), fmt=Path(args.per_query).suffix)
    return 0


def _evaluate(args: argparse.Namespace) -> EvalResult:
    from svag.eval.protocols import evaluate_files
    names = [n.strip() for n in args.sequences.split(",") if n.strip()] if args.sequences else None
    datasets = [d.strip() for d in args.datasets.split(",") if d.strip()] if args.datasets else None
    return evaluate_files(args.protocol, args.gt, args.pred, datasets=datasets, benchmark=args.benchmark,
                          sequences=names, pointing_frames=args.pointing_frames)


COUNT_KEYS = {"IDSW", "FP", "FN", "Frag", "MT", "PT", "ML", "CLR_TP", "IDTP", "IDFN", "IDFP", "GT_Dets", "Dets",
              "GT_IDs", "IDs", "videos", "queries", "frames", "hits", "frames_without_heatmap"}


def _fmt(v: Any, digits: int, key: str = "") -> str:
    if isinstance(v, (int, float, np.integer, np.floating)) and float(v).is_integer() and (
            key in COUNT_KEYS or abs(v) >= 1000):
        return f"{int(v)}"
    return f"{v:.{digits}f}" if isinstance(v, (int, float)) else str(v)


def format_table(result: EvalResult) -> str:
    """A plain-text table: one row per dataset (or sequence) and the mean (or COMBINED)."""
    if result.protocol in COLUMNS:
        cols, rows = COLUMNS[result.protocol], result.datasets
        last = ("COMBINED" if result.protocol == "mot" else "mean", result.mean)
        digits = 3
    elif result.official is not None:  # official numbers exactly as SVAGEval prints them
        cols, rows, last = SVAG_COLUMNS, dict(result.official["datasets"]), ("mean", result.official["final"])
        for name, vals in rows.items():   # SVAGEval's m-HIoU: mean of HOTA and mIoU each rounded to 3 decimals
            rows[name] = {**vals, "m-HIoU": round((round(vals["HOTA"], 3) + round(vals["mIoU"], 3)) / 2, 3)}
        digits = 3
    else:
        cols, rows, last = SVAG_COLUMNS, result.datasets, ("mean", result.mean)
        digits = 3
    name_w = max([len(n) for n in rows] + [8])
    widths = [max(8, len(c)) for c in cols]
    head = f"{'':{name_w}}  " + "  ".join(f"{c:>{cw}}" for c, cw in zip(cols, widths))
    lines = [f"protocol: {result.protocol}", head, "-" * len(head)]
    for name, vals in list(rows.items()) + ([last] if len(rows) > 1 else []):
        lines.append(f"{name:{name_w}}  " + "  ".join(f"{_fmt(vals.get(c, float('nan')), digits, c):>{cw}}"
                                                      for c, cw in zip(cols, widths)))
    return "\n".join(lines)


def _plain(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else str(v)


def write_rows(path: Path, rows: list[dict[str, Any]], fmt: str | None = None) -> None:
    """One row per query: JSON lines when ``fmt`` (default: the file's extension) is .jsonl or
    .json, else CSV."""
    if (fmt or path.suffix) in (".jsonl", ".json"):
        path.write_text("".join(json.dumps(r, default=_plain) + "\n" for r in rows))
        return
    keys: list[str] = []
    for r in rows:
        keys.extend(k for k in r if k not in keys)
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=keys)
        w.writeheader()
        for r in rows:
            w.writerow({k: (json.dumps(v, default=_plain) if isinstance(v, (dict, list)) else v)
                        for k, v in r.items()})
