"""The result object every evaluation protocol returns, and the per-query records of the SVAG
protocols."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple


class TrackPair(NamedTuple):
    """A ground-truth track of a query and the predicted track it was paired with.

    ``reason`` says why ``pred_track_id`` is None (a key of
    :data:`svag.eval.svag_pairing.UNPAIRED_REASONS`); it is None when the track is paired."""

    gt_track_id: Any
    pred_track_id: Any | None
    reason: str | None


class ComparedWindows(NamedTuple):
    """The two windows one recall measure compared for a query, and their IoU.

    ``measure`` is ``"R1"`` (also read by mIoU), ``"R5"`` or ``"R10"``. Windows are
    ``(start, end)`` intervals as compared: ground-truth windows ``[s, e]`` (1-based, inclusive)
    as ``(s - 1, e)``; predicted windows as given (official) or as ``(s - 1, e)`` (strict). A
    window is None when its side has none (the IoU is then 0)."""

    measure: str
    gt_track_id: Any
    pred_track_id: Any | None
    pred_window: tuple[float, float] | None
    gt_window: tuple[float, float] | None
    iou: float


@dataclass
class QueryRecord:
    """What one query scored under a SVAG protocol, and why.

    ``hota``, ``det_a``, ``ass_a``: the query's own HOTA, DetA, AssA (percent, as TrackEval's
    per-sequence table). ``pairs``: one :class:`TrackPair` per ground-truth track, in
    ground-truth order. ``scored``: whether the query enters the temporal metrics. ``r1_iou``:
    the IoU that R1 and mIoU read (official: the query's one comparison; strict: the mean over
    its ground-truth tracks), None when not scored. ``compared_windows``: the windows R1, R5 and
    R10 compared (official: three entries, the query's last paired prediction against its last
    ground-truth track; strict: three per ground-truth track with windows). ``ap``: the query's
    AP at the thresholds 0.10, 0.15, ..., 0.95 (fractions; strict: the mean over its tracks),
    None when the query has no AP."""

    dataset: str
    query_id: Any
    video_name: str
    query: str
    gt_tracks: int
    pred_tracks: int
    hota: float
    det_a: float
    ass_a: float
    pairs: list[TrackPair] = field(default_factory=list)
    scored: bool = False
    r1_iou: float | None = None
    compared_windows: list[ComparedWindows] = field(default_factory=list)
    ap: tuple[float, ...] | None = None

    def pair_of(self, gt_track_id: Any) -> Any | None:
        """The predicted track id paired with ``gt_track_id`` (None: unpaired)."""
        for p in self.pairs:
            if p.gt_track_id == gt_track_id:
                return p.pred_track_id
        raise KeyError(f"query {self.query_id!r} has no ground-truth track {gt_track_id!r}")

    def to_row(self) -> dict[str, Any]:
        """A flat dict (``svag eval --per-query``): scalars, plus ``pairs`` as ``[gt, pred,
        reason]`` triples, ``windows`` as one dict per compared pair and ``AP`` as a list."""
        return {"dataset": self.dataset, "query_id": self.query_id, "video_name": self.video_name,
                "query": self.query, "gt_tracks": self.gt_tracks, "pred_tracks": self.pred_tracks,
                "HOTA": self.hota, "DetA": self.det_a, "AssA": self.ass_a, "scored": self.scored,
                "R1_IoU": self.r1_iou, "pairs": [list(p) for p in self.pairs],
                "windows": [w._asdict() for w in self.compared_windows],
                "AP": list(self.ap) if self.ap is not None else None}


@dataclass
class EvalResult:
    """Metric values, unrounded. Ratios are percentages (0-100); counts are plain numbers.

    ``datasets`` maps a dataset name (svag protocols) or a sequence name (mot protocol) to its
    metrics; ``mean`` holds the combination over them (mean over datasets for the svag
    protocols, TrackEval's COMBINED for mot). ``per_query`` has one entry per scored unit for
    diagnosis: a :class:`QueryRecord` per query (svag protocols) or a dict per sequence (mot);
    :meth:`rows` flattens them. ``notes`` lists what a user should know about the input.
    """

    protocol: str
    mean: dict[str, float]
    datasets: dict[str, dict[str, float]]
    per_query: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    official: dict[str, Any] | None = None   # svag protocol: the numbers exactly as SVAGEval prints them

    def rows(self) -> list[dict[str, Any]]:
        """``per_query`` as flat dicts (CSV / JSON lines)."""
        return [r.to_row() if isinstance(r, QueryRecord) else r for r in self.per_query]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"protocol": self.protocol, "mean": self.mean, "datasets": self.datasets}
        if self.official is not None:
            out["official"] = self.official
        out["notes"] = self.notes
        return out
