"""Progress bars for long loops (tqdm when installed, nothing otherwise)."""
from __future__ import annotations

import sys
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


def progress_bar(items: Iterable[T], total: int | None = None, desc: str = "", unit: str = "frame") -> Iterator[T]:
    """Wrap ``items`` in a progress bar on stderr when it is a terminal and tqdm is installed."""
    try:
        from tqdm import tqdm
    except ImportError:
        yield from items
        return
    yield from tqdm(items, total=total, desc=desc, unit=unit, leave=False, disable=not sys.stderr.isatty())
