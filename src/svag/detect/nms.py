"""Greedy non-maximum suppression on xywh boxes, from one pairwise overlap matrix."""
from __future__ import annotations

import numpy as np

from svag.core.boxes import as_boxes, iou_matrix, xywh_to_xyxy
from svag.errors import InputError

METRICS = ("iou", "ios")


def overlap_matrix(boxes: np.ndarray, metric: str = "iou") -> np.ndarray:
    """Pairwise overlap of xywh boxes: ``iou`` (intersection over union) or ``ios``
    (intersection over the smaller box, which also removes a box nested in a bigger one)."""
    if metric == "iou":
        return iou_matrix(boxes, boxes)
    if metric != "ios":
        raise InputError(f"overlap metric must be one of {', '.join(METRICS)}, got {metric!r}")
    b = xywh_to_xyxy(boxes)
    iw = np.maximum(np.minimum(b[:, None, 2], b[None, :, 2]) - np.maximum(b[:, None, 0], b[None, :, 0]), 0)
    ih = np.maximum(np.minimum(b[:, None, 3], b[None, :, 3]) - np.maximum(b[:, None, 1], b[None, :, 1]), 0)
    area = boxes[:, 2] * boxes[:, 3]
    smaller = np.minimum(area[:, None], area[None, :])
    return np.where(smaller > 0, iw * ih / np.where(smaller > 0, smaller, 1), 0.0)


def nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float = 0.5, *,
        labels: np.ndarray | None = None, metric: str = "iou") -> np.ndarray:
    """Indices of the boxes kept by greedy NMS, best score first.

    A box is suppressed when it overlaps (``metric``) a kept, higher-scored box by more than
    ``iou_threshold``. With ``labels``, only boxes of the same label suppress each other. Ties in
    score keep the earlier box."""
    boxes = as_boxes(boxes)
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if len(scores) != len(boxes):
        raise InputError(f"nms: {len(boxes)} boxes but {len(scores)} scores")
    if len(boxes) == 0:
        return np.zeros(0, np.int64)
    order = np.argsort(-scores, kind="stable")
    over = overlap_matrix(boxes[order], metric) > iou_threshold
    if labels is not None:
        lab = np.asarray(labels).reshape(-1)[order]
        over &= lab[:, None] == lab[None, :]
    over = np.triu(over, k=1)                     # only higher-ranked boxes suppress lower ones
    if not over.any():
        return order.astype(np.int64)
    alive = np.ones(len(order), bool)
    for i in np.flatnonzero(over.any(axis=1)):    # rows that can suppress something
        if alive[i]:
            alive &= ~over[i]
    return order[alive].astype(np.int64)
