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

_EXPLICIT = {
    "grief": r"\b(?:grief|bereave\w*|mourning)\b",
    "role_dispute": r"\b(?:role\s+dispute|interpersonal\s+dispute|role\s+conflict|dispute)s?\b",
    "role_transition": r"\brole\s+transitions?\b|\btransition\b",
    "interpersonal_deficits": r"\binterpersonal\s+(?:deficits?|sensitivity)\b|\bsocial\s+isolation\b",
}
EXPLICIT_WEIGHT = 3.0
SECONDARY_RATIO = 0.5


@dataclass(frozen=True)
class FocalInference:
    primary: str | None
    secondary: str | None
    evidence: list[FocalEvidence]


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
    for area, pats in patterns.items():
        found: list[str] = []
        score = 0.0
        explicit = re.search(_EXPLICIT[area], low)
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
        if score > 0:
            evidence.append(FocalEvidence(area=area, score=round(score, 2), cues=found))  # type: ignore[arg-type]
    evidence.sort(key=lambda e: -e.score)
    if not evidence:
        return FocalInference(None, None, [])
    primary = evidence[0].area
    named = [a for a, pat in _EXPLICIT.items() if re.search(pat, low)]
    if len(named) == 1:
        primary = named[0]  # the clinician named the area outright: that wins over cue counts
    elif len(evidence) > 1 and evidence[1].score == evidence[0].score:
        # A tie: follow the IPT rule of thumb that deficits is chosen only when nothing else fits.
        tied = [e.area for e in evidence if e.score == evidence[0].score]
        order = ("grief", "role_dispute", "role_transition", "interpersonal_deficits")
        primary = min(tied, key=order.index)  # type: ignore[assignment]
    rest = [e for e in evidence if e.area != primary]
    secondary = rest[0].area if rest and rest[0].score >= SECONDARY_RATIO * evidence[0].score else None
    evidence.sort(key=lambda e: (e.area != primary, -e.score))
    return FocalInference(primary, secondary, evidence)
