"""The signal layer's pipeline: normalise -> clauses -> candidates (lexicon, meaning, ages) ->
assertion (ConText) -> typed :class:`Signals`.

Cost: one MiniLM forward pass over the text (shared with retrieval through ``vector``), a matrix
product against the exemplar bank, and, only when a risk candidate is within reach, isolated clause
embeddings; medspaCy ConText (loaded lazily) only when a risk / frame / fit candidate exists; then one
pass of the fine-tuned reader over each line (reader.py), which arbitrates the risk findings, unless the
caller reads without it (the notes and the checks on model output).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from ..yamlfile import load_yaml
from .ages import AGE_BASED, life_stages, settle
from .answers import answered_later
from .coref import a_clients_child, aimed_at_client, by_a_partner, client_gender, clients_own_violence
from .history import closed_histories
from .probe import FRAME_ANY, HEADS, RISK_ANY, RISK_CURRENT
from .semantic import threshold
from .names import named_others
from .types import (ASK_VERBS, FOCAL, OUT_OF_FRAME, RISK_KINDS, RISK_SCREEN, STABILISE_FIRST, TWO_PEOPLE, WARNING_SIGNS,
                    Signal, Signals, asks_whether, family_of)

LEXICON_FILE = Path(__file__).with_name("lexicon.yaml")
#: Families whose candidates are scoped by ConText.
ASSERTED = ("risk", "frame", "fit", "adaptation")
#: Semantic categories per family, as named in exemplars/.
SEMANTIC_RISK = RISK_KINDS + (WARNING_SIGNS,)
#: Kinds whose risk is the one who has it: a relative's suicidal thoughts, self-harm or mania are theirs. Violence
#: and neglect name two people, and the other one may be the client ("her husband hits her"); so may warning signs
#: in a text that speaks of violence ("Ex released from prison Monday, already messaged her 'see you soon x'").
SELF_DIRECTED = tuple(k for k in RISK_KINDS if k not in TWO_PEOPLE)
SEMANTIC_FIT = tuple(c for c in STABILISE_FIRST if c not in RISK_KINDS)
_ADAPT_ID = {"adolescent": "ipt_a"}
#: Clause-vector screening runs this far below a category's threshold; isolated embeddings confirm.
SCREEN_SLACK = 0.05

_ZERO_WIDTH = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_CONFUSABLES = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "ԁ": "d", "һ": "h", "ӏ": "l", "ο": "o", "α": "a", "ε": "e",
    "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "Ο": "O", "Α": "A", "Β": "B",
    "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ρ": "P", "Τ": "T", "Υ": "Y",
    "Χ": "X", "‘": "'", "’": "'", "‛": "'", "“": '"', "”": '"', "‐": "-", "‑": "-", "‒": "-",
    "−": "-", "ı": "i",
})
_CLAUSE_BREAK = re.compile(
    # (not between a death's shorthand and its cause in brackets: "brother Tom d. (overdose) 1yr"; "Mum d. Pt cutting
    # again" is two sentences)
    r"(?<=[.!?])(?!(?<=\bd\.)\s*\()\s+(?=\S)"
    r"|\n+|;\s*|^\s*[-–•*]\s+"
    r"|,?(?<!\bnot)(?<!\bn't)\s+(?=(?:but|however|although|though|whereas|yet|except\s+that)\b)"
    # (not a remission that dates what came before: "had a manic episode at uni but has been well for eight years")
    r"(?!but\s+(?:(?:she|he|they|pt|client)\s+)?(?:has|have|had|'s|is|was)?\s*(?:now\s+|otherwise\s+)?(?:been\s+)?"
    r"(?:well|stable|settled|symptom[- ]free|in\s+remission|euthymic)\s+(?:for|since|ever\s+since)\b)"
    # a finding list's next item is its own clause: "passive SI, denies plan or intent"
    r"|,\s+(?=den(?:ies|ied|ying)\b)"
    # and so is what follows a turn in time: "not screened for mania at intake - today hasn't slept since Thurs"
    r"|\s[-–—]\s+(?=then\b)|(?:,|\s[-–—])\s+(?=(?:today|tonight|later\s+(?:in|on)|by\s+(?:midway|mid-?session|the\s+end|then)|"
    r"this\s+(?:week|wk|session|sess|morning|evening|time)|at\s+the\s+end|towards\s+the\s+end)\b)",
    re.IGNORECASE,
)


#: A clause that is nothing but scale scores ("PHQ9 16", "PHQ-9 17 (was 19 s1), GAD-7 9"): a total, which speaks of
#: no risk by meaning (the probes read "PHQ9 16" near "endorsed item 9 on the PHQ-9"). An item's score ("item 9 = 1",
#: "q10: 2") is not a bare total and stays with the lexicon, which reads every explicit form.
_SCORE_ONLY = re.compile(
    r"[\s\-–•*]*(?:(?:PHQ|GAD|EPDS|CORE|BDI|BAI|HADS|WSAS|K|AUDIT|PCL|MADRS|QIDS|HAM-?[AD])[-\s]?\d{0,2}"
    r"(?:\s*(?:total|score|tot)\b)?\s*[:=]?\s*\d{1,2}(?:\s*/\s*\d{1,2})?"
    r"(?:\s*\((?:was|from|intake|baseline|s\d+|at|prev\w*|last)[^)]{0,30}\))?[\s,;.]*)+",
    re.IGNORECASE,
)
_NEG_CUE = re.compile(r"\b(?:no|not|never|none|without|denies|denied|n't)\b|n't\b", re.IGNORECASE)
_PART_BREAK = re.compile(r",\s+|\s+and\s+|\s+but\s+|\s+since\s+|\s+after\s+", re.IGNORECASE)
_MIN_PART_WORDS = 3


def _parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A clause's parts between "and" / commas, when there are several of at least three words."""
    pieces: list[tuple[int, int]] = []
    pos = start
    for m in _PART_BREAK.finditer(text, start, end):
        pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, end))
    pieces = [(a, b) for a, b in pieces if len(text[a:b].split()) >= _MIN_PART_WORDS]
    return pieces if len(pieces) > 1 else []


def normalise_text(text: str) -> str:
    """NFKC, zero-width characters removed, look-alike letters mapped to Latin, quotes and dashes plain."""
    return unicodedata.normalize("NFKC", _ZERO_WIDTH.sub("", text)).translate(_CONFUSABLES)


