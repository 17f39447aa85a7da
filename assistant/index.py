"""The dense index: a chromadb collection of knowledge chunks with MiniLM embeddings.

The collection records the knowledge content hash and the embedding model id in
its metadata. :meth:`VectorIndex.open` rebuilds it when either differs, so a
stale index is never served. Embedded ``PersistentClient`` under the data dir by
default; ``IPT_CHROMA_URL`` switches to a Chroma server.

Robustness (the store is a cache: it can always be rebuilt from the knowledge base):

* Client creation, the freshness check, the build and reading the vectors back all
  happen under one inter-process lock (``index.lock``), so parallel first runs wait
  for one build instead of racing it. Searches then run on the vectors in memory.
* A store that cannot be opened or read (a corrupt sqlite file, a file where the
  ``chroma/`` folder should be, unreadable files) is moved aside to
  ``chroma.broken-<time>`` (only the newest such copy is kept) and rebuilt, with one
  warning.
* Segment folders that no collection references (left by killed builds and by
  deleted collections) are removed after each open.
* A data dir that cannot be created or written is one error line naming the path
  and ``IPT_DATA_DIR``.
* Adds are batched under chromadb's maximum batch size.
* The chunk vectors are also kept in ``vectors-<key>.npy`` (knowledge text only, keyed
  by the embedder and every chunk's text), so a store rebuilt after damage does not
  embed everything again; ``ipt index`` (``force``) always re-embeds.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlparse

import numpy as np

from .chunks import Chunk
from . import embeddings as _emb
from .embeddings import MODEL_ID, MiniLMEmbeddings, chroma_embedding_function
from .errors import ConfigError, IPTError

COLLECTION = "ipt_knowledge"
INDEX_VERSION = "2"  # bump when chunking changes; the embedder id below covers model settings
STORE = "chroma"
BROKEN_PREFIX = "chroma.broken-"
DEFAULT_MAX_BATCH = 5000
_UUID_DIR = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

log = logging.getLogger("assistant.index")

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def _data_dir_error(data_dir: Path, why: str) -> ConfigError:
    return ConfigError(f"the data dir {data_dir} {why}; set IPT_DATA_DIR to a writable folder")


def ensure_data_dir(data_dir: Path) -> Path:
    """Create the data dir if needed; one clear error if it cannot be created or written."""
    data_dir = Path(data_dir)
    if data_dir.exists() and not data_dir.is_dir():
        raise _data_dir_error(data_dir, "is a file, not a folder")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _data_dir_error(data_dir, f"cannot be created ({exc.strerror or type(exc).__name__})") from None
    if not os.access(data_dir, os.W_OK | os.X_OK):
        raise _data_dir_error(data_dir, "is not writable")
    return data_dir


def make_client(data_dir: Path, chroma_url: str | None = None) -> Any:
    """A chromadb client with telemetry off: embedded by default, HTTP if a URL is given."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        url = urlparse(chroma_url)
        if not url.hostname:
            raise IPTError(f"IPT_CHROMA_URL is not a URL: {chroma_url!r}")
        return chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=settings,
        )
    path = data_dir / STORE
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


