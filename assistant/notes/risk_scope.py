"""Where a risk word in a model draft bears, and what the bullets' own words support (used by
:mod:`.risk_claims`): a grading word grades the noun it stands before or the subject it is said of; safety work
the bullets record may be called completed; a denial in the bullets' own time scope, or of a specific thing they
deny in their words, is theirs; risk words that name a check report nothing."""

from __future__ import annotations

import re

_I = re.IGNORECASE


#: Grading adjectives among the softeners. Before a noun they grade that noun ("his low mood", "her high
#: depression scores", "a pattern of high expectations"): they grade risk only when the noun phrase is about
#: risk ("low risk", "fleeting thoughts", "the brief return of self-harm thoughts") or when they stand as the
#: predicate ("the urges were mild", "risk formulated as low").
_GRADE_ADJ = frozenset("low lower minimal mild moderate medium high elevated imminent fleeting passing transient brief "
                       "occasional rare stable genuine serious significant substantial considerable".split())
#: Words after which a grading adjective is a predicate, or grades what follows as a whole ("at low risk").
_PREDICATE = frozenset("is was are were be been being remain remains remained remaining seem seems seemed appear "
                       "appears appeared as at felt deemed considered judged rated now currently still very quite "
                       "relatively fairly somewhat more less most and or have has had".split())
#: Words that end the noun phrase a grading adjective stands before ("of" does not: "return of self-harm").
_PHRASE_END = frozenset("and or but in on at to for with by from that which who as is was are were has have had "
                        "will would since after before during when while than".split())
_PRONOUNS = frozenset("it this that these those they them".split())
#: Subjects a predicate grade describes other than risk: a score, mood, symptoms.
_NOT_RISK_SUBJECT = frozenset("score scores scale epds phq phq-9 gad gad-7 bdi mood symptoms depression anxiety sleep "
                              "appetite energy attendance engagement".split())
#: The nouns of risk a graded phrase may hold.
_RISK_NOUN = re.compile(r"^(?:risk\w*|thoughts?|ideation|urges?|intent\w*|wish\w*|impulses?|plans?|suicid\w*|si|hi|sh|"
                        r"self|harm\w*|cutting|burning|injur\w*|ideas?|danger\w*|threats?|violen\w*|overdos\w*|"
                        r"episodes?|behaviou?rs?|feelings?|concerns?|level|severity|seriousness|lethality|acuity|presentation|safety)$", re.I)


#: Softeners in constructions that state an aim, name a tool or plan a step, grading nothing: by the words before
#: them or after them. "safe" as the aim of keeping someone safe ("while keeping her safe", "to help him stay safe"; not "she has
#: kept herself safe", a report); "coping" naming strategies or skills; "completed" in a plan ("should be completed").
_AIM_OR_PLAN_BEFORE = {
    "safe": re.compile(r"\b(?:to|while|of|for|on|and|with)\s+(?:(?:help\w*|support\w*)\s+(?:her|him|them|the\s+client)\s+"
                       r"(?:to\s+)?(?:stay|keep|be|remain)|keep(?:ing)?\s+(?:her|him|them|the\s+client|herself|himself|"
                       r"themselves)|stay(?:ing)?|remain(?:ing)?)\s+$", _I),
    "completed": re.compile(r"\b(?:will|should|must|to|can|could|would|needs?\s+to)\s+be\s+$", _I),
}
_TOOL_AFTER = {
    "coping": re.compile(r"\s+(?:strateg\w*|skills?|plans?|mechanisms?|cards?|statements?|techniques?|box(?:es)?|tools?|"
                         r"methods?)\b", _I),
}


def grades_risk(m: re.Match[str], sentence: str) -> bool:
    """Whether a softener found in a sentence about risk bears on the risk. A grading adjective before a
    noun phrase with no risk noun grades that phrase, not the risk; every other softener does bear."""
    word = re.sub(r"\s+", " ", m.group(0).lower())
    before_it, after_it = _AIM_OR_PLAN_BEFORE.get(word), _TOOL_AFTER.get(word)
    if (before_it and before_it.search(sentence[:m.start()])) or (after_it and after_it.match(sentence[m.end():])):
        return False  # an aim, a tool or a plan, not a grade: "while keeping her safe", "coping strategies",
        # "PHQ-9 should be completed then"
    if word not in _GRADE_ADJ and word != "no longer":  # "a sense of no longer being needed" grades no risk
        return True
    before = re.findall(r"[A-Za-z'-]+", sentence[:m.start()])
    if before and before[-1].lower() in _PREDICATE:
        # a predicate grades its subject: "her EPDS score ... remains elevated" grades the score, "the urges were
        # mild" the risk (and a pronoun may stand for the risk: "it remains low")
        # (a subject left out after "but" is the previous clause's: "her score fell but remains elevated")
        subject: list[str] = []
        for clause in reversed(re.split(r"[,;:]|\b(?:and|but|although|though|while|which)\b", sentence[:m.start()])):
            subject = re.findall(r"[A-Za-z'-]+", clause)
            if any(w.lower() not in _PREDICATE for w in subject):
                break
        return any(_RISK_NOUN.match(w) or _RISK_NOUN.match(w.split("-")[0]) or w.lower() in _PRONOUNS for w in subject) \
            or not any(w.lower() in _NOT_RISK_SUBJECT for w in subject)
    phrase: list[str] = []
    for tok in re.findall(r"[A-Za-z'-]+|[^\sA-Za-z'-]", sentence[m.end():]):
        if not re.match(r"[A-Za-z]", tok) or tok.lower() in _PHRASE_END or len(phrase) == 4:
            break
        phrase.append(tok)
    nouns = [w for w in phrase if w.lower() not in ("of", "the", "a", "an", "her", "his", "their")]
    return not nouns or any(_RISK_NOUN.match(w) or _RISK_NOUN.match(w.split("-")[0]) for w in nouns)


