"""Identity metrics (Ristani et al., 2016: IDF1, IDR, IDP) exactly as TrackEval's
``metrics/identity.py``.

Conventions
-----------
* A gt box and a tracker box of the same timestep count as a potential identity match when
  ``IoU >= 0.5`` (no epsilon, unlike CLEAR).
* One global assignment between gt ids and tracker ids maximises the number of potential
  matches of the assigned id pairs (IDTP); every other gt box is an IDFN, every other tracker
  box an IDFP. TrackEval solves the same problem as a square min-cost assignment over ids
  plus dummies; the optimum (and so every count) is the same.
* :func:`identity_sequence` returns counts, :func:`combine_identity` sums them and
  :func:`identity_fields` derives IDF1/IDR/IDP in **percent**. Nothing is rounded.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from svag.eval.sequence import SequenceData

THRESHOLD = 0.5
COUNT_FIELDS = ("IDTP", "IDFN", "IDFP")


def identity_sequence(seq: SequenceData, threshold: float = THRESHOLD) -> dict[str, int]:
    """IDTP, IDFN and IDFP of one sequence."""
    if seq.num_tracker_dets == 0:
        return {"IDTP": 0, "IDFN": seq.num_gt_dets, "IDFP": 0}
    if seq.num_gt_dets == 0:
        return {"IDTP": 0, "IDFN": 0, "IDFP": seq.num_tracker_dets}
    eg, et, _ = seq.edges(threshold)
    idtp = 0
    if len(eg):
        # potential matches per (gt id, tracker id), over the ids that have any
        cell = seq.gt_id[eg] * seq.num_tracker_ids + seq.tr_id[et]
        cells, counts = np.unique(cell, return_counts=True)
        ug, gi = np.unique(cells // seq.num_tracker_ids, return_inverse=True)
        ut, ti = np.unique(cells % seq.num_tracker_ids, return_inverse=True)
        potential = np.zeros((len(ug), len(ut)))
        potential[gi, ti] = counts
        rows, cols = linear_sum_assignment(potential, maximize=True)
        idtp = int(potential[rows, cols].sum())
    return {"IDTP": idtp, "IDFN": seq.num_gt_dets - idtp, "IDFP": seq.num_tracker_dets - idtp}


def combine_identity(parts: list[dict[str, int]]) -> dict[str, int]:
    """Sum the counts of several sequences."""
    return {k: int(sum(p[k] for p in parts)) for k in COUNT_FIELDS}


def identity_fields(counts: dict[str, int]) -> dict[str, float]:
    """IDF1, IDR, IDP in percent, with the counts."""
    tp, fn, fp = counts["IDTP"], counts["IDFN"], counts["IDFP"]
    out = {
        "IDF1": 100.0 * (tp / max(1.0, tp + 0.5 * fp + 0.5 * fn)),
        "IDR": 100.0 * (tp / max(1.0, tp + fn)),
        "IDP": 100.0 * (tp / max(1.0, tp + fp)),
    }
    out.update({k: int(counts[k]) for k in COUNT_FIELDS})
    return out
