"""Packaging of eval data and the bench's synthetic corpus (no wheel is built here: pyproject's
mapping is checked against the files, and the installed-layout fallback of ``evals_dir``)."""

from __future__ import annotations

import fnmatch
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_eval_cases_and_the_retrieval_fixture_ship_as_package_data():
    conf = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert {"assistant._evals", "assistant._fixtures"} <= set(conf["packages"])
    assert conf["package-dir"]["assistant._evals"] == "evals"
    assert conf["package-dir"]["assistant._fixtures"] == "tests/fixtures"
    patterns = conf["package-data"]["assistant._evals"]
    files = [p.relative_to(REPO / "evals").as_posix() for p in (REPO / "evals").rglob("*") if p.is_file()]
    assert any(f.startswith("cases/next_step/") for f in files) and any(f.startswith("recordings/") for f in files)
    for f in files:  # "**/*" takes every file; anything narrower must still cover each one
        assert any(fnmatch.fnmatch(f, pat) or pat == "**/*" for pat in patterns), f
    assert "retrieval.yaml" in conf["package-data"]["assistant._fixtures"]


def test_evals_dir_falls_back_to_the_installed_copy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    from assistant.evals import runner

    monkeypatch.delenv("IPT_EVALS_DIR", raising=False)
    assert runner.evals_dir() == REPO / "evals"  # a checkout uses its own folder
    fake = tmp_path / "site" / "assistant" / "evals" / "runner.py"
    fake.parent.mkdir(parents=True)
    monkeypatch.setattr(runner, "__file__", str(fake))
    assert runner.evals_dir() == tmp_path / "site" / "assistant" / "_evals"
    monkeypatch.setenv("IPT_EVALS_DIR", str(tmp_path / "mine"))
    assert runner.evals_dir() == tmp_path / "mine"


def test_offline_and_replay_runs_default_to_one_worker():
    from assistant.evals.runner import default_concurrency

    assert default_concurrency("offline") == default_concurrency("replay") == 1
    assert default_concurrency("live") == default_concurrency("record") == 4


def test_synthetic_catalog_is_about_n_times_larger_with_new_text(catalog):
    from assistant.bench import synthetic_catalog
    from assistant.chunks import build_chunks

    base = build_chunks(catalog)
    scaled = synthetic_catalog(catalog, 5)
    chunks = build_chunks(scaled)
    assert 4.8 * len(base) <= len(chunks) <= 5.2 * len(base)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    assert len({c.text for c in chunks}) >= len({c.text for c in base}) + (len(chunks) - len(base)) * 0.99
    assert scaled.content_hash != catalog.content_hash
    assert synthetic_catalog(catalog, 1).techniques.keys() == catalog.techniques.keys()


def test_child_measurements_report_time_and_peak_memory():
    from assistant.bench import _child

    wall, rss = _child([sys.executable, "-c", "x = bytearray(80 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096])"], {})
    assert wall > 0 and rss >= 80
    # the measuring process's own size is not counted as the child's (Linux keeps the high-water mark
    # across exec, so a child started directly from a large process would report at least its size)
    ballast = bytearray(300 * 1024 * 1024)
    ballast[::4096] = b"1" * len(ballast[::4096])
    _, small = _child([sys.executable, "-c", "pass"], {})
    assert small < 150, small
    del ballast
    with pytest.raises(RuntimeError):
        _child([sys.executable, "-c", "raise SystemExit(3)"], {})
