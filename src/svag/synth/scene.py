"""Scenes: actors, their scripts of actions, static occluders; and the frame-by-frame simulation.

A script is a list of :class:`Step` (move, stand, turn, approach, follow, leave). The simulation
turns the steps into per-frame positions and labels (:class:`ActorMotion`) and records what was
actually done as :class:`Segment` (1-based, inclusive frames), which is the ground truth the
queries are generated from. Rules the simulation enforces:

* a lateral step against the actor's current side view is preceded by a turn-around segment;
* a lateral move stops at the frame border (the actor stays fully inside) unless it is a
  ``leave`` step, which goes on until the actor is out of the frame, after which it is gone;
* an actor that ``enter``s starts just outside its side and its first step must move inwards;
* ``approach`` ends when the actor reaches its target (or would pass it); ``follow`` ends when
  the target stops moving that way or leaves;
* when a script is exhausted the actor asks the planner for more steps (random scenes) or
  stands still until the end (explicit scenes).

Depth ``z`` runs from 0 (far, near the horizon) to 1 (close to the camera); it sets the foot
row and the drawing scale.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from svag.synth.actors import DEPTH_MOVERS, KIND_COLORS, KINDS, SIZES, SPEEDS, Pose

ACTIONS = ("move", "stand", "turn", "approach", "follow", "leave")
LATERAL = ("left", "right")
DEPTH_DIRS = ("towards", "away")
OCCLUDER_KINDS = ("pillar", "billboard", "bush", "wall")


@dataclass(frozen=True)
class Step:
    action: str                   # one of ACTIONS
    frames: int                   # duration; move/approach/follow/leave may end earlier
    direction: str | None = None  # move: left/right/towards/away; leave: left/right
    gait: str | None = None       # walk/run (person, dog), drive (car); default: the kind's first
    target: int | None = None     # approach/follow: index of the other actor

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"step action must be one of {', '.join(ACTIONS)}, got {self.action!r}")
        if self.frames < 1:
            raise ValueError(f"step {self.action!r}: frames must be >= 1, got {self.frames}")
        if self.action in ("move", "leave") and self.direction is None:
            raise ValueError(f"step {self.action!r} needs a direction")
        if self.action in ("approach", "follow") and self.target is None:
            raise ValueError(f"step {self.action!r} needs a target actor")


@dataclass(frozen=True)
class ActorSpec:
    kind: str
    color: str
    x: float = 0.5                 # initial foot x, fraction of the width (ignored when entering)
    z: float = 0.5                 # initial depth
    facing: str = "right"          # initial view: left/right/front/back
    enter: str | None = None       # "left"/"right": starts just outside that side of the frame
    start: int = 1                 # first frame the actor exists
    script: tuple[Step, ...] = ()
    pants: int = 0                 # person: index of the trousers color
    size: float = 1.0              # size factor (variation between actors of a kind)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"actor kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.color not in KIND_COLORS[self.kind]:
            raise ValueError(f"a {self.kind} can be {', '.join(KIND_COLORS[self.kind])}; got {self.color!r}")
        object.__setattr__(self, "script", tuple(self.script))


@dataclass(frozen=True)
class Occluder:
    """A static object drawn in front of every actor, from row ``y0`` to the bottom of the frame."""

    kind: str      # pillar, billboard, bush, wall
    x0: int
    x1: int        # exclusive
    y0: int


@dataclass(frozen=True)
class SceneSpec:
    name: str
    width: int
    height: int
    frames: int
    fps: float = 25.0
    actors: tuple[ActorSpec, ...] = ()
    occluders: tuple[Occluder, ...] = ()
    background: int = 0            # seed of the background drawing

    def __post_init__(self) -> None:
        object.__setattr__(self, "actors", tuple(self.actors))
        object.__setattr__(self, "occluders", tuple(self.occluders))
        if self.frames < 1 or self.width < 16 or self.height < 16:
            raise ValueError(f"scene {self.name!r}: need frames >= 1 and a size of at least 16x16, "
                             f"got {self.frames} frames at {self.width}x{self.height}")

    # --- geometry shared by simulation, rendering and the planner ---
    def foot_y(self, z: float) -> float:
        return self.height * (0.52 + 0.45 * z)

    def scale(self, z: float, size: float = 1.0) -> float:
        return self.height / 360.0 * (0.45 + 0.55 * z) * size

    def half_width(self, kind: str, z: float, size: float = 1.0) -> float:
        return SIZES[kind][0] * self.scale(z, size)


@dataclass(frozen=True)
class Segment:
    """One executed action: 1-based inclusive frames."""

    action: str
    start: int
    end: int
    direction: str | None = None
    gait: str | None = None
    target: int | None = None


@dataclass
class ActorMotion:
    """Per-frame state of one actor (arrays indexed by frame - 1)."""

    spec: ActorSpec
    present: np.ndarray          # bool: exists in the world (may still be outside the frame)
    x: np.ndarray
    y: np.ndarray
    scale: np.ndarray
    view: np.ndarray             # "left", "right", "front", "back" ("" when absent)
    phase: np.ndarray
    motion: np.ndarray           # "stand", "turn", "walk", "run", "drive" ("" when absent)
    direction: np.ndarray        # "left", "right", "towards", "away" or ""
    segment: np.ndarray          # index into segments, -1 when absent
    segments: list[Segment] = field(default_factory=list)

    def pose(self, frame: int) -> Pose | None:
        i = frame - 1
        if not self.present[i]:
            return None
        return Pose(float(self.x[i]), float(self.y[i]), float(self.scale[i]), str(self.view[i]),
                    float(self.phase[i]), self.motion[i] in ("walk", "run", "drive"))


# planner(actor index, frame, the states of all actors, scene) -> next Step, or None to stand still
Planner = Callable[[int, int, list["ActorState"], SceneSpec], "Step | None"]


@dataclass
class ActorState:
    """Mutable simulation state of one actor."""

    spec: ActorSpec
    x: float
    z: float
    view: str
    lateral: str                 # last side view: left/right
    phase: float = 0.0
    present: bool = False
    gone: bool = False
    script: list[Step] = field(default_factory=list)
    step: Step | None = None
    seg_start: int = 0
    seg_dir: str | None = None
    seg_gait: str | None = None
    elapsed: int = 0
    last_dx: float = 0.0         # displacement of the previous frame (follow uses it)
    segments: list[Segment] = field(default_factory=list)


def _speed(scene: SceneSpec, st: ActorState, gait: str) -> float:
    return SPEEDS[st.spec.kind][gait] * scene.scale(st.z, st.spec.size) * 25.0 / scene.fps


def _gait(st: ActorState, step: Step) -> str:
    gaits = tuple(SPEEDS[st.spec.kind])
    return step.gait if step.gait in gaits else gaits[0]


def _lateral_dir(st: ActorState, step: Step, states: list[ActorState]) -> str | None:
    if step.action in ("move", "leave"):
        return step.direction
    tgt = states[step.target] if step.target is not None and 0 <= step.target < len(states) else None
    if tgt is None or not tgt.present or tgt.gone:
        return None
    if step.action == "approach":
        return "right" if tgt.x > st.x else "left"
    if tgt.last_dx == 0:
        return None
    return "right" if tgt.last_dx > 0 else "left"


class Simulation:
    """Runs a scene; :meth:`run` returns one :class:`ActorMotion` per actor."""

    def __init__(self, scene: SceneSpec, planner: Planner | None = None) -> None:
        self.scene, self.planner = scene, planner

    def run(self) -> list[ActorMotion]:
        sc, n, F = self.scene, len(self.scene.actors), self.scene.frames
        states = [self._initial(a) for a in sc.actors]
        out = [ActorMotion(a, np.zeros(F, bool), np.zeros(F), np.zeros(F), np.zeros(F),
                           np.full(F, "", dtype="<U5"), np.zeros(F), np.full(F, "", dtype="<U5"),
                           np.full(F, "", dtype="<U7"), np.full(F, -1, np.int64)) for a in sc.actors]
        for t in range(1, F + 1):
            dxs = []
            for i in range(n):
                dxs.append(self._advance(i, t, states))
            for i, st in enumerate(states):
                st.last_dx = dxs[i]
                self._record(out[i], st, t)
        for i, st in enumerate(states):
            self._close(st, F)
            out[i].segments = st.segments
        return out

    def _initial(self, a: ActorSpec) -> ActorState:
        sc = self.scene
        if a.enter in LATERAL:
            hw = sc.half_width(a.kind, a.z, a.size)
            x = -hw - 2 if a.enter == "left" else sc.width + hw + 2
            view = "right" if a.enter == "left" else "left"
        elif a.enter is None:
            x, view = a.x * sc.width, a.facing
        else:
            raise ValueError(f"enter must be 'left', 'right' or None, got {a.enter!r}")
        lateral = view if view in LATERAL else "right"
        return ActorState(a, x, a.z, view, lateral, script=list(a.script))

    # --- one frame of one actor ---
    def _advance(self, i: int, t: int, states: list[ActorState]) -> float:
        st = states[i]
        if st.gone or t < st.spec.start:
            st.present = False
            return 0.0
        st.present = True
        if st.step is None:
            self._next_step(i, t, states)
        assert st.step is not None
        dx, done = self._apply(st, t, states)
        st.elapsed += 1
        if done or st.elapsed >= st.step.frames:
            self._close(st, t)
        return dx

    def _next_step(self, i: int, t: int, states: list[ActorState]) -> None:
        st = states[i]
        step = st.script.pop(0) if st.script else (self.planner(i, t, states, self.scene) if self.planner else None)
        if step is None:
            step = Step("stand", self.scene.frames)
        d = _lateral_dir(st, step, states) if step.action != "turn" else None
        if step.action in ("approach", "follow") and d is None:
            step = Step("stand", max(1, min(step.frames, int(self.scene.fps))))
        if d in LATERAL and st.view in LATERAL and d != st.view and step.action != "turn":
            st.script.insert(0, step)          # turn first, then do the step
            step = Step("turn", max(2, int(round(0.4 * self.scene.fps))))
        st.step, st.seg_start, st.elapsed, st.seg_dir = step, t, 0, d
        st.seg_gait = _gait(st, step) if step.action not in ("stand", "turn") else None

    def _close(self, st: ActorState, t: int) -> None:
        if st.step is None:
            return
        s = st.step
        st.segments.append(Segment(s.action, st.seg_start, t, st.seg_dir if s.action != "turn" else None,
                                   st.seg_gait, s.target))
        if s.action == "turn":
            st.lateral = "left" if st.lateral == "right" else "right"
            st.view = st.lateral
        st.step = None

    def _apply(self, st: ActorState, t: int, states: list[ActorState]) -> tuple[float, bool]:
        """Move ``st`` by one frame of its step; returns (x displacement, step finished)."""
        sc, step = self.scene, st.step
        assert step is not None
        if step.action == "stand":
            return 0.0, False
        if step.action == "turn":
            k = st.elapsed / max(1, step.frames - 1)
            new = "left" if st.lateral == "right" else "right"
            if st.spec.kind == "person" and 1 / 3 <= k < 2 / 3:
                st.view = "front"
            else:
                st.view = st.lateral if k < 0.5 else new
            return 0.0, False
        gait = _gait(st, step)
        v = _speed(sc, st, gait)
        st.phase += (0.45 if gait == "run" else 0.25) * 25.0 / sc.fps
        if st.seg_dir in DEPTH_DIRS:
            return 0.0, self._move_depth(st, gait)
        d = _lateral_dir(st, step, states) if step.action in ("approach", "follow") else st.seg_dir
        if d != st.seg_dir:
            return 0.0, True                   # the target turned, stopped, left or was passed
        st.view = st.lateral = d  # type: ignore[assignment]
        sign = 1.0 if d == "right" else -1.0
        hw = sc.half_width(st.spec.kind, st.z, st.spec.size)
        if step.action == "approach":
            tgt = states[step.target]  # type: ignore[index]
            reach = 0.5 * (hw + sc.half_width(tgt.spec.kind, tgt.z, tgt.spec.size))
            gap = abs(tgt.x - st.x) - reach
            if gap <= v:
                st.x += sign * max(gap, 0.0)
                return sign * max(gap, 0.0), True
        elif step.action == "follow":
            tgt = states[step.target]  # type: ignore[index]
            if (tgt.x - st.x) * sign <= 0:
                return 0.0, True               # the target is no longer ahead
            gap = abs(tgt.x - st.x) - 2.0 * hw
            if gap < 0:
                v = min(v, abs(tgt.last_dx))
        new_x = st.x + sign * v
        if step.action != "leave":
            lo, hi = hw + 2, sc.width - hw - 2
            if sign > 0 and st.x <= hi < new_x or sign < 0 and st.x >= lo > new_x:
                new_x = hi if sign > 0 else lo
                dx, st.x = new_x - st.x, new_x
                return dx, True
        else:
            if (sign < 0 and new_x < -hw - 2) or (sign > 0 and new_x > sc.width + hw + 2):
                st.x = new_x
                st.gone = True
                return sign * v, True
        st.x = new_x
        return sign * v, False

    def _move_depth(self, st: ActorState, gait: str) -> bool:
        dz = (0.009 if gait == "run" else 0.004) * 25.0 / self.scene.fps
        st.view = "front" if st.seg_dir == "towards" else "back"
        st.z += dz if st.seg_dir == "towards" else -dz
        if st.z >= 0.98 or st.z <= 0.02:
            st.z = min(max(st.z, 0.02), 0.98)
            return True
        return False

    def _record(self, m: ActorMotion, st: ActorState, t: int) -> None:
        i = t - 1
        if not st.present:
            return
        m.present[i] = True
        m.x[i], m.y[i] = st.x, self.scene.foot_y(st.z)
        m.scale[i] = self.scene.scale(st.z, st.spec.size)
        m.view[i], m.phase[i] = st.view, st.phase
        seg = st.step if st.step is not None else None
        if seg is None:   # the step ended this frame: its segment is the last one
            last = st.segments[-1]
            action, d, gait = last.action, last.direction, last.gait
            m.segment[i] = len(st.segments) - 1
        else:
            action, d, gait = seg.action, st.seg_dir, st.seg_gait
            m.segment[i] = len(st.segments)
        m.motion[i] = action if action in ("stand", "turn") else (gait or "")
        m.direction[i] = d if action not in ("stand", "turn") and d else ""


def simulate(scene: SceneSpec, planner: Planner | None = None) -> list[ActorMotion]:
    """Run ``scene``; actors whose script runs out ask ``planner`` (or stand still)."""
    for a in scene.actors:
        if a.kind not in DEPTH_MOVERS:
            bad = [s for s in a.script if s.action == "move" and s.direction in DEPTH_DIRS]
            if bad:
                raise ValueError(f"a {a.kind} moves only left or right, got a step {bad[0]}")
    return Simulation(scene, planner).run()

