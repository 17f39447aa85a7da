"""Free clinician bullets -> :class:`SessionFacts`.

Bullets split into clauses (:mod:`.clauses`); every clause goes to exactly one field, in the
clinician's own words, and ``SessionFacts.clauses`` records where. Risk, out-of-frame work and the
focal area are read by meaning through the signal layer, once for the whole set of bullets, and
scoped per clause; the note's own vocabulary (measures, the session's kind, done vs planned) is in
:mod:`.kinds`. Clauses that fit no field go to ``other``, verbatim, so nothing is dropped.
"""

from __future__ import annotations

import re

from ..catalog import Catalog
from ..models import SessionFacts
from ..naming import match_techniques
from .clauses import split_clauses
from .kinds import _LABEL as _PLAN_LINE
from .kinds import apply_mask, focus_tentative, mask_names, measure_only, measures, planned, session_kind_cue
from .risk import RISK_PART, ClauseRisk, promote_acted_on, read_clauses, risk_status, safety_plan, safety_plan_words
from ..phase import NUMBER_WORDS, parse_session_mention, phase_for
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
    r"\b(?:focal\s+area|focal(?=\s*[:=\-–])|focus|FA|problem\s+area|IPT\s+focus)\s*(?:agreed\s*)?"
    r"(?:(?:remains|had\s+been|has\s+been|is\s+still|still|continues\s+(?:to\s+be|as)|stays)\s+(?:on\s+)?(?:the\s+)?)?"
    r"(?:[:=\-–(]|is|was|\s*(?=(?:role|interpers\w*|grief|dispute|transition|deficits?|isolation|RD|RT|ID)\b))\s*"
    r"([a-z][a-z \-/]+)", _I)
#: The areas by name, and by the capitalised shorthand IPT notes use for them ("RD w/ wife", "RT - retirement").
_FOCUS_NAMES = {
    "grief": r"\bgrief\b|\bbereavement\b|\bcomplicated\s+bereavement\b",
    "role_dispute": r"\brole[\s-]+disp(?:utes?|\.)?(?!\w)|\binterp\w*\.?\s+disputes?\b|\bdispute\b|(?-i:\bRD\b)",
    "role_transition": r"\brole[\s-]+trans(?:itions?|\.)?(?!\w)|\btransition\b|(?-i:\bRT\b)",
    "interpersonal_deficits": r"\b(?:interp\w*|int)\.?\s+(?:def(?:icits?|\.)?(?!\w)|sensitivity\b)|\bdeficits?\b|\bisolation\s+focus\b|"
                              r"(?-i:\bID\b)(?!\s*(?:card|badge|number|check))",
}
_ACTION = re.compile(r"\b(?:call|phone|ring|text|email|e-mail|message|ask|tell|invite|meet|visit|talk|speak|show|write|check\s+in|"
                     r"reach\s+out|apologi[sz]e|share|join|attend|go\s+to|spend\s+time|say|raise|bring\s+up|"
                     r"practi[cs]e|request|suggest|plan\s+a|arrange\s+a|look\s+through)\w*\b", _I)
_FUTURE = re.compile(r"\b(?:will|plans?\s+to|planning\s+to|agreed\s+to|going\s+to|intends?\s+to|wants?\s+to\s+try|"
                     r"by\s+next\s+(?:session|week)|before\s+next\s+session|this\s+week)\b", _I)
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
_PLAN = re.compile(_PLAN_LINE.pattern + r"|\b(?:next\s+session|continue\s+"
                   r"(?:ipt|with|to)|will\s+(?:review|continue|revisit|focus|follow)|refer\w*|coordinate\s+with|"
                   r"schedule\w*|arranged|booked|f/u|follow[\s-]?up|plan\s+to\s+(?:review|continue|revisit|focus))\b", _I)
#: Asking or checking: a risk line that plans it is the plan's ("review risk at start of next session").
_ASK_LATER = re.compile(r"\b(?:ask\w*|check\w*|review\w*|assess\w*|screen\w*|revisit\w*|explore|discuss|do|complete|"
                        r"repeat|follow\s+up)\b", _I)
