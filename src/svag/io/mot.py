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
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from svag.core.types import Detections
from svag.errors import InputError

PathLike = str | os.PathLike


def _parse_table(path: Path, min_cols: int) -> np.ndarray:
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise InputError("file not found", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read file: {exc}", file=str(path)) from None
    lines = [ln for ln in text.replace(";", ",").splitlines() if ln.strip()]
    if not lines:
        return np.zeros((0, min_cols))
    ncols = lines[0].count(",") + 1
    counts = np.fromiter((ln.count(",") + 1 for ln in lines), dtype=np.int64, count=len(lines))
    bad = np.flatnonzero(counts != ncols)
    if len(bad):
        i = int(bad[0])
        raise InputError(f"line {i + 1} has {counts[i]} comma-separated columns, line 1 has {ncols}",
                         file=str(path))
    if ncols < min_cols:
        raise InputError(f"expected at least {min_cols} comma-separated columns "
                         f"(frame, id, x, y, w, h, ...), found {ncols}", file=str(path))
    try:
        arr = np.loadtxt(io.StringIO("\n".join(lines)), delimiter=",", dtype=np.float64, ndmin=2)
    except ValueError as exc:
        raise InputError(f"non-numeric value: {exc}", file=str(path)) from None
    bad_rows = np.flatnonzero(~np.isfinite(arr[:, :6]).all(axis=1))
    if len(bad_rows):
        i = int(bad_rows[0])
        raise InputError(f"line {i + 1}: frame, id and box must be finite numbers", file=str(path))
    frames = arr[:, 0]
    bad_rows = np.flatnonzero((frames < 1) | (frames != np.round(frames)))
    if len(bad_rows):
        i = int(bad_rows[0])
        raise InputError(f"line {i + 1}: frame must be a whole number >= 1 (MOT frames are 1-based), "
                         f"got {arr[i, 0]:g}", file=str(path))
    return arr


def read_mot_gt(path: PathLike, num_frames: int | None = None) -> Detections:
    """Read a MOTChallenge ground-truth file. MOT15 layout (10 columns) has no class column."""
    path = Path(path)
    arr = _parse_table(path, 6)
    ncols = arr.shape[1] if len(arr) else 9
    consider = arr[:, 6] != 0 if ncols >= 7 else np.ones(len(arr), bool)
    classes = visibility = None
    if ncols == 9:
        classes = arr[:, 7].astype(np.int64)
        visibility = arr[:, 8]
    return Detections(arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64), arr[:, 2:6],
                      scores=arr[:, 6] if ncols >= 7 else None, classes=classes,
                      visibility=visibility, consider=consider, num_frames=num_frames, source=str(path))


def read_mot_results(path: PathLike, num_frames: int | None = None) -> Detections:
    """Read a tracker result file (ids may be written as floats, e.g. ``1,0.0,...``)."""
    path = Path(path)
    arr = _parse_table(path, 6)
    ids = arr[:, 1]
    bad = np.flatnonzero(ids != np.round(ids))
    if len(bad):
        raise InputError(f"line {int(bad[0]) + 1}: track id must be a whole number, got {ids[bad[0]]:g}",
                         file=str(path))
    scores = arr[:, 6] if arr.shape[1] >= 7 else None
    return Detections(arr[:, 0].astype(np.int64), ids.astype(np.int64), arr[:, 2:6], scores=scores,
                      num_frames=num_frames, source=str(path))


def read_mot_det(path: PathLike, num_frames: int | None = None) -> Detections:
    """Read a ``det.txt`` (identity column ignored, score in column 7)."""
    path = Path(path)
    arr = _parse_table(path, 7)
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
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buf.getvalue())


@dataclass(frozen=True)
class SeqInfo:
    name: str
    length: int
    width: int | None = None
    height: int | None = None
    frame_rate: float | None = None
    im_dir: str = "img1"
    im_ext: str = ".jpg"


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
    except (KeyError, ValueError, configparser.Error) as exc:
        raise InputError(f"expected a [Sequence] section with seqLength: {exc}", file=str(path)) from None

    def opt(key: str, cast: type) -> object:
        return cast(sec[key]) if key in sec and sec[key].strip() else None
    return SeqInfo(name=sec.get("name", path.parent.name), length=length, width=opt("imWidth", int),
                   height=opt("imHeight", int), frame_rate=opt("frameRate", float),
                   im_dir=sec.get("imDir", "img1"), im_ext=sec.get("imExt", ".jpg"))