#: Safety work a draft may call "completed" when the bullets record it as this session's, in any words
#: ("safety plan w/ pt + mom: remove sharps...", "safety planning: code word w/ friend", "C-SSRS: neg").
_SAFETY_WORK = {r"safety\s+plan\w*": r"\bsafety\s+plan\w*|\bsp\b", r"(?:risk\s+|suicide\s+|safety\s+)?assess\w*":
                r"\b(?:risk|suicide|safety)\s+(?:assess\w*|ax)\b", r"screen\w*": r"\bscreen\w*",
                r"c-?ssrs": r"\bc-?ssrs\b", r"dash": r"\bdash\b"}
#: Words before the work that put it in the future or deny it ("plan: safety plan next wk", "no SP yet"), and
#: words after it that do so ("safety plan to complete", "screen not done"; not a result: "screen neg").
_NOT_YET = re.compile(r"\b(?:plan|next|to\s+(?:do|complete|finish|draw|make|review|update)|will|tbc|tbd|todo|"
                      r"not|no|deferred|postponed|outstanding|pending|needs?|due)\b|\?", re.I)
_NOT_YET_AFTER = re.compile(r"\b(?:not|deferred|postponed|outstanding|pending|tbc|tbd|to\s+(?:do|complete|finish|be)|"
                            r"next|needs?|due|incomplete|unfinished|started|begun|ran\s+out)\b|n't\b|\?", re.I)


def _recorded_as_done(sentence: str, lines: list[str]) -> bool:
    """The draft calls safety work "completed" that a bullet line records for this session, in a clause that
    neither plans it nor says it was not done."""
    for draft_form, src_form in _SAFETY_WORK.items():
        if not re.search(rf"\b{draft_form}", sentence, re.I):
            continue
        for line in lines:
            for clause in re.split(r";|\.\s|\s[-–—]\s", line):
                m = re.search(src_form, clause, re.I)
                if m and not _NOT_YET.search(clause[:m.start()]) and not _NOT_YET_AFTER.search(clause[m.end():m.end() + 30]):
                    return True
    return False


#: A denial's scope in time: of now, or of the past. Bullets that document risk and also deny it in one of
#: these scopes ("s7: passive SI ... denies current SI", "active SI ... no prior attempts") support a draft's
#: denial in the same scope, and only in it.
_QUALIFIERS = {"now": r"\b(?:current(?:ly)?|now|today|at\s+present|presently|this\s+(?:session|week|wk))\b",
               "past": r"\b(?:previous(?:ly)?|prior|past|history|hx|ever|before|lifetime|attempts?|attempted)\b",
               # since the event the bullets document ("cut her thigh ~4 wks ago ... no self-harm since"): "since"
               # on its own or with "then"/"that", not a time of its own ("no self-harm since her teens")
               "since": r"\bsince(?:\s+(?:then|that))?(?=\s*(?:[.,;:)]|$|and\b|\n))"}


def _same_qualified_denial(sentence: str, span: str, src: str) -> bool:
    """The draft's denial carries one time scope, and the bullets deny something in that scope."""
    denial = _denial_span(sentence, span)
    if denial == span:
        return False
    tail = sentence[sentence.find(denial) + len(denial):][:25]
    scopes = [k for k, pat in _QUALIFIERS.items() if re.search(pat, denial + " " + tail, _I)]
    if len(scopes) != 1:
        return False
    pat = _QUALIFIERS[scopes[0]]
    return re.search(rf"\b(?:no|not|never|nil|denies|denied|deny)\W+(?:\w+\W+){{0,2}}?{pat}", src, _I) is not None


def _names_a_check(sentence: str, span: str) -> bool:
    """The risk words name a check, not a finding: "suicide and self-harm screening completed"."""
    at = sentence.find(span)
    return at >= 0 and re.match(r"[\w\s/,-]{0,30}?\b(?:screen\w*|assess\w*|questions?|review\w*|checks?|enquir\w*|"
                                r"inquir\w*)\b", sentence[at + len(span):], re.I) is not None


#: The specific things a risk denial may be of, beyond the ideation itself.
_SPECIFIC_HEAD = r"(?:behaviou?rs?|attempts?|plans?|method|methods|intent|intention|preparation|prep|means|access)"


def _same_head_denied(sentence: str, span: str, src: str) -> bool:
    """The draft denies a specific thing about the risk that the bullets deny in their words: "no suicidal
    behaviour" for the C-SSRS's "no behavior", "no suicidal intent" for "no intent" (never the ideation itself)."""
    at = sentence.find(span)
    m = re.match(rf"[\w\s-]{{0,12}}?\b({_SPECIFIC_HEAD})\b", sentence[at + len(span):], re.I) if at >= 0 else None
    if not m:
        return False
    head = m.group(1).lower()
    return re.search(rf"\b(?:no|not|never|nil|denies|denied|deny|without)\W+(?:\w+\W+){{0,2}}?{re.escape(head[:5])}\w*",
                     src, re.I) is not None


def _denial_span(sentence: str, span: str) -> str:
    m = re.search(rf"\b(?:den(?:y|ies|ied)|no|not|negative\s+for)\b[^.;]*?{re.escape(span)}", sentence, _I)
    return m.group(0) if m else span
