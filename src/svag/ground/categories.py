"""The actor's category, checked the same way by every grounder.

A query names its actor ("a person", "the blue car", "a dog": :attr:`ActionQuery.category`);
a track may carry the category its detector gave it, with a confidence (``Track.category``,
``Track.category_score``: "person", "vehicle", "other" from the motion detector, class names such
as "car" or "dog" from an open-vocabulary detector). Both are reduced to a coarse group (person,
vehicle, animal/other) before they are compared, so "a car" matches a "vehicle" track and "a dog"
an "other" one. A track is excluded when its category is confident (score at least
:data:`CONFIDENT`) and of another group; for a person query, a track labelled vehicle with a low
confidence is excluded too unless its boxes have a person's shape (:func:`person_shaped`), and so
is any track whose label is unsure (a "person" at 0.39 on a car's fragment) and whose boxes are
not a person's shape, so a person query never returns a car the detector was unsure about.
Likewise a vehicle query excludes a track labelled "other" with a low confidence unless its boxes
are as long as a vehicle's (:func:`vehicle_shaped`): an animal the detector was unsure about.
Tracks without a category are never excluded.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np

from svag.language import lexicon as lx

# the groups, the ambiguous categories and every category word come from the parser's lexicon (one list)
GROUPS = lx.CATEGORY_GROUPS
AMBIGUOUS = lx.AMBIGUOUS_CATEGORIES
CONFIDENT = 0.5
PERSON_ASPECT = 0.8     # widest median box width/height of a person-shaped track
VEHICLE_ASPECT = 1.5    # narrowest median box width/height of a vehicle-shaped track


def category_group(word: str | None) -> str | None:
    """"person", "vehicle", "other" (animals, objects) or None (no category)."""
    if not word:
        return None
    return GROUPS.get(str(word).lower(), "other")


def compatible(query_category: str | None, track_category: str | None) -> bool:
    """Can an actor named ``query_category`` be a track labelled ``track_category``?"""
    q, t = category_group(query_category), category_group(track_category)
    return q is None or t is None or q == t or str(query_category).lower() in AMBIGUOUS


def track_category(track: object) -> tuple[str | None, float]:
    """The track's category and confidence (None, 0 when it has none)."""
    cat = getattr(track, "category", None)
    score = getattr(track, "category_score", None)
    return (None, 0.0) if cat is None else (str(cat), 1.0 if score is None else float(score))


def query_category(query: object) -> str | None:
    """The actor a query names: a parsed query's category, else the one the parser's rules read
    in its text (no embedder: a dictionary look-up, microseconds)."""
    category = getattr(query, "category", None)
    if category or not getattr(query, "text", query):
        return category
    if getattr(query, "steps", ()):                 # parsed, and no actor named
        return None
    from svag.language.parser import draft
    return draft(str(getattr(query, "text", query))).category


def _median_aspect(track: object) -> float | None:
    """Median width/height of the track's boxes (None without boxes)."""
    boxes = getattr(track, "boxes", None)
    if boxes is None or len(boxes) == 0:
        return None
    b = np.asarray(boxes, dtype=np.float64)
    return float(np.median(b[:, 2] / np.maximum(b[:, 3], 1e-9)))


def person_shaped(track: object) -> bool:
    """Could the track's boxes be one person's: median width/height at most :data:`PERSON_ASPECT`
    (a standing or walking person is about 0.3-0.6; a car seen from the side 1.5-3)? A track
    without boxes is given the benefit of the doubt."""
    aspect = _median_aspect(track)
    return aspect is None or aspect <= PERSON_ASPECT


def vehicle_shaped(track: object) -> bool:
    """Could the track's boxes be a vehicle's: median width/height at least :data:`VEHICLE_ASPECT`
    (a car seen from the side 1.5-3; a dog 1.1-1.45)? A track without boxes is given the benefit
    of the doubt."""
    aspect = _median_aspect(track)
    return aspect is None or aspect >= VEHICLE_ASPECT


def _allowed(query_category: str | None, track: object) -> bool:
    cat, score = track_category(track)
    person_query = category_group(query_category) == "person"
    if (category_group(query_category) == "vehicle" and category_group(cat) == "other" and score < CONFIDENT
            and not vehicle_shaped(track)):
        return False            # an unsure "other" (an animal, a bag) as long as a dog is no vehicle
    if compatible(query_category, cat):
        # an unsure label without a person's shape is no person (a car's fragment the motion
        # detector was unsure about: "person", 0.39, median width/height 1.9)
        return not (person_query and cat is not None and score < CONFIDENT and not person_shaped(track))
    if score >= CONFIDENT:
        return False
    # an unsure "vehicle" may still be a person, but only if it has a person's shape
    return not (person_query and category_group(cat) == "vehicle" and not person_shaped(track))


def category_mask(tracks: Iterable[object], query_category: str | None) -> tuple[np.ndarray, list[str]]:
    """Which tracks may be the query's actor (bool per track) and notes on what was excluded:
    tracks confidently of another group, and, for a person, tracks labelled vehicle (at any
    confidence) that are wider than a person (:func:`person_shaped`)."""
    tracks = list(tracks)
    cats = [track_category(t) for t in tracks]
    allowed = np.array([_allowed(query_category, t) for t in tracks], dtype=bool)
    notes: list[str] = []
    if query_category and len(cats) and not allowed.all():
        excluded: dict[str, int] = {}
        for (c, _), ok in zip(cats, allowed):
            if not ok:
                excluded[str(c)] = excluded.get(str(c), 0) + 1
        seen = ", ".join(f"{n} {c}" for c, n in sorted(excluded.items(), key=lambda kv: -kv[1]))
        if not allowed.any():
            notes.append(f"no track can be a {query_category}: every track is confidently something else ({seen}); "
                         "nothing grounded")
        else:
            notes.append(f"{query_category}: {seen} track(s) of another category excluded")
    return allowed, notes
