"""The per-sequence input of every tracking metric (HOTA, CLEAR, Identity), in a flat layout.

Conventions
-----------
* **Timesteps** are 0-based here (``t = frame - 1``); files and error messages use 1-based frames.
* **Rows** (boxes) are stably sorted by frame: inside a frame they keep the input (file) order,
  as TrackEval keeps it. The gt rows of timestep ``t`` are ``gt_ptr[t]:gt_ptr[t + 1]``, likewise
  ``tr_ptr`` for the tracker. ``gt_src_row[r]`` is the index of row ``r`` in the input
  :class:`~svag.core.types.Detections`, so per-row extras (classes, ...) can be looked up.
* **Ids** are relabelled to ``0 .. n - 1`` in sorted order of the original ids (TrackEval's
  ``np.unique``); ``gt_orig_id[gt_id[r]]`` is the id as written in the input.
* **Pairs** are all (gt row, tracker row) of the same timestep, timestep by timestep and gt-major
  inside a timestep: the block of timestep ``t`` is
  ``sim[pair_ptr[t]:pair_ptr[t + 1]].reshape(n_gt_t, n_tr_t)``. ``sim`` is the IoU with
  TrackEval's arithmetic (that of :func:`svag.core.boxes.iou_matrix`: degenerate boxes and empty
  unions give 0), so values agree with TrackEval to the last bit.
* The pairs with a **non-zero IoU** are also kept sparsely, in pair order: ``nz_gt``, ``nz_tr``
  (row indices), ``nz_sim`` and ``nz_pair`` (index into the dense pair arrays). IoU is only ever
  computed for pairs whose x-extents can overlap; the dense ``pair_gt``, ``pair_tr`` and ``sim``
  are built from the sparse ones on first use (they cost memory: 24 bytes a pair). Metrics
  that only look at pairs above a threshold (CLEAR, Identity, the MOTChallenge preprocessing)
  read the sparse arrays (:meth:`SequenceData.edges`).

Also here: :class:`BoxIndex` (finding same-timestep overlaps without comparing every pair) and
:class:`EdgeGroups` (splitting a per-timestep assignment into independent small problems).
"""
from __future__ import annotations

from functools import cached_property
from typing import NamedTuple

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from svag.core.boxes import xywh_to_xyxy
from svag.core.types import Detections
from svag.errors import InputError
from svag.eval.assignment import assign_frames

EPS = float(np.finfo(np.float64).eps)
_KEY_LIMIT = 2.0 ** 40      # frame * span must stay far inside float64's exact range
_X_MARGIN = 1.0             # pixels of slack around the x-overlap candidate test


class _Rows(NamedTuple):
    """One side (gt or tracker) of a sequence, rows sorted by frame."""

    frame: np.ndarray    # (N,) int64, 0-based, non-decreasing
    ptr: np.ndarray      # (F + 1,) int64 row offsets per timestep
    ids: np.ndarray      # (N,) int64 contiguous ids
    orig_id: np.ndarray  # (n_ids,) original ids, sorted
    boxes: np.ndarray    # (N, 4) float64 xywh
    src: np.ndarray      # (N,) int64 row in the input

    @classmethod
    def empty(cls, num_frames: int) -> "_Rows":
        z = np.zeros(0, np.int64)
        return cls(z, np.zeros(num_frames + 1, np.int64), z, z, np.zeros((0, 4)), z)


def _ptr(frame: np.ndarray, num_frames: int) -> np.ndarray:
    ptr = np.zeros(num_frames + 1, np.int64)
    if len(frame):
        np.cumsum(np.bincount(frame, minlength=num_frames), out=ptr[1:])
    return ptr