#: A line that is the clinician's question for later ("to ask directly re thoughts of death next contact").
_ASK_FIRST = re.compile(r"^\W*(?:(?:to|will|plan:?|need\s+to)\s+)?(?:ask|check|assess|screen|explore|enquire|inquire|revisit)\b", _I)
#: An action reported as done: the referral made, the letter sent (not "next appt booked for Tues").
_DONE_ACT = re.compile(r"\b(?:made|sent|done|completed|given|e-?mailed|phoned|rang|faxed|submitted|informed|contacted|"
                       r"in\s+session)\b|\b(?:arranged|booked)\b(?!\s+(?:for|next|on)\b)", _I)
_GOAL = re.compile(r"^\s*(?:goals?|treatment\s+goals?|objective)\s*[:\-–]|\bgoal\s+(?:is|was|of|for)\b", _I)
_RESPONSE = re.compile(r"\b(?:respon(?:ded|se|sive)|receptive|engaged|open\s+to|resistant|reluctant|able\s+to|unable\s+to|"
                       r"struggled\s+to|identified|recogni[sz]ed|acknowledged|insight|agreed|tolerated|"
                       r"found\s+it|reported\s+feeling|became\s+tearful|tearful\s+when|relieved|hopeful)\b", _I)
_INTERVENTION_VERB = re.compile(r"^\s*(?:explored|discussed|reviewed|practi[cs]ed|used|introduced|provided|taught|"
                                r"processed|validated|assigned|conducted|completed|did|gave|worked\s+on|addressed|"
                                r"psycho-?ed\w*|rehearsed|modell?ed|encouraged|clarified|elicited|mapped|linked|"
                                r"normali[sz]ed|shared|presented|intervention)\b|"
                                # a line labelled as the session's work ("Work done: reconstruction of relationship w gran")
                                r"^\s*(?:work\s+done|interventions?|techniques?|session\s+work|in\s+session|done)\s*[:=–>-]", _I)
_EVENT = re.compile(rf"\b(?:{PEOPLE})\b", _I)
def split_bullets(text: str) -> list[str]:
    """Lines -> bullets with their markers stripped (blank lines dropped)."""
    out: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        clean = _BULLET.sub("", line, count=1).strip()
        if clean:
            out.append(clean)
    return out


_FOCUS_LABEL = re.compile(
    r"\b(?:focal\s+area|focal(?=\s*[:=\-–])|focus|FA|problem\s+area|IPT\s+focus)\b\s*(?:[:=\-–]|is|was)?\s*|"
    r"\b(?:role[\s-]+(?:disp|trans)\w*\.?|interp\w*\.?\s+(?:def\w*|disp\w*|sensitivity)\.?|grief|deficits?|"
    r"isolation|transition|dispute|(?-i:RD|RT|ID))(?!\w)(?:\s+focus)?", _I)


_SHORTHAND = ("RD", "RT", "ID")
#: Where the shorthand is the focus: opening the clause or an item of a comma list ("s3, 28 wks pregnant, RT
#: to motherhood"), after a session mention or the client's age and sex, or after a focus label
#: or a hedge ("tentatively RT", "think ID", "FA: RD", "(ID group)").
_SHORTHAND_AT = re.compile(r"(?:^|[,;]\s*|^[A-Z][\w.]{0,12}:\s*|[\s(,;:\-–—]*(?:s|sess|sesh|session|wk|week)?\.?\s*#?\d+\s*(?:/|of)\s*\d+\W*|"
                           r"\b(?:s|sess|sesh|session)\.?\s*#?\d+\W*|"
                           r"\b\d{1,2}\s*(?:yo|y/o|yrs?)?\s*(?-i:[MF])\W*|"  # after the client's age and sex ("pt 30F RT (new mom)")
                           r"\b(?:focus|FA|IPT|tentative(?:ly)?|think|prob(?:ably)?|likely|possible|poss|maybe|query|"
                           r"agreed|area|suggest\w*|propos\w*|floated|lean(?:s|ing)?\s+(?:towards?|to)|favou?r(?:s|ing)?|or|vs\.?)\W*|[(?]\s*)$", _I)


