"""Name -> constructor lookup: the one registry style of svag (detectors, trackers, encoders,
grounders, evaluation protocols).

A registry is an explicit dict ``name -> "module:attribute"`` (imported on first use, so heavy
optional dependencies load only when that entry is built) or ``name -> callable``. Errors:

* an unknown name is an :class:`~svag.errors.InputError` listing the known names (and a close one);
* keyword arguments the constructor does not take are an InputError naming the accepted ones
  (checked against its signature before calling it);
* anything the constructor itself raises propagates unchanged: a bug is not disguised as bad input.
"""
from __future__ import annotations

import difflib
import importlib
import inspect
from typing import Any, Callable, Mapping

from svag.errors import InputError

Entry = str | Callable[..., Any]


def resolve(kind: str, registry: Mapping[str, Entry], name: str) -> Callable[..., Any]:
    """The constructor registered as ``name`` (imported on demand)."""
    try:
        entry = registry[name]
    except (KeyError, TypeError):
        close = difflib.get_close_matches(str(name), list(registry), n=1)
        raise InputError(f"unknown {kind} {name!r}; known {kind}s: {', '.join(sorted(registry))}",
                         hint=f"did you mean {close[0]!r}?" if close else None) from None
    if isinstance(entry, str):
        module, _, attr = entry.partition(":")
        return getattr(importlib.import_module(module), attr)
    return entry


def check_arguments(kind: str, name: str, factory: Callable[..., Any], kwargs: Mapping[str, Any]) -> None:
    """An InputError when ``kwargs`` do not fit ``factory``'s signature."""
    try:
        sig = inspect.signature(factory)
    except (TypeError, ValueError):      # builtins without a signature: let the call decide
        return
    try:
        sig.bind(**kwargs)
    except TypeError as exc:
        accepted = [p.name for p in sig.parameters.values()
                    if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self"]
        raise InputError(f"{kind} {name!r}: {exc}; it takes: {', '.join(accepted) or 'no options'}") from None


def effective_arguments(kind: str, registry: Mapping[str, Entry], name: str, kwargs: Mapping[str, Any]
                        ) -> dict[str, Any]:
    """The keyword arguments ``name`` is built with: its constructor's defaults updated by
    ``kwargs`` (what a cache key must cover, so that a changed default is a new key)."""
    factory = resolve(kind, registry, name)
    try:
        params = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return dict(kwargs)
    out = {p.name: p.default for p in params if p.default is not p.empty}
    out.update(kwargs)
    return out


def build(kind: str, registry: Mapping[str, Entry], name: str, **kwargs: Any) -> Any:
    """``registry[name](**kwargs)`` with the errors described in the module docstring."""
    factory = resolve(kind, registry, name)
    check_arguments(kind, name, factory, kwargs)
    return factory(**kwargs)
