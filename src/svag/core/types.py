"""The typed containers every layer of svag shares.

Conventions (used everywhere in svag):

* **Frames** are 1-based frame numbers, as in MOTChallenge files and SVAG temporal windows.
  Frame ``f`` of an SVAG ``spatial`` list is ``spatial[f - 1]``.
* **Boxes** are float64 ``[x, y, w, h]`` (top-left corner and size, pixels).
* **Windows** are float64 rows ``[start, end, score]``; the score is NaN when there is none
  (ground truth). Windows are kept exactly as given (no shift, clip or sort): the evaluation
  protocols decide how to read them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Hashable, Iterator, Mapping, NamedTuple, Sequence

import numpy as np

from svag.core.boxes import as_boxes, invalid_box_rows

TrackId = Hashable
QueryId = Hashable


class Window(NamedTuple):
    start: float
    end: float
    score: float | None = None


def as_windows(windows: object) -> np.ndarray:
    """(K, 3) float64 array from rows of ``[start, end]`` or ``[start, end, score]``."""
    rows = list(windows) if windows is not None else []
    out = np.full((len(rows), 3), np.nan, dtype=np.float64)
    for i, row in enumerate(rows):
        vals = list(row)
        if len(vals) not in (2, 3):
            raise ValueError(f"window {i} must be [start, end] or [start, end, score], got {row!r}")
        out[i, : len(vals)] = vals
    return out


@dataclass(frozen=True, eq=False)
class Track:
    """One object over time: boxes at some frames, optional per-box scores, optional windows."""

    track_id: TrackId
    frames: np.ndarray                 # (N,) int64, 1-based, strictly increasing
    boxes: np.ndarray                  # (N, 4) float64 xywh
    scores: np.ndarray | None = None   # (N,) float64 or None
    windows: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))  # (K, 3) start, end, score
    category: str | None = None          # what the object is ("person", "car", ...), when a detector says
    category_score: float | None = None  # confidence of ``category`` in [0, 1]
    data: Mapping[str, np.ndarray] = field(default_factory=dict)  # per-box extras, each (N, ...)

    def __post_init__(self) -> None:
        frames = np.asarray(self.frames, dtype=np.int64).reshape(-1)
        boxes = as_boxes(self.boxes)
        if len(frames) != len(boxes):
            raise ValueError(f"track {self.track_id!r}: {len(frames)} frames but {len(boxes)} boxes")
        if len(frames) > 1 and np.any(np.diff(frames) <= 0):
            i = int(np.flatnonzero(np.diff(frames) <= 0)[0]) + 1
            raise ValueError(f"track {self.track_id!r}: frames must be strictly increasing, "
                             f"frame {int(frames[i])} follows {int(frames[i - 1])}")
        if len(frames) and frames[0] < 1:
            raise ValueError(f"track {self.track_id!r}: frame numbers are 1-based, got {int(frames[0])}")
        windows = np.asarray(self.windows, dtype=np.float64)
        if windows.size == 0:
            windows = np.zeros((0, 3))
        elif windows.ndim != 2 or windows.shape[1] not in (2, 3):
            raise ValueError(f"track {self.track_id!r}: windows must have shape (K, 3), got {windows.shape}")
        elif windows.shape[1] == 2:
            windows = np.column_stack([windows, np.full(len(windows), np.nan)])
        scores = None if self.scores is None else np.asarray(self.scores, dtype=np.float64).reshape(-1)
        if scores is not None and len(scores) != len(frames):
            raise ValueError(f"track {self.track_id!r}: {len(scores)} scores for {len(frames)} boxes")
        object.__setattr__(self, "frames", frames)
        object.__setattr__(self, "boxes", boxes)
        object.__setattr__(self, "scores", scores)
        object.__setattr__(self, "windows", windows)
        object.__setattr__(self, "data", _check_extras(self.data, len(frames), f"track {self.track_id!r}"))
        if self.category_score is not None and not 0.0 <= float(self.category_score) <= 1.0:
            raise ValueError(f"track {self.track_id!r}: category_score must be in [0, 1], got {self.category_score}")

    def __len__(self) -> int:
        return len(self.frames)

    @property
    def span(self) -> tuple[int, int] | None:
        """First and last frame with a box, or None for an empty track."""
        return (int(self.frames[0]), int(self.frames[-1])) if len(self.frames) else None

    def invalid_boxes(self) -> np.ndarray:
        """Indices of boxes that are not finite or have non-positive size."""
        return invalid_box_rows(self.boxes)

    def window_list(self) -> list[Window]:
        return [Window(float(s), float(e), None if np.isnan(c) else float(c)) for s, e, c in self.windows]

    def box_at(self, frame: int) -> np.ndarray | None:
        i = int(np.searchsorted(self.frames, frame))
        return self.boxes[i] if i < len(self.frames) and self.frames[i] == frame else None

    def dense_boxes(self, length: int) -> np.ndarray:
        """(length, 4) boxes indexed by frame - 1, NaN where the track has no box."""
        out = np.full((length, 4), np.nan)
        keep = self.frames <= length
        out[self.frames[keep] - 1] = self.boxes[keep]
        return out

    @classmethod
    def from_dense(cls, track_id: TrackId, dense: Sequence[object], windows: object = None) -> "Track":
        """Build from a per-frame list (index i = frame i+1) of boxes or None."""
        frames = [i + 1 for i, b in enumerate(dense) if b is not None]
        boxes = [dense[f - 1] for f in frames]
        return cls(track_id, np.asarray(frames, dtype=np.int64), as_boxes(boxes),
                   windows=as_windows(windows) if windows is not None else np.zeros((0, 3)))


@dataclass(frozen=True, eq=False)
class Query:
    """A natural-language action query on one video, with the tracks that perform it."""

    query_id: QueryId
    text: str
    video_name: str
    video_length: int
    tracks: tuple[Track, ...] = ()
    video_id: object = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "tracks", tuple(self.tracks))

    def __iter__(self) -> Iterator[Track]:
        return iter(self.tracks)

    @property
    def num_boxes(self) -> int:
        return sum(len(t) for t in self.tracks)


@dataclass(frozen=True, eq=False)
class Dataset:
    """Queries of one dataset (e.g. MOT17, OVIS, PETS09)."""

    name: str
    queries: tuple[Query, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "queries", tuple(self.queries))

    def __iter__(self) -> Iterator[Query]:
        return iter(self.queries)

    def __len__(self) -> int:
        return len(self.queries)

    def by_id(self) -> dict[QueryId, Query]:
        return {q.query_id: q for q in self.queries}


@dataclass(frozen=True, eq=False)
class SvagData:
    """Ground truth or predictions in the SVAG format: datasets of queries of tracks."""

    datasets: tuple[Dataset, ...] = ()
    source: str | None = None   # file it was read from, for messages

    def __post_init__(self) -> None:
        object.__setattr__(self, "datasets", tuple(self.datasets))

    def __iter__(self) -> Iterator[Dataset]:
        return iter(self.datasets)

    def __len__(self) -> int:
        return len(self.datasets)

    def names(self) -> list[str]:
        return [d.name for d in self.datasets]

    def get(self, name: str) -> Dataset | None:
        for d in self.datasets:
            if d.name == name:
                return d
        return None


@dataclass(frozen=True, eq=False)
class Detections:
    """A flat table of boxes over many frames (a MOT file, a detector's output, a tracker's).

    ``ids`` is -1 for boxes without identity (detections). ``classes``, ``visibility`` and
    ``consider`` hold MOTChallenge ground-truth columns where the source has them (else None).
    """

    frames: np.ndarray                    # (N,) int64, 1-based
    ids: np.ndarray                       # (N,) int64 or object ids; -1 = none
    boxes: np.ndarray                     # (N, 4) float64 xywh
    scores: np.ndarray | None = None      # (N,) float64
    classes: np.ndarray | None = None     # (N,) int64
    visibility: np.ndarray | None = None  # (N,) float64
    consider: np.ndarray | None = None    # (N,) bool
    num_frames: int | None = None         # sequence length when known
    source: str | None = None
    extras: Mapping[str, np.ndarray] | None = None  # per-box extras ("category", "category_score", ...)

    def __post_init__(self) -> None:
        frames = np.asarray(self.frames, dtype=np.int64).reshape(-1)
        boxes = as_boxes(self.boxes)
        n = len(frames)
        if len(boxes) != n:
            raise ValueError(f"{n} frames but {len(boxes)} boxes")
        object.__setattr__(self, "frames", frames)
        object.__setattr__(self, "boxes", boxes)
        ids = np.asarray(self.ids).reshape(-1)
        if len(ids) != n:
            raise ValueError(f"{n} frames but {len(ids)} ids")
        object.__setattr__(self, "ids", ids)
        for name, dtype in (("scores", np.float64), ("classes", np.int64), ("visibility", np.float64),
                            ("consider", bool)):
            val = getattr(self, name)
            if val is not None:
                arr = np.asarray(val, dtype=dtype).reshape(-1)
                if len(arr) != n:
                    raise ValueError(f"{n} boxes but {len(arr)} {name}")
                object.__setattr__(self, name, arr)
        if self.extras is not None:
            object.__setattr__(self, "extras", _check_extras(self.extras, n, "detections"))

    def __len__(self) -> int:
        return len(self.frames)

    def subset(self, mask: np.ndarray) -> "Detections":
        def pick(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[mask]
        return Detections(self.frames[mask], self.ids[mask], self.boxes[mask], pick(self.scores),
                          pick(self.classes), pick(self.visibility), pick(self.consider),
                          self.num_frames, self.source,
                          None if self.extras is None else {k: v[mask] for k, v in self.extras.items()})

    def tracks(self) -> list[Track]:
        """Group rows by id into tracks (ids in first-appearance order, frames sorted)."""
        order = np.lexsort((self.frames, self.ids))
        ids, frames, boxes = self.ids[order], self.frames[order], self.boxes[order]
        scores = None if self.scores is None else self.scores[order]
        extras = {k: v[order] for k, v in (self.extras or {}).items()}
        cuts = np.flatnonzero(ids[1:] != ids[:-1]) + 1
        out = []
        for seg in np.split(np.arange(len(ids)), cuts):
            if len(seg) == 0:
                continue
            tid = ids[seg[0]]
            data = {k: v[seg] for k, v in extras.items()}
            category, confidence = vote_category(data.get("category"), data.get("category_score"))
            out.append(Track(tid.item() if hasattr(tid, "item") else tid, frames[seg], boxes[seg],
                             None if scores is None else scores[seg], category=category,
                             category_score=confidence, data=data))
        first = {t.track_id: int(t.frames[0]) for t in out}
        out.sort(key=lambda t: first[t.track_id])
        return out

    @classmethod
    def from_tracks(cls, tracks: Sequence[Track], num_frames: int | None = None) -> "Detections":
        if not tracks:
            return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 4)), num_frames=num_frames)
        frames = np.concatenate([t.frames for t in tracks])
        ids = np.concatenate([np.full(len(t), t.track_id) for t in tracks])
        boxes = np.concatenate([t.boxes for t in tracks])
        has_scores = all(t.scores is not None for t in tracks)
        scores = np.concatenate([t.scores for t in tracks]) if has_scores else None  # type: ignore[misc]
        keys = set.intersection(*(set(t.data) for t in tracks))
        order = np.argsort(frames, kind="stable")
        extras = {k: np.concatenate([t.data[k] for t in tracks])[order] for k in sorted(keys)}
        return cls(frames[order], ids[order], boxes[order], None if scores is None else scores[order],
                   num_frames=num_frames, extras=extras or None)


def _check_extras(extras: Mapping[str, object] | None, n: int, what: str) -> dict[str, np.ndarray]:
    """Per-box extras as a dict of arrays with ``n`` rows each."""
    out: dict[str, np.ndarray] = {}
    for key, value in (extras or {}).items():
        arr = np.asarray(value)
        if arr.ndim == 0 or len(arr) != n:
            raise ValueError(f"{what}: extra {key!r} must have one row per box ({n}), got shape {arr.shape}")
        out[str(key)] = arr
    return out


def vote_category(names: np.ndarray | None, scores: np.ndarray | None = None) -> tuple[str | None, float | None]:
    """A track's category from its boxes' categories: the name with the largest summed score
    (boxes without a name — ``None`` or "" — abstain); its confidence is that sum divided by the
    number of named boxes, so a track half "person" at 0.8 and half "car" gets ("person", 0.4)."""
    if names is None or len(names) == 0:
        return None, None
    names = np.asarray(names, dtype=object)
    named = np.not_equal(names, None) & np.not_equal(names, "")
    if not named.any():
        return None, None
    w = np.ones(len(names)) if scores is None else np.nan_to_num(np.asarray(scores, np.float64), nan=0.0)
    labels, inverse = np.unique(names[named].astype(str), return_inverse=True)
    totals = np.bincount(inverse, weights=w[named], minlength=len(labels))
    best = int(np.argmax(totals))
    return str(labels[best]), float(np.clip(totals[best] / named.sum(), 0.0, 1.0))
