"""The IPT phase, decided by code from the session number and course length.

A 16-session course: 1-3 initial, 4-12 middle, 13-16 termination; sessions after
the acute course are maintenance (IPT-M). Other course lengths scale the same
proportions (12 sessions: 1-3, 4-9, 10-12).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .errors import InputError

DEFAULT_TOTAL = 16
MAX_TOTAL = 60


@dataclass(frozen=True)
class PhaseInfo:
    phase: str
    session: int | None  # None: phase known from the question ("IPT-M"), session number not given
    total: int
    initial_end: int  # last initial-phase session
    termination_start: int  # first termination-phase session

    @property
    def sessions_left(self) -> int:
        """Sessions remaining after this one in the acute course (0 at the last)."""
        return max(0, self.total - self.session) if self.session is not None else 0

    @property
    def ranges(self) -> dict[str, str]:
        return {
            "initial": f"1-{self.initial_end}",
            "middle": f"{self.initial_end + 1}-{self.termination_start - 1}",
            "termination": f"{self.termination_start}-{self.total}",
            "maintenance": f"after {self.total}",
        }

    @property
    def raise_termination(self) -> bool:
        """True from a few sessions before the termination phase: time to name the ending."""
        return self.phase != "maintenance" and self.session is not None and self.session >= self.termination_start - 2


def phase_bounds(total: int) -> tuple[int, int]:
    """(last initial session, first termination session) for a course of ``total`` sessions."""
    if total < 1:
        raise InputError("the course must have at least 1 session")
    if total <= 2:
        return 1, total
    initial_end = max(1, math.ceil(total * 3 / 16))
    term_len = max(1, round(total * 4 / 16))
    termination_start = max(initial_end + 1, total - term_len + 1)
    return initial_end, termination_start


def phase_for(session: int, total: int = DEFAULT_TOTAL) -> PhaseInfo:
    """The phase of ``session`` in a course of ``total`` sessions."""
    if total < 1 or total > MAX_TOTAL:
        raise InputError(f"course length must be between 1 and {MAX_TOTAL} sessions, got {total}")
    if session < 1:
        raise InputError(f"session number must be 1 or more, got {session}")
    initial_end, termination_start = phase_bounds(total)
    if session > total:
        name = "maintenance"
    elif session <= initial_end:
        name = "initial"
    elif session >= termination_start:
        name = "termination"
    else:
        name = "middle"
    return PhaseInfo(name, session, total, initial_end, termination_start)


_MAINTENANCE = re.compile(r"\bIPT-M\b|\bmaintenance\s+(?:phase|sessions?|ipt|treatment|course)\b|\bmonthly\s+maintenance\b", re.I)


def maintenance_mentioned(text: str) -> bool:
    """True when a question places the case in maintenance IPT without a session number."""
    return bool(_MAINTENANCE.search(text))


def maintenance_phase(total: int = DEFAULT_TOTAL) -> PhaseInfo:
    initial_end, termination_start = phase_bounds(total)
    return PhaseInfo("maintenance", None, total, initial_end, termination_start)


_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "last": -1, "final": -1,
}
_CARDINALS = {w: i for i, w in enumerate(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty".split(), start=1)}
_NUM = r"(\d{1,2}|" + "|".join(_CARDINALS) + r")"
#: Session numbers written as words, cardinal or ordinal ("eleven", "ninth").
NUMBER_WORDS = (*_CARDINALS, *(w for w, n in _ORDINALS.items() if n > 0))
#: "session eleven of sixteen": a session numbered in words.
_SESSION_OF_WORDS = re.compile(r"\b(?:session|sess\.?|appt\.?|appointment|meeting|visit)\s+(" + "|".join(_CARDINALS) +
                               r")(?:\s+(?:of|/|out\s+of)\s+" + _NUM + r")?\b", re.I)
#: "8th of 12 sessions", "Ninth of 16 sessions", "the fourth of 16 sessions": an ordinal of a course.
_ORDINAL_OF = re.compile(r"\b(\d{1,2}(?:st|nd|rd|th)|" + "|".join(w for w, n in _ORDINALS.items() if n > 0) +
                         r")\s+(?:of|/|out\s+of)\s+" + _NUM + r"\s+(?:ipt\s+)?(?:sessions?|sess|appointments?|appts?|visits?)\b", re.I)


def _number(word: str) -> int:
    w = word.lower()
    if w.isdigit():
        return int(w)
    if w in _CARDINALS:
        return _CARDINALS[w]
    if w in _ORDINALS:
        return _ORDINALS[w]
    return int(re.match(r"\d+", w).group(0))
_SESSION_OF = re.compile(
    r"(?<![\w'’])(?:session|sess\.?|sesh|sn\.?|s\.?|visit|appt\.?|appointment|mtg|meeting|"
    # the therapy's name with a count out of a course ("IPT 4/10", "brief IPT 5 of 12", "IPT-A 3/12")
    r"ipt(?:-[a-z]{1,2})?(?=\s*\d{1,2}\s*(?:of|/|out\s+of)\s*\d))\s*#?\s*(\d{1,2})"
    r"(?:\s*(?:of|/|out of)\s*(\d{1,2}))?\b",
    re.IGNORECASE,
)
_ORDINAL_NUM = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\s+(?:session|visit|appointment|meeting)\b", re.I)
_ORDINAL_WORD = re.compile(
    r"\b(" + "|".join(_ORDINALS) + r")\s+(?:ipt\s+)?(?:session|visit|appointment|meeting)\b", re.I
)
_OF_TOTAL = re.compile(r"\b(\d{1,2})\s*-?\s*(?:session|week)s?\s+(?:course|treatment|ipt|protocol|contract)\b", re.I)


#: IPT is weekly, so a week of the course is its session: "Wk 6, dispute with her partner." opening the text, or
#: "week 5 of 12" anywhere. Not "week 2 of her new job" (no course length) nor "6 weeks postpartum".
_WEEK_OF = re.compile(r"(?:^|\n)\W*(?:wk|week)\s*#?\s*(\d{1,2})(?:\s*(?:of|/)\s*(\d{1,2}))?\b|"
                      r"\b(?:wk|week)\s*#?\s*(\d{1,2})\s*(?:of|/)\s*(\d{1,2})\b(?!\s*(?:wks|weeks|days|months))", re.I)


#: The words that make a session named after them a point of reference, not the session at hand.
_BACK_REFERENCE = re.compile(r"\b(?:since|at|per|from|after|before|until|till|missed|than|vs\.?|last|prev(?:ious)?|"
                             r"earlier|in|by|as\s+of|back\s+(?:at|in)|(?:was|were)\s+\d{1,2}\s+(?:at|in))\s*\(?\s*$", re.I)


def parse_session_mention(text: str) -> tuple[int | None, int | None, str | None]:
    """Find "session 6 of 16", "s. 11/16", "2nd session", "16-session course" in ``text``.

    Returns ``(session, total, matched_text)``; ``session`` is -1 for "last/final session".
    """
    found = list(_SESSION_OF.finditer(text))
    # a session named as a point of reference ("also missed s11", "PHQ 13 (was 20 at s1)", "since session 6") is not
    # the one the text is about when another is named
    m = next((f for f in found if not _BACK_REFERENCE.search(text, 0, f.start())), found[0] if found else None)
    if m:
        session = int(m.group(1))
        total = int(m.group(2)) if m.group(2) else None
        if total is None:
            t = _OF_TOTAL.search(text)
            total = int(t.group(1)) if t else None
        if session >= 1 and (total is None or total >= 1):
            return session, total, m.group(0)
    for pat in (_ORDINAL_OF, _SESSION_OF_WORDS):
        m4 = pat.search(text)
        if m4:
            total = _number(m4.group(2)) if m4.group(2) else None
            return _number(m4.group(1)), total, m4.group(0)
    m2 = _ORDINAL_NUM.search(text)
    total_m = _OF_TOTAL.search(text)
    total = int(total_m.group(1)) if total_m else None
    if m2:
        return int(m2.group(1)), total, m2.group(0)
    m3 = _ORDINAL_WORD.search(text)
    if m3:
        return _ORDINALS[m3.group(1).lower()], total, m3.group(0)
    m5 = _WEEK_OF.search(text)
    if m5:
        week, of = (m5.group(1), m5.group(2)) if m5.group(1) else (m5.group(3), m5.group(4))
        if int(week) >= 1 and (not of or int(week) <= int(of) <= 30):  # (not a pregnancy's "wk 24/40")
            return int(week), int(of) if of else total, m5.group(0).strip()
    return None, total, None
