"""Text prompts from parsed queries: the actor nouns a detector looks for, and the
actor-with-attributes / verb / whole-action prompts of the track–text grounder (VideoGEM's
decomposition of a query)."""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from svag.language import lexicon as lx
from svag.language.types import ActionQuery

GENERIC_NEGATIVES = ("a photo of the background", "a photo of an empty street", "a photo of an object")
# words of a query that belong to the actor phrase, not to the action
_SUBJECT = set(lx.CATEGORIES) | set(lx.COLOURS) | set(lx.VISUAL) | set(lx.CLOTHING) | {"a", "an", "the", "in", "with",
                                                                                           "wearing", "one", "some"}


def actor_prompts(queries: Iterable[ActionQuery], default: str = "person") -> tuple[str, ...]:
    """The distinct actor categories named by ``queries`` (the detector's prompts), in order of
    first mention; ``(default,)`` when none names one."""
    cats = [q.category for q in queries if q.category]
    return tuple(dict.fromkeys(cats)) or (default,)


def actor_phrase(query: ActionQuery) -> str:
    """"red person", "brown dog", "woman in black", "tall man in a white shirt": the attributes
    and the actor's noun (a noun attribute such as "woman" replaces "person"; a person's colours
    then follow "in", as do clothing phrases)."""
    nouns = [a for a in query.attributes if a in lx.CATEGORIES]
    words = [a for a in query.attributes if a not in lx.CATEGORIES and " " not in a]
    phrases = [f"in a {a}" for a in query.attributes if " " in a]
    if nouns:
        colours = [a for a in words if a in lx.COLOURS]
        words = [a for a in words if a not in lx.COLOURS]
        phrases = ([f"in {' '.join(colours)}"] if colours else []) + phrases
    return " ".join([*words, nouns[0] if nouns else query.category or "person", *phrases])


def query_prompts(query: ActionQuery) -> dict[str, str]:
    """``{"actor": ..., "verb": ..., "action": ...}`` prompts of one query."""
    words = query.text.lower().replace(",", " ").replace(".", " ").split()
    rest = words
    for i, w in enumerate(words):
        if w in lx.CATEGORIES:
            rest = words[i + 1:]
            break
    while rest and rest[0] in _SUBJECT:
        rest = rest[1:]
    verb = " ".join(rest) or "moves"
    cat = query.category or "person"
    return {"actor": f"a photo of a {actor_phrase(query)}", "verb": f"a photo of a {cat} that {verb}",
            "action": f"a photo of {query.text.strip().rstrip('.').lower()}"}


def _looks(query: ActionQuery) -> set[str]:
    """The words of a query's attributes that describe the actor's look ("red shirt" -> red)."""
    return {w for a in query.attributes for w in a.split() if w not in lx.CLOTHING}


def contrast_prompts(query: ActionQuery, others: Iterable[ActionQuery]) -> tuple[str, ...]:
    """Prompts a track of ``query`` should not match: the other actors of the query set that
    exclude this one (another category, or the same category with other attributes: "blue
    person" against "red person", but not "person" nor "tall red person", which may be the same
    actor), the same actor in other basic colours when the query names a colour, and generic
    negatives."""
    mine = _looks(query)
    cat = query.category or "person"
    out = []
    for o in others:
        theirs = _looks(o)
        if (o.category or "person") == cat and (mine <= theirs or theirs <= mine):
            continue
        out.append(f"a photo of a {actor_phrase(o)}")
    colours = [a for a in query.attributes if a in lx.COLOURS]
    if colours:
        rest = tuple(a for a in query.attributes if a not in colours)
        # ... contrasted with the same actor in the other basic colours (the lexicon's; a synonym
        # such as "gray" or "navy" counts as the colour it names)
        named = {lx.basic_colour(c) for c in colours}
        out += [f"a photo of a {actor_phrase(replace(query, attributes=(c, *rest)))}" for c in lx.BASIC_COLOURS
                if c not in named]
    return tuple(dict.fromkeys([*out, *GENERIC_NEGATIVES]))
