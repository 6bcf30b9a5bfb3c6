"""A video's pixels, read again at chosen frames: the :class:`~svag.core.scene.FrameSource` of
scenes built from a video file, a frame folder or a MOT sequence with images.

``read(indices)`` makes one pass in frame order. Frames held in the source's :class:`FrameStore`
(key frames kept while the tracking pass decoded the video) come from memory; of the others, a
frame folder reads only the wanted images, a video file is read by
:meth:`~svag.video.reader.VideoReader.read_frames` (seeking where the container allows, else
decoding from the start up to the last wanted frame) and only the wanted frames are converted.

The store is filled for exactly the frames the scene's encoders will want: before tracking, the
scene builder asks each encoder with ``frames_wanted(num_frames, fps=)`` for its frames
(:meth:`FrameStore.want`), and the tracking pass hands the store every such frame it decodes
(:meth:`FrameStore.put`, full resolution, before any ``--resize``). The store never holds more
than its budget in bytes (default :data:`DEFAULT_BUDGET_MB`); a frame that does not fit is not
kept and is decoded again when it is read."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from svag.video.reader import open_video

DEFAULT_BUDGET_MB = 256.0


class FrameStore:
    """Decoded frames kept in memory, at most ``budget_bytes`` of pixels, for the wanted indices only.

    ``wants(index)`` says whether a frame being decoded should be offered (wanted, not yet kept,
    and room left); ``put(index, image)`` keeps a copy if it fits. ``peak_bytes`` is the most
    ever held; ``refused`` counts wanted frames that did not fit."""

    def __init__(self, budget_bytes: int | float = DEFAULT_BUDGET_MB * 2**20) -> None:
        if not budget_bytes >= 0:
            raise ValueError(f"frame memory budget must be >= 0 bytes, got {budget_bytes}")
        self.budget_bytes = int(budget_bytes)
        self.nbytes = 0
        self.peak_bytes = 0
        self.refused = 0
        self._frames: dict[int, np.ndarray] = {}
        self._wanted: list[range | frozenset[int]] = []
        self._frame_bytes = 0                    # size of one frame, once one has been offered

    def __repr__(self) -> str:
        return (f"FrameStore({len(self._frames)} frames, {self.nbytes / 2**20:.1f} of "
                f"{self.budget_bytes / 2**20:.1f} MB)")

    def want(self, indices: Iterable[int]) -> None:
        """Keep these 1-based frames when they are decoded (a ``range`` stays a range: O(1) lookups)."""
        self._wanted.append(indices if isinstance(indices, range) else frozenset(int(i) for i in indices))

    @property
    def wanting(self) -> bool:
        return bool(self._wanted)

    def wanted(self, index: int) -> bool:
        return any(index in w for w in self._wanted)

    def wants(self, index: int) -> bool:
        if index in self._frames or not self.wanted(index):
            return False
        if self.nbytes + self._frame_bytes > self.budget_bytes:
            self.refused += 1
            return False
        return True

    def put(self, index: int, image: np.ndarray) -> bool:
        """Keep a copy of the frame if it is wanted and fits the budget; whether it was kept."""
        self._frame_bytes = max(self._frame_bytes, image.nbytes)
        if index in self._frames or not self.wanted(index):
            return False
        if self.nbytes + image.nbytes > self.budget_bytes:
            self.refused += 1
            return False
        self._frames[int(index)] = np.array(image, copy=True)
        self.nbytes += image.nbytes
        self.peak_bytes = max(self.peak_bytes, self.nbytes)
        return True

    def get(self, index: int) -> np.ndarray | None:
        return self._frames.get(int(index))

    def __contains__(self, index: object) -> bool:
        return index in self._frames

    def __len__(self) -> int:
        return len(self._frames)

    def indices(self) -> list[int]:
        return sorted(self._frames)

    def clear(self) -> None:
        """Drop the kept frames (the wishes stay)."""
        self._frames.clear()
        self.nbytes = 0


class VideoFrames:
    """The frame source of a video file, frame folder or MOT sequence; ``store`` holds the frames
    kept in memory (see the module docstring). ``decoded`` counts the frames decoded (or read
    from image files) by :meth:`read`, ``passes`` the decoding passes it opened."""

    def __init__(self, path: str | os.PathLike, store: FrameStore | None = None) -> None:
        self.path = Path(path)
        self.store = store if store is not None else FrameStore()
        self.decoded = 0
        self.passes = 0

    def __repr__(self) -> str:
        return f"VideoFrames({str(self.path)!r})"

    def in_memory(self, indices: Iterable[int]) -> list[int]:
        """Which of these frames are held in memory (read with no decoding), ascending."""
        return sorted({int(i) for i in indices if int(i) in self.store})

    def read(self, indices: Iterable[int]) -> Iterator[tuple[int, np.ndarray]]:
        """``(index, BGR image)`` for each wanted frame that exists, ascending: kept frames from
        memory, the others in one pass over the video."""
        wanted = sorted({int(i) for i in indices})
        if not wanted:
            return
        missing = [i for i in wanted if i not in self.store]
        decoded = self._decode(missing)
        pending = next(decoded, None)
        try:
            for i in wanted:
                image = self.store.get(i)
                if image is not None:
                    yield i, image
                    continue
                while pending is not None and pending[0] < i:
                    pending = next(decoded, None)
                if pending is not None and pending[0] == i:
                    yield pending
                    pending = next(decoded, None)
        finally:
            decoded.close()  # type: ignore[attr-defined]

    def _decode(self, wanted: list[int]) -> Iterator[tuple[int, np.ndarray]]:
        """The wanted frames (ascending) that exist, in one pass (none: no pass)."""
        if not wanted:
            return
        self.passes += 1
        for frame in open_video(self.path).read_frames(wanted):     # a folder: just those images
            self.decoded += 1
            yield frame.index, frame.image
