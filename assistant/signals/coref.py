"""Whose experience a pronoun reports, by grammatical gender: the missing half of ConText's experiencer
rules. ConText scopes "her son" over the words after it, and a new subject ("and he says", "she's")
ends that scope, because a bare pronoun is usually the client. When the pronoun agrees in gender with
the relative and not with the client ("her brother ... told her he tried to kill himself"; "my client's
stepdaughter told him she's been cutting"), the finding is the relative's.

The same question for partner violence (``clients_own_violence``): "her husband hits her" is the
client's risk though ConText scopes it to the husband; "her sister's husband hits her sister" is not.

No parser and no coreference model: gender comes from the relation word and from the pronouns that
point at the client (a possessive before a relative, the object of a relative's report, "28 M",
"a 71yo man"). When the client's gender cannot be read, or agrees with the relative's, nothing moves:
"pt's father died and he wants to die", "mum says she's barely sleeping" stay the client's (safety errs
towards asking).
"""

from __future__ import annotations

import re
from typing import Any

MALE_RELATIONS = frozenset({
    "husband", "boyfriend", "bf", "father", "dad", "daddy", "son", "sons", "brother", "brothers", "bro", "uncle",
    "nephew", "grandfather", "grandpa", "grandson", "stepson", "stepfather", "stepdad", "father-in-law",
    "brother-in-law", "son-in-law", "fiance", "fiancé", "ex-husband", "hubby", "grandad", "granddad", "stepbrother",
    "half-brother", "godson", "ex-boyfriend",
})
FEMALE_RELATIONS = frozenset({
    "wife", "girlfriend", "gf", "mother", "mum", "mom", "mam", "mommy", "mummy", "daughter", "daughters", "sister",
    "sisters", "sis", "aunt", "auntie", "niece", "grandmother", "grandma", "gran", "granny", "granddaughter",
    "stepdaughter", "stepmother", "stepmum", "mother-in-law", "sister-in-law", "daughter-in-law", "fiancee",
    "fiancée", "ex-wife", "dtr", "dau", "nan", "nana", "nanna", "stepsister", "half-sister", "goddaughter",
    "ex-girlfriend",
})
#: People named without a gender: a pronoun that is not the client's may be theirs ("her flatmate told her he
#: wants to die": "he" is not the client, and the flatmate is the one person it can be).
NEUTRAL_PERSONS = frozenset({
    "partner", "spouse", "ex", "ex-partner", "child", "kid", "teen", "teenager", "sibling", "cousin", "parent",
    "friend", "bestie", "mate", "workmate", "colleague", "coworker", "co-worker", "boss", "manager", "neighbour",
    "neighbor", "roommate", "flatmate", "housemate", "classmate", "peer", "student", "pupil", "acquaintance",
    "tenant", "landlord", "lodger", "resident",
})
_MALE = frozenset({"he", "him", "himself", "his"})
_FEMALE = frozenset({"she", "her", "herself", "hers"})
_SUBJECT = {"he": "m", "she": "f", "himself": "m", "herself": "f"}
#: Words that may stand between a possessive and the relative it owns ("her eldest teenage son").
_BETWEEN = frozenset({"own", "best", "old", "older", "younger", "elder", "eldest", "little", "big", "teenage", "elderly",
                      "adult", "new", "late", "grown", "grown-up", "only", "closest", "close", "dear", "former", "ex"})
#: The units of an age written after its number ("15 yo", "80yo", "3 year old", "6 wks"); placement.py reads them as
#: tokens of their own.
AGE_UNITS = frozenset({"yo", "y/o", "y.o.", "yr", "yrs", "year", "years", "old", "yr-old", "year-old", "mo", "month",
                       "months", "wk", "wks", "week", "weeks"})
_UNIT = "|".join(re.escape(u) for u in sorted(AGE_UNITS, key=len, reverse=True))
#: An age between a possessive and a relation, as the tokenizer above cuts it ("his 80yo mum", "her 15-yo son", "her
#: 3 yr old daughter").
_AGE = re.compile(rf"\(?\d+(?:-?(?:{_UNIT})(?:-old)?)?\)?|{_UNIT}", re.I)
_REPORT = re.compile(r"^(?:says?|said|told|tells|reports?|reported|disclosed|admitted|admits|mentioned|texted|wrote|"
                     r"messaged|confided|explained|posted|rang|called|phoned|emailed)$", re.I)
