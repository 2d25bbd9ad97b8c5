"""Faults: a build killed at every stage, a full disk and a read-only index directory.

Run: ``.venv/bin/python -m pytest -q tests/test_faults.py`` (part of ``make hardening``).

A killed build runs the real CLI in a subprocess with ``ASSISTANT_FAULT=<stage>`` (``assistant/faults.py``)
and the fake embedder; after the kill the CLI and a fresh ``Searcher`` (as the app opens one) must give the
same answers to a fixed set of queries as before, and the next build must finish and leave nothing behind.

The full disk and the read-only directory run twice. ``mounted``: the index lives on a small tmpfs of its own
(needs root with CAP_SYS_ADMIN, as on our machines and CI; skipped elsewhere), filled up or remounted read-only,
so ``ENOSPC`` and ``EROFS`` come from the kernel and root cannot write past them. ``simulated`` (runs
everywhere): the os-level calls a build writes through (``os.open``, ``open``, ``os.mkdir``, ``sqlite3.connect``)
raise those errors under the index directory — chmod would not stop root, and the tests run as root.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.faults import STAGES
from assistant.index.store import current_name
from assistant.retrieval import Searcher
from docs import RULES_OVERRIDES, RULES_V2, run_cli, write_rules
from fakes import FakeEmbedder

pytestmark = pytest.mark.hardening
TESTS = Path(__file__).resolve().parent
QUERIES = ["Посылку потеряли, кто заплатит компенсацию?", "Сколько стоит хранение товара на складе после 60 дней?",
           "Как вернуть товар надлежащего качества?", "В какой срок подаётся претензия о компенсации?",
           "Покупатель обнаружил недостатки товара"]
#: The CLI in a subprocess, with the fake embedder wherever the build would load a model.
FAKE_CLI = ("import sys; sys.path.insert(0, {tests!r}); from fakes import FakeEmbedder; "
            "import assistant.index.build as b; b.make_embedder = lambda spec=None: FakeEmbedder(); "
            "from assistant.cli import main; raise SystemExit(main(sys.argv[1:]))")


def _rules_v3() -> str:
    """Version 3: one clause changed and a new section of 40 points, so embedding takes several batches of 32."""
    points = "\n\n".join(f"5.{i}. Маркировка партии номер {i} проверяется на складе {i * 3} раза в месяц."
                         for i in range(1, 41))
    return RULES_V2.replace("5 рублей за литр", "7 рублей за литр") + f"\n## 5. Маркировка\n\n{points}\n"


def cli(settings, *argv: str, fault: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """``assistant ARGV --index DIR`` in a subprocess with the fake embedder; ``fault`` sets ASSISTANT_FAULT.

    >>> cli(settings, "rollback", "rules", "1", fault="rollback").returncode   # doctest: +SKIP
    -9
    """
    env = {k: v for k, v in os.environ.items() if k != "ASSISTANT_FAULT"}
    if fault:
        env["ASSISTANT_FAULT"] = fault
    return subprocess.run([sys.executable, "-c", FAKE_CLI.format(tests=str(TESTS)), *argv,
                           "--index", str(settings.index_dir)], env=env, capture_output=True, text=True,
                          timeout=timeout)


def answers(settings) -> list[list[tuple]]:
    """What a freshly opened ``Searcher`` (the app opens one per published snapshot) finds for ``QUERIES``."""
    searcher = Searcher.open(settings, embedder=FakeEmbedder())
    return [[(h.kind, h.id, h.version, round(h.score, 6)) for h in searcher.search(q, k=5).hits] for q in QUERIES]


def cli_answers(capsys, settings) -> list[list[tuple]]:
    """What ``assistant search --json`` prints for ``QUERIES`` (needs ``fake_model_everywhere``)."""
    out = []
    for q in QUERIES:
        code, stdout, stderr = run_cli(capsys, "search", q, "-k", "5", "--json", "--index", str(settings.index_dir))
        assert code == 0, stderr
        out.append([(h["kind"], h["id"], h["version"], round(h["score"], 6)) for h in json.loads(stdout)["hits"]])
    return out


def leftovers(index_dir: Path) -> list[str]:
    """What a build leaves only when it dies: ``snapshots/.tmp-*`` folders, ``CURRENT.tmp-*``, and snapshots
    written after the serving one (renamed into place, never switched to)."""
    current = current_name(index_dir)
    found = [p.name for p in (index_dir / "snapshots").iterdir()
             if p.name.startswith(".tmp-") or (current and p.name > current)]
    return found + [p.name for p in index_dir.glob("CURRENT.tmp-*")]


# --- SIGKILL at every stage ------------------------------------------------------------------------------------

BUILD_STAGES = ["embed", "embed:2", "meta", "faiss", "switch"]


def cached(index_dir: Path) -> int:
    """Passage vectors in the embedding cache."""
    with contextlib.closing(sqlite3.connect(index_dir / "cache.sqlite")) as db:
        return db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]


def _kill_and_recover(settings, capsys, argv: list[str], fault: str) -> tuple[list[str], int]:
    """Run ``argv`` with ``fault``, check the previous snapshot serves the same answers, run it again without the
    fault and check it finished clean. Returns what the kill left, and how many vectors it added to the cache."""
    before, expected = current_name(settings.index_dir), answers(settings)
    expected_cli, vectors = cli_answers(capsys, settings), cached(settings.index_dir)

    killed = cli(settings, *argv, fault=fault)
    assert killed.returncode == -9, f"the build was not killed at {fault}: {killed.returncode} {killed.stderr}"
    left, added = leftovers(settings.index_dir), cached(settings.index_dir) - vectors
    assert current_name(settings.index_dir) == before, "CURRENT still names the previous snapshot"
    assert cli_answers(capsys, settings) == expected_cli, "the CLI answers as before the kill"
    assert answers(settings) == expected, "a fresh Searcher answers as before the kill"

    done = cli(settings, *argv)
    assert done.returncode == 0, done.stderr
    assert current_name(settings.index_dir) != before
    gone = [n for n in left if (settings.index_dir / "snapshots" / n).exists() or (settings.index_dir / n).exists()]
    assert gone == [] and leftovers(settings.index_dir) == [], "the next build removed what the killed one left"
    return left, added


@pytest.mark.slow   # two CLI subprocesses per stage
@pytest.mark.parametrize("fault", BUILD_STAGES)
def test_a_build_killed_at_each_stage_leaves_the_previous_snapshot_serving(fake_rules_copy, fake_model_everywhere,
                                                                           capsys, tmp_path, fault):
    v3 = write_rules(tmp_path / "v3", _rules_v3())
    argv = ["index", str(v3), "--doc", "rules", "--version", "3", "--short", RULES_OVERRIDES["short"],
            "--audience", RULES_OVERRIDES["audience"]]
    left, added = _kill_and_recover(fake_rules_copy, capsys, argv, fault)

    assert added == {"embed": 0, "embed:2": 32}.get(fault, added), "embed:2 dies after one batch of 32 is cached"
    if fault == "switch":
        assert any(n.startswith("CURRENT.tmp-") for n in left) and any(not n.startswith(("CURRENT", ".")) for n in left)
    else:
        assert any(n.startswith(".tmp-") for n in left), f"the kill at {fault} came mid-build: {left}"
    hits = Searcher.open(fake_rules_copy, embedder=FakeEmbedder()).search("маркировка партии на складе", k=3).clauses
    assert hits and hits[0].id.startswith("rules:5.") and hits[0].version == "3", "version 3 is published"


@pytest.mark.slow   # two CLI subprocesses
def test_a_rollback_killed_midway_leaves_the_previous_snapshot_serving(fake_rules_copy, fake_model_everywhere,
                                                                       capsys):
    left, _ = _kill_and_recover(fake_rules_copy, capsys, ["rollback", "rules", "1"], "rollback")
    assert any(n.startswith(".tmp-") for n in left), left
    hit = Searcher.open(fake_rules_copy, embedder=FakeEmbedder()).search("претензия о компенсации", k=1).clauses[0]
    assert hit.version == "1" and "30 календарных дней" in hit.text, "the rollback to version 1 went through"


def test_the_fault_stages_are_the_documented_ones():
    readme = (TESTS.parent / "README.md").read_text(encoding="utf-8")
    assert STAGES == ("rollback", "embed", "meta", "faiss", "switch")
    assert all(f"`{stage}`" in readme for stage in STAGES), "README names every ASSISTANT_FAULT stage"


# --- a full disk and a read-only index directory --------------------------------------------------------------

def _mount(target: Path, size: str) -> bool:
    """A tmpfs of ``size`` at ``target``; False where this process may not mount."""
    if shutil.which("mount") is None or os.geteuid() != 0:
        return False
    target.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)],
                          capture_output=True).returncode == 0


@contextlib.contextmanager
def disk_for(tmp_path: Path, how: str, size: str = "8m"):
    """A folder to put the index in: on a small tmpfs of its own (``how="mounted"``; skipped where this process
    may not mount one), or an ordinary folder (``"simulated"``). Always unmounted after."""
    if how == "simulated":
        yield tmp_path / "disk"
        return
    target = tmp_path / "disk"
    if not _mount(target, size):
        pytest.skip("cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN); the simulated case runs instead")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


def _fill(disk: Path, leave: int = 16 * 1024) -> None:
    """Fill ``disk`` until about ``leave`` bytes are free (tmpfs counts whole pages)."""
    free = shutil.disk_usage(disk).free - leave
    with open(disk / "filler", "wb") as fh:
        while free > 0:
            chunk = min(free, 1 << 20)
            fh.write(b"\0" * chunk)
            free -= chunk


@contextlib.contextmanager
def full(disk: Path, how: str):
    """The disk is full until the block ends: really (a filler file), or by the os layer refusing new files."""
    if how == "mounted":
        _fill(disk)
        try:
            yield
        finally:
            (disk / "filler").unlink()
        return
    with pytest.MonkeyPatch.context() as mp:
        _refuse_writes(mp, disk, errno.ENOSPC, existing_files_too=False)
        yield


@contextlib.contextmanager
def read_only(disk: Path, how: str):
    """The disk is read-only until the block ends: remounted ro (root cannot write either; chmod would not stop
    root), or by the os layer refusing every write."""
    if how == "mounted":
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        try:
            yield
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
        return
    with pytest.MonkeyPatch.context() as mp:
        _refuse_writes(mp, disk, errno.EROFS, existing_files_too=True)
        yield


def _refuse_writes(mp, root: Path, code: int, existing_files_too: bool) -> None:
    """Writes under ``root`` fail with ``code`` from the os layer: new folders, files opened for writing (only new
    ones unless ``existing_files_too``: a full disk still lets a file be rewritten in place), SQLite databases
    opened for writing. Reads go through."""
    import builtins
    import sqlite3

    root = root.resolve()

    def refuse(path, creating: bool = True) -> None:
        path = Path(os.fspath(path)).resolve()
        if path.is_relative_to(root) and (existing_files_too or creating or not path.exists()):
            raise OSError(code, os.strerror(code), str(path))

    real_open, real_builtin_open, real_mkdir, real_connect = os.open, builtins.open, os.mkdir, sqlite3.connect

    def os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            refuse(path, creating=False)
        return real_open(path, flags, *args, **kwargs)

    def builtin_open(file, mode="r", *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and any(m in mode for m in "wax+"):
            refuse(file, creating=False)
        return real_builtin_open(file, mode, *args, **kwargs)

    def mkdir(path, *args, **kwargs):
        refuse(path)
        return real_mkdir(path, *args, **kwargs)

    def connect(database, *args, **kwargs):
        if "mode=ro" not in os.fspath(database):
            refuse(database, creating=False)
        return real_connect(database, *args, **kwargs)

    mp.setattr(os, "open", os_open)
    mp.setattr(builtins, "open", builtin_open)
    mp.setattr(os, "mkdir", mkdir)
    mp.setattr(sqlite3, "connect", connect)


def _one_line_error(code: int, err: str, *words: str) -> None:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    assert all(w in lines[0] for w in words), lines[0]


@pytest.fixture()
def fake_index_build(monkeypatch):
    """``assistant index`` and ``assistant rollback`` in this process build with the fake embedder."""
    from assistant.index import build

    monkeypatch.setattr(build, "make_embedder", lambda spec=None: FakeEmbedder())


def _index_v3(capsys, settings, v3: Path) -> tuple[int, str, str]:
    return run_cli(capsys, "index", str(v3), "--doc", "rules", "--version", "3", "--index", str(settings.index_dir))


@pytest.mark.parametrize("how", ["mounted", "simulated"])
def test_a_full_disk_stops_the_build_in_one_line_and_the_serving_snapshot_still_answers(
        fake_rules_settings, fake_model_everywhere, fake_index_build, capsys, tmp_path, how):
    v3 = write_rules(tmp_path / "v3", _rules_v3())
    with disk_for(tmp_path, how) as disk:
        shutil.copytree(fake_rules_settings.index_dir, disk / "index")
        settings = fake_rules_settings.with_(index_dir=disk / "index")
        before, expected = current_name(settings.index_dir), cli_answers(capsys, settings)
        with full(disk, how):
            code, _, err = _index_v3(capsys, settings, v3)
            _one_line_error(code, err, str(settings.index_dir), "free disk space", "serving snapshot is unchanged")
            assert "disk is full" in err or "no space left" in err, err
            assert current_name(settings.index_dir) == before
            assert cli_answers(capsys, settings) == expected, "searches still answer while the disk is full"
            assert answers(settings) == answers(fake_rules_settings)
        code, _, err = _index_v3(capsys, settings, v3)
        assert code == 0, err
        assert current_name(settings.index_dir) != before and leftovers(settings.index_dir) == []


@pytest.mark.parametrize("how", ["mounted", "simulated"])
def test_a_read_only_index_directory_stops_builds_in_one_line_and_search_still_answers(
        fake_rules_settings, fake_model_everywhere, fake_index_build, capsys, tmp_path, how):
    v3 = write_rules(tmp_path / "v3", _rules_v3())
    with disk_for(tmp_path, how) as disk:
        shutil.copytree(fake_rules_settings.index_dir, disk / "index")
        settings = fake_rules_settings.with_(index_dir=disk / "index")
        before, expected = current_name(settings.index_dir), cli_answers(capsys, settings)
        with read_only(disk, how):
            code, _, err = _index_v3(capsys, settings, v3)
            _one_line_error(code, err, str(settings.index_dir), "read-only file system", "make the directory writable",
                            "serving snapshot is unchanged")
            code, _, err = run_cli(capsys, "rollback", "rules", "1", "--index", str(settings.index_dir))
            _one_line_error(code, err, "read-only file system")
            assert current_name(settings.index_dir) == before
            assert cli_answers(capsys, settings) == expected, "search needs no write access"
            assert answers(settings) == answers(fake_rules_settings)
        code, _, err = _index_v3(capsys, settings, v3)
        assert code == 0, err
