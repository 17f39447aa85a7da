"""The answer to a risk question given after the question, past the clause that asks it.

Clinicians write a question and its answer as two parts of one line: "asked re thoughts of harming
self or bub - says no, never", "SI/HI screen w/ client alone at end: negative for both", "C-SSRS - he
declined to answer, said 'not today'". The clause splitter puts the answer in a clause of its own, so
ConText, which scopes within a clause, sees a question with no answer (or a screen named with no
result). This pass reads the answer where it stands: the next part of the same line, after the first
":", "-", "," or ";" that follows the finding.

It applies to a finding still asserted present that is either a question asked with no answer in its
own clause (an ``asked:`` modifier) or a screen named, or a risk term followed by screen words ("SI/HI
screen ... : negative"). The answer decides:

* no ("says no, never", "clear no", "negative for both", "denies both", "a firm denial", "shook her head"):
  negated;
* no answer given to a screen ("C-SSRS - declined to answer", "not today", "changed the subject"): not
  assessed, so the note asks for it to be asked. A question about a risk that the client would not answer
  ("when asked re SI: 'I'd rather not say'") stays an open question: possible risk, ask directly;
* yes ("yes, most days", "endorsed", "nodded"): stated risk, not a question to follow up.

Anything else leaves the finding as it was.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .types import Signal

_I = re.IGNORECASE

#: Who answers, and how the answer is reported, before the answer itself.
_SPEAKER = (r"(?:(?:pt|client|cl|patient|she|he|they|both)\s+)?"
            r"(?:(?:says|said|answered|answers|replied|replies|responded|responds|was|is|stated|states|gave)\s+)?"
            r"(?:(?:a|an)\s+)?[\"“'‘]?\s*")
#: How sure the answer was ("a clear no", "firmly denies"): words of strength, not of content.
_STRENGTH = (r"(?:(?:\w+ly|very|clear|firm|flat|definite|emphatic|categorical|straight|quick|strong|immediate|"
             r"(?:(?:good|dear|oh|my|oh\s+my)\s+)?(?:god|lord|heavens?|gosh|goodness|grief|christ|jesus|gracious|crikey|"
             r"blimey)|oh|hell)[,!]?\s+)?")

#: A bare no: the answer word with nothing of its own after it ("no, never", "negative for both", "denies both
#: when asked"), not a denial of something else ("no plan", "no change since last week").
#: The answer given to every item at once ("all no", "all answered negative", "both items no").
_ALL = r"(?:(?:all|both|every|each)\s+(?:(?:items?|questions?|qs|q's|answers?|responses?|of\s+them)\s+)?(?:(?:answered|marked|ticked|scored|were|rated)\s+)?)?"
_NO = re.compile(r"^" + _SPEAKER + _ALL + _STRENGTH +
                 r"(?:no|nope|nah|never|none|nil|negative|neg|-ve|denies|denied|denying|deny|denial|not\s+at\s+all|"
                 r"nothing\s+like\s+that|nowhere\s+near(?:\s+that)?|(?:shook|shakes|shaking)\s+(?:her|his|their)\s+head|"
                 r"(?:absolutely|certainly|definitely|of\s+course|god|hell)\s+not|not\s+a\s+chance|no\s+chance|"
                 r"never\s+(?:crossed|entered)\s+(?:my|her|his|their)\s+mind)"
                 r"(?=\s*(?:$|[.,;:!?'\"”’)\-–—])|\s+(?:both|all|either|any|at\s+all|never|when\s+asked|on\s+asking|"
                 r"today|currently|now|thanks|way|chance|straight\s+away|firmly|clearly|emphatically|immediately|quickly|"
                 r"definitely|absolutely|honestly|really|certainly|simply|to\s+(?:both|all|either|each|any)|on\s+(?:all|both|every|each|any)|"
                 r"for\s+(?:both|all|each|either|any))\b|\s+(?:it|them|this|that|current|at\s+present|presently)(?=\s*(?:$|[.,;:!?'\"”’)\-–—]))|"
                 # ... or restated in a parenthesis of its own ("negative (all no)", "neg (0/6)")
                 r"\s*\((?:(?:all|both|each)\s+)?(?:no|nos|n|neg|negative|nil|none|0|0\s*/\s*\d+|zeros?|denied)\))", _I)
_DECLINED = re.compile(
    r"^" + _SPEAKER + r"(?:(?:declined|refused|would\s*n[o']?t|did\s*n[o']?t\s+want|didn't\s+want|not\s+willing|unwilling|"
    r"reluctant)\s+(?:to\s+)?(?:answer|respond|say|discuss|talk|go\s+into|engage|complete|do)|not\s+today|"
    r"changed\s+(?:the\s+)?subject|deflected|avoided\s+(?:the\s+)?question|(?:no|not\s+an?)\s+answer)\b", _I)
_YES = re.compile(r"^" + _SPEAKER + _STRENGTH +
                  r"(?:yes|yeah|yep|yup|endorsed|endorses|admitted|admits|confirmed|confirms|positive|pos|\+ve|"
                  r"nodded|nods|disclosed|discloses)\b", _I)

#: A denial standing alone after a topic and a colon or dash ("SH thoughts: denies", "...: negative for both").
_BARE_DENIAL = re.compile(r"^(?:(?:pt|client|cl|she|he|they)\s+)?(?:denies|denied|negative|neg|nil|none|never)"
                          r"(?:\s+(?:both|all|either|any|for\s+(?:both|all|either|any)|when\s+asked|on\s+asking|today|"
                          r"currently|now|at\s+present))*\s*(?:[.;,]|$)", _I)
#: Where the answer starts: the first break after the finding. (A hyphen inside a word is no break: "suicidal thoughts
#: and self-harm today - a clear no to both".)
_BREAK = re.compile(r"\s*(?::|\s[-–—]+\s|-+>|[–—]{1,2}>?|(?<![A-Za-z])-{1,2}|-{1,2}(?![A-Za-z])|;|,|\.\s)\s*")
#: The clinician's asking, in the words notes use for it ("asked", "queried", "q'd", "screened").
_ASKED = r"asked|enquired|inquired|queried|questioned|q'd|screened|checked"
#: Words that make what stands between a risk term and the break a screen or a question ("SI/HI screen w/
#: client alone at end:"), so what follows the break is its result.
_SCREEN_WORDS = re.compile(r"\b(?:screen\w*|" + _ASKED + r"|questions?|q'?s|ax|assess\w*|review\w*|explored)\b", _I)
#: Declining to answer may stand anywhere in the rest of the line ("she said 'don't start' and changed
#: the subject").
_DECLINED_ANYWHERE = re.compile(r"\b(?:changed\s+(?:the\s+)?subject|declined\s+to\s+(?:answer|respond|discuss)|"
                                r"refused\s+to\s+(?:answer|respond|discuss)|would\s*n[o']?t\s+answer|"
                                r"did\s*n[o']?t\s+(?:want\s+to\s+)?answer)\b", _I)
#: A screen named for risk itself (not a mood scale: "PHQ-9 15 - no change" is not a risk answer).
_RISK_SCREEN = re.compile(r"ssrs|columbia|\basq\b|risk|safety|suicid|\bSI\b|self[-\s]?harm|\bscreen", _I)


#: The negative answer to a question about safety from others, in the words it is usually given ("Screened for
#: IPV - says she feels safe at home", "asked re DV: she feels completely safe with him"): for those kinds only (a
#: client who "feels safe" has not answered a question about suicidal thoughts). Not "safe to talk", not "doesn't
#: feel safe".
SAFETY_KINDS = frozenset({"ipv", "harm_to_others", "safeguarding"})
_SAFE = re.compile(r"^(?:(?:pt|client|cl|patient|she|he|they)\s+)?(?:(?:says|said|reports|reported|states|stated|"
                   r"confirms|confirmed)\s+)?(?:(?:she|he|they)\s+)?(?:feels?|felt|feeling|is|was|has\s+felt)\s+"
                   r"(?:(?:completely|totally|very|quite|fully|entirely)\s+)?safe\b"
                   r"(?!\s+(?:enough\s+)?(?:to|for\s+now|most|some|sometimes|when|unless|except)\b)", _I)
#: ... and nothing set against it after ("she feels safe, though he threw a plate last week").
_SET_AGAINST = re.compile(r"\b(?:but|though|although|however|yet|except|apart\s+from|despite|whereas)\b", _I)


#: What a label's topic was left at ("SI ?? — didn't get to it", "SH: not asked, mum in the room", "current: unknown").
_NOT_ASKED_ANSWER = re.compile(
    r"(?:\?+\s*(?:[-–—:;,]\s*)?)?(?:(?:i|we)\s+)?(?:(?:did\s*n[o']?t|didn't|never|not|couldn't|could\s*n[o']?t)\s+(?:get\s+(?:to|round\s+to|around\s+to)\s+it|"
    r"(?:yet\s+)?(?:ask|assess|screen|cover|explor|discuss|check)\w*)|ran\s+out\s+of\s+time|no\s+time|unknown|not\s+known|"
    r"unclear|tbc|to\s+(?:be\s+)?(?:ask|assess|screen)\w*|"
    # the session ended first ("SH: ? — pt left before we covered it", "SI - client had to leave early")
    r"(?:pt|client|cl|she|he|they)\s+(?:left|had\s+to\s+(?:leave|go)|walked\s+out)\s+(?:early|before)|"
    r"(?:session\s+)?(?:ended|finished)\s+before)\b"
    r"(?!\s+(?:about|re|regarding|for|if|whether|into|on)\b)", _I)  # (not a follow-up on something else: "not asked about plan")


#: A question as a label's first word, with a break after it: "asked, ", "screened directly - ", "checked again; ".
_ASKED_LABEL = re.compile(r"(?:" + _ASKED + r"|assessed|explored|reviewed)"
                          r"(?:\s+(?:directly|today|again|alone|specifically|explicitly|about\s+(?:it|this|them)|re\s+(?:it|this)))*"
                          r"(?:\s*(?:[,;:.]|\s[-–—]+)\s*|\s*$)", _I)


def answer(rest: str, kind: str | None = None) -> str | None:
    """The answer a text opens with: "negated", "not_assessed", "present", or None. ``kind``: the risk the
    question was about (a safety answer in words answers a question about violence from others)."""
    if _DECLINED.search(rest):
        return "not_assessed"
    if _NO.search(rest):
        return "negated"
    if _YES.search(rest):
        return "present"
    if kind in SAFETY_KINDS and _SAFE.search(rest) and not _SET_AGAINST.search(rest):
        return "negated"
    return None


def asks(s: "Signal") -> bool:
    """Whether a finding is a question or a risk screen still waiting for its answer."""
    return s.family == "risk" and s.assertion == "present" and (
        _unanswered_question(s) or _risk_screen_named(s) or _asked_before(s, s.clause[:max(0, s.clause.find(s.text))]))


def _asked_before(s: "Signal", before: str) -> bool:
    """An explicit term in a question ConText's question rule does not reach ("checked in re suicidal
    thoughts", "asked directly re thoughts of hurting herself or ending her life"): ``before`` is its
    clause up to the term."""
    return s.source == "lexicon" and not s.modifiers and bool(_ASK_BEFORE.search(before))


def _risk_screen_named(s: "Signal") -> bool:
    """A risk screen named in the clinician's words (not a mood scale: "PHQ-9 15 - no change")."""
    return s.category == "risk_screen" and s.source == "lexicon" and bool(_RISK_SCREEN.search(s.text))