_CLIENT = frozenset({"client", "pt", "patient", "cl", "caller"})
_EXPLICIT = (
    (re.compile(r"\b\d{1,2}\s*(?:yo|y/o|yrs?|year[- ]old)?\s*,?\s*M\b|\b(?:male|a\s+man|gentleman|widower)\b|"
                r"\b(?:a|the)\s+(?:man|boy)\s*\(?\s*\d{1,2}|\b\d{1,2}\s*(?:yo|y/o|-year-old|year\s+old)\s+(?:man|boy)\b"), "m"),
    (re.compile(r"\b\d{1,2}\s*(?:yo|y/o|yrs?|year[- ]old)?\s*,?\s*F\b|\b(?:female|a\s+woman|widow)\b|"
                r"\b(?:a|the)\s+(?:woman|girl)\s*\(?\s*\d{1,2}|\b\d{1,2}\s*(?:yo|y/o|-year-old|year\s+old)\s+(?:woman|girl)\b"), "f"),
)


#: Verbs after which "her" is an object, so "her son" is not the client's possessive ("told her son").
_CLIENT_OBJECT_VERBS = frozenset({"told", "tells", "asked", "asks", "hit", "hits"})


def relation_gender(word: str) -> str | None:
    w = word.lower().removesuffix("'s").removesuffix("’s")
    return "m" if w in MALE_RELATIONS else "f" if w in FEMALE_RELATIONS else None


def _pronoun_gender(word: str) -> str | None:
    w = word.lower()
    return "m" if w in _MALE else "f" if w in _FEMALE else None


def client_gender(text: str) -> str | None:
    """The client's grammatical gender where the text shows it, else None. Evidence: a possessive before
    a relative ("her son", "his wife"), the object of a relative's report ("her brother told her"), the
    pronoun after the client ("pt says he"), and explicit forms ("28 M", "a 71yo man")."""
    votes: dict[str, int] = {"m": 0, "f": 0}
    for pattern, g in _EXPLICIT:
        votes[g] += 2 * len(pattern.findall(text))
    words = re.findall(r"[\w'’/-]+", text)
    low = [w.lower() for w in words]
    for i, w in enumerate(low):
        g = _pronoun_gender(w)
        if g is None:
            continue
        if w in ("his", "her"):
            j = i + 1
            while j < len(low) and (low[j] in _BETWEEN or _AGE.fullmatch(low[j])):
                j += 1
            if j < len(low) and (relation_gender(low[j]) is not None or low[j].removesuffix("'s") in NEUTRAL_PERSONS) \
                    and (i == 0 or low[i - 1] not in _CLIENT_OBJECT_VERBS):
                votes[g] += 1
                continue
        if w in ("him", "her") and i >= 1 and _REPORT.match(low[i - 1]):
            # the object of a relative's report: "her brother told her ..."
            k = max(0, i - 15)
            if any(relation_gender(x) is not None or x in NEUTRAL_PERSONS for x in low[k:i - 1]):
                votes[g] += 1
                continue
        if w in ("he", "she") and i >= 1 and low[i - 1] in _CLIENT | {"says", "said"} and \
                (low[i - 1] in _CLIENT or (i >= 2 and low[i - 2] in _CLIENT)):
            votes[g] += 1
    for sentence in re.split(r"[.!?;]\s+|\n+", text):
        sw = re.findall(r"[\w'’/-]+", sentence.lower())
        if sw and sw[0] in ("she", "he", "she's", "he's", "she'd", "he'd"):
            votes["f" if sw[0].startswith("she") else "m"] += 1  # a sentence about the client opens with them
        for i, w in enumerate(sw):
            if w in ("herself", "himself") and any(x in _CLIENT for x in sw[max(0, i - 4):i]):
                votes["f" if w == "herself" else "m"] += 1  # "pt blames herself"
    if votes["m"] == votes["f"]:
        return None
    return "m" if votes["m"] > votes["f"] else "f"


