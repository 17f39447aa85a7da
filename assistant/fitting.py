"""Fit the knowledge base's wording to the people in a clinician's question.

Wording in ``knowledge/`` may use placeholders (see :data:`assistant.schema.PLACEHOLDERS`):
``{other}`` becomes the person the question is about ("your husband"), or the fallback written after
``|`` ("{other|the person who died}"), else "the other person"; ``{they}``, ``{them}``, ``{their}``,
``{theirs}``, ``{themself}`` are that person's pronouns ("they" when the question does not say);
``{client_they}`` and friends are the client's. A capital first letter capitalises the result.

:func:`fill` returns ``None`` for wording that would address a relative the question never mentions
(a widow asked about "your father"), so the composer can pick another phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

_I = re.IGNORECASE

#: word -> (canonical relation, gender: m | f | n | p (plural))
KIN: dict[str, tuple[str, str]] = {
    "husband": ("husband", "m"), "wife": ("wife", "f"), "partner": ("partner", "n"), "spouse": ("partner", "n"),
    "boyfriend": ("boyfriend", "m"), "girlfriend": ("girlfriend", "f"), "fiance": ("fiance", "m"),
    "fiancé": ("fiance", "m"), "fiancee": ("fiancee", "f"), "fiancée": ("fiancee", "f"),
    "ex-husband": ("ex-husband", "m"), "ex-wife": ("ex-wife", "f"), "ex-partner": ("ex-partner", "n"),
    "ex-boyfriend": ("ex-boyfriend", "m"), "ex-girlfriend": ("ex-girlfriend", "f"),
    "mother": ("mother", "f"), "mum": ("mother", "f"), "mom": ("mother", "f"), "mam": ("mother", "f"),
    "mummy": ("mother", "f"), "mommy": ("mother", "f"),
    "father": ("father", "m"), "dad": ("father", "m"), "daddy": ("father", "m"),
    "parents": ("parents", "p"), "stepmother": ("stepmother", "f"), "stepmum": ("stepmother", "f"),
    "stepmom": ("stepmother", "f"), "stepfather": ("stepfather", "m"), "stepdad": ("stepfather", "m"),
    "mother-in-law": ("mother-in-law", "f"), "father-in-law": ("father-in-law", "m"), "in-laws": ("in-laws", "p"),
    "sister-in-law": ("sister-in-law", "f"), "brother-in-law": ("brother-in-law", "m"),
    "daughter-in-law": ("daughter-in-law", "f"), "son-in-law": ("son-in-law", "m"),
    "son": ("son", "m"), "daughter": ("daughter", "f"), "stepson": ("stepson", "m"),
    "stepdaughter": ("stepdaughter", "f"), "child": ("child", "n"), "kids": ("children", "p"),
    "children": ("children", "p"), "baby": ("baby", "n"), "toddler": ("child", "n"),
    "sister": ("sister", "f"), "brother": ("brother", "m"), "sibling": ("sibling", "n"), "siblings": ("siblings", "p"),
    "twin": ("twin", "n"),
    "grandmother": ("grandmother", "f"), "grandma": ("grandmother", "f"), "gran": ("grandmother", "f"),
    "granny": ("grandmother", "f"), "nan": ("grandmother", "f"), "nana": ("grandmother", "f"),
    "grandfather": ("grandfather", "m"), "grandpa": ("grandfather", "m"), "grandad": ("grandfather", "m"),
    "granddad": ("grandfather", "m"), "grandson": ("grandson", "m"), "granddaughter": ("granddaughter", "f"),
    "grandchildren": ("grandchildren", "p"),
    "aunt": ("aunt", "f"), "auntie": ("aunt", "f"), "uncle": ("uncle", "m"), "niece": ("niece", "f"),
    "nephew": ("nephew", "m"), "cousin": ("cousin", "n"),
    "boss": ("boss", "n"), "manager": ("boss", "n"), "supervisor": ("boss", "n"), "employer": ("boss", "n"),
    "colleague": ("colleague", "n"), "coworker": ("colleague", "n"), "co-worker": ("colleague", "n"),
    "friend": ("friend", "n"), "best friend": ("friend", "n"), "friends": ("friends", "p"),
    "flatmate": ("flatmate", "n"), "roommate": ("flatmate", "n"), "housemate": ("flatmate", "n"),
    "neighbour": ("neighbour", "n"), "neighbor": ("neighbour", "n"), "teacher": ("teacher", "n"),
    "landlord": ("landlord", "n"),
}
#: Relations that also license a more general word in the answer ("husband" -> "partner").
GROUPS: dict[str, str] = {
    "husband": "partner", "wife": "partner", "boyfriend": "partner", "girlfriend": "partner", "fiance": "partner",
    "fiancee": "partner", "mother": "parents", "father": "parents", "stepmother": "parents", "stepfather": "parents",
    "son": "children", "daughter": "children", "child": "children", "stepson": "children", "stepdaughter": "children",
    "sister": "siblings", "brother": "siblings", "sibling": "siblings", "friend": "friends",
}
#: Words that name a specific relative: a mention of one the question does not contain is a mismatch
#: wherever it appears. The rest (partner, friend, parents, family, ...) mismatch only as "your X".
SPECIFIC = frozenset({
    "husband", "wife", "boyfriend", "girlfriend", "fiance", "fiancee", "ex-husband", "ex-wife", "ex-boyfriend",
    "ex-girlfriend", "mother", "father", "stepmother", "stepfather", "mother-in-law", "father-in-law",
    "sister-in-law", "brother-in-law", "daughter-in-law", "son-in-law", "son", "daughter", "stepson",
    "stepdaughter", "sister", "brother", "grandmother", "grandfather", "grandson", "granddaughter", "aunt",
    "uncle", "niece", "nephew", "boss",
})
_PARENT_ROLE = frozenset({"mother", "father", "parents", "stepmother", "stepfather"})
_GENERIC_PLURAL = frozenset({"children", "friends", "siblings", "grandchildren", "baby", "child"})
_ALTS = sorted(KIN, key=len, reverse=True)
_KIN_RE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(k) for k in _ALTS) + r")(?![\w-])", _I)
_YOUR_RE = re.compile(r"\b(?:your|I'll\s+be(?:\s+your)?)\s+(?:late\s+|ex-)?(" + "|".join(re.escape(k) for k in _ALTS) +
                      r"|family)(?![\w-])", _I)
#: "a new mother", "as a father": the client's own role, not another person.
_OWN_ROLE = re.compile(r"(?:\b(?:a|an|new|single|young|working|stay-at-home|first-time|as\s+a|became\s+a|becoming\s+a|"
                       r"being\s+a)\s+)$", _I)
_DEATH = re.compile(r"\b(?:died|dying|death|passed|funeral|grave|late|lost|killed|suicide|bereave\w*|widow\w*|grief)\b", _I)
_WITH = re.compile(r"\b(?:with|w/|against|and|between)\s+(?:(?:her|his|their|my|the|your|client'?s|pt'?s|cl'?s|"
                   r"adult|older|younger|elder|teenage|estranged|new|late)\s+){0,3}$", _I)
_POSSESSIVE = re.compile(r"\b(?:her|his|their|my|your|client'?s|pt'?s|cl'?s)\s+(?:\w+\s+)?$", _I)
_CLIENT_PRONOUN = re.compile(r"\b(she|her|hers|herself|he|him|his|himself)\b", _I)

PRONOUNS = {
    "m": {"they": "he", "them": "him", "their": "his", "theirs": "his", "themself": "himself"},
    "f": {"they": "she", "them": "her", "their": "her", "theirs": "hers", "themself": "herself"},
    "n": {"they": "they", "them": "them", "their": "their", "theirs": "theirs", "themself": "themself"},
    "p": {"they": "they", "them": "them", "their": "their", "theirs": "theirs", "themself": "themselves"},
}


@dataclass(frozen=True)
class Person:
    """Someone other than the client named in the question."""

    word: str  # as written, lower case: "mum", "mother-in-law"
    relation: str  # canonical: "mother"
    gender: str  # m | f | n | p
    start: int

    @property
    def noun(self) -> str:
        return f"your {self.word}"

    def noun_for(self, client: str) -> str:
        """How the clinician refers to this person: "her husband", or "the client's husband"."""
        owner = {"f": "her", "m": "his"}.get(client, "the client's")
        return f"{owner} {self.word}"

    def pronoun(self, form: str) -> str:
        return PRONOUNS[self.gender][form]


@dataclass(frozen=True)
class People:
    """The people a question mentions, and the one wording should address."""

    others: tuple[Person, ...] = ()
    other: Person | None = None
    client: str = "n"  # the client's pronoun set: m | f | n
    allowed: frozenset[str] = field(default_factory=frozenset)  # relations that may be named in the answer
    text: str = ""

    def may_name(self, relation: str) -> bool:
        return relation in self.allowed


def _relation(word: str) -> tuple[str, str]:
    return KIN[word.lower()]


@lru_cache(maxsize=512)
def people_in(question: str, focal_area: str | None = None) -> People:
    """Find the people in ``question`` other than the client, and choose whom wording addresses."""
    text = question or ""
    low = text.lower()
    found: list[Person] = []
    allowed: set[str] = set()
    for m in _KIN_RE.finditer(text):
        word = m.group(1).lower()
        relation, gender = _relation(word)
        allowed.add(relation)
        if relation in GROUPS:
            allowed.add(GROUPS[relation])
        if word == "family":
            continue
        before = low[max(0, m.start() - 30):m.start()]
        if relation in _PARENT_ROLE and _OWN_ROLE.search(before):
            continue  # "a new mother": the client's role
        if gender == "p" and relation in _GENERIC_PLURAL and not _POSSESSIVE.search(before):
            continue  # "few friends", "kids running around": nobody in particular
        found.append(Person(word, relation, gender, m.start()))
    if "family" in low or "families" in low:
        allowed.add("family")
    grief = focal_area == "grief" or bool(_DEATH.search(text))

    def score(p: Person) -> float:
        s = -p.start / 1000.0
        before = low[max(0, p.start - 40):p.start]
        after = low[p.start:p.start + 45]
        if _WITH.search(before):
            s += 1.0
        if grief and (_DEATH.search(after[len(p.word):]) or re.search(r"\b(?:late|lost)\s+(?:\w+\s+)?$", before)):
            s += 1.5
        if p.relation in _GENERIC_PLURAL:
            s -= 1.2
        return s

    other = max(found, key=score) if found else None
    first_kin = found[0].start if found else len(text)
    client = "n"
    pm = _CLIENT_PRONOUN.search(text)
    if pm and pm.start() < first_kin + 1:
        client = "f" if pm.group(1).lower() in {"she", "her", "hers", "herself"} else "m"
    elif pm and re.match(r"\s*(?:she|he)\b", text[pm.start():], _I) and pm.start() < 12:
        client = "f" if pm.group(1).lower() == "she" else "m"
    return People(tuple(found), other, client, frozenset(allowed), text)


_TOKEN = re.compile(r"\{([A-Za-z_]+)(?:\|([^{}]*))?\}")


def _cap(word: str, name: str) -> str:
    return word[:1].upper() + word[1:] if name[:1].isupper() and word else word


def neutral(template: str) -> str:
    """``template`` filled for nobody in particular ("the other person", "they"): for search and display."""
    return _substitute(template, _NOBODY, CLIENT)


#: Wording said to the client ("your husband") or written for the clinician ("her husband").
CLIENT, CLINICIAN = "client", "clinician"


def fill(template: str, people: People, voice: str = CLIENT) -> str | None:
    """``template`` with its placeholders filled for ``people``; ``None`` if the result would name a
    relative the question does not mention."""
    text = _substitute(template, people, voice)
    return text if fits(text, people) else None


def _substitute(template: str, people: People, voice: str) -> str:

    def sub(m: re.Match[str]) -> str:
        name, fallback = m.group(1), m.group(2)
        key = name.lower()
        if key == "other":
            if people.other is None:
                value = fallback if fallback is not None else "the other person"
            else:
                value = people.other.noun if voice == CLIENT else people.other.noun_for(people.client)
        elif key.startswith("client_"):
            value = PRONOUNS[people.client][key[len("client_"):]]
        else:
            value = people.other.pronoun(key) if people.other else PRONOUNS["n"][key]
        return _cap(value, name)

    return _TOKEN.sub(sub, template)


_NOBODY = People()


def mismatched_relatives(text: str, people: People) -> list[str]:
    """Relatives named in ``text`` that the question does not mention (normalised relation names)."""
    return [relation for relation in _named_relatives(text) if not people.may_name(relation)]


@lru_cache(maxsize=4096)
def _named_relatives(text: str) -> tuple[str, ...]:
    """The relations ``text`` names that must be mentioned by the question: a specific relative, or
    any relative addressed as "your ...". The texts are filled catalog wordings, so few and repeated."""
    named: list[str] = []
    for m in _KIN_RE.finditer(text):
        relation = _relation(m.group(1))[0]
        if relation in SPECIFIC:
            named.append(relation)
    for m in _YOUR_RE.finditer(text):
        word = m.group(1).lower()
        named.append("family" if word == "family" else _relation(word)[0])
    return tuple(dict.fromkeys(named))


def fits(text: str, people: People) -> bool:
    return not mismatched_relatives(text, people)


def uses_other(template: str) -> bool:
    return any(m.group(1).lower() in {"other", "they", "them", "their", "theirs", "themself"}
               for m in _TOKEN.finditer(template))


def choose(templates: list[str], people: People, n: int, exclude: set[str] | None = None,
           voice: str = CLIENT) -> list[str]:
    """Up to ``n`` filled templates that fit the question, best first: wording about the named person
    when there is one, otherwise wording that needs no person."""
    ranked: list[tuple[float, int, str]] = []
    seen = set(exclude or ())
    for i, t in enumerate(templates):
        text = fill(t, people, voice)
        if text is None or text in seen:
            continue
        personal = uses_other(t)
        if people.other is not None:
            rank = 2.0 if personal else 1.0
        else:
            rank = 1.0 if not personal else (0.5 if "|" in t else 0.0)
        ranked.append((-rank, i, text))
        seen.add(text)
    ranked.sort()
    return [t for _, _, t in ranked[:n]]
