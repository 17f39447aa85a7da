"""Risk statements in a model draft, against the bullets' risk (used by :mod:`.factcheck`).

A sentence speaks of risk when it names a risk topic, or refers back to documented ideation or self-harm
("these urges are only occasional now"). In such a sentence the draft may not add a denial, a softening,
resolving or grading word, or a statement of risk the bullets do not document; the words the bullets wrote
themselves ("no plan", "risk: low", a quotation held word for word, "SP done" as "completed") stand.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable

from .risk_scope import _denial_span, _names_a_check, _recorded_as_done, _same_head_denied, _same_qualified_denial

if TYPE_CHECKING:  # pragma: no cover
    from ..signals import RiskView

_I = re.IGNORECASE

#: A meaning-level risk finding in a model draft counts as a risk statement at this probability or above.
DRAFT_SEMANTIC_MIN = 0.9
#: ... and a meaning-level denial, where the bullets state risk in so many words: "She denied any thoughts of wanting
#: to die" (0.85) beside "SI: reports thoughts of joining Marg 'most days', denies plan".
DRAFT_DENIAL_MIN = 0.75


_RISK_TOPIC = re.compile(
    r"\b(?:risk\w*|suicid\w*|SI|HI|self[-\s]?harm\w*|harm\w*|kill\w*|die|dying|dead|death\s+wish|overdos\w*|"
    r"safe|safety|unsafe|danger\w*|crisis|ideation|intent|plan\s+to\s+(?:end|die|kill)|end(?:s|ed|ing)?\s+(?:it|her\s+life|"
    r"his\s+life|their\s+life|my\s+life|things|it\s+all)|(?:take|taking|took)\s+(?:her|his|their|my)\s+(?:own\s+)?life|"
    r"not\s+(?:wanting|want)\s+to\s+(?:be\s+here|live|wake)|dark\s+thoughts?|hurt\w*|cut(?:ting|s)?(?![-\s]?off)|urges?|violen\w*|threat\w*|abus\w*|weapons?|stockpil\w*|"
    r"means|protective|better\s+off|"
    # the risks of a state now: mania, psychosis, intoxication ("her elevated mood is most likely a normal response")
    r"manic|mania|hypomani\w*|elevated\s+mood|elation|elated|grandios\w*|psychos[ie]s|psychotic|paranoi\w*|delusion\w*|"
    r"hallucinat\w*|hearing\s+voices|intoxicat\w*|under\s+the\s+influence)\b", re.I)


#: "These thoughts", "the urges": a sentence that refers back to documented ideation speaks of risk.
_BACK_REF = re.compile(r"\b(?:the|these|those|such|her|his|their|any)\s+(?:\w+\s+)?(?:thoughts?|urges?|feelings?\s+of\s+"
                       r"(?:wanting|not\s+wanting)|impulses?|burning|burns|cutting|scratching|injur(?:y|ies)|wounds?)\b", re.I)


#: Screens that ask about suicide or self-harm.
_SUICIDE_SCREEN = re.compile(r"c-?ssrs|columbia|phq|epds|item|\bq\s*#?\s*(?:9|10)\b|question|\bSI\b|\bSH\b|suicid\w*|"
                             r"self[-\s]?harm|safety\s+(?:q|screen)", re.I)


_SCREEN_NAMED = re.compile(r"\b(?:item|question|screen\w*|scored?|endorsed|c-?ssrs|columbia|phq\S*|epds|edinburgh)\b",
                           re.I)


_IDEATION_KINDS = frozenset({"suicidal_ideation", "suicide_plan", "self_harm", "harm_to_others"})


def _about_risk(sentence: str, ideation: bool) -> bool:
    return bool(_RISK_TOPIC.search(sentence)) or (ideation and _BACK_REF.search(sentence) is not None)


def _names_screen(sentence: str) -> bool:
    """Whether the sentence names a risk screen in the signal layer's own words ("Her C-SSRS screen was
    negative today", "PHQ-9 item 9 was 0"): its result is a risk statement, read by the risk checks, though
    the sentence need not meet the stricter grounding of a sentence about risk."""
    return any(not _MOOD_SCALE.fullmatch(m.group(0)) for p in _screen_patterns() for m in p.finditer(sentence))


@lru_cache(maxsize=1)
def _screen_patterns() -> tuple[re.Pattern[str], ...]:
    from ..signals.detect import lexicon

    return tuple(e.pattern for e in lexicon() if e.category == "risk_screen")


#: A mood scale named alone: its total is a severity, not a risk screen's result ("PHQ-9 of 14").
_MOOD_SCALE = re.compile(r"PHQ-?9|EPDS", re.I)


#: A sentence saying that risk is not known yet, where the bullets say it was not assessed, grades nothing.
_UNKNOWN = re.compile(r"\b(?:unknown|not\s+(?:yet\s+)?(?:known|assessed|been\s+assessed|completed|done|carried\s+out|finished|"
                      r"covered|reached)|yet\s+to\s+be\s+(?:assessed|completed|done))\b", re.I)


_NEGATION = re.compile(r"\b(?:no|not|never|denies|denied|deny|without|none|nor)\b|n't\b", re.I)


_NOT_ASKED = re.compile(r"\bnot\s+(?:yet\s+)?(?:be(?:en)?\s+)?(?:asked|assessed|documented|explored|screened|covered|discussed|reviewed)|"
                        r"\bto\s+complete\b|\bclinician\s+to\b|\bwas\s+not\s+(?:asked|assessed)|\bdeferred\b|"
                        r"\bnext\s+(?:session|time|week)\b|\bcheck\b|\bask\b", re.I)


#: Words that minimise, resolve, grade or excuse risk. In a sentence about risk they must come from the
#: bullets; a draft may not add them.
_RISK_SOFTENER = re.compile(
    r"\b(?:low|lower|minimal|mild|moderate|medium|high|elevated|imminent|fleeting|passing|transient|brief|"
    r"resolved|resolving|settled|settling|subsided|passed|gone|eased|easing|lifted|improv\w*|reduced|decreas\w*|"
    r"manag(?:eable|ed)|stable|stabilis\w*|stabiliz\w*|contained|under\s+control|no\s+longer|not\s+(?:a|an)\s+(?:\w+\s+)?"
    r"(?:concern|issue|worry|problem)|not\s+(?:concerning|worrying|serious|significant|current|active)|"
    r"no\s+(?:(?:ongoing|current|immediate|particular|significant|further|real|acute|active|major|serious|safety)\s+)?"
    r"(?:concerns?|cause\s+for\s+concern|indication|evidence|worr(?:y|ies)|issues?)|no\s+(?:immediate|current)|"
    r"nothing\s+to\s+suggest|occasional\w*|rare(?:ly)?|infrequent\w*|managing|coping|"
    r"reassur\w*|unlikely|attention[-\s]?seeking|genuine|serious(?:ly)?|judged|assessed\s+as|considered|deemed|"
    r"rated|scored|score|level|\d+\s*/\s*10|safe|safer|fine|okay|ok|calm(?:er)?|better(?!\s+off\b)|only|just|merely|"
    r"contract\w*|completed|in\s+place(?!\s+of\b)|agreed|removed|handed|secured|significant|substantial|considerable)\b", re.I)


_FRAMING = re.compile(r"assessed\s+as|judged|considered|deemed|rated", re.I)


def _framing_of_written(m: re.Match[str], sentence: str, src: str) -> bool:
    """A softener that only frames the bullets' own words: "Risk assessed as low" for "risk: low", "the
    updated safety plan remains in place" for "safety plan updated"."""
    if _FRAMING.fullmatch(m.group(0)):
        grade = re.match(r"\s+(?:(?:a|an|the)\s+)?([a-z]+)", sentence[m.end():], re.I)
        if grade and not _RISK_SOFTENER.fullmatch(grade.group(1)) and _TO_BE_DONE.search(sentence[:m.start()]):
            return True  # an assessment still to be done grades nothing: "Risk to be assessed as a priority next session"
        return bool(grade) and bool(_RISK_SOFTENER.fullmatch(grade.group(1))) and \
            re.search(rf"\b{re.escape(grade.group(1).lower())}\b", src) is not None
    if re.fullmatch(r"no\s+current", m.group(0), re.I):
        # the bullets' own denial of now: "No current self-harm urges" for "no urges this wk"
        denied = re.findall(r"[a-z][\w-]{2,}", sentence[m.end():m.end() + 40].lower())[:3]
        return any(re.search(rf"\b(?:no|nil|denies|denied)\s+(?:[\w-]+\s+){{0,2}}?{re.escape(w)}\b", src) for w in denied
                   if w not in ("and", "or", "the", "any", "risk", "concern", "concerns"))
    if re.fullmatch(r"in\s+place", m.group(0), re.I):
        # what the sentence says is in place, named in the bullets ("safety plan updated"; "protective: daughter,
        # sister local" for "protective factors are in place"); not a plan or a measure the bullets never name
        held = _IN_PLACE_OF.search(sentence[:m.start()])
        return held is not None and re.search(r"\b" + r"\s+".join(held.group(1).lower().split()), src) is not None
    return False


