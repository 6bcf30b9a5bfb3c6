"""Wall-clock seconds per pipeline stage and the number of frames processed (one type for the
tracking run and the grounding pipeline)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable


@dataclass
class StageTimings:
    seconds: dict[str, float] = field(default_factory=dict)
    frames: int = 0

    @classmethod
    def of(cls, stages: Iterable[str]) -> "StageTimings":
        """Timings with these stages at zero (so that they are reported even when unused)."""
        return cls({s: 0.0 for s in stages})

    def add(self, stage: str, dt: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + dt

    def merge(self, other: "StageTimings") -> None:
        for stage, dt in other.seconds.items():
            self.add(stage, dt)
        self.frames += other.frames

    def fps(self, stage: str | None = None) -> float:
        """Frames per second of one stage, or of all stages together (``None``)."""
        t = sum(self.seconds.values()) if stage is None else self.seconds[stage]
        return self.frames / t if t > 0 else float("inf")

    def rates(self) -> dict[str, float]:
        """Frames per second of each stage."""
        return {s: self.fps(s) for s in self.seconds}

    def to_json(self) -> dict[str, Any]:
        return {"frames": self.frames, "seconds": dict(self.seconds), "fps": {**self.rates(), "total": self.fps()}}
