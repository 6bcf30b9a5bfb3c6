"""Camera motion estimated from the tracks themselves, for cameras that move forward.

A camera moving forward (a walking or driving camera: MOT17-05, -10, -11, -13) makes every box
grow and drift away from the image centre, so standing people look as if they walked towards the
camera and walkers' image velocities mix their own motion with the camera's. Per frame, from the
boxes observed in this frame and the next, the motion of the image is modelled as a zoom ``s``
(median change of log box height) about the image centre plus a translation ``t`` (median of
what the zoom leaves of the box-centre displacements), then smoothed over ``smooth_s`` seconds.

The estimate is only used when the camera is judged to move: the median zoom over the video is at
least ``min_zoom`` per second. On a static camera, walkers towards and away from it cancel out
(MOT17-02, -04, -09: |median zoom| <= 0.001/s), whereas forward-moving cameras zoom at
0.05-0.15/s. A camera that only pans, without moving forward, is not detected: its translation
would be confounded with a crowd that walks one way. Hand-annotated boxes that keep their size
between keyframes (the MOT ground truth) have a median zoom of 0 and give no camera motion
either; tracker boxes change size every frame.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from svag.core.types import Track

MIN_ZOOM = 0.03        # median zoom per second above which the camera counts as moving forward


@dataclass(frozen=True, eq=False)
class CameraMotion:
    """Per frame (index = 1-based frame number; index 0 unused): image motion to the next frame."""

    tx: np.ndarray       # px per frame
    ty: np.ndarray
    zoom: np.ndarray     # change of log scale per frame
    cx: float            # zoom centre (image centre), px
    cy: float

    def displacement(self, frames: np.ndarray, x: np.ndarray, y: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Image motion caused by the camera at points ``x, y`` of ``frames``: px per frame along
        x and y, and the change of log scale per frame."""
        f = np.clip(frames, 0, len(self.tx) - 1)
        z = self.zoom[f]
        return self.tx[f] + z * (x - self.cx), self.ty[f] + z * (y - self.cy), z


def _steps(tracks: Sequence[Track]) -> np.ndarray:
    """(N, 6): frame, centre x, centre y, dx, dy, d log h for consecutive observed boxes."""
    out = []
    for t in tracks:
        nxt = np.flatnonzero(np.diff(t.frames) == 1)
        if len(nxt) == 0:
            continue
        b0, b1 = t.boxes[nxt], t.boxes[nxt + 1]
        c0 = b0[:, :2] + b0[:, 2:] / 2
        c1 = b1[:, :2] + b1[:, 2:] / 2
        ok = (b0[:, 3] > 0) & (b1[:, 3] > 0)
        out.append(np.column_stack([t.frames[nxt], c0, c1 - c0, np.log(np.where(ok, b1[:, 3], 1) /
                                                                       np.where(ok, b0[:, 3], 1))])[ok])
    return np.concatenate(out) if out else np.zeros((0, 6))


def _group_median(keys: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Median of ``values`` per integer key (NaN where a key has no value)."""
    out = np.full(size, np.nan)
    if len(keys) == 0:
        return out
    order = np.lexsort((values, keys))
    k, v = keys[order], values[order]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    counts = np.diff(np.r_[starts, len(k)])
    lo = v[starts + (counts - 1) // 2]
    hi = v[starts + counts // 2]
    out[k[starts]] = (lo + hi) / 2
    return out


def _fill_smooth(x: np.ndarray, n: int) -> np.ndarray:
    ok = np.isfinite(x)
    if not ok.any():
        return np.zeros_like(x)
    idx = np.arange(len(x))
    x = np.interp(idx, idx[ok], x[ok])
    n = max(1, int(n) | 1)
    if n > 1 and len(x) > 1:
        k = np.ones(n)
        x = np.convolve(x, k, mode="same") / np.convolve(np.ones(len(x)), k, mode="same")
    return x


def estimate_camera_motion(tracks: Sequence[Track], width: int, height: int, num_frames: int, fps: float, *,
                           min_zoom: float = MIN_ZOOM, smooth_s: float = 0.5, min_boxes: int = 3
                           ) -> CameraMotion | None:
    """The camera's image motion per frame, or None when the camera does not move forward (see the
    module docstring). Frames with fewer than ``min_boxes`` boxes take the neighbours' values."""
    st = _steps(tracks)
    last = int(max([num_frames, *(int(t.frames[-1]) for t in tracks if len(t))])) + 1
    if len(st) == 0:
        return None
    frames = st[:, 0].astype(np.int64)
    counts = np.bincount(frames, minlength=last)
    dense = counts[frames] >= min_boxes
    st, frames = st[dense], frames[dense]
    zoom = _group_median(frames, st[:, 5], last)
    if not np.isfinite(zoom).any() or abs(float(np.nanmedian(zoom))) * fps < min_zoom:
        return None
    zoom = _fill_smooth(zoom, round(smooth_s * fps))
    cx, cy = width / 2.0, height / 2.0
    tx = _group_median(frames, st[:, 3] - zoom[frames] * (st[:, 1] - cx), last)
    ty = _group_median(frames, st[:, 4] - zoom[frames] * (st[:, 2] - cy), last)
    n = round(smooth_s * fps)
    return CameraMotion(_fill_smooth(tx, n), _fill_smooth(ty, n), zoom, cx, cy)
