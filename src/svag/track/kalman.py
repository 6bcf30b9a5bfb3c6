"""A constant-velocity Kalman filter on box state, batched over tracks.

State per track: ``[cx, cy, a, h, vcx, vcy, va, vh]`` (centre, aspect ratio w/h, height and their
velocities per frame), as in SORT/DeepSORT/ByteTrack. Process and measurement noise scale with
the box height, so one setting fits small and large boxes. Every function takes and returns
arrays for *all* tracks at once: ``mean`` (T, 8), ``cov`` (T, 8, 8); nothing is mutated.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NDIM = 4


def xywh_to_xyah(boxes: np.ndarray) -> np.ndarray:
    """(N, 4) ``[x, y, w, h]`` to ``[cx, cy, w/h, h]``."""
    b = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    h = np.maximum(b[:, 3], 1e-6)
    return np.column_stack([b[:, 0] + b[:, 2] / 2, b[:, 1] + b[:, 3] / 2, b[:, 2] / h, b[:, 3]])


def xyah_to_xywh(state: np.ndarray) -> np.ndarray:
    """(N, >=4) state (first four columns ``[cx, cy, a, h]``) to ``[x, y, w, h]``."""
    s = np.asarray(state, dtype=np.float64)
    if s.size == 0:
        return np.zeros((0, 4))
    s = s.reshape(len(s), -1)
    w = s[:, 2] * s[:, 3]
    return np.column_stack([s[:, 0] - w / 2, s[:, 1] - s[:, 3] / 2, w, s[:, 3]])


def _diag(stds: np.ndarray) -> np.ndarray:
    """(T, K) standard deviations to (T, K, K) diagonal covariances."""
    out = np.zeros(stds.shape + (stds.shape[1],))
    idx = np.arange(stds.shape[1])
    out[:, idx, idx] = stds ** 2
    return out


@dataclass(frozen=True)
class ConstantVelocityKalman:
    """Batched Kalman filter. ``std_position`` and ``std_velocity`` are noise levels relative to the
    box height (per frame); aspect-ratio noise is fixed (``std_aspect``)."""

    std_position: float = 1.0 / 20
    std_velocity: float = 1.0 / 160
    std_aspect: float = 1e-2
    std_aspect_velocity: float = 1e-5
    std_aspect_measurement: float = 1e-1

    def _stds(self, h: np.ndarray, pos: float, vel: float | None, aspect: float | None = None) -> np.ndarray:
        a = self.std_aspect if aspect is None else aspect
        cols = [pos * h, pos * h, np.full_like(h, a), pos * h]
        if vel is not None:
            cols += [vel * h, vel * h, np.full_like(h, self.std_aspect_velocity), vel * h]
        return np.column_stack(cols)

    def initiate(self, xyah: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """New tracks at the measured boxes, zero velocity with a wide velocity prior."""
        z = np.asarray(xyah, dtype=np.float64).reshape(-1, NDIM)
        mean = np.hstack([z, np.zeros_like(z)])
        return mean, _diag(self._stds(z[:, 3], 2 * self.std_position, 10 * self.std_velocity))

    def predict(self, mean: np.ndarray, cov: np.ndarray, dt: np.ndarray | float = 1.0
                ) -> tuple[np.ndarray, np.ndarray]:
        """Advance every track by ``dt`` frames (scalar or one value per track)."""
        if len(mean) == 0:
            return mean.copy(), cov.copy()
        dt = np.broadcast_to(np.asarray(dt, dtype=np.float64), (len(mean),))
        new_mean = mean.copy()
        new_mean[:, :NDIM] += dt[:, None] * mean[:, NDIM:]
        f = np.broadcast_to(np.eye(2 * NDIM), (len(mean), 2 * NDIM, 2 * NDIM)).copy()
        idx = np.arange(NDIM)
        f[:, idx, idx + NDIM] = dt[:, None]
        q = _diag(self._stds(mean[:, 3], self.std_position, self.std_velocity)) * dt[:, None, None]
        new_cov = f @ cov @ f.transpose(0, 2, 1) + q
        return new_mean, new_cov

    def project(self, mean: np.ndarray, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Measurement-space mean (T, 4) and covariance (T, 4, 4)."""
        r = _diag(self._stds(mean[:, 3], self.std_position, None, self.std_aspect_measurement))
        return mean[:, :NDIM], cov[:, :NDIM, :NDIM] + r

    def update(self, mean: np.ndarray, cov: np.ndarray, xyah: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Correct each track ``i`` with measurement ``xyah[i]``."""
        if len(mean) == 0:
            return mean.copy(), cov.copy()
        z_mean, s = self.project(mean, cov)
        pht = cov[:, :, :NDIM]                                     # P H^T, (T, 8, 4)
        gain = np.linalg.solve(s, pht.transpose(0, 2, 1)).transpose(0, 2, 1)   # (T, 8, 4)
        innovation = np.asarray(xyah, dtype=np.float64) - z_mean
        new_mean = mean + np.einsum("tij,tj->ti", gain, innovation)
        new_cov = cov - gain @ s @ gain.transpose(0, 2, 1)
        return new_mean, new_cov

    def gating_distance(self, mean: np.ndarray, cov: np.ndarray, xyah: np.ndarray,
                        only_position: bool = False) -> np.ndarray:
        """Squared Mahalanobis distance of every measurement to every track, (T, D)."""
        z = np.asarray(xyah, dtype=np.float64).reshape(-1, NDIM)
        if len(mean) == 0 or len(z) == 0:
            return np.zeros((len(mean), len(z)))
        z_mean, s = self.project(mean, cov)
        k = 2 if only_position else NDIM
        z_mean, s, z = z_mean[:, :k], s[:, :k, :k], z[:, :k]
        chol = np.linalg.cholesky(s)                                # (T, k, k)
        d = z[None, :, :] - z_mean[:, None, :]                      # (T, D, k)
        sol = np.linalg.solve(chol, d.transpose(0, 2, 1))           # (T, k, D)
        return np.sum(sol ** 2, axis=1)
