"""SVAG-Bench raw annotation rows (``Original/*.json`` and ``Rephrased_data_with_qid/*.json``).

Each file is a JSON list of rows ``{"Video", "QID", "Language Query", "Type", "IDs", "Start",
"End", "Revision"}``; every value is a string upstream (integers are accepted too). One row is
one (query, object id, window): ``IDs`` is a MOT ground-truth track id (a comma-separated list is
split into one row per id, as the upstream code does), ``Start``/``End`` are 1-based inclusive
MOT frame numbers.

Two layouts exist:

* **original** -- ``QID`` is not unique: the same QID is reused in several videos and a
  (Video, QID) pair may carry several differently worded texts.
* **rephrased** (``*_qid.json``) -- the rows of the original file (QIDs renumbered) followed by
  the rephrased copies; a QID is exactly one (Video, text) query, unique across videos.

:func:`detect_layout` tells them apart from the data alone: the layout is *rephrased* when QID
and (Video, text) are in one-to-one correspondence, *original* otherwise.

:func:`split_blocks` finds where the rephrased copies start in a rephrased file. The second
block paraphrases the first row by row, so its rows repeat the (Video, IDs, Start, End)
sequence of the file's first rows: the boundary is the row ``i > 0`` where the longest run of
that sequence restarts (MOT17: row 568, a run of 23 rows; the next best run has 1 row). A query
counts as *original* when its QID occurs in the first block.
"""
from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Sequence

from svag.errors import InputError
from svag.io.svag_json import load_json

PathLike = str | os.PathLike
Layout = Literal["original", "rephrased"]

REQUIRED_FIELDS = ("Video", "Language Query", "IDs", "Start", "End")
MIN_BLOCK_RUN = 3   # shortest repeated prefix accepted as the start of the rephrased block


@dataclass(frozen=True)
class BenchRow:
    """One raw annotation row, parsed but not judged (bad values are kept as ``None``)."""

    file: str
    index: int              # 0-based position in its file
    video: str
    qid: str | None         # as written (string), None when absent
    text: str               # verbatim, whitespace included: it is the query's identity
    ids: tuple[int, ...] | None   # None when IDs is not a comma-separated list of integers
    start: int | None       # None when empty or not an integer
    end: int | None
    raw_ids: str
    raw_start: str
    raw_end: str
    type: str = ""
    revision: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """The query this row belongs to: (video, text)."""
        return (self.video, self.text)

    def where(self) -> str:
        return f"{Path(self.file).name} row {self.index + 1}"


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_int(text: str) -> int | None:
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        try:
            f = float(text)
        except ValueError:
            return None
        return int(f) if f.is_integer() else None


def _parse_ids(text: str) -> tuple[int, ...] | None:
    parts = [p for p in text.split(",") if p.strip()]
    vals = [_as_int(p) for p in parts]
    if not vals or any(v is None for v in vals):
        return None
    return tuple(v for v in vals if v is not None)


def parse_rows(obj: object, source: str = "<rows>") -> list[BenchRow]:
    """Parse a decoded raw annotation file (a JSON list of row objects)."""
    if not isinstance(obj, list):
        raise InputError("expected a JSON list of SVAG-Bench annotation rows "
                         f"(objects with {', '.join(REQUIRED_FIELDS)})", file=source)
    rows = []
    for i, r in enumerate(obj):
        if not isinstance(r, dict):
            raise InputError(f"row {i + 1} must be an object, got {type(r).__name__}", file=source)
        missing = [k for k in REQUIRED_FIELDS if k not in r]
        if missing:
            raise InputError(f"row {i + 1} lacks {', '.join(repr(k) for k in missing)} "
                             f"(has {', '.join(repr(k) for k in r)})", file=source)
        video = _as_text(r["Video"]).strip()
        if not video:
            raise InputError(f"row {i + 1} has an empty Video", file=source)
        text = r["Language Query"]
        if not isinstance(text, str) or not text.strip():
            raise InputError(f"row {i + 1}: Language Query must be a non-empty string, got {text!r}",
                             file=source)
        raw_ids, raw_start, raw_end = (_as_text(r[k]) for k in ("IDs", "Start", "End"))
        qid = r.get("QID")
        rows.append(BenchRow(
            file=source, index=i, video=video, qid=None if qid is None else _as_text(qid).strip(),
            text=text, ids=_parse_ids(raw_ids), start=_as_int(raw_start) if raw_start.strip() else None,
            end=_as_int(raw_end) if raw_end.strip() else None, raw_ids=raw_ids, raw_start=raw_start,
            raw_end=raw_end, type=_as_text(r.get("Type", "")).strip(),
            revision=_as_text(r.get("Revision", ""))))
    return rows


def read_rows(path: PathLike) -> list[BenchRow]:
    """Read one raw SVAG-Bench annotation file."""
    return parse_rows(load_json(path), source=str(path))


def looks_like_rows(obj: object) -> bool:
    """True for a non-empty JSON list whose first item has the raw-row fields."""
    return (isinstance(obj, list) and bool(obj) and isinstance(obj[0], dict)
            and all(k in obj[0] for k in REQUIRED_FIELDS))


def detect_layout(rows: Sequence[BenchRow]) -> Layout:
    """``"rephrased"`` when QID <-> (Video, text) is one-to-one, else ``"original"``."""
    by_qid: dict[str | None, set] = defaultdict(set)
    by_key: dict[tuple[str, str], set] = defaultdict(set)
    for r in rows:
        if r.qid is None or _as_int(r.qid) is None:
            return "original"
        by_qid[r.qid].add(r.key)
        by_key[r.key].add(r.qid)
    one_to_one = all(len(v) == 1 for v in by_qid.values()) and all(len(v) == 1 for v in by_key.values())
    return "rephrased" if one_to_one else "original"


def split_blocks(rows: Sequence[BenchRow]) -> int:
    """Row index where the rephrased block of a rephrased-layout file starts (see module doc)."""
    sig = [(r.video, r.raw_ids.strip(), r.raw_start.strip(), r.raw_end.strip()) for r in rows]
    n = len(sig)
    best_run, best_i, second = 0, -1, 0
    for i in range(1, n):
        k = 0
        while i + k < n and sig[i + k] == sig[k]:
            k += 1
        if k > best_run:
            best_run, best_i, second = k, i, best_run
        elif k > second:
            second = k
    if best_run < MIN_BLOCK_RUN or best_run <= 2 * second:
        src = rows[0].file if rows else None
        raise InputError(
            "cannot find where the rephrased rows start (expected the first rows' Video/IDs/Start/End "
            f"sequence to restart once; longest restart {best_run} rows, next {second})", file=src,
            hint="use --queries all, or pass the original file instead")
    return best_i


def original_qids(rows: Sequence[BenchRow]) -> set[str]:
    """QIDs of the original block of a rephrased-layout file."""
    return {r.qid for r in rows[: split_blocks(rows)] if r.qid is not None}
