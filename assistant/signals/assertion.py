"""Clinical assertion with medspaCy's ConText: is a finding present, negated, hypothetical, not
assessed, historical, or someone else's?

ConText (Harkema et al. 2009) finds modifier phrases ("denies", "if", "history of", "her son") and
gives each a scope in the sentence; a target inside a modifier's scope takes its category. medspaCy's
default English rules are loaded, then the project's rules in ``context_rules.yaml`` (clinicians'
shorthand: "SI -", "screen neg", "not asked", "per husband", "denies X but Y"). Where each modifier's scope falls
(whose experience it is, how far a time or a condition reaches) is read by ``placement.py``; this module runs the
pipeline and decides each target's assertion from the modifiers placed over it.

medspaCy and spaCy cost ~1 s to import, so this module loads them only when a candidate signal
exists. The pipeline is ``spacy.blank("en")`` plus ConText: no model download and no PyRuSH sentence
splitter (it logs every token at DEBUG through loguru, i.e. patient text on stderr; it is also
disabled here in case anything imports it).
"""

from __future__ import annotations

import re
import threading
from datetime import date
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from ..yamlfile import load_yaml
from .coref import other_by_gender
from .placement import _DOUBLE_QUOTES, _SINGLE_CLOSE, _SINGLE_OPEN, _modifier_text, _past_forms, irregular_verbs, place_modifiers
from .patterns import expand_rules
from .types import FOCAL, RISK_KINDS, WARNING_SIGNS

RULES_FILE = Path(__file__).with_name("context_rules.yaml")

#: ConText category -> assertion, strongest first when a target has several modifiers.
CATEGORY_ASSERTION = {
    "UNCERTAIN": "possible",
    "NEGATED_EXISTENCE": "negated",
    "NOT_ASSESSED": "not_assessed",
    "HYPOTHETICAL": "hypothetical",
    "FAMILY": "other_person",
    "OTHER_EXPERIENCER": "other_person",
    "HISTORICAL": "historical",
    "ASKED": "asked",
}
PRECEDENCE = ("other_person", "possible", "not_assessed", "hypothetical", "negated", "historical")
#: Which modifier categories end the scope of which (beyond universal TERMINATE rules).
TERMINATED_BY = {
    "NEGATED_EXISTENCE": ["REPORT", "NEW_PREDICATE"],
    "FAMILY": ["CONJ", "CONJ_CURRENT"],
    "OTHER_EXPERIENCER": ["CONJ", "CONJ_CURRENT"],
    "HISTORICAL": ["CURRENT", "RECURRENT", "CONJ", "CONJ_CURRENT"],
    "HYPOTHETICAL": ["CURRENT", "CONJ_CURRENT"],
}
#: How far (tokens) a modifier reaches. Notes are terse; scope beyond this is rarely meant.
MAX_SCOPE = 15
#: A comma-separated segment with a verb-like word ends a negation's reach:
#: "denies SI, HI" is one list; "no plan, safety plan reviewed" is two statements.
_STOP_SCAN = frozenset({"and", "or", "but", "however", "nor", "though", "although"})
_BARE_DASH = re.compile(r"(?<=\s)[-–—x](?=\s*(?:[,;.)/]|$))|(?<=:)[-–—](?=\s*(?:[,;.)]|$))")
_VERBISH = re.compile(r"(?:ed|ing)$|^(?:is|was|are|were|has|have|had|will|reports?|says|feels?|wants?|plans?|"
                      r"agreed|agrees|discussed|reviewed|completed|updated|given|made|done|kept|still|thinks|keeps|continues|admits|hears|"
                      r"believes|describes|talks|wishes)$")
#: ... as does an event's count ("denies SI, self-harm x2 this wk") or a word with an object after it: a verb
#: whatever its form ("denies SI, cut her forearm Sat", "no HI, hit him with a pan").
_COUNT = re.compile(r"^(?:x\d+|\d+x|twice|thrice)$", re.I)
_OBJECTS = frozenset({"her", "him", "his", "them", "their", "herself", "himself", "themselves", "myself", "my", "me",
                      "it", "a", "an"})
_SUBJECTS = frozenset({"she", "he", "they", "pt", "client", "cl", "patient"})
_RISK_NOUNS = frozenset({"plan", "plans", "intent", "intents", "means"})
#: Words that count what a verb acts on ("swallowed half a box", "took most of the packet").
_QUANTIFIERS = frozenset({"half", "most", "several", "both", "every", "each", "loads", "lots", "dozens", "another", "many",
                          "two", "three", "four", "five", "ten", "twenty", "thirty", "fifty", "hundred", "handful"})
_AFTER_VERB = frozenset({"on", "at", "in", "into", "off", "out", "up", "down", "to", "with", "from", "through", "over",
                         "again", "yesterday", "last", "this", "after", "before", "during", "the", "some", "all", "her",
                         "his", "him", "them", "their", "herself", "himself", "a", "an"})


#: "but" ends every scope at "still" too, so "Pt's ex still hearing voices" read as the client's.
REPLACED_DEFAULTS = frozenset({": no", ": none", "deny", "but"})
_lock = threading.Lock()
#: Risk categories: the ones whose idioms carry bare negation (see BARE_NEGATION).
RISK_LABELS = frozenset(RISK_KINDS) | {WARNING_SIGNS}
#: Risk an explicit term names as done to oneself: whose it is never depends on whom a relative may harm.
_SELF_DIRECTED = frozenset({"suicidal_ideation", "suicide_plan", "self_harm"})


def _silence_loguru() -> None:
    try:  # PyRuSH logs each token at DEBUG through loguru: never let patient text reach stderr.
        from loguru import logger

        logger.disable("PyRuSH")
        logger.disable("medspacy")
    except ImportError:  # pragma: no cover - loguru comes with medspaCy
        pass


