"""Shared fixtures for the whole test suite.

* Every test runs with no ``IPT_*`` / ``OPENAI_*`` variables from the caller's
  environment (so a developer's real endpoint or key is never used), and with
  ``IPT_DATA_DIR`` pointing at one temporary folder per test session, so the
  search index is built once and never touches ``~/.local/share``.
* ``catalog``: the repository's validated knowledge base, loaded once per worker.
* ``assistant_offline``: one grounded-offline :class:`~assistant.Assistant` for the session.
* ``seeded_data_dir``: a fresh data dir holding a copy of the session's embedding cache,
  for tests about building a store: they build it for real, and embed only text
  the knowledge base does not already have (which the embedding-cache tests check).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest

ENV_PREFIXES = ("IPT_", "OPENAI_")

if sys.dont_write_bytecode and not os.environ.get("PYTHONPYCACHEPREFIX"):
    # This machine kind sets PYTHONDONTWRITEBYTECODE: every xdist worker and every child process a test
    # starts compiled the package from source, and pytest rewrote every test module on every run. Bytecode
    # goes to .pytest_cache/pycache instead (never beside the sources); the workers and children started
    # from here inherit the setting. Collection: 4.5 s -> 1.6 s per worker once the folder exists.
    _prefix = str(Path(__file__).resolve().parents[1] / ".pytest_cache" / "pycache")
    os.environ["PYTHONPYCACHEPREFIX"] = _prefix
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.pycache_prefix = _prefix
    sys.dont_write_bytecode = False

if int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1) > 1:
    # One onnxruntime thread per worker: the workers already use every core.
    import assistant.embeddings as _embeddings

    _embeddings.ONNX_THREADS = 1


def _our_vars(environ: os._Environ[str] | dict[str, str]) -> list[str]:
    return [name for name in environ if name.startswith(ENV_PREFIXES)]


@pytest.fixture(scope="session")
def ipt_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One data dir (search index, caches) for the whole test session.

    Session-scoped fixtures cannot use ``monkeypatch``, so ``os.environ`` is changed
    here by hand: IPT_*/OPENAI_* are removed and IPT_DATA_DIR is set while the session
    runs, and everything is put back exactly as it was at the end.
    """
    path = tmp_path_factory.mktemp("ipt-data")
    saved = {name: os.environ[name] for name in _our_vars(os.environ)}
    for name in saved:
        del os.environ[name]
    os.environ["IPT_DATA_DIR"] = str(path)
    try:
        yield path
    finally:
        for name in _our_vars(os.environ):
            del os.environ[name]
        os.environ.update(saved)


@pytest.fixture(autouse=True)
def _clean_ipt_env(monkeypatch: pytest.MonkeyPatch, ipt_data_dir: Path) -> Path:
    """Per test: no IPT_*/OPENAI_* variables except IPT_DATA_DIR -> the session data dir, and no proxy
    between the tests and their fake model servers on 127.0.0.1.

    Tests may ``monkeypatch.setenv`` their own IPT_* values; they are undone after the test.
    """
    for name in _our_vars(os.environ):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("IPT_DATA_DIR", str(ipt_data_dir))
    return ipt_data_dir


@pytest.fixture(scope="session")
def knowledge_dir(ipt_data_dir: Path) -> Path:
    """The repository's knowledge/ folder."""
    from assistant.catalog import default_knowledge_dir

    return default_knowledge_dir()


@pytest.fixture(scope="session")
def catalog(ipt_data_dir: Path):  # type: ignore[no-untyped-def]  # after IPT_* (IPT_KNOWLEDGE_DIR) are cleared
    """The repository's validated knowledge base, loaded once per worker (a load parses 28 YAML files: 35 ms,
    which per test had grown to a tenth of the suite). A :class:`Catalog` is frozen and no test changes
    it; tests about loading call ``load_catalog`` on their own folders."""
    from assistant.catalog import default_knowledge_dir, load_catalog

    return load_catalog(default_knowledge_dir())


@pytest.fixture(scope="session")
def assistant_offline(ipt_data_dir: Path):  # type: ignore[no-untyped-def]
    """A grounded-offline Assistant shared by the session (its index is built once)."""
    from assistant import Assistant

    return Assistant(offline=True)


@pytest.fixture(scope="session")
def session_embedding_cache(assistant_offline, ipt_data_dir: Path) -> Path:  # type: ignore[no-untyped-def]
    """The session's embedding cache (the shared index is built first, which fills it)."""
    from assistant.index import EmbeddingCache

    _ = assistant_offline.retriever.index
    path = EmbeddingCache(ipt_data_dir).path
    if not path.is_file():  # the shared index came from the vector cache alone: fill it once
        assistant_offline.retriever.rebuild()
    assert path.is_file()
    return path


#: Content-addressed caches of a data dir (vectors by text, exemplar vectors, the optimised ONNX graph):
#: copying them changes no result, only what has to be computed again.
SEEDED_CACHES = ("embedding-cache", "situations", "signals", "onnx")


@pytest.fixture
def seeded_data_dir(session_embedding_cache: Path, ipt_data_dir: Path, tmp_path: Path) -> Callable[..., Path]:
    """``seeded_data_dir(name="data")``: a new data dir under ``tmp_path`` with copies of the session's
    embedding caches (:data:`SEEDED_CACHES`) and nothing else: no store, no vector matrix, no BM25."""

    def make(name: str = "data") -> Path:
        data = tmp_path / name
        data.mkdir(parents=True, exist_ok=True)
        for folder in SEEDED_CACHES:
            if (ipt_data_dir / folder).is_dir():
                shutil.copytree(ipt_data_dir / folder, data / folder)
        return data

    return make
