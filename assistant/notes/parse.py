"""Free clinician bullets -> :class:`SessionFacts`.

Every value kept is the clinician's own text (or a catalog id matched in it);
nothing is paraphrased into a fact. Bullets that fit no field go to ``other``,
verbatim, so nothing is dropped.
"""

from __future__ import annotations

import re

from ..catalog import Catalog
from ..models import RiskStatus, SessionFacts
from ..naming import match_techniques
from ..phase import parse_session_mention, phase_for
from ..schema import FOCAL_AREAS

_I = re.IGNORECASE
_BULLET = re.compile(r"^\s*(?:[-*•·‣▪–—>]+|\(?\d{1,2}[.)]|\[[ xX]?\])\s*")
PEOPLE = (r"husband|wife|partner|spouse|boyfriend|girlfriend|fianc[ée]e?|ex(?:-husband|-wife)?|mother-in-law|"
          r"father-in-law|in-laws|mother|mom|mum|father|dad|parents?|stepmother|stepfather|son|daughter|"
          r"children|kids?|baby|brother|sister|sibling|grandmother|grandfather|grandma|grandpa|aunt|uncle|"
          r"cousin|friend|best friend|roommate|flatmate|boss|supervisor|manager|colleague|coworker|co-worker|"
          r"teacher|neighbou?r|landlord|pastor|family")
_PERSON = re.compile(rf"\b(?:her|his|their|my|the|client'?s|pt'?s)\s+(?:late\s+|ex-?\s*)?({PEOPLE})\b", _I)
_PERSON_AFTER_WITH = re.compile(rf"\b(?:with|w/|toward|towards|against|and)\s+(?:her\s+|his\s+|their\s+|the\s+)?(?:late\s+)?({PEOPLE})\b", _I)

_FOCUS_STATED = re.compile(
    r"\b(?:focal\s+area|focus|FA|problem\s+area|IPT\s+focus)\s*(?:[:=\-–]|is|was)\s*([a-z][a-z \-/]+)", _I)
_FOCUS_NAMES = {
    "grief": r"\bgrief\b|\bbereavement\b|\bcomplicated\s+bereavement\b",
    "role_dispute": r"\brole[\s-]+disputes?\b|\binterpersonal\s+disputes?\b|\bdispute\b",
    "role_transition": r"\brole[\s-]+transitions?\b|\btransition\b",
    "interpersonal_deficits": r"\binterpersonal\s+(?:deficits?|sensitivity)\b|\bdeficits?\b|\bisolation\s+focus\b",
}
_ACTION = re.compile(r"\b(?:call|phone|ring|text|email|e-mail|message|ask|tell|invite|meet|visit|talk|speak|show|write|"
                     r"reach\s+out|apologi[sz]e|share|join|attend|go\s+to|spend\s+time|say|raise|bring\s+up|"
                     r"practi[cs]e|request|suggest|plan\s+a|arrange\s+a|look\s+through)\w*\b", _I)
_FUTURE = re.compile(r"\b(?:will|plans?\s+to|planning\s+to|agreed\s+to|going\s+to|intends?\s+to|wants?\s+to\s+try|"
                     r"by\s+next\s+(?:session|week)|before\s+next\s+session|this\s+week)\b", _I)
_RATING = re.compile(
    r"\b(?:PHQ[-\s]?9|PHQ[-\s]?A|GAD[-\s]?7|BDI(?:[-\s]?II)?|HAM[-\s]?D|HAMD(?:[-\s]?\d+)?|HRSD|MADRS|EPDS|QIDS|PCL[-\s]?5|"
    r"C-?SSRS|AUDIT|CES-?D|GDS|mood|anxiety|SUDS?|energy|sleep|rating|score|scale)\b[^;,\n]*?\d+(?:\.\d+)?\s*(?:/\s*\d+)?",
    _I,
)
_MOOD = re.compile(r"\b(?:mood|affect|felt|feeling|feels|depress\w*|low|down|sad|hopeless\w*|irritab\w*|anxious|"
                   r"better|worse|improv\w*|euthymic|dysphoric|tearful|flat|brighter)\b", _I)
_SYMPTOM = re.compile(r"\b(?:sleep\w*|insomnia|appetite|energy|fatigue|tired|concentrat\w*|anhedoni\w*|interest|"
                      r"guilt\w*|worthless\w*|crying|tearful|withdrawn|isolat\w+|motivation|libido|panic|worry|worrying|"
                      r"rumina\w+|headaches?|weight)\b", _I)
_TASK = re.compile(r"\b(?:task|homework|hw|assignment|between\s+sessions?|agreed\s+to|will\s+(?:try|call|ask|talk|speak|"
                   r"text|invite|visit|join|tell|write|attend|raise|practi[cs]e|reach\s+out)|plans?\s+to\s+(?:call|ask|talk|"
                   r"speak|text|invite|visit|join|tell|write|attend|raise|reach\s+out)|before\s+next\s+session|"
                   r"this\s+week\s+(?:she|he|they|client|pt)\s+will)\b", _I)
