"""Which situation or dilemma of an IPT course (``knowledge/situations.yaml``) a question is about.

Situations are retrieved like techniques: by meaning (MiniLM embeddings of each situation's recognition
exemplars, nearest exemplar wins) and by words (BM25 over the situation's name and exemplars), fused,
with small priors for the phase and focal area the situation usually belongs to. A match below the
threshold is no match: the answer then leads with the phase and focal-area guidance instead.

The exemplar vectors are computed once per knowledge version and kept in the data dir
(``<data_dir>/situations/``), so a warm question costs one query embedding and a dot product.

Call :func:`match_situation` once per question (planning should store the result on the plan as
``plan.situation``); the composer and the LLM context fall back to calling it themselves.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .bm25 import BM25
from .catalog import Catalog

#: Fusion weights and threshold, tuned on evals/situations/dev.jsonl only (never on the test split).
W_DENSE = 1.0  # cosine of the nearest exemplar
W_SECOND = 0.35  # cosine of the second-nearest exemplar of the same situation
W_BM25 = 0.5  # BM25, normalised so the best document scores 1
PHASE_FIT = 0.04  # the situation lists the question's phase
PHASE_MISFIT = 0.08  # the situation lists phases, and not this one
FOCAL_FIT = 0.03
FOCAL_MISFIT = 0.06
THRESHOLD = 0.6  # fused score below this: no situation leads
#: No situation when the question is closer to the ordinary next-step questions (``general`` in
#: situations.yaml) than to the best situation's exemplars by more than this.
GENERAL_MARGIN = -0.15
#: When the question carries risk, the safety-first section leads and a situation follows only on a clear
#: match: risk wording ("saving pills") is unlike the exemplars and weak matches there are noise.
RISK_THRESHOLD = 0.9


@dataclass(frozen=True)
class SituationMatch:
    """The situation a question is about, with its fused score and the runner-up."""

    id: str
    name: str
    score: float
    runner_up: str | None = None
    margin: float = 0.0


class _Bank:
    """Exemplar vectors and a BM25 index for one catalog version."""

    def __init__(self, catalog: Catalog, vectors: np.ndarray, owners: np.ndarray) -> None:
        self.ids = list(catalog.situations)
        self.vectors = vectors
        self.owners = owners
        # Exemplars are stored situation by situation, then the general questions (owner == len(ids)).
        self.starts = np.searchsorted(owners, np.arange(len(self.ids) + 1))
        docs = []
        for sid in self.ids:
            s = catalog.situations[sid]
            docs.append(" ".join([s.name, s.name, *s.recognise, *s.stance]))
        docs.append(" ".join(catalog.general_questions))  # the last document: the general questions
        self.bm25 = BM25(docs)
        self.phases = [tuple(catalog.situations[i].phases) for i in self.ids]
        self.focal = [tuple(catalog.situations[i].focal_areas) for i in self.ids]
        # Each situation's exemplar rows as one row of a padded matrix (padding: index len(vectors), which
        # reads -inf), so a question's two nearest exemplars per situation come from one sort.
        n = len(self.ids)
        sizes = np.diff(self.starts[:n + 1]) if n else np.zeros(0, dtype=np.int64)
        width = max(2, int(sizes.max()) if n else 2)
        gather = np.full((n, width), len(vectors), dtype=np.int64)
        for i in range(n):
            gather[i, :sizes[i]] = np.arange(self.starts[i], self.starts[i + 1])
        self.gather, self.empty = gather, sizes == 0

    def top_two(self, sims: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per situation, the nearest exemplar's similarity (-1 when it has none) and the second
        nearest's, at least 0 (0 when it has one)."""
        padded = np.append(sims, np.float32(-np.inf))[self.gather]
        two = np.sort(padded, axis=1)[:, -2:]
        first = np.where(self.empty, -1.0, two[:, 1].astype(np.float64))
        second = np.maximum(two[:, 0].astype(np.float64), 0.0)
        return first, second


