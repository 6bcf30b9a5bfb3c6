"""Free text -> :class:`~svag.language.types.ActionQuery`.

``parse_query("a person stands still then starts walking")`` ->
``person: stand_still then start_moving and walk``.

How: the text is tokenized (:mod:`svag.language.text`) and split into segments at temporal
connectives ("then", "and", "while", "after", "before", ...). In each segment the verbs are found
and each verb phrase is read by the rules (:mod:`svag.language.rules`); the actor (category,
attributes, count) comes from the words before the first verb. Verb phrases the rules do not
know are matched against example phrases per predicate with sentence embeddings
(:mod:`svag.language.embed`), when an embedder is available; what is still left goes to
``ActionQuery.unknown`` (function words aside). Steps are put in time order: "A then B", "A after
B" (B first), "before B, A" (A first); "while"/"as" keep one step; a plain "and" starts a new step
when either side is an event (enter, stop, turn, ...), else it is the same step.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from svag.errors import InputError
from svag.language import clauses
from svag.language import lexicon as lx
from svag.language import rules
from svag.language.clauses import Segment
from svag.language.lexicon import DETERMINERS, NEGATORS, NOUN_ACTIONS, VERBS
from svag.language.phrases import analyze
from svag.language.rules import Head, P, interpret
from svag.language.text import Token, tokenize
from svag.language.types import EVENTS, ActionQuery, Predicate

__all__ = ["parse_query", "parse_queries"]

@dataclass
class Draft:
    """A query parsed by the rules, waiting for the embedding matches of its leftover phrases."""
    text: str
    toks: list[Token]
    segments: list[Segment]
    units: list[list[tuple[int, list[list[Predicate]]]]]    # per segment: (position, steps)
    consumed: set[int]
    category: str | None = None
    attributes: list[str] = field(default_factory=list)
    count: str | None = None
    references: list[str] = field(default_factory=list)
    pending: list[tuple[int, int, int]] = field(default_factory=list)   # (segment, start, end)
    initial: set[tuple[int, int]] = field(default_factory=set)          # units said to come first


# -- public API ----------------------------------------------------------------------------------------

def parse_query(text: str, *, embedder: Any = None) -> ActionQuery:
    """Parse one action query. ``embedder``: None = the MiniLM embedder when sentence-transformers
    is installed (rules only otherwise), False = rules only, True = MiniLM or
    :class:`~svag.errors.MissingDependencyError`, or any object with ``encode(list[str]) -> array``.
    Raises :class:`~svag.errors.InputError` on an empty query."""
    return parse_queries([text], embedder=embedder)[0]


def parse_queries(texts: Sequence[str], *, embedder: Any = None) -> list[ActionQuery]:
    """Parse many queries; the phrases left to the embedder are encoded in one batch."""
    drafts = [draft(t) for t in texts]
    requests = [(d, seg, s, e) for d in drafts for seg, s, e in d.pending]
    matches: list[Any] = [None] * len(requests)
    if requests:
        from svag.language.embed import match_phrases, resolve_embedder
        emb = resolve_embedder(embedder)
        if emb is not None:
            phrases = [_phrase(d, seg, s) for d, seg, s, _ in requests]
            matches = match_phrases(phrases, emb)
    by_draft: dict[int, list[tuple[int, int, int, Any]]] = {}
    for (d, seg, s, e), mt in zip(requests, matches):
        by_draft.setdefault(id(d), []).append((seg, s, e, mt))
    return [finish(d, by_draft.get(id(d), [])) for d in drafts]


def _phrase(d: Draft, seg: int, start: int) -> str:
    """What the embedder sees: the unknown words and the rest of their clause, for context."""
    end = min(d.segments[seg].end, start + 8)
    return " ".join(t.text.replace("_", " ") for t in d.toks[start:end] if not t.is_punct)


# -- rules pass ----------------------------------------------------------------------------------------

MAX_QUERY_CHARS = 1000      # a query is a sentence or two (SVAG-Bench's longest: 93 characters)


def check_query(text: object, query_id: object = None) -> str:
    """The query text, or an InputError: not a string, empty, or longer than :data:`MAX_QUERY_CHARS`."""
    where = query_id if query_id is not None else (text if isinstance(text, str) and len(text) <= 80 else None)
    if not isinstance(text, str):
        raise InputError(f"expected the query as a string, got {type(text).__name__}", query=where)
    if not text.strip():
        raise InputError("empty query", query=where)
    if len(text) > MAX_QUERY_CHARS:
        raise InputError(f"query text is {len(text)} characters long; the limit is {MAX_QUERY_CHARS} "
                         f"(starts {text[:40]!r})", query=where)
    return text


def draft(text: str) -> Draft:
    check_query(text)
    toks = tokenize(text)
    segments = clauses.segments(toks)
    covered = {j for seg in segments for j in range(seg.start, seg.end)}
    d = Draft(text, toks, segments, [[] for _ in segments], set(range(len(toks))) - covered)
    last_steps: list[list[Predicate]] = []
    for k, seg in enumerate(segments):
        heads = clauses.heads(toks, seg)
        if not heads and last_steps and clauses.gapped(toks, seg):
            # "looks left and then right": the verb is left out; redo the last reading with the new side
            m = analyze(toks, seg.start, seg.end, NOUN_ACTIONS)
            steps = clauses.regap(last_steps, m.side())
            if steps:
                d.units[k].append((seg.start, steps))
                d.consumed |= m.consumed
                d.references += [x for x in m.references() if x not in d.references]
                if seg.relation == "and":
                    seg.relation = "then"
                continue
        first = min(h.index if h.governor is None else h.governor for h in heads) if heads else seg.end
        if d.category is None or k == 0:
            _subject(d, k, seg.start, first)
        elif _foreign_subject(toks, seg.start, first):
            d.consumed.update(range(seg.start, seg.end))       # read: it is about someone or something else
            continue
        else:
            _modifiers(d, k, seg.start, first)
        for h in heads:
            if h.lemma in ("wear", "dress"):          # what it wears is how it looks, not an action
                r = interpret(toks, h)
                d.attributes += [a.replace("_", " ") for a in r.attributes if a not in d.attributes]
                d.consumed |= r.consumed
                continue
            r = interpret(toks, h)
            d.consumed |= r.consumed
            d.references += [x for x in r.references if x not in d.references]
            if r.steps:
                d.units[k].append((h.index, r.steps))
                last_steps = r.steps
                if not h.main:
                    d.initial.add((k, h.index))
        _residuals(d, k)
    return d


# -- the actor -------------------------------------------------------------------------------------------

def _subject(d: Draft, k: int, start: int, end: int) -> None:
    toks = d.toks
    j = start
    found = False
    pre_attrs: list[str] = []
    mine: set[int] = set()
    while j < end:
        t = toks[j]
        lem = t.lemma
        if lem in ("other", "another"):
            break
        if t.text.isdigit() and not found:
            d.count = d.count or t.text
        elif lem in lx.COUNTS and not found and (lem not in ("one",) or j + 1 < end and
                                               toks[j + 1].lemma in lx.CATEGORIES):
            d.count = d.count or lx.COUNTS[lem]
        elif lem in DETERMINERS or (lem in lx.STOP_WORDS or lem in lx.HEDGES) and not found:
            pass
        elif (lem in lx.COLOURS or lem in lx.VISUAL or lem in lx.CLOTHING or lem == "hair" or
              (t.text.endswith(("ing", "ed")) or lem in lx.LANDMARKS or lem in lx.PLACE_MODIFIERS)
              and j + 1 < end and toks[j + 1].lemma in lx.CATEGORIES) and not found:
            pre_attrs.append(t.text.replace("_", " "))
        elif lem in lx.CATEGORIES and not found:
            if d.category is None:
                d.category, extra = lx.CATEGORIES[lem]
                d.attributes += pre_attrs + ([extra] if extra else [])
                if d.count is None and (t.text != lem and t.text.endswith("s") or
                                        t.text in ("people", "men", "women", "children")):
                    d.count = "several"
            found = True
            if j + 1 < end and toks[j + 1].lemma in lx.CATEGORIES and toks[j + 1].lemma != lem:
                j += 1        # "a baby stroller", "a person cyclist"
            if j + 2 < end and toks[j + 1].text == "s" and toks[j + 2].lemma in lx.CATEGORIES:
                d.category, extra = lx.CATEGORIES[toks[j + 2].lemma]       # "a person's dog"
                d.attributes = pre_attrs + ([extra] if extra else [])
                mine.update((j, j + 1))
                j += 2
        else:
            break
        mine.add(j)
        j += 1
    if found:
        d.consumed |= mine
    _modifiers(d, k, j if found else start, end, subject=True)


def _modifiers(d: Draft, k: int, start: int, end: int, subject: bool = False) -> None:
    """Words before a segment's first verb: "in a red shirt", "with two others", "on the left side"."""
    toks = d.toks
    j = start
    while j < end:
        # "in white", "in a black shirt", "wearing a red jacket", "on a bike"
        lem = toks[j].lemma
        if lem in ("in", "with", "wearing", "wear", "dressed", "clad", "on", "riding", "ride", "having",
                   "carrying"):
            q = j + 1
            if q < end and toks[q].lemma == "in":
                q += 1
            while q < end and toks[q].lemma in DETERMINERS - {"other", "another"}:
                q += 1
            words = []
            r = q
            while r < end and (toks[r].lemma in lx.COLOURS or toks[r].lemma in lx.VISUAL or
                               toks[r].lemma in lx.CLOTHING or toks[r].lemma in ("long_sleeve",)):
                words.append(toks[r].text.replace("_", " "))
                r += 1
            has_clothing = any(toks[x].lemma in lx.CLOTHING for x in range(q, r))
            if words and (has_clothing or lem in ("in", "wearing", "wear", "dressed", "clad")) and \
                    not (r < end and toks[r].lemma in lx.LANDMARKS | lx.INDOOR):
                d.attributes.append(" ".join(words))
                d.consumed.update(range(j, r))
                j = r
                if j + 1 < end and toks[j].lemma == "and" and (toks[j + 1].lemma in lx.COLOURS or
                                                               toks[j + 1].lemma in lx.CLOTHING):
                    r = j + 1          # "in a white shirt and black pants"
                    while r < end and toks[r].lemma in lx.COLOURS | lx.VISUAL | lx.CLOTHING:
                        r += 1
                    d.attributes.append(" ".join(t.text.replace("_", " ") for t in toks[j + 1:r]))
                    d.consumed.update(range(j, r))
                    j = r
                continue
            if q < end and toks[q].lemma in lx.CATEGORIES and lx.CATEGORIES[toks[q].lemma][0] in (
                    "bicycle", "motorcycle", "wheelchair", "stroller", "horse", "cart", "skateboard") and \
                    lem in ("in", "on", "riding", "ride", "with"):
                d.attributes.append(lx.CATEGORIES[toks[q].lemma][0])
                d.consumed.update(range(j, q + 1))
                j = q + 1
                continue
        j += 1
    m = analyze(toks, start, end, NOUN_ACTIONS, skip=d.consumed)
    d.consumed |= m.consumed
    d.references += [x for x in m.references() if x not in d.references]
    preds: list[Predicate] = []
    if m.actors("with", "along with", "alongside", "accompanied by", "together with", "beside", "next to",
                "near", "among"):
        preds.append(P("together", weight=0.8))
    if m.at in ("left", "right", "top", "bottom", "center"):
        preds.append(P("located", m.at, weight=0.7))
    if m.noun_action:
        h = Head(start, m.noun_action[0], m.noun_action[0], start, end)
        preds += [p for s in rules.NOUN_HANDLERS[m.noun_action[0]](h, m) for p in s]
    if m.still:
        preds.append(P("stand_still"))
    if subject and not preds and m.dst in ("left", "right") and not any(
            clauses.is_head(toks, j, None) for j in range(end, d.segments[k].end)):
        preds.append(P("move_" + m.dst, weight=0.6))      # "a person slightly to the right"
    if preds:
        d.units[k].append((start, [preds]))