#: A year at least this many years before today dates an event as history (context_rules.yaml, PAST_YEAR).
PAST_YEARS_BACK = 2


def past_year_regex(today: date | None = None) -> str:
    """A token regex for the years 1950 to ``PAST_YEARS_BACK`` years before ``today``, bare or with "~" or
    "c." ("~2008"), and in brackets as one token ("(2019)")."""
    last = (today or date.today()).year - PAST_YEARS_BACK
    years = "|".join(str(y) for y in range(1950, last + 1))
    return rf"^(?:~|c\.|ca\.|\()?(?:{years})\)?$"


def _load_rules() -> list[dict[str, Any]]:
    rules = list(load_yaml(RULES_FILE.read_text(encoding="utf-8"))["rules"])
    year = past_year_regex()
    for rule in rules:
        for token in rule.get("pattern") or ():
            if token.get("LOWER") == {"REGEX": "PAST_YEAR"}:
                token["LOWER"] = {"REGEX": year}
            words = token.get("LOWER", {}).get("IN") if isinstance(token.get("LOWER"), dict) else None
            if words and "nt" not in words and ("n't" in words or "not" in words):
                # A contraction typed without its apostrophe ("havent screened", "didnt ask") is split by the
                # tokenizer into "have" + "nt": wherever a rule takes "n't" or "not", it takes "nt" too.
                token["LOWER"] = {"IN": [*words, "nt"]}
    return rules


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _fix_overlap() -> None:
    """medspaCy 1.3's ``tuple_overlaps`` misses containment ((2, 12) inside (0, 13)), so a terminator
    whose scope is the whole sentence fails to end a modifier whose scope ``max_scope`` shortened.
    Use the ordinary interval test."""
    from medspacy.context import context_modifier

    context_modifier.tuple_overlaps = _overlaps


def _skip_validation(context: Any) -> None:
    """spaCy validates each token pattern with pydantic as it is added (~0.5 ms a pattern, most of the
    pipeline's build time on the cold path). The rules are fixed data: a test validates every one of
    them (tests/test_signals_context.py), so the run-time check is switched off."""
    matcher = getattr(getattr(context, "_ConText__matcher", None), "_MedspacyMatcher__matcher", None)
    if matcher is not None and hasattr(matcher, "validate"):
        matcher.validate = False


def blank_pipeline(expanded: bool = True) -> Any:
    """A new blank spaCy pipeline with ConText and the rules as written (``expanded``: loaded one rule
    per first word, see patterns.py; the matches are the same)."""
    import spacy
    from medspacy.context import ConTextRule

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"punct_chars": ["\u2029"]})  # we pass one clause per doc
    context = nlp.add_pipe("medspacy_context", config={"rules": None, "max_scope": MAX_SCOPE,
                                                       "terminating_types": TERMINATED_BY})
    rules = [r for r in ConTextRule.from_json(context.DEFAULT_RULES_FILEPATH) if r.literal not in REPLACED_DEFAULTS]
    for r in rules:  # medspaCy's own negations end at a new predicate too ("can't see a way out and has been ...")
        if r.category.upper() == "NEGATED_EXISTENCE":
            r.terminated_by = set(r.terminated_by or ()) | {"NEW_PREDICATE"}
    for r in _load_rules():
        rules.append(ConTextRule(r["literal"], r["category"], pattern=r.get("pattern"),
                                 direction=r.get("direction", "BIDIRECTIONAL"), max_scope=r.get("max_scope"),
                                 terminated_by=set(TERMINATED_BY.get(r["category"], [])),
                                 excluded_types={t.upper() for t in r["excluded_types"]} if r.get("excluded_types") else None,
                                 allowed_types={t.upper() for t in r["allowed_types"]} if r.get("allowed_types") else None))
    _skip_validation(context)
    context.add(expand_rules(rules) if expanded else rules)
    return nlp


@lru_cache(maxsize=1)
def pipeline() -> Any:
    """The pipeline the signal layer uses (built once, on first use; same matches, half the time)."""
    with _lock:
        _silence_loguru()
        import medspacy.context  # noqa: F401 - registers the medspacy_context factory

        _silence_loguru()
        _fix_overlap()
        return blank_pipeline()


@dataclass(frozen=True)
class Scoped:
    assertion: str
    modifiers: tuple[str, ...]


#: Results after an item's colon that keep it in a list of denials ("denies SI, HI: none").
_NEGATIVE_RESULTS = frozenset({"no", "none", "nil", "neg", "negative", "denied", "denies", "not", "nad", "absent", "n"})


#: What separates the items of a list in notes: "denies SI, HI", "SI neg / SH: scratching".
_ITEM_SEPARATORS = frozenset({",", "/", "|"})


def _list_break(doc: Any, mod_end: int, target_start: int, target_end: int) -> bool:
    """True when a comma-separated statement of its own holds the target, apart from the negation:
    "no plan, safety plan reviewed" (a verb: a new statement) vs "denies SI, HI or SH" (a list)."""
    if target_start <= mod_end or not any(t.text in _ITEM_SEPARATORS for t in doc[mod_end:target_start]):
        return False
    start = max(i for i in range(mod_end, target_start) if doc[i].text in _ITEM_SEPARATORS) + 1
    if target_end + 1 < len(doc) and doc[target_end].text in (":", "=") and doc[target_end + 1].is_alpha \
            and doc[target_end + 1].lower_ not in _NEGATIVE_RESULTS:
        return True  # an item with a result of its own: "SI/HI neg, SH: cut arm"
    return _statement(doc, start, target_start, target_end)