_banks: dict[tuple[str, str], _Bank] = {}
_lock = threading.Lock()


def exemplar_texts(catalog: Catalog) -> tuple[list[str], list[int]]:
    """Every recognition exemplar (and each situation's name), with the index of its situation; then the
    general questions, owned by the index one past the last situation."""
    texts: list[str] = []
    owners: list[int] = []
    for n, s in enumerate(catalog.situations.values()):
        for text in (s.name, *s.recognise):
            texts.append(text)
            owners.append(n)
    texts.extend(catalog.general_questions)
    owners.extend([len(catalog.situations)] * len(catalog.general_questions))
    return texts, owners


def _cache_path(catalog: Catalog, data_dir: Path) -> Path:
    from .embeddings import MAX_TOKENS, MODEL_ID

    return data_dir / "situations" / f"exemplars-{catalog.content_hash}-{MODEL_ID}-{MAX_TOKENS}.npy"


def _encoder() -> Any:
    from .embeddings import get_encoder

    return get_encoder()


def _data_dir(retriever: Any) -> Path:
    if retriever is not None and getattr(retriever, "data_dir", None) is not None:
        return Path(retriever.data_dir)
    from .config import default_data_dir

    return default_data_dir()


def bank(catalog: Catalog, data_dir: Path) -> _Bank:
    key = (catalog.content_hash, str(data_dir))
    got = _banks.get(key)
    if got is not None:
        return got
    with _lock:
        got = _banks.get(key)
        if got is not None:
            return got
        texts, owners = exemplar_texts(catalog)
        path = _cache_path(catalog, data_dir)
        vectors = None
        if path.is_file():
            try:
                loaded = np.load(path)
                if loaded.shape[0] == len(texts):
                    vectors = loaded.astype(np.float32)
            except (OSError, ValueError):
                vectors = None
        if vectors is None:
            vectors = _encoder().encode(texts).astype(np.float32)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npy")
                with os.fdopen(fd, "wb") as fh:
                    np.save(fh, vectors)
                os.replace(tmp, path)
            except OSError:
                pass  # a read-only data dir only costs the re-encoding next time
        got = _Bank(catalog, vectors, np.asarray(owners))
        _banks[key] = got
        return got


def _query_vector(text: str) -> np.ndarray:
    return _query_vector_cached(text)


@lru_cache(maxsize=256)
def _query_vector_cached(text: str) -> np.ndarray:
    return _encoder().encode([text])[0].astype(np.float32)


@dataclass(frozen=True)
class _Scores:
    ids: list[str]
    fused: np.ndarray  # per situation
    dense: np.ndarray  # per situation: W_DENSE * nearest + W_SECOND * second nearest
    general: float  # the fused score of the general questions (no priors)


#: "her late husband" is about a death, not about lateness.
_LATE_PERSON = re.compile(r"\blate\s+(?=(?:\w+\s+)?(?:husband|wife|partner|spouse|mother|father|mum|mom|dad|son|daughter|"
                          r"sister|brother|friend|grandmother|grandfather|parents?)\b)", re.I)


#: Clinicians' shorthand, spelled out so that exemplars written in full words still match.
_SHORTHAND = [(re.compile(p, re.I), r) for p, r in (
    (r"\bpts?\b", "patient"), (r"\bcl\b", "client"), (r"\bw/o\b", "without"), (r"\bw/", "with "),
    (r"\bb/c\b", "because"), (r"\bc/o\b", "complains of"), (r"\bd/c\b", "discontinue"),
    (r"\bf/u\b", "follow-up"), (r"\bSI\b", "suicidal thoughts"), (r"\bHI\b", "thoughts of harming others"),
    (r"\bwks?\b", "weeks"), (r"\bhx\b", "history"), (r"\btx\b", "treatment"), (r"\bsx\b", "symptoms"),
    (r"\brx\b", "prescription"), (r"\bmeds\b", "medication"), (r"\bappts?\b", "appointment"),
    (r"\badd'?l\b", "additional"), (r"\babt\b", "about"), (r"\bbf\b", "boyfriend"), (r"\bgf\b", "girlfriend"),
    (r"\bGP\b", "doctor"), (r"\bre:", "about"),
)]


