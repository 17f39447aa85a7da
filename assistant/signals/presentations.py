"""Clinical features that tell a stabilise-first presentation, or a focal area, from its look-alikes.

The probes find these presentations by meaning, and meaning is near for their look-alikes: nightmares easing week
on week after a break-in read like PTSD that needs trauma-focused work, "2-3 pints at the weekend" like dependence,
and "current partner supportive" like a dispute. Each has features that argue against it and core features of its
own (``presentations.yaml``). A finding by meaning whose clause has a feature against it and none of the core ones
is dropped; an explicit term ("PTSD", "drinks every day") is left to ConText's scope.

Not for the client's risk (mania, psychosis, intoxication): safety errs towards asking, so a finding of risk stands
whatever argues against it. (Features against mania, "sleeping 7-8h", "exhausted from night feeds", and against
intoxication now, "last Friday", "daily", were tried: read sets 9 risk rows right and none wrong, but a never-read
set lost a current risk.) One exception, by what psychosis is: an experience the line says is real, or that the
client knows is not, is not psychotic (``_real_or_known``). And PTSD's date and people belong to the event, not to
the symptoms the client has now (``_trauma_now``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from ..yamlfile import load_yaml
from .types import Signal

_FILE = Path(__file__).with_name("presentations.yaml")


@dataclass(frozen=True)
class _Features:
    against: tuple[re.Pattern[str], ...]
    core: re.Pattern[str]
    #: features that say the experience is real or known by the client not to be (psychosis), and what keeps it even so
    real: tuple[re.Pattern[str], ...] = ()
    real_unless: re.Pattern[str] | None = None


@lru_cache(maxsize=1)
def features() -> dict[str, _Features]:
    data = load_yaml(_FILE.read_text(encoding="utf-8"))
    return {cat: _Features(tuple(re.compile(p, re.I) for p in spec["against"]), re.compile(spec["core"], re.I),
                           tuple(re.compile(p, re.I) for p in spec.get("real") or []),
                           re.compile(spec["real_unless"], re.I) if spec.get("real_unless") else None)
            for cat, spec in data.items()}


def against(category: str, clause: str) -> str | None:
    """The feature in ``clause`` that argues against ``category`` found by meaning, or None."""
    f = features().get(category)
    if f is None or f.core.search(clause):
        return None
    for pattern in f.against:
        m = pattern.search(clause)
        if m:
            return m.group(0)
    return None


#: Use as a habit: the words of dependence, not of a state now.
_HABIT = re.compile(r"\b(?:daily|every\s+(?:day|night|morning)|most\s+(?:days|nights)|a\s+day\b|per\s+day|round\s+the\s+clock|"
                    r"all\s+day|from\s+waking|can'?t\s+(?:function|cope|go\s+a\s+day|get\s+through)|without\s+it)", re.I)
#: Intoxication now: in or before the session, or seen.
_NOW = re.compile(r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening|session)|in\s+(?:the\s+)?session|on\s+arrival|"
                  r"arrived|came\s+in|turned\s+up|showed\s+up|smell\w*|slurr\w*|sway\w*|stagger\w*|glazed|pupils|"
                  r"before\s+(?:the\s+|our\s+|this\s+|today'?s\s+)?(?:session|sess|appt|appointment)|right\s+now|now|just\s+(?:had|took|used|smoked))\b",
                  re.I)


def _by_meaning(s: Signal, category: str) -> bool:
    return s.category == category and s.source != "lexicon" and s.present


def _beside(items: list[Signal], clause: str, found: Callable[[Signal], bool]) -> bool:
    """Whether a finding ``found`` accepts stands in the same clause."""
    return any(found(x) and (x.clause or x.text) == clause for x in items)


def _habit_not_now(s: Signal, items: list[Signal]) -> bool:
    """Intoxication read by meaning alone in a clause that speaks of dependence as a habit and of no state now
    ("using heroin every day", "40mg of diazepam a day from an online seller"): the dependence is the
    presentation; nothing says the client is intoxicated in or before the session."""
    clause = s.clause or s.text
    return _by_meaning(s, "intoxication") and _HABIT.search(clause) is not None and _NOW.search(clause) is None \
        and _beside(items, clause, lambda x: x.category == "severe_substance_dependence" and x.present)


def _now_not_habit(s: Signal, items: list[Signal]) -> bool:
    """The mirror of ``_habit_not_now``: dependence read by meaning alone in a clause that speaks of intoxication now
    and of no habit ("drank half bottle of vodka before session 'to get thru it'. unsteady on her feet"): one
    occasion, read as the intoxication it is."""
    clause = s.clause or s.text
    return _by_meaning(s, "severe_substance_dependence") and _NOW.search(clause) is not None \
        and _HABIT.search(clause) is None and _beside(items, clause, lambda x: x.category == "intoxication" and x.present)


#: Sleep wished for ("just wants to go to sleep and not wake up", "wishes she could sleep forever"): the opposite of
#: mania's lessened need for sleep, which the probes read from the word "sleep" alone.
_SLEEP_WISHED = re.compile(r"\b(?:wants?|wanted|wanting|wish(?:es|ed|ing)?|lik(?:e|es|ed)|long(?:s|ed|ing)?|rather)\s+"
                           r"(?:\w+\s+){0,3}?(?:to\s+)?['‘\"“]?(?:go\s+to\s+)?sleep\b|\bsleep\s+forever\b", re.I)
#: ... with nothing of mania beside it.
_MANIA_SAID = re.compile(r"\b(?:manic|mania|hypomani\w*|high|elated|euphori\w*|grandios\w*|racing|pressured|spend\w*|"
                         r"(?:not|hasn'?t|hadn'?t|barely)\s+slept|no\s+sleep|little\s+sleep|awake|energ\w*|talk\w*\s+(?:fast|non-?stop)|"
                         r"buzz\w*|invincible|wired|projects?)\b", re.I)


def _sleep_wished(s: Signal, items: list[Signal]) -> bool:
    """Mania read by meaning alone in a clause that wishes for sleep and says nothing of mania, where another risk is
    read in the clause (the wish is ideation's). With no other risk there it stays: asking about the wrong kind beats
    not asking ("took 'a handful' of sertraline ... 'just wanted to sleep for a week'")."""
    clause = s.clause or s.text
    return _by_meaning(s, "mania") and _SLEEP_WISHED.search(clause) is not None and _MANIA_SAID.search(clause) is None \
        and _beside(items, clause, lambda x: x.family == "risk" and x.category != "mania" and x.present and bool(x.level))


#: Sleep lost to tiredness, or for a reason of its own ("hasn't slept properly for 3 days because of night feeds,
#: exhausted, tearful", "sleeping 4h, shattered"): insomnia, not the lessened need for sleep of mania.
_TIRED = re.compile(r"\b(?:exhausted|tired|shattered|knackered|drained|fatigue[ds]?|worn\s+out|wiped\s+out|run\s+down|"
                    r"running\s+on\s+(?:empty|fumes)|no\s+energy|low\s+energy|can'?t\s+get\s+up|because\s+of\s+(?:the\s+)?"
                    r"(?:night\s+feeds?|feeds|the\s+baby|baby|pain|noise|shifts?|nights|work|worry|worrying|nightmares)|"
                    r"night\s+feeds?|teething)\b", re.I)
#: Mania's own features beside lost sleep (sleep itself left out: it is what the clause is about).
_MANIA_BESIDE_SLEEP = re.compile(r"\b(?:manic|mania|hypomani\w*|high|elated|euphori\w*|grandios\w*|racing|pressured|"
                                 r"spend\w*|energ(?:y|ised|ized|etic)(?!\s+(?:levels?\s+)?(?:low|down))|talk\w*\s+(?:fast|non-?stop)|"
                                 r"buzz\w*|invincible|wired|projects?|not\s+tired|doesn'?t\s+feel\s+tired|no\s+need|expansive|"
                                 r"genius|chatty|flirt\w*|disinhibit\w*|reckless\w*|irritab\w*|ideas|plans)\b", re.I)


def _sleepless_and_tired(s: Signal, text: str) -> bool:
    """Mania read by meaning alone in a clause where sleep is lost with tiredness or for a reason of its own, with
    nothing of mania said anywhere in the text (a clause's reading carries the others: "irritable + expansive, ... new
    'genius' plan daily. Sleep ~3h"). (A clause that only says how long the client sleeps was tried too and dropped for
    that reason.)"""
    clause = s.clause or s.text
    return _by_meaning(s, "mania") and _TIRED.search(clause) is not None and _MANIA_BESIDE_SLEEP.search(text or clause) is None


def _beside_a_surer(s: Signal, items: list[Signal]) -> bool:
    """Psychosis read by meaning alone, below another risk of the clause read more surely,
    with nothing of psychosis said in the clause ("He's scared of his wife - she's threatened to stab him in his
    sleep": the violence, not a psychosis; "says she's a prophet" keeps it). The clause stays the client's risk."""
    clause = s.clause or s.text
    core = features().get("psychosis")
    return _by_meaning(s, "psychosis") and core is not None and core.core.search(clause) is None \
        and _beside(items, clause, lambda x: x.family == "risk" and x.category not in ("psychosis", "warning_signs")
                    and x.present and bool(x.level) and x.score > s.score)


def _line_of(s: Signal, text: str) -> str:
    """The line of ``text`` that holds the finding (the finding's clause when the text is not known)."""
    from .answers import line_of

    return line_of(text, s.start) if text and s.end <= len(text) else s.clause or s.text


#: Psychosis named as a clinician names it (not a word the client uses of herself, "paranoid", nor a perception, "hears"):
#: ConText scopes it, whatever the line says of the experience.
_PSYCHOSIS_NAMED = re.compile(r"psychos|psychotic|delusion|hallucinat|command", re.I)


def _real_or_known(s: Signal, text: str) -> bool:
    """Psychosis read by meaning, or in a client's word ("paranoid") or a perception's ("hears"), in a line that says the
    experience is real (its source found: "'hearing voices' turned out to be the neighbours' toddler"; the belief borne
    out: "'paranoid' he's cheating - found messages, he's admitted it"; the perception shared: "I actually heard it down
    the phone") or known by the client not to be ("knows he's gone", "her own self-critical thoughts, not heard as
    external", "as she drops off to sleep"): not a psychotic experience. Content that no source explains keeps it ("the
    neighbours talk about her through the wall", "the radio seems to be about her")."""
    f = features().get("psychosis")
    if f is None or not f.real or s.category != "psychosis" or not s.present or (
            s.source == "lexicon" and _PSYCHOSIS_NAMED.search(s.text)):
        return False
    line = _line_of(s, text)
    return any(p.search(line) for p in f.real) and not (f.real_unless is not None and f.real_unless.search(line))


#: The re-experiencing, arousal and avoidance of PTSD, said of the client now ("nightmares 4-5/wk", "startles at
#: uniforms", "daily intrusive memories", "wakes screaming", "jumps when the door goes", "can't go past the hospital").
_TRAUMA_NOW = re.compile(r"\b(?:nightmares?|flashbacks?|reliv\w*|re-?experienc\w*|intrusive|startl\w*|jumps?\s+at|jumpy|"
                         r"hypervigil\w*|numb|zon(?:es|ing)\s+out|dissociat\w*|avoid\w*|freez\w*|keeps?\s+(?:seeing|replaying|"
                         r"reliving|hearing)|replay\w*|wak\w*\s+(?:up\s+)?(?:screaming|shouting|sweating|in\s+a\s+panic)|(?:screams?|screaming|"
                         r"shouts?|shouting)\s+in\s+(?:her|his|their)\s+sleep|jumps?\s+(?:when|every\s+time)|hits?\s+the\s+deck|"
                         r"on\s+edge)\b", re.I)
#: ... said to be over ("nightmares for a year after, none since", "flashbacks resolved with TF-CBT in 2019").
_TRAUMA_OVER = re.compile(r"\b(?:resolved|well\s+since|none\s+(?:since|now)|no\s+(?:\w+\s+)?(?:since|now|currently)|settled|"
                          r"recovered|used\s+to|at\s+the\s+time|back\s+then|for\s+(?:a\s+)?(?:while|year|few\s+months)\s+after|"
                          r"treated|(?:had|was\s+having)\s+(?:\w+\s+)?(?:nightmares|flashbacks))\b", re.I)
#: A negation just before a symptom word denies it ("no nightmares", "denies flashbacks", "free of intrusive memories").
_SYMPTOM_DENIED = re.compile(r"\b(?:no|not|nil|denies|denied|without|never|free\s+of|none\s+of\s+the)\b[^,;.]*$", re.I)
#: A negation that is the avoidance itself ("can't go past the hospital", "won't drive or even be a passenger").
_AVOIDING = re.compile(r"\b(?:can'?t|cannot|won'?t|couldn'?t|wouldn'?t|unable\s+to)\s+(?:\w+\s+)?(?:go|drive|be|bear|face|"
                       r"use|get\s+in|sit|sleep|watch|walk|pass|look|touch|stand|leave|enter|travel)\b", re.I)


def _trauma_now(s: Signal, text: str) -> Signal:
    """A trauma-focused presentation whose line dates the event ("assault 3 yrs ago - nightmares, startles easily",
    "torture hx, ... daily intrusive memories") or avoids in a negation ("can't go past the hospital") is the client's
    presentation now: the date belongs to the event, the negation is the avoidance, and the symptoms are current. Not
    where the line says they are over, nor where the negation denies a symptom ("no flashbacks")."""
    if s.category != "trauma_focused_needed" or s.assertion not in ("historical", "negated"):
        return s
    line = _line_of(s, text)
    # a symptom said, not one denied ("car crash 2012 - talks about it easily, no nightmares, drives daily")
    said = [m for m in _TRAUMA_NOW.finditer(line) if not _SYMPTOM_DENIED.search(line[max(0, m.start() - 24):m.start()])]
    if not said or _TRAUMA_OVER.search(line):
        return s
    if s.assertion == "negated" and (not _AVOIDING.search(line)
                                     or re.search(r"\b(?:no|denies|denied|nil|without|never)\b", line, re.I)):
        return s  # only a negation that is the avoidance itself, with no denial in the line
    return replace(s, assertion="present", modifiers=s.modifiers + ("trauma now: the event's scope, not the symptoms'",))


def settle(items: list[Signal], text: str = "") -> list[Signal]:
    """Drop the findings by meaning that a feature in their clause argues against. Not the client's risk (mania,
    intoxication): safety errs towards asking, so a finding of risk stands whatever argues against it; except where
    another finding in the clause says what the clause is about: intoxication in a clause of habitual use with
    dependence beside it (``_habit_not_now``), dependence in a clause of intoxication now with no habit
    (``_now_not_habit``), mania in a clause that wishes for sleep beside another risk (``_sleep_wished``) or that
    loses sleep to tiredness or to a reason of its own (``_sleepless_and_tired``), and
    psychosis with no word of psychosis beside a surer risk of another kind (``_beside_a_surer``) or in a line that says the
    experience is real or known by the client not to be (``_real_or_known``)."""
    items = [_trauma_now(s, text) for s in items]
    return [s for s in items if (s.source == "lexicon" or not s.present or s.family == "risk"
                                 or against(s.category, s.clause or s.text) is None)
            and not (_habit_not_now(s, items) or _now_not_habit(s, items) or _sleep_wished(s, items)
                     or _beside_a_surer(s, items) or _sleepless_and_tired(s, text) or _real_or_known(s, text))]
