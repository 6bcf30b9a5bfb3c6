"""STVG single-tube annotations (HC-STVG, VidSTG) -> SVAG queries: one query, one tube, one span.

Every sentence becomes a :class:`~svag.core.types.Query` with one :class:`~svag.core.types.Track`
whose boxes are the tube and whose single window is the tube's span (1-based, inclusive). Query
ids are 1, 2, ... in file order, video ids 1, 2, ... in order of first appearance.

Assumed layouts (from the datasets' releases and the TubeDETR / STCAT pre-processing code):

**HC-STVG** v1 and v2: ``{"<video>.mp4": {"img_num": N, "st_frame": s, "bbox": [[x, y, w, h], ...],
"English" (v2) or "caption" (v1): text, "img_size": [h, w] (v2) or "width"/"height" (v1),
"st_time", "ed_time", optionally "ed_frame"}}``. ``st_frame`` is 1-based and ``bbox[i]`` is the
box of frame ``st_frame + i``, so the span is ``[st_frame, st_frame + len(bbox) - 1]``; an
``ed_frame`` that disagrees is reported and the boxes win. Also accepted: the pre-processed list
``[{"original_video_id", "frame_count", "tube_start_frame", "tube_end_frame" (exclusive),
"trajectory", "caption"}]``. The video name is the key without its video extension.

**VidSTG**: a list of (or one) records ``{"vid", "frame_count", "temporal_gt": {"begin_fid",
"end_fid"}, "captions": [{"target_id", "description"}], "questions": [...], ...}``. Frame ids
(``fid``) are 0-based and ``end_fid`` is exclusive (as TubeDETR reads them), so the span is
``[begin_fid + 1, end_fid]`` in 1-based inclusive frames (``end_exclusive=False`` reads
``end_fid`` as inclusive). Boxes come from VidOR ``"trajectories"`` -- one list per frame of
``{"tid", "bbox": {"xmin", "ymin", "xmax", "ymax"}}`` -- found in the record itself or in the
``vidor`` argument (a dict ``vid -> VidOR annotation``, or a folder searched for ``<vid>.json``).
Captions (declarative) come before questions (interrogative) of the same record.

Boxes outside the video or with non-positive size are dropped and counted in the report notes.
"""
from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from svag.core.types import Dataset, Query, SvagData, Track
from svag.errors import InputError
from svag.io.svag_json import ReadReport, load_json

PathLike = str | os.PathLike
VIDEO_EXTS = (".mp4", ".avi", ".mkv", ".mov", ".webm")


def looks_like_hcstvg(obj: object) -> bool:
    if isinstance(obj, dict) and obj:
        first = next(iter(obj.values()))
        return isinstance(first, dict) and "st_frame" in first and "bbox" in first
    return (isinstance(obj, list) and bool(obj) and isinstance(obj[0], dict)
            and "tube_start_frame" in obj[0] and "trajectory" in obj[0])


def looks_like_vidstg(obj: object) -> bool:
    first = obj[0] if isinstance(obj, list) and obj else obj
    return isinstance(first, dict) and "vid" in first and "temporal_gt" in first


def _video_name(key: str) -> str:
    return key[: -len(Path(key).suffix)] if Path(key).suffix.lower() in VIDEO_EXTS else key


def _num(v: Any, what: str, where: dict) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != int(v):
        raise InputError(f"{what} must be a whole number, got {v!r}", **where)
    return int(v)


