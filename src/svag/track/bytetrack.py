"""ByteTrack (Zhang et al., ECCV 2022): Kalman-predicted IoU association in two stages.

Per frame:

1. every confirmed track (tracked or lost) is predicted by the batched constant-velocity Kalman
   filter; high-score detections (``score >= high_score``) are matched to them by Hungarian
   assignment on ``1 - IoU`` (``1 - IoU * score`` with ``fuse_score``), pairs below
   ``match_iou`` refused, optionally gated by the Kalman Mahalanobis distance;
2. low-score detections (``low_score <= score < high_score``) are matched to the confirmed tracks
   that are still unmatched and were tracked last frame (``low_match_iou``); tracks left over
   become *lost*;
3. tentative tracks are matched to the remaining high-score detections (``tentative_match_iou``);
   a tentative track becomes confirmed (gets its id) after ``min_hits`` matches and is dropped
   after ``tentative_max_misses`` misses;
4. remaining detections with ``score >= new_track_score`` start tentative tracks (confirmed at once
   on the first frame, as in ByteTrack);
5. lost tracks not matched for ``max_age`` seconds are removed. A lost track that matches again
   is re-activated with its old id.

With ``merged_growth`` > 0, an established track matched to a box more than that many times the
area of its prediction, a box that also holds at least half of another confirmed track's
prediction (two objects merged into one blob, as background subtraction gives for a person
passing in front of a car), takes its prediction instead of the box, and its box at that frame is
left out of ``finalize``'s output, which fills it in between the track's clean boxes as it fills
any gap (the online answer of ``update`` still reports the merged box).

With ``occlusion`` > 0 (seconds), a person passing in front of a vehicle that stands still (a
parked car) is handled as one object hiding another: when a matched track's box is more than
``OCCLUDER_GROWTH`` times the smaller of its predicted area and its last box's area (the
filter's size lags behind a box that shrank) and holds at least half of the prediction of a
confirmed track that found no box at this frame and was seen at most ``occlusion`` seconds ago,
and one of the two is a standing vehicle (wide, moving less than ``OCCLUDER_SPEED`` of its width
per frame) and the other a person (narrow), both predictions are placed in the blob
(:func:`fit_into`: each side of the blob goes to the object that reaches furthest out there).
The vehicle keeps its size and is measured at its place in the blob (it does not coast away with
the speed it had before stopping, and keeps its track); the person coasts and is filled in by
``finalize``.

With ``fragments``, a vehicle cut in pieces by something in front of it (a person's grey trousers,
which the background model calls shadow, across a car): the box of an established wide track is
joined with the unmatched boxes that lie mostly inside its prediction and are no taller than it,
the union cut to the prediction (both widened by a tenth); the pieces start no tracks.

Times are in seconds and turned into frames with ``fps``, so one setting serves videos of any
frame rate. Scores are expected in [0, 1] (see :mod:`svag.detect.mot_file` for MOT15 files).

``finalize()`` returns every confirmed track over the whole video (offline post-processing):
with ``backfill`` the boxes it had while tentative are kept; a track that ends is joined to one
that starts at most ``stitch`` seconds later where its motion predicts, within ``stitch_distance``
box heights (:func:`svag.track.stitch.stitch_tracks`; 0 disables; a track that starts up to
``min_hits + 1`` frames before the other ends may be joined too); then gaps of up to
``max(interpolate, stitch)`` seconds inside a track are filled linearly; tracks that last less
than ``min_track_s`` seconds are dropped (0, the default, keeps all), unless they start or end
within ``track_edge_s`` seconds of the video's first or last frame (the video cut them short)
or, with ``side_track_s`` set and the ``frame_size`` known, last at least ``side_track_s`` seconds
and start or end at a side of the frame (an object that comes in or goes out there, cut short by
the frame). With ``sides`` > 0 (seconds) and the ``frame_size`` known (:func:`svag.track.pipeline.track_video`
gives it), a track that starts or ends at a side of the frame is followed up to ``sides`` seconds
further, to where the object is first or last in view (:func:`svag.track.sides.extend_at_sides`).

Defaults were tuned once on the public detections of PETS09-S2L1, TUD-Campus and
TUD-Stadtmitte together (one setting, times in seconds) and are also used for the pixel
pipeline (``benchmarks/bench_tracking.py``).
"""
from __future__ import annotations

