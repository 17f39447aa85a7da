"""Okapi BM25 over a sparse term index (numpy postings, compressed-column layout).

Each vocabulary term owns a slice of ``doc_ids`` / ``weights`` (``indptr[t]:indptr[t+1]``) holding the
documents that contain it and their saturated term weight, ``tf * (k1 + 1) / (tf + k1 * (1 - b + b *
len / avgdl))``. A query adds ``idf[t] * weights`` into the score array for each of its terms, so the
cost follows the query terms' postings, not documents x vocabulary (a dense matrix would take about
1.9 GB at 50 times the knowledge base). The arrays save to one ``.npz`` and load without tokenising.
(scipy.sparse would do the same with a 100 ms import on every cold start; the arithmetic here is a
slice and an add per query term.)"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np

STOPWORDS = frozenset(
    """a an and are as at be been being but by can could did do does doing for from had has have
    having he her hers him his how i if in into is it its just me my myself no nor not of on or our
    ours she should so some such than that the their theirs them then there these they this those
    through to too up very was we were what when where which while who whom why will with would you
    your yours about again also am any because before being both each few more most other own same
    only out over under until s t don now next session sessions client clients patient patients
    therapist therapy ipt""".split()
)
_TOKEN = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A deliberately light suffix stripper (keeps 'role', 'grief', 'dispute' recognisable)."""
    if len(word) <= 4:
        return word
    for suffix, repl in (("ational", "ate"), ("ization", "ize"), ("iness", "y"), ("ies", "y"),
                         ("ing", ""), ("edly", ""), ("ed", ""), ("ly", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: len(word) - len(suffix)] + repl
            break
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]  # "played"->"play", "stopped"->"stop"
    return word.rstrip("e") if len(word) > 4 else word


def tokenize(text: str) -> list[str]:
    return [stem(w) for w in _TOKEN.findall(text.lower()) if w not in STOPWORDS]


class BM25:
    """Okapi BM25 over a fixed list of documents."""

    def __init__(self, documents: list[str] | None = None, k1: float = 1.4, b: float = 0.6) -> None:
        self.k1, self.b = k1, b
        documents = documents or []
        docs = [Counter(tokenize(d)) for d in documents]
        self.n_docs = len(docs)
        lengths = np.array([sum(c.values()) for c in docs], dtype=np.float32)
        self.avgdl = float(lengths.mean()) if len(docs) else 0.0
        df: Counter[str] = Counter()
        for c in docs:
            df.update(c.keys())
        terms = sorted(df)
        self.vocab = {term: i for i, term in enumerate(terms)}
        self.idf = np.array([math.log(1 + (self.n_docs - df[t] + 0.5) / (df[t] + 0.5)) for t in terms],
                            dtype=np.float32)
        # Postings: (term, doc, tf) triples sorted by term, then doc.
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[int] = []
        for row, c in enumerate(docs):
            for term, n in c.items():
                rows.append(row)
                cols.append(self.vocab[term])
                tfs.append(n)
        col_arr = np.asarray(cols, dtype=np.int64)
        row_arr = np.asarray(rows, dtype=np.int32)
        order = np.lexsort((row_arr, col_arr))
        self.doc_ids = row_arr[order]
        tf = np.asarray(tfs, dtype=np.float32)[order]
        self.indptr = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(np.bincount(col_arr, minlength=len(terms)), out=self.indptr[1:])
        norm = (self.k1 * (1 - self.b + self.b * lengths / max(self.avgdl, 1e-9))).astype(np.float32)
        self.weights = ((tf * np.float32(self.k1 + 1)) / (tf + norm[self.doc_ids])).astype(np.float32)

    def scores(self, query: str) -> np.ndarray:
        out = np.zeros(self.n_docs, dtype=np.float32)
        for t in set(tokenize(query)):
            col = self.vocab.get(t)
            if col is None:
                continue
            lo, hi = self.indptr[col], self.indptr[col + 1]
            out[self.doc_ids[lo:hi]] += self.weights[lo:hi] * self.idf[col]
        return out

    # -- persistence ----------------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write the index to ``path`` (``.npz``; written to a temp name, then renamed)."""
        path = Path(path)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        terms = np.array(sorted(self.vocab, key=self.vocab.__getitem__), dtype=str)
        params = np.array([self.k1, self.b, self.avgdl, self.n_docs], dtype=np.float64)
        try:
            with open(tmp, "wb") as fh:
                np.savez(fh, terms=terms, idf=self.idf, indptr=self.indptr, doc_ids=self.doc_ids,
                         weights=self.weights, params=params)
            os.replace(tmp, path)
        finally:
            if tmp.exists():
                tmp.unlink()

    @classmethod
    def load(cls, path: Path) -> "BM25":
        """Read an index written by :meth:`save`; ``ValueError`` if it is damaged or inconsistent."""
        try:
            with np.load(Path(path), allow_pickle=False) as z:
                terms, idf, indptr = z["terms"], z["idf"], z["indptr"]
                doc_ids, weights, params = z["doc_ids"], z["weights"], z["params"]
        except (OSError, EOFError, KeyError) as exc:
            raise ValueError(f"unreadable BM25 index ({type(exc).__name__})") from None
        n_docs = int(params[3])
        if not (len(idf) == len(terms) == len(indptr) - 1 and indptr[-1] == len(doc_ids) == len(weights)
                and (len(doc_ids) == 0 or (int(doc_ids.min()) >= 0 and int(doc_ids.max()) < n_docs))):
            raise ValueError("inconsistent BM25 index")
        self = cls.__new__(cls)
        self.k1, self.b, self.avgdl = float(params[0]), float(params[1]), float(params[2])
        self.n_docs = n_docs
        self.vocab = {str(t): i for i, t in enumerate(terms.tolist())}
        self.idf, self.indptr = idf.astype(np.float32), indptr.astype(np.int64)
        self.doc_ids, self.weights = doc_ids.astype(np.int32), weights.astype(np.float32)
        return self

    @classmethod
    def cached(cls, documents: list[str], path: Path | None, k1: float = 1.4, b: float = 0.6) -> "BM25":
        """Load from ``path`` (which the caller keys by the documents' content); build and save it when
        missing or damaged. A path that cannot be written only costs building again next time."""
        if path is not None:
            try:
                got = cls.load(path)
                if got.n_docs == len(documents) and (got.k1, got.b) == (k1, b):
                    return got
            except ValueError:
                pass
        built = cls(documents, k1, b)
        if path is not None:
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                built.save(path)
            except OSError:
                pass
        return built
