"""Recognising catalog techniques named in free text: names, synonyms and clinicians' shorthand.

Used by the note parser ("RP'd", "comm analysis", "gave sick role") and, with names and
shorthand only, by retrieval to honour a question that names a technique ("how do I set up
a role play?").
"""

from __future__ import annotations

import re
from functools import lru_cache

from .catalog import Catalog

_I = re.IGNORECASE

#: Extra shorthand a clinician writes that the catalog synonyms do not spell out.
SHORTHAND = {
    "interpersonal_inventory": r"\binventory\b|\bII\b",
    "communication_analysis": r"\bcomm(?:unication)?\.?\s+analys\w*|\bCA\b",
    "role_play": r"\brole[\s-]?pla(?:y|yed|ying|ys)\b|\bRP'?d?\b",
    "psychoeducation": r"\bpsycho-?ed\w*",
    "case_formulation": r"\bformulation\b",
    "symptom_timeline": r"\btime[\s-]?line\b",
    "termination_work": r"\btermination\b|\brelapse\s+prevention\b|\b(?:discuss|rais|nam|introduc|bring|brought|prepar)\w*\s+(?:up\s+)?(?:the\s+)?(?:ending|end\s+of\s+(?:therapy|treatment))\b|\bending\s+(?:therapy|treatment|the\s+course)\b",
    "decision_analysis": r"\bdecision\s+analysis\b|\bpros\s+(?:and|&)\s+cons\b|\bweigh\w*\s+(?:the\s+|her\s+|his\s+)?options\b",
    "support_network_mapping": r"\bsupport\s+(?:network|map\w*)\b|\bcloseness\s+circles?\b",
    "sick_role": r"\bsick\s+role\b",
    "grief_work": r"\bgrief\s+work\b|\bmourning\b|\breconstruct\w*\s+(?:the\s+)?relationship\b",
    "linking_affect_to_events": r"\blink\w*\s+(?:mood|affect|feelings?|symptoms?)\s+(?:to|with)\b",
    "affect_exploration": r"\bexplor\w*\s+(?:her\s+|his\s+|their\s+)?(?:feelings?|affect|emotions?|anger|sadness|guilt)\b",
    "encouragement_of_affect": r"\bencourag\w*\s+(?:expression|affect|her\s+to\s+express|him\s+to\s+express)\b",
    "role_dispute_resolution": r"\b(?:renegotiat\w+|dispute\s+(?:work|resolution))\b",
    "role_transition_support": r"\b(?:old\s+(?:and|vs\.?|versus)\s+new\s+roles?|transition\s+work)\b",
    "social_skills_training": r"\bsocial\s+skills?\b|\bsmall\s+talk\b|\bassertiveness\b",
    "direct_elicitation": r"\basked\s+directly\b",
    "clarification": r"\bclarifi\w+\b",
    "communication_patterns": r"\bcommunication\s+(?:patterns?|style)\b",
    "therapeutic_relationship": r"\b(?:therapeutic\s+relationship|alliance|rupture|here[\s-]and[\s-]now)\b",
    "directive_techniques": r"\b(?:advised|gave\s+advice|suggested|limit[\s-]setting)\b",
}



#: Cues in a clinician's question that point at a technique without naming it.
QUESTION_CUES = {
    "therapeutic_relationship": r"\b(?:angry|annoyed|upset|irritated|disappointed|frustrated|cross)\s+(?:at|with)\s+me\b|"
                                r"\bmissed\s+(?:\d+|two|three|several|a\s+few)\b[^.?!]{0,30}\bsessions\b|"
                                r"\b(?:cancell?(?:ing|ed|s)|no[-\s]show\w*)\b[^.?!]{0,20}\b(?:sessions?|appointments?)\b|"
                                r"\b(?:with|towards?|about)\s+me\s+in\s+(?:the\s+)?session\b|\bwants?\s+me\s+to\s+(?:fix|tell|decide)\b",
}

#: Shorthand that reads as a technique in a note but is ordinary language in a question.
NOTE_ONLY = frozenset({"directive_techniques", "clarification", "therapeutic_relationship"})


#: A synonym that is only a focal-area label ("role transition") names the focus, not the technique.
_AREA_LABEL = re.compile(r"^(?:role\s+(?:transition|dispute)s?|interpersonal\s+(?:dispute|sensitivity|deficits?)|grief|"
                         r"social\s+isolation|transition|isolation)(?:\s+focus)?$", _I)
_NEGATED = re.compile(r"\b(?:no|not|never|didn'?t|did\s+not|without|declined|refused|unable\s+to|couldn'?t)\b[^.;,]{0,25}$", _I)


def _flex(phrase: str) -> str:
    words = re.split(r"[\s\-]+", phrase.strip())
    body = r"[\s\-]?".join(re.escape(w) for w in words)
    return rf"\b{body}\b"