import numpy as np

from svag.core.boxes import as_boxes, intersection_matrix, iou_matrix
from svag.core.types import Detections
from svag.errors import InputError
from svag.track.interpolate import interpolate_gaps
from svag.track.sides import extend_at_sides
from svag.track.stitch import drop_short_tracks, stitch_tracks
from svag.track.kalman import ConstantVelocityKalman, xywh_to_xyah, xyah_to_xywh
from svag.track.matching import linear_assignment

TENTATIVE, TRACKED, LOST = 0, 1, 2
BOX_OUTPUTS = ("filtered", "detection")
FRAGMENT_INSIDE = 0.8      # a piece of a vehicle: this share of its box inside the vehicle's prediction
OCCLUDER_ASPECT = 1.6      # a track at least this many times wider than high may hide a person (a vehicle)
OCCLUDER_GROWTH = 1.3      # ... when its box is more than this many times its predicted area
OCCLUDER_SPEED = 0.03      # ... and it (nearly) stands still: at most this share of its width per frame


def fit_into(boxes: np.ndarray, blob: np.ndarray) -> np.ndarray:
    """Boxes (xywh) of the objects merged into one ``blob`` box (xywh), from their predicted
    ``boxes``: on each of the blob's four sides, the object whose predicted box reaches furthest
    out there takes the blob's side (an object that takes both sides of an axis takes the blob's
    extent; one side, it keeps its predicted size from there); an object that takes neither keeps
    its predicted place on that axis, moved inside the blob."""
    lo, size = boxes[:, :2], boxes[:, 2:]
    hi = lo + size
    b_lo, b_hi = blob[:2], blob[:2] + blob[2:]
    first = np.zeros_like(lo, bool)
    last = np.zeros_like(lo, bool)
    first[np.argmin(lo, axis=0), [0, 1]] = True
    last[np.argmax(hi, axis=0), [0, 1]] = True
    size = np.minimum(size, blob[2:])
    start = np.clip(lo, b_lo, b_hi - size)
    start = np.where(first, b_lo, np.where(last, b_hi - size, start))
    size = np.where(first & last, blob[2:], size)
    return np.column_stack([start, size])