@lru_cache(maxsize=1)
def _same_past() -> frozenset[str]:
    """Irregular verbs whose past is their base ("cut", "hit"): a past only where the context says so."""
    return frozenset(v[0] for v in irregular_verbs() if v[1] == v[0])


#: Words that date an event lately: "Fri", "yesterday", "last night", "this wk", "at the weekend", "2 days ago".
_RECENT_DAYS = frozenset({"yesterday", "today", "tonight", "overnight", "weekend", "w/e"})
_RECENT_AFTER = {"last": frozenset({"night", "wk", "week", "weekend", "session", "evening"}),
                 "this": frozenset({"morning", "wk", "week", "weekend", "am", "evening"})}
_FEW_DAYS = frozenset({"day", "days", "d", "hrs", "hours", "hr", "nights"})


def _recent(doc: Any, i: int) -> bool:
    """Token ``i`` dates an event lately (a weekday, "yesterday", "last night", "3 days ago")."""
    word, prev = doc[i].lower_, doc[i - 1].lower_ if i > 0 else ""
    if word in _RECENT_DAYS or _WEEKDAY.fullmatch(word) or word in _RECENT_AFTER.get(prev, ()):
        return True
    return word == "ago" and prev in _FEW_DAYS


def _recent_aside(doc: Any, start: int, end: int) -> int:
    """Where a bracket between tokens ``start`` and ``end`` opens that tells an event dated lately, or -1: "denies
    SI, SH (superficial cuts to L thigh Fri)" (a denial reaches no further than the bracket). Not how the answer was
    had ("(asked alone Fri)"), nor a date long past ("(last 2019)")."""
    for i in range(start, min(end, len(doc))):
        if doc[i].text != "(":
            continue
        close = next((t.i for t in doc[i + 1:] if t.text == ")"), len(doc))
        inside = doc[i + 1:min(close, i + 13)]
        if not any(t.lower_ in _ASKING for t in inside) and any(_recent(doc, t.i) for t in inside):
            return i
    return -1


#: The clinician's asking, in brackets after a list's item: not a statement of the item's own.
_ASKING = frozenset({"asked", "checked", "screened", "enquired", "inquired", "queried", "rechecked", "re-asked"})


def _statement(doc: Any, start: int, target_start: int = -1, target_end: int = -1, strict: bool = False) -> bool:
    """Whether the comma-separated segment from token ``start`` (holding the target, if any) is a statement of its
    own: a verb-like word, an irregular past form, an event's count, or a verb opening it with its object.
    ``strict``: a verb in the past only (a regular or an irregular past form), not a word that may be a noun of
    the list ("denies SI, plans or intent")."""
    words: list[str] = []
    past = _past_forms()
    aside = False
    for tok in doc[start:]:
        if tok.i >= max(target_end, start + 1) and (tok.text in (",", ";", ".") or tok.lower_ in _STOP_SCAN):
            break
        if tok.text in ("(", ")") and tok.i >= target_end >= 0:
            aside = tok.text == "("
        if aside and tok.lower_ in _ASKING:
            continue  # how the answer was had, in brackets after the item: "denies SI, SH, HI (asked pt alone at end)"
        if aside and tok.lower_ in _same_past() and tok.i + 1 < len(doc) and doc[tok.i + 1].is_alpha \
                and doc[tok.i + 1].lower_ not in ("by", "of", "about"):
            return True  # an act told in brackets after the item: "denies SI, SH (cut arm last night)"
        if _COUNT.match(tok.text):
            return True
        if tok.is_alpha and not _object_in_target(doc, tok.i, target_start, target_end):
            # the target's own words count unless a noun of the risk questions ("plans or intent" is a list)
            if not (target_start <= tok.i < target_end and tok.lower_ in _RISK_NOUNS):
                words.append(tok.lower_)
            nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
            opens = tok.i == start or (tok.i == start + 1 and doc[start].lower_ in _SUBJECTS)
            if opens and nxt is not None and (nxt.lower_ in _OBJECTS or nxt.like_num):
                return True  # the segment opens with a verb and its object: "cut her forearm", "pt took 10 ..."
            if tok.i == start and tok.lower_ in _LATEST and nxt is not None and nxt.lower_ in _LATEST_EVENTS \
                    and _dated(doc, start):
                return True  # the latest event, dated: "denies current SI, last attempt 3 wks ago (OD)"
            if strict and opens and (tok.lower_.endswith("ed") or tok.lower_ in past) and nxt is not None \
                    and (nxt.lower_ in _AFTER_VERB or nxt.lower_ in _QUANTIFIERS or nxt.like_num):
                return True  # a past verb and its adverbial or its counted object: "overdosed on Sat", "swallowed
                # half a box of ...", "took 30 ..." (not "reduced sleep need")
    return not strict and any(_VERBISH.search(w) or w in past for w in words)


#: A day of the week as notes write it ("Tues", "Thurs", "Sat", "Wednesday").
_WEEKDAY = re.compile(r"(?:mon|tues?|wed(?:nes)?|thur?s?|fri|sat(?:ur)?|sun)(?:day)?", re.IGNORECASE)
#: The latest of a kind of event, opening a segment of its own ("last OD 3 weeks ago").
_LATEST = frozenset({"last", "latest", "recent"})
_LATEST_EVENTS = frozenset({"attempt", "od", "overdose", "sh", "dsh", "cut", "cutting", "self", "episode", "incident",
                            "burn", "burning", "ligature", "admission", "hit", "assault", "threat"})


def _dated(doc: Any, start: int) -> bool:
    """The comma-separated segment from ``start`` dates what it names: a time ago, or a day."""
    for tok in doc[start:]:
        if tok.i > start and tok.text in (",", ";", "."):
            return False
        if tok.lower_ in ("ago", "yesterday", "wk", "week", "weekend") or _WEEKDAY.fullmatch(tok.lower_):
            return True
    return False


