"""Risk in session bullets, clause by clause: the signal layer reads all the clauses in one pass; each
clause's findings are scoped back to it, then adjusted for note shorthand (hedged "?passive SI",
informants "per husband", "not asked" forms, everyday idioms masked); the note's risk status, ideation,
plan, intent, means and safety-plan status follow from the clauses placed under risk."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from ..catalog import Catalog
from ..models import RiskStatus
from ..signals.answers import answer, answer_mark, asks, qa_answer
from .clauses import Clause
from .kinds import measure_only, planned

_I = re.IGNORECASE
#: (Not a denial "for now": "no intention 'just yet'", "no plan yet" leave it open.)
_PLAN_DENIAL = re.compile(r"\b(?:denies|denied|denying|no|nil|without)\s+(?:\w+\s+){0,2}(?:plan|intent|intention)s?\b"
                          r"(?!\s*['‘’\"]?\s*(?:just\s+|as\s+)?yet\b)", _I)
#: A denial of anything beyond what was just said ("no plan otherwise", "nil else", "apart from that denies SI").
_OTHERWISE = re.compile(r"\b(?:otherwise|apart\s+from\s+(?:that|this|the\s+above)|besides\s+(?:that|this)|other\s+than\s+"
                        r"(?:that|this|the\s+above)|nil\s+else|nothing\s+else|no\s+other)\b", _I)
_RISK_WORDS = re.compile(r"\b(?:risk|safety\s+plan|SI|HI|suicid\w*|self[-\s]?harm|C-?SSRS)\b|"
                         # the client's safety as what is assessed ("unable to assess mood or safety today", "safety not
                         # reviewed", "safety check done")
                         r"\b(?:assess\w*|ask\w*|check\w*|screen\w*|review\w*|explor\w*)\s+(?:(?:his|her|their|mood|and|or|"
                         r"current|immediate|personal)\s+){0,3}safety\b|\bsafety\s+(?:not\s+|was\s+not\s+|wasn'?t\s+)?(?:assessed|"
                         r"asked|checked|screened|reviewed|check|screen|questions?|q'?s)\b", _I)
#: Restricting the means of harm is risk management, whatever else the clause says ("agreed to put bat in
#: closet", "pills handed to her sister", "removed the lighter from beside his bed").
_MEANS = r"bat|knives|guns?|firearms?|rifles?|shotguns?|weapons?|pills|meds|medications?|tablets|lighter|blades?|razors?|ammunition|ammo"
_MEANS_RESTRICTED = re.compile(
    r"\b(?:put|putting|lock\w*|remov\w*|hand\w*\s+(?:over|in)|hand(?:s|ed)?|stor\w*|"
    r"dispos\w*\s+of|get\s+rid\s+of|got\s+rid\s+of)(?:\s+(?:away|up|in|over|out))?\s+(?:(?:the|his|her|their|all|any|spare)\s+)?"
    rf"(?:knife|rope|ligatures?|{_MEANS})\b"
    rf"|\b(?:{_MEANS})\s+(?:now\s+)?(?:handed|given|locked|removed|stored|kept)\s+(?:to|away|up|with|in|at|by)\b", _I)
#: A safety plan, or its shorthand "SP" (capitals: "sp" is not a plan) when a status follows ("SP done").
_SAFETY_PLAN = re.compile(r"\b(?:[Ss]afety\s+[Pp]lan|SAFETY\s+PLAN|SP(?=\s*(?::|-|–)?\s*(?:not\s+)?(?:done|reviewed|updated|completed|"
                          r"made|agreed|started|drawn|written|in\s+place|revised|checked|given|copy|declined|refused|pending)))\b[^.;\n]*")

#: A meaning-level risk finding in a bullet is reported as risk at this probability or above; below
#: it, it is a hint that makes the status "possible" (ask directly) unless a screen was documented.
SURE_MEANING = 0.9
#: A method outside IPT read by meaning alone makes a bullet non-IPT work at this probability or above: below
#: it, IPT's own words read as another method ("explored expectations of rejection", "walking daily"). Chosen
#: on the dev, heldout, fresh_read and fresh3_read bullet sets (0.8 and 0.9 alike; only fresh3_read moved).
FRAME_SURE = 0.8
#: Below this probability a meaning-level finding is not even a hint. Tuned on the read bullet sets (dev,
#: heldout and the fresh writers' read halves): 0.5 -> 0.6 stopped quoted figures of speech and logistics
#: ("'I'm absolutely dying here, every letter is another bill'", "nan died Easter, 'it's not that, it's
#: everything'") reading as warning signs, 351 -> 354 of 370 sets, none lost once a stated threat of violence
#: to a person became an explicit form (it had been caught only as a hint).
HINT_MIN = 0.6
RISK_PART = re.compile(r"\b(?:SI|HI|SH|S/H|suicid\w*|self[-\s]?harm\w*|DSH|NSSI|HTS|HTO|cut(?:ting|s)?|overdos\w*|OD|safety\s+plan|"
                        r"plan|intent|means|risk|C-?SSRS|kill\w*|hurt\w*|harm\w*|weapons?|guns?|unsafe|safe|"
                        r"crisis|ligature|stockpil\w*|hopeless\w*|(?-i:RA))\b", re.I)
_HEDGED = re.compile(r"\?\s*(?:passive\s+|active\s+)?(?:SI|HI|suicid\w*|self[-\s]?harm|risk|plan)|"
                     r"\b(?:query|possible|possibly|poss\.?|hinted|unclear\s+if|not\s+sure\s+if|\?\?)\b", re.I)
_INFORMANT = re.compile(r"\b(?:per|according\s+to)\s+(?:her\s+|his\s+|the\s+)?(?:husband|wife|partner|mum|mom|mother|"
                        r"dad|father|parents?|family|school|teacher|GP|sister|brother|daughter|son|carer|friend|"
                        r"boyfriend|girlfriend)\b|\b(?:mum|mom|mother|husband|wife|partner|dad|father|parents?|school|"
                        r"teacher|sister|brother|daughter|son|carer)\s+(?:reports?|reported|says|said|told\s+us|"
                        r"worried|concerned)\b", re.I)


@lru_cache(maxsize=1)
def _idioms() -> re.Pattern[str] | None:
    from .claims import vocabulary_data

    forms = [re.escape(i) for i in vocabulary_data().get("idioms") or []]
    return re.compile(r"\b(?:" + "|".join(forms) + r")\b", re.I) if forms else None


#: Risk documented as not assessed: "SI not asked", "risk ax deferred to s3", "ran out of time".
_NOT_ASSESSED = re.compile(
    r"\b(?:not\s+(?:yet\s+|fully\s+)?(?:asked|assessed|explored|screened|discussed|reviewed|covered|done|checked|"
    r"completed|finished|carried\s+out|possible|got\s+to|reached|re-?visited|re-?asked|re-?assessed|re-?checked|probed|"
    r"touched\s+on|followed\s+up)|incomplete|(?:could|can)(?:n'?t|\s+not)\s+(?:ask|assess|"
    r"screen|complete|finish|get\s+to)|(?:unable|not\s+able)\s+to\s+(?:assess|ask|complete|finish|screen)|"
    r"(?:declined|refused)\s+to\s+(?:answer|respond|complete|discuss|talk|say|go\s+into|engage)|"
    # the client declining the questions, as the clause's last word ("When asked about SI/SH: 'I'm not talking about that
    # today' - declined, not pressed"; not "mood has declined")
    r"(?<!has\s)(?<!have\s)(?<!had\s)(?<!mood\s)(?<!score\s)\b(?:declined|refused)(?=\s*(?:[,;.)]|$))|"
    # the meeting cut off before the risk questions ("Line dropped at 35 min before risk questions")
    r"(?:dropped|cut\s+(?:out|off|short)|disconnected|ended|froze|left|had\s+to\s+go)\b[^.;\n]{0,25}?\bbefore\s+(?:the\s+|any\s+|we\s+(?:got\s+to|did|reached)\s+(?:the\s+)?)?(?:risk|safety|SI|SH|suicid\w*)\b|(?:risk|status|hx|history)\s+(?:is\s+)?(?:unknown|not\s+known)|"
    r"deferred|postponed|didn'?t\s+(?:ask|assess|screen|explore|get\s+to|check|go\s+(?:over|through|into))|"
    r"did\s+not\s+(?:ask|assess|screen|explore|check|go\s+(?:over|through|into))|"
    # a form's risk section not completed ("risk section left blank", "safety qs not filled in")
    r"left\s+(?:blank|empty|unanswered|unfinished)|(?:not|never)\s+filled\s+(?:in|out)|"
    r"ran\s+out\s+of\s+time|no\s+time|left\s+for\s+next|"
    # an assessment of risk set for a later meeting ("risk review next wk when seen alone", "to screen for SI
    # at s4", "will ask re SH next time"): not assessed this session
    r"(?:risk|SI|SH|safety|suicid\w*)\s+(?:review|screen\w*|ax|assessment|check|qs|questions)\s+(?:at\s+|for\s+|in\s+)?"
    r"(?:next|s\d+|session\s+\d+|tomorrow|later|when\b)|"
    r"(?:to|will|plan\s+to|need\s+to)\s+(?:review|screen(?:\s+for)?|assess|ask\s+(?:about|re))\s+(?:risk|SI|SH|safety|"
    r"suicid\w*|self[-\s]?harm)\b[^.;\n]{0,25}?\b(?:next|at\s+s\d+|when\b|tomorrow|later)|"
    r"no\s+risk\s+(?:discussed|asked|assessed|explored)|wasn'?t\s+(?:asked|assessed|explored))\b", re.I)

#: What can be handed over or removed to keep someone safe.
_MEANS = r"(?:pills|tablets|tabs|meds|medications?|weapons?|guns?|firearms?|knife|knives|rope|ligatures?)"
#: The clinician acting on risk: an escalation (a referral to a crisis or domestic-violence service,
#: emergency services, a safeguarding report, a duty to warn), a safety plan drawn up (not merely
#: reviewed), or means removed. Documented, it is the clinician's own judgement that risk is present, so
#: a described risk read by meaning below the sure level is documented risk.
#: (Consulting a supervisor is not: clinicians consult when the risk is unclear.)
ACTED_ON = re.compile(
    r"\b(?:MARAC|IDVA|IDSVA|DV\s+advocate|domestic\s+(?:violence|abuse)\s+(?:advocate|service|helpline)|"
    r"crisis\s+(?:team|service|resolution)|CRHT|home\s+treatment\s+team|mobile\s+crisis|A&E|"
    r"(?:ED|ER)\s+(?:referral|attendance|visit)|emergency\s+(?:services|department|room)|999|911|"
    r"(?:urgent|same[-\s]day|emergency)\s+(?:psych\w*|mental\s+health\s+\w+|risk\s+\w+|assessment|(?:\w+\s+)?referral)|"
    # the clinical team told of it: "care coord to be informed today", "informed the CMHT duty worker"
    r"(?:care\s+co-?ord\w*|CMHT|CPN|key\s*worker|duty\s+(?:worker|team|clinician|psychiatrist|doctor))\s+"
    r"(?:(?:was|were|is|to\s+be|will\s+be|has\s+been|have\s+been)\s+)?(?:informed|contacted|called|notified|alerted|told|made\s+aware)|"
    r"(?:informed|contacted|called|notified|alerted|told)\s+(?:the\s+|his\s+|her\s+|their\s+)?(?:care\s+co-?ord\w*|CMHT|CPN|"
    r"key\s*worker|duty\s+(?:worker|team|clinician|psychiatrist|doctor))|"
    r"safeguarding\s+(?:referral|report|lead|concern\s+raised)|MASH|(?:children'?s|social|adult\s+protective)\s+services|"
    r"CPS|APS|duty\s+to\s+(?:warn|protect)|Tarasoff|escalated\s+(?:to|with)|police\s+(?:informed|contacted|called|notified)|"
    r"(?:informed|contacted|called|notified|rang)\s+(?:the\s+)?police|"
    r"safety\s+plan(?:ning)?\s+(?:done|completed|made|drawn\s+up|written|created|agreed|started)|"
    r"(?:completed|made|wrote|drew\s+up|created)\s+(?:a\s+)?safety\s+plan|"
    r"means\s+(?:restriction|removal|removed|restricted|safety)|lethal\s+means|"
    r"(?:remov\w*|hand(?:ed|ing)?\s+(?:over|in)|bring(?:ing)?\s+(?:them\s+)?in|brought\s+(?:them\s+)?in|"
    r"lock(?:ed|ing)?\s+(?:up|away)|dispos\w*|surrender\w*)\b[^.;\n]{0,40}\b" + _MEANS + "|"
    # given to someone else to keep, not prescribed ("GP gave her new meds" is not means removal)
    r"(?:gave|give|giving|given)\s+(?:\w+\s+){0,3}" + _MEANS + r"\s+(?:to|over\s+to)\s+(?:her|his|their|the|a)?\s*"
    r"(?:wife|husband|partner|mum|mom|mother|dad|father|sister|brother|son|daughter|friend|pharmac\w*|GP|police|family|"
    r"carer|us|me|clinic))\b", _I)


#: A clause documents acting on risk by meaning when its nearest exemplar in ``responses.yaml`` is at least
#: this close and nearer than the nearest look-alike by RESPONSE_MARGIN (chosen on the dev, heldout and
#: fresh_read bullet sets).
RESPONSE_SIM = 0.55
RESPONSE_MARGIN = 0.05


RESPONSES = Path(__file__).with_name("responses.yaml")
#: The responses' vectors, shipped so a first note does not spend the encoder's time on them
#: (``python -m assistant.notes.risk`` rebuilds them after responses.yaml changes).
SHIPPED = Path(__file__).parent / "data" / "responses.npy"

_RELATIONS = (r"husband|wife|partner|mum|mom|mother|dad|father|parents?|sister|brother|daughter|son|carer|friend|"
              r"boyfriend|girlfriend|flatmate|housemate|teacher|gran|grandma|grandmother|aunt|uncle")
#: A third party's words quoted as a speaker's line ("Claire: 'he's been searching ...'", "Wife: 'he hasn't slept'").
_SPEAKER = re.compile(r"^\W*((?:her\s+|his\s+|their\s+|pt'?s\s+)?[A-Za-z]+)\s*(?:\([^)]{0,20}\))?\s*[:\-–]\s*[\"'“‘]")


def collateral(text: str, bullets: str) -> bool:
    """Whether the clause is someone else's report about the client: "mum reports", "husband told us", or a speaker's
    quoted line whose speaker is a relation or a name the bullets give to one ("Joint session w/ wife (Claire)" ...
    "Claire: '...'"). Not a source named with "per" ("started meds last week per GP"): it says who told, not that the
    line reports on the client's risk."""
    m = _INFORMANT.search(text)
    if m and not re.match(r"per\b|according\b", m.group(0), re.I):
        return True
    m = _SPEAKER.match(text)
    if m is None:
        return False
    who = m.group(1).split()[-1]
    if re.fullmatch(_RELATIONS, who, re.I):
        return True
    return who[:1].isupper() and who.lower() not in ("pt", "client", "patient", "cl", "me", "i", "therapist", "clinician") \
        and re.search(rf"\b(?:{_RELATIONS})\s*(?:\(\s*|,\s*|-\s*)?{re.escape(who)}\b", bullets, re.I) is not None


