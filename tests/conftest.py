"""Shared fixtures: the ``shared/`` folder and the two real laws in it, loaded once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))   # `import render` under any import mode

from assistant.config import Settings  # noqa: E402
from assistant.evaluation.laws import Law, load_law  # noqa: E402


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``Settings.resolve().shared_dir`` (``ASSISTANT_SHARED``, default ``<repo>/../shared``); skip when missing."""
    path = Settings.resolve().shared_dir
    if not (path / "corpora").is_dir():
        pytest.skip(f"shared folder not found at {path} (no corpora/ in it): "
                    "set ASSISTANT_SHARED to the folder that holds corpora/zozpp.json and corpora/gk2.json")
    return path


def _law(shared_dir: Path, name: str) -> Law:
    path = shared_dir / "corpora" / f"{name}.json"
    if not path.is_file():
        pytest.skip(f"{path} is missing from the shared folder")
    return load_law(path)


@pytest.fixture(scope="session")
def zozpp_law(shared_dir) -> Law:
    """Закон РФ «О защите прав потребителей» (54 articles, points and sub-points, repealed articles)."""
    return _law(shared_dir, "zozpp")


@pytest.fixture(scope="session")
def gk2_law(shared_dir) -> Law:
    """Гражданский кодекс РФ, часть вторая (chapters, ~690 articles, points and «1)» items)."""
    return _law(shared_dir, "gk2")


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory):
    """The bundled demo corpus indexed once per test session (about a minute on 2 cores)."""
    from assistant.config import REPO_ROOT
    from assistant.index import index_paths

    settings = Settings.resolve(index=tmp_path_factory.mktemp("demo") / "index")
    index_paths([REPO_ROOT / "corpus"], settings)
    return settings


@pytest.fixture(scope="session")
def demo_searcher(demo_settings):
    from assistant.retrieval import Searcher

    return Searcher.open(demo_settings)


@pytest.fixture()
def chat_server():
    """An ``LLM`` client of a scripted loopback chat server (``chat.Scripted.answers`` says what it replies)."""
    from chat import serving

    with serving() as llm:
        yield llm