def other_by_gender(doc: Any, target_start: int, target_end: int, client: str | None) -> str | None:
    """The relative a finding belongs to by pronoun agreement, or None. ``doc`` is a spaCy doc of the
    clause; the target spans tokens [target_start, target_end)."""
    pronoun = None
    for tok in doc[target_start:target_end]:
        if tok.lower_ in ("himself", "herself"):
            pronoun = tok
            break
    if pronoun is None:
        for tok in reversed(doc[:target_start]):
            if tok.lower_ in ("he", "she"):
                pronoun = tok
                break
    if pronoun is None:
        return None
    gender = _SUBJECT[pronoun.lower_]
    if client is None or client == gender:
        return None  # "mum says she's barely sleeping": the client, as far as the text shows
    if any(_DISCOVERY.match(t.text) for t in doc[pronoun.i:target_start]):
        return None  # "she found a noose in her son's room": what was found is not hers
    # the nearest relative before the pronoun, of the pronoun's gender or of none, with no one else in between
    for tok in reversed(doc[:pronoun.i]):
        g = relation_gender(tok.text)
        if g == gender or (g is None and tok.lower_.removesuffix("'s").removesuffix("’s") in NEUTRAL_PERSONS):
            return tok.text
        owned = tok.i > 0 and doc[tok.i - 1].lower_ in ("his", "her", "their")
        if tok.lower_ in _CLIENT or (g is not None and not owned):
            return None  # someone else stands between ("his mum" is only named, not a subject)
    return None


_DISCOVERY = re.compile(r"^(?:found|finds|saw|sees|seen|noticed|notices|discovered|discovers|heard)$", re.I)


_PARTNERS = frozenset({"husband", "wife", "partner", "spouse", "bf", "gf", "boyfriend", "girlfriend", "fiance", "fiancee",
                       "ex", "ex-partner", "ex-husband", "ex-wife", "ex-boyfriend", "ex-girlfriend", "hubby", "fella"})
_POSSESSOR = re.compile(r"([a-z-]+)(?:'s|’s)\s+(?:(?:new|old|former|current|own|\(?\d+\)?)\s+){0,2}$")


def _owns_a_relation(clause: str, word: str, modifiers: tuple[str, ...]) -> bool:
    """Whether the relation ``word``, as a possessor in ``clause``, owns another relation of ``modifiers``
    ("sister's husband"), not a thing ("husband's violence")."""
    others = {_words_of(m).removesuffix("'s").removesuffix("’s") for m in modifiers if m.startswith("other_person:")} - {word}
    return any(re.search(rf"\b{re.escape(word)}(?:'s|’s)\s+(?:[\w()-]+\s+){{0,2}}?{re.escape(o)}\b", clause) for o in others)


def _words_of(modifier: str) -> str:
    """The relation's words in an "other_person:<words>" modifier, lower-cased, without the "(speaks)" mark."""
    return modifier.split(":", 1)[1].removesuffix(" (speaks)").lower()


def clients_own_violence(clause: str, modifiers: tuple[str, ...]) -> bool:
    """Intimate partner violence scoped to a relative is the client's when that relative is the client's
    own partner or ex ("her husband hits her"), or when another relative's violence is aimed at a bare
    "her" / "him" ("her adult son hits her"); a relative's partner ("her sister's husband", "my client's
    daughter's boyfriend", "the flatmate's boyfriend") or anyone else's violence makes it theirs. Violence a partner
    does to himself ("her partner hits himself in the face when they row") is his act on himself, not on her."""
    if _ON_ONESELF.search(clause) and not _AT_THE_CLIENT.search(clause):
        return False
    low = clause.lower()
    for m in modifiers:
        if not m.startswith("other_person:") or m.endswith("(pronoun)"):
            continue
        word = _words_of(m).removesuffix("'s").removesuffix("’s")
        if re.search(rf"\b{re.escape(word)}(?:'s|’s)\s", low) and \
                (word not in _PARTNERS or _owns_a_relation(low, word, modifiers)):
            continue  # a possessor ("the neighbour's boyfriend"): the one it owns decides; a partner who owns the
            # violence ("her friend's boyfriend's abuse", "her husband's violence") is its agent, read as a partner
        if word not in _PARTNERS:
            return bool(_AT_THE_CLIENT.search(clause))  # "her adult son hits her": violence at the client
        before = low[:max(low.find(_words_of(m)), 0)]
        owner = _POSSESSOR.search(before)
        if owner and (relation_gender(owner.group(1)) is not None or owner.group(1) in _OTHERS) or _reporters_own(before):
            return False
    return True


