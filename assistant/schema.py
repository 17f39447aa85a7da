"""Pydantic schemas for the knowledge base files in ``knowledge/``.

Every YAML file is validated against these models at load time; the loader
(:mod:`assistant.catalog`) turns a validation error into a message that names
the file, the entry and the field.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Phase = Literal["initial", "middle", "termination", "maintenance"]
FocalArea = Literal["grief", "role_dispute", "role_transition", "interpersonal_deficits"]

PHASES: tuple[str, ...] = ("initial", "middle", "termination", "maintenance")
FOCAL_AREAS: tuple[str, ...] = ("grief", "role_dispute", "role_transition", "interpersonal_deficits")

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
    references: list[str] = Field(min_length=1)

    _check_lists = field_validator("indicators", "goals", "strategies", "pitfalls", "cues")(_nonblank)


class FocalAreaSelection(_Strict):
    """How to choose one primary focal area and name a secondary one."""

    summary: str = Field(min_length=40)
    steps: list[str] = Field(min_length=3)
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


class FrameFile(_Strict):
    traps: list[Trap] = Field(min_length=4)
    modalities: list[ModalityContrast] = Field(min_length=3)
    stabilise_first: list[StabiliseFirst] = Field(min_length=6)
    out_of_frame: list[OutOfFrameMethod] = Field(min_length=6)
    adaptations: list[Adaptation] = Field(min_length=6)
    safety_first: list[str] = Field(
        min_length=4, description="Steps of the safety-first answer when risk appears."
    )
