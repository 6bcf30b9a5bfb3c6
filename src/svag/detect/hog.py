"""OpenCV's HOG + linear SVM people detector (Dalal & Triggs), with upscaling for small people.

The default detector window is 64x128 pixels with the person about 96 pixels tall inside it, so
people shorter than ~96 px are missed at the original size. ``upscale`` enlarges the frame
first (people from ``96 / upscale`` px up are found); boxes are mapped back to the frame.

Raw windows (OpenCV's own grouping off) go through :func:`svag.detect.nms.nms`. A window is
larger than the person it holds; ``box_shrink`` (width, height factors, about the window
centre) turns it into a person box: the person fills ~3/4 of the window height and, at a
typical pedestrian width/height of ~0.36, ~0.54 of its width. The SVM margin ``m >= hit_threshold``
becomes a score ``m / (m + 1)`` in [0, 1) (``m = 1`` gives 0.5).

Full-frame HOG is slow (about 0.2 s per 768x576 frame at ``upscale=1.6`` on two cores).
"""
from __future__ import annotations

import numpy as np

from svag.detect._cv import import_cv2
from svag.detect.base import FrameDetections
from svag.detect.nms import nms
from svag.video.reader import Frame


def margin_scores(margins: np.ndarray) -> np.ndarray:
    m = np.maximum(np.asarray(margins, dtype=np.float64), 0.0)
    return m / (m + 1.0)


class HogDetector:
    """HOG people detector; see the module docstring."""

    def __init__(self, *, upscale: float = 1.6, hit_threshold: float = 0.0, win_stride: int = 8,
                 padding: int = 16, scale_step: float = 1.05, nms_iou: float = 0.3,
                 box_shrink: tuple[float, float] = (0.54, 0.75), min_score: float = 0.0) -> None:
        self.upscale = upscale
        self.hit_threshold = hit_threshold
        self.win_stride = win_stride
        self.padding = padding
        self.scale_step = scale_step
        self.nms_iou = nms_iou
        self.box_shrink = box_shrink
        self.min_score = min_score

    def reset(self) -> None:
        cv2 = import_cv2("the HOG detector")
        self.cv2_ = cv2
        self.hog_ = cv2.HOGDescriptor()
        self.hog_.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())

    def detect(self, frame: Frame) -> FrameDetections:
        if not hasattr(self, "hog_"):
            self.reset()
        return self.detect_image(frame.image)

    def detect_image(self, image: np.ndarray) -> FrameDetections:
        """Detections in a BGR image (boxes in its pixel coordinates)."""
        if not hasattr(self, "hog_"):
            self.reset()
        cv2, u = self.cv2_, float(self.upscale)
        big = image if u == 1.0 else cv2.resize(image, None, fx=u, fy=u, interpolation=cv2.INTER_LINEAR)
        rects, margins = self.hog_.detectMultiScale(
            big, hitThreshold=float(self.hit_threshold), winStride=(self.win_stride, self.win_stride),
            padding=(self.padding, self.padding), scale=float(self.scale_step), groupThreshold=0)
        if len(rects) == 0:
            return FrameDetections.empty()
        windows = np.asarray(rects, dtype=np.float64).reshape(-1, 4) / u
        scores = margin_scores(np.asarray(margins).reshape(-1))
        keep = nms(windows, scores, self.nms_iou)
        windows, scores = windows[keep], scores[keep]
        sw, sh = self.box_shrink
        w, h = windows[:, 2] * sw, windows[:, 3] * sh
        cx, cy = windows[:, 0] + windows[:, 2] / 2, windows[:, 1] + windows[:, 3] / 2
        boxes = np.column_stack([cx - w / 2, cy - h / 2, w, h])
        ok = scores >= self.min_score
        return FrameDetections(boxes[ok], scores[ok])
