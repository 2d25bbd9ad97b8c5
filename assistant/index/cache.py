"""Passage vectors keyed by a hash of (model, text): unchanged clauses are never embedded twice."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Callable

import numpy as np


def passage_key(model_id: str, text: str) -> bytes:
    return hashlib.sha256(f"{model_id}\n{text}".encode("utf-8")).digest()


class EmbeddingCache:
    """SQLite-backed; every batch commits on its own, so a killed build keeps what it embedded."""

    def __init__(self, path: Path, model_id: str, dim: int, read_only: bool = False) -> None:
        """``read_only``: for serving, which only looks vectors up (one connection shared by threads)."""
        if read_only:
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30, check_same_thread=False)
        else:
            self.db = sqlite3.connect(path, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vec BLOB NOT NULL)")
        self.model_id, self.dim = model_id, dim

    def close(self) -> None:
        self.db.close()

    def lookup(self, texts: list[str]) -> dict[int, np.ndarray]:
        """Vectors already cached, by position in ``texts``."""
        keys = [passage_key(self.model_id, t) for t in texts]
        where: dict[bytes, list[int]] = {}
        for i, k in enumerate(keys):
            where.setdefault(k, []).append(i)
        found: dict[int, np.ndarray] = {}
        unique = list(where)
        for start in range(0, len(unique), 500):
            chunk = unique[start:start + 500]
            rows = self.db.execute(f"SELECT key, vec FROM vectors WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            for key, blob in rows:
                vec = np.frombuffer(blob, dtype=np.float32)
                if vec.size == self.dim:
                    for i in where[key]:
                        found[i] = vec
        return found

    def embed(self, texts: list[str], embed_fn: Callable[[list[str]], np.ndarray],
              progress: Callable[[int, int], None] | None = None, batch: int = 32) -> tuple[np.ndarray, int]:
        """Vectors for all ``texts``, embedding only the misses. Returns (matrix, number embedded)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        found = self.lookup(texts)
        for i, vec in found.items():
            out[i] = vec
        missing = sorted({t: i for i, t in enumerate(texts) if i not in found}.items(), key=lambda kv: kv[1])
        todo = [t for t, _ in missing]
        done = 0
        if progress:
            progress(0, len(todo))
        for start in range(0, len(todo), batch):
            chunk = todo[start:start + batch]
            vecs = np.asarray(embed_fn(chunk), dtype=np.float32)
            with self.db:
                self.db.executemany(
                    "INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)",
                    [(passage_key(self.model_id, t), v.tobytes()) for t, v in zip(chunk, vecs)],
                )
            done += len(chunk)
            if progress:
                progress(done, len(todo))
        if todo:
            fresh = self.lookup(todo)
            by_text = {t: fresh[j] for j, t in enumerate(todo) if j in fresh}
            for i, t in enumerate(texts):
                if i not in found:
                    out[i] = by_text[t]
        return out, len(todo)
