"""Colour descriptors of tracks from image crops, for colour words in queries ("the red car").

A track's descriptor is the share of its pixels that fall in each named colour (HSV ranges),
pooled over a few crops along its life; the central part of the box is used (torso for people,
body for vehicles) to avoid background.
"""
from __future__ import annotations

import numpy as np

from svag.language import lexicon as lx

# the colour bins: the parser's lexicon (one colour list; lx.basic_colour maps synonyms to them)
COLOURS = lx.BASIC_COLOURS


def colour_names(hsv: np.ndarray) -> np.ndarray:
    """Index into COLOURS for each pixel of an (..., 3) OpenCV HSV array (H 0-179, S, V 0-255)."""
    h, s, v = (hsv[..., i].astype(np.int32) for i in range(3))
    out = np.full(h.shape, COLOURS.index("grey"))
    chroma = (s >= 60) & (v >= 50)
    out[~chroma & (v < 60)] = COLOURS.index("black")
    out[~chroma & (v >= 190) & (s < 40)] = COLOURS.index("white")
    hue_bins = [(0, 8, "red"), (8, 20, "orange"), (20, 34, "yellow"), (34, 85, "green"), (85, 128, "blue"),
                (128, 148, "purple"), (148, 170, "pink"), (170, 180, "red")]
    for lo, hi, name in hue_bins:
        out[chroma & (h >= lo) & (h < hi)] = COLOURS.index(name)
    out[chroma & (h >= 8) & (h < 20) & (v < 150)] = COLOURS.index("brown")
    out[v < 40] = COLOURS.index("black")
    return out


def crop_descriptor(image_bgr: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Colour shares of the central part of one box (x, y, w, h) in a BGR image."""
    import cv2
    x, y, w, h = box
    x0, x1 = int(max(0, x + 0.2 * w)), int(min(image_bgr.shape[1], x + 0.8 * w))
    y0, y1 = int(max(0, y + 0.2 * h)), int(min(image_bgr.shape[0], y + 0.65 * h))
    if x1 <= x0 or y1 <= y0:
        return np.zeros(len(COLOURS))
    hsv = cv2.cvtColor(image_bgr[y0:y1, x0:x1], cv2.COLOR_BGR2HSV)
    return np.bincount(colour_names(hsv).ravel(), minlength=len(COLOURS)).astype(np.float64)


def normalise(counts: np.ndarray) -> np.ndarray:
    total = counts.sum()
    return counts / total if total > 0 else counts


def colour_probability(descriptor: np.ndarray, word: str) -> float:
    """How well a colour word describes a track (1 when a third or more of its pixels have it)."""
    name = lx.basic_colour(word)
    if name not in COLOURS:
        return 1.0          # not a colour word: no evidence either way
    return float(min(1.0, 3.0 * descriptor[COLOURS.index(name)]))


def is_colour_word(word: str) -> bool:
    return lx.basic_colour(word) in COLOURS
