"""Fact check of a drafted note against the clinician's bullets.

Every number, rating, date, time, duration, proper name, medication, dose,
diagnosis or code, test score, quote and risk statement in the draft must be
supported by the input. :func:`find_unsupported` lists what is not, with the
span; :func:`remove_unsupported` drops the sentences that carry it.

The parts: typed entities here; content grounding in :mod:`.claims`, judged by the
claim probe in :mod:`.interpretation`; severity bands and score changes in
:mod:`.scales`; risk statements in :mod:`.risk_claims`, scoped by :mod:`.risk_scope`.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from ..catalog import Catalog
from .risk_claims import (DRAFT_DENIAL_MIN, DRAFT_SEMANTIC_MIN, _HEAD_DENIAL, _IDEATION_KINDS, _NOT_ASKED, _RISK_SOFTENER,
                          _UNKNOWN, _about_risk, _check_risk, _framing_of_written, _mentions_absence, _names_screen,
                          _nil_written, _quoted_from_bullets, _softener_written_otherwise)
from .change_words import unsupported_strict
from .number_words import BIG_NUMBER_WORDS, TENS, number_words
from .risk_lift import own_negations, risk_liftable, softens_risk
from .risk_scope import grades_risk

if TYPE_CHECKING:  # pragma: no cover
    from ..signals import RiskView
    from .claims import Grounding, Support

_I = re.IGNORECASE
_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50, "fifty-five": 55, "sixty": 60,
    "ninety": 90, "half": 0.5, "once": 1, "twice": 2,
}
_UNITS = r"(?:minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|wks?|months?|years?|yrs?|times?|drinks?|pills?|tablets?|mg|mcg|ml)"
_NUM = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?(?:\s*/\s*\d+(?:[.,]\d+)?)?(?:\s*%)?")
_NUM_WORD = re.compile(rf"\b({'|'.join(sorted(_NUMBER_WORDS, key=len, reverse=True))})[\s-]+{_UNITS}\b", _I)
_MONTH = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|"
                    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b")
_WEEKDAY = re.compile(r"\b(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)days?|yesterday|tomorrow|tonight|"
                      r"last\s+night|this\s+morning)\b", _I)
#: Periods of the year and of the week: a time a draft may name only when the bullets do, in any form.
_PERIOD = re.compile(r"\b(?:week-?ends?|fortnight|bank\s+holidays?|half[-\s]term|christmas|easter|new\s+year|"
                     r"summer|winter|autumn)\b", _I)
_PERIOD_FORMS = {"weekend": r"\b(?:wknds?|wkends?|w/e|week-?ends?|sat\w*|sun\w*)\b", "christmas": r"\b(?:xmas|christmas)\b",
                 "fortnight": r"\b(?:fortnight\w*|2\s*wks?|two\s+weeks)\b", "new year": r"\b(?:new\s+year|nye)\b",
                 "bank holiday": r"\b(?:bank\s+hol\w*|bh)\b", "half term": r"\b(?:half[-\s]term)\b"}
#: A contact made by some channel (a text, a message, an email, a letter, a phone call): a draft may name one
#: only when the bullets speak of some contact of the kind, in any form ("txt", "rang", "msg'd", "call").
_CHANNEL = re.compile(r"\b(?:text(?:s|ed|ing)?|messag\w*|e-?mail\w*|voicemail\w*|letters?|phoned|phone\s+call|rang|"
                      r"whatsapp\w*)\b", _I)
_CHANNEL_SRC = re.compile(r"\b(?:te?xt|txt|msg|messag|e-?mail|voicemail|vm|letter|rang|ring|phon|call|wrote|writ|"
                          r"post|dm|whatsapp|wa|contact)\w*", _I)
#: "last month", "by the end of next month", "this year": a time relative to the session, which a draft may
#: write only when the bullets give a time in that unit, in any form ("3 mo", "mths", "Feb", "yr", "2019").
_RELATIVE = re.compile(r"\b(?:last|next|this|previous|past|coming)\s+(month|year)s?\b", _I)
_UNIT_FORMS = {"month": r"\b(?:months?|mos?|mths?)\b|\d+\s*/\s*12\b|\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|"
                        r"june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b",
               "year": r"\b(?:years?|yrs?|yo|y/o|annual\w*|anniversar\w*)\b|\b(?:19|20)\d\d\b"}
_TEST = re.compile(r"\b(?:PHQ[-\s]?9|PHQ[-\s]?A|PHQ|GAD[-\s]?7|GAD|BDI(?:[-\s]?II)?|HAM[-\s]?D|HAMD|HRSD|MADRS|EPDS|QIDS|"
                   r"PCL[-\s]?5|C-?SSRS|AUDIT|CES-?D|GDS|MoCA|MMSE|Beck\s+Depression\s+Inventory)\b", _I)
_DIAGNOSIS = re.compile(
    r"\b(?:[FZ]\d{2}(?:\.\d{1,2})?|\d{3}\.\d{1,2}|MDD|GAD|PTSD|OCD|BPD|ADHD|PDD|major\s+depressive\s+disorder|"
    r"persistent\s+depressive\s+disorder|dysthymi\w*|bipolar\s+(?:I{1,2}\b|disorder|depression)|bipolar|"
    r"generali[sz]ed\s+anxiety\s+disorder|adjustment\s+disorder|borderline\s+personality|personality\s+disorder|"
    r"panic\s+disorder|post[-\s]?traumatic\s+stress\s+disorder|schizo\w+|postpartum\s+depression|"
    r"perinatal\s+depression|substance\s+use\s+disorder|alcohol\s+use\s+disorder|eating\s+disorder|anorexia|bulimia|"
    r"ICD-?10|ICD-?11|DSM-?5|DSM-?IV|CPT\s*\d+|diagnos[ie]s\s+of)\b", _I)
#: A diagnosis and its usual initials: a note may write out what the bullets abbreviate, or abbreviate what they
#: write out ("gave dx of MDD" -> "a diagnosis of major depressive disorder").
_DX_INITIALS = {"major depressive disorder": "mdd", "generalised anxiety disorder": "gad", "generalized anxiety disorder": "gad",
                "post-traumatic stress disorder": "ptsd", "post traumatic stress disorder": "ptsd",
                "posttraumatic stress disorder": "ptsd", "persistent depressive disorder": "pdd",
                "obsessive-compulsive disorder": "ocd", "obsessive compulsive disorder": "ocd",
                "attention deficit hyperactivity disorder": "adhd", "borderline personality disorder": "bpd"}


def _same_diagnosis(found: str, src: str) -> bool:
    """The bullets name the diagnosis the draft names, the one in initials and the other written out."""
    key = re.sub(r"\s+", " ", found.lower())
    initials = _DX_INITIALS.get(key)
    if initials:
        return re.search(rf"\b{initials}\b", src) is not None
    return any(i == key and re.search(r"[-\s]+".join(map(re.escape, re.split(r"[-\s]+", full))), src)
               for full, i in _DX_INITIALS.items())


_MEDICATION = re.compile(
    r"\b(?:sertraline|fluoxetine|escitalopram|citalopram|paroxetine|fluvoxamine|venlafaxine|desvenlafaxine|duloxetine|"
    r"bupropion|mirtazapine|trazodone|vortioxetine|vilazodone|agomelatine|nortriptyline|amitriptyline|imipramine|"
    r"clomipramine|lithium|lamotrigine|valproate|divalproex|carbamazepine|quetiapine|aripiprazole|brexpiprazole|"
    r"cariprazine|olanzapine|risperidone|lurasidone|ziprasidone|clozapine|haloperidol|clonazepam|lorazepam|"
    r"alprazolam|diazepam|temazepam|zolpidem|zopiclone|buspirone|hydroxyzine|gabapentin|pregabalin|propranolol|"
    r"ketamine|esketamine|brexanolone|zuranolone|naltrexone|methadone|buprenorphine|prozac|zoloft|lexapro|celexa|"
    r"paxil|effexor|cymbalta|wellbutrin|remeron|seroquel|abilify|zyprexa|risperdal|latuda|lamictal|depakote|"
    r"xanax|ativan|klonopin|valium|ambien|spravato|SSRIs?|SNRIs?|MAOIs?|TCAs?|antidepressants?|antipsychotics?|"
    r"benzodiazepines?|mood\s+stabili[sz]ers?|medications?|meds|prescri\w+|dose|dosage|titrat\w+)\b", _I)
_DOSE = re.compile(r"\b\d+(?:\.\d+)?\s*(?:mg|mcg|µg|g|ml|units?|iu)\b", _I)
_QUOTE = re.compile(r"[\"“”]([^\"“”]{3,200})[\"“”]")
_SCORING = re.compile(r"\b(?:low|moderate|medium|high|elevated|imminent|minimal)\s+(?:suicide\s+|suicidal\s+)?risk\b|"
                      r"\brisk\s+(?:level|score|rating)\b|\bnot\s+(?:at|a)\s+risk\b|\bno\s+(?:safety\s+)?concerns?\b|"
                      r"\bcontract(?:ed)?\s+for\s+safety\b|\bno[-\s]harm\s+contract\b", _I)
_SAFETY_PLAN = re.compile(r"\bsafety\s+plan\w*\b", _I)
_CAPITALISED = re.compile(r"\b([A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?)\b")
#: A sentence ends at ".", "!" or "?", or at one inside a closing quotation mark or bracket ('described the day
#: as "sad but ok." She denied ...'), before a capital, an opening quotation mark or a bracket.
_SENTENCE_SPLIT = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’')]))\s+(?=[A-Z\"“(])|\n+")

#: Words that may start a sentence or appear capitalised in a note without being names.
COMMON_WORDS = frozenset("""
a about above across additionally after afterwards again also although among an and another any are as at
based because before being both but by client clients continue continued continues currently despite did
discussed during each either even every explored first following for from further given had has have having
he her here his however if in including it its later may meanwhile more moreover most next no none not noted
notably of on once only or other otherwise our over overall per plan plans progress rather recent regarding
reported reports reviewed risk safety second session sessions she should since so some subsequently such than
that the their them then there therefore these they this those though through throughout to today together
toward towards under until upon we were what when where whereas whether which while who will with within
without yet you interpersonal ipt focal area areas phase initial middle termination maintenance goal goals
intervention interventions response behavior behaviour data assessment subjective objective task tasks
mood affect measures observed also draft note progress clinician documented agreed work client's patient
therapist therapy treatment symptoms symptom events event interpersonal next week weeks in-session
total status number unknown review reviewed steps step schedule scheduled summary notes note date time
name names observations presentation appearance history details detail reason reasons comments other
current previous last first new follow-up followup homework status: yes none n/a not applicable pending
completed outcome outcomes focus areas action actions item items rating ratings level levels type
denied denies present reported
""".split())
#: Label lines a model writes ("- **Total Sessions**: 12"): a run of capitalised words that starts at a
#: label position is checked word by word like a sentence start, not as a name.
_LIST_MARKER = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_RISK_LABEL = re.compile(r"\b(?:risk|SI|HI|suicid\w*|self[-\s]?harm)(?:\s+(?:status|assessment|level))?\s*[:=\-–—]\s*"
                         r"(denied|denies|none|negative|neg|no|nil|low|minimal|absent)\b", re.I)
_EQUIVALENT = {"medication": "meds", "medications": "meds", "medicine": "meds", "therapist's": "therapist",
               "diagnosisof": "dx", "diagnosis": "dx", "diagnosed": "dx"}


@dataclass(frozen=True)
class Unsupported:
    kind: str
    span: str
    sentence: str

    @property
    def message(self) -> str:
        return f"unsupported {self.kind} not found in the bullets: “{self.span}”"


#: Shorthand a note may write out inside a client's quoted words ("been busy w kids" -> "been busy with
#: kids"): glue words only, never a content word.
_QUOTE_SHORTHAND = {"w": "with", "w/": "with", "wi": "with", "&": "and", "+": "and", "n": "and", "b/c": "because",
                    "bc": "because", "cos": "because", "coz": "because", "cuz": "because", "u": "you", "ur": "your",
                    "thru": "through", "tho": "though", "abt": "about", "yr": "year", "yrs": "years", "wk": "week",
                    "wks": "weeks", "hr": "hour", "hrs": "hours", "min": "minute", "mins": "minutes", "mo": "month",
                    "mos": "months"}


#: A first-person fragment written out as a sentence ("I don't know what to do with my days" for the bullets'
#: "don't know what to do with my days"): a leading subject or filler adds no fact.
_QUOTE_LEAD = re.compile(r"^(?:(?:i|and|but|so|just|well|oh|a|an|the)\s+)+", re.I)  # ("a couple of cans a night" for "couple of ...")


#: A number above twelve written as a word (one to twelve are common words; a number with its unit is checked as a
#: duration).
_BIG_NUMBER_WORD = re.compile(rf"\b(?:{'|'.join(BIG_NUMBER_WORDS)})\b", re.I)


def _quote_key(text: str) -> str:
    """Words of a quotation for comparison: case, punctuation, apostrophes, articles and glue shorthand ignored."""
    # (apostrophes ignored: the bullets' "wouldnt mind", "dont", "im" are the draft's "wouldn't mind", "don't", "I'm";
    # articles, which shorthand drops: the bullets' SI still "in background" is the draft's "in the background")
    return " " + " ".join(_QUOTE_SHORTHAND.get(t, t).replace("'", "") for t in re.findall(r"b/c|w/|[a-z0-9']+|[&+]", _norm(text))
                          if t not in _ARTICLES) + " "


_ARTICLES = frozenset({"a", "an", "the"})


def _norm(text: str) -> str:
    text = text.lower().replace("’", "'").replace("–", "-").replace("—", "-")
    return re.sub(r"\s+", " ", text)


#: An amount in thousands written with "k" ("spent £2k", "owes 1.5k").
_THOUSANDS = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?k\b", re.I)


def _numbers(text: str) -> set[str]:
    found = {re.sub(r"\s+", "", m.group(0)).replace(",", ".") for m in _NUM.finditer(text)}
    found |= set(re.findall(r"(?<![a-z])[x×](\d+)\b|\b(\d+)x\b", text, _I) and
                 [a or b for a, b in re.findall(r"(?<![a-z])[x×](\d+)\b|\b(\d+)x\b", text, _I)])  # "x3", "3x"
    for m in _NUM_WORD.finditer(text):
        found.add(str(_NUMBER_WORDS[m.group(1).lower()]).removesuffix(".0"))
    for m in _THOUSANDS.finditer(text):  # "£2k", "1.5k": thousands
        found.add(str(round(float(m.group(1)) * 1000)))
    parts = set()
    for n in found:
        parts.update(p for p in re.split(r"[/%]", n) if p)
    return found | parts


def _num_word_values(text: str) -> set[str]:
    vals = set()
    for word, value in _NUMBER_WORDS.items():
        if re.search(rf"\b{re.escape(word)}\b", text, _I):
            vals.add(str(value).removesuffix(".0"))
    return vals


_VOCAB: dict[str, tuple[frozenset[str], frozenset[str]]] = {}


#: A title-case name followed by its acronym in brackets: "Mood and Feelings Questionnaire (MFQ)", "Edinburgh
#: Postnatal Depression Scale (EPDS)".
_SPELLED_OUT = re.compile(r"((?:[A-Z][A-Za-z'-]*\s+(?:(?:and|of|for|the|in|on|&)\s+)?)+)\(([A-Z][A-Za-z]{1,7})(?:-?\d+)?\)")
_MINOR = frozenset({"and", "of", "for", "the", "in", "on", "&"})


def _spelled_out(sentence: str, src_words: set[str]) -> list[tuple[int, int]]:
    """Character spans of names spelled out before an acronym the bullets use, whose capitalised words' initials
    end in the acronym's letters: the name is the acronym's, and no person the bullets do not name."""
    out = []
    for m in _SPELLED_OUT.finditer(sentence):
        acronym = m.group(2)
        if acronym.lower() not in src_words:
            continue
        words = [w for w in m.group(1).split() if w.lower() not in _MINOR]
        initials = "".join(w[0] for w in words).lower()
        if len(acronym) >= 2 and initials.endswith(acronym.lower()):
            first = m.start(1) + m.group(1).find(words[-len(acronym)])
            out.append((first, m.end(1)))
    return out


def _in_title_run(sentence: str, start: int, end: int) -> bool:
    """Whether a capitalised word stands next to another in a title-case run ("Interpersonal Psychotherapy")."""
    return bool(re.search(r"\b[A-Z][A-Za-z'-]*\s+$", sentence[:start])) or bool(re.match(r"\s+[A-Z][a-z]", sentence[end:]))


def catalog_vocabulary(cat: Catalog) -> tuple[frozenset[str], frozenset[str]]:
    """(every word in the knowledge base, the words of its entry names, which a note may capitalise
    mid-sentence: "used Role Play"). Built once per catalog version."""
    cached = _VOCAB.get(cat.content_hash)
    if cached is not None:
        return cached
    chunks = [t.model_dump_json(exclude={"references"}) for t in cat.techniques.values()]
    chunks += [p.model_dump_json(exclude={"references"}) for p in cat.phases.values()]
    chunks.append(cat.focal.model_dump_json(exclude={"areas": {"__all__": {"references"}}}))
    names = [t.name for t in cat.techniques.values()] + [p.name for p in cat.phases.values()]
    names += [a.name for a in cat.focal.areas] + [x.name for x in cat.frame.adaptations]
    words = frozenset(re.findall(r"[a-z][a-z'\-]+", " ".join(chunks).lower()))
    capitalised = frozenset(re.findall(r"[a-z]+", " ".join(names).lower()))
    _VOCAB[cat.content_hash] = (words, capitalised)
    return words, capitalised


def split_sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_SPLIT.split(text) if s.strip()]


#: A sentence with content words found neither in the bullets nor in the note vocabulary stands only when
#: it is at least this close in meaning to a bullet clause (tuned on the dev split of evals/factcheck).
GROUNDING_SIM = 0.5
#: With a single ungrounded word, the sentence falls only below this similarity (one new word is more often
#: a paraphrase than an invention).
SINGLE_WORD_SIM = 0.4
#: A sentence about risk with ungrounded words needs to be this close to a bullet clause.
RISK_GROUNDING_SIM = 0.7


_GROUNDINGS: "OrderedDict[tuple[str, tuple[str, ...], str], Any]" = OrderedDict()
_GROUNDINGS_LOCK = threading.Lock()


def grounding(source: str, clauses: list[str], cat: Catalog) -> "Grounding":
    """The bullets' evidence for content grounding (:class:`~.claims.Grounding`), built once per set of bullets: built
    by :func:`prepare_check` before the model is asked, and found here when the reply is checked."""
    from .claims import Grounding, catalog_names

    key = (source, tuple(clauses), str(getattr(cat, "content_hash", id(cat))))
    with _GROUNDINGS_LOCK:
        found = _GROUNDINGS.get(key)
        if found is not None:
            _GROUNDINGS.move_to_end(key)
            return found
    built = Grounding(source, clauses, catalog_names(cat))
    with _GROUNDINGS_LOCK:
        _GROUNDINGS[key] = built
        while len(_GROUNDINGS) > 8:
            _GROUNDINGS.popitem(last=False)
    return built


def grounding_candidates(sentences: list[str], source: str, clauses: list[str],
                         cat: Catalog, ideation: bool = False) -> list[tuple[str, "Support", bool]]:
    """The body sentences whose content grounding fails: content words found neither in the bullets nor in
    the note vocabulary, and too far in meaning from every bullet clause. Each with its support and whether
    it speaks of risk (a sentence about risk must be closer). The claim probe then reads these."""
    from .scales import mask_items, mask_verified

    body = [x for x in sentences if not _is_section_heading(x)]
    # A band the scale's documented score lies in ("PHQ-9 16 ... moderately severe range") is not a new word.
    # Nor is an item's own description beside its documented score ("item 10 (thoughts of self-harm) = 0").
    cleaned = [mask_items(mask_verified(_LIST_MARKER.sub("", x.lstrip("# ")).replace("**", ""), source), source)
               for x in body]
    out = []
    for sentence, support in zip(body, grounding(source, clauses, cat).check(cleaned)):
        if not support.ungrounded:
            continue
        # (read as a sentence about risk with any item description in it: what else it says must be closer)
        risk_topic = _about_risk(sentence, ideation)
        need = RISK_GROUNDING_SIM if risk_topic else (GROUNDING_SIM if len(support.ungrounded) > 1 else SINGLE_WORD_SIM)
        if support.similarity < need:
            out.append((sentence, support, risk_topic))
    return out


#: Words that name a client's state as well as a technique: "she is mourning her old role" claims no grief work,
#: "the couple are now renegotiating" names the stage a dispute is in (renegotiation, impasse, dissolution).
_STATE = re.compile(r"mourn\w*|griev\w*|grief|renegotiat\w*", re.I)
#: A sentence that relates what it says to the formulation ("consistent with the role transition formulation",
#: "at the heart of the grief formulation") refers to a formulation; it does not claim one was made today.
_TO_FORMULATION = re.compile(r"\b(?:consistent\s+with|in\s+keeping\s+with|fits?|fitting|supports?|supporting|"
                             r"central\s+to|(?:at\s+)?the\s+heart\s+of|part\s+of|within)\s+(?:the\s+|this\s+|her\s+|his\s+|"
                             r"their\s+)?(?:[\w-]+\s+){0,3}formulation\b", re.I)


def _claims_technique(sentence: str, cat: Catalog, done: set[str]) -> bool:
    """Whether the sentence names IPT work the bullets do not name (a state word or a reference to the
    formulation is not a claim of work done)."""
    from ..naming import match_techniques

    named = {t for t, words in match_techniques(sentence, cat).items() if not _STATE.fullmatch(words)
             and not (words.lower() == "formulation" and _TO_FORMULATION.search(sentence))}
    return bool(named - done)


def _reads_as_risk(judged: list[tuple[str, "Support"]]) -> list[bool]:
    """Whether the signal probe's risk gate fires on each sentence (its vector is already computed)."""
    import numpy as np

    from ..signals.probe import RISK_ANY, get_probe
    from ..signals.semantic import threshold

    probe = get_probe()
    if probe is None or RISK_ANY not in probe.categories:  # pragma: no cover - the probe ships with the package
        return [False] * len(judged)
    vectors = np.stack([sup.vector if sup.vector is not None else np.zeros(384, np.float32) for _, sup in judged])
    gate = probe.predict(vectors, [s for s, _ in judged])[RISK_ANY]
    return [bool(p >= threshold(RISK_ANY)["fire"]) for p in gate]


