"""Queries from scripts: predicates over the simulated labels, subjects, and several phrasings.

A query is a (predicate, subject) pair. Its ground truth is every actor that matches the subject
and satisfies the predicate at some frame where it has a box, with the runs of such frames as
windows (1-based, inclusive). Predicates (per frame; ``fps`` frames = one second):

=================  ===================================================================
``move:D``         moving (any gait) in direction D (left, right, towards, away)
``gait:G:D``       walking or running (G) in direction D (people and dogs)
``stand``          standing still
``stop``           standing still after having moved (the stand that follows a movement)
``start``          the first second of a movement that follows a stand
``turn``           turning around
``enter:S``        from its first appearance while it still touches side S of the frame
``leave:S``        its last frames, touching side S, before it is gone for good
``behind:K``       moving sideways while occluder K covers part of it
``approach:J``     walking up to actor J (J must be the only one of its kind and color)
``follow:J``       following actor J (same condition)
=================  ===================================================================

Subjects are a kind ("a person", "someone", "a vehicle", "an animal") or a kind and a color
("the person in red", "the blue car"); a kind-only subject may match several actors.
Queries that match nobody are generated on purpose (their ``tracks`` are empty).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from svag.synth.actors import DEPTH_MOVERS, KIND_COLORS, KINDS, SPEEDS
from svag.synth.scene import ActorMotion, SceneSpec

MOVING = ("walk", "run", "drive")
FAMILIES = ("move", "gait", "stand", "stop", "start", "turn", "enter", "leave", "behind", "approach", "follow")

SUBJECTS = {
    "person": (["a person", "someone", "a pedestrian", "somebody"],
               ["the person in {c}", "someone wearing {c}", "a person in a {c} shirt", "the pedestrian in {c}"]),
    "car": (["a car", "a vehicle"], ["the {c} car", "a {c} car", "the {c} vehicle"]),
    "dog": (["a dog", "an animal"], ["the {c} dog", "a {c} dog"]),
}
TARGETS = {"person": "the person in {c}", "car": "the {c} car", "dog": "the {c} dog"}
_SIDE = {"left": "left", "right": "right"}
_DIR = {
    "left": ["is heading left", "heading left", "moves to the left", "is going to the left"],
    "right": ["is heading right", "heading right", "moves to the right", "is going to the right"],
    "towards": ["comes towards the camera", "is moving towards the camera", "heading towards the camera"],
    "away": ["moves away from the camera", "is going away from the camera", "heading into the distance"],
}
_DRIVE = {"left": ["drives to the left", "is driving left"], "right": ["drives to the right", "is driving right"]}
_GAIT = {
    "walk": {"left": ["walks to the left", "walking left", "is walking to the left"],
             "right": ["walks to the right", "walking right", "is walking to the right"],
             "towards": ["walks towards the camera"], "away": ["walks away from the camera"]},
    "run": {"left": ["runs to the left", "running left", "is running to the left"],
            "right": ["runs to the right", "running right", "is running to the right"],
            "towards": ["runs towards the camera"], "away": ["runs away from the camera"]},
}
_PLAIN = {
    "stand": ["stands still", "is standing still", "stays in place", "is not moving"],
    "stop": ["stops", "comes to a stop", "stops moving"],
    "start": ["starts moving again", "sets off again", "resumes moving"],
    "turn": ["turns around", "turns back"],
}
_CAR_PLAIN = {"stand": ["is stationary", "is standing still", "is not moving"],
              "stop": ["stops", "comes to a halt"], "start": ["drives off again", "starts moving again"],
              "turn": ["turns around", "makes a U-turn"]}
_ENTER = ["enters from the {s}", "comes into view from the {s}", "appears from the {s} side"]
_LEAVE = ["leaves to the {s}", "exits on the {s} side", "goes out of view to the {s}"]
_BEHIND = ["passes behind the {o}", "goes behind the {o}", "is hidden behind the {o} while moving"]
_APPROACH = ["approaches {t}", "moves towards {t}", "goes up to {t}"]
_FOLLOW = ["follows {t}", "is following {t}", "goes after {t}"]


@dataclass(frozen=True)
class Subject:
    kind: str
    color: str | None = None

    def matches(self, kind: str, color: str) -> bool:
        return kind == self.kind and (self.color is None or self.color == color)


@dataclass
class SynthQuery:
    text: str
    predicate: str
    subject: Subject
    tracks: list[tuple[int, list[tuple[int, int]]]] = field(default_factory=list)  # actor index, windows


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Runs of True as 1-based inclusive (start, end) frames."""
    m = np.concatenate([[False], np.asarray(mask, bool), [False]])
    d = np.flatnonzero(m[1:] != m[:-1])
    return [(int(s) + 1, int(e)) for s, e in zip(d[::2], d[1::2])]


