"""Render grounding results onto the video. Writes H.264 MP4 through PyAV (MPEG-4 Part 2 as
fallback).

Every query has a colour and a short tag (Q1, Q2, ...) explained in a legend at the top left.
A track is drawn once per frame, however many queries it matches there: its box in the colour
of the first of them, one label "#id" followed by the tags of the queries whose windows are
active, each tag in its query's colour. Labels are placed above their box, or moved below it or
further down when they would cover a label already drawn in that frame.
"""
from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np

from svag.video.writer import VideoWriter

PALETTE = [(66, 135, 245), (245, 93, 66), (80, 200, 120), (240, 200, 60), (200, 90, 220), (60, 210, 220),
           (250, 150, 40), (150, 150, 255)]   # BGR
FONT_SCALE = 0.45
LEGEND_CHARS = 48


def query_tag(index: int) -> str:
    return f"Q{index + 1}"


def _text_size(text: str) -> tuple[int, int]:
    import cv2
    (w, h), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, FONT_SCALE, 1)
    return w, h


def _put(image: np.ndarray, text: str, x: int, y: int, bg: tuple[int, int, int]) -> int:
    """Text on a filled background with its baseline at ``y``; returns the x after it."""
    import cv2
    w, h = _text_size(text)
    cv2.rectangle(image, (x, y - h - 4), (x + w + 4, y + 2), bg, -1)
    cv2.putText(image, text, (x + 2, y - 2), cv2.FONT_HERSHEY_SIMPLEX, FONT_SCALE, (255, 255, 255), 1, cv2.LINE_AA)
    return x + w + 4


def draw_legend(image: np.ndarray, texts: Sequence[str]) -> tuple[int, int, int, int]:
    """The legend (one line per query: tag and text, in the query's colour); returns its box."""
    y, width = 4, 0
    for i, text in enumerate(texts):
        text = text if len(text) <= LEGEND_CHARS else text[: LEGEND_CHARS - 3] + "..."
        y += _text_size("Qg")[1] + 8
        x = _put(image, query_tag(i), 4, y, PALETTE[i % len(PALETTE)])
        end = _put(image, text, x + 2, y, (40, 40, 40))
        width = max(width, end)
    return 0, 0, width, y + 4


def _overlaps(box: tuple[int, int, int, int], placed: list[tuple[int, int, int, int]]) -> bool:
    x0, y0, x1, y1 = box
    return any(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in placed)


