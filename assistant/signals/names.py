"""Whose experience a person named in the text has: someone introduced with their relation to the client ("w friend
Becca", "Jo (her sister)") and named again as the subject of a clause ("Becca 'always talking about killing herself' -
pt worried") is that person, not the client. ConText's experiencer rules scope relation words; a bare name is not one."""

from __future__ import annotations

import re
from dataclasses import replace

from .types import RISK_SCREEN, TWO_PEOPLE, Signal

#: Another person named with their relation to the client ("friend Becca", "w partner Mo", "group member Lou", "Jo (her
#: sister)"): the name, said again as a subject, is that person.
_RELATION_NAME = (r"friend|mate|bestie|colleague|workmate|flatmate|housemate|roommate|neighbou?r|partner|husband|wife|"
                  r"boyfriend|girlfriend|bf|gf|ex|fianc[eé]e?|sister|brother|sis|bro|mum|mom|mother|dad|father|son|daughter|"
                  r"cousin|aunt|uncle|niece|nephew|member|peer|classmate|boss|manager|gran|nan|grandma|grandad")
_INTRODUCED = re.compile(rf"(?i:\b(?:{_RELATION_NAME}))\s+\(?(?P<a>[A-Z][a-z]{{1,15}})\b"
                         rf"|\b(?P<b>[A-Z][a-z]{{1,15}})\s*\((?i:(?:her|his|their|pt'?s|client'?s|the)\s+)?"
                         rf"(?i:(?:best|close|old|older|younger|school|work|group)\s+)?(?i:{_RELATION_NAME})\)")
_NOT_A_NAME = frozenset({"I", "Pt", "Client", "Patient", "Mum", "Dad", "Mom", "The", "She", "He", "They", "Her", "His",
                         "Mon", "Tue", "Tues", "Wed", "Thu", "Thur", "Thurs", "Fri", "Sat", "Sun", "Jan", "Feb", "Mar",
                         "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Today", "Session"})
_CLIENT_SUBJECT = re.compile(r"\b(?:pt|client|cl|patient|she|he|i)\b", re.I)


def named_others(norm: str, spans: list[tuple[int, int]], items: list[Signal]) -> list[Signal]:
    """A clause whose subject is a person the text named with their relation ("friend Becca ... | Becca 'always talking
    about killing herself' - pt worried"): the risk of one person told of there is theirs. Self-directed kinds and
    states only: what a named partner does may be done to the client."""
    names = {m.group("a") or m.group("b") for m in _INTRODUCED.finditer(norm)} - _NOT_A_NAME
    if not names:
        return items
    out = []
    subject = re.compile(r"\W*(?:" + "|".join(map(re.escape, sorted(names))) + r")\b(?!\s*\()")
    for s in items:
        if s.family == "risk" and s.assertion == "present" and s.category not in TWO_PEOPLE and s.category != RISK_SCREEN:
            cs, ce = next(((a, b) for a, b in spans if a <= s.start < b), (None, None))
            # up to the words of the finding (a clause read by meaning: up to its first explicit term, if any); the
            # client named before them is the subject of what follows ("Becca says pt has been talking about ...")
            upto = s.start if s.source != "semantic" else min(
                [x.start for x in items if x.source == "lexicon" and x.family == "risk" and cs is not None and cs <= x.start < ce]
                or [ce or 0])
            if cs is not None and subject.match(norm, cs) and not _CLIENT_SUBJECT.search(norm, cs + 1, upto):
                s = replace(s, assertion="other_person", modifiers=s.modifiers + ("other_person:a person named",))
        out.append(s)
    return out
