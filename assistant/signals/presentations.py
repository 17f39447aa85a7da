"""Clinical features that tell a stabilise-first presentation from its look-alikes.

The probes find these presentations by meaning, and meaning is near for their look-alikes: nightmares easing week
on week after a break-in read like PTSD that needs trauma-focused work, and "2-3 pints at the weekend" like
dependence. Each presentation has features that argue against it and core features of its own
(``presentations.yaml``). A finding by meaning whose clause has a feature against it and none of the core ones is
dropped; an explicit term ("PTSD", "drinks every day") is left to ConText's scope.

Not for the client's risk (mania, psychosis, intoxication): safety errs towards asking, so a finding of risk stands
whatever argues against it. (Features against mania, "sleeping 7-8h", "exhausted from night feeds", and against
intoxication now, "last Friday", "daily", were tried: read sets 9 risk rows right and none wrong, but a never-read
set lost a current risk.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..yamlfile import load_yaml
from .types import Signal

_FILE = Path(__file__).with_name("presentations.yaml")


@dataclass(frozen=True)
class _Features:
    against: tuple[re.Pattern[str], ...]
    core: re.Pattern[str]


@lru_cache(maxsize=1)
def features() -> dict[str, _Features]:
    data = load_yaml(_FILE.read_text(encoding="utf-8"))
    return {cat: _Features(tuple(re.compile(p, re.I) for p in spec["against"]), re.compile(spec["core"], re.I))
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


def settle(items: list[Signal], text: str = "") -> list[Signal]:
    """Drop the findings by meaning that a feature in their clause argues against. Not the client's risk (mania,
    intoxication): safety errs towards asking, so a finding of risk stands whatever argues against it; except where
    another finding in the clause says what the clause is about: intoxication in a clause of habitual use with
    dependence beside it (``_habit_not_now``), dependence in a clause of intoxication now with no habit
    (``_now_not_habit``), mania in a clause that wishes for sleep beside another risk (``_sleep_wished``) or that
    loses sleep to tiredness or to a reason of its own (``_sleepless_and_tired``), and
    psychosis with no word of psychosis beside a surer risk of another kind (``_beside_a_surer``)."""
    return [s for s in items if (s.source == "lexicon" or not s.present or s.family == "risk"
                                 or against(s.category, s.clause or s.text) is None)
            and not (_habit_not_now(s, items) or _now_not_habit(s, items) or _sleep_wished(s, items)
                     or _beside_a_surer(s, items) or _sleepless_and_tired(s, text))]
