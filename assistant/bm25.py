"""A small Okapi BM25 index (numpy), sized for a knowledge base of a few hundred chunks."""

from __future__ import annotations

import math
import re
from collections import Counter

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

    def __init__(self, documents: list[str], k1: float = 1.4, b: float = 0.6) -> None:
        self.k1, self.b = k1, b
        docs = [Counter(tokenize(d)) for d in documents]
        self.n_docs = len(docs)
        lengths = np.array([sum(c.values()) for c in docs], dtype=np.float32)
        self.avgdl = float(lengths.mean()) if len(docs) else 0.0
        df: Counter[str] = Counter()
        for c in docs:
            df.update(c.keys())
        self.vocab = {term: i for i, term in enumerate(sorted(df))}
        self.idf = np.array(
            [math.log(1 + (self.n_docs - df[t] + 0.5) / (df[t] + 0.5)) for t in sorted(df)],
            dtype=np.float32,
        )
        # Dense term-frequency matrix (docs x vocab): small enough here, and fast to score.
        tf = np.zeros((self.n_docs, len(self.vocab)), dtype=np.float32)
        for row, c in enumerate(docs):
            for term, n in c.items():
                tf[row, self.vocab[term]] = n
        norm = self.k1 * (1 - self.b + self.b * lengths / max(self.avgdl, 1e-9))
        self._weights = (tf * (self.k1 + 1)) / (tf + norm[:, None])

    def scores(self, query: str) -> np.ndarray:
        cols = [self.vocab[t] for t in set(tokenize(query)) if t in self.vocab]
        if not cols:
            return np.zeros(self.n_docs, dtype=np.float32)
        return self._weights[:, cols] @ self.idf[cols]