#: Before "assessed as" / "judged" / "rated": a future or pending assessment ("to be", "will be", "needs to be").
_TO_BE_DONE = re.compile(r"\b(?:to|will|shall|should|must|needs?\s+to|going\s+to)\s+be\s+$", re.I)
#: Before "in place": what is said to be there, which the bullets must name ("the updated safety plan remains in
#: place" for "safety plan updated"; "protective factors are in place" for "protective: daughter (7), sister local").
_IN_PLACE_OF = re.compile(r"\b(safety\s+plan|crisis\s+plan|protective)\b[\w\s'-]{0,40}$", re.I)


#: Object pronouns a reported sentence may swap for the client's own "me".
_PERSONS = frozenset({"me", "her", "him", "them", "myself", "herself", "himself", "themselves"})


_PERSON = r"(?:me|her|him|them|myself|herself|himself|themselves)"


#: The same act in other words: a draft may write "completed" for the bullets' "done".
_DONE = re.compile(r"\b(?:done|completed?|finished|made|drawn\s+up|written|filled\s+in)\b", re.I)


_SCORE_WORD = re.compile(r"(?:score[sd]?|rated|rating)", re.I)


def _nil_written(words: str, src: str) -> bool:
    """"No concerns" for the bullets' "nil concerns raised" (or "none", "zero"): the same absence in shorthand."""
    nil = re.match(r"no\s+(?:\w+\s+)?(\w+)$", words.lower())
    return nil is not None and re.search(rf"\b(?:nil|none|no|zero)\s+(?:\w+\s+)?{re.escape(nil.group(1))}\b", src, re.I) is not None


