"""Focal-area inference from a clinician's question, with the evidence kept.

Cues live in ``knowledge/focal_areas.yaml`` (``cues:``). A cue of five or more
characters matches as a word prefix ("retire" matches "retirement"); shorter
cues match whole words. Naming the area outright ("role dispute") wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .catalog import Catalog
from .models import FocalEvidence

#: The areas' technical names. Naming one outright ("role dispute with her mother") wins over cue
#: counts; a bare word ("grief", "dispute") is only an ordinary cue, since clinicians also use it
#: in questions ("should I switch to grief work?").
_EXPLICIT = {
    "grief": r"\b(?:complicated|abnormal|unresolved|delayed|chronic)\s+(?:grief|bereavement)\b",
    "role_dispute": r"\b(?:role|interpersonal)[\s-]+(?:disputes?|conflicts?)\b",
    "role_transition": r"\brole[\s-]+transitions?\b",
    "interpersonal_deficits": r"\binterpersonal\s+(?:deficits?|sensitivity)\b|\bsocial\s+isolation\b",
}
_FOCUS_WORD = {"grief": r"grief|bereavement", "role_dispute": r"(?:role\s+)?disputes?",
               "role_transition": r"(?:role\s+)?transitions?", "interpersonal_deficits": r"(?:interpersonal\s+)?deficits?|isolation"}
#: Words that name grief without a death; IPT's grief area needs a death (other losses are transitions).
GENERIC_GRIEF = frozenset({"grief", "grieving", "mourning", "bereave", "loss"})
NO_DEATH_FACTOR = 0.3
EXPLICIT_WEIGHT = 3.0
SECONDARY_RATIO = 0.5


@dataclass(frozen=True)
class FocalInference:
    primary: str | None
    secondary: str | None
    evidence: list[FocalEvidence]


def explicit_focus(low: str, area: str) -> bool:
    """The clinician names the area as the focus ("grief focus", "focus: grief")."""
    word = _FOCUS_WORD[area]
    return bool(re.search(rf"\b(?:focus|focal\s+area|fa)\s*(?:is|was|:|=|-)?\s*(?:on\s+)?(?:{word})\b|\b(?:{word})\s+focus\b", low)
                or re.search(_EXPLICIT[area], low))


def _cue_pattern(cue: str) -> str:
    cue = cue.strip().lower()
    body = r"\s+".join(re.escape(w) for w in cue.split())
    tail = "" if len(cue) >= 5 else r"\b"
    return rf"(?<![a-z]){body}{tail}"


@lru_cache(maxsize=8)
def _compiled(content_hash: str, cues: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    return {area: [(c, re.compile(_cue_pattern(c))) for c in area_cues] for area, area_cues in cues}


def infer_focal_area(text: str, catalog: Catalog) -> FocalInference:
    """Score each focal area by the cues found in ``text``; return primary, secondary and evidence."""
    cues = tuple((a.id, tuple(a.cues)) for a in catalog.focal.areas)
    patterns = _compiled(catalog.content_hash, cues)
    low = text.lower()
    evidence: list[FocalEvidence] = []
    no_death = False
    for area, pats in patterns.items():
        found: list[str] = []
        score = 0.0
        explicit = re.search(_EXPLICIT[area], low) or (
            re.search(rf"\b(?:{_FOCUS_WORD[area]})\s+focus\b|\bfocus\s*(?:is|:|=|-)?\s*(?:on\s+)?(?:{_FOCUS_WORD[area]})\b", low))
        covered: list[tuple[int, int]] = []
        if explicit:
            found.append(explicit.group(0))
            score += EXPLICIT_WEIGHT
            covered.append(explicit.span())
        for cue, pat in sorted(pats, key=lambda cp: -len(cp[0])):
            m = pat.search(low)
            if not m or any(s <= m.start() < e for s, e in covered):
                continue
            covered.append(m.span())
            found.append(m.group(0))
            score += 1.0 + 0.15 * min(len(cue.split()), 3)
        if area == "grief" and score > 0 and not explicit_focus(low, area):
            if all(c.strip() in GENERIC_GRIEF or c.startswith(("griev", "mourn", "bereave")) for c in found):
                score *= NO_DEATH_FACTOR  # "grieving the marriage" is a transition, not grief
                no_death = True
        if score > 0:
            evidence.append(FocalEvidence(area=area, score=round(score, 2), cues=found))  # type: ignore[arg-type]
    evidence.sort(key=lambda e: -e.score)
    if not evidence:
        return FocalInference(None, None, [])
    primary = evidence[0].area
    named = [a for a in _EXPLICIT if explicit_focus(low, a)]
    if len(named) == 1:
        primary = named[0]  # the clinician named the area outright: that wins over cue counts
    elif primary == "interpersonal_deficits" and len(evidence) > 1:
        # Deficits is the focus only when no death, dispute or transition fits.
        primary = evidence[1].area
    elif len(evidence) > 1 and evidence[1].score == evidence[0].score:
        # A tie: a death comes first; a life-role change usually frames the conflicts around it;
        # deficits is chosen only when nothing else fits.
        tied = [e.area for e in evidence if e.score == evidence[0].score]
        order = ("grief", "role_transition", "role_dispute", "interpersonal_deficits")
        primary = min(tied, key=order.index)  # type: ignore[assignment]
    rest = [e for e in evidence if e.area != primary and not (e.area == "grief" and no_death)]
    secondary = rest[0].area if rest and rest[0].score >= SECONDARY_RATIO * evidence[0].score else None
    evidence.sort(key=lambda e: (e.area != primary, -e.score))
    return FocalInference(primary, secondary, evidence)
