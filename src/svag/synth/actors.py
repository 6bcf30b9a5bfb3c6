"""Actor kinds, their colors, and how one actor is drawn.

Actors are flat drawings (filled polygons, circles and thick lines, OpenCV, no anti-aliasing)
so that the pixels an actor covers are exactly known: :func:`draw_actor` draws into a small
patch and returns the patch's colors and its mask. Sizes are given for a 360-pixel-high frame at
depth scale 1 and scale with the frame height.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

KINDS = ("person", "car", "dog")

# BGR colors by name; the names are the words used in queries.
COLORS: dict[str, tuple[int, int, int]] = {
    "red": (40, 40, 215), "blue": (200, 90, 30), "green": (50, 165, 40), "yellow": (40, 215, 235),
    "orange": (20, 130, 245), "purple": (150, 40, 140), "white": (240, 240, 240), "black": (25, 25, 25),
    "gray": (150, 150, 150), "brown": (35, 75, 125),
}
KIND_COLORS = {
    "person": ("red", "blue", "green", "yellow", "orange", "purple", "white"),
    "car": ("red", "blue", "white", "black", "yellow", "gray"),
    "dog": ("brown", "black", "white", "gray"),
}
# Lateral-only kinds cannot walk towards or away from the camera.
DEPTH_MOVERS = ("person",)
# Speeds in pixels per frame at 25 fps, 360-pixel frame height, depth scale 1.
SPEEDS = {"person": {"walk": 1.6, "run": 4.0}, "car": {"drive": 4.5}, "dog": {"walk": 2.0, "run": 5.0}}
# Nominal size at scale 1 (360-pixel frame): (half width, height) used for layout, not for boxes.
SIZES = {"person": (22.0, 104.0), "car": (80.0, 62.0), "dog": (36.0, 40.0)}
SKIN = (120, 160, 215)
DARK = (45, 45, 45)
PANTS = ((90, 50, 30), (60, 60, 60), (30, 30, 30), (110, 90, 60))
SHIFT = 3                     # sub-pixel bits for OpenCV drawing
_ONE = 1 << SHIFT


@dataclass(frozen=True)
class Pose:
    """What the renderer needs about one actor at one frame."""

    x: float          # foot point, frame pixels
    y: float
    scale: float      # pixels per nominal pixel (depth and frame size included)
    view: str         # "left", "right", "front" (towards the camera) or "back"
    phase: float      # gait cycle, radians
    moving: bool


class _Pen:
    """Draws the same primitives into a color patch and its mask (coordinates in frame pixels)."""

    def __init__(self, h: int, w: int, ox: float, oy: float) -> None:
        self.img = np.zeros((h, w, 3), np.uint8)
        self.mask = np.zeros((h, w), np.uint8)
        self.ox, self.oy = ox, oy

    def _p(self, x: float, y: float) -> tuple[int, int]:
        return (int(round((x - self.ox) * _ONE)), int(round((y - self.oy) * _ONE)))

    def poly(self, pts: list[tuple[float, float]], color: tuple[int, int, int]) -> None:
        arr = np.array([self._p(x, y) for x, y in pts], np.int32)
        cv2.fillPoly(self.img, [arr], color, cv2.LINE_8, SHIFT)
        cv2.fillPoly(self.mask, [arr], 255, cv2.LINE_8, SHIFT)

    def circle(self, x: float, y: float, r: float, color: tuple[int, int, int]) -> None:
        c, rr = self._p(x, y), max(_ONE, int(round(r * _ONE)))
        cv2.circle(self.img, c, rr, color, -1, cv2.LINE_8, SHIFT)
        cv2.circle(self.mask, c, rr, 255, -1, cv2.LINE_8, SHIFT)

    def ellipse(self, x: float, y: float, ax: float, ay: float, color: tuple[int, int, int]) -> None:
        c, axes = self._p(x, y), (max(_ONE, int(round(ax * _ONE))), max(_ONE, int(round(ay * _ONE))))
        cv2.ellipse(self.img, c, axes, 0, 0, 360, color, -1, cv2.LINE_8, SHIFT)
        cv2.ellipse(self.mask, c, axes, 0, 0, 360, 255, -1, cv2.LINE_8, SHIFT)

    def line(self, x0: float, y0: float, x1: float, y1: float, t: float, color: tuple[int, int, int]) -> None:
        th = max(1, int(round(t)))
        cv2.line(self.img, self._p(x0, y0), self._p(x1, y1), color, th, cv2.LINE_8, SHIFT)
        cv2.line(self.mask, self._p(x0, y0), self._p(x1, y1), 255, th, cv2.LINE_8, SHIFT)


def _person(pen: _Pen, p: Pose, color: tuple, pants: tuple) -> None:
    s, x, y = p.scale, p.x, p.y
    hgt = 104 * s
    hip, shoulder = y - 0.47 * hgt, y - 0.80 * hgt
    leg_t, arm_t = max(2.0, 0.065 * hgt), max(1.0, 0.045 * hgt)
    head_r = 0.085 * hgt
    side = p.view in ("left", "right")
    swing = math.sin(p.phase) if p.moving else 0.0
    if side:
        d = 1 if p.view == "right" else -1
        for sgn in (1, -1):    # legs: swing forwards/backwards
            fx = x + sgn * swing * 0.16 * hgt
            pen.line(x, hip, fx, y - leg_t / 2, leg_t, pants)
        pen.poly([(x - 0.09 * hgt, shoulder), (x + 0.09 * hgt, shoulder), (x + 0.08 * hgt, hip + 0.02 * hgt),
                  (x - 0.08 * hgt, hip + 0.02 * hgt)], color)
        ax = x - swing * 0.14 * hgt
        pen.line(x, shoulder + 0.03 * hgt, ax, y - 0.5 * hgt, arm_t, color)
        pen.circle(x + d * 0.01 * hgt, shoulder - 0.095 * hgt, head_r, SKIN)
        pen.circle(x + d * 0.08 * hgt, shoulder - 0.10 * hgt, max(1.0, 0.018 * hgt), SKIN)   # nose
    else:
        lift = abs(swing) * 0.04 * hgt
        for sgn in (1, -1):
            up = lift if (sgn > 0) == (swing > 0) else 0.0
            pen.line(x + sgn * 0.05 * hgt, hip, x + sgn * 0.06 * hgt, y - leg_t / 2 - up, leg_t, pants)
        pen.poly([(x - 0.13 * hgt, shoulder), (x + 0.13 * hgt, shoulder), (x + 0.11 * hgt, hip + 0.02 * hgt),
                  (x - 0.11 * hgt, hip + 0.02 * hgt)], color)
        for sgn in (1, -1):
            pen.line(x + sgn * 0.14 * hgt, shoulder + 0.03 * hgt, x + sgn * 0.17 * hgt, y - 0.5 * hgt, arm_t, color)
        pen.circle(x, shoulder - 0.095 * hgt, head_r, SKIN if p.view == "front" else DARK)


def _car(pen: _Pen, p: Pose, color: tuple) -> None:
    s, x, y = p.scale, p.x, p.y
    L = 150 * s
    d = -1 if p.view == "left" else 1
    rw = 0.1 * L
    body_top, body_bot = y - rw - 0.17 * L, y - 0.55 * rw
    pen.poly([(x - 0.5 * L, body_bot), (x - 0.5 * L, body_top + 0.03 * L), (x - 0.47 * L, body_top),
              (x + 0.47 * L, body_top), (x + 0.5 * L, body_top + 0.03 * L), (x + 0.5 * L, body_bot)], color)
    cab_top = body_top - 0.15 * L
    rear, front = x - d * 0.32 * L, x + d * 0.18 * L
    pen.poly([(rear, body_top), (x - d * 0.26 * L, cab_top), (x + d * 0.06 * L, cab_top), (front, body_top)], color)
    pen.poly([(x - d * 0.24 * L, cab_top + 0.025 * L), (x + d * 0.05 * L, cab_top + 0.025 * L),
              (x + d * 0.14 * L, body_top - 0.005 * L), (x - d * 0.28 * L, body_top - 0.005 * L)], (215, 190, 160))
    for wx in (x - 0.3 * L, x + 0.3 * L):
        pen.circle(wx, y - rw, rw, DARK)
        pen.circle(wx, y - rw, 0.45 * rw, (170, 170, 170))
    pen.poly([(x + d * 0.5 * L, body_top + 0.04 * L), (x + d * 0.46 * L, body_top + 0.04 * L),
              (x + d * 0.46 * L, body_top + 0.08 * L), (x + d * 0.5 * L, body_top + 0.08 * L)], (60, 230, 250))


def _dog(pen: _Pen, p: Pose, color: tuple) -> None:
    s, x, y = p.scale, p.x, p.y
    Ld = 60 * s
    d = -1 if p.view == "left" else 1
    swing = math.sin(p.phase) if p.moving else 0.0
    leg_t = max(2.0, 0.07 * Ld)
    body_y = y - 0.45 * Ld
    for bx, sgn in ((x + d * 0.22 * Ld, 1), (x - d * 0.22 * Ld, -1)):
        for k in (1, -1):
            pen.line(bx, body_y, bx + k * sgn * swing * 0.12 * Ld, y - leg_t / 2, leg_t, color)
    pen.ellipse(x, body_y, 0.33 * Ld, 0.13 * Ld, color)
    pen.line(x - d * 0.3 * Ld, body_y - 0.04 * Ld, x - d * 0.46 * Ld, body_y - 0.2 * Ld - 0.04 * Ld * swing,
             max(1.0, 0.05 * Ld), color)
    hx, hy = x + d * 0.4 * Ld, y - 0.66 * Ld
    pen.circle(hx, hy, 0.11 * Ld, color)
    pen.poly([(hx + d * 0.05 * Ld, hy - 0.03 * Ld), (hx + d * 0.2 * Ld, hy + 0.02 * Ld),
              (hx + d * 0.05 * Ld, hy + 0.07 * Ld)], color)                  # snout
    ear = DARK if color != COLORS["black"] else (90, 90, 90)
    pen.poly([(hx - d * 0.02 * Ld, hy - 0.09 * Ld), (hx - d * 0.1 * Ld, hy + 0.04 * Ld),
              (hx - d * 0.12 * Ld, hy - 0.1 * Ld)], ear)


def draw_actor(kind: str, color: str, pose: Pose, pants: int = 0
               ) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Draw one actor; returns (BGR patch, uint8 mask patch, x0, y0) with the patch's top-left
    corner at frame pixel (x0, y0). The mask is 255 exactly where the actor covers a pixel."""
    hw, h = SIZES[kind]
    pad = 4
    x0 = int(math.floor(pose.x - 1.3 * hw * pose.scale)) - pad
    y0 = int(math.floor(pose.y - 1.15 * h * pose.scale)) - pad
    x1 = int(math.ceil(pose.x + 1.3 * hw * pose.scale)) + pad
    y1 = int(math.ceil(pose.y)) + pad
    pen = _Pen(y1 - y0, x1 - x0, x0, y0)
    bgr = COLORS[color]
    if kind == "person":
        _person(pen, pose, bgr, PANTS[pants % len(PANTS)])
    elif kind == "car":
        _car(pen, pose, bgr)
    elif kind == "dog":
        _dog(pen, pose, bgr)
    else:
        raise ValueError(f"unknown actor kind {kind!r}; expected one of {', '.join(KINDS)}")
    return pen.img, pen.mask, x0, y0
