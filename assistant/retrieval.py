"""Hybrid retrieval: BM25 + dense (chromadb/MiniLM), fused by reciprocal rank, with
phase and focal-area boosting for techniques."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from .bm25 import BM25, tokenize
from .catalog import Catalog
from .chunks import Chunk, build_chunks

SearchMode = Literal["hybrid", "bm25", "dense"]
RRF_K = 60
#: Weight of an entry's 2nd and 3rd best chunks relative to its best one.
SUPPORT_WEIGHT = 0.25
#: Priors added to the normalised relevance (best entry = 1.0). The focal area's and the phase's own
#: technique lists (knowledge/*.yaml) are ordered, core first, and weigh by position.
FOCAL_LISTED = 0.8
FOCAL_MISMATCH = -0.3
PHASE_LISTED = 0.25
PHASE_MATCH = 0.05
PHASE_MISMATCH = -0.2
NAMED = 0.6
_BOILERPLATE = re.compile(
    r"\b(?:what\s+(?:do|should|can|could|would)\s+i\s+(?:do|try|say)(?:\s+next)?|what\s+next|next\s+steps?|"
    r"how\s+(?:do|should|can)\s+i|any\s+(?:ideas|suggestions|advice)|help|please|thanks?)\b|"
    r"\b(?:session|sess|s)\.?\s*#?\s*\d{1,2}(?:\s*(?:of|/)\s*\d{1,2})?\b|\b\d{1,2}(?:st|nd|rd|th)\s+session\b|\d+",
    re.IGNORECASE,
)


def clean_query(text: str) -> str:
    """Drop session numbers and question boilerplate that only add noise to retrieval."""
    return re.sub(r"\s+", " ", _BOILERPLATE.sub(" ", text)).strip() or text


@dataclass
class Hit:
    """A retrieved knowledge entry (technique, phase, focal area or frame item)."""

    key: str
    kind: str
    doc_id: str
    title: str
    score: float
    chunks: list[Chunk] = field(default_factory=list)


def _rrf(rankings: list[list[int]], n: int) -> np.ndarray:
    fused = np.zeros(n, dtype=np.float64)
    for ranking in rankings:
        for rank, pos in enumerate(ranking):
            fused[pos] += 1.0 / (RRF_K + rank + 1)
    return fused


class Retriever:
    """Search the knowledge base. The dense index opens (and if needed builds) lazily."""

    def __init__(self, catalog: Catalog, data_dir: Path, chroma_url: str | None = None) -> None:
        self.catalog = catalog
        self.data_dir = data_dir
        self.chroma_url = chroma_url
        self.chunks = build_chunks(catalog)
        self.bm25 = BM25([c.text for c in self.chunks])
        self._index = None
        self._lock = threading.Lock()

    @property
    def index(self):  # type: ignore[no-untyped-def]
        if self._index is None:
            with self._lock:
                if self._index is None:
                    from .index import VectorIndex

                    self._index = VectorIndex.open(self.chunks, self.catalog.content_hash,
                                                   self.data_dir, self.chroma_url)
        return self._index

    def rebuild(self) -> float:
        """Force a rebuild of the dense index; returns seconds taken."""
        from .index import VectorIndex

        with self._lock:
            self._index = VectorIndex.open(self.chunks, self.catalog.content_hash, self.data_dir,
                                           self.chroma_url, force=True)
        return self._index.build_seconds

    def named_techniques(self, text: str) -> list[str]:
        """Technique ids a question names (name, synonym or shorthand) or clearly points at."""
        from .naming import match_techniques

        return list(match_techniques(text, self.catalog, question=True))

    # -- chunk level -------------------------------------------------------------------------
    def chunk_scores(self, query: str, mode: SearchMode = "hybrid", query_vector: np.ndarray | None = None) -> np.ndarray:
        """A fused relevance score per chunk (higher is better)."""
        n = len(self.chunks)
        rankings: list[list[int]] = []
        if mode in ("hybrid", "bm25"):
            bm = self.bm25.scores(query)
            order = [int(i) for i in np.argsort(-bm, kind="stable") if bm[i] > 0]
            rankings.append(order)
        if mode in ("hybrid", "dense"):
            vec = query_vector if query_vector is not None else self.index.embeddings.encoder.encode([query])[0]
            rankings.append([pos for pos, _ in self.index.search(vec, n=min(n, max(60, n // 2)))])
        return _rrf(rankings, n)

    # -- document level ----------------------------------------------------------------------
    def search(self, query: str, *, kinds: tuple[str, ...] | None = None, phase: str | None = None,
               focal_area: str | None = None, k: int = 8, mode: SearchMode = "hybrid",
               boost: bool = True, named: list[str] | None = None,
               query_vector: np.ndarray | None = None) -> list[Hit]:
        """Entries ranked for ``query``; techniques are boosted by phase and focal area, and by being
        named in the question (``named``, computed here when the caller has not already).
        ``query_vector``: the question's embedding when the caller already has it (the signal layer
        computes it), so the dense search costs no second forward pass."""
        scores = self.chunk_scores(clean_query(query), mode, query_vector)
        by_key: dict[str, Hit] = {}
        best: dict[str, list[float]] = {}
        for pos, chunk in enumerate(self.chunks):
            if kinds and chunk.kind not in kinds:
                continue
            key = chunk.key
            hit = by_key.get(key)
            if hit is None:
                hit = by_key[key] = Hit(key, chunk.kind, chunk.doc_id, chunk.title, 0.0)
                best[key] = []
            hit.chunks.append(chunk)
            best[key].append(float(scores[pos]))
        named_set = set(named if named is not None else self.named_techniques(query)) if boost else set()
        area = self.catalog.focal_areas.get(focal_area or "")
        focal_list = area.techniques if area else []
        phase_list = self.catalog.phases[phase].techniques if phase in self.catalog.phases else []
        raw = {key: sorted(v, reverse=True) for key, v in best.items()}
        top = max((s[0] + SUPPORT_WEIGHT * sum(s[1:3]) for s in raw.values()), default=0.0) or 1.0
        for key, hit in by_key.items():
            s = raw[key]
            hit.score = (s[0] + SUPPORT_WEIGHT * sum(s[1:3])) / top
            if hit.kind == "technique" and boost:
                t = self.catalog.techniques[hit.doc_id]
                if focal_area:
                    if hit.doc_id in focal_list:
                        hit.score += FOCAL_LISTED * (1 - focal_list.index(hit.doc_id) / len(focal_list))
                    elif focal_area not in t.focal_areas:
                        hit.score += FOCAL_MISMATCH
                if phase:
                    if hit.doc_id in phase_list:
                        hit.score += PHASE_LISTED * (1 - phase_list.index(hit.doc_id) / len(phase_list))
                    hit.score += PHASE_MATCH if phase in t.phases else PHASE_MISMATCH
                if hit.doc_id in named_set:
                    hit.score += NAMED
        ranked = sorted(by_key.values(), key=lambda h: (-h.score, h.key))
        return ranked[:k]

    def techniques(self, query: str, *, phase: str | None = None, focal_area: str | None = None,
                   k: int = 5, mode: SearchMode = "hybrid", boost: bool = True,
                   named: list[str] | None = None, query_vector: np.ndarray | None = None) -> list[Hit]:
        return self.search(query, kinds=("technique",), phase=phase, focal_area=focal_area, k=k,
                           mode=mode, boost=boost, named=named, query_vector=query_vector)

    def query_terms(self, query: str) -> list[str]:
        return tokenize(query)