class ByteTracker:
    """Two-stage (high, then low score) Kalman + IoU tracker. See the module docstring."""

    def __init__(self, *, fps: float = 30.0, high_score: float = 0.3, low_score: float = 0.1,
                 new_track_score: float = 0.4, match_iou: float = 0.2, low_match_iou: float = 0.5,
                 tentative_match_iou: float = 0.3, fuse_score: bool = True, motion_gate: float | None = None,
                 min_hits: int = 3, tentative_max_misses: int = 1, max_age: float = 2.0,
                 interpolate: float = 2.0, stitch: float = 3.0, stitch_distance: float = 0.6,
                 backfill: bool = True, box_output: str = "filtered", min_track_s: float = 0.0, track_edge_s: float = 0.5,
                 std_position: float = 1.0 / 20, std_velocity: float = 1.0 / 160, merged_growth: float = 0.0,
                 occlusion: float = 0.0, fragments: bool = False, sides: float = 0.0,
                 side_track_s: float | None = None, frame_size: tuple[int, int] | None = None) -> None:
        self.fps = fps
        self.high_score = high_score
        self.low_score = low_score
        self.new_track_score = new_track_score
        self.match_iou = match_iou
        self.low_match_iou = low_match_iou
        self.tentative_match_iou = tentative_match_iou
        self.fuse_score = fuse_score
        self.motion_gate = motion_gate
        self.min_hits = min_hits
        self.tentative_max_misses = tentative_max_misses
        self.max_age = max_age
        self.interpolate = interpolate
        self.stitch = stitch
        self.stitch_distance = stitch_distance
        self.backfill = backfill
        self.box_output = box_output
        self.min_track_s = min_track_s
        self.track_edge_s = track_edge_s
        self.std_position = std_position
        self.std_velocity = std_velocity
        self.merged_growth = merged_growth
        self.occlusion = occlusion
        self.fragments = fragments
        self.sides = sides
        self.side_track_s = side_track_s
        self.frame_size = frame_size

    # -- state -------------------------------------------------------------------------------------

    def _check_params(self) -> None:
        if not self.fps or self.fps <= 0:
            raise InputError(f"fps must be positive, got {self.fps!r}")
        if self.box_output not in BOX_OUTPUTS:
            raise InputError(f"box_output must be one of {', '.join(BOX_OUTPUTS)}, got {self.box_output!r}")
        if not 0 <= self.low_score <= self.high_score:
            raise InputError(f"expected 0 <= low_score <= high_score, got {self.low_score} and {self.high_score}")
        if self.min_hits < 1:
            raise InputError(f"min_hits must be >= 1, got {self.min_hits}")
        if self.sides < 0 or (self.side_track_s is not None and self.side_track_s < 0):
            raise InputError(f"sides and side_track_s must be >= 0 seconds, got {self.sides} and {self.side_track_s}")
        if self.frame_size is not None and (len(self.frame_size) != 2 or min(self.frame_size) <= 0):
            raise InputError(f"frame_size must be (width, height) in pixels, got {self.frame_size!r}")

    def reset(self) -> None:
        self._check_params()
        self.kf_ = ConstantVelocityKalman(std_position=self.std_position, std_velocity=self.std_velocity)
        self.max_age_frames_ = max(1, int(round(self.max_age * self.fps)))
        self.mean_ = np.zeros((0, 8))
        self.cov_ = np.zeros((0, 8, 8))
        self.key_ = np.zeros(0, np.int64)          # internal track key (every track, tentative too)
        self.state_ = np.zeros(0, np.int64)
        self.hits_ = np.zeros(0, np.int64)
        self.misses_ = np.zeros(0, np.int64)
        self.last_frame_ = np.zeros(0, np.int64)
        self.last_box_ = np.zeros((0, 4))            # each track's last measured box
        self.public_id_: dict[int, int] = {}        # key -> id given at confirmation
        self.next_key_ = 0
        self.frame_: int | None = None
        self.history_: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def _ensure_state(self) -> None:
        if not hasattr(self, "mean_"):
            self.reset()

    # -- per frame ---------------------------------------------------------------------------------

    def update(self, frame_index: int, boxes: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Feed the detections of one frame; returns ids (K,) and boxes (K, 4) of the confirmed
        tracks matched at this frame."""
        self._ensure_state()
        frame_index = int(frame_index)
        if self.frame_ is not None and frame_index <= self.frame_:
            raise InputError(f"frames must be fed in increasing order: {frame_index} after {self.frame_}",
                             frame=frame_index)
        boxes = as_boxes(boxes)
        scores = np.asarray(scores, dtype=np.float64).reshape(-1)
        if len(scores) != len(boxes):
            raise InputError(f"{len(boxes)} boxes but {len(scores)} scores", frame=frame_index)
        ok = np.isfinite(boxes).all(axis=1) & (boxes[:, 2] > 0) & (boxes[:, 3] > 0) & (scores >= self.low_score)
        boxes, scores = boxes[ok], scores[ok]
        first_frame = self.frame_ is None
        dt = 1 if first_frame else frame_index - self.frame_
        self.frame_ = frame_index
        self._predict(dt)
        pred = xyah_to_xywh(self.mean_)
        high = np.flatnonzero(scores >= self.high_score)
        low = np.flatnonzero(scores < self.high_score)
        matched_tracks: list[np.ndarray] = []
        matched_dets: list[np.ndarray] = []

        # 1. confirmed tracks vs high-score detections
        pool = np.flatnonzero(self.state_ != TENTATIVE)
        m = linear_assignment(self._cost(pool, pred, boxes, scores, high, self.fuse_score),
                              1.0 - self.match_iou)
        matched_tracks.append(pool[m.pairs[:, 0]])
        matched_dets.append(high[m.pairs[:, 1]])
        rest_pool, rest_high = pool[m.unmatched_rows], high[m.unmatched_cols]

        # 2. still-tracked confirmed tracks vs low-score detections
        tracked = rest_pool[self.state_[rest_pool] == TRACKED]
        m = linear_assignment(self._cost(tracked, pred, boxes, scores, low, False), 1.0 - self.low_match_iou)
        matched_tracks.append(tracked[m.pairs[:, 0]])
        matched_dets.append(low[m.pairs[:, 1]])

        # 3. tentative tracks vs remaining high-score detections
        tentative = np.flatnonzero(self.state_ == TENTATIVE)
        m = linear_assignment(self._cost(tentative, pred, boxes, scores, rest_high, self.fuse_score),
                              1.0 - self.tentative_match_iou)
        matched_tracks.append(tentative[m.pairs[:, 0]])
        matched_dets.append(rest_high[m.pairs[:, 1]])
        rest_high = rest_high[m.unmatched_cols]

        t_idx = np.concatenate(matched_tracks)
        d_idx = np.concatenate(matched_dets)
        if self.fragments:
            boxes = boxes.copy()                        # a vehicle's pieces are joined into its box
            rest_high = self._fragments(t_idx, d_idx, pred, boxes, rest_high)
        merged = self._merged(t_idx, pred, boxes[d_idx])
        measured = boxes[d_idx].copy()
        measured[merged] = pred[t_idx[merged]]          # a merged blob is no measurement: keep the prediction
        if self.occlusion > 0 and len(t_idx):
            t_idx, d_idx, measured, merged = self._occluded(t_idx, d_idx, measured, merged, pred, boxes)
        self._correct(t_idx, measured, frame_index)
        missed = np.setdiff1d(np.arange(len(self.key_)), t_idx)
        self.misses_[missed] += 1
        self.state_[missed[self.state_[missed] == TRACKED]] = LOST
        kept = np.where(merged[:, None], boxes[d_idx], measured)    # a vehicle hiding a person: its fitted box
        out_keys, out_boxes = self._record(t_idx, kept, scores[d_idx], frame_index, skip=merged)

        # 4. new tracks; 5. removal
        new = rest_high[scores[rest_high] >= self.new_track_score]
        self._start(boxes[new], scores[new], frame_index, confirm=first_frame or self.min_hits <= 1)
        if first_frame or self.min_hits <= 1:
            out_keys = np.concatenate([out_keys, self.key_[len(self.key_) - len(new):]])
            out_boxes = np.concatenate([out_boxes, boxes[new]])
        self._remove(frame_index)
        ids = np.array([self.public_id_[int(k)] for k in out_keys], dtype=np.int64)
        return ids, out_boxes

    def _predict(self, dt: int) -> None:
        if len(self.mean_) == 0:
            return
        mean = self.mean_.copy()
        mean[self.state_ != TRACKED, 7] = 0.0          # lost/tentative boxes keep their height
        self.mean_, self.cov_ = self.kf_.predict(mean, self.cov_, float(dt))

    def _cost(self, rows: np.ndarray, pred: np.ndarray, boxes: np.ndarray, scores: np.ndarray,
              cols: np.ndarray, fuse: bool) -> np.ndarray:
        cost = 1.0 - iou_matrix(pred[rows], boxes[cols]) * (scores[cols][None, :] if fuse else 1.0)
        if self.motion_gate is not None and len(rows) and len(cols):
            d2 = self.kf_.gating_distance(self.mean_[rows], self.cov_[rows], xywh_to_xyah(boxes[cols]))
            cost[d2 > self.motion_gate] = np.inf
        return cost

    def _correct(self, t_idx: np.ndarray, det_boxes: np.ndarray, frame_index: int) -> None:
        if len(t_idx) == 0:
            return
        self.mean_[t_idx], self.cov_[t_idx] = self.kf_.update(self.mean_[t_idx], self.cov_[t_idx],
                                                               xywh_to_xyah(det_boxes))
        self.hits_[t_idx] += 1
        self.misses_[t_idx] = 0
        self.last_frame_[t_idx] = frame_index
        self.last_box_[t_idx] = det_boxes
        was = self.state_[t_idx]
        promote = t_idx[(was == TENTATIVE) & (self.hits_[t_idx] >= self.min_hits)]
        self.state_[t_idx[was != TENTATIVE]] = TRACKED
        self.state_[promote] = TRACKED
        for k in self.key_[promote]:
            self.public_id_[int(k)] = len(self.public_id_) + 1

    def _established(self, idx: np.ndarray) -> np.ndarray:
        """Which of the tracks ``idx`` are confirmed with at least ``min_hits`` matches."""
        return (self.hits_[idx] >= self.min_hits) & (self.state_[idx] != TENTATIVE)

    def _merged(self, t_idx: np.ndarray, pred: np.ndarray, det_boxes: np.ndarray) -> np.ndarray:
        """Which matched established tracks got a box more than ``merged_growth`` times the area
        of their prediction that also holds at least half of another confirmed track's prediction
        (their object merged with another one into one blob)."""
        if self.merged_growth <= 0 or len(t_idx) == 0:
            return np.zeros(len(t_idx), bool)
        p = pred[t_idx]
        grown = (det_boxes[:, 2] * det_boxes[:, 3] > self.merged_growth * p[:, 2] * p[:, 3]) & \
            self._established(t_idx)
        if not grown.any():
            return grown
        # ... and the box holds most of another confirmed track's prediction: a second object is there
        others = np.flatnonzero(self.state_ != TENTATIVE)
        inter = intersection_matrix(det_boxes, pred[others])
        held = inter >= 0.5 * (pred[others, 2] * pred[others, 3])[None, :]
        held &= others[None, :] != t_idx[:, None]
        return grown & held.any(axis=1)

    def _fragments(self, t_idx: np.ndarray, d_idx: np.ndarray, pred: np.ndarray, boxes: np.ndarray,
                   free: np.ndarray) -> np.ndarray:
        """A vehicle cut in pieces by something in front of it (a person's legs the shadow rule
        took): the box of an established wide track (``OCCLUDER_ASPECT``) is joined with the boxes
        nobody took (``free``) that lie at least ``FRAGMENT_INSIDE`` inside its prediction and are
        no taller than it (both widened by a tenth), the union cut to that widened prediction.
        ``boxes`` is changed in place; returns the free boxes left."""
        p = pred[t_idx]
        wide = self._established(t_idx) & (p[:, 2] >= OCCLUDER_ASPECT * p[:, 3])
        if not wide.any() or len(free) == 0:
            return free
        rows = np.flatnonzero(wide)
        fb = boxes[free]
        grown = np.column_stack([p[rows, :2] - 0.1 * p[rows, 2:], 1.2 * p[rows, 2:]])     # widened by a tenth
        inside = intersection_matrix(fb, grown) >= FRAGMENT_INSIDE * (fb[:, 2] * fb[:, 3])[:, None]
        inside &= fb[:, 3:4] <= p[rows, 3][None, :]
        used = np.zeros(len(free), bool)
        for j in np.flatnonzero(inside.any(axis=0)):
            r = rows[j]
            parts = np.concatenate([boxes[d_idx[r]][None], fb[inside[:, j] & ~used]])
            if len(parts) < 2:
                continue
            used |= inside[:, j]
            lo, hi = parts[:, :2].min(axis=0), (parts[:, :2] + parts[:, 2:]).max(axis=0)
            margin = 0.1 * p[r, 2:]
            lo = np.maximum(lo, p[r, :2] - margin)
            hi = np.minimum(hi, p[r, :2] + p[r, 2:] + margin)
            boxes[d_idx[r]] = np.concatenate([lo, np.maximum(hi - lo, 1.0)])
        return free[~used]

    def _occluded(self, t_idx: np.ndarray, d_idx: np.ndarray, measured: np.ndarray, merged: np.ndarray,
                  pred: np.ndarray, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """A person passing in front of a standing vehicle (see the module docstring): a matched
        established track whose box is more than ``OCCLUDER_GROWTH`` times the smaller of its
        predicted area and its last box's and holds at least half of the prediction of a
        confirmed track that found no box of its own at this frame (seen at most ``occlusion``
        seconds ago), one of the two a vehicle that stands still (wider than ``OCCLUDER_ASPECT``
        times its height, moving less than ``OCCLUDER_SPEED`` of its width per frame), the other a
        person (at most 0.7 times as wide as high). Both are placed in the blob by
        :func:`fit_into`; the vehicle keeps its size and is measured there, as is the track
        matched to the blob; a hidden person coasts, and ``finalize`` fills its gap in. Returns the
        matches with hidden vehicles added, their measurements and the merged flags."""
        w, h = pred[:, 2], pred[:, 3]
        vehicle = (w >= OCCLUDER_ASPECT * h) & (np.hypot(*self.mean_[:, 4:6].T) <= OCCLUDER_SPEED * w)
        person = w <= 0.7 * h
        blobs = boxes[d_idx]
        # grown past both the prediction and the last box (the filter's size lags behind a box)
        size = np.minimum(w * h, self.last_box_[:, 2] * self.last_box_[:, 3])
        owner = np.flatnonzero(self._established(t_idx) &
                               (vehicle[t_idx] | person[t_idx]) &
                               (blobs[:, 2] * blobs[:, 3] > OCCLUDER_GROWTH * size[t_idx]))
        seen = np.zeros(len(self.key_), bool)
        seen[t_idx] = True
        hidden = np.flatnonzero(~seen & self._established(np.arange(len(self.key_))) &
                                (self.misses_ < self.occlusion * self.fps) & (vehicle | person))
        if len(owner) == 0 or len(hidden) == 0:
            return t_idx, d_idx, measured, merged
        held = intersection_matrix(pred[hidden], blobs[owner]) >= 0.5 * (w[hidden] * h[hidden])[:, None]
        merged = merged.copy()
        add_t, add_d, add_m = [], [], []
        taken = np.zeros(len(self.key_), bool)          # a hidden vehicle is measured in one blob only
        for j in np.flatnonzero(held.any(axis=0)):
            r, k = owner[j], t_idx[owner[j]]
            inside = hidden[held[:, j]]
            inside = inside[person[inside]] if vehicle[k] else inside[vehicle[inside] & ~taken[inside]]
            if len(inside) == 0 or not (vehicle[k] or person[k]):
                continue
            fitted = fit_into(pred[np.concatenate([[k], inside])], blobs[r])
            measured[r], merged[r] = fitted[0], False
            cars = np.concatenate([[k], inside]) if vehicle[k] else inside
            self.mean_[cars, 6:8] = 0.0                # a vehicle's size is not measured in the blob: keep it
            if not vehicle[k]:                         # hidden vehicles are measured in the blob too
                taken[inside] = True
                add_t.append(inside)
                add_d.append(np.full(len(inside), d_idx[r]))
                add_m.append(fitted[1:])
        if not add_t:
            return t_idx, d_idx, measured, merged
        extra = np.concatenate(add_t)
        return (np.concatenate([t_idx, extra]), np.concatenate([d_idx, *add_d]), np.concatenate([measured, *add_m]),
                np.concatenate([merged, np.zeros(len(extra), bool)]))

    def _record(self, t_idx: np.ndarray, det_boxes: np.ndarray, det_scores: np.ndarray,
                frame_index: int, skip: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Keep the boxes of this frame for ``finalize`` (all but ``skip``, which are left as gaps
        and filled in afterwards) and return the confirmed tracks' keys and boxes."""
        out = det_boxes if self.box_output == "detection" else xyah_to_xywh(self.mean_[t_idx])
        keep = np.ones(len(t_idx), bool) if skip is None else ~skip
        self.history_.append((np.full(int(keep.sum()), frame_index, np.int64), self.key_[t_idx][keep], out[keep],
                              det_scores[keep]))
        confirmed = self.state_[t_idx] != TENTATIVE
        return self.key_[t_idx][confirmed], out[confirmed]

    def _start(self, boxes: np.ndarray, scores: np.ndarray, frame_index: int, confirm: bool) -> None:
        n = len(boxes)
        if n == 0:
            return
        mean, cov = self.kf_.initiate(xywh_to_xyah(boxes))
        keys = np.arange(self.next_key_, self.next_key_ + n, dtype=np.int64)
        self.next_key_ += n
        self.mean_ = np.concatenate([self.mean_, mean])
        self.cov_ = np.concatenate([self.cov_, cov])
        self.key_ = np.concatenate([self.key_, keys])
        self.state_ = np.concatenate([self.state_, np.full(n, TRACKED if confirm else TENTATIVE)])
        self.hits_ = np.concatenate([self.hits_, np.ones(n, np.int64)])
        self.misses_ = np.concatenate([self.misses_, np.zeros(n, np.int64)])
        self.last_frame_ = np.concatenate([self.last_frame_, np.full(n, frame_index, np.int64)])
        self.last_box_ = np.concatenate([self.last_box_, boxes])
        if confirm:
            for k in keys:
                self.public_id_[int(k)] = len(self.public_id_) + 1
        self.history_.append((np.full(n, frame_index, np.int64), keys, boxes.copy(), scores.copy()))

    def _remove(self, frame_index: int) -> None:
        dead = ((self.state_ == TENTATIVE) & (self.misses_ > self.tentative_max_misses)) | (
            (self.state_ == LOST) & (frame_index - self.last_frame_ > self.max_age_frames_))
        if dead.any():
            keep = ~dead
            for name in ("mean_", "cov_", "key_", "state_", "hits_", "misses_", "last_frame_", "last_box_"):
                setattr(self, name, getattr(self, name)[keep])

    # -- end of video ------------------------------------------------------------------------------

    def finalize(self) -> Detections:
        """Every confirmed track over the video (ids 1, 2, ... in order of confirmation)."""
        self._ensure_state()
        if not self.history_:
            return Detections(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 4)),
                              scores=np.zeros(0), num_frames=self.frame_)
        frames, keys, boxes, scores = (np.concatenate(parts) for parts in zip(*self.history_))
        ids = np.array([self.public_id_.get(int(k), -1) for k in keys], dtype=np.int64)
        keep = ids > 0
        if not self.backfill:
            first = {}
            for f, k in zip(frames, keys):    # frame each key was confirmed = its min_hits-th box
                first.setdefault(int(k), []).append(int(f))
            confirm_at = np.array([first[int(k)][min(self.min_hits, len(first[int(k)])) - 1] for k in keys])
            keep &= frames >= confirm_at
        order = np.lexsort((ids[keep], frames[keep]))
        out = Detections(frames[keep][order], ids[keep][order], boxes[keep][order], scores[keep][order],
                         num_frames=self.frame_)
        stitch_gap = int(round(self.stitch * self.fps))
        if stitch_gap >= 1:
            out = stitch_tracks(out, stitch_gap, max_distance=self.stitch_distance, max_overlap=self.min_hits + 1)
        gap = int(round(max(self.interpolate, self.stitch) * self.fps))
        out = interpolate_gaps(out, gap) if gap >= 1 else out
        if self.min_track_s > 0:
            side = self.side_track_s is not None and self.frame_size is not None
            out = drop_short_tracks(out, self.min_track_s * self.fps, edge=int(round(self.track_edge_s * self.fps)),
                                    size=self.frame_size if side else None,
                                    side_frames=(self.side_track_s or 0.0) * self.fps)
        if self.sides > 0 and self.frame_size is not None:
            out = extend_at_sides(out, self.frame_size, self.fps, max_s=self.sides)
        return out