def _object_in_target(doc: Any, i: int, start: int, end: int) -> bool:
    """A word the target governs ("harming" in "thoughts of harming") is a noun of the target, not a verb
    of a new statement; the target's own head still counts ("cutting", "self-harming again")."""
    return start < i < end and any(doc[j].lower_ in ("of", "about", "to") for j in range(start, i))


#: Words after a trailing denial that do not make it a denial of something else ("SI denied today").
_NOT_OBJECTS = frozenset({"and", "or", "but", "today", "currently", "now", "at", "in", "on", "by", "per", "x", "since",
                          "for", "when", "throughout", "again", "all", "both", "tonight", "this", "as", "to", "with"})


def _owns_next(doc: Any, mod_end: int) -> bool:
    """A negation followed by a word of its own ("nil plan", "denied intent") negates that word."""
    return mod_end < len(doc) and doc[mod_end].is_alpha and doc[mod_end].lower_ not in _NOT_OBJECTS


#: A bare "no" after a dash is a result ("SI - no", "HI - no."); "- no plan" is a negation of its own.
_DASH_NO = re.compile(r"(?<=[-–—]\s)no(?=\s*(?:[,;.)/]|$))", re.I)


#: "denies" right after a screen's label, closing its clause, is the label's result ("SI denies; SH denies"):
#: read as "denied", which scopes both ways. "Denies plan" keeps its own object, and "mum says she cuts,
#: which she denies" stays a report to ask about.
_TRAILING_DENIES = re.compile(r"(?:(?<=\bSI\s)|(?<=\bHI\s)|(?<=\bSH\s)|(?<=\bOD\s)|(?<=\bDSH\s)|(?<=\bSIB\s)|"
                              r"(?<=\bNSSI\s))denies(?=\s*(?:[,;.)]|$))")


#: An item glued to its score by "=" ("q9=0", "item10=1"): the tokenizer keeps it one word.
_ITEM_EQUALS = re.compile(r"\b((?:q|i|item|question)#?\d{1,2})=(?=\d)", re.I)


#: A day's session ("since Friday's session"): the last session, not the day an event happened (context_rules.yaml's
#: "hasn't self-harmed since Tuesday" must not match it), so its "'s" is rewritten "_s".
_DAYS_SESSION = re.compile(rf"\b({_WEEKDAY.pattern})['’]s(?=\s+(?:session|sess|appt|appointment|group|class|meeting))",
                           re.IGNORECASE)


def normalise(clause: str) -> str:
    """Same-length rewrite ConText can match: a bare dash after a finding ("SI -") or a dash and a bare
    "no" ("SI - no") becomes "∅"; a screen's "denies" closing the clause becomes "denied"; an item glued to
    its score ("q9=0") comes apart ("q9 0"); a day's session keeps its day ("Friday_s session")."""
    clause = _ITEM_EQUALS.sub(lambda m: m.group(1) + " ", clause)
    clause = _DAYS_SESSION.sub(lambda m: m.group(1) + "_s", clause)
    return _TRAILING_DENIES.sub("denied", _DASH_NO.sub("∅ ", _BARE_DASH.sub("∅", clause)))


#: A modifier decides a clause that fired by meaning when its scope covers this share of the clause's words.
CLAUSE_COVERAGE = 0.4
#: Presentations whose clause may say when the symptom comes ("... if he goes past lunch without one").
_PATTERNS = frozenset({"severe_substance_dependence", "trauma_focused_needed", "anxiety_without_interpersonal_trigger"})
#: The negations of a noun, which can deny a focal area read by meaning ("no conflict at home").
_NOUN_NEGATION = frozenset({"no", "none", "nothing"})
#: Bare grammatical negation. It negates an explicit term ("no SI", "not suicidal"), but a clause that
#: fired by meaning has already read it: risk idioms carry it ("doesn't want to wake up", "won't be a
#: problem much longer"). Only explicit denial ("denies", "negative for", "nil") negates such a clause.
BARE_NEGATION = frozenset({"no", "not", "n't", "never", "nt", "none", "nothing", "cannot", "can't", "won't", "don't",
                           "doesn't", "didn't", "isn't", "wasn't", "aren't", "do", "does", "did", "is", "was", "are",
                           "wo", "ca", "have", "has", "had", "feel", "see", "want", "think", "not_"})


#: A modifier that is a denial or a negative result, not only a negation ("stopped", "never").
_DENIAL = re.compile(r"\b(?:den\w*|neg\w*|nil|none|nad|-ve|∅)\b", re.I)


#: A negation of one aspect of risk, or of its being said, leaves what the clause describes standing: "looked
#: up the tide times at the cliffs ... no stated intent", "he's not said he wants to die".
_ASPECT_ONLY = re.compile(r"\W*(?:(?:\w+\s+){0,2}(?:stated|expressed|voiced|verbali[sz]ed|clear|specific|active|current)\s+)?"
                          r"(?:intent|intention|plan|plans|means|preparation|prep|access)\b|"
                          r"\W*(?:(?:he|she|they|pt|client)\s+)?(?:'s\s+|has\s+|have\s+)?(?:said|mentioned|stated|"
                          r"expressed|voiced|disclosed|admitted|told)\b", re.I)


#: Words that frame a clause rather than say what it is about: they do not count towards a scope's cover.
_FRAME_WORDS = frozenset({"client", "pt", "patient", "cl", "trainee", "supervisee", "colleague", "mentioned", "told",
                          "says", "said", "reports", "reported", "year", "years", "old", "yo", "aged"})