def _first_word(phrase: str) -> str | None:
    """The lower-cased first word of a phrase :func:`_flex` turns into a pattern: every match of that
    pattern starts with it, at the start of a word of the text (None when it is not a plain word)."""
    first = re.split(r"[\s\-]+", phrase.strip())[0].lower()
    return first if re.fullmatch(r"\w+", first) else None


class Patterns:
    """A catalog's technique patterns, in order, with an index by first word: a pattern is tried only when
    one of its phrases' first words begins a word of the text, or when it has a hand-written alternative
    (``SHORTHAND``, ``QUESTION_CUES``) and is always tried. At 50 times the shipped catalog this is what
    keeps naming techniques in a question from trying thousands of patterns (21 ms -> well under 1 ms)."""

    def __init__(self) -> None:
        self.pats: list[tuple[str, re.Pattern[str]]] = []
        self.always: list[int] = []
        self.by_word: dict[str, list[int]] = {}
        self.longest = 0

    def add(self, tid: str, alternatives: list[str], firsts: list[str | None], flags: int) -> None:
        i = len(self.pats)
        self.pats.append((tid, re.compile("|".join(alternatives), flags)))
        if any(f is None for f in firsts):
            self.always.append(i)
            return
        for word in set(firsts):
            self.by_word.setdefault(word, []).append(i)  # type: ignore[arg-type]
            self.longest = max(self.longest, len(word))  # type: ignore[arg-type]

    def candidates(self, text: str) -> list[tuple[str, re.Pattern[str]]]:
        """The patterns that can match ``text``, in catalog order."""
        picked = set(self.always)
        for token in set(re.findall(r"\w+", text.lower())):
            for k in range(1, min(len(token), self.longest) + 1):
                hit = self.by_word.get(token[:k])
                if hit:
                    picked.update(hit)
        return [self.pats[i] for i in sorted(picked)]


@lru_cache(maxsize=8)
def _patterns(content_hash: str, entries: tuple[tuple[str, str, tuple[str, ...]], ...],
              question: bool) -> Patterns:
    pats = Patterns()
    for tid, name, syns in entries:
        phrases = [name, tid.replace("_", " ")]
        alts = [_flex(p) for p in phrases]
        firsts = [_first_word(p) for p in phrases]
        short: list[str] = []
        short_firsts: list[str | None] = []
        if not (question and tid in NOTE_ONLY):
            for s in syns:
                if _AREA_LABEL.match(s.strip()):
                    continue
                if len(s) <= 3:
                    short.append(rf"\b{re.escape(s.upper())}\b")  # "CA", "RP", "II": capitals only
                    short_firsts.append(_first_word(s))
                else:
                    alts.append(_flex(s))
                    firsts.append(_first_word(s))
        if not (question and tid in NOTE_ONLY) and tid in SHORTHAND:
            alts.append(SHORTHAND[tid])
            firsts.append(None)
        if question and tid in QUESTION_CUES:
            alts.append(QUESTION_CUES[tid])
            firsts.append(None)
        pats.add(tid, alts, firsts, _I)
        if short:
            pats.add(tid, short, short_firsts, 0)
    return pats


#: Compiled patterns per catalog (its techniques dict, held so that its id stays valid) and mode:
#: building the entries and hashing them for every call cost O(techniques) per question.
_BY_CATALOG: dict[tuple[int, str, bool], tuple[object, Patterns]] = {}


def _catalog_patterns(catalog: Catalog, question: bool) -> Patterns:
    key = (id(catalog.techniques), catalog.content_hash, question)
    got = _BY_CATALOG.get(key)
    if got is not None and got[0] is catalog.techniques:
        return got[1]
    entries = tuple((t.id, t.name, tuple(t.synonyms)) for t in catalog.techniques.values())
    pats = _patterns(catalog.content_hash, entries, question)
    if len(_BY_CATALOG) >= 16:
        _BY_CATALOG.clear()
    _BY_CATALOG[key] = (catalog.techniques, pats)
    return pats


def negated_before(text: str, start: int) -> bool:
    """A negation just before ``start`` ("never asked directly", "did not role-play"), in the same line
    and sentence only: a "didn't reply" on the bullet before does not negate "comm analysis" on this one."""
    return _NEGATED.search(re.split(r"[\n;.!?]", text[max(0, start - 40):start])[-1]) is not None


def match_techniques(text: str, catalog: Catalog, *, question: bool = False) -> dict[str, str]:
    """Catalog technique ids named in ``text`` -> the words that named them.

    ``question=True`` reads a clinician's question rather than a session note: words that are
    ordinary language in a question ("advised", "clarified") do not count, and question cues
    ("angry at me") do."""
    text = re.sub(r"\bw/(?=\s|\w)", "with ", text)
    found: dict[str, str] = {}
    for tid, pat in _catalog_patterns(catalog, question).candidates(text):
        for m in pat.finditer(text):
            if tid in found:
                break
            if negated_before(text, m.start()):
                continue
            found[tid] = m.group(0)
    return found