def _read_responses() -> tuple[list[str], int, str]:
    import hashlib

    from ..embeddings import MODEL_SHA256
    from ..yamlfile import load_yaml

    raw = RESPONSES.read_bytes()
    data = load_yaml(raw)
    positive = [str(t) for t in data["positive"]]
    return positive + [str(t) for t in data["negative"]], len(positive), \
        hashlib.sha256(raw + MODEL_SHA256.encode()).hexdigest()[:16]


@lru_cache(maxsize=1)
def _responses() -> tuple[np.ndarray, np.ndarray]:
    """(unit vectors of the responses, of the look-alikes): shipped, else cached in the data dir, else computed."""
    from ..signals.semantic import bank_vectors

    texts, n_pos, digest = _read_responses()
    vectors = bank_vectors(texts, digest, SHIPPED, "responses")
    return vectors[:n_pos], vectors[n_pos:]


def build_shipped() -> Path:
    from ..signals.semantic import ship_vectors

    texts, _, digest = _read_responses()
    return ship_vectors(texts, digest, SHIPPED)


_UNSETTLED = re.compile(r"\b(?:no|not|never|none|without|declined|refused|yet|would|could|might|"
                        r"consider\w*|maybe|whether)\b|n't\b|\?", _I)


def _responding(clauses: list[str]) -> bool:
    """Whether any clause reads, by meaning, as the clinician acting on risk (one encoder batch)."""
    from ..embeddings import get_encoder

    if not clauses:
        return False
    pos, neg = _responses()
    v = get_encoder().encode(clauses)
    best, look_alike = (v @ pos.T).max(axis=1), (v @ neg.T).max(axis=1)
    return bool(((best >= RESPONSE_SIM) & (best - look_alike >= RESPONSE_MARGIN)).any())