def _foreign_subject(toks: list[Token], start: int, end: int) -> bool:
    """A clause about something else: "as the signal turns green", "while her mother picks up a cap"."""
    nouns = [t.lemma for t in toks[start:end] if t.lemma not in lx.STOP_WORDS and t.lemma not in DETERMINERS]
    other = toks[start].lemma in lx.OTHER_ACTOR_DETERMINERS or [t.lemma for t in toks[start:start + 2]] == [
        "the", "other"]
    if nouns and other and (nouns[0] in lx.CATEGORIES or nouns[0] in lx.ACTOR_WORDS):
        return True
    return bool(nouns) and nouns[0] not in lx.CATEGORIES and nouns[0] not in lx.ACTOR_WORDS and (
        nouns[0] in lx.LANDMARKS or nouns[0] in lx.OBJECTS) and toks[start].lemma in ("the", "a", "an")


# -- leftovers -------------------------------------------------------------------------------------------

_NOUNS = set(lx.CATEGORIES) | lx.LANDMARKS | lx.OBJECTS | lx.BODY_PARTS | lx.CLOTHING | lx.FRAME_WORDS


def _content(t: Token) -> bool:
    return not t.is_punct and t.lemma not in lx.STOP_WORDS and t.text not in lx.STOP_WORDS and \
        t.lemma not in lx.HEDGES and t.lemma not in DETERMINERS and not t.text.isdigit() and \
        t.lemma not in NEGATORS