def _may_soften(sentence: str, src: str, lines: list[str], named: bool) -> bool:
    """A change word the bullets do not bear out, or a word that softens risk: the sentence may minimise a
    documented risk without naming it, so the probe does not lift it."""
    unsupported = unsupported_strict(sentence, sentence, src, lines)
    return bool(unsupported) or softens_risk(sentence, unsupported, named)


def ungrounded_claims(sentences: list[str], source: str, clauses: list[str], cat: Catalog,
                      risk_documented: bool = True, ideation: bool = False,
                      risk_words: tuple[str, ...] = ()) -> list[tuple[str, "Support"]]:
    """The grounding candidates that stand as unsupported claims: every one about risk that grades, softens,
    recasts or denies it (:func:`risk_liftable`), and the others unless the claim probe reads them as
    interpretation of what the bullets say (:mod:`.interpretation`).
    When the bullets document risk, a sentence with a softening or change word ("things have calmed down",
    "unlikely he will come") may be a minimisation without a risk word in it: the probe does not lift it. Nor
    does it lift a sentence that names a technique the bullets do not."""
    from .interpretation import get_claim_probe

    candidates = grounding_candidates(sentences, source, clauses, cat, ideation)
    probe = get_claim_probe()
    if probe is None:
        return [(s, sup) for s, sup, _ in candidates]
    from ..naming import match_techniques

    done = set(match_techniques(source, cat))
    # Nor a sentence naming IPT work the bullets do not name ("we rehearsed it in role play"): an intervention
    # claimed is a fact, however interpretive the sentence around it.
    topical = {s for s, _, risk in candidates if risk}
    src, lines = _norm(source), [line for line in source.splitlines() if line.strip()]
    judged = [(s, sup) for s, sup, risk in candidates if (not risk or risk_liftable(s, src))
              and not (risk_documented and _may_soften(s, src, lines, s in topical))
              and not _claims_technique(s, cat, done)]
    if risk_documented and risk_words and judged:
        # Nor a sentence the signal layer reads as about risk, in words of its own, that retells a bullet
        # documenting risk ("the message was sent in a moment of frustration" of a documented threat): it may
        # soften the risk without naming it.
        # (A sentence that names the risk was already read for softening words by ``risk_liftable``.)
        retells = [s not in topical and any(w in sup.nearest for w in risk_words) for s, sup in judged]
        judged = [x for x, about, near in zip(judged, _reads_as_risk(judged), retells) if not (about and near)]
    invented = probe.invented([s for s, _ in judged], [sup for _, sup in judged]) if judged else []
    keep = {s for (s, _), inv in zip(judged, invented) if not inv}
    return [(s, sup) for s, sup, _ in candidates if s not in keep]


