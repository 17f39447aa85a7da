"""Pydantic schemas for the knowledge base files in ``knowledge/``.

Every YAML file is validated against these models at load time; the loader
(:mod:`assistant.catalog`) turns a validation error into a message that names
the file, the entry and the field.
"""

from __future__ import annotations

import re
from typing import Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

Phase = Literal["initial", "middle", "termination", "maintenance"]
FocalArea = Literal["grief", "role_dispute", "role_transition", "interpersonal_deficits"]

PHASES: tuple[str, ...] = ("initial", "middle", "termination", "maintenance")
FOCAL_AREAS: tuple[str, ...] = ("grief", "role_dispute", "role_transition", "interpersonal_deficits")

RiskKind = Literal["suicidal_ideation", "suicide_plan", "self_harm", "harm_to_others", "ipv", "safeguarding",
                   "mania", "psychosis", "intoxication"]
#: The risk kinds the safety-first answer has steps for (knowledge/frame.yaml ``safety_steps``).
RISK_KINDS: tuple[str, ...] = ("suicidal_ideation", "suicide_plan", "self_harm", "harm_to_others", "ipv",
                               "safeguarding", "mania", "psychosis", "intoxication")
#: Older risk category names that mean one of the kinds above.
RISK_KIND_ALIASES: dict[str, str] = {"violence_at_home": "ipv", "domestic_violence": "ipv",
                                     "warning_signs": "suicidal_ideation"}

#: Placeholders that wording in the knowledge base may use; the composer fills them for the person in
#: the question ({other}: "your husband", or the fallback after "|", else "the other person"; {they},
#: {them}, {their}, {theirs}, {themself}: that person's pronouns, "they" when unknown; {client_they},
#: {client_them}, {client_their}: the client's). A capital first letter capitalises the filled word.
PLACEHOLDERS: frozenset[str] = frozenset({
    "other", "they", "them", "their", "theirs", "themself", "client_they", "client_them", "client_their",
})
_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)(?:\|[^{}]*)?\}")