def place_label(box: np.ndarray, size: tuple[int, int], frame: tuple[int, int],
                placed: list[tuple[int, int, int, int]]) -> tuple[int, int]:
    """Top-left corner for a label of ``size`` (w, h) next to ``box`` (xywh) inside ``frame``
    (w, h) that covers none of the ``placed`` rectangles (x0, y0, x1, y1) if it can: above the
    box, else below it, else stepping down along its side."""
    x, y, w, h = (int(round(v)) for v in box)
    lw, lh = size
    fw, fh = frame
    xl = max(0, min(x, fw - lw))
    candidates = [y - lh, y + h] + [y + k * lh for k in range(0, max(1, h // max(lh, 1)) + 3)]
    for top in candidates:
        top = max(0, min(top, fh - lh))
        if not _overlaps((xl, top, xl + lw, top + lh), placed):
            return xl, top
    return xl, max(0, min(y - lh, fh - lh))


def draw_track(image: np.ndarray, box: np.ndarray, track_id: object, queries: Sequence[int],
               placed: list[tuple[int, int, int, int]]) -> None:
    """One box and one label listing the matched queries' tags, each in its colour."""
    import cv2
    x, y, w, h = (int(round(v)) for v in box)
    cv2.rectangle(image, (x, y), (x + w, y + h), PALETTE[queries[0] % len(PALETTE)], 2)
    parts = [(f"#{track_id}", (40, 40, 40))] + [(query_tag(q), PALETTE[q % len(PALETTE)]) for q in queries]
    sizes = [_text_size(t) for t, _ in parts]
    lw = sum(s[0] + 4 for s in sizes)
    lh = max(s[1] for s in sizes) + 6
    xl, top = place_label(box, (lw, lh), (image.shape[1], image.shape[0]), placed)
    placed.append((xl, top, xl + lw, top + lh))
    cx = xl
    for text, colour in parts:
        cx = _put(image, text, cx, top + lh - 2, colour)


def overlay_heatmap(image: np.ndarray, heat: np.ndarray, alpha: float = 0.45) -> np.ndarray:
    """``image`` (H, W, 3) BGR with a [0, 1] heatmap (any size, stretched to the frame) blended in
    as a JET colour map."""
    import cv2
    h, w = image.shape[:2]
    m = np.clip(np.asarray(heat, np.float32), 0, 1)
    if m.shape != (h, w):
        m = cv2.resize(m, (w, h), interpolation=cv2.INTER_LINEAR)
    colour = cv2.applyColorMap((m * 255).astype(np.uint8), cv2.COLORMAP_JET)
    return cv2.addWeighted(image, 1 - alpha, colour, alpha, 0)


def _heat_at(heatmaps: Sequence[Any] | None, frame: int) -> np.ndarray | None:
    """Pixel-wise maximum over the queries' heatmaps at the latest sampled frame <= ``frame``."""
    maps = []
    for hm in heatmaps or ():
        i = int(np.searchsorted(hm.frames, frame, side="right")) - 1
        if i >= 0:
            maps.append(hm.maps[i].astype(np.float32))
    if not maps:
        return None
    return np.max(maps, axis=0) if len(maps) > 1 and all(m.shape == maps[0].shape for m in maps) else maps[0]


def render_groundings(video: Any, out: str | os.PathLike, items: Sequence[tuple[Any, Any]],
                      *, stride: int = 1, progress: bool = True, fps: float | None = None,
                      legend: bool = True, heatmaps: Sequence[Any] | None = None) -> None:
    """Draw ``(QuerySpec, GroundingResult)`` items on ``video`` (a path, or a scene's frame source)
    and write ``out`` (atomically; ``progress``: a progress bar on a terminal; ``fps``: the video's
    frame rate, default the source's own; ``legend``: one line per query, its tag and text;
    ``heatmaps``: :class:`svag.io.heatmaps.Heatmaps`, one per item, overlaid when given)."""
    from svag.errors import InputError
    from svag.video.reader import open_video
    video = getattr(video, "path", video)
    reader = open_video(video, stride=stride)
    rate = fps or reader.info.fps
    if not rate:
        raise InputError("the video has no frame rate; give it (--fps)", file=str(video))
    fps = rate / stride
    # frame -> track id -> (box, [query indices]); built from each grounding's windows
    draws: dict[int, dict[object, tuple[np.ndarray, list[int]]]] = {}
    for qi, (_, result) in enumerate(items):
        for g in result.groundings:
            t = g.track
            active = np.zeros(len(t), bool)
            for s, e, _ in g.windows:
                active |= (t.frames >= s) & (t.frames <= e)
            for f, box in zip(t.frames[active].tolist(), t.boxes[active]):
                entry = draws.setdefault(f, {}).setdefault(t.track_id, (box, []))
                entry[1].append(qi)
    texts = [spec.text for spec, _ in items]
    w, h = reader.info.width - reader.info.width % 2, reader.info.height - reader.info.height % 2
    frames = iter(reader)
    if progress:
        from svag.video.progress import progress_bar
        n = reader.info.num_frames
        frames = iter(progress_bar(frames, total=-(-n // stride) if n else None, desc="render"))
    with VideoWriter(out, w, h, fps) as writer:
        for frame in frames:
            img = frame.image[:h, :w].copy()
            heat = _heat_at(heatmaps, frame.index)
            if heat is not None:
                img = overlay_heatmap(img, heat[:h, :w] if heat.shape == frame.image.shape[:2] else heat)
            placed = [draw_legend(img, texts)] if legend and texts else []
            for tid, (box, queries) in draws.get(frame.index, {}).items():
                draw_track(img, box, tid, queries, placed)
            writer.write(img)
