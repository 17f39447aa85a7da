"""A history closed later in its sentence: "Before the kids, my client had a couple of hospital admissions for mania --
she's been completely well for 12 years on lithium"; "went through what sounds like a manic episode in college --
maxed out cards, didn't sleep for days -- but she's 41 now, never diagnosed bipolar, nothing like it since".

ConText scopes a remission ("none since", "well for 12 years") backwards within its clause, and its scope ends where a
new subject starts one ("-- she's been well"), so a finding told before it stayed current. Here the closing words date
every risk finding told before them in the same sentence, unless the finding's own clause places it in the present
("again", "this week", "on Sat"), or the sentence goes on after the closing words to say it came back ("until last
week", "then relapsed"). A remission must be long (years) or open ("nothing since"); "none since Tuesday" is recent
and already read as current by the context rules. A remission broken off lately ("well for 12 years until last month")
opens the history again, at the level that asks directly.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .types import Signal

#: Words that close a history: nothing since, or well for years.
_CLOSED = re.compile(
    r"\b(?:(?:none|nothing|nil|no(?:\s+(?:episodes?|recurrences?|relapses?|problems?|issues?|further|more|repeats?|"
    r"attempts?|self[-\s]?harm|sh|si|thoughts?|symptoms?|admissions?))?|not\s+(?:once|again|any\s*more)?)"
    r"(?:\s+(?:like\s+(?:it|that|this)|of\s+(?:it|that|the\s+sort)|at\s+all|similar|else))?\s+(?:ever\s+)?since"
    r"(?:\s+then|\s+that)?(?=\s*(?:[.;,)!?'\"]|--|[-–—]\s|$))"
    r"|(?:well|stable|settled|euthymic|in\s+remission|clean|sober|symptom[-\s]free|fine|ok|okay|episode[-\s]free)\s+"
    r"(?:(?:for|over)\s+(?:the\s+(?:last|past)\s+)?(?:(?:about|almost|nearly|over|well\s+over)\s+)?"
    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|many|several|a\s+few|some)"
    r"\+?\s+(?:years?|yrs?|decades?)|for\s+(?:years|decades|a\s+decade|ages)|ever\s+since))\b", re.I)

#: After the closing words, the sentence says the risk came back or is recent: the history is not closed.
_RESUMED = re.compile(r"\b(?:until|till|til|except|apart\s+from|but|then|again|now|recent\w*|last|this|yesterday|today|"
                      r"tonight|relaps\w*|return\w*|back|resurfac\w*|started|starting)\b", re.I)

#: The finding's own clause placed in the present or lately.
_RECENT = re.compile(r"\b(?:now|currently|current|today|tonight|this\s+(?:week|time|morning|evening|month|wk)|lately|"
                     r"recently|again|still|ongoing|yesterday|last\s+(?:night|week|wk|weekend|session|month)|days?\s+ago|"
                     r"(?:on|since)\s+(?:mon|tue|wed|thu|fri|sat|sun)\w*|keeps|is\s+\w+ing|are\s+\w+ing|"
                     # a recent window ("~4 wks ago", "in the past 3 months"): current, as the context rules read it
                     r"(?:\d+|a|an|one|two|three|four|five|six|few|couple\s+of)\s*(?:days?|d|wks?|weeks?|months?|mths?|mos?)\s+ago|"
                     r"(?:past|last)\s+(?:\d+|few|couple\s+of|two|three|four|five|six)\s+(?:days|weeks|wks|months|mths))\b", re.I)

#: A remission broken off lately ("well for 12 years until last month", "stable until a few weeks ago"): the history is
#: open again.
_REOPENED = re.compile(r"\s*\b(?:until|till|til)\s+(?:last|this|recently|lately|yesterday|today|now|a\s+(?:few|couple\s+of)\s+"
                       r"(?:days|weeks|wks)\s+ago|(?:\d+|two|three|four|five|six)\s+(?:days|weeks|wks)\s+ago|"
                       r"(?:mon|tue|wed|thu|fri|sat|sun)\w*)\b", re.I)

_SENTENCE_END = re.compile(r"[.!?]\s|\n")


def _later_in_sentence(norm: str, s: Signal, matches: list[re.Match[str]]) -> re.Match[str] | None:
    """The first of ``matches`` after the finding's start with no sentence end between them."""
    return next((m for m in matches if s.start < m.start() and not _SENTENCE_END.search(norm, s.start, m.start())), None)


def closed_histories(norm: str, items: list[Signal]) -> list[Signal]:
    """Risk findings told before a closing remission in the same sentence, read as history (see the module's text)."""
    closes, reopened = [], []
    for m in _CLOSED.finditer(norm):
        end = _SENTENCE_END.search(norm, m.end())
        if not _RESUMED.search(norm, m.end(), end.start() if end else len(norm)):
            closes.append(m)
        elif _REOPENED.match(norm, m.end()):
            reopened.append(m)
    if not closes and not reopened:
        return items
    out = []
    for s in items:
        if s.family == "risk" and s.level and s.assertion == "present" and not _RECENT.search(s.clause or s.text):
            m = _later_in_sentence(norm, s, closes)
            if m:
                s = replace(s, assertion="historical", modifiers=s.modifiers + (f"closed history:{m.group(0)}",))
        elif s.family == "risk" and s.level and s.assertion == "historical":
            m = _later_in_sentence(norm, s, reopened)  # ... and one broken off lately is open again: ask directly
            if m:
                s = replace(s, assertion="present", level="possible_risk",
                            modifiers=s.modifiers + (f"history reopened:{m.group(0)}",))
        out.append(s)
    return out
