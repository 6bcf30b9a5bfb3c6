"""Moving-object detection for static cameras: background subtraction, morphology and connected
components.

Background: when the whole video is at hand (:func:`svag.track.pipeline.track_video` calls
:meth:`MotionDetector.fit_background` with ``background_samples`` frames sampled evenly over it),
a static per-pixel median of those frames (:class:`svag.detect.background.MedianBackground`), so
that nothing still or slow at the start melts into the background; otherwise (a stream of unknown
length, ``background_samples=0``) OpenCV's MOG2, learnt online.

Per frame: the image is scaled by ``scale`` (work is done small, boxes are mapped back), the
background model gives a foreground mask (shadows, marked grey, are dropped), an opening removes speckle
and a closing with a tall kernel joins the parts of one body. Each connected component becomes a
box if it is big enough (``min_area``, ``min_height`` in pixels of a ``size_reference``-pixel-high
frame, scaled to the video's height) and its width/height ratio lies in ``aspect_range`` (up to 4:
a bus seen from the side). With a fitted background, each box's sides are then brought in
to where the frame's brightness differs from the background's (:func:`refine_edges`): compressed
video keeps colour at half resolution, and an object's colour bleeding into the pixels beside it,
with the rounding of the reduced-scale mask, made people's boxes a fifth too wide. Scores grow
with the fill of the box by foreground pixels and with the box height (see :func:`blob_scores`).
The first ``warmup`` frames only train the background model and give no boxes.

Two boxes per object: the box above is what the tracker associates (it only shrinks to the
object and counts a column when 5 % of its rows differ, so it does not reach into a neighbour);
each narrow box also gets its object's own left and right sides, ``extras["extent"]``
(:func:`outer_columns`: a column counts when three pixels differ, up to ``extent_pad`` pixels
past the box, so a swinging hand or the tip of a foot is in it), which the track reports at the
frames the object was seen (:func:`svag.track.extras.take_extents`). Letting the associated box
grow outwards instead cost PETS09-S2L1 four to six points of tracking HOTA (people side by side).

Legs (:func:`extend_legs`): the shadow rule drops whatever is a darker copy of the background,
which grey or black trousers on a grey road are. A narrow blob goes on down through the shadow
pixels under its middle columns: when the ground-plane line below has a perspective slope
(:data:`LINE_SLOPE`), if it is shorter than ``legs`` times a person's height at its place and
down to that height; legs that reach it are followed on, up to :data:`LEGS_BEYOND` times it,
while the marks do not spread sideways (the line sits low where people without legs pulled it
down); otherwise (no line yet, or a nearly flat one, which people without legs bend it into) down
to 1.9 times its height while they do not: a row's marks, from half the blob's width left of it
to half its width right of it, no more than the blob is wide (a shadow cast on the ground spreads
sideways; legs in a stride reach past the torso's columns but not that far).

A person merged with a vehicle (:func:`split_levels`, ``person_vehicle``): a blob whose outline
has a tall, narrow run of columns beside or in front of a low, long part (a person walking past a
car) is cut into the person and the vehicle, the vehicle's box spanning the person when it shows on
both sides. Other merges (two people, a person and a dog) are left to the tracker.

Categories without a neural network (:class:`PersonScale`, :func:`classify_blobs`): on a static
camera a person's height is close to a linear function of where its feet are in the image
(perspective over a ground plane). The detector learns that line online from the blobs that look
like one standing person (narrow, well filled, clear of the frame's borders), then labels each
blob from its shape and its height relative to a person's at the same place:

* narrow (width/height <= ``person_aspect``): a person;
* wide and as tall as a person (ratio >= ``group_ratio``): several people side by side, cut at
  the minima of the column profile into ``round(w / (h * object_aspect))`` people;
* wide, lower than a person, width/height >= ``vehicle_aspect``: a vehicle, kept whole;
* wide and low (ratio < ``animal_ratio``): "other" (an animal, a bag, a cart), kept whole, unless
  it is as wide as a car seen from the side (width/height >= ``vehicle_aspect_alone``): a vehicle.

Before the line is known (fewer than ``scale_samples`` person-like blobs seen) nothing is cut
and only the shape decides, with a confidence too low to exclude a track from any query: wider
than ``vehicle_aspect_alone`` a vehicle, wide an "other", narrow a person. Each box carries its category (``FrameDetections.extras["category"]``) and a
confidence (``extras["category_score"]``), low for blobs that fit no rule well; a tracker turns
them into a per-track category by vote, so the motion over many frames decides, not one blob.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np

from svag.detect._cv import import_cv2
from svag.detect.background import MedianBackground, median_and_mad
from svag.detect.base import EXTENT, FrameDetections
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


def refine_edges(gray: np.ndarray, background: np.ndarray, noise: np.ndarray, boxes: np.ndarray, *,
                 pad: int = 0, pad_top: int = 0, threshold: float = 4.0, min_share: float = 0.3) -> np.ndarray:
    """Boxes (full-frame xywh) whose sides are moved in to where the frame's brightness differs
    from the background's (``threshold`` times the pixel's noise; ``pad`` > 0 also looks that many
    pixels outside the box, so a side may move out; ``pad_top`` the top side only). Compressed video stores colour at half
    resolution: the colour of an object bleeds a pixel or two into the background around it,
    enough to pass the foreground test on colour, and a mask computed at a reduced scale rounds
    outwards again. Brightness is stored at full resolution. A box keeps its sides where
    brightness alone finds less than ``min_share`` of it (an object as bright as the background,
    told from it by colour only). A column counts when 5 % of the box's rows differ there (one
    pixel of noise does not widen a box), a row when one pixel does."""
    h, w = gray.shape
    out = boxes.copy()
    x0 = np.clip(np.floor(boxes[:, 0]).astype(np.int64) - pad, 0, w)
    y0 = np.clip(np.floor(boxes[:, 1]).astype(np.int64) - pad - pad_top, 0, h)
    x1 = np.clip(np.ceil(boxes[:, 0] + boxes[:, 2]).astype(np.int64) + pad, 0, w)
    y1 = np.clip(np.ceil(boxes[:, 1] + boxes[:, 3]).astype(np.int64) + pad, 0, h)
    # one slice per box: gathering every window into one array (as outer_columns does) gives the
    # same boxes 3-4 times slower (10 boxes at 768x576: 0.93 against 0.21 ms; docs/grounding.md)
    for i in range(len(boxes)):
        a, b, c, d = x0[i], y0[i], x1[i], y1[i]
        if c - a < 2 or d - b < 2:
            continue
        fg = np.abs(gray[b:d, a:c].astype(np.float32) - background[b:d, a:c]) > threshold * noise[b:d, a:c]
        if fg.sum() < min_share * boxes[i, 2] * boxes[i, 3]:
            continue
        cols = np.flatnonzero(fg.sum(axis=0) >= max(1, 0.05 * (d - b)))
        rows = np.flatnonzero(fg.sum(axis=1) >= 1)
        if not len(cols) or not len(rows):
            continue
        out[i] = [a + cols[0], b + rows[0], cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1]
    return out


def outer_columns(gray: np.ndarray, background: np.ndarray, noise: np.ndarray, boxes: np.ndarray, *,
                  pad: int = 2, threshold: float = 6.0, min_count: int = 3, narrow: float = 0.7,
                  min_share: float = 0.3, lit: float = 4.0, budget: int = 1 << 21) -> np.ndarray:
    """The object's own left and right sides for the narrow boxes (full-frame xywh, width <=
    ``narrow`` times the height; other boxes are returned as they are): a column belongs to the
    object when at least ``min_count`` pixels of the box's rows differ in brightness from the
    background by ``threshold`` times the pixel's noise; each side starts at the outermost such
    column inside the box and goes on outwards, up to ``pad`` pixels past the box, while the
    columns next to it belong too. :func:`refine_edges` (a column counts when 5 % of the rows
    differ, sides only move in) leaves out a swinging hand or the tip of a foot, one to three
    pixels high, and the column or two the reduced-scale mask lost; a person 20 pixels wide loses
    a twentieth of its box to each such column. Boxes where brightness alone finds less than
    ``min_share`` of the box (at ``lit`` times the noise) keep their sides. Vectorised over the
    boxes: their windows (rows of the box, columns up to ``pad`` past it) are gathered into one
    array and tested at once, in groups of similar size of at most ``budget`` pixels (a near
    person in a 4K frame does not make every far one's window as large)."""
    out = np.array(boxes, dtype=np.float64, copy=True).reshape(-1, 4)
    h, w = gray.shape
    x0 = np.floor(out[:, 0]).astype(np.int64)
    x1 = np.ceil(out[:, 0] + out[:, 2]).astype(np.int64)
    y0 = np.clip(np.floor(out[:, 1]).astype(np.int64), 0, h)
    y1 = np.clip(np.ceil(out[:, 1] + out[:, 3]).astype(np.int64), 0, h)
    sel = np.flatnonzero((out[:, 2] > 0) & (out[:, 2] <= narrow * out[:, 3]) & (y1 > y0) & (x1 > 0) & (x0 < w))
    if not len(sel) or pad < 0:
        return out
    rows, cols = y1 - y0, x1 - x0 + 2 * pad                     # window of each box
    sel = sel[np.argsort((rows * cols)[sel], kind="stable")]     # groups of similar size
    start = 0
    while start < len(sel):
        stop = start + 1
        while stop < len(sel) and (stop + 1 - start) * int(rows[sel[start:stop + 1]].max()) * \
                int(cols[sel[start:stop + 1]].max()) <= budget:
            stop += 1
        part = sel[start:stop]
        out[part] = _outer_columns(gray, background, noise, out[part], x0[part], x1[part], y0[part], y1[part],
                                   pad, threshold, min_count, min_share, lit)
        start = stop
    return out


def _outer_columns(gray: np.ndarray, background: np.ndarray, noise: np.ndarray, boxes: np.ndarray,
                   x0: np.ndarray, x1: np.ndarray, y0: np.ndarray, y1: np.ndarray, pad: int, threshold: float,
                   min_count: int, min_share: float, lit: float) -> np.ndarray:
    """:func:`outer_columns` for a group of narrow boxes with their integer windows."""
    out = boxes.copy()
    h, w = gray.shape
    span = int((x1 - x0).max()) + 2 * pad
    at = (x0 - pad)[:, None] + np.arange(span)[None, :]         # frame column of each slot, per box
    valid = (at >= 0) & (at < w) & (at < (x1 + pad)[:, None])
    inside = (at >= x0[:, None]) & (at < x1[:, None])
    r = y0[:, None] + np.arange(int((y1 - y0).max()))[None, :]  # frame row of each slot, per box
    in_rows = r < y1[:, None]
    ri, ci = np.minimum(r, h - 1)[:, :, None], np.clip(at, 0, w - 1)[:, None, :]
    diff = np.abs(gray[ri, ci].astype(np.float32) - background[ri, ci])
    sigma = noise[ri, ci]
    seen = in_rows[:, :, None] & valid[:, None, :]
    counts = ((diff > threshold * sigma) & seen).sum(axis=1)    # (boxes, slots)
    lit_px = ((diff > lit * sigma) & seen & inside[:, None, :]).sum(axis=(1, 2))
    q = valid & (counts >= min_count)
    inner = q & inside
    ok = inner.any(axis=1) & (lit_px >= min_share * out[:, 2] * out[:, 3])
    if not ok.any():
        return out
    idx = np.arange(span)[None, :]
    lo = np.argmax(inner, axis=1)
    hi = span - 1 - np.argmax(inner[:, ::-1], axis=1)
    gap_before = np.maximum.accumulate(np.where(q, -1, idx), axis=1)     # last column not belonging, <= j
    gap_after = np.minimum.accumulate(np.where(q, span, idx)[:, ::-1], axis=1)[:, ::-1]
    rows = np.arange(len(out))
    lo = gap_before[rows, lo] + 1
    hi = gap_after[rows, hi] - 1
    out[ok, 0] = (x0 - pad + lo)[ok]
    out[ok, 2] = (hi - lo + 1)[ok]
    return out


def extend_legs(raw: np.ndarray, box: np.ndarray, full_height: float, *, share: float = 0.3,
                core: float = 0.8, spill: float = np.inf) -> tuple[int, int]:
    """How far a short, narrow blob goes on downwards (rows) through pixels the background model
    marked shadow or foreground, and how many of them (``raw``: 255 foreground, 127 shadow). A
    person's legs in grey or black trousers are a darker copy of the road, which the shadow rule
    drops: the blob is then the torso and head only. Below the box, within the middle ``core`` of
    its columns, rows where at least ``share`` of those columns are shadow or foreground belong to
    it (legs apart in a stride leave the middle columns empty: a row of two thin legs fills about
    a third of the box's width), down to ``full_height`` rows from its top (a person's height
    there), and only while the marks do not spread sideways: a row's marks from half a box width
    left of the box to half a box width right of it must number at most ``spill`` times the box's
    width (a shadow cast on the ground spreads; legs do not, even in a stride that reaches past
    the torso's columns)."""
    x, y, w, h = (int(v) for v in box)
    c0 = x + int(round(w * (1 - core) / 2))
    c1 = max(c0 + 1, x + int(round(w * (1 + core) / 2)))
    y1 = min(raw.shape[0], y + int(np.ceil(full_height)))
    if y1 <= y + h:
        return 0, 0
    band = raw[y + h:y1, c0:c1] > 0
    good = band.mean(axis=1) >= share
    if np.isfinite(spill):
        half = max(1, w // 2)
        good &= (raw[y + h:y1, max(0, x - half):x + w + half] > 0).sum(axis=1) <= spill * w
    rows = len(good) if good.all() else int(np.argmin(good))
    return rows, int(band[:rows].sum())


def split_levels(blob: np.ndarray, *, tall: float = 0.8, drop: float = 0.6, max_aspect: float = 0.7,
                 min_low: float = 0.3, gap: int = 2, low_aspect: float = 1.6) -> np.ndarray:
    """Boxes (patch coordinates, xywh) of a person and a vehicle merged into one component
    (boolean patch): a tall, narrow run of columns (a person) beside or in front of a low, long
    part (a car). A column's reach is how far its top is above the blob's bottom row; the tall
    part is the longest run of columns (gaps of up to ``gap`` joined) reaching ``tall`` times the
    blob's reach, at most ``max_aspect`` times as wide as high; the other columns must reach at
    most ``drop`` times as high (median), be ``min_low`` of the tall part's height wide together,
    and form a box at least ``low_aspect`` times as wide as high (a vehicle; a dog or a second
    person is not cut off). Low columns on both sides of the tall part are one object (a car behind
    a person): its box spans the tall part. The first box is the tall part; a blob that does not
    split returns its own box."""
    h, w = blob.shape
    has = blob.any(axis=0)
    whole = np.asarray([[0, 0, w, h]], dtype=np.float64)
    if has.sum() < 3:
        return whole
    top = np.where(has, blob.argmax(axis=0), h)
    bottom = np.where(has, h - 1 - blob[::-1].argmax(axis=0), -1)
    reach = np.where(has, bottom.max() + 1 - top, 0)
    peak = float(np.percentile(reach[has], 95))
    cols = np.flatnonzero(reach >= tall * peak)
    breaks = np.flatnonzero(np.diff(cols) > gap + 1)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [len(cols) - 1]])
    k = int(np.argmax(ends - starts))
    a, b = int(cols[starts[k]]), int(cols[ends[k]]) + 1
    t_top, t_bottom = int(top[a:b].min()), int(bottom[a:b].max())
    t_height = t_bottom - t_top + 1
    low = has.copy()
    low[a:b] = False
    if (b - a) > max_aspect * t_height or low.sum() < min_low * t_height or np.median(reach[low]) > drop * peak:
        return whole
    c = np.flatnonzero(low)
    y0, y1 = int(top[c].min()), int(bottom[c].max())
    rest = [int(c[0]), y0, int(c[-1]) - int(c[0]) + 1, y1 - y0 + 1]
    if rest[2] < low_aspect * rest[3]:
        return whole
    return np.asarray([[a, t_top, b - a, t_height], rest], dtype=np.float64)


