"""Reported speech: whose words a report carries.

ConText scopes a relation ("her son", "pt's best friend") over the words after it, and a new subject
("... he wants to die") ends that scope, because a bare pronoun is usually the client. In a report the
pronoun is the reporter's own: "Cl's eldest son told the school counsellor he wants to die", "her best friend
from university has been telling her she wants to die", "his dad texted Sun night that he 'wants to end it
all'". The speaker of a report is its verb's subject, and the subject of what they tell someone is, when it
agrees with them, the speaker again.

Two readings are kept as the client's, where safety errs towards asking:
- a report to the clinician ("her mum told me she's been cutting", "dad rang us to say he ..."): an informant
  speaking of the client;
- a report with no one told ("mum says she's barely sleeping"): the informant's form in notes.

No parser: the report's verb, object and complement are read from the words between the relation and the
pronoun, as ConText reads its rules.
"""

from __future__ import annotations

import re
from typing import Any

from .coref import NEUTRAL_PERSONS, relation_gender

#: Verbs that tell someone something. A telling with no one told counts only for the written and confiding
#: ones ("dad texted that he ...", "confided she ..."): "says"/"said" alone is an informant's form.
_TELLING = re.compile(r"^(?:told|tells?|telling|texted|texts|texting|messaged|messages|messaging|wrote|writes|"
                      r"writing|emailed|emails|posted|posts|posting|confided|confides|confiding|disclosed|discloses|"
                      r"admitted|admits|warned|warns|informed|informs|promised|promises|threatened|threatens|"
                      r"announced|announces|said|says|saying|screamed|screaming|shouted|shouting|yelled|yelling)$")
_NEEDS_OBJECT = re.compile(r"^(?:said|says|saying|admitted|admits|screamed|screaming|shouted|shouting|yelled|yelling|"
                           r"threatened|threatens|warned|warns|promised|promises|informed|informs)$")
#: What may stand between the relation and its verb: auxiliaries and adverbs.
_BEFORE_TELLING = frozenset({"has", "have", "had", "is", "was", "been", "keeps", "kept", "keep", "also", "now", "just",
                             "then", "recently", "repeatedly", "apparently", "reportedly", "often", "even", "has'", "'s",
                             "later", "finally", "suddenly", "allegedly", "once", "twice", "again", "will", "would"})
#: The clinician as the one told: the relation informs about the client.
_CLINICIAN = frozenset({"me", "us", "you", "i", "team", "clinician", "therapist", "service", "gp", "crisis"})
_SUBJECT_PRONOUNS = {"he": "m", "he's": "m", "he'd": "m", "he'll": "m", "she": "f", "she's": "f", "she'd": "f",
                     "she'll": "f", "they": None, "they're": None, "they'd": None}
_BREAK = frozenset({".", ";", "?", "!", "—", "–"})
#: The client named: the one told ("told pt"), or, after the report, the report's end.
_THE_CLIENT_TOLD = frozenset({"pt", "client", "cl", "patient"})
_CLIENT = _THE_CLIENT_TOLD | {"pt's", "client's"}
_AFTER_ASIDE = frozenset({"from", "at", "in", "of", "on", "across", "upstairs", "downstairs", "next", "door"})
_QUOTES = frozenset({"'", "‘", "\"", "“"})
#: A directive after the pronoun of what was told ("told her she has to stop", "she should", "she must"): its
#: subject is the one told.
_DIRECTIVE = re.compile(r"^(?:'d\s+better|should|shouldn't|must|mustn't|has\s+to|have\s+to|had\s+to|needs?\s+to|"
                        r"ought|'s\s+got\s+to|can't|cannot|could|would\s+have\s+to|is\s+to|was\s+to)\b", re.I)


def _after_relation(doc: Any, end: int, limit: int = 10) -> int | None:
    """The index of the verb of telling after a relation ending at ``end``, across a parenthesis ("Son (7)"),
    a comma-set aside (", who lives with them,"), a place ("from university", "upstairs"), auxiliaries and
    adverbs; None when something else comes first."""
    i, stop = end, min(len(doc), end + limit)
    while i < stop:
        w = doc[i].lower_
        if _TELLING.match(w):
            return i
        if w == "(":
            close = next((t.i for t in doc[i + 1:i + 8] if t.text == ")"), None)
            if close is None:
                return None
            i = close + 1
            continue
        if w == "," and i == end:
            close = next((t.i for t in doc[i + 1:i + 12] if t.text == "," or t.text in _BREAK), None)
            if close is None or doc[close].text != ",":
                return None
            i = close + 1
            continue
        if w in _AFTER_ASIDE:
            # a place or a group ("from university", "of my client", "from her old group"): a few words
            nxt = next((t.i for t in doc[i + 1:i + 7] if _TELLING.match(t.lower_) or t.is_punct), None)
            if nxt is None or doc[nxt].is_punct:
                return None
            i = nxt
            continue
        if w in _BEFORE_TELLING or w.endswith("ly"):
            i += 1
            continue
        return None
    return None


