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


MAX_COORD = 1e6          # pixels: a box coordinate beyond this is a corrupt value
MAX_FRAME = 1e9          # frames: a window bound or video_length beyond this is a corrupt value


def _read_raw(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=str(path)) from None
    except IsADirectoryError:
        raise InputError("expected a JSON file, found a folder", file=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=str(path)) from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise InputError(f"corrupt gzip data: {exc}", file=str(path)) from None
    return raw


def parse_json_bytes(raw: bytes, source: str | None = None) -> Any:
    """JSON text to Python objects; every failure (syntax, encoding, nesting too deep for
    Python, integers too long) is an InputError naming ``source``."""
    try:
        return json.loads(raw)
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text: {exc}", file=source) from None
    except RecursionError:
        raise InputError("JSON nested too deeply to read (thousands of levels; SVAG JSON has 6)",
                         file=source) from None
    except ValueError as exc:
        raise InputError(f"malformed JSON: {exc}", file=source) from None


def load_json(path: PathLike) -> Any:
    """Parse a JSON or gzip-compressed JSON file; errors name the file and the position."""
    path = Path(path)
    return parse_json_bytes(_read_raw(path), str(path))


def read_svag(path: PathLike, kind: Kind = "gt", *, default_name: str | None = None,
              report: ReadReport | None = None) -> SvagData:
    """Read an SVAG ground-truth (``kind="gt"``) or prediction (``kind="pred"``) file."""
    path = Path(path)
    raw = _read_raw(path)
    # booleans pass numpy's number conversion unnoticed; look for them box by box only when the
    # text has a true/false token at all
    maybe_bools = b"true" in raw or b"false" in raw
    return parse_svag(parse_json_bytes(raw, str(path)), kind, source=str(path), default_name=default_name,
                      report=report, _check_bools=maybe_bools)


def parse_svag(obj: Any, kind: Kind = "gt", *, source: str | None = None,
               default_name: str | None = None, report: ReadReport | None = None,
               _check_bools: bool = True) -> SvagData:
    """SVAG data from parsed JSON; anything that is not the documented format (docs/formats.md)
    is an InputError that names dataset, query, track and frame."""
    if kind not in ("gt", "pred"):
        raise InputError(f"kind must be 'gt' or 'pred', got {kind!r}")
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
    outside = [0]
    for i, ds in enumerate(raw_sets):
        if not isinstance(ds, dict) or not isinstance(ds.get("queries"), list):
            raise InputError(f'dataset {i} must be an object with a "queries" list', file=source)
        name = ds.get("name", default_name)
        if name is None:
            name = "default" if len(raw_sets) == 1 else f"dataset{i}"
            report.notes.append(f"dataset {i} has no name; called it {name!r}")
        if not isinstance(name, (str, int)) or isinstance(name, bool):
            raise InputError(f'dataset {i}: "name" must be a string, got {name!r:.60}', file=source)
        name = str(name)
        if name in seen:
            raise InputError("dataset name appears twice", file=source, dataset=name)
        seen.add(name)
        ctx = _Ctx(kind, source, name, report, _check_bools, outside)
        datasets.append(Dataset(name, tuple(_parse_queries(ds["queries"], ctx))))
    if outside[0]:
        report.notes.append(f"{outside[0]} ground-truth windows reach before frame 1 or past video_length; "
                            "scored as given (as SVAGEval does)")
    return SvagData(tuple(datasets), source=source)


@dataclass
class _Ctx:
    kind: Kind
    source: str | None
    dataset: str
    report: ReadReport
    check_bools: bool
    outside: list[int]


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _parse_queries(raw: list, ctx: _Ctx) -> list[Query]:
    out: list[Query] = []
    seen: dict[Any, int] = {}
    source, dname = ctx.source, ctx.dataset
    for qi, q in enumerate(raw):
        if not isinstance(q, dict):
            raise InputError(f"query entry {qi} must be an object", file=source, dataset=dname)
        if "query_id" not in q:
            raise InputError(f'query entry {qi} has no "query_id"', file=source, dataset=dname)
        qid = q["query_id"]
        if not _is_int(qid):
            raise InputError(f"query entry {qi}: query_id must be a whole number, got {qid!r:.60}",
                             file=source, dataset=dname,
                             hint="write it without quotes" if isinstance(qid, str) and qid.strip().isdigit()
                             else None)
        if qid in seen:
            raise InputError(f"duplicate query_id (entries {seen[qid]} and {qi}); query ids must be "
                             "unique within a dataset", file=source, dataset=dname, query=qid)
        seen[qid] = qi
        where = dict(file=source, dataset=dname, query=qid)
        length = q.get("video_length")
        if not (_is_int(length) or (isinstance(length, float) and math.isfinite(length) and length.is_integer())) \
                or not 1 <= length <= MAX_FRAME:
            raise InputError(f"video_length must be a positive whole number, got {length!r:.60}", **where)
        length = int(length)
        text = q.get("query", "")
        if not isinstance(text, str):
            raise InputError(f'"query" must be a string, got {type(text).__name__}', **where)
        video_name = q.get("video_name")
        if video_name is None:
            raise InputError('missing "video_name"', **where)
        if not isinstance(video_name, (str, int)) or isinstance(video_name, bool):
            raise InputError(f'"video_name" must be a string, got {video_name!r:.60}', **where)
        video_id = q.get("video_id")
        if video_id is not None and not isinstance(video_id, (str, int)) or isinstance(video_id, bool):
            raise InputError(f'"video_id" must be a number or string, got {video_id!r:.60}', **where)
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
            if not (_is_int(tid) or isinstance(tid, str)):
                raise InputError(f"track entry {ti}: track_id must be a whole number or a string, "
                                 f"got {tid!r:.60}", **where)
            if tid in tids:
                raise InputError("duplicate track_id in this query", **where, track=tid)
            tids.add(tid)
            tracks.append(_parse_track(t, tid, length, where, ctx))
        out.append(Query(qid, text, str(video_name), length, tuple(tracks), video_id=video_id))
    return out