def _unanswered_question(s: "Signal") -> bool:
    return any(m.startswith("asked:") for m in s.modifiers) and any(m.startswith("possible:") for m in s.modifiers)


def answered_later(norm: str, items: list["Signal"]) -> list["Signal"]:
    """Each risk finding asked about (or screened) with no answer in its own clause, taking the answer
    that follows it on the same line; a finding read by meaning in the clause of a screen so answered
    takes the same answer."""
    out: list[Signal] = []
    answered: list[tuple[int, int, str]] = []  # (start, end) of the screen's clause, and the answer
    for s in items:
        said = _answer_for(norm, s)
        if said is None:
            out.append(s)
            continue
        if s.source == "lexicon":
            start = _clause_start(norm, s) if s.clause else s.start
            answered.append((start, start + len(s.clause), said))  # the screen's clause and its answer
        out.append(_answered(s, said, _unanswered_question(s)))
    for k, s in enumerate(out):
        if s.source != "semantic" or s.family != "risk" or s.assertion != "present" \
                or any(m.startswith("answered later:") for m in s.modifiers):
            continue
        said = next((a for a0, a1, a in answered if a0 <= s.start and s.end <= a1), None)
        if said is not None:
            out[k] = _answered(s, said, False)
    for k, s in enumerate(out):
        # A question screened with a scale whose risk item is then given in the same clause ("screened her for suicidal
        # thoughts using the PHQ-9 and item 9 was a zero", "... item 9 scored 2"): the item's result is the answer, and a
        # positive item is itself a documented answer, not a question.
        if s.source != "lexicon" or s.assertion != "present" or not _unanswered_question(s) or not s.clause:
            continue
        if any(x.category == "risk_screen" and x.assertion == "negated" and x.clause == s.clause and x.start > s.end
               and _ITEM_RESULT.search(x.text) for x in out):
            out[k] = _answered(s, "negated", True)
        elif any(x.family == "risk" and x.category != "risk_screen" and x.source == "lexicon" and x.clause == s.clause
                 and x.start >= s.start and _ITEM_POSITIVE.search(x.text) for x in out):
            out[k] = _answered(s, "present", True)
    return _form_fields(norm, _answered_before(norm, out))


