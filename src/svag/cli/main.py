"""Entry point of the ``svag`` command. Each subcommand lives in its own module with
``add_parser(subparsers)``, which registers the parser and sets ``func`` to a function taking the
parsed arguments and returning an exit code. Bad input (``SvagError``) is printed as one clear
line on stderr with exit code 2, never as a traceback."""
from __future__ import annotations

import argparse
import importlib
import sys
import warnings

from svag import __version__
from svag.errors import SvagError

# name -> module implementing add_parser(); explicit, not discovered by import side effects.
SUBCOMMANDS: dict[str, str] = {
    "eval": "svag.cli.eval_cmd",
    "data": "svag.cli.data_cmd",
    "synth": "svag.cli.synth_cmd",
    "ground": "svag.cli.ground_cmd",
    "bench": "svag.cli.bench_cmd",
    "demo": "svag.cli.demo_cmd",
    "train": "svag.cli.train_cmd",
    "report": "svag.cli.report_cmd",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="svag", description="Spatio-temporal Video Action Grounding toolkit.",
        epilog="examples:\n  svag eval gt.json pred.json --json scores.json\n"
               "  svag eval --protocol mot MOT17-02/ tracker/MOT17-02.txt\n"
               "  svag data build MOT17-training.json --mot-root mot/ --dataset MOT17 --out gt.json\n"
               "  svag synth --out synth/ --videos 10 --frames 300\n"
               "  svag ground video.mp4 \"a person walks to the left\" --render out.mp4 --out pred.json\n"
               "  svag bench run gt.json --mot-root mot/ --tracks tracker_results/ --grounder kinematic\n"
               "  svag report gt.json pred.json --out report.html\n"
               "  svag demo",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"svag {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in SUBCOMMANDS.items():
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:  # subcommand not written yet
                continue
            raise
        mod.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:   # `svag ground VIDEO --tracks T "query"`: query texts may follow the options
        if getattr(args, "command", None) == "ground" and not any(e.startswith("-") for e in extra):
            args.query = list(args.query) + extra
        else:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    try:
        with warnings.catch_warnings(record=True) as caught:   # shown as plain lines, below
            warnings.simplefilter("always", UserWarning)
            code = int(args.func(args) or 0)
        for w in _unique(caught):
            print(f"svag {args.command}: warning: {w}", file=sys.stderr)
        return code
    except SvagError as exc:
        print(f"svag {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _unique(caught: list) -> list[str]:
    seen: list[str] = []
    for w in caught:
        if issubclass(w.category, UserWarning) and str(w.message) not in seen:
            seen.append(str(w.message))
    return seen


if __name__ == "__main__":
    sys.exit(main())
