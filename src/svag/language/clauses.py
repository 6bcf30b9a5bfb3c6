"""Clauses of a query: segments between temporal connectives, and the verbs in each segment.

"A person stops walking, then turns around" -> segments "a person stops walking" and "turns around"
(relation "then"); in the first, "stops" governs "walking" (aspect "stop"), so the verb phrases are
[walk (aspect stop)] and [turn]. Nouns that look like verbs are told apart by their neighbours ("a
left turn", "in place", "a seated position" are not verbs).
"""
from __future__ import annotations

from dataclasses import dataclass

from svag.language import lexicon as lx
from svag.language.lexicon import ADJECTIVES, ASPECTS, DETERMINERS, NOUN_ACTIONS, VERBS
from svag.language.rules import Head
from svag.language.text import Token
from svag.language.types import Predicate

CONNECTIVES = lx.CONNECTIVES
_CONN = sorted(CONNECTIVES, key=len, reverse=True)
_PARTICIPLES = lx.PARTICIPLES
_NOUN_AFTER_PREP = {"in", "on", "at", "of", "from", "into", "with", "for", "by"}
NEGATORS = lx.NEGATORS


@dataclass
class Segment:
    start: int
    end: int
    relation: str              # to the previous segment: then / and / while / while_not / after / before
    leading: str | None = None  # a subordinator that opened the query ("after X, Y")


def segments(toks: list[Token]) -> list[Segment]:
    """The query cut at its connectives; a leading "after/before/while B," is put in time order."""
    out: list[Segment] = []
    start, relation, j = 0, "and", 0
    leading: str | None = None
    while j < len(toks):
        conn = _connective(toks, j)
        if conn is None:
            j += 1
            continue
        n, rel = conn
        if j == 0:
            leading = rel
        elif j > start:
            out.append(Segment(start, j, relation))
        start, relation, j = j + n, rel, j + n
    if start < len(toks):
        out.append(Segment(start, len(toks), relation))
    if not out:
        return [Segment(0, len(toks), "and")]
    out[0].relation = "and"
    if leading and len(out) > 1:
        out[0].leading = leading
        # "after B, A": B then A; "before B, A": A then B; "while B, A": one step
        if leading == "before":        # the subordinate clause happens last
            out = out[1:] + [out[0]]
            out[-1].relation = "then"
            out[0].relation = "and"
        else:
            out[1].relation = {"after": "then", "while_not": "while_not"}.get(leading, "while")
    return out


def _connective(toks: list[Token], j: int) -> tuple[int, str] | None:
    for c in _CONN:
        if tuple(t.lemma if t.lemma in ("afterward",) else t.text for t in toks[j:j + len(c)]) == c:
            rel = CONNECTIVES[c]
            nxt = toks[j + len(c)].lemma if j + len(c) < len(toks) else ""
            after_nxt = toks[j + len(c) + 1].lemma if j + len(c) + 1 < len(toks) else ""
            if c[-1] in ("after", "before") and nxt in ("a", "an", "the") and after_nxt in NOUN_ACTIONS:
                return len(c), rel     # "after a pause"
            if c[-1] in ("as", "while", "when") and nxt in ("well", "such", "if", "much", "many", "long", "far",
                                                          "soon", "a", "an", "usual", "before"):
                return None            # "as well as", "as a group"
            if c[-1] in ("after", "before", "without") and j > 0 and (
                    nxt in DETERMINERS and nxt not in ("his", "her", "their", "its") or nxt in lx.CATEGORIES) \
                    and not has_verb_soon(toks, j + len(c)):
                return None            # "walking after a lady", "without a bag" (but "after the bus passes")
            if c == ("and",) and nxt in DETERMINERS | set(lx.CATEGORIES) | {"her", "his"} and (
                    not has_verb_soon(toks, j + 1) or not has_verb_soon(toks, 0, j)):
                return None            # "a person and a child walk", "his hands and arms"
            if c == ("and",) and nxt in lx.COLOURS | lx.CLOTHING | lx.BODY_PARTS | lx.OBJECTS:
                return None
            return len(c), rel
    return None


