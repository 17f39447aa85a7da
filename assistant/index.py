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
* Adds are batched under chromadb's maximum batch size (and 1,000 at most).

Vectors outside chroma (the cold path reads no chromadb):

* ``vectors-<key>.npy``: the chunk vectors in chunk order, keyed by the embedder, the
  knowledge content hash and every chunk's id and text. Written after each build or
  open of the store; :meth:`VectorIndex.cached` memory-maps it, so a warm process start
  (an offline ``ipt ask``) searches it in numpy without importing chromadb.
* ``embedding-cache/<embedder>.npz``: vectors by the sha1 of the chunk's text, with a
  sha256 over the file's arrays, so a rebuild (after an edit, after damage, or a forced
  ``ipt index``) embeds only the chunks whose text is new; a damaged cache is ignored.

Search: up to :attr:`VectorIndex.IN_MEMORY_LIMIT` chunks (20,000, about 117 times
the shipped knowledge base) the exact dot product over the in-memory matrix is
faster than HNSW and exact; above it, and for filtered searches, chromadb's HNSW
index answers.
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
import zipfile
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlparse

import numpy as np

from .chunks import Chunk
from . import embeddings as _emb
from .embeddings import MODEL_ID, _LazyEncoder, chroma_embedding_function
from .errors import ConfigError, IPTError

COLLECTION = "ipt_knowledge"
INDEX_VERSION = "2"  # bump when chunking changes; the embedder id below covers model settings
STORE = "chroma"
BROKEN_PREFIX = "chroma.broken-"
DEFAULT_MAX_BATCH = 1000  # at most this many per add: as fast as 5,000, and ~100 MB less peak at 11k chunks
EMBEDDING_CACHE = "embedding-cache"
BUILD_BATCH = 8
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