def _written(word: str, src: str) -> bool:
    """The bullets use ``word``, or its adverb or adjective ("one brief episode" for "once, briefly")."""
    from .claims import adverb_forms

    return any(re.search(rf"\b{re.escape(w)}\b", src) for w in [word] + adverb_forms([word]))


def _scale_score(m: re.Match[str], sentence: str, src: str) -> bool:
    """"score" as a scale's score, right after the name of a scale the bullets name ("the rise in her PHQ-9 score"),
    not a risk graded as one ("risk score", "scored as low risk"). (A score's number is checked with the scale.)"""
    from .scales import scale_names

    return m.group(0).lower() in ("score", "scored") and any(
        0 <= m.start() - b <= 8 and re.fullmatch(r"\s*(?:total\s+)?", sentence[b:m.start()]) for _, b in scale_names(sentence, src))


def prepare_check(clauses: list[str], cat: Catalog, source: str | None = None) -> None:
    """The bullets' side of the fact check, done before the model is asked (it needs only the bullets): the bullet
    clauses embedded (the encoder keeps their vectors for :class:`~.claims.Grounding`), the grounding evidence built
    from the bullets ``source`` when given, the claim probe and the catalog's vocabulary loaded. What is left once the
    reply is in is the draft's side."""
    from ..embeddings import get_encoder
    from ..signals.detect import normalise_text
    from .interpretation import get_claim_probe

    catalog_vocabulary(cat)
    get_claim_probe()
    evidence = [c for c in clauses if c.strip()]
    if evidence:
        get_encoder().encode(evidence)
    if source is not None:
        grounding(normalise_text(source), clauses, cat)


