"""Track crops, decoded once, embedded once: the per-video image encoding of the track–text
grounders, as the ``crops`` encoder (:class:`CropEncoder`, registered in :mod:`svag.encode`).

* :func:`sample_crops` picks, for every track, its boxes on the key frames 1, 1 + step, 1 + 2 step,
  ... (``step``: the frames between two crops at ``per_second`` crops per second; the same frames
  for every track, known before tracking: :meth:`CropEncoder.frames_wanted`, so the scene keeps them
  while tracking decodes the video and this encoder decodes nothing more when they fit in its
  frame memory), at most ``max_per_track`` spread over its life; a track with no box on a key
  frame (shorter than ``step``) is read at its first box;
* :func:`encode_crops` reads the scene's frames (``scene.frames``) in one sorted pass, crops
  those boxes and embeds them in batches (memory stays flat in video length: at most one batch
  of crops is held);
* :class:`CropEncoder` runs once per scene (:meth:`~svag.core.scene.Scene.encode`) and keeps the
  result on disk as ``crops-<key>.npz`` (atomic write) in the scene's cache folder
  (``<scene cache>/encodings``), or in ``cache_dir``, or ``~/.cache/svag/encodings`` for scenes
  with a key but no cache folder; the key hashes the scene's key, its tracks, the model and the
  sampling, so a second query on the same video costs no pixel and no image-model call.
"""
from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from svag.core.scene import Scene
from svag.errors import InputError


@dataclass(frozen=True)
class CropSampling:
    per_second: float = 2.0      # crops per second of each track's life
    max_per_track: int = 64      # at most this many crops per track (spread over its life)
    pad: float = 0.1             # context around the box, fraction of its size
    min_side: int = 4            # boxes smaller than this (pixels) are skipped


@dataclass(frozen=True, eq=False)
class CropEmbeddings:
    """Embeddings of sampled crops: ``track_ids[i]``'s crops are rows ``starts[i]:starts[i+1]``
    of ``frames`` (1-based) and ``embeddings`` (L2-normalised, float32)."""

    track_ids: tuple[str, ...]
    starts: np.ndarray
    frames: np.ndarray
    embeddings: np.ndarray
    model: str

    def of(self, track_id: object) -> tuple[np.ndarray, np.ndarray]:
        """(frames, embeddings) of one track; empty arrays when it has no crop."""
        try:
            i = self.track_ids.index(str(track_id))
        except ValueError:
            return np.zeros(0, np.int64), np.zeros((0, self.embeddings.shape[1]), np.float32)
        s, e = self.starts[i], self.starts[i + 1]
        return self.frames[s:e], self.embeddings[s:e]


def crop_step(fps: float, sampling: CropSampling) -> int:
    """Frames between two key frames of the crop encoder."""
    return max(1, int(round(fps / max(sampling.per_second, 1e-6))))


