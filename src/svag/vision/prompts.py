"""Text prompts from parsed queries: the actor nouns a detector looks for, and the
actor-with-attributes / verb / whole-action prompts of the track–text grounder (VideoGEM's
decomposition of a query)."""
from __future__ import annotations

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
    """"red person", "woman white dog"... : the attributes and the category."""
    return " ".join([*query.attributes, query.category or "person"])


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


def contrast_prompts(query: ActionQuery, others: Iterable[ActionQuery]) -> tuple[str, ...]:
    """Prompts a track of ``query`` should not match: the other actors of the query set
    (different attributes or category) and generic negatives."""
    mine = actor_phrase(query)
    out = [f"a photo of a {p}" for p in dict.fromkeys(actor_phrase(o) for o in others) if p != mine]
    return tuple(dict.fromkeys([*out, *GENERIC_NEGATIVES]))
