"""The learned grounder's input: every track's step features over the whole video
(:func:`svag.ground.learned_data.scene_step_features`, 5 steps/s)."""
from __future__ import annotations

from typing import Any

from svag.core.scene import Scene


class StepEncoder:
    name = "learned-steps"

    def params(self) -> dict[str, Any]:
        from svag.ground.learned_data import FEATURE_SPEC
        return {"spec": FEATURE_SPEC}

    def encode(self, scene: Scene) -> Any:
        from svag.ground.learned_data import scene_step_features
        return scene_step_features(scene)