def acted_on(clauses: list[str]) -> bool:
    """Whether the bullets document the clinician acting on risk (not negated, not hypothetical): in the
    listed words (ACTED_ON) or, failing those, by meaning ("SP done", "same-day review w psych arranged")."""
    from ..signals.assertion import assert_targets

    for clause in clauses:
        for m in ACTED_ON.finditer(clause):
            scoped = assert_targets(clause, [(m.start(), m.end(), "risk_response")])[0]
            if scoped.assertion not in ("negated", "hypothetical", "not_assessed"):
                return True
    # By meaning, only a clause with no negation or hedge in it: a vector does not read "not yet".
    return _responding([c for c in clauses if not _UNSETTLED.search(c)])


def promote_acted_on(texts: list[str], reads: list["ClauseRisk"], labelled: list[bool]) -> None:
    """When the bullets document acting on risk, a described risk read by meaning below the sure level
    (possible, hint) is documented risk; hedged and second-hand findings, questions left unanswered ("did not answer
    when asked about thoughts of death"), and labelled task, plan or goal lines, are left as they are."""
    todo = [read for text, read, is_labelled in zip(texts, reads, labelled)
            if read.level in ("possible", "hint") and not is_labelled and not _HEDGED.search(text)
            and not _INFORMANT.search(text) and not read.only_asks]
    if todo and acted_on(texts):
        for read in todo:
            read.level = "risk"


