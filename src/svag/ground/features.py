"""Per-track kinematic features on a dense time axis, smoothed and scale-normalised.

Every quantity is per frame over the track's life ``[first, last]`` (gaps linearly
interpolated). Speeds are in *box heights per second* so that thresholds hold for near and far
actors alike (a walking person moves about 0.8 of its own height per second); growth is the rate
of change of log box height per second (positive: coming closer to the camera). Positions
relative to the frame are fractions of its width/height.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from svag.core.types import Track

if TYPE_CHECKING:
    from svag.ground.camera import CameraMotion


@dataclass(frozen=True, eq=False)
class TrackFeatures:
    frames: np.ndarray     # (T,) 1-based frame numbers first..last
    observed: np.ndarray   # (T,) bool: the track has a box there (else interpolated)
    cx: np.ndarray         # smoothed centre x, px
    cy: np.ndarray
    w: np.ndarray
    h: np.ndarray
    vx: np.ndarray         # smoothed velocity, box heights per second (image x to the right)
    vy: np.ndarray         # (image y downwards)
    speed: np.ndarray
    growth: np.ndarray     # d log(h) / dt, per second
    left: np.ndarray       # distance of the box to the left border / width (negative: outside)
    right: np.ndarray
    top: np.ndarray
    bottom: np.ndarray

    def __len__(self) -> int:
        return len(self.frames)


def smooth(x: np.ndarray, n: int) -> np.ndarray:
    """Centred moving average over ``n`` samples, shrinking at the ends (no edge bias)."""
    n = max(1, min(int(n), len(x)) | 1)
    if n > len(x):
        n -= 2          # an odd window no longer than the signal (np.convolve "same" would grow it)
    if n <= 1 or len(x) < 2:
        return x.astype(np.float64)
    k = np.ones(n)
    num = np.convolve(x, k, mode="same")
    den = np.convolve(np.ones(len(x)), k, mode="same")
    return num / den


def _gradient(x: np.ndarray) -> np.ndarray:
    return np.gradient(x) if len(x) > 1 else np.zeros_like(x)


def track_features(track: Track, width: int, height: int, fps: float, smooth_s: float = 0.6,
                   camera: "CameraMotion | None" = None) -> TrackFeatures:
    """Features of one track; with ``camera`` (:mod:`svag.ground.camera`) velocities and growth
    are the track's own, the camera's image motion taken out (positions stay image positions)."""
    first, last = int(track.frames[0]), int(track.frames[-1])
    frames = np.arange(first, last + 1)
    observed = np.zeros(len(frames), bool)
    observed[track.frames - first] = True
    b = track.boxes
    cols = [np.interp(frames, track.frames, b[:, i]) for i in range(4)]
    x, y, w, h = cols
    n = int(round(smooth_s * fps))
    cx, cy = smooth(x + w / 2, n), smooth(y + h / 2, n)
    ws, hs = smooth(w, n), np.maximum(smooth(h, n), 1.0)
    dx, dy, dlog = _gradient(cx), _gradient(cy), _gradient(np.log(hs))
    if camera is not None:
        mx, my, mz = camera.displacement(frames, cx, cy)
        dx, dy, dlog = dx - mx, dy - my, dlog - mz
    vx = smooth(dx, n) * fps / hs
    vy = smooth(dy, n) * fps / hs
    growth = smooth(dlog, n) * fps
    return TrackFeatures(frames, observed, cx, cy, ws, hs, vx, vy, np.hypot(vx, vy), growth,
                         x / width, (width - (x + w)) / width, y / height, (height - (y + h)) / height)


@dataclass(frozen=True, eq=False)
class SceneGrid:
    """All tracks on the video's time axis (NaN where a track is absent), for relations."""

    cx: np.ndarray   # (N, F)
    cy: np.ndarray
    h: np.ndarray
    vx: np.ndarray   # px per second
    vy: np.ndarray

    @classmethod
    def build(cls, feats: list[TrackFeatures], num_frames: int, fps: float) -> "SceneGrid":
        # tracks may run past the stated length (a tracker's boxes after seqLength): widen the axis
        width = max([num_frames] + [int(f.frames[-1]) for f in feats])
        shape = (len(feats), width)
        arrs = {k: np.full(shape, np.nan) for k in ("cx", "cy", "h", "vx", "vy")}
        for i, f in enumerate(feats):
            sl = slice(int(f.frames[0]) - 1, int(f.frames[-1]))
            m = sl.stop - sl.start
            arrs["cx"][i, sl] = f.cx[:m]
            arrs["cy"][i, sl] = f.cy[:m]
            arrs["h"][i, sl] = f.h[:m]
            arrs["vx"][i, sl] = (f.vx * f.h)[:m]
            arrs["vy"][i, sl] = (f.vy * f.h)[:m]
        return cls(**arrs)
