"""Pairing ground-truth tracks with predicted tracks, for the two SVAG protocols.

Both work on one dataset laid out as one sequence (:class:`~svag.eval.sequence.SequenceData`,
the queries end to end with disjoint ids) and on the HOTA matches of every frame
(:class:`~svag.eval.hota.HotaMatches`), and return, for every ground-truth id, the paired
tracker id or the reason there is none (:data:`UNPAIRED_REASONS`).

``official`` -- SVAGEval's ``filter_submission_by_count`` (``temporal_eval/eval.py`` at
``Shuaicong97/SVAGEval@65b14956``) on the id mapping that its TrackEval copy records
(``TrackEval/trackeval/metrics/hota.py``). Conventions, with the official lines
(docs/protocols.md has the full account):

1. Only *recorded* timesteps count: those where the sequence has ground-truth **and** tracker
   boxes. ``hota.py`` L86-93 ``continue`` before L100 ``gt_ids_t_list.append``, so a frame in
   which nothing is predicted never enters the pairing.
2. The track's ``keys`` are its row positions in the recorded timesteps (``eval.py`` L390-401,
   added to a ``set`` in time order); none: unpaired (L403-407). ``key = next(iter(keys))``
   (L411): the first element in CPython's set iteration order (:mod:`svag.eval.set_order`),
   the smallest unless a position is 8 or more.
3. Selected timesteps: recorded timesteps where the track has a box and the ground-truth row
   at position ``key`` is matched at alpha 0.5 (L413-424; ``hota.py`` L122-126 record the
   matches of ``alpha == 0.5``, ``IoU >= 0.5 - eps``). None: unpaired (L426-429).
4. Every tracker id matched at alpha 0.5 in a selected timestep gets one vote (L431-448); the
   most votes wins, ties to the id counted first -- earliest timestep, then ground-truth row
   (L456: ``max`` over an insertion-ordered dict; ``linear_sum_assignment`` returns rows in
   ascending order).
5. A sequence without tracker or without ground-truth boxes has no id mapping (``hota.py``
   L38-47 return before L162 ``save_id_mapping``): all its tracks are unpaired (L365-369).

``strict`` -- each ground-truth track gets the tracker id matched to *it* in the most frames
at alpha 0.5, ties to the one matched first.
"""
from __future__ import annotations

import numpy as np

from svag.eval.hota import HotaMatches
from svag.eval.sequence import SequenceData
from svag.eval.set_order import first_in_set_order

PAIR_ALPHA = 0.5

#: Why a ground-truth track has no paired prediction (``TrackPair.reason``).
UNPAIRED_REASONS = {
    "no_prediction": "the query has no predicted box",
    "no_gt_box": "the ground-truth track has no box",
    "no_shared_frame": "the track has no box in a frame where the prediction has one "
                       "(official: 'no matching key found')",
    "key_row_unmatched": "in the track's frames the ground-truth row at its key position is never "
                         "matched at IoU 0.5 (official: 'No alpha_match_cols_list entry matched')",
    "never_matched": "no predicted box is matched to the track at IoU 0.5",
}


def official_keys(seq: SequenceData) -> np.ndarray:
    """The official ``key`` (row position) of every ground-truth id; -1 where it has none."""
    n_ids = seq.num_gt_ids
    key = np.full(max(n_ids, 1), -1, np.int64)
    recorded = (np.diff(seq.gt_ptr) > 0) & (np.diff(seq.tr_ptr) > 0)
    rows = np.flatnonzero(recorded[seq.gt_frame]) if len(seq.gt_frame) else np.zeros(0, np.int64)
    if len(rows) == 0:
        return key
    ids = seq.gt_id[rows]
    pos = rows - seq.gt_ptr[seq.gt_frame[rows]]
    lo = np.full(len(key), np.iinfo(np.int64).max)
    hi = np.full(len(key), -1, np.int64)
    np.minimum.at(lo, ids, pos)
    np.maximum.at(hi, ids, pos)
    has = hi >= 0
    key[has] = lo[has]
    # the smallest position is first in the set unless some position reaches the table size
    special = np.flatnonzero((hi >= 8) & (hi != lo))
    if len(special):
        sub = np.flatnonzero(np.isin(ids, special))
        sub = sub[np.argsort(ids[sub], kind="stable")]          # by id, then time
        cuts = np.flatnonzero(np.diff(ids[sub])) + 1
        for part in np.split(sub, cuts):
            p = pos[part]
            uniq, first = np.unique(p, return_index=True)
            key[ids[part[0]]] = first_in_set_order(uniq[np.argsort(first)].tolist())
    return key