#: A form's answer written straight after its item, as a risk section's fields are filled in ("SI N / HI N / SH N",
#: "SI: N  SH: Y", "SI - N", "HI/SI 0/0", "SI 0/10", "SH: Y"): a negative word, letter or zero, or a positive one,
#: then the field ends (the line ends, a break, a wide gap, or the next item). An answer that goes on into words of its
#: own ("SI: no plan", "SH - n/a", "SI: N (passive last wk)") is not a field's answer and is left to ConText.
_FIELD_NO = r"(?:no|n|nil|neg|negative|-ve|none|0|0\s*/\s*10|denied|denies|wnl|nad|✗|✘)"
_FIELD_YES = r"(?:y|yes|pos|positive|\+ve|\+|✓|✔|endorsed|endorses)"
_FIELD_ANSWER = re.compile(r"[ \t]*(?:[:=]|[ \t][-–—]|(?<=\S)-)?[ \t]*"
                           rf"(?P<a>(?:{_FIELD_NO}|{_FIELD_YES})(?:[ \t]*/[ \t]*(?:{_FIELD_NO}|{_FIELD_YES}))*)"
                           r"(?![\w+/])(?:[ \t]*(?:$|[,;|.)\]]|/(?![ \t]*\d))|[ \t]{2,}|(?P<next>[ \t])(?=\S))", _I | re.M)