@dataclass
class ClauseRisk:
    """The signal layer's reading of one clause."""

    level: str | None = None  # "risk" (sure), "possible", "hint" (meaning below the sure level)
    negated: bool = False
    not_assessed: bool = False
    risk_word: bool = False
    frame: bool = False
    #: The kinds (KIND_GROUP) of the clause's meaning-level hints, and of what it denies ("*": a whole
    #: risk screen, which answers every kind).
    hint_kinds: frozenset[str] = frozenset()
    denied_kinds: frozenset[str] = frozenset()
    #: The kinds of a question asked (or a risk screen named) with no answer in the clause.
    asked_kinds: frozenset[str] = frozenset()
    #: Every explicit risk term in the clause is the topic of a question still waiting for its answer.
    only_asks: bool = False
    #: The clause is someone else's report about the client (:func:`collateral`).
    collateral: bool = False
    #: The kinds of every risk finding the clause states.
    kinds: frozenset[str] = frozenset()
    #: A risk term stated after the clause's "A:" (in Q/A notation): the clause says more than its answer.
    risk_after_answer: bool = False
    #: A question of the clause answered no in the next clause of its bullet ("SH/SI: asked" then "says no").
    answered_no: bool = False


#: Risk kinds that one denial answers together: a denial of suicidal ideation answers a hint of
#: hopelessness, not a described head-banging or a threat to a neighbour.
KIND_GROUP = {"suicidal_ideation": "suicide", "suicide_plan": "suicide", "warning_signs": "suicide",
              "risk_screen": "*"}


