"""The official SVAG-Bench JSON format (ground truth and predictions), as SVAGEval reads it.

Layout::

    {"datasets": [{"name": "MOT17", "queries": [
        {"query_id": 1, "query": "a person walks left", "video_id": 3, "video_name": "MOT17-02",
         "video_length": 600,
         "tracks": [{"track_id": 1, "spatial": [[x, y, w, h] or null, ...],   # index i = frame i+1
                     "temporal": [[start, end], ...]}]}]}]}              # gt: 1-based inclusive
                                                                          # pred: [start, end, score]

Also accepted: a bare dataset object ``{"name": ..., "queries": [...]}`` and ``{"queries": [...]}``
without a name (the official OVIS ground truth), gzip-compressed or not.

Decisions on odd input (documented in docs/formats.md):

* ``"temporal": null`` and ``null`` entries inside ``temporal`` mean "no window" and are dropped;
  each drop is recorded in :attr:`ReadReport.notes` (the CLI prints a count).
* ``spatial`` may be shorter than ``video_length`` (missing frames = no box); longer is an error.
* A box must be 4 finite numbers with non-negative width and height; anything else is an error
  that names the frame. A box of zero width or height is accepted as degenerate (IoU 0 with
  everything: a missed ground-truth box or a false positive), as TrackEval scores it -- the
  official OVIS ground truth has such boxes; they are counted in
  :attr:`ReadReport.zero_area_boxes`.
* Duplicate query ids in a dataset and duplicate track ids in a query are errors.
* A ground-truth window with start > end, or a prediction window without a score, is an error.
  A *predicted* window with start > end is kept as given and counted in
  :attr:`ReadReport.reversed_windows`: the official protocol scores it with its own interval
  arithmetic, svag-strict as an empty window (IoU 0).
"""
from __future__ import annotations

import gzip
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from svag.core.types import Dataset, Query, SvagData, Track
from svag.errors import InputError

Kind = Literal["gt", "pred"]
PathLike = str | os.PathLike

@dataclass
class ReadReport:
    """What the reader had to interpret; printed as warnings by the CLI."""

    notes: list[str] = field(default_factory=list)
    null_windows: int = 0
    zero_area_boxes: dict[str, int] = field(default_factory=dict)   # per kind ("gt", "pred")
    reversed_windows: int = 0


