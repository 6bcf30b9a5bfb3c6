"""Streaming video input: a video file (anything FFmpeg reads, through PyAV), a folder of frame
images, or a MOTChallenge sequence folder (``seqinfo.ini`` + ``img1/``).

Frames come one at a time with their exact 1-based index and timestamp in seconds (from the
stream's time base, never from a rounded frame rate), so memory does not grow with the video's
length. ``stride`` keeps every n-th frame (indices stay those of the source), ``resize`` scales
frames to a (width, height) or by a factor. ``keep`` (a :class:`FrameKeeper`, such as
:class:`svag.video.frames.FrameStore`) is offered each frame it wants as it is decoded, at full
resolution, so that frames needed later (key frames for encoders) cost no second decode.
"""
from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterable, Iterator, Protocol

import numpy as np

from svag.errors import InputError, MissingDependencyError

IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")


class FrameKeeper(Protocol):
    """Takes frames as they are decoded: ``wants(index)`` is asked for every frame the codec
    produces (stride or not), ``put(index, image)`` gets the full-resolution BGR image of those
    it wants (it must copy what it keeps)."""

    def wants(self, index: int) -> bool: ...

    def put(self, index: int, image: np.ndarray) -> bool: ...


@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    fps: float | None            # exact frames per second where known (e.g. 30000/1001)
    num_frames: int | None       # from the container or seqinfo.ini; None when unknown
    source: str

    @property
    def duration(self) -> float | None:
        return self.num_frames / self.fps if self.num_frames and self.fps else None


@dataclass(frozen=True)
class Frame:
    index: int                   # 1-based frame number in the source
    time: float                  # seconds from the start of the stream
    image: np.ndarray            # (H, W, 3) uint8, BGR (OpenCV order)


