"""What a folder contains: every supported source, detected by content, summarised in one table.

Kinds (one registry, used both to summarise and to load):

=================  ====================================================================
``svag-json``      SVAG JSON ground truth or predictions (``.json`` / ``.json.gz``)
``svag-bench``     SVAG-Bench raw annotation rows (original or rephrased-with-QID)
``hcstvg``         HC-STVG annotations (v1/v2, or the pre-processed list)
``vidstg``         VidSTG sentence annotations
``mot-sequence``   a MOTChallenge sequence folder (``seqinfo.ini``, ``gt/gt.txt``, ``det/``)
``mot-results``    a folder of tracker results ``<SEQ>.txt``
``video``          a video file (read with :class:`svag.video.reader.VideoReader`, PyAV)
=================  ====================================================================
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from svag.core.types import SvagData
from svag.data.mot_seq import is_sequence_dir, load_sequence, read_tracker_folder
from svag.data.stvg import looks_like_hcstvg, looks_like_vidstg, parse_hcstvg, parse_vidstg
from svag.data.svag_bench import looks_like_rows, parse_rows
from svag.errors import InputError, MissingDependencyError
from svag.io.svag_json import load_json, parse_svag

PathLike = str | os.PathLike
VIDEO_EXTS = (".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v")
JSON_EXTS = (".json", ".json.gz")


@dataclass(frozen=True)
class CatalogEntry:
    name: str                 # path relative to the listed folder
    kind: str
    videos: int | None = None
    queries: int | None = None
    tracks: int | None = None
    frames: int | None = None
    note: str = ""


def _json_kind(obj: Any) -> str | None:
    if isinstance(obj, dict) and (isinstance(obj.get("datasets"), list) or isinstance(obj.get("queries"), list)):
        return "svag-json"
    if looks_like_rows(obj):
        return "svag-bench"
    if looks_like_hcstvg(obj):
        return "hcstvg"
    if looks_like_vidstg(obj):
        return "vidstg"
    return None


def _is_results_file(path: Path) -> bool:
    try:
        with open(path) as fh:
            line = fh.readline()
        vals = [float(v) for v in line.replace(";", ",").split(",")]
    except (OSError, ValueError, UnicodeDecodeError):
        return False
    return len(vals) >= 6


def detect_kind(path: PathLike) -> str | None:
    """The kind of a file or folder (see the module doc), or None when it is none of them."""
    p = Path(path)
    if p.is_dir():
        if is_sequence_dir(p):
            return "mot-sequence"
        txt = sorted(p.glob("*.txt"))
        return "mot-results" if txt and all(_is_results_file(t) for t in txt) else None
    name = p.name.lower()
    if name.endswith(VIDEO_EXTS):
        return "video"
    if name.endswith(JSON_EXTS):
        try:
            return _json_kind(load_json(p))
        except InputError:
            return None
    return None


def _svag_summary(data: SvagData) -> dict:
    lengths = {}
    queries = tracks = 0
    for d in data.datasets:
        for q in d.queries:
            lengths[(d.name, q.video_name)] = q.video_length
            queries += 1
            tracks += len(q.tracks)
    return dict(videos=len(lengths), queries=queries, tracks=tracks, frames=sum(lengths.values()))


def _svag_obj_summary(obj: dict) -> dict:
    """Counts straight from an SVAG JSON object (lenient: a catalog lists, it does not validate)."""
    sets = obj["datasets"] if "datasets" in obj else [obj]
    lengths: dict = {}
    queries = tracks = 0
    pred = False
    names = []
    for i, ds in enumerate(sets):
        names.append(str(ds.get("name", "unnamed")) if isinstance(ds, dict) else "?")
        for q in (ds.get("queries") or []) if isinstance(ds, dict) else []:
            if not isinstance(q, dict):
                continue
            queries += 1
            length = q.get("video_length")
            lengths[(names[-1], q.get("video_name"))] = length if isinstance(length, int) else 0
            ts = q.get("tracks") or []
            tracks += len(ts)
            pred = pred or any(isinstance(w, list) and len(w) == 3
                               for t in ts if isinstance(t, dict) for w in (t.get("temporal") or [])[:1])
    note = ("predictions" if pred else "ground truth") + ": " + ", ".join(names)
    return dict(videos=len(lengths), queries=queries, tracks=tracks, frames=sum(lengths.values()), note=note)


def _summ_json(path: Path, obj: Any, kind: str) -> CatalogEntry:
    if kind == "svag-json":
        return CatalogEntry(str(path), kind, **_svag_obj_summary(obj))
    if kind == "svag-bench":
        rows = parse_rows(obj, str(path))
        return CatalogEntry(str(path), kind, videos=len({r.video for r in rows}),
                            queries=len({r.key for r in rows}),
                            tracks=len({(r.key, i) for r in rows for i in (r.ids or ())}),
                            note=f"{len(rows)} rows")
    data = _LOADERS[kind](path, obj)
    return CatalogEntry(str(path), kind, **_svag_summary(data))


def _summ_sequence(path: Path) -> CatalogEntry:
    seq = load_sequence(path)
    info = seq.info()
    tracks = note = None
    if seq.gt_path.is_file():
        tracks = len(np.unique(seq.gt().ids))
    parts = [p for p, ok in (("gt", seq.gt_path.is_file()), ("det", seq.det_path.is_file())) if ok]
    if info and info.width:
        parts.append(f"{info.width}x{info.height}")
    parts += [f"video {v.name}" for v in sorted(path.iterdir()) if v.name.lower().endswith(VIDEO_EXTS)]
    note = ", ".join(parts)
    return CatalogEntry(str(path), "mot-sequence", videos=1, tracks=tracks,
                        frames=info.length if info else None, note=note or "")


def _summ_results(path: Path) -> CatalogEntry:
    res = read_tracker_folder(path)
    return CatalogEntry(str(path), "mot-results", videos=len(res),
                        tracks=sum(len(np.unique(d.ids)) for d in res.values()),
                        frames=sum(int(d.frames.max()) if len(d) else 0 for d in res.values()),
                        note="frames = last frame with a box")


def _summ_video(path: Path) -> CatalogEntry:
    from svag.video.reader import VideoReader
    try:
        info = VideoReader(path).info
    except MissingDependencyError:
        return CatalogEntry(str(path), "video", videos=1, note="install svag[video] to read videos")
    except InputError as exc:
        return CatalogEntry(str(path), "video", videos=1, note=f"unreadable: {exc.detail}")
    return CatalogEntry(str(path), "video", videos=1, frames=info.num_frames,
                        note=f"{info.width}x{info.height}" + (f" @ {info.fps:g} fps" if info.fps else ""))


def _video_reader(path: Path) -> Any:
    from svag.video.reader import VideoReader
    return VideoReader(path)


# kind -> loader(path, already-parsed JSON or None); the single dispatch table of this module
_LOADERS: dict[str, Callable[[Path, Any], Any]] = {
    "svag-json": lambda p, o: parse_svag(load_json(p) if o is None else o, "gt", source=str(p)),
    "svag-bench": lambda p, o: parse_rows(load_json(p) if o is None else o, str(p)),
    "hcstvg": lambda p, o: parse_hcstvg(load_json(p) if o is None else o, source=str(p)),
    "vidstg": lambda p, o: parse_vidstg(load_json(p) if o is None else o, source=str(p)),
    "mot-sequence": lambda p, o: load_sequence(p),
    "mot-results": lambda p, o: read_tracker_folder(p),
    "video": lambda p, o: _video_reader(p),
}
KINDS = tuple(_LOADERS)


def load(path: PathLike, kind: str | None = None) -> Any:
    """Load any supported source: SvagData (svag-json, hcstvg, vidstg), a list of BenchRow
    (svag-bench), a MotSequence, a dict of Detections (mot-results) or a VideoReader (video)."""
    p = Path(path)
    if not p.exists():
        raise InputError("not found", file=str(p))
    kind = kind or detect_kind(p)
    if kind is None:
        raise InputError("not a supported source", file=str(p),
                         hint=f"supported kinds: {', '.join(KINDS)}")
    if kind not in _LOADERS:
        raise InputError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    return _LOADERS[kind](p, None)


def _entry(path: Path, rel: str) -> CatalogEntry | None:
    try:
        if path.is_dir():
            kind = detect_kind(path)
            if kind == "mot-sequence":
                e = _summ_sequence(path)
            elif kind == "mot-results":
                e = _summ_results(path)
            else:
                return None
        elif path.name.lower().endswith(VIDEO_EXTS):
            e = _summ_video(path)
        elif path.name.lower().endswith(JSON_EXTS):
            try:
                obj = load_json(path)
            except InputError:
                return None
            kind = _json_kind(obj)
            if kind is None:
                return None
            e = _summ_json(path, obj, kind)
        else:
            return None
    except InputError as exc:
        return CatalogEntry(rel, detect_kind(path) or "?", note=f"invalid: {exc.detail}")
    return CatalogEntry(rel, e.kind, e.videos, e.queries, e.tracks, e.frames, e.note)


def catalog(root: PathLike, max_depth: int = 4) -> list[CatalogEntry]:
    """Every supported source under ``root`` (a file or a folder), in path order."""
    root = Path(root)
    if not root.exists():
        raise InputError("not found", file=str(root))
    if root.is_file() or detect_kind(root) is not None:
        e = _entry(root, root.name)
        return [e] if e else []
    out: list[CatalogEntry] = []
    for dirpath, dirnames, filenames in os.walk(root):
        d = Path(dirpath)
        depth = len(d.relative_to(root).parts)
        dirnames.sort()
        keep = []
        for name in dirnames:
            sub = d / name
            e = _entry(sub, str(sub.relative_to(root))) if detect_kind(sub) else None
            if e:
                out.append(e)      # a sequence or results folder: listed, not entered
            elif depth + 1 < max_depth:
                keep.append(name)
        dirnames[:] = keep
        for name in sorted(filenames):
            e = _entry(d / name, str((d / name).relative_to(root)))
            if e:
                out.append(e)
    out.sort(key=lambda e: e.name)
    return out


def format_catalog(entries: list[CatalogEntry]) -> str:
    """A plain-text table: name, kind, videos, queries, tracks, frames, note."""
    head = ("name", "kind", "videos", "queries", "tracks", "frames", "note")
    rows = [tuple("-" if v is None else str(v) for v in (e.name, e.kind, e.videos, e.queries,
                                                          e.tracks, e.frames, e.note)) for e in entries]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    right = {2, 3, 4, 5}

    def fmt(r: tuple) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip()
    return "\n".join([fmt(head), fmt(tuple("-" * w for w in widths)), *map(fmt, rows)])


def catalog_to_obj(entries: list[CatalogEntry]) -> list[dict]:
    return [asdict(e) for e in entries]