# slopes of the ground-plane line (person height per foot row) that extend_legs trusts: a nearly
# flat line here is mostly one learnt from people whose legs the shadow rule took
LINE_SLOPE = (0.1, 1.0)
LEGS_BEYOND = 1.5    # legs that reach the line's height are followed on, at most this many times it
LEGS_SPILL = 1.0     # ... and without a line: while a row's marks, half a box width either side
                     # included, are no wider than this share of the box (legs in a stride reach
                     # past the torso's columns: counting the marks beside the box against those
                     # under it stopped side-view walkers at the knees)

CATEGORIES = ("person", "vehicle", "other")
PERSON, VEHICLE, OTHER = 0, 1, 2


class PersonScale:
    """Online estimate of a standing person's height (pixels) from its foot row: a line
    ``h = a * y + b`` fitted by least squares to the last ``capacity`` samples, refitted on the
    samples within 25 % of the first fit (a dog or a cut-off person among the samples does not
    move it)."""

    def __init__(self, capacity: int = 600, min_samples: int = 30) -> None:
        self.capacity = capacity
        self.min_samples = min_samples
        self.samples = np.zeros((0, 2))
        self.coef: np.ndarray | None = None
        self.range_ = (-np.inf, np.inf)
        self.added = 0

    def add(self, foot: np.ndarray, height: np.ndarray) -> None:
        if len(foot) == 0:
            return
        self.samples = np.concatenate([self.samples, np.column_stack([foot, height])])[-self.capacity:]
        self.added += len(foot)
        if len(self.samples) >= self.min_samples and (self.coef is None or self.added >= 25):
            self.added = 0
            self.coef = self._fit()

    def _fit(self) -> np.ndarray:
        y, h = self.samples.T
        a = np.column_stack([y, np.ones(len(y))])
        coef = np.linalg.lstsq(a, h, rcond=None)[0]
        inlier = np.abs(h / np.maximum(a @ coef, 1e-6) - 1) < 0.25
        if inlier.sum() >= self.min_samples // 2:
            coef = np.linalg.lstsq(a[inlier], h[inlier], rcond=None)[0]
        if coef[0] < 0 or np.ptp(y) < 0.1 * max(float(np.median(h)), 1.0):   # no perspective: one height
            coef = np.array([0.0, float(np.median(h[inlier] if inlier.any() else h))])
        # where the line may be trusted: the sampled foot rows, widened by half a person's height,
        # and everywhere once it has a perspective slope
        margin = 0.5 * float(np.median(h))
        self.range_ = (-np.inf, np.inf) if coef[0] > 0 else (float(y.min()) - margin, float(y.max()) + margin)
        return coef

    def ratio(self, foot: np.ndarray, height: np.ndarray) -> np.ndarray | None:
        """Height relative to a person's at the same foot row; None before the line is known, NaN
        at foot rows it cannot tell (one height seen, far from the rows it was seen at)."""
        if self.coef is None:
            return None
        expected = np.maximum(self.coef[0] * foot + self.coef[1], 1.0)
        lo, hi = self.range_
        return np.where((foot >= lo) & (foot <= hi), height / expected, np.nan)


