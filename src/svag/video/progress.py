"""Progress bars for long loops (tqdm when installed, nothing otherwise)."""
from __future__ import annotations

import os
import sys
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


def progress_bar(items: Iterable[T], total: int | None = None, desc: str = "", unit: str = "frame") -> Iterator[T]:
    """Wrap ``items`` in a progress bar on stderr when it is a terminal and tqdm is installed
    (off when ``TQDM_DISABLE`` is set, as ``--no-progress`` does)."""
    try:
        from tqdm import tqdm
    except ImportError:
        yield from items
        return
    off = not sys.stderr.isatty() or os.environ.get("TQDM_DISABLE", "") not in ("", "0")
    yield from tqdm(items, total=total, desc=desc, unit=unit, leave=False, disable=off)
