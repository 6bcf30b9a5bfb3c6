"""Rules: what one verb phrase means, as predicates of :mod:`svag.language.types`.

A verb phrase is a head verb (known by its *kind* in :data:`VERBS`) with its complement, analyzed
by :func:`svag.language.phrases.analyze`. Each kind has a handler that turns the modifiers into
predicates: "exits the frame on the right side" -> ``leave(right)``, "disappears behind a white
column" -> ``disappear``, "is chasing another zebra" -> ``follow`` and ``approach``. A handler
returns time-ordered steps (usually one): "ceases sipping his coffee" is ``eat`` then ``not eat``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from svag.language import lexicon as lx
from svag.language.phrases import VEHICLES, Mods, analyze
from svag.language.text import Token
from svag.language.types import Predicate

MOTION_KINDS = frozenset({"walk", "run", "move", "cross", "climb", "descend", "fall", "land", "enter", "exit",
                          "appear", "approach", "follow", "pass_", "escape", "jump", "circle", "chase",
                          "turn"})
_BASE = {"walk": "walk", "run": "run"}


@dataclass
class Head:
    """A verb phrase: its head verb, what governs it, and where its complement lies."""
    index: int
    lemma: str
    kind: str
    start: int                  # complement start (index + 1) ...
    end: int                    # ... and end (exclusive)
    aspect: str | None = None   # start / stop / keep / neg / slow
    negated: bool = False
    passive: bool = False
    main: bool = True           # False for a participle that only describes the subject
    governor: int | None = None  # index of the aspect verb that governs it
    form: str = ""              # the verb as written ("sits", "sitting")


@dataclass
class Reading:
    steps: list[list[Predicate]]
    references: list[str]
    consumed: set[int]
    attributes: list[str]


def P(name: str, arg: str | None = None, weight: float = 1.0, negated: bool = False) -> Predicate:
    return Predicate(name, arg, negated, round(weight, 3))


# -- handlers ---------------------------------------------------------------------------------------

_DIR = lx.DIRECTION_PREDICATES
_OPPOSITE = lx.OPPOSITE_SIDES
_SIDES4 = ("left", "right", "top", "bottom")


def _frame_side(m: Mods) -> str:
    s = m.at or m.dst or m.src
    return s if s in _SIDES4 else "any"


def _camera_extra(where: str | None, w: float = 0.7) -> list[Predicate]:
    if where == "camera":
        return [P("move_towards_camera", weight=w)]
    if where == "far":
        return [P("move_away_from_camera", weight=w)]
    return []


def _relations(m: Mods, out: list[Predicate], passive: bool = False) -> None:
    """Other actors named after a motion verb, read through :data:`~svag.language.lexicon.RELATIONS`:
    with -> together, towards -> approach ..."""
    for prep, np in m.related:
        if np.kind != "actor" or np.head in ("crowd",) and prep in ("into", "in") or passive and prep == "by":
            continue
        if prep in lx.RELATIONS:
            name, weight = lx.RELATIONS[prep]
            out.append(P(name, weight=weight))
        elif prep in ("in",) and np.head in lx.GROUP_NOUNS:
            out.append(P("together", weight=0.8))


def _related(h: Head, m: Mods) -> list[Predicate]:
    out: list[Predicate] = []
    _relations(m, out, h.passive)
    return out


def motion(h: Head, m: Mods) -> list[list[Predicate]]:
    if m.noun_action and m.noun_action[0] in ("stop", "turn", "look", "sit", "jump", "turn_around") and \
            h.lemma in ("come", "go", "get", "make", "take", "do", "maneuver", "manoeuvre", "steer", "drive"):
        return NOUN_HANDLERS[m.noun_action[0]](h, m)      # "comes to a halt", "maneuvers in a u turn"
    out: list[Predicate] = []
    base = _BASE.get(h.kind)
    if h.lemma in ("hop", "leap", "jump"):
        out.append(P("jump"))
    if m.faster_than:
        out.append(P("run", weight=0.7))
    elif m.faster or m.fast and h.kind == "move":
        out.append(P("speed_up" if m.faster else "run", weight=0.7))
    if m.slower:
        out.append(P("slow_down", weight=0.7))
    if m.frame_out and not (m.behind and m.behind.kind != "actor" and _frame_side(m) == "any"):
        out.append(P("leave", _frame_side(m)))
        out += _camera_extra(m.at or m.dst)
    elif m.frame_in and not (m.from_behind and m.src not in _SIDES4):
        out.append(P("enter", m.src if m.src in _SIDES4 else "any"))
        if m.dst in _DIR and m.dst != m.src:
            out.append(P(_DIR[m.dst]))
    else:
        if m.dst in _DIR:
            out.append(P(_DIR[m.dst]))
        elif m.src in _SIDES4 and not (m.from_behind or m.out_of):
            out.append(P(_DIR[_OPPOSITE[m.src]], weight=0.7))
        elif m.src in ("camera", "far"):
            out.append(P(_DIR["far" if m.src == "camera" else "camera"], weight=0.7))
        if m.at in ("camera", "far"):
            out.append(P(_DIR[m.at], weight=0.7))
    if m.from_behind:
        out.append(P("appear"))
    elif m.behind and m.behind.kind != "actor":
        out.append(P("disappear", weight=0.7))
    if m.into and not m.frame_in:
        out.append(P("disappear", weight=0.8))
    if any(p == "with" and np.kind == "object" for p, np in m.related):
        out.append(P("handle_object", weight=0.6))     # "walking with a shopping bag"
    if m.together:
        out.append(P("together"))
    elif m.out_of and not m.from_behind:
        out.append(P("appear", weight=0.8))
    if m.up:
        out.append(P("move_up"))
    if m.down:
        out.append(P("move_down"))
    if m.back and h.lemma in ("walk", "go", "come", "move", "head", "return", "proceed", "run", "travel"):
        if not (m.from_behind or m.out_of):
            out.append(P("turn_around", weight=0.6))
    if m.circle or m.around and h.lemma not in ("look",) or any(
            p == "around" and np.kind in ("actor", "landmark", "indoor", "object") for p, np in m.related):
        out.append(P("circle"))
    _relations(m, out, h.passive)
    if base and not any(p.name in ("run", "jump") for p in out):
        out.insert(0, P(base))
    if not out:
        out.append(P("move"))
    return [out]


def directed(name: str, extra: str | None = None) -> Callable[[Head, Mods], list[list[Predicate]]]:
    def handler(h: Head, m: Mods) -> list[list[Predicate]]:
        steps = motion(h, m)
        preds = [p for p in steps[0] if p.name != "move"]
        return [[P(name)] + ([P(extra)] if extra else []) + [p for p in preds if p.name != name]]
    return handler


def enter(h: Head, m: Mods) -> list[list[Predicate]]:
    if m.into or (m.objects and m.objects[0].kind in ("indoor",)) or (
            not (m.frame_obj or m.frame_in) and any(np.kind == "indoor" for np in m.nouns("indoor"))):
        return [[P("disappear", weight=0.8)] + _side_located(m)]
    if not (m.frame_obj or m.frame_in or m.src or m.at) and m.nouns("landmark"):
        return [[P("move", weight=0.7)]]                 # "enters the main road"
    out = [P("enter", m.src if m.src in _SIDES4 else (m.at if m.at in _SIDES4 else "any"))]
    out += _camera_extra(m.src and {"camera": "far", "far": "camera"}.get(m.src))
    if m.dst in _DIR and m.dst != m.src:
        out.append(P(_DIR[m.dst]))
    if m.from_behind:
        out.append(P("appear"))
    return [out]


def exit_(h: Head, m: Mods) -> list[list[Predicate]]:
    if any(p == "through" for p, np in m.related if np.kind == "indoor"):
        return [[P("disappear", weight=0.8)] + _side_located(m)]     # "leaves through the door"
    if m.out_of or (not (m.frame_obj or m.frame_out) and m.nouns("indoor")):
        return [[P("appear", weight=0.8)] + _side_located(m)]
    if not (m.frame_obj or m.frame_out) and m.nouns("landmark") and not m.side():
        return [[P("start_moving", weight=0.6)]]          # "leaving the bench"
    out = [P("leave", _frame_side(m))] + _camera_extra(m.at or m.dst)
    if m.src in _SIDES4 and m.src != _frame_side(m):
        out.append(P(_DIR[_OPPOSITE[m.src]], weight=0.7))
    return [out]


def appear(h: Head, m: Mods) -> list[list[Predicate]]:
    if m.from_behind or m.out_of or m.back:
        out = [P("appear")]
        if m.dst in _DIR:
            out.append(P(_DIR[m.dst]))
        return [out]
    if m.frame_in or m.src or m.at in _SIDES4:
        side = m.src if m.src in _SIDES4 else (m.at if m.at in _SIDES4 else "any")
        out = [P("enter", side)] + _camera_extra({"camera": "far", "far": "camera"}.get(m.src or ""))
        if m.dst in _DIR and m.dst != side:
            out.append(P(_DIR[m.dst]))
        return [out]
    return [[P("appear")]]


def disappear(h: Head, m: Mods) -> list[list[Predicate]]:
    if m.behind or m.nouns("actor") and not m.frame_out:
        return [[P("disappear")]]
    if m.frame_out or m.at or m.dst or m.src:
        side = m.dst if m.dst in _SIDES4 else (m.at if m.at in _SIDES4 else (m.src if m.src in _SIDES4 else
                                                                             "any"))
        return [[P("leave", side)] + _camera_extra(m.at or m.dst)]
    if m.into:
        return [[P("disappear", weight=0.8)]]
    return [[P("disappear")]]


def stop(h: Head, m: Mods) -> list[list[Predicate]]:
    if m.actors(""):
        return [[P("interact")]]           # "stopping two other men": it stops someone else
    return [[P("stop")] + _side_located(m)]


def start(h: Head, m: Mods) -> list[list[Predicate]]:
    if m.noun_action:
        return NOUN_HANDLERS[m.noun_action[0]](h, m)
    steps = motion(h, m)
    return [[P("start_moving")] + [p for p in steps[0] if p.name != "move"]]


def _side_located(m: Mods) -> list[Predicate]:
    s = m.at if m.at in ("left", "right", "top", "bottom", "center") else None
    return [P("located", s, weight=0.7)] if s else []


def state(h: Head, m: Mods) -> list[list[Predicate]]:
    if h.lemma == "stand" and (m.up or any(np.head in ("leg", "hind") for np in m.nouns("body"))):
        return [[P("stand_up")]]
    if h.lemma == "sit" and h.aspect is None and not m.still and h.form in ("sits", "sit", "sat"):
        return [[P("sit_down", weight=0.8)]]      # "sits on the box": the event (but "is sitting")
    out = [P("stand_still", weight=0.8 if h.lemma in ("station", "position", "locate", "situate") else 1.0)]
    out += _side_located(m)
    if m.together:
        out.append(P("together"))
    if m.actors("with", "beside", "next to", "along with", "alongside", "near", "accompanied by") or any(
            p == "in" and np.head in ("group", "crowd", "couple", "pair") for p, np in m.related):
        out.append(P("together"))
    return [out]


def turn(h: Head, m: Mods) -> list[list[Predicate]]:
    body = m.nouns("body")
    if body and any(np.head in ("head", "face", "eye", "gaze") for np in body):
        return look(h, m)
    if m.around and not m.nouns("actor", "landmark") or m.back or h.lemma in ("reverse", "retrace") or \
            m.dst == "back" or h.lemma == "u_turn":
        out = [P("turn_around")]
        if m.at == "camera" or m.dst == "camera":
            out.append(P("look", "camera", weight=0.7))
        return [out]
    if m.circle or any(p == "around" for p, _ in m.related):
        return [[P("circle")]]
    if m.dst in ("left", "right"):
        return [[P("turn", m.dst)]]
    if m.forward:
        return [[P("look", "forward", weight=0.7)]]
    if m.dst == "camera" or m.at == "camera":
        return [[P("look", "camera", weight=0.7)]]
    if m.dst == "far":
        return [[P("look", "away", weight=0.7)]]
    if h.lemma == "straighten":
        return [[P("turn", weight=0.6)]]
    return [[P("turn")]]


def change(h: Head, m: Mods) -> list[list[Predicate]]:
    if any(np.head in ("direction", "course", "way") for np in m.nouns("landmark", "abstract")) or m.noun_action:
        return turn(h, m)
    return []


_LOOK = lx.LOOK_ARGS


def look(h: Head, m: Mods) -> list[list[Predicate]]:
    if h.lemma == "face" and m.back and not m.nouns("body"):
        return [[P("turn_around", weight=0.8)]]      # "faces the opposite direction"
    arg = None
    for s in (m.dst, m.at):
        if s in _LOOK:
            arg = _LOOK[s]
            break
    if arg is None:
        own_back = any(np.head == "back" for np in m.nouns("body"))        # "looks at his back"
        arg = ("back" if m.back or m.backward or own_back else "forward" if m.forward else "up" if m.up else
               "down" if m.down else "around" if m.around else None)
    weight = 0.6 if h.lemma in ("search", "seek", "examine", "inspect", "investigate", "explore", "sniff",
                                "smell", "check") else 1.0
    if h.lemma in ("check", "examine", "inspect", "search") and m.nouns("object") or any(
            np.head in ("phone", "mobile", "mobile_phone", "cellphone", "device") for np in m.nouns("object")):
        return [[P("handle_object")]]
    if h.lemma in ("sniff", "smell", "examine", "inspect") and m.nouns("actor"):
        return [[P("interact", weight=0.7)]]
    return [[P("look", arg, weight=weight)]]


def interact(h: Head, m: Mods) -> list[list[Predicate]]:
    if m.nouns("body") and not m.nouns("actor", "pronoun"):
        return [[P("gesture")]]            # "making contact between both hands": its own body
    return [[P("interact")] + _side_located(m)]


def fight(h: Head, m: Mods) -> list[list[Predicate]]:
    if m.nouns("body") and not m.nouns("actor"):
        return [[P("gesture")]]          # "flips her hair"
    return [[P("fight")]]


def chase(h: Head, m: Mods) -> list[list[Predicate]]:
    return [[P("follow"), P("approach")]]


def gesture(h: Head, m: Mods) -> list[list[Predicate]]:
    if h.lemma == "shake" and any(np.text == "hands" for np in m.objects):
        return [[P("interact")]]            # "shake hands" (not "shakes his hands")
    if m.nouns("actor", "pronoun") and h.lemma in ("tap", "touch", "point", "wave", "signal", "gesture",
                                                   "shake"):
        return [[P("interact")]]
    return [[P("gesture")]]


def raise_(h: Head, m: Mods) -> list[list[Predicate]]:
    if m.nouns("body") or not m.objects and not m.related:
        if h.lemma == "lower" and m.nouns("body") and any(np.head in ("body", "itself") for np in
                                                           m.nouns("body")):
            return [[P("sit_down", weight=0.7)]]
        return [[P("gesture")]]
    if m.nouns("actor"):
        return [[P("fight", weight=0.6)]]
    return [[P("handle_object")]]


def handle(h: Head, m: Mods) -> list[list[Predicate]]:
    """Verbs whose meaning depends on the object (:data:`~svag.language.lexicon.OBJECT_READINGS`):
    "pushes another monkey" / "pushes the bike"."""
    for row in lx.OBJECT_READINGS:
        if (not row.lemmas or h.lemma in row.lemmas) and CONDITIONS[row.when](h, m, None):
            return _reading(row.predicates, h, m)
    return _handled(h, m)


def _reading(predicates: tuple[str, ...], h: Head, m: Mods) -> list[list[Predicate]]:
    if predicates[0].startswith("@"):
        return READINGS[predicates[0]](h, m)
    out = []
    for p in predicates:
        name, _, weight = p.partition(":")
        out.append(P(name, weight=float(weight or 1.0)))
    return [out]


def _handled(h: Head, m: Mods) -> list[list[Predicate]]:
    out = [P("handle_object", weight=0.5 if h.lemma == "wear" else 1.0)]
    if h.lemma in lx.MOVED_WITH:
        out += [p for p in motion(h, m)[0] if p.name != "move" and p.name != "walk"]
    return [out]


def _led(h: Head, m: Mods) -> list[list[Predicate]]:
    return [[P("together")] + [p for p in motion(h, m)[0] if p.name not in ("move", "approach")]]


def _other_actors(m: Mods) -> list:
    """Actors named in the complement, vehicles aside ("with his bike" is an object)."""
    return [a for a in m.nouns("actor") if lx.CATEGORIES.get(a.head, ("",))[0] not in VEHICLES]


def eat(h: Head, m: Mods) -> list[list[Predicate]]:
    if h.lemma in ("bite", "nip") and m.nouns("actor"):
        return [[P("fight")]]
    return [[P("eat")]]


def sit(h: Head, m: Mods) -> list[list[Predicate]]:
    return [[P("sit_down")]]


def rise(h: Head, m: Mods) -> list[list[Predicate]]:
    return [[P("stand_up")]]


def lean(h: Head, m: Mods) -> list[list[Predicate]]:
    if m.down or m.forward:
        return [[P("gesture", weight=0.7)]]
    return [[P("stand_still", weight=0.8)]]


def approach(h: Head, m: Mods) -> list[list[Predicate]]:
    if m.dst == "camera" or m.at == "camera" or any(np.head == "camera" for np in m.objects):
        return [[P("move_towards_camera")]]
    out: list[Predicate] = []
    if m.nouns("actor"):
        out.append(P("approach"))
    steps = motion(h, m)
    out += [p for p in steps[0] if p.name not in ("move", "approach")]
    return [out or [P("move")]]


def escape(h: Head, m: Mods) -> list[list[Predicate]]:
    return [[P("move_away_from")]]


def pass_(h: Head, m: Mods) -> list[list[Predicate]]:
    if m.noun_action or m.nouns("object", "body") and not m.nouns("actor"):
        return handle(h, m)
    if m.behind and m.behind.kind != "actor":
        return [[P("disappear", weight=0.7)]]
    if m.nouns("actor") or h.lemma in ("overtake", "surpass", "outpace"):
        return [[P("pass")]]
    return motion(h, m)


def occluded(h: Head, m: Mods) -> list[list[Predicate]]:
    if not h.passive and m.objects and m.objects[0].kind == "body":
        return [[P("gesture")]]          # "covers her face"
    return [[P("disappear", weight=0.8)]]


def light(h: Head, m: Mods) -> list[list[Predicate]]:
    """make / have / get / do / engage: the meaning is in the rest ("get up", "have a conversation")."""
    if m.noun_action:
        return NOUN_HANDLERS[m.noun_action[0]](h, m)
    if h.lemma == "get":
        if m.up:
            return [[P("stand_up")]]
        if m.into or m.frame_in:
            return enter(h, m)
        if m.out_of:
            return [[P("appear", weight=0.8)]]
        if m.down:
            return [[P("move_down")]]
        if any(p in ("away from",) for p, _ in m.related):
            return [[P("move_away_from")]]
        if any(np.head in ("bike", "bicycle", "scooter", "horse") for np in m.nouns("object", "landmark",
                                                                                    "actor")):
            return [[P("handle_object")]]
        if any(p in ("on", "onto", "on top of") for p, _ in m.related):
            return [[P("move_up", weight=0.7)]]           # "gets on the back of another turtle"
        if m.dst or m.frame_out or m.behind:
            return motion(h, m)
    if h.lemma == "engage" and (m.nouns("actor") or any(np.head in ("conversation", "chat")
                                                         for np in m.nouns("landmark", "object"))):
        return [[P("interact")]]
    if m.nouns("body") and not m.nouns("actor"):
        return [[P("gesture", weight=0.8)]]            # "has their hand inside their jacket"
    if any(np.head == "way" for np in m.nouns("abstract")):
        return motion(h, m)                            # "makes its way towards the street"
    return []


def _noun_turn(h: Head, m: Mods) -> list[list[Predicate]]:
    side = m.noun_action[1] if m.noun_action else None
    if m.noun_action and m.noun_action[0] == "turn" and side is None and m.dst in ("left", "right"):
        side = m.dst
    return [[P("turn", side)]] if side else turn(h, m)


def _noun_look(h: Head, m: Mods) -> list[list[Predicate]]:
    side = m.noun_action[1] if m.noun_action else None
    return [[P("look", side)]] if side else look(h, m)


def _noun_walk(h: Head, m: Mods) -> list[list[Predicate]]:
    steps = motion(Head(h.index, "step", "walk", h.start, h.end), m)
    return steps


NOUN_HANDLERS: dict[str, Callable[[Head, Mods], list[list[Predicate]]]] = {
    "turn": _noun_turn, "walk": _noun_walk, "stop": stop, "look": _noun_look,
    "eat": lambda h, m: [[P("eat")]], "interact": interact, "jump": lambda h, m: [[P("jump")]],
    "sit": sit, "handle": lambda h, m: [[P("handle_object")]], "fight": fight,
    "turn_around": lambda h, m: [[P("turn_around")]], "fight_": fight,
    "gesture": lambda h, m: [[P("gesture")]], "interact_": interact,
}
HANDLERS: dict[str, Callable[[Head, Mods], list[list[Predicate]]]] = {
    "walk": motion, "run": motion, "move": motion, "cross": motion,
    "climb": directed("move_up"), "descend": directed("move_down"), "fall": directed("move_down"),
    "land": directed("stop", "move_down"), "enter": enter, "exit": exit_, "appear": appear,
    "disappear": disappear, "occluded": occluded, "stop": stop, "start": start, "state": state,
    "keep": state, "lean": lean, "turn": turn, "change": change, "look": look, "face": look,
    "interact": interact, "fight": fight, "chase": chase, "gesture": gesture, "raise_": raise_,
    "handle": handle, "eat": eat, "sit": sit, "rise": rise, "jump": directed("jump"),
    "circle": lambda h, m: [[P("circle")] + ([P("together", weight=0.5)] if m.nouns("actor") else [])],
    "speed_up": lambda h, m: [[P("speed_up")] + _related(h, m)],
    "slow_down": lambda h, m: [[P("slow_down")] + _related(h, m)],
    "approach": approach, "follow": lambda h, m: [[P("follow")]], "pass_": pass_, "escape": escape,
    "light": light, "refrain": lambda h, m: [], "be": lambda h, m: [],
    "visible": lambda h, m: [[P("appear", weight=0.8)]],
}

def _complements(m: Mods) -> list:
    return [np for np in m.objects] + [np for p, np in m.related if p in ("from", "in", "with")]


def _moves_object(h: Head, m: Mods, toks: list[Token] | None) -> bool:
    objs = _complements(m)
    return bool(objs) and (objs[0].kind == "object" and m.dst not in ("left", "right") or
                           any(np.head == "hand" for np in objs) and h.lemma != "move")


def _moves_body_part(h: Head, m: Mods, toks: list[Token] | None) -> bool:
    objs = _complements(m)
    return bool(objs) and objs[0].kind == "body" and bool(m.objects) and m.objects[0].kind == "body"


def _pulls_over(h: Head, m: Mods, toks: list[Token] | None) -> bool:
    if toks and h.start < h.end and toks[h.start].lemma == "over":
        m.consumed.add(h.start)                 # the particle belongs to the verb
        return True
    return False


_PHONES = ("phone", "mobile", "mobile_phone", "cellphone")
# the conditions KIND_OVERRIDES rows name
CONDITIONS: dict[str, Callable[[Head, Mods, "list[Token] | None"], bool]] = {
    "moves_object": _moves_object,
    "moves_gaze": lambda h, m, t: bool(_complements(m)) and _complements(m)[0].kind == "abstract" and
    _complements(m)[0].head == "gaze",
    "moves_head": lambda h, m, t: _moves_body_part(h, m, t) and any(np.head in ("head", "face") for np in m.objects),
    "moves_body_part": _moves_body_part,
    "up": lambda h, m, t: m.up,
    "down": lambda h, m, t: m.down,
    "plays_alone_or_phone": lambda h, m, t: h.lemma == "play" and not m.nouns("actor") or any(
        np.head in _PHONES for np in m.nouns("object")),
    "body_part": lambda h, m, t: bool(m.nouns("body")),
    "no_actor": lambda h, m, t: not m.nouns("actor"),
    "food_no_actor": lambda h, m, t: bool(m.nouns("food")) and not m.nouns("actor"),
    "over": _pulls_over,
    "no_object": lambda h, m, t: not m.nouns("object", "body", "food"),
    "sideways_lean": lambda h, m, t: bool(m.src or m.dst in ("left", "right")),
    "always": lambda h, m, t: True,
    "noun_action": lambda h, m, t: bool(m.noun_action),
    "passive": lambda h, m, t: h.passive,
    "passive_by_actor": lambda h, m, t: h.passive and any(p == "by" and np.kind == "actor" for p, np in m.related),
    "takes_off": lambda h, m, t: "off" in m.particles and not m.nouns("object", "body"),
    "actor": lambda h, m, t: bool(_other_actors(m)),
    "actor_no_object": lambda h, m, t: bool(_other_actors(m)) and not m.nouns("object"),
    "actor_and_object": lambda h, m, t: bool(_other_actors(m)) and bool(m.nouns("object")),
    "actor_or_related": lambda h, m, t: bool(_other_actors(m) or m.related),
    "own_body": lambda h, m, t: bool(m.nouns("body")) and not m.nouns("object", "food", "landmark", "indoor") and
    not _other_actors(m),
}
# the "@name" readings of OBJECT_READINGS
READINGS: dict[str, Callable[[Head, Mods], list[list[Predicate]]]] = {
    "@noun_action": lambda h, m: NOUN_HANDLERS[m.noun_action[0]](h, m) if m.noun_action else [],
    "@motion": lambda h, m: motion(h, m), "@lead": _led, "@handle": _handled,
}


def resolve(h: Head, m: Mods, toks: list[Token] | None = None) -> str:
    """The kind after looking at the object (:data:`~svag.language.lexicon.KIND_OVERRIDES`): "moves
    her jacket" is handling, not motion."""
    for row in lx.KIND_OVERRIDES:
        if (not row.kinds or h.kind in row.kinds) and (not row.lemmas or h.lemma in row.lemmas) and \
                CONDITIONS[row.when](h, m, toks):
            return row.kind
    return h.kind


