"""What the words after a verb say: sides, the camera, the frame, occluders, other actors, objects.

:func:`analyze` walks the tokens of one verb phrase's complement and fills a :class:`Mods` with
what it recognizes ("from the left side of the camera" -> ``src="left"``, "behind a white column" ->
``behind="white column"``), recording which tokens it consumed. It knows nothing of the verb: the
verb's handler (:mod:`svag.language.rules`) decides what each modifier means for it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from svag.language import lexicon as lx
from svag.language.text import Token

DETERMINERS = lx.DETERMINERS
VEHICLES = lx.VEHICLES
PRONOUNS = lx.PRONOUNS
ADJ = lx.COLOURS | lx.PLACE_MODIFIERS | lx.VISUAL | lx.MANNER_ADJECTIVES
NOUNS = (set(lx.CATEGORIES) | lx.ACTOR_WORDS | lx.LANDMARKS | lx.INDOOR | lx.OBJECTS | lx.BODY_PARTS
         | lx.FRAME_WORDS | lx.FOOD | lx.CLOTHING | lx.ABSTRACT | {"someone", "somebody", "something",
                                                                 "each_other"})
# prepositions, several-word ones first
PREPS: tuple[tuple[str, ...], ...] = tuple(sorted((tuple(p.split()) for p in lx.PREPOSITIONS), key=len,
                                                  reverse=True))


@dataclass
class NounPhrase:
    text: str           # without determiners: "white column", "another zebra"
    kind: str           # actor | indoor | landmark | object | food | body | frame
    head: str           # lemma of the head noun
    start: int
    end: int            # exclusive, position in the token list


@dataclass
class Mods:
    src: str | None = None        # side / "camera" / "far" it comes from
    dst: str | None = None        # side / "camera" / "far" it goes to (or looks to)
    at: str | None = None         # side / "camera" / "far" where it is ("exits on the left")
    frame_in: bool = False        # into the frame / view / sight
    frame_out: bool = False       # out of the frame, off screen, from the frame
    frame_obj: bool = False       # "the frame" as object ("enters the frame")
    behind: NounPhrase | None = None
    from_behind: NounPhrase | None = None
    into: NounPhrase | None = None      # into / inside a building, store ...
    out_of: NounPhrase | None = None    # out of / from a building, store ...
    back: bool = False
    backward: bool = False
    forward: bool = False
    up: bool = False
    down: bool = False
    sideways: bool = False
    around: bool = False
    circle: bool = False
    still: bool = False
    together: bool = False
    slow: bool = False
    fast: bool = False
    slower: bool = False
    faster: bool = False
    faster_than: bool = False
    noun_action: tuple[str, str | None] | None = None     # ("turn", "left") from "a left turn"
    particles: list[str] = field(default_factory=list)    # "off", "over", "out" left alone
    related: list[tuple[str, NounPhrase]] = field(default_factory=list)   # (preposition, phrase)
    objects: list[NounPhrase] = field(default_factory=list)               # bare noun phrases
    consumed: set[int] = field(default_factory=set)

    def actors(self, *preps: str) -> list[NounPhrase]:
        """Other actors named, after one of ``preps`` (any preposition when none; "" = direct object)."""
        out = [np for p, np in self.related if np.kind == "actor" and (not preps or p in preps)]
        if not preps or "" in preps:
            out += [np for np in self.objects if np.kind == "actor"]
        return out

    def nouns(self, *kinds: str) -> list[NounPhrase]:
        return [np for _, np in self.related if np.kind in kinds] + [np for np in self.objects if np.kind in kinds]

    def side(self) -> str | None:
        """The one side the phrase names, wherever it stands."""
        for s in (self.dst, self.at, self.src):
            if s in ("left", "right", "top", "bottom", "center"):
                return s
        return None

    def references(self) -> list[str]:
        seen = [np.text for _, np in self.related if np.kind not in ("frame", "abstract")]
        seen += [np.text for np in (self.behind, self.from_behind, self.into, self.out_of)
                 if np and np.text != "inside"]
        seen += [np.text for np in self.objects if np.kind in ("actor", "landmark", "indoor")]
        return list(dict.fromkeys(seen))


def _kind(lemma: str) -> str | None:
    if lemma in lx.CATEGORIES or lemma in lx.ACTOR_WORDS or lemma in ("someone", "somebody", "each_other"):
        return "actor"
    if lemma in lx.FRAME_WORDS:
        return "frame"
    if lemma in lx.FOOD:
        return "food"
    if lemma in lx.BODY_PARTS:
        return "body"
    if lemma in lx.INDOOR:
        return "indoor"
    if lemma in lx.OBJECTS or lemma == "something":
        return "object"
    if lemma in lx.LANDMARKS or lemma in lx.CLOTHING:
        return "landmark"
    if lemma in lx.ABSTRACT:
        return "abstract"
    return None


class Walker:
    """Cursor over a token list with small pattern helpers (lemmas compared)."""

    def __init__(self, toks: list[Token], start: int, end: int) -> None:
        self.toks, self.start, self.end = toks, start, end

    def lem(self, j: int) -> str:
        return self.toks[j].lemma if self.start <= j < self.end else ""

    def before(self, j: int) -> str:
        """Lemma at j, looking back past the start (the verb itself)."""
        return self.toks[j].lemma if 0 <= j < self.end else ""

    def seq(self, j: int, *words: str) -> int | None:
        """Position after ``words`` (each may be "a|b" alternatives, "?x" optional) from j, or None."""
        for w in words:
            opt = w.startswith("?")
            alts = set((w[1:] if opt else w).split("|"))
            if self.lem(j) in alts or self.toks[j].text in alts if self.start <= j < self.end else False:
                j += 1
            elif not opt:
                return None
        return j

    def dets(self, j: int) -> int:
        while self.lem(j) in DETERMINERS and self.lem(j) not in ("other", "another"):
            j += 1
        return j

    def noun_phrase(self, j: int) -> NounPhrase | None:
        start = j
        if self.lem(j) in PRONOUNS and not (self.lem(j) == "her" and (
                self.lem(j + 1) in NOUNS or self.lem(j + 1) in ADJ or self.lem(j + 1) in lx.SIDE_WORDS)):
            kind = "object" if self.lem(j) in ("it", "itself", "something") else "pronoun"
            return NounPhrase(self.toks[j].text, kind, self.lem(j), j, j + 1)
        possessive = self.lem(self.dets(j) - 1) in ("his", "her", "its", "their", "s") and self.dets(j) > j
        j = self.dets(j)
        if possessive and self.lem(j) == "back" and self.lem(j + 1) != "of":
            return NounPhrase("back", "body", "back", start, j + 1)
        parts: list[str] = []
        while self.lem(j) in lx.PART_NOUNS and self.lem(j + 1) == "of":
            parts += [self.toks[j].text, "of"]
            j = self.dets(j + 2)
        if parts and self.lem(j) in PRONOUNS:
            return NounPhrase(" ".join(parts + [self.toks[j].text]), "pronoun", self.lem(j), start, j + 1)
        words: list[str] = []
        head_kind: str | None = None
        head = ""
        actor = False
        while self.start <= j < self.end:
            lem = self.lem(j)
            if lem in ("other", "another"):
                actor = True
                words.append(self.toks[j].text)
            elif (lem in ADJ or lem in lx.SIDE_WORDS and (self.lem(j + 1) in lx.BODY_PARTS | lx.OBJECTS |
                  lx.CLOTHING or self.lem(j + 1) in lx.SIDE_NOUNS and self.lem(j + 2) in lx.INDOOR) or
                  self.toks[j].text.endswith("ing") and self.lem(j + 1) in lx.ABSTRACT) and \
                    (head_kind is None or words and words[-1] in ("of", "with", "containing", "filled", "holding")):
                words.append(self.toks[j].text)
            elif lem in NOUNS:
                k = _kind(lem)
                if head_kind is None or k == "actor" or head_kind in ("landmark", "frame"):
                    head_kind, head = k, lem
                actor = actor or k == "actor"
                words.append(self.toks[j].text)
            elif lem == "s" and words:                       # possessive: "another giraffe 's leg"
                pass
            elif lem == "of" and words and self.lem(self.dets(j + 1)) in NOUNS | {"other", "another"}:
                words.append("of")
            elif lem in ("containing", "contain", "fill", "filled", "holding", "hold") and words \
                    and head_kind in ("landmark", "indoor", "object") and self.lem(self.dets(j + 1) + (
                        1 if self.lem(self.dets(j + 1)) == "with" else 0)) in NOUNS:
                words.append(self.toks[j].text)
            elif lem == "with" and words and head_kind in ("landmark", "indoor", "object") and self.lem(
                    self.dets(j + 1)) in lx.LANDMARKS and self.lem(self.dets(j + 1)) not in lx.CATEGORIES:
                words.append("with")
            elif lem in DETERMINERS and words and words[-1] in ("of", "with", "containing", "filled",
                                                                "holding"):
                pass
            else:
                break
            j += 1
        while words and words[-1] in ("of", "with", "containing", "filled", "holding") or words and \
                self.lem(j - 1) in ADJ and head_kind is None:
            words.pop()
            j -= 1
        if head_kind is None and not actor:
            return None
        if possessive and head in lx.CATEGORIES and lx.CATEGORIES[head][0] in VEHICLES:
            head_kind, actor = "object", False           # "with his bike"
        words = parts + words
        if actor and head_kind in (None, "body", "landmark", "object"):
            head_kind = "actor" if head_kind in (None, "body") else head_kind
        return NounPhrase(" ".join(words).replace("_", " "), head_kind or "actor", head or "other", start, j)


def _camera_or_far(w: Walker, j: int) -> tuple[int, str] | None:
    """"(the) camera (side)" / "(the) opposite (side) (of the camera)" / "the distance" at j."""
    k = w.seq(w.dets(j), "camera", "?side")
    if k is not None:
        return k, "camera"
    k = w.seq(w.dets(j), "opposite")
    if k is not None:
        if w.lem(k) == "direction":
            return k + 1, "back"      # "heads in the opposite direction": turned around
        k = w.seq(k, "?side|end") or k
        k2 = w.seq(k, "of|to", "?the", "camera", "?side")
        return (k2 if k2 is not None else k), "far"
    k = w.seq(w.dets(j), "distance|background")
    if k is not None:
        return k, "far"
    return None


def _side(w: Walker, j: int) -> tuple[int, str, bool] | None:
    """"(the) left (hand) (side|direction) (of the frame)" at j -> (end, side, said 'direction')."""
    j = w.dets(j)
    lem = w.lem(j)
    if lem not in lx.SIDE_WORDS or w.lem(j + 1) in lx.BODY_PARTS | lx.OBJECTS | lx.CLOTHING or \
            w.lem(j + 1) in ("turn", "u_turn"):
        return None
    side = lx.SIDE_WORDS[lem]
    j += 1
    j = w.seq(j, "?hand")
    direction = w.lem(j) == "direction"
    if w.lem(j) in lx.SIDE_NOUNS:
        j += 1
        if w.lem(j) in lx.INDOOR:
            return None            # "out of the right side mall": the side names the place
    k = w.seq(j, "of")
    if k is not None:
        k = w.dets(k)
        if side in ("top", "bottom", "center") and w.lem(k) not in lx.FRAME_WORDS | {"camera", "cage", "pool"}:
            return None            # "on top of another bird", "in the middle of the street"
        if w.lem(k) in NOUNS:
            j = k + 1
    return j, side, direction


def analyze(toks: list[Token], start: int, end: int, noun_actions: dict[str, str],
            skip: set[int] | frozenset[int] = frozenset()) -> Mods:
    """Modifiers in ``toks[start:end]`` (a verb's complement); tokens in ``skip`` are passed over."""
    m = Mods()
    w = Walker(toks, start, end)
    j = start
    while j < end:
        if j in skip:
            j += 1
            continue
        r = _match(w, j, m, noun_actions)
        if r is None or r <= j:
            j += 1
        else:
            m.consumed.update(range(j, r))
            j = r
    return m


def _match(w: Walker, j: int, m: Mods, noun_actions: dict[str, str]) -> int | None:
    """The first row of :data:`~svag.language.lexicon.MODIFIER_PATTERNS` that matches at ``j``: its
    effect is applied to ``m`` and the position after it returned (None: nothing matched)."""
    for row in lx.MODIFIER_PATTERNS:
        if isinstance(row.words, str):
            r = MATCHERS[row.words](w, j, m, noun_actions)
        else:
            r = w.seq(j, *row.words)
            if r is None or (row.unless_next and w.seq(r, "|".join(row.unless_next)) is not None) or \
                    (row.unless_prev and w.before(j - 1) in row.unless_prev) or \
                    (row.bare and w.noun_phrase(r) is not None):
                continue
            _apply(m, row.effect)
        if r is not None:
            return r
    return None


def _apply(m: Mods, effect: tuple[str, ...]) -> None:
    for e in effect:
        field_, _, value = e.partition("=")
        if not value:
            setattr(m, field_, True)
        elif field_.endswith("?"):
            field_ = field_[:-1]
            if not getattr(m, field_):
                setattr(m, field_, (value, None) if field_ == "noun_action" else value)
        else:
            setattr(m, field_, value)


def _set_dir(m: Mods, prep: str, where: str, direction: bool = False) -> None:
    if where == "back":
        m.back = True
    elif prep == "from":
        m.src = m.src or where
    elif prep in lx.AT_PREPOSITIONS and not direction:
        m.at = m.at or where
    else:
        m.dst = m.dst or where


def _prep(w: Walker, j: int) -> str:
    lem = w.lem(j)
    return lem if lem in lx.TO_PREPOSITIONS | lx.AT_PREPOSITIONS | {"from"} else ""


# -- the structured matchers ("@name" rows of MODIFIER_PATTERNS) -----------------------------------------

def _from_to(w: Walker, j: int, m: Mods, noun_actions: dict[str, str]) -> int | None:
    if w.lem(j) != "from":
        return None
    a = _side(w, j + 1)
    if a:
        k = w.seq(a[0], "to|toward|towards|into|onto")
        b = _side(w, k) if k is not None else None
        if b:
            m.src, m.dst = a[1], b[1]
            return b[0]
    return None


def _noun_action(w: Walker, j: int, m: Mods, noun_actions: dict[str, str]) -> int | None:
    k = w.dets(j)
    while w.lem(k) in ADJ or w.lem(k) in lx.NOUN_ACTION_FILLERS:
        k += 1
    side = None
    if w.lem(k) in ("left", "right"):
        side, k = w.lem(k), k + 1
    if w.lem(k) not in noun_actions or w.lem(k - 1) == "to":
        return None
    m.noun_action = (noun_actions[w.lem(k)], side)
    k += 1
    if w.lem(k) in ("left", "right") and w.lem(k - 1) in ("turn", "look", "glance"):
        m.noun_action = (m.noun_action[0], w.lem(k))
        k += 1
    return k


def _camera(w: Walker, j: int, m: Mods, noun_actions: dict[str, str]) -> int | None:
    lem = w.lem(j)
    if lem == "away" and w.lem(j + 1) == "from":
        r = _camera_or_far(w, j + 2)
        if r and r[1] == "camera":
            m.dst = "far"
            return r[0]
    prep = _prep(w, j)
    k = j + 1 if prep else j
    if prep in ("in", "to", "toward") and w.seq(k, "the", "direction", "of|to"):
        k = w.seq(k, "the", "direction", "of|to")
        prep = "to"
    r = _camera_or_far(w, k)
    if r and (prep or r[1] != "camera" or w.before(j - 1) in lx.CAMERA_VERBS):
        _set_dir(m, prep, r[1])
        return r[0]
    return None


def _frame(w: Walker, j: int, m: Mods, noun_actions: dict[str, str]) -> int | None:
    lem = w.lem(j)
    if lem in ("out", "outside"):
        k2 = w.dets(w.seq(j + 1, "?of|from"))
        if w.lem(k2) in lx.FRAME_WORDS:
            m.frame_out = True
            return k2 + 1
        if lem == "outside" and w.lem(k2) not in lx.INDOOR:
            m.frame_out = True
            return j + 1
    preps = lx.FRAME_IN_PREPOSITIONS | lx.FRAME_OUT_PREPOSITIONS
    if lem in preps or lem in lx.FRAME_WORDS or lem in DETERMINERS:
        k = w.dets(j + 1 if lem in preps else j)
        if w.lem(k) in lx.FRAME_WORDS and not (w.lem(k) == "picture" and w.lem(k - 1) in ("a", "take")):
            if lem in lx.FRAME_OUT_PREPOSITIONS:
                m.frame_out = True
            elif lem in lx.FRAME_IN_PREPOSITIONS:
                m.frame_in = True
            else:
                m.frame_obj = True
            return k + 1
    return None


def _behind(w: Walker, j: int, m: Mods, noun_actions: dict[str, str]) -> int | None:
    k = w.seq(j, "from", "behind") or w.seq(j, "from", "the", "back", "of") or w.seq(j, "out", "from", "behind")
    if k is not None:
        np = w.noun_phrase(k)
        if np:
            m.from_behind = np
            return np.end
    k = w.seq(j, "behind") or w.seq(j, "at|to", "the", "back", "of")
    if k is None:
        return None
    np = w.noun_phrase(k)
    if np and np.kind == "pronoun":
        m.back = True
        return np.end
    if np:
        m.behind = np
        if np.kind == "actor":
            m.related.append(("behind", np))
        return np.end
    if w.lem(j) == "behind":
        m.back = True
        return k
    return None


def _side_matcher(w: Walker, j: int, m: Mods, noun_actions: dict[str, str]) -> int | None:
    lem = w.lem(j)
    prep = _prep(w, j)
    if not (prep or lem in lx.SIDE_WORDS or lem in DETERMINERS):
        return None
    r = _side(w, j + 1 if prep else j)
    if not r:
        return None
    _set_dir(m, prep or "to", r[1], r[2])
    return r[0]


def _inside(w: Walker, j: int, m: Mods, noun_actions: dict[str, str]) -> int | None:
    if w.lem(j) in ("inside", "indoors") and (j + 1 >= w.end or w.toks[j + 1].is_punct):
        m.into = NounPhrase("inside", "indoor", "inside", j, j + 1)
        return j + 1
    return None


def _faster_than(w: Walker, j: int, m: Mods, noun_actions: dict[str, str]) -> int | None:
    if not w.seq(j, "faster|quicker", "than"):
        return None
    m.faster_than = True
    np = w.noun_phrase(j + 2)
    if np:
        m.related.append(("than", np))
        return np.end
    return j + 2


def _preposition(w: Walker, j: int, m: Mods, noun_actions: dict[str, str]) -> int | None:
    for p in PREPS:
        k = w.seq(j, *p)
        if k is None:
            continue
        np = w.noun_phrase(k)
        if np is None:
            return None
        name = " ".join(p)
        if np.kind == "pronoun":          # "behind him" (the actor itself), "beside her"
            if name == "behind":
                m.back = True
            elif name == "around":
                m.around = True
            return np.end
        if np.kind == "indoor" and name in lx.INTO_PREPOSITIONS:
            m.into = np
        elif np.kind == "indoor" and name in lx.OUT_OF_PREPOSITIONS:
            m.out_of = np
        m.related.append((name, np))
        return np.end
    return None


def _object(w: Walker, j: int, m: Mods, noun_actions: dict[str, str]) -> int | None:
    np = w.noun_phrase(j)
    if np:
        m.objects.append(np)
        return np.end
    return None


def _particle(w: Walker, j: int, m: Mods, noun_actions: dict[str, str]) -> int | None:
    lem = w.lem(j)
    if lem in ("off", "over", "out", "on") and j == w.start:
        m.particles.append(lem)
        return j + 1
    return None


MATCHERS: dict[str, Callable[[Walker, int, Mods, dict[str, str]], int | None]] = {
    "@from_to": _from_to, "@noun_action": _noun_action, "@camera": _camera, "@frame": _frame,
    "@behind": _behind, "@side": _side_matcher, "@inside": _inside, "@faster_than": _faster_than,
    "@preposition": _preposition, "@object": _object, "@particle": _particle,
}
_unknown = {r.words for r in lx.MODIFIER_PATTERNS if isinstance(r.words, str)} - set(MATCHERS)
if _unknown:
    raise ImportError(f"MODIFIER_PATTERNS names unknown matchers: {sorted(_unknown)}")
