"""Ages and life stages in the forms clinicians write them: "15yo", "15 y/o", "78 yr old",
"in her 80s", "year 10", "grade 9", "6 weeks postpartum", "the baby is 3 months", "28 weeks pregnant".

Numbers are structured data, so they are parsed here rather than matched by meaning. An age belongs
to someone else when a possessive stands shortly before it ("her 15yo son", "his elderly 82-year-old
father") unless that possessive introduces the client ("my 15-year-old client").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ADOLESCENT = (12, 18)
LATE_LIFE_FROM = 60
PERINATAL_MONTHS = 12

_I = re.IGNORECASE
_AGE = re.compile(
    r"\b(?:is|she's|he's|they're|aged?)\s+(?P<n4>\d{2})\b(?!\s*(?:%|/|:|sessions?|weeks?|days?|months?|mins?|minutes?|hours?|x\b))"
    r"|\b(?P<n>\d{1,3})\s*(?:-\s*)?(?:yo|y/o|y\.o\.?|yr?s?\.?\s*-?\s*old|years?\s*-?\s*old|year-old|yr-old|y\.?o)(?![a-z])"
    r"|\b(?:aged?|age:?)\s+(?P<n2>\d{1,3})\b"
    r"|\b(?P<n3>\d{2})\s?(?:[MF]|yo[MF])\b(?!\w)"
    r"|\b(?:in\s+(?:her|his|their)\s+(?:early\s+|mid[-\s]?|late\s+)?)(?P<dec>[1-9]0)'?s\b"
    r"|\b(?P<word>teen(?:age(?:d|r)?|s)?|adolescen\w*|elderly|older\s+adult|pensioner|octogenarian|nonagenarian|septuagenarian)\b",
    _I,
)
_SCHOOL = re.compile(
    r"\b(?:year|yr|y)\s?(?P<uk>[7-9]|1[0-3])\b|\b(?:grade|gr\.?)\s?(?P<us>[6-9]|1[0-2])\b|\b(?P<us2>[6-9]|1[0-2])(?:th)\s+grade(?:r)?\b"
    r"|\b(?P<hs>high[-\s]school(?:er)?|secondary\s+school|middle\s+school|sixth[-\s]form|gcses?|a[-\s]levels?|freshman|sophomore|"
    r"(?:high[-\s]school\s+)?junior|(?:high[-\s]school\s+)?senior\s+year)\b",
    _I,
)
_PERINATAL = re.compile(
    r"\b(?P<n>\d{1,2}|a|one|two|three|four|five|six|eight|ten)\s*(?P<unit>weeks?|wks?|months?|mos?|days?)\s*(?:post[-\s]?partum|pp|postnatal|post[-\s]?natal|after\s+(?:the\s+)?birth|post[-\s]?delivery)\b"
    r"|\bbaby\s+(?:is|was|turned|now)\s+(?P<bn>\d{1,2}|a|one|two|three|four|five|six|eight|ten)\s*(?P<bunit>weeks?|wks?|months?|mos?|days?)\b"
    r"|\b(?P<wk>\d{1,2})\s*(?:weeks?|wks?)\s*(?:pregnant|gestation|along)\b"
    r"|\b(?P<word>pregnan\w*|post[-\s]?partum|postnatal|perinatal|antenatal|prenatal|newborn|new\s+baby|gave\s+birth|"
    r"stillb\w+|miscarr\w+|lost\s+the\s+baby|ectopic|expecting\s+(?:a|her|their)\s+(?:baby|first|second|third))\b",
    _I,
)
_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "eight": 8, "ten": 10}
_POSSESSIVE = re.compile(r"\b(?:her|his|their|my|our|your|whose|(?:client|pt|patient)'s)\b((?:\s+[\w'-]+){0,3})\s*,?\s*$", _I)
_CLIENT_NOUN = re.compile(r"^\s*(?:client|pt|patient|cl|supervisee's\s+client)\b", _I)
_RELATION_AFTER = re.compile(
    r"^[\s,]*(?:[\w-]+\s+)?(?:son|daughter|child|kid|baby|toddler|brother|sister|sibling|mother|mum|mom|father|dad|"
    r"parent|grand\w+|niece|nephew|cousin|husband|wife|partner|boyfriend|girlfriend|friend|neighbou?r|aunt|uncle|"
    r"stepson|stepdaughter|in-law)s?\b", _I)


@dataclass(frozen=True)
class LifeStage:
    adaptation: str  # ipt_a | late_life | perinatal | adult (an adult age: no age-based adaptation)
    start: int
    end: int
    text: str
    whose: str  # client | other


def _whose(text: str, start: int, end: int) -> str:
    if _CLIENT_NOUN.match(text[end:end + 20]):
        return "client"  # "my 15-year-old client"
    before = text[max(0, start - 40):start]
    m = _POSSESSIVE.search(before)
    if m and not _CLIENT_NOUN.match(m.group(1) or ""):
        return "other"
    # "a 15-year-old son" without a possessive: still another person's age.
    after = text[end:end + 25]
    if _RELATION_AFTER.match(after) and not re.match(r"^[\s,]*(?:mother|mum|mom|father|dad)\s+of\b", after, _I):
        return "other"
    return "client"


def _unit_months(n: str | None, unit: str | None) -> float:
    value = float(_NUMBERS.get((n or "").lower(), n or 0) or 0)
    unit = (unit or "").lower()
    if unit.startswith("w"):
        return value / 4.3
    if unit.startswith("d"):
        return value / 30
    return value


def life_stages(text: str) -> list[LifeStage]:
    out: list[LifeStage] = []
    for m in _AGE.finditer(text):
        n = m.group("n") or m.group("n2") or m.group("n3") or m.group("n4")
        stage = None
        if n:
            age = int(n)
            if ADOLESCENT[0] <= age <= ADOLESCENT[1]:
                stage = "ipt_a"
            elif LATE_LIFE_FROM <= age <= 115:
                stage = "late_life"
            elif ADOLESCENT[1] < age < LATE_LIFE_FROM:
                stage = "adult"  # not an adaptation; it rules out the age-based ones for the client
        elif m.group("dec"):
            stage = "late_life" if int(m.group("dec")) >= LATE_LIFE_FROM else ("ipt_a" if m.group("dec") == "10" else None)
        elif m.group("word"):
            w = m.group("word").lower()
            stage = "ipt_a" if w.startswith(("teen", "adolescen")) else "late_life"
        if stage:
            out.append(LifeStage(stage, m.start(), m.end(), m.group(0), _whose(text, m.start(), m.end())))
    for m in _SCHOOL.finditer(text):
        out.append(LifeStage("ipt_a", m.start(), m.end(), m.group(0), _whose(text, m.start(), m.end())))
    for m in _PERINATAL.finditer(text):
        if m.group("n") or m.group("bn"):
            months = _unit_months(m.group("n") or m.group("bn"), m.group("unit") or m.group("bunit"))
            if months > PERINATAL_MONTHS:
                continue
        whose = _whose(text, m.start(), m.end())
        if m.group("bn"):
            whose = "client"  # "the baby is 3 months": the client's baby
        out.append(LifeStage("perinatal", m.start(), m.end(), m.group(0), whose))
    return out
