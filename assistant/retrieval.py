"""Hybrid retrieval: BM25 + dense (chromadb/MiniLM), fused by reciprocal rank, with
phase and focal-area boosting for techniques.

Per-query work is vectorised over chunks and entries: the chunk -> entry grouping, the
entries' kinds, the technique priors' masks and the key order are computed once per
catalog; a query costs the BM25 postings of its terms, one matrix-vector product, and a
few array operations, and builds :class:`Hit` objects only for the ``k`` it returns. The
BM25 index is saved in the data dir (``bm25/``, keyed by the chunks' text), so a process
start loads it instead of tokenising the corpus.
"""

from __future__ import annotations

import contextlib
import hashlib
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


def _rrf(rankings: list[np.ndarray], n: int) -> np.ndarray:
    fused = np.zeros(n, dtype=np.float64)
    for ranking in rankings:
        ranking = np.asarray(ranking, dtype=np.int64)
        fused[ranking] += 1.0 / (RRF_K + np.arange(len(ranking), dtype=np.int64) + 1)
    return fused


BM25_VERSION = "1"  # bump when tokenize() or the BM25 layout changes


def _bm25_path(data_dir: Path | None, chunks: list[Chunk]) -> Path | None:
    if data_dir is None:
        return None
    h = hashlib.sha256(f"bm25:{BM25_VERSION}".encode())
    for c in chunks:
        h.update(b"\0" + c.text.encode())
    return Path(data_dir) / "bm25" / f"bm25-{h.hexdigest()[:24]}.npz"


def _load_bm25(data_dir: Path | None, chunks: list[Chunk]) -> BM25:
    path = _bm25_path(data_dir, chunks)
    fresh = path is None or not path.is_file()
    bm = BM25.cached([c.text for c in chunks], path)
    if fresh and path is not None and path.is_file():  # a new version: drop the others
        with contextlib.suppress(OSError):
            for old in path.parent.glob("bm25-*.npz"):
                if old != path:
                    old.unlink()
    return bm