#: Only a session mention before the area: "Sess 10/16 deficits", "s4 - grief".
#: The therapy's name ("IPT", "IPT-A").
_IPT_NAME = r"IPT(?:-[A-Z]{1,2})?"
_SESSION_THEN = re.compile(r"\W*(?:s|sess|sesh|session|wk|week)\.?\s*#?\d+(?:\s*(?:/|of)\s*\d+|\s*\(\s*(?:of\s+)?\d+\s*\))?"
                           rf"(?:\W*{_IPT_NAME})?\W*", _I)


#: The therapy's name before the area, the session split off before it ("Session 3 - IPT, dispute with sister").
_IPT_THEN = re.compile(rf"\W*{_IPT_NAME}\W*", _I)


#: A short clause after a focus statement that leaves it open ("interpersonal deficits - tentatively, to decide
#: after inventory"; "deficits seems to fit, discussed, he wants to think").
_STILL_OPEN = re.compile(r"\b(?:tentative\w*|provisional\w*|to\s+(?:be\s+)?(?:confirm|decide|agree|finali[sz])\w*|"
                         r"(?:wants?|needs?)\s+(?:time\s+)?to\s+think|think\s+(?:about|abt|over|it\s+over)|undecided|"
                         r"not\s+(?:yet\s+)?(?:agreed|decided|confirmed|finali[sz]ed|settled)|TBC|TBD|never\s+(?:fully\s+)?agreed)\b", re.I)
#: A later line that says the focus is still to be agreed ("Plan: agree focus formally", "Next: finish
#: inventory, agree focus").
_FOCUS_PENDING = re.compile(r"\b(?:agree|decide\s+(?:on)?|confirm|finali[sz]e|settle\s+on)\s+(?:the\s+)?"
                            r"(?:focus|focal\s+area|FA|problem\s+area)\b", re.I)


def _tentative_after(clauses: list, i: int) -> bool:
    """Whether the clauses after a focus statement in its bullet, or a later line, leave the focus open."""
    here = clauses[i]
    for c in clauses[i + 1:i + 3]:
        if c.bullet == here.bullet and len(c.text.split()) <= 8 and _STILL_OPEN.search(c.text):
            return True
    return any(c.bullet != here.bullet and _FOCUS_PENDING.search(c.text) and not re.search(r"\bagreed\b", c.text, re.I)
               for c in clauses[i + 1:])


