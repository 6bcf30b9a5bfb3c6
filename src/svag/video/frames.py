"""A video's pixels, read again at chosen frames: the :class:`~svag.core.scene.FrameSource` of
scenes built from a video file, a frame folder or a MOT sequence with images.

``read(indices)`` makes one pass in frame order: a frame folder reads only the wanted images; a
video file is decoded from the start up to the last wanted frame (decoding stops there) and only
the wanted frames are converted and yielded. One frame is held at a time."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from svag.video.reader import open_video


class VideoFrames:
    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"VideoFrames({str(self.path)!r})"

    def read(self, indices: Iterable[int]) -> Iterator[tuple[int, np.ndarray]]:
        wanted = sorted({int(i) for i in indices})
        if not wanted:
            return
        reader = open_video(self.path)
        files = getattr(reader, "_files", None)
        if files:                                   # a frame folder: read just those images
            from svag.video.reader import _imread
            for i in wanted:
                if 1 <= i <= len(files):
                    yield i, _imread(files[i - 1])
            return
        todo = iter(wanted)
        nxt = next(todo)
        frames = iter(reader)
        try:
            for frame in frames:
                while nxt is not None and nxt < frame.index:
                    nxt = next(todo, None)  # type: ignore[assignment]
                if nxt is None:
                    break
                if frame.index == nxt:
                    yield frame.index, frame.image
                    nxt = next(todo, None)  # type: ignore[assignment]
                    if nxt is None:
                        break
        finally:
            close = getattr(frames, "close", None)
            if close is not None:
                close()
