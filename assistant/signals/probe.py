"""Linear probes over MiniLM sentence embeddings and hashed character n-grams: one logistic
regression per category, trained on the exemplar bank and the dev split (scripts/train_signals.py).
A probe turns a clause (its vector and its letters) into a probability that the clause speaks of the
category; thresholds.yaml says when it fires.

The n-gram half is learned, not listed: the training data decides which letter sequences ("od'd",
"overdos", "stockpil") carry weight, and character n-grams tolerate typos and inflections the
sentence vector blurs. Measured on 5-fold out-of-fold dev predictions for the risk gate: AUC 0.905 with
the vector features alone, 0.942 with the n-grams added (recall at 5 % false alarms 0.59 -> 0.74)."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

PROBE_FILE = Path(__file__).parent / "data" / "probe.npz"
#: The probe's gate for meaning-level risk: does the clause speak of any risk topic at all?
RISK_ANY = "risk_any"
#: The probe's backstop: does the clause speak of the client's current risk (as the labels' authors
#: read it: negated, hypothetical, historical and someone else's risk are not current)?
RISK_CURRENT = "risk_current"
#: Does the clause ask for, propose or consider a method outside the IPT frame (any of them)? The
#: pooled head learns from every method's examples at once; the methods' own probes then say which.
FRAME_ANY = "frame_any"
#: The probe's heads that are not categories of their own.
HEADS = frozenset({RISK_ANY, RISK_CURRENT, FRAME_ANY})
#: Categories close enough that one's exemplars are not evidence against the other.
RELATED = {frozenset(p) for p in [
    ("suicidal_ideation", "suicide_plan"), ("suicidal_ideation", "warning_signs"), ("suicide_plan", "warning_signs"),
    ("suicidal_ideation", "self_harm"), ("suicide_plan", "self_harm"), ("harm_to_others", "ipv"),
    ("harm_to_others", "safeguarding"), ("ipv", "safeguarding"), ("mania", "ipsrt"), ("grief", "perinatal"),
    ("perinatal", "safeguarding"), ("intoxication", "severe_substance_dependence"), ("role_transition", "perinatal"),
    ("role_transition", "late_life"), ("role_dispute", "adolescent"), ("role_transition", "adolescent"),
    ("psychosis", "perinatal"), ("trauma_focused_needed", "ipv"), ("thought_records", "cognitive_restructuring"),
    ("cognitive_restructuring", "positive_thinking"), ("childhood_exploration", "schema_work"),
    ("childhood_exploration", "free_association"), ("childhood_exploration", "empty_chair"),
    ("exposure", "emdr"), ("interpersonal_deficits", "role_dispute"), ("grief", "role_transition"),
    ("anxiety_without_interpersonal_trigger", "exposure"), ("trauma_focused_needed", "emdr"),
    ("mindfulness_training", "positive_thinking"),
]}


#: Width of the hashed n-gram block, and its weight against the unit-length sentence vector.
NGRAM_DIM = 4096
NGRAM_SCALE = 2.0
_WORD = re.compile(r"[a-z0-9']+")
_SPACE = re.compile(r"\s+")


def ngrams(texts: list[str]) -> np.ndarray:
    """Character 3-5-grams of the lower-cased text plus its words and word pairs, hashed (crc32, so
    stable across runs) into NGRAM_DIM counts, each row scaled to unit length."""
    return np.stack([_ngram_row(t) for t in texts]) if texts else np.zeros((0, NGRAM_DIM), np.float32)


@lru_cache(maxsize=256)
def _ngram_row(text: str) -> np.ndarray:
    t = " " + _SPACE.sub(" ", text.lower()).strip() + " "
    words = _WORD.findall(t)
    enc = t.encode("utf-8", "replace")
    idx = [zlib.crc32(enc[k:k + n]) for n in (3, 4, 5) for k in range(len(enc) - n + 1)]
    idx += [zlib.crc32(b"w:" + w.encode()) for w in words]
    idx += [zlib.crc32(f"b:{a}_{b}".encode()) for a, b in zip(words, words[1:])]
    row = np.bincount(np.asarray(idx, dtype=np.int64) % NGRAM_DIM, minlength=NGRAM_DIM).astype(np.float32)
    norm = float(np.linalg.norm(row))
    row = row / norm if norm else row
    row.setflags(write=False)
    return row


def features(vectors: np.ndarray, bank: object, texts: list[str], exclude_self: bool = False) -> np.ndarray:
    """The probe's input: the sentence vector, per category the similarity to the nearest positive
    and the nearest look-alike exemplar (the exemplar bank as kNN evidence), and the text's hashed
    n-grams."""
    from .semantic import similarities

    sims = similarities(vectors, bank.vectors)  # type: ignore[attr-defined]
    if exclude_self:  # training on the exemplars themselves: an exemplar is not its own neighbour
        np.fill_diagonal(sims, -1.0)
    seg = bank.segment_max(sims)  # type: ignore[attr-defined]
    zeros = np.zeros(len(vectors), dtype=np.float32)
    cols = []
    for cat in bank.index:  # type: ignore[attr-defined]
        ps, ns = bank.segments[cat]  # type: ignore[attr-defined]
        cols.append(seg[:, ps])
        cols.append(seg[:, ns] if ns >= 0 else zeros)
    knn = np.stack(cols, axis=1).astype(np.float32)
    return np.concatenate([vectors, KNN_SCALE * knn, NGRAM_SCALE * ngrams(texts)], axis=1)


#: The kNN similarities vary over a narrower range than the probe needs; scaled up to the vector's.
KNN_SCALE = 2.0


@dataclass(frozen=True)
class Probe:
    categories: list[str]
    W: np.ndarray
    b: np.ndarray
    bank_digest: str

    @classmethod
    def load(cls, path: Path) -> "Probe":
        """A probe saved by scripts/train_signals.py (the shipped one, or a fold's)."""
        with np.load(path, allow_pickle=False) as data:
            return cls([str(c) for c in data["categories"]], data["W"].astype(np.float32),
                       data["b"].astype(np.float32), str(data["bank"]))

    def predict(self, vectors: np.ndarray, texts: list[str]) -> dict[str, np.ndarray]:
        """Per category, the probability for each clause (``vectors[i]`` is the vector of ``texts[i]``)."""
        from .semantic import get_bank

        bank = get_bank()
        if bank.digest != self.bank_digest:  # pragma: no cover - guarded by a test
            raise RuntimeError("the signal probe was trained on another exemplar bank: run scripts/train_signals.py")
        z = features(vectors, bank, texts) @ self.W + self.b
        p = 1.0 / (1.0 + np.exp(-z))
        return {c: p[:, j] for j, c in enumerate(self.categories)}


@lru_cache(maxsize=1)
def get_probe() -> Probe | None:
    if not PROBE_FILE.exists():
        return None
    return Probe.load(PROBE_FILE)
