"""The result object every evaluation protocol returns."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class EvalResult:
    """Metric values, unrounded. Ratios are percentages (0-100); counts are plain numbers.

    ``datasets`` maps a dataset name (svag protocols) or a sequence name (mot protocol) to its
    metrics; ``mean`` holds the combination over them (mean over datasets for the svag
    protocols, TrackEval's COMBINED for mot). ``per_query`` has one row per scored unit (query or
    sequence) for diagnosis; ``notes`` lists what a user should know about the input.
    """

    protocol: str
    mean: dict[str, float]
    datasets: dict[str, dict[str, float]]
    per_query: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    official: dict[str, Any] | None = None   # svag protocol: the numbers exactly as SVAGEval prints them

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"protocol": self.protocol, "mean": self.mean, "datasets": self.datasets}
        if self.official is not None:
            out["official"] = self.official
        out["notes"] = self.notes
        return out
