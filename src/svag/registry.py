"""Name -> constructor lookup shared by the detector, tracker and grounder registries."""
from __future__ import annotations

import difflib
from typing import Any, Callable, Mapping

from svag.errors import InputError


def build(kind: str, registry: Mapping[str, Callable[..., Any]], name: str, **kwargs: Any) -> Any:
    """``registry[name](**kwargs)``; an unknown name or a wrong keyword is an InputError that
    lists the known names (and suggests a close one)."""
    try:
        factory = registry[name]
    except KeyError:
        close = difflib.get_close_matches(str(name), registry, n=1)
        raise InputError(f"unknown {kind} {name!r}; known {kind}s: {', '.join(sorted(registry))}",
                         hint=f"did you mean {close[0]!r}?" if close else None) from None
    try:
        return factory(**kwargs)
    except TypeError as exc:
        raise InputError(f"{kind} {name!r}: {exc}") from None
