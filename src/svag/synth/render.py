"""Frames of a simulated scene, and the exact box and visibility of every actor in each.

Ground-truth conventions (also written to ``gt.txt``):

* An actor's box is the tight extent of the pixels its drawing covers inside the frame
  (``[x, y, w, h]``, integers, ``w`` and ``h`` counting pixels) -- as if nothing were in front
  of it. An actor partly outside the frame gets the box of its part inside; one entirely
  outside gets no box.
* Occluders and nearer actors hide parts of it without changing the box (the MOTChallenge
  convention): ``visibility`` is the fraction of its in-frame pixels that stay visible, and may
  be 0 while it is fully behind an occluder.
* Actors are drawn far to near (larger depth last, then by index); occluders are drawn last.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from svag.synth.actors import draw_actor
from svag.synth.scene import ActorMotion, Occluder, SceneSpec

OCCLUDER_COLORS = {"pillar": (165, 170, 175), "billboard": (70, 110, 60), "bush": (40, 110, 45),
                   "wall": (60, 85, 150)}


@dataclass
class FrameResult:
    image: np.ndarray                       # H x W x 3 BGR uint8
    label: np.ndarray                       # H x W int16: actor index, -1 background, -2-k occluder k
    boxes: dict[int, tuple[int, int, int, int]]
    visibility: dict[int, float]
    hidden_by: dict[int, tuple[int, ...]]   # occluders that cover at least one pixel of the actor


def make_background(scene: SceneSpec) -> np.ndarray:
    """A static backdrop: sky, distant buildings, ground with lane marks (seeded)."""
    H, W = scene.height, scene.width
    rng = np.random.default_rng(scene.background)
    img = np.zeros((H, W, 3), np.uint8)
    hz = int(scene.foot_y(0.0)) - max(2, H // 30)
    sky = np.linspace(0, 1, max(hz, 1))[:, None]
    img[:hz] = (np.array([235, 205, 170]) * (1 - sky) + np.array([225, 225, 215]) * sky)[:, None, :].astype(np.uint8)
    ground = np.linspace(0, 1, H - hz)[:, None]
    base = rng.choice([(105, 120, 115), (95, 110, 100), (120, 120, 125)])
    img[hz:] = (np.array(base) * (1 - 0.35 * ground) + 20 * ground)[:, None, :].astype(np.uint8)
    x = 0
    while x < W:
        bw, bh = int(rng.integers(W // 16, W // 6)), int(rng.integers(H // 12, H // 4))
        shade = int(rng.integers(140, 200))
        cv2.rectangle(img, (x, hz - bh), (x + bw, hz), (shade, shade - 10, shade - 25), -1)
        for wy in range(hz - bh + 4, hz - 4, max(4, H // 40)):
            for wx in range(x + 3, x + bw - 3, max(5, W // 60)):
                cv2.rectangle(img, (wx, wy), (wx + 1, wy + 1), (shade - 40, shade - 40, shade - 40), -1)
        x += bw + int(rng.integers(0, W // 20))
    for z in (0.3, 0.7):
        y = int(scene.foot_y(z))
        for lx in range(int(rng.integers(0, 30)), W, max(20, W // 12)):
            cv2.line(img, (lx, y), (lx + max(6, W // 40), y), (200, 200, 200), max(1, H // 240))
    return img


def draw_occluder(img: np.ndarray, mask: np.ndarray, occ: Occluder) -> None:
    """Draw one occluder into ``img`` and set ``mask`` (uint8) where it covers."""
    H = img.shape[0]
    color = OCCLUDER_COLORS.get(occ.kind, (128, 128, 128))
    x0, x1, y0 = occ.x0, occ.x1 - 1, occ.y0
    shapes: list = []
    if occ.kind in ("pillar", "wall"):
        shapes.append(("rect", (x0, y0), (x1, H - 1)))
    elif occ.kind == "billboard":
        board_bottom = y0 + (H - y0) // 2
        shapes.append(("rect", (x0, y0), (x1, board_bottom)))
        pw = max(2, (x1 - x0) // 10)
        for px in (x0 + (x1 - x0) // 5, x1 - (x1 - x0) // 5 - pw):
            shapes.append(("rect", (px, board_bottom), (px + pw, H - 1)))
    elif occ.kind == "bush":
        r = max(3, (x1 - x0) // 4)
        for k in range(4):
            cx = x0 + r + (x1 - x0 - 2 * r) * k // 3
            shapes.append(("circle", (cx, y0 + r + (k % 2) * r // 2), r))
        shapes.append(("rect", (x0, y0 + r), (x1, H - 1)))
    else:
        raise ValueError(f"unknown occluder kind {occ.kind!r}")
    for shape in shapes:
        if shape[0] == "rect":
            cv2.rectangle(img, shape[1], shape[2], color, -1, cv2.LINE_8)
            cv2.rectangle(mask, shape[1], shape[2], 255, -1, cv2.LINE_8)
        else:
            cv2.circle(img, shape[1], shape[2], color, -1, cv2.LINE_8)
            cv2.circle(mask, shape[1], shape[2], 255, -1, cv2.LINE_8)
    dark = tuple(max(0, c - 35) for c in color)
    if occ.kind == "pillar":
        cv2.line(img, (x0 + 1, y0), (x0 + 1, H - 1), dark, max(1, (x1 - x0) // 8))
    elif occ.kind == "wall":
        for y in range(y0 + 4, H, 8):
            cv2.line(img, (x0, y), (x1, y), dark, 1)


class Renderer:
    """Renders frames of one simulated scene (see the module doc for the box convention)."""

    def __init__(self, scene: SceneSpec, motions: list[ActorMotion]) -> None:
        self.scene, self.motions = scene, motions
        self.background = make_background(scene)
        H, W = scene.height, scene.width
        self.occ_image = np.zeros((H, W, 3), np.uint8)
        self.occ_label = np.full((H, W), -1, np.int16)
        for k, occ in enumerate(scene.occluders):
            m = np.zeros((H, W), np.uint8)
            draw_occluder(self.occ_image, m, occ)
            self.occ_label[m > 0] = k
        self.occ_mask = self.occ_label >= 0

    def actor_layer(self, i: int, frame: int) -> tuple[np.ndarray, np.ndarray, int, int] | None:
        """Actor ``i`` at ``frame`` clipped to the frame: (BGR patch, bool mask, x0, y0), or None."""
        pose = self.motions[i].pose(frame)
        if pose is None:
            return None
        spec = self.motions[i].spec
        patch, mask, x0, y0 = draw_actor(spec.kind, spec.color, pose, spec.pants)
        H, W = self.scene.height, self.scene.width
        fx0, fy0 = max(x0, 0), max(y0, 0)
        fx1, fy1 = min(x0 + patch.shape[1], W), min(y0 + patch.shape[0], H)
        if fx0 >= fx1 or fy0 >= fy1:
            return None
        m = mask[fy0 - y0:fy1 - y0, fx0 - x0:fx1 - x0] > 0
        if not m.any():
            return None
        return patch[fy0 - y0:fy1 - y0, fx0 - x0:fx1 - x0], m, fx0, fy0

    def actor_mask(self, i: int, frame: int) -> np.ndarray:
        """Full-frame bool mask of actor ``i`` drawn alone on a blank frame."""
        out = np.zeros((self.scene.height, self.scene.width), bool)
        layer = self.actor_layer(i, frame)
        if layer is not None:
            _, m, x0, y0 = layer
            out[y0:y0 + m.shape[0], x0:x0 + m.shape[1]] = m
        return out

    def render(self, frame: int) -> FrameResult:
        H, W = self.scene.height, self.scene.width
        img = self.background.copy()
        label = np.full((H, W), -1, np.int16)
        order = sorted((i for i, m in enumerate(self.motions) if m.present[frame - 1]),
                       key=lambda i: (self.motions[i].y[frame - 1], i))
        layers = {}
        for i in order:
            layer = self.actor_layer(i, frame)
            if layer is None:
                continue
            patch, m, x0, y0 = layer
            h, w = m.shape
            img[y0:y0 + h, x0:x0 + w][m] = patch[m]
            label[y0:y0 + h, x0:x0 + w][m] = i
            layers[i] = (m, x0, y0)
        if self.scene.occluders:
            img[self.occ_mask] = self.occ_image[self.occ_mask]
            label[self.occ_mask] = -2 - self.occ_label[self.occ_mask]
        boxes, vis, hidden = {}, {}, {}
        for i, (m, x0, y0) in layers.items():
            bx, by, bw, bh = cv2.boundingRect(np.ascontiguousarray(m, dtype=np.uint8))
            boxes[i] = (x0 + bx, y0 + by, bw, bh)
            h, w = m.shape
            vis[i] = float(np.count_nonzero(label[y0:y0 + h, x0:x0 + w][m] == i)) / float(np.count_nonzero(m))
            occ = self.occ_label[y0:y0 + h, x0:x0 + w][m]
            hidden[i] = tuple(int(k) for k in np.unique(occ[occ >= 0]))
        return FrameResult(img, label, boxes, vis, hidden)
