"""CLEAR MOT metrics (Bernardin & Stiefelhagen, 2008) exactly as TrackEval's ``metrics/clear.py``.

Conventions
-----------
* A gt box and a tracker box of the same timestep can match when ``IoU >= 0.5 - eps``.
* Per timestep, matches maximise ``1000 * continues + IoU`` (Hungarian), where ``continues``
  means the tracker id is the one matched to the gt id at the *previous scored timestep*: the
  last earlier timestep with both gt and tracker boxes (TrackEval does not reset that memory on
  timesteps where one side is empty).
* IDSW: a gt id matched to a tracker id other than the one it was last matched to (any number
  of timesteps back). Frag: the number of times a gt id's matching resumes (matched now, not at
  the previous scored timestep), minus one per gt id. MT/PT/ML: tracked ratio > 0.8, >= 0.2,
  the rest.
* :func:`clear_sequence` returns counts, :func:`combine_clear` sums them over sequences and
  :func:`clear_fields` derives the final values: ratios in **percent** (0-100), counts as ints,
  ``FP_per_frame`` and ``MOTP_sum`` unscaled. Nothing is rounded.
* TrackEval's early exits are reproduced: a sequence without tracker boxes (or without gt
  boxes) reports only its FN/ML (or FP), ``MLR`` = 100, every other ratio 0 and
  ``CLR_Frames`` = 0 (so it adds no frames to the combined ``FP_per_frame``). Such counts carry
  ``early_exit`` = 1.

Only the candidate pairs are used (the sparse ``edges`` of :class:`SequenceData`). The
sequential matching is solved for all timesteps at once by a fixed-point iteration (see
:class:`_Matcher`); the per-timestep assignments decompose over connected groups of candidate
pairs (:class:`~svag.eval.sequence.EdgeGroups`), solved in batches. A group where two candidate
pairs have the same IoU is solved over its whole timestep exactly as TrackEval does, so that
the solver's tie-breaking is the same too.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from svag.eval.sequence import EPS, EdgeGroups, SequenceData

THRESHOLD = 0.5
CONTINUITY_BONUS = 1000.0
SUMMED_FIELDS = ("CLR_TP", "CLR_FN", "CLR_FP", "IDSW", "MT", "PT", "ML", "Frag", "CLR_Frames", "MOTP_sum")
PERCENT_FIELDS = ("MOTA", "MOTP", "MODA", "CLR_Re", "CLR_Pr", "MTR", "PTR", "MLR", "sMOTA", "CLR_F1", "MOTAL")


def previous_scored_row(seq: SequenceData) -> np.ndarray:
    """(G,) the row of the same gt id at the previous scored timestep (both sides non-empty),
    -1 where there is none (or the row itself is not on a scored timestep)."""
    scored = (seq.n_gt_t > 0) & (seq.n_tr_t > 0)
    rank = np.cumsum(scored) - 1
    rows = seq.gt_rows_by_id
    rows = rows[scored[seq.gt_frame[rows]]]
    prev = np.full(seq.num_gt_dets, -1, np.int64)
    a, b = rows[:-1], rows[1:]
    follows = (seq.gt_id[a] == seq.gt_id[b]) & (rank[seq.gt_frame[a]] + 1 == rank[seq.gt_frame[b]])
    prev[b[follows]] = a[follows]
    return prev


def clear_matches(seq: SequenceData, threshold: float = THRESHOLD) -> np.ndarray:
    """(G,) tracker row matched to each gt row by CLEAR, -1 where unmatched."""
    return _matching(seq, threshold, previous_scored_row(seq))[0]


def _matching(seq: SequenceData, threshold: float, prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The matched tracker row of each gt row (-1: none) and the IoUs of the matches (in gt
    row order, so in time order)."""
    match = np.full(seq.num_gt_dets, -1, np.int64)
    eg, et, es = seq.edges(threshold - EPS)
    if len(eg) == 0:
        return match, np.zeros(0)
    matched = _Matcher(seq, eg, et, es, threshold, prev).run()
    match[eg[matched]] = et[matched]
    return match, es[matched]


