"""A prediction that reproduces the ground truth exactly (for tests and demos)."""
from __future__ import annotations

import numpy as np

from svag.core.types import Dataset, Query, SvagData, Track


def perfect_prediction(gt: SvagData, score: float = 1.0) -> SvagData:
    """Predictions equal to ``gt``: the same tracks and boxes (box score ``score``) and each gt
    window ``[s, e]`` as ``[s, e, score]``. Windows are copied as they are; how frames map to
    time is left to the evaluation protocol."""
    def track(t: Track) -> Track:
        wins = t.windows.copy()
        wins[:, 2] = score
        return Track(t.track_id, t.frames.copy(), t.boxes.copy(), np.full(len(t), score, dtype=np.float64),
                     windows=wins)

    return SvagData(tuple(
        Dataset(d.name, tuple(Query(q.query_id, q.text, q.video_name, q.video_length,
                                    tuple(track(t) for t in q.tracks), video_id=q.video_id)
                              for q in d.queries))
        for d in gt.datasets), source=None)