class _Builder:
    """Collects queries; numbers queries and videos; filters boxes."""

    def __init__(self, source: str, report: ReadReport) -> None:
        self.source, self.report = source, report
        self.queries: list[Query] = []
        self.video_ids: dict[str, int] = {}
        self.dropped: Counter = Counter()

    def add(self, video: str, length: int, text: str, track_id: object, frames: list[int],
            boxes: list, span: tuple[int, int]) -> None:
        where = dict(file=self.source, query=len(self.queries) + 1)
        if length < 1:
            raise InputError(f"video {video!r} has length {length}", **where)
        if not isinstance(text, str):
            raise InputError(f"sentence must be a string, got {text!r}", **where)
        f = np.asarray(frames, dtype=np.int64).reshape(-1)
        b = np.asarray(boxes, dtype=np.float64).reshape(len(f), 4) if len(f) else np.zeros((0, 4))
        ok = (f >= 1) & (f <= length) & np.isfinite(b).all(axis=1) & (b[:, 2] > 0) & (b[:, 3] > 0)
        self.dropped["outside the video"] += int(np.sum((f < 1) | (f > length)))
        self.dropped["non-positive or non-finite size"] += int(np.sum(~ok & (f >= 1) & (f <= length)))
        f, b = f[ok], b[ok]
        order = np.argsort(f, kind="stable")
        f, b = f[order], b[order]
        keep = np.concatenate([[True], np.diff(f) > 0]) if len(f) else np.zeros(0, bool)
        self.dropped["repeated frame"] += int(np.sum(~keep))
        vid = self.video_ids.setdefault(video, len(self.video_ids) + 1)
        track = Track(track_id, f[keep], b[keep], windows=np.array([[span[0], span[1]]], dtype=np.float64))
        self.queries.append(Query(len(self.queries) + 1, text, video, length, (track,), video_id=vid))

    def result(self, name: str) -> SvagData:
        for why, n in self.dropped.items():
            if n:
                self.report.notes.append(f"dropped {n} boxes: {why}")
        return SvagData((Dataset(name, tuple(self.queries)),), source=self.source)


def parse_hcstvg(obj: object, *, source: str = "<hcstvg>", name: str = "HC-STVG",
                 report: ReadReport | None = None) -> SvagData:
    report = report if report is not None else ReadReport()
    b = _Builder(source, report)
    if isinstance(obj, list):   # pre-processed (TubeDETR) list
        for i, a in enumerate(obj):
            where = dict(file=source, query=i + 1)
            try:
                s = _num(a["tube_start_frame"], "tube_start_frame", where)
                traj = a["trajectory"]
                b.add(_video_name(str(a["original_video_id"])), _num(a["frame_count"], "frame_count", where),
                      a["caption"], 1, list(range(s, s + len(traj))), traj, (s, s + len(traj) - 1))
            except KeyError as exc:
                raise InputError(f"entry {i} lacks {exc}", file=source) from None
        return b.result(name)
    if not isinstance(obj, dict):
        raise InputError("expected an HC-STVG object {video: annotation}", file=source)
    mismatched = 0
    for key, a in obj.items():
        where = dict(file=source, query=len(b.queries) + 1)
        if not isinstance(a, dict):
            raise InputError(f"annotation of {key!r} must be an object", **where)
        try:
            s = _num(a["st_frame"], "st_frame", where)
            bbox = a["bbox"]
            length = _num(a["img_num"], "img_num", where)
        except KeyError as exc:
            raise InputError(f"annotation of {key!r} lacks {exc} (needs st_frame, bbox, img_num)", **where) from None
        text = a.get("English", a.get("caption"))
        if text is None:
            raise InputError(f"annotation of {key!r} has no sentence ('English' or 'caption')", **where)
        if not isinstance(bbox, list) or not bbox:
            raise InputError(f"annotation of {key!r}: bbox must be a non-empty list of [x, y, w, h]", **where)
        e = s + len(bbox) - 1
        if "ed_frame" in a and a["ed_frame"] is not None and a["ed_frame"] != e:
            mismatched += 1
        b.add(_video_name(str(key)), length, text, 1, list(range(s, e + 1)), bbox, (s, e))
    if mismatched:
        report.notes.append(f"{mismatched} annotations have ed_frame != st_frame + len(bbox) - 1; "
                            "the span follows the boxes")
    return b.result(name)


def read_hcstvg(path: PathLike, *, name: str = "HC-STVG", report: ReadReport | None = None) -> SvagData:
    """Read an HC-STVG (v1 or v2) annotation file into SVAG ground truth."""
    return parse_hcstvg(load_json(path), source=str(path), name=name, report=report)