def _softener_written_otherwise(word: str, sentence: str, src: str, lines: list[str]) -> bool:
    """A softener the bullets wrote in other words: "completed" for "done"; "scored" or "rated" with a number
    the bullets give ("item 10 scored 1" for "item 10 = 1"; the typed checks verify the number itself)."""
    from .factcheck import _numbers

    if word.lower() == "completed" and re.search(r"(?:\b(?:not|never)|n't)\s+(?:(?:been|yet|fully)\s+)?completed\b", sentence, re.I):
        # what the bullets say was not done, said so ("the PHQ-9 was not completed" for "PHQ-9 not done")
        return re.search(r"(?:\b(?:not|never)|n't)\s+(?:(?:been|yet|fully)\s+)?(?:done|completed|finished)\b", src, re.I) is not None
    if word.lower() == "completed":  # what the bullets say was done ("safety plan done", "DASH done: 11 yes")
        done = {w.lower() for m in re.finditer(r"([a-z][\w-]*)\s+(?:(?!not\b|never\b|yet\b)\w+\s+)?" + _DONE.pattern + "|" + _DONE.pattern +
                                                r"\s+(?:a\s+|the\s+)?([a-z][\w-]*)", src, re.I)
                for w in m.groups() if w and w.lower() not in _LIGHT_DONE}
        return any(re.search(rf"\b{re.escape(w)}\b", sentence, re.I) for w in done) or _recorded_as_done(sentence, lines)
    if _nil_written(word, src):
        return True
    if _SCORE_WORD.fullmatch(word):
        # the score of a named instrument or item the bullets name ("DASH", "EPDS item 10"), with their number,
        # or a rating the bullets give for the same thing ("rated her intent at 2/10" for "intent 2/10")
        named = re.findall(r"\b[A-Z][A-Z0-9-]{2,}\b|\b[Ii]tem\s+\d+", sentence)
        rated = [m.group(1) for m in re.finditer(r"\b([a-z]+)\s*(?:=|:|-)?\s*\d+\s*/\s*10\b", src)]
        return bool(_numbers(sentence) & _numbers(src)) and (
            any(n.lower() in src for n in named) or any(re.search(rf"\b{re.escape(w)}\b", sentence, re.I) for w in rated))
    return False


