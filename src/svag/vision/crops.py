"""Track crops, decoded once, embedded once: the per-video image encoding of the track–text
grounders.

* :func:`sample_crops` picks, for every track, a few boxes per second inside its life;
* :func:`encode_crops` reads the video in one sorted pass, crops those boxes and embeds them in
  batches (memory stays flat in video length: at most one batch of crops is held);
* :func:`cached_crop_embeddings` keeps the result on disk next to the scene cache, keyed by the
  video file, the tracks, the model and the sampling, so a second query on the same video costs
  no pixel and no image-model call.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from svag.ground.base import Scene

PathLike = str | os.PathLike


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


def sample_crops(scene: Scene, sampling: CropSampling) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(track index, frame, box) of every crop to take, sorted by frame."""
    step = max(1, int(round(scene.fps / max(sampling.per_second, 1e-6))))
    idx, frames, boxes = [], [], []
    for k, t in enumerate(scene.tracks):
        if len(t) == 0:
            continue
        sel = np.flatnonzero((t.frames - t.frames[0]) % step == 0)
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


def encode_crops(video: PathLike, scene: Scene, encode_images: Callable[[list[np.ndarray]], np.ndarray], *,
                 sampling: CropSampling = CropSampling(), batch_size: int = 64, model: str = "",
                 progress: bool = False) -> CropEmbeddings:
    """Embed the sampled crops of every track of ``scene`` in one pass over ``video``."""
    from svag.video.reader import open_video
    tk, fr, bx = sample_crops(scene, sampling)
    emb: list[np.ndarray] = []
    batch: list[np.ndarray] = []
    if len(fr):
        wanted = np.unique(fr)
        pos = 0
        frames = open_video(video)
        if progress:
            from svag.video.progress import progress_bar
            frames = progress_bar(frames, total=int(wanted[-1]), desc=f"crops {Path(video).name}")
        for frame in frames:
            if frame.index > wanted[-1]:
                break
            while pos < len(fr) and fr[pos] == frame.index:
                batch.append(crop(frame.image, bx[pos], sampling.pad))
                pos += 1
                if len(batch) >= batch_size:
                    emb.append(encode_images(batch))
                    batch = []
        if batch:
            emb.append(encode_images(batch))
        if pos < len(fr):
            from svag.errors import InputError
            raise InputError(f"track box at frame {int(fr[pos])} is after the video's last frame", file=str(video),
                             frame=int(fr[pos]))
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


def cache_file(root: Path, video: PathLike, scene: Scene, model: str, sampling: CropSampling) -> Path:
    p = Path(video).resolve()
    st = p.stat() if p.is_file() else None
    model_path = Path(model).expanduser()
    model_id = str(model_path.resolve()) if model_path.exists() else model
    mtime = (model_path / "config.json").stat().st_mtime_ns if (model_path / "config.json").is_file() else 0
    parts = {"video": str(p), "size": st.st_size if st else None, "mtime": st.st_mtime_ns if st else None,
             "tracks": tracks_fingerprint(scene), "model": model_id, "model_mtime": mtime, "sampling": asdict(sampling)}
    key = hashlib.sha1(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:20]
    return root / f"crops-{key}.npz"


def save(path: Path, enc: CropEmbeddings) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, track_ids=np.array(enc.track_ids, dtype=str), starts=enc.starts, frames=enc.frames,
             embeddings=enc.embeddings, model=np.array(enc.model))
    os.replace(tmp, path)


def load(path: Path) -> CropEmbeddings:
    z = np.load(path, allow_pickle=False)
    return CropEmbeddings(tuple(str(t) for t in z["track_ids"]), z["starts"], z["frames"], z["embeddings"],
                          str(z["model"]))


def cached_crop_embeddings(video: PathLike, scene: Scene, model: str, encoder: Callable[[], Any], *,
                           sampling: CropSampling = CropSampling(), cache_root: PathLike | None = None,
                           batch_size: int = 64, progress: bool = False) -> CropEmbeddings:
    """The crop embeddings of ``scene`` from the disk cache, or computed (``encoder()`` gives
    the object whose ``encode_images`` embeds crops; it is only created on a cache miss) and
    stored. ``cache_root`` None: ~/.cache/svag/encodings; "": no cache."""
    root = None if cache_root == "" else Path(cache_root) if cache_root else Path.home() / ".cache" / "svag" / "encodings"
    path = cache_file(root, video, scene, model, sampling) if root is not None else None
    if path is not None and path.is_file():
        return load(path)
    enc = encode_crops(video, scene, encoder().encode_images, sampling=sampling, batch_size=batch_size, model=model,
                       progress=progress)
    if path is not None:
        save(path, enc)
    return enc
