"""Inputs of the learned grounder: trajectory features on a fixed-rate time axis (training
pairs built from them: :mod:`svag.train.samples`).

Every track of a scene is described over the *whole video* at ``RATE`` steps per second (the
video's frame rate only decides which frame a step reads), so one model serves 14, 25 and
30 fps videos alike. Per step (absent steps are all zero): presence, whether the box is
observed or interpolated, position and size relative to the frame, aspect ratio, velocity and
speed in box heights per second, growth of the box (d log h / dt), distances to the four
borders, the nearest other track (distance in own heights, its rate of change, relative speed,
heading agreement), how many tracks are within two heights, time since the track started and
until it ends, and the position of the step in the video. Pure NumPy (no torch here).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from svag.core.scene import Scene
from svag.core.types import Track
from svag.ground.features import track_features

RATE = 5.0   # steps per second
FEATURES = ("present", "observed", "x", "y", "log_h", "log_aspect", "vx", "vy", "speed", "growth",
            "left", "right", "top", "bottom", "nn_dist", "nn_approach", "nn_rel_speed", "nn_cos",
            "crowd", "since_start", "until_end", "video_pos", "duration", "nn_none")
FEATURE_SPEC = f"v1:rate={RATE}:" + ",".join(FEATURES)


def num_steps(num_frames: int, fps: float) -> int:
    return max(1, int(np.ceil(num_frames / fps * RATE)))


def step_frames(num_frames: int, fps: float) -> np.ndarray:
    """1-based frame read by each step."""
    k = np.arange(num_steps(num_frames, fps))
    return np.clip(np.round(k / RATE * fps).astype(np.int64) + 1, 1, num_frames)


@dataclass(frozen=True, eq=False)
class SceneFeatures:
    """All tracks of a scene on the step axis."""

    x: np.ndarray        # (N, F, K) float32
    mask: np.ndarray     # (N, K) bool: track present at the step
    frames: np.ndarray   # (K,) frame read by each step


def scene_features(tracks: tuple[Track, ...] | list[Track], width: int, height: int, fps: float,
                   num_frames: int) -> SceneFeatures:
    frames = step_frames(num_frames, fps)
    n, k = len(tracks), len(frames)
    x = np.zeros((n, len(FEATURES), k), np.float32)
    mask = np.zeros((n, k), bool)
    cx = np.full((n, k), np.nan)
    cy, h, vx, vy = (np.full((n, k), np.nan) for _ in range(4))
    duration = num_frames / fps
    for i, t in enumerate(tracks):
        if len(t) == 0:
            continue
        f = track_features(t, width, height, fps)
        first, last = int(f.frames[0]), int(f.frames[-1])
        on = (frames >= first) & (frames <= last)
        if not on.any():
            continue
        j = frames[on] - first
        mask[i] = on
        cx[i, on], cy[i, on], h[i, on] = f.cx[j], f.cy[j], f.h[j]
        vx[i, on], vy[i, on] = f.vx[j] * f.h[j], f.vy[j] * f.h[j]      # px/s
        cols = {
            "present": np.ones(len(j)), "observed": f.observed[j].astype(float),
            "x": f.cx[j] / width - 0.5, "y": f.cy[j] / height - 0.5,
            "log_h": (np.log(f.h[j] / height) + 2.5), "log_aspect": np.log(f.h[j] / np.maximum(f.w[j], 1.0)) - 0.8,
            "vx": np.clip(f.vx[j], -6, 6) / 2, "vy": np.clip(f.vy[j], -6, 6) / 2,
            "speed": np.clip(f.speed[j], 0, 8) / 2, "growth": np.clip(f.growth[j], -2, 2),
            "left": np.clip(f.left[j], -0.5, 1), "right": np.clip(f.right[j], -0.5, 1),
            "top": np.clip(f.top[j], -0.5, 1), "bottom": np.clip(f.bottom[j], -0.5, 1),
            "since_start": np.tanh((frames[on] - first) / fps / 10),
            "until_end": np.tanh((last - frames[on]) / fps / 10),
            "video_pos": frames[on] / num_frames,
            "duration": np.full(len(j), (last - first + 1) / fps / duration),
        }
        for name, v in cols.items():
            x[i, FEATURES.index(name), on] = v
    _neighbour_features(x, mask, cx, cy, h, vx, vy)
    return SceneFeatures(x, mask, frames)


def _neighbour_features(x: np.ndarray, mask: np.ndarray, cx: np.ndarray, cy: np.ndarray, h: np.ndarray,
                        vx: np.ndarray, vy: np.ndarray) -> None:
    n, k = mask.shape
    if n == 0:
        return
    idx = {name: FEATURES.index(name) for name in ("nn_dist", "nn_approach", "nn_rel_speed", "nn_cos", "crowd",
                                                   "nn_none")}
    with np.errstate(invalid="ignore", divide="ignore"):
        for i in range(n):
            on = mask[i]
            if not on.any():
                continue
            dist = np.hypot(cx - cx[i], cy - cy[i]) / h[i]           # (N, K), NaN where absent
            dist[i] = np.nan
            valid = np.isfinite(dist)
            any_nb = valid.any(axis=0) & on
            x[i, idx["nn_none"], on & ~any_nb] = 1.0
            if not any_nb.any():
                continue
            d = np.where(valid, dist, np.inf)
            nn = d.argmin(axis=0)
            cols = np.arange(k)
            dmin = d[nn, cols]
            rvx, rvy = vx[nn, cols] - vx[i], vy[nn, cols] - vy[i]
            rel_speed = np.hypot(rvx, rvy) / h[i]
            ddx, ddy = cx[nn, cols] - cx[i], cy[nn, cols] - cy[i]
            approach = (ddx * rvx + ddy * rvy) / np.maximum(np.hypot(ddx, ddy), 1e-6) / h[i]  # d dist/dt, heights/s
            so, ss = np.hypot(vx[nn, cols], vy[nn, cols]), np.hypot(vx[i], vy[i])
            cos = (vx[nn, cols] * vx[i] + vy[nn, cols] * vy[i]) / np.maximum(so * ss, 1e-6)
            m = any_nb
            x[i, idx["nn_dist"], m] = np.clip(dmin[m], 0, 10) / 5
            x[i, idx["nn_approach"], m] = np.clip(approach[m], -4, 4) / 2
            x[i, idx["nn_rel_speed"], m] = np.clip(rel_speed[m], 0, 8) / 2
            x[i, idx["nn_cos"], m] = np.nan_to_num(cos[m])
            x[i, idx["crowd"], m] = np.minimum((np.where(valid, dist, np.inf) < 2.0).sum(axis=0)[m], 10) / 5
    np.nan_to_num(x, copy=False)


def scene_step_features(scene: Scene) -> SceneFeatures:
    return scene_features(scene.tracks, scene.width, scene.height, scene.fps, scene.num_frames)
