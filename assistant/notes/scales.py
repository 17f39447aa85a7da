"""Severity bands a draft may write for a documented score (``scales.yaml``).

"Her PHQ-9 of 16 falls in the moderately severe range" states a rating in words. It is supported when the
bullets give a PHQ-9 score and that score lies in the band; "PHQ-9 of 14 falls in the mild range" is not.
:func:`verified_bands` returns the spans of a sentence's band phrases that check out, so the fact check can
let them stand and still flag every other band word the bullets did not write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..yamlfile import load_yaml

_BAND = re.compile(r"\b(?:moderately[-\s]+severe|minimal|mild|moderate|severe|(?:possible|probable)(?=\s+(?:depression|"
                   r"postnatal\s+depression|perinatal\s+depression)))\b(?:\s+(?:range|band|level|category))?", re.I)
#: A score after a scale's name ("PHQ-9 16", "PHQ-9 of 16", "GAD-7 score = 12"), past a bracket naming whose
#: it is or up to three words saying how or when ("PHQ-9 (Dana) 15", "PHQ-9 by phone 10", "PHQ-9 today was
#: 15"; not an item: "PHQ-9 item 9 = 0"), and the 30 characters after it, where an earlier score stands
#: ("(was 16 at s1)").
_SCORE = re.compile(r"\s*(?:\([^()\d]{1,20}\)\s*)?(?:(?!item\b|q\b|question\b|qu\b|intake\b|baseline\b|referral\b|assessment\b|ax\b|start\b|"
                    r"initial\w*|prev\w*|last\b|earlier\b|was\b)[a-z']+\s+){0,3}?"
                    r"(?:total\s+)?(?:score\s+)?(?:of|was|is|at|=|:|-|–)?\s*(?:score\s+)?(?:of\s+)?(\d{1,2})"
                    r"(?![\d/]|\.\d)([^;\n]{0,30})", re.I)
#: The earlier score in "(was 16 at s1)", "(wk 1: 16)", "(s1 18)": a number not naming a session or week.
_EARLIER_NUMBER = re.compile(r"(?<![\w/])(?<!wk\s)(?<!week\s)(?<!session\s)(?<!sess\s)(?<!#)(\d{1,2})(?![\d/])", re.I)
#: Words that mark the earlier score beside the current one: "(was 16)", "from 16", "8 today vs 21 at start".
_EARLIER = re.compile(r"\(|\b(?:was|from|prev\w*|baseline|intake|last|initial\w*|vs|versus|compared|start|beginning|"
                      r"referral|assessment)\b", re.I)


@dataclass(frozen=True)
class Scale:
    name: str
    pattern: re.Pattern[str]
    bands: tuple[tuple[int, int, str], ...]
    full: str = ""
    items: tuple[tuple[int, frozenset[str]], ...] = ()


@lru_cache(maxsize=1)
def _scales() -> tuple[Scale, ...]:
    data = load_yaml(Path(__file__).with_name("scales.yaml").read_text(encoding="utf-8"))
    out = []
    for name, spec in data.items():
        names = sorted(spec["names"], key=len, reverse=True)
        pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n).replace(r"\ ", r"[\s-]?") for n in names) + r")(?![\w-])", re.I)
        items = tuple((int(n), frozenset(re.findall(r"[a-z]+", str(words).lower()))) for n, words in (spec.get("items") or {}).items())
        out.append(Scale(name, pattern, tuple((int(lo), int(hi), str(band)) for lo, hi, band in spec["bands"]),
                         str(spec.get("full", "")), items))
    return tuple(out)


def _score_after(text: str, end: int) -> int | None:
    m = _SCORE.match(text, end)
    return int(m.group(1)) if m else None


@dataclass(frozen=True)
class Documented:
    """A scale's scores in the bullets: each reading's (current, earlier or None)."""

    readings: tuple[tuple[int, int | None], ...]

    @property
    def score(self) -> int | None:
        """The one current score, when the bullets give exactly one."""
        scores = {now for now, _ in self.readings}
        return scores.pop() if len(scores) == 1 else None

    @property
    def earlier(self) -> int | None:
        """The one earlier score beside it ("PHQ-9 13 (was 16)")."""
        scores = {e for _, e in self.readings if e is not None}
        return scores.pop() if len(scores) == 1 else None


@lru_cache(maxsize=64)
def documented(src: str) -> dict[str, Documented]:
    """Per scale, what the bullets score (read once per bullets text)."""
    found: list[tuple[int, int, str, int, int | None]] = []  # (start, end, scale, current, earlier)
    for scale in _scales():
        for m in scale.pattern.finditer(src):
            r = _SCORE.match(src, m.end())
            if r is None:
                continue
            window = r.group(2)
            nxt = [n.start() for other in _scales() if (n := other.pattern.search(window))]
            window = window[:min(nxt)] if nxt else window  # up to the next scale's name ("..., GAD-7 12 (...)")
            e = _EARLIER_NUMBER.search(window) if _EARLIER.search(window) else None
            found.append((m.start(), r.end(1), scale.name, int(r.group(1)), int(e.group(1)) if e else None))
    found.sort()
    for m in _PAIRED_EARLIER.finditer(src):
        # "PHQ-9 11, GAD-7 12 (both down from 17/15 at S1)": the earlier scores, in the order of the scales before them
        line_start = src.rfind("\n", 0, m.start()) + 1
        before = [k for k, f in enumerate(found) if line_start <= f[0] and f[1] <= m.start()][-2:]
        if len(before) == 2 and all(found[k][4] is None for k in before):
            for k, earlier in zip(before, (int(m.group(1)), int(m.group(2)))):
                found[k] = found[k][:4] + (earlier,)
    out = {}
    for scale in _scales():
        out[scale.name] = Documented(tuple((now, earlier) for _, _, name, now, earlier in found if name == scale.name))
    return out


#: Two earlier scores given together for the two scales before them ("(both down from 17/15)", "(were 17 and 15)").
_PAIRED_EARLIER = re.compile(r"\(\s*(?:both\s+)?(?:(?:down|up)\s+)?(?:from|were|was|prev(?:iously)?)\s+(\d{1,2})\s*(?:/|and|&)\s*"
                             r"(\d{1,2})\b(?!\s*/)", re.I)


_PART = re.compile(r",|;|\band\b|\bwhile\b|\bwhereas\b|\bbut\b")
#: What a band grades when no scale is named, and the scales that grade it.
_GRADED = [(re.compile(r"\b(?:depress\w*|(?:low\s+)?mood)", re.I), ("PHQ-9", "PHQ-A", "BDI-II", "EPDS")),
           (re.compile(r"\banxi\w*", re.I), ("GAD-7",))]


def _implied(sentence: str, start: int, end: int, src: str) -> tuple[Scale, int] | None:
    """The scale a band grades when no scale is named ("moderately severe depressive symptoms", "anxiety is
    in the severe range"), with its score: the nearest cue either side says the kind, and the bullets must
    score exactly one scale of that kind, once."""
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
    docs = documented(src)
    scored = [(s, docs[s.name].score) for s in _scales() if s.name in kinds and docs[s.name].score is not None]
    return scored[0] if len(scored) == 1 else None


_FROM = re.compile(r"\b(?:from|previously|earlier|initially|at\s+intake)\s+(?:the\s+|a\s+)?(?:\d{1,2}\s*\(\s*)?$", re.I)
#: A band in brackets after a number grades that number: "PHQ-9 was 8 (mild), down from 20 (severe)".
_NUMBER_THEN = re.compile(r"(?<![\d/])(\d{1,2})\s*\(\s*$")


def verified_bands(sentence: str, src: str) -> list[tuple[int, int]]:
    """Spans of the band phrases in ``sentence`` that are right for the scale they follow (the nearest scale
    named before the band, else after it) and its score (in the sentence, else the bullets' one score)."""
    docs = documented(src)
    mentions = []  # (start, end, scale, score)
    for scale in _scales():
        for m in scale.pattern.finditer(sentence):
            score = _score_after(sentence, m.end())
            # the sentence's own number must be the bullets' score (else the typed checks flag it)
            mentions.append((m.start(), m.end(), scale,
                             docs[scale.name].score if score is None or score == docs[scale.name].score else None))
    out = []
    for b in _BAND.finditer(sentence):
        before = [x for x in mentions if x[1] <= b.start()]
        after = [x for x in mentions if x[0] >= b.end()]
        found = max(before, key=lambda x: x[1]) if before else (min(after, key=lambda x: x[0]) if after else None)
        named = (found[2], found[3]) if found else (_implied(sentence, b.start(), b.end(), src) if not mentions else None)
        if named is None or named[1] is None:
            continue
        scale, score = named
        earlier = docs[scale.name].earlier
        word = re.sub(r"[-\s]+", " ", re.match(r"[a-z]+(?:[-\s]+severe)?", b.group(0), re.I).group(0).lower())
        lead = sentence[max(0, b.start() - 20):b.start()]
        annotated = _NUMBER_THEN.search(lead)
        if annotated:  # the band of the number it follows, which must be the bullets' current or earlier score
            score = int(annotated.group(1)) if int(annotated.group(1)) in (score, earlier) else None
        elif _FROM.search(lead):  # "reduced from moderately severe to ..."
            score = earlier
        if score is not None and any(lo <= score <= hi and band == word for lo, hi, band in scale.bands):
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
    return [(m.start(), m.end()) for s in _scales() if s.pattern.search(src) for m in s.pattern.finditer(sentence)]


#: A score named as a scale's cut-off: "the threshold of 13", "a cut-off of 10", "13 or more", "(>= 10)".
_CUTOFF = re.compile(r"\b(?:threshold|cut-?\s?off|cut\s+point|cut-?\s?score)s?\s+(?:score\s+)?(?:of\s+|at\s+|is\s+)?"
                     r"(?:≥\s*)?(\d{1,2})\b|\b(\d{1,2})\s+or\s+(?:more|above|higher|over)\b|(?:≥|>=)\s*(\d{1,2})\b", re.I)


def cutoff_numbers(sentence: str, src: str) -> list[tuple[int, int]]:
    """Spans of the numbers a sentence gives as a published cut-off (a band's lowest score in scales.yaml) of a
    scale it names and the bullets score: "EPDS 20, well above the threshold of 13 for probable depression"."""
    named = [s for s in _scales() if s.bands and s.pattern.search(src) and documented(src)[s.name].readings
             and (s.pattern.search(sentence) or (s.full and re.search(rf"\b{re.escape(s.full.split()[0])}\b", sentence)))]
    lows = {lo for s in named for lo, _, _ in s.bands if lo > 0}
    out = []
    for m in _CUTOFF.finditer(sentence):
        k = next(i for i in (1, 2, 3) if m.group(i))
        if int(m.group(k)) in lows:
            out.append((m.start(k), m.end(k)))
    return out


@lru_cache(maxsize=64)
def directions(src: str) -> frozenset[str]:
    """How the bullets' scores moved: "down" for "PHQ-9 8 (was 16 at s1)", "up" for "GAD-7 15 (from 9)"."""
    return frozenset("down" if now < earlier else "up" for doc in documented(src).values()
                     for now, earlier in doc.readings if earlier is not None and earlier != now)


_CHANGE = {"down": re.compile(r"improv\w*|better|eased|easing|lifted|lower|reduced|fell|fallen|dropped|decreased|"
                               r"\b(?:falls?|drops?|decreases?|reductions?)\b", re.I),
           "up": re.compile(r"worse|worsen\w*|rose|risen|increased|higher|deteriorat\w*|\b(?:rises?|rising|increases?|jump(?:ed|s)?)\b",
                            re.I)}
#: A change given as a ratio ("his PHQ score has halved since intake"): borne out by a score that moved by about that much.
_RATIOS = {"halved": (0.4, 0.6), "doubled": (1.8, 2.2)}
#: The last word of a phrasal change ("has come down", "has gone up", "declined"): a change word for
#: :func:`change_supported`, not a direction read anywhere in a sentence ("follow-up", "set up").
_PHRASAL = {"down": re.compile(r"down|declined", re.I), "up": re.compile(r"up|climbed", re.I)}
#: What a score grades, named without the scale ("his mood has improved", "symptoms have eased").
_GRADED_ANY = re.compile(r"\b(?:depress\w*|mood|anxi\w*|symptoms?)\b", re.I)


#: Words for the size of a change ("a substantial improvement", "marked gains across treatment").
_SIZE = re.compile(r"substantial(?:ly)?|significant(?:ly)?|marked(?:ly)?|considerabl[ey]|dramatic(?:ally)?|noticeabl[ey]", re.I)
#: A change named without its direction ("substantial change", "marked shift", "gains").
_CHANGE_ANY = re.compile(r"\b(?:change[sd]?|shift(?:ed|s)?|mov(?:ed|ing)|gains?|progress|response)\b", re.I)
_GAIN = re.compile(r"\b(?:gains?|progress|response)\b", re.I)
#: A change is large when a score moved by at least this many points, or by half its earlier value: the usual
#: minimal clinically important difference on the PHQ-9 and the usual definition of response.
LARGE_POINTS = 5


def large_changes(src: str) -> frozenset[str]:
    """The directions in which some documented score moved by a large amount (LARGE_POINTS, or half)."""
    return frozenset("down" if now < earlier else "up" for doc in documented(src).values()
                     for now, earlier in doc.readings
                     if earlier is not None and earlier != now
                     and (abs(now - earlier) >= LARGE_POINTS or 2 * abs(now - earlier) >= earlier))


def size_supported(word: str, sentence: str, src: str) -> bool:
    """A word for the size of a change ("substantial", "marked", "significant") that the scores bear out: the
    sentence speaks of a change, every score that moved moved one way, and one moved by a large amount
    ("a substantial improvement" for "PHQ-9 8 (19 at intake)"). Not a size of anything else ("significant
    depressive symptoms" is a severity, graded by the bands)."""
    if not _SIZE.fullmatch(word):
        return False
    ways = directions(src)
    if len(ways) != 1 or not ways <= large_changes(src):
        return False
    way = next(iter(ways))
    said = {d for d, pat in _CHANGE.items() if pat.search(sentence)}
    if _GAIN.search(sentence):
        said.add("down")
    return said == {way} or (not said and bool(_CHANGE_ANY.search(sentence)))


def change_supported(word: str, sentence: str, src: str) -> bool:
    """A change word in a sentence about a scale's score that the bullets' scores bear out: "PHQ-9 has fallen
    to 8 from 16, consistent with improvement"; or, when every score moved the same way, in a sentence about
    what the scores grade (mood, depression, anxiety, symptoms). A word for the change's size stands when a
    score moved by a large amount (:func:`size_supported`)."""
    if size_supported(word, sentence, src):
        return True
    ways = directions(src)
    if not any(s.pattern.search(sentence) for s in _scales()) and not re.search(r"\bscores?\b", sentence, re.I):
        # Without the scale named, the change must be about what the scores grade, and the scores must all
        # have moved one way ("his mood has improved slightly" for "PHQ-9 10 (13 at s4)").
        if len(ways) != 1 or not _GRADED_ANY.search(sentence):
            return False
    if word.lower() in _RATIOS:
        low, high = _RATIOS[word.lower()]
        return any(earlier and low <= now / earlier <= high for doc in documented(src).values()
                   for now, earlier in doc.readings if earlier is not None)
    return any(_CHANGE[d].fullmatch(word) or _PHRASAL[d].fullmatch(word) for d in ways)


def full_names(src: str) -> list[str]:
    """The written-out names of the scales the bullets name ("Edinburgh Postnatal Depression Scale" for EPDS)."""
    return [s.full for s in _scales() if s.full and s.pattern.search(src)]


_ITEM_WORD = r"(?:item|question|q)"
_ITEM = _ITEM_WORD + r"\s*#?(\d{1,2})"
#: A description set beside an item's number: "item 10 (thoughts of self-harm)", "item 10, on thoughts of
#: self-harm,", "Item 10, which asks about thoughts of self-harm,", "item 9 about being better off dead was 0".
_ITEM_DESCRIBED = re.compile(
    _ITEM + r"\s*(?:\(([^()]{2,60})\)|,\s*(?:(?:which|that)\s+(?:asks?|covers?|measures?|screens?)\s+(?:about\s+|for\s+)?|"
    r"on\s+|about\s+|asking\s+about\s+|covering\s+|for\s+)([^,;.()]{2,60})(?:,|\.?\s*$)|\s+(?:on|about|asking\s+about|covering)\s+"
    r"([^,;.()]{2,60}?)(?=\s+(?:was|were|is|=|scored|score|rated|:|at|of)\b))", re.I)


#: Words of a description that carry no topic of their own.
_DESCRIPTION_LIGHT = frozenset("the a an of on about in or and any her his their some way being be is are was were would "
                               "oneself yourself herself himself themselves myself she he they you feeling feelings "
                               "having".split())


@lru_cache(maxsize=64)
def _itemised(src: str) -> tuple[Scale, ...]:
    """The scales with listed items that the bullets name (read once per bullets text, not per sentence)."""
    return tuple(s for s in _scales() if s.items and s.pattern.search(src))


def mask_items(sentence: str, src: str) -> str:
    """The sentence with the descriptions of scale items blanked (same length), where the bullets give the
    item's score for a scale they name and the description is in the item's own words: "item 10 (thoughts
    of self-harm) scored 0" describes the EPDS item, it does not report self-harm."""
    named = _itemised(src)
    if not named:
        return sentence
    for m in reversed(list(_ITEM_DESCRIBED.finditer(sentence))):
        number = int(m.group(1))
        if not re.search(rf"\b{_ITEM_WORD}\s*#?{number}\b", src, re.I):
            continue
        group = next(g for g in (2, 3, 4) if m.group(g))
        words = set(re.findall(r"[a-z]+", m.group(group).lower())) - _DESCRIPTION_LIGHT
        if any(n == number and words <= topic for s in named for n, topic in s.items):
            a, b = m.span(group)
            sentence = sentence[:a] + " " * (b - a) + sentence[b:]
    return sentence
