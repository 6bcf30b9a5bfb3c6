"""Query subsets of a generated benchmark by how the query names its actor (from ``scripts.json``).

* ``colour``: the subject names a kind and a colour ("the person in red", "the blue car"): actors
  are picked by appearance.
* ``category``: the subject names only a kind ("a person", "a vehicle", "an animal"): actors are
  picked by what they are (and what they do).

Only queries with at least one ground-truth track are kept (the empty ones test refusal, not
appearance).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from svag.core.types import Dataset, SvagData
from svag.errors import InputError

SUBSETS = ("colour", "category")


def subject_subsets(root: str | os.PathLike, gt: SvagData) -> dict[str, SvagData]:
    """``{"colour": ..., "category": ...}``: ``gt`` (read from ``root/gt.json``) restricted to the
    queries whose subject names a colour, and to those naming only a kind."""
    path = Path(root) / "scripts.json"
    if not path.is_file():
        raise InputError("not a benchmark written by svag synth (no scripts.json)", file=str(path))
    subjects = {(s["name"], q["query_id"]): (q["text"], q["subject"]) for s in json.loads(path.read_text())
                for q in s["queries"]}
    out = {}
    for subset in SUBSETS:
        datasets = []
        for d in gt.datasets:
            keep = []
            for q in d.queries:
                text, subject = subjects.get((q.video_name, q.query_id), (None, None))
                if text != q.text:
                    raise InputError(f"query {q.query_id} of {q.video_name} is not the one scripts.json describes",
                                     file=str(path))
                if q.tracks and (subject.get("color") is not None) == (subset == "colour"):
                    keep.append(q)
            datasets.append(Dataset(d.name, tuple(keep)))
        out[subset] = SvagData(tuple(datasets))
    return out
