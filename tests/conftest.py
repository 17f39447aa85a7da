"""Shared fixtures for the whole test suite.

* Every test runs with no ``IPT_*`` / ``OPENAI_*`` variables from the caller's
  environment (so a developer's real endpoint or key is never used), and with
  ``IPT_DATA_DIR`` pointing at one temporary folder per test session, so the
  search index is built once and never touches ``~/.local/share``.
* ``catalog``: the validated knowledge base.
* ``assistant_offline``: one grounded-offline :class:`~assistant.Assistant` for the session.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

ENV_PREFIXES = ("IPT_", "OPENAI_")


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
    """Per test: no IPT_*/OPENAI_* variables except IPT_DATA_DIR -> the session data dir.

    Tests may ``monkeypatch.setenv`` their own IPT_* values; they are undone after the test.
    """
    for name in _our_vars(os.environ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IPT_DATA_DIR", str(ipt_data_dir))
    return ipt_data_dir


@pytest.fixture(scope="session")
def knowledge_dir(ipt_data_dir: Path) -> Path:
    """The repository's knowledge/ folder."""
    from assistant.catalog import default_knowledge_dir

    return default_knowledge_dir()


@pytest.fixture
def catalog():  # type: ignore[no-untyped-def]
    """The validated knowledge base (freshly loaded)."""
    from assistant.catalog import load_catalog

    return load_catalog()


@pytest.fixture(scope="session")
def assistant_offline(ipt_data_dir: Path):  # type: ignore[no-untyped-def]
    """A grounded-offline Assistant shared by the session (its index is built once)."""
    from assistant import Assistant

    return Assistant(offline=True)