def _group(category: str) -> str:
    return KIND_GROUP.get(category, category)


def read_clauses(clauses: list[Clause], catalog: Catalog) -> tuple[list[ClauseRisk], Any]:
    """One pass of the signal layer over every clause, scoped back to each clause. What the clause passes below decide
    (a question answered in the next clause of its bullet: "SH/SI: asked" then "says no") is written back into the
    signals, which the fact check reads as the bullets' risk. (The clauses of a bullet joined into one line for the
    signal layer, by "; " or as the bullet wrote them, read more bullet sets wrong: measured in the thirty-third round.)"""
    from ..signals import analyse, risk_view
    from ..signals.detect import fear_only_sources
    from ..signals.types import Signals

    joined = ""
    offsets: list[tuple[int, int]] = []
    for c in clauses:
        offsets.append((len(joined), len(joined) + len(c.text)))
        joined += c.text + "\n"
    # Everyday phrases that only look like risk ("killing time", "SI joint pain") are read as the signal layer reads
    # its own idioms: a meaning-level finding in their clause is read again without their words, and a term inside one
    # is the idiom's. (Masked with "x" until the thirty-third round: the probes read the run of "x" as something,
    # "Says she is 'xxxxxxxx see her grandson'" as a warning sign.) ("SI/HI/SH" is read screen by screen.)
    signals = analyse(joined, catalog=catalog, reader=False, idioms=_idioms())
    fear = fear_only_sources()
    reads: list[ClauseRisk] = []
    for (a, b), c in zip(offsets, clauses):
        mine = [x for x in signals.items if x.start < b and x.end > a]
        if measure_only(c.text):  # "PHQ-9 15 (was 18)" is a score, not a statement of risk
            mine = [x for x in mine if x.source == "lexicon"]
        view = risk_view(Signals(c.text, mine))
        sure = [x for x in view.present if x.source != "semantic" or x.score >= SURE_MEANING]
        # fear of a partner with no act named is possible risk in a note: ask directly about violence
        levels = {"possible_risk" if x.evidence in fear else x.level for x in sure}
        r = ClauseRisk(risk_word=bool(_RISK_WORDS.search(c.text) or _MEANS_RESTRICTED.search(c.text)),
                  frame=any(x.family == "frame" and x.assertion == "present" and (x.source != "semantic" or x.score >= FRAME_SURE)
                            for x in mine))
        hints = [x for x in view.present if x.score >= HINT_MIN]
        r.level = "risk" if "risk" in levels else ("possible" if levels else ("hint" if hints else None))
        if r.level == "risk" and all(x.source == "semantic" or x.category == "warning_signs" for x in sure) \
                and any(x.category == "warning_signs" for x in view.present) \
                and not any("answered yes" in x.modifiers for x in sure):
            # Read by meaning alone, and read as warning-sign language ("texted old friends to say goodbye
            # properly", "wrote a will, arranged for the cat 'just in case'"): ask directly; it is not risk
            # the clinician documented as stated. (An explicit term, acting on it, or the answer yes to a
            # question asked, still makes it risk.)
            r.level = "possible"
        # A denial or "not assessed" read by meaning alone, below the sure level, does not make a clause a
        # risk line ("CA of the call: pt hinted, never asked directly").
        # (A warning sign negated denies no risk: "'I didn't even say goodbye'" of a wife who died abroad.)
        denials = [x for x in view.negated if (x.source != "semantic" or x.score >= SURE_MEANING)
                   and x.category != "warning_signs"]
        r.negated = bool(denials)
        r.denied_kinds = frozenset(_group(x.category) for x in denials)
        r.hint_kinds = frozenset(_group(x.category) for x in hints)
        r.not_assessed = any(x.source != "semantic" or x.score >= SURE_MEANING for x in view.not_assessed)
        if _PLAN_DENIAL.search(c.text):
            r.negated = r.risk_word = True  # "denies plan or intent", "no plan/intent": part of the risk lines
            r.denied_kinds |= {"suicide"}
        if r.negated and _OTHERWISE.search(c.text):
            r.denied_kinds = frozenset()  # "no plan otherwise": it denies what else there might be, not what was said
        # (Warning-sign behaviour read surely by meaning and left unscoped stays a sign to ask about: in "said
        # 'I've been writing letters to people, just in case' -- didn't explain, I ran out of time" it is the
        # follow-up that was not done, not the sign that was not seen.)
        described = r.level == "possible" and any(x.category == "warning_signs" and x.score >= SURE_MEANING
                                                  for x in view.present)
        if (r.risk_word or any(x.family == "risk" for x in mine)) and _NOT_ASSESSED.search(c.text) \
                and r.level != "risk" and not described:
            r.not_assessed, r.negated, r.level = True, False, None
        r.asked_kinds = frozenset(_group(x.category) for x in mine if asks(x))
        # the clause's stated risk is only what it asks about ("checked in re suicidal thoughts")
        r.only_asks = bool(r.asked_kinds) and all(asks(x) for x in view.present if x.source == "lexicon")
        r.kinds = frozenset(_group(x.category) for x in view.present)
        mark = answer_mark(c.text)
        r.risk_after_answer = mark >= 0 and any(x.source == "lexicon" and x.start - a > mark for x in view.present)
        r.collateral = collateral(c.text, joined)
        if r.level == "risk" and (_HEDGED.search(c.text) or _INFORMANT.search(c.text)):
            r.level = "possible"  # "?passive SI", "per husband ...": ask directly, not documented as present
        reads.append(r)
    _continued_not_assessed(clauses, reads)
    _qualified_next(clauses, reads)
    _answered_next(clauses, reads)
    _assessed_thoughts(clauses, reads)
    answered = [(a, b) for (a, b), r in zip(offsets, reads) if r.answered_no]
    if answered:
        signals = Signals(signals.text, [
            replace(x, assertion="negated", modifiers=x.modifiers + ("answered later:negated",))
            if x.family == "risk" and x.present and any(a <= x.start < b for a, b in answered) else x
            for x in signals.items])
    return reads, signals


