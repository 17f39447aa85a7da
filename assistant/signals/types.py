"""Typed signals: what the signal layer found in a text, where, and how it is asserted."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Assertion = Literal["present", "negated", "hypothetical", "not_assessed", "historical", "other_person"]
ASSERTIONS: tuple[str, ...] = ("present", "negated", "hypothetical", "not_assessed", "historical", "other_person")
Level = Literal["risk", "possible_risk"]

#: Risk kinds, in the order a safety answer deals with them.
RISK_KINDS: tuple[str, ...] = ("suicide_plan", "suicidal_ideation", "self_harm", "harm_to_others", "ipv",
                               "safeguarding", "psychosis", "mania", "intoxication")
#: A possible-risk category: warning-sign language; it maps to a risk kind for safety steps.
WARNING_SIGNS = "warning_signs"
#: Risk kinds between two people: the other person is the perpetrator or the one at risk from the client.
TWO_PEOPLE: tuple[str, ...] = ("harm_to_others", "ipv", "safeguarding")
#: A mention of risk assessment itself ("risk screen", "C-SSRS", "PHQ-9 item 9", "Risk: ..."): it has no
#: level, so it never raises risk; it carries the assertion of a screen ("not assessed", "negative") to
#: the clause's meaning-level findings and to the notes' risk status.
RISK_SCREEN = "risk_screen"
#: A clinician's question whether to ask ("should I ask him whether he's had dark thoughts", "do I check if she's
#: been cutting"): what follows "whether" is supposed, and it is a topic not yet asked about.
#: The stems of the verbs of asking about a topic (detect.py reads a clause for them too).
ASK_VERBS = r"ask|check|screen|assess|explor|enquir|inquir|rais|broach|bring\w*\s+up"
_ASKS_WHETHER = re.compile(rf"\b(?:{ASK_VERBS})\w*\s+(?:\S+\s+){{0,3}}?(?:whether|if)\b", re.I)


def asks_whether(clause: str) -> bool:
    return bool(_ASKS_WHETHER.search(clause))


RISK_DESCRIPTIONS = {
    "suicidal_ideation": "suicidal thoughts",
    "suicide_plan": "a suicide plan, intent, preparation or means",
    "self_harm": "self-harm",
    "harm_to_others": "thoughts or threats of harming others",
    "ipv": "intimate partner violence",
    "safeguarding": "a child or an older person at risk",
    "mania": "possible manic symptoms",
    "psychosis": "possible psychotic experiences",
    "intoxication": "intoxication",
    WARNING_SIGNS: "warning signs of suicide",
}
OUT_OF_FRAME: tuple[str, ...] = ("thought_records", "cognitive_restructuring", "exposure", "dream_interpretation",
                                 "transference_interpretation", "childhood_exploration",
                                 "behavioural_activation_schedule", "positive_thinking", "free_association", "emdr",
                                 "empty_chair", "schema_work", "mindfulness_training")
FOCAL: tuple[str, ...] = ("grief", "role_dispute", "role_transition", "interpersonal_deficits")
ADAPTATIONS: tuple[str, ...] = ("ipt_a", "perinatal", "late_life", "ipsrt", "group", "eating_disorders")
#: Adaptations found only by the knowledge base's own cue words (knowledge/frame.yaml); the signals eval
#: labels the six above.
CUE_ADAPTATIONS: tuple[str, ...] = ("dysthymia", "bpd", "ipc", "brief_telephone", "psychotic_depression")
#: Presentations where ordinary IPT waits (stabilise first) or may not fit.
STABILISE_FIRST: tuple[str, ...] = ("mania", "psychosis", "intoxication", "severe_substance_dependence",
                                    "trauma_focused_needed", "anxiety_without_interpersonal_trigger")

Family = Literal["risk", "frame", "focal", "adaptation", "fit", "death"]


def family_of(category: str) -> Family:
    if category in RISK_KINDS or category in (WARNING_SIGNS, RISK_SCREEN):
        return "risk"
    if category in OUT_OF_FRAME:
        return "frame"
    if category in FOCAL:
        return "focal"
    if category in ADAPTATIONS or category in CUE_ADAPTATIONS or category in ("adolescent",):
        return "adaptation"
    if category == "death":
        return "death"
    if category in ("in_frame", "interpersonal_trigger"):
        return "focal"
    return "fit"


@dataclass(frozen=True)
class Signal:
    """One finding. ``span`` is (start, end) in the analysed text; ``evidence`` names the lexicon rule
    or the exemplar that fired; ``score`` is the lexicon's confidence or the cosine similarity."""

    category: str
    start: int
    end: int
    text: str
    assertion: Assertion = "present"
    evidence: str = ""
    score: float = 1.0
    source: Literal["lexicon", "semantic", "age", "reader"] = "lexicon"
    level: Level | None = None
    modifiers: tuple[str, ...] = ()
    clause: str = ""  # the clause the signal was found in

    @property
    def family(self) -> Family:
        return family_of(self.category)

    @property
    def present(self) -> bool:
        return self.assertion == "present"

    @property
    def span(self) -> str:
        return self.text

    @property
    def negated(self) -> bool:
        return self.assertion == "negated"

    @property
    def third_party(self) -> bool:
        return self.assertion == "other_person"


@dataclass
class Signals:
    """Everything found in one text."""

    text: str
    items: list[Signal] = field(default_factory=list)

    def has(self, category: str) -> bool:
        return any(s.category == category and s.present for s in self.items)