class _Matcher:
    """CLEAR's sequential matching, solved by fixed-point iteration over the whole sequence.

    The continuity bonus (1000) exceeds any sum of IoUs in a timestep, and the pairs that
    continue the previous scored timestep's matches (*continuations*) share no box, so every
    continuation is matched; the other boxes are matched by a maximum-IoU assignment among
    themselves (*seeds*). A pair (gt id, tracker id) that is matched stays matched for as long
    as it remains a candidate pair on consecutive scored timesteps, so along such a *chain*
    "matched" is a running OR of the seeds. Each round takes the continuations from the
    current matches, solves the remaining boxes in batches and propagates along chains; the
    sequential definition has exactly one fixed point (induction over time), so the first
    round that changes nothing gives TrackEval's matches. If that takes more than
    :data:`MAX_ROUNDS` rounds, the groups are solved one at a time in time order."""

    MAX_ROUNDS = 50

    def __init__(self, seq: SequenceData, eg: np.ndarray, et: np.ndarray, es: np.ndarray,
                 threshold: float, prev: np.ndarray) -> None:
        self.seq, self.eg, self.et, self.es, self.threshold = seq, eg, et, es, threshold
        self.prev = prev
        self.edge_frame = seq.gt_frame[eg]
        self._link_chains()

    def _link_chains(self) -> None:
        """pred[e]: the same (gt id, tracker id) pair at the previous scored timestep, -1 if
        not a candidate there; chains ordered for a segmented running OR."""
        seq, eg, et = self.seq, self.eg, self.et
        scored = (seq.n_gt_t > 0) & (seq.n_tr_t > 0)
        rank = (np.cumsum(scored) - 1)[seq.gt_frame[eg]]
        n_rank, n_tid = int(rank.max()) + 1, max(seq.num_tracker_ids, 1)
        if seq.num_gt_ids * n_tid * n_rank < 2 ** 62:
            # (gt id, tracker id, rank) is unique per edge, so one integer key sorts the same
            order = np.argsort((seq.gt_id[eg] * n_tid + seq.tr_id[et]) * n_rank + rank)
        else:
            order = np.lexsort((rank, seq.tr_id[et], seq.gt_id[eg]))
        gi, ti, rk = seq.gt_id[eg][order], seq.tr_id[et][order], rank[order]
        linked = (gi[1:] == gi[:-1]) & (ti[1:] == ti[:-1]) & (rk[1:] == rk[:-1] + 1)
        self.pred = np.full(len(eg), -1, np.int64)
        self.pred[order[1:][linked]] = order[:-1][linked]
        self.has_pred = self.pred >= 0
        self.pred_or_0 = np.maximum(self.pred, 0)
        self.chain_order = order
        # position (in chain order) just before each edge's chain starts, -1 for the first chain
        starts = np.concatenate([[True], ~linked])
        self.before_chain = np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0)) - 1

    def propagate(self, seed: np.ndarray) -> np.ndarray:
        """matched[e] = any seed on e's chain up to e."""
        c = np.cumsum(seed[self.chain_order], dtype=np.int64)
        before = np.where(self.before_chain >= 0, c[np.maximum(self.before_chain, 0)], 0)
        out = np.empty(len(seed), bool)
        out[self.chain_order] = c > before
        return out

    def run(self) -> np.ndarray:
        cont = np.zeros(len(self.eg), bool)
        seed = self.seeds(cont, cont, np.zeros(len(self.eg), bool), np.arange(len(self.eg)))
        matched = self.propagate(seed)
        for _ in range(self.MAX_ROUNDS):
            new_cont = self.has_pred & matched[self.pred_or_0]
            changed = np.flatnonzero(new_cont != cont)
            if len(changed) == 0:
                return matched
            cont = new_cont
            # only timesteps whose continuations changed have a new residual problem
            touched = np.zeros(self.seq.num_frames, bool)
            touched[self.edge_frame[changed]] = True
            seed = self.seeds(cont, matched, seed, np.flatnonzero(touched[self.edge_frame]))
            matched = self.propagate(seed)
        return self.sequential()

    def seeds(self, cont: np.ndarray, matched: np.ndarray, seed: np.ndarray, redo: np.ndarray) -> np.ndarray:
        """Seeds of the edges ``redo`` (whole timesteps) recomputed: the edges a maximum-IoU
        assignment picks among the boxes no continuation covers."""
        seq, eg, et, es = self.seq, self.eg, self.et, self.es
        seed = seed.copy()
        seed[redo] = False
        free_g = np.ones(seq.num_gt_dets, bool)
        free_g[eg[cont]] = False
        free_t = np.ones(seq.num_tracker_dets, bool)
        free_t[et[cont]] = False
        res = redo[free_g[eg[redo]] & free_t[et[redo]]]
        groups = EdgeGroups(seq.num_gt_dets, seq.num_tracker_dets, seq.gt_frame, eg[res], et[res], es[res])
        seed[res[groups.lone]] = True
        if groups.n_groups:
            seed[res[groups.solve(es[res], ~groups.tie)]] = True
            if groups.tie.any():
                match = self.match_of(matched)
                for k in np.flatnonzero(groups.tie):
                    rows = np.unique(eg[res][groups.group == k])
                    self.solve_timestep(int(groups.frame[k]), rows, match)
                    for r in rows:   # the few tied groups only
                        hit = res[(eg[res] == r) & (et[res] == match[r])]
                        seed[hit] = True
        return seed

    def match_of(self, matched: np.ndarray) -> np.ndarray:
        match = np.full(self.seq.num_gt_dets, -1, np.int64)
        match[self.eg[matched]] = self.et[matched]
        return match

    def solve_timestep(self, t: int, rows: np.ndarray, match: np.ndarray) -> None:
        """Set ``match`` of ``rows`` as TrackEval's assignment over the whole timestep t does."""
        seq = self.seq
        block_rows, cols, sim = seq.frame_block(t)
        prev_tid = _prev_tracker_id(seq, self.prev, match, block_rows)
        score = CONTINUITY_BONUS * (prev_tid[:, None] == seq.tr_id[cols][None, :]) + sim
        score[sim < self.threshold - EPS] = 0
        r, c = linear_sum_assignment(-score)
        ok = score[r, c] > EPS
        mine = np.isin(block_rows, rows)
        match[block_rows[mine]] = -1
        keep = ok & mine[r]
        match[block_rows[r[keep]]] = cols[c[keep]]

    def sequential(self) -> np.ndarray:
        """Every timestep with a group, in time order (exact, slower)."""
        seq, eg, et = self.seq, self.eg, self.et
        groups = EdgeGroups(seq.num_gt_dets, seq.num_tracker_dets, seq.gt_frame, eg, et, self.es)
        match = np.full(seq.num_gt_dets, -1, np.int64)
        match[eg[groups.lone]] = et[groups.lone]
        rows = np.unique(eg[groups.group >= 0])          # sorted by gt row, so by time
        if len(rows):
            cuts = np.flatnonzero(np.diff(seq.gt_frame[rows])) + 1
            for chunk in np.split(rows, cuts):
                self.solve_timestep(int(seq.gt_frame[chunk[0]]), chunk, match)
        return (match[eg] == et)