def has_verb_soon(toks: list[Token], j: int, end: int | None = None) -> bool:
    """A verb (not a noun like "a shopping bag") among the next few tokens, or in toks[j:end]."""
    stop = min(len(toks), j + 4 if end is None else end)
    return any(toks[k].lemma in VERBS and (k == 0 or toks[k - 1].lemma not in DETERMINERS) for k in range(j, stop))


def is_head(toks: list[Token], k: int, prev_head: int | None) -> bool:
    t = toks[k]
    lem = t.lemma
    prev = toks[k - 1] if k else None
    if lem in ADJECTIVES:
        return bool(prev and prev.lemma in {"be", "become", "remain", "stay", "not", "longer", "keep",
                                            "seem", "get", "sit", "stand", "lie", "and", "still"}
                    or lem == "seated" and (prev is None or prev.lemma not in DETERMINERS)
                    or prev is None or prev.lemma in lx.CATEGORIES)
    if lem not in VERBS or lem == "hand" and t.text == "hand":
        return False
    if lem in ("dress", "clad") and k + 1 < len(toks) and toks[k + 1].lemma == "in":
        return False               # "dressed in black": an attribute
    nxt = toks[k + 1] if k + 1 < len(toks) else None
    if nxt is not None and nxt.lemma == "position" and prev is not None and prev.lemma in DETERMINERS:
        return False               # "from a standing position"
    if lem in ("get", "be") and nxt is not None and nxt.lemma in VERBS and (
            nxt.text.endswith("ed") or nxt.text in _PARTICIPLES):
        return False               # "gets carried": an auxiliary
    if prev is not None:
        if prev.lemma in DETERMINERS and prev.text != "others" or prev.text in ("s",):
            return False
        if prev.lemma in ("slower", "faster", "big", "small", "quick", "slight", "short", "long", "few") or \
                prev.lemma not in lx.CATEGORIES and t.text == lem and \
                prev.lemma in lx.COLOURS | lx.PLACE_MODIFIERS - {"standing", "parked", "back", "front", "far", "near",
                                                                 "other", "opposite", "same", "different"} | {
                    "quick", "slight", "sharp", "brief", "higher", "lower", "big", "small", "little"}:
            return False
        if prev.lemma in lx.SIDE_WORDS and t.text == lem and (lem in NOUN_ACTIONS or lem in lx.BODY_PARTS):
            return False           # "a left turn" (but "walking right turns forward")
        if prev.lemma in _NOUN_AFTER_PREP and t.text == lem and lem in set(NOUN_ACTIONS) | {
                "place", "position", "stand", "park", "signal", "race", "head", "face", "sign", "light", "land",
                "rest", "seat", "wait", "queue", "call", "play", "reverse", "circle", "view"}:
            return False           # "in place", "at the stand", "with a drink"
        if t.text == lem and prev.text.endswith(("ed", "ing")) and prev_head != k - 1 and \
                lem in lx.ABSTRACT | lx.LANDMARKS | set(NOUN_ACTIONS):
            return False           # "a seated position", "a standing perch"
        if t.text == lem and prev.lemma in ADJECTIVES and lem in lx.ABSTRACT | lx.LANDMARKS:
            return False
        if prev.lemma in _NOUN_AFTER_PREP and lem in lx.PLACE_MODIFIERS and nxt is not None and \
                nxt.lemma in lx.LANDMARKS | lx.INDOOR:
            return False           # "in open area": an adjective of the place
        if prev.lemma in _NOUN_AFTER_PREP | {"inside", "outside", "near", "behind", "beside", "towards", "toward",
                                             "past"} and (lem in lx.BODY_PARTS or t.text == lem and lem in
                                                          lx.LANDMARKS | lx.INDOOR | lx.OBJECTS | lx.ABSTRACT):
            return False           # "with hands", "inside shop"
        if prev_head == k - 1 and (lem in lx.BODY_PARTS or lem in lx.OBJECTS) and not (
                t.text.endswith("ing") and prev.lemma in ASPECTS):
            return False           # "holding hands", "tilts head" (but "stops drinking")
    if lem in ("face", "head", "signal", "race", "light", "park", "place", "position", "stand", "call",
               "land", "rest") and prev is not None and prev.lemma in lx.CATEGORIES and t.text == lem and \
            lem in ("face", "head") and k + 1 < len(toks) and toks[k + 1].lemma in VERBS:
        return False
    return True


