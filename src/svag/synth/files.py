"""Writing a synthetic video: MP4 (PyAV), and its MOTChallenge files (seqinfo.ini, gt.txt, det.txt).

``gt.txt`` has the MOT17 layout ``frame, id, x, y, w, h, consider=1, class, visibility`` with
classes person 1 (pedestrian), car 3, dog 14 (a class added beyond MOT's 13 for animals).
``det.txt`` has ``frame, -1, x, y, w, h, score, -1, -1, -1``: the gt boxes with Gaussian noise,
missed boxes and false positives (:class:`DetConfig`).
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from svag.errors import InputError

PathLike = str | os.PathLike
MOT_CLASS = {"person": 1, "car": 3, "dog": 14}


@dataclass(frozen=True)
class DetConfig:
    """Simulated detector: ``noise`` = std of box jitter as a fraction of the box size; a box is
    missed with probability ``miss`` (always below ``min_visibility``); ``fp`` = mean number of
    false positives per frame; scores in [0.5, 1] for hits and [0.05, 0.6] for false positives."""

    noise: float = 0.05
    miss: float = 0.1
    fp: float = 0.2
    min_visibility: float = 0.25

    def __post_init__(self) -> None:
        if self.noise < 0 or not 0 <= self.miss <= 1 or self.fp < 0 or not 0 <= self.min_visibility <= 1:
            raise InputError(f"detector settings out of range: {self}", hint="noise >= 0, 0 <= miss <= 1, "
                             "fp >= 0, 0 <= min_visibility <= 1")


def write_seqinfo(path: PathLike, name: str, length: int, width: int, height: int, fps: float,
                  video_file: str | None = None) -> None:
    lines = ["[Sequence]", f"name={name}", "imDir=img1", f"frameRate={fps:g}", f"seqLength={length}",
             f"imWidth={width}", f"imHeight={height}", "imExt=.jpg"]
    if video_file:
        lines.append(f"videoFile={video_file}")
    Path(path).write_text("\n".join(lines) + "\n")


def gt_text(boxes: np.ndarray, visibility: np.ndarray, kinds: list[str]) -> str:
    """MOT17-layout gt rows for boxes (n_actors, F, 4) with NaN where there is none."""
    buf = io.StringIO()
    n, F = boxes.shape[:2]
    for f in range(F):
        for i in range(n):
            if not np.isnan(boxes[i, f, 0]):
                x, y, w, h = (int(v) for v in boxes[i, f])
                buf.write(f"{f + 1},{i + 1},{x},{y},{w},{h},1,{MOT_CLASS[kinds[i]]},{visibility[i, f]:.6g}\n")
    return buf.getvalue()


def det_text(boxes: np.ndarray, visibility: np.ndarray, cfg: DetConfig, rng: np.random.Generator,
             width: int, height: int, fp_size: tuple[float, float] = (0.06, 0.2)) -> str:
    """Noisy detections of the gt boxes plus false positives (sizes as fractions of the width/height)."""
    buf = io.StringIO()
    n, F = boxes.shape[:2]
    for f in range(F):
        rows = []
        for i in range(n):
            b = boxes[i, f]
            if np.isnan(b[0]) or visibility[i, f] < cfg.min_visibility or rng.random() < cfg.miss:
                continue
            cx = b[0] + b[2] / 2 + rng.normal(0, cfg.noise * b[2])
            cy = b[1] + b[3] / 2 + rng.normal(0, cfg.noise * b[3])
            w, h = b[2] * np.exp(rng.normal(0, cfg.noise)), b[3] * np.exp(rng.normal(0, cfg.noise))
            rows.append((cx - w / 2, cy - h / 2, w, h, rng.uniform(0.5, 1.0)))
        for _ in range(int(rng.poisson(cfg.fp))):
            w = rng.uniform(*fp_size) * width
            h = rng.uniform(*fp_size) * height * 1.5
            rows.append((rng.uniform(0, width - w), rng.uniform(0.3 * height, height - h), w, h,
                         rng.uniform(0.05, 0.6)))
        for x, y, w, h, s in rows:
            x0, y0 = max(0.0, x), max(0.0, y)
            x1, y1 = min(float(width), x + w), min(float(height), y + h)
            if x1 - x0 >= 1 and y1 - y0 >= 1:
                buf.write(f"{f + 1},-1,{x0:.2f},{y0:.2f},{x1 - x0:.2f},{y1 - y0:.2f},{s:.4f},-1,-1,-1\n")
    return buf.getvalue()