_THOUGHTS = re.compile(r"\b(?:thoughts?|thinks?|thinking|wish(?:es|ed)?|ideation|feels?\s+(?:like|that))\b", _I)


def _assessed_thoughts(clauses: list[Clause], reads: list[ClauseRisk]) -> None:
    """Thoughts of death written as warning-sign words, then assessed in the same bullet: "thoughts that baby
    'would be better off without me', no plan, no intent". The clinician asked about plan and intent because
    the thoughts were there: the ideation is documented as present, not a sign to ask about."""
    for i, (c, r) in enumerate(zip(clauses, reads)):
        if r.level != "possible" or "suicide" not in r.kinds or _HEDGED.search(c.text) or _INFORMANT.search(c.text) \
                or not _THOUGHTS.search(c.text):
            continue  # only thoughts are ideation: looking up doses with "no intent stated" stays a sign to ask
        same = [k for k in range(i, len(clauses)) if clauses[k].bullet == c.bullet]
        if any(_PLAN_DENIAL.search(clauses[k].text) for k in same):
            r.level = "risk"


def _qualified_next(clauses: list[Clause], reads: list[ClauseRisk]) -> None:
    """A denial whose next clause, in the same bullet, breaks it off recently or qualifies it ("No SH for 6 months -
    until last night": it happened; "no SI at the moment, it comes and goes": ask directly). The signal layer reads
    such a line so when the qualifier is in the denial's own clause (assertion.py); the notes split it off."""
    from ..signals.assertion import BROKEN_OFF, QUALIFIED_DENIAL

    for i in range(len(clauses) - 1):
        here, nxt = reads[i], clauses[i + 1]
        if not here.negated or here.level == "risk" or nxt.bullet != clauses[i].bullet:
            continue
        head = nxt.text.strip()[:40]
        broken = BROKEN_OFF.match(head) is not None
        if broken or QUALIFIED_DENIAL.search(head):
            here.negated = False
            here.level = "risk" if broken else "possible"
            here.kinds = here.kinds | here.denied_kinds
            here.hint_kinds = here.hint_kinds | here.denied_kinds
            here.denied_kinds = frozenset()