def _residuals(d: Draft, k: int) -> None:
    """Spans of the segment the rules did not read, worth asking the embedder about."""
    seg = d.segments[k]
    spans: list[tuple[int, int]] = []
    j = seg.start
    while j < seg.end:
        if j in d.consumed or not _content(d.toks[j]):
            j += 1
            continue
        s = j
        while j < seg.end and (j not in d.consumed) and not d.toks[j].is_punct:
            j += 1
        spans.append((s, j))
    for s, e in spans:
        if any(_verbish(d.toks, j) for j in range(s, e) if _content(d.toks[j])):
            d.pending.append((k, s, e))


def _verbish(toks: list[Token], j: int) -> bool:
    """Could this unknown word be the verb of a clause? ("is frolicking", "wraps its neck")"""
    t = toks[j]
    prev = toks[j - 1].lemma if j else ""
    nxt = toks[j + 1].lemma if j + 1 < len(toks) else ""
    if t.lemma in _NOUNS or t.text.endswith("ly") or prev in DETERMINERS or prev in lx.COLOURS:
        return False
    if nxt in _NOUNS and nxt not in lx.BODY_PARTS and t.text.endswith(("ing", "ed")) and \
            nxt not in ("other", "another"):
        return False            # "a moving vehicle", "a seated position"
    return t.text.endswith(("ing", "ed", "s")) or t.lemma in VERBS or prev in ("be", "to", "not")