def find_unsupported(draft: str, source: str, cat: Catalog, *, allowed_numbers: set[str] | None = None,
                     allowed_words: set[str] | None = None, clauses: list[str] | None = None,
                     focal: tuple[str | None, str] | None = None, source_signals: Any = None) -> list[Unsupported]:
    """Claims in ``draft`` that ``source`` (the bullets plus any CLI-given facts) does not support.
    Every sentence and heading is checked after Unicode normalisation (NFKC, look-alike letters,
    zero-width characters): typed entities, risk consistency through the signal layer, and, given the
    bullet ``clauses``, content grounding with semantic support (:mod:`.claims`)."""
    from ..signals.detect import normalise_text

    clean = normalise_text(draft)
    problems = _find_unsupported(clean, normalise_text(source), cat, allowed_numbers=allowed_numbers,
                                 allowed_words=allowed_words, clauses=clauses, focal=focal,
                                 source_signals=source_signals)
    if draft == clean:
        return problems
    # Report (and later remove) the sentences as the draft has them.
    originals = {normalise_text(x): x for x in split_sentences(draft)}
    return [Unsupported(p.kind, p.span, originals.get(p.sentence, p.sentence)) for p in problems]


def _find_unsupported(draft: str, source: str, cat: Catalog, *, allowed_numbers: set[str] | None = None,
                      allowed_words: set[str] | None = None, clauses: list[str] | None = None,
                      focal: tuple[str | None, str] | None = None, source_signals: Any = None) -> list[Unsupported]:
    src = _norm(source)
    src_lines = [_norm(line) for line in source.splitlines()]
    src_numbers = _numbers(source) | _num_word_values(source) | (allowed_numbers or set())
    src_words = set(re.findall(r"[a-z][a-z'\-]*", src)) | (allowed_words or set())
    src_words |= {re.sub(r"'s$", "", w) for w in src_words}  # "Alzheimer's" names "Alzheimer"
    src_words |= {w.strip("'-") for w in src_words}  # a word that closes a quotation ("want for Maya' = focus")
    from .changes import invented_change, unsupported_change
    from .commitments import undecided_as_set
    from .claims import region_names, vocabulary
    from .scales import cutoff_numbers, full_names, mask_items, scale_names

    expansions = vocabulary()[1]  # a capitalised word the bullets wrote in shorthand: "Christmas" for "Xmas", "York" for "NYC"
    src_words |= {w for word in list(src_words) for w in expansions.get(word, ())}
    src_words |= set(re.findall(r"[a-z]+", " ".join(full_names(source)).lower()))  # "Edinburgh" for "EPDS"
    src_words |= set(re.findall(r"[a-z]+", " ".join(region_names(source)).lower()))  # "Carolina" for "Raleigh NC"
    words, capitalised = catalog_vocabulary(cat)
    vocab = words | COMMON_WORDS
    from ..signals import analyse, risk_view

    src_risk = risk_view(source_signals if source_signals is not None else analyse(source, reader=False))
    ideation = any(x.category in _IDEATION_KINDS for x in src_risk.present)
    # In a draft, a risk statement is an explicit one, or a meaning the probes are sure of: ordinary
    # note prose ("pt recognized she shuts down when criticized") must not read as a risk claim.
    # Only sentences that speak of risk are read for risk (the others cannot state or deny it).
    sentences = split_sentences(draft)
    # The risk checks read each sentence without the descriptions of scale items whose score the bullets give.
    as_risk = {x: mask_items(x, source) for x in sentences}
    risky = [x for x in sentences if _about_risk(as_risk[x], ideation) or _names_screen(as_risk[x])]
    risky_set = set(risky)
    bullet_lines = [line for line in source.splitlines() if line.strip()]  # what a claim of change may retell
    joiner = " \n"
    about_risk = joiner.join(as_risk[x] for x in risky)
    stated = any(x.source == "lexicon" and x.category in _IDEATION_KINDS for x in src_risk.present)
    draft_signals = [x for x in (analyse(about_risk, reader=False).items if about_risk else [])
                     if x.family == "risk" and (x.source == "lexicon" or x.score >= DRAFT_SEMANTIC_MIN or
                                                stated and x.assertion == "negated" and x.score >= DRAFT_DENIAL_MIN
                                                and not _HEAD_DENIAL.search(x.clause or x.text))]
    # (a meaning-level denial below the sure level counts only as a denial of the risk itself: one of its plan, intent or
    # means, "he reported no plan and denied intent", is judged as such by the risk checks)
    # Each finding belongs to the sentence it was found in (by offset: the same words may recur elsewhere).
    spans_of: dict[str, list[tuple[int, int]]] = {}
    pos = 0
    for x in risky:
        spans_of.setdefault(x, []).append((pos, pos + len(x)))
        pos += len(x) + len(joiner)
    out: list[Unsupported] = []
    quoted_src = _quote_key(src)

    original = ""
    number_names = set(number_words(source)) | {w.lower() for w in _BIG_NUMBER_WORD.findall(source)}  # digits or words

    def add(kind: str, span: str, sentence: str) -> None:
        sentence = original or sentence  # report (and later remove) the sentence as the draft has it
        if not any(u.span == span and u.sentence == sentence for u in out):
            out.append(Unsupported(kind, span.strip(), sentence))

    ungrounded: dict[str, Any] = {}
    if clauses is not None:
        ungrounded = {sentence: support for sentence, support
                      in ungrounded_claims(sentences, source, clauses, cat, bool(src_risk.present), ideation,
                                           tuple(f.text for f in src_risk.present if f.text.strip()))}
    for sentence in sentences:
        if _is_section_heading(sentence):
            continue  # a bare section heading ("## Plan"); any other heading text is checked as a claim
        original = sentence
        sentence = as_risk[sentence]
        risk_topic = _about_risk(sentence, ideation)
        if original in ungrounded:
            add("claim", ", ".join(ungrounded[original].ungrounded[:4]), sentence)
        elif clauses is not None and original in risky_set:
            change = unsupported_change(original, bullet_lines)
            if change:
                add("risk change", change, sentence)
        elif clauses is not None:
            change = invented_change(original, bullet_lines)
            if change:
                add("invented change", change, sentence)
        for word in unsupported_strict(sentence, original, src, bullet_lines)[:1]:
            add("claim", word, sentence)  # a change or outcome claimed in words of its own
        if clauses is not None:
            setting = undecided_as_set(original, bullet_lines)
            if setting:
                add("task status", setting, sentence)  # an idea still being weighed, written as a task set
        if focal is not None:
            _check_focal(sentence, focal, src, add)
        if risk_topic and not src_risk.negated and not _NOT_ASKED.search(sentence):
            # The bullets deny nothing: a sentence about risk with a negation of its own (not the bullets'
            # words, "no intent" copied from them) is an invented denial.
            for m in own_negations(sentence, src)[:1]:
                add("risk statement", m.group(0), sentence)
        if risk_topic and not (src_risk.not_assessed and _UNKNOWN.search(sentence)):
            for m in _RISK_SOFTENER.finditer(sentence):
                if _written(m.group(0).lower(), src) or _framing_of_written(m, sentence, src) \
                        or _softener_written_otherwise(m.group(0), sentence, src, src_lines) \
                        or not grades_risk(m, sentence) or _scale_score(m, sentence, src):
                    continue
                add("risk statement", m.group(0), sentence)
                break
        sentence = sentence.lstrip("# ")
        sentence = _LIST_MARKER.sub("", sentence).replace("**", "")  # "1. ", "- ", bold: layout, not claims
        low = _norm(sentence)
        for m in _QUOTE.finditer(sentence):
            # Editorial brackets and ellipses ("finally feel[s] we live here") split a quote into pieces,
            # each of which must be in the bullets as written.
            pieces = [p.strip(" .,") for p in re.split(r"\[[^\]]*\]|\.\.\.|…", _norm(m.group(1)))]
            if any(p and p not in src and _quote_key(p) not in quoted_src and _quote_key(_QUOTE_LEAD.sub("", p)) not in quoted_src
                   for p in pieces):
                add("quote", m.group(0), sentence)
        for m in _DOSE.finditer(sentence):
            if _norm(m.group(0)).replace(" ", "") not in src.replace(" ", ""):
                add("dose", m.group(0), sentence)
        names = scale_names(sentence, src)  # "PHQ-9" for the bullets' "PHQ": its 9 is the scale's name
        names += cutoff_numbers(sentence, src)  # "above the threshold of 13": the scale's published cut-off
        for m in _NUM.finditer(sentence):
            if any(a <= m.start() < b for a, b in names):
                continue
            if m.group(0) == "00" and re.search(r"\d:$", sentence[:m.start()]):
                continue  # "2:00 p.m." for the bullets' "2pm": the hour is checked, the top of it adds nothing
            raw = re.sub(r"\s+", "", m.group(0)).replace(",", ".")
            pieces = [p for p in re.split(r"[/%]", raw) if p]
            whole_ok = raw in src_numbers or raw in src.replace(" ", "")
            if not whole_ok and re.fullmatch(r"\d{1,3}(?:,\d{3})+", m.group(0)):
                whole_ok = m.group(0).replace(",", "") in src_numbers  # "£2,000" for "£2000" or "£2k"
            if "/" in raw and not whole_ok:
                add("rating", m.group(0), sentence)
            elif not whole_ok and not all(p in src_numbers for p in pieces):
                add("number", m.group(0), sentence)
        for m in _BIG_NUMBER_WORD.finditer(sentence):
            if m.group(0).lower() not in number_names and not _NUM_WORD.match(sentence, m.start()):
                add("number", m.group(0), sentence)  # "an overdose of twenty co-codamol" for "30 x co-codamol"
        for m in _NUM_WORD.finditer(sentence):
            value = str(_NUMBER_WORDS[m.group(1).lower()]).removesuffix(".0")
            tens = re.search(r"\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-$", sentence[:m.start()], re.I)
            if tens:  # "twenty-one-year-old": 21, not one
                value = str(TENS[tens.group(1).lower()] + int(float(value)))
            if value not in src_numbers:
                add("duration", m.group(0), sentence)
        m = _CHANNEL.search(sentence)
        if m and not _CHANNEL_SRC.search(src):
            add("contact", m.group(0), sentence)
        for m in _RELATIVE.finditer(sentence):
            if not re.search(_UNIT_FORMS[m.group(1).lower()], src):
                add("date", m.group(0), sentence)
        for m in _PERIOD.finditer(sentence):
            key = re.sub(r"[-\s]+", " ", m.group(0).lower()).replace("week end", "weekend")
            key = key[:-1] if key.endswith("s") and key[:-1] in _PERIOD_FORMS else key  # "weekends"
            if not re.search(_PERIOD_FORMS.get(key, rf"\b{re.escape(key)}s?\b"), src):
                add("date", m.group(0), sentence)
        for pat, kind in ((_MONTH, "date"), (_WEEKDAY, "date"), (_TEST, "test score"), (_DIAGNOSIS, "diagnosis or code"),
                          (_MEDICATION, "medication")):
            for m in pat.finditer(sentence):
                if _norm(m.group(0)) not in src and not _same_token(m.group(0), src) \
                        and not (kind == "date" and (_date_in(m.group(0), src) or _numeric_date(m, sentence, src))) \
                        and not (kind == "test score" and _same_scale(m.group(0), src)) \
                        and not (kind == "diagnosis or code" and _same_diagnosis(m.group(0), src)):
                    add(kind, m.group(0), sentence)
        for m in _SCORING.finditer(sentence):
            if _norm(m.group(0)) not in src and not _nil_written(m.group(0), src):
                add("risk statement", m.group(0), sentence)
        for m in _RISK_LABEL.finditer(sentence):
            if not src_risk.negated and not _mentions_absence(low):
                add("risk statement", m.group(0), sentence)  # "Risk status: denied" with no denial written
        if _SAFETY_PLAN.search(sentence) and "safety plan" not in src and not re.search(r"\bsp\b", src) \
                and not _mentions_absence(low):
            add("risk statement", _SAFETY_PLAN.search(sentence).group(0), sentence)  # type: ignore[union-attr]
        _check_risk(sentence, src_risk, [x for x in draft_signals if x.text.strip() and x.text.strip() in sentence
                                         and any(a <= x.start < b for a, b in spans_of.get(original, ()))
                                         and not _quoted_from_bullets(x.text, sentence, src, quoted_src)], add, src)
        label_run_end = -1
        spelled = _spelled_out(sentence, src_words)
        for m in _CAPITALISED.finditer(sentence):
            word = m.group(1)
            if any(a <= m.start() < b for a, b in spelled):
                continue  # the bullets' acronym spelled out before it: "Mood and Feelings Questionnaire (MFQ)"
            lw = _EQUIVALENT.get(word.lower(), word.lower())
            lw = re.sub(r"'s$", "", lw)  # a possessive names whoever the bullets name: "Miriam's" for "Miriam"
            before = sentence[: m.start()].rstrip()
            initial = not before or before[-1] in ".:;!?-–—(\"“*>#" or m.start() == label_run_end
            if initial:
                label_run_end = m.end() + 1  # the next capitalised word, if adjacent, continues the label
                if clauses is not None:
                    continue  # a sentence's first word is a word, not a name: grounding checks it
            if lw in src_words or lw + "s" in src_words:
                continue  # (a possessive the bullets wrote without its apostrophe: "Parkinson's" for "Parkinsons")
            known = (lw in vocab or lw.rstrip("s") in vocab) if initial else (lw in capitalised or lw in COMMON_WORDS)
            if known:
                continue
            if (lw in vocab or lw.rstrip("s") in vocab) and _in_title_run(sentence, m.start(), m.end()):
                continue  # a word of a title-case name of a therapy, scale or service ("Interpersonal
                # Psychotherapy", "Mental Health Team"): not a person's name; grounding reads its words
            if _MONTH.fullmatch(re.sub(r"'s$", "", word)) or _WEEKDAY.fullmatch(re.sub(r"'s$", "", word)):
                continue  # reported as dates above
            add("name", word, sentence)
    return out