_FIELD_NO_WORD = re.compile(rf"^{_FIELD_NO}$", _I)
#: A clause that is only a plan, intent, means or method label and its answer no ("plan no.", "access to means: nil").
_LABEL_ANSWERED_NO = re.compile(r"^\W*(?:(?:current|any|active)[ \t]+)?(?:plans?|intent(?:ion)?|means|access(?:[ \t]+to[ \t]+means)?|methods?|"
                                r"prep(?:aration)?s?|rehearsal|preparatory[ \t]+(?:acts|behaviou?rs?))"
                                rf"[ \t]*(?:[:=]|[ \t][-–—])?[ \t]*{_FIELD_NO}[ \t]*[.;,]?\s*$", _I)
#: A field left unknown ("Safeguarding: ??", "DV: NK"): not assessed. (A single "?" after a term is a question to
#: ask, read elsewhere as possible risk.)
_FIELD_UNKNOWN = re.compile(r"[ \t]*[:=\-–—][ \t]*(?:\?{2,}|nk|n/k|not\s+known)(?![\w/])", _I)


#: A checklist's box after its item: ticked ("Thoughts of death [x]", "SH [✓]") is the item stated, empty ("Plan [ ]") is
#: the item not ticked, a "no" only where another box on the same line was ticked (the form was filled in); a line of
#: empty boxes alone may be a form not yet filled in, and stays as it reads.
_TICK = r"[xX✓✔✗✘*/]"
_BOX = re.compile(rf"[ \t]*[:=\-–—]?[ \t]*\[[ \t]*(?P<tick>{_TICK})?[ \t]*\]")
_TICKED = re.compile(rf"\[[ \t]*{_TICK}[ \t]*\]")
#: ... unless the line's boxes come before their items ("[x] denies SI   [x] denies SH"): a box then answers what follows.
_BOX_FIRST = re.compile(rf"[ \t]*(?:[-*•][ \t]*)?\[[ \t]*{_TICK}?[ \t]*\]")
#: ... as when a box stands before an answer ("denies SI   [x] denies SH", a line whose first box a list marker took).
_BOX_THEN_ANSWER = re.compile(rf"\[[ \t]*{_TICK}?[ \t]*\][ \t]*(?:denies|denied|denying|deny|no|nil|not|reports?|reported|"
                              r"endorses?|endorsed|yes|admits?)\b", re.I)


