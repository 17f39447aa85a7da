"""Ages and life stages in the forms clinicians write them: "15yo", "15 y/o", "78 yr old",
"in her 80s", "in her early sixties", "is seventy-three", "pt (47)", "widower, 79", "now 32", "year 10",
"grade 9", "6 weeks postpartum", "the baby is 3 months", "28 weeks pregnant", and the obstetric shorthand
"baby 5/52" (weeks), "2/12 PN" (months), "32/40" (weeks of gestation; not after a scale's name).

Numbers are structured data, so they are parsed here rather than matched by meaning. Each stage says
whose it is, with the shape of a clinical assertion:

* another person's when a possessive stands shortly before it ("her 15yo son", "his elderly 82-year-old
  father") or a relation owns it ("grandson (14)", "her son, now 16"), unless that possessive introduces
  the client ("my 15-year-old client");
* past when it dates an earlier event ("cut as a teenager", "SH in teens", "in adolescence", "age 14-17");
* the client's otherwise. A current age ("now 29") or a number ("pt (47)") outranks the client's other
  stages: they date history ("overdose aged 17 ... now 40") or a school stage ("Year 7 girl (11)").
:func:`settle` turns the stages into what the text says of the client's age-based adaptation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .coref import FEMALE_RELATIONS, MALE_RELATIONS

ADOLESCENT = (12, 18)
LATE_LIFE_FROM = 60
PERINATAL_MONTHS = 12
AGE_BASED = ("ipt_a", "late_life")

_I = re.IGNORECASE
_TEEN_WORDS = ("twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_UNIT_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_WORD_AGE = rf"(?:{'|'.join(_TEEN_WORDS)}|(?:{'|'.join(_TENS)})(?:[-\s](?:{'|'.join(_UNIT_WORDS)}))?)"
_DECADE_WORDS = ("twenties", "thirties", "forties", "fifties", "sixties", "seventies", "eighties", "nineties")
#: Not an age: a number followed by a unit, a score or a session count.
_NOT_AGE = r"(?!\s*(?:%|/|:|sessions?|weeks?|wks?|days?|months?|mos?|mins?|minutes?|hours?|hrs?|times?|kg|lbs?|x\b))"
_AGE = re.compile(
    rf"\b(?:is|she's|he's|they're|aged?)\s+(?P<n4>\d{{2}})\b{_NOT_AGE}"
    r"|\b(?P<n>\d{1,3})\s*(?:-\s*)?(?:yo|y/o|y\.o\.?|yr?s?\.?\s*-?\s*old|years?\s*-?\s*old|year-old|yr-old|y\.?o)(?![a-z])"
    r"|\b(?:aged?|age:?)\s+(?P<n2>\d{1,3})\b"
    r"|\b(?P<n3>\d{2})\s?(?:[MF]|yo[MF])\b(?!\w)"
    rf"|\b(?:is|she's|he's|they're|aged?)\s+(?P<w1>{_WORD_AGE})\b(?![-\s]*(?:weeks?|days?|months?|minutes?|hours?|times?|sessions?))"
    rf"|\b(?P<w2>{_WORD_AGE})[-\s]*(?:years?[-\s]*old|year-old|yr[-\s]*old|yo)\b"
    r"|\b(?:in\s+(?:her|his|their|my)\s+(?:early\s+|mid[-\s]?|late\s+)?|\b(?:early|mid|late)[-\s]?)"
    rf"(?:(?P<dec>[1-9]0)'?s|(?P<dw>{'|'.join(_DECADE_WORDS)}))\b"
    r"|\bnow\s+(?:aged?\s+)?(?P<now>\d{2})\b" + _NOT_AGE +
    rf"|\b(?:turned|turns|turning)\s+"
    rf"(?:(?P<turn>\d{{2}})\b{_NOT_AGE}|(?P<wturn>{_WORD_AGE})\b(?![-\s]*(?:weeks?|days?|months?)))"
    # An age opening a line or a sentence, as a note's apposition: "81, widowed in Jan.", "Fifteen. Hates school".
    r"|(?:^|(?<=[.!?;]\s)|(?<=\n))[-*•]?\s*"
    rf"(?:(?P<lead>\d{{2}})\s*,(?=\s+[a-z])|(?P<wlead>{_WORD_AGE})\s*[,.](?=\s|$))"
    # ... or closing a note as a sentence of its own ("tearful but proud. 65."), or in brackets opening it ("(66) ...")
    r"|(?<=[.!?;]\s)(?P<tail>\d{2})\s*[.!]?\s*$|^\s*\((?P<brk>\d{2})\)(?=\s+[a-z'‘\"“])" +
    r"|\b(?P<word>teen(?:age(?:d|r)?|s)?|adolescen\w*|elderly|older\s+adult|pensioner|octogenarian|nonagenarian|septuagenarian)\b",
    _I,
)
_RELATIONS = sorted(MALE_RELATIONS | FEMALE_RELATIONS | {
    "partner", "child", "children", "kid", "kids", "baby", "toddler", "parent", "sibling", "cousin", "friend", "neighbour",
    "neighbor", "grandchild", "grandkid", "stepchild", "in-law", "lodger", "flatmate", "housemate",
    "nan", "nana", "nanna", "gran", "granny", "grandma", "grandpa", "grandad", "granddad", "grampa"}, key=len, reverse=True)
_CLIENT_NOUNS = ("pt", "cl", "client", "patient")
_PEOPLE = ("widower", "widow", "gentleman", "man", "woman", "lady", "girl", "boy", "lad", "guy", "bloke", "mum-to-be")
#: An age a person noun owns: "pt (47)", "grandson (14)", "Widower, 79, says", "pt 19, first year", "Cl. 44".
_OWNED = re.compile(
    rf"\b(?P<noun>{'|'.join(map(re.escape, (*_RELATIONS, *_CLIENT_NOUNS, *_PEOPLE)))}"
    r"|(?:mr|mrs|ms|miss|mx)\.?\s+[a-z][\w'-]*)\.?"
    r"(?:\s+(?:herself|himself|themselves|themself|(?:I|we)\s+see|I'm\s+seeing))?\s*"
    r"(?:\(\s*(?:my\s+client\s*,\s*)?(?P<p>\d{1,3})\s*(?:[MF]|y/?o|yrs?)?\s*(?:\)|,(?=\s*[a-z]))"
    r"|,\s*(?P<c>\d{1,3})\s*(?=[,;:)]|[-–—]|\s+(?:and|who|with|has|had|is|was|says|said|reports?|presents?|came)\b)"
    r"|\s+(?P<b>\d{2})(?=\s*[,;:)]|\s*$|\s+[-–—]\s|\s+(?:and|who|with|has|had|is|was|says|said|reports?)\b"
    # ... or any word that is not a unit ("pt 17 smokes weed daily"; not "pt 12 sessions in", "cl 45 mins late")
    r"|\s+(?!(?:sessions?|sess|weeks?|wks?|days?|months?|mos?|mins?|minutes?|hours?|hrs?|times?|kg|lbs?|yrs?|years?|"
    r"points?|pts|out|of|x|am|pm)\b)[a-z]{3,}\b))",
    _I,
)
#: An age set off by commas or brackets after a word, as notes describe a person: "retired teacher, 71.", "newly
#: retired nurse, 62, misses ...", "sheltered housing, 81, misses garden", "recently retired (61)". Whose it is
#: follows the words before it ("her mum, 82, lives with them" is the mother's).
_APPOSITION = re.compile(
    r"(?<=[a-z)'’]),\s*(?P<a>\d{2})(?=\s*(?:[,.;:)]|$)|\s+(?:and|who|with|has|had|is|was|says|said|lives|living|"
    r"misses|lost|now|no|since|retired|widowed|married|divorced|single|presents?|reports?|came)\b|\s+\()"
    r"|(?<=[a-z])\s\((?P<b>\d{2})\)"
    rf"|\b(?:man|woman|lady|gentleman|widow|widower)\s+of\s+(?P<c>\d{{2}})\b{_NOT_AGE}", _I)
#: The client's age at an event of later life: "retired at 66", "widowed at 71", "stopped work aged 63". Past, but a
#: floor: the client is at least that old now (an age at an earlier event, "cut at 15", says nothing of now).
_LATE_EVENT = re.compile(r"\b(?:retired|retiring|widowed|stopped\s+work(?:ing)?|gave\s+up\s+work|left\s+work)\s+"
                         r"(?:at|aged|age)\s+(?P<n>\d{2})\b", _I)
_SCHOOL = re.compile(
    r"\b(?:year|yr|y)\s?(?P<uk>[7-9]|1[0-3])\b|\b(?:grade|gr\.?)\s?(?P<us>[6-9]|1[0-2])\b|\b(?P<us2>[6-9]|1[0-2])(?:th)\s+grade(?:r)?\b"
    r"|\b(?P<hs>high[-\s]school(?:er)?|secondary\s+school|middle\s+school|sixth[-\s]form|lower\s+sixth|upper\s+sixth|gcses?|a[-\s]levels?|"
    r"(?:freshman|sophomore)(?!\s+(?:in|at)\s+(?:college|uni\w*))|(?:high[-\s]school\s+)?junior|(?:high[-\s]school\s+)?senior\s+year)\b",
    _I,
)
_N = r"\d{1,2}|a|one|two|three|four|five|six|eight|ten"
#: A baby's age or time since the birth, as clinicians shorten it: "6 wks", "4m", "5/52" (weeks), "2/12" (months).
_SINCE = r"/\s*52|/\s*12|weeks?|wks?|months?|mos?|m|days?"
_PERINATAL = re.compile(
    rf"\b(?P<n>{_N})\s*(?P<unit>{_SINCE})\s*(?:post[-\s]?partum|pp|(?-i:PN)|postnatal|post[-\s]?natal|after\s+(?:the\s+)?birth|"
    r"post[-\s]?delivery)\b"
    rf"|\b(?:baby|babies|twins|newborn|new\s+(?:mum|mom|mother))\W{{0,2}}(?:is\s+|was\s+|turned\s+|now\s+|born\s+)?\(?\s*"
    rf"(?P<bn>{_N})\s*(?P<bunit>{_SINCE})(?![\w/])"
    r"|\b(?P<wk>\d{1,2})\s*(?:weeks?|wks?)\s*(?:pregnant|gestation|along)\b"
    r"|(?<![\d/])(?P<gest>\d{1,2})\s*/\s*40\b(?!\s*/)"  # "32/40": weeks of gestation
    r"|\b(?P<word>pregnan\w*|post[-\s]?partum|postnatal|perinatal|antenatal|prenatal|newborn|new\s+baby|gave\s+birth|"
    r"stillb\w+|miscarr\w+|lost\s+the\s+baby|ectopic|expecting\s+(?:a|her|their)\s+(?:baby|first|second|third)|(?-i:PN)\s+day\s+\d+)\b",
    _I,
)
_SCORE_BEFORE = re.compile(r"(?:(?-i:\b[A-Z][A-Z]+(?:[-\s]?\d+)?)|\bscor\w*|\brated|\btotal|\bout\s+of)\s*[:=]?\s*$", _I)
_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "eight": 8, "ten": 10}
#: "'s" after the client's noun as "is" or "has", not a possessive: "my client's in year 10", "client's been ...".
_IS_AFTER = r"\s+(?:in|at|been|got|now|only|just|currently|still|aged?|about|around|nearly|almost|barely|a|an|\d)\b"
_POSSESSIVE = re.compile(rf"\b(?:her|his|their|my|whose|(?:client|pt|patient|cl)'s(?!{_IS_AFTER}))\b"
                         r"((?:\s+(?!(?:and|but|or|who|when|that|because|so)\b)[\w'-]+){0,3})\s*[,(]?\s*$", _I)
_CLIENT_NOUN = re.compile(r"^\s*(?:(?!(?:after|before|since|with|for|about|because|than|like|to|from|and|but|of)\b)[\w-]+\s+){0,2}?"
                          rf"(?:client|pt|patient|cl|supervisee's\s+client)\b(?!['’]s(?!{_IS_AFTER}))", _I)
_RELATION_BEFORE = re.compile(rf"\b(?:{'|'.join(map(re.escape, _RELATIONS))})s?\s+$", _I)  # "Mum in her 80s"
_RELATION_AFTER = re.compile(rf"^\s*(?:(?!(?:whose|who|with|for|and|of)\b)[\w-]+\s+)?(?:{'|'.join(map(re.escape, _RELATIONS))})s?\b", _I)
#: Words that date a stage to the past: "as a teen", "SH in teens", "in adolescence", "since age 14", "when she was",
#: "onset age 12", "started aged 9".
_PAST_BEFORE = re.compile(r"(?:\b(?:since|from|until|till|at|onset(?:\s+at)?|(?:began|begun|started|starting|beginning)\s+"
                          r"(?:at|aged?))\s+(?:age\s+|aged\s+)?|\bwhen\s+\w+\s+(?:was|were)\s+(?:an?\s+)?)$", _I)
#: A school stage dated to the past ("since high school", "back in year 9", "high school decades ago") ...
_SCHOOL_PAST_BEFORE = re.compile(r"\b(?:since|from|until|till|after|back\s+in|as\s+far\s+back\s+as)\s+"
                                 r"(?:(?:her|his|their|my|the)\s+)?$", _I)
_SCHOOL_PAST_AFTER = re.compile(r"^\s*(?:\w+\s+){0,2}?(?:years?|decades?|yrs?)\s+ago\b", _I)
#: ... or the class a client teaches or coaches, not a year the client is in ("teaches Year 11", "tutors GCSE students").
_SCHOOL_TAUGHT = re.compile(r"\b(?:teach(?:es|ing)?|taught|teacher\s+(?:of|for|to)|tutor(?:s|ing|ed)?|coach(?:es|ing|ed)?|"
                            r"head\s+of|form\s+tutor\s+(?:of|for|to))\s+(?:(?:a|the|her|his|their)\s+)?$", _I)
#: ... and for a life stage named in words: "as a teen", "SH in teens", "in adolescence" (not "in her teens").
_PAST_WORD_BEFORE = re.compile(r"(?:\bas\s+(?:an?\s+)?|\bin\s+(?:(?:early|late|mid)[-\s]?)?|\bduring\s+(?:(?:her|his|their|my)\s+)?)$", _I)
#: A parent reporting on their child: "Mum rang: her 14-year-old ...", the child is the client.
_PARENT_INFORMANT = re.compile(r"\b(?:mum|mom|mother|dad|father|parents?|carer)\s+(?:has\s+)?(?:rang|rung|phoned|called|emailed|texted|"
                               r"wrote|said|says|reports?|reported|told|found|came\s+in|brought)\b", _I)
#: A relation who had the baby: "Sister had a baby 2 wks ago", "her sister's just had twins".
_RELATION_HAD = re.compile(rf"\b(?:{'|'.join(map(re.escape, _RELATIONS))})(?:'s)?\s+(?:\w+\s+)?(?:had|has\s+had|just\s+had|"
                           r"is\s+having|gave\s+birth\s+to)\s+(?:a\s+|her\s+|their\s+|the\s+)?$", _I)
_RANGE_AFTER = re.compile(r"^\s*[-–]\s*\d")  # "age 14-17": a period, not an age


@dataclass(frozen=True)
class LifeStage:
    adaptation: str  # ipt_a | late_life | perinatal | adult | child (adult, child: no age-based adaptation)
    start: int
    end: int
    text: str
    whose: str  # client | other | past
    numeric: bool = False  # a number of years, not a word or a school stage
    current: bool = False  # said to hold now ("now 29")


def _whose(text: str, start: int, end: int, copula: bool = False, relation_before: bool = True) -> str:
    """``copula``: the age is said of a subject ("she's 68", "her son is 16"): only a possessive owning
    that subject makes it another person's, not a relation named after it ("is 73, her husband ...")."""
    if _CLIENT_NOUN.match(text[end:end + 30]):
        return "client"  # "my 15-year-old client", "my 14-year-old IPT-A client"
    if re.match(r"(?:she|he|they)'", text[start:end], _I):
        return "client"  # a bare pronoun is the client's ("... moved in with her and she's 68")
    before = text[max(0, start - 40):start]
    m = _POSSESSIVE.search(before)
    after = text[end:end + 25]
    if m and not _CLIENT_NOUN.match(m.group(1) or ""):
        if m.group(0)[:2].lower() == "my" and not (m.group(1) or "").strip() and not _RELATION_AFTER.match(after):
            return "client"  # a clinician's "my 15-year-old (told me)": their client
        if re.match(r"(?:her|his|their)\b", m.group(0), _I) and not (m.group(1) or "").strip() \
                and _PARENT_INFORMANT.search(text[:start]):
            return "client"  # "Mum found ... in her 14-year-old's wardrobe": the informant's child
        return "other"
    if relation_before and _RELATION_BEFORE.search(before):
        return "other"  # "Mum in her 80s", "son now 16"
    if copula:
        return "client"
    # "a 15-year-old son" without a possessive: still another person's age.
    if _RELATION_AFTER.match(after) and not re.match(r"^[\s,]*(?:mother|mum|mom|father|dad)\s+of\b", after, _I):
        return "other"
    return "client"