_SECTION_NAMES = frozenset({"subjective", "objective", "assessment", "plan", "data", "behavior", "behaviour",
                            "intervention", "interventions", "response", "goals", "goal"})


def _is_section_heading(line: str) -> bool:
    text = line.strip()
    if not text.startswith("#") and not text.startswith("**"):
        return False
    name = text.lstrip("#").strip().strip("*: ").lower()
    return name in _SECTION_NAMES or bool(re.fullmatch(r"ipt progress note(?: \((?:soap|dap|birp|girp)\))?", name))


_AREA_WORDS = {"grief": r"grief|bereavement|mourning", "role_dispute": r"(?:role\s+|interpersonal\s+)?dispute",
               "role_transition": r"(?:role\s+)?transition", "interpersonal_deficits": r"deficits?|interpersonal\s+sensitivity"}
_AREA_SHORTHAND = {"grief": "grief", "role_dispute": "rd", "role_transition": "rt", "interpersonal_deficits": "id"}
_AGREED = re.compile(r"\b(?:agreed|agree|confirmed|decided|chosen|chose|selected|opted\s+for|settled\s+on|will\s+be\s+the\s+focus|"
                     r"(?:the\s+)?focus\s+(?:is|was|will\s+be|should|has)|focal\s+area\s+(?:is|was|will\s+be)|"
                     # ... or changed to it ("The focal area has shifted to a role dispute", "focus moved to the dispute",
                     # "the focal area has now been changed to ...")
                     r"(?:focus|focal\s+area)\s+(?:(?:has|had|is|was)\s+)?(?:now\s+)?(?:been\s+)?(?:shifted|moved|changed|switched|turned)\s+"
                     r"(?:to|towards?|onto)|"
                     r"secondary\s+(?:focus|area))\b", re.I)