def _prev_motion(segs: list, k: int) -> str | None:
    """Action of the segment before ``k``, turns skipped."""
    for j in range(k - 1, -1, -1):
        if segs[j].action != "turn":
            return segs[j].action
    return None


class PredicateFrames:
    """Evaluates predicates on the simulated labels and the rendered boxes of one video."""

    def __init__(self, scene: SceneSpec, motions: list[ActorMotion], boxes: np.ndarray, hidden: np.ndarray) -> None:
        self.scene, self.motions, self.boxes, self.hidden = scene, motions, boxes, hidden
        self.has = ~np.isnan(boxes[..., 0])

    def frames(self, key: str, i: int) -> np.ndarray:
        m, sc = self.motions[i], self.scene
        parts = key.split(":")
        name = parts[0]
        moving = np.isin(m.motion, MOVING)
        F = sc.frames
        if name == "move":
            out = moving & (m.direction == parts[1])
        elif name == "gait":
            out = (m.motion == parts[1]) & (m.direction == parts[2])
        elif name in ("stand", "turn"):
            out = m.motion == name
        elif name in ("stop", "start"):
            out = np.zeros(F, bool)
            for k, seg in enumerate(m.segments):
                prev = _prev_motion(m.segments, k)
                if name == "stop" and seg.action == "stand" and prev not in (None, "stand"):
                    out[seg.start - 1:seg.end] = True
                elif name == "start" and seg.action not in ("stand", "turn") and prev == "stand":
                    out[seg.start - 1:min(seg.end, seg.start - 1 + int(round(sc.fps)))] = True
            out &= m.segment >= 0
        elif name in ("enter", "leave"):
            side = parts[1]
            out = np.zeros(F, bool)
            idx = np.flatnonzero(self.has[i])
            if len(idx) == 0:
                return out
            b = self.boxes[i]
            touch = (b[:, 0] == 0) if side == "left" else (b[:, 0] + b[:, 2] == sc.width)
            if name == "enter" and m.spec.enter == side:
                r = runs(touch & self.has[i])
                if r and r[0][0] - 1 == idx[0]:
                    out[r[0][0] - 1:r[0][1]] = True
            elif name == "leave" and m.segments and m.segments[-1].action == "leave" \
                    and m.segments[-1].direction == side and idx[-1] < F - 1 and not m.present[-1]:
                r = runs(touch & self.has[i])
                if r and r[-1][1] - 1 == idx[-1]:
                    out[r[-1][0] - 1:r[-1][1]] = True
        elif name == "behind":
            k = int(parts[1])
            out = moving & np.isin(m.direction, ("left", "right")) & self.hidden[i, :, k]
        elif name in ("approach", "follow"):
            j = int(parts[1])
            out = np.zeros(F, bool)
            for seg in m.segments:
                if seg.action == name and seg.target == j:
                    out[seg.start - 1:seg.end] = True
            out &= moving
        else:
            raise ValueError(f"unknown predicate {key!r}")
        return out & self.has[i]

    def windows(self, key: str, i: int) -> list[tuple[int, int]]:
        return runs(self.frames(key, i))

    def keys_for(self, i: int) -> list[str]:
        """Every predicate that could hold for actor ``i``."""
        kind = self.motions[i].spec.kind
        dirs = ("left", "right", "towards", "away") if kind in DEPTH_MOVERS else ("left", "right")
        keys = [f"move:{d}" for d in dirs]
        if kind != "car":
            keys += [f"gait:{g}:{d}" for g in SPEEDS[kind] for d in dirs]
        keys += ["stand", "stop", "start", "turn", "enter:left", "enter:right", "leave:left", "leave:right"]
        keys += [f"behind:{k}" for k in range(len(self.scene.occluders))]
        for j in self.unique_targets():
            if j != i:
                keys += [f"approach:{j}", f"follow:{j}"]
        return keys

    def unique_targets(self) -> list[int]:
        specs = [m.spec for m in self.motions]
        return [j for j, s in enumerate(specs) if sum(o.kind == s.kind and o.color == s.color for o in specs) == 1]

    def match(self, key: str, subject: Subject) -> list[tuple[int, list[tuple[int, int]]]]:
        out = []
        for i, m in enumerate(self.motions):
            if subject.matches(m.spec.kind, m.spec.color) and key in self.keys_for(i):
                w = self.windows(key, i)
                if w:
                    out.append((i, w))
        return out


