"""Thumbnails of a query's key frames for the report: the frame (a small JPEG, base64) and the
ground-truth and predicted boxes at that frame; the page draws the boxes over the image in the
colours of the timeline lanes.

Videos are looked up under ``video_root`` by the query's video name: a MOTChallenge sequence
folder (``NAME`` or ``NAME-FRCNN`` ..., with ``img1/`` or a video file), a folder of frames
``NAME/``, or a video file ``NAME.<ext>``; all are read through :class:`svag.video.reader.VideoReader`.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from svag.core.types import Query, Track
from svag.errors import InputError

VIDEO_EXTS = (".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v", ".mpg", ".mpeg")


@dataclass
class ThumbRequest:
    key: str                          # the query's report key
    gt: Query
    preds: Sequence[Query | None]     # the query in each submission (None: no entry)


def find_video(root: Path, name: str) -> Path | None:
    from svag.data.mot_seq import find_sequence
    from svag.pipeline import has_pixels
    seq = find_sequence(root, name)
    candidates = [seq.path] if seq is not None else []
    candidates += [root / name, *(root / f"{name}{ext}" for ext in VIDEO_EXTS)]
    return next((c for c in candidates if c.exists() and has_pixels(c)), None)


def _middle(windows: Any) -> int | None:
    return int(round((windows[0, 0] + windows[0, 1]) / 2)) if len(windows) else None


def key_frames(req: ThumbRequest) -> list[int]:
    """The middle of the ground-truth action (first window of the first track, else the middle
    of its boxes) and the middle of the first predicted window of the first submission, when it
    is elsewhere."""
    n = req.gt.video_length
    out: list[int] = []
    for t in req.gt.tracks:
        f = _middle(t.windows)
        if f is None and len(t):
            f = int((t.frames[0] + t.frames[-1]) // 2)
        if f is not None:
            out.append(f)
            break
    first = req.preds[0] if req.preds else None
    if first is not None and first.tracks:
        f = _middle(first.tracks[0].windows)
        if f is not None and (not out or abs(f - out[0]) > max(2, n // 20)):
            out.append(f)
    return sorted({min(max(f, 1), n) for f in out})


def _boxes_at(tracks: Sequence[Track], frame: int) -> list[list[Any]]:
    out = []
    for t in tracks:
        b = t.box_at(frame)
        if b is not None:
            out.append([str(t.track_id), *[round(float(v), 1) for v in b]])
    return out


def _encode(image: Any, quality: int) -> str:
    import cv2
    ok, buf = cv2.imencode(".jpg", image, [int(cv2.IMWRITE_JPEG_QUALITY), quality])
    if not ok:
        raise InputError("could not encode a thumbnail as JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode("ascii")


def make_thumbnails(requests: Sequence[ThumbRequest], video_root: str | Path, *, width: int = 320,
                    quality: int = 70) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """Report key -> thumbnails ``{"f", "src", "W", "H", "gt", "p"}``; and notes on what was missing."""
    from svag.video.reader import open_video
    root = Path(video_root)
    if not root.is_dir():
        raise InputError("video root is not a folder", file=str(root))
    by_video: dict[str, list[tuple[ThumbRequest, list[int]]]] = {}
    for req in requests:
        by_video.setdefault(req.gt.video_name, []).append((req, key_frames(req)))
    out: dict[str, list[dict[str, Any]]] = {}
    notes: list[str] = []
    missing: list[str] = []
    for video, items in by_video.items():
        path = find_video(root, video)
        if path is None:
            missing.append(video)
            continue
        full = open_video(path).info
        reader = open_video(path, resize=min(1.0, width / max(1, full.width)))
        wanted = {f for _, frames in items for f in frames}
        images = {fr.index: _encode(fr.image, quality) for fr in reader.read_frames(wanted)}
        if len(images) < len(wanted):
            notes.append(f"{video}: {len(wanted) - len(images)} key frames are past the frames found in {path}")
        for req, frames in items:
            out[req.key] = [{"f": f, "src": images[f], "W": full.width, "H": full.height,
                             "gt": _boxes_at(req.gt.tracks, f),
                             "p": [_boxes_at(p.tracks, f) if p is not None else [] for p in req.preds]}
                            for f in frames if f in images]
    if missing:
        notes.insert(0, f"no video found under {root} for {len(missing)} videos (no thumbnails): "
                        f"{', '.join(missing[:10])}{' ...' if len(missing) > 10 else ''}")
    return out, notes
