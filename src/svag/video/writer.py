"""MP4 writing through PyAV: BGR frames in, H.264 (libx264) or MPEG-4 Part 2 out."""
from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import numpy as np

from svag.errors import InputError, MissingDependencyError

PathLike = str | os.PathLike
CODECS = ("libx264", "mpeg4")


class VideoWriter:
    """Encodes BGR frames into an MP4 file (H.264 with libx264, else MPEG-4 part 2).

    Frames go to a temporary file beside ``path`` that :meth:`close` renames onto ``path``
    (:mod:`svag.io.atomic`); leaving a ``with`` block through an exception, or :meth:`abort`,
    removes it, so ``path`` is never a truncated video."""

    def __init__(self, path: PathLike, width: int, height: int, fps: float, codec: str | None = None,
                 crf: int = 23) -> None:
        try:
            import av
        except ImportError:
            raise MissingDependencyError("av", "video", "writing videos") from None
        import cv2
        self._cv2 = cv2
        if width % 2 or height % 2:
            raise InputError(f"video size must be even for yuv420p, got {width}x{height}")
        codec = codec or next((c for c in CODECS if _has_encoder(av, c)), None)
        if codec is None or not _has_encoder(av, codec):
            raise InputError(f"no usable video encoder (tried {codec or ', '.join(CODECS)})",
                             hint="PyAV must be built with FFmpeg's libx264 or mpeg4 encoder")
        from svag.io.atomic import prepare_target, temp_name
        self.path, self.codec = Path(path), codec
        self._tmp = temp_name(prepare_target(self.path))
        self._av = av
        try:
            self._container = av.open(str(self._tmp), "w")
        except (av.error.FFmpegError, ValueError) as exc:  # type: ignore[attr-defined]
            raise InputError(f"cannot write a video with this file name ({exc}); use .mp4",
                             file=str(self.path)) from None
        self._stream = self._container.add_stream(codec, rate=Fraction(fps).limit_denominator(1001))
        self._stream.width, self._stream.height, self._stream.pix_fmt = width, height, "yuv420p"
        if codec == "libx264":
            self._stream.options = {"preset": "veryfast", "crf": str(crf)}
        else:
            self._stream.bit_rate = 2_000_000
        self.frames = 0

    def write(self, bgr: np.ndarray) -> None:
        yuv = self._cv2.cvtColor(bgr, self._cv2.COLOR_BGR2YUV_I420)
        frame = self._av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.frames += 1

    def close(self) -> None:
        """Flush the encoder and move the finished file onto its name."""
        if self._container is None:
            return
        try:
            for packet in self._stream.encode():
                self._container.mux(packet)
            self._container.close()
        except BaseException:
            self.abort()
            raise
        self._container = None
        from svag.io.atomic import commit_file
        commit_file(self._tmp, self.path)

    def abort(self) -> None:
        """Stop without writing ``path`` (the temporary file is removed)."""
        if self._container is not None:
            try:
                self._container.close()
            except Exception:  # noqa: BLE001 - closing a half-written container may fail; it is removed anyway
                pass
            self._container = None
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> "VideoWriter":
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def _has_encoder(av: object, name: str) -> bool:
    try:
        av.codec.Codec(name, "w")  # type: ignore[attr-defined]
        return True
    except Exception:  # noqa: BLE001 - PyAV raises several types for unknown codecs
        return False