def sample_crops(scene: Scene, sampling: CropSampling) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(track index, frame, box) of every crop to take, sorted by frame."""
    step = crop_step(scene.fps, sampling)
    idx, frames, boxes = [], [], []
    for k, t in enumerate(scene.tracks):
        if len(t) == 0:
            continue
        sel = np.flatnonzero((t.frames - 1) % step == 0)
        if len(sel) == 0:
            sel = np.array([0])
        if len(sel) > sampling.max_per_track:
            sel = sel[np.round(np.linspace(0, len(sel) - 1, sampling.max_per_track)).astype(int)]
        ok = (t.boxes[sel, 2] >= sampling.min_side) & (t.boxes[sel, 3] >= sampling.min_side)
        sel = sel[ok]
        idx.append(np.full(len(sel), k))
        frames.append(t.frames[sel])
        boxes.append(t.boxes[sel])
    if not idx:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 4))
    i, f, b = np.concatenate(idx), np.concatenate(frames), np.concatenate(boxes)
    order = np.lexsort((i, f))
    return i[order], f[order], b[order]


def crop(image: np.ndarray, box: np.ndarray, pad: float) -> np.ndarray:
    """RGB crop of a BGR frame around an xywh box with ``pad`` context, clipped to the image."""
    h, w = image.shape[:2]
    x, y, bw, bh = box
    x0, y0 = int(max(0, np.floor(x - pad * bw))), int(max(0, np.floor(y - pad * bh)))
    x1, y1 = int(min(w, np.ceil(x + bw + pad * bw))), int(min(h, np.ceil(y + bh + pad * bh)))
    if x1 <= x0 or y1 <= y0:
        return np.zeros((1, 1, 3), np.uint8)
    return np.ascontiguousarray(image[y0:y1, x0:x1, ::-1])


def encode_crops(scene: Scene, encode_images: Callable[[list[np.ndarray]], np.ndarray], *,
                 sampling: CropSampling = CropSampling(), batch_size: int = 64, model: str = "") -> CropEmbeddings:
    """Embed the sampled crops of every track of ``scene`` in one pass over its frames."""
    if scene.frames is None:
        raise InputError(f"the crop encoder needs the video's pixels: scene {scene.name!r} has none (ground a "
                         "video file, a frame folder or a MOT sequence with images)")
    tk, fr, bx = sample_crops(scene, sampling)
    emb: list[np.ndarray] = []
    batch: list[np.ndarray] = []
    pos = 0
    for index, image in scene.frames.read(np.unique(fr).tolist()):
        while pos < len(fr) and fr[pos] == index:
            batch.append(crop(image, bx[pos], sampling.pad))
            pos += 1
            if len(batch) >= batch_size:
                emb.append(encode_images(batch))
                batch = []
    if batch:
        emb.append(encode_images(batch))
    if pos < len(fr):
        raise InputError(f"track box at frame {int(fr[pos])} has no video frame (the video is shorter or the "
                         "tracks are not of this video)", hint=f"scene {scene.name!r}", frame=int(fr[pos]))
    dim = emb[0].shape[1] if emb else 0
    e = np.concatenate(emb).astype(np.float32) if emb else np.zeros((0, dim), np.float32)
    order = np.argsort(tk, kind="stable")                      # rows grouped by track, frames increasing
    counts = np.bincount(tk, minlength=len(scene.tracks)) if len(tk) else np.zeros(len(scene.tracks), np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return CropEmbeddings(tuple(str(t.track_id) for t in scene.tracks), starts, fr[order], e[order], model)


def tracks_fingerprint(scene: Scene) -> str:
    h = hashlib.sha1()
    for t in scene.tracks:
        h.update(str(t.track_id).encode())
        h.update(np.ascontiguousarray(t.frames).tobytes())
        h.update(np.round(t.boxes, 2).tobytes())
    return h.hexdigest()[:16]


def model_identity(model: str) -> dict[str, Any]:
    """A checkpoint's identity for cache keys: the resolved folder and its config's mtime, or the hub id."""
    path = Path(model).expanduser()
    cfg = path / "config.json"
    return {"model": str(path.resolve()) if path.exists() else model,
            "model_mtime": cfg.stat().st_mtime_ns if cfg.is_file() else 0}


def save(path: Path, enc: CropEmbeddings) -> None:
    """Write the embeddings atomically (a killed run leaves no half file)."""
    from svag.io.atomic import atomic_open
    with atomic_open(path, "wb") as fh:
        np.savez(fh, track_ids=np.array(enc.track_ids, dtype=str), starts=enc.starts, frames=enc.frames,
                 embeddings=enc.embeddings, model=np.array(enc.model))


def load(path: Path) -> CropEmbeddings:
    with np.load(path, allow_pickle=False) as z:
        return CropEmbeddings(tuple(str(t) for t in z["track_ids"]), z["starts"], z["frames"], z["embeddings"],
                              str(z["model"]))


class CropEncoder:
    """The ``crops`` encoder: :class:`CropEmbeddings` of a scene (see the module docstring).

    ``embedder``: a callable giving the object whose ``encode_images`` embeds crops (the
    grounder's, so image and text sides share one model); by default an
    :class:`~svag.vision.embedder.ImageTextEmbedder` of ``model``, created on a cache miss only.
    ``cache_dir``: "" keeps the embeddings in memory only; a folder puts them there instead of
    the scene's cache folder."""

    name = "crops"

    def __init__(self, model: str | None = None, *, per_second: float = 2.0, max_per_track: int = 64,
                 pad: float = 0.1, min_side: int = 4, batch_size: int = 64, device: str = "auto",
                 dtype: str = "auto", allow_download: bool | None = None, cache_dir: str | None = None,
                 embedder: Callable[[], Any] | None = None) -> None:
        from svag.vision.embedder import DEFAULT_MODEL
        self.model = str(model or DEFAULT_MODEL)
        self.sampling = CropSampling(per_second=per_second, max_per_track=max_per_track, pad=pad, min_side=min_side)
        self.batch_size = batch_size
        self.device, self.dtype, self.allow_download = device, dtype, allow_download
        self.cache_dir = cache_dir
        self._embedder = embedder

    def params(self) -> dict[str, Any]:
        return {**model_identity(self.model), "sampling": asdict(self.sampling), "frames": "key"}

    def frames_wanted(self, num_frames: int | None, fps: float | None = None) -> range:
        """The key frames (see :func:`sample_crops`); none when the frame rate is not known."""
        if not fps or not num_frames:
            return range(0)
        return range(1, num_frames + 1, crop_step(fps, self.sampling))

    def embedder(self) -> Any:
        if self._embedder is None:
            from svag.vision.embedder import ImageTextEmbedder
            model = ImageTextEmbedder(self.model, device=self.device, dtype=self.dtype,
                                      allow_download=self.allow_download)
            self._embedder = lambda: model
        return self._embedder()

    def cache_file(self, scene: Scene) -> Path | None:
        """Where this scene's embeddings are kept on disk, or None (memory only)."""
        if self.cache_dir == "":
            return None
        if self.cache_dir:
            root = Path(self.cache_dir)
        elif scene.cache_dir is not None:
            root = Path(scene.cache_dir) / "encodings"
        elif scene.key:
            root = Path.home() / ".cache" / "svag" / "encodings"
        else:
            return None
        parts = {"scene": scene.key, "name": scene.name, "tracks": tracks_fingerprint(scene), **self.params()}
        key = hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:20]
        return root / f"crops-{key}.npz"

    def encode(self, scene: Scene) -> CropEmbeddings:
        path = self.cache_file(scene)
        if path is not None and path.is_file():
            try:
                return load(path)
            except (OSError, ValueError, KeyError) as exc:
                warnings.warn(f"ignoring an unreadable crop-embedding cache {path} ({exc}); encoding again",
                              stacklevel=2)
        enc = encode_crops(scene, self.embedder().encode_images, sampling=self.sampling, batch_size=self.batch_size,
                           model=self.model)
        if path is not None:
            save(path, enc)
        return enc