def line_of(norm: str, at: int) -> str:
    """The line of ``norm`` that holds the offset ``at``."""
    start = norm.rfind("\n", 0, at) + 1
    end = norm.find("\n", at)
    return norm[start:len(norm) if end < 0 else end]


def _own_history(norm: str, s: "Signal") -> bool:
    """Whether a term read as past is dated by a cue before it on its line (its own field's), not by a later field's
    ("Thoughts of death [x]  Previous attempt [ ]": "Previous" dates the attempt, not the thoughts)."""
    start = norm.rfind("\n", 0, s.start) + 1
    cues = [m.split(":", 1)[1] for m in s.modifiers if m.startswith("historical:")]
    return not cues or any(norm.rfind(c, start, s.end) >= 0 for c in cues)


def _form_fields(norm: str, items: list["Signal"]) -> list["Signal"]:
    """Each risk term a form's field answers straight after it takes that answer: no is a denial (whatever a denial
    beside it reached: "SI: N  SH: Y" is self-harm stated), yes is the risk stated. A finding read by meaning in the
    same clause follows when every term of the clause was answered no (or every one left unknown). Terms someone else
    owns, or dated, keep their reading (a relative's field answered yes is still the relative's)."""
    starts = {s.start for s in items if s.family == "risk" and s.source == "lexicon"}
    out = list(items)
    answered: dict[str, set[str | None]] = {}  # a clause: the answers its explicit risk terms were given
    for k, s in enumerate(out):
        if s.family != "risk" or s.source != "lexicon" or s.category == "risk_screen":
            continue
        said = None
        m = _FIELD_ANSWER.match(norm, s.end)
        if m is not None and (m.group("next") is None or m.end() in starts):  # one space: only before the next item
            parts = [p.strip() for p in re.split(r"[ \t]*/[ \t]*(?!10\b)", m.group("a"))]
            no = {bool(_FIELD_NO_WORD.match(p)) for p in parts}
            said = "negated" if no == {True} else "present" if no == {False} else None
        if said is None and _FIELD_UNKNOWN.match(norm, s.end):
            said = "not_assessed"
        box = None
        if said is None:
            line = line_of(norm, s.end)
            box = None if _BOX_FIRST.match(line) or _BOX_THEN_ANSWER.search(line) else _BOX.match(norm, s.end)
            if box is not None:
                said = "present" if box.group("tick") else "negated" if _TICKED.search(line) else None
        if said is not None and (s.assertion in ("present", "negated") or
                                 box is not None and s.assertion == "historical" and not _own_history(norm, s)):
            out[k] = replace(s, assertion=said, modifiers=s.modifiers + (f"form field:{said}",))
        answered.setdefault(s.clause, set()).add(said)
    for k, s in enumerate(out):
        given = answered.get(s.clause, set())
        said = next(iter(given)) if len(given) == 1 else None
        if not given and s.family == "risk" and s.source != "lexicon" and _LABEL_ANSWERED_NO.match(s.clause):
            said = "negated"  # a field of its own answered no ("plan no.", "intent - nil"): a label is no statement
        if s.family == "risk" and s.source != "lexicon" and s.assertion == "present" and said in ("negated", "not_assessed"):
            out[k] = replace(s, assertion=said, modifiers=s.modifiers + (f"form field:{said}",))
    return out


#: A scale's risk item named by its number ("item 9", "Q9", "question 9") ...
_ITEM = r"\b(?:item|q|question)\s*#?\s*\d+"
_ITEM_RESULT = re.compile(_ITEM + r"\b", _I)
#: ... given a score above 0 ("item 9 scored 2", "q9 = 1").
_ITEM_POSITIVE = re.compile(_ITEM + r"\s*(?:[:=\-–]|->|→|was|is|scored?|of|at)?\s*[1-3]\b", _I)


#: The question named after its answer: "'No, I'd never do anything like that' - in answer to direct q re suicide".
_QUESTION_AFTER = re.compile(r"\b(?:in\s+(?:answer|response|reply)\s+to|when\s+(?:she\s+was\s+|he\s+was\s+|they\s+were\s+)?asked|"
                             r"on\s+being\s+asked)\b(?:\s+[\w'/]+){0,5}?\s*$", _I)


