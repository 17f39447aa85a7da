"""Claims of change about risk: a draft sentence about risk whose words are all the bullets' own can still turn a
documented fact around ("her son is cutting less", "her partner has stopped drinking", "her son has not cut since the
referral"). Content grounding cannot see it (the words are the bullets') and closeness in meaning rewards it (the
sentence is about the same fact). Such a sentence is supported only when a bullet line it retells states the same
kind of change, in any words ("↓", "reduced", "less")."""

from __future__ import annotations

import re
from functools import lru_cache

#: Kinds of change, each with the words that say it.
KINDS: dict[str, re.Pattern[str]] = {
    "down": re.compile(r"\b(?:less|fewer|reduc\w*|decreas\w*|lower\w*|dropp?ed|fell|fallen|cut\s+(?:down|back)|"
                       r"cutting\s+(?:down|back))\b|↓|⬇", re.I),
    "stopped": re.compile(r"\b(?:stopp?\w*|no\s+longer|any\s*more|quit|gave\s+up|given\s+up|ceas\w*|ended|"
                          r"(?:has|have|had)\s*(?:n't|not)\s+(?:\w+\s+){0,2}since|not\s+(?:\w+\s+){0,2}since|"
                          r"abstinent|sober|none\s+since|nil\s+since)\b", re.I),
    "better": re.compile(r"\b(?:better(?!\s+off)|improv\w*|eas(?:ed|ing)|settl\w*|calmer|resolv\w*|brighter|lifted|happier|"
                         r"recover\w*)\b", re.I),
}


#: A line that gives an earlier state beside the current one ("2-3x/wk (was daily)", "PHQ-9 13 (was 16)", "previously
#: daily") states a change without naming its direction: a sentence may say it lessened or improved, not that it stopped.
_EARLIER = re.compile(r"\(\s*(?:was|prev\w*|from)\b|\bwas\s+[\w/-]+\s*\)|\b(?:down|up)?\s*from\s+\d|\bpreviously\b", re.I)


def _kinds(text: str) -> set[str]:
    return {kind for kind, pattern in KINDS.items() if pattern.search(text)}


def _supported(line: str) -> set[str]:
    return _kinds(line) | ({"down", "better"} if _EARLIER.search(line) else set())


@lru_cache(maxsize=2048)
def _stems(text: str) -> frozenset[str]:
    """A text's content stems, with the shorthand it uses expanded ("dtr" -> "daughter"). Cached: a note's bullet
    lines are read once for all its sentences."""
    from .claims import content_stems, stem_all, tokens, vocabulary

    expansions = vocabulary()[1]
    return frozenset(content_stems(text)) | frozenset(stem_all([w for t in tokens(text) for w in expansions.get(t, ())]))


def unsupported_change(sentence: str, lines: list[str]) -> str | None:
    """The words of change in ``sentence`` that no bullet line it retells supports, or None. A line is retold when
    it shares at least two content stems with the sentence (shorthand expanded); a sentence that retells none is left
    to the content grounding."""
    said = _kinds(sentence)
    if not said or not lines:
        return None
    mine = _stems(sentence)
    retold = [line for line in lines if len(mine & _stems(line)) >= 2]
    if not retold:
        return None
    missing = sorted(said - set().union(*(_supported(line) for line in retold)))
    m = KINDS[missing[0]].search(sentence) if missing else None
    return m.group(0) if m else None