_LIGHT_DONE = frozenset({"was", "were", "is", "be", "been", "and", "also", "not", "now", "today", "all", "in", "session"})


#: Words between a negation and what it denies that carry no claim of their own ("has not made a plan").
_LIGHT = frozenset("a an any the made make making have has had been be got get yet formed formulated".split())


def _same_words(word: str) -> list[str]:
    """``word`` and the words listed as the same thing (``vocabulary.yaml``, ``synonyms``)."""
    from .claims import vocabulary_data

    return [word] + [w for group in vocabulary_data().get("synonyms") or [] if word in group for w in group if w != word]


def _first_forms(word: str) -> list[str]:
    """``word``, the words for the same thing, its base form ("seen": "see") and the bullets' shorthand for it
    ("homework": "hw")."""
    from .claims import _lemmas, vocabulary

    base = _lemmas().get(word)
    short = [k for k, words in vocabulary()[1].items() if word in words and k.isalnum()]
    return _same_words(word) + ([base] if base else []) + short


def _negated_in(words: list[str], src: str) -> bool:
    """The first word with content after the draft's negation is negated in the bullets too: "has not made
    a plan" for "no plan made"."""
    content = [w for w in words if w not in _LIGHT]
    # the first content word as written, or a word for the same thing ("not completed" for "not done"); any of the
    # next ones by its stem ("no attempt to seek means" for "hasn't sought means")
    firsts = "|".join(re.escape(w) for w in _first_forms(content[0])) if content else ""
    if content and len(content[0]) >= 6:
        firsts += rf"|{re.escape(content[0][:6])}\w*"  # the same word in another form: "no rehearsal" for "has not rehearsed"
    return bool(content) and (re.search(
        rf"(?:\b(?:no|not|never|nil|denies|denied|without)|n't)\W+(?:\w+\W+){{0,2}}?(?:{firsts})\b", src) is not None
        # ... or answered after it, as a heading's answer ("HW: none" for "no homework was set")
        or re.search(rf"\b(?:{firsts})\s*[:=\-–]\s*(?:none|nil|no|n/a|not\s+set)\b", src) is not None
        or any(len(w) >= 4 and re.search(rf"(?:\b(?:no|not|never|nil|denies|denied|without)|n't)\W+(?:\w+\W+){{0,2}}?"
                                         rf"{re.escape(w[:5])}\w*\b", src) for w in content[1:4]))


#: Trying to die in plain words ("tried to end her life", "tried to kill himself"): an attempt, and an act to deny.
_TRIED_TO_END_LIFE = r"tried\s+to\s+(?:end|kill|take)\s+(?:her|his|their|my)\s*(?:own\s+)?(?:life|self|selves)"
#: An attempt in plain words: "never tried to end her life", "has not tried to kill himself", "attempted suicide".
_TRIED_TO_DIE = re.compile(rf"\b{_TRIED_TO_END_LIFE}\b|\battempted\s+(?:suicide|to\s+(?:end|kill|take))", re.I)


#: A denial that the client has acted on thoughts or urges, in any of its words: "has not acted on the thoughts", "never
#: made an attempt", "hasn't done anything", "no attempts". The bullets' denial in one of these words stands for the
#: draft's in another (not an attempt *to* or *at* something else: "no attempt to call her").
_ACT_DENIED = re.compile(r"(?:\b(?:no|not|never|nil|none|without|(?:has|have|had|did|does|do)nt)|n't)\W+(?:\w+\W+){0,3}?"
                         r"(?:act(?:ed|ing)?\s+(?:on|upon)|attempt(?:s|ed)?|(?:done|did|do)\s+anything|tried\s+anything|"
                         rf"{_TRIED_TO_END_LIFE})\b"
                         r"(?!\s+(?:to|at|of)\b)", re.I)


