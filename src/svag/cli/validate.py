"""The CLI's validation layer: every argument, output path and input is checked here, before any
slow work starts (decoding, detecting, tracking, rendering, generating). Stages below trust what
passes these checks; readers in :mod:`svag.io` and :mod:`svag.video.reader` check file contents.

Failures are :class:`~svag.errors.InputError` (printed as one line, exit 2) or, for argument
types, :class:`argparse.ArgumentTypeError` (argparse's usage error, exit 2).
"""
from __future__ import annotations

import argparse
import math
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Sequence

from svag.errors import InputError

JSON_EXTS = (".json", ".json.gz")
VIDEO_EXTS = (".mp4", ".mkv", ".mov", ".avi")
MAX_RESIZE = 4.0    # --resize factors above this scale a 1080p frame past 8K: surely a typo


# -- argument types (argparse ``type=``) ------------------------------------------------------------

def _number(text: str, cast: Callable[[str], float]) -> float:
    try:
        value = cast(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _ranged(cast: Callable[[str], float], ok: Callable[[float], bool], expected: str,
            doc: str) -> Callable[[str], float]:
    """An argparse type: ``text`` read with ``cast`` and accepted when ``ok(value)``; else the
    error says ``expected {expected}``."""
    def parse(text: str) -> float:
        value = cast(_number(text, cast))
        if not ok(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value
    parse.__doc__ = f"argparse type: {doc}."
    return parse


positive_int = _ranged(int, lambda v: v >= 1, "a whole number >= 1", "a whole number >= 1")
non_negative_int = _ranged(int, lambda v: v >= 0, "a whole number >= 0", "a whole number >= 0")
positive_float = _ranged(float, lambda v: v > 0, "a number > 0", "a finite number > 0")
non_negative_float = _ranged(float, lambda v: v >= 0, "a number >= 0", "a finite number >= 0")
probability = _ranged(float, lambda v: 0 <= v <= 1, "a probability between 0 and 1", "a number in [0, 1]")
resize_factor = _ranged(float, lambda v: 0 < v <= MAX_RESIZE,
                        f"a scale factor > 0 and <= {MAX_RESIZE:g} (0.5 halves the frame size)",
                        f"a scale factor in (0, {MAX_RESIZE:g}]")


# -- paths ------------------------------------------------------------------------------------------

def _same(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def _writable_folder(path: Path, flag: str) -> None:
    """The nearest existing folder above ``path`` must accept new files (missing folders in
    between are created when the output is written)."""
    parent = path.parent if str(path.parent) else Path(".")
    while not parent.exists():
        if parent.parent == parent:
            break
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"{flag}: cannot create the output's folder: {parent} is not a folder", file=str(path))
    try:
        fd, probe = tempfile.mkstemp(prefix=".svag-probe-", dir=parent)
    except OSError as exc:
        raise InputError(f"{flag}: cannot write into {parent}: {exc.strerror or exc}", file=str(path)) from None
    os.close(fd)
    os.unlink(probe)


def check_output(path: str | os.PathLike, flag: str, *, force: bool, exts: Sequence[str] = ()) -> Path:
    """One output file: right extension, not a folder, not existing unless ``force``, in a folder
    that can be written (created when missing)."""
    p = Path(path)
    if not str(path).strip():
        raise InputError(f"{flag}: empty output file name")
    if exts and not any(p.name.lower().endswith(e) for e in exts):
        raise InputError(f"{flag}: output file name must end in {' or '.join(exts)}", file=str(p))
    if p.is_dir():
        raise InputError(f"{flag}: output is an existing folder; expected a file name"
                         + (f" ending in {' or '.join(exts)}" if exts else ""), file=str(p))
    if p.exists() and not force:
        raise InputError(f"{flag}: output file exists; pass --force to overwrite it", file=str(p))
    if p.exists() and not p.is_file():
        raise InputError(f"{flag}: output exists and is not a regular file", file=str(p))
    _writable_folder(p, flag)
    return p


def check_outputs(force: bool, outputs: dict[str, tuple[str | None, Sequence[str]]] | Iterable[str | None],
                  *, inputs: dict[str, str | os.PathLike | None] | None = None) -> None:
    """All output files of a command: each checked by :func:`check_output`, all distinct from
    each other and from the inputs.

    ``outputs``: flag -> (path or None, allowed extensions), or plain paths."""
    if not isinstance(outputs, dict):
        outputs = {f"output {i + 1}": (p, ()) for i, p in enumerate(outputs)}
    given = {flag: Path(p) for flag, (p, _) in outputs.items() if p}
    for flag, (p, exts) in outputs.items():
        if p:
            check_output(p, flag, force=force, exts=exts)
    flags = list(given)
    for i, a in enumerate(flags):
        for b in flags[i + 1:]:
            if _same(given[a], given[b]):
                raise InputError(f"{a} and {b} name the same file; give each output its own name",
                                 file=str(given[a]))
    for name, src in (inputs or {}).items():
        if not src:
            continue
        for flag, out in given.items():
            if _same(out, Path(src)):
                raise InputError(f"{flag} would overwrite the input {name}; choose another output name",
                                 file=str(out))


def check_input_file(path: str | os.PathLike, what: str) -> Path:
    """An input that must be a readable, non-empty regular file."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{what} not found", file=str(p))
    if p.is_dir():
        raise InputError(f"{what}: expected a file, found a folder", file=str(p))
    if not os.access(p, os.R_OK):
        raise InputError(f"{what}: file is not readable (permissions)", file=str(p))
    return p


def check_input_dir(path: str | os.PathLike, what: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise InputError(f"{what} not found", file=str(p))
    if not p.is_dir():
        raise InputError(f"{what}: expected a folder, found a file", file=str(p))
    return p


def check_output_dir(path: str | os.PathLike, flag: str) -> Path:
    """An output folder (created at the end, atomically): not a file, in a writable place."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputError(f"{flag}: exists and is not a folder", file=str(p))
    _writable_folder(p / "x" if p.exists() else p, flag)
    return p


# -- progress ---------------------------------------------------------------------------------------

def silence_progress() -> None:
    """``--no-progress``: no progress bars from svag (tqdm) nor from transformers /
    huggingface_hub / sentence-transformers while they load models; only warnings and errors
    from their loggers. Called by the CLI when the flag is given, never at import."""
    os.environ["TQDM_DISABLE"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    os.environ["TRANSFORMERS_VERBOSITY"] = "error"
    os.environ["TRANSFORMERS_NO_ADVISORY_WARNINGS"] = "1"
    import sys
    if "transformers" in sys.modules:
        from transformers.utils import logging as hf_logging
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    if "huggingface_hub" in sys.modules:
        from huggingface_hub.utils import disable_progress_bars
        disable_progress_bars()
