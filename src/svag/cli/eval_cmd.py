"""``svag eval``: score predictions against ground truth and print a table."""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from svag.cli.common import check_outputs
from svag.errors import InputError
from svag.eval.result import EvalResult

SVAG_COLUMNS = ("HOTA", "DetA", "AssA", "LocA", "mIoU", "R1@0.3", "R1@0.5", "R5@0.5", "R10@0.5", "m-HIoU")
MOT_COLUMNS = ("HOTA", "DetA", "AssA", "LocA", "MOTA", "MOTP", "IDF1", "IDSW", "FP", "FN")
COLUMNS = {"mot": MOT_COLUMNS, "stvg": ("m_tIoU", "m_vIoU", "vIoU@0.3", "vIoU@0.5", "videos"),
           "mr": ("mIoU", "R1@0.3", "R1@0.5", "R1@0.7", "R5@0.5", "R10@0.5", "mAP", "queries"),
           "pointing": ("accuracy", "query_accuracy", "frames", "hits", "queries", "frames_without_heatmap")}

EPILOG = """examples:
  svag eval gt.json pred.json                       official SVAGEval numbers (protocol svag)
  svag eval gt.json pred.json --protocol svag-strict --json scores.json --per-query queries.csv
  svag eval gt.json pred.json --datasets MOT17      score one dataset of several
  svag eval --protocol mot MOT17-02/ results/MOT17-02.txt
  svag eval --protocol mot mot/ tracker_results/    every sequence with a result file
  svag eval --protocol stvg hcstvg_test.json pred.json
  svag eval --protocol mr val.jsonl val_preds.jsonl  moment retrieval (moment_detr/FlashVTG files)
  svag eval --protocol pointing gt.json heatmaps/    pointing game on `svag ground --heatmaps` files

Ground truth and predictions use the SVAG JSON format (gzip allowed). See docs/protocols.md for
what each protocol computes and how it differs from the official toolkit."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="evaluate predictions (SVAG, SVAG-strict, MOTChallenge, STVG, moment retrieval)",
                       description="Evaluate predictions against ground truth.", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("gt", help="ground truth: SVAG JSON (svag protocols) or MOT sequence folder / gt.txt (mot)")
    p.add_argument("pred", help="predictions: SVAG JSON, or a MOT result file / folder of <SEQ>.txt (mot)")
    p.add_argument("--protocol", default="svag", choices=("svag", "svag-strict", "mot", "stvg", "mr", "pointing"),
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
                                                       "ends in .jsonl)")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    p.add_argument("--quiet", action="store_true", help="print no table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_outputs(args.force, args.json, args.per_query)
    result = _evaluate(args)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if not args.quiet:
        print(format_table(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result.to_json(), indent=1, default=_plain))
    if args.per_query:
        write_rows(Path(args.per_query), result.per_query)
    return 0


def _evaluate(args: argparse.Namespace) -> EvalResult:
    if args.protocol == "mot":
        return _evaluate_mot(args)
    if args.protocol == "pointing":
        from svag.eval.pointing import evaluate_pointing
        from svag.io.svag_json import read_svag
        datasets = [d.strip() for d in args.datasets.split(",") if d.strip()] if args.datasets else None
        return evaluate_pointing(read_svag(args.gt, "gt"), args.pred, frames=args.pointing_frames, datasets=datasets)
    if args.protocol == "mr":
        from svag.eval.tube_protocols import evaluate_moment_retrieval
        return evaluate_moment_retrieval(args.gt, args.pred)
    if args.protocol == "stvg":
        from svag.eval.tube_protocols import evaluate_stvg
        from svag.io.svag_json import read_svag
        return evaluate_stvg(_read_tubes(args.gt), read_svag(args.pred, "pred"))
    from svag.eval.svag_protocol import evaluate_svag
    from svag.io.svag_json import ReadReport, read_svag
    report = ReadReport()
    gt = read_svag(args.gt, "gt", report=report)
    pred = read_svag(args.pred, "pred", report=report)
    datasets = [d.strip() for d in args.datasets.split(",") if d.strip()] if args.datasets else None
    result = evaluate_svag(gt, pred, protocol=args.protocol, datasets=datasets)
    if report.null_windows:
        result.notes.insert(0, f"{report.null_windows} null temporal entries were read as 'no window'")
    for kind, n in report.zero_area_boxes.items():
        what = "ground-truth boxes (always missed)" if kind == "gt" else "predicted boxes (false positives)"
        result.notes.insert(0, f"{n} {what} have zero width or height")
    if report.reversed_windows:
        result.notes.insert(0, f"{report.reversed_windows} predicted windows have start > end "
                               "(official: scored as given; svag-strict: IoU 0)")
    result.notes[:0] = report.notes
    return result


def _evaluate_mot(args: argparse.Namespace) -> EvalResult:
    from svag.eval.mot_protocol import evaluate_mot, find_sequences
    names = [n.strip() for n in args.sequences.split(",") if n.strip()] if args.sequences else None
    skipped: list[str] = []
    pred = Path(args.pred)
    if names is None and pred.is_dir() and Path(args.gt).is_dir():
        seqs = find_sequences(args.gt)
        if len(seqs) > 1:     # a folder of sequences: score those the tracker has results for
            have = {f.stem for f in pred.glob("*.txt")} | {f.stem for f in (pred / "data").glob("*.txt")}
            names = [s.name for s in seqs if s.name in have]
            skipped = [s.name for s in seqs if s.name not in have]
            if not names:
                raise InputError(f"no result file <SEQ>.txt for any of the sequences {[s.name for s in seqs]}",
                                 file=str(pred))
    result = evaluate_mot(args.gt, args.pred, benchmark=args.benchmark, sequences=names)
    if skipped:
        result.notes.insert(0, f"{len(skipped)} ground-truth sequences have no result file and were not scored: "
                               f"{', '.join(skipped)}")
    return result


def _read_tubes(path: str):  # type: ignore[no-untyped-def]
    """STVG ground truth: HC-STVG or VidSTG annotations, or SVAG JSON (one track per query)."""
    from svag.data.stvg import looks_like_hcstvg, looks_like_vidstg, parse_hcstvg, parse_vidstg
    from svag.io.svag_json import load_json, parse_svag
    obj = load_json(path)
    if looks_like_hcstvg(obj):
        return parse_hcstvg(obj, source=path)
    if looks_like_vidstg(obj):
        return parse_vidstg(obj, source=path)
    return parse_svag(obj, "gt", source=path)


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
        for name, vals in rows.items():
            rows[name] = {**vals, "m-HIoU": (vals["HOTA"] + vals["mIoU"]) / 2}
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
    if result.official is not None and len(rows) <= 1:
        lines.append(f"{'m-HIoU':{name_w}}  {result.official['final']['m-HIoU']:.3f}")
    return "\n".join(lines)


def _plain(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else str(v)


def write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    if path.suffix in (".jsonl", ".json"):
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
