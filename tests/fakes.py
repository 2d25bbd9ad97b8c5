"""Test doubles that keep the fast tier fast: an embedder with no model behind it.

``FakeEmbedder`` implements ``assistant.embed.Embedder``: every word (lower-cased, cut to its first
six letters so that «посылку» and «посылка» agree) gets a random unit vector seeded by a stable hash
of the word, and a text is the L2-normalised sum of its words' vectors. Texts that share words are
therefore similar, texts that share none are nearly orthogonal, and the same text always gets the
same vector, in every process and on every machine (``hashlib.blake2b``, not Python's salted
``hash()``).

>>> e = FakeEmbedder()
>>> v = e.queries(["Посылку потеряли", "посылка потерялась", "погода в Казани"])
>>> v.shape, str(v.dtype)
((3, 256), 'float32')
>>> bool(abs(float(v[0] @ v[0]) - 1.0) < 1e-5), bool(v[0] @ v[1] > 0.99), bool(abs(float(v[0] @ v[2])) < 0.3)
(True, True, True)
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

from assistant.config import Settings

_WORD = re.compile(r"\w+")


class FakeEmbedder:
    """Deterministic bag-of-hashed-words vectors; no model, no download, microseconds per text."""

    id = "fake:hashed-words"
    dim = 256
    max_chars = 1200

    def __init__(self, stem: int = 6) -> None:
        self.stem = stem
        self.calls: list[tuple[str, int]] = []   # ("passages" | "queries", how many texts), for tests that count
        self._words: dict[str, np.ndarray] = {}

    def word_vector(self, word: str) -> np.ndarray:
        key = word.lower().replace("ё", "е")[: self.stem]
        vector = self._words.get(key)
        if vector is None:
            seed = int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")
            vector = np.random.default_rng(seed).standard_normal(self.dim)
            vector /= np.linalg.norm(vector)
            self._words[key] = vector
        return vector

    def _embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float64)
        for i, text in enumerate(texts):
            for word in _WORD.findall(text):
                out[i] += self.word_vector(word)
            norm = np.linalg.norm(out[i])
            if norm > 0:
                out[i] /= norm
            else:
                out[i, 0] = 1.0   # a text with no words still gets a unit vector
        return out.astype(np.float32)

    def passages(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        self.calls.append(("passages", len(texts)))
        return self._embed(texts)

    def queries(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        self.calls.append(("queries", len(texts)))
        return self._embed(texts)


def fake_settings(index_dir) -> Settings:
    """Settings for an index whose vectors come from ``FakeEmbedder``, whatever ``ASSISTANT_MODEL`` says."""
    return Settings.resolve(index=index_dir).with_(model=FakeEmbedder.id)