# -- composing --------------------------------------------------------------------------------------------

def finish(d: Draft, matches: list[tuple[int, int, int, Any]]) -> ActionQuery:
    units = [list(u) for u in d.units]
    consumed = set(d.consumed)
    for seg, s, e, mt in matches:
        if mt is None:
            continue
        name, arg, sim = mt
        segment = d.segments[seg]
        negated = any(t.lemma in NEGATORS or VERBS.get(t.lemma) == "refrain" for t in d.toks[segment.start:s])
        units[seg].append((s, [[Predicate(name, arg, negated, round(float(min(1.0, sim)), 3))]]))
        consumed.update(range(s, e))
    groups: list[tuple[str, list[list[Predicate]]]] = []
    for k, (seg, us) in enumerate(zip(d.segments, units)):
        steps: list[list[Predicate]] = []
        rel = "and"
        for pos, st in sorted(us, key=lambda u: u[0]):
            steps = _join(steps, st, rel)
            rel = "then" if (k, pos) in d.initial else "and"
        groups.append((seg.relation, steps))
    steps: list[list[Predicate]] = []
    last_len = 0
    for rel, st in groups:
        if not st:
            continue
        if not steps:
            steps, last_len = [list(s) for s in st], len(st)
            continue
        if rel == "after":
            head, tail = steps[:len(steps) - last_len], steps[len(steps) - last_len:]
            steps = head + [list(s) for s in st] + tail
        else:
            steps = _join(steps, st, rel)
        last_len = len(st)
    attributes, references = list(d.attributes), list(d.references)
    actors = [p.i for p in d.toks if p.lemma in lx.CATEGORIES]      # actor nouns; the first is the subject's
    for t in d.toks:          # "wearing red", "dressed all in black": a colour the rules left over
        if t.i not in consumed and t.text in lx.COLOURS and any(
                p.lemma in _CLOTHED for p in d.toks[max(0, t.i - 3):t.i]):
            near = [i for i in actors if t.i - 4 <= i < t.i]
            if near and near[-1] != actors[0]:       # "goes after the person in blue": the other actor's
                references.append(t.text)
            else:
                attributes.append(t.text)
            consumed.add(t.i)
    unknown = [t.text.replace("_", " ") for t in d.toks if t.i not in consumed and _content(t)]
    return ActionQuery(
        text=d.text, category=d.category, attributes=tuple(dict.fromkeys(attributes)),
        steps=tuple(tuple(_dedup(s)) for s in _merge_equal(steps) if s),
        unknown=tuple(dict.fromkeys(unknown)), count=d.count, references=tuple(dict.fromkeys(references)))


