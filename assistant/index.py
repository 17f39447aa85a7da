"""The dense index: a chromadb collection of knowledge chunks with MiniLM embeddings.

The collection records the knowledge content hash and the embedding model id in
its metadata. :meth:`VectorIndex.open` rebuilds it when either differs, so a
stale index is never served. Embedded ``PersistentClient`` under the data dir by
default; ``IPT_CHROMA_URL`` switches to a Chroma server.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlparse

import numpy as np

from .chunks import Chunk
from . import embeddings as _emb
from .embeddings import MODEL_ID, MiniLMEmbeddings, chroma_embedding_function
from .errors import IPTError

COLLECTION = "ipt_knowledge"
INDEX_VERSION = "2"  # bump when chunking changes; the embedder id below covers model settings

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


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
    path = data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


@contextlib.contextmanager
def _build_lock(data_dir: Path) -> Iterator[None]:
    """Serialise rebuilds across processes (POSIX advisory lock)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lock_path = data_dir / "index.lock"
    with open(lock_path, "w") as fh:
        try:
            import fcntl

            fcntl.flock(fh, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - non-POSIX
            pass
        yield


class VectorIndex:
    """Dense search over the chunks of one catalog version."""

    def __init__(self, collection: Any, chunks: list[Chunk], embeddings: MiniLMEmbeddings,
                 built: bool, build_seconds: float) -> None:
        self.collection = collection
        self.chunks = chunks
        self.embeddings = embeddings
        self.built = built
        self.build_seconds = build_seconds
        self._pos = {c.chunk_id: i for i, c in enumerate(chunks)}
        self._matrix: np.ndarray | None = None

    #: Up to this many chunks, vectors read back from chroma are searched exactly in memory
    #: (a 123 x 384 dot product takes microseconds; HNSW would add latency and approximation).
    IN_MEMORY_LIMIT = 5000

    def _load_matrix(self) -> np.ndarray:
        if self._matrix is None:
            got = self.collection.get(include=["embeddings"])
            matrix = np.zeros((len(self.chunks), len(got["embeddings"][0])), dtype=np.float32)
            for cid, vec in zip(got["ids"], got["embeddings"]):
                if cid in self._pos:
                    matrix[self._pos[cid]] = vec
            self._matrix = matrix
        return self._matrix

    @classmethod
    def open(cls, chunks: list[Chunk], content_hash: str, data_dir: Path,
             chroma_url: str | None = None, force: bool = False,
             embeddings: MiniLMEmbeddings | None = None) -> "VectorIndex":
        """Open the collection, rebuilding it if missing, stale or ``force``."""
        embeddings = embeddings or MiniLMEmbeddings()
        fn = chroma_embedding_function(embeddings)
        client = make_client(data_dir, chroma_url)
        want = {"content_hash": content_hash, "embedder": f"{MODEL_ID}:{_emb.MAX_TOKENS}", "index_version": INDEX_VERSION,
                "hnsw:space": "cosine"}
        with _build_lock(data_dir):
            collection = None
            if not force:
                with contextlib.suppress(Exception):
                    collection = client.get_collection(COLLECTION, embedding_function=fn)
            if collection is not None:
                meta = collection.metadata or {}
                fresh = all(meta.get(k) == v for k, v in want.items() if k != "hnsw:space")
                if fresh and collection.count() == len(chunks):
                    return cls(collection, chunks, embeddings, built=False, build_seconds=0.0)
            t0 = time.perf_counter()
            with contextlib.suppress(Exception):
                client.delete_collection(COLLECTION)
            collection = client.create_collection(COLLECTION, embedding_function=fn, metadata=want)
            vectors = embeddings.encoder.encode([c.text for c in chunks])
            collection.add(
                ids=[c.chunk_id for c in chunks],
                documents=[c.text for c in chunks],
                metadatas=[c.metadata() for c in chunks],
                embeddings=vectors,
            )
            return cls(collection, chunks, embeddings, built=True,
                       build_seconds=time.perf_counter() - t0)

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