class VideoReader:
    """Iterate frames of a video file, a frame folder or a MOT sequence folder."""

    truncated_at: int | None = None   # last frame decoded when the video ended before its header's length
    frames_decoded: int = 0           # frames produced by the codec (or read from image files) while iterating
    frames_sampled: int = 0           # frames the codec produced for sample_frames (after seeks)

    def __init__(self, path: str | os.PathLike, *, stride: int = 1,
                 resize: tuple[int, int] | float | None = None, keep: FrameKeeper | None = None) -> None:
        self.path = Path(path)
        self.keep = keep
        if isinstance(stride, bool) or not isinstance(stride, int) or stride < 1:
            raise InputError(f"stride must be a whole number >= 1, got {stride!r}")
        _check_resize(resize)
        self.stride = stride
        self.resize = resize
        if not self.path.exists():
            raise InputError("video not found", file=str(self.path))
        self._frames_dir: Path | None = None
        self._files: list[Path] = []
        if self.path.is_dir():
            self._init_folder()
        else:
            self._init_file()

    # -- opening -----------------------------------------------------------------------------------

    def _init_folder(self) -> None:
        fps: float | None = None
        length: int | None = None
        folder = self.path
        if (self.path / "seqinfo.ini").is_file():
            from svag.io.mot import read_seqinfo
            info = read_seqinfo(self.path)
            folder = self.path / info.im_dir
            if not folder.is_dir() and info.video_file and (self.path / info.video_file).is_file():
                self.path = self.path / info.video_file     # frames stored as one video (svag synth)
                self._init_file()
                return
            fps, length = info.frame_rate, info.length
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_EXTS) if folder.is_dir() else []
        if not files:
            raise InputError(f"no frame images ({', '.join(IMAGE_EXTS)}) found in {folder}", file=str(self.path))
        first = _imread(files[0])
        self._frames_dir, self._files = folder, files
        self._first_shape = first.shape
        self.info = VideoInfo(first.shape[1], first.shape[0], fps, length if length else len(files), str(self.path))

    def _init_file(self) -> None:
        """Read the header and decode the first frame, so that an unreadable file fails here,
        before any work, with a message that says what is wrong."""
        av = _import_av()
        try:
            size = self.path.stat().st_size
        except OSError as exc:
            raise InputError(f"cannot read video: {exc.strerror or exc}", file=str(self.path)) from None
        if size == 0:
            raise InputError("cannot open video: empty file (0 bytes)", file=str(self.path))
        try:
            container = av.open(str(self.path))
        except av.error.InvalidDataError:  # type: ignore[attr-defined]
            raise InputError("cannot open video: not a video file FFmpeg can read (invalid data: wrong format, "
                             "or not a video)", file=str(self.path)) from None
        except (av.error.FFmpegError, OSError) as exc:  # type: ignore[attr-defined]
            raise InputError(f"cannot open video: {getattr(exc, 'strerror', None) or exc}",
                             file=str(self.path)) from None
        try:
            if not container.streams.video:
                raise InputError("file has no video stream", file=str(self.path))
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate
            n = stream.frames or None
            self.info = VideoInfo(stream.codec_context.width, stream.codec_context.height,
                                  float(Fraction(rate)) if rate else None, n, str(self.path))
            if not self.info.width or not self.info.height:
                raise InputError("video stream has no frame size (unreadable or empty file)", file=str(self.path))
            try:
                first = next(iter(container.decode(stream)), None)
            except av.error.FFmpegError as exc:  # type: ignore[attr-defined]
                raise InputError(f"cannot decode the first frame (corrupt video?): {exc}", file=str(self.path),
                                 frame=1) from None
            if first is None:
                raise InputError("video has no decodable frames", file=str(self.path))
        finally:
            container.close()

    # -- reading -----------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Frame]:
        produced = last = 0
        for frame in (self._iter_folder() if self._frames_dir is not None else self._iter_file()):
            produced += 1
            last = frame.index
            yield frame
        if produced == 0:
            raise InputError("video has no decodable frames", file=str(self.path))
        self.frames_read = last
        expected = self.info.num_frames
        if expected and last + self.stride <= expected:
            self.truncated_at = last
            warnings.warn(f"{self.path}: the header says {expected} frames but decoding stopped at frame "
                          f"{last} (truncated or damaged file?)", stacklevel=2)

    def _out_size(self, w: int, h: int) -> tuple[int, int] | None:
        if self.resize is None:
            return None
        if isinstance(self.resize, (int, float)):
            return max(1, round(w * self.resize)), max(1, round(h * self.resize))
        return int(self.resize[0]), int(self.resize[1])

    def _finish(self, image: np.ndarray) -> np.ndarray:
        size = self._out_size(image.shape[1], image.shape[0])
        if size is None or size == (image.shape[1], image.shape[0]):
            return image
        import cv2
        return cv2.resize(image, size, interpolation=cv2.INTER_AREA)

    def _iter_folder(self) -> Iterator[Frame]:
        fps = self.info.fps
        for i in range(0, len(self._files), self.stride):
            index = i + 1
            image = _imread(self._files[i])
            self.frames_decoded += 1
            if image.shape != self._first_shape:
                raise InputError(f"frame images differ in size: {self._files[0].name} is "
                                 f"{self._first_shape[1]}x{self._first_shape[0]}, this one "
                                 f"{image.shape[1]}x{image.shape[0]} (all frames of a video must have one size)",
                                 file=str(self._files[i]), frame=index)
            if self.keep is not None and self.keep.wants(index):
                self.keep.put(index, image)
            yield Frame(index, (index - 1) / fps if fps else float(index - 1), self._finish(image))

    def _iter_file(self, only: Iterable[int] | None = None) -> Iterator[Frame]:
        """Every ``stride``-th frame, or with ``only`` (ascending indices) just those, decoding
        stopping after the last one; frames the keeper wants are handed to it on the way."""
        av = _import_av()
        container = av.open(str(self.path))
        try:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            tb = stream.time_base
            start = stream.start_time or 0
            index = 0
            todo = iter(only) if only is not None else None
            nxt = next(todo, None) if todo is not None else None
            if todo is not None and nxt is None:
                return
            keep = self.keep
            try:
                for frame in container.decode(stream):
                    index += 1
                    self.frames_decoded += 1
                    if todo is not None:
                        while nxt is not None and nxt < index:
                            nxt = next(todo, None)
                        if nxt is None:
                            return
                        out = index == nxt
                    else:
                        out = not (index - 1) % self.stride
                    kept = keep is not None and keep.wants(index)
                    if not (out or kept):
                        continue
                    image = frame.to_ndarray(format="bgr24")
                    if kept:
                        keep.put(index, image)  # type: ignore[union-attr]
                    if not out:
                        continue
                    t = float((frame.pts - start) * tb) if frame.pts is not None and tb else (
                        (index - 1) / self.info.fps if self.info.fps else float(index - 1))
                    yield Frame(index, t, self._finish(image))
                    if todo is not None:
                        nxt = next(todo, None)
                        if nxt is None:                 # the last wanted frame: decode no further
                            return
            except av.error.FFmpegError as exc:  # type: ignore[attr-defined]
                raise InputError(f"decoding failed after frame {index} (truncated or corrupt video?): {exc}",
                                 file=str(self.path), frame=index + 1) from None
        finally:
            container.close()


    def read_frames(self, indices: Iterable[int]) -> Iterator[Frame]:
        """Only the frames with these 1-based indices, in increasing order: a frame folder reads
        just those images; a video file with a constant frame rate seeks to the key frame before a
        wanted frame when that is cheaper than decoding on (see :meth:`_seek_frames`), any other
        is decoded up to the last one. Indices past the end are not produced."""
        wanted = sorted({int(i) for i in indices if int(i) >= 1})
        if not wanted:
            return
        if self._frames_dir is not None:
            fps = self.info.fps
            for index in wanted:
                if index <= len(self._files):
                    yield Frame(index, (index - 1) / fps if fps else float(index - 1),
                                self._finish(_imread(self._files[index - 1])))
            return
        yield from self._seek_frames(wanted, exact=True)

    def sample_frames(self, indices: Iterable[int]) -> Iterator[Frame]:
        """A few frames spread over the video (a background model's samples), read as
        :meth:`read_frames` does but also from variable-frame-rate files, where a sample is the
        first frame whose timestamp reaches the index's time (a neighbour at worst: fine for
        sampling, not for frame-exact work)."""
        wanted = sorted({int(i) for i in indices if int(i) >= 1})
        if not wanted or self._frames_dir is not None:
            yield from self.read_frames(wanted)
            return
        yield from self._seek_frames(wanted, exact=False)

    def _seek_frames(self, wanted: list[int], *, exact: bool) -> Iterator[Frame]:
        """``wanted`` (ascending) frames of a video file: the reader seeks to the key frame before
        a frame, or simply decodes on when the frame is nearer than what the last seek cost (short
        videos, long key-frame intervals); a frame is identified by its timestamp. ``exact``: only
        when the stream's frame rate is constant (average rate = base rate), and a timestamp that
        is not exactly the wanted frame's sends the rest to one plain decoding pass. Without a
        frame rate or timestamps: the plain pass. ``frames_sampled`` counts what the codec
        produced here."""
        fps = self.info.fps
        if not fps:
            yield from self._iter_file(only=wanted)
            return
        av = _import_av()
        container = av.open(str(self.path))
        try:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            tb, start = stream.time_base, stream.start_time or 0
            constant = bool(stream.average_rate and stream.base_rate and stream.average_rate == stream.base_rate)
            if not tb or (exact and not constant):
                yield from self._iter_file(only=wanted)
                return
            step = 1.0 / (fps * float(tb))                       # one frame in pts units
            frames, pos, seek_cost = None, 0, 0
            for k, index in enumerate(wanted):
                target = start + (index - 1) * step
                if frames is None or index - pos > max(seek_cost, 1):
                    container.seek(int(target), stream=stream, backward=True, any_frame=False)
                    frames, cost = container.decode(stream), 0
                else:
                    cost = -1                                     # decoding on: not a seek
                found, untimed = None, False
                try:
                    for frame in frames:
                        self.frames_sampled += 1
                        cost += cost >= 0
                        if frame.pts is None:
                            untimed = True
                            break
                        pos = int(round((frame.pts - start) / step)) + 1
                        if frame.pts >= target - step / 2:
                            found = frame
                            break
                except av.error.FFmpegError as exc:  # type: ignore[attr-defined]
                    raise InputError(f"decoding failed while reading frame {index} (truncated or corrupt "
                                     f"video?): {exc}", file=str(self.path), frame=index) from None
                if found is None and not untimed:                 # the stream ended before it: past the end
                    return
                if found is None or (exact and pos != index):     # no timestamps, or a gap in them
                    yield from self._iter_file(only=wanted[k:])
                    return
                seek_cost = cost if cost >= 0 else seek_cost
                yield Frame(index, float((found.pts - start) * tb), self._finish(found.to_ndarray(format="bgr24")))
        finally:
            container.close()


