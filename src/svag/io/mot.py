"""MOTChallenge text files: ground truth, detections and tracker results, and ``seqinfo.ini``.

Columns (comma separated, 1-based frames, boxes as left, top, width, height):

* MOT17/MOT20 ``gt.txt``: frame, id, x, y, w, h, consider, class, visibility (9 columns)
* MOT15 ``gt.txt``: frame, id, x, y, w, h, consider, wx, wy, wz (10 columns, no class)
* tracker result: frame, id, x, y, w, h, conf, wx, wy, wz (>= 6 columns used)
* ``det.txt``: frame, -1, x, y, w, h, score[, ...]
"""
from __future__ import annotations

import configparser
import io
import math
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from svag.core.types import Detections
from svag.errors import InputError

PathLike = str | os.PathLike


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=str(path)) from None
    except IsADirectoryError:
        raise InputError("expected a file, found a folder", file=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc}", file=str(path)) from None


_PANDAS_MIN_BYTES = 256 << 10   # smaller files: numpy's loadtxt (pandas costs ~0.2 s to import)
_PLAIN_BYTES = b"0123456789.,+-eE \t\r\n"
_pandas: object = None          # the module once imported, False when it is not installed


def fast_reader_for(size: int) -> object:
    """pandas (imported on first use) when a file of ``size`` bytes is worth its C CSV reader
    and it is installed, else None."""
    global _pandas
    if size < _PANDAS_MIN_BYTES or _pandas is False:
        return None
    if _pandas is None:
        try:
            import pandas
            _pandas = pandas if int(pandas.__version__.split(".")[0]) >= 2 else False
        except Exception:   # not installed, or broken
            _pandas = False
    return _pandas or None


