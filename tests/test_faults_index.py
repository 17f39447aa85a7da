"""Fault injection on the search index and the data dir.

A corrupt or unreadable store is moved aside and rebuilt; a file where the store's folder
should be is handled the same way; a data dir that cannot be created or written is one
line naming the path and IPT_DATA_DIR; orphan segment folders are cleaned; adds are batched
under chromadb's limit; parallel first runs wait for one build; nothing is written at the
filesystem root. Small chunk sets keep each build well under a second.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from ipt_cli import run_ipt

from assistant.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def chunks(assistant_offline):
    return assistant_offline.retriever.chunks[:6]


def open_index(chunks, data_dir: Path, **kw):
    from assistant.index import VectorIndex

    return VectorIndex.open(chunks, "hash-faults", data_dir, **kw)


def uuid_dirs(store: Path) -> set[str]:
    return {p.name for p in store.iterdir() if p.is_dir() and len(p.name) == 36}


# -- a broken store heals itself -------------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["garbage-sqlite", "empty-sqlite", "file-for-folder", "garbage-segment"])
def test_a_broken_store_is_moved_aside_and_rebuilt(chunks, tmp_path: Path, damage: str, caplog):
    data = tmp_path / "data"
    first = open_index(chunks, data)
    assert first.built
    store = data / "chroma"
    if damage == "garbage-sqlite":
        (store / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    elif damage == "empty-sqlite":
        (store / "chroma.sqlite3").write_bytes(b"")
    elif damage == "file-for-folder":
        import shutil

        shutil.rmtree(store)
        store.write_text("not a folder")
    else:
        for seg in uuid_dirs(store):
            for f in (store / seg).iterdir():
                f.write_bytes(os.urandom(64))
    t0 = time.perf_counter()
    healed = open_index(chunks, data)
    assert time.perf_counter() - t0 < 10
    assert healed.store == str(store) and store.is_dir()
    query = healed.embeddings.encoder.encode([chunks[0].text])[0]
    assert healed.search(query, n=1)[0][0] == 0  # it answers, from the right vectors
    if damage != "garbage-segment":  # (the vectors are read from sqlite: a damaged HNSW file is harmless here)
        assert healed.built
        assert len(list(data.glob("chroma.broken-*"))) == 1
        assert any("moved it to chroma.broken-" in r.getMessage() for r in caplog.records)
    # and the next open reuses it
    assert open_index(chunks, data).built is False


def test_rebuilds_embed_only_what_the_embedding_cache_lacks(chunks, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch):
    import numpy as np

    data = tmp_path / "data"
    first = open_index(chunks, data)
    encoder = first.embeddings.encoder
    real = encoder.encode
    calls: list[int] = []
    monkeypatch.setattr(encoder, "encode", lambda texts, *a, **k: calls.append(len(texts)) or real(texts, *a, **k))
    # damage: the store is rebuilt from the cached vectors, nothing is embedded
    (data / "chroma" / "chroma.sqlite3").write_bytes(b"junk" * 64)
    healed = open_index(chunks, data)
    assert healed.built and calls == []
    assert np.allclose(healed._load_matrix(), first._load_matrix(), atol=1e-6)
    # `ipt index` (force) rebuilds the store from the verified cache too
    assert open_index(chunks, data, force=True).built and calls == []
    # a bad chunk-order matrix is rebuilt from the embedding cache: still no embedding
    next(data.glob("vectors-*.npy")).write_bytes(b"broken cache")
    (data / "chroma" / "chroma.sqlite3").write_bytes(b"junk" * 64)
    assert open_index(chunks, data).built and calls == []
    # an embedding cache whose numbers were changed (still finite) fails its checksum: embed again
    cache = next((data / "embedding-cache").glob("*.npz"))
    with np.load(cache) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["vectors"] = arrays["vectors"] * np.float32(0.5)
    with open(cache, "wb") as fh:
        np.savez(fh, **arrays)
    assert open_index(chunks, data, force=True).built and calls == [len(chunks)]
    # an unreadable one too
    cache.write_bytes(b"broken cache")
    assert open_index(chunks, data, force=True).built and calls == [len(chunks), len(chunks)]
    assert len(list(data.glob("vectors-*.npy"))) == 1
    # editing one chunk's text embeds that chunk only, and the index serves the new text
    edited = [*chunks[:2], replace(chunks[2], text=chunks[2].text + " Zorbalexian rehearsal."), *chunks[3:]]
    index = open_index(edited, data)
    assert index.built and calls == [len(chunks), len(chunks), 1]
    query = real([edited[2].text])[0]
    assert index.search(query, n=1)[0][0] == 2


def test_only_the_newest_broken_copy_is_kept(chunks, tmp_path: Path):
    data = tmp_path / "data"
    for _ in range(3):
        open_index(chunks, data)
        (data / "chroma" / "chroma.sqlite3").write_bytes(b"junk" * 64)
    open_index(chunks, data)
    kept = list(data.glob("chroma.broken-*"))
    assert len(kept) == 1
    assert b"junk" in (kept[0] / "chroma.sqlite3").read_bytes()


def test_orphan_segment_folders_are_cleaned(chunks, tmp_path: Path):
    from assistant.index import referenced_segments

    data = tmp_path / "data"
    open_index(chunks, data)
    store = data / "chroma"
    orphan = store / str(uuid.uuid4())
    orphan.mkdir()
    (orphan / "data_level0.bin").write_bytes(b"\0" * 128)
    for _ in range(2):  # forced rebuilds delete collections, whose folders chroma leaves behind
        open_index(chunks, data, force=True)
    assert not orphan.exists()
    assert uuid_dirs(store) <= (referenced_segments(store) or set())
    (store / "notes.txt").write_text("not ours")  # only segment-shaped folders are touched
    open_index(chunks, data)
    assert (store / "notes.txt").exists()


def test_adds_are_batched_under_chromas_maximum(chunks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import chromadb.api.client as client_mod

    monkeypatch.setattr(client_mod.Client, "get_max_batch_size", lambda self: 4)
    sizes: list[int] = []
    real_add = None

    import chromadb.api.models.Collection as coll_mod

    real_add = coll_mod.Collection.add

    def add(self, *args, **kwargs):
        sizes.append(len(kwargs["ids"]))
        return real_add(self, *args, **kwargs)

    monkeypatch.setattr(coll_mod.Collection, "add", add)
    index = open_index(chunks, tmp_path / "data")
    assert sizes == [4, 2]
    assert index.collection.count() == len(chunks)


# -- data dirs that cannot be used: one line, naming the path and IPT_DATA_DIR ----------------------------
def _read_only_dir(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
        return ro
    return Path("/proc/self/fdinfo")  # exists, and not even root can create files in it


@pytest.mark.parametrize("kind", ["read-only", "uncreatable", "a-file"])
def test_an_unusable_data_dir_is_one_clear_line(chunks, tmp_path: Path, kind: str):
    if kind == "read-only":
        data = _read_only_dir(tmp_path)
    elif kind == "uncreatable":
        blocker = tmp_path / "blocker"
        blocker.write_text("x")
        data = blocker / "data"
    else:
        data = tmp_path / "file"
        data.write_text("x")
    with pytest.raises(ConfigError) as info:
        open_index(chunks, data)
    message = str(info.value)
    assert str(data) in message and "IPT_DATA_DIR" in message and "\n" not in message
    assert info.value.exit_code == 2


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IPT_", "OPENAI_", "XDG_"))}
    env.update(extra)
    return env


@pytest.mark.parametrize("command", [["ask", "what next in session 5?"], ["index"]])
def test_cli_with_an_unusable_data_dir_exits_2_with_one_line(tmp_path: Path, command: list[str]):
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    proc = run_ipt(command, env=cli_env(IPT_DATA_DIR=str(blocker / "data")))
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert err.count("\n") == 1 and err.startswith("ipt: ") and "IPT_DATA_DIR" in err and str(blocker) in err


# -- never the filesystem root ----------------------------------------------------------------------------
@pytest.mark.parametrize("home", ["", "/"])
def test_no_usable_home_is_an_error_not_the_root(monkeypatch: pytest.MonkeyPatch, home: str):
    import pwd

    from assistant.config import default_data_dir

    monkeypatch.delenv("IPT_DATA_DIR", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", home)
    monkeypatch.setattr(pwd, "getpwuid", lambda uid: type("pw", (), {"pw_dir": "/"})())
    with pytest.raises(ConfigError) as info:
        default_data_dir()
    assert "IPT_DATA_DIR" in str(info.value)


def test_home_from_the_password_database_when_home_is_empty(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    import pwd

    from assistant.config import default_data_dir

    monkeypatch.delenv("IPT_DATA_DIR", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", "")
    monkeypatch.setattr(pwd, "getpwuid", lambda uid: type("pw", (), {"pw_dir": str(tmp_path)})())
    assert default_data_dir() == tmp_path / ".local" / "share" / "ipt-assistant"


@pytest.mark.parametrize("xdg", ["", "relative/dir", "/"])
def test_unusable_xdg_data_home_is_ignored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, xdg: str):
    from assistant.config import default_data_dir

    monkeypatch.delenv("IPT_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", xdg)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_data_dir() == tmp_path / ".local" / "share" / "ipt-assistant"


def test_ipt_data_dir_at_the_root_is_refused(monkeypatch: pytest.MonkeyPatch):
    from assistant.config import default_data_dir

    monkeypatch.setenv("IPT_DATA_DIR", "/")
    with pytest.raises(ConfigError):
        default_data_dir()


def test_cli_with_home_empty_writes_nothing_at_the_root(tmp_path: Path):
    before = set(os.listdir("/"))
    env = cli_env(HOME="")
    proc = subprocess.run([sys.executable, "-c",
                           "import pwd, sys\n"
                           "pwd.getpwuid = lambda uid: type('pw', (), {'pw_dir': '/'})()\n"
                           "from assistant.cli import main\n"
                           "sys.exit(main(['ask', 'what next in session 5?']))"],
                          cwd=REPO, capture_output=True, env=env, timeout=60)
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert err.startswith("ipt: ") and err.count("\n") == 1 and "IPT_DATA_DIR" in err
    assert set(os.listdir("/")) <= before


# -- parallel first runs -------------------------------------------------------------------------------------
_OPEN_SNIPPET = """
import sys
from assistant.catalog import get_catalog
from assistant.chunks import build_chunks
from assistant.index import VectorIndex
chunks = build_chunks(get_catalog())[:6]
index = VectorIndex.open(chunks, "hash-race", sys.argv[1])
print("built" if index.built else "reused")
"""


def test_parallel_first_opens_wait_for_one_build(tmp_path: Path):
    data = tmp_path / "race"
    procs = [subprocess.Popen([sys.executable, "-c", _OPEN_SNIPPET, str(data)], cwd=REPO, env=cli_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
        assert b"Traceback" not in err
        results.append(out.decode().strip())
    assert sorted(results) == ["built", "reused", "reused"], results
    store = data / "chroma"
    from assistant.index import referenced_segments

    assert uuid_dirs(store) <= (referenced_segments(store) or set())
