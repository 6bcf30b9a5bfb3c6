"""Render grounding results onto the video: each matched track's box, id and query label, drawn
while one of its windows is active. Writes H.264 MP4 through PyAV (MPEG-4 Part 2 as fallback)."""
from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np

from svag.video.writer import VideoWriter

PALETTE = [(66, 135, 245), (245, 93, 66), (80, 200, 120), (240, 200, 60), (200, 90, 220), (60, 210, 220),
           (250, 150, 40), (150, 150, 255)]   # BGR


def draw_box(image: np.ndarray, box: np.ndarray, color: tuple[int, int, int], label: str) -> None:
    import cv2
    x, y, w, h = (int(round(v)) for v in box)
    cv2.rectangle(image, (x, y), (x + w, y + h), color, 2)
    (tw, th), _ = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, 0.45, 1)
    y0 = max(th + 4, y)
    xl = max(0, min(x, image.shape[1] - tw - 4))   # keep the label inside the frame
    cv2.rectangle(image, (xl, y0 - th - 4), (xl + tw + 4, y0), color, -1)
    cv2.putText(image, label, (xl + 2, y0 - 3), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1, cv2.LINE_AA)


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
                      heatmaps: Sequence[Any] | None = None) -> None:
    """Draw ``(QuerySpec, GroundingResult)`` items on ``video`` (a path, or a scene's frame source)
    and write ``out`` (atomically; ``progress``: a progress bar on a terminal; ``fps``: the video's
    frame rate, default the source's own; ``heatmaps``: :class:`svag.io.heatmaps.Heatmaps`, one per
    item, overlaid when given)."""
    from svag.errors import InputError
    from svag.video.reader import open_video
    video = getattr(video, "path", video)
    reader = open_video(video, stride=stride)
    rate = fps or reader.info.fps
    if not rate:
        raise InputError("the video has no frame rate; give it (--fps)", file=str(video))
    fps = rate / stride
    # per frame: list of (box, colour, label); built from each grounding's windows
    draws: dict[int, list[tuple[np.ndarray, tuple[int, int, int], str]]] = {}
    for qi, (spec, result) in enumerate(items):
        color = PALETTE[qi % len(PALETTE)]
        for g in result.groundings:
            t = g.track
            active = np.zeros(len(t), bool)
            for s, e, _ in g.windows:
                active |= (t.frames >= s) & (t.frames <= e)
            text = spec.text if len(spec.text) <= 40 else spec.text[:37] + "..."
            for f, box in zip(t.frames[active].tolist(), t.boxes[active]):
                draws.setdefault(f, []).append((box, color, f"#{t.track_id} {text}"))
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
            for box, color, label in draws.get(frame.index, ()):
                draw_box(img, box, color, label)
            writer.write(img)