@lru_cache(maxsize=32)
def acts_denied(src: str) -> bool:
    """Whether a line of the bullets that speaks of risk denies an act ("SI ... no intent. hasn't done anything", "no prior
    attempts"); not a line about something else ("didn't do anything for the homework")."""
    return any(_ACT_DENIED.search(line) and (_RISK_TOPIC.search(line) or re.search(r"\battempt", line, re.I))
               for line in src.splitlines())


def _mentions_absence(low: str) -> bool:
    return bool(re.search(r"\bnot\s+documented\b|\bclinician\s+to\s+complete\b", low))


def _quoted_from_bullets(span: str, sentence: str, src: str, quoted_src: str) -> bool:
    """The finding lies inside a quotation the bullets hold word for word ("I felt like I could kill him"):
    the client's documented words, not a statement of the draft's own."""
    from .factcheck import _QUOTE, _norm, _quote_key

    for m in _QUOTE.finditer(sentence):
        quote = m.group(1)
        if span.strip().lower() in quote.lower() and (_norm(quote).strip(" .,") in src or _quote_key(quote) in quoted_src):
            return True
    return False


#: A denial of one part of suicide risk: the plan, the intent, the means ("no intention of acting on it", "does not
#: intend to", "denied having a plan", "no access to means").
_HEAD_DENIAL = re.compile(
    r"\b(?:no|not|never|denies|denied|denying|without|nor|n't)\W+(?:\w+\W+){0,3}?(?P<head>intent(?:ion)?s?|intends?|plans?|"
    r"means|access)\b", re.I)


def _head_written_undenied(head: str, src: str) -> bool:
    """Whether the bullets write of this part of the risk and do not deny it, before it or after it ("no plan",
    "denies SI, plan or intent", "plan: nil", "intent - none", "means: no access" deny it)."""
    stem = re.escape(head[:5].lower())
    if not re.search(rf"\b{stem}", src, _I):
        return False
    return re.search(rf"\b(?:no|not|never|nil|denies|denied|deny|without|n't)\W+(?:\w+\W+){{0,3}}?{stem}", src, _I) is None \
        and re.search(rf"\b{stem}\w*\s*(?:[:=\-–—/]|\bis\b|\bwas\b)?\s*(?:none|nil|no\b|denied|denies|neg\b|negative|absent|0\b|n/?a\b)",
                      src, _I) is None