#: People named by what they are, not by their relation to the client ("a Year 11 boy", "a woman at the school
#: gate", "a resident"): a speaker only when what they tell is told to the client, who is then someone else.
GENERIC_PEOPLE = {"boy": "m", "man": "m", "lad": "m", "guy": "m", "bloke": "m", "gentleman": "m", "girl": "f",
                  "woman": "f", "lady": "f", "lass": "f", "kid": None, "student": None, "pupil": None,
                  "resident": None, "member": None, "stranger": None, "someone": None, "somebody": None,
                  "person": None, "customer": None, "service-user": None}


def _client_told(doc: Any, start: int, told: list[str]) -> bool:
    """Whether the one told is the client: named ("told pt", "told my client"), or a bare "her"/"him" after the
    client was named earlier in the sentence ("Client (a teacher) says a Year 11 boy told her ...")."""
    if any(w in _THE_CLIENT_TOLD for w in told):
        return True
    if not told or told[0] not in ("her", "him"):
        return False
    return any(t.lower_.removesuffix("'s") in _THE_CLIENT_TOLD for t in doc[max(0, start - 12):start])


def reported_until(doc: Any, start: int, end: int, generic: bool = False) -> int | None:
    """Where a relation's report ends, when the relation at tokens [start, end) reports something of its own
    to someone other than the clinician: the token that ends the reported clause (a sentence break, a dash,
    a contrast, the client named). None when the relation is not such a speaker. ``generic``: the speaker is a
    person named by what they are (GENERIC_PEOPLE), who speaks of their own only when telling the client."""
    verb = _after_relation(doc, end)
    if verb is None:
        return None
    word = doc[end - 1].lower_.removesuffix("'s").removesuffix("’s")
    gender = GENERIC_PEOPLE.get(word) if generic else relation_gender(doc[end - 1].text)
    neutral = word in NEUTRAL_PERSONS or (generic and gender is None)
    told: list[str] = []
    for t in doc[verb + 1:verb + 8]:
        w = t.lower_
        if t.text in _BREAK or w in ("but", "however", "although", "though"):
            return None
        # what they told opens with a pronoun ("... he wants to die"), or with someone of theirs after the one told
        # ("told pt that her husband 'would kill her'": the husband is the speaker's)
        theirs = w in ("her", "his") and bool(told) and t.i + 1 < len(doc) and \
            (relation_gender(doc[t.i + 1].text) is not None or doc[t.i + 1].lower_ in NEUTRAL_PERSONS)
        if w in _SUBJECT_PRONOUNS or theirs:
            said = "f" if w == "her" else "m" if w == "his" else _SUBJECT_PRONOUNS[w]
            if any(x in _CLINICIAN for x in told) or (not told and _NEEDS_OBJECT.match(doc[verb].lower_)):
                return None
            if generic and not _client_told(doc, start, told):
                return None
            if said is not None and gender is not None and said != gender:
                return None  # "her husband told her she ...": she is not the husband
            if said is not None and gender is None and not neutral:
                return None
            if told and _DIRECTIVE.match(doc[t.i + 1:t.i + 3].text if t.i + 1 < len(doc) else ""):
                return None  # "her mum told her she has to stop cutting": a directive's subject is the one told
            return next((u.i for u in doc[t.i + 1:] if u.text in _BREAK or u.lower_ in _CLIENT
                         or u.lower_ in ("but", "however", "although", "though", "whereas")
                         or (u.lower_ in _SUBJECT_PRONOUNS and u.lower_ != w)  # "he'd seen she'd been googling ..."
                         or (u.text == "-" and u.whitespace_ and u.i > 0 and doc[u.i - 1].whitespace_)), len(doc))
        if w != "that" and w not in _QUOTES:
            told.append(w)
    return None