def _box_problem(b: Any) -> str | None:
    if not (isinstance(b, list) and len(b) == 4 and all(_is_num(v) for v in b)):
        return "must be [x, y, w, h] (4 numbers) or null"
    if any(abs(v) > MAX_COORD for v in b):
        return f"has a value out of range (|value| <= {MAX_COORD:g} pixels expected)"
    return None


def _parse_track(t: dict, tid: Any, length: int, where: dict, ctx: _Ctx) -> Track:
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
    sel = [spatial[i] for i in idx]
    try:
        with np.errstate(all="ignore"):
            boxes = np.array(sel) if sel else np.zeros((0, 4))
        ok = boxes.ndim == 2 and boxes.shape[1] == 4 and boxes.dtype.kind in "fi" and all(
            type(b) is list for b in sel)
        if ok and ctx.check_bools:
            ok = bool.__name__ not in {type(v).__name__ for b in sel for v in b}
    except (ValueError, TypeError, OverflowError):
        ok = False
    if not ok:
        for i in idx:
            problem = _box_problem(spatial[i])
            if problem:
                raise InputError(f"box {problem}, got {spatial[i]!r:.80}", **where, track=tid, frame=i + 1)
    boxes = boxes.astype(np.float64, copy=False) if ok else np.array(sel, dtype=np.float64).reshape(-1, 4)
    frames = np.asarray(idx, dtype=np.int64) + 1
    if len(idx):
        # a box of zero width or height is degenerate (IoU 0 with everything: a missed ground-truth
        # box or a false positive), as TrackEval scores it; the official OVIS ground truth has some
        bad = ~np.isfinite(boxes).all(axis=1) | (boxes[:, 2:] < 0).any(axis=1) | (np.abs(boxes) > MAX_COORD).any(axis=1)
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            raise InputError(f"box {spatial[idx[j]]!r} must be finite, within +-{MAX_COORD:g}, with non-negative "
                             "width and height", **where, track=tid, frame=int(frames[j]))
        zero = (boxes[:, 2:] == 0).any(axis=1)
        if zero.any():
            ctx.report.zero_area_boxes[ctx.kind] = ctx.report.zero_area_boxes.get(ctx.kind, 0) + int(zero.sum())
    else:
        boxes = np.zeros((0, 4))
    windows = _parse_windows(t.get("temporal", []), length, where, tid, ctx)
    return Track(tid, frames, boxes, windows=windows)


def _parse_windows(raw: Any, length: int, where: dict, tid: Any, ctx: _Ctx) -> np.ndarray:
    kind, report = ctx.kind, ctx.report
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
        if not isinstance(w, (list, tuple)) or len(w) not in need or not all(_is_num(v) for v in w):
            hint = None
            if kind == "pred" and isinstance(w, list) and len(w) == 2 and all(_is_num(v) for v in w):
                hint = ("ground-truth windows have no score; is this a ground-truth file given as the "
                        "prediction?")
            raise InputError(f"temporal window {wi} must be {shape}, got {w!r:.80}", **where, track=tid, hint=hint)
        if any(abs(v) > MAX_FRAME for v in w) or not all(math.isfinite(v) for v in w):
            raise InputError(f"temporal window {wi} has a non-finite or out-of-range value "
                             f"(|value| <= {MAX_FRAME:g} expected): {w!r:.80}", **where, track=tid)
        if w[0] > w[1]:
            if kind == "gt":
                raise InputError(f"temporal window {wi} has start > end: {w!r}", **where, track=tid)
            report.reversed_windows += 1
        elif kind == "gt" and (w[0] < 1 or w[1] > length):
            ctx.outside[0] += 1
        rows.append([float(w[0]), float(w[1]), float(w[2]) if len(w) == 3 else math.nan])
    return np.asarray(rows, dtype=np.float64).reshape(-1, 3)