#: The technique ids the catalog must hold, exactly.
TECHNIQUE_IDS: tuple[str, ...] = (
    "interpersonal_inventory", "communication_analysis", "decision_analysis", "role_play",
    "grief_work", "role_dispute_resolution", "role_transition_support",
    "interpersonal_deficits_work", "affect_exploration", "linking_affect_to_events", "sick_role",
    "encouragement_of_affect", "exploratory_techniques", "directive_techniques", "psychoeducation",
    "termination_work", "clarification", "direct_elicitation", "case_formulation",
    "symptom_timeline", "therapeutic_relationship", "support_network_mapping",
    "communication_patterns", "social_skills_training",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _nonblank(items: list[str]) -> list[str]:
    for i, item in enumerate(items):
        if not item or not item.strip():
            raise ValueError(f"item {i} is empty")
    return [item.strip() for item in items]


def placeholders_in(text: str) -> list[str]:
    """The placeholder names used in ``text`` (lower-cased, e.g. ``{Other}`` -> ``other``)."""
    return [m.group(1).lower() for m in _PLACEHOLDER.finditer(text)]


def _check_placeholders(items: list[str]) -> list[str]:
    for i, item in enumerate(items):
        text = item if isinstance(item, str) else item.text  # type: ignore[attr-defined]
        unknown = [p for p in placeholders_in(text) if p not in PLACEHOLDERS]
        if unknown:
            raise ValueError(f"item {i}: unknown placeholder {{{unknown[0]}}} (known: {', '.join(sorted(PLACEHOLDERS))})")
        if text.count("{") != text.count("}"):
            raise ValueError(f"item {i}: unbalanced braces")
    return items


_SENTENCE_END = re.compile(r"[.!?](?:[\"'\u201d\u2019)]*)(?=\s|$)")


def sentence_count(text: str) -> int:
    return len(_SENTENCE_END.findall(text.strip()))


class Technique(_Strict):
    """One IPT intervention in the catalog."""

    id: str = Field(pattern=r"^[a-z][a-z_]+$")
    name: str = Field(min_length=3)
    summary: str = Field(min_length=40)
    purpose: str = Field(min_length=40)
    focal_areas: list[FocalArea] = Field(min_length=1)
    phases: list[Phase] = Field(min_length=1)
    when_to_use: list[str] = Field(min_length=3)
    how_to: list[str] = Field(min_length=3)
    key_phrases: list[str] = Field(min_length=4)
    follow_up_questions: list[str] = Field(min_length=3)
    warnings: list[str] = Field(min_length=2)
    synonyms: list[str] = Field(min_length=2)
    references: list[str] = Field(min_length=1)
    related: list[str] = Field(default_factory=list)

    _check_lists = field_validator(
        "when_to_use", "how_to", "key_phrases", "follow_up_questions", "warnings",
        "synonyms", "references",
    )(_nonblank)
    _check_fill = field_validator("key_phrases", "follow_up_questions", "how_to")(_check_placeholders)


class PhaseGuide(_Strict):
    """Guidance for one phase of an IPT course."""

    id: Phase
    name: str
    sessions: str = Field(description="Session range in a 16-session course, e.g. '1-3'.")
    summary: str = Field(min_length=40)
    goals: list[str] = Field(min_length=3)
    tasks: list[str] = Field(min_length=4, description="Checklist for the phase.")
    session_structure: list[str] = Field(min_length=3, description="How one session runs.")
    avoid: list[str] = Field(min_length=3, description="What not to do in this phase.")
    termination: str = Field(min_length=20, description="How and when ending is raised.")
    techniques: list[str] = Field(min_length=3)
    references: list[str] = Field(min_length=1)

    _check_lists = field_validator("goals", "tasks", "session_structure", "avoid")(_nonblank)


class DisputeStage(_Strict):
    id: Literal["renegotiation", "impasse", "dissolution"]
    name: str
    description: str = Field(min_length=30)
    signs: list[str] = Field(min_length=2)
    strategy: list[str] = Field(min_length=2)


class PhaseFocus(_Strict):
    """What a focal area asks for in one phase: the short answer and the steps that fit that phase."""

    answer: str = Field(min_length=40, description="One or two sentences: what to do now, in this phase.")
    steps: list[str] = Field(min_length=2)

    _check_lists = field_validator("steps")(_nonblank)
    _check_fill = field_validator("steps")(_check_placeholders)


class FocalAreaGuide(_Strict):
    """Guidance for one IPT focal (problem) area."""

    id: FocalArea
    name: str
    summary: str = Field(min_length=40)
    indicators: list[str] = Field(min_length=3)
    goals: list[str] = Field(min_length=2)
    strategies: list[str] = Field(min_length=4)
    techniques: list[str] = Field(min_length=3)
    pitfalls: list[str] = Field(min_length=2)
    cues: list[str] = Field(
        min_length=8,
        description="Words and phrases in a clinician's question that point to this area "
        "(lower case; used by code to infer the area, with the match kept as evidence).",
    )
    stages: list[DisputeStage] = Field(default_factory=list)
    by_phase: dict[Phase, PhaseFocus] = Field(
        description="The short answer and steps for this area in each phase (all four phases).")
    references: list[str] = Field(min_length=1)

    _check_lists = field_validator("indicators", "goals", "strategies", "pitfalls", "cues")(_nonblank)

    @field_validator("by_phase")
    @classmethod
    def _all_phases(cls, value: dict[str, PhaseFocus]) -> dict[str, PhaseFocus]:
        missing = [p for p in PHASES if p not in value]
        if missing:
            raise ValueError(f"missing phase(s): {', '.join(missing)}")
        return value


class FocalAreaSelection(_Strict):
    """How to choose one primary focal area and name a secondary one."""

    summary: str = Field(min_length=40)
    answer: str = Field(min_length=40, description="The short answer when no focal area is known yet.")
    steps: list[str] = Field(min_length=3)
    settling_questions: list[str] = Field(
        min_length=2, description="Questions to the client whose answers would settle the focal area.")
    pitfalls: list[str] = Field(min_length=2)


class FocalAreasFile(_Strict):
    areas: list[FocalAreaGuide] = Field(min_length=4, max_length=4)
    selection: FocalAreaSelection


class Trap(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z_]+$")
    name: str
    description: str = Field(min_length=30)
    signs: list[str] = Field(min_length=2)
    remedy: str = Field(min_length=20)


class ModalityContrast(_Strict):
    id: Literal["ipt", "cbt", "psychodynamic"]
    name: str
    focus: str = Field(min_length=20)
    markers: list[str] = Field(min_length=3)


class StabiliseFirst(_Strict):
    """A situation where ordinary IPT waits or is not the right treatment."""

    id: str = Field(pattern=r"^[a-z][a-z_]+$")
    name: str
    kind: Literal["stabilise_first", "not_ipt_fit"]
    description: str = Field(min_length=30)
    what_to_do: list[str] = Field(min_length=2)
    references: list[str] = Field(default_factory=list)


class OutOfFrameMethod(_Strict):
    """A method from another model that clinicians sometimes ask IPT to use."""

    id: str = Field(pattern=r"^[a-z][a-z_]+$")
    name: str
    belongs_to: str
    why_not: str = Field(min_length=20)
    ipt_instead: str = Field(min_length=20)
    techniques: list[str] = Field(min_length=1)


class Adaptation(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z_]+$")
    name: str
    population: str
    changes: list[str] = Field(min_length=2)
    cues: list[str] = Field(min_length=2)
    references: list[str] = Field(min_length=1)


class RiskSafety(_Strict):
    """The safety steps for one kind of risk (the tool prompts; the clinician assesses)."""

    kind: RiskKind
    name: str
    steps: list[str] = Field(min_length=3, max_length=6)
    ask: str = Field(min_length=15, description="A direct question the clinician can ask now.")
    resume: str = Field(min_length=30, description="When and how ordinary IPT work resumes.")
    frame_entry: str | None = Field(default=None, description="The stabilise_first entry with background.")
    child_steps: list[str] | None = Field(
        default=None, min_length=3, max_length=6,
        description="The steps instead, when the one at risk is the client's own baby or young child.")
    child_ask: str | None = Field(default=None, min_length=15, description="The direct question for that case.")
    child_resume: str | None = Field(default=None, min_length=30, description="When IPT resumes in that case.")

    _check_lists = field_validator("steps")(_nonblank)

    def for_case(self, own_baby: bool) -> tuple[list[str], str, str]:
        """(steps, ask, resume): the perinatal ones when the one at risk is the client's own baby and they exist."""
        if own_baby and self.child_steps:
            return self.child_steps, self.child_ask or self.ask, self.child_resume or self.resume
        return self.steps, self.ask, self.resume


class FrameFile(_Strict):
    traps: list[Trap] = Field(min_length=4)
    modalities: list[ModalityContrast] = Field(min_length=3)
    stabilise_first: list[StabiliseFirst] = Field(min_length=6)
    out_of_frame: list[OutOfFrameMethod] = Field(min_length=6)
    adaptations: list[Adaptation] = Field(min_length=6)
    safety_first: list[str] = Field(
        min_length=3, description="What every safety-first answer says, whatever the kind of risk."
    )
    safety_steps: list[RiskSafety] = Field(min_length=len(RISK_KINDS))

    @field_validator("safety_steps")
    @classmethod
    def _every_kind_once(cls, value: list[RiskSafety]) -> list[RiskSafety]:
        kinds = [r.kind for r in value]
        missing = [k for k in RISK_KINDS if k not in kinds]
        if missing:
            raise ValueError(f"missing risk kind(s): {', '.join(missing)}")
        dupes = sorted({k for k in kinds if kinds.count(k) > 1})
        if dupes:
            raise ValueError(f"risk kind(s) listed twice: {', '.join(dupes)}")
        return value


class PhasedText(_Strict):
    """A step that applies only in some phases."""

    text: str = Field(min_length=10)
    phases: list[Phase] = Field(min_length=1)


Step = Union[str, PhasedText]


def step_text(step: Step) -> str:
    return step if isinstance(step, str) else step.text


def step_fits(step: Step, phase: str | None) -> bool:
    """A plain step fits every phase; a phased one only its phases (and any phase when unknown)."""
    return isinstance(step, str) or phase is None or phase in step.phases


class Situation(_Strict):
    """A situation or dilemma that comes up during an IPT course, with the IPT answer to it."""

    id: str = Field(pattern=r"^[a-z][a-z_]+$")
    name: str = Field(min_length=5)
    recognise: list[str] = Field(min_length=5, description="How clinicians describe it (recognition exemplars).")
    answer: str = Field(min_length=80, description="The IPT answer in 2-4 sentences: the stance first.")
    stance: list[str] = Field(min_length=2, description="Key words of the answer (each must appear in it).")
    steps: list[Step] = Field(min_length=3)
    wording: list[str] = Field(min_length=2, description="Things the clinician can say (placeholders allowed).")
    follow_up: list[str] = Field(min_length=1, description="Questions to ask the client.")
    pitfalls: list[str] = Field(min_length=1)
    phases: list[Phase] = Field(default_factory=list, description="Where it usually arises (empty: any).")
    focal_areas: list[FocalArea] = Field(default_factory=list, description="Where it usually arises (empty: any).")
    techniques: list[str] = Field(min_length=1)
    schools: str | None = Field(default=None, description="Where Weissman/Markowitz and Stuart & Robertson differ.")
    needs_risk: bool = Field(default=False, description="Matched only when the question carries risk signals.")
    references: list[str] = Field(min_length=1)

    _check_lists = field_validator("recognise", "wording", "follow_up", "pitfalls", "stance", "references")(_nonblank)
    _check_fill = field_validator("steps", "wording", "follow_up")(_check_placeholders)

    @field_validator("answer")
    @classmethod
    def _two_to_four_sentences(cls, value: str) -> str:
        value = " ".join(value.split())
        n = sentence_count(value)
        if not 2 <= n <= 4:
            raise ValueError(f"the answer must be 2-4 sentences, got {n}")
        return value

    @field_validator("stance")
    @classmethod
    def _stance_in_answer(cls, value: list[str], info) -> list[str]:  # type: ignore[no-untyped-def]
        answer = (info.data.get("answer") or "").lower()
        missing = [w for w in value if w.lower() not in answer]
        if answer and missing:
            raise ValueError(f"stance word(s) not in the answer: {', '.join(missing)}")
        return value


class SituationsFile(_Strict):
    general: list[str] = Field(
        min_length=10, description="Ordinary next-step questions that match no situation (contrast exemplars).")
    situations: list[Situation] = Field(min_length=40)

    _check_lists = field_validator("general")(_nonblank)
