"""``svag data``: build SVAG ground truth from SVAG-Bench rows, list what a folder contains."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from svag.cli.validate import JSON_EXTS, check_input_dir, check_input_file, check_outputs, non_negative_int
from svag.errors import InputError

BUILD_EPILOG = """examples (from the project folder):
  svag data build ../shared/data/svag/original/MOT17-training.json --mot-root ../shared/data/mot \\
      --dataset MOT17 --out gt.json
  svag data build ../shared/data/svag/rephrased_with_qid/MOT17-training-doubled_qid.json \\
      --mot-root ../shared/data/mot --dataset MOT17 --queries rephrased --videos MOT17-02,MOT17-04 \\
      --out gt_rephrased.json --report report.json
  svag data build ../shared/data/svag/original/MOT20-training.json --mot-root ../shared/data/mot \\
      --dataset MOT20 --videos MOT20-01 --out gt_mot20.json

Query ids: the QID of rephrased-layout files; 1, 2, ... by first appearance of (Video, text) for
original-layout files (their QIDs repeat across videos). --report writes, among the counts, where
every query id comes from (file, rows, QIDs)."""

LIST_EPILOG = """examples:
  svag data list ../shared/data
  svag data list ../shared/data/svag --json catalog.json"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("data", help="build ground truth from raw annotations; list data folders",
                       description="Data preparation.")
    dsub = p.add_subparsers(dest="data_command", metavar="SUBCOMMAND")

    b = dsub.add_parser("build", help="SVAG-Bench rows + MOT gt -> SVAG ground truth JSON",
                        description="Build SVAG ground truth (official JSON format) from SVAG-Bench raw "
                                    "annotation rows and a MOTChallenge folder of gt.txt/seqinfo.ini.",
                        epilog=BUILD_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    b.add_argument("annotations", nargs="+", metavar="ANNOTATIONS",
                   help="raw annotation file(s) (JSON list of rows); several are read as one")
    b.add_argument("--mot-root", required=True, metavar="DIR",
                   help="folder with <VIDEO>/gt/gt.txt and <VIDEO>/seqinfo.ini")
    b.add_argument("--dataset", required=True, metavar="NAME", help="dataset name in the output, e.g. MOT17")
    b.add_argument("--out", required=True, metavar="GT.json", help="output file (.gz for gzip)")
    b.add_argument("--videos", metavar="LIST", help="comma-separated videos to keep (default: all)")
    b.add_argument("--queries", choices=("all", "original", "rephrased"), default="all",
                   help="emit only the original or only the rephrased queries (default: all)")
    b.add_argument("--layout", choices=("auto", "original", "rephrased"), default="auto",
                   help="QID layout of the rows (default: detected)")
    b.add_argument("--strict", action="store_true",
                   help="fail on any row that cannot be honoured exactly instead of reporting it")
    b.add_argument("--report", metavar="FILE", help="also write the full report (counts, examples, "
                                                    "query provenance) as JSON")
    b.add_argument("--examples", type=non_negative_int, default=3, metavar="N", help="examples printed per problem (default 3)")
    b.add_argument("--force", action="store_true", help="overwrite existing output files")
    b.set_defaults(func=run_build)

    ls = dsub.add_parser("list", help="show the videos, queries, tracks and frames a folder contains",
                         description="Detect SVAG JSON, SVAG-Bench rows, HC-STVG / VidSTG annotations, "
                                     "MOTChallenge sequences, tracker results and videos under PATH.",
                         epilog=LIST_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    ls.add_argument("path", metavar="PATH", help="a file or a folder to look through")
    ls.add_argument("--depth", type=non_negative_int, default=4, help="folder levels to descend (default 4)")
    ls.add_argument("--json", metavar="FILE", help="also write the table as JSON")
    ls.add_argument("--force", action="store_true", help="overwrite an existing --json file")
    ls.set_defaults(func=run_list)
    p.set_defaults(func=lambda args: (p.print_help(), 1)[1])


def run_build(args: argparse.Namespace) -> int:
    from svag.data.build import build_ground_truth
    from svag.io.atomic import atomic_outputs
    from svag.io.svag_json import write_svag
    check_outputs(args.force, {"--out": (args.out, JSON_EXTS), "--report": (args.report, (".json",))},
                  inputs={f"ANNOTATIONS {i + 1}": a for i, a in enumerate(args.annotations)})
    for a in args.annotations:
        check_input_file(a, "annotation file")
    check_input_dir(args.mot_root, "--mot-root")
    videos = [v.strip() for v in args.videos.split(",") if v.strip()] if args.videos else None
    data, report = build_ground_truth(args.annotations, args.mot_root, args.dataset, videos=videos,
                                      queries=args.queries, layout=args.layout, strict=args.strict)
    with atomic_outputs(args.out, args.report) as (out_tmp, report_tmp):
        write_svag(out_tmp, data, "gt", overwrite=True)
        if report_tmp is not None:
            report_tmp.write_text(json.dumps(report.to_obj(), indent=1))
    print(report.format(examples=args.examples), file=sys.stderr)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def run_list(args: argparse.Namespace) -> int:
    from svag.data.catalog import catalog, catalog_to_obj, format_catalog
    from svag.io.atomic import write_text
    check_outputs(args.force, {"--json": (args.json, (".json",))})
    if not Path(args.path).exists():
        raise InputError("not found", file=args.path)
    entries = catalog(args.path, max_depth=args.depth)
    print(format_catalog(entries) if entries else f"nothing supported found under {args.path}")
    if args.json:
        write_text(args.json, json.dumps(catalog_to_obj(entries), indent=1))
    return 0
