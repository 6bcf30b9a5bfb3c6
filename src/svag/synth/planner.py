"""Random scenes: actors, occluders and, step by step, their scripts (all from one seeded RNG)."""
from __future__ import annotations

import numpy as np

from svag.synth.actors import DEPTH_MOVERS, KIND_COLORS, KINDS, PANTS, SPEEDS
from svag.synth.scene import LATERAL, OCCLUDER_KINDS, ActorSpec, Occluder, SceneSpec, Step, ActorState

KIND_WEIGHTS = {"person": 0.55, "car": 0.25, "dog": 0.2}
LEAVE_HORIZON_S = 12.0     # up to this much time left, an actor may leave at the base rate


def random_scene(rng: np.random.Generator, name: str, width: int, height: int, frames: int,
                 fps: float = 25.0, max_actors: int = 5) -> SceneSpec:
    """A scene with 2..max_actors actors (some entering from a side later on) and 0-2 occluders."""
    n = int(rng.integers(2, max(2, max_actors) + 1))
    kinds = rng.choice(KINDS, size=n, p=[KIND_WEIGHTS[k] for k in KINDS])
    actors = []
    for kind in kinds:
        kind = str(kind)
        colors = KIND_COLORS[kind]
        # a few colors more often than others, so that some queries match several actors
        w = np.linspace(2.0, 1.0, len(colors))
        color = str(rng.choice(colors, p=w / w.sum()))
        z = float(rng.uniform(0.35, 0.95) if kind == "car" else rng.uniform(0.1, 0.95))
        enters = rng.random() < 0.4
        actors.append(ActorSpec(
            kind, color, x=float(rng.uniform(0.15, 0.85)), z=z, facing=str(rng.choice(LATERAL)),
            enter=str(rng.choice(LATERAL)) if enters else None,
            start=int(rng.integers(1, max(2, frames // 2))) if enters else 1,
            pants=int(rng.integers(len(PANTS))), size=float(rng.uniform(0.9, 1.1))))
    occluders = []
    for kind in rng.permutation(OCCLUDER_KINDS)[: int(rng.choice([0, 1, 1, 2]))]:
        ow = int(rng.uniform(0.05, 0.12) * width)
        for _ in range(20):   # place without overlapping another occluder
            x0 = int(rng.integers(int(0.12 * width), int(0.88 * width) - ow))
            if all(x0 + ow < o.x0 or x0 > o.x1 for o in occluders):
                break
        else:
            continue
        top = {"pillar": (0.1, 0.3), "billboard": (0.2, 0.35), "bush": (0.72, 0.82), "wall": (0.68, 0.78)}[str(kind)]
        occluders.append(Occluder(str(kind), x0, x0 + ow, int(rng.uniform(*top) * height)))
    return SceneSpec(name, width, height, frames, fps, tuple(actors), tuple(occluders),
                     background=int(rng.integers(2**31)))


class RandomPlanner:
    """Chooses each actor's next step at random among those that make sense in its state."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def __call__(self, i: int, t: int, states: list[ActorState], scene: SceneSpec) -> Step | None:
        rng, st = self.rng, states[i]
        fps, W = scene.fps, scene.width
        kind = st.spec.kind
        sec = lambda a, b: max(2, int(round(rng.uniform(a, b) * fps)))  # noqa: E731
        gaits = tuple(SPEEDS[kind])
        gait = str(rng.choice(gaits, p=[0.75, 0.25] if len(gaits) == 2 else None))
        hw = scene.half_width(kind, st.z, st.spec.size)
        if st.x < hw + 2 or st.x > W - hw - 2:     # entering: walk in first
            return Step("move", sec(2, 5), "right" if st.x < W / 2 else "left", gait)
        remaining = scene.frames - t + 1
        room = {"left": st.x - hw - 2, "right": W - hw - 2 - st.x}
        options: list[tuple[float, Step]] = []
        for d in LATERAL:
            if room[d] > 0.15 * W:
                keep = 1.0 if d == st.lateral else 0.5
                options.append((0.4 * keep, Step("move", sec(1.5, 5), d, gait)))
        prev = st.segments[-1].action if st.segments else None
        if prev != "stand":
            options.append((0.25, Step("stand", sec(1, 3))))
        if kind in DEPTH_MOVERS:
            if st.z < 0.75:
                options.append((0.1, Step("move", sec(1.5, 4), "towards", gait)))
            if st.z > 0.3:
                options.append((0.1, Step("move", sec(1.5, 4), "away", gait)))
        if prev != "turn":
            options.append((0.05, Step("turn", max(2, int(round(0.4 * fps))))))
        others = [j for j, o in enumerate(states) if j != i and o.present and not o.gone
                  and hw + 2 < o.x < W - hw - 2]
        far = [j for j in others if abs(states[j].x - st.x) > 0.2 * W]
        if far:
            options.append((0.15, Step("approach", sec(3, 8), gait=gait, target=int(rng.choice(far)))))
        ahead = [j for j in others if states[j].last_dx != 0 and (states[j].x - st.x) * states[j].last_dx > 0
                 and abs(states[j].x - st.x) > 3 * hw]
        if ahead:
            options.append((0.2, Step("follow", sec(2, 6), gait=gait, target=int(rng.choice(ahead)))))
        # leaving is an occasional event of a ~12 s clip; in a longer video it gets rarer in
        # proportion to the time left, so that the actors act for the whole requested length
        # (a 12000-frame video is not empty after its first 3000 frames)
        horizon = LEAVE_HORIZON_S * fps
        leave_w = (0.05 * min(1.0, horizon / remaining)) if remaining > 4 * fps else 0.3
        alone = not any(o.present and not o.gone for j, o in enumerate(states) if j != i)
        if alone and remaining > horizon:           # the last actor in view stays while much time is left
            leave_w = 0.0
        side = "left" if st.x < W / 2 else "right"
        if leave_w > 0:
            options.append((leave_w, Step("leave", scene.frames, side, gait)))
        p = np.array([w for w, _ in options])
        return options[int(rng.choice(len(options), p=p / p.sum()))][1]
