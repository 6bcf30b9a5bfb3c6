"""The structured form of an action query, shared by the parser and the grounders.

A query is a sequence of *steps* that happen in this order in time ("stops, then walks away" is
two steps); each step is a conjunction of :class:`Predicate`. Predicates name motion or state of
the actor, relative to the frame (directions are image directions: "left" is towards x = 0,
"towards the camera" is growing boxes / moving down in the image) or to another actor.

The vocabulary (``PREDICATES``) is closed so that every grounder can score every predicate; a
parser maps free text onto it and lists what it did not understand in ``ActionQuery.unknown``.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable

# name -> (allowed argument values or None, description)
SIDES = ("left", "right", "top", "bottom")
LOOK_DIRECTIONS = ("left", "right", "up", "down", "back", "forward", "camera", "away", "around")
PREDICATES: dict[str, tuple[tuple[str, ...] | None, str]] = {
    # motion direction (image coordinates; towards/away from the camera = growing/shrinking box)
    "move_left": (None, "moves towards the left of the image"),
    "move_right": (None, "moves towards the right of the image"),
    "move_up": (None, "moves up in the image (e.g. climbs, goes up the street away from a high camera)"),
    "move_down": (None, "moves down in the image"),
    "move_towards_camera": (None, "comes closer to the camera (box grows)"),
    "move_away_from_camera": (None, "goes away from the camera (box shrinks)"),
    # motion state and speed
    "move": (None, "is moving (any direction): walks, goes, crosses ..."),
    "walk": (None, "moves at walking speed"),
    "run": (None, "moves fast: runs, rushes, jogs"),
    "stand_still": (None, "does not move: stands, waits, stays, is stationary, sits"),
    "stop": (None, "was moving, then is still (the change itself)"),
    "start_moving": (None, "was still, then moves (the change itself)"),
    "turn_around": (None, "reverses its horizontal direction of motion"),
    "turn": (SIDES[:2], "changes direction of motion towards a side (turns left/right)"),
    # the frame
    "enter": (SIDES + ("any",), "comes into the image across a border (or appears at it)"),
    "leave": (SIDES + ("any",), "goes out of the image across a border"),
    "appear": (None, "becomes visible inside the image (e.g. from behind something)"),
    "disappear": (None, "stops being visible inside the image (e.g. behind something)"),
    "located": (SIDES + ("center",), "is in that part of the image"),
    # other actors
    "approach": (None, "gets closer to another actor"),
    "move_away_from": (None, "gets farther from another actor"),
    "follow": (None, "moves behind another actor in the same direction"),
    "together": (None, "moves or stays next to another actor (with, alongside, in a group)"),
    "pass": (None, "passes by / overtakes another actor"),
    # added for the SVAG-Bench queries: speed changes, posture, gaze and actions done in place.
    # Box-only grounders may not score all of these: see PREDICATE_FALLBACK / ActionQuery.restricted
    "slow_down": (None, "moves more slowly than before (runs, then walks; reduces its pace)"),
    "speed_up": (None, "moves faster than before (accelerates, quickens its pace)"),
    "jump": (None, "jumps, leaps, hops (a brief vertical motion)"),
    "circle": (None, "moves along a closed path: circles, loops, spins in a circle"),
    "sit_down": (None, "lowers its body: sits down, lies down, takes a seat, crouches"),
    "stand_up": (None, "raises its body: stands up, gets up, rises, rears up"),
    "look": (LOOK_DIRECTIONS, "looks, glances, faces or turns its head (towards a side, back, the camera ...)"),
    "gesture": (None, "moves hands, arms or head in place: raises a hand, waves, points, scratches, adjusts"),
    "interact": (None, "interacts with another actor: talks, chats, hugs, touches, hands something over"),
    "fight": (None, "fights with another actor: attacks, pushes, pecks, bites, chases off"),
    "eat": (None, "eats or drinks: feeds, grazes, nibbles, pecks food, sips"),
    "handle_object": (None, "uses or handles an object: a phone, a bag, a bottle; carries, throws, picks up"),
}

# For a grounder that scores only some predicates: the nearest one it may know instead (None = drop).
# predicates that happen at a moment (their windows are short runs) rather than hold as a state;
# read by the parser (how steps join) and the kinematic grounder (which windows to return)
EVENTS = frozenset({"enter", "leave", "appear", "disappear", "stop", "start_moving", "turn", "turn_around",
                    "sit_down", "stand_up", "jump", "slow_down", "speed_up"})

PREDICATE_FALLBACK: dict[str, str | None] = {
    "slow_down": "stop", "speed_up": "run", "jump": "move", "circle": "move", "sit_down": "stop",
    "stand_up": None, "look": None, "gesture": None, "interact": "together", "fight": "together",
    "eat": "stand_still", "handle_object": None,
}


@dataclass(frozen=True)
class Predicate:
    name: str                    # a key of PREDICATES
    arg: str | None = None       # e.g. "left" for enter/leave/located/turn
    negated: bool = False        # "does not move"
    weight: float = 1.0          # parser confidence in this reading (0-1]

    def __post_init__(self) -> None:
        if self.name not in PREDICATES:
            raise ValueError(f"unknown predicate {self.name!r}; known: {sorted(PREDICATES)}")
        allowed = PREDICATES[self.name][0]
        if self.arg is not None and (allowed is None or self.arg not in allowed):
            raise ValueError(f"predicate {self.name!r} takes {allowed or 'no argument'}, got {self.arg!r}")

    def __str__(self) -> str:
        s = ("not " if self.negated else "") + self.name
        return f"{s}({self.arg})" if self.arg else s


@dataclass(frozen=True)
class ActionQuery:
    text: str
    category: str | None = None                       # person, car, bus, dog, horse, bird, fish, ...
    attributes: tuple[str, ...] = ()                  # colours and other visual words: "red", "white"
    steps: tuple[tuple[Predicate, ...], ...] = ()     # in time order; each step is an AND
    unknown: tuple[str, ...] = ()                     # words/phrases the parser could not map
    count: str | None = None                          # "one", "all", "several", "two" when stated
    references: tuple[str, ...] = ()                  # other actors / places named: "white column", "another zebra"

    @property
    def predicates(self) -> tuple[Predicate, ...]:
        return tuple(p for step in self.steps for p in step)

    @property
    def understood(self) -> bool:
        """At least one predicate was found."""
        return bool(self.predicates)

    def restricted(self, vocabulary: "Iterable[str]") -> "ActionQuery":
        """The same query using only predicates in ``vocabulary`` (e.g. the ones a grounder scores):
        others are replaced by their :data:`PREDICATE_FALLBACK` (at half weight) or dropped, and
        steps left empty are removed."""
        known = set(vocabulary)
        steps = []
        for step in self.steps:
            out: list[Predicate] = []
            for p in step:
                if p.name not in known:
                    alt = PREDICATE_FALLBACK.get(p.name)
                    if alt is None or alt not in known:
                        continue
                    p = Predicate(alt, None, p.negated, p.weight * 0.5)
                if p not in out:
                    out.append(p)
            if out:
                steps.append(tuple(out))
        return replace(self, steps=tuple(steps))

    def describe(self) -> str:
        steps = " then ".join(" and ".join(str(p) for p in step) for step in self.steps) or "(no predicate)"
        head = " ".join(x for x in (*self.attributes, self.category or "actor"))
        tail = f"; not understood: {', '.join(self.unknown)}" if self.unknown else ""
        return f"{head}: {steps}{tail}"
