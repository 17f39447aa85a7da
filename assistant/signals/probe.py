"""Linear probes over MiniLM sentence embeddings: one logistic regression per category, trained on
the exemplar bank and the dev split (scripts/train_signals.py). A probe turns a clause vector into a
probability that the clause speaks of the category; thresholds.yaml says when it fires."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

PROBE_FILE = Path(__file__).parent / "data" / "probe.npz"
#: The probe's gate for meaning-level risk: does the clause speak of any risk topic at all?
RISK_ANY = "risk_any"
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


def features(vectors: np.ndarray, bank: object, exclude_self: bool = False) -> np.ndarray:
    """The probe's input: the sentence vector, plus per category the similarity to the nearest
    positive and the nearest look-alike exemplar (the exemplar bank as kNN evidence)."""
    sims = vectors @ bank.vectors.T  # type: ignore[attr-defined]
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
    return np.concatenate([vectors, KNN_SCALE * knn], axis=1)


#: The kNN similarities vary over a narrower range than the probe needs; scaled up to the vector's.
KNN_SCALE = 2.0


@dataclass(frozen=True)
class Probe:
    categories: list[str]
    W: np.ndarray
    b: np.ndarray
    bank_digest: str

    def predict(self, vectors: np.ndarray) -> dict[str, np.ndarray]:
        from .semantic import get_bank

        bank = get_bank()
        if bank.digest != self.bank_digest:  # pragma: no cover - guarded by a test
            raise RuntimeError("the signal probe was trained on another exemplar bank: run scripts/train_signals.py")
        z = features(vectors, bank) @ self.W + self.b
        p = 1.0 / (1.0 + np.exp(-z))
        return {c: p[:, j] for j, c in enumerate(self.categories)}


@lru_cache(maxsize=1)
def get_probe() -> Probe | None:
    if not PROBE_FILE.exists():
        return None
    with np.load(PROBE_FILE, allow_pickle=False) as data:
        return Probe([str(c) for c in data["categories"]], data["W"].astype(np.float32), data["b"].astype(np.float32),
                     str(data["bank"]))
