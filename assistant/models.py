"""Typed results the assistant returns: :class:`Answer`, :class:`Note` and their parts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr

Mode = Literal["offline", "llm"]
PhaseName = Literal["initial", "middle", "termination", "maintenance"]
FocalAreaName = Literal["grief", "role_dispute", "role_transition", "interpersonal_deficits"]
NoteFormat = Literal["soap", "dap", "birp", "girp"]

#: Flag codes an :class:`Answer` can carry.
ANSWER_FLAG_CODES = (
    "risk",
    "risk_unasked",
    "out_of_frame_request",
    "not_ipt_fit",
    "frame_violation",
    "safety_undone",
    "endpoint_error",
    "citation_missing",
    "phantom_citation",
    "focal_area_unknown",
    "session_number_unknown",
    "adaptation",
)
#: Flag codes a :class:`Note` can carry.
NOTE_FLAG_CODES = (
    "risk_present",
    "risk_not_documented",
    "unsupported_claim",
    "no_interpersonal_task",
    "focal_area_unknown",
    "focal_area_inferred",
    "session_number_unknown",
    "endpoint_error",
    "fallback_offline",
)


class Flag(BaseModel):
    """Something the clinician should know about an answer or a note."""

    code: str
    message: str
    span: str | None = Field(default=None, description="The text the flag is about, if any.")


class Citation(BaseModel):
    id: str
    title: str
    kind: Literal["technique", "phase", "focal_area", "frame"]


class Usage(BaseModel):
    """Token counts: ``prompt_tokens`` counted locally with tiktoken; the rest from the endpoint."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    context_tokens: int = 0
    model_calls: int = 0
    latency_ms: float = 0.0


class FocalEvidence(BaseModel):
    area: FocalAreaName
    score: float
    cues: list[str]


class Answer(BaseModel):
    """The answer to a "what do I do next?" question."""

    answer: str = Field(description="Markdown text for the clinician.")
    mode: Mode
    model: str | None = None
    session: int | None = None
    total_sessions: int = 16
    phase: PhaseName | None = None
    focal_area: FocalAreaName | None = None
    focal_area_source: Literal["given", "inferred"] | None = None
    focal_evidence: list[FocalEvidence] = Field(default_factory=list)
    secondary_focal_area: FocalAreaName | None = None
    techniques: list[str] = Field(default_factory=list, description="Most recommended first.")
    citations: list[Citation] = Field(default_factory=list)
    retrieved: list[str] = Field(default_factory=list, description="Technique ids that were retrieved.")
    flags: list[Flag] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)

    def has_flag(self, code: str) -> bool:
        return any(f.code == code for f in self.flags)


class RiskStatus(BaseModel):
    """Risk as documented in the clinician's bullets; never inferred beyond them."""

    status: Literal["present", "possible", "denied", "not_assessed", "not_documented"] = "not_documented"
    details: list[str] = Field(default_factory=list, description="Risk lines, verbatim.")
    ideation: Literal["passive", "active"] | None = None
    plan: bool | None = None
    intent: bool | None = None
    means: bool | None = None
    safety_plan_reviewed: bool | None = None
    safety_plan_text: str | None = Field(default=None, description="The bullets' own words about the safety plan.")
    denial_text: str | None = Field(default=None, description="The clinician's own denial wording.")


class SessionFacts(BaseModel):
    """What the clinician's bullets say, parsed; every value traces back to a bullet."""

    bullets: list[str]
    session: int | None = None
    total_sessions: int | None = None
    phase: PhaseName | None = None
    focal_area: FocalAreaName | None = None
    focal_area_source: Literal["given", "stated", "inferred"] | None = None
    focal_person: str | None = None
    mood: list[str] = Field(default_factory=list, description="Mood lines and ratings exactly as written.")
    ratings: list[str] = Field(default_factory=list, description="Scores and scales as written (PHQ-9 14).")
    symptoms: list[str] = Field(default_factory=list)
    interventions: list[str] = Field(default_factory=list, description="Intervention lines, verbatim.")
    techniques: list[str] = Field(default_factory=list, description="Catalog ids matched in interventions.")
    technique_evidence: dict[str, str] = Field(default_factory=dict)
    client_response: list[str] = Field(default_factory=list)
    interpersonal_events: list[str] = Field(default_factory=list)
    tasks: list[str] = Field(default_factory=list, description="Interpersonal tasks between sessions.")
    task_review: list[str] = Field(default_factory=list, description="Last task, how it went.")
    risk: RiskStatus = Field(default_factory=RiskStatus)
    plan: list[str] = Field(default_factory=list)
    goals: list[str] = Field(default_factory=list)
    other: list[str] = Field(default_factory=list, description="Anything unclassified, verbatim.")
    session_kind: Literal["regular", "missed", "group", "joint", "non_ipt"] = "regular"
    session_kind_evidence: list[str] = Field(default_factory=list, description="Clauses that set the kind, verbatim.")
    focal_status: Literal["agreed", "tentative", "unknown"] = "unknown"
    focal_statement: str | None = Field(default=None, description="The clause that states the focus, verbatim.")
    measures: list[str] = Field(default_factory=list, description="Each named scale with its score, verbatim.")
    observations: list[str] = Field(default_factory=list, description="What the clinician observed in session.")
    interventions_planned: list[str] = Field(default_factory=list, description="Interventions planned, not done.")
    non_ipt: list[str] = Field(default_factory=list, description="Non-IPT work documented, verbatim.")
    session_notes: list[str] = Field(default_factory=list, description="Attendance: missed, cancelled, joint.")
    conflicts: list[str] = Field(default_factory=list, description="Given values that disagree with the bullets.")
    #: The signal layer's reading of the bullets (kept so the fact check does not read them again).
    _signals: object = PrivateAttr(default=None)
    #: The bullets' clauses as the fact check reads them when the note keeps a dash's addition with the work it
    #: describes (None: the clauses themselves): a draft's sentence may paraphrase the addition alone.
    _evidence: object = PrivateAttr(default=None)
    clauses: list[tuple[str, str]] = Field(default_factory=list,
                                           description="Every clause of the bullets with the one field it went to.")


class Note(BaseModel):
    """A drafted progress note."""

    format: NoteFormat
    sections: dict[str, str] = Field(description="Ordered section name -> text.")
    text: str = Field(description="The whole note as markdown.")
    facts: SessionFacts
    techniques: list[str] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    mode: Mode = "offline"
    model: str | None = None
    usage: Usage = Field(default_factory=Usage)

    def has_flag(self, code: str) -> bool:
        return any(f.code == code for f in self.flags)
