"""Claims of change. About risk: a draft sentence about risk whose words are all the bullets' own can still turn a
documented fact around ("her son is cutting less", "her partner has stopped drinking", "her son has not cut since the
referral"). Content grounding cannot see it (the words are the bullets') and closeness in meaning rewards it (the
sentence is about the same fact). Such a sentence is supported only when a bullet line it retells states the same
kind of change, in any words ("↓", "reduced", "less").

About any other fact (``invented_change``): "her husband has stopped going to the pub" for "husband still out at the
pub most evenings", "she has gone back to the office", "she has already phoned her brother" for "HW: consider
phoning her brother". A sentence that retells a bullet line must not claim a change, a resumption or a step done
that no line it retells states; a change hoped for, planned, denied or inferred claims nothing."""

from __future__ import annotations

import re
from functools import lru_cache

#: Kinds of change, each with the words that say it.
KINDS: dict[str, re.Pattern[str]] = {
    "down": re.compile(r"\b(?:less|fewer|reduc\w*|decreas\w*|lower\w*|dropp?ed|fell|fallen|cut\s+(?:down|back)|"
                       r"cut\s+(?:back\s+|down\s+)?to\s+(?:weekends?|\d|once|twice|one|two|three|half|a\s+(?:few|couple))|"
                       r"cutting\s+(?:down|back))\b|↓|⬇", re.I),
    "stopped": re.compile(r"\b(?:stopp?\w*|no\s+longer|any\s*more|quit|gave\s+up|given\s+up|ceas\w*|ended|"
                          r"(?:has|have|had)\s*(?:n't|not)\s+(?:\w+\s+){0,2}since|not\s+(?:\w+\s+){0,2}since|"
                          r"abstinent|sober|none\s+since|nil\s+since)\b", re.I),
    "better": re.compile(r"\b(?:better(?!\s+off)|improv\w*|eas(?:ed|ing)|settl\w*|calmer|resolv\w*|brighter|lifted|happier|"
                         r"recover\w*)\b", re.I),
}


#: A line that gives an earlier state beside the current one ("2-3x/wk (was daily)", "PHQ-9 13 (was 16)", "previously
#: daily") states a change without naming its direction: a sentence may say it lessened or improved, not that it stopped.
_EARLIER = re.compile(r"\(\s*(?:was|prev\w*|from)\b|\bwas\s+[\w/-]+\s*\)|\b(?:down|up)?\s*from\s+\d|\bpreviously\b|"
                      r"\(\s*(?:at\s+)?(?:s|sess\w*|session|wk|week|intake|baseline|assessment|start)\s*\d*\s*[:=,-]?\s*\d+|\d\s*(?:->|→|=>)\s*\d",
                      re.I)


def _kinds(text: str) -> set[str]:
    return {kind for kind, pattern in KINDS.items() if pattern.search(text)}


def _supported(line: str) -> set[str]:
    return _kinds(line) | ({"down", "better"} if _EARLIER.search(line) else set()) | _moved(line)


#: Two ratings of one thing in time order ("rated anxiety 8/10 before going, 5/10 after", "urges 7 -> 3", "from 6 to 2").
_BEFORE_AFTER = re.compile(r"(\d+(?:\.\d+)?)(?:\s*/\s*10)?\s*(?:before|beforehand|at\s+(?:first|the\s+start))\b[^.;\n]{0,30}?"
                           r"(\d+(?:\.\d+)?)(?:\s*/\s*10)?\s*(?:after|afterwards?|at\s+the\s+end|by\s+the\s+end|later)\b", re.I)
_ARROW = re.compile(r"(?<![\d/])(\d+(?:\.\d+)?)(?:\s*/\s*10)?\s*(?:->|→|=>|-+>)\s*(\d+(?:\.\d+)?)|"
                    r"\bfrom\s+(\d+(?:\.\d+)?)(?:\s*/\s*10)?\s+to\s+(\d+(?:\.\d+)?)", re.I)


def _moved(line: str) -> set[str]:
    """The ways a rating moved within one line, read from its two numbers in time order: "down" or "up" (not "better":
    which way is better depends on what was rated)."""
    out: set[str] = set()
    for m in (*_BEFORE_AFTER.finditer(line), *_ARROW.finditer(line)):
        a, b = [float(g) for g in m.groups() if g is not None][:2]
        if a != b:
            out.add("down" if b < a else "up")
    return out


@lru_cache(maxsize=2048)
def _stems(text: str) -> frozenset[str]:
    """A text's content stems, with the shorthand it uses expanded ("dtr" -> "daughter"). Cached: a note's bullet
    lines are read once for all its sentences."""
    from .claims import content_stems, stem_all, tokens, vocabulary

    expansions = vocabulary()[1]
    return frozenset(content_stems(text)) | frozenset(stem_all([w for t in tokens(text) for w in expansions.get(t, ())]))


