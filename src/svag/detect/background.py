"""A static background estimated from frames sampled over the whole video, for offline runs.

Online background models (MOG2) learn the background from the first frames and forget at a
fixed rate: an object that is still, or a uniformly coloured car that drives slowly, during the
first seconds is learnt as background and stays invisible (it "melts in"), and anything that
stops is absorbed within seconds. When the whole video is available, the background of each
pixel is better estimated as the per-pixel, per-channel **median** of frames sampled evenly over
the video: whatever covers a pixel in less than half the samples is not in it.

The pixel's noise is the median absolute deviation of the samples around that median (robust
to the movers; a camera that shakes a little gets a large spread at strong edges), floored at
``min_noise``. A pixel is foreground where its squared colour distance to the background exceeds
``threshold`` times the noise variance (MOG2's test, with a per-pixel variance), and a shadow
where it is a darker copy of the background: brightness ratio in [``shadow_ratio``, 1) and a colour
distortion under the same test (MOG2's shadow rule). The background then follows slow lighting
changes: pixels that are not foreground move towards the frame at rate ``1 / memory`` (the range
of the background within +-``shake`` pixels is brought up to date every ``refresh`` frames).
"""
from __future__ import annotations

import warnings

import numpy as np

FOREGROUND, SHADOW = 255, 127


def median_and_mad(stack: np.ndarray, rows: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel median of ``stack`` (samples, H, W, C) and median absolute deviation from it,
    computed a band of ``rows`` rows at a time (the float copies of a whole 40-frame stack took
    hundreds of MB)."""
    n, h = stack.shape[:2]
    median = np.empty(stack.shape[1:], np.float32)
    mad = np.empty(stack.shape[1:], np.float32)
    for y in range(0, h, rows):
        band = stack[:, y:y + rows]
        med = np.median(band, axis=0).astype(np.float32)
        dev = np.abs(band.astype(np.float32) - med)
        if stack.dtype == np.uint8:         # medians of 8-bit frames fall on half grey levels: the
            dev = np.round(2 * dev).astype(np.uint16)      # same median on integers, several times faster
            mad[y:y + rows] = np.median(dev, axis=0).astype(np.float32) / 2
        else:
            mad[y:y + rows] = np.median(dev, axis=0)
        median[y:y + rows] = med
    return median, mad


class MedianBackground:
    """Per-pixel median background with a robust noise estimate. See the module docstring."""

    def __init__(self, samples: np.ndarray, *, threshold: float = 16.0, min_noise: float = 2.0,
                 shadow_ratio: float = 0.5, memory: int = 3000,
                 grid: tuple[int, int] = (6, 8), shake: int = 1, refresh: int = 8) -> None:
        stack = np.asarray(samples)
        if stack.ndim == 3:
            stack = stack[..., None]
        self.background, mad = median_and_mad(stack)
        sigma2 = np.maximum((1.4826 * mad) ** 2, min_noise ** 2).mean(axis=-1)   # one variance per pixel
        self.limit = (threshold * sigma2).astype(np.float32)
        self.shadow_ratio = shadow_ratio
        self.rate = 1.0 / max(int(memory), 1)
        self.grid = grid
        self.shake = int(shake)
        self.refresh = max(1, int(refresh))
        self.count_ = 0

    def _gain(self, frame: np.ndarray) -> np.ndarray:
        """Light changes (a cloud over part of the scene, the camera's gain): the median ratio of
        frame to background, per channel, in each cell of a ``grid`` over the image (the movers are
        a minority of a cell), smoothly interpolated to every pixel."""
        import cv2
        h, w, c = frame.shape
        gh, gw = self.grid
        step = max(1, min(h // (4 * gh), w // (4 * gw)))
        ref = self.background[::step, ::step]
        cur = frame[::step, ::step]
        ch, cw = ref.shape[0] // gh, ref.shape[1] // gw
        if ch < 2 or cw < 2:
            return np.ones(c, np.float32)
        blocks = lambda a: a[:ch * gh, :cw * gw].reshape(gh, ch, gw, cw, c).transpose(0, 2, 1, 3, 4).reshape(gh, gw, -1, c)
        r, q = blocks(ref), blocks(cur)
        ratio = q / np.maximum(r, 1e-3)
        # light scales every channel alike; a coloured mover (a blue car on a grey road) does not
        same = (r > 16).all(axis=-1) & (np.ptp(ratio, axis=-1) < 0.1 * ratio.mean(axis=-1))
        ratio = np.where(same[..., None], ratio, np.nan)
        with warnings.catch_warnings():                     # a cell without lit pixels: gain 1
            warnings.simplefilter("ignore", RuntimeWarning)
            gain = np.nan_to_num(np.nanmedian(ratio, axis=2), nan=1.0).astype(np.float32)
        gain = cv2.resize(gain, (w, h), interpolation=cv2.INTER_LINEAR)
        return gain.reshape(h, w, c)

    def _range(self) -> None:
        """The stored background's range within +-``shake`` pixels (it changes slowly: brought up
        to date every ``refresh`` frames)."""
        import cv2
        k = np.ones((2 * self.shake + 1, 2 * self.shake + 1), np.uint8)
        shape = self.background.shape
        self.lo_ = cv2.erode(self.background, k).reshape(shape)
        self.hi_ = cv2.dilate(self.background, k).reshape(shape)

    def apply(self, image: np.ndarray) -> np.ndarray:
        """uint8 mask of ``image`` (same size as the samples): 255 foreground, 127 shadow, 0 background."""
        import cv2
        frame = np.asarray(image, dtype=np.float32)
        if frame.ndim == 2:
            frame = frame[..., None]
        h, w, c = frame.shape
        if self.shake > 0 and self.count_ % self.refresh == 0:
            self._range()
        self.count_ += 1
        gain = self._gain(frame)
        bg = self.background * gain
        if self.shake > 0:      # distance to the range of the background within +-shake pixels (lit alike)
            excess = np.maximum(np.maximum(self.lo_ * gain - frame, frame - self.hi_ * gain), 0.0)
        else:
            excess = frame - bg
        dist2 = cv2.transform(excess * excess, np.ones((1, c), np.float32)) if c > 1 else (excess * excess)[..., 0]
        moving = dist2 > self.limit
        mask = moving.astype(np.uint8) * FOREGROUND
        idx = np.flatnonzero(moving)
        if self.shadow_ratio < 1 and len(idx):
            f, b = frame.reshape(-1, c)[idx], bg.reshape(-1, c)[idx]
            a = (f * b).sum(axis=1) / np.maximum((b * b).sum(axis=1), 1e-6)
            chroma = f - a[:, None] * b
            lim = self.limit.reshape(-1)[idx]
            shadow = (a >= self.shadow_ratio) & (a < 1) & ((chroma * chroma).sum(axis=1) < lim * a * a)
            mask.reshape(-1)[idx[shadow]] = SHADOW
        if self.rate > 0:                   # follow slow changes where nothing moves
            target = frame / np.maximum(gain, 1e-3)
            cv2.accumulateWeighted(target if c > 1 else target[..., 0], self.background if c > 1 else self.background[..., 0],
                                   self.rate, mask=(~moving).astype(np.uint8))
        return mask