_CLOTHED = frozenset({"wear", "wearing", "dress", "dressed", "in", "clad"})


def _negate(steps: list[list[Predicate]]) -> list[list[Predicate]]:
    return [[Predicate(p.name, p.arg, not p.negated, p.weight) for p in s] for s in steps]


def _is_event(step: list[Predicate]) -> bool:
    return any(p.name in EVENTS and not p.negated for p in step)


_MOVING = {"move", "walk", "run", "move_left", "move_right", "move_up", "move_down", "move_towards_camera",
           "move_away_from_camera", "start_moving"}


def _conflict(a: list[Predicate], b: list[Predicate]) -> bool:
    still = any(p.name == "stand_still" and not p.negated for p in a + b)
    moving = any(p.name in _MOVING and not p.negated for p in a + b)
    # "looks left and right": one predicate towards two sides cannot hold at once
    sides = {(p.name, p.arg) for p in a + b if p.arg is not None and not p.negated}
    return still and moving or len({name for name, _ in sides}) < len(sides)


def _join(steps: list[list[Predicate]], new: list[list[Predicate]], rel: str) -> list[list[Predicate]]:
    if not new:
        return steps
    if not steps:
        return [list(s) for s in (_negate(new) if rel == "while_not" else new)]
    if rel == "while_not":
        new = _negate(new)
        rel = "while"
    if rel == "while" or rel == "and" and not (_is_event(steps[-1]) or _is_event(new[0])) and \
            not _conflict(steps[-1], new[0]):
        return steps[:-1] + [steps[-1] + list(new[0])] + [list(s) for s in new[1:]]
    return steps + [list(s) for s in new]


def _dedup(step: list[Predicate]) -> list[Predicate]:
    best: dict[tuple[str, str | None, bool], Predicate] = {}
    for p in step:
        key = (p.name, p.arg, p.negated)
        if key not in best or p.weight > best[key].weight:
            best[key] = p
    out = list(best.values())
    names = {p.name for p in out if not p.negated}
    specific = names & (_MOVING - {"move"} | {"enter", "leave", "pass", "follow", "approach", "circle", "jump",
                                              "turn_around", "move_away_from"})
    if specific:
        out = [p for p in out if not (p.name == "move" and not p.negated)]
    if names & _MOVING:
        # "walks along the road rather than crossing it", "walking, does not enter the main road": what
        # is denied is the unread goal (a bare "move"), not motion itself, which the step asserts
        out = [p for p in out if not (p.name == "move" and p.negated)]
    if "turn_around" in names:
        out = [p for p in out if p.name != "turn" or p.arg]
    return out


def _merge_equal(steps: list[list[Predicate]]) -> list[list[Predicate]]:
    out: list[list[Predicate]] = []
    for s in steps:
        if out and set(_dedup(out[-1])) == set(_dedup(s)):
            continue
        out.append(s)
    return out
