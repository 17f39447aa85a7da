"""Interpretation or invented fact? A linear probe over the draft sentences that content grounding
would flag.

A model's faithful note paraphrases and formulates: "her guilt about leaving early appears linked to her
withdrawal", "the dispute sits at the centre of non-reciprocal expectations". Such a sentence uses words
the bullets never wrote and may sit far in meaning from any one bullet clause, so content grounding alone
flags it (in the labelled drafts that were read while tuning, 83 faithful sentences against 114 planted
ones). A planted invention reads differently: a new event, day, person, substance, symptom or history,
stated as fact. The probe (logistic regression on the sentence's MiniLM vector, its hashed words and the
grounding measures) gives the probability that a flagged sentence states such a fact; below its
threshold the sentence stands as interpretation.

It only ever lifts a flag from content grounding: the typed entities (numbers, names, days, drugs, scores,
quotes), the change and severity words, the focal-area agreement and every risk check still apply to the
sentence. A sentence about risk reaches it only when it has no word that grades, softens, recasts or denies
the risk (``factcheck.risk_liftable``: "her self-harm urges cluster at times when she is alone" may be read,
"the search was curiosity rather than intent" never is). Trained by ``scripts/train_claim_probe.py`` on the
drafts of dev, fresh_read, fresh2_read and fresh4_read and on a writer's bank of supported and invented
sentences (``evals/factcheck/claims_train``); the threshold keeps at least CLAIM_RECALL of the planted
sentences flagged in cross-validation. The test split and the never-read halves are not used.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .claims import Support

PROBE_FILE = Path(__file__).parent / "data" / "claim_probe.npz"
#: The share of planted sentences (among those content grounding flags) the threshold must keep flagged,
#: in cross-validation on the training drafts.
CLAIM_RECALL = 0.98
#: Width of the hashed word block (words and word pairs of the sentence), and its weight.
WORD_DIM = 2048
WORD_SCALE = 1.0


def features(texts: list[str], supports: list["Support"]) -> np.ndarray:
    """The sentence vector, the grounding measures (similarity to the nearest bullet clause, how many
    words are ungrounded and what share of the content words they are) and the hashed words."""
    rows = []
    for text, s in zip(texts, supports):
        vec = s.vector if s.vector is not None else np.zeros(384, np.float32)
        n = len(s.ungrounded)
        scalars = np.array([s.similarity, min(n, 6) / 6.0, n / max(s.content, 1)], np.float32)
        rows.append(np.concatenate([vec.astype(np.float32), scalars, WORD_SCALE * _words(text)]))
    return np.stack(rows) if rows else np.zeros((0, 384 + 3 + WORD_DIM), np.float32)


def _words(text: str) -> np.ndarray:
    words = re.findall(r"[a-z']+", text.lower())
    idx = [zlib.crc32(b"w:" + w.encode()) for w in words]
    idx += [zlib.crc32(f"b:{a}_{b}".encode()) for a, b in zip(words, words[1:])]
    row = np.bincount(np.asarray(idx, dtype=np.int64) % WORD_DIM, minlength=WORD_DIM).astype(np.float32)
    norm = float(np.linalg.norm(row))
    return row / norm if norm else row


@dataclass(frozen=True)
class ClaimProbe:
    W: np.ndarray
    b: float
    threshold: float

    @classmethod
    def load(cls, path: Path) -> "ClaimProbe":
        with np.load(path, allow_pickle=False) as data:
            return cls(data["W"].astype(np.float32), float(data["b"]), float(data["threshold"]))

    def probability(self, texts: list[str], supports: list["Support"]) -> np.ndarray:
        """For each flagged sentence, the probability that it states a fact the bullets lack."""
        z = features(texts, supports) @ self.W + self.b
        return 1.0 / (1.0 + np.exp(-z))

    def invented(self, texts: list[str], supports: list["Support"]) -> list[bool]:
        return [bool(p >= self.threshold) for p in self.probability(texts, supports)]


@lru_cache(maxsize=1)
def get_claim_probe() -> ClaimProbe | None:
    if not PROBE_FILE.exists():
        return None
    return ClaimProbe.load(PROBE_FILE)
