"""Fact check of a drafted note against the clinician's bullets.

Every number, rating, date, time, duration, proper name, medication, dose,
diagnosis or code, test score, quote and risk statement in the draft must be
supported by the input. :func:`find_unsupported` lists what is not, with the
span; :func:`remove_unsupported` drops the sentences that carry it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from typing import TYPE_CHECKING, Callable

from ..catalog import Catalog

if TYPE_CHECKING:  # pragma: no cover
    from ..signals import RiskView

_I = re.IGNORECASE
_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50, "fifty-five": 55, "sixty": 60,
    "ninety": 90, "half": 0.5, "once": 1, "twice": 2,
}
_UNITS = r"(?:minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|wks?|months?|years?|yrs?|sessions?|times?|drinks?|pills?|tablets?|mg|mcg|ml)"
_NUM = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?(?:\s*/\s*\d+(?:[.,]\d+)?)?(?:\s*%)?")
_NUM_WORD = re.compile(rf"\b({'|'.join(sorted(_NUMBER_WORDS, key=len, reverse=True))})[\s-]+{_UNITS}\b", _I)
_MONTH = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|"
                    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b")
_WEEKDAY = re.compile(r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|tomorrow|tonight|"
                      r"last\s+night|this\s+morning)\b", _I)
_TEST = re.compile(r"\b(?:PHQ[-\s]?9|PHQ[-\s]?A|PHQ|GAD[-\s]?7|GAD|BDI(?:[-\s]?II)?|HAM[-\s]?D|HAMD|HRSD|MADRS|EPDS|QIDS|"
                   r"PCL[-\s]?5|C-?SSRS|AUDIT|CES-?D|GDS|MoCA|MMSE|Beck\s+Depression\s+Inventory)\b", _I)
_DIAGNOSIS = re.compile(
    r"\b(?:[FZ]\d{2}(?:\.\d{1,2})?|\d{3}\.\d{1,2}|MDD|GAD|PTSD|OCD|BPD|ADHD|PDD|major\s+depressive\s+disorder|"
    r"persistent\s+depressive\s+disorder|dysthymi\w*|bipolar\s+(?:I{1,2}\b|disorder|depression)|bipolar|"
    r"generali[sz]ed\s+anxiety\s+disorder|adjustment\s+disorder|borderline\s+personality|personality\s+disorder|"
    r"panic\s+disorder|post[-\s]?traumatic\s+stress\s+disorder|schizo\w+|postpartum\s+depression|"
    r"perinatal\s+depression|substance\s+use\s+disorder|alcohol\s+use\s+disorder|eating\s+disorder|anorexia|bulimia|"
    r"ICD-?10|ICD-?11|DSM-?5|DSM-?IV|CPT\s*\d+|diagnos[ie]s\s+of)\b", _I)
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
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])|\n+")

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
_EQUIVALENT = {"medication": "meds", "medications": "meds", "medicine": "meds", "therapist's": "therapist"}


@dataclass(frozen=True)
class Unsupported:
    kind: str
    span: str
    sentence: str

    @property
    def message(self) -> str:
        return f"unsupported {self.kind} not found in the bullets: “{self.span}”"


def _norm(text: str) -> str:
    text = text.lower().replace("’", "'").replace("–", "-").replace("—", "-")
    return re.sub(r"\s+", " ", text)


def _numbers(text: str) -> set[str]:
    found = {re.sub(r"\s+", "", m.group(0)).replace(",", ".") for m in _NUM.finditer(text)}
    for m in _NUM_WORD.finditer(text):
        found.add(str(_NUMBER_WORDS[m.group(1).lower()]).removesuffix(".0"))
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


#: A meaning-level risk finding in a model draft counts as a risk statement at this probability or above.
DRAFT_SEMANTIC_MIN = 0.9


def find_unsupported(draft: str, source: str, cat: Catalog, *, allowed_numbers: set[str] | None = None,
                     allowed_words: set[str] | None = None) -> list[Unsupported]:
    """Claims in ``draft`` that ``source`` (the bullets plus any CLI-given facts) does not support."""
    src = _norm(source)
    src_numbers = _numbers(source) | _num_word_values(source) | (allowed_numbers or set())
    src_words = set(re.findall(r"[a-z][a-z'\-]*", src)) | (allowed_words or set())
    words, capitalised = catalog_vocabulary(cat)
    vocab = words | COMMON_WORDS
    from ..signals import analyse, risk_view

    src_risk = risk_view(analyse(source))
    # In a draft, a risk statement is an explicit one, or a meaning the probes are sure of: ordinary
    # note prose ("pt recognized she shuts down when criticized") must not read as a risk claim.
    draft_signals = [x for x in analyse(draft).items
                     if x.family == "risk" and (x.source == "lexicon" or x.score >= DRAFT_SEMANTIC_MIN)]
    out: list[Unsupported] = []

    original = ""

    def add(kind: str, span: str, sentence: str) -> None:
        sentence = original or sentence  # report (and later remove) the sentence as the draft has it
        if not any(u.span == span and u.sentence == sentence for u in out):
            out.append(Unsupported(kind, span.strip(), sentence))

    for sentence in split_sentences(draft):
        if sentence.lstrip().startswith("#"):
            continue  # a heading
        original = sentence
        sentence = _LIST_MARKER.sub("", sentence).replace("**", "")  # "1. ", "- ", bold: layout, not claims
        low = _norm(sentence)
        for m in _QUOTE.finditer(sentence):
            if _norm(m.group(1)).strip(" .,") not in src:
                add("quote", m.group(0), sentence)
        for m in _DOSE.finditer(sentence):
            if _norm(m.group(0)).replace(" ", "") not in src.replace(" ", ""):
                add("dose", m.group(0), sentence)
        for m in _NUM.finditer(sentence):
            raw = re.sub(r"\s+", "", m.group(0)).replace(",", ".")
            pieces = [p for p in re.split(r"[/%]", raw) if p]
            whole_ok = raw in src_numbers or raw in src.replace(" ", "")
            if "/" in raw and not whole_ok:
                add("rating", m.group(0), sentence)
            elif not whole_ok and not all(p in src_numbers for p in pieces):
                add("number", m.group(0), sentence)
        for m in _NUM_WORD.finditer(sentence):
            value = str(_NUMBER_WORDS[m.group(1).lower()]).removesuffix(".0")
            if value not in src_numbers:
                add("duration", m.group(0), sentence)
        for pat, kind in ((_MONTH, "date"), (_WEEKDAY, "date"), (_TEST, "test score"), (_DIAGNOSIS, "diagnosis or code"),
                          (_MEDICATION, "medication")):
            for m in pat.finditer(sentence):
                if _norm(m.group(0)) not in src and not _same_token(m.group(0), src):
                    add(kind, m.group(0), sentence)
        for m in _SCORING.finditer(sentence):
            if _norm(m.group(0)) not in src:
                add("risk statement", m.group(0), sentence)
        for m in _RISK_LABEL.finditer(sentence):
            if not src_risk.negated and not _mentions_absence(low):
                add("risk statement", m.group(0), sentence)  # "Risk status: denied" with no denial written
        if _SAFETY_PLAN.search(sentence) and "safety plan" not in src and not _mentions_absence(low):
            add("risk statement", _SAFETY_PLAN.search(sentence).group(0), sentence)  # type: ignore[union-attr]
        _check_risk(sentence, src_risk, [x for x in draft_signals if x.text.strip() and x.text.strip() in sentence], add)
        label_run_end = -1
        for m in _CAPITALISED.finditer(sentence):
            word = m.group(1)
            lw = _EQUIVALENT.get(word.lower(), word.lower())
            before = sentence[: m.start()].rstrip()
            initial = not before or before[-1] in ".:;!?-–—(\"“*>#" or m.start() == label_run_end
            if initial:
                label_run_end = m.end() + 1  # the next capitalised word, if adjacent, continues the label
            if lw in src_words:
                continue
            known = (lw in vocab or lw.rstrip("s") in vocab) if initial else (lw in capitalised or lw in COMMON_WORDS)
            if known:
                continue
            if _MONTH.fullmatch(word) or _WEEKDAY.fullmatch(word):
                continue  # reported as dates above
            add("name", word, sentence)
    return out


def _same_token(found: str, src: str) -> bool:
    key = re.sub(r"[\s\-]", "", found.lower())
    key = _EQUIVALENT.get(key, key)
    return key in re.sub(r"[\s\-]", "", src)


def _mentions_absence(low: str) -> bool:
    return bool(re.search(r"\bnot\s+documented\b|\bclinician\s+to\s+complete\b", low))


def _check_risk(sentence: str, src_risk: "RiskView", found: list, add: Callable[[str, str, str], None]) -> None:
    """A risk statement in the draft needs the same kind of statement in the bullets: a denial needs a
    documented denial, a reported risk needs documented risk; and where the bullets document risk, a
    sentence that minimises, resolves or grades it is never supported."""
    low = sentence.lower()
    if "not documented" in low or "clinician to complete" in low:
        return
    from ..signals.check import _UNDOING

    if src_risk.is_risk and _UNDOING.search(sentence):
        add("risk statement", _UNDOING.search(sentence).group(0), sentence)  # type: ignore[union-attr]
    sure = [f for f in src_risk.present if f.source != "semantic" or f.score >= DRAFT_SEMANTIC_MIN]
    src_present = {_group(f.category) for f in sure}
    src_present_kinds = {f.category for f in sure}
    src_negated = {_group(f.category) for f in src_risk.negated}
    for f in found:
        if f.assertion in ("other_person", "hypothetical", "historical") or f.category == "completed_suicide":
            continue
        group = _group(f.category)
        if f.assertion in ("negated", "not_assessed"):
            # A denial needs a documented denial, and must not deny what the bullets document.
            if group not in src_negated or f.category in src_present_kinds:
                add("risk statement", _denial_span(sentence, f.text), sentence)
        elif f.level and group not in src_present | src_negated:
            add("risk statement", f.text, sentence)


def _denial_span(sentence: str, span: str) -> str:
    m = re.search(rf"\b(?:den(?:y|ies|ied)|no|not|negative\s+for)\b[^.;]*?{re.escape(span)}", sentence, _I)
    return m.group(0) if m else span


def _group(category: str) -> str:
    return "suicide" if category in {"suicidal_ideation", "suicide_plan", "self_harm", "warning_signs"} else category


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