def _stated_focus(bullet: str) -> tuple[str, bool] | None:
    """(area, labelled) when the bullet states the focus; ``labelled`` for "FA: ...", "focus: ...",
    "grief focus" or a bullet that opens with the area's name."""
    m = _FOCUS_STATED.search(bullet)
    for target in ([m.group(1)] if m else []) + [bullet]:
        for area, pat in _FOCUS_NAMES.items():
            hit = re.search(pat, target, _I)
            if not hit:
                continue
            as_focus = re.match(r"\s*(?:as\s+(?:the\s+|a\s+)?)?(?:group|grp|focus|focal\s+area)\b", target[hit.end():], _I)
            if (hit.group(0) in _SHORTHAND and not _SHORTHAND_AT.search(target[:hit.start()]) and not as_focus):
                continue  # "photo ID", "RT" mid-sentence: not the focus
            # Labelled: "FA: ...", "grief focus", "proposed deficits as focus", or the area opening the bullet
            # or right after its session ("Sess 10/16 deficits"); the shorthand is only ever a label.
            labelled = bool(m and target is not bullet) or bool(
                re.search(r"\b(?:grief|dispute|transition|deficits?|isolation)\s+focus\b", bullet, _I)) \
                or hit.start() == 0 or hit.group(0) in _SHORTHAND or bool(as_focus) \
                or bool(_SESSION_THEN.fullmatch(target[:hit.start()])) or bool(_IPT_THEN.fullmatch(target[:hit.start()]))
            if labelled or re.search(r"\b(?:role[\s-]+(?:disp|trans)\w*|interp\w*\.?\s+(?:def\w*|disp\w*|sensitivity)|grief)\b",
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
_FRAME_WORDS = frozenset({"ipt", "session", "sess", "today", "wk", "week", "of"})
#: (A label before the number may end in a number sign or a colon: "Session: 7/16", "Session #: 4 / 16".)
_BARE_SESSION = re.compile(r"^\s*(?P<pre>(?:DNA|DNA'd|did\s+not\s+attend|no[-\s]show|CNA|cancel+ed|canx|missed|phone|tel|video|joint)\s*[-:–]?\s*)?"
                           r"(?:IPT(?:-?[A-Z]{1,3})?\s+)?(?:gro?u?p\s+)?(?:(?:wk|week|sess(?:ion)?|s|#)\s*\.?\s*(?:#\s*|no\.?\s*)?(?:[:=]\s*)?)?"
                           r"(\d{1,2})\s*(?:/|of)\s*(\d{1,2})\b"
                           r"(?!\s*(?:months?|mo|yrs?|years?|pp|post|ago|weeks?|wks?|/))", re.I)
_WEEK = re.compile(r"^\s*(?:(?:IPT\s+)?gro?u?p\s+)?(?:wk|week)\s*\.?\s*#?\s*(\d{1,2})\b(?:\s*(?:of|/)\s*(\d{1,2}))?", re.I)
#: "#6, w/ interpreter", "#3" alone on its line: a session number (not "#1 priority").
_HASH = re.compile(r"^\s*(?i:(?:IPT\s+)?gro?u?p\s+|IPT\s+)?#\s*(\d{1,2})()\s*(?=[,.;:–—-]|$)")
#: "2nd sess.", "3rd appt", "4th session today": the session by its ordinal.
_ORDINAL = re.compile(r"^\s*(\d{1,2})(?:st|nd|rd|th)()\s+(?:sess(?:ion)?|sesh|appt|appointment|meeting|visit|contact)\b", re.I)


#: A session mention in words ("session eleven of sixteen", "8th of 12 sessions"): the note keeps the words.
_IN_WORDS = re.compile(r"\b(?:" + "|".join(NUMBER_WORDS) +
                       r")\b|\d(?:st|nd|rd|th)\s+(?:of|/|out\s+of)\b", re.I)


#: The session in the clinician's slang ("sesh 5", "2nd sesh"): the note gives its number and keeps their words.
_SESH = re.compile(r"\bsesh\b", re.I)


def _session_mention(text: str) -> tuple[int | None, int | None, str | None]:
    m = _BARE_SESSION.match(text)
    bare = (int(m.group(2)), int(m.group(3)), m.group(0)[len(m.group("pre") or ""):].strip()) \
        if m is not None and _a_session(int(m.group(2)), int(m.group(3))) else None
    if bare is not None and m.group("pre"):  # type: ignore[union-attr]
        return bare  # a course count after the session's fate ("DNA 13/16 - 2nd DNA (also missed s11)")
    s, total, matched = parse_session_mention(text)
    if matched:
        return s, total, matched
    if bare is not None:
        return bare
    for pat in (_WEEK, _HASH, _ORDINAL):
        m = pat.match(text)
        if m and _a_session(int(m.group(1)), int(m.group(2)) if m.group(2) else None):
            return int(m.group(1)), int(m.group(2)) if m.group(2) else total, m.group(0).strip()
    return None, total, None


def _a_session(n: int, t: int | None) -> bool:
    # "/10" is a rating ("mood 3/10"), not a course length
    return n >= 1 and (t is None or 4 <= t <= 30 and t != 10 and n <= t + 12)


def _words(text: str) -> int:
    return len(re.findall(r"[A-Za-z]{2,}", text))


def _bare(residual: str) -> bool:
    """Nothing left but framing words once the session mention is taken out."""
    return not re.search(r"\d", residual) and all(w.lower() in _FRAME_WORDS
                                                 for w in re.findall(r"[A-Za-z]{2,}", residual))


_ITEM_SCORE = re.compile(r"\s*(?:item|q|question)\s*#?\s*\d{1,2}\s*(?:[:=\-–]|was|is|scored?|of|at)?\s*\d(?:/\d)?\s*$", _I)


def _part_kind(part: str) -> str:
    """Comma parts of a bullet: a bare session mention, a bare measure, a risk part or text."""
    _, _, matched = _session_mention(part)
    if matched and _bare(part.replace(matched, " ")):
        return "session"
    if measure_only(part) or _ITEM_SCORE.match(part):
        return "measure"  # "EPDS 18, q10 = 2": the item's score stays with its scale
    return "risk" if RISK_PART.search(part) else "text"


def _is_task(bullet: str) -> bool:
    """An interpersonal task: labelled as one, or a future action involving someone else."""
    if re.match(r"^\s*(?:task|homework|hw|assignment|interpersonal\s+task|ipt\s+task)\b", bullet, _I):
        return True
    if _TASK.search(bullet) and not _PLAN.match(bullet) and not re.search(r"\breview\w*\s+(?:the\s+)?(?:task|hw|homework)", bullet, _I) \
            and not re.match(r"\s*(?:explored|discussed|processed|clarified|elicited|linked|mapped)\b", bullet, _I):
        return True  # (not the session's work that names a task: "explored what made it easier: shared task")
    if _ACTION.search(bullet) and (_FUTURE.search(bullet) or _PLAN.match(bullet)):
        return not re.search(r"\b(?:continue|review|revisit|refer\w*|coordinate|schedule\w*|f/u|follow[\s-]?up)\b",
                             _ACTION.split(bullet, 1)[0], _I) or bool(_EVENT.search(bullet))
    return False


_PLAN_LABEL = re.compile(r"^\s*(?:plan|(?:next|nxt)(?:\s+(?:session|sess|time|wk|week|appt|appointment|visit|steps?))?|f/u|"
                         r"follow[\s-]?up)\s*(?:[:\-–—=>]|→)", _I)
#: A time before the next session: a goal line with one is a task for the week ("goal: 1 baby group this wk").
_BEFORE_NEXT = re.compile(r"\b(?:this|the\s+coming)\s+(?:wk|week|weekend)\b|\b(?:by|before)\s+(?:next|the\s+next|nxt)\s+"
                          r"(?:session|sess|wk|week|time|appt|appointment)\b|\b(?:tomorrow|tmrw|tmr|tonight)\b|"
                          r"\bby\s+(?:mon|tues?|wed|thur?s?|fri|sat|sun)(?:day)?\b", _I)
_GOAL_LABEL = re.compile(r"^\s*(?:goals?|treatment\s+goals?|tx\s+goals?|objective|aim)\s*[:\-–=]", _I)
_TASK_LABEL = re.compile(r"^\s*(?:task|homework|hw|assignment|interpersonal\s+task|ipt\s+task|between[\s-]sessions?)\b", _I)
_OBSERVED = re.compile(r"\b(?:appeared|presented\s+(?:as|with)|observed|affect\s+(?:was\s+)?\w+|eye\s+contact|groomed|"
                       r"arrived|on\s+time|\blate\b|speech|oriented|psychomotor|in\s+session|during\s+(?:the\s+)?session|"
                       r"cried|tearful\s+(?:when|at|during|throughout)|well[-\s]kempt|dishevel\w*|restless|fidget\w*|"
                       r"MSE)\b", _I)


#: The last resort, in order: what the clause's words are about.
_BY_WORDS = ((_RESPONSE, "client_response"), (_EVENT, "interpersonal_events"), (_SYMPTOM, "symptoms"), (_MOOD, "mood"))


def _labelled_item(bullet: str) -> bool:
    """A labelled plan, task or goal line ("plan: discuss w/ supervisor today; phone check tmrw") is one
    item: kept whole, in the place its label gives it, unless it reports risk itself."""
    return bool(_PLAN_LABEL.match(bullet) or _TASK_LABEL.match(bullet) or _GOAL_LABEL.match(bullet))


#: A plan stated mid-line ("rebooked thurs; plan to start termination phase then - ending + relapse signs").
_PLAN_TO = re.compile(r"^\s*(?:plan(?:ned|ning)?\s+to|(?:next|nxt)\s+(?:time|session|sess|wk|week)\s*[:\-–—]?\s+(?:will|to)\b)", _I)


def _opens_plan(piece: str) -> bool:
    """A labelled plan, task or goal, or a plan stated mid-line: one item, with what dashes add to it."""
    return _labelled_item(piece) or bool(_PLAN_TO.match(piece))


class _keeps_addition:
    """Whether the session's work keeps what a dash adds to it, as one item ("reviewed relationship w dad - good and not
    so good bits", "empty chair - talking to Liam about the unreturned call"): the piece names a technique or opens
    with the verb of one, and neither it nor the addition is risk, a score, a session, a labelled item or a plan.
    ``kept``: whether it has held for any piece."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.kept = False

    def __call__(self, piece: str, addition: str) -> bool:
        if _part_kind(piece) != "text" or _part_kind(addition) != "text" or _labelled_item(addition) \
                or _opens_plan(addition) or planned(addition):
            return False
        keep = bool(_INTERVENTION_VERB.match(piece)) or bool(_techniques(piece, catalog=self.catalog))
        self.kept = self.kept or keep
        return keep


def _place(c: str, masked: str, rd: ClauseRisk, catalog: Catalog, in_session_work: bool, hints_count: bool) -> str:
    """The one field a clause goes to."""
    labelled_task = bool(_TASK_LABEL.match(masked))
    labelled = _labelled_item(masked)
    level = rd.level if rd.level != "hint" or hints_count else None
    if level != "risk" and not rd.negated and planned(masked) and (level or rd.not_assessed or rd.risk_word) and (
            _ASK_FIRST.match(masked) or level is None and _ASK_LATER.search(masked)):
        return "plan"  # a risk question for later ("ask directly nxt wk", "do C-SSRS nxt time"): the plan
    # A labelled task, plan or goal line stays where it was put unless it reports risk itself.
    if level == "risk" or (not labelled and (level or rd.negated or rd.not_assessed or rd.risk_word)):
        return "risk"
    if _TASK_REVIEW.search(masked):
        return "task_review"
    if _GOAL_LABEL.match(masked):
        return "tasks" if _BEFORE_NEXT.search(masked) else "goals"
    if labelled_task:
        return "tasks"
    is_planned = planned(masked)
    kind = None if is_planned else session_kind_cue(masked, in_session_work=in_session_work)
    if kind == "missed" or kind in ("group", "joint") and not _techniques(c, catalog):
        return "session_notes"  # (the work of a group or joint session is its interventions: "in grp: LR role played
        # telling her dad she's moving in")
    # A method read by meaning in a clause that speaks of risk ("has thought of a method") is the risk,
    # not work outside IPT.
    if kind == "non_ipt" or (rd.frame and not is_planned and rd.level is None
                             and not re.search(r"\b(?:asked|wants?|request\w*|prefer\w*|no|not)\b", masked, _I)):
        return "non_ipt"
    techniques = _techniques(c, catalog)
    if techniques and not is_planned:
        return "interventions"  # "renegotiated who does school runs, husband agreed to Tues/Thurs": done
    if _is_task(masked):
        return "tasks"
    if (techniques or _INTERVENTION_VERB.match(masked)) and is_planned:
        return "interventions_planned"
    if (_PLAN.match(masked) or planned(masked) and _PLAN.search(masked)) and \
            (is_planned or _PLAN_LABEL.match(masked) or not _DONE_ACT.search(masked)):
        return "plan"  # (not a step already taken: "referral sent today" is the session's work, below)
    found = measures(c)
    if found and _words(re.sub("|".join(re.escape(m) for m in found), " ", c)) < 3:
        return "ratings"
    if techniques or _INTERVENTION_VERB.match(masked):
        return "interventions"
    if _GOAL.search(masked):
        return "goals"
    if _PLAN.search(masked):
        # "crisis team referral made in session", "taxi home arranged": an action done, whatever it sets up
        return "interventions" if _DONE_ACT.search(masked) and not is_planned else "plan"
    if _OBSERVED.search(masked):
        return "observations"
    if _MOOD.search(masked) and re.search(r"\b(?:mood|affect|feel\w*|felt)\b", masked, _I):
        return "mood"
    if found:
        return "ratings"
    if is_planned:
        return "plan"  # a step still to come ("to review with supervisor") is the plan, whoever it names
    return next((field for pattern, field in _BY_WORDS if pattern.search(masked)), "other")


def _techniques(clause: str, catalog: Catalog) -> dict[str, str]:
    """Catalog techniques named in a clause; a scale's name ("BDI-II") is not shorthand ("II")."""
    for m in measures(clause):
        clause = clause.replace(m, " ")
    return match_techniques(clause, catalog)


def parse_bullets(text: str, catalog: Catalog, *, session: int | None = None, total_sessions: int | None = None,
                  focal_area: str | None = None) -> SessionFacts:
    """Parse the clinician's bullets; explicit arguments win over what the bullets say, and a
    disagreement is recorded in ``facts.conflicts``."""
    bullets = split_bullets(text)
    facts = SessionFacts(bullets=bullets)
    masks = mask_names(bullets)
    keeps = _keeps_addition(catalog)
    clauses = split_clauses(bullets, _part_kind, _labelled_item, _opens_plan, keeps)
    if keeps.kept:  # the fact check's evidence: the clauses with a dash's addition on its own
        facts._evidence = [c.text for c in split_clauses(bullets, _part_kind, _labelled_item, _opens_plan)]
    reads, signals = read_clauses(clauses, catalog)
    facts._signals = signals

    mentions: list[tuple[int, int, int | None, int | None]] = []  # (rank, clause, session, total)
    labelled_focus = False
    frame_only: set[int] = set()
    for i, c in enumerate(clauses):
        s, total, matched = _session_mention(c.text)
        residual = c.text
        if matched:
            # A clause that opens with the session ("s. 10/16") beats a passing mention ("by session 16");
            # one with a course length beats one without.
            rank = (0 if c.text.lower().startswith(matched.lower()[:3]) else 2) + (0 if total else 1)
            mentions.append((rank, i, s, total))
            residual = residual.replace(matched, " ")
        elif total is not None and len(c.text.split()) <= 4:
            mentions.append((4, i, None, total))  # "12-session course", "16-week IPT"
            frame_only.add(i)
            continue
        stated = _stated_focus(c.text) if reads[i].level != "risk" else None
        extra = _words(_FOCUS_LABEL.sub(" ", residual)) if stated else 0
        # A clause that is mostly the focus statement is the frame line's; one that says more ("grief work:
        # told the story of the accident") goes to its own field and is not repeated as the statement.
        states_only = bool(stated) and (extra < 3 or bool(_FOCUS_STATED.search(c.text)) and extra < 6)
        if stated and (facts.focal_area is None or (stated[1] and not labelled_focus)):
            # A labelled statement ("FA: role transition") beats an earlier passing mention of "grief".
            facts.focal_area, facts.focal_area_source = stated[0], "stated"  # type: ignore[assignment]
            facts.focal_status = "tentative" if focus_tentative(c.text) or _tentative_after(clauses, i) else "agreed"
            labelled_focus = labelled_focus or stated[1]
            # the clinician's own words for it, unless they are only the area's name ("grief focus" is kept)
            own_words = re.sub(r"[^a-z ]", "", c.text.lower()).strip() != stated[0].replace("_", " ")
            facts.focal_statement = c.text if states_only and (extra >= 1 or facts.focal_status == "tentative"
                                                               or own_words) else None
        elif states_only and stated[0] == facts.focal_area and facts.focal_statement is None:
            facts.focal_statement = c.text  # a second statement of the same focus ("agreed focus: RT" after "RT,
            # empty nest ..." went to its own field): the frame line keeps its words, or they would be lost
        if states_only:
            frame_only.add(i)  # the clause states the focus (kept whole as the focal statement)
        elif matched and _bare(residual) and not _IN_WORDS.search(matched) and not _SESH.search(matched):
            frame_only.add(i)  # the clause only states the session (one in words, or as "sesh", is kept as written too)
    if mentions:
        _, _, s, total = min(mentions, key=lambda m: (m[2] is None, m[0], m[1]))
        facts.session = s
        facts.total_sessions = total if total else next((t for _, _, _, t in sorted(mentions) if t), None)
    # Values given to the note (/session, /focus in chat; --session, --focus) win, but where they
    # disagree with what the bullets say the note flags it rather than silently overriding them.
    if session is not None and facts.session not in (None, -1, session):
        facts.conflicts.append(f"session {session} was given but the bullets say session {facts.session}")
    if total_sessions is not None and facts.total_sessions not in (None, total_sessions):
        facts.conflicts.append(f"a course of {total_sessions} sessions was given but the bullets say "
                               f"{facts.total_sessions}")
    if focal_area is not None and facts.focal_area not in (None, focal_area):
        facts.conflicts.append(f"focal area {focal_area.replace('_', ' ')} was given but the bullets state "
                               f"{facts.focal_area.replace('_', ' ')}")
    if session is not None:
        facts.session = session
    if total_sessions is not None:
        facts.total_sessions = total_sessions
    if facts.session == -1:
        facts.session = facts.total_sessions
    if focal_area is not None:
        facts.focal_area, facts.focal_area_source, facts.focal_status = focal_area, "given", "agreed"  # type: ignore[assignment]
    if facts.focal_area is None:
        from ..signals.screens import focal_inference, named_focus

        inference = focal_inference(signals, named_focus(" \n".join(bullets)))
        top = next((e.score for e in inference.evidence if e.area == inference.primary), 0.0)
        # A note records what was documented: an area it was not told is written as inferred only when
        # the bullets make it clear.
        if inference.primary and top >= NOTE_FOCAL_MIN:
            facts.focal_area, facts.focal_area_source = inference.primary, "inferred"  # type: ignore[assignment]

    masked = [apply_mask(c.text, masks) for c in clauses]
    in_session_work = any(_techniques(c.text, catalog) and not planned(m) for c, m in zip(clauses, masked))
    # A described risk the clinician documents acting on (an escalation, a safety plan drawn up, means
    # removed) is documented risk.
    promote_acted_on([c.text for c in clauses], reads, [_labelled_item(c.text) for c in clauses])
    # Risk found only by meaning, below the sure level, counts (as possible risk: ask) unless the
    # bullets document a screen that answers it.
    # A denial answers hints of its own kinds only ("denies SI" does not answer a threat to a neighbour);
    # a risk check documented as not done leaves every hint where it was (not assessed).
    screened = [r for r in reads if (r.negated or r.not_assessed) and r.level in (None, "hint")]
    answered = frozenset().union(*(r.denied_kinds for r in screened))
    if any(r.not_assessed and not r.negated for r in screened):
        answered |= {"*"}
    risk_idx: list[int] = []
    status_only: list[int] = []
    for i, c in enumerate(clauses):
        if i in frame_only:
            facts.clauses.append((c.text, "frame"))
            continue
        hints_count = not screened or reads[i].collateral or ("*" not in answered and not reads[i].hint_kinds <= answered)
        where = _place(c.text, masked[i], reads[i], catalog, in_session_work, hints_count)
        facts.clauses.append((c.text, where))
        if where == "risk":
            risk_idx.append(i)
            continue
        if where == "plan" and (reads[i].not_assessed or reads[i].risk_word):
            status_only.append(i)  # a risk question planned for later still says risk was not assessed
        getattr(facts, where).append(c.text)
        if where == "interventions":
            for tid, words in _techniques(c.text, catalog).items():
                if tid not in facts.techniques:
                    facts.techniques.append(tid)
                    facts.technique_evidence[tid] = words
        if where in ("session_notes", "non_ipt"):
            facts.session_kind_evidence.append(c.text)
    facts.risk = risk_status([clauses[i].text for i in risk_idx], [reads[i] for i in risk_idx])
    if facts.risk.safety_plan_reviewed is None:
        # A safety plan written on a line of its own ("SP done, copy given") is still its status.
        facts.risk.safety_plan_reviewed = safety_plan([c.text for c in clauses])
        facts.risk.safety_plan_text = safety_plan_words([c.text for c in clauses])
    if status_only and facts.risk.status == "not_documented":
        # The only risk lines are questions planned for later: what they say of today (not assessed).
        facts.risk.status = risk_status([clauses[i].text for i in status_only], [reads[i] for i in status_only]).status
    for c in clauses:
        facts.measures += [m for m in measures(c.text) if m not in facts.measures]
    kinds = [session_kind_cue(m, in_session_work=in_session_work) for m in masked]
    for kind in ("missed", "non_ipt", "group", "joint"):
        if kind in kinds or (kind == "non_ipt" and facts.non_ipt):
            facts.session_kind = kind  # type: ignore[assignment]
            break
    if facts.session_kind == "missed":
        facts.phase = None
    elif facts.session is not None:
        facts.phase = phase_for(facts.session, facts.total_sessions or 16).phase  # type: ignore[assignment]
    facts.focal_person = _person(bullets, facts.focal_area)
    if facts.focal_area not in FOCAL_AREAS:
        facts.focal_area = None
    return facts


