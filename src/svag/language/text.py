"""Tokens for the query parser: lower-cased words with a base form (lemma), several-word terms joined.

The lemmatizer is a small suffix stripper checked against the parser's own word lists: a form is
reduced only when the reduction is a known word ("walking" -> "walk", "carries" -> "carry",
"stopping" -> "stop"), so unknown words come back unchanged and are reported as they were written.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from svag.language import lexicon as lx

_WORD = re.compile(r"[^\W_]+|,|;|:")
_CONTRACTIONS = ((r"\bcannot\b", "can not"), (r"\bcan't\b", "can not"), (r"n't\b", " not"),
                 (r"'s\b", " 's"), (r"s'(\s|$)", r"s 's\1"), (r"[-_/]", " "))


@dataclass(frozen=True)
class Token:
    i: int          # position in the query
    text: str       # lower case as written ("walking"; "zebra_crossing" for joined terms)
    lemma: str      # base form ("walk")

    @property
    def is_punct(self) -> bool:
        return self.text in {",", ";", ":"}


def _known() -> frozenset[str]:
    words: set[str] = set(lx.VERBS) | set(lx.CATEGORIES) | lx.COLOURS | lx.VISUAL | lx.CLOTHING
    words |= lx.LANDMARKS | lx.BODY_PARTS | lx.OBJECTS | lx.FRAME_WORDS | lx.INDOOR | lx.ACTOR_WORDS
    words |= set(lx.SIDE_WORDS) | lx.HEDGES | set(lx.NOUN_ACTIONS) | set(lx.IRREGULAR.values())
    words |= lx.EXTRA_WORDS | set(lx.ADJECTIVES)
    return frozenset(words)


KNOWN: frozenset[str] = frozenset()


def _dedouble(stem: str) -> str:
    return stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "aeiouls" else stem


@lru_cache(maxsize=20000)
def lemma(word: str) -> str:
    """Base form of ``word`` when a reduction of it is a known word, else ``word``."""
    global KNOWN
    if not KNOWN:
        KNOWN = _known()
    if word in lx.IRREGULAR:
        return lx.IRREGULAR[word]
    if word in lx.NOUN_ING:
        return lemma(word[:-3]) if word[:-3] in KNOWN else lemma(word[:-3] + "e") if word[:-3] + "e" in KNOWN \
            else _dedouble(word[:-3])
    if word in KNOWN or word in lx.SIDE_WORDS:
        return word
    cands: list[str] = []
    if word.endswith("ies") and len(word) > 4:
        cands.append(word[:-3] + "y")
    if word.endswith("s") and not word.endswith("ss"):
        cands.append(word[:-1])
    if word.endswith("es"):
        cands.append(word[:-2])
    if word.endswith("ing") and len(word) > 4:
        stem = word[:-3]
        cands += [stem, stem + "e", _dedouble(stem)]
        if stem.endswith("y"):
            cands.append(stem[:-1] + "ie")      # lying -> lie
    if word.endswith("ied"):
        cands.append(word[:-3] + "y")
    if word.endswith("ed") and len(word) > 3:
        stem = word[:-2]
        cands += [stem, stem + "e", word[:-1], _dedouble(stem)]
    for c in cands:
        if c in KNOWN:
            return c
    return word


def tokenize(text: str) -> list[Token]:
    """Lower-case words and punctuation; several-word terms joined; lemmas attached."""
    s = text.lower().replace("\u2019", "'")
    for pat, rep in _CONTRACTIONS:
        s = re.sub(pat, rep, s)
    words = _WORD.findall(s)
    joined: list[str] = []
    i = 0
    while i < len(words):
        for n in (3, 2):
            key = tuple(words[i:i + n])
            if len(key) == n and key in lx.MULTIWORDS:
                joined.append(lx.MULTIWORDS[key])
                i += n
                break
        else:
            joined.append(words[i])
            i += 1
    out = []
    for k, w in enumerate(joined):
        lem = lemma(w)
        # "leaves" after an eating verb, "on" or a determiner is the plant, not the verb
        if w == "leaves" and k and lemma(joined[k - 1]) in {"eat", "feed", "nibble", "munch", "on", "the",
                                                             "some", "graze", "chew", "bite"}:
            lem = "leaf"
        if w in lx.NOUN_ING and k and joined[k - 1] in ("the", "a", "an", "this", "that", "zebra", "pedestrian"):
            lem = w           # "at the crossing": the place
        out.append(Token(k, w, lem))
    return out