def _release_freed_memory() -> None:
    """Hand the heap memory freed after a build back to the OS (glibc's ``malloc_trim``; elsewhere a no-op).
    The embedding pass and the adds leave freed but mapped memory that would otherwise sit under
    everything the process loads next (measured at 10x the knowledge base: 447 -> 410 MB)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _embedder_tag() -> str:
    return f"{MODEL_ID}-{_emb.MAX_TOKENS}"


def _vector_key(chunks: list[Chunk], content_hash: str = "") -> str:
    h = hashlib.sha256(f"{MODEL_ID}:{_emb.MAX_TOKENS}:{INDEX_VERSION}:{content_hash}".encode())
    for c in chunks:
        h.update(b"\0" + c.chunk_id.encode() + b"\0" + c.text.encode())
    return h.hexdigest()[:24]


def _matrix_path(data_dir: Path, chunks: list[Chunk], content_hash: str) -> Path:
    return Path(data_dir) / f"vectors-{_vector_key(chunks, content_hash)}.npy"


def _atomic_save(path: Path, write: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _save_matrix(path: Path, vectors: np.ndarray) -> None:
    """Write the chunk-order matrix; older ones (other knowledge versions) are removed."""
    with contextlib.suppress(OSError):
        _atomic_save(path, lambda fh: np.save(fh, np.ascontiguousarray(vectors, dtype=np.float32),
                                              allow_pickle=False))
        for old in path.parent.glob("vectors-*.npy"):
            if old != path:
                old.unlink()


def _load_matrix_file(path: Path, n: int, mmap: bool = False) -> np.ndarray | None:
    """The cached matrix if it is intact (shape, dtype, finite values), else None."""
    try:
        m = np.load(path, allow_pickle=False, mmap_mode="r" if mmap else None)
    except (OSError, ValueError, EOFError):
        return None
    if m.shape != (n, _emb.DIMENSIONS) or m.dtype != np.float32 or not bool(np.isfinite(m).all()):
        return None
    return m


def text_key(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


class EmbeddingCache:
    """Vectors by the sha1 of the embedded text, for one embedder (``<data dir>/embedding-cache/``).

    The file carries the sha256 of its keys and vectors; a file that does not match it (or cannot be
    read) is treated as empty, so damage means embedding again, never serving wrong vectors. Entries
    for texts no longer in the knowledge base are kept up to :attr:`KEEP_EXTRA` times the current
    number of chunks."""

    KEEP_EXTRA = 1

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / EMBEDDING_CACHE / f"{_embedder_tag()}.npz"

    @staticmethod
    def _digest(keys: np.ndarray, vectors: np.ndarray) -> str:
        h = hashlib.sha256(np.ascontiguousarray(keys).tobytes())
        h.update(np.ascontiguousarray(vectors).tobytes())
        return h.hexdigest()

    def load(self) -> dict[bytes, np.ndarray]:
        try:
            with np.load(self.path, allow_pickle=False) as z:
                keys, vectors, digest = z["keys"], z["vectors"], str(z["sha256"])
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):
            return {}
        if keys.ndim != 2 or keys.shape[1] != 20 or keys.dtype != np.uint8 \
                or vectors.shape != (len(keys), _emb.DIMENSIONS) or vectors.dtype != np.float32 \
                or digest != self._digest(keys, vectors):
            return {}
        # (raw sha1 digests as uint8 rows: numpy's "S20" would drop a digest's trailing zero bytes)
        return {k.tobytes(): vectors[i] for i, k in enumerate(keys)}

    def save(self, current: dict[bytes, np.ndarray], older: dict[bytes, np.ndarray]) -> None:
        extra = [k for k in older if k not in current][: self.KEEP_EXTRA * max(len(current), 1)]
        keys = list(current) + extra
        if not keys:
            return
        key_arr = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), 20)
        vectors = np.stack([current[k] if k in current else older[k] for k in keys]).astype(np.float32)
        digest = np.array(self._digest(key_arr, vectors))
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _atomic_save(self.path, lambda fh: np.savez(fh, keys=key_arr, vectors=vectors, sha256=digest))


def _encode(embeddings: Any, chunks: list[Chunk], data_dir: Path) -> np.ndarray:
    """The chunks' vectors: those whose text is in the (verified) embedding cache from there, the rest
    embedded in one call; the cache is then updated. Editing one entry re-embeds only its chunks."""
    cache = EmbeddingCache(data_dir)
    known = cache.load()
    keys = [text_key(c.text) for c in chunks]
    missing = [i for i, k in enumerate(keys) if k not in known]
    vectors = np.empty((len(chunks), _emb.DIMENSIONS), dtype=np.float32)
    if missing:
        # Batches of 8: the same CPU time as 32 on this model, and about 350 MB less peak memory
        # (onnxruntime's activations for 32 x 128 tokens).
        fresh = np.asarray(embeddings.encoder.encode([chunks[i].text for i in missing], batch_size=BUILD_BATCH),
                           dtype=np.float32)
        vectors[missing] = fresh
    for i, k in enumerate(keys):
        if k in known:
            vectors[i] = known[k]
    if missing:
        cache.save({k: vectors[i] for i, k in enumerate(keys)}, known)
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

    #: Up to this many chunks, search is an exact dot product over the in-memory (memory-mapped)
    #: matrix: 20,000 x 384 float32 is 31 MB and about 3 ms on one core, faster than HNSW and exact.
    #: Above it, chromadb's HNSW index answers.
    IN_MEMORY_LIMIT = 20_000

    def __init__(self, collection: Any, chunks: list[Chunk], embeddings: Any,
                 built: bool, build_seconds: float, *, content_hash: str = "", data_dir: Path | None = None,
                 chroma_url: str | None = None) -> None:
        self._collection = collection
        self.chunks = chunks
        self.embeddings = embeddings
        self.built = built
        self.build_seconds = build_seconds
        self.store: str | None = None  # where the store lives (folder or server URL)
        self.content_hash = content_hash
        self.data_dir = data_dir
        self.chroma_url = chroma_url
        self._pos: dict[str, int] | None = None
        self._matrix: np.ndarray | None = None

    @property
    def collection(self) -> Any:
        """The chroma collection (opened on first use when the index came from the vector cache)."""
        if self._collection is None:
            if self.data_dir is None:
                raise IPTError("the search index has no store")
            opened = VectorIndex.open(self.chunks, self.content_hash, self.data_dir, self.chroma_url,
                                      embeddings=self.embeddings)
            self._collection, self.store = opened._collection, opened.store
            if self._matrix is None:
                self._matrix = opened._matrix
        return self._collection

    def _load_matrix(self) -> np.ndarray:
        if self._matrix is None:
            matrix = _read_matrix(self.collection, self.chunks)
            if matrix is None:
                raise IPTError("the search index is incomplete; run `ipt index` to rebuild it")
            self._matrix = matrix
        return self._matrix

    @classmethod
    def cached(cls, chunks: list[Chunk], content_hash: str, data_dir: Path,
               embeddings: Any | None = None) -> "VectorIndex | None":
        """The index from the vector cache alone, without chromadb, when the local store was built for
        exactly these chunks (the matrix file is written after each build); None otherwise (then
        :meth:`open`). Only for corpora searched in memory."""
        if len(chunks) > cls.IN_MEMORY_LIMIT:
            return None
        data_dir = Path(data_dir)
        if not (data_dir / STORE / "chroma.sqlite3").is_file():
            return None
        matrix = _load_matrix_file(_matrix_path(data_dir, chunks, content_hash), len(chunks), mmap=True)
        if matrix is None:
            return None
        index = cls(None, chunks, embeddings or _LazyEncoder(), built=False, build_seconds=0.0,
                    content_hash=content_hash, data_dir=data_dir)
        index._matrix = matrix
        index.store = str(data_dir / STORE)
        return index

    @classmethod
    def open(cls, chunks: list[Chunk], content_hash: str, data_dir: Path,
             chroma_url: str | None = None, force: bool = False,
             embeddings: Any | None = None) -> "VectorIndex":
        """Open the collection, rebuilding it if missing, stale, unreadable or ``force``."""
        embeddings = embeddings or _LazyEncoder()
        fn = chroma_embedding_function(embeddings)
        data_dir = Path(data_dir)
        # chunks_key: every chunk's id and text, so a store is never served for other text
        want = {"content_hash": content_hash, "embedder": f"{MODEL_ID}:{_emb.MAX_TOKENS}", "index_version": INDEX_VERSION,
                "chunks_key": _vector_key(chunks, content_hash), "hnsw:space": "cosine"}
        with _build_lock(data_dir):
            if chroma_url:
                try:
                    index = cls._open_or_build(make_client(data_dir, chroma_url), chunks, embeddings, fn, want, force,
                                               data_dir)
                except IPTError:
                    raise
                except Exception as exc:  # noqa: BLE001 - a server we do not control
                    raise IPTError(f"the Chroma server at {chroma_url} failed ({type(exc).__name__})") from None
                index.store = chroma_url
                index.chroma_url = chroma_url
                return index
            store = data_dir / STORE
            for attempt in (1, 2):
                client = None
                try:
                    if store.exists() and not store.is_dir():
                        raise NotADirectoryError(f"{store} is not a folder")
                    client = make_client(data_dir)
                    index = cls._open_or_build(client, chunks, embeddings, fn, want, force, data_dir)
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
    def _open_or_build(cls, client: Any, chunks: list[Chunk], embeddings: Any, fn: Any,
                       want: dict[str, Any], force: bool, data_dir: Path) -> "VectorIndex":
        """Under the lock: reuse a fresh collection (its vectors read into memory) or build a new one."""
        content_hash = str(want["content_hash"])
        matrix_path = _matrix_path(data_dir, chunks, content_hash)
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
                    index = cls(collection, chunks, embeddings, built=False, build_seconds=0.0,
                                content_hash=content_hash, data_dir=data_dir)
                    index._matrix = matrix
                    if _load_matrix_file(matrix_path, len(chunks), mmap=True) is None:
                        _save_matrix(matrix_path, matrix)
                    return index
        t0 = time.perf_counter()
        try:
            client.delete_collection(COLLECTION)
        except Exception as exc:  # noqa: BLE001
            if not _is_missing(exc):
                raise
        collection = client.create_collection(COLLECTION, embedding_function=fn, metadata=want)
        vectors = _encode(embeddings, chunks, data_dir)
        _add_batched(client, collection, chunks, vectors)
        _save_matrix(matrix_path, vectors)
        _release_freed_memory()
        index = cls(collection, chunks, embeddings, built=True, build_seconds=time.perf_counter() - t0,
                    content_hash=content_hash, data_dir=data_dir)
        index._matrix = vectors
        return index

    def rank(self, query_vector: np.ndarray, n: int) -> np.ndarray:
        """The positions of the ``n`` most similar chunks, best first (ties keep chunk order)."""
        n = max(1, min(n, len(self.chunks)))
        if len(self.chunks) > self.IN_MEMORY_LIMIT:
            return np.array([pos for pos, _ in self.search(query_vector, n)], dtype=np.int64)
        return self._top(self._load_matrix() @ np.asarray(query_vector, dtype=np.float32), n)

    @staticmethod
    def _top(sims: np.ndarray, n: int) -> np.ndarray:
        if n < len(sims):  # the n best, then ordered (stable: ties keep chunk order)
            part = np.argpartition(-sims, n - 1)[:n]
            return part[np.lexsort((part, -sims[part]))]
        return np.argsort(-sims, kind="stable")

    def search(self, query_vector: np.ndarray, n: int, where: dict[str, Any] | None = None) -> list[tuple[int, float]]:
        """(chunk position, cosine similarity) pairs, best first."""
        n = max(1, min(n, len(self.chunks)))
        if where is None and len(self.chunks) <= self.IN_MEMORY_LIMIT:
            sims = self._load_matrix() @ np.asarray(query_vector, dtype=np.float32)
            order = self._top(sims, n)
            return list(zip(order.tolist(), sims[order].astype(np.float64).tolist()))
        res = self.collection.query(query_embeddings=[query_vector], n_results=n, where=where,
                                    include=["distances"])
        ids = res["ids"][0]
        dists = res["distances"][0]
        if self._pos is None:
            self._pos = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        return [(self._pos[i], 1.0 - float(d)) for i, d in zip(ids, dists) if i in self._pos]