#: A relative reporting, then a possessive ("her sister says her bf", "his brother told him his wife"): the possessive's
#: nearest antecedent is the one who reports.
_REPORTED_BY = re.compile(
    r"\b(?P<rel>[a-z-]+)\s+(?:\([^)]{0,12}\)\s+)?(?:says|said|tells|told|reckons|mentioned|reports|reported|admitted|"
    r"disclosed|confided|confessed|let\s+slip|texted|messaged|rang\s+to\s+say)\s+(?:(?P<obj>me|us|her|him|them|pt|cl|the\s+client|"
    r"my\s+client)\s+)?(?:that\s+)?(?P<pron>her|his)\s+(?:(?:new|current|own)\s+)?$")


def _reporters_own(before: str) -> bool:
    """Whether the partner that ``before`` ends on is the partner of a relative who reports it, by gender: "my sister
    says her bf ...", "pt's brother told her his wife ...", not "pt says her bf" nor "her son says her husband"; nor
    "her mum told her her boyfriend ...", where the one told may own it."""
    m = _REPORTED_BY.search(before)
    pron = m and m.group("pron")
    return bool(m) and relation_gender(m.group("rel")) == ("f" if pron == "her" else "m") \
        and m.group("obj") != ("her" if pron == "her" else "him")


_AT_THE_CLIENT = re.compile(
    r"\b(?:hit|hits|hitting|beat|beats|beating|punch\w*|slap\w*|kick\w*|shov\w*|push\w*|threaten\w*|chok\w*|"
    r"strangl\w*|grab\w*|hurt\w*|attack\w*)\s+(?:her|him|me)\b(?!\s+(?:\w+\s+)?(?:mum|mom|mother|dad|father|sister|"
    r"brother|son|daughter|friend|husband|wife|partner|boyfriend|girlfriend|kids?|child|children|baby|dog|cat)\b)", re.I)
_ON_ONESELF = re.compile(
    r"\b(?:hit|hits|hitting|beat|beats|beating|punch\w*|slap\w*|kick\w*|hurt\w*|bang\w*|scratch\w*|burn\w*|cut|cuts|"
    r"cutting|harm\w*|injur\w*|bit|bite\w*|bites)\s+(?:him|her|them)sel(?:f|ves)\b", re.I)
_OTHERS = frozenset({"friend", "mate", "flatmate", "roommate", "housemate", "colleague", "coworker",
                     "neighbour", "neighbor", "partner", "ex", "parent", "parents", "child", "kid", "sibling"})


#: Who a relative's act is aimed at, when it is the client or a child in the client's care: a bare object
#: pronoun ("threatened to break her legs", "locks him out", "hit me"), the client named ("hit the pt"),
#: or a child ("hits the kids", "hits younger (8)"). "Her brother threatened their dad", "the neighbour
#: threatened another neighbour": someone else's.
_KIN = (r"mum|mom|mother|dad|father|sister|brother|son|daughter|friend|husband|wife|partner|boyfriend|girlfriend|"
        r"ex|aunt|uncle|cousin|nephew|niece|colleague|boss|manager|neighbou?r|flatmate|mate|grandma|grandad|"
        r"grandmother|grandfather|stepdad|stepmum|parents?|family|dog|cat|car|house|flat|room|money|phone")
_AT_CLIENT_OR_CHILD = re.compile(
    rf"\b(?:her|him|me|us)\b(?!\s*(?:'s|’s))(?!\s+(?:\w+\s+)?(?:{_KIN})s?\b)|"
    r"\b(?:pt|client|cl|patient)\b(?!\s*(?:'s|’s))|"
    r"\b(?:the|her|his|their|our|my)\s+(?:\w+\s+)?(?:kids?|children|child|baby|babies|toddler|little\s+ones?|younger\s+\w+|\d+\s+(?:girls|boys|kids))\b|"
    r"\byounger\b|\b(?:baby|babies|toddlers?|kids|children|child|girls|boys)\b", re.I)