def classify_blobs(aspect: np.ndarray, ratio: np.ndarray | None, *, person_aspect: float = 0.7,
                   group_ratio: float = 0.85, animal_ratio: float = 0.56, vehicle_aspect: float = 1.2,
                   split_aspect: float = 0.5, vehicle_aspect_alone: float = 1.6) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Category (:data:`CATEGORIES` index), its confidence in [0, 1] and whether the blob is a group
    of people to split, from the width/height ``aspect`` and the height ``ratio`` to a person's at
    the same place (None: unknown). See the module docstring for the rules."""
    n = len(aspect)
    cat = np.full(n, PERSON, np.int64)
    conf = np.full(n, 0.5)
    wide = aspect > person_aspect
    if ratio is None or np.isnan(ratio).all():   # no person scale: wide blobs stay whole, labels are unsure
        cat[wide] = np.where(aspect[wide] >= vehicle_aspect_alone, VEHICLE, OTHER)
        conf[:] = np.where(wide, 0.3, 0.6)
        return cat, conf, np.zeros(n, bool)
    unknown = np.isnan(ratio)
    if unknown.any():                            # each blob by the rule its scale allows
        kw = dict(person_aspect=person_aspect, group_ratio=group_ratio, animal_ratio=animal_ratio,
                  vehicle_aspect=vehicle_aspect, split_aspect=split_aspect, vehicle_aspect_alone=vehicle_aspect_alone)
        known_out = classify_blobs(aspect[~unknown], ratio[~unknown], **kw)
        unknown_out = classify_blobs(aspect[unknown], None, **kw)
        out = [np.empty(n, a.dtype) for a in known_out]
        for o, k, u in zip(out, known_out, unknown_out):
            o[~unknown], o[unknown] = k, u
        return out[0], out[1], out[2]
    tall = ratio >= group_ratio
    low = ratio < animal_ratio
    vehicle = wide & ~tall & (aspect >= vehicle_aspect) & (~low | (aspect >= vehicle_aspect_alone))
    other = wide & ~tall & ~vehicle
    cat[vehicle], cat[other] = VEHICLE, OTHER
    # confidence: how far the blob is inside its rule's region
    person_fit = np.clip(1.0 - np.abs(ratio - 1.0) / 0.5, 0.0, 1.0)
    conf = np.where(~wide, 0.5 + 0.45 * person_fit, conf)
    conf = np.where(wide & tall, 0.6, conf)
    conf = np.where(vehicle, 0.55 + 0.4 * np.clip((aspect - vehicle_aspect) / 0.6, 0, 1), conf)
    conf = np.where(other, np.where(low, 0.75, 0.35), conf)
    group = (wide & tall) | (~wide & (aspect > split_aspect) & (ratio >= group_ratio))
    return cat, conf, group


def blob_scores(fill: np.ndarray, height: np.ndarray, ref_height: float) -> np.ndarray:
    """Score in [0, 1]: sqrt(fill) scaled down for boxes shorter than ``ref_height``."""
    return np.clip(np.sqrt(np.clip(fill, 0, 1)) * np.minimum(1.0, height / ref_height), 0.0, 1.0)


class MotionDetector:
    """Background-subtraction detector for static cameras. See the module docstring.

    Sizes (``min_area``, ``min_height``, ``ref_height``) are in pixels of a frame ``size_reference``
    pixels high (None: of the video itself), kernels in full-frame pixels;
    ``history`` and ``warmup`` are in frames. ``extent_pad`` (pixels; 0: off) is how far past a
    narrow box :func:`outer_columns` looks for the object's own sides (``extras["extent"]``)."""

    def __init__(self, *, scale: float = 0.75, history: int = 300, var_threshold: float = 16.0, background_ratio: float = 0.9,
                 shadows: bool = True, warmup: int = 5, open_size: int = 2, close_size: tuple[int, int] = (4, 12),
                 min_area: float = 400.0, min_height: float = 36.0, aspect_range: tuple[float, float] = (0.15, 4.0),
                 split_aspect: float = 0.5, object_aspect: float = 0.3, max_parts: int = 6, split_valley: float = 0.7,
                 ref_height: float = 60.0, min_score: float = 0.0, nms_iou: float = 0.6,
                 categories: bool = True, scale_samples: int = 30, min_memory: int = 1, size_reference: float | None = 576.0,
                 background_samples: int = 40, background_memory: int = 3000, refine_edges: bool = True,
                 legs: float = 0.85, side_area: float = 0.25,
                 person_vehicle: bool = True, extent_pad: int = 2) -> None:
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
        self.categories = categories
        self.min_memory = min_memory
        self.scale_samples = scale_samples
        self.size_reference = size_reference
        self.background_samples = background_samples
        self.background_memory = background_memory
        self.refine_edges = refine_edges
        self.legs = legs
        self.side_area = side_area
        self.person_vehicle = person_vehicle
        self.extent_pad = extent_pad

    # Settings a tracker should use with this detector unless told otherwise: its scores are
    # foreground fills, not confidences (IoU alone matches, and a blob that moved by less than
    # 30 % overlap is not the same one), people merge into one blob and split again (tracks kept
    # longer while lost, and joined over gaps of up to 4 s within 0.9 box heights), tracks
    # shorter than 3.5 s are mostly noise, a blob's box is the object's extent on that frame
    # (the tracks keep it, not the Kalman filter's smoothed box, which lags behind an actor that
    # stops or turns), and a blob more than twice a track's predicted size that holds another
    # track too is two objects merged (a person passing a car): neither track takes it; a
    # standing vehicle that a person passes in front of keeps its own box and track (occlusion),
    # and a vehicle cut in pieces by someone in front of it is joined again (fragments); a blob
    # is found only once enough of an entering object is in view, so tracks that start or end at
    # a side of the frame are followed to where the object is first or last in view (sides).
    # (Keeping short tracks at the sides, side_track_s, gained on the seeds it was tried on and
    # lost on a held-out one: it is left off.)
    # Chosen on PETS09-S2L1 together with `svag synth` seeds 1 and 11 (benchmarks/bench_pixels.py;
    # held-out seeds 4242 and 777 checked after).
    tracker_defaults = {"fuse_score": False, "max_age": 3.0, "min_track_s": 3.5, "match_iou": 0.3, "stitch": 4.0,
                        "stitch_distance": 0.9, "box_output": "detection", "merged_growth": 2.0,
                        "occlusion": 2.0, "fragments": True, "sides": 1.5}

    def reset(self) -> None:
        cv2 = import_cv2("the motion detector")
        if not 0 < self.scale <= 1:
            raise InputError(f"scale must be in (0, 1], got {self.scale}")
        if not 0 <= self.side_area <= 1 or self.legs < 0:
            raise InputError(f"side_area must be in [0, 1] and legs >= 0, got {self.side_area}, {self.legs}")
        if self.extent_pad < 0:
            raise InputError(f"extent_pad must be >= 0 pixels, got {self.extent_pad}")
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
        self.background_: MedianBackground | None = None
        self.luma_: tuple[np.ndarray, np.ndarray] | None = None
        self.person_scale_ = PersonScale(min_samples=self.scale_samples)

    def _small(self, image: np.ndarray) -> np.ndarray:
        h, w = image.shape[:2]
        size = (max(1, int(round(w * self.scale))), max(1, int(round(h * self.scale))))
        return image if size == (w, h) else self.cv2_.resize(image, size, interpolation=self.cv2_.INTER_AREA)

    def fit_background(self, images: Iterable[np.ndarray]) -> None:
        """Use a static background, the per-pixel median of ``images`` (frames sampled over the
        whole video; :class:`~svag.detect.background.MedianBackground`), instead of learning one
        online from the first frames: an object that is still or slow at the start is not absorbed,
        one that stops is not absorbed either (unless it stays for half the video), and no frames
        are lost to a warm-up."""
        if not hasattr(self, "subtractor_"):
            self.reset()
        small, gray = [], []
        for im in images:
            small.append(self._small(im))
            if self.refine_edges and im.ndim == 3:
                gray.append(self.cv2_.cvtColor(im, self.cv2_.COLOR_BGR2GRAY))
        if len(small) < 3:
            return
        if len(gray) == len(small):          # the brightness background of refine_edges, at full size
            med, mad = median_and_mad(np.stack(gray)[..., None])
            self.luma_ = (med[..., 0], np.maximum(1.4826 * mad[..., 0], 2.0))
        self.background_ = MedianBackground(np.stack(small), threshold=self.var_threshold, memory=self.background_memory,
                                            shadow_ratio=0.5 if self.shadows else 1.0)

    def foreground(self, image: np.ndarray) -> np.ndarray:
        """The cleaned binary (0/255) foreground mask at the working scale; trains the model."""
        return self._masks(image)[1]

    def _masks(self, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The background model's raw mask (255 foreground, 127 shadow) and the cleaned binary mask,
        at the working scale; trains the model."""
        cv2 = self.cv2_
        small = self._small(image)
        # OpenCV's own rate is 1 / min(2 * frames seen, history): early on the model forgets
        # within a few frames (people standing at the start leave no ghost, but a uniformly
        # coloured car crossing in the first seconds melts into the background). ``min_memory``
        # (frames) slows that start down; 1 keeps OpenCV's rate.
        n = self.frames_seen_ + 1
        if self.background_ is not None:
            fg = self.background_.apply(small)
        else:
            fg = self.subtractor_.apply(small, learningRate=1.0 / min(max(2 * n, self.min_memory), self.history))
        _, mask = cv2.threshold(fg, 200, 255, cv2.THRESH_BINARY)     # shadows are 127
        if self.open_size > 0:
            mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, self.open_kernel_)
        return fg, cv2.morphologyEx(mask, cv2.MORPH_CLOSE, self.close_kernel_)

    def detect(self, frame: Frame) -> FrameDetections:
        if not hasattr(self, "subtractor_"):
            self.reset()
        raw, mask = self._masks(frame.image)
        self.frames_seen_ += 1
        if self.frames_seen_ <= self.warmup and self.background_ is None:
            return FrameDetections.empty()
        boxes, fill, cat, conf = self._blobs(mask, raw)
        s = self.scale
        boxes = boxes / s
        gray = None
        if self.luma_ is not None and len(boxes) and frame.image.ndim == 3:
            # the top may move up a pixel: the reduced-scale mask loses the head's top row
            gray = self.cv2_.cvtColor(frame.image, self.cv2_.COLOR_BGR2GRAY)
            boxes = refine_edges(gray, *self.luma_, boxes, pad_top=1)
        scores = blob_scores(fill, boxes[:, 3], self.ref_height * self._size_factor(frame.image.shape[0]))
        keep = scores >= self.min_score
        idx = np.flatnonzero(keep)
        idx = idx[nms(boxes[idx], scores[idx], self.nms_iou)]
        extras: dict[str, np.ndarray] = {}
        if self.categories:
            extras["category"] = np.asarray(CATEGORIES, dtype=object)[cat[idx]].astype(str)
            extras["category_score"] = conf[idx]
        if gray is not None and self.extent_pad > 0:
            # the boxes are what the tracker associates; the track reports each object's own extent
            extras[EXTENT] = outer_columns(gray, *self.luma_, boxes[idx], pad=int(self.extent_pad))
        return FrameDetections(boxes[idx], scores[idx], extras=extras or None)

    def _blobs(self, mask: np.ndarray,
               raw: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Boxes (working scale, xywh), their foreground fill, category and its confidence, from
        the cleaned ``mask`` (``raw``, the model's mask with shadows, lets blobs take their legs)."""
        _, labels, stats, _ = self.cv2_.connectedComponentsWithStats(mask, connectivity=8)
        stats = stats[1:].astype(np.float64)
        ids = np.arange(1, len(stats) + 1)
        px = self.scale * self._size_factor(mask.shape[0] / self.scale)          # size units -> mask pixels
        if self.person_vehicle and self.categories and len(stats):
            stats, ids = self._split_levels(labels, stats, ids, self.min_height * px)
        if self.legs and self.categories and raw is not None and len(stats):
            self._extend_legs(stats, raw)
        x, y, w, h, area = stats.T if len(stats) else np.zeros((5, 0))
        aspect = w / np.maximum(h, 1)
        fill = area / np.maximum(w * h, 1)
        # a blob cut by the frame's left or right side (an actor entering or leaving) is as narrow
        # and as small as the part of it in view: its width says nothing about what it is, and
        # it needs only ``side_area`` of the minimum area
        side = (x <= 1) | (x + w >= mask.shape[1] - 1)
        ok = (area >= np.where(side, self.side_area, 1.0) * self.min_area * px ** 2) & \
             (h >= self.min_height * px) & ((aspect >= self.aspect_range[0]) | side) & (aspect <= self.aspect_range[1])
        if self.categories:
            foot = y + h
            inside = (x > 1) & (y > 1) & (x + w < mask.shape[1] - 1) & (foot < mask.shape[0] - 1)
            cat, conf, group = classify_blobs(aspect, self.person_scale_.ratio(foot, h),
                                              split_aspect=self.split_aspect)
            conf[~inside] *= 0.5                                     # cut off by the border: unsure
            learn = ok & inside & (aspect >= 0.2) & (aspect <= 0.55) & (fill >= 0.45)
            self.person_scale_.add(foot[learn], h[learn])
        else:
            cat, conf, group = np.zeros(len(x), np.int64), np.zeros(len(x)), aspect > self.split_aspect
        parts = np.where(group, np.round(aspect / self.object_aspect), 1)
        parts = np.clip(parts, 1, self.max_parts).astype(np.int64)
        single = ok & (parts == 1)
        boxes, fills = [stats[single, :4]], [fill[single]]
        cats, confs = [cat[single]], [conf[single]]
        for i in np.flatnonzero(ok & (parts > 1)):
            x0, y0 = int(x[i]), int(y[i])
            blob = labels[y0:y0 + int(h[i]), x0:x0 + int(w[i])] == ids[i]
            b, f = self._split_blob(blob, int(parts[i]), self.min_height * px)
            boxes.append(b + [x0, y0, 0, 0])
            fills.append(f)
            cats.append(np.full(len(b), PERSON, np.int64))
            confs.append(np.full(len(b), conf[i]))
        return np.concatenate(boxes), np.concatenate(fills), np.concatenate(cats), np.concatenate(confs)

    def _split_levels(self, labels: np.ndarray, stats: np.ndarray, ids: np.ndarray,
                      min_height: float) -> tuple[np.ndarray, np.ndarray]:
        """Components that are a person merged with a vehicle (:func:`split_levels`) replaced by
        one stats row per object (pixels of the component inside each box), with the component's
        label for each row."""
        x, y, w, h = stats[:, :4].T
        rows, keep = [], np.ones(len(stats), bool)
        for i in np.flatnonzero((h >= min_height) & (w >= h)):
            x0, y0 = int(x[i]), int(y[i])
            blob = labels[y0:y0 + int(h[i]), x0:x0 + int(w[i])] == ids[i]
            parts = split_levels(blob)
            if len(parts) < 2:
                continue
            # the tall part is a person: as tall as one at its foot row where that is known
            ratio = self.person_scale_.ratio(np.asarray([y0 + parts[0, 1] + parts[0, 3]], np.float64), parts[0, 3:4])
            if ratio is not None and not np.isnan(ratio[0]) and not 0.75 <= ratio[0] <= 1.5:
                continue
            keep[i] = False
            for bx, by, bw, bh in parts.astype(np.int64):
                rows.append(([x0 + bx, y0 + by, bw, bh, blob[by:by + bh, bx:bx + bw].sum()], ids[i]))
        if not rows:
            return stats, ids
        return (np.concatenate([stats[keep], np.asarray([r for r, _ in rows], np.float64)]),
                np.concatenate([ids[keep], np.asarray([i for _, i in rows], ids.dtype)]))

    def _extend_legs(self, stats: np.ndarray, raw: np.ndarray) -> None:
        """Narrow blobs get the legs the shadow rule took (:func:`extend_legs`; see the module
        docstring for when and how far); stats rows are changed in place."""
        coef = self.person_scale_.coef
        x, y, w, h = stats[:, :4].T
        narrow = w <= 0.7 * h
        line = coef is not None and LINE_SLOPE[0] < coef[0] < LINE_SLOPE[1]
        if line:
            full = (coef[0] * y + coef[1]) / (1 - coef[0])          # h = a * (y + h) + b, from the top row
            short = narrow & (h < self.legs * full) & (full > 0)
            spill = np.inf
        else:                      # no trusted ground-plane slope: as far as the marks stay under the blob
            full = 1.9 * h
            short = narrow
            spill = LEGS_SPILL
        for i in np.flatnonzero(short):
            rows, pixels = extend_legs(raw, stats[i, :4], full[i], spill=spill)
            stats[i, 3] += rows
            stats[i, 4] += pixels
            at_line = stats[i, 1] + stats[i, 3] >= min(raw.shape[0], stats[i, 1] + np.ceil(full[i]))
            if line and rows and at_line:
                # the legs reach the line's height and go on: the line is low here (people without
                # legs flatten it), so they are followed on while the marks stay under the blob
                rows, pixels = extend_legs(raw, stats[i, :4], LEGS_BEYOND * full[i], spill=LEGS_SPILL)
                stats[i, 3] += rows
                stats[i, 4] += pixels

    def _size_factor(self, frame_height: float) -> float:
        """Full-frame pixels per size unit: sizes are given for a ``size_reference``-pixel-high frame."""
        return 1.0 if not self.size_reference else float(frame_height) / self.size_reference

    def _split_blob(self, blob: np.ndarray, parts: int, min_height: float) -> tuple[np.ndarray, np.ndarray]:
        """Cut one component (boolean patch) at its column-profile minima into tight boxes
        (patch coordinates) and their fills."""
        cuts = split_columns(blob.sum(axis=0), parts, valley=self.split_valley)
        edges = np.concatenate([[0], cuts, [blob.shape[1]]])
        boxes, fills = [], []
        for a, b in zip(edges[:-1], edges[1:]):
            piece = blob[:, a:b]
            rows = np.flatnonzero(piece.any(axis=1))
            cols = np.flatnonzero(piece.any(axis=0))
            if len(rows) == 0 or rows[-1] - rows[0] + 1 < min_height:
                continue
            bw, bh = cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1
            boxes.append([a + cols[0], rows[0], bw, bh])
            fills.append(piece.sum() / (bw * bh))
        return np.asarray(boxes, dtype=np.float64).reshape(-1, 4), np.asarray(fills, dtype=np.float64)