def heads(toks: list[Token], seg: Segment) -> list[Head]:
    idx: list[int] = []
    for k in range(seg.start, seg.end):
        if is_head(toks, k, idx[-1] if idx else None):
            idx.append(k)
    heads: list[Head] = []
    skip: set[int] = set()
    for n, k in enumerate(idx):
        if k in skip:
            continue
        end = idx[n + 1] if n + 1 < len(idx) else seg.end
        lem = toks[k].lemma
        kind = ADJECTIVES[lem] if lem in ADJECTIVES and (lem not in VERBS or lem == "seated") else VERBS[lem]
        h = Head(k, lem, kind, k + 1, end, form=toks[k].text)
        # what governs it: an aspect verb right before ("stops walking", "begins to run")
        aspect_of = _aspect_before(toks, heads, k)
        if aspect_of is not None:
            gov = heads.pop()
            h.aspect = ASPECTS.get(gov.lemma, "keep") if gov.kind != "turn" and gov.lemma != "come" else None
            h.negated = gov.negated
            h.governor = gov.index
        window = toks[(heads[-1].index + 1 if heads else seg.start):k]
        words = [t.lemma for t in window]
        if any(w in NEGATORS for w in words):
            h.negated = not h.negated if h.aspect != "neg" else h.negated
            if "longer" in words and "no" in words:
                h.negated, h.aspect = False, "stop"
        if k and toks[k - 1].lemma in ("be", "get") and (toks[k].text.endswith(("ed", "en")) or
                                                          toks[k].text in _PARTICIPLES):
            h.passive = True
        if any(w in ("initially", "first", "firstly") for w in words):
            h.main = False         # "initially glancing right, looks forward": comes first
        if lem == "see" and h.passive:
            h.kind = "visible"
        if h.kind == "visible" and (h.negated or h.aspect == "stop"):
            h.kind, h.negated, h.aspect = "occluded", False, None
        if lem == "park" and any(t.text == "being" for t in window):
            h.kind = "stop"
        heads.append(h)
    # each aspect head consumed its own index
    return heads


def gapped(toks: list[Token], seg: Segment) -> bool:
    """A segment that starts with a direction: "(looks left and then) right", "(then) to the left"."""
    words = [t.lemma for t in toks[seg.start:seg.end] if t.lemma not in lx.STOP_WORDS and not t.is_punct]
    return bool(words) and words[0] in ("left", "right")


_SIDED = {"move_left": "left", "move_right": "right"}


def regap(steps: list[list[Predicate]], side: str | None) -> list[list[Predicate]]:
    if side not in ("left", "right"):
        return []
    out = []
    for p in steps[-1]:
        if p.arg in ("left", "right"):
            out.append(Predicate(p.name, side, p.negated, p.weight))
        elif p.name in _SIDED:
            out.append(Predicate("move_" + side, None, p.negated, p.weight))
    return [out] if out else []


def _aspect_before(toks: list[Token], heads: list[Head], k: int) -> int | None:
    """Index of the verb just before ``k`` that governs it ("stops walking", "begins to run"), or None."""
    if not heads or heads[-1].aspect is not None:
        return None
    gov = heads[-1]
    gap = [t.lemma for t in toks[gov.index + 1:k]]
    nxt_kind = VERBS.get(toks[k].lemma)
    if gov.kind == "turn" and gap == ["to"] and nxt_kind in ("look", "face"):
        return gov.index           # "turns to look right": the look says it all
    if gov.lemma == "come" and gap == ["to"] and toks[k].lemma in ("stop", "halt", "rest"):
        return gov.index           # "came to stop"
    aspect = ASPECTS.get(gov.lemma)
    if aspect is None or len(gap) > 2 or not all(w in _ASPECT_GAP for w in gap):
        return None
    if aspect == "slow" and nxt_kind not in ("walk", "run", "move"):
        return None                # "slows down to talk"
    if aspect == "stop" and "to" in gap:
        return None                # "stops to talk": a purpose, not "stops talking"
    if aspect == "keep" and nxt_kind == "turn" and "to" in gap:
        return None
    return gov.index


_ASPECT_GAP = {"to", "from", "on", "down", "up", "off", "be", "being", "in", "with", "not", "nt"}
