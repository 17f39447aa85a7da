"""Severity bands a draft may write for a documented score (``scales.yaml``).

"Her PHQ-9 of 16 falls in the moderately severe range" states a rating in words. It is supported when the
bullets give a PHQ-9 score and that score lies in the band; "PHQ-9 of 14 falls in the mild range" is not.
:func:`verified_bands` returns the spans of a sentence's band phrases that check out, so the fact check can
let them stand and still flag every other band word the bullets did not write.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ..yamlfile import load_yaml

_BAND = re.compile(r"\b(?:moderately[-\s]+severe|minimal|mild|moderate|severe|(?:possible|probable)(?=\s+(?:depression|"
                   r"postnatal\s+depression|perinatal\s+depression)))\b(?:\s+(?:range|band|level|category))?", re.I)


@lru_cache(maxsize=1)
def _scales() -> list[tuple[re.Pattern[str], list[tuple[int, int, str]]]]:
    data = load_yaml(Path(__file__).with_name("scales.yaml").read_text(encoding="utf-8"))
    out = []
    for spec in data.values():
        names = sorted(spec["names"], key=len, reverse=True)
        pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n).replace(r"\ ", r"[\s-]?") for n in names) + r")(?![\w-])", re.I)
        out.append((pattern, [(int(lo), int(hi), str(name)) for lo, hi, name in spec["bands"]]))
    return out


def _score_after(text: str, end: int) -> int | None:
    """The score written right after a scale's name: "PHQ-9 16", "PHQ-9 of 16", "GAD-7 score = 12"."""
    m = re.match(r"\s*(?:total\s+)?(?:score\s+)?(?:of|was|is|at|=|:|-|–)?\s*(?:score\s+)?(?:of\s+)?(\d{1,2})(?![\d/]|\.\d)", text[end:], re.I)
    return int(m.group(1)) if m else None


def _bullet_score(pattern: re.Pattern[str], src: str) -> int | None:
    """The scale's score in the bullets, when they give exactly one (a current score before any "(was 18)")."""
    scores = {s for m in pattern.finditer(src) if (s := _score_after(src, m.end())) is not None}
    return scores.pop() if len(scores) == 1 else None


_PART = re.compile(r",|;|\band\b|\bwhile\b|\bwhereas\b|\bbut\b")
#: What a band grades when no scale is named, and the scales that grade it.
_GRADED = [(re.compile(r"\b(?:depress\w*|(?:low\s+)?mood)", re.I), ("PHQ-9", "PHQ-A", "BDI-II", "EPDS")),
           (re.compile(r"\banxi\w*", re.I), ("GAD-7",))]


def _implied(sentence: str, start: int, end: int, src: str) -> tuple[int, int, int, list[tuple[int, int, str]]] | None:
    """The scale a band grades when no scale is named ("moderately severe depressive symptoms", "anxiety is
    in the severe range"): the nearest cue either side says the kind, and the bullets must score exactly one
    scale of that kind, once."""
    cues = [(min(abs(m.start() - end), abs(start - m.end())), kinds) for cue, kinds in _GRADED
            for m in cue.finditer(sentence)]
    # a cue in the band's own part of the sentence first ("anxiety is severe and depression moderate")
    cuts = [0, *(m.end() for m in _PART.finditer(sentence)), len(sentence) + 1]
    lo, hi = max(c for c in cuts if c <= start), min(c for c in cuts if c >= end)
    own = [(0, kinds) for cue, kinds in _GRADED for m in cue.finditer(sentence) if lo <= m.start() < hi]
    cues = own or cues
    if not cues:
        return None
    kinds = min(cues, key=lambda c: c[0])[1]
    scored = [(score, bands) for name, (pattern, bands) in zip(_names(), _scales()) if name in kinds
              and (score := _bullet_score(pattern, src)) is not None]
    return (0, 0, scored[0][0], scored[0][1]) if len(scored) == 1 else None


@lru_cache(maxsize=1)
def _names() -> list[str]:
    return list(load_yaml(Path(__file__).with_name("scales.yaml").read_text(encoding="utf-8")))


_FROM = re.compile(r"\b(?:from|previously|earlier|initially|at\s+intake)\s+(?:the\s+|a\s+)?(?:\d{1,2}\s*\(\s*)?$", re.I)
#: A band in brackets after a number grades that number: "PHQ-9 was 8 (mild), down from 20 (severe)".
_NUMBER_THEN = re.compile(r"(?<![\d/])(\d{1,2})\s*\(\s*$")


def _earlier_score(pattern: re.Pattern[str], src: str) -> int | None:
    """The earlier score the bullets give beside the scale's one current score ("PHQ-9 13 (was 16)")."""
    found = set()
    for m in pattern.finditer(src):
        tail = re.match(r"\s*(?:total\s+)?(?:score\s+)?(?:of|was|is|at|=|:|-|–)?\s*(?:score\s+)?(?:of\s+)?\d{1,2}([^;\n]{0,30})",
                        src[m.end():], re.I)
        if tail and _EARLIER.search(tail.group(1)):
            e = _EARLIER_NUMBER.search(tail.group(1))
            if e:
                found.add(int(e.group(1)))
    return found.pop() if len(found) == 1 else None


