"""Post-processing of finished tracks: linear interpolation over short gaps."""
from __future__ import annotations

import numpy as np

from svag.core.types import Detections


def interpolate_gaps(tracks: Detections, max_gap: int) -> Detections:
    """Fill gaps of at most ``max_gap`` missing frames inside each track by linear
    interpolation of box (and score) between the boxes on either side. Rows with id -1 are left
    alone. Returns a new table sorted by frame, then id."""
    if max_gap < 1 or len(tracks) == 0:
        return tracks
    order = np.lexsort((tracks.frames, tracks.ids))
    ids, frames, boxes = tracks.ids[order], tracks.frames[order], tracks.boxes[order]
    scores = tracks.scores[order] if tracks.scores is not None else None
    step = np.diff(frames)
    gap = np.flatnonzero((ids[1:] == ids[:-1]) & (ids[:-1] != -1) & (step > 1) & (step <= max_gap + 1))
    if len(gap) == 0:
        return tracks
    missing = step[gap] - 1                                  # frames to fill after row gap[i]
    src = np.repeat(gap, missing)
    offset = np.arange(int(missing.sum())) - np.repeat(np.cumsum(missing) - missing, missing) + 1
    t = (offset / np.repeat(step[gap], missing))[:, None]
    new_boxes = boxes[src] * (1 - t) + boxes[src + 1] * t
    new_scores = None if scores is None else scores[src] * (1 - t[:, 0]) + scores[src + 1] * t[:, 0]
    all_frames = np.concatenate([frames, frames[src] + offset])
    all_ids = np.concatenate([ids, ids[src]])
    final = np.lexsort((all_ids, all_frames))
    return Detections(all_frames[final], all_ids[final], np.concatenate([boxes, new_boxes])[final],
                      None if scores is None else np.concatenate([scores, new_scores])[final],  # type: ignore[list-item]
                      num_frames=tracks.num_frames, source=tracks.source)