def _answered_before(norm: str, items: list["Signal"]) -> list["Signal"]:
    """A risk term named as the topic of a question whose answer the line opened with ("'No, I'd never do anything
    like that, I've got the girls to think about' - in answer to direct q re suicide"): the answer decides the term,
    and the risk read by meaning in the answer's words before it."""
    out = list(items)
    for s in items:
        if s.source != "lexicon" or s.family != "risk" or s.assertion != "present":
            continue
        line_start = norm.rfind("\n", 0, s.start) + 1
        m = _QUESTION_AFTER.search(norm, line_start, s.start)
        if m is None:
            continue
        said = answer(norm[line_start:m.start()].lstrip(" \t-–•*\"“'‘"))
        if said != "negated":
            continue
        for k, x in enumerate(out):
            if x.family == "risk" and x.assertion == "present" and line_start <= x.start and \
                    (x is s or (x.source != "lexicon" and x.start < m.end())):
                out[k] = _answered(x, said, False)
    return out


#: A question asked before a term, in its clause ("asked directly re thoughts of hurting herself or ending her
#: life"): ConText's question rule reaches six words; the answer after the question reaches every term in it.
#: A question in question-and-answer notation ("Q: ...", "Q2) ...").
_Q = r"^\W*Q\s*\d*\s*[:.)\-–]"
_ASK_BEFORE = re.compile(r"\b(?:" + _ASKED + r")\b(?:\s+\w+){0,2}?\s+"
                         r"(?:re|about|regarding|for|if|whether|on)\b|" + _Q, _I)
#: The answer in question-and-answer notation ("Q: any thoughts of harming yourself? A: 'No.'").
_A = re.compile(r"(?:^|[\s?.])A\s*[:\-–]\s*")


def answer_mark(text: str) -> int:
    """Where the "A:" of question-and-answer notation ends in ``text``, or -1."""
    m = _A.search(text)
    return m.end() if m else -1


def qa_answer(text: str) -> tuple[str | None, int]:
    """The answer in Q/A notation, when ``text`` is a question written so and holds its answer, and where
    the answer starts (what comes after the answer is not part of the question)."""
    if not re.match(_Q, text, _I):
        return None, -1
    m = _A.search(text)
    return (answer(text[m.end():]), m.start()) if m else (None, -1)


#: What asks for more of something found, not whether it is there: "not explored further", "not gone into in detail".
_MORE_OF = re.compile(r"\b(?:further|in\s+(?:detail|depth)|at\s+length|fully|any\s+more|more)\b", _I)


#: An opening quotation mark before a finding in its clause: the finding is someone's words, not a topic label.
_QUOTED = re.compile(r"(?:^|[\s(:])['‘\"“][^'’\"”]*$")