def _prev_tracker_id(seq: SequenceData, prev: np.ndarray, match: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Tracker id matched to each row's gt id at the previous scored timestep, -1 if none."""
    p = prev[rows]
    m = np.where(p >= 0, match[np.maximum(p, 0)], -1)
    return np.where(m >= 0, seq.tr_id[np.maximum(m, 0)], -1)




def clear_sequence(seq: SequenceData, threshold: float = THRESHOLD) -> dict[str, float]:
    """CLEAR counts of one sequence (see :data:`SUMMED_FIELDS`, plus ``early_exit``)."""
    res: dict[str, float] = dict.fromkeys(SUMMED_FIELDS, 0)
    res["MOTP_sum"] = 0.0
    res["early_exit"] = 0
    if seq.num_tracker_dets == 0:
        res.update(CLR_FN=seq.num_gt_dets, ML=seq.num_gt_ids, early_exit=1)
        return res
    if seq.num_gt_dets == 0:
        res.update(CLR_FP=seq.num_tracker_dets, early_exit=1)
        return res
    prev = previous_scored_row(seq)
    match, sims = _matching(seq, threshold, prev)
    hit = match >= 0
    tp = int(hit.sum())
    res.update(CLR_TP=tp, CLR_FN=seq.num_gt_dets - tp, CLR_FP=seq.num_tracker_dets - tp,
               CLR_Frames=seq.num_frames)
    res["MOTP_sum"] = _frame_by_frame_sum(sims, seq.gt_frame[hit])
    # identity switches: consecutive matches of a gt id (in time) with different tracker ids
    rows = seq.gt_rows_by_id
    rows = rows[hit[rows]]
    same_gt = seq.gt_id[rows[1:]] == seq.gt_id[rows[:-1]]
    tid = seq.tr_id[match[rows]]
    res["IDSW"] = int(np.count_nonzero(same_gt & (tid[1:] != tid[:-1])))
    # fragmentations: matched now but not at the previous scored timestep
    starts = np.flatnonzero(hit & ((prev < 0) | (match[np.maximum(prev, 0)] < 0)))
    n_starts = np.bincount(seq.gt_id[starts], minlength=seq.num_gt_ids)
    res["Frag"] = int(np.sum(n_starts[n_starts > 0] - 1))
    # mostly tracked / partly tracked / mostly lost
    count = np.bincount(seq.gt_id, minlength=seq.num_gt_ids).astype(np.float64)
    matched = np.bincount(seq.gt_id[hit], minlength=seq.num_gt_ids).astype(np.float64)
    ratio = matched[count > 0] / count[count > 0]
    mt = int(np.count_nonzero(ratio > 0.8))
    pt = int(np.count_nonzero(ratio >= 0.2)) - mt
    res.update(MT=mt, PT=pt, ML=seq.num_gt_ids - mt - pt)
    return res


def _frame_by_frame_sum(values: np.ndarray, frames: np.ndarray) -> float:
    """Sum per frame, then over frames in order, as TrackEval accumulates MOTP_sum."""
    if len(values) == 0:
        return 0.0
    starts = np.concatenate([[0], np.flatnonzero(np.diff(frames)) + 1])
    return float(np.cumsum(np.add.reduceat(values, starts))[-1])


def combine_clear(parts: list[dict[str, float]]) -> dict[str, float]:
    """Sum the counts of several sequences (TrackEval's ``combine_sequences``)."""
    out: dict[str, float] = {k: sum(p[k] for p in parts) for k in SUMMED_FIELDS}
    out["MOTP_sum"] = float(out["MOTP_sum"])
    out["early_exit"] = 0
    return out


def clear_fields(counts: dict[str, float]) -> dict[str, float]:
    """Final CLEAR values: ratios in percent, counts as ints (TrackEval's field names)."""
    c = {k: counts[k] for k in SUMMED_FIELDS}
    ints = {k: int(c[k]) for k in SUMMED_FIELDS if k != "MOTP_sum"}
    if counts.get("early_exit"):
        out = dict.fromkeys(PERCENT_FIELDS, 0.0)
        out["MLR"] = 100.0
        out.update(FP_per_frame=0.0, MOTP_sum=float(c["MOTP_sum"]), **ints)
        return out
    tp, fn, fp, idsw = c["CLR_TP"], c["CLR_FN"], c["CLR_FP"], c["IDSW"]
    n_ids = max(1.0, c["MT"] + c["PT"] + c["ML"])
    gt = max(1.0, tp + fn)
    log_idsw = float(np.log10(idsw)) if idsw > 0 else idsw
    frac = {
        "MOTA": (tp - fp - idsw) / gt,
        "MOTP": c["MOTP_sum"] / max(1.0, tp),
        "MODA": (tp - fp) / gt,
        "CLR_Re": tp / gt,
        "CLR_Pr": tp / max(1.0, tp + fp),
        "MTR": c["MT"] / n_ids,
        "PTR": c["PT"] / n_ids,
        "MLR": c["ML"] / n_ids,
        "sMOTA": (c["MOTP_sum"] - fp - idsw) / gt,
        "CLR_F1": tp / max(1.0, tp + 0.5 * fn + 0.5 * fp),
        "MOTAL": (tp - fp - log_idsw) / gt,
    }
    out = {k: 100.0 * float(v) for k, v in frac.items()}
    out["FP_per_frame"] = fp / max(1.0, c["CLR_Frames"])
    out["MOTP_sum"] = float(c["MOTP_sum"])
    out.update(ints)
    return out