def _retold(sentence: str, lines: list[str]) -> list[str]:
    """The bullet lines ``sentence`` retells: those sharing at least two content stems with it (shorthand expanded)."""
    mine = _stems(sentence)
    return [line for line in lines if len(mine & _stems(line)) >= 2]


def unsupported_change(sentence: str, lines: list[str]) -> str | None:
    """The words of change in ``sentence`` that no bullet line it retells supports, or None. A line is retold when
    it shares at least two content stems with the sentence (shorthand expanded); a sentence that retells none is left
    to the content grounding."""
    said = _kinds(sentence)
    if not said or not lines:
        return None
    retold = _retold(sentence, lines)
    if not retold:
        return None
    missing = sorted(said - set().union(*(_supported(line) for line in retold)))
    m = KINDS[missing[0]].search(sentence) if missing else None
    return m.group(0) if m else None


#: Changes in any fact (not only risk): less, stopped, better, and a thing begun, resumed, done or grown worse.
#: Verbs, not nouns ("the reduction in cannabis use" in an interpretation) and not events in the simple past ("the
#: relationship ended in March", "grief work began").
_ANY_KINDS: dict[str, re.Pattern[str]] = {
    "down": re.compile(r"\b(?:less|fewer|(?:reduc|decreas|lower)(?:ed|ing|es)|dropped|(?:has|have|had)\s+fallen(?!\s+away)|"
                       r"cut\s+(?:down|back)|cutting\s+(?:down|back)|(?:come|came|gone|went)\s+down)\b", re.I),
    "stopped": re.compile(r"\b(?:stopped|no\s+longer|any\s*more|quit|gave\s+up|given\s+up|ceased|abstinent|sober|"
                          r"(?:has|have|had)\s*(?:n't|not)\s+(?:\w+\s+){0,2}since)\b", re.I),
    "better": re.compile(r"\b(?:better(?!\s+off)|improv(?:ed|ing|es)|eased|easing|settled|settling|calmer|resolved|brighter|"
                         r"lifted|happier|recovered|lengthened)\b", re.I),
    "started": re.compile(r"\b(?:(?:has|have|had)\s+(?:now\s+)?(?:started|begun)|begin(?:s|ning)\s+to)\b", re.I),
    "resumed": re.compile(r"\b(?:resumed|(?:has|have|had)\s+returned\s+to|returned\s+to|(?:is|was|are|were|be|been|went|gone|got|"
                          r"getting|going|come|came)\s+back\s+(?:to|at|in|into|on)|back\s+on\s+(?:speaking|good|better)\s+terms|"
                          r"once\s+again|again)\b", re.I),
    "done": re.compile(r"\b(?:has|have|had)\s+(?:since|now|already|finally)\s+\w+(?:ed|en|t)\b", re.I),
    "worse": re.compile(r"\b(?:worse|worsened|worsening|deteriorated|deteriorating|escalated|escalating|(?:has|have|had)\s+"
                        r"increased|increasing)\b", re.I),
}
#: A word just before the change that says it did not happen ("has not returned to church", "avoids escalating the
#: dispute"), or an inference the draft marks as one ("suggest she has begun to"); and a state, not a change ("her
#: appetite is reduced").
_NOT_A_CHANGE = re.compile(r"(?:\b(?:not|never|no|n't|suggests?|suggesting|avoid(?:s|ed|ing)?|without|prevent\w*)\W+(?:\w+\W+)?|"
                           r"n't\s+)$", re.I)
_STATE = re.compile(r"\b(?:is|are|remains?|seems?)\W+(?:\w+\W+)?$", re.I)
#: ... or a participle standing as an adjective before the noun a bullet line says is down ("a reduced appetite" for
#: "appetite down", "decreased energy" for "energy low"): the state the line names, not a claim that it changed ("she
#: reports reduced drinking", or "with a reduced intake" where no line says the intake is down, still claims one).
_ADJECTIVE_BEFORE = re.compile(r"(?:\b(?:a|an|and|with)|,)\s+$", re.I)
_NOUN_AFTER = re.compile(r"\s+([a-z]{3,})", re.I)
_LOW_IN_LINE = re.compile(r"\b(?:down|low|poor|reduc\w*|decreas\w*|less|lower)\b|↓|⬇", re.I)


def _state_in_line(sentence: str, end: int, lines: list[str]) -> bool:
    """The noun after an adjectival "reduced" is one a bullet line says is down or low."""
    m = _NOUN_AFTER.match(sentence, end)
    if m is None:
        return False
    noun = _stems(m.group(1))
    return bool(noun) and any(noun <= _stems(line) and _LOW_IN_LINE.search(line) for line in lines)