MAX_SIDE = 16384    # pixels; a resize beyond this is a mistake, not a request


def _check_resize(resize: object) -> None:
    if resize is None:
        return
    if isinstance(resize, (int, float)) and not isinstance(resize, bool):
        if not (math.isfinite(resize) and 0 < resize <= 4):
            raise InputError(f"resize factor must be > 0 and <= 4, got {resize!r}")
        return
    if (isinstance(resize, (tuple, list)) and len(resize) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_SIDE for v in resize)):
        return
    raise InputError(f"resize must be a factor or (width, height) in pixels (1..{MAX_SIDE}), got {resize!r}")


def _imread(path: Path) -> np.ndarray:
    import cv2
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise InputError("cannot read image", file=str(path))
    return image


def _import_av():  # type: ignore[no-untyped-def]
    try:
        import av
    except ImportError:
        raise MissingDependencyError("av", "video", "reading video files") from None
    return av


def open_video(path: str | os.PathLike, *, stride: int = 1, resize: tuple[int, int] | float | None = None,
               keep: FrameKeeper | None = None) -> VideoReader:
    """Open a video file, a folder of frames or a MOTChallenge sequence folder (``keep``: see
    :class:`FrameKeeper`)."""
    return VideoReader(path, stride=stride, resize=resize, keep=keep)