def _stage_of(age: int) -> str:
    if age < ADOLESCENT[0]:
        return "child"
    if age <= ADOLESCENT[1]:
        return "ipt_a"
    return "late_life" if age >= LATE_LIFE_FROM else "adult"


def _word_value(words: str) -> int:
    parts = re.split(r"[-\s]+", words.lower())
    value = 0
    for p in parts:
        if p in _TEEN_WORDS:
            value += 12 + _TEEN_WORDS.index(p)
        elif p in _TENS:
            value += 20 + 10 * _TENS.index(p)
        elif p in _UNIT_WORDS:
            value += 1 + _UNIT_WORDS.index(p)
    return value


def _unit_months(n: str | None, unit: str | None) -> float:
    value = float(_NUMBERS.get((n or "").lower(), n or 0) or 0)
    unit = re.sub(r"\s", "", (unit or "").lower())
    if unit.startswith(("w", "/5")):
        return value / 4.3
    if unit.startswith("d"):
        return value / 30
    return value


def _past(text: str, start: int, end: int, word: bool) -> bool:
    before = text[max(0, start - 30):start]
    return bool(_PAST_BEFORE.search(before) or word and _PAST_WORD_BEFORE.search(before)
                or _RANGE_AFTER.match(text[end:end + 4]))


#: A scale, score or count just before a bare number that closes a note.
_SCALE_NEAR = re.compile(r"\b(?:phq\w*|gad\w*|epds|bdi\w*|gds\w*|cssrs|c-ssrs|scores?|scored|rated|rating|items?|q\d+|"
                         r"sessions?|sess|wk|week)\b|/\s*\d|\d\s*/", _I)