def interpret(toks: list[Token], h: Head) -> Reading:
    """The predicates of one verb phrase, and what it consumed."""
    m = analyze(toks, h.start, h.end, lx.NOUN_ACTIONS)
    kind = resolve(h, m, toks)
    steps = HANDLERS[kind](Head(h.index, h.lemma, kind, h.start, h.end, h.aspect, h.negated, h.passive,
                                h.main, h.governor, toks[h.index].text), m)
    steps = _aspect(h, kind, steps)
    if h.negated:
        steps = [[Predicate(p.name, p.arg, not p.negated, p.weight) for p in s] for s in steps]
    attrs = [np.text for np in m.objects if h.lemma == "wear"]
    consumed = m.consumed | ({h.index} if h.index < h.start else set()) | (
        {h.governor} if h.governor is not None else set())
    return Reading([s for s in steps if s], m.references(), consumed, attrs)


def _aspect(h: Head, kind: str, steps: list[list[Predicate]]) -> list[list[Predicate]]:
    if not h.aspect or not steps:
        return steps
    first = steps[0]
    names = {p.name for p in first}
    moving = kind in MOTION_KINDS or names & {"walk", "run", "move", "move_left", "move_right"}
    if h.aspect == "start":
        if moving and "start_moving" not in names and "enter" not in names:
            return [[P("start_moving")] + first] + steps[1:]
        return steps
    if h.aspect == "stop":
        if "run" in names:
            return [[P("slow_down")]]
        if moving:
            return [[P("stop")]]
        return [first, [Predicate(p.name, p.arg, not p.negated, p.weight) for p in first]]
    if h.aspect == "slow":
        return [[P("slow_down")]]
    if h.aspect == "neg":
        return [[Predicate(p.name, p.arg, not p.negated, p.weight) for p in s] for s in steps]
    return steps