def _clause_assertion(doc: Any, modifiers: list[Any], bare_negates: bool = False, focal: bool = False,
                      pattern: bool = False) -> Scoped:
    """For a clause that fired by meaning (no single target word): the strongest assertion among the
    modifiers whose scope covers enough of the clause's content words. ``focal``: a focal area, which a verb's
    negation does not deny ("never had a close friend", "hasn't spoken to her sister since", "doesn't know who she
    is anymore" are the area itself); only "no" / "none" / "nothing" and explicit denials do ("no relationship
    changes she can identify"). ``pattern``: a presentation (dependence, trauma, anxiety) whose clause describes what
    happens when ("shakes + sweats if he goes past lunch w/o one", "hits the deck when a car backfires"): a condition
    after the clause's first words is when the symptom comes, not a supposition."""
    taken = set()
    for m in modifiers:
        taken.update(range(*m.modifier_span))
    content = [t.i for t in doc if t.is_alpha and t.i not in taken]
    if not bare_negates:  # risk: the words that say what the clause is about, not its frame ("my client mentioned she")
        content = [i for i in content if not doc[i].is_stop and doc[i].lower_ not in _FRAME_WORDS] or content
    if not content:
        return Scoped("present", ())
    found: list[tuple[str, str]] = []
    negations: list[tuple[Any, bool]] = []
    bare_reach: list[str] = []
    for mod in modifiers:
        assertion = CATEGORY_ASSERTION.get(mod.category.upper())
        if assertion is None or mod.direction.upper() in ("TERMINATE", "PSEUDO"):
            continue
        words = {t.lower_ for t in doc[mod.modifier_span[0]:mod.modifier_span[1]]}
        bare = assertion == "negated" and words <= BARE_NEGATION
        if focal and bare and not words & _NOUN_NEGATION:
            continue
        if pattern and assertion == "hypothetical" and mod.modifier_span[0] > min(content):
            continue
        if assertion == "negated":
            negations.append((mod, bare))
        lo, hi = mod.scope_span
        if assertion == "not_assessed" and not bare_negates and any(i < mod.modifier_span[0] for i in content) \
                and _left_unexplored(doc, 0, min(content), *mod.modifier_span):
            continue  # "thoughts of ending it - not discussed in detail": the finding is stated, not left unasked
        if assertion == "historical" and any(_resumes(doc, m) and m.modifier_span[0] > mod.modifier_span[1] for m in modifiers):
            continue  # "used to cut at uni and started again last month": the history has resumed
        covered = sum(1 for i in content if lo <= i < hi)
        if bare and not bare_negates:
            if covered / len(content) >= CLAUSE_COVERAGE and not _ASPECT_ONLY.match(doc[lo:hi].text):
                bare_reach.append(doc[mod.modifier_span[0]:mod.modifier_span[1]].text + "|" + doc[lo:hi].text)
            continue
        if covered / len(content) >= CLAUSE_COVERAGE:
            found.append((assertion, _modifier_text(doc, mod)))
    if not any(a == "negated" for a, _ in found) and any(_DENIAL.search(doc[m.modifier_span[0]:m.modifier_span[1]].text)
                                                         for m, _ in negations):
        # A list of denials ("denies intent, no access to means"): once the clause denies explicitly, its
        # bare negations are denials too, and their scopes are read together.
        reach = {i for mod, _ in negations for i in range(*mod.scope_span)}
        if sum(1 for i in content if i in reach) / len(content) >= CLAUSE_COVERAGE:
            found.append(("negated", " / ".join(doc[m.modifier_span[0]:m.modifier_span[1]].text for m, _ in negations)))
    scoped = _decide(found, doc.text)
    if bare_reach and scoped.assertion == "present":
        # A bare negation over the clause ("has never hurt herself", "doesn't want to wake up"): whether it
        # denies the finding or is part of a risk idiom is the probe's call (see detect.py).
        return Scoped("present", scoped.modifiers + tuple(f"bare:{t}" for t in bare_reach))
    return scoped


#: A baby named as the one a finding is about ("no thoughts of harming the baby", "forgets to feed the baby") is
#: someone else, except to the perinatal adaptation when the client may be the one who was pregnant: there it
#: places the client in the perinatal period. (A relation's baby stays the relation's: "her sister's baby" is
#: scoped by "sister"; a client the text shows as male, "dad of a 6-month-old ... he", is not in it himself.)
_BABY = frozenset("baby baby's babies infant infants newborn newborns bub bubs".split())


#: Things named with "baby" before them ("baby clothes", "a baby shower"): the word names no baby.
_BABY_THINGS = frozenset("clothes clothing stuff things items gear toys books equipment shower showers sitter "
                         "sitters boomer boomers".split())


#: What a clinician denies about a new parent: thoughts of harm. Denied, it leaves the perinatal period standing
#: ("no thoughts of harming the baby, EPDS Q10: 0").
_HARM_DENIED = re.compile(r"\b(?:harm\w*|hurt\w*|SI|suicid\w*|thoughts?|kill\w*|shak\w*|intrusive)\b", re.I)


def _perinatal_context(doc: Any, mod: Any, label: str, client_gender: str | None) -> bool:
    """Whether a modifier leaves a perinatal finding alone: the client's baby as someone else, or a denial of
    harm, says nothing against the client being in the perinatal period."""
    if label != "perinatal":
        return False
    category = mod.category.upper()
    if category == "NEGATED_EXISTENCE":
        return bool(_HARM_DENIED.search(doc[mod.scope_span[0]:mod.scope_span[1]].text))
    lo, hi = mod.modifier_span
    return category == "FAMILY" and client_gender != "m" and doc[lo:hi].text.lower() in _BABY \
        and not (hi < len(doc) and doc[hi].lower_ in _BABY_THINGS)


