"""Exception hierarchy. Every error raised on bad user input is an :class:`InputError` whose
message names where the problem is (file, dataset, query, track, frame) and what was expected."""
from __future__ import annotations


class SvagError(Exception):
    """Base class of every error svag raises on purpose."""


class InputError(SvagError, ValueError):
    """Bad user input: a malformed file, an inconsistent annotation, an invalid argument."""

    def __init__(self, message: str, *, file: str | None = None, dataset: str | None = None,
                 query: object = None, track: object = None, frame: int | None = None,
                 hint: str | None = None) -> None:
        self.file, self.dataset, self.query, self.track, self.frame = file, dataset, query, track, frame
        self.detail = message
        self.hint = hint
        where = []
        if file is not None:
            where.append(f"{file}")
        if dataset is not None:
            where.append(f"dataset {dataset!r}")
        if query is not None:
            where.append(f"query {query!r}")
        if track is not None:
            where.append(f"track {track!r}")
        if frame is not None:
            where.append(f"frame {frame}")
        text = (", ".join(where) + ": " if where else "") + message
        if hint:
            text += f" ({hint})"
        super().__init__(text)

    def located(self, **where: object) -> "InputError":
        """The same error with more location filled in (fields already set are kept)."""
        kw = {k: getattr(self, k) for k in ("file", "dataset", "query", "track", "frame")}
        for k, v in where.items():
            if kw.get(k) is None:
                kw[k] = v
        return InputError(self.detail, hint=self.hint, **kw)  # type: ignore[arg-type]


class MissingDependencyError(SvagError, ImportError):
    """An optional dependency is needed for this feature."""

    def __init__(self, package: str, extra: str, feature: str) -> None:
        super().__init__(f"{feature} requires `{package}`; install it with `pip install 'svag[{extra}]'`")