#: Turning up, waiting or following where the client lives or works.
_AT_THE_CLIENTS_PLACE = re.compile(
    r"\b(?:turn\w*\s+up|show\w*\s+up|com(?:e|es|ing)\s+(?:round|over|to)|came\s+(?:round|over|to)|wait\w*|hang\w*\s+around|"
    r"follow\w*|lurk\w*|park\w*|bang\w*\s+on)\b[^.;]{0,30}?\b(?:at|outside|round|to|on|near)\s+(?:the\s+|her\s+|his\s+|their\s+|"
    r"my\s+|our\s+)?(?:house|home|flat|work|door|front\s+door|school|place|workplace|office)\b", re.I)


def by_a_partner(modifiers: tuple[str, ...]) -> bool:
    """Whether a finding is scoped to the client's partner or ex ("other_person:husband", "other_person:ex")."""
    return any(m.startswith("other_person:") and _words_of(m).removesuffix("'s") in _PARTNERS for m in modifiers)


#: A child of the client's: the relation words, after the client's possessive with at most an age or an adjective
#: between ("her toddler", "his 6-year-old daughter", "pt's little boy").
_CHILD = r"baby|babies|toddlers?|infant|newborn|kids?|child|children|little\s+ones?|son|sons|daughters?|boy|girl|twins|stepson|stepdaughter"
_CLIENTS_CHILD = re.compile(
    rf"\b(?:her|his|their|my|our|pt'?s|client'?s|cl'?s|patient'?s)\s+(?:[\w-]+\s+){{0,2}}?(?:{_CHILD})\b(?P<after>\s*\(\s*\d+)?",
    re.I)
_ADULT_AGE = re.compile(r"\b(?:1[89]|[2-9]\d)\b|\b(?:adult|grown|grown-up)\b", re.I)


def a_clients_child(clause: str, modifiers: tuple[str, ...]) -> bool:
    """Whether a safeguarding concern scoped to a relative is scoped to a child of the client's: "her toddler has
    bruises she couldn't explain" is the client's case to safeguard, not someone else's risk. Not another's child
    ("the neighbour's kids") or an adult son or daughter ("her son (34)", "her grown-up daughter")."""
    for m in modifiers:
        if not m.startswith("other_person:") or m.endswith("(pronoun)"):
            continue
        word = _words_of(m).removesuffix("'s").removesuffix("’s")
        for c in _CLIENTS_CHILD.finditer(clause):
            if word in c.group(0).lower() and not _ADULT_AGE.search(c.group(0) + clause[c.end():c.end() + 4]):
                return True
    return False


def aimed_at_client(clause: str, modifiers: tuple[str, ...]) -> bool:
    """Harm to others or a safeguarding concern scoped to a relative (the relative is the subject) is the
    client's when what the relative does is aimed at the client or at a child: "dad of cl (16) threatened
    to 'break her legs'", "partner hits the kids". Otherwise it is between other people: "pt's colleague
    made threats vs manager", "her brother threatened their dad with a knife"."""
    low = clause.lower()
    for m in modifiers:
        if not m.startswith("other_person:") or m.endswith("(pronoun)"):
            continue
        word = _words_of(m)
        at = low.find(word)
        if at < 0:
            return True
        own = re.split(r"[;.]|\s[-–—]\s", clause[at + len(word):], maxsplit=1)[0]  # the relative's own clause
        if re.match(rf"(?:'s|’s)\s+(?:[\w-]+\s+)?(?:{_CHILD})\b", own, re.I) and word.removesuffix("'s") not in _PARTNERS:
            return False  # another's children ("the neighbour's kids have bruises"): theirs to safeguard
        if word.removesuffix("'s") in _PARTNERS and _AT_THE_CLIENTS_PLACE.search(own):
            return True  # a partner or ex at the client's door with a weapon or a threat ("his ex keeps turning up at
            # the house with a knife"): aimed at the client, whoever else lives there
        return bool(_AT_CLIENT_OR_CHILD.search(own))
    return True