def _placement_kind(target: tuple[int | None, int | None, str] | None) -> str:
    """Which placement of the modifiers a target reads: a self-directed risk, another risk, or anything else."""
    if target is None or target[2] not in RISK_LABELS:
        return "other"
    return "self" if target[2] in _SELF_DIRECTED else "risk"


def assert_targets(clause: str, targets: Iterable[tuple[int | None, int | None, str] | None],
                   client_gender: str | None = None, specific: bool = False) -> list[Scoped]:
    """Assertions for targets in one clause: character spans ``(start, end, label)``, or
    ``(None, None, label)`` / ``None`` for a clause that fired by meaning (decided by the modifiers
    whose scope covers enough of the clause). ``client_gender`` ("m", "f" or None, see coref) lets a
    pronoun that agrees with a relative, not the client, make the finding the relative's. ``specific``: the
    text goes on to state facts of one person ("... She's 8 months pregnant."), so a generic person or a
    "when" in the question is that person, not a case in general."""
    targets = list(targets)
    if not targets:
        return []
    from spacy.tokens import Span

    nlp = pipeline()
    clause = normalise(clause)
    doc = nlp(clause)
    raw = list(doc._.context_graph.modifiers)
    # Each placement is made when a target first needs it. (place_modifiers narrows the modifiers' scopes in place, so
    # a placement made after another reads its narrowing. Giving each its own copies, or one fixed order, was measured
    # in the thirtieth round's review: either moved a never-read column down, `exp19_held/` adaptations 0.875 -> 0.848
    # or `w28b_held/` 0.800 -> 0.737, so the order stays that of the targets.)
    placed: dict[str, list[Any]] = {}
    results: list[Scoped] = []
    for target in targets:
        kind = _placement_kind(target)
        if kind not in placed:
            placed[kind] = place_modifiers(doc, raw, relations=kind != "other", specific=specific,
                                           self_directed=kind == "self")
        modifiers = placed[kind]
        if target is None or target[0] is None:
            label = target[2] if target is not None else ""
            # A rule's excluded types hold for a finding by meaning too (ConText applies them to spans only).
            usable = [m for m in modifiers if m.allows(label.upper()) and not _perinatal_context(doc, m, label, client_gender)]
            results.append(_clause_assertion(doc, usable, bare_negates=label not in RISK_LABELS, focal=label in FOCAL,
                                             pattern=label in _PATTERNS))
            continue
        span = doc.char_span(target[0], target[1], label=target[2].upper(), alignment_mode="expand")
        if span is None:  # pragma: no cover - expand always aligns inside the text
            span = Span(doc, 0, len(doc), label=target[2].upper())
        found: list[tuple[str, str]] = []
        for mod in modifiers:
            assertion = CATEGORY_ASSERTION.get(mod.category.upper())
            # a cue fused with the finding's first word ("doesn't want | to die") modifies it too
            fused = mod.modifier_span[0] < span.start < mod.modifier_span[1] and \
                mod.direction.upper() in ("FORWARD", "BIDIRECTIONAL")
            if assertion is None or not (mod.modifies(span) or fused) or _perinatal_context(doc, mod, target[2], client_gender):
                continue
            if assertion == "negated" and mod.modifier_span[1] <= span.start \
                    and _list_break(doc, mod.modifier_span[1], span.start, span.end):
                continue
            if assertion == "negated" and mod.modifier_span[0] >= span.end and _owns_next(doc, mod.modifier_span[1]) \
                    and any(t.text == "," for t in doc[span.end:mod.modifier_span[0]]):
                continue  # "passive SI, nil plan": the denial has its own object after it
            if assertion == "negated" and mod.modifier_span[1] <= span.start \
                    and 0 <= _recent_aside(doc, mod.modifier_span[1], span.start + 1) < span.start + 1:
                continue  # "denies SH (cut 2 days ago)": the bracket after the denial tells an event of its own
            if assertion == "not_assessed" and mod.modifier_span[0] >= span.end \
                    and _left_unexplored(doc, span.start, span.end, *mod.modifier_span):
                continue  # "passive SI daily, plan not reviewed", "hearing voices - not explored further": the finding
                # is stated; what was not assessed is its own subject, or more of it
            if assertion == "historical" and target[2] in _DATED_BY_EVENT and mod.modifier_span[1] <= span.start \
                    and any(t.text in _CLAUSE_BREAKS for t in doc[mod.modifier_span[1]:span.start]):
                continue  # "held at knifepoint in a robbery last year - nightmares, flashbacks": the date is the
                # event's; what follows the break is how the client is now
            if assertion == "historical" and _current_clause(doc, span.end, modifiers):
                continue  # "born in 1985, cutting daily now", "overdose years ago and stockpiling pills again": the
                # finding's own clause says it is now
            if assertion == "historical" and _present_predicate(doc, mod.modifier_span[1], span.start, modifiers):
                continue  # "had a baby last year and (now) wants to die": a new predicate in the present between the
                # date and the finding says the finding is now
            found.append((assertion, _modifier_text(doc, mod)))
        if not any(a == "other_person" for a, _ in found):
            relative = other_by_gender(doc, span.start, span.end, client_gender)
            if relative is not None:
                found.append(("other_person", f"{relative} (pronoun)"))
        results.append(_decide(found, doc.text))
    return results


#: Words between a relation and what governs it: determiners, possessives, ages, adjectives of relation.