def _most_votes(voter: np.ndarray, candidate: np.ndarray, n_voters: int, n_candidates: int) -> np.ndarray:
    """For each voter, the candidate it voted for most often; ties go to the candidate voted
    for first (votes are in counting order). -1 for a voter without votes."""
    best = np.full(max(n_voters, 1), -1, np.int64)
    if len(voter) == 0:
        return best
    nc = max(n_candidates, 1)
    uniq, first, count = np.unique(voter * nc + candidate, return_index=True, return_counts=True)
    who = uniq // nc
    order = np.lexsort((first, -count, who))
    lead = order[np.concatenate([[True], who[order][1:] != who[order][:-1]])]
    best[who[lead]] = uniq[lead] % nc
    return best


def pair_official(seq: SequenceData, matches: HotaMatches) -> tuple[np.ndarray, np.ndarray]:
    """The official pairing: per ground-truth id, the paired tracker id (-1: none) and its key."""
    key = official_keys(seq)
    ok = matches.at(PAIR_ALPHA)
    m_frame, m_pos, m_tr = matches.frame[ok], matches.gt_pos[ok], matches.tr_id[ok]
    rows = np.flatnonzero(key[seq.gt_id] >= 0) if len(seq.gt_id) else np.zeros(0, np.int64)
    if len(m_frame) == 0 or len(rows) == 0:
        return np.full(len(key), -1, np.int64), key
    # the matched rows (frame, position) in ascending order: matches come frame by frame, row by row
    width = int(np.diff(seq.gt_ptr).max()) + 1
    code = m_frame * width + m_pos
    frame = seq.gt_frame[rows]
    want = frame * width + key[seq.gt_id[rows]]
    at = np.minimum(np.searchsorted(code, want), len(code) - 1)
    hit = code[at] == want                       # row `key` of this frame is matched at alpha 0.5
    voter, frame = seq.gt_id[rows[hit]], frame[hit]
    # every match of a selected frame votes, in frame order then row order
    lo = np.searchsorted(m_frame, frame, "left")
    n = np.searchsorted(m_frame, frame, "right") - lo
    idx = np.repeat(lo - (np.cumsum(n) - n), n) + np.arange(int(n.sum()))
    best = _most_votes(np.repeat(voter, n), m_tr[idx], seq.num_gt_ids, seq.num_tracker_ids)
    return best, key


def pair_strict(seq: SequenceData, matches: HotaMatches) -> np.ndarray:
    """Per ground-truth id, the tracker id matched to it in the most frames at alpha 0.5 (ties:
    matched first); -1 for none."""
    ok = matches.at(PAIR_ALPHA)
    return _most_votes(matches.gt_id[ok], matches.tr_id[ok], seq.num_gt_ids, seq.num_tracker_ids)


def unpaired_reason(gid: int, best: np.ndarray, key: np.ndarray | None, has_pred: bool) -> str | None:
    """Why ground-truth id ``gid`` (-1: a track without boxes) is unpaired; None if paired.
    ``key`` is the official keys (None: strict protocol)."""
    if not has_pred:
        return "no_prediction"
    if gid < 0:
        return "no_gt_box"
    if best[gid] >= 0:
        return None
    if key is None:
        return "never_matched"
    return "no_shared_frame" if key[gid] < 0 else "key_row_unmatched"
