"""Where a ConText modifier's scope falls, read from the words around it without a parser: whose experience a
finding is (a relation is the experiencer only as a subject: "her son self-harms", not "texted her ex"; a relative
who speaks a quotation owns its first person; an owner after "about" owns what follows), how far a time, a
negation or a condition reaches (relative asides, quotations, a fronted history), and which rules hold only in a
clinician's question. :func:`place_modifiers` is called by ``assertion.assert_targets`` on the modifiers ConText
found; the rest are its helpers."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..yamlfile import load_yaml
from .coref import AGE_UNITS
from .speech import GENERIC_PEOPLE, reported_until

VERBS_FILE = Path(__file__).with_name("irregular_verbs.yaml")


@lru_cache(maxsize=1)
def irregular_verbs() -> tuple[tuple[str, ...], ...]:
    """Irregular English verbs as (base, simple past, past participle): irregular_verbs.yaml."""
    return tuple(tuple(v) for v in load_yaml(VERBS_FILE.read_text(encoding="utf-8"))["irregular_verbs"])


@lru_cache(maxsize=1)
def _past_forms() -> frozenset[str]:
    return frozenset(v[1] for v in irregular_verbs() if v[1] != v[0])

#: medspaCy default rules the project replaces (context_rules.yaml has the replacements): ": no" read
#: backward only, so "Risk low: no SI" left SI un-negated; "deny" read "denied" forward only ("SI - denied");


_RELATION_PREFIX = frozenset({"her", "his", "their", "my", "our", "your", "the", "a", "an", "this", "its", "pt's", "client's",
                              "cl's", "patient's", "best", "old", "late", "new", "older", "younger", "elder", "eldest",
                              "little", "big", "teenage", "elderly", "adult", "own", "closest", "close", "'s",
                              "grown", "only", "dear", "former"})
#: Nouns that name the setting a relation belongs to, before it ("group member", "work colleague", "school friend"):
#: part of the relation's words, not a verb or a preposition that makes it an object.
_SETTING_NOUNS = frozenset({"group", "work", "school", "uni", "college", "church", "gym", "team", "football", "online",
                            "family", "childhood", "support", "ward", "class", "aa", "na", "fellow", "other", "another"})
_AGE_TOKEN = re.compile(r"^\(?\d+\s*(?:yo|y/o|yrs?|m|f|mo|months?)?\)?$", re.I)
#: What may govern a relation that is the subject of what follows: nothing (the clause starts with it),
#: punctuation (a label: "grief (husband, suicide 2022)"; a gloss's close: "pt (M, 19) friend died (overdose)"),
#: a conjunction or subordinator, or a verb that takes a clause ("says her son is cutting").
_SUBJECT_GOVERNORS = frozenset({"(", "[", ")", "]", "/", ",", ";", ":", "-", "–", "—", "and", "or", "but", "however", "so", "then", "&", "+", "also", "plus",
                                "since", "because", "when", "where", "whereas", "after", "before", "as", "while", "whilst", "if", "that",
                                "until", "till", "once", "though", "although", "whose", "now", "says", "said", "reports",
                                "reported", "thinks", "thought", "feels", "felt", "worries", "worried", "fears", "feared",
                                "believes", "believed", "states", "stated", "knows", "knew", "found", "noticed", "heard",
                                "learnt", "learned", "discovered", "realised", "realized", "mentions", "mentioned",
                                "explains", "explained", "admits", "admitted", "disclosed", "discloses", "suspects", "fact",
                                "think", "feel", "worry", "fear", "believe", "know", "says:", "—"})
#: Verbs of knowing, thinking and perceiving that take a clause: its subject holds that clause, to its break ("she knows
#: her husband is depressed, wants to die"); what someone says may go on after a break ("says her sister is suicidal - has
#: a plan").
_KNOWING = frozenset({"thinks", "thought", "feels", "felt", "worries", "worried", "fears", "feared", "believes", "believed",
                      "knows", "knew", "found", "noticed", "heard", "learnt", "learned", "discovered", "realised", "realized",
                      "suspects", "think", "feel", "worry", "fear", "believe", "know", "saw", "watched", "seen"})
#: A subordinate clause ("since husband died, ...") holds its subject only up to its closing punctuation.
_SUBORDINATORS = frozenset({"since", "because", "when", "where", "whereas", "after", "before", "as", "while", "whilst",
                            "until", "till", "once", "though", "although", "if"})
_CLAUSE_END = frozenset({",", ";", ":", "-", "–", "—", "."})
#: (spaCy splits "she's" into "she" and "'s", so the bare pronouns are enough.)
_PRONOUN_SUBJECTS = frozenset({"she", "he", "they", "i"})
_EXPERIENCER = frozenset({"FAMILY", "OTHER_EXPERIENCER"})
#: context_rules.yaml's rules for words quoted from a film, a song or a book.
_A_WORKS_WORDS = frozenset({"from a film", "quoting a song"})
_CLIENT_WORDS = frozenset({"client", "pt", "patient", "cl"})
_PREPOSITIONS = frozenset({"w", "w/", "with", "to", "of", "for", "by", "from", "at", "near", "and", "&", "+", "like", "than",
                           "about", "re", "behind", "beside", "opposite"})


#: A clinician asking what to do: a "when" there sets a condition ("what do I say when she ...").
_QUESTION = re.compile(r"\?|\b(?:what|how)\s+to\b|\b(?:what|how)\s+(?:do|does|should|could|would|can|might)\s+(?:i|we|you)\b|"
                       r"\b(?:should|could|would|can|do)\s+(?:i|we)\b", re.I)


def _age_word(doc: Any, j: int) -> bool:
    """A unit of an age (its own token) between a possessive and a relation, or the hyphen before it ("her 15-yo son",
    "her 15 yo son", "his 3 year old")."""
    for i in (j - 2, j - 1, j):  # "y/o" cut into "y", "/", "o" ("her 17 y/o daughter")
        if i >= 1 and doc[i - 1].text.isdigit() and [t.lower_ for t in doc[i:i + 3]] == ["y", "/", "o"]:
            return True
    if doc[j].lower_ in AGE_UNITS:
        return j > 0 and (doc[j - 1].text.isdigit() or doc[j - 1].text in ("-", "–") or doc[j - 1].lower_ in AGE_UNITS)
    return doc[j].text in ("-", "–") and j > 0 and doc[j - 1].text.isdigit() and j + 1 < len(doc) \
        and doc[j + 1].lower_ in AGE_UNITS


def place_modifiers(doc: Any, modifiers: list[Any], relations: bool = True, specific: bool = False,
                    self_directed: bool = False) -> list[Any]:
    """ConText's experiencer rules scope everything after a relation word. A relation is the one who
    experiences what follows only as a subject: "her son self-harms", "says her friend is cutting".
    As an object ("texted her ex", "gave the dog to the neighbour", "letters to her kids") it is not,
    and a relation that is the subject of a subordinate clause ("since husband died, giving his tools
    away") holds that clause only. A relation glossed as the client ("her daughter (my client, 15)") is
    the client. Without a parser, the subject position is read from what governs the relation.
    ``relations=False`` keeps every relation: an age or a life stage belongs to the person it
    describes wherever that person stands ("argues with her teenage son"). ``self_directed``: the findings are
    acts on oneself (ideation, self-harm, an overdose), which a parent's or partner's cannot be done to the client:
    "spoke about her dad's SH" is the dad's."""
    kept = []
    modifiers = modifiers + _speakers(doc, modifiers)
    raw_starts = {m.modifier_span[0] for m in modifiers if m.category.upper() in _EXPERIENCER}
    question = bool(_QUESTION.search(doc.text))
    asides = _relative_asides(doc)
    quotes = _quotations(doc)
    open_quotes = _quotations(doc, open_single=True)
    for mod in modifiers:
        aside = next(((a, b) for a, b in asides if a <= mod.modifier_span[0] < b), None)
        if aside is not None and mod.scope_span[1] > aside[1]:
            mod._scope_end = aside[1]  # "my client, whose brother was sectioned last spring, has been ...": the
            # time, negation or relation inside the aside describes the aside only
        if aside is not None and mod.scope_span[0] < aside[0] and mod.category.upper() == "HISTORICAL" \
                and doc[aside[0]].lower_ != "which":
            mod._scope_start = aside[0]  # ... backwards too, when it describes a person: "wants to be with her son,
            # who died last year" (a thing's date dates what is in it: "DV in her first marriage, which ended in 2009")
        close = _closing_double_quote(doc, quotes, mod.modifier_span[0])
        if close is None and mod.category.upper() == "HYPOTHETICAL":
            # a condition inside anyone's quoted words, single quotes too, is theirs ("'if you leave I'll make
            # sure you never see the kids' and punched the door"): what follows the quotation happened
            close = next((b for a, b in quotes if a < mod.modifier_span[0] < b), None)
        elif close is None and mod.category.upper() == "NEGATED_EXISTENCE":
            # ... and so is a negation inside a quoted statement of its own ("When she says 'I'll never cope as
            # a mum', should I be reframing that thought?"); a quoted one- or two-word answer ("SI: 'no'",
            # "'never' to SH") still answers what it stands by
            close = next((b for a, b in quotes if a < mod.modifier_span[0] < b and b - a > 4), None)
        if close is not None and close < mod.scope_span[1]:
            mod._scope_end = close  # a modifier inside a quotation reaches no further than the quotation
        if mod.rule.literal == "not sure if" and doc[mod.modifier_span[0]].text == "?" and mod.modifier_span[0] > 0 \
                and not doc[mod.modifier_span[0] - 1].whitespace_:
            continue  # a question mark glued to its word ends a question ("would you section me?"); the
            # query mark stands before what it queries ("?SI", "pt ? psychotic")
        if mod.rule.literal == "neg" and doc[mod.modifier_span[0]].text in _MARKS:
            _mark_before(doc, mod)  # "Risk: ✗ SI ✗ SH ✗ HTO": a mark before each item answers the item after it
        if mod.rule.literal in _TOGETHER:
            if not _answers_last(doc, mod):
                continue  # "her friends were all no help": "no" begins a phrase, it answers nothing
            _over_the_list(doc, mod)
        elif mod.rule.literal in _AFTER_LIST:
            _over_the_list(doc, mod, needs_break=True)
        if mod.category.upper() == "HYPOTHETICAL":
            _end_at_stated(doc, mod)  # "If she is discharged, she says she will kill herself": the condition ends
            # where the client's statement begins
        if mod.rule.literal == "when (in a question)" and not question:
            continue  # a temporal "when" in a statement describes what happens
        if mod.rule.literal == "how do you tell" and \
                not any(t.lower_ in _DISTINCTION for t in doc[mod.modifier_span[1]:mod.scope_span[1]]):
            continue
        if mod.rule.literal in _GENERIC_FRAMES and (specific or _my_client(doc, mod)):
            continue  # "when my client is obviously hypomanic", "a client who keeps saying ...? She won't say
            # whether ...": the clinician asks about one client
        if mod.rule.literal == "ask re" and not question and \
                any(t.lower_ in _ASKED_WHOM or t.lower_.endswith("ing") for t in doc[mod.modifier_span[0]:mod.modifier_span[1]]):
            continue  # the one asked named ("should I ask her about self-harm?") and the -ing forms ("should I be
            # screening for IPV?") count in a clinician's question only; in notes "screening for X" may be a screen done,
            # and notes are read as before (in notes the wider rule cost a faithful draft on the notes' test total)
        if mod.rule.literal == "how to ask" and _asks_of_an_event(doc, mod, skip=_PARTICLES):
            continue  # "how do you even bring up the cutting she showed me last week?": how to raise something that
            # happened supposes nothing about it; "how do I raise self-harm with a teen?" asks about a topic
        if mod.rule.literal == "ask re" and question and _asks_of_an_event(doc, mod):
            continue  # "how do I ask about the overdose she took?": the clinician's question about something that
            # happened scopes nothing it describes; "do I ask about suicide?" asks about a topic not yet assessed
        if mod.rule.literal == "resolved" and _stopped_doing(doc, mod):
            continue  # "suicidal thoughts since she stopped her lithium": the person stopped something of their own
        if mod.rule.literal in _GENERIC_PERSON and (_reported_in_past(doc, mod) or _introduced_as_mine(doc, mod)):
            continue  # "a client with a 6-week-old baby said she's had thoughts of ending her life": the
            # person who said it is one client, not a case in general ("a client who says she wants to die")
        if mod.category.upper() == "HISTORICAL" and not _a_time(doc, mod):
            continue
        if mod.category.upper() == "HISTORICAL" and mod.rule.literal != "2011" and _fronted(doc, mod):
            # (a bare year dates only the event next to it: its scope stays short)
            _over_main_clause(doc, mod, modifiers)
        if mod.category.upper() not in _EXPERIENCER or not relations:
            kept.append(mod)
            continue
        start, end = mod.modifier_span
        if mod.rule.literal in _A_WORKS_WORDS:
            kept.append(mod)  # a film or a song as the source of quoted words: no relation, no subject to find
            continue
        if mod.rule.literal == _SPEAKER_LITERAL:  # _speakers found it telling someone of its own, and scoped it
            mod.ipt_speaks = True
            kept.append(mod)
            continue
        if mod.rule.literal == SPEAKS_RULE:  # "her brother said 'I": the rule spans the possessor, the
            # relation, the verb and the quotation's opening, so the relation is a subject and speaks
            inside = _quotation_around(quotes, end - 1)
            if inside is not None:
                stop, client_again = _relatives_words(doc, inside)
                mod._scope_end = stop if client_again else max(mod.scope_span[1], stop)
                mod.ipt_speaks = True
            kept.append(mod)
            continue
        if any(t.lower_ in _CLIENT_WORDS and doc[t.i - 1].lower_ not in _PREPOSITIONS for t in doc[end:end + 4]) \
                and any(t.text in ("(", ",") for t in doc[end:end + 2]):
            continue  # glossed as the client ("her daughter (my client, 15)"); not "Sister (lives w pt)"
        if start >= 2 and doc[start - 1].text == "(" and doc[start - 2].lower_ in _CLIENT_WORDS \
                and any(t.text == ")" for t in doc[end:end + 6]):
            continue  # the client's own role in a gloss after them ("Pt (dad, 34) disclosed ...", "client (mum of 3)")
        gloss = _bracket_gloss(doc, start, end)
        if gloss is not None:
            if mod.scope_span[1] > gloss:
                mod._scope_end = gloss  # "DV hx 2019 (ex), wakes screaming most nights": the bracket names who the
                # event before it involved; what follows the bracket is the client's again
            kept.append(mod)
            continue
        if _beneficiary(doc, end):
            continue  # "says the baby would be better off without her": the baby would be the better for her absence
        j = start - 1
        if end + 1 < len(doc) and _named(doc, end):
            end += 1  # the relation's name after it ("member R disclosed '...'", "friend Jo said '...'")
        while j >= 0 and (doc[j].lower_ in _RELATION_PREFIX or doc[j].lower_ in _SETTING_NOUNS
                          or _AGE_TOKEN.match(doc[j].text) or _age_word(doc, j)
                          or doc[j].lower_ in ("'s", "’s", "s") or _in_relation(doc, j, raw_starts)):
            j -= 2 if doc[j].lower_ in ("'s", "’s", "s") else 1  # a possessor is part of the relation
        j = _client_described(doc, j)
        if any(t.lower_ in ("late", "deceased", "dead") for t in doc[j + 1:start]):
            continue  # "late husband 'keeps calling her to join him'": the dead experience nothing now; what is
            # said of them is the client's (a voice, a wish to join them)
        governor = doc[j].lower_ if j >= 0 else None
        if governor in ("out", "up") and j > 0 and doc[j - 1].lower_ in _SUBJECT_GOVERNORS:
            governor = doc[j - 1].lower_  # a verb's particle ("found out her sister has been researching doses")
        relative = end < len(doc) and doc[end].lower_ in ("who", "who's", "whose", "that")
        # ... or set off by a comma ("lives with her mum, who self-harms, and she wants to die herself"): the relation is
        # the subject of the aside, to its close
        set_off = next((b for a, b in asides if a == end + 1 and doc[end].text == ","), None)
        relative = relative or set_off is not None
        if governor in _INVERTED and question and (j == 0 or doc[j - 1].text in _SENTENCE_END) and \
                (self_directed or doc[start].lower_ not in _MAY_HARM_THE_CLIENT):
            governor = None  # a question's auxiliary before its subject ("Is the daughter's self-harm my
            # responsibility?", "Does her son still cut?"): the relation is the subject (a partner's or a parent's
            # stays open to what may be done to the client: "Is her husband's temper getting worse?")
        if governor in _LOSS_VERBS and end < len(doc) and doc[end].lower_ == "to":
            governor = None  # "lost his son to overdose": the one lost is the one the cause befell
        if end + 1 < len(doc) and doc[end].lower_ in ("'s", "’s"):
            # a possessor ("her housemate's party"): what the relation owns, up to the clause's break, is
            # theirs ("her son's overdose"); a new subject after the owned thing is not
            _end_at_possessed(doc, mod, end + 1)
        if governor is not None and governor not in _SUBJECT_GOVERNORS and not relative and \
                not (_possessed(doc, start) and _verb_follows(doc, end)) and not _causative(doc, governor, end) and \
                not (governor in _ABOUT and _owner(doc, end) and (self_directed or doc[start].lower_ not in _MAY_HARM_THE_CLIENT)):
            continue  # an object: governed by a verb or a preposition, and not the subject of a relative
            # clause of its own ("worried about her flatmate who self-harms": the flatmate self-harms), nor,
            # when it is someone's, of a verb right after it ("she's furious her 19-year-old son took an
            # overdose"; "Year 10 pupil said ..." may be the client). An owner after "about", "re", "over" ... stays:
            # "talked about sister's overdose last yr" is the sister's; not after a verb ("hears baby's 'voice'"), nor a
            # partner's or a parent's ("scared of her husband's temper"), which may be done to the client
        if governor in _KNOWING and not relative:
            # the subject of a clause inside the client's ("she knows her husband is depressed, wants to die", "found her
            # son had taken an overdose, she's not slept since"): the relation holds that clause only; after its break the
            # client goes on
            _end_at_clause(doc, mod, end)
        if set_off is not None and governor is not None and governor not in _SUBJECT_GOVERNORS:
            mod._scope_end = min(mod.scope_span[1], set_off) if mod.scope_span[1] > end + 1 else set_off
        elif relative and governor is not None and governor not in _SUBJECT_GOVERNORS:
            _end_at_clause(doc, mod, end)
        if governor in _SUBORDINATORS:
            _end_at_clause(doc, mod, _past_name_aside(doc, end))
        elif not relative or governor is None or governor in _SUBJECT_GOVERNORS:
            _over_apposition(doc, mod, end)  # the subject of the sentence, not of its own relative clause only
        spoken = _spoken_quotation(doc, quotes, _past_gloss(doc, end)) if _possessed(doc, start) or \
            (governor is None and doc[start].lower_ not in _MAY_BE_THE_CLIENT) else None
        if spoken is not None:
            # the relative speaks the quotation ("pt's wife keeps saying 'I'd rather be dead'", "her son
            # texted 'I can't go on'"): its first person is the relative, so a pronoun inside it ("I want")
            # does not start the client's clause
            stop, client_again = spoken
            mod._scope_end = stop if client_again else max(mod.scope_span[1], stop)
            mod.ipt_speaks = True  # marked "(speaks)" in the modifiers: see detect.analyse
            kept.append(mod)
            continue
        until = reported_until(doc, start, end)
        if until is not None:
            # the relation tells someone of their own ("her son told the school counsellor he wants to die"):
            # the pronoun that opens what they told is theirs, not a new subject that ends their scope
            mod._scope_end = max(mod.scope_span[1], until)
            mod.ipt_speaks = True  # their own words, as a quotation in the first person: see detect.analyse
            kept.append(mod)
            continue
        speaker = end < len(doc) and _REPORTS.match(doc[end].lower_)
        quoted = next((q for t in doc[end:mod.scope_span[1]] if t.lower_ in _FIRST_PERSON
                       for q in [_quotation_around(open_quotes, t.i)] if q is not None), None)
        if quoted is not None and not speaker:
            # the client's own words in quotes ("his family would be 'better off without me'"): the
            # relative is what the client speaks of, the first person is the client
            mod._scope_end = max(end, quoted[0])
        kept.append(mod)
    return kept


_SPEAKER_LITERAL = "relative tells"
#: The informant rules whose first word is the relation that reports ("son told", "mum has noticed").
_INFORMANT_FIRST = frozenset({"informant reports", "informant noticed"})


@lru_cache(maxsize=1)
def _speaker_rule() -> Any:
    from medspacy.context import ConTextRule

    return ConTextRule(_SPEAKER_LITERAL, "FAMILY", direction="FORWARD", max_scope=25)


def _speakers(doc: Any, modifiers: list[Any]) -> list[Any]:
    """A relation the informant rules shadowed ("son told ...") that tells someone other than the clinician
    something of its own ("Cl's eldest son told the school counsellor he wants to die", speech.py): an
    experiencer modifier after all, scoped over what it told."""
    from medspacy.context.context_modifier import ConTextModifier

    out = []
    for mod in modifiers:
        if mod.category.upper() != "INFORMANT" or mod.rule.literal not in _INFORMANT_FIRST:
            continue
        start = mod.modifier_span[0]
        until = reported_until(doc, start, start + 1)
        if until is not None:
            out.append(ConTextModifier(_speaker_rule(), start, start + 1, doc, scope_start=start + 1, scope_end=until))
    # ... and a person named by what they are who tells the client something of their own ("a Year 11 boy told
    # her he's been thinking about killing himself", "a woman at the school gate told pt her husband ...")
    taken = {i for m in modifiers if m.category.upper() in _EXPERIENCER | {"INFORMANT"} for i in range(*m.modifier_span)}
    for t in doc:
        if t.lower_ in GENERIC_PEOPLE and t.i not in taken:
            until = reported_until(doc, t.i, t.i + 1, generic=True)
            if until is not None:
                out.append(ConTextModifier(_speaker_rule(), t.i, t.i + 1, doc, scope_start=t.i + 1, scope_end=until))
    return out


#: Who is asked, between "ask" and "about" (context_rules.yaml, "ask re").
_ASKED_WHOM = frozenset({"her", "him", "them", "pt", "client", "cl", "everyone", "clients"})
#: Words that make what is asked about a particular thing ("ask about the overdose", "her cutting", "it").
_PARTICULAR = frozenset({"the", "her", "his", "their", "this", "that", "these", "those", "it", "them", "what", "how",
                         "why", "when", "whether", "if", "my", "our", "your", "its"})


def _asks_of_an_event(doc: Any, mod: Any, skip: frozenset[str] = frozenset()) -> bool:
    """In a clinician's question, whether "ask about X" asks about something particular the text speaks of
    ("the overdose she took", "her cutting", "it"), not about a topic in general ("suicide", "self-harm",
    "domestic violence"), which is then not assessed. ``skip``: words between the verb and what it asks about."""
    end = mod.modifier_span[1]
    while end < len(doc) and doc[end].lower_ in skip:
        end += 1
    return end >= len(doc) or doc[end].lower_ in _PARTICULAR


#: A verb's particle or preposition before what is raised ("bring up the cutting", "ask about the overdose").
_PARTICLES = frozenset({"up", "about", "abt", "re", "regarding", "on", "into", "in", "to", "with"})


#: A person as the subject of "stopped"/"gave up" (the topic is then not what stopped), or an object after it.
_STOP_SUBJECT = frozenset({"she", "he", "they", "i", "pt", "client", "cl", "patient", "we"})
_STOP_OBJECT = frozenset({"her", "his", "their", "my", "the", "a", "an", "all", "taking", "using", "going", "seeing",
                          "attending", "eating", "drinking", "working", "talking"})


#: The words of an age before a relation ("15 year old daughter", "19-year-old stepson", "6 month old baby").
_AGE_WORDS = frozenset({"year", "years", "yr", "yrs", "month", "months", "mth", "mo", "week", "weeks", "wk", "wks", "-",
                        "old"})


def _in_relation(doc: Any, j: int, relations: set[int]) -> bool:
    """Whether token ``j`` is part of the words naming a relation after it: another relation word ("twin
    sister", "foster mum", "her sister's husband" is read at "'s") or an age with its number ("15 year old")."""
    if j in relations:
        return True
    if doc[j].lower_ not in _AGE_WORDS:
        return False
    k = j
    while k >= 0 and doc[k].lower_ in _AGE_WORDS:
        k -= 1
    return k >= 0 and bool(_AGE_TOKEN.match(doc[k].text)) and doc[k].text[0].isdigit()


_FINITE = frozenset({"is", "was", "are", "were", "has", "had", "have", "will", "would", "can", "could", "may", "might",
                     "must", "should", "does", "did", "isn't", "wasn't", "hasn't", "hadn't", "won't", "wouldn't", "can't",
                     "doesn't", "didn't", "keeps", "kept"})
_BEFORE_VERB = frozenset({"now", "also", "just", "still", "recently", "apparently", "reportedly", "then", "never", "always",
                          "often", "regularly", "sometimes"})


#: A verb that has, sees or lets someone do something: its object is the doer of the act after it ("a drama she was
#: watching had a character take an overdose", "saw her brother cut himself").
_CAUSATIVE = frozenset({"had", "has", "have", "having", "saw", "see", "sees", "seeing", "watched", "watch", "watches",
                        "watching", "made", "make", "makes", "let", "lets"})
#: ... and the acts, in their bare form, that make the object their doer.
_BARE_ACTS = frozenset({"take", "cut", "hang", "kill", "hurt", "harm", "jump", "die", "overdose", "try", "attempt", "shoot",
                        "stab", "burn", "drown", "slit", "swallow", "od", "self-harm", "threaten", "hit", "attack"})


def _causative(doc: Any, governor: str | None, end: int) -> bool:
    """The relation ending at ``end`` is the object of a causative or a verb of seeing, and does the act after it."""
    return governor in _CAUSATIVE and end < len(doc) and doc[end].lower_ in _BARE_ACTS


#: What a relation would be without someone ("the baby would be better off without her", "the kids'd be fine without
#: me"): said of the relation, it names who would be gone, not something the relation feels or does.
_BENEFICIARY = re.compile(r"(?:(?:would|will|'d|’d|are|is|'s|’s|were|was|might|could)\s+)?(?:(?:be|been|do|manage|cope|get\s+on)\s+)?"
                          r"(?:(?:so|much|far|a\s+lot|all|just)\s+)?(?:better(?:\s+off)?|fine|happier|easier|ok|okay|"
                          r"safer|free(?:r)?)\s+(?:off\s+)?without\b", re.I)


def _beneficiary(doc: Any, end: int) -> bool:
    """Whether the relation ending at token ``end`` is the one who would be better off without someone: the person
    at risk is the one they would be without, not the relation."""
    return end < len(doc) and _BENEFICIARY.match(doc[end:].text) is not None


def _verb_follows(doc: Any, end: int) -> bool:
    """Whether a finite verb follows the relation ending at token ``end``, after at most one adverb: the relation
    is that verb's subject whatever stands before it ("upset her daughter is cutting", "furious her son took")."""
    for t in doc[end:end + 2]:
        w = t.lower_
        if w in _FINITE or w.endswith("ed") or w in _past_forms():
            return True
        if t.i == end and w.endswith("s") and len(w) > 3 and w.isalpha() and w not in ("this", "his", "hers", "theirs", "yours"):
            return True  # "her son cuts", "her mum says"; not "her son's"
        if w not in _BEFORE_VERB:
            return False
    return False


def _stopped_doing(doc: Any, mod: Any) -> bool:
    """"stopped" (and its kin) with a person as its subject or an object of its own: a verb of the person's
    doing, not the topic's end ("SH stopped", "the urges have gone" stay resolved)."""
    start, end = mod.modifier_span
    before = doc[start - 1].lower_ if start > 0 else ""
    after = doc[end].lower_ if end < len(doc) else ""
    return before in _STOP_SUBJECT or after in _STOP_OBJECT


def _my_client(doc: Any, mod: Any) -> bool:
    """The frame's person is the clinician's own client ("when my client ...", "when my pt ...")."""
    end = mod.modifier_span[1]
    words = [t.lower_ for t in doc[end - 1:end + 2]]
    return "my" in words and any(w in _CLIENT_WORDS for w in words)


#: The rules that read a generic person ("a client who says ...") as a case in general, and those that frame
#: a question so.
_GENERIC_PERSON = frozenset({"a client who", "clients who"})
_GENERIC_FRAMES = _GENERIC_PERSON | {"when (in a question)", "for my own learning", "how do you tell", "what are the warning signs"}
#: A distinction asked about: "how do you tell X from Y" (not "how do I tell her husband").
_DISTINCTION = frozenset({"from", "apart", "vs", "vs.", "versus", "between", "or"})
#: A report in the past tense: what one person said, not what such a person might say.
_PAST_REPORT = re.compile(r"^(?:said|told|reported|disclosed|described|mentioned|admitted|shared|wrote|texted|"
                          r"messaged|explained|revealed|confided|emailed|called|rang|phoned)$")


#: The clinician introducing one client of their own ("I have a client who ...", "I'm seeing a woman who ...").
_MINE = re.compile(r"(?<!should\s)(?<!would\s)(?<!could\s)(?<!can\s)(?<!do\s)(?<!might\s)(?<!shall\s)\b(?:i|we)\s*"
                   r"(?:(?:'ve|have)\s+got|have|(?:'m|am|'re|are)\s+(?:seeing|working\s+with|treating)|see|currently\s+see)\s*$", re.I)


def _introduced_as_mine(doc: Any, mod: Any) -> bool:
    """The generic person is the clinician's own, introduced: "I have a client who says she wants to die"."""
    return bool(_MINE.search(doc[:mod.modifier_span[0]].text))


def _reported_in_past(doc: Any, mod: Any) -> bool:
    """The generic person's own verb, within its scope and before any break, is a past-tense report."""
    start, stop = mod.modifier_span[1], min(mod.scope_span[1], mod.modifier_span[1] + 12)
    for t in doc[start:stop]:
        if t.text in (";", ".", "?", "!"):
            return False
        if _PAST_REPORT.match(t.lower_):
            return True
    return False


#: Verbs of losing someone to a cause ("lost his son to an overdose"): the one lost is the cause's.
_LOSS_VERBS = frozenset({"lost", "lose", "loses", "losing"})
#: Words that start something new after a possessed noun phrase: a pronoun subject or a break.
_NEW_SUBJECT = frozenset({"she", "he", "they", "i", "pt", "client", "cl", "patient", "(", ",", ";", ":", "-", "–", "—"})


def _owner(doc: Any, end: int) -> bool:
    """Whether the relation ending at token ``end`` owns what follows it ("sister's overdose", the "'s" inside the
    relation's match or just after it)."""
    return (doc[end - 1].lower_ in ("'s", "’s") and end < len(doc)) or \
        (end + 1 < len(doc) and doc[end].lower_ in ("'s", "’s"))


def _end_at_possessed(doc: Any, mod: Any, at: int) -> None:
    """End a possessor's scope where a new subject or a break follows the thing it owns."""
    for t in doc[at + 1:mod.scope_span[1]]:
        if t.lower_ in _NEW_SUBJECT:
            mod._scope_end = t.i
            return


#: Answers given to a list of screens together ("SI, SH, HI: all nil", "[ ] SI [ ] SH - all 'no'").
_TOGETHER = frozenset({"all 'no'"})
#: Denials said after what they deny ("SH and HI both denied", "SI/SH neg"): they reach back over a list of screens
#: only when a list is there, a break between its items; a denial after one phrase denies the phrase ("thoughts of
#: not wanting to be around denied"). (In the thirty-sixth round these were narrowed like the answers above, a list
#: or nothing, and it cost a faithful draft on a never-read notes split.)
_AFTER_LIST = frozenset({"safe", "denied", "neg", "none reported"})
_LIST_BREAKS = frozenset({",", "/", "and", "&", "+", "[", "]", "(", ")", "-", "–", ":", ";", "or", "nor", "x", "☐", "□"})
#: A list's item is a screen's name, a few words at most ("harm to others", "thoughts of ending her life"), with no verb
#: of its own: "Wants to be dead most days" before the list says something, it names no screen.
_ITEM_WORDS = 6
_SAYS = frozenset({"she", "he", "i", "they", "we", "wants", "wanted", "wishes", "wished", "says", "said", "feels", "felt",
                   "thinks", "thought", "reports", "reported", "plans", "planned", "hopes", "needs", "talks", "talked", "tells",
                   "told", "describes", "described", "admits", "admitted", "endorses", "endorsed", "mentions", "mentioned",
                   "took", "tried", "went", "bought", "cut", "cuts", "wrote", "gave", "sent"})


def _answers_last(doc: Any, mod: Any) -> bool:
    """The answer to a list ends its phrase: something closes it ("all 'no' on today's form", "all nil.") or nothing
    follows it ("SI / SH / HI - all nil")."""
    end = mod.modifier_span[1]
    return end >= len(doc) or not doc[end - 1].is_alpha or not doc[end].is_alpha \
        or doc[end - 1].lower_ not in _ANSWERS


_ANSWERS = frozenset({"no", "nil", "neg", "none", "n", "clear", "0", "wnl", "nad"})


def _over_the_list(doc: Any, mod: Any, needs_break: bool = False) -> None:
    """An answer given to a list of screens together reaches back over the list only: the items before it, each a few
    words between commas, slashes, "and" or tick boxes. A longer clause before the list is something else the line
    says ("Wants to be dead most days, SH and HI all 'no'": the wish is not denied). ``needs_break``: with no break
    before the answer, what it follows is one item, whatever its length, and the scope stands."""
    k = mod.modifier_span[0] - 1
    start = k + 1  # where the list starts: the break before the last whole item read
    words = 0
    if mod.scope_span[0] >= start:
        return  # nothing before it (a forward scope)
    if needs_break and doc[start - 1].lower_ in ("and", "&", "+", "or", "but"):
        return  # a second predicate, not a list's answer: "Self-harm was screened for and denied"
    while k >= max(0, mod.scope_span[0]):
        if doc[k].lower_ in _LIST_BREAKS:
            start, words = k, 0
        else:
            words += 1
            if words > _ITEM_WORDS or doc[k].lower_ in _SAYS or doc[k].lower_ in _FINITE:
                break
        k -= 1
    else:
        return  # the whole scope is the list
    if needs_break and start == mod.modifier_span[0]:
        return
    if start > mod.scope_span[0]:
        mod._scope_start = start


#: Boxes crossed: after an item ("SI ✗"), or before each item of a form ("✗ SI ✗ SH ✗ HTO").
_MARKS = frozenset({"✗", "✘"})


def _mark_before(doc: Any, mod: Any) -> None:
    """Crossed boxes written before their items ("Risk: ✗ SI ✗ SH ✗ HTO": the first mark of the run stands at the start
    or after a label, with an item after it): each answers the item that follows it, up to the next mark or break, not
    what stands before it. Marks after their items ("SI ✗, SH ✗", "SI ✗ SH ✗ HI ✗") keep ConText's backward scope."""
    i = mod.modifier_span[0]
    breaks = (";", ".", "|", "✓", "✔", "☑")
    first = i
    for t in reversed(doc[:i]):
        if t.text in breaks:
            break
        if t.text in _MARKS:
            first = t.i
    if first + 1 >= len(doc) or doc[first + 1].is_punct or doc[first + 1].text in _MARKS:
        return
    if first > 0 and not doc[first - 1].is_punct:
        return  # "SI ✗ SH ✗": the run began after its first item
    stop = next((t.i for t in doc[i + 1:] if t.text in _MARKS or t.text in breaks), len(doc))
    mod._scope_start, mod._scope_end = i + 1, stop


def _in_word(doc: Any, i: int) -> bool:
    """A hyphen inside a word ("self-harms", "81-year-old"), glued to the words either side."""
    return doc[i].text == "-" and 0 < i < len(doc) - 1 and not doc[i].whitespace_ and not doc[i - 1].whitespace_


def _relative_asides(doc: Any) -> list[tuple[int, int]]:
    """Token spans of relative clauses set off by commas (", whose brother was sectioned last spring,"), from the
    relative word to the closing comma, or to the sentence's end ("wants to be with her son, who died last year.")."""
    out = []
    for t in doc[:-1]:
        if t.text == "," and doc[t.i + 1].lower_ in ("who", "whose", "which", "who's"):
            close = next((u.i for u in doc[t.i + 2:] if u.text in (",", ";", ".", "?", "!", "-", "–", "—")
                          and not _in_word(doc, u.i)), len(doc))
            if close == len(doc) or doc[close].text in (",", ".", ";", "?", "!"):
                out.append((t.i + 1, close))  # "... her son, who died last year." ends with its sentence
    return out


_DETERMINERS = frozenset({"a", "an", "the", "my", "our", "this", "one", "another", "that"})


def _client_described(doc: Any, j: int) -> int:
    """Where a relation owned by the client starts, with the words that describe the client before the possessive ("a
    grief client's son", "my new IPT client's daughter", "one 15yo client's mum"): up to three words back to a
    determiner; ``j`` (the token before "client's") where there is none."""
    if not (j + 2 < len(doc) and doc[j + 1].lower_ in _CLIENT_WORDS and doc[j + 2].lower_ in ("'s", "’s")):
        return j
    for k in range(j, max(j - 3, -1), -1):
        if doc[k].lower_ in _DETERMINERS:
            return k - 1
        if not (doc[k].is_alpha or _AGE_TOKEN.match(doc[k].text)) or doc[k].lower_ in _CLIENT_WORDS:
            return j
    return j


def _bracket_gloss(doc: Any, start: int, end: int) -> int | None:
    """The closing bracket's index when the relation stands alone in brackets after other words, as a gloss of what
    precedes ("DV hx 2019 (ex)", "RTA (her brother driving)" is not one: words follow it in the bracket). Else None."""
    b = start - 1
    if b >= 0 and doc[b].lower_ in ("her", "his", "their", "pt's", "client's"):
        b -= 1
    if b < 1 or doc[b].text != "(" or doc[b - 1].text in _SENTENCE_END:
        return None
    return end if end < len(doc) and doc[end].text == ")" else None


def _past_name_aside(doc: Any, end: int) -> int:
    """After a relation, the token past its name set off in commas or brackets ("after his best friend, Dan, died",
    "since her sister (Jo) moved out"): the name is the relation's, so its clause goes on after it. Else ``end``."""
    if end + 2 < len(doc) and doc[end].text in (",", "("):
        close = "," if doc[end].text == "," else ")"
        for k in (end + 2, end + 3):  # one or two words of name
            if k < len(doc) and doc[k].text == close and all(t.is_title and t.is_alpha for t in doc[end + 1:k]):
                return k + 1
    return end


def _end_at_clause(doc: Any, mod: Any, end: int) -> None:
    """End the modifier's scope at the first clause boundary after token ``end``: punctuation, or "and" with a verb of
    saying and a pronoun after it, which goes back to the sentence's subject, not to the relative clause of an object
    ("she talks about her twin who 'is with the angels now' and says she just wants to be with her again")."""
    stop = next((t.i for t in doc[end:] if t.text in _CLAUSE_END or
                 t.lower_ in ("and", "&") and t.i + 2 < len(doc) and _REPORTS.match(doc[t.i + 1].lower_)
                 and doc[t.i + 2].lower_ in _PRONOUN_SUBJECTS), None)
    if stop is not None and stop < mod.scope_span[1]:
        mod._scope_end = stop


#: What may stand before "past" when it dates a finding ("past OD", "her past self-harm", "hx: past SI");
#: after a verb it is a place ("drives past the bridge").
_BEFORE_PAST = frozenset({"her", "his", "their", "my", "a", "the", "any", "no", "and", "or", "nor", "current", "recent",
                          "with", "of", "hx", "h/o", ",", ";",
                          ":", "(", "-", "–", "—", "/", "+", "&", "some", "one", "two", "several", "multiple"})


def _fronted(doc: Any, mod: Any) -> bool:
    """A time that opens its sentence ("12 years ago she was hospitalised after an attempt", "Decades ago, in
    the 1970s, my client heard voices"): only a label or punctuation stands before it."""
    last_stop = max((t.i for t in doc[:mod.modifier_span[0]] if _sentence_end(doc, t)), default=-1)
    before = [t for t in doc[last_stop + 1:mod.modifier_span[0]] if not t.is_punct]
    return not before or (len(before) <= 2 and doc[before[-1].i + 1].text == ":")


def _sentence_end(doc: Any, t: Any) -> bool:
    """A full stop that ends a sentence, not an abbreviation's ("d. 2020", "approx. 3 wks")."""
    if t.text in (";", "!", "?"):
        return True
    if t.text != "." and not (t.text.endswith(".") and len(t.text) > 1 and t.is_punct):
        return False
    prev = doc[t.i - 1] if t.i > 0 else None
    return prev is None or not (prev.is_alpha and len(prev.text) <= 3 and prev.text.islower())


def _over_main_clause(doc: Any, mod: Any, modifiers: list[Any]) -> None:
    """A fronted time holds its whole sentence, the subject after it included, up to the sentence's end, a
    contrast or a word of the present ("... and now she ..."), whichever comes first."""
    stops = [t.i for t in doc[mod.modifier_span[1]:] if _sentence_end(doc, t) or t.lower_ in
             ("but", "however", "although", "though", "yet", "whereas")]
    stops += [m.modifier_span[0] for m in modifiers if m.modifier_span[0] >= mod.modifier_span[1]
              and m.category.upper() in ("CURRENT", "CONJ_CURRENT", "RECURRENT")]
    end = min(stops, default=len(doc))
    if end > mod.scope_span[1]:
        mod._scope_end = end


def _a_time(doc: Any, mod: Any) -> bool:
    """Whether a HISTORICAL trigger dates something: "at 19" is an age, "at 11pm" a clock time; "past OD"
    is history, "drives past the bridge" a place."""
    start, end = mod.modifier_span
    words = [t.lower_ for t in doc[start:end]]
    if words[0] in ("at", "aged", "age") and end < len(doc) and re.match(r"^(?:am|pm|a\.m\.|p\.m\.|:|h|hrs?|o'clock)$",
                                                                    doc[end].lower_):
        return False
    if words == ["past"] and start > 0 and doc[start - 1].lower_ not in _BEFORE_PAST:
        return False
    return True


_CLOSER = {"(": ")", "[": "]", "-": "-", "–": "–", "—": "—", ",": ","}
_SENTENCE_END = frozenset({".", ";", "?", "!"})


def _named(doc: Any, i: int) -> bool:
    """Whether token ``i``, right after a relation word, is its name (a capitalised word or an initial) followed by a
    verb of speaking: "member R disclosed", "friend Jo said"."""
    tok = doc[i]
    return tok.is_alpha and tok.text not in ("I", "A") and (tok.is_title or (tok.is_upper and len(tok) <= 2)) \
        and bool(_SPEAKING.match(doc[i + 1].lower_))


def _over_apposition(doc: Any, mod: Any, end: int) -> None:
    """A relation that is the subject, with a description between it and its verb ("her cousin - the one
    she grew up with, now 19 - took an overdose", "my client's husband, who's been drinking since he lost
    his licence, said he might as well be dead"): its scope runs past the description to the end of the
    sentence, which is what the relation does."""
    if end >= len(doc):
        return
    opener = doc[end].text
    if opener in _CLOSER:
        closer, start = _CLOSER[opener], end + 1
    elif doc[end].lower_ in ("who", "who's", "whose", "that"):
        closer, start = None, end + 1
    else:
        return
    close = next((t.i for t in doc[start:start + 30] if (t.text == closer if closer else t.text in (",", "-", "–", "—"))
                  or t.text in _SENTENCE_END), None)
    if close is None or doc[close].text in _SENTENCE_END:
        return
    stop = next((t.i for t in doc[close + 1:] if t.text in _SENTENCE_END), len(doc))
    # ... or to a new subject after the description ("..., and she took an overdose"), as ConText ends it
    stop = min([stop] + [m.modifier_span[0] for m in doc._.context_graph.modifiers
                         if m.category.upper() in ("CONJ", "CONJ_CURRENT") and close < m.modifier_span[0]])
    if stop > mod.scope_span[1] and stop - close > 1:
        mod._scope_end = stop


_FIRST_PERSON = frozenset({"i", "me", "my", "myself", "i'm", "i've", "i'd", "i'll", "im", "ive"})
_REPORTS = re.compile(r"^(?:says?|said|told|tells|reports?|reported|texted|wrote|messaged|screamed|shouted|yelled)$")
_DOUBLE_QUOTES = frozenset({'"', "“", "”"})
#: A verb of speaking or writing between a relative and a quotation, after an auxiliary or an adverb.
_SPEAKING = re.compile(r"^(?:says?|said|saying|told|tells?|telling|reports?|reported|texts?|texted|texting|writes|wrote|"
                       r"writing|messages|messaged|messaging|posts?|posted|posting|screams?|screamed|screaming|shouts?|"
                       r"shouted|shouting|yells?|yelled|yelling|repeats?|repeated|repeating|mutters?|muttered|muttering|"
                       r"whispers?|whispered|whispering|cries|cried|crying|sobbed|sobbing|goes|went|going|"
                       r"disclos(?:e|es|ed|ing)|admit(?:s|ted|ting)|confid(?:e|es|ed|ing)|shar(?:e|es|ed|ing)|"
                       r"announc(?:e|es|ed|ing)|stat(?:e|es|ed|ing)|blurt(?:s|ed|ing)?|exclaim(?:s|ed|ing)?|"
                       r"e-?mail(?:s|ed|ing)?|wail(?:s|ed|ing)?|snapp?(?:s|ed|ing)?)$")
_THIRD_PERSON = frozenset({"she", "he", "she's", "he's", "she'd", "he'd", "she'll", "he'll", "her", "him", "herself", "himself"})
#: The rule for a relative speaking in the first person right after the verb (context_rules.yaml).
SPEAKS_RULE = "brother said 'I"
#: How many tokens after the relative the quotation may open for the relative to be its speaker.
_SPEAKER_REACH = 6


_SINGLE_OPEN = frozenset({"'", "‘"})
_SINGLE_CLOSE = frozenset({"'", "’"})
_OPENERS_BEFORE = frozenset({"(", "[", "-", "–", "—", ":", "/"})


def _quotations(doc: Any, open_single: bool = False) -> list[tuple[int, int]]:
    """The quotations in ``doc`` as (opening, closing) token indices. Double quotes pair in turn; a single
    quote opens where it stands before a word after a space ("would be 'better off without me'") and closes
    where it follows a word, so an apostrophe ("kids' toys", "I'd") is no quotation mark. ``open_single``: a single
    quote left open runs to the end too (a clause cut from a longer quotation: "her husband 'put his hands round my
    neck" of "..., but only for a second'")."""
    spans: list[tuple[int, int]] = []
    double: int | None = None
    single: int | None = None
    for t in doc:
        i = t.i
        if t.text in _DOUBLE_QUOTES:
            if double is None:
                double = i
            else:
                spans.append((double, i))
                double = None
            continue
        glued_before = i > 0 and not doc[i - 1].whitespace_ and doc[i - 1].text not in _OPENERS_BEFORE
        if single is None and t.text in _SINGLE_OPEN and not t.whitespace_ and not glued_before and i + 1 < len(doc):
            single = i
        elif single is not None and t.text in _SINGLE_CLOSE and glued_before and \
                (t.whitespace_ or i + 1 == len(doc) or doc[i + 1].is_punct):
            spans.append((single, i))
            single = None
    if double is not None:  # an unclosed double quote runs to the end
        spans.append((double, len(doc)))
    elif single is not None and open_single:
        spans.append((single, len(doc)))
    return spans


#: Relations a perinatal note may call the client herself ("Mum said 'I can't cope'"): spoken words of theirs,
#: unowned, stay the client's.
#: Prepositions of what is talked or thought about ("talked about sister's overdose", "worry re her son's cutting").
#: A question's auxiliary opening it before its subject.
_INVERTED = frozenset({"is", "was", "are", "were", "does", "did", "do", "has", "have", "had", "should", "could", "would",
                       "can", "will", "might", "may", "isn't", "doesn't", "hasn't", "wasn't"})
_ABOUT = frozenset({"about", "abt", "re", "re:", "regarding", "concerning", "over", "of", "after", "following", "around"})
#: Relations whose violence or neglect may be done to the client: what they own is not only theirs.
_MAY_HARM_THE_CLIENT = frozenset({"husband", "wife", "partner", "spouse", "bf", "gf", "boyfriend", "girlfriend", "fiance",
                                  "fiancee", "fiancé", "fiancée", "ex", "hubby", "fella", "mother", "mum", "mom", "mam",
                                  "father", "dad", "stepdad", "stepfather", "stepmum", "stepmother", "parents", "parent",
                                  "carer", "caregiver"})
_MAY_BE_THE_CLIENT = frozenset({"mum", "mom", "mam", "mother", "mummy", "mommy", "parent", "parents", "mum's", "mother's"})
_POSSESSIVES = frozenset({"her", "his", "their", "my", "our", "your", "'s", "’s", "pt's", "client's", "cl's", "patient's"})


def _possessed(doc: Any, start: int) -> bool:
    """Whether the relation word at ``start`` has a possessor ("her brother", "pt's elderly mum"): a bare
    "mum" or "the mum" may be the client herself ("mum 4 months postpartum said 'the baby would be better off
    without me'")."""
    k = start - 1
    while k >= 0 and (doc[k].lower_ in _RELATION_PREFIX and doc[k].lower_ not in _POSSESSIVES
                      and doc[k].lower_ not in ("the", "a", "an", "this") or _AGE_TOKEN.match(doc[k].text)
                      or _in_relation(doc, k, set())):
        k -= 1
    return k >= 0 and doc[k].lower_ in _POSSESSIVES


def _modifier_text(doc: Any, mod: Any) -> str:
    """The modifier's words, marked " (speaks)" when it is a relative speaking a quotation in the first person."""
    return doc[mod.modifier_span[0]:mod.modifier_span[1]].text + (" (speaks)" if getattr(mod, "ipt_speaks", False) else "")


def _past_gloss(doc: Any, end: int) -> int:
    """The token after a parenthesis right after a relation ("Son (7) ... has said", "dtr (16, lives w ex) texted"):
    the gloss is part of how the person is named, so the reach to their verb of speaking starts after it."""
    if end < len(doc) and doc[end].text == "(":
        close = next((t.i for t in doc[end + 1:end + 8] if t.text == ")"), None)
        if close is not None:
            return close + 1
    return end


def _spoken_quotation(doc: Any, quotes: list[tuple[int, int]], end: int) -> tuple[int, bool] | None:
    """Where the relative's own words end in a quotation in the first person that opens within
    ``_SPEAKER_REACH`` tokens of ``end`` (the end of a relation word) after a verb of speaking: its closing
    quote, or a third person inside it, who is the client again ("mum keeps saying 'I'm scared she'll hurt
    herself'"), with True for the latter. None when there is no such quotation."""
    for a, b in quotes:
        if end <= a <= end + _SPEAKER_REACH and any(_SPEAKING.match(t.lower_) for t in doc[end:a]) \
                and any(t.lower_ in _FIRST_PERSON for t in doc[a + 1:b]):
            return _relatives_words(doc, (a, b))
    return None


def _relatives_words(doc: Any, quote: tuple[int, int]) -> tuple[int, bool]:
    """Where a relative's quotation stops being theirs: at a third person inside it (the client again), with
    True, or at its closing quote, with False."""
    a, b = quote
    third = next((t.i for t in doc[a + 1:b] if t.lower_ in _THIRD_PERSON), None)
    return (third, True) if third is not None else (b, False)


def _quotation_around(quotes: list[tuple[int, int]], i: int) -> tuple[int, int] | None:
    """The quotation (of ``_quotations``) that token ``i`` stands inside, or None."""
    return next(((a, b) for a, b in quotes if a < i < b), None)


def _closing_double_quote(doc: Any, quotes: list[tuple[int, int]], i: int) -> int | None:
    """The index of the double quote that closes the quotation token ``i`` stands in, or None. Only double
    quotes bound a modifier: a single-quoted denial often answers a topic named outside it ("'never would,
    couldn't do that to mum' - re: suicide"), and reading single quotes here lost such denials."""
    return next((b for a, b in quotes if a < i < b < len(doc) and doc[b].text in _DOUBLE_QUOTES), None)


#: The client stating something in a main clause after a condition ("If she is discharged, she says she will kill
#: herself"): the statement is what was said, not a supposition.
_STATES = re.compile(r"^(?:says|said|states|stated|told|tells|reports|reported|insists|insisted|threatened|threatens|"
                     r"warned|warns|admits|admitted|swears|swore|promised|promises)$")


def _end_at_stated(doc: Any, mod: Any) -> None:
    """End a condition's scope at a break after which the client states something, the subject said or left out as
    notes leave it ("shakes if she stops, says she wants to die")."""
    start, end = mod.modifier_span[1], mod.scope_span[1]
    for t in doc[start:end - 1]:
        if t.text in (",", ";", "-", "–", "—") and (
                _STATES.match(doc[t.i + 1].lower_) or
                t.i + 2 < len(doc) and doc[t.i + 1].lower_ in _STATING_SUBJECTS and _STATES.match(doc[t.i + 2].lower_)):
            mod._scope_end = t.i
            return


_STATING_SUBJECTS = frozenset({"she", "he", "they"}) | _CLIENT_WORDS
