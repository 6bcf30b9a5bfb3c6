"""Box arithmetic on (N, 4) float arrays in [x, y, w, h] (top-left corner and size, pixels)."""
from __future__ import annotations

import numpy as np


def as_boxes(boxes: object) -> np.ndarray:
    """Return a contiguous float64 (N, 4) array; raise ValueError on a wrong shape."""
    arr = np.asarray(boxes, dtype=np.float64)
    if arr.size == 0:
        return np.zeros((0, 4), dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ValueError(f"boxes must have shape (N, 4) as [x, y, w, h], got shape {arr.shape}")
    return np.ascontiguousarray(arr)


def invalid_box_rows(boxes: np.ndarray) -> np.ndarray:
    """Indices of boxes with a non-finite value or a non-positive width or height."""
    bad = ~np.isfinite(boxes).all(axis=1) | (boxes[:, 2] <= 0) | (boxes[:, 3] <= 0)
    return np.flatnonzero(bad)


def xywh_to_xyxy(boxes: np.ndarray) -> np.ndarray:
    out = boxes.copy()
    out[:, 2:] += boxes[:, :2]
    return out


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise IoU of two sets of xywh boxes, shape (len(a), len(b)).

    Same arithmetic as TrackEval's ``_calculate_box_ious`` (degenerate boxes and empty unions
    give 0), so scores agree to the last bit on identical inputs."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)), dtype=np.float64)
    a = xywh_to_xyxy(np.asarray(a, dtype=np.float64))
    b = xywh_to_xyxy(np.asarray(b, dtype=np.float64))
    inter = _intersection_xyxy(a, b)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, np.newaxis] + area_b[np.newaxis, :] - inter
    eps = np.finfo(np.float64).eps
    inter[area_a <= eps, :] = 0
    inter[:, area_b <= eps] = 0
    inter[union <= eps] = 0
    union[union <= eps] = 1
    return inter / union


def intersection_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise intersection areas of two sets of xywh boxes, shape (len(a), len(b))."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)), dtype=np.float64)
    return _intersection_xyxy(xywh_to_xyxy(np.asarray(a, dtype=np.float64)),
                              xywh_to_xyxy(np.asarray(b, dtype=np.float64)))


def _intersection_xyxy(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise intersection areas of two sets of xyxy boxes (the part iou_matrix shares)."""
    min_ = np.minimum(a[:, np.newaxis, :], b[np.newaxis, :, :])
    max_ = np.maximum(a[:, np.newaxis, :], b[np.newaxis, :, :])
    return np.maximum(min_[..., 2] - max_[..., 0], 0) * np.maximum(min_[..., 3] - max_[..., 1], 0)


def iou_paired(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of a[i] with b[i] for each row (same length), shape (N,)."""
    a = xywh_to_xyxy(np.asarray(a, dtype=np.float64))
    b = xywh_to_xyxy(np.asarray(b, dtype=np.float64))
    iw = np.maximum(np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0]), 0)
    ih = np.maximum(np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1]), 0)
    inter = iw * ih
    union = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1]) + (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]) - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)