def unscoped(clause: str, min_words: int = 3, only: frozenset[str] | None = None) -> str | None:
    """The clause without the words any assertion modifier reaches (its trigger and its scope): what
    the clause says as present fact. None when fewer than ``min_words`` words are left. A clause that
    fired by meaning and was scoped whole ("not suicidal, nothing like that, but he has given his dog
    away") is read again on this rest, so a finding outside every scope stays present. ``only``: the modifiers of
    these assertions alone ("negated": what is said outside every denial)."""
    doc = pipeline()(normalise(clause))
    covered: set[int] = set()
    for mod in place_modifiers(doc, list(doc._.context_graph.modifiers)):
        if CATEGORY_ASSERTION.get(mod.category.upper()) is None or mod.direction.upper() in ("TERMINATE", "PSEUDO"):
            continue
        if only is not None and CATEGORY_ASSERTION.get(mod.category.upper()) not in only:
            continue
        covered.update(range(*mod.modifier_span))
        a, b = mod.scope_span
        if CATEGORY_ASSERTION.get(mod.category.upper()) == "negated" and b > mod.modifier_span[1]:
            # A denial reaches no further than its list: "denies SI, took 10 paracetamol Sat" leaves the overdose
            # (its words after the trigger, whichever way it reads: "Says no thoughts of suicide, swallowed ...").
            b = next((i + 1 for i in range(max(a, mod.modifier_span[1]), b)
                      if doc[i].text in _ITEM_SEPARATORS and _statement(doc, i + 1, strict=True)), b)
            if (i := _recent_aside(doc, mod.modifier_span[1], b)) >= 0:
                b = i  # nor past a bracket that tells an event dated lately
        covered.update(range(a, b))
    rest = [t for t in doc if t.i not in covered]
    if sum(t.is_alpha for t in rest) < min_words:
        return None
    return "".join(t.text_with_ws for t in rest).strip()


#: The answer to a question asked about a finding, when it is no: "asked about voices, pt laughed - 'no,
#: I'm not crazy'", "asked re thoughts of ending life - 'God no'", "asked about SI; answered no".
_NO_ANSWER = re.compile(
    r"(?:\b(?:said|says|answered|answers|replied|replies|responded|laughed|shook\s+(?:her|his|their)\s+head)\b[^\w\"']*|"
    r"[-–—:]\s*|[\"“'‘]\s*)[\"“'‘]?\s*(?:(?:god|oh|definitely|absolutely|certainly|hell|lord|gosh|good\s+lord),?\s+)?"
    r"(?:no|nope|nah|never|none|nil|not\s+at\s+all|not\s+me|nothing\s+like\s+that|denies|denied|negative|neg)\b"
    r"(?!\s+(?:but|however)\b)", re.I)


#: ... and when it is yes: "asked directly - yes, thinks about being dead most days", "asked re SI: endorsed".
_YES_ANSWER = re.compile(
    r"(?:\b(?:said|says|answered|answers|replied|replies|responded|nodded)\b[^\w\"']*|[-–—:]\s*|[\"“'‘]\s*)[\"“'‘]?\s*"
    r"(?:yes|yeah|yep|yup|endorsed|endorses|admitted|admits|confirmed|confirms|sometimes|every\s+day|most\s+days)\b", re.I)


def _decide(found: list[tuple[str, str]], text: str = "") -> Scoped:
    """The strongest assertion; uncertainty ("not sure if", "unclear whether") keeps the finding
    present at the possible level (recorded as a ``possible:`` modifier), whatever else scopes it.
    A finding asked about is negated when the clause gives the answer no (``text``: the clause), and
    stated when it gives the answer yes."""
    if not found:
        return Scoped("present", ())
    if any(a == "asked" for a, _ in found) and _NO_ANSWER.search(text):
        found = [("negated", f"{t} - no") if a == "asked" else (a, t) for a, t in found]
    elif any(a == "asked" for a, _ in found) and _YES_ANSWER.search(text):
        found = [(a, t) for a, t in found if a != "asked"]  # answered yes: stated, not to follow up
        if not found:
            return Scoped("present", ("answered yes",))
    mods = tuple(f"{a}:{t}" for a, t in found)
    if all(a == "asked" for a, _ in found):  # asked about, no answer in reach: follow it up
        return Scoped("present", mods + tuple(f"possible:{t}" for _, t in found))
    found = [f for f in found if f[0] != "asked"]
    if any(a == "possible" for a, _ in found) and not any(a == "other_person" for a, _ in found):
        return Scoped("present", mods)
    best = min(found, key=lambda f: PRECEDENCE.index(f[0]))
    if best[0] in ("negated", "historical") and BROKEN_OFF.search(text):
        return Scoped("present", mods + ("broken off recently",))  # "No SH for 6 months - until last night"
    if best[0] == "negated" and (m := QUALIFIED_DENIAL.search(text)):
        # "no SI at the moment, it comes and goes", "no thoughts of suicide that she'd admit to": a denial for now or as
        # far as the client will say; ask directly
        return Scoped("present", mods + (f"possible:{m.group(0)}",))
    if best[0] == "negated" and _NONE_SINCE.search(text):
        return Scoped("historical", mods + ("none since a past time",))  # "hasn't SH'd since 2018": only in the past
    return Scoped(best[0], mods)


#: Nothing since a time long past ("hasn't SH'd since 2018", "'not since I was at school'", "no SI since her teens"):
#: the risk is historical, not denied outright. A recent anchor ("since last session", "since Tuesday") is a denial.
_NONE_SINCE = re.compile(
    r"(?:\bno\b|\bnot\b|\bnever\b|\bnone\b|n't|\bnil\b)(?:\W+\w+){0,6}?\W+since\s+(?:(?:19|20)\d\d\b|(?:she|he|i|they)\s+was\s+"
    r"(?:at\s+(?:school|uni|college)|a\s+(?:teen\w*|kid|child|student)|\d+)|school|uni\b|college|(?:her|his|their|my)\s+"
    r"(?:teens|twenties|thirties|late\s+teens|early\s+twenties|school\s+days|first\s+(?:pregnancy|baby|marriage))|"
    r"(?:age|aged)\s+\d+|\d+\s*(?:yrs?|years?)\s+(?:old|ago))", re.I)