_TASK_REVIEW = re.compile(r"\b(?:last\s+(?:week'?s?|session'?s?)\s+(?:task|homework|hw|assignment)|(?:did|completed|"
                          r"didn'?t\s+(?:do|complete)|did\s+not\s+(?:do|complete)|tried)\s+(?:the\s+|her\s+|his\s+)?"
                          r"(?:task|homework|hw|assignment)|task\s+review|reviewed\s+(?:the\s+)?(?:task|homework|hw)|"
                          r"as\s+planned|as\s+agreed)\b", _I)
_PLAN = re.compile(r"^\s*(?:plan|next(?:\s+session)?|f/u|follow[\s-]?up|p)\s*[:\-–]|\b(?:next\s+session|continue\s+"
                   r"(?:ipt|with|to)|will\s+(?:review|continue|revisit|focus|follow)|refer\w*|coordinate\s+with|"
                   r"schedule\w*|arranged|booked|f/u|follow[\s-]?up|plan\s+to\s+(?:review|continue|revisit|focus))\b", _I)
_GOAL = re.compile(r"^\s*(?:goals?|treatment\s+goals?|objective)\s*[:\-–]|\bgoal\s+(?:is|was|of|for)\b", _I)
_RESPONSE = re.compile(r"\b(?:respon(?:ded|se|sive)|receptive|engaged|open\s+to|resistant|reluctant|able\s+to|unable\s+to|"
                       r"struggled\s+to|identified|recogni[sz]ed|acknowledged|insight|agreed|tolerated|"
                       r"found\s+it|reported\s+feeling|became\s+tearful|tearful\s+when|relieved|hopeful)\b", _I)
_INTERVENTION_VERB = re.compile(r"^\s*(?:explored|discussed|reviewed|practi[cs]ed|used|introduced|provided|taught|"
                                r"processed|validated|assigned|conducted|completed|did|gave|worked\s+on|addressed|"
                                r"psycho-?ed\w*|rehearsed|modell?ed|encouraged|clarified|elicited|mapped|linked|"
                                r"normali[sz]ed|shared|presented|intervention)\b", _I)
_EVENT = re.compile(rf"\b(?:{PEOPLE})\b", _I)
_RISK_WORDS = re.compile(r"\b(?:risk|safety\s+plan|SI|HI|suicid\w*|self[-\s]?harm|C-?SSRS)\b", _I)
_SAFETY_PLAN = re.compile(r"\bsafety\s+plan\b[^.;\n]*", _I)
def split_bullets(text: str) -> list[str]:
    """Lines -> bullets with their markers stripped (blank lines dropped)."""
    out: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        clean = _BULLET.sub("", line, count=1).strip()
        if clean:
            out.append(clean)
    return out


_FOCUS_LABEL = re.compile(
    r"\b(?:focal\s+area|focus|FA|problem\s+area|IPT\s+focus)\b\s*(?:[:=\-–]|is|was)?\s*|"
    r"\b(?:role[\s-]+(?:disputes?|transitions?)|interpersonal\s+(?:deficits?|disputes?|sensitivity)|grief|deficits?|"
    r"isolation|transition|dispute)\b(?:\s+focus)?", _I)


def _stated_focus(bullet: str) -> tuple[str, bool] | None:
    """(area, labelled) when the bullet states the focus; ``labelled`` for "FA: ...", "focus: ...",
    "grief focus" or a bullet that opens with the area's name."""
    m = _FOCUS_STATED.search(bullet)
    for target in ([m.group(1)] if m else []) + [bullet]:
        for area, pat in _FOCUS_NAMES.items():
            hit = re.search(pat, target, _I)
            if not hit:
                continue
            labelled = bool(m and target is not bullet) or bool(
                re.search(r"\b(?:grief|dispute|transition|deficits?|isolation)\s+focus\b", bullet, _I)) \
                or hit.start() == 0
            if labelled or re.search(r"\b(?:role[\s-]+(?:dispute|transition)|interpersonal\s+(?:deficits?|dispute|sensitivity)|grief)\b",
                                     bullet, _I):
                return area, labelled
    return None


def _person(bullets: list[str], area: str | None) -> str | None:
    for b in bullets:
        if area and not (_stated_focus(b) or _is_area_bullet(b, area)):
            continue
        m = _PERSON_AFTER_WITH.search(b) or _PERSON.search(b)
        if m:
            return m.group(1).lower()
    return None


def _is_area_bullet(bullet: str, area: str) -> bool:
    return bool(re.search(_FOCUS_NAMES[area], bullet, _I))