def _check_risk(sentence: str, src_risk: "RiskView", found: list, add: Callable[[str, str, str], None],
                src: str = "") -> None:
    """A risk statement in the draft needs the same kind of statement in the bullets: a denial needs a
    documented denial, a reported risk needs documented risk; and where the bullets document risk, a
    sentence that minimises, resolves or grades it is never supported."""
    low = sentence.lower()
    if "not documented" in low or "clinician to complete" in low:
        return
    from ..signals.check import _UNDOING

    sure = [f for f in src_risk.present if f.source != "semantic" or f.score >= DRAFT_SEMANTIC_MIN]
    undo = _UNDOING.search(sentence)
    # A documented denial ("pt denies SI") is judged by kind below, not as undoing.
    # A risk the bullets say was not asked about is not settled either: "no need to ask about it" is unsupported.
    if (sure or src_risk.not_assessed and _NO_NEED.search(sentence)) and undo \
            and not re.search(r"\bden(?:ies|ied|y)\b", undo.group(0), re.I):
        add("risk statement", undo.group(0), sentence)
    # A risk the draft reports is supported by the bullets' risk of that kind at any strength (the
    # bullets may say it in words the probes are less sure of: "threw her phone at the wall").
    src_present = {_group(f.category) for f in src_risk.present}
    # A denial contradicts the bullets when they state that kind of risk explicitly (a lexicon finding):
    # "denies SI but cut her forearm" supports "denies suicidal ideation", not "denies self-harm".
    src_present_kinds = {f.category for f in src_risk.present if f.source == "lexicon"}
    # A past finding the bullets say is absent now ("SI hx only (pre-tx), none now") documents a denial of it now as well.
    denials = [*src_risk.negated, *(f for f in src_risk.signals if f.assertion == "historical" and _absent_now(f, src))]
    # A denial read by meaning alone over explicit words that deny another kind says no more than they do: "no plan, no
    # intent" denies a plan and an intent, not the thoughts beside it ("'sometimes I think about just driving off the
    # road' - fleeting, no plan, no intent" documents no denial for "he denied any thoughts of suicide").
    denials = [f for f in denials if not (f.source == "semantic" and any(
        x.source == "lexicon" and x.category != f.category and f.start <= x.start and x.end <= f.end
        for x in src_risk.negated))]
    src_negated = {_group(f.category) for f in denials}
    # A negative suicide or self-harm screen ("EPDS item 10 = 0") is the bullets' denial, for a sentence that
    # reports the screen ("she endorsed no thoughts of self-harm on item 10"); "she denies SI" it does not support.
    screened = any(f.category == "risk_screen" and _SUICIDE_SCREEN.search(f.text) for f in src_risk.negated) \
        and _SCREEN_NAMED.search(sentence) is not None
    src_negated_kinds = {f.category for f in denials}
    # Self-harm denied by the group's denial: not by a plan or intent denied, nor by a guess from meaning beside
    # ideation the bullets state ("SI: passive, no plan, no intent" denies nothing of self-harm); a screen's general
    # denial ("Risk: nil", "denies all risk") does.
    explicit_si = any(f.category == "suicidal_ideation" and f.source == "lexicon" for f in src_risk.present)
    src_negated_beside_plan = {"suicide" for f in denials
                               if f.category == "risk_screen" or (_group(f.category) == "suicide" and f.category != "suicide_plan"
                                                                  and (f.source == "lexicon" or not explicit_si))}
    src_any_kinds = {f.category for f in src_risk.present}
    # The bullets say a kind of risk was not asked about: the draft may say so too, or plan to ask it
    # ("SI not asked" supports "suicidal ideation was not asked about" and "check SI next session").
    src_unasked = {_group(f.category) for f in src_risk.not_assessed}
    src_unasked_kinds = {f.category for f in src_risk.not_assessed}
    explicit = any(f.source == "lexicon" for f in found)
    if sure and (m := _HEAD_DENIAL.search(sentence)) and any(_group(x.category) == "suicide" for x in sure) \
            and _head_written_undenied(m.group("head"), src):
        # "He said he has no intention of acting on the plan" beside "plan to overdose ..., intent 'maybe'": a plan,
        # an intent or the means the bullets write of, and do not deny, while they document the risk
        add("risk statement", m.group(0), sentence)
        return
    for f in found:
        if f.assertion in ("other_person", "hypothetical", "historical") or f.category == "completed_suicide":
            continue
        if explicit and f.source == "semantic" and f.assertion in ("negated", "not_assessed"):
            continue  # the sentence's explicit risk words are judged kind by kind; its meaning-level kind is a guess
        group = _group(f.category)
        if f.assertion == "not_assessed" and _plans_to_ask(sentence, f.text) and _only_asked_later(f.modifiers):
            continue  # a question for later ("revisit the suicide risk questions next session") claims nothing
        if group in src_unasked and group not in src_present and f.category not in src_any_kinds \
                and (f.assertion == "not_assessed" or _plans_to_ask(sentence, f.text)):
            continue
        if f.assertion == "not_assessed" and f.category in src_unasked_kinds and f.category not in src_present_kinds:
            continue  # "Suicidal ideation was not assessed" for "SI not assessed", beside warning signs of the group
            # ("writing letters to kids 'in case'"): the bullets' own words about that kind
        if f.category == "risk_screen" and f.assertion == "negated":
            # A negative screen ("suicide screen negative") is the bullets' denial in other words: it needs
            # a documented denial and no risk the bullets document, however it is worded. A suicide screen's item
            # ("item 10 was scored 0") is contradicted by suicide risk, not by partner violence documented beside it.
            against = [x for x in sure if _group(x.category) == "suicide"] if _SUICIDE_SCREEN.search(f.text) else sure
            if not src_negated or against:
                add("risk statement", _denial_span(sentence, f.text), sentence)
            continue
        if f.assertion in ("negated", "not_assessed"):
            # A denial needs a documented denial of that kind (or of its group, when the bullets report
            # nothing of that kind), and must not deny what the bullets state.
            # (A plan or intent denied does not deny self-harm: "passive SI, no plan, no intent" documents nothing
            # of "he denied any self-harm".)
            by_group = src_negated if f.category != "self_harm" else src_negated_beside_plan
            documented = f.category in src_negated_kinds or (group in by_group and f.category not in src_any_kinds) \
                or (screened and group == "suicide" and f.category not in src_any_kinds)
            attempt = "attempt" in f.text.lower() or _TRIED_TO_DIE.search(sentence) is not None
            if attempt:
                # An attempt denied ("she has never made a suicide attempt", "never tried to end her life") needs an
                # attempt or an act denied in the bullets' words ("no prior attempts", "hasn't acted on it"), not only
                # a plan denied ("no plan"); the ideation the bullets state is not what it denies.
                documented = any("attempt" in d.text.lower() for d in denials) or acts_denied(src)
            if not documented or (f.category in src_present_kinds and not (attempt and f.category == "suicidal_ideation")):
                if _same_qualified_denial(sentence, f.text, src) or _same_head_denied(sentence, f.text, src):
                    continue  # "denies current SI" beside last session's SI: the bullets' own denial
                if documented and _reports_the_denial(sentence, f.category, src_risk, src):
                    continue  # "When asked directly, she denied suicidal ideation" for "denies SI when asked
                    # directly, but ...": the client's denial as the bullets report it (the documented risk is
                    # written into the note whatever the draft says)
                add("risk statement", _denial_span(sentence, f.text), sentence)
        elif f.level and group not in src_present and (group not in src_negated or not (
                (explicit and f.source == "semantic") or _NEGATION.search(sentence) or _names_a_check(sentence, f.text))) \
                and not _retold_history(sentence, group, src_risk):
            # A reported risk needs that risk documented. Where the bullets deny it ("EPDS item 10 = 0"), a
            # sentence that only reports it contradicts them (by its explicit words: a meaning-level kind beside
            # them is a guess; a sentence with a denial of its own is judged by the denial checks).
            add("risk statement", f.text, sentence)