def svag_to_obj(data: SvagData, kind: Kind = "pred") -> dict:
    """The JSON-ready object of ``data`` (always with the ``datasets`` wrapper)."""
    def track(t: Track, length: int) -> dict:
        spatial: list = [None] * length
        for f, b in zip(t.frames.tolist(), t.boxes.tolist()):
            if f <= length:
                spatial[f - 1] = [int(v) if float(v).is_integer() else v for v in b]
        return {"track_id": _plain(t.track_id), "spatial": spatial, "temporal": [_window_obj(w, kind) for w in t.windows]}

    return {"datasets": [{"name": d.name, "queries": [
        {"query_id": _plain(q.query_id), "query": q.text, "video_id": _plain(q.video_id),
         "video_name": q.video_name, "video_length": q.video_length,
         "tracks": [track(t, q.video_length) for t in q.tracks]} for q in d.queries]} for d in data.datasets]}


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def write_svag(path: PathLike, data: SvagData, kind: Kind = "pred", *, overwrite: bool = False) -> None:
    """Write ``data`` as SVAG JSON (gzip when the name ends in .gz); never overwrites silently.

    The file is streamed track by track (memory does not grow with the video's length or the
    number of queries) into a temporary file renamed onto ``path`` when complete
    (:mod:`svag.io.atomic`). The bytes equal ``json.dumps(svag_to_obj(data, kind),
    separators=(",", ":"))``."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise InputError("file exists; pass overwrite=True (or --force) to replace it", file=str(path))
    if path.is_dir():
        raise InputError("output is a folder; expected a file name ending in .json or .json.gz", file=str(path))
    from svag.io.atomic import atomic_open
    with atomic_open(path, "wb") as raw:
        if path.suffix == ".gz":
            with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as gz:
                _stream_svag(gz.write, data, kind)
        else:
            _stream_svag(raw.write, data, kind)


def _num(v: float) -> str:
    return str(int(v)) if v.is_integer() else repr(v)


_NULLS_CHUNK = 1024


def _write_spatial(write: Any, t: Track, length: int) -> None:
    """``[box or null, ...]`` of ``length`` entries, written in pieces of bounded size (a long
    video's runs of nulls are never built as one string)."""
    buf: list[str] = []
    size = 0
    done = 0                         # entries written so far

    def nulls(n: int) -> None:
        nonlocal done, size
        while n > 0:
            k = min(n, _NULLS_CHUNK)
            buf.append(("," if done else "") + ",".join(["null"] * k))
            done += k
            n -= k
            size += 5 * k
            flush()

    def flush(force: bool = False) -> None:
        nonlocal size
        if buf and (force or size > 1 << 14):
            write("".join(buf).encode())
            buf.clear()
            size = 0
    write(b"[")
    for f, b in zip(t.frames.tolist(), t.boxes.tolist()):
        if f > length:
            break
        nulls(f - 1 - done)
        text = ("," if done else "") + "[" + ",".join(_num(v) for v in b) + "]"
        buf.append(text)
        size += len(text)
        done += 1
        flush()
    nulls(length - done)
    flush(force=True)
    write(b"]")


def _window_obj(row: np.ndarray, kind: Kind) -> list:
    s, e, c = (float(v) for v in row)
    s_, e_ = (int(s) if s.is_integer() else s), (int(e) if e.is_integer() else e)
    return [s_, e_] if (kind == "gt" or math.isnan(c)) else [s_, e_, c]


def _stream_svag(write: Any, data: SvagData, kind: Kind) -> None:
    """Write the compact JSON of ``data`` piece by piece through ``write`` (bytes)."""
    def dumps(v: Any) -> str:
        return json.dumps(v, separators=(",", ":"))
    write(b'{"datasets":[')
    for di, d in enumerate(data.datasets):
        write(("," if di else "") .encode() + b'{"name":' + dumps(d.name).encode() + b',"queries":[')
        for qi, q in enumerate(d.queries):
            head = (f'{"," if qi else ""}{{"query_id":{dumps(_plain(q.query_id))},"query":{dumps(q.text)},'
                    f'"video_id":{dumps(_plain(q.video_id))},"video_name":{dumps(q.video_name)},'
                    f'"video_length":{dumps(q.video_length)},"tracks":[')
            write(head.encode())
            for ti, t in enumerate(q.tracks):
                write(f'{"," if ti else ""}{{"track_id":{dumps(_plain(t.track_id))},"spatial":'.encode())
                _write_spatial(write, t, q.video_length)
                write(f',"temporal":{dumps([_window_obj(w, kind) for w in t.windows])}}}'.encode())
            write(b"]}")
        write(b"]}")
    write(b"]}")