def clauses(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _CLAUSE_BREAK.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = max(pos, m.end())
    spans.append((pos, len(text)))
    out = []
    for s, e in spans:
        chunk = text[s:e]
        if not chunk.strip():
            continue
        s += len(chunk) - len(chunk.lstrip())
        e -= len(chunk) - len(chunk.rstrip())
        out.append((s, e))
    return out


@dataclass(frozen=True)
class _Entry:
    category: str
    pattern: re.Pattern[str]
    weak: bool
    source: str
    #: Counts only when the text speaks of a death (a wish to be with someone again is a wish to be
    #: reunited with the dead only when someone has died).
    needs_death: bool = False
    #: A weak entry's own share of the firing threshold the clause's meaning must reach (default: the category's
    #: ``support``); 1.0 for a word that is figurative more often than not ("overdosed on box sets").
    support: float | None = None
    #: A screen item's documented answer ("PHQ-9 item 9 scored 2"): "not discussed, ran out of time" after it says
    #: the follow-up was not done, not that the risk was not asked about.
    result: bool = False
    #: Does not count when the text speaks of a death and the term is addressed to the dead, or to no one named
    #: (a goodbye letter to the person who died is grief work; "goodbye letters to her kids" is not).
    unless_death: bool = False
    #: Read as possible risk in a note: fear of a partner with no act named ("walks on eggshells around him"). (In
    #: a question it is partner violence stated, as LABELS.md defines it; the notes' labels call it possible.)
    possible: bool = False
    #: A second category the same words are (a parent's thoughts of harming their baby: harm to others and safeguarding).
    also: str | None = None



#: Where a lexicon word ends: not inside a word, nor before a slash ("and/or"), except a slash before the next item of a
#: list of screens ("no plan/intent/hx", "plan/intent/means").
_WORD_END = r"(?!\w)(?!/(?!(?:hx|h/o|SI|SH|HI|means|plans?|intent|prep\w*|access|method)\b))"


@lru_cache(maxsize=1)
def lexicon() -> tuple[_Entry, ...]:
    data = load_yaml(LEXICON_FILE.read_text(encoding="utf-8"))
    out = []
    for cat, entries in data.items():
        for e in entries:
            flags = 0 if e.get("case") else re.IGNORECASE
            # An abbreviation stands on its own between slashes ("SI/thoughts of harming baby", "w/SI",
            # "Denies SI/plan/intent"); a word does not ("and/or"), unless the next item of a screen's list follows
            # ("no plan/intent/hx").
            edge = (r"(?<![\w-])", r"(?!\w)") if e.get("case") else (r"(?<![\w-])(?<!(?-i:[a-z])/)", _WORD_END)
            out.append(_Entry(cat, re.compile(rf"{edge[0]}(?:{e['pattern']}){edge[1]}", flags), bool(e.get("weak")),
                              e["pattern"], bool(e.get("needs_death")), e.get("support"), bool(e.get("result")),
                              bool(e.get("unless_death")), bool(e.get("possible")), e.get("also")))
    return tuple(out)


@dataclass(frozen=True)
class _Cue:
    category: str
    word: str  # lower case
    first: str  # its first word: no match without it in the text
    source: str


@lru_cache(maxsize=4)
def _catalog_cues(catalog_hash: str, cues: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[_Cue, ...]:
    """The knowledge base's own cue words (``cues:`` of adaptations and focal areas)."""
    return tuple(_Cue(aid, w.lower(), w.lower().split()[0], f"cue:{w}") for aid, words in cues for w in words
                 if w.split())


@lru_cache(maxsize=1)
def _speech_cues() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Ordinary-speech cue words for the focal areas (``focal_cues.yaml``) and shorthand for the adaptations
    (``adaptation_cues.yaml``), beside the knowledge base's."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for name in ("focal_cues.yaml", "adaptation_cues.yaml"):
        data = load_yaml((Path(__file__).with_name(name)).read_text(encoding="utf-8")) or {}
        out += [(area, tuple(str(w) for w in words)) for area, words in data.items()]
    return tuple(out)


@lru_cache(maxsize=2048)
def _cue_pattern(word: str) -> re.Pattern[str]:
    """A cue as a pattern: five or more letters match as a word prefix ("retire" -> "retirement"), shorter
    ones as words. Compiled on first need: a text tries only the cues whose first word it contains."""
    # Words joined by a space or a hyphen ("falling-out"), "with" in its shorthand ("rows w mum"), and a short first
    # word in its plural ("rows with").
    words = word.split()
    parts = [r"(?:with|w/|w)(?![a-z])" if x.lower() == "with" else re.escape(x) for x in words]
    if len(words) > 1 and len(words[0]) < 5 and words[0].isalpha():
        parts[0] += "s?"
    body = r"[\s-]+".join(parts)
    tail = "" if len(word) >= 5 else r"\b"
    return re.compile(rf"(?<![a-z]){body}{tail}", re.IGNORECASE)


def cue_matches(norm: str, spans: list[tuple[int, int]], cues: tuple[_Cue, ...]) -> list[tuple[int, _Cue, int, int]]:
    """(clause, cue, start, end) for every cue match inside each clause span, in cue order."""
    lowered = norm.lower()
    out = []
    for cue in cues:
        if cue.first not in lowered:
            continue
        pattern = _cue_pattern(cue.word)
        for ci, (cs, ce) in enumerate(spans):
            out.extend((ci, cue, cs + m.start(), cs + m.end()) for m in pattern.finditer(norm[cs:ce]))
    return out


#: The score a focal area's own cue word gives it (below what meaning gives a clear case). It clears every area's
#: threshold: at 0.6 it sat just under the dispute threshold (0.61), so "the low mood is mostly about fights with
#: her boyfriend" gave no area at all while a transition cue alone gave one. 0.62 chosen on dev and the read sets
#: (focal accuracy dev 0.836 -> 0.844, fresh_read 0.727 -> 0.750, candidates 0.790 -> 0.810; train 0.785 both,
#: with wrong areas 0.090 -> 0.094).
FOCAL_CUE = 0.62


@dataclass
class _Candidate:
    clause: int
    category: str
    start: int | None  # absolute char span in the normalised text; None: the clause fired by meaning
    end: int | None
    evidence: str
    score: float
    source: str
    level: str | None = None
    #: From a lexicon entry that reads a screen item's documented answer (``_Entry.result``).
    result: bool = False
    #: Read by meaning in a clause the risk gate closed: kept only as a topic the clinician asks whether to ask
    #: about (scoped not assessed by an asking cue), never as risk.
    asked_only: bool = False
    #: From a weak lexicon entry (a word that counts only with the probes' support).
    weak: bool = False


#: Every meaning-level risk finding passes the risk gate: the kind probes alone confuse ordinary low
#: mood, grief and disputes ("fighting with her husband") with risk. Explicit forms come from the lexicon.
GATED = frozenset(SEMANTIC_RISK)
#: With the gate open but no kind's probe firing, the most likely kind is taken if at least this likely.
FALLBACK_KIND = 0.4
#: The same for the pooled out-of-frame head and the methods' probes (dev, cross-validated: 0.15 -> out-of-frame recall 0.826, precision 0.726; 0.3 -> 0.796,
#: 0.769; 0.4 -> 0.772, 0.768; no pooled head: 0.766, 0.766).
FRAME_FALLBACK = 0.3


#: A focal area below its threshold but this close to it may still be named as the secondary area.
SECONDARY_FLOOR = 0.8


#: A screen's result written beside it: a score, a yes or no, a plus or minus.
_RESULT = re.compile(r"\d|\b(?:yes|no|pos(?:itive)?|neg(?:ative)?|endorse[sd]?|nil|none)\b|[+]|-ve\b", re.I)


@lru_cache(maxsize=1)
def figurative_patterns() -> tuple[str, ...]:
    """The regular expressions of ``figurative.yaml`` (the notes mask them too)."""
    data = load_yaml((Path(__file__).parent / "figurative.yaml").read_text(encoding="utf-8")) or {}
    return tuple(data.get("idioms") or ())


@lru_cache(maxsize=1)
def _figurative() -> re.Pattern[str] | None:
    forms = figurative_patterns()
    return re.compile(r"\b(?:" + "|".join(forms) + r")\b", re.I) if forms else None


def figurative_spans(text: str) -> list[tuple[int, int]]:
    """The spans of the fixed idioms in ``figurative.yaml`` that only look like risk."""
    pattern = _figurative()
    return [m.span() for m in pattern.finditer(text)] if pattern else []


def _outside(text: str, start: int, end: int, cut: list[tuple[int, int]]) -> list[str]:
    """The pieces of ``text[start:end]`` outside the spans ``cut`` that start in it."""
    pieces, pos = [], start
    for a, b in sorted(cut):
        if start <= a < end:
            pieces.append(text[pos:a])
            pos = min(max(pos, b), end)  # a span inside an earlier one leaves nothing more
    return pieces + [text[pos:end]]


def _floor(category: str) -> float:
    """The lowest probability at which a category fires at all (``possible`` for risk kinds; for focal
    areas the secondary-area floor, the primary area needs the full threshold, see screens)."""
    t = threshold(category)
    if category in SEMANTIC_RISK:
        return min(t["fire"], t.get("possible", t["fire"]))
    if category in FOCAL:
        return t["fire"] * SECONDARY_FLOOR
    return t["fire"]


def _likeliest(categories: Iterable[str], probs: dict[str, np.ndarray], ci: int) -> tuple[str, float]:
    """The most likely of ``categories`` for clause ``ci``, with its probability (-1 if not probed)."""
    def p(c: str) -> float:
        return float(probs[c][ci]) if c in probs else -1.0

    cat = max(categories, key=p)
    return cat, p(cat)


def _likeliest_in(categories: Iterable[str], probs: dict[str, np.ndarray], spans: list[tuple[int, int]],
                  start: int, end: int) -> str:
    """The most likely of ``categories`` over the clauses that overlap ``start``-``end``."""
    inside = [ci for ci, (cs, ce) in enumerate(spans) if cs < end and ce > start] or [0]
    return max((_likeliest(categories, probs, ci) for ci in inside), key=lambda x: x[1])[0]


def _gated(probs: dict[str, np.ndarray], k: int, category: str, near: bool = True) -> bool:
    """Whether row ``k`` reads as ``category``: its floor, and for meaning-level risk the risk gate, or (``near``) a
    gate that is merely close when the kind is read with near certainty (as the main pass reads a clause)."""
    if category not in probs or float(probs[category][k]) < _floor(category):
        return False
    if category not in GATED or RISK_ANY not in probs:
        return True
    gate = float(probs[RISK_ANY][k])
    return gate >= threshold(RISK_ANY)["fire"] or (near and gate >= GATE_NEAR and float(probs[category][k]) >= KIND_SURE)


#: A date or a time past in a clause ("in March", "last year", "2019", "after the funeral"): what dilutes the present of
#: the clause's other part. As a backstop for any clause, the part reading raised test false alarms 0.057 -> 0.060.
_DATED = re.compile(r"\b(?:in|since|from|last|back\s+in|early|late)\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)"
                    r"[a-z]*\b|\b(?:19|20)\d\d\b|\blast\s+(?:year|yr|month|spring|summer|autumn|fall|winter|christmas|xmas)\b|"
                    r"\b\d+\s*(?:years?|yrs?|months?|mo)\s+ago\b|\b(?:after|since)\s+the\s+\w+", re.I)
#: A relative clause's subject is the noun before it ("her stepson, | who's been cutting"): read alone, it cannot say whose.
_RELATIVE_OPENS = re.compile(r"\W*(?:who|who's|whom|whose|which|that)\b", re.I)


def _risk_in_parts(clauses: list[int], parts: list[tuple[int, int, int]], part_probs: dict[str, np.ndarray],
                   norm: str, encoder: object, probe: object) -> list[_Candidate]:
    """Risk read in one part of a clause whose whole did not read as risk, where the clause dates an event and the part
    says now: "lost his job in March and is now saying he wants to end it" (the event's half dilutes the clause's
    meaning below the gate). A part that reads so in its context is read again alone (its context may be what reads as
    risk: "Hypothetically, if my client told me she's planning suicide | but made me promise not to tell anyone"), must
    read there as the client's current risk (the backstop's head: a fragment such as "or does that send the wrong
    message?" reads as a warning sign), and must be stated there, by ConText on the part's own words ("She's had no
    ideation | since ..." is denied). The candidate is scoped as the clause's meaning is, and names the part in its
    evidence (the reader reads the part alone)."""
    from .assertion import assert_targets

    todo = [(k, a, b) for k, (ci, a, b) in enumerate(parts) if ci in clauses and not _RELATIVE_OPENS.match(norm, a)
            and _NOW_AFTER.search(norm, a, b) and any(_gated(part_probs, k, cat) for cat in SEMANTIC_RISK)]
    if not todo:
        return []
    texts = [norm[a:b] for _, a, b in todo]
    alone = probe.predict(encoder.encode(texts), texts)  # type: ignore[attr-defined]
    out = []
    for j, (k, a, b) in enumerate(todo):
        cats = [cat for cat in SEMANTIC_RISK if _gated(alone, j, cat)] if _current(alone, j) else []
        if not cats or any(sc.assertion != "present" for sc in assert_targets(texts[j], [(None, None, c) for c in cats])):
            continue
        for cat in cats:
            p = float(alone[cat][j])
            out.append(_Candidate(parts[k][0], cat, None, None, f"part:{texts[j]}", round(p, 3), "semantic",
                                  _risk_level(cat, p, threshold(cat)) or "possible_risk"))
    return out


def _current(probs: dict[str, np.ndarray], ci: int) -> bool:
    """Whether the current-risk backstop speaks for clause ``ci``."""
    return RISK_CURRENT in probs and float(probs[RISK_CURRENT][ci]) >= threshold(RISK_CURRENT)["fire"]


def _risk_level(category: str, score: float, t: dict[str, float]) -> str | None:
    if category == WARNING_SIGNS:
        return "possible_risk" if score >= t["possible"] else None
    if score >= t["fire"]:
        return "risk"
    if score >= t["possible"]:
        return "possible_risk"
    return None


_NO_SCREEN = re.compile(r"\b(?:no|not|without|nil|never)\s+(?:(?:a|an|the|any|formal|full|individual|proper|"
                        r"specific|structured|detailed|further)\s+){0,2}$", re.I)


#: The gate's near miss, and how sure one kind's probe must be to pass it. Chosen on dev (0.5 and 0.85: risk
#: recall 0.961 -> 0.963, false alarms unchanged; 0.45 and 0.9: 0.964 and one more false alarm).
GATE_NEAR = 0.5
KIND_SURE = 0.85


_SCREEN_RUN = re.compile(r"(?<![\w/-])(?:SI|HI|SH|DSH|NSSI|SIB|HTS|HTO)(?:/(?:SI|HI|SH|DSH|NSSI|SIB|HTS|HTO))+(?![\w/])")
_SCREEN_KIND = {"SI": "suicidal_ideation", "HI": "harm_to_others", "SH": "self_harm", "DSH": "self_harm",
                "NSSI": "self_harm", "SIB": "self_harm", "HTS": "self_harm", "HTO": "harm_to_others"}
_SCREEN_ACT = re.compile(r"screen|assess|\bax\b|check|question|\bq'?s\b|review|section|formulation|ssrs|columbia", re.I)
#: What follows a screen's name when every item it lists is answered no ("C-SSRS: ideation no, behaviour no",
#: "Columbia - wish to be dead: n, intent: n"): the screen's negative result. One item answered otherwise, or
#: anything else after the answers, and the screen says nothing of its own.
_ITEM_NO = r"(?:no|n|neg|negative|nil|none|denied|0)"
_NOT_AN_ITEM = r"(?!(?:yes|y|pos|positive|but|not|unable|declined|refused|didn't|did|wasn't|couldn't|ran)\b)"
_ITEMS_ALL_NO = re.compile(rf"\s*[:=\-–]?\s*(?:{_NOT_AN_ITEM}[a-z][\w/'-]*(?:\s+{_NOT_AN_ITEM}[a-z0-9][\w/'-]*){{0,3}}"
                           rf"\s*[:=\-–]?\s*\b{_ITEM_NO}\b\s*(?:[,;/.]|\band\b|$)\s*)+", re.I)
#: A risk screen's overall result given as the clinician's grade straight after it ("Risk: low", "RA completed - low",
#: "risk ax done: low", "risk r/v: remains low"): the screen was done and found nothing to act on, its negative result,
#: shown in the clinician's own words. Not a grade with more after it ("risk: low but rising", "low-moderate").
_SCREEN_LOW = re.compile(r"\s*(?:(?:completed|complete|done|updated|reviewed|r/v|undertaken|carried\s+out|repeated)\b\s*)?"
                         r"(?:[:=\-–—]\s*|\s)\s*(?:(?:remains|remained|is|was|still|overall|assessed\s+as|rated)\s+)?"
                         r"(?:low|minimal)(?:\s+risk)?\s*(?:[.;]|,\s*(?:no|nil|denies|denied|neg)\b|$)", re.I)


def _line_end(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end < 0 else end


def analyse(text: str, *, catalog: object | None = None, vector_out: list[np.ndarray] | None = None,
            reader: bool = True, idioms: re.Pattern[str] | None = None) -> Signals:
    """Find every signal in ``text``. With ``vector_out`` (a list), the text's sentence vector is
    appended to it so retrieval can reuse the one forward pass. ``reader=False``: the rules and probes
    alone, without the fine-tuned reader's arbitration (see reader.py: the notes read bullets so).
    ``idioms``: more everyday phrases that only look like risk, read as ``figurative.yaml``'s are (the
    notes' list: "killing time", "SI joint", "said hi")."""
    from ..embeddings import get_encoder
    from .probe import get_probe
    from .semantic import get_bank

    norm = normalise_text(text)
    if reader:
        from .reader import prefetch

        prefetch(norm)  # the reader's pass overlaps the encoder's and the rules' work below
    spans = clauses(norm) or [(0, len(norm))]
    encoder = get_encoder()
    # Parts of a clause joined by "and" or a comma ("lost her job and fights with her husband"): the
    # focal areas are also read per part, from the same forward pass, so a second area is not drowned.
    parts = [(ci, a, b) for ci, (cs, ce) in enumerate(spans) for a, b in _parts(norm, cs, ce)]
    whole, all_vectors = encoder.encode_spans(norm, spans + [(a, b) for _, a, b in parts])
    ctx_vectors = all_vectors[:len(spans)]
    part_vectors = all_vectors[len(spans):]
    if vector_out is not None:
        vector_out.append(whole)
    if len(spans) == 1:
        ctx_vectors = whole[None, :]
    bank = get_bank()
    probe = get_probe()
    if probe is None:  # pragma: no cover - the probe ships with the package
        raise RuntimeError("signal probe missing: run scripts/train_signals.py")
    # The clauses and the parts in one call: the probe's exemplar similarities read the whole bank from
    # memory once per call, whatever the number of rows.
    ctx_texts = [norm[a:b] for a, b in spans] if len(spans) > 1 else [norm]
    both = probe.predict(np.concatenate([ctx_vectors, part_vectors]) if parts else ctx_vectors,
                         ctx_texts + [norm[a:b] for _, a, b in parts])
    probs = {cat: p[:len(spans)].copy() for cat, p in both.items()}
    part_probs = {cat: p[len(spans):] for cat, p in both.items()}

    # Clauses worth an isolated embedding: a risk category or the risk gate within reach of its threshold.
    # Frame and fit categories read the clause in context: isolating them cost a second forward pass on
    # most questions for no gain (dev out-of-frame F1 0.848 with, 0.852 without).
    screened = [cat for cat in SEMANTIC_RISK + (RISK_ANY, RISK_CURRENT) if cat in probs]
    need: list[int] = []  # the clauses read on their own below
    if len(spans) > 1:
        need = sorted({i for cat in screened for i in range(len(spans))
                       if probs[cat][i] >= _floor(cat) - SCREEN_SLACK})
        if need:
            texts = [norm[spans[i][0]:spans[i][1]] for i in need]
            iso = probe.predict(encoder.encode(texts), texts)
            for cat in screened:
                for j, i in enumerate(need):
                    probs[cat][i] = iso[cat][j]

    def asked_probs(ci: int, clause: str) -> dict[str, float]:
        """The risk kinds of a clause read on its own (already so when it is the only clause or was isolated above)."""
        if len(spans) == 1 or ci in need:
            return {cat: float(probs[cat][ci]) for cat in screened}
        return {cat: float(p[0]) for cat, p in probe.predict(encoder.encode([clause]), [clause]).items()}

    cands: list[_Candidate] = []
    if parts:
        for k, (ci, a, b) in enumerate(parts):
            for cat in FOCAL:
                p = float(part_probs[cat][k]) if cat in part_probs else 0.0
                if p >= _floor(cat) and p > float(probs[cat][ci]):
                    cands.append(_Candidate(ci, cat, None, None, f"part:{norm[a:b]}", round(p, 3), "semantic"))
    deaths: list[tuple[int, int]] | None = None  # the clauses that speak of a death: found on first need
    part_risk: list[int] = []  # dated clauses with parts and no risk read by meaning: their parts are read below
    for ci, (cs, ce) in enumerate(spans):
        clause = norm[cs:ce]
        # Screens joined by slashes ("SI/HI/SH: none"): each screen is a finding with the whole run as its
        # span, so the run is scoped as one list ("none" after it denies every screen in it).
        runs = []
        for m in _SCREEN_RUN.finditer(clause):
            runs.append(m.span())
            for cat in dict.fromkeys(_SCREEN_KIND[x] for x in m.group(0).split("/")):
                cands.append(_Candidate(ci, cat, cs + m.start(), cs + m.end(), f"lexicon:{m.group(0)}", 1.0,
                                        "lexicon", "risk"))
        for entry in lexicon():
            for m in entry.pattern.finditer(clause):
                if any(a <= m.start() and m.end() <= b for a, b in runs):
                    continue  # one screen of a run, found with the run above
                if entry.needs_death:
                    deaths = _death_clauses(norm, spans) if deaths is None else deaths
                    if not deaths or not _the_dead(m.group(0), norm, deaths):
                        continue
                if entry.unless_death:
                    deaths = _death_clauses(norm, spans) if deaths is None else deaths
                    if deaths and _to_the_dead(m.group(0), norm, deaths):
                        continue
                level = None
                if entry.category in SEMANTIC_RISK:
                    level = "possible_risk" if entry.category == WARNING_SIGNS else "risk"
                if entry.weak:
                    p = float(probs[entry.category][ci]) if entry.category in probs else 0.0
                    t = threshold(entry.category)
                    if p < (t["support"] if entry.support is None else entry.support) * _floor(entry.category):
                        continue
                    if level == "risk" and p < _floor(entry.category):
                        level = "possible_risk"
                for category in (entry.category,) + ((entry.also,) if entry.also else ()):
                    cands.append(_Candidate(ci, category, cs + m.start(), cs + m.end(), f"lexicon:{entry.source}",
                                            1.0, "lexicon", level, entry.result, weak=entry.weak))
        if _SCORE_ONLY.fullmatch(clause):
            continue  # scores alone: no meaning to read (the lexicon above has read any item score)
        fired = [(cat, float(pr[ci])) for cat, pr in probs.items() if cat not in HEADS and float(pr[ci]) >= _floor(cat)]
        if RISK_ANY in probs:
            # Meaning-level risk passes one gate first (one threshold holds the false-alarm rate), then
            # takes the kinds whose probes fire, or the most likely kind.
            gate = float(probs[RISK_ANY][ci]) >= threshold(RISK_ANY)["fire"]
            # A kind read with near certainty passes a gate that is merely close ("but says she's started
            # thinking about dying most days again": suicidal ideation 0.93, the gate 0.61).
            near = float(probs[RISK_ANY][ci]) >= GATE_NEAR
            fired = [(c, p) for c, p in fired if c not in GATED or gate or (near and p >= KIND_SURE)]
            if not any(c in SEMANTIC_RISK for c, _ in fired) and _ASKS.search(clause):
                # "Should I be checking in with her about thoughts of ending things?": the gate holds the false-alarm
                # rate of risk stated; a topic the clinician asks whether to raise is not risk stated. The clause
                # is read on its own (its context is the rest of the question), and a risk kind it reads is kept
                # only if the clause's scope makes it a topic not yet asked about (below).
                asked = asked_probs(ci, clause)
                for cat in SEMANTIC_RISK:
                    if cat in asked and asked[cat] >= _floor(cat):
                        cands.append(_Candidate(ci, cat, None, None, f"probe:{cat}", round(asked[cat], 3), "semantic",
                                                "possible_risk", asked_only=True))
            if gate and not any(c in SEMANTIC_RISK for c, _ in fired):
                best, p = _likeliest(SEMANTIC_RISK, probs, ci)
                if p >= FALLBACK_KIND:
                    fired.append((best, p))
        if FRAME_ANY in probs and float(probs[FRAME_ANY][ci]) >= threshold(FRAME_ANY)["fire"] \
                and not any(c in OUT_OF_FRAME for c, _ in fired):
            # The pooled request head fires though no method's own probe did: the most likely method.
            best, p = _likeliest(OUT_OF_FRAME, probs, ci)
            if p >= FRAME_FALLBACK:
                fired.append((best, p))
        if _current(probs, ci) and not any(c in SEMANTIC_RISK for c, _ in fired):
            # The backstop: the clause reads as the client's current risk though no kind's probe cleared
            # the gate ("went up to the top floor and looked over the edge"): ask directly.
            best, _ = _likeliest(SEMANTIC_RISK, probs, ci)
            cands.append(_Candidate(ci, best, None, None, f"probe:{RISK_CURRENT}",
                                    round(float(probs[RISK_CURRENT][ci]), 3), "semantic", "possible_risk"))
        if parts and RISK_ANY in probs and not any(c in SEMANTIC_RISK for c, _ in fired) and _DATED.search(clause):
            part_risk.append(ci)
        for cat, p in fired:
            t = threshold(cat)
            level = (_risk_level(cat, p, t) or "possible_risk") if cat in SEMANTIC_RISK else None
            row = bank.nearest(ctx_vectors[ci], cat)
            evidence = f"exemplar:{bank.texts[row]}" if row >= 0 else f"probe:{cat}"
            cands.append(_Candidate(ci, cat, None, None, evidence, round(p, 3), "semantic", level))
    if part_risk and not any(c.category in SEMANTIC_RISK for c in cands):
        # a backstop for a text in which nothing else read as risk (beside a finding, a part adds only kinds and noise)
        cands += _risk_in_parts(part_risk, parts, part_probs, norm, encoder, probe)
    if catalog is not None:
        frame = getattr(catalog, "frame", None)
        focal = getattr(catalog, "focal", None)
        cues = tuple((a.id, tuple(a.cues)) for a in getattr(frame, "adaptations", [])) + \
            tuple((a.id, tuple(a.cues)) for a in getattr(focal, "areas", [])) + _speech_cues()
        for ci, cue, start, end in cue_matches(norm, spans, _catalog_cues(getattr(catalog, "content_hash", ""), cues)):
            score = FOCAL_CUE if cue.category in FOCAL else 1.0
            cands.append(_Candidate(ci, cue.category, start, end, cue.source, score, "lexicon"))

    # A clause that names an IPT technique ("role play the conversation") is in frame unless it also
    # names an out-of-frame method explicitly: meaning-level frame hits there are dropped.
    in_frame = {c.clause for c in cands if c.category == "in_frame"}
    explicit_frame = {c.clause for c in cands if c.source == "lexicon" and family_of(c.category) == "frame"}
    cands = [c for c in cands if c.category != "in_frame" and not (
        c.source == "semantic" and family_of(c.category) == "frame" and c.clause in in_frame - explicit_frame)]

    # An explicit risk word inside a completed suicide ("died by suicide") is the bereavement, not risk.
    completed = [(c.start, c.end) for c in cands if c.category == "completed_suicide"]
    if completed:
        cands = [c for c in cands if not (c.source == "lexicon" and c.category != "completed_suicide"
                                          and family_of(c.category) == "risk" and c.start is not None
                                          and any(s <= c.start < e for s, e in completed))]
        cands = _reread_without(norm, spans, cands, completed, encoder, probe)
    # Nor is the name of a risk screen ("PHQ9 done", "the template wants a 'risk formulation'"): meaning-level risk in
    # a clause that names one must read as risk without the screen's words.
    # (Not when the clause gives a result: "PHQ9 itm 9 = 3", "C-SSRS: Q1 yes Q2 yes": the reading may be the result.)
    named = [c for c in cands if c.category == RISK_SCREEN and c.start is not None]
    cut = [(c.start, c.end) for c in named]
    screens = [(c.start, c.end) for c in named
               if not any(_RESULT.search(piece) for piece in _outside(norm, *spans[c.clause], cut))]
    if screens:
        cands = _reread_without(norm, spans, cands, screens, encoder, probe)

    # Nor is a fixed idiom ("I'd sooner shoot myself in the foot", "this commute is killing me"): meaning-level risk in a
    # clause that holds one must read as risk without the idiom's words.
    idiom_spans = figurative_spans(norm) + ([m.span() for m in idioms.finditer(norm)] if idioms else [])
    if idiom_spans:
        cands = _reread_without(norm, spans, cands, idiom_spans, encoder, probe)
        # ... and a word of the lexicon inside one is the idiom's ("'overdosed on box sets'", "'OD'd on chocolate'"): a
        # weak word's support from the probes was the idiom's words; an explicit one is the idiom itself
        cands = [c for c in cands if not ((c.weak or c.source == "lexicon") and c.start is not None and
                                          any(a <= c.start and c.end <= b for a, b in idiom_spans))]

    # Assertion, by clause, only for the families that need it (lazy medspaCy).
    items: list[Signal] = []
    by_clause: dict[int, list[_Candidate]] = {}
    for c in cands:
        cat = _ADAPT_ID.get(c.category, c.category)
        c.category = cat
        clause_text = norm[spans[c.clause][0]:spans[c.clause][1]]
        if family_of(cat) in ASSERTED or (cat in FOCAL and c.start is None and _NEG_CUE.search(clause_text)):
            # A focal area read from a negated clause ("no relationship changes she can identify") is
            # scoped too; other focal findings skip ConText, which keeps ordinary questions fast.
            by_clause.setdefault(c.clause, []).append(c)
        else:
            items.append(_signal(norm, spans, c, "present", ()))
    rescope: list[tuple[int, int, _Candidate]] = []
    bare_checks: list[tuple[int, str, list[str]]] = []
    if by_clause:
        from .assertion import Scoped, assert_targets

        gender = client_gender(norm)
        last_fact = _last_one_person(norm, spans)
        two_people = any(c.category in TWO_PEOPLE for c in cands)
        for ci, group in by_clause.items():
            cs, ce = spans[ci]
            targets = [(None, None, c.category) if c.start is None else (c.start - cs, c.end - cs, c.category)
                       for c in group]
            scoped_all = assert_targets(norm[cs:ce], targets, gender, specific=last_fact > ci)
            for k, c in enumerate(group):
                # A screen negated by a word before it was not done ("no risk check today", "without a risk
                # assessment"); a negative result comes after it ("risk: neg", "PHQ-9 item 9: 0").
                if c.category == RISK_SCREEN and scoped_all[k].assertion == "negated" and c.start is not None \
                        and _NO_SCREEN.search(norm[cs:c.start]) and _SCREEN_ACT.search(norm[c.start:c.end]):
                    scoped_all[k] = Scoped("not_assessed", scoped_all[k].modifiers + ("no screen done",))
                elif c.category == RISK_SCREEN and scoped_all[k].assertion == "present" and c.start is not None \
                        and _ITEMS_ALL_NO.fullmatch(norm[c.end:ce]):
                    scoped_all[k] = Scoped("negated", scoped_all[k].modifiers + ("every item answered no",))
                elif c.category == RISK_SCREEN and scoped_all[k].assertion == "present" and c.start is not None \
                        and _SCREEN_LOW.match(norm, c.end, _line_end(norm, c.end)):
                    scoped_all[k] = Scoped("negated", scoped_all[k].modifiers + ("graded low",))
            # A clause that fired by meaning takes the assertion of the explicit terms of its family in
            # the same clause when they agree: their spans are exact ("the GP letter says no current SI").
            lexical: dict[str, set[str]] = {}
            lexical_kinds: set[str] = set()  # the risk kinds the clause's explicit terms name
            by_pronoun: set[str] = set()  # categories / families a pronoun made a relative's
            for c, scoped in zip(group, scoped_all):
                if any(m.endswith("(pronoun)") for m in scoped.modifiers):
                    by_pronoun.update((c.category, family_of(c.category)))
                if c.category == RISK_SCREEN and scoped.assertion == "present":
                    continue  # naming a screen says nothing of its result
                if c.start is not None and c.source == "lexicon":
                    if family_of(c.category) == "risk":
                        lexical_kinds.add(c.category)
                    if scoped.assertion == "historical" and _NOW_AFTER.search(norm[c.end:ce]):
                        continue  # "Hx of OD in 2019 and now she's talking about 'doing it properly'": the past is the term's
                    if scoped.assertion == "not_assessed" and "?" in norm[c.end:ce] and \
                            any(_ASKING.match(m) for m in scoped.modifiers):
                        continue  # "cancelled all future appts, said 'no need' - should i be asking about suicide?": the
                        # clinician's question leaves the topic unasked, not what the clause describes
                    lexical.setdefault(c.category, set()).add(scoped.assertion)
                    lexical.setdefault(family_of(c.category), set()).add(scoped.assertion)
            for c, scoped in zip(group, scoped_all):
                assertion, mods = scoped.assertion, scoped.modifiers
                if c.asked_only and not (assertion == "not_assessed" and any(_ASKING.match(m) for m in mods) or
                                         assertion == "hypothetical" and asks_whether(norm[cs:ce])):
                    continue
                if assertion == "historical" and c.start is not None and c.evidence in _reunion_sources() \
                        and not _PAST_WISH.match(norm[c.start:c.end]):
                    # A wish to be with the dead is dated by its own verb, not by the death beside it ("lost his
                    # wife in the spring and says he'd like to be with her now").
                    assertion, mods = "present", mods + ("the death dated, not the wish",)
                found = lexical.get(c.category) or lexical.get(family_of(c.category), set())
                if c.category == "ipv" and not lexical.get(c.category) and found == {"other_person"} \
                        and lexical_kinds <= _STATES:
                    # Partner violence involves two people: the partner's state ("her bf ... when he's drunk") does
                    # not make the client's experience of it his ("'only grabs my neck'").
                    found = set()
                if c.start is None and len(found) == 1:
                    assertion = next(iter(found))
                    mods = mods + ("from-lexicon",)
                if c.start is None and c.category in SEMANTIC_RISK and assertion == "present" and "from-lexicon" not in mods \
                        and any(m.startswith("bare:") for m in mods) and not _current(probs, ci):
                    # A bare negation over a clause read by meaning, and the clause as a whole does not read as the
                    # client's current risk: if what the negation scopes reads as the risk on its own ("has never
                    # | hurt herself"), it denies it; "won't | stop crying" does not.
                    bare_checks.append((len(items), c.category, [_LIST_END.split(m.split("|", 1)[1], maxsplit=1)[0]
                                                                 for m in mods if m.startswith("bare:")]))
                if c.start is None and c.category in SEMANTIC_RISK and assertion not in ("present", "historical") and _current(probs, ci) \
                        and "from-lexicon" not in mods and not any(m.endswith("(speaks)") for m in mods) \
                        and not (assertion == "other_person" and (c.category in SELF_DIRECTED or
                                                                 c.category == WARNING_SIGNS and not two_people or
                                                                 c.category in TWO_PEOPLE and
                                                                 not _aimed_at_client(c.category, norm, spans[ci], mods))):
                    # The rules scoped the clause away (negated, someone else's, past) by its shape alone, but
                    # the clause as a whole reads as the client's current risk: present, at the possible
                    # level. An explicit term's own scope ("denies SI", "her husband ... killing himself")
                    # stands. Dev, cross-validated: risk recall 0.851 -> 0.863, false alarms 0.128 -> 0.131
                    # (overriding explicit terms' scope too: 0.878, 0.142). Not when a relative speaks the
                    # words in the first person ("his wife keeps saying 'I'd rather be dead'"): they are hers.
                    assertion, mods = "present", mods + (f"{RISK_CURRENT}:{float(probs[RISK_CURRENT][ci]):.2f}",)
                    c.level = "possible_risk"
                # Re-read the words outside every scope, unless the clause is a relative's as a whole (its
                # explicit term is theirs by a pronoun that agrees with them: no scope to read outside of).
                if c.start is None and c.category in SEMANTIC_RISK and assertion != "present" and \
                        not (assertion == "other_person" and "from-lexicon" in mods and
                             (c.category in by_pronoun or family_of(c.category) in by_pronoun)):
                    rescope.append((len(items), ci, c))
                if assertion == "not_assessed" and c.result:
                    assertion, mods = "present", mods + ("answered",)  # the item's answer is documented
                items.append(_signal(norm, spans, c, assertion, mods))
        if bare_checks:
            _deny_by_scope(items, bare_checks, encoder, probe)
        if rescope:
            _read_outside_scope(norm, spans, items, rescope, encoder, probe)
    for k, s in enumerate(items):
        if s.category == "ipv" and s.assertion == "historical" and s.level and _by_partner_now(norm, s.clause):
            # past violence by the partner she is still with ("Partner strangled her once 'about 5 yrs ago'",
            # "her husband ... He strangled her once years ago") is a risk today: ask directly. An ex's is
            # history ("ex used to hit her, left him").
            items[k] = replace(s, assertion="present", level="possible_risk",
                               modifiers=s.modifiers + ("past violence by a current partner",))
    items = answered_later(norm, items)
    items = named_others(norm, spans, items)
    items = closed_histories(norm, items)
    items += _recurrences(norm, spans, items)
    items += _shared(norm, spans, items)
    if reader:
        from .reader import arbitrate

        items = arbitrate(norm, items, lambda a, b: _likeliest_in(SEMANTIC_RISK, probs, spans, a, b), figurative=idiom_spans)
    from .presentations import settle

    items = settle(_labels_with_findings(norm, items), norm)
    return Signals(norm, _dedupe(_settle_adaptations(norm, items)))


_LABEL_END = re.compile(r"\s*[:=]")


def _labels_with_findings(norm: str, items: list[Signal]) -> list[Signal]:
    """A risk term as a line's label ("SI: passive SI at intake resolved, none x6 wks") states nothing of its own when
    the line has a finding of that kind after it: the finding's scope decides. (A label a rule scoped, "SI: none since
    s6 (passive SI earlier)", keeps its own denial.)"""
    return [s for s in items if not (
        s.source == "lexicon" and s.family == "risk" and s.present and _LABEL_END.match(norm, s.end)
        and any(o.category == s.category and o.source == "lexicon" and o.start > s.end and o.clause == s.clause
                for o in items))]


#: A later clause saying that what was said before is back ("that feeling's creeping back", "the urges have
#: returned", "it's started again", "feels like before"): an anaphor or a feeling word, then a recurrence.
_RECURRENCE = re.compile(
    r"\b(?:that|those|these|the|same|old|it|they|feelings?|thoughts?|urges?|ideas?|voices?|it's|they're|that's|"
    r"feeling's)\b(?:\W+\w+){0,3}?\W+(?:(?:creeping|crept)\s+back\b|(?:coming|came|come|comes|are|is|'s|been|back)\s+back\b"
    r"(?!\s+(?:to|at|from|in|into|home|on|with|for|after|over|up|round)\b)|returned|returning|resurfac\w*|"
    r"(?:started|starting|begun|beginning|happening|happened)\s+again)|"
    r"(?<!nothing\s)(?<!not\s)(?<!never\s)\b(?:like|same\s+as)\s+(?:before|last\s+time|back\s+then)\b|"
    r"^\W*(?:(?:has|have|had|'s)\s+)?(?:started|began|begun|restarted)\s+again\b"
    r"(?!\s+(?:at|with|the|a|an|her|his|my|their|work|school|uni|college|job|gym|classes|training|driving)\b)", re.I)


def _recurrences(norm: str, spans: list[tuple[int, int]], items: list[Signal]) -> list[Signal]:
    """A past risk (historical) followed by a clause that says it is back: that clause is the client's
    possible risk of the same kind (ask directly). "PND after first baby (2019) w/ SI. Now 4 months
    postpartum w/ #2 - today 'that feeling's creeping back'"."""
    past = [s for s in items if s.family == "risk" and s.assertion == "historical" and s.level]
    if not past or any(s.family == "risk" and s.present and s.level for s in items):
        return []
    out: list[Signal] = []
    for cs, ce in spans:
        m = _RECURRENCE.search(norm[cs:ce])
        before = [s for s in past if s.start < cs]
        if m and before:
            p = before[-1]
            out.append(Signal(p.category, cs, ce, norm[cs:ce], "present", f"recurrence:{m.group(0)}", 1.0, "lexicon",
                              "possible_risk", (f"recurrence of:{p.text}",), norm[cs:ce]))
            break
    return out


#: The client saying that someone else's experience is theirs too: "me too", "same here", "pt (16) 'feels the same
#: some days'", "so does she", "she has them as well".
_SHARED = re.compile(
    r"\b(?:me\s+too|me\s+as\s+well|same\s+(?:here|for\s+me|with\s+me)|so\s+(?:do|am|have)\s+i|i\s+(?:do|am|have)\s+too|"
    r"so\s+(?:does|is|has)\s+(?:she|he|pt|client)|"
    r"\b(?:pt|client|cl|patient|she|he|i)\b(?:\s*\([^)]*\))?\s*'?\s*(?:feels?|felt|thinks?|thought|gets?|got|has|had|does|did)"
    r"\s+(?:the\s+same|(?:that|this|it|them|those)\s+(?:too|as\s+well)|similar)|"
    # ... or with no subject, in a clause of its own after the report ("she says she 'gets it now' - thinking the same
    # way most nights", "feeling the same herself")
    r"(?:^|[-–—:;,(]\s*)'?(?:thinking|feeling|having|getting)\s+(?:the\s+same|(?:that|it|them|those)\s+(?:too|as\s+well|herself|"
    r"himself|myself))|\bgets?\s+it\s+now\b)", re.I)


#: A present-time word after a past risk term: the clause goes on to the present ("hx OD 2019, now talking about
#: 'doing it properly this time'"), so a reading by meaning of the clause does not take the term's history.
_NOW_AFTER = re.compile(r"\b(?:now|currently|today|tonight|this\s+(?:week|time|morning|evening)|lately|recently|again)\b", re.I)


def _shared(norm: str, spans: list[tuple[int, int]], items: list[Signal]) -> list[Signal]:
    """Someone else's risk, then words in which the client says it is theirs too: the client's risk of the same
    kind and level ("Mother has SI (pt says) & pt (16) 'feels the same some days'"; "friend wants to kill
    herself. Later: 'me too, I think about it every night'")."""
    theirs = [s for s in items if s.family == "risk" and s.assertion == "other_person" and s.level] or \
        [replace(s, category="suicidal_ideation", level="possible_risk") for s in items if s.category == "completed_suicide"]
    # (someone's suicide, then the client's "thinking the same way": the client's own thoughts of it)
    for cs, ce in spans if theirs else ():
        m = _SHARED.search(norm, cs, ce)
        before = [s for s in theirs if s.start < m.start()] if m else []
        if before and not any(m.start() <= s.start < ce for s in theirs):
            p = before[-1]
            return [Signal(p.category, m.start(), ce, norm[m.start():ce], "present", f"shared:{m.group(0)}", 1.0,
                           "lexicon", p.level, (f"shared with:{p.text}",), norm[cs:ce])]
    return []


def _settle_adaptations(norm: str, items: list[Signal]) -> list[Signal]:
    """The adaptations' own reading of the assertions, and the ages' say over the age-based ones."""
    out = []
    for s in items:
        if s.category == "ipsrt" and s.assertion == "historical" and s.source == "lexicon":
            # IPSRT is the adaptation for bipolar disorder: a past episode named in the catalog's words ("hx manic
            # episode 2019", "bipolar I") is its indication. By meaning alone a past episode stays past ("hx
            # psychosis (2019)" is not bipolar disorder).
            s = replace(s, assertion="present", modifiers=s.modifiers + ("past episode: the indication",))
        elif s.family == "adaptation" and s.assertion == "hypothetical":
            # A clinician's scenario is set in the programme it names: "if someone in my IPT group says ...".
            # The condition scopes what might happen, not the setting.
            s = replace(s, assertion="present", modifiers=s.modifiers + ("the scenario's setting",))
        out.append(s)
    found = life_stages(norm)
    stages, ruled_out = settle(found)
    # The ages decide the age-based adaptations: the client's stated age rules out those it is not, and
    # another person's age the adaptation it names, however found; a catalog cue inside an age's words
    # ("her 16-year-old son", "cut as a teen") takes the age's reading. A reading by meaning alone never adds
    # one: a text about a teenager, a school or a retirement is not about a teenage or an older client (the
    # probe fired on "her 14yo dtr has a boyfriend of 23" and "recently retired, spent his lump sum"); an age,
    # a life-stage word or a programme's name ("IPT-A", "older adult") does.
    out = [s for s in out if not (s.source != "age" and s.category in AGE_BASED and (
        s.source == "semantic" or s.category in ruled_out or any(a.start < s.end and s.start < a.end for a in found)))]
    out += [Signal(st.adaptation, st.start, st.end, st.text, "present" if st.whose == "client" else "other_person",
                   "age", 1.0, "age") for st in stages if st.adaptation not in ("adult", "child")]
    return out


#: Death as clinicians abbreviate it, and a grief focus (which in IPT needs a death): "(dad d. Jan)".
_DEATH_WORD = re.compile(r"(?<![\w.])d\.(?=\s*(?:[A-Z0-9(]|$))|\b(?:grief|griev\w*|RIP|lost\s+(?:her|his|their)\s+\w+\s+(?:in|to|last))\b", re.I)
_PRONOUN = re.compile(r"\b(?:with|see|join(?:ing)?|hold|follow(?:ing)?)\s+(?:her|him|them)(?=\s+(?:again|soon|there|in|now|one\s+day|most|every|each|all)\b|\s*[,.;:\"'!)]|\s*$)", re.I)
#: A wish to be with the dead told in the past ("wanted to be with her after the funeral") keeps its history.
_PAST_WISH = re.compile(r"(?:wanted|wished|longed|yearned|ached|thought)\b", re.I)

_NAMED = re.compile(r"\b(?:with|see|join|hold|go\s+to)\s+(?:(?:her|his|their|my)\s+)?(?:late\s+)?([A-Za-z]+)\b", re.I)


@lru_cache(maxsize=1)
def fear_only_sources() -> frozenset[str]:
    """The evidence strings of the lexicon's entries for fear of a partner with no act named (``possible: true``)."""
    return frozenset(f"lexicon:{e.source}" for e in lexicon() if e.possible)


@lru_cache(maxsize=1)
def _reunion_sources() -> frozenset[str]:
    """The evidence strings of the lexicon's wishes to be with the dead (the entries that need a death)."""
    return frozenset(f"lexicon:{e.source}" for e in lexicon() if e.needs_death)


@lru_cache(maxsize=1)
def _death_entries() -> tuple[_Entry, ...]:
    return tuple(e for e in lexicon() if e.category in ("death", "completed_suicide"))


def _death_clauses(norm: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The clauses that speak of a death, in the lexicon's words or a clinician's abbreviation."""
    return [(cs, ce) for cs, ce in spans
            if _DEATH_WORD.search(norm[cs:ce]) or any(e.pattern.search(norm[cs:ce]) for e in _death_entries())]


def _the_dead(phrase: str, norm: str, deaths: list[tuple[int, int]]) -> bool:
    """A wish to be with someone again speaks of the dead when it names them by a pronoun, or by a word
    that a clause speaking of a death names too ("dad d. Jan" ... "wants to be with Dad again")."""
    if _PRONOUN.search(phrase):
        return True
    m = _NAMED.search(phrase)
    return bool(m) and _named_in_a_death(m.group(1), norm, deaths)


def _named_in_a_death(word: str, norm: str, deaths: list[tuple[int, int]]) -> bool:
    """Whether a clause that speaks of a death names ``word`` too."""
    who = re.compile(rf"\b{re.escape(word)}\b", re.I)
    return any(who.search(norm[cs:ce]) for cs, ce in deaths)


#: Whom a letter or a message is for: "goodbye letters to each of her kids", "a farewell note for his late wife".
_ADDRESSEE = re.compile(r"\b(?:to|for)\s+(?:each\s+of\s+)?(?:(?:her|his|their|my|our|the)\s+)?(?:late\s+)?([A-Za-z]+)", re.I)


def _to_the_dead(phrase: str, norm: str, deaths: list[tuple[int, int]]) -> bool:
    """With a death in the text, whether a farewell is addressed to the dead: to no one named, to a pronoun, or to
    someone a clause speaking of a death names too."""
    m = _ADDRESSEE.search(phrase)
    return m is None or m.group(1).lower() in ("her", "him", "them") or _named_in_a_death(m.group(1), norm, deaths)


#: What a bare negation scopes stops at the end of its list item: "not tired, spent £3k on clothes" negates
#: "tired" only.
_LIST_END = re.compile(r"[,;:]|\s[-–—]\s|\bbut\b", re.I)


def _deny_by_scope(items: list[Signal], checks: list[tuple[int, str, list[str]]], encoder: object, probe: object) -> None:
    """Negate the findings whose bare negation scopes words that read as the finding on their own."""
    texts = [t for _, _, scopes in checks for t in scopes]
    if not texts:
        return
    holds = _reread(texts, encoder, probe)
    k = 0
    for idx, category, scopes in checks:
        if any(holds(k + j, category) for j in range(len(scopes))):
            items[idx] = replace(items[idx], assertion="negated", modifiers=items[idx].modifiers + ("negation-scope",))
        k += len(scopes)


def _reread(texts: list[str], encoder: object, probe: object,
            lately: list[bool] | None = None) -> Callable[[int, str], bool]:
    """The probes on ``texts`` alone: ``holds(k, category)`` says whether ``texts[k]`` still reads as
    the category (its floor, and for meaning-level risk the risk gate too). ``lately``: per text, whether it tells
    something dated lately ("denies SI/SH (a few scratches on her wrist from Tuesday)": what the denial leaves is read
    as the main pass reads a clause, a kind read with near certainty passing a gate that is only close; as a rule for
    every re-reading it raised test false alarms 0.057 -> 0.059)."""
    probs = probe.predict(encoder.encode(texts), texts)  # type: ignore[attr-defined]
    return lambda k, category: _gated(probs, k, category, near=lately is not None and lately[k])


def _reread_without(norm: str, spans: list[tuple[int, int]], cands: list[_Candidate],
                    cut: list[tuple[int, int]], encoder: object, probe: object) -> list[_Candidate]:
    """Meaning-level risk in a clause that holds one of the spans ``cut`` is read again without their words:
    what is left must speak of risk on its own. The spans: someone's completed suicide ("her father died by
    suicide last spring and she can't stop asking why": the finding was the bereavement), or a risk screen's
    name ("PHQ9 done": the finding was the screen)."""
    def reread(c: _Candidate) -> bool:
        return c.source == "semantic" and c.category in SEMANTIC_RISK and \
            any(spans[c.clause][0] <= s < spans[c.clause][1] for s, _ in cut)

    todo = sorted({c.clause for c in cands if reread(c)})
    if not todo:
        return cands
    rests = [" ".join(" ".join(_outside(norm, *spans[ci], cut)).split()) or "." for ci in todo]
    holds = _reread(rests, encoder, probe)
    row = {ci: k for k, ci in enumerate(todo)}
    return [c for c in cands if not reread(c) or holds(row[c.clause], c.category)]


#: Words that date an act lately (see assertion._recent): a weekday, yesterday, last night, this week, N days ago.
_LATELY = re.compile(r"\b(?:mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)(?:day)?\b|\b(?:yesterday|today|tonight|overnight)\b|"
                     r"\b(?:last|this)\s+(?:night|wk|week|weekend|evening|morning)\b|\b\d+\s*(?:days?|d|nights?)\s+ago\b", re.I)
#: The other person in these is the perpetrator or the one at risk from the client, not the experiencer.
_RELATIONAL = ("ipv", "harm_to_others", "safeguarding")
#: Risk kinds that name a person's state rather than an act against someone (drunk, manic, hearing voices).
_STATES = frozenset({"intoxication", "mania", "psychosis"})


def _read_outside_scope(norm: str, spans: list[tuple[int, int]], items: list[Signal],
                        rescope: list[tuple[int, int, _Candidate]], encoder: object, probe: object) -> None:
    """Meaning-level risk whose whole clause was scoped (negated, hypothetical, historical) is read again
    on the words outside every modifier's scope: "denies SI but has been giving her things away"."""
    from .assertion import unscoped

    rests: dict[int, str | None] = {}
    gender = client_gender(norm)
    for idx, ci, _c in rescope:
        clause = norm[spans[ci][0]:spans[ci][1]]
        if ci not in rests:
            rests[ci] = unscoped(clause)
        rest = rests[ci]
        if rest and items[idx].assertion == "other_person" and _someone_elses_pronoun(rest, gender) \
                and not _OPENS_SPEECH.search(clause[:max(0, clause.find(rest[:20]))]):
            rests[ci] = None  # "a workmate ... 'paranoid' - he thinks his phone is bugged": the rest is still his
    todo = [ci for ci, rest in rests.items() if rest and _says_something(rest)]
    if not todo:
        return
    holds = _reread([rests[ci] or "" for ci in todo], encoder, probe, [bool(_LATELY.search(rests[ci] or "")) for ci in todo])
    row = {ci: k for k, ci in enumerate(todo)}
    for idx, ci, c in rescope:
        if ci in row and holds(row[ci], c.category):
            items[idx] = replace(items[idx], assertion="present", modifiers=items[idx].modifiers + ("outside-scope",),
                                 level=items[idx].level or "possible_risk")


#: Words that say nothing of their own outside a scope: who speaks and the verb's frame ("she says he's | never hit her or
#: threatened her": the rest is the frame of the denial, and read alone it is noise).
_FRAME_WORDS = frozenset({"she", "he", "they", "i", "we", "it", "she's", "he's", "they're", "i'm", "it's", "pt", "client", "cl",
                          "patient", "says", "said", "reports", "reported", "states", "stated", "tells", "told", "me", "us",
                          "her", "him", "them", "that", "and", "but", "so", "also", "is", "was", "has", "had", "have", "does",
                          "did", "do", "the", "a", "an", "again", "today", "now", "clearly", "firmly", "adds", "added",
                          "insists", "insisted", "confirms", "confirmed", "explains", "explained"})


def _says_something(rest: str) -> bool:
    return any(w not in _FRAME_WORDS for w in re.findall(r"[\w']+", rest.lower()))


#: The rest's own subject: a pronoun that opens it (after what is left of a cut-out noun phrase, "A he thinks ...", or
#: of its possessor, "Pt's son (22) stopped sleeping, thinks he's the messiah" -> "Pt's he's the messiah").
_SUBJECT_PRONOUN = re.compile(r"^\W*(?:(?:a|an|the|and|so|then|pt['’]s|client['’]s|cl['’]s|patient['’]s)\W+)?(he|she)\b", re.I)
#: ... not in the other person's own words, which name someone else ("partner's text: 'he's up again'").
_OPENS_SPEECH = re.compile(r"[:'\"‘“]\s*$")


def _someone_elses_pronoun(rest: str, gender: str | None) -> bool:
    """Whether the words outside someone else's scope are about that person still: the pronoun that opens them is
    not the client's (a pronoun of the client's gender is the client's; with the client's gender unknown, the
    nearest person is the one the clause named)."""
    m = _SUBJECT_PRONOUN.search(rest)
    if m is None:
        return False
    return gender is None or ("m" if m.group(1).lower() == "he" else "f") != gender


#: A supposed client ("if a client ...", "say someone ..."): the condition is about the case, not the act.
_GENERIC_CONDITION = re.compile(r"\b(?:a|an|one|someone|somebody|anyone|any|hypothetically|imagine|suppose|supposing|say)\b", re.I)
#: A condition said to be supposed ("hypothetically discussed what she'd do if her brother's voices ever told him to hurt
#: her"): not a threat's own condition ("will kill her if she leaves"), nor a plan for a feared event ("what she'd do if he
#: turns up again"), which may be the risk itself.
_SUPPOSED = re.compile(r"\b(?:hypothetical(?:ly)?|in\s+theory|theoretically)\b", re.I)
#: The words of a condition up to the act: "If one ever tells me his wife hits him" supposes a client too.
_CONDITION_WORDS = re.compile(r"\b(?:if|when|whenever|suppose|supposing|imagine)\b(?P<words>[^.;?!]*)$", re.I)
#: A name for the category, not an act: "'it's not abuse'" after a described act denies the name only.
_CATEGORY_WORD = re.compile(r"(?:abus|violen|dv\b|ipv\b|domestic|coerci|controlling)", re.I)
#: A denial right before the act ("has never hit her", "doesn't hit her").
_NEGATED_ACT = re.compile(r"\b(?:never|not|no\s+longer|n't)\W+(?:\w+\W+){0,2}$", re.I)
#: Words before a partner that make them no partner now ("her ex-husband", "her late husband").
_NOT_NOW = re.compile(r"\b(?:ex|former|late|previous|prev|prior|old|first|dead|deceased)\s*-?\s*$", re.I)
_PARTNER_WORD = re.compile(r"\b(?:husband|wife|partner|spouse|bf|gf|boyfriend|girlfriend|fiancee?|hubby|fella)\b", re.I)
_PRONOUN_ACT = re.compile(r"^\W*(?:he|she)\b|\b(?:he|she)\s+(?:\w+\s+){0,2}(?:strangl|chok|hit|beat|punch|kick|slap|push|"
                          r"shov|threat|attack|hurt|grab|throt)", re.I)


def _names_partner_now(text: str) -> bool:
    """Whether ``text`` names a partner who is not an ex, a late or a former one."""
    return any(not _NOT_NOW.search(text[:m.start()]) for m in _PARTNER_WORD.finditer(text))


def _by_partner_now(text: str, clause: str) -> bool:
    """Whether past partner violence in ``clause`` was done by a partner the client is still with: the
    clause names one ("Partner strangled her once 'about 5 yrs ago'"), or the text does and a pronoun does
    the act ("her husband ... He strangled her once years ago"), with no ex in the text."""
    if _names_partner_now(clause) and not re.search(r"\bex\b|\bex-", clause, re.I):
        return True  # (not beside an ex, whose it was: "DV with ex (2019), current partner supportive")
    return _names_partner_now(text) and bool(_PRONOUN_ACT.search(clause)) and not re.search(r"\bex\b|\bex-", text, re.I)


def _violence_at_client(clause: str, at: int | None, modifiers: tuple[str, ...]) -> str:
    """The assertion of a relative's violence that is the client's after all ("her husband hits her").
    Other scopes still hold where they are about the violence itself: a date or a history ("ex used to hit
    her, left him 6 years ago"), a screen not done ("couldn't ask re DV safely"), a supposed client ("what
    would I do if a client disclosed that her partner hits the children"), a denial of the act right before
    it ("has never hit her"). A threat's own condition ("will 'kill her if she leaves'"), a denial of
    something else ("shoved her over when she said no") or of the name only ("scratched his face ... 'it's
    not abuse'") leave it present."""
    kinds = {m.split(":", 1)[0] for m in modifiers}
    if "not_assessed" in kinds:
        return "not_assessed"
    condition = _CONDITION_WORDS.search(clause[:at]) if at is not None else None
    if any(m.startswith("hypothetical:") and (_GENERIC_CONDITION.search(m.split(":", 1)[1]) or
                                              (condition and _GENERIC_CONDITION.search(condition.group("words"))) or
                                              (at is not None and _SUPPOSED.search(clause[:at])))
           for m in modifiers):
        return "hypothetical"
    if "negated" in kinds and at is not None and _NEGATED_ACT.search(clause[:at]) and not _CATEGORY_WORD.match(clause[at:]):
        return "negated"
    if "historical" in kinds:
        return "historical"
    return "present"


#: A statement about one person: a sentence that opens with a third-person subject and a verb, not a question.
_ONE_PERSON = re.compile(r"^\W*(?:(?:she|he|they|pt|client)(?:'s|’s|\s+(?:is|was|has|had|keeps|kept|won'?t|doesn'?t|"
                         r"didn'?t|can'?t|says|said|sleeps|lives|wants|told|hasn'?t|isn'?t|\w+(?:s|ed)))|"
                         # ... or how long it has gone on ("Months of this, no treatment.", "It's been going on since May.")
                         r"(?:\w+\s+)?(?:days|weeks|months|years)\s+of\s+(?:this|it)|(?:this|it)(?:'s|\s+has)\s+been\s+"
                         r"(?:going\s+on|happening|like\s+this)|"
                         # ... or which session of whose therapy it is ("Session 4 of IPT for a role dispute with her mother")
                         r"(?:session|sess|s)\s*#?\d{1,2}\s+(?:of|in)\s+(?:\d{1,2}\s+|(?:her|his|their|the)\s+)?(?:IPT|therapy|treatment))\b", re.I)


def _last_one_person(norm: str, spans: list[tuple[int, int]]) -> int:
    """The index of the last clause that states a fact of one person ("She's 8 months pregnant."), or -1: a
    clause before it is about that person."""
    return max((i for i, (a, b) in enumerate(spans)
                if _ONE_PERSON.match(norm[a:b]) and not norm[a:b].rstrip().endswith("?")), default=-1)


#: A topic's not-assessed reading that comes from the clinician asking about it ("should I ask about suicide?").
_ASKING = re.compile(r"^not_assessed:(?:ask|check|screen|assess|explor|enquir|inquir|review|revisit|query)\w*\b", re.I)
#: The verbs of asking in a clause, before scoping: where a gated-out reading may still be a topic to ask about.
_ASKS = re.compile(rf"\b(?:{ASK_VERBS})\w*\b", re.I)


def _aimed_at_client(category: str, norm: str, span: tuple[int, int], modifiers: tuple[str, ...]) -> bool:
    """Whether another person's violence or neglect in a clause may be aimed at the client or a child in their
    care (coref.py): "her ex ... has been sectioned after threatening people in the street" is not."""
    clause = norm[span[0]:span[1]]
    if category == "safeguarding" and a_clients_child(clause, modifiers):
        return True
    test = clients_own_violence if category == "ipv" else aimed_at_client
    return test(clause, modifiers)


def _signal(norm: str, spans: list[tuple[int, int]], c: _Candidate, assertion: str, modifiers: tuple[str, ...]) -> Signal:
    cs, ce = spans[c.clause]
    category = c.category
    if c.category in _RELATIONAL and assertion == "other_person" and "from-lexicon" not in modifiers \
            and _aimed_at_client(c.category, norm, (cs, ce), modifiers):
        assertion = _violence_at_client(norm[cs:ce], c.start - cs if c.start is not None else None, modifiers)
        if category == "harm_to_others" and by_a_partner(modifiers):
            category = "ipv"  # a partner's or an ex's threat or weapon aimed at the client ("her husband threatened her
            # with a knife", "his ex keeps turning up at the house with a knife") is partner violence, not the client's
            # thoughts of harming others
    if family_of(c.category) == "frame" and assertion == "other_person":
        assertion = "present"  # a method is the clinician's; the relative named is its subject matter
    start, end = (c.start, c.end) if c.start is not None else (cs, ce)
    if c.category == "completed_suicide" and assertion == "present":
        assertion = "other_person"  # a completed suicide is always someone else's
    level = c.level
    if level == "risk" and any(m.startswith("possible:") for m in modifiers):
        level = "possible_risk"  # "not sure if she is suicidal": uncertain, so ask directly
    return Signal(category, start, end, norm[start:end], assertion, c.evidence, c.score, c.source,  # type: ignore[arg-type]
                  level, modifiers, norm[cs:ce])  # type: ignore[arg-type]


def _dedupe(items: list[Signal]) -> list[Signal]:
    """One signal per (category, clause span, assertion), the strongest kept."""
    best: dict[tuple[str, int, int, str], Signal] = {}
    for s in items:
        key = (s.category, s.start, s.end, s.assertion)
        if key not in best or (s.level == "risk", s.score) > (best[key].level == "risk", best[key].score):
            best[key] = s
    return sorted(best.values(), key=lambda s: (s.start, s.category))