_PLANNED_AGREEMENT = re.compile(
    r"\b(?:(?:will|would|should|to|can|could)\s+be|yet\s+to\s+be|if|once|until|unless|when|before)\s+(?:\w+\s+)?agreed\b|"
    r"\b(?:to|will|we'll|would|and|then|plan\s+to|aim\s+to|hope\s+to)\s+agree\b|^\W*(?:plan:\s*)?agree\b", re.I)


def _check_focal(sentence: str, focal: tuple[str | None, str], src: str, add: Callable[[str, str, str], None]) -> None:
    """A sentence that presents a focal area as agreed needs the bullets to agree it, on that area."""
    area, status = focal
    # An agreement still to come is not a claim of one: "will be agreed next week", "if agreed", "Agree the
    # focal area next session".
    sentence = _PLANNED_AGREEMENT.sub(" ", sentence)
    if not _AGREED.search(sentence) or re.search(
            r"\b(?:not\s+yet|still\s+to|to\s+be|tentative\w*|possible|possibly|whether|undecided|between|either|"
            r"likely|vs\.?|versus|provisional\w*|unclear|open|proposed|suggested|working|candidate)\b|\?", sentence, re.I):
        return
    named = [a for a, pat in _AREA_WORDS.items() if re.search(rf"\b(?:{pat})\b", sentence, re.I)]
    if not named:
        return
    if status != "agreed":
        add("focal area", "agreed", sentence)
        return
    for a in named:
        if a != area and not re.search(rf"\b(?:{_AREA_WORDS[a]}|{_AREA_SHORTHAND[a]})\b", src, re.I):
            add("focal area", a.replace("_", " "), sentence)
            return