#: A draft's words that place what it reports in the past: a session before this one, or a history ("the passive suicidal
#: ideation she reported at session 4", "her previous self-harm", "a history of ...").
_DATED_BACK = re.compile(r"\b(?:at|in|during|from|since)\s+(?:session|sess|s)\s*\d+\b|\b(?:previous(?:ly)?|earlier|prior|history|"
                         r"historical(?:ly)?|past|formerly|once\s+had|last\s+(?:week|session|month|year|time)|\d+\s+\w+\s+ago)\b", re.I)


def _retold_history(sentence: str, group: str, src_risk: "RiskView") -> bool:
    """A risk the draft reports as past, of a kind the bullets document as past ("In view of the passive suicidal ideation
    she reported at session 4, ..." for "asked re safety (hx passive SI at S4)"): the bullets' history retold, no current
    risk claimed."""
    return bool(_DATED_BACK.search(sentence)) and any(
        _group(f.category) == group and (f.assertion == "historical" or any(m.startswith("historical:") for m in f.modifiers))
        for f in src_risk.signals)


#: A past finding said to be absent now, on its own line ("SI hx only (pre-tx), none now", "OD 2019, nil since").
_NOW_ABSENT = re.compile(r"\b(?:none|nil|nothing|no\s+\w+)\s+(?:now|since|currently|current|at\s+present|today)\b|"
                         r"\bno\s+current\b|\bnot\s+current(?:ly)?\b", re.IGNORECASE)


def _absent_now(finding: Any, src: str) -> bool:
    if any(m.startswith("negated:") for m in finding.modifiers):
        return True
    word = finding.text.strip().lower()
    return bool(word) and any(word in line.lower() and _NOW_ABSENT.search(line) for line in src.splitlines())