#: The evidence score an inferred focal area needs before a note names it (as inferred).
NOTE_FOCAL_MIN = 0.75
#: A meaning-level risk finding in a bullet is reported as risk at this probability or above; below
#: it, it is a hint that makes the status "possible" (ask directly) unless a screen was documented.
SURE_MEANING = 0.9


def _risk_status(bullets: list[str]) -> RiskStatus:
    status = RiskStatus()
    present: list[str] = []
    denied: list[str] = []
    possible: list[str] = []
    unassessed: list[str] = []
    from ..signals import analyse, risk_view

    hinted: list[str] = []  # risk found only by meaning, below the probes' sure level
    for b in bullets:
        result = risk_view(analyse(b))
        sure = [x for x in result.present if x.source != "semantic" or x.score >= SURE_MEANING]
        levels = {x.level for x in sure}
        if "risk" in levels:
            present.append(b)
        elif levels:
            possible.append(b)
        elif result.negated:
            denied.append(b)
        elif result.not_assessed:
            unassessed.append(b)
        elif result.present:
            hinted.append(b)
        elif _RISK_WORDS.search(b):
            status.details.append(b)  # a risk line that neither reports nor denies: kept verbatim
    if not denied:
        # Warning signs found only by meaning prompt the clinician to ask, unless a documented screen
        # already answers them (then the denial stands, in the clinician's words).
        possible += hinted
    if not present and possible:
        status.status = "possible"
        status.details = possible + [d for d in denied if d not in possible] + status.details
    elif not present and not denied and unassessed:
        status.status = "not_assessed"
        status.details = unassessed + status.details
    if present:
        status.status = "present"
        status.details = present + [d for d in denied if d not in present] + status.details
        joined = " ".join(present + denied)
        if re.search(r"\bpassive\b|\bwish(?:es|ed)?\s+(?:she|he|they)?\s*(?:were|was|could\s+be)?\s*(?:dead|to\s+die|not\s+wake)|"
                     r"\bbetter\s+off\s+dead\b", joined, _I):
            status.ideation = "passive"
        if (re.search(r"\b(?<!no\s)active\s+(?:SI|suicidal)|\bthoughts?\s+of\s+killing|\bplan(?:s|ned)?\s+to\b", joined, _I)
                or _yes_no(joined, "intent") is True) and not re.search(r"\bno\s+active\b", joined, _I):
            status.ideation = "active"
        status.plan = _yes_no(joined, r"plan")
        status.intent = _yes_no(joined, r"intent")
        status.means = _yes_no(joined, r"(?:means|access\s+to\s+(?:a\s+)?(?:gun|firearm|weapons?|pills|medication))")
    elif denied:
        status.status = "denied"
        status.details = denied + status.details
        status.denial_text = "; ".join(denied)
    sp = [b for b in bullets if _SAFETY_PLAN.search(b)]
    if sp:
        from ..signals.assertion import assert_targets

        reviewed = []
        for b in sp:
            # The clause that speaks of the plan ("rope removed by brother; safety plan reviewed"), scoped
            # by ConText: denied, not done, or only planned ("review safety plan next time") is not reviewed.
            clause = next(c for c in re.split(r"[;.]\s*", b) if _SAFETY_PLAN.search(c))
            m = _SAFETY_PLAN.search(clause)
            scoped = assert_targets(clause, [(m.start(), m.start() + len("safety plan"), "safety_plan")])[0]  # type: ignore[union-attr]
            tail = clause[m.end():] if m else ""  # type: ignore[union-attr]
            refused = re.search(r"\b(?:declined|refused|pending|not\s+(?:done|reviewed|completed|updated))\b", tail, _I)
            reviewed.append(scoped.assertion not in ("negated", "not_assessed", "hypothetical") and not refused)
        status.safety_plan_reviewed = all(reviewed)
    return status


def _is_task(bullet: str) -> bool:
    """An interpersonal task: labelled as one, or a future action involving someone else."""
    if re.match(r"^\s*(?:task|homework|hw|assignment|interpersonal\s+task|ipt\s+task)\b", bullet, _I):
        return True
    if _TASK.search(bullet) and not _PLAN.match(bullet) and not re.search(r"\breview\w*\s+(?:the\s+)?(?:task|hw|homework)", bullet, _I):
        return True
    if _ACTION.search(bullet) and (_FUTURE.search(bullet) or _PLAN.match(bullet)):
        return not re.search(r"\b(?:continue|review|revisit|refer\w*|coordinate|schedule\w*|f/u|follow[\s-]?up)\b",
                             _ACTION.split(bullet, 1)[0], _I) or bool(_EVENT.search(bullet))
    return False


def _yes_no(text: str, noun: str) -> bool | None:
    if re.search(rf"\b(?:no|denies|denied|without|not)\s+(?:\w+\s+){{0,2}}{noun}", text, _I):
        return False
    if re.search(rf"\b{noun}", text, _I):
        return True
    return None