def expand_shorthand(text: str) -> str:
    for pattern, repl in _SHORTHAND:
        text = pattern.sub(repl, text)
    return text


def query_text(question: str) -> str:
    """The question as the matcher reads it: shorthand spelled out, session numbers and boilerplate
    dropped, "late husband" read as "deceased husband"."""
    from .retrieval import clean_query

    return _LATE_PERSON.sub("deceased ", clean_query(expand_shorthand(question)))


def _scores(question: str, catalog: Catalog, phase: str | None, focal_area: str | None, data_dir: Path,
            query_vector: np.ndarray | None = None) -> _Scores:
    b = bank(catalog, data_dir)
    text = query_text(question)
    # Both sides read the cleaned question (session numbers and boilerplate dropped). A caller may pass
    # the embedding of the question as written instead (the signal layer's), which saves a forward pass
    # at a small cost in accuracy (dev split: 0.92 instead of 0.935 of situations leading).
    qv = query_vector if query_vector is not None else _query_vector(text)
    sims = b.vectors @ np.asarray(qv, dtype=np.float32)
    n = len(b.ids)
    first, second = b.top_two(sims)
    dense = W_DENSE * first + W_SECOND * second
    gen_part = sims[b.starts[n]:]
    if gen_part.size >= 2:
        two = np.partition(gen_part, gen_part.size - 2)[-2:]
        general = W_DENSE * float(two[1]) + W_SECOND * max(float(two[0]), 0.0)
    else:
        general = -1.0
    bm = b.bm25.scores(text).astype(np.float64)
    top = float(bm.max()) if bm.size else 0.0
    bm = bm / top if top > 0 else bm
    general += W_BM25 * float(bm[n]) if bm.size > n else 0.0
    fused = dense + W_BM25 * bm[:n]
    for i in range(n):
        if phase and b.phases[i]:
            fused[i] += PHASE_FIT if phase in b.phases[i] else -PHASE_MISFIT
        if focal_area and b.focal[i]:
            fused[i] += FOCAL_FIT if focal_area in b.focal[i] else -FOCAL_MISFIT
    return _Scores(b.ids, fused, dense, general)


def rank_situations(question: str, catalog: Catalog, *, phase: str | None = None, focal_area: str | None = None,
                    retriever: Any = None, data_dir: Path | None = None) -> list[tuple[str, float]]:
    """Every situation with its fused score, best first."""
    if not catalog.situations:
        return []
    sc = _scores(question, catalog, phase, focal_area, data_dir or _data_dir(retriever))
    order = np.argsort(-sc.fused, kind="stable")
    return [(sc.ids[int(i)], float(sc.fused[int(i)])) for i in order]


def decide(question: str, catalog: Catalog, *, phase: str | None = None, focal_area: str | None = None,
           data_dir: Path | None = None, query_vector: np.ndarray | None = None,
           exclude: frozenset[str] | tuple[str, ...] = ()) -> SituationMatch | None:
    """The best situation (not in ``exclude``) if it clears the threshold and beats the general
    questions, else ``None``."""
    if not catalog.situations:
        return None
    sc = _scores(question, catalog, phase, focal_area, data_dir or _data_dir(None), query_vector)
    order = [int(i) for i in np.argsort(-sc.fused, kind="stable") if sc.ids[int(i)] not in exclude]
    if not order:
        return None
    i = int(order[0])
    score = float(sc.fused[i])
    runner = sc.ids[int(order[1])] if len(order) > 1 else None
    margin = score - float(sc.fused[int(order[1])]) if len(order) > 1 else score
    if score < THRESHOLD or sc.general >= score + GENERAL_MARGIN:
        return None
    return SituationMatch(sc.ids[i], catalog.situations[sc.ids[i]].name, round(score, 4), runner, round(margin, 4))


