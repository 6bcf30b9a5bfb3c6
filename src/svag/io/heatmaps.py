"""Heatmap files: where in each frame a method puts a query's action.

One ``.npz`` file per query, ``DIR/<video name>/<query id>.npz`` (names with ``/``, ``\\`` or
leading dots are made safe), written atomically (a temporary file in the same folder, then
renamed). Arrays:

* ``frames`` (F,) int64: 1-based frame numbers of the sampled frames, strictly increasing;
* ``maps`` (F, h, w) float16 in [0, 1]: one heatmap per frame (h, w may be smaller than the
  frame: a map covers the whole frame, pixel (i, j) of a map spans the frame rectangle
  ``[j, j+1) * W/w x [i, i+1) * H/h``);
* ``points`` (F, 2) float32, optional: the point the method predicts in each frame, (x, y) in
  frame pixels (continuous coordinates: pixel (i, j) has its centre at (j + 0.5, i + 0.5)); when
  absent, the centre of the map's maximum;
* ``size`` (2,) int64: the frame (width, height) in pixels;
* ``meta``: a JSON string: ``query_id``, ``video_name``, ``text``, ``dataset``, ``method``, and
  whatever the writer adds (model, prompts, weights).

The pointing game (:mod:`svag.eval.pointing`) reads these files.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from svag.errors import InputError

FORMAT_VERSION = 1


@dataclass(frozen=True, eq=False)
class Heatmaps:
    frames: np.ndarray                    # (F,) int64, 1-based
    maps: np.ndarray                      # (F, h, w) in [0, 1]
    size: tuple[int, int]                 # frame (width, height)
    points: np.ndarray | None = None      # (F, 2) x, y in frame pixels
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        frames = np.asarray(self.frames, np.int64).reshape(-1)
        maps = np.asarray(self.maps)
        if maps.ndim != 3 or len(maps) != len(frames):
            raise ValueError(f"maps must be (F, h, w) with F = {len(frames)} frames, got shape {maps.shape}")
        if len(frames) and (frames[0] < 1 or np.any(np.diff(frames) <= 0)):
            raise ValueError("heatmap frames must be 1-based and strictly increasing")
        if self.points is not None and np.asarray(self.points).shape != (len(frames), 2):
            raise ValueError(f"points must be (F, 2), got {np.asarray(self.points).shape}")
        object.__setattr__(self, "frames", frames)

    def peak_points(self) -> np.ndarray:
        """(F, 2) the stored points, or the centre of each map's maximum, in frame pixels."""
        if self.points is not None:
            return np.asarray(self.points, np.float64)
        F, h, w = self.maps.shape
        flat = self.maps.reshape(F, -1).astype(np.float32).argmax(1)
        W, H = self.size
        return np.column_stack([(flat % w + 0.5) * W / w, (flat // w + 0.5) * H / h])


def safe_name(name: object) -> str:
    s = re.sub(r"[/\\\x00]", "_", str(name)).strip()
    return ("_" + s) if s.startswith(".") or not s else s


def heatmap_path(folder: str | os.PathLike, video_name: object, query_id: object) -> Path:
    return Path(folder) / safe_name(video_name) / f"{safe_name(query_id)}.npz"


def write_heatmaps(folder: str | os.PathLike, video_name: object, query_id: object, hm: Heatmaps, *,
                   overwrite: bool = False) -> Path:
    """Write one query's heatmaps atomically; an existing file is an InputError unless ``overwrite``."""
    path = heatmap_path(folder, video_name, query_id)
    if path.exists() and not overwrite:
        raise InputError("heatmap file exists (use --force to overwrite)", file=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"version": FORMAT_VERSION, "video_name": str(video_name), "query_id": query_id, **hm.meta}
    arrays = {"frames": hm.frames, "maps": np.clip(hm.maps, 0, 1).astype(np.float16),
              "size": np.asarray(hm.size, np.int64), "meta": np.asarray(json.dumps(meta, default=str))}
    if hm.points is not None:
        arrays["points"] = np.asarray(hm.points, np.float32)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(fh, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_heatmaps(path: str | os.PathLike) -> Heatmaps:
    """One heatmap file; InputError naming the file for anything malformed."""
    try:
        with np.load(path, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read heatmap file: {exc}", file=str(path)) from None
    missing = {"frames", "maps", "size"} - set(data)
    if missing:
        raise InputError(f"heatmap file lacks {sorted(missing)} (expected frames, maps, size[, points, meta])",
                         file=str(path))
    try:
        meta = json.loads(str(data["meta"])) if "meta" in data else {}
        size = tuple(int(v) for v in np.asarray(data["size"]).reshape(-1)[:2])
        return Heatmaps(data["frames"], data["maps"], size, data.get("points"), meta)  # type: ignore[arg-type]
    except ValueError as exc:
        raise InputError(f"bad heatmap file: {exc}", file=str(path)) from None
