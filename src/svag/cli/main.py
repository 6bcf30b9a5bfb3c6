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


TRACKER = "../shared/data/trackers/20221127_result_auginput17dim_finethresh_wodist_onefut"
EPILOG = f"""examples (run from the project folder, with the data pack in ../shared/data):
  svag eval ../shared/data/svageval-parity/small/gt.json.gz ../shared/data/svageval-parity/small/pred.json.gz --json scores.json
  svag eval --protocol mot ../shared/data/mot/MOT17-02 {TRACKER}/MOT17-02.txt
  svag data build ../shared/data/svag/original/MOT17-training.json --mot-root ../shared/data/mot \\
      --dataset MOT17 --videos MOT17-02,MOT17-05 --out gt_mot17.json
  svag bench run gt_mot17.json --mot-root ../shared/data/mot --tracks {TRACKER} --grounder kinematic
  svag synth --out synth/ --videos 2 --frames 100
  svag ground synth/SYNTH-01 "a person walks to the left" --render out.mp4 --out pred.json
  svag report ../shared/data/svageval-parity/small/gt.json.gz ../shared/data/svageval-parity/small/pred.json.gz --out small.html
  svag demo"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="svag", description="Spatio-temporal Video Action Grounding toolkit.",
        epilog=EPILOG,
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
    if getattr(args, "no_progress", False):
        from svag.cli.validate import silence_progress
        silence_progress()
    try:
        with warnings.catch_warnings():   # shown at once as plain lines, each text once
            warnings.simplefilter("always", UserWarning)
            warnings.showwarning = _warning_printer(args.command)
            return int(args.func(args) or 0)
    except SvagError as exc:
        print(f"svag {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:   # the system refused (disk full, permissions): not a bug, no traceback
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"svag {args.command}: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _warning_printer(command: str):  # type: ignore[no-untyped-def]
    seen: set[str] = set()

    def show(message, category, filename, lineno, file=None, line=None):  # type: ignore[no-untyped-def]
        text = str(message)
        if issubclass(category, UserWarning) and text not in seen:
            seen.add(text)
            print(f"svag {command}: warning: {text}", file=sys.stderr, flush=True)
    return show


if __name__ == "__main__":
    sys.exit(main())