@lru_cache(maxsize=512)
def _match(question: str, content_hash: str, data_dir: str, phase: str | None,
           focal_area: str | None, exclude: tuple[str, ...] = ()) -> SituationMatch | None:
    return decide(question, _catalogs[content_hash], phase=phase, focal_area=focal_area, data_dir=Path(data_dir),
                  exclude=exclude)


_catalogs: dict[str, Catalog] = {}


def match_situation(question: str, retriever: Any = None, catalog: Catalog | None = None,
                    phase: str | None = None, focal_area: str | None = None, *,
                    risk: bool = False, possible_risk: bool = False, strict: bool = False,
                    query_vector: np.ndarray | None = None) -> SituationMatch | None:
    """The situation ``question`` is about, or ``None`` when none matches well enough.

    ``phase`` and ``focal_area`` are the plan's (a ``PhaseInfo`` is accepted for ``phase``);
    ``retriever`` supplies the data dir for the cached exemplar vectors (else ``IPT_DATA_DIR``);
    ``risk``: the question carries stated risk (``plan.risk.is_risk``): the safety section leads, and a
    situation follows only on a clear match; ``possible_risk``: warning-sign language only. Situations
    about risk (``needs_risk``) are matched only when one of the two is set. ``strict``: the question
    asks for an out-of-frame method (``plan.request.out_of_frame``), whose redirect answers it; the bar
    rises as for risk;
    ``query_vector``: the question's MiniLM embedding when the caller already has it (planning's signal
    layer computes it), which saves the one forward pass this costs."""
    if catalog is None:
        catalog = retriever.catalog if retriever is not None else None
    if catalog is None:
        from .catalog import get_catalog

        catalog = get_catalog()
    phase_name = getattr(phase, "phase", phase)
    _catalogs[catalog.content_hash] = catalog
    exclude = () if (risk or possible_risk) else tuple(s.id for s in catalog.situations.values() if s.needs_risk)
    if query_vector is not None:
        got = decide(question, catalog, phase=phase_name, focal_area=focal_area, data_dir=_data_dir(retriever),
                     query_vector=query_vector, exclude=exclude)
    else:
        got = _match(question, catalog.content_hash, str(_data_dir(retriever)), phase_name, focal_area, exclude)
    if got is not None and (risk or strict) and got.score < RISK_THRESHOLD:
        return None
    return got


_MISSING = object()
def match_for_plan(plan: Any, catalog: Catalog, query_vector: np.ndarray | None = None) -> SituationMatch | None:
    """Match the situation for a plan from its question, phase, focal area, risk and frame screen.

    Planning should call this once and store the result as ``plan.situation`` (``None`` = no
    situation), optionally passing the signal layer's question vector as ``query_vector`` to save a
    forward pass."""
    risk = bool(getattr(plan.risk, "is_risk", False))
    # Any risk topic the signal layer found, whatever its assertion ("she denied SI again").
    possible = (getattr(plan.risk, "level", None) == "possible_risk" or bool(getattr(plan.risk, "present", None))
                or bool(getattr(plan.risk, "signals", None)))
    strict = bool(getattr(plan.request, "out_of_frame", None))
    return match_situation(plan.question, None, catalog, plan.phase, plan.focal_area, risk=risk,
                           possible_risk=possible, strict=strict, query_vector=query_vector)


def situation_for(plan: Any, catalog: Catalog) -> SituationMatch | None:
    """The plan's situation: ``plan.situation`` when planning stored one (``None`` there means "no
    situation"), else matched here with :func:`match_for_plan`."""
    got = getattr(plan, "situation", _MISSING)
    if got is _MISSING:
        return match_for_plan(plan, catalog)
    if got is None or isinstance(got, SituationMatch):
        return got
    sid = getattr(got, "id", got)
    if isinstance(sid, str) and sid in catalog.situations:
        return SituationMatch(sid, catalog.situations[sid].name, float(getattr(got, "score", 1.0)))
    return None
