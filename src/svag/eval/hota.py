"""HOTA (Luiten et al., IJCV 2021) with every field TrackEval reports.

Per sequence, integer counts and TP-weighted association sums are kept per alpha
(:class:`HotaCounts`); sequences combine by summing counts and TP-weighting the association and
localisation terms, exactly as TrackEval combines them; ratios are derived only at the end
(:func:`hota_fields`). The matching inside a frame is one maximum-score assignment on
``global_alignment_score * IoU`` shared by all alphas.

Many short sequences (one per SVAG query) are evaluated in one vectorised pass: they are laid
end to end on one time axis with disjoint ids (:func:`hota_segments`); since ids of different
sequences never share a frame, every quantity equals the per-sequence one. The per-frame
matches (:class:`HotaMatches`) are returned too: the SVAG protocols pair ground-truth and
predicted tracks from the matches at alpha 0.5.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from scipy.optimize import linear_sum_assignment

from svag.eval.sequence import EdgeGroups, SequenceData, compact_ids

ALPHAS = np.arange(0.05, 0.99, 0.05)          # 19 thresholds 0.05 ... 0.95, as TrackEval
N_ALPHA = len(ALPHAS)
EPS = np.finfo(np.float64).eps


@dataclass
class HotaCounts:
    """Per-alpha sufficient statistics of one sequence, a combination of sequences, or (with a
    leading axis) a batch of sequences. Association terms are already divided by max(1, TP)."""

    tp: np.ndarray      # (..., 19)
    fn: np.ndarray
    fp: np.ndarray
    ass_a: np.ndarray
    ass_re: np.ndarray
    ass_pr: np.ndarray
    loc_a: np.ndarray
    num_gt_dets: np.ndarray | int = 0
    num_tracker_dets: np.ndarray | int = 0
    num_gt_ids: np.ndarray | int = 0
    num_tracker_ids: np.ndarray | int = 0

    def __getitem__(self, i: int | np.ndarray) -> "HotaCounts":
        return HotaCounts(**{f.name: getattr(self, f.name)[i] for f in fields(self)})

    def __len__(self) -> int:
        return len(self.tp) if self.tp.ndim == 2 else 1


@dataclass
class HotaMatches:
    """The per-frame matches of HOTA (before any alpha threshold), one row per matched pair."""

    frame: np.ndarray    # 0-based timestep
    gt_row: np.ndarray   # index into the sequence's gt rows
    tr_row: np.ndarray
    gt_pos: np.ndarray   # position of the gt row within its frame
    gt_id: np.ndarray    # contiguous ids
    tr_id: np.ndarray
    sim: np.ndarray

    def at(self, alpha: float) -> np.ndarray:
        """Mask of the matches that count at threshold ``alpha`` (TrackEval's ``>= alpha - eps``)."""
        return self.sim >= alpha - EPS


def hota_sequence(seq: SequenceData, return_matches: bool = False
                  ) -> HotaCounts | tuple[HotaCounts, HotaMatches]:
    """HOTA counts of one sequence (and, optionally, its per-frame matches)."""
    counts, matches = hota_segments(seq, np.zeros(seq.num_frames, np.int64), 1)
    return (counts[0], matches) if return_matches else counts[0]


def hota_segments(seq: SequenceData, segment_of_frame: np.ndarray, n_segments: int
                  ) -> tuple[HotaCounts, HotaMatches]:
    """HOTA counts of each segment (independent sequence) of ``seq``, shape (n_segments, 19).

    ``segment_of_frame[t]`` gives the segment of timestep t; ids must not span segments."""
    S = n_segments
    seg_gt = segment_of_frame[seq.gt_frame] if len(seq.gt_frame) else np.zeros(0, np.int64)
    seg_tr = segment_of_frame[seq.tr_frame] if len(seq.tr_frame) else np.zeros(0, np.int64)
    n_gt_dets = np.bincount(seg_gt, minlength=S).astype(np.float64)
    n_tr_dets = np.bincount(seg_tr, minlength=S).astype(np.float64)
    n_gt_ids = _ids_per_segment(seq.gt_id, seg_gt, seq.num_gt_ids, S)
    n_tr_ids = _ids_per_segment(seq.tr_id, seg_tr, seq.num_tracker_ids, S)

    ng, nt = max(seq.num_gt_ids, 1), max(seq.num_tracker_ids, 1)
    # Only pairs of overlapping boxes matter: a pair with IoU 0 adds nothing to the alignment
    # score and never counts as a match at any alpha. Working on them alone keeps memory flat.
    pg, pt, sim = seq.nz_gt, seq.nz_tr, seq.nz_sim
    gt_count = np.bincount(seq.gt_id, minlength=ng).astype(np.float64)
    tr_count = np.bincount(seq.tr_id, minlength=nt).astype(np.float64)
    cell = seq.gt_id[pg] * nt + seq.tr_id[pt]
    # Soft alignment between ids (Jaccard of per-frame soft matches), accumulated over frames.
    row_sum = np.bincount(pg, weights=sim, minlength=len(seq.gt_id))
    col_sum = np.bincount(pt, weights=sim, minlength=len(seq.tr_id))
    denom = row_sum[pg] + col_sum[pt] - sim
    ok = denom > EPS
    sim_iou = np.zeros_like(sim)
    sim_iou[ok] = sim[ok] / denom[ok]
    if ng * nt <= 8 * len(cell) + (1 << 22):      # the id-pair table fits: no sort needed
        cell_inv, cells = compact_ids(cell, ng * nt)
    else:
        cells, cell_inv = np.unique(cell, return_inverse=True)
    potential = np.bincount(cell_inv, weights=sim_iou, minlength=len(cells))
    cg, ct = cells // nt, cells % nt
    gas = potential / (gt_count[cg] + tr_count[ct] - potential) if len(cells) else potential
    score = gas[cell_inv] * sim
    matched = _assign(seq, pg, pt, score)
    m_sim = sim[matched]
    m_cell = cell_inv[matched]
    m_seg = seg_gt[pg[matched]]
    n_pass = (m_sim[None, :] >= (ALPHAS[:, None] - EPS)).sum(axis=0)  # thresholds each match passes

    def per_alpha(group: np.ndarray, n_groups: int, weights: np.ndarray | None = None) -> np.ndarray:
        """(n_groups, 19): sum of weights of matches in each group that count at each alpha."""
        hist = np.bincount(group * (N_ALPHA + 1) + n_pass, weights=weights,
                           minlength=n_groups * (N_ALPHA + 1)).reshape(n_groups, N_ALPHA + 1)
        return np.cumsum(hist[:, ::-1], axis=1)[:, ::-1][:, 1:]

    tp = per_alpha(m_seg, S).astype(np.float64)
    loc = per_alpha(m_seg, S, m_sim)
    mc = per_alpha(m_cell, len(cells)).astype(np.float64)       # (cells, 19) matches per id pair
    gt_seg_of_id = np.zeros(ng, np.int64)
    gt_seg_of_id[seq.gt_id] = seg_gt
    c_seg = gt_seg_of_id[cg] if len(cells) else np.zeros(0, np.int64)
    g_cnt, t_cnt = gt_count[cg][:, None], tr_count[ct][:, None]
    sq = mc * mc

    def seg_sum(values: np.ndarray) -> np.ndarray:
        out = np.zeros((S, N_ALPHA))
        np.add.at(out, c_seg, values)
        return out
    tp_div = np.maximum(1.0, tp)
    ass_a = seg_sum(sq / np.maximum(1, g_cnt + t_cnt - mc)) / tp_div
    ass_re = seg_sum(sq / np.maximum(1, g_cnt)) / tp_div
    ass_pr = seg_sum(sq / np.maximum(1, t_cnt)) / tp_div
    counts = HotaCounts(tp, n_gt_dets[:, None] - tp, n_tr_dets[:, None] - tp, ass_a, ass_re, ass_pr,
                        np.maximum(1e-10, loc) / np.maximum(1e-10, tp), n_gt_dets, n_tr_dets, n_gt_ids, n_tr_ids)
    gt_rows, tr_rows = pg[matched], pt[matched]
    frames = seq.gt_frame[gt_rows]
    matches = HotaMatches(frames, gt_rows, tr_rows, gt_rows - seq.gt_ptr[frames], seq.gt_id[gt_rows],
                          seq.tr_id[tr_rows], m_sim)
    return counts, matches


def _assign(seq: SequenceData, pg: np.ndarray, pt: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Indices (into the overlapping pairs) of a maximum-score assignment in every frame.

    The assignment decomposes over connected groups of positive-score pairs; an isolated pair is
    always matched. A group with two equal scores is solved over its whole frame with the
    Hungarian solver, as TrackEval does, so that ties break the same way."""
    pos = np.flatnonzero(score > 0)
    eg, et, es = pg[pos], pt[pos], score[pos]
    groups = EdgeGroups(seq.num_gt_dets, seq.num_tracker_dets, seq.gt_frame, eg, et, es)
    chosen = groups.lone | groups.solve(es, ~groups.tie) if groups.n_groups else groups.lone.copy()
    for k in np.flatnonzero(groups.tie):
        t = int(groups.frame[k])
        rows, cols, block = seq.frame_block(t)
        full = np.zeros_like(block)
        lo, hi = np.searchsorted(seq.nz_pair, [seq.pair_ptr[t], seq.pair_ptr[t + 1]])
        full.ravel()[seq.nz_pair[lo:hi] - seq.pair_ptr[t]] = score[lo:hi]
        r, c = linear_sum_assignment(-full)
        mine = np.isin(rows, eg[groups.group == k])
        for i, j in zip(r, c):
            if mine[i]:
                chosen[(eg == rows[i]) & (et == cols[j])] = True
    return pos[chosen]


def _ids_per_segment(ids: np.ndarray, seg: np.ndarray, n_ids: int, S: int) -> np.ndarray:
    if len(ids) == 0:
        return np.zeros(S)
    seg_of_id = np.full(max(n_ids, 1), -1, np.int64)
    seg_of_id[ids] = seg
    return np.bincount(seg_of_id[seg_of_id >= 0], minlength=S).astype(np.float64)


def combine_hota(parts: HotaCounts | list[HotaCounts]) -> HotaCounts:
    """Combine sequences as TrackEval does: sum counts, TP-weight AssA/AssRe/AssPr and LocA."""
    if isinstance(parts, list):
        if not parts:
            z = np.zeros((0, N_ALPHA))
            parts = HotaCounts(z, z, z, z, z, z, z, np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))
        else:
            parts = HotaCounts(**{f.name: np.stack([np.asarray(getattr(p, f.name), dtype=np.float64)
                                                    for p in parts]) for f in fields(HotaCounts)})
    tp = parts.tp.sum(axis=0) if len(parts.tp) else np.zeros(N_ALPHA)

    def weighted(v: np.ndarray) -> np.ndarray:
        return (v * parts.tp).sum(axis=0) / np.maximum(1.0, tp)
    loc_sum = (parts.loc_a * parts.tp).sum(axis=0)
    return HotaCounts(tp, parts.fn.sum(axis=0), parts.fp.sum(axis=0), weighted(parts.ass_a),
                      weighted(parts.ass_re), weighted(parts.ass_pr),
                      np.maximum(1e-10, loc_sum) / np.maximum(1e-10, tp),
                      float(np.sum(parts.num_gt_dets)), float(np.sum(parts.num_tracker_dets)),
                      float(np.sum(parts.num_gt_ids)), float(np.sum(parts.num_tracker_ids)))


def hota_arrays(c: HotaCounts) -> dict[str, np.ndarray]:
    """Per-alpha fractions (0-1), TrackEval's ``_compute_final_fields``."""
    det_re = c.tp / np.maximum(1, c.tp + c.fn)
    det_pr = c.tp / np.maximum(1, c.tp + c.fp)
    det_a = c.tp / np.maximum(1, c.tp + c.fn + c.fp)
    return {"HOTA": np.sqrt(det_a * c.ass_a), "DetA": det_a, "AssA": c.ass_a, "DetRe": det_re,
            "DetPr": det_pr, "AssRe": c.ass_re, "AssPr": c.ass_pr, "LocA": c.loc_a,
            "OWTA": np.sqrt(det_re * c.ass_a)}


def hota_fields(c: HotaCounts) -> dict[str, float]:
    """Final values in percent: mean over alphas, plus HOTA(0), LocA(0), HOTALocA(0) and counts."""
    arr = hota_arrays(c)
    out = {k: 100.0 * float(np.mean(v)) for k, v in arr.items()}
    out["HOTA(0)"] = 100.0 * float(arr["HOTA"][0])
    out["LocA(0)"] = 100.0 * float(arr["LocA"][0])
    out["HOTALocA(0)"] = 100.0 * float(arr["HOTA"][0] * arr["LocA"][0])
    out.update({"GT_Dets": float(c.num_gt_dets), "Dets": float(c.num_tracker_dets),
                "GT_IDs": float(c.num_gt_ids), "IDs": float(c.num_tracker_ids)})
    return out