def _reports_the_denial(sentence: str, category: str, src_risk: "RiskView", src: str) -> bool:
    """The draft reports the client's denial ("she denied ...") of a kind the bullets report denied in so many words,
    with nothing between the verb and the finding ("denies SI", "denied any SH"): a report of what was said, not a
    statement that the risk is absent."""
    if not re.search(r"\b(?:she|he|they|client|patient)\s+(?:\w+\s+)?(?:(?:said|says|told\s+\w+)\W+[\"“'‘][^\"”’]{1,80}[\"”’]\W+"
                     r"(?:and\s+|but\s+)?)?den(?:ied|ies)\b", sentence, _I):
        return False  # (what the client said before the denial may stand between: "The client said, 'it was the cat,'
        # and denied self-harm")
    return any(x.category == category and x.source == "lexicon"
               and re.search(rf"\bden(?:ies|ied|y)\s+(?:any\s+)?{re.escape(x.text.strip())}\b", src, _I)
               for x in src_risk.negated)


_ASK_VERB = r"(?:check|ask|assess|screen|review|revisit|explore|enquire|inquire|follow\s+up)\w*(?:\s+(?:about|for|on|into|re))?"


#: A plan not to ask is no plan to ask: "no need to revisit suicidal ideation next session".
_NO_NEED = re.compile(r"\b(?:no|not|never|without|n't|no\s+longer)\W+(?:\w+\W+){0,2}?(?:need\w*|necessary|required|"
                      r"point|reason|indicated|warranted)\b|\bunnecessary\b|\bno\s+longer\b|\bnot\s+(?:to|going\s+to)\b", _I)


def _only_asked_later(modifiers: tuple[str, ...]) -> bool:
    """No modifier but a question for later scoped the finding: "will review SI next session" says nothing of
    today, "will review SI next session as it was not assessed today" says it was not assessed."""
    return all(not m.startswith(("not_assessed:", "negated:")) or re.match(
        rf"not_assessed:\W*(?:to\s+|will\s+|(?:will|to|should)\s+(?:continue\s+to\s+)?be\s+)?{_ASK_VERB}", m, _I) for m in modifiers)


#: A plan to ask in the passive: "suicidal ideation will be reviewed at every session".
_PASSIVE_ASK = re.compile(r"\b(?:will|to|should|would|is\s+to|are\s+to)\s+(?:continue\s+to\s+)?be\s+(?:re-?)?"
                          r"(?:viewed|assessed|checked|monitored|visited|explored|asked\s+about|followed\s+up|screened|"
                          r"discussed|evaluated|considered)\b", _I)


def _plans_to_ask(sentence: str, span: str) -> bool:
    """The risk mention is the object of a plan to ask ("check SI next session", "to assess self-harm",
    "self-harm will be reviewed next session")."""
    if not span or _NO_NEED.search(sentence):
        return False
    passive = _PASSIVE_ASK.search(sentence)
    at = sentence.find(span.rstrip(". "))
    if passive and 0 <= at < passive.start():
        # the mention is the subject of the passive, with no clause between ("SI, which she reports daily,
        # will be reviewed" claims the SI): the words from the mention's start to the plan
        between = sentence[at:passive.start()]
        # (topics joined by "and" are one subject: "self-harm and suicidal thoughts will be reviewed at session 9";
        # "and" before a person starts a clause of its own: "SI and she says ... will be reviewed")
        if not re.search(r"[,;:]|\b(?:but|which|who|that|because|reports?|reported|has|have|had|is|are|was|were)\b|"
                         r"\band\s+(?:she|he|they|pt|client|the\s+client|her|his)\b",
                         between[len(span):] if at + len(span) <= passive.start() else between, _I):
            return True
    if re.match(rf"\W*(?:(?:to|will|plan(?:\s+to)?|plan:)\s+)?{_ASK_VERB}\b", span, _I):  # the clause is the plan
        return True
    return re.search(rf"\b{_ASK_VERB}\s+(?:[\w'-]+\s+){{0,2}}?{re.escape(span)}", sentence, _I) is not None


def _group(category: str) -> str:
    return "suicide" if category in {"suicidal_ideation", "suicide_plan", "self_harm", "warning_signs"} else category