def _pandas_table(pd: object, path: Path) -> np.ndarray | None:
    """The file through pandas' C reader, used only where it must give what loadtxt gives:
    plain numbers (digits, sign, point, exponent; no nan/inf, quotes or BOM), every row complete
    (a short row, an empty field or a trailing comma raise or would give NaN: refused)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data or data.translate(None, _PLAIN_BYTES):
        return None
    import csv
    kw = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}  # type: ignore[attr-defined]
    try:
        arr = pd.read_csv(io.BytesIO(data), header=None, dtype=np.float64, engine="c",  # type: ignore[attr-defined]
                          quoting=csv.QUOTE_NONE, na_filter=False, skip_blank_lines=True, **kw).to_numpy()
    except Exception:
        return None
    if arr.ndim != 2 or arr.dtype != np.float64 or not np.isfinite(arr).all():
        return None
    # column-major as pandas stores it: readers take whole columns, so no transposing copy
    return arr


def _fast_table(path: Path) -> np.ndarray | None:
    """The whole file in one call of a strict C parser (pandas' for large files when it is
    installed, else numpy's loadtxt), or None on any problem, so that the careful path can
    name the line."""
    if not path.is_file():
        return None
    pd = fast_reader_for(path.stat().st_size)
    if pd is not None:
        arr = _pandas_table(pd, path)
        if arr is not None:
            return arr
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)      # "input contained no data"
            return np.loadtxt(path, delimiter=",", dtype=np.float64, ndmin=2, encoding="utf-8", comments=None)
    except (ValueError, UnicodeDecodeError):
        return None


def _careful_table(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Parse line by line, naming the line of any problem. Returns the table and the 1-based
    line number of each row. Blank lines are skipped, ';' reads as ',' and one trailing comma
    per line is allowed (TrackEval allows it)."""
    data = _read_bytes(path)
    if data[:2] == b"\x1f\x8b":
        raise InputError("this is a gzip-compressed file; expected a MOTChallenge text file (comma-separated "
                         "rows frame, id, x, y, w, h, ...)", file=str(path),
                         hint="SVAG JSON is scored with --protocol svag or svag-strict")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not a UTF-8 text file (byte {exc.start})", file=str(path)) from None
    if text.lstrip("\ufeff \t\r\n")[:1] in ("{", "["):
        raise InputError("this is a JSON file; expected a MOTChallenge text file (comma-separated rows "
                         "frame, id, x, y, w, h, ...)", file=str(path),
                         hint="SVAG JSON is scored with --protocol svag or svag-strict")
    lines = text.replace(";", ",").splitlines()
    line_no = np.array([i + 1 for i, ln in enumerate(lines) if ln.strip()], dtype=np.int64)
    rows = [lines[i - 1].strip() for i in line_no]
    rows = [r[:-1] if r.endswith(",") else r for r in rows]
    if not rows:
        return np.zeros((0, 0)), line_no
    counts = np.array([r.count(",") + 1 for r in rows], dtype=np.int64)
    bad = np.flatnonzero(counts != counts[0])
    if len(bad):
        i = int(bad[0])
        raise InputError(f"line {line_no[i]} has {counts[i]} comma-separated columns, line {line_no[0]} "
                         f"has {counts[0]}", file=str(path))
    try:
        arr = np.loadtxt(io.StringIO("\n".join(rows)), delimiter=",", dtype=np.float64, ndmin=2, comments=None)
    except ValueError:
        for i, r in enumerate(rows):
            for j, field in enumerate(r.split(",")):
                try:
                    float(field)
                except ValueError:
                    raise InputError(f"line {line_no[i]}, column {j + 1}: {field.strip()!r} is not a number",
                                     file=str(path)) from None
        raise InputError("cannot parse the file as comma-separated numbers", file=str(path)) from None
    return arr, line_no


class _Lines:
    """1-based file line of each table row (blank lines are skipped), computed only when an
    error message needs it."""

    def __init__(self, path: Path, line_no: np.ndarray | None) -> None:
        self.path, self.line_no = path, line_no

    def __call__(self, row: int) -> int:
        if self.line_no is None:
            self.line_no = _careful_table(self.path)[1]
        return int(self.line_no[row])


def _parse_table(path: Path, min_cols: int) -> tuple[np.ndarray, _Lines]:
    """The numbers of a comma-separated MOT file, one row per non-blank line, checked: at
    least ``min_cols`` columns, finite frame/id/box, whole frame numbers >= 1. Returns the
    table and the line number of each row."""
    arr = _fast_table(path)
    line_no = None
    if arr is None:
        arr, line_no = _careful_table(path)
    line = _Lines(path, line_no)
    if arr.size == 0:
        return np.zeros((0, min_cols)), line
    ncols = arr.shape[1]
    if ncols < min_cols:
        raise InputError(f"expected at least {min_cols} comma-separated columns "
                         f"(frame, id, x, y, w, h, ...), found {ncols}", file=str(path))
    bad_rows = np.flatnonzero(~np.isfinite(arr[:, :6]).all(axis=1))
    if len(bad_rows):
        i = int(bad_rows[0])
        raise InputError(f"line {line(i)}: frame, id and box must be finite numbers", file=str(path))
    frames = arr[:, 0]
    bad_rows = np.flatnonzero((frames < 1) | (frames != np.round(frames)) | (frames > 1e9))
    if len(bad_rows):
        i = int(bad_rows[0])
        raise InputError(f"line {line(i)}: frame must be a whole number from 1 to 1e9 (MOT frames are 1-based), "
                         f"got {arr[i, 0]:g}", file=str(path))
    return arr, line


MAX_COORD = 1e6    # pixels; a box coordinate beyond this is a corrupt value, not a video


def _check_tracks(arr: np.ndarray, line: _Lines, path: Path) -> None:
    """Rows of a file with identities (ground truth, tracker results): whole ids, boxes with
    non-negative size and coordinates within +-MAX_COORD, at most one box per id and frame."""
    if not len(arr):
        return
    ids = arr[:, 1]
    bad = np.flatnonzero(ids != np.round(ids))
    if len(bad):
        raise InputError(f"line {line(int(bad[0]))}: track id must be a whole number, got {ids[bad[0]]:g}",
                         file=str(path))
    bad = np.flatnonzero((np.abs(arr[:, 2:6]) > MAX_COORD).any(axis=1) | (np.abs(ids) > 2**53))
    if len(bad):
        i = int(bad[0])
        raise InputError(f"line {line(i)}: id or box value out of range (|value| <= {MAX_COORD:g} expected): "
                         f"{', '.join(f'{v:g}' for v in arr[i, 1:6])}", file=str(path))
    bad = np.flatnonzero((arr[:, 4:6] < 0).any(axis=1))
    if len(bad):
        i = int(bad[0])
        raise InputError(f"line {line(i)}: box width and height (columns 5, 6) must not be negative, got "
                         f"{arr[i, 4]:g}, {arr[i, 5]:g}", file=str(path))
    order = np.lexsort((ids, arr[:, 0]))
    f, k = arr[order, 0], ids[order]
    same = np.flatnonzero((f[1:] == f[:-1]) & (k[1:] == k[:-1]))
    if len(same):
        a, b = sorted((int(order[same[0]]), int(order[same[0] + 1])))
        raise InputError(f"lines {line(a)} and {line(b)}: track {k[same[0]]:g} has two boxes in frame "
                         f"{f[same[0]]:g} (one box per track and frame expected)", file=str(path),
                         frame=int(f[same[0]]))


def read_mot_gt(path: PathLike, num_frames: int | None = None) -> Detections:
    """Read a MOTChallenge ground-truth file. MOT15 layout (10 columns) has no class column."""
    path = Path(path)
    arr, line = _parse_table(path, 6)
    _check_tracks(arr, line, path)
    if len(arr) == 0:
        arr = np.zeros((0, 9))
    ncols = arr.shape[1]
    used = arr[:, 6:9]
    bad = np.flatnonzero(~np.isfinite(used).all(axis=1) | (np.abs(used) > 2**31).any(axis=1))
    if len(bad):
        raise InputError(f"line {line(int(bad[0]))}: consider flag, class and visibility (columns 7-9) must be "
                         "finite numbers", file=str(path))
    # TrackEval reads the flag with int(): 0.5 means "ignore" like 0
    consider = np.trunc(arr[:, 6]) != 0 if ncols >= 7 else np.ones(len(arr), bool)
    classes = visibility = None
    if ncols == 9:
        classes = arr[:, 7].astype(np.int64)
        visibility = arr[:, 8]
    return Detections(arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64), arr[:, 2:6],
                      scores=arr[:, 6] if ncols >= 7 else None, classes=classes,
                      visibility=visibility, consider=consider, num_frames=num_frames, source=str(path))