def _relabel(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Contiguous ids in sorted order of the originals, and the sorted originals."""
    if len(ids) and ids.dtype.kind in "iu":
        lo, hi = int(ids.min()), int(ids.max())
        if hi - lo <= 4 * len(ids) + (1 << 16):
            present = np.zeros(hi - lo + 1, bool)
            present[ids - lo] = True
            remap = np.cumsum(present) - 1
            return remap[ids - lo].astype(np.int64), np.flatnonzero(present).astype(ids.dtype) + lo
    orig, inv = np.unique(ids, return_inverse=True)
    return inv.reshape(-1).astype(np.int64), orig


def _check_input(dets: Detections, num_frames: int, what: str) -> None:
    frames = dets.frames
    bad = np.flatnonzero((frames < 1) | (frames > num_frames))
    if len(bad):
        i = int(bad[0])
        raise InputError(f"{what} box outside the sequence (frames 1..{num_frames})",
                         file=dets.source, frame=int(frames[i]), track=_plain(dets.ids[i]))
    bad = np.flatnonzero(~np.isfinite(dets.boxes).all(axis=1))
    if len(bad):
        i = int(bad[0])
        raise InputError(f"{what} box {dets.boxes[i].tolist()} is not finite", file=dets.source,
                         frame=int(frames[i]), track=_plain(dets.ids[i]))


def _plain(v: object) -> object:
    return v.item() if isinstance(v, np.generic) else v


def _check_unique(rows: _Rows, source: str | None, what: str) -> None:
    """TrackEval's rule: an id appears at most once per timestep."""
    n_ids = len(rows.orig_id)
    if len(rows.frame) < 2 or n_ids == 0:
        return
    key = rows.frame * n_ids + rows.ids
    if len(rows.ptr) * n_ids <= 8 * len(key) + (1 << 22):
        dup = np.bincount(key)[key] > 1
    else:
        order = np.argsort(key, kind="stable")
        same = key[order][1:] == key[order][:-1]
        dup = np.zeros(len(key), bool)
        dup[order[1:][same]] = True
        dup[order[:-1][same]] = True
    if dup.any():
        i = int(np.argmax(dup))
        raise InputError(f"{what} id {_plain(rows.orig_id[rows.ids[i]])} appears more than once in "
                         "this frame (ids must be unique within a frame)", file=source,
                         frame=int(rows.frame[i]) + 1, track=_plain(rows.orig_id[rows.ids[i]]))


def _rows_from(dets: Detections, num_frames: int, what: str) -> _Rows:
    if len(dets) == 0:
        return _Rows.empty(num_frames)
    _check_input(dets, num_frames, what)
    frames = dets.frames
    if np.all(frames[1:] >= frames[:-1]):        # already in frame order: no copies
        src = np.arange(len(frames), dtype=np.int64)
        frame, ids, boxes = frames - 1, dets.ids, dets.boxes
    else:
        src = _stable_order(frames - 1, num_frames)
        frame, ids, boxes = frames[src] - 1, dets.ids[src], dets.boxes[src]
    ids, orig = _relabel(ids)
    rows = _Rows(frame, _ptr(frame, num_frames), ids, orig, boxes, src)
    _check_unique(rows, dets.source, what)
    return rows


def _subset_rows(rows: _Rows, keep: np.ndarray, num_frames: int) -> _Rows:
    keep = np.flatnonzero(keep)             # once, not once per array a mask would index
    frame = rows.frame[keep]
    ids = rows.ids[keep]
    used = np.zeros(len(rows.orig_id), bool)
    used[ids] = True
    remap = np.cumsum(used) - 1
    return _Rows(frame, _ptr(frame, num_frames), remap[ids], rows.orig_id[used], rows.boxes[keep], rows.src[keep])


# ----------------------------------------------------------------------------------------------
# IoU of the pairs that can overlap


class BoxIndex:
    """Boxes of one side (1 frame = 1 timestep, 0-based) for finding same-timestep overlaps.

    Coordinates follow :func:`svag.core.boxes.iou_matrix` (``x1 = x0 + w``,
    ``area = (x1 - x0) * (y1 - y0)``), so IoUs agree with it (and TrackEval) bit for bit. Rows
    are kept sorted by (timestep, x0): a query box can only overlap the contiguous run with
    ``x0`` in ``[qx0 - widest - m, qx1 + m]`` (``widest``: the widest box of the timestep), found
    by binary search on the key ``timestep * span + x0``."""

    def __init__(self, frame: np.ndarray, boxes: np.ndarray, num_frames: int) -> None:
        self.frame = np.asarray(frame, np.int64)
        xyxy = xywh_to_xyxy(np.asarray(boxes, np.float64).reshape(-1, 4))
        self.x0, self.y0, self.x1, self.y1 = (np.ascontiguousarray(xyxy[:, j]) for j in range(4))
        self.area = (self.x1 - self.x0) * (self.y1 - self.y0)
        self.num_frames = int(num_frames)
        self.width = np.zeros(self.num_frames)
        self.sorted_keys: np.ndarray | None = None
        self._sorted = False
        if len(self.frame) == 0:
            return
        self.base = float(self.x0.min()) - 1.0
        self.span = float(self.x0.max()) - self.base + 1.0

    def _sort(self) -> None:
        """Sort the rows for searching, on first use as the indexed side: the query side
        needs no sort (and preprocessing builds an index per side of each search)."""
        if self._sorted:
            return
        self._sorted = True
        np.maximum.at(self.width, self.frame, self.x1 - self.x0)
        if np.isfinite(self.span) and self.span * (self.num_frames + 1) < _KEY_LIMIT:
            key = self.frame * self.span + (self.x0 - self.base)
            self.order = np.argsort(key)        # equal keys may come in any order
            self.sorted_keys = key[self.order]
        else:   # coordinates too large for the key: every box of the timestep is a candidate
            self.order = np.argsort(self.frame, kind="stable")
            self.ptr = _ptr(self.frame[self.order], self.num_frames)

    def candidates(self, q: "BoxIndex") -> tuple[np.ndarray, np.ndarray]:
        """(query row, indexed row) pairs of the same timestep whose x-extents may overlap: a
        superset of the pairs with IoU > 0, grouped by query row."""
        if len(self.frame) == 0 or len(q.frame) == 0:
            z = np.zeros(0, np.int64)
            return z, z
        self._sort()
        if self.sorted_keys is not None:
            lo_x = np.clip(q.x0 - self.width[q.frame] - _X_MARGIN - self.base, 0.5, self.span - 0.5)
            hi_x = np.clip(q.x1 + _X_MARGIN - self.base, 0.5, self.span - 0.5)
            off = q.frame * self.span
            lo = np.searchsorted(self.sorted_keys, off + lo_x, "left")
            count = np.maximum(np.searchsorted(self.sorted_keys, off + hi_x, "right") - lo, 0)
        else:
            lo = self.ptr[q.frame]
            count = self.ptr[q.frame + 1] - lo
        first = np.cumsum(count) - count
        pos = np.arange(int(count.sum()), dtype=np.int64) + np.repeat(lo - first, count)
        return np.repeat(np.arange(len(q.frame), dtype=np.int64), count), self.order[pos]

    def overlaps(self, q: "BoxIndex") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(query row, indexed row, IoU) of every same-timestep pair with IoU > 0, sorted.

        IoU is symmetric to the last bit, so which side is indexed does not matter; pairs whose
        clipped intersection width or height is 0 have IoU 0 and are skipped."""
        cq, ci = self.candidates(q)
        iw = np.minimum(q.x1[cq], self.x1[ci])
        iw -= np.maximum(q.x0[cq], self.x0[ci])
        k = np.flatnonzero(iw > 0)
        cq, ci, iw = cq[k], ci[k], iw[k]
        ih = np.minimum(q.y1[cq], self.y1[ci])
        ih -= np.maximum(q.y0[cq], self.y0[ci])
        k = np.flatnonzero(ih > 0)
        cq, ci = cq[k], ci[k]
        inter = iw[k] * ih[k]
        area_q, area_i = q.area[cq], self.area[ci]
        union = area_q + area_i - inter
        keep = (area_q > EPS) & (area_i > EPS) & (union > EPS)
        cq, ci = cq[keep], ci[keep]
        sim = inter[keep] / union[keep]
        keep = sim > 0   # an underflowing quotient
        cq, ci, sim = cq[keep], ci[keep], sim[keep]
        key = cq * len(self.frame) + ci
        if len(key) > 1 and np.any(key[1:] < key[:-1]):
            order = np.argsort(key, kind="stable")   # already grouped by query row: timsort runs
            cq, ci, sim = cq[order], ci[order], sim[order]
        return cq, ci, sim


def _overlaps(gt: _Rows, tr: _Rows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted (gt row, tracker row, IoU) of every same-timestep pair with IoU > 0."""
    num_frames = len(gt.ptr) - 1
    return BoxIndex(tr.frame, tr.boxes, num_frames).overlaps(BoxIndex(gt.frame, gt.boxes, num_frames))


# ----------------------------------------------------------------------------------------------


class SequenceData:
    """Ground truth and tracker boxes of one sequence with their same-frame IoUs.

    Build with :meth:`build`; restrict with :meth:`subset`. See the module docstring for the
    layout. Instances are treated as immutable."""

    def __init__(self, num_frames: int, gt: _Rows, tr: _Rows, nz_gt: np.ndarray, nz_tr: np.ndarray,
                 nz_sim: np.ndarray, gt_source: str | None = None, tr_source: str | None = None) -> None:
        self.num_frames = int(num_frames)
        self._gt, self._tr = gt, tr
        self.gt_frame, self.gt_ptr, self.gt_id, self.gt_orig_id, self.gt_boxes, self.gt_src_row = gt
        self.tr_frame, self.tr_ptr, self.tr_id, self.tr_orig_id, self.tr_boxes, self.tr_src_row = tr
        self.gt_source, self.tr_source = gt_source, tr_source
        self.num_gt_ids = len(gt.orig_id)
        self.num_tracker_ids = len(tr.orig_id)
        self.num_gt_dets = len(gt.frame)
        self.num_tracker_dets = len(tr.frame)
        self.n_gt_t = np.diff(gt.ptr)
        self.n_tr_t = np.diff(tr.ptr)
        self.pair_ptr = np.zeros(self.num_frames + 1, np.int64)
        np.cumsum(self.n_gt_t * self.n_tr_t, out=self.pair_ptr[1:])
        self.nz_gt, self.nz_tr, self.nz_sim = nz_gt, nz_tr, nz_sim
        f = gt.frame[nz_gt]
        self.nz_pair = (self.pair_ptr[f] + (nz_gt - gt.ptr[f]) * self.n_tr_t[f] + (nz_tr - tr.ptr[f]))

    @classmethod
    def build(cls, gt: Detections, tracker: Detections, num_frames: int,
              gt_keep: np.ndarray | None = None) -> "SequenceData":
        """Sort, relabel and pair ``gt`` and ``tracker`` boxes of a ``num_frames`` long sequence.

        Raises :class:`InputError` (naming file, frame and id) for a box outside frames
        ``1..num_frames``, a non-finite box, or an id that appears twice in one frame.
        ``gt_keep`` (a mask over the rows of ``gt``) keeps only those gt rows, after every row
        was checked; ``gt_src_row`` still indexes ``gt``."""
        num_frames = int(num_frames)
        if num_frames < 0:
            raise InputError(f"sequence length must be >= 0, got {num_frames}", file=gt.source)
        g = _rows_from(gt, num_frames, "ground-truth")
        if gt_keep is not None:
            g = _subset_rows(g, np.asarray(gt_keep, bool)[g.src], num_frames)
        t = _rows_from(tracker, num_frames, "tracker")
        return cls(num_frames, g, t, *_overlaps(g, t), gt_source=gt.source, tr_source=tracker.source)

    def subset(self, gt_keep: np.ndarray | None = None, tr_keep: np.ndarray | None = None) -> "SequenceData":
        """The sequence restricted to the rows where the boolean masks (over sorted rows) are
        True; ids are relabelled again to ``0 .. n - 1`` and no IoU is recomputed."""
        gk = np.ones(self.num_gt_dets, bool) if gt_keep is None else np.asarray(gt_keep, bool)
        tk = np.ones(self.num_tracker_dets, bool) if tr_keep is None else np.asarray(tr_keep, bool)
        g = _subset_rows(self._gt, gk, self.num_frames)
        t = _subset_rows(self._tr, tk, self.num_frames)
        k = np.flatnonzero(gk[self.nz_gt] & tk[self.nz_tr])
        g_new, t_new = np.cumsum(gk) - 1, np.cumsum(tk) - 1
        return SequenceData(self.num_frames, g, t, g_new[self.nz_gt[k]], t_new[self.nz_tr[k]],
                            self.nz_sim[k], self.gt_source, self.tr_source)

    # -- dense pairs, built on first use ---------------------------------------------------------

    @property
    def num_pairs(self) -> int:
        return int(self.pair_ptr[-1])

    @cached_property
    def _pair_reps(self) -> np.ndarray:
        return self.n_tr_t[self.gt_frame]

    @cached_property
    def pair_gt(self) -> np.ndarray:
        """(P,) gt row of each pair."""
        return np.repeat(np.arange(self.num_gt_dets, dtype=np.int64), self._pair_reps)

    @cached_property
    def pair_tr(self) -> np.ndarray:
        """(P,) tracker row of each pair."""
        reps = self._pair_reps
        first = np.cumsum(reps) - reps
        return np.arange(self.num_pairs, dtype=np.int64) + np.repeat(self.tr_ptr[self.gt_frame] - first, reps)

    @cached_property
    def sim(self) -> np.ndarray:
        """(P,) IoU of each pair."""
        out = np.zeros(self.num_pairs)
        out[self.nz_pair] = self.nz_sim
        return out

    def frame_block(self, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Gt rows, tracker rows and the (n_gt_t, n_tr_t) IoU matrix of timestep ``t`` (0-based)."""
        g0, g1 = int(self.gt_ptr[t]), int(self.gt_ptr[t + 1])
        t0, t1 = int(self.tr_ptr[t]), int(self.tr_ptr[t + 1])
        block = np.zeros((g1 - g0) * (t1 - t0))
        lo, hi = np.searchsorted(self.nz_pair, [self.pair_ptr[t], self.pair_ptr[t + 1]])
        block[self.nz_pair[lo:hi] - self.pair_ptr[t]] = self.nz_sim[lo:hi]
        return np.arange(g0, g1), np.arange(t0, t1), block.reshape(g1 - g0, t1 - t0)

    # -- helpers shared by the metrics -------------------------------------------------------------

    @cached_property
    def gt_rows_by_id(self) -> np.ndarray:
        """Gt rows ordered by (id, frame)."""
        return _stable_order(self.gt_id, self.num_gt_ids)

    def edges(self, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(gt row, tracker row, IoU) of the pairs with ``IoU >= threshold`` (threshold > 0),
        read-only and kept per threshold (CLEAR and Identity ask for the same)."""
        if threshold <= 0:
            raise ValueError("edges() lists non-zero pairs only; use the dense arrays for threshold <= 0")
        cache = self.__dict__.setdefault("_edges", {})    # instances are immutable
        if threshold not in cache:
            k = np.flatnonzero(self.nz_sim >= threshold)   # one scan for the three arrays
            out = (self.nz_gt[k], self.nz_tr[k], self.nz_sim[k])
            for a in out:
                a.flags.writeable = False                  # shared by the callers
            cache[threshold] = out
        return cache[threshold]

    def __repr__(self) -> str:
        return (f"SequenceData(num_frames={self.num_frames}, gt_dets={self.num_gt_dets}, "
                f"tracker_dets={self.num_tracker_dets}, gt_ids={self.num_gt_ids}, "
                f"tracker_ids={self.num_tracker_ids}, pairs={self.num_pairs}, nonzero={len(self.nz_sim)})")


def _stable_order(keys: np.ndarray, n_keys: int) -> np.ndarray:
    """Stable argsort of ints in ``0 .. n_keys - 1`` (numpy radix-sorts 16-bit keys)."""
    if n_keys <= np.iinfo(np.uint16).max + 1:
        return np.argsort(keys.astype(np.uint16), kind="stable")
    return np.argsort(keys, kind="stable")


# ----------------------------------------------------------------------------------------------
# candidate pairs split into independent groups


class EdgeGroups:
    """Candidate pairs ("edges", e.g. IoU >= 0.5) of a sequence, split for matching.

    A per-timestep maximum-score assignment decomposes over the connected components of the
    edges: an edge whose gt box and tracker box have no other edge (a *lone* edge) is always
    matched; every other component (a *group*, inside one timestep) is a small assignment
    problem of its own. Groups are numbered in time order; each has a dense
    ``n_rows x n_cols`` block of cells (its gt rows x its tracker rows, both sorted), laid end
    to end from ``cell_ptr``. ``tie`` flags groups where two edges have the same score: there
    the solver's tie-breaking decides, so callers reproducing TrackEval solve the whole
    timestep as it does."""

    def __init__(self, num_gt_dets: int, num_tracker_dets: int, gt_frame: np.ndarray,
                 eg: np.ndarray, et: np.ndarray, score: np.ndarray) -> None:
        e = len(eg)
        deg_g = np.bincount(eg, minlength=num_gt_dets)
        deg_t = np.bincount(et, minlength=num_tracker_dets)
        self.lone = (deg_g[eg] == 1) & (deg_t[et] == 1)
        self.grouped = np.flatnonzero(~self.lone)
        self.group = np.full(e, -1, np.int64)
        self.cell = np.full(e, -1, np.int64)
        rest = self.grouped
        ig, ug = compact_ids(eg[rest], num_gt_dets)
        it, ut = compact_ids(et[rest], num_tracker_dets)
        k, lab_g, lab_t = bipartite_components(ig, it, len(ug), len(ut))
        pos_g, self.n_rows, rows = _positions(lab_g, ug, k)
        pos_t, self.n_cols, _ = _positions(lab_t, ut, k)
        size = self.n_rows * self.n_cols
        self.cell_ptr = np.zeros(k + 1, np.int64)
        np.cumsum(size, out=self.cell_ptr[1:])
        # cells: each group's rows (in order) x its cols, row-major; the cell of each edge
        g = lab_g[ig]
        self.group[rest] = g
        self.cell[rest] = self.cell_ptr[g] + pos_g[ig] * self.n_cols[g] + pos_t[it]
        self.frame = gt_frame[rows[np.cumsum(self.n_rows) - self.n_rows]] if k else np.zeros(0, np.int64)
        self.tie = np.zeros(k, bool)
        sc = score[rest]
        srt = np.sort(sc)                                # cheaper than argsort; ties are rare
        if np.any(srt[1:] == srt[:-1]):                  # values seen twice anywhere
            by_score = np.argsort(sc)
            srt = sc[by_score]
            dup = srt[1:] == srt[:-1]
            in_run = np.zeros(len(sc), bool)
            in_run[1:] = dup
            in_run[:-1] |= dup
            cand = by_score[in_run]
            order = np.lexsort((sc[cand], g[cand]))
            gs, ss = g[cand][order], sc[cand][order]
            same = (gs[1:] == gs[:-1]) & (ss[1:] == ss[:-1])
            self.tie[gs[1:][same]] = True

    @property
    def n_groups(self) -> int:
        return len(self.n_rows)

    def solve(self, score: np.ndarray, active: np.ndarray | None = None) -> np.ndarray:
        """(E,) mask of the grouped edges a maximum-score assignment picks in each group
        (only groups where ``active`` is True; edge scores must be > 0)."""
        out = np.zeros(len(self.lone), bool)
        cells = np.zeros(int(self.cell_ptr[-1]))
        cells[self.cell[self.grouped]] = score[self.grouped]
        n_rows = self.n_rows if active is None else np.where(active, self.n_rows, 0)
        chosen = assign_frames(cells, self.cell_ptr, n_rows, self.n_cols)
        chosen = chosen[cells[chosen] > EPS]
        edge_of_cell = np.full(len(cells), -1, np.int64)
        edge_of_cell[self.cell[self.grouped]] = self.grouped
        out[edge_of_cell[chosen]] = True
        return out


def compact_ids(nodes: np.ndarray, n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(nodes, return_inverse=True)`` reversed (inverse, sorted uniques), for ints in
    ``0 .. n_nodes - 1``: a presence mask and a running count instead of a sort (EdgeGroups
    runs once per CLEAR round)."""
    present = np.zeros(n_nodes, bool)
    present[nodes] = True
    index = np.cumsum(present) - 1
    return index[nodes], np.flatnonzero(present)


SMALL_GRAPH = 2048     # edges: below this, components by label propagation instead of scipy
_SMALL_ROUNDS = 6      # propagation rounds tried before handing a long chain to scipy


def bipartite_components(ig: np.ndarray, it: np.ndarray, n_g: int, n_t: int
                         ) -> tuple[int, np.ndarray, np.ndarray]:
    """Connected components of the bipartite graph with edges (gt node ig[e], tracker node
    it[e]), every node having an edge: their count and the component of each gt and tracker
    node, numbered in order of each component's first gt node.

    CLEAR solves ~10 rounds per sequence, most with a few hundred edges in groups of 2-4 boxes;
    there scipy's fixed cost (~80 us a call: sparse matrix building and checks) exceeds the
    work, so small graphs propagate the smallest gt node of each component along the edges
    instead (a few rounds for such groups). Large graphs, or chains that do not settle in
    :data:`_SMALL_ROUNDS` rounds, go to scipy."""
    if len(ig) <= SMALL_GRAPH:
        lab_g = np.arange(n_g)
        for _ in range(_SMALL_ROUNDS):
            lab_t = np.full(n_t, n_g)
            np.minimum.at(lab_t, it, lab_g[ig])
            new = lab_g.copy()
            np.minimum.at(new, ig, lab_t[it])
            if np.array_equal(new, lab_g):
                # settled: each component is labelled by its smallest gt node (a root)
                root = lab_g == np.arange(n_g)
                renum = np.cumsum(root) - 1
                return int(root.sum()), renum[lab_g], renum[lab_t]
            lab_g = new
    n = n_g + n_t
    graph = coo_matrix((np.ones(len(ig)), (ig, it + n_g)), shape=(n, n))
    k, label = connected_components(graph, directed=False) if n else (0, np.zeros(0, np.int64))
    return (k, *_in_first_order(label[:n_g], label[n_g:], k))


def _in_first_order(lab_g: np.ndarray, lab_t: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Component labels renumbered in order of each component's first gt node.

    Every component has a gt node and scipy numbers components as its search meets them in node
    order (gt nodes first), so the labels usually come in that order already; checking that is
    linear, the renumbering (a sort) only runs if they do not."""
    if len(lab_g) == 0:
        return lab_g, lab_t
    seen = np.maximum.accumulate(lab_g)
    if lab_g[0] == 0 and np.all(lab_g[1:] <= seen[:-1] + 1) and seen[-1] == k - 1:
        return lab_g, lab_t
    _, first = np.unique(lab_g, return_index=True)
    renum = np.empty(k, np.int64)
    renum[lab_g[np.sort(first)]] = np.arange(k)
    return renum[lab_g], renum[lab_t]


def _positions(label: np.ndarray, nodes: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Position of each node inside its group (nodes sorted), group sizes, nodes in group order."""
    order = _stable_order(label, k)
    size = np.bincount(label, minlength=k)
    pos = np.empty(len(label), np.int64)
    pos[order] = np.arange(len(label)) - np.repeat(np.cumsum(size) - size, size)
    return pos, size, nodes[order]