def _answer_for(norm: str, s: "Signal") -> str | None:
    if s.family != "risk" or s.assertion != "present":
        return None
    start = _clause_start(norm, s) if s.clause else s.start
    line_end = norm.find("\n", s.end)
    line_end = len(norm) if line_end < 0 else line_end
    qa, at = qa_answer(norm[start:line_end])
    if qa is not None and qa != "not_assessed" and s.start < start + at:
        return qa  # a finding in the question, before its answer
    asked = _unanswered_question(s) or _asked_before(s, norm[start:s.start])
    base = s.end
    if s.source != "lexicon":
        # Read by meaning, the finding spans its clause: the answer is the first part after the question.
        cue = next((m.split(":", 1)[1] for m in s.modifiers if m.startswith("asked:")), None)
        at = norm.find(cue, s.start, s.end) if asked and cue else -1
        if at < 0:
            return None
        base = at + len(cue)
    rest = norm[base:line_end]
    brk = _BREAK.search(rest)
    screen_between = s.source == "lexicon" and brk is not None and bool(_SCREEN_WORDS.search(rest[:brk.start()]))
    screen_named = _risk_screen_named(s)
    if s.source == "lexicon" and (q := _QUESTION_MARK.match(rest)) and len(norm[start:s.start].split()) <= _ASKED_WORDS:
        # the topic asked as a question in the note, its answer after the question mark ("Harming self? -> no",
        # "SI? N", "thoughts of harming baby? no"); anything else after it leaves the question as it was
        after = rest[q.end():]
        said = answer(after, s.category) or _LETTER_ANSWER.get(after[:2].rstrip(" .,;").upper())
        if said in ("negated", "present"):
            return said
        if _NOT_ASKED_ANSWER.match(after) and not _MORE_OF.search(after):
            return "not_assessed"  # "SI? not asked - mum in the room"
    if not (asked or screen_between or screen_named):
        if s.source == "lexicon" and brk is not None and brk.group(0).strip()[:1] in (":", "-", "–", "—") \
                and len(rest[:brk.start()].split()) <= 8 and _BARE_DENIAL.match(rest[brk.end():]):
            return "negated"  # "thoughts of harming herself or the baby: denies both when asked"
        if s.source == "lexicon" and brk is not None and brk.group(0).strip()[:1] in (":", "-", "–", "—") \
                and len(rest[:brk.start()].split()) <= 8 and (q := _ASKED_LABEL.match(rest[brk.end():])):
            # the topic as a label, the question, then its answer: "SI/SH: asked, denies", "HI - asked directly; says
            # no", "Suicidal thoughts: screened. Denied."
            tail = rest[brk.end() + q.end():]
            said = answer(tail, s.category) if tail.strip() else "not_assessed"
            # ("SI/SH: asked" with its answer in a part of its own, or none written; "SI: asked, declined to answer":
            # a question still open, possible risk)
            return "asked" if said == "not_assessed" else said
        if s.source == "lexicon" and brk is not None and len(rest[:brk.start()].split()) <= 3 \
                and "answered" not in s.modifiers and _NOT_ASKED_ANSWER.match(rest[brk.end():]) \
                and not _MORE_OF.search(rest[brk.end():]) and not _QUOTED.search(norm[start:s.start]):
            return "not_assessed"  # a topic as a label, what was done about it after ("SI ?? — didn't get to it",
            # "DSH hx + current: unknown"); not more of a finding ("hearing voices - not explored further"), nor the
            # client's own words quoted ("M: 'what's the point of me now' - not explored in grp": said, not a topic)
        return None
    said = answer(rest.lstrip(), s.category) if asked and s.source == "lexicon" and rest[:1].isspace() else None
    if said is None and brk is not None and len(rest[:brk.start()].split()) <= 8:
        said = answer(rest[brk.end():], s.category)
    if said is None and asked and (nxt := _NEXT_SENTENCE.search(rest)) is not None:
        # ... or the next sentence answers it ("I asked him straight out whether he'd thought about joining his wife.
        # He said 'No, she'd be furious with me'")
        said = answer(rest[nxt.end():], s.category)
        said = said if said in ("negated", "present") else None
    if said is None and _DECLINED_ANYWHERE.search(rest):
        said = "not_assessed"
    if said == "not_assessed" and asked:
        return None  # a question about a risk left unanswered stays one to ask again (possible risk)
    return said


#: Where the sentence after a question starts.
_NEXT_SENTENCE = re.compile(r"^[^.?!\n]*[.?!]+['\"’”)]?\s+")
#: A question mark after a finding (a few words between: "thoughts of harming | baby?"), and the arrow or dash before
#: its answer.
_QUESTION_MARK = re.compile(r"(?:\s*[\w'/-]+){0,3}?\s*\?+\s*(?:(?:-+>|=>|→|[-–—=:]+)\s*)?")
#: A form's one-letter answer to a question ("SI? N", "SH? Y").
_LETTER_ANSWER = {"N": "negated", "Y": "present"}
#: The most words a note's question may put before its topic ("Any thoughts of harming baby?").
_ASKED_WORDS = 6


def _clause_start(norm: str, s: "Signal") -> int:
    """Where the finding's clause starts in the text: its last occurrence starting at or before the finding."""
    at = norm.rfind(s.clause, 0, s.start + len(s.clause))
    return at if at >= 0 else s.start


def _answered(s: "Signal", said: str, asked: bool) -> "Signal":
    if said == "asked":  # a question whose answer is not in its line: possible risk, ask directly
        return replace(s, level="possible_risk", modifiers=s.modifiers + ("asked:asked", "possible:asked"))
    mods = tuple(m for m in s.modifiers if not m.startswith("possible:")) + (f"answered later:{said}",)
    if said == "present":
        level = "risk" if asked and s.level == "possible_risk" and s.source == "lexicon" else s.level
        return replace(s, level=level, modifiers=mods)  # type: ignore[arg-type]
    return replace(s, assertion=said, modifiers=mods)  # type: ignore[arg-type]