_MONTH_NUMBER = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                               "nov", "dec"), start=1)}


def _numeric_date(m: re.Match[str], sentence: str, src: str) -> bool:
    """"November 14" (or "14 November") for the bullets' date "11/14" or "14/11": the month and the day both."""
    month = _MONTH_NUMBER.get(m.group(0).lower()[:3])
    after = re.match(r"\s+(\d{1,2})(?:st|nd|rd|th)?\b", sentence[m.end():])
    before = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?$", sentence[:m.start()])
    day = (after or before).group(1) if (after or before) else None
    if month is None or day is None:
        return False
    for a, b in ((month, int(day)), (int(day), month)):
        # not a rating or a count of days ("mood 4/10", "acted on 2/7")
        if b in (7, 10) and a <= b:
            continue
        if re.search(rf"(?<![\d/]){a}\s*/\s*{b}(?![\d/])", src):
            return True
    return False


def _date_in(word: str, src: str) -> bool:
    """"Friday" for "Fri", "Wednesday" for "Weds", "January" for "Jan", and what the shorthand table writes out
    ("tomorrow" for "tmrw", "Tuesdays" for "Tu")."""
    from .claims import vocabulary

    w = word.lower()
    expansions = vocabulary()[1]
    if any({w, w.removesuffix("s")} & set(expansions.get(t, ())) for t in re.findall(r"[a-z0-9]+", src)):
        return True
    return any(len(t) >= 3 and t[:3] == w[:3] and (w.startswith(t) or t in (w[:3] + "s", w[:4] + "s"))
               for t in re.findall(r"[a-z]+", src))


def _same_scale(found: str, src: str) -> bool:
    """"PHQ-9" for the bullets' "PHQ 19" or "PHQ": the scale family is the bullets' (its score is checked
    as a number)."""
    family = re.match(r"[A-Za-z]+", found)
    return bool(family) and re.search(rf"\b{re.escape(family.group(0).lower())}\b", src) is not None


def _same_token(found: str, src: str) -> bool:
    key = re.sub(r"[\s\-]", "", found.lower())
    key = _EQUIVALENT.get(key, key)
    return key in re.sub(r"[\s\-]", "", src)


def remove_unsupported(draft: str, problems: list[Unsupported]) -> str:
    """Drop every sentence that carries an unsupported claim (headings are kept)."""
    bad = {p.sentence for p in problems}
    out_lines: list[str] = []
    for line in draft.splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            out_lines.append(line)
            continue
        kept = [s for s in split_sentences(line) if s not in bad]
        if kept:
            out_lines.append(" ".join(kept))
    return "\n".join(out_lines)
