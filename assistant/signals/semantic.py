"""Detection by meaning: clause vectors (MiniLM) against an exemplar bank per category.

``exemplars/<category>.yaml`` holds positives (what the category sounds like, in many clinicians'
voices) and negatives (look-alikes: "killing it at work"). A clause fires a category when its
nearest positive is close enough (a per-category threshold tuned on the dev split,
``thresholds.yaml``) and nearer than the nearest negative by a margin.

The bank's vectors are computed once and cached as ``.npy`` under the data dir, keyed by the bank's
content hash and the model's sha256; a copy ships with the package so a first run does not spend
~10 s embedding them (``python -m assistant.signals.semantic`` rebuilds it).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..yamlfile import load_yaml

HERE = Path(__file__).parent
EXEMPLAR_DIR = HERE / "exemplars"
SHIPPED = HERE / "data" / "exemplars.npy"
THRESHOLDS_FILE = HERE / "thresholds.yaml"
_lock = threading.Lock()


@dataclass(frozen=True)
class Bank:
    texts: list[str]
    categories: list[str]
    positive: np.ndarray  # bool per row
    vectors: np.ndarray  # float32 (n, 384), L2-normalised
    digest: str
    index: dict[str, tuple[np.ndarray, np.ndarray]]  # category -> (positive rows, negative rows)
    #: Rows are grouped by (category, positives first): segment starts for np.maximum.reduceat, and for
    #: each category the segment numbers of its positives and negatives (-1: none).
    starts: np.ndarray | None = None
    segments: dict[str, tuple[int, int]] | None = None

    def segment_max(self, sims: np.ndarray) -> np.ndarray:
        """Per clause, the maximum similarity in each (category, polarity) segment."""
        return np.maximum.reduceat(sims, self.starts, axis=1)  # type: ignore[arg-type]

    def nearest(self, vector: np.ndarray, category: str) -> int:
        """The row of ``category``'s positive exemplar most similar to ``vector`` (-1: it has none)."""
        pos = self.index[category][0] if category in self.index else ()
        if not len(pos):
            return -1
        return int(pos[int(np.argmax(self.vectors[pos] @ vector))])

    def score(self, vectors: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per category: (best positive similarity, its row, best negative similarity) per clause."""
        sims = similarities(vectors, self.vectors)  # (clauses, exemplars)
        seg = self.segment_max(sims)
        out = {}
        none = np.full(len(sims), -1.0, dtype=np.float32)
        for cat, (pos, neg) in self.index.items():
            ps, ns = self.segments[cat]  # type: ignore[index]
            best = sims[:, pos].argmax(axis=1)
            out[cat] = (seg[:, ps], pos[best], seg[:, ns] if ns >= 0 else none)
        return out


#: Below this many rows, one matrix-vector product per row: OpenBLAS's matrix product took 0.6-1 ms for
#: 2 rows against the 3,484-exemplar bank, 0.05-0.09 ms per row as matrix-vector products (measured on
#: this project's 2-core machines, with one BLAS thread and two; equal at about 12 rows).
ROWWISE_BELOW = 12


def similarities(vectors: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``vectors @ matrix.T`` (rows: vectors, columns: matrix rows), computed the fast way for few rows."""
    if 0 < len(vectors) < ROWWISE_BELOW:
        return np.stack([matrix @ v for v in vectors])
    return vectors @ matrix.T


def _read_bank() -> tuple[list[str], list[str], list[bool], str]:
    texts: list[str] = []
    cats: list[str] = []
    pos: list[bool] = []
    h = hashlib.sha256()
    for path in sorted(EXEMPLAR_DIR.glob("*.yaml")):
        raw = path.read_bytes()
        h.update(path.name.encode() + b"\0" + raw)
        data = load_yaml(raw) or {}
        cat = data.get("category") or path.stem
        for polarity, flag in (("positive", True), ("negative", False)):
            for t in data.get(polarity) or []:
                texts.append(str(t).strip())
                cats.append(cat)
                pos.append(flag)
    from ..embeddings import MODEL_SHA256

    h.update(MODEL_SHA256.encode())
    return texts, cats, pos, h.hexdigest()[:16]


def _cache_dir() -> Path | None:
    from ..config import default_data_dir

    try:
        return default_data_dir() / "signals"
    except Exception:  # noqa: BLE001 - no usable data dir: compute in memory
        return None


def _load_vectors(path: Path, digest: str, n: int) -> np.ndarray | None:
    meta = path.with_suffix(".sha")
    try:
        if meta.read_text().strip() != digest:
            return None
        arr = np.load(path)
    except (OSError, ValueError):
        return None
    return arr.astype(np.float32) if arr.shape == (n, 384) else None


def _save_vectors(path: Path, digest: str, vectors: np.ndarray) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            np.save(fh, vectors.astype(np.float16))
        os.replace(tmp, path)
        path.with_suffix(".sha").write_text(digest + "\n")
    except OSError:
        pass  # a read-only data dir only costs the next start the same computation


def embed_bank(texts: list[str]) -> np.ndarray:
    from ..embeddings import get_encoder

    return get_encoder().encode(texts, batch_size=64)


def bank_vectors(texts: list[str], digest: str, shipped: Path, name: str) -> np.ndarray:
    """Unit float32 vectors of ``texts``: the shipped copy if its digest matches, else the data dir's cached
    ``<name>-<digest>.npy``, else computed (and cached)."""
    vectors = _load_vectors(shipped, digest, len(texts))
    cache = _cache_dir()
    cached = cache / f"{name}-{digest}.npy" if cache else None
    if vectors is None and cached is not None:
        vectors = _load_vectors(cached, digest, len(texts))
    if vectors is None:
        vectors = embed_bank(texts)
        if cached is not None:
            _save_vectors(cached, digest, vectors)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.clip(norms, 1e-12, None)).astype(np.float32)


