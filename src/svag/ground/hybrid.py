"""The hybrid grounder: the kinematic grounder finds tracks and windows, the learned model
verifies them (a :class:`~svag.ground.base.Verifier` second stage).

Each track the kinematic grounder matches keeps its windows, scored by the kinematic score times
the learned model's track score (:class:`LearnedVerifier`); tracks whose product falls below
``threshold`` are dropped. On the SVAG-Bench MOT17 training videos (leave-one-video-out, real
tracker tracks, official protocol) this beats both parts on m-HIoU: the learned model ranks
tracks better, the kinematic windows are closer to the annotated ones.
"""
from __future__ import annotations

import os
from typing import Sequence

from svag.ground.base import Grounding, GroundingResult, Scene, VerifiedGrounder
from svag.ground.kinematic import KinematicGrounder
from svag.ground.learned import LearnedGrounder
from svag.ground.policy import OutputPolicy


class LearnedVerifier:
    """Multiplies each grounding's score (and its windows' scores) by the learned model's track
    score for the query; keeps those reaching ``threshold``, best first."""

    name = "learned-verifier"

    def __init__(self, learned: LearnedGrounder | None = None, threshold: float = 0.1,
                 checkpoint: str | os.PathLike | None = None) -> None:
        self.learned = learned if learned is not None else LearnedGrounder(checkpoint)
        self.policy = OutputPolicy(threshold=threshold)
        self.requires = self.learned.requires

    def prepare_texts(self, texts: Sequence[str]) -> None:
        self.learned.prepare_texts(texts)

    def verify(self, scene: Scene, result: GroundingResult) -> GroundingResult:
        if not result.groundings:
            return result
        _, scores, _ = self.learned.relevance(scene, result.text)
        learned = {t.track_id: float(s) for t, s in zip(scene.tracks, scores)}
        out = []
        for g in result.groundings:
            s = g.score * learned.get(g.track.track_id, 0.0)
            w = g.windows.copy()
            w[:, 2] *= s / max(g.score, 1e-9)
            out.append(Grounding(g.track, s, w))
        return GroundingResult(result.query, self.policy.select(out), result.notes)


class HybridGrounder(VerifiedGrounder):
    def __init__(self, checkpoint: str | os.PathLike | None = None, threshold: float = 0.1,
                 learned: LearnedGrounder | None = None, kinematic: KinematicGrounder | None = None) -> None:
        super().__init__(kinematic if kinematic is not None else KinematicGrounder(),
                         LearnedVerifier(learned, threshold, checkpoint), name="hybrid")
        self.learned = self.verifier.learned      # type: ignore[attr-defined]
        self.kinematic = self.grounder