class _Entries:
    """The chunk -> entry grouping of one chunk list, as arrays (computed once per catalog)."""

    def __init__(self, chunks: list[Chunk]) -> None:
        keys: dict[str, int] = {}
        doc_of = np.empty(len(chunks), dtype=np.int64)
        self.members: list[list[Chunk]] = []
        self.meta: list[tuple[str, str, str, str]] = []  # key, kind, doc_id, title
        for pos, c in enumerate(chunks):
            d = keys.get(c.key)
            if d is None:
                d = keys[c.key] = len(self.meta)
                self.meta.append((c.key, c.kind, c.doc_id, c.title))
                self.members.append([])
            self.members[d].append(c)
            doc_of[pos] = d
        self.n = len(self.meta)
        self.index = keys
        self.doc_of = doc_of
        # chunks grouped by entry (stable), and each group's start
        self.grouped = np.argsort(doc_of, kind="stable")
        self.grouped_doc = doc_of[self.grouped]
        self.starts = np.searchsorted(self.grouped_doc, np.arange(self.n))
        kinds = np.array([m[1] for m in self.meta], dtype=object)
        self.kind_mask = {k: kinds == k for k in set(kinds.tolist())}
        by_key = sorted(range(self.n), key=lambda d: self.meta[d][0])
        self.key_rank = np.empty(self.n, dtype=np.int64)
        self.key_rank[by_key] = np.arange(self.n)
        self._cache: dict[tuple[str, str], np.ndarray] = {}

    def mask(self, kinds: tuple[str, ...] | None) -> np.ndarray:
        if not kinds:
            return np.ones(self.n, dtype=bool)
        out = np.zeros(self.n, dtype=bool)
        for k in kinds:
            if k in self.kind_mask:
                out |= self.kind_mask[k]
        return out

    def top3(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per entry: its best, second and third chunk score (0.0 where it has fewer chunks)."""
        s = scores[self.grouped]
        order = np.lexsort((-s, self.grouped_doc))
        ranked, docs = s[order], self.grouped_doc[order]
        rank = np.arange(len(order)) - self.starts[docs]
        out = []
        for r in range(3):
            sel = rank == r
            v = np.zeros(self.n, dtype=np.float64)
            v[docs[sel]] = ranked[sel]
            out.append(v)
        return out[0], out[1], out[2]

    def technique_mask(self, catalog: Catalog, what: str, value: str) -> np.ndarray:
        """Technique entries whose ``what`` ("focal_areas" or "phases") lists ``value``."""
        got = self._cache.get((what, value))
        if got is None:
            got = np.zeros(self.n, dtype=bool)
            for d, (_, kind, doc_id, _) in enumerate(self.meta):
                if kind == "technique" and doc_id in catalog.techniques:
                    got[d] = value in getattr(catalog.techniques[doc_id], what)
            self._cache[(what, value)] = got
        return got

    def positions(self, doc_ids: list[str], kind: str = "technique") -> np.ndarray:
        """Entry positions of ``doc_ids`` (of ``kind``), -1 for ids with no entry."""
        return np.array([self.index.get(f"{kind}:{i}", -1) for i in doc_ids], dtype=np.int64)

    def list_prior(self, ordered: list[str], weight: float, tech: np.ndarray) -> np.ndarray:
        """Per entry: ``weight * (1 - i / len(ordered))`` for a technique at position ``i`` (its first)
        of a catalog's ordered technique list (core first), else 0.0."""
        add = np.zeros(self.n, dtype=np.float64)
        seen: set[str] = set()
        for i, tid in enumerate(ordered):
            if tid in seen:
                continue
            seen.add(tid)
            d = self.index.get(f"technique:{tid}", -1)
            if d >= 0 and tech[d]:
                add[d] = weight * (1 - i / len(ordered))
        return add


class Retriever:
    """Search the knowledge base. The dense index opens (and if needed builds) lazily: from the vector
    cache alone when the local store is fresh (no chromadb import), else through chromadb."""

    def __init__(self, catalog: Catalog, data_dir: Path, chroma_url: str | None = None,
                 chunks: list[Chunk] | None = None) -> None:
        self.catalog = catalog
        self.data_dir = data_dir
        self.chroma_url = chroma_url
        self.chunks = chunks if chunks is not None else build_chunks(catalog)
        self.bm25 = _load_bm25(data_dir, self.chunks)
        self.entries = _Entries(self.chunks)
        self._index = None
        self._lock = threading.Lock()

    @property
    def index(self):  # type: ignore[no-untyped-def]
        if self._index is None:
            with self._lock:
                if self._index is None:
                    from .index import VectorIndex

                    index = None
                    if not self.chroma_url:
                        index = VectorIndex.cached(self.chunks, self.catalog.content_hash, self.data_dir)
                    self._index = index or VectorIndex.open(self.chunks, self.catalog.content_hash,
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
        rankings: list[np.ndarray] = []
        if mode in ("hybrid", "bm25"):
            bm = self.bm25.scores(query)
            order = np.argsort(-bm, kind="stable")
            rankings.append(order[bm[order] > 0])
        if mode in ("hybrid", "dense"):
            vec = query_vector if query_vector is not None else self.index.embeddings.encoder.encode([query])[0]
            rankings.append(self.index.rank(vec, n=min(n, max(60, n // 2))))
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
        e = self.entries
        allowed = e.mask(kinds)
        first, second, third = e.top3(scores)
        raw = first + SUPPORT_WEIGHT * (second + third)
        top = float(raw[allowed].max()) if allowed.any() else 0.0
        score = raw / (top or 1.0)
        if boost:
            cat = self.catalog
            tech = e.kind_mask.get("technique", np.zeros(e.n, dtype=bool)) & allowed
            if focal_area:
                area = cat.focal_areas.get(focal_area or "")
                focal_list = area.techniques if area else []
                listed = e.list_prior(focal_list, FOCAL_LISTED, tech)
                in_list = np.zeros(e.n, dtype=bool)
                pos = e.positions(focal_list)
                in_list[pos[pos >= 0]] = True
                mismatch = tech & ~in_list & ~e.technique_mask(cat, "focal_areas", focal_area)
                score = score + np.where(in_list & tech, listed, np.where(mismatch, FOCAL_MISMATCH, 0.0))
            if phase:
                phase_list = cat.phases[phase].techniques if phase in cat.phases else []
                score = score + e.list_prior(phase_list, PHASE_LISTED, tech)
                match = e.technique_mask(cat, "phases", phase)
                score = score + np.where(tech, np.where(match, PHASE_MATCH, PHASE_MISMATCH), 0.0)
            named_ids = named if named is not None else self.named_techniques(query)
            if named_ids:
                add = np.zeros(e.n, dtype=np.float64)
                pos = e.positions(list(dict.fromkeys(named_ids)))
                pos = pos[pos >= 0]
                add[pos[tech[pos]]] = NAMED
                score = score + add
        cand = np.flatnonzero(allowed)
        order = cand[np.lexsort((e.key_rank[cand], -score[cand]))][:k]
        hits = []
        for d in order:
            key, kind, doc_id, title = e.meta[d]
            hits.append(Hit(key, kind, doc_id, title, float(score[d]), list(e.members[d])))
        return hits
    def techniques(self, query: str, *, phase: str | None = None, focal_area: str | None = None,
                   k: int = 5, mode: SearchMode = "hybrid", boost: bool = True,
                   named: list[str] | None = None, query_vector: np.ndarray | None = None) -> list[Hit]:
        return self.search(query, kinds=("technique",), phase=phase, focal_area=focal_area, k=k,
                           mode=mode, boost=boost, named=named, query_vector=query_vector)

    def query_terms(self, query: str) -> list[str]:
        return tokenize(query)