#: A denial or a remission broken off at a recent time ("No SH for 6 months - until last night", "clean for a year
#: till Saturday"): it happened then.
BROKEN_OFF = re.compile(r"\b(?:until|till|til|up\s+to)\s+(?:last\s+(?:night|nite|week|wk|weekend|wknd|w/e|(?:mon|tues|wednes|thurs|fri|satur|sun)day)|"
                         r"yesterday|today|this\s+morning|(?:the\s+)?other\s+day|recently)\b", re.I)
#: (A weekday alone may be ahead, "keep the safety plan until Friday": not a break.)
#: A denial the clinician qualifies: intermittent, or only as far as the client will say.
QUALIFIED_DENIAL = re.compile(r"\b(?:comes?\s+and\s+goes|came\s+and\s+went|on\s+and\s+off|off\s+and\s+on|wax(?:es)?\s+and\s+wanes?|"
                               r"(?:that|which)\s+(?:she|he|they|pt|client)\s*(?:'d|would|will|'ll|is\s+willing\s+to|was\s+willing\s+to)\s+"
                               r"(?:admit|disclose|share|own)\w*(?:\s+to)?)\b", re.I)


_CLAUSE_BREAKS = frozenset({",", ";", ".", "?", "!", "(", ")", "-", "–", "—"})


#: Presentations that follow an event by their nature: a date before them is the event's.
_DATED_BY_EVENT = frozenset({"trauma_focused_needed"})


def _left_unexplored(doc: Any, start: int, after: int, mod_start: int, mod_end: int) -> bool:
    """Whether a not-assessed cue after the finding ``doc[start:after]`` leaves it stated: the finding is said with
    words of its own and, after a break, the cue has a subject of its own ("passive SI daily, plan not reviewed";
    not the list "SI, HI not assessed"), or the cue asks for more of what was found ("hearing voices - not explored
    further", "cutting again, not discussed in detail")."""
    breaks = [t.i for t in doc[after:mod_start] if t.text in _CLAUSE_BREAKS]
    if not breaks:
        return False
    if any(t.lower_ in _DEPTH_WORDS for t in doc[mod_end:mod_end + 3]):
        return True
    quotes = [t.i for t in doc[max(0, start - 12):breaks[-1] + 1] if t.text in _QUOTE_MARKS]
    if len(quotes) >= 2 and quotes[-1] >= after:
        return True  # the finding is the client's words quoted ("M: 'what's the point of me now' - not explored in grp"):
        # said, whatever was not explored after it
    before = max((t.i for t in doc[:start] if t.text in _CLAUSE_BREAKS), default=-1)
    said = any(t.is_alpha for t in doc[before + 1:start]) or any(t.is_alpha for t in doc[after:breaks[0]])
    return said and any(t.is_alpha and t.lower_ not in _AUX_WORDS for t in doc[breaks[-1] + 1:mod_start])


#: Quotation marks, as placement.py reads quotations.
_QUOTE_MARKS = _DOUBLE_QUOTES | _SINGLE_OPEN | _SINGLE_CLOSE
_AUX_WORDS = frozenset({"was", "were", "is", "are", "has", "have", "had", "been", "be", "but", "and", "yet", "though",
                        "however", "so", "i", "we", "she", "he", "they", "it", "this", "that"})
_DEPTH_WORDS = frozenset({"further", "detail", "depth", "length", "more", "fully", "much"})


def _current_clause(doc: Any, after: int, modifiers: list[Any]) -> bool:
    """Whether a current-time or recurrence word ("now", "today", "again") stands just after token ``after`` in the
    same clause, before the next break: the clause says its finding is now, whatever dates the sentence."""
    end = next((t.i for t in doc[after:] if t.text in _CLAUSE_BREAKS), len(doc))
    return any(m.category.upper() in ("CURRENT", "RECURRENT") and after <= m.modifier_span[0] < min(end, after + _CURRENT_REACH)
               # ... or a resumption further on in the clause ("used to cut at uni and started again last month")
               or _resumes(doc, m) and after < m.modifier_span[0] < min(end, after + _RESUMED_REACH) for m in modifiers)


#: Verbs of a new predicate that speak of now ("and wants", "and now feels", "and is"), not of the past ("and was
#: admitted", "and cut again"), from the new-predicate rule's matches.
_PRESENT_VERBS = frozenset({"has", "have", "is", "'s", "'ve", "keeps", "starts", "continues", "spends", "talks", "goes",
                            "gets", "feels", "thinks", "wants", "plans", "says", "tells", "takes", "makes", "writes",
                            "reports", "admits", "describes", "mentions"})


def _present_predicate(doc: Any, after: int, before: int, modifiers: list[Any]) -> bool:
    """Whether a new predicate in the present stands between tokens ``after`` and ``before``."""
    return any(m.category.upper() == "NEW_PREDICATE" and after <= m.modifier_span[0] < before
               and doc[m.modifier_span[1] - 1].lower_ in _PRESENT_VERBS for m in modifiers)


def _resumes(doc: Any, mod: Any) -> bool:
    """A recurrence word right after a verb of beginning again ("started again", "it again")."""
    return mod.category.upper() == "RECURRENT" and doc[mod.modifier_span[0] - 1].lower_ in _RESUMED


#: Verbs that say a past behaviour has begun again, right before "again"; and how far after the finding they count.
_RESUMED = frozenset({"started", "starting", "began", "begun", "restarted", "doing", "happening", "happened", "it"})
_RESUMED_REACH = 8


#: How close after the finding its clause's current-time word must stand ("cutting daily now"; not "tried to hang
#: himself at 22 and he's now 47", where "now" dates his age).
_CURRENT_REACH = 3