def load_json(path: PathLike) -> Any:
    """Parse a JSON or gzip-compressed JSON file; errors name the file and the position."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc}", file=str(path)) from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise InputError(f"corrupt gzip data: {exc}", file=str(path)) from None
    try:
        return json.loads(raw)
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text: {exc}", file=str(path)) from None
    except ValueError as exc:
        raise InputError(f"malformed JSON: {exc}", file=str(path)) from None


def read_svag(path: PathLike, kind: Kind = "gt", *, default_name: str | None = None,
              report: ReadReport | None = None) -> SvagData:
    """Read an SVAG ground-truth (``kind="gt"``) or prediction (``kind="pred"``) file."""
    return parse_svag(load_json(path), kind, source=str(path), default_name=default_name, report=report)


def parse_svag(obj: Any, kind: Kind = "gt", *, source: str | None = None,
               default_name: str | None = None, report: ReadReport | None = None) -> SvagData:
    report = report if report is not None else ReadReport()
    if isinstance(obj, dict) and "datasets" in obj:
        raw_sets = obj["datasets"]
        if not isinstance(raw_sets, list):
            raise InputError('"datasets" must be a list', file=source)
    elif isinstance(obj, dict) and "queries" in obj:
        raw_sets = [obj]
    else:
        raise InputError('expected an object with "datasets" (a list of {"name", "queries"}) or '
                         'with "queries"', file=source)
    datasets = []
    seen: set[str] = set()
    for i, ds in enumerate(raw_sets):
        if not isinstance(ds, dict) or not isinstance(ds.get("queries"), list):
            raise InputError(f'dataset {i} must be an object with a "queries" list', file=source)
        name = ds.get("name", default_name)
        if name is None:
            name = "default" if len(raw_sets) == 1 else f"dataset{i}"
            report.notes.append(f"dataset {i} has no name; called it {name!r}")
        name = str(name)
        if name in seen:
            raise InputError("dataset name appears twice", file=source, dataset=name)
        seen.add(name)
        datasets.append(Dataset(name, tuple(_parse_queries(ds["queries"], kind, source, name, report))))
    return SvagData(tuple(datasets), source=source)


def _parse_queries(raw: list, kind: Kind, source: str | None, dname: str, report: ReadReport) -> list[Query]:
    out: list[Query] = []
    seen: dict[Any, int] = {}
    for qi, q in enumerate(raw):
        if not isinstance(q, dict):
            raise InputError(f"query entry {qi} must be an object", file=source, dataset=dname)
        if "query_id" not in q:
            raise InputError(f'query entry {qi} has no "query_id"', file=source, dataset=dname)
        qid = q["query_id"]
        if isinstance(qid, (list, dict)) or qid is None:
            raise InputError(f"query entry {qi}: query_id must be a number or string, got {qid!r}",
                             file=source, dataset=dname)
        if qid in seen:
            raise InputError(f"duplicate query_id (entries {seen[qid]} and {qi}); query ids must be "
                             "unique within a dataset", file=source, dataset=dname, query=qid)
        seen[qid] = qi
        where = dict(file=source, dataset=dname, query=qid)
        length = q.get("video_length")
        if isinstance(length, bool) or not isinstance(length, (int, float)) or length != int(length) or length < 1:
            raise InputError(f"video_length must be a positive whole number, got {length!r}", **where)
        length = int(length)
        text = q.get("query", "")
        if not isinstance(text, str):
            raise InputError(f'"query" must be a string, got {type(text).__name__}', **where)
        video_name = q.get("video_name")
        if video_name is None:
            raise InputError('missing "video_name"', **where)
        tracks_raw = q.get("tracks")
        if tracks_raw is None:
            tracks_raw = []
        if not isinstance(tracks_raw, list):
            raise InputError('"tracks" must be a list', **where)
        tracks: list[Track] = []
        tids: set[Any] = set()
        for ti, t in enumerate(tracks_raw):
            if not isinstance(t, dict) or "track_id" not in t:
                raise InputError(f'track entry {ti} must be an object with "track_id"', **where)
            tid = t["track_id"]
            if tid in tids:
                raise InputError("duplicate track_id in this query", **where, track=tid)
            tids.add(tid)
            tracks.append(_parse_track(t, tid, kind, length, where, report))
        out.append(Query(qid, text, str(video_name), length, tuple(tracks), video_id=q.get("video_id")))
    return out


def _parse_track(t: dict, tid: Any, kind: Kind, length: int, where: dict, report: ReadReport) -> Track:
    spatial = t.get("spatial")
    if spatial is None:
        spatial = []
    if not isinstance(spatial, list):
        raise InputError('"spatial" must be a list with one [x, y, w, h] or null per frame', **where, track=tid)
    if len(spatial) > length:
        extra = next((i for i in range(length, len(spatial)) if spatial[i] is not None), None)
        if extra is not None:
            raise InputError(f"spatial has {len(spatial)} entries but video_length is {length}; a box "
                             f"at index {extra} is after the last frame", **where, track=tid, frame=extra + 1)
        raise InputError(f"spatial has {len(spatial)} entries but video_length is {length}",
                         **where, track=tid)
    idx = [i for i, b in enumerate(spatial) if b is not None]
    try:
        boxes = np.array([spatial[i] for i in idx], dtype=np.float64).reshape(len(idx), -1)
        ok_shape = boxes.shape[1] == 4 if idx else True
    except (ValueError, TypeError):
        ok_shape = False
    if not ok_shape:
        for i in idx:
            b = spatial[i]
            if not (isinstance(b, list) and len(b) == 4 and all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) for v in b)):
                raise InputError(f"box must be [x, y, w, h] (4 numbers) or null, got {b!r}",
                                 **where, track=tid, frame=i + 1)
    frames = np.asarray(idx, dtype=np.int64) + 1
    if len(idx):
        # a box of zero width or height is degenerate (IoU 0 with everything: a missed ground-truth
        # box or a false positive), as TrackEval scores it; the official OVIS ground truth has some
        bad = ~np.isfinite(boxes).all(axis=1) | (boxes[:, 2:] < 0).any(axis=1)
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            raise InputError(f"box {spatial[idx[j]]!r} must be finite with non-negative width and height",
                             **where, track=tid, frame=int(frames[j]))
        zero = (boxes[:, 2:] == 0).any(axis=1)
        if zero.any():
            report.zero_area_boxes[kind] = report.zero_area_boxes.get(kind, 0) + int(zero.sum())
    else:
        boxes = np.zeros((0, 4))
    windows = _parse_windows(t.get("temporal", []), kind, where, tid, report)
    return Track(tid, frames, boxes, windows=windows)


def _parse_windows(raw: Any, kind: Kind, where: dict, tid: Any, report: ReadReport) -> np.ndarray:
    if raw is None:
        report.null_windows += 1
        return np.zeros((0, 3))
    if not isinstance(raw, list):
        raise InputError(f'"temporal" must be a list of windows, got {type(raw).__name__}', **where, track=tid)
    rows = []
    need = (2, 3) if kind == "gt" else (3,)
    shape = "[start, end]" if kind == "gt" else "[start, end, score]"
    for wi, w in enumerate(raw):
        if w is None:
            report.null_windows += 1
            continue
        if (not isinstance(w, (list, tuple)) or len(w) not in need
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in w)):
            raise InputError(f"temporal window {wi} must be {shape}, got {w!r}", **where, track=tid)
        if not all(math.isfinite(v) for v in w):
            raise InputError(f"temporal window {wi} has a non-finite value: {w!r}", **where, track=tid)
        if w[0] > w[1]:
            if kind == "gt":
                raise InputError(f"temporal window {wi} has start > end: {w!r}", **where, track=tid)
            report.reversed_windows += 1
        rows.append([float(w[0]), float(w[1]), float(w[2]) if len(w) == 3 else math.nan])
    return np.asarray(rows, dtype=np.float64).reshape(-1, 3)


def svag_to_obj(data: SvagData, kind: Kind = "pred") -> dict:
    """The JSON-ready object of ``data`` (always with the ``datasets`` wrapper)."""
    def win(row: np.ndarray) -> list:
        s, e, c = (float(v) for v in row)
        s_, e_ = (int(s) if s.is_integer() else s), (int(e) if e.is_integer() else e)
        return [s_, e_] if (kind == "gt" or math.isnan(c)) else [s_, e_, c]

    def track(t: Track, length: int) -> dict:
        spatial: list = [None] * length
        for f, b in zip(t.frames.tolist(), t.boxes.tolist()):
            if f <= length:
                spatial[f - 1] = [int(v) if float(v).is_integer() else v for v in b]
        return {"track_id": _plain(t.track_id), "spatial": spatial, "temporal": [win(w) for w in t.windows]}

    return {"datasets": [{"name": d.name, "queries": [
        {"query_id": _plain(q.query_id), "query": q.text, "video_id": _plain(q.video_id),
         "video_name": q.video_name, "video_length": q.video_length,
         "tracks": [track(t, q.video_length) for t in q.tracks]} for q in d.queries]} for d in data.datasets]}


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def write_svag(path: PathLike, data: SvagData, kind: Kind = "pred", *, overwrite: bool = False) -> None:
    """Write ``data`` as SVAG JSON (gzip when the name ends in .gz); never overwrites silently."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise InputError("file exists; pass overwrite=True (or --force) to replace it", file=str(path))
    text = json.dumps(svag_to_obj(data, kind), separators=(",", ":")).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(text, 6) if path.suffix == ".gz" else text)