def life_stages(text: str) -> list[LifeStage]:
    out: list[LifeStage] = []
    for m in _AGE.finditer(text):
        n = m.group("n") or m.group("n2") or m.group("n3") or m.group("n4") or m.group("now") or m.group("turn") \
            or m.group("lead") or m.group("tail") or m.group("brk")
        if m.group("tail") and _SCALE_NEAR.search(text[max(0, m.start() - 40):m.start()]):
            continue  # "PHQ-9 today. 15.": a score, not an age
        words = m.group("w1") or m.group("w2") or m.group("wturn") or m.group("wlead")
        stage, numeric = None, bool(n or words)
        if n or words:
            stage = _stage_of(int(n) if n else _word_value(words))
        elif m.group("dec") or m.group("dw"):
            decade = int(m.group("dec")) if m.group("dec") else 20 + 10 * _DECADE_WORDS.index(m.group("dw").lower())
            stage = "late_life" if decade >= LATE_LIFE_FROM else ("ipt_a" if decade == 10 else "adult")
        elif m.group("word"):
            w = m.group("word").lower()
            stage = "ipt_a" if w.startswith(("teen", "adolescen")) else "late_life"
        if not stage:
            continue
        copula = bool(m.group("n4") or m.group("w1") or m.group("turn") or m.group("wturn"))
        whose = "past" if _past(text, m.start(), m.end(), bool(m.group("word"))) else \
            _whose(text, m.start(), m.end(), copula)
        out.append(LifeStage(stage, m.start(), m.end(), m.group(0), whose, numeric, bool(m.group("now"))))
    for m in _OWNED.finditer(text):
        age = int(m.group("p") or m.group("c") or m.group("b"))
        noun = m.group("noun").lower()
        if m.group("b") and noun in _RELATIONS and not re.search(r"sel(?:f|ves)", m.group(0), _I):
            continue  # "son 14" is too loose a form for a relation ("widow 69, talks to his photo" is the client)
        whose = "client" if noun in _CLIENT_NOUNS or "client" in m.group(0).lower() else \
            "other" if noun in _RELATIONS else _whose(text, m.start(), m.end())
        out.append(LifeStage(_stage_of(age), m.start(), m.end(), m.group(0), whose, True))
    for m in _APPOSITION.finditer(text):
        if any(st.start < m.end() and m.start() < st.end for st in out):
            continue  # already read, with its owner ("grandson (14)", "Widower, 79, says")
        if _SCORE_BEFORE.search(text[max(0, m.start() - 16):m.start()]):
            continue  # "EPDS (14)", "PHQ, 12": a score
        age = int(m.group("a") or m.group("b") or m.group("c"))
        # the words just before it own it ("nan, 91"), as they own "Mum in her 80s"
        relation = _RELATION_BEFORE.search(text[max(0, m.start() - 40):m.start()].rstrip(" ,(") + " ")
        whose = "other" if relation else _whose(text, m.start(), m.end())
        out.append(LifeStage(_stage_of(age), m.start(), m.end(), m.group(0), whose, True))
    for m in _LATE_EVENT.finditer(text):
        if int(m.group("n")) >= LATE_LIFE_FROM and not any(st.start < m.end() and m.start() < st.end for st in out):
            # an age at an event of late life ("retired at 66 last spring"): at least that old now
            out.append(LifeStage("late_life", m.start(), m.end(), m.group(0), _whose(text, m.start(), m.end()), True))
    for m in _SCHOOL.finditer(text):
        before = text[max(0, m.start() - 30):m.start()]
        whose = "past" if _SCHOOL_PAST_BEFORE.search(before) or _SCHOOL_PAST_AFTER.match(text[m.end():m.end() + 30]) else \
            "other" if _SCHOOL_TAUGHT.search(before) else _whose(text, m.start(), m.end())
        out.append(LifeStage("ipt_a", m.start(), m.end(), m.group(0), whose))
    for m in _PERINATAL.finditer(text):
        if m.group("n") or m.group("bn"):
            months = _unit_months(m.group("n") or m.group("bn"), m.group("unit") or m.group("bunit"))
            if months > PERINATAL_MONTHS:
                continue
        if m.group("gest") and (not 4 <= int(m.group("gest")) <= 42 or _SCORE_BEFORE.search(text[max(0, m.start() - 16):m.start()])):
            continue  # "PHQ-9 32/40", "scored 30/40": a score, not a gestation
        whose = _whose(text, m.start(), m.end(), relation_before=False)  # "new mum 5 months postpartum"
        if m.group("bn"):
            # "the baby is 3 months": the client's baby, unless a relation had it ("Sister had a baby 2 wks ago")
            had = _RELATION_HAD.search(text[max(0, m.start() - 40):m.start()])
            whose = "other" if had else "client"
        out.append(LifeStage("perinatal", m.start(), m.end(), m.group(0), whose))
    return out


def settle(stages: list[LifeStage]) -> tuple[list[LifeStage], frozenset[str]]:
    """(the stages to report, the age-based adaptations a reading by meaning may not add).

    The client's current age outranks their other stages, and a number outranks a word or a school year.
    A stated client age rules out the age-based adaptations it is not. With no client age, another person's
    age-based stage rules its own adaptation out for the client ("his 16-year-old daughter is self-harming")."""
    client = [s for s in stages if s.whose == "client" and s.adaptation != "perinatal"]
    for better in ([s for s in client if s.current], [s for s in client if s.numeric]):
        if better:
            client = better
            break
    keep = [s for s in stages if s.whose == "other" or s.adaptation == "perinatal" and s.whose == "client"] + client
    keep = sorted(set(keep), key=lambda s: s.start)
    if client:
        return keep, frozenset(AGE_BASED) - {s.adaptation for s in client}
    return keep, frozenset(s.adaptation for s in stages if s.whose == "other" and s.adaptation in AGE_BASED)
