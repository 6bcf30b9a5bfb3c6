"""Batch manifests: which videos to ground, with which queries, over which tracks.

Two formats (paths are relative to the manifest's folder):

JSON (``*.json``)::

    {"queries": "gt.json",                  # default queries of every video (optional)
     "dataset": "custom",                   # dataset name for text queries (optional)
     "videos": [
        "SYNTH-01/SYNTH-01.mp4",            # a video alone: the default queries
        {"video": "b.mp4", "name": "b", "queries": ["a person walks to the left"]},
        {"video": "MOT17-11", "queries": "q.txt", "tracks": "tracks/MOT17-11.txt"}]}

Plain text (any other name): one video per line, fields separated by tabs (or, when a line has
no tab, by spaces): ``VIDEO [QUERIES [TRACKS]]``; ``-`` leaves a field out; ``#`` starts a
comment; a line ``queries: FILE`` (or ``dataset: NAME``) sets the default for the lines below::

    queries: gt.json
    SYNTH-01/SYNTH-01.mp4
    SYNTH-02/SYNTH-02.mp4    -    tracks/SYNTH-02.txt

``queries`` is an SVAG JSON file (the queries on this video are picked by its name, as
``svag ground --queries`` does), a text file (one query per line) or, in JSON, a list of texts.
Text queries get the ids ``NAME/1``, ``NAME/2``, ... so that ids stay unique in the merged
prediction.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from svag.errors import InputError
from svag.run.pipeline import QuerySpec

PathLike = str | os.PathLike
DEFAULT_DATASET = "custom"


@dataclass(frozen=True)
class BatchItem:
    """One video of a batch with its resolved queries (``video_length`` 0: the video's own
    length, known once it is opened)."""

    name: str
    video: str
    dataset: str
    queries: tuple[QuerySpec, ...]
    tracks: str | None = None


def read_manifest(path: PathLike) -> list[BatchItem]:
    """The videos of a manifest, in its order, with their queries; errors name the entry."""
    path = Path(path)
    if not path.is_file():
        raise InputError("manifest not found", file=str(path))
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read manifest: {exc}", file=str(path)) from None
    entries = _json_entries(text, path) if path.suffix.lower() == ".json" else _text_entries(text, path)
    if not entries:
        raise InputError("manifest lists no video", file=str(path))
    loader = _QueryLoader()
    items = [_item(e, path.parent, loader, str(path)) for e in entries]
    _check_unique(items, str(path))
    return items


def _json_entries(text: str, path: Path) -> list[dict[str, Any]]:
    try:
        obj = json.loads(text)
    except ValueError as exc:
        raise InputError(f"malformed JSON: {exc}", file=str(path)) from None
    if not isinstance(obj, dict) or not isinstance(obj.get("videos"), list):
        raise InputError('a JSON manifest is an object with a "videos" list', file=str(path))
    unknown = set(obj) - {"videos", "queries", "dataset"}
    if unknown:
        raise InputError(f"unknown manifest keys {sorted(unknown)} (expected videos, queries, dataset)",
                         file=str(path))
    defaults = {k: obj[k] for k in ("queries", "dataset") if k in obj}
    out = []
    for i, v in enumerate(obj["videos"]):
        entry = {"video": v} if isinstance(v, str) else v
        if not isinstance(entry, dict) or not isinstance(entry.get("video"), str):
            raise InputError(f'videos[{i}] must be a path or an object with "video"', file=str(path))
        unknown = set(entry) - {"video", "name", "queries", "tracks", "dataset"}
        if unknown:
            raise InputError(f"videos[{i}]: unknown keys {sorted(unknown)} (expected video, name, queries, "
                             "tracks, dataset)", file=str(path))
        out.append({**defaults, **entry, "where": f"videos[{i}]"})
    return out


def _text_entries(text: str, path: Path) -> list[dict[str, Any]]:
    defaults: dict[str, Any] = {}
    out = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if sep and key.strip() in ("queries", "dataset") and value.strip():
            defaults[key.strip()] = value.strip()
            continue
        fields = [f.strip() for f in (line.split("\t") if "\t" in line else line.split())]
        if len(fields) > 3:
            raise InputError(f"line {lineno}: expected VIDEO [QUERIES [TRACKS]], got {len(fields)} fields "
                             "(separate fields by tabs when paths hold spaces)", file=str(path))
        entry = dict(defaults, video=fields[0], where=f"line {lineno}")
        for key, value in zip(("queries", "tracks"), fields[1:]):
            if value != "-":
                entry[key] = value
        out.append(entry)
    return out


def _item(entry: dict[str, Any], root: Path, loader: "_QueryLoader", source: str) -> BatchItem:
    where = entry["where"]
    video = _resolve(root, entry["video"])
    if not video.exists():
        raise InputError(f"{where}: video not found: {video}", file=source)
    name = str(entry.get("name") or video_name(video))
    if not name or "/" in name or name in (".", ".."):
        raise InputError(f"{where}: video name {name!r} cannot name an output file", file=source)
    tracks = entry.get("tracks")
    if tracks is not None:
        tracks = _resolve(root, tracks)
        if not tracks.is_file():
            raise InputError(f"{where}: tracks file not found: {tracks}", file=source)
    dataset = str(entry.get("dataset") or DEFAULT_DATASET)
    queries = entry.get("queries")
    if queries is None:
        raise InputError(f"{where}: no queries for {name!r} (give \"queries\" for the video or the manifest)",
                         file=source)
    if isinstance(queries, list):
        if not all(isinstance(q, str) for q in queries):
            raise InputError(f"{where}: an inline query list holds texts only", file=source)
        specs = _text_specs(queries, name)
    elif isinstance(queries, str):
        qpath = _resolve(root, queries)
        if qpath.suffix.lower() in (".json", ".gz"):
            dataset, specs = loader.svag_specs(qpath, video, entry.get("name"), f"{source} {where}")
        else:
            specs = _text_specs(loader.lines(qpath), name)
    else:
        raise InputError(f"{where}: queries must be a file or a list of texts", file=source)
    if not specs:
        raise InputError(f"{where}: no query for {name!r}", file=source)
    for s in specs:
        if not s.text.strip():
            raise InputError(f"{where}: empty query", file=source, query=s.query_id)
    return BatchItem(name, str(video), dataset, tuple(specs), str(tracks) if tracks else None)


def _text_specs(texts: list[str], name: str) -> list[QuerySpec]:
    return [QuerySpec(t, f"{name}/{i + 1}", name, 0) for i, t in enumerate(t.strip() for t in texts if t.strip())]


class _QueryLoader:
    """Reads each query file once, however many videos share it."""

    def __init__(self) -> None:
        self._svag: dict[Path, Any] = {}
        self._lines: dict[Path, list[str]] = {}

    def lines(self, path: Path) -> list[str]:
        if path not in self._lines:
            try:
                self._lines[path] = path.read_text().splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"cannot read queries: {exc}", file=str(path)) from None
        return self._lines[path]

    def svag_specs(self, path: Path, video: Path, name: str | None, entry: str) -> tuple[str, list[QuerySpec]]:
        if path not in self._svag:
            from svag.io.svag_json import read_svag
            data = read_svag(path, "gt")
            by_video: dict[str, list] = {}
            for d in data:
                for q in d.queries:
                    by_video.setdefault(str(q.video_name), []).append((d.name, q))
            self._svag[path] = by_video
        by_video = self._svag[path]
        names = {name.lower()} if name else {n.lower() for n in video_aliases(video)}
        picked = [dq for v, qs in by_video.items() if v.lower() in names for dq in qs]   # case is ignored
        if not picked:
            raise InputError(f"no query is on video {name or video_name(video)!r} ({entry}; file has videos "
                             f"{sorted(by_video)[:10]}{' ...' if len(by_video) > 10 else ''}); "
                             "give the entry a \"name\"", file=str(path))
        dataset = picked[0][0]
        return dataset, [QuerySpec.of(q) for _, q in picked]


def _check_unique(items: list[BatchItem], source: str) -> None:
    seen: dict[str, str] = {}
    for it in items:
        if it.name in seen:
            raise InputError(f"video name {it.name!r} appears twice ({seen[it.name]} and {it.video}); "
                             "give one entry a \"name\"", file=source)
        seen[it.name] = it.video
    owner: dict[tuple[str, Any], str] = {}
    for it in items:
        for q in it.queries:
            key = (it.dataset, q.query_id)
            if key in owner and owner[key] != it.name:
                raise InputError(f"query id {q.query_id!r} is on two videos ({owner[key]} and {it.name}): "
                                 "the merged prediction needs unique ids", file=source, dataset=it.dataset)
            owner[key] = it.name


def _resolve(root: Path, p: str) -> Path:
    path = Path(p).expanduser()
    return (path if path.is_absolute() else root / path).resolve()


def video_name(video: Path) -> str:
    """The default name of a video: a folder's name, a file's stem."""
    return video.name if video.is_dir() else video.stem


def video_aliases(video: Path) -> set[str]:
    """Names a query file may use for this video: file or folder name, stem, MOT sequence name."""
    names = {video.name, video.stem}
    if video.is_dir() and (video / "seqinfo.ini").is_file():
        from svag.io.mot import read_seqinfo
        seq = read_seqinfo(video).name
        names |= {seq, seq.rsplit("-", 1)[0] if seq.count("-") >= 2 else seq}
    return names