def verified_bands(sentence: str, src: str) -> list[tuple[int, int]]:
    """Spans of the band phrases in ``sentence`` that are right for the scale they follow (the nearest scale
    named before the band, else after it) and its score (in the sentence, else the bullets' one score)."""
    mentions = []  # (start, end, score, bands)
    earlier_of = {}
    for pattern, bands in _scales():
        earlier_of[id(bands)] = _earlier_score(pattern, src)
        for m in pattern.finditer(sentence):
            score = _score_after(sentence, m.end())
            if score is None:
                score = _bullet_score(pattern, src)
            elif score != _bullet_score(pattern, src):
                score = None  # the sentence's number is not the bullets' score: the typed checks flag it
            mentions.append((m.start(), m.end(), score, bands))
    out = []
    for b in _BAND.finditer(sentence):
        before = [x for x in mentions if x[1] <= b.start()]
        after = [x for x in mentions if x[0] >= b.end()]
        scale = max(before, key=lambda x: x[1]) if before else (min(after, key=lambda x: x[0]) if after else None)
        if scale is None and not mentions:
            scale = _implied(sentence, b.start(), b.end(), src)
        if scale is None or scale[2] is None:
            continue
        word = re.sub(r"[-\s]+", " ", re.match(r"[a-z]+(?:[-\s]+severe)?", b.group(0), re.I).group(0).lower())
        score = scale[2]
        lead = sentence[max(0, b.start() - 20):b.start()]
        annotated = _NUMBER_THEN.search(lead)
        if annotated:  # the band of the number it follows, which must be the bullets' current or earlier score
            score = int(annotated.group(1)) if int(annotated.group(1)) in (score, earlier_of.get(id(scale[3]))) else None
        elif _FROM.search(lead):  # "reduced from moderately severe to ..."
            score = earlier_of.get(id(scale[3]))
        if score is None:
            continue
        if any(lo <= score <= hi and name == word for lo, hi, name in scale[3]):
            out.append((b.start(), b.end()))
    return out


def mask_verified(sentence: str, src: str) -> str:
    """The sentence with its verified band phrases blanked (same length): what remains is checked as usual."""
    for a, b in reversed(verified_bands(sentence, src)):
        sentence = sentence[:a] + " " * (b - a) + sentence[b:]
    return sentence


def scale_names(sentence: str, src: str) -> list[tuple[int, int]]:
    """Spans of the scale names in ``sentence`` for scales the bullets name in any of its forms: the digits
    of "PHQ-9" are the scale's name, not a number, when the bullets wrote "PHQ 15"."""
    return [(m.start(), m.end()) for pattern, _ in _scales() if pattern.search(src) for m in pattern.finditer(sentence)]


#: The earlier score in "(was 16 at s1)", "(wk 1: 16)", "(s1 18)": a number not naming a session or week.
_EARLIER_NUMBER = re.compile(r"(?<![\w/])(?<!wk\s)(?<!week\s)(?<!session\s)(?<!sess\s)(?<!#)(\d{1,2})(?![\d/])", re.I)
_EARLIER = re.compile(r"\(|\b(?:was|from|prev\w*|baseline|intake|last|initially)\b", re.I)


def directions(src: str) -> set[str]:
    """How the bullets' scores moved: "down" for "PHQ-9 8 (was 16 at s1)", "up" for "GAD-7 15 (from 9)"."""
    out = set()
    for pattern, _ in _scales():
        for m in pattern.finditer(src):
            now = _score_after(src, m.end())
            if now is None:
                continue
            tail = re.match(r"\s*(?:total\s+)?(?:score\s+)?(?:of|was|is|at|=|:|-|–)?\s*(?:score\s+)?(?:of\s+)?\d{1,2}([^;\n]{0,30})",
                            src[m.end():], re.I)
            window = tail.group(1) if tail else ""
            if not _EARLIER.search(window):
                continue
            earlier = _EARLIER_NUMBER.search(window)
            if earlier and int(earlier.group(1)) != now:
                out.add("down" if now < int(earlier.group(1)) else "up")
    return out


_CHANGE = {"down": re.compile(r"improv\w*|better", re.I), "up": re.compile(r"worse|worsen\w*", re.I)}


def change_supported(word: str, sentence: str, src: str) -> bool:
    """A change word in a sentence about a scale's score that the bullets' scores bear out: "PHQ-9 has fallen
    to 8 from 16, consistent with improvement"."""
    if not any(p.search(sentence) for p, _ in _scales()) and not re.search(r"\bscores?\b", sentence, re.I):
        return False
    return any(_CHANGE[d].fullmatch(word) for d in directions(src))