def read_mot_results(path: PathLike, num_frames: int | None = None) -> Detections:
    """Read a tracker result file (ids may be written as floats, e.g. ``1,0.0,...``). A file of
    only 6 columns (no confidence) is read with confidence 1 and a warning."""
    path = Path(path)
    arr, line = _parse_table(path, 6)
    _check_tracks(arr, line, path)
    ids = arr[:, 1]
    if len(arr) and arr.shape[1] == 6:
        warnings.warn(f"{path}: 6 columns (frame, id, x, y, w, h) without a confidence column; every box "
                      "gets confidence 1 (MOTChallenge result files have 10 columns)", stacklevel=2)
    scores = arr[:, 6] if arr.shape[1] >= 7 else None
    return Detections(arr[:, 0].astype(np.int64), ids.astype(np.int64), arr[:, 2:6], scores=scores,
                      num_frames=num_frames, source=str(path))


def read_mot_det(path: PathLike, num_frames: int | None = None) -> Detections:
    """Read a ``det.txt`` (identity column ignored, score in column 7)."""
    path = Path(path)
    arr, _ = _parse_table(path, 7)
    return Detections(arr[:, 0].astype(np.int64), np.full(len(arr), -1, np.int64), arr[:, 2:6],
                      scores=arr[:, 6], num_frames=num_frames, source=str(path))


def write_mot(path: PathLike, dets: Detections, *, overwrite: bool = False) -> None:
    """Write a tracker-result style file: frame, id, x, y, w, h, conf, -1, -1, -1."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise InputError("file exists; pass overwrite=True (or --force) to replace it", file=str(path))
    order = np.lexsort((dets.ids, dets.frames))
    scores = dets.scores if dets.scores is not None else np.ones(len(dets))
    buf = io.StringIO()
    for f, i, (x, y, w, h), s in zip(dets.frames[order], dets.ids[order], dets.boxes[order], scores[order]):
        buf.write(f"{f},{i},{x:.6g},{y:.6g},{w:.6g},{h:.6g},{s:.6g},-1,-1,-1\n")
    from svag.io.atomic import write_text
    write_text(path, buf.getvalue())


@dataclass(frozen=True)
class SeqInfo:
    name: str
    length: int
    width: int | None = None
    height: int | None = None
    frame_rate: float | None = None
    im_dir: str = "img1"
    im_ext: str = ".jpg"
    video_file: str | None = None   # svag extension: the sequence's frames as one video file


def read_seqinfo(path: PathLike) -> SeqInfo:
    """Read ``seqinfo.ini`` (a file, or a sequence folder containing one)."""
    path = Path(path)
    if path.is_dir():
        path = path / "seqinfo.ini"
    parser = configparser.ConfigParser()
    try:
        with open(path) as fh:
            parser.read_file(fh)
        sec = parser["Sequence"]
        length = int(sec["seqLength"])
    except FileNotFoundError:
        raise InputError("seqinfo.ini not found", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read seqinfo.ini: {exc}", file=str(path)) from None
    except (KeyError, ValueError, configparser.Error) as exc:
        raise InputError(f"expected a [Sequence] section with seqLength: {exc}", file=str(path)) from None

    def opt(key: str, cast: type) -> object:
        if key not in sec or not sec[key].strip():
            return None
        try:
            value = cast(sec[key])
        except ValueError:
            raise InputError(f"{key} must be a number, got {sec[key]!r}", file=str(path)) from None
        if not (math.isfinite(value) and value > 0):
            raise InputError(f"{key} must be positive, got {sec[key]!r}", file=str(path))
        return value
    if length < 1:
        raise InputError(f"seqLength must be a whole number >= 1, got {length}", file=str(path))
    return SeqInfo(name=sec.get("name", path.parent.name), length=length, width=opt("imWidth", int),
                   height=opt("imHeight", int), frame_rate=opt("frameRate", float),
                   im_dir=sec.get("imDir", "img1"), im_ext=sec.get("imExt", ".jpg"),
                   video_file=sec.get("videoFile") or None)