def _answered_next(clauses: list[Clause], reads: list[ClauseRisk]) -> None:
    """A risk question (or screen) whose answer is the next clause of the same bullet ("asked re thoughts
    of harming self or bub - says no, never"; "C-SSRS - he declined to answer"), or a bullet in question
    and answer notation ("Q: any thoughts of not wanting to be here, or of harming yourself? A: 'No.'"):
    the answer decides."""
    by_bullet: dict[int, list[int]] = {}
    for i, c in enumerate(clauses):
        by_bullet.setdefault(c.bullet, []).append(i)
    for idx in by_bullet.values():
        starts, pos = [], 0
        for i in idx:
            starts.append(pos)
            pos += len(clauses[i].text) + 1
        said, at = qa_answer(" ".join(clauses[i].text for i in idx))
        if said != "negated":
            continue
        for i, begin in zip(idx, starts):
            r = reads[i]
            if begin >= at or r.risk_after_answer:
                break  # after the answer: not part of the question ("A: no. Has been cutting again.")
            if r.level is not None or r.kinds or r.hint_kinds:  # a bare no answers every part of the question
                r.level, r.negated = None, True
                r.denied_kinds |= r.kinds | r.hint_kinds
    for i in range(len(clauses) - 1):
        here, after = reads[i], reads[i + 1]
        if not here.asked_kinds or (here.level == "risk" and not here.only_asks) or here.negated or here.not_assessed \
                or clauses[i + 1].bullet != clauses[i].bullet or after.level == "risk":
            continue
        said = answer(clauses[i + 1].text.strip())
        if said == "negated":
            here.level, here.negated, here.answered_no = None, True, True
            here.denied_kinds |= {"*" if "risk_screen" in here.asked_kinds else k for k in here.asked_kinds}
        elif said == "not_assessed" and "risk_screen" in here.asked_kinds:
            here.level, here.not_assessed = None, True  # a screen not answered (a question stays open)
        elif said == "present":
            here.level = "risk"


def _continued_not_assessed(clauses: list[Clause], reads: list[ClauseRisk]) -> None:
    """A clause that says only that something was not assessed ("- not seen since assessment, not
    screened") continues the topic of the clause before it on the same line ("risk unknown")."""
    for i in range(1, len(clauses)):
        here, before = reads[i], reads[i - 1]
        if clauses[i].bullet != clauses[i - 1].bullet or here.risk_word or here.level or here.negated:
            continue
        if _NOT_ASSESSED.search(clauses[i].text) and before.risk_word and before.level != "risk" \
                and not before.negated:
            before.not_assessed, before.level = True, None


#: A clause dated to an earlier meeting ("last wk SI/SH neg", "denied SI at s3", "previous session: no SH").
_EARLIER_SESSION = re.compile(r"\b(?:last|previous|prev|prior)\s+(?:wk|week|session|sess|time|appt|appointment|visit)|"
                              r"\b(?:at|in|on|from)\s+(?:s|sess|sesh|session)\s*\d{1,2}\b|\b(?:previously|earlier\s+in\s+tx)\b|"
                              # ... or to a time the text has just named ("last PHQ-9 (S5) 12, no SI then", "denied SI at
                              # the time")
                              r"\b(?:then|at\s+the\s+time|at\s+that\s+(?:point|time|session|appt|stage))\W*$", re.I)


#: Risk reported at a session given by its number ("last passive SI reported S9", "SI disclosed at session 4").
_SESSION_DATED = re.compile(r"\b(?:reported|disclosed|noted|endorsed|described|mentioned|raised)\s+(?:at\s+|in\s+)?"
                            r"(?:s|sess|sesh|session)\s*#?\d{1,2}\b", re.I)