def parse_bullets(text: str, catalog: Catalog, *, session: int | None = None, total_sessions: int | None = None,
                  focal_area: str | None = None) -> SessionFacts:
    """Parse the clinician's bullets; explicit arguments win over what the bullets say."""
    bullets = split_bullets(text)
    facts = SessionFacts(bullets=bullets)
    placed: set[int] = set()

    mentions: list[tuple[int, int, int | None, str]] = []  # (rank, bullet, session, total)
    labelled_focus = False
    for i, b in enumerate(bullets):
        s, total, matched = parse_session_mention(b)
        residual = b
        if matched:
            # A bullet that opens with the session ("s. 10/16, ...") beats a passing mention
            # ("...by session 16"); one with a course length beats one without.
            rank = (0 if b.lower().startswith(matched.lower()[:3]) else 2) + (0 if total else 1)
            mentions.append((rank, i, s, total))
            residual = residual.replace(matched, " ")
        stated = _stated_focus(b)
        area = stated[0] if stated else None
        if stated and (facts.focal_area is None or (stated[1] and not labelled_focus)):
            # A labelled statement ("FA: role transition") beats an earlier passing mention of "grief".
            facts.focal_area, facts.focal_area_source = area, "stated"  # type: ignore[assignment]
            labelled_focus = labelled_focus or stated[1]
        if stated:
            residual = _FOCUS_LABEL.sub(" ", residual)
        if (matched or area) and len(re.findall(r"[A-Za-z]{2,}", residual)) < 2:
            placed.add(i)  # the bullet only states the session and/or focus
    if mentions:
        _, _, s, total = min(mentions)
        facts.session = s
        facts.total_sessions = total if total else next((t for _, _, _, t in sorted(mentions) if t), None)
    if session is not None:
        facts.session = session
    if total_sessions is not None:
        facts.total_sessions = total_sessions
    if facts.session == -1:
        facts.session = facts.total_sessions
    if focal_area is not None:
        facts.focal_area, facts.focal_area_source = focal_area, "given"  # type: ignore[assignment]
    if facts.focal_area is None:
        from ..signals import read_text

        inference = read_text(" \n".join(bullets), catalog=catalog).focal
        top = next((e.score for e in inference.evidence if e.area == inference.primary), 0.0)
        # A note records what was documented: an area it was not told is written as inferred only when
        # the bullets make it clear.
        if inference.primary and top >= NOTE_FOCAL_MIN:
            facts.focal_area, facts.focal_area_source = inference.primary, "inferred"  # type: ignore[assignment]
    if facts.session is not None:
        facts.phase = phase_for(facts.session, facts.total_sessions or 16).phase  # type: ignore[assignment]
    facts.focal_person = _person(bullets, facts.focal_area)

    facts.risk = _risk_status(bullets)
    risk_lines = set(facts.risk.details)
    for i, b in enumerate(bullets):
        if b in risk_lines or (_SAFETY_PLAN.search(b) and facts.risk.status in ("present", "possible")):
            placed.add(i)
            continue
        techniques = match_techniques(b, catalog)
        if _TASK_REVIEW.search(b):
            facts.task_review.append(b)
        elif _is_task(b):
            facts.tasks.append(b)
        elif _PLAN.match(b):
            facts.plan.append(b)
        elif techniques or _INTERVENTION_VERB.match(b):
            facts.interventions.append(b)
            for tid, words in techniques.items():
                if tid not in facts.techniques:
                    facts.techniques.append(tid)
                    facts.technique_evidence[tid] = words
            if _RESPONSE.search(b):
                facts.client_response.append(b)
        elif _GOAL.search(b):
            facts.goals.append(b)
        elif _PLAN.search(b):
            facts.plan.append(b)
        elif _RATING.search(b):
            facts.ratings.append(b)
            if re.search(r"\bmood\b", b, _I):
                facts.mood.append(b)
        elif i in placed:
            continue  # a session / focus line already captured
        elif _MOOD.search(b) and re.search(r"\b(?:mood|affect|feel\w*|felt)\b", b, _I):
            facts.mood.append(b)
        elif _RESPONSE.search(b):
            facts.client_response.append(b)
        elif _EVENT.search(b):
            facts.interpersonal_events.append(b)
        elif _SYMPTOM.search(b):
            facts.symptoms.append(b)
        elif _MOOD.search(b):
            facts.mood.append(b)
        else:
            facts.other.append(b)
            continue
        if b not in facts.ratings and _RATING.search(b) and re.search(r"\b(?:PHQ|GAD|BDI|HAM|EPDS|QIDS|MADRS|PCL)", b, _I):
            facts.ratings.append(b)
    if facts.focal_area not in FOCAL_AREAS:
        facts.focal_area = None
    return facts