#: What a bullet line says of change, for each kind a sentence may claim.
_LINE_SUPPORT: dict[str, re.Pattern[str]] = {
    # ... and taking something up ("joined walking grp, went twice" bears out "has started attending the walking group")
    "started": re.compile(r"\b(?:start\w*|began|begun|new(?:ly)?|first\s+time|since|now|1st|joined|took\s+up|taken\s+up|"
                          r"signed\s+up|enrol\w*)\b", re.I),
    "resumed": re.compile(r"\b(?:again|back|resum\w*|return\w*|re-?\w+ed|first\s+time\s+since)\b", re.I),
}
#: A line that says a thing is not done yet, or is only set or planned ("still not replied to sister's texts", "HW:
#: consider writing to brother").
_NOT_DONE = re.compile(r"\b(?:still\s+not|not\s+yet|n't|hasn'?t|haven'?t|HW|task|plan\w*|consider\w*|will|to\s+do|next|goal|aim)\b", re.I)
#: A change hoped for, planned or possible is no claim that it happened ("may help her feel less alone", "so she can
#: draw on it again", "the goal is to argue less").
_NOT_HAPPENED = re.compile(r"\b(?:may|might|could|can|will|would|should|to\s+help|help(?:s|ed|ing)?|aim\w*|goal|plan\w*|hope\w*|"
                           r"want\w*|wish\w*|so\s+that|in\s+order\s+to|if|whether|try\w*|work\w*\s+(?:on|towards?)|explor\w*|"
                           r"discuss\w*|consider\w*)\b[^.;:]*$", re.I)
#: Returning to the session's own work ("returned to IPT", "returned to the homework") is the session's shape.
_SESSION_WORK = re.compile(r"\s+(?:the\s+)?(?:IPT|topic|theme|task|homework|HW|session|agenda|discussion|focus|focal\s+area|"
                           r"inventory|timeline|this|it)\b", re.I)


def _line_supports(kind: str, line: str) -> bool:
    if kind in _LINE_SUPPORT:
        return bool(_LINE_SUPPORT[kind].search(line) or (kind == "started" and _ANY_KINDS["started"].search(line)))
    if kind == "worse":
        return bool(_ANY_KINDS["worse"].search(line) or _EARLIER.search(line))
    return kind in _supported(line)


def invented_change(sentence: str, lines: list[str]) -> str | None:
    """A change the sentence claims in a fact that no bullet line it retells (two content stems shared) says changed
    that way: "her partner has started coming home earlier" for "partner still working late most nights". A change
    hoped for or planned ("may help her feel less alone") claims nothing."""
    if not lines:
        return None
    from .scales import change_supported

    said = sorted(((m, kind) for kind, pattern in _ANY_KINDS.items() for m in pattern.finditer(sentence)),
                  key=lambda found: found[0].start())
    if not said:
        return None
    retold = _retold(sentence, lines)
    if not retold:
        return None
    for m, kind in said:
        before = sentence[:m.start()]
        if _NOT_HAPPENED.search(before) or _NOT_A_CHANGE.search(before) or (_STATE.search(before) and kind in ("down", "better")) \
                or (kind == "down" and m.group(0).lower().endswith("ed") and _ADJECTIVE_BEFORE.search(before)
                    and _state_in_line(sentence, m.end(), lines)) \
                or _SESSION_WORK.match(sentence, m.end()):
            continue
        word = m.group(0).lower()
        if kind == "done":
            # A step done: the lines that name its verb must not say it is only set, planned or not done yet.
            verb = _stems(m.group(0).split()[-1])
            naming = [line for line in retold if verb and verb <= _stems(line)]
            if naming and all(_NOT_DONE.search(line) for line in naming):
                return m.group(0)
            continue
        if any(_line_supports(kind, line) or word in line.lower() for line in retold) \
                or (kind in ("down", "better", "worse") and change_supported(m.group(0).split()[-1], sentence, "\n".join(lines))):
            continue
        return m.group(0)
    return None


def retold_change(word: str, sentence: str, lines: list[str]) -> bool:
    """Whether a word of change in ``sentence`` ("improved", "eased", "worse") is borne out by a bullet line the
    sentence retells, which states that direction of change in any words: "her sleep has improved to around six
    hours" for "sleep better, ~6h"."""
    kinds = [kind for kind, pattern in _ANY_KINDS.items() if pattern.fullmatch(word)]
    if not kinds or not lines:
        return False
    retold = _retold(sentence, lines)
    return any(_line_supports(kind, line) for kind in kinds for line in retold)

