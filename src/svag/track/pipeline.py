"""Decode -> detect -> track over one video, streaming, with the time spent in each stage.

    run = track_video("pets.avi")                     # default pixel detector + ByteTrack
    run.tracks                                        # Detections, ids filled, 1-based frames
    run.timings.fps("detect")                         # frames per second of one stage

The tracker's frame rate is ``tracker_kwargs["fps"]`` when given, else the video's (a source
without a frame rate, such as a folder of frames, needs it given: an InputError otherwise); with
``stride`` the frame indices stay those of the source, so times in seconds keep their meaning
(and the tracker's gap interpolation fills the skipped frames of a track). With ``resize``, detection runs on the resized frames and boxes are mapped back
to the source's pixel coordinates. With ``keep`` (a :class:`~svag.video.reader.FrameKeeper`, such as a
scene's :class:`~svag.video.frames.FrameStore`) the frames it wants are kept as they are decoded,
at full resolution, so that encoders read them without a second decode.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from svag.core.timing import StageTimings
from svag.core.types import Detections
from svag.errors import InputError
from svag.detect import DEFAULT_DETECTOR, build_detector
from svag.detect.base import EXTENT, Detector, concat_extras, supports_prompts
from svag.track import build_tracker
from svag.track.base import Tracker
from svag.track.extras import take_extents, transfer_extras
from svag.video.reader import FrameKeeper, VideoInfo, open_video

STAGES = ("decode", "detect", "track")


@dataclass
class TrackingRun:
    tracks: Detections
    detections: Detections
    info: VideoInfo
    timings: StageTimings


def track_video(path: str | os.PathLike, detector: str | Detector = DEFAULT_DETECTOR,
                tracker: str | Tracker = "bytetrack", *, detector_kwargs: dict[str, Any] | None = None,
                tracker_kwargs: dict[str, Any] | None = None, stride: int = 1,
                resize: tuple[int, int] | float | None = None, max_frames: int | None = None,
                progress: bool = False, prompts: Sequence[str] | None = None,
                keep: FrameKeeper | None = None) -> TrackingRun:
    """Detect and track objects in a video file, frame folder or MOT sequence folder
    (``max_frames``: stop after that many decoded frames; ``progress``: show a progress bar;
    ``prompts``: texts for a detector that accepts prompts, see :class:`~svag.detect.base.Detector`;
    ``keep``: takes the frames it wants as they are decoded)."""
    video = open_video(path, stride=stride, resize=resize, keep=keep)
    info = video.info
    det = build_detector(detector, **(detector_kwargs or {})) if isinstance(detector, str) else detector
    if isinstance(tracker, str):
        kw = dict(tracker_kwargs or {})
        if not kw.get("fps"):
            if not info.fps:
                raise InputError("the video has no frame rate; give it (--fps, or tracker option fps)",
                                 file=str(path))
            kw["fps"] = info.fps
        for key, value in getattr(det, "tracker_defaults", {}).items():    # what suits the detector
            kw.setdefault(key, value)
        if info.width and info.height:
            kw.setdefault("frame_size", (info.width, info.height))
        trk = build_tracker(tracker, **kw)
    else:
        trk = tracker
    if prompts is not None and supports_prompts(det):
        det.set_prompts(list(prompts))  # type: ignore[attr-defined]
    det.reset()
    trk.reset()
    timings = StageTimings.of(STAGES)
    t0 = time.perf_counter()
    _fit_background(det, video, max_frames)
    timings.seconds["decode"] += time.perf_counter() - t0
    rows_f, rows_b, rows_s, rows_x = [], [], [], []
    frames = iter(video)
    if progress:
        from svag.video.progress import progress_bar
        frames = iter(progress_bar(frames, total=(info.num_frames // stride) if info.num_frames else None,
                                   desc=f"decode+detect+track {os.path.basename(str(path))}"))
    back: np.ndarray | None = None
    last_index = 0
    exhausted = False
    # detectors with detect_batch (the vision ones) get several frames per forward pass
    batch = max(1, int(getattr(det, "batch_size", 1))) if hasattr(det, "detect_batch") else 1
    while max_frames is None or timings.frames < max_frames:
        t0 = time.perf_counter()
        chunk = []
        while len(chunk) < batch and (max_frames is None or timings.frames + len(chunk) < max_frames):
            frame = next(frames, None)
            if frame is None:
                exhausted = True
                break
            chunk.append(frame)
        t1 = time.perf_counter()
        if not chunk:
            break
        if back is None:
            back = np.array([info.width / chunk[0].image.shape[1], info.height / chunk[0].image.shape[0]] * 2)
        found_all = det.detect_batch(chunk) if batch > 1 else [det.detect(chunk[0])]
        t2 = time.perf_counter()
        for frame, found in zip(chunk, found_all):
            boxes = found.boxes * back
            trk.update(frame.index, boxes, found.scores)
            last_index = frame.index
            rows_f.append(np.full(len(found), frame.index, np.int64))
            rows_b.append(boxes)
            rows_s.append(found.scores)
            extras = found.extras
            if extras and EXTENT in extras:        # in the detector's pixels, like its boxes
                extras = {**extras, EXTENT: np.asarray(extras[EXTENT], dtype=np.float64) * back}
            rows_x.append(extras)
        t3 = time.perf_counter()
        timings.seconds["decode"] += t1 - t0
        timings.seconds["detect"] += t2 - t1
        timings.seconds["track"] += t3 - t2
        timings.frames += len(chunk)
        if exhausted:
            break
    if not exhausted:
        frames.close()                                   # type: ignore[attr-defined]
    t0 = time.perf_counter()
    tracks = trk.finalize()
    timings.seconds["track"] += time.perf_counter() - t0
    # a truncated file ends before its header's length: the video is as long as what decoded
    n = (video.truncated_at or info.num_frames or last_index) if exhausted else last_index
    dets = Detections(np.concatenate(rows_f) if rows_f else np.zeros(0, np.int64),
                      np.full(sum(len(r) for r in rows_f), -1, np.int64),
                      np.concatenate(rows_b) if rows_b else np.zeros((0, 4)),
                      scores=np.concatenate(rows_s) if rows_s else np.zeros(0), num_frames=n, source=str(path),
                      extras=concat_extras(rows_x, [len(r) for r in rows_f]))
    tracks = transfer_extras(Detections(tracks.frames, tracks.ids, tracks.boxes, tracks.scores, num_frames=n,
                                        source=str(path)), dets, skip=(EXTENT,))
    # the boxes it associated are the detector's; where it knows the object's own extent, that is reported
    tracks = take_extents(tracks, dets)
    return TrackingRun(tracks, dets, info, timings)


def _fit_background(det: Detector, video: Any, max_frames: int | None) -> None:
    """Give a detector that models the background (``fit_background``, ``background_samples``)
    frames sampled evenly over the part of the video it will see; nothing when the length is unknown."""
    count = int(getattr(det, "background_samples", 0) or 0)
    n = video.info.num_frames
    if not hasattr(det, "fit_background") or count < 3 or not n:
        return
    if max_frames is not None:
        n = min(n, max_frames * video.stride)
    indices = np.unique(np.linspace(1, n, min(count, n)).round().astype(np.int64))
    det.fit_background(frame.image for frame in video.sample_frames(indices.tolist()))   # seeks where it can