def risk_status(risk_clauses: list[str], reads: list[ClauseRisk]) -> RiskStatus:
    status = RiskStatus()
    present = [c for c, r in zip(risk_clauses, reads) if r.level == "risk"]
    possible = [c for c, r in zip(risk_clauses, reads) if r.level == "possible"]
    denied = [c for c, r in zip(risk_clauses, reads) if r.level in (None, "hint") and r.negated]
    unassessed = [c for c, r in zip(risk_clauses, reads) if r.level in (None, "hint") and not r.negated and r.not_assessed]
    hinted = [c for c, r in zip(risk_clauses, reads) if r.level == "hint" and not r.negated and not r.not_assessed]
    lines = [c for c in risk_clauses if c not in present + possible + denied + unassessed + hinted]
    # Warning signs found only by meaning prompt the clinician to ask, unless a documented screen
    # already answers them (then the denial stands, in the clinician's words). A denial answers its own
    # kinds only: "denies SI" does not answer "bangs her head on the wall when alone".
    answered = frozenset().union(*(r.denied_kinds for c, r in zip(risk_clauses, reads) if c in denied))
    # Nor does the client's denial answer what someone else reports ("Claire: 'he's been searching how many co-codamol
    # would kill you'" ... "denies SI"): ask directly.
    open_hints = [c for c, r in zip(risk_clauses, reads) if c in hinted and (r.collateral or "*" not in answered
                  and not r.hint_kinds <= answered)]
    possible += open_hints
    hinted = [c for c in hinted if c not in open_hints]
    ordered = present + possible + denied + unassessed + hinted + lines
    status.details = list(dict.fromkeys(ordered))
    if present and all(_SESSION_DATED.search(c) for c in present) and any(not _EARLIER_SESSION.search(c) for c in denied):
        # risk reported at a numbered earlier session, denied today ("denies SI today. last passive SI reported S9"):
        # today's answer is the status, and the earlier risk stays in the details, in the bullets' words. (Not risk of
        # "last wk": that is recent, and stands beside today's denial.)
        present = []
    if present:
        status.status = "present"
    elif possible:
        status.status = "possible"
    elif denied and not (unassessed and all(_EARLIER_SESSION.search(c) for c in denied)):
        status.status = "denied"
        status.denial_text = "; ".join(denied)
    elif unassessed:
        # (a denial dated to an earlier session, "last wk SI/SH neg", does not answer for today)
        status.status = "not_assessed"
    if present:
        # a denial of plan or intent on a warning-sign line counts too ("'better off without me' - no plan")
        joined = " ".join(present + denied + [c for c in possible if _PLAN_DENIAL.search(c)])
        if re.search(r"\bpassive\b|\bwish(?:es|ed)?\s+(?:she|he|they)?\s*(?:were|was|could\s+be)?\s*(?:dead|to\s+die|not\s+wake)|"
                     r"\bbetter\s+off\s+dead\b", joined, re.I):
            status.ideation = "passive"
        if (re.search(r"\b(?<!no\s)active\s+(?:SI|suicidal)|\bthoughts?\s+of\s+killing|\bplan(?:s|ned)?\s+to\b", joined, re.I)
                or _yes_no(joined, "intent") is True) and not re.search(r"\bno\s+active\b", joined, re.I):
            status.ideation = "active"
        status.plan = _yes_no(joined, r"plan")
        status.intent = _yes_no(joined, r"intent")
        status.means = _yes_no(joined, r"(?:means|access\s+to\s+(?:a\s+)?(?:gun|firearm|weapons?|pills|medication))")
    status.safety_plan_reviewed = safety_plan(risk_clauses)
    status.safety_plan_text = safety_plan_words(risk_clauses)
    return status


def safety_plan(clauses: list[str]) -> bool | None:
    """Reviewed unless the part that speaks of the plan denies it, defers it or only plans it. The part
    is the comma part ("passive SI, no plan, safety plan reviewed": the "no" of "no plan" is not about
    the safety plan), scoped by ConText."""
    from ..signals.assertion import assert_targets

    reviewed: list[bool] = []
    for part, m in _safety_plan_parts(clauses):
        name = re.match(r"[Ss]afety\s+[Pp]lan|SAFETY\s+PLAN|SP", part[m.start():])
        end = m.start() + (name.end() if name else len("safety plan"))
        scoped = assert_targets(part, [(m.start(), end, "safety_plan")])[0]
        tail = part[end:]
        refused = re.search(r"\b(?:declined|refused|pending|not\s+(?:done|reviewed|completed|updated)|to\s+do|"
                            r"next\s+(?:session|time|week))\b", tail, re.I)
        reviewed.append(scoped.assertion not in ("negated", "not_assessed", "hypothetical") and not refused
                        and not planned(part))
    return all(reviewed) if reviewed else None


def safety_plan_words(clauses: list[str]) -> str | None:
    """The bullets' own words about the safety plan ("safety plan drafted", "SP done, copy given"): a note states its
    status in them, never as a verb of its own ("reviewed" for a plan that was drafted)."""
    parts: list[str] = []
    for part, _ in _safety_plan_parts(clauses):
        part = part.strip(" -–>*•")
        if part not in parts:
            parts.append(part)
    return "; ".join(parts) or None


def _safety_plan_parts(clauses: list[str]) -> Iterator[tuple[str, re.Match[str]]]:
    """The comma parts of ``clauses`` that speak of the safety plan, with where they name it."""
    for clause in clauses:
        for part in re.split(r"[,;.]\s*", clause):
            m = _SAFETY_PLAN.search(part)
            if m:
                yield part, m


def _yes_no(text: str, noun: str) -> bool | None:
    if re.search(rf"\b(?:no|denies|denied|without|not)\s+(?:\w+\s+){{0,2}}{noun}", text, _I):
        return False
    if re.search(rf"\b{noun}", text, _I):
        return True
    return None




if __name__ == "__main__":  # pragma: no cover - maintenance command
    print(build_shipped())