def phrase(key: str, subject: Subject, rng: np.random.Generator, scene: SceneSpec,
           motions: list[ActorMotion]) -> str:
    """One wording of (predicate, subject), chosen with ``rng``."""
    generic, colored = SUBJECTS[subject.kind]
    subj = str(rng.choice(colored)).format(c=subject.color) if subject.color else str(rng.choice(generic))
    parts = key.split(":")
    name, car = parts[0], subject.kind == "car"
    if name == "move":
        opts = _DIR[parts[1]] + (_DRIVE[parts[1]] if car and parts[1] in _DRIVE else [])
    elif name == "gait":
        opts = _GAIT[parts[1]][parts[2]]
    elif name in _PLAIN:
        opts = (_CAR_PLAIN if car else _PLAIN)[name]
    elif name == "enter":
        opts = [p.format(s=_SIDE[parts[1]]) for p in _ENTER]
    elif name == "leave":
        opts = [p.format(s=_SIDE[parts[1]]) for p in _LEAVE]
    elif name == "behind":
        opts = [p.format(o=scene.occluders[int(parts[1])].kind) for p in _BEHIND]
    elif name in ("approach", "follow"):
        t = motions[int(parts[1])].spec
        desc = TARGETS[t.kind].format(c=t.color)
        opts = [p.format(t=desc) for p in (_APPROACH if name == "approach" else _FOLLOW)]
    else:
        raise ValueError(f"unknown predicate {key!r}")
    text = f"{subj} {rng.choice(opts)}"
    return text[0].upper() + text[1:]


def generate_queries(scene: SceneSpec, motions: list[ActorMotion], pf: PredicateFrames,
                     rng: np.random.Generator, n_queries: int, n_empty: int = 2,
                     rephrase: float = 0.25) -> list[SynthQuery]:
    """About ``n_queries`` queries with matches (families interleaved, several-actor matches first)
    plus ``n_empty`` that match nobody; texts are unique within the video."""
    cands: dict[tuple[str, Subject], list] = {}
    for i, m in enumerate(motions):
        for key in pf.keys_for(i):
            for subj in (Subject(m.spec.kind), Subject(m.spec.kind, m.spec.color)):
                if (key, subj) not in cands:
                    match = pf.match(key, subj)
                    if match:
                        cands[(key, subj)] = match
    by_family: dict[str, list] = {f: [] for f in FAMILIES}
    for (key, subj) in sorted(cands, key=lambda c: (c[0], c[1].kind, c[1].color or "")):
        by_family[key.split(":")[0]].append((key, subj))
    for f in by_family:
        order = rng.permutation(len(by_family[f]))
        # candidates matching several actors first, so that every video has some
        by_family[f] = sorted((by_family[f][k] for k in order), key=lambda c: -min(len(cands[c]), 2))
    picked: list[tuple[str, Subject]] = []
    families = [f for f in FAMILIES if by_family[f]]
    while len(picked) < n_queries and any(by_family[f] for f in families):
        for f in rng.permutation(families):
            if by_family[f] and len(picked) < n_queries:
                picked.append(by_family[f].pop(0))
    out: list[SynthQuery] = []
    texts: set[str] = set()
    for key, subj in picked:
        for _ in range(2 if rng.random() < rephrase else 1):
            for _try in range(6):
                text = phrase(key, subj, rng, scene, motions)
                if text not in texts:
                    texts.add(text)
                    out.append(SynthQuery(text, key, subj, cands[(key, subj)]))
                    break
    out.extend(_empty_queries(scene, motions, pf, rng, n_empty, texts))
    return out


def _empty_queries(scene: SceneSpec, motions: list[ActorMotion], pf: PredicateFrames,
                   rng: np.random.Generator, n: int, texts: set[str]) -> list[SynthQuery]:
    out: list[SynthQuery] = []
    for _ in range(50 * n):
        if len(out) >= n:
            break
        kind = str(rng.choice(KINDS))
        subj = Subject(kind, str(rng.choice(KIND_COLORS[kind])) if rng.random() < 0.7 else None)
        dirs = ("left", "right", "towards", "away") if kind in DEPTH_MOVERS else ("left", "right")
        keys = [f"move:{d}" for d in dirs] + ["stand", "stop", "start", "turn", "enter:left", "enter:right",
                                              "leave:left", "leave:right"]
        key = str(rng.choice(keys))
        if pf.match(key, subj):
            continue
        text = phrase(key, subj, rng, scene, motions)
        if text not in texts:
            texts.add(text)
            out.append(SynthQuery(text, key, subj, []))
    return out
