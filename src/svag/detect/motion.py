"""Moving-object detection for static cameras: background subtraction (OpenCV MOG2), morphology
and connected components.

Per frame: the image is scaled by ``scale`` (work is done small, boxes are mapped back), MOG2
gives a foreground mask (shadows, marked grey by MOG2, are dropped), an opening removes speckle
and a closing with a tall kernel joins the parts of one body. Each connected component becomes a
box if it is big enough (``min_area``, ``min_height`` in full-frame pixels) and its width/height
ratio lies in ``aspect_range``. Components wider than ``split_aspect`` (several people side by
side) are cut at the minima of their column profile into ``round(w / (h * object_aspect))``
parts. Scores grow with the fill of the box by foreground pixels and with the box height (see
:func:`blob_scores`). The first ``warmup`` frames only train the background model and give no
boxes.
"""
from __future__ import annotations

import numpy as np

from svag.detect._cv import import_cv2
from svag.detect.base import FrameDetections
from svag.detect.nms import nms
from svag.errors import InputError
from svag.video.reader import Frame


def split_columns(profile: np.ndarray, parts: int, search: float = 0.35, valley: float = 1.0) -> np.ndarray:
    """Cut points (column indices where a new part starts) that split a column profile into at
    most ``parts`` pieces: each cut is the profile minimum within ``search`` of a part's width
    around the even split, kept only if it is a valley: at most ``valley`` times the smaller of
    the peaks on its two sides (``valley=1`` keeps every cut)."""
    profile = np.asarray(profile, dtype=np.float64)
    width = len(profile)
    cuts: list[int] = []
    step = width / parts
    for k in range(1, parts):
        centre = k * step
        lo = max(cuts[-1] + 1 if cuts else 1, int(round(centre - search * step)))
        hi = min(width - 1, int(round(centre + search * step)) + 1)
        if hi <= lo:
            continue
        cut = lo + int(np.argmin(profile[lo:hi]))
        left = profile[cuts[-1] if cuts else 0:cut].max(initial=0.0)
        right = profile[cut:int(round(centre + step)) + 1].max(initial=0.0)
        if profile[cut] <= valley * min(left, right):
            cuts.append(cut)
    return np.asarray(cuts, dtype=np.int64)


def blob_scores(fill: np.ndarray, height: np.ndarray, ref_height: float) -> np.ndarray:
    """Score in [0, 1]: sqrt(fill) scaled down for boxes shorter than ``ref_height``."""
    return np.clip(np.sqrt(np.clip(fill, 0, 1)) * np.minimum(1.0, height / ref_height), 0.0, 1.0)