@contextlib.contextmanager
def _build_lock(data_dir: Path) -> Iterator[None]:
    """Serialise opening and rebuilding the store across processes (POSIX advisory lock)."""
    ensure_data_dir(data_dir)
    lock_path = data_dir / "index.lock"
    try:
        fh = open(lock_path, "a")
    except OSError as exc:
        raise _data_dir_error(data_dir, f"is not writable ({exc.strerror or type(exc).__name__})") from None
    with fh:
        try:
            import fcntl

            fcntl.flock(fh, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - non-POSIX
            pass
        yield


def _close(client: Any) -> None:
    with contextlib.suppress(Exception):
        client.close()


def _forget(store: Path) -> None:
    """Drop chromadb's in-process cached system for ``store``: after a failed open it stays
    cached half-started, and every later client for the same path would fail with it."""
    with contextlib.suppress(Exception):
        from chromadb.api.shared_system_client import SharedSystemClient

        for table in ("_identifier_to_system", "_identifier_to_refcount"):
            getattr(SharedSystemClient, table, {}).pop(str(store), None)


def _is_missing(exc: Exception) -> bool:
    return type(exc).__name__ == "NotFoundError" or "does not exist" in str(exc)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()


def _move_aside(data_dir: Path, why: BaseException) -> Path:
    """Move the unusable store out of the way (kept for inspection); returns where it went."""
    store = data_dir / STORE
    ns = time.time_ns()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(ns // 1_000_000_000)) + f".{ns % 1_000_000_000:09d}"
    aside = data_dir / f"{BROKEN_PREFIX}{stamp}-{os.getpid()}"
    try:
        os.replace(store, aside)
    except OSError as exc:
        raise IPTError(f"the search index at {store} is unreadable ({type(why).__name__}) and could not be moved "
                       f"aside ({exc.strerror or type(exc).__name__}); delete it, or set IPT_DATA_DIR elsewhere") from None
    log.warning("the search index at %s was unreadable (%s); moved it to %s and rebuilt it",
                store, type(why).__name__, aside.name)
    return aside


def _sweep(data_dir: Path) -> None:
    """Keep only the newest moved-aside store."""
    broken = sorted(data_dir.glob(f"{BROKEN_PREFIX}*"), key=lambda p: p.name)
    for old in broken[:-1]:
        _remove(old)


def referenced_segments(store: Path) -> set[str] | None:
    """Segment ids the store's sqlite file references; None if it cannot be read."""
    db = store / "chroma.sqlite3"
    if not db.is_file():
        return None
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return {str(row[0]) for row in con.execute("SELECT id FROM segments")}
        finally:
            con.close()
    except sqlite3.Error:
        return None


def clean_orphans(store: Path) -> list[str]:
    """Remove segment folders that no collection references; returns their names."""
    keep = referenced_segments(store)
    if keep is None:
        return []
    removed = []
    for child in store.iterdir():
        if child.is_dir() and _UUID_DIR.match(child.name) and child.name not in keep:
            _remove(child)
            removed.append(child.name)
    return removed


def _add_batched(client: Any, collection: Any, chunks: list[Chunk], vectors: np.ndarray) -> None:
    """``collection.add`` in batches no larger than chromadb accepts in one call."""
    try:
        size = int(client.get_max_batch_size())
    except Exception:  # noqa: BLE001 - older clients, servers without the endpoint
        size = DEFAULT_MAX_BATCH
    size = max(1, min(size, DEFAULT_MAX_BATCH))
    for start in range(0, len(chunks), size):
        part = chunks[start : start + size]
        collection.add(
            ids=[c.chunk_id for c in part],
            documents=[c.text for c in part],
            metadatas=[c.metadata() for c in part],
            embeddings=vectors[start : start + size],
        )


def _vector_key(chunks: list[Chunk]) -> str:
    h = hashlib.sha256(f"{MODEL_ID}:{_emb.MAX_TOKENS}:{INDEX_VERSION}".encode())
    for c in chunks:
        h.update(b"\0" + c.chunk_id.encode() + b"\0" + c.text.encode())
    return h.hexdigest()[:24]


def _encode(embeddings: MiniLMEmbeddings, chunks: list[Chunk], data_dir: Path, reuse: bool) -> np.ndarray:
    """The chunks' vectors: from the vector cache when ``reuse`` and it is intact, else embedded
    (and cached). The cache is a convenience: any problem with it means embedding again."""
    path = data_dir / f"vectors-{_vector_key(chunks)}.npy"
    if reuse:
        try:
            cached = np.load(path, allow_pickle=False)
            if cached.shape == (len(chunks), _emb.DIMENSIONS) and cached.dtype == np.float32 \
                    and bool(np.isfinite(cached).all()):
                return cached
        except (OSError, ValueError, EOFError):
            pass
    vectors = np.asarray(embeddings.encoder.encode([c.text for c in chunks]), dtype=np.float32)
    with contextlib.suppress(OSError):
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            np.save(fh, vectors, allow_pickle=False)
        os.replace(tmp, path)
        for old in data_dir.glob("vectors-*.npy"):
            if old != path:
                old.unlink()
    return vectors


def _read_matrix(collection: Any, chunks: list[Chunk]) -> np.ndarray | None:
    """The stored vectors in chunk order; None when some chunk has no vector (a stale store)."""
    got = collection.get(include=["embeddings"])
    vectors = got.get("embeddings")
    if vectors is None or len(vectors) == 0:
        return None
    pos = {c.chunk_id: i for i, c in enumerate(chunks)}
    matrix = np.zeros((len(chunks), len(vectors[0])), dtype=np.float32)
    seen = set()
    for cid, vec in zip(got["ids"], vectors):
        if cid in pos:
            matrix[pos[cid]] = vec
            seen.add(cid)
    return matrix if len(seen) == len(chunks) else None


class VectorIndex:
    """Dense search over the chunks of one catalog version."""

    def __init__(self, collection: Any, chunks: list[Chunk], embeddings: MiniLMEmbeddings,
                 built: bool, build_seconds: float) -> None:
        self.collection = collection
        self.chunks = chunks
        self.embeddings = embeddings
        self.built = built
        self.build_seconds = build_seconds
        self.store: str | None = None  # where the store lives (folder or server URL)
        self._pos = {c.chunk_id: i for i, c in enumerate(chunks)}
        self._matrix: np.ndarray | None = None

    #: Up to this many chunks, vectors read back from chroma are searched exactly in memory
    #: (a 123 x 384 dot product takes microseconds; HNSW would add latency and approximation).
    IN_MEMORY_LIMIT = 5000

    def _load_matrix(self) -> np.ndarray:
        if self._matrix is None:
            matrix = _read_matrix(self.collection, self.chunks)
            if matrix is None:
                raise IPTError("the search index is incomplete; run `ipt index` to rebuild it")
            self._matrix = matrix
        return self._matrix

    @classmethod
    def open(cls, chunks: list[Chunk], content_hash: str, data_dir: Path,
             chroma_url: str | None = None, force: bool = False,
             embeddings: MiniLMEmbeddings | None = None) -> "VectorIndex":
        """Open the collection, rebuilding it if missing, stale, unreadable or ``force``."""
        embeddings = embeddings or MiniLMEmbeddings()
        fn = chroma_embedding_function(embeddings)
        data_dir = Path(data_dir)
        want = {"content_hash": content_hash, "embedder": f"{MODEL_ID}:{_emb.MAX_TOKENS}", "index_version": INDEX_VERSION,
                "hnsw:space": "cosine"}
        with _build_lock(data_dir):
            if chroma_url:
                try:
                    index = cls._open_or_build(make_client(data_dir, chroma_url), chunks, embeddings, fn, want, force,
                                               data_dir, reuse_vectors=not force)
                except IPTError:
                    raise
                except Exception as exc:  # noqa: BLE001 - a server we do not control
                    raise IPTError(f"the Chroma server at {chroma_url} failed ({type(exc).__name__})") from None
                index.store = chroma_url
                return index
            store = data_dir / STORE
            reuse_vectors = not force  # `ipt index` re-embeds; a rebuild after damage need not
            for attempt in (1, 2):
                client = None
                try:
                    if store.exists() and not store.is_dir():
                        raise NotADirectoryError(f"{store} is not a folder")
                    client = make_client(data_dir)
                    index = cls._open_or_build(client, chunks, embeddings, fn, want, force, data_dir,
                                               reuse_vectors=reuse_vectors)
                except IPTError:
                    raise
                except Exception as exc:  # noqa: BLE001 - corrupt or unreadable store: move aside, rebuild
                    if client is not None:
                        _close(client)
                    _forget(store)
                    if attempt == 2:
                        raise IPTError(f"the search index at {store} cannot be rebuilt ({type(exc).__name__}); "
                                       "check the data dir, or set IPT_DATA_DIR elsewhere") from None
                    _move_aside(data_dir, exc)
                    force = True
                    continue
                clean_orphans(store)
                _sweep(data_dir)
                index.store = str(store)
                return index
        raise AssertionError("unreachable")  # pragma: no cover

    @classmethod
    def _open_or_build(cls, client: Any, chunks: list[Chunk], embeddings: MiniLMEmbeddings, fn: Any,
                       want: dict[str, Any], force: bool, data_dir: Path,
                       reuse_vectors: bool = True) -> "VectorIndex":
        """Under the lock: reuse a fresh collection (its vectors read into memory) or build a new one."""
        collection = None
        if not force:
            try:
                collection = client.get_collection(COLLECTION, embedding_function=fn)
            except Exception as exc:  # noqa: BLE001
                if not _is_missing(exc):
                    raise
        if collection is not None:
            meta = collection.metadata or {}
            fresh = all(meta.get(k) == v for k, v in want.items() if k != "hnsw:space")
            if fresh and collection.count() == len(chunks):
                matrix = _read_matrix(collection, chunks)
                if matrix is not None:
                    index = cls(collection, chunks, embeddings, built=False, build_seconds=0.0)
                    index._matrix = matrix
                    return index
        t0 = time.perf_counter()
        try:
            client.delete_collection(COLLECTION)
        except Exception as exc:  # noqa: BLE001
            if not _is_missing(exc):
                raise
        collection = client.create_collection(COLLECTION, embedding_function=fn, metadata=want)
        vectors = _encode(embeddings, chunks, data_dir, reuse_vectors)
        _add_batched(client, collection, chunks, vectors)
        index = cls(collection, chunks, embeddings, built=True, build_seconds=time.perf_counter() - t0)
        index._matrix = vectors
        return index

    def search(self, query_vector: np.ndarray, n: int, where: dict[str, Any] | None = None) -> list[tuple[int, float]]:
        """(chunk position, cosine similarity) pairs, best first."""
        n = max(1, min(n, len(self.chunks)))
        if where is None and len(self.chunks) <= self.IN_MEMORY_LIMIT:
            sims = self._load_matrix() @ np.asarray(query_vector, dtype=np.float32)
            order = np.argsort(-sims, kind="stable")[:n]
            return [(int(i), float(sims[i])) for i in order]
        res = self.collection.query(query_embeddings=[query_vector], n_results=n, where=where,
                                    include=["distances"])
        ids = res["ids"][0]
        dists = res["distances"][0]
        return [(self._pos[i], 1.0 - float(d)) for i, d in zip(ids, dists) if i in self._pos]