def _vidor_lookup(vidor: Mapping[str, Any] | PathLike | None):
    if vidor is None:
        return lambda vid: None
    if isinstance(vidor, Mapping):
        return vidor.get
    root = Path(vidor)
    if not root.is_dir():
        raise InputError("VidOR annotation folder not found", file=str(root))
    index = {p.stem: p for p in root.rglob("*.json")}
    cache: dict[str, Any] = {}

    def get(vid: str) -> Any:
        if vid not in cache:
            cache[vid] = load_json(index[vid]) if vid in index else None
        return cache[vid]
    return get


def _tube(trajectories: Any, tid: Any, first: int, last: int) -> tuple[list[int], list]:
    """Boxes of ``tid`` at 0-based frames first..last (inclusive) -> 1-based frames, xywh."""
    frames, boxes = [], []
    if isinstance(trajectories, dict):   # pre-processed: {tid: {fid: {"bbox": [x, y, w, h]}}}
        per = trajectories.get(str(tid), trajectories.get(tid, {}))
        for fid, item in per.items():
            if first <= int(fid) <= last:
                frames.append(int(fid) + 1)
                boxes.append(list(item["bbox"] if isinstance(item, dict) else item))
        return frames, boxes
    for fid in range(max(first, 0), min(last, len(trajectories) - 1) + 1):
        for obj in trajectories[fid]:
            if obj.get("tid") == tid:
                bb = obj["bbox"]
                boxes.append([bb["xmin"], bb["ymin"], bb["xmax"] - bb["xmin"], bb["ymax"] - bb["ymin"]])
                frames.append(fid + 1)
    return frames, boxes


def parse_vidstg(obj: object, *, source: str = "<vidstg>", name: str = "VidSTG",
                 vidor: Mapping[str, Any] | PathLike | None = None, end_exclusive: bool = True,
                 report: ReadReport | None = None) -> SvagData:
    report = report if report is not None else ReadReport()
    records = obj if isinstance(obj, list) else [obj]
    lookup = _vidor_lookup(vidor)
    b = _Builder(source, report)
    no_traj = 0
    for i, rec in enumerate(records):
        where = dict(file=source)
        if not isinstance(rec, dict) or "vid" not in rec or "temporal_gt" not in rec:
            raise InputError(f"record {i} must be an object with 'vid' and 'temporal_gt'", **where)
        vid = str(rec["vid"])
        tg = rec["temporal_gt"]
        try:
            begin = _num(tg["begin_fid"], "temporal_gt.begin_fid", where)
            end = _num(tg["end_fid"], "temporal_gt.end_fid", where)
        except (KeyError, TypeError):
            raise InputError(f"record {i} ({vid}): temporal_gt needs begin_fid and end_fid", **where) from None
        last = end - 1 if end_exclusive else end
        if last < begin:
            raise InputError(f"record {i} ({vid}): empty temporal_gt [{begin}, {end})", **where)
        trajectories = rec.get("trajectories")
        if trajectories is None:
            ann = lookup(vid)
            trajectories = None if ann is None else ann.get("trajectories")
        if trajectories is None:
            no_traj += 1
            trajectories = []
        length = _num(rec.get("frame_count", 0), "frame_count", where)
        for sentence in [*rec.get("captions", []), *rec.get("questions", [])]:
            tid = sentence.get("target_id")
            frames, boxes = _tube(trajectories, tid, begin, last)
            b.add(vid, length, sentence.get("description"), tid, frames, boxes, (begin + 1, last + 1))
    if no_traj:
        report.notes.append(f"{no_traj} records have no trajectories (in the record or the VidOR "
                            "annotations): their tubes have windows but no boxes")
    return b.result(name)


def read_vidstg(path: PathLike, *, name: str = "VidSTG", vidor: Mapping[str, Any] | PathLike | None = None,
                end_exclusive: bool = True, report: ReadReport | None = None) -> SvagData:
    """Read VidSTG sentence annotations (with VidOR trajectories) into SVAG ground truth."""
    return parse_vidstg(load_json(path), source=str(path), name=name, vidor=vidor,
                        end_exclusive=end_exclusive, report=report)