class MotionDetector:
    """Background-subtraction detector for static cameras. See the module docstring.

    Sizes (``min_area``, ``min_height``, ``ref_height``, kernels) are in full-frame pixels;
    ``history`` and ``warmup`` are in frames."""

    def __init__(self, *, scale: float = 0.75, history: int = 300, var_threshold: float = 16.0, background_ratio: float = 0.9,
                 shadows: bool = True, warmup: int = 5, open_size: int = 2, close_size: tuple[int, int] = (4, 12),
                 min_area: float = 400.0, min_height: float = 36.0, aspect_range: tuple[float, float] = (0.15, 2.5),
                 split_aspect: float = 0.5, object_aspect: float = 0.3, max_parts: int = 6, split_valley: float = 1.0,
                 ref_height: float = 60.0, min_score: float = 0.0, nms_iou: float = 0.6) -> None:
        self.scale = scale
        self.history = history
        self.var_threshold = var_threshold
        self.background_ratio = background_ratio
        self.shadows = shadows
        self.warmup = warmup
        self.open_size = open_size
        self.close_size = close_size
        self.min_area = min_area
        self.min_height = min_height
        self.aspect_range = aspect_range
        self.split_aspect = split_aspect
        self.object_aspect = object_aspect
        self.max_parts = max_parts
        self.split_valley = split_valley
        self.ref_height = ref_height
        self.min_score = min_score
        self.nms_iou = nms_iou

    def reset(self) -> None:
        cv2 = import_cv2("the motion detector")
        if not 0 < self.scale <= 1:
            raise InputError(f"scale must be in (0, 1], got {self.scale}")
        self.cv2_ = cv2
        self.subtractor_ = cv2.createBackgroundSubtractorMOG2(history=int(self.history),
                                                              varThreshold=float(self.var_threshold),
                                                              detectShadows=bool(self.shadows))
        self.subtractor_.setBackgroundRatio(float(self.background_ratio))
        s = self.scale
        k = max(1, int(round(self.open_size * s)))
        self.open_kernel_ = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
        cw, ch = (max(1, int(round(v * s))) for v in self.close_size)
        self.close_kernel_ = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (cw, ch))
        self.frames_seen_ = 0

    def foreground(self, image: np.ndarray) -> np.ndarray:
        """The cleaned binary (0/255) foreground mask at the working scale; trains the model."""
        cv2 = self.cv2_
        h, w = image.shape[:2]
        size = (max(1, int(round(w * self.scale))), max(1, int(round(h * self.scale))))
        small = image if size == (w, h) else cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        fg = self.subtractor_.apply(small)
        _, mask = cv2.threshold(fg, 200, 255, cv2.THRESH_BINARY)     # shadows are 127
        if self.open_size > 0:
            mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, self.open_kernel_)
        return cv2.morphologyEx(mask, cv2.MORPH_CLOSE, self.close_kernel_)

    def detect(self, frame: Frame) -> FrameDetections:
        if not hasattr(self, "subtractor_"):
            self.reset()
        mask = self.foreground(frame.image)
        self.frames_seen_ += 1
        if self.frames_seen_ <= self.warmup:
            return FrameDetections.empty()
        boxes, fill = self._blobs(mask)
        s = self.scale
        boxes = boxes / s
        scores = blob_scores(fill, boxes[:, 3], self.ref_height)
        keep = scores >= self.min_score
        boxes, scores = boxes[keep], scores[keep]
        keep = nms(boxes, scores, self.nms_iou)
        return FrameDetections(boxes[keep], scores[keep])

    def _blobs(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Boxes (working scale, xywh) and their foreground fill."""
        _, labels, stats, _ = self.cv2_.connectedComponentsWithStats(mask, connectivity=8)
        stats = stats[1:].astype(np.float64)
        x, y, w, h, area = stats.T if len(stats) else np.zeros((5, 0))
        aspect = w / np.maximum(h, 1)
        ok = (area >= self.min_area * self.scale ** 2) & (h >= self.min_height * self.scale) & \
             (aspect >= self.aspect_range[0]) & (aspect <= self.aspect_range[1])
        parts = np.where(aspect > self.split_aspect, np.round(aspect / self.object_aspect), 1)
        parts = np.clip(parts, 1, self.max_parts).astype(np.int64)
        single = ok & (parts == 1)
        boxes, fills = [stats[single, :4]], [area[single] / (w[single] * h[single])]
        for i in np.flatnonzero(ok & (parts > 1)):
            x0, y0 = int(x[i]), int(y[i])
            blob = labels[y0:y0 + int(h[i]), x0:x0 + int(w[i])] == i + 1
            b, f = self._split_blob(blob, int(parts[i]))
            boxes.append(b + [x0, y0, 0, 0])
            fills.append(f)
        return np.concatenate(boxes), np.concatenate(fills)

    def _split_blob(self, blob: np.ndarray, parts: int) -> tuple[np.ndarray, np.ndarray]:
        """Cut one component (boolean patch) at its column-profile minima into tight boxes
        (patch coordinates) and their fills."""
        cuts = split_columns(blob.sum(axis=0), parts, valley=self.split_valley)
        edges = np.concatenate([[0], cuts, [blob.shape[1]]])
        boxes, fills = [], []
        for a, b in zip(edges[:-1], edges[1:]):
            piece = blob[:, a:b]
            rows = np.flatnonzero(piece.any(axis=1))
            cols = np.flatnonzero(piece.any(axis=0))
            if len(rows) == 0 or rows[-1] - rows[0] + 1 < self.min_height * self.scale:
                continue
            bw, bh = cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1
            boxes.append([a + cols[0], rows[0], bw, bh])
            fills.append(piece.sum() / (bw * bh))
        return np.asarray(boxes, dtype=np.float64).reshape(-1, 4), np.asarray(fills, dtype=np.float64)