def ship_vectors(texts: list[str], digest: str, shipped: Path) -> Path:
    """Write the vectors a package ships (float16) and their digest."""
    shipped.parent.mkdir(parents=True, exist_ok=True)
    np.save(shipped, embed_bank(texts).astype(np.float16))
    shipped.with_suffix(".sha").write_text(digest + "\n")
    return shipped


@lru_cache(maxsize=1)
def get_bank() -> Bank:
    with _lock:
        texts, cats, pos, digest = _read_bank()
        vectors = bank_vectors(texts, digest, SHIPPED, "exemplars")
        # Group rows by category (file order) and polarity, so per-segment maxima are one reduceat.
        order_cats = list(dict.fromkeys(cats))
        perm = sorted(range(len(texts)), key=lambda i: (order_cats.index(cats[i]), not pos[i], i))
        texts = [texts[i] for i in perm]
        cats = [cats[i] for i in perm]
        positive = np.asarray([pos[i] for i in perm], dtype=bool)
        vectors = vectors[perm]
        index: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        starts: list[int] = []
        segments: dict[str, tuple[int, int]] = {}
        for cat in order_cats:
            rows = np.asarray([i for i, c in enumerate(cats) if c == cat])
            prow, nrow = rows[positive[rows]], rows[~positive[rows]]
            index[cat] = (prow, nrow)
            ps = len(starts)
            starts.append(int(prow[0]))
            ns = -1
            if len(nrow):
                ns = len(starts)
                starts.append(int(nrow[0]))
            segments[cat] = (ps, ns)
        return Bank(texts, cats, positive, vectors, digest, index, np.asarray(starts), segments)


@lru_cache(maxsize=1)
def thresholds() -> dict[str, dict[str, float]]:
    data = load_yaml(THRESHOLDS_FILE.read_text(encoding="utf-8")) or {}
    default = data.get("default", {})
    return {cat: {**default, **(vals or {})} for cat, vals in data.get("categories", {}).items()} | {"*": default}


def threshold(category: str) -> dict[str, float]:
    t = thresholds()
    return t.get(category, t["*"])


def build_shipped() -> Path:
    """Recompute the shipped bank vectors (run after editing exemplars/)."""
    texts, _, _, digest = _read_bank()
    return ship_vectors(texts, digest, SHIPPED)


if __name__ == "__main__":  # pragma: no cover - maintenance command
    print(build_shipped())
