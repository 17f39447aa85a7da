"""The reasoning code does before any prose is written: input checks, session and
phase, risk, focal area, frame screen and ranked techniques -> :class:`AskPlan`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .catalog import Catalog
from .errors import InputError
from .models import Flag, FocalEvidence
from .phase import (DEFAULT_TOTAL, MAX_TOTAL, PhaseInfo, maintenance_mentioned, maintenance_phase,
                    parse_session_mention, phase_for)
from .retrieval import Hit, Retriever
from .schema import FOCAL_AREAS
from .signals import FocalInference, RequestView, RiskView, read_text
from .signals.screens import RISK_TO_FRAME, named_focus

if TYPE_CHECKING:  # pragma: no cover
    from .situations import SituationMatch

__all__ = ["AskPlan", "plan_question", "RISK_TO_FRAME", "CONTRAINDICATED", "check_question", "normalise_focus"]

MAX_QUESTION_CHARS = 8_000
TOP_TECHNIQUES = 5

_STAGE_CUES = {
    "impasse": r"\b(?:stopped\s+talking|silent\s+treatment|won'?t\s+(?:speak|talk)|not\s+(?:speaking|talking)|"
               r"given\s+up|stalemate|impasse|cold\s+war|avoid(?:ing|s)?\s+each\s+other|no\s+longer\s+(?:talk|speak|argue))",
    "dissolution": r"\b(?:divorc\w*|leav(?:e|ing)\s+(?:him|her|the\s+marriage|the\s+relationship)|separat(?:e|ing|ion)|"
                   r"break(?:ing)?\s+up|end(?:ing)?\s+(?:the|their)\s+(?:relationship|marriage|friendship)|mov(?:e|ing)\s+out|"
                   r"cut(?:ting)?\s+(?:him|her|them)\s+off|quit(?:ting)?\s+(?:the|her|his)\s+job)",
}


def normalise_focus(value: str | None) -> str | None:
    """Accept 'role dispute', 'role-dispute', 'dispute', 'deficits', ... -> canonical id."""
    if value is None:
        return None
    key = re.sub(r"[\s\-]+", "_", value.strip().lower())
    aliases = {
        "dispute": "role_dispute", "disputes": "role_dispute", "role_disputes": "role_dispute",
        "conflict": "role_dispute", "transition": "role_transition", "role_transitions": "role_transition",
        "transitions": "role_transition", "deficits": "interpersonal_deficits",
        "interpersonal_deficit": "interpersonal_deficits", "isolation": "interpersonal_deficits",
        "interpersonal_sensitivity": "interpersonal_deficits", "bereavement": "grief", "loss": "grief",
    }
    key = aliases.get(key, key)
    if key not in FOCAL_AREAS:
        raise InputError(f"unknown focal area {value!r}: use one of {', '.join(FOCAL_AREAS)}")
    return key


def check_question(question: object) -> str:
    if not isinstance(question, str):
        raise InputError("the question must be text")
    text = question.strip()
    if not text:
        raise InputError("the question is empty")
    if len(text) > MAX_QUESTION_CHARS:
        raise InputError(f"the question is too long ({len(text)} characters; the limit is {MAX_QUESTION_CHARS})")
    if "\x00" in text:
        raise InputError("the question contains binary data")
    return text


def dispute_stage(text: str) -> str | None:
    for stage, pat in _STAGE_CUES.items():
        if re.search(pat, text, re.IGNORECASE):
            return stage
    if re.search(r"\b(?:argu|fight|fought|clash|disagree|row|bicker|quarrel|resent|conflict)", text, re.IGNORECASE):
        return "renegotiation"
    return None


@dataclass
class AskPlan:
    question: str
    session: int | None
    total: int
    phase: PhaseInfo | None
    focal_area: str | None
    focal_source: str | None
    focal_evidence: list[FocalEvidence]
    secondary: str | None
    risk: RiskView
    request: RequestView
    hits: list[Hit]
    stage: str | None = None
    flags: list[Flag] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)  # named techniques that do not fit the focus
    situation: "SituationMatch | None" = None  # the IPT situation or dilemma the question is about

    @property
    def techniques(self) -> list[str]:
        return [h.doc_id for h in self.hits]

    @property
    def safety_first(self) -> bool:
        return self.risk.is_risk


def plan_question(question: str, retriever: Retriever, catalog: Catalog, *, session: int | None = None,
                  total_sessions: int | None = DEFAULT_TOTAL, focal_area: str | None = None,
                  k: int = TOP_TECHNIQUES) -> AskPlan:
    """Decide everything code can decide about a question."""
    text = check_question(question)
    focus = normalise_focus(focal_area)
    mentioned, mentioned_total, _ = parse_session_mention(text)
    # A course length stated in the question ("session 10 of 12") wins over the default of 16;
    # an explicit non-default argument (--of M) wins over both.
    if total_sessions in (None, DEFAULT_TOTAL) and mentioned_total:
        total = mentioned_total
    else:
        total = total_sessions or DEFAULT_TOTAL
    if session is None and mentioned is not None:
        session = total if mentioned == -1 else mentioned
    if session is not None and (session < 1 or session > MAX_TOTAL):
        raise InputError(f"session number must be between 1 and {MAX_TOTAL}, got {session}")
    info = phase_for(session, total) if session is not None else (
        maintenance_phase(total) if maintenance_mentioned(text) else None)
    flags: list[Flag] = []

    vector: list[object] = []
    reading = read_text(text, catalog=catalog, explicit_focus=named_focus(text), vector_out=vector)
    risk = reading.risk
    inference = reading.focal if focus is None else FocalInference(None, None, [])
    primary = focus or inference.primary
    source = "given" if focus else ("inferred" if inference.primary else None)
    request = reading.request
    if primary is not None and "anxiety_without_interpersonal_trigger" in request.not_fit and focus:
        request.not_fit.remove("anxiety_without_interpersonal_trigger")

    if risk.level == "risk":
        flags.append(Flag(code="risk", message=f"Risk mentioned: {risk.describe()}. Safety first; ordinary IPT work waits.",
                          span=risk.present[0].span))
    elif risk.level == "possible_risk":
        flags.append(Flag(code="risk", message=f"Possible risk ({risk.describe()}): ask directly before ordinary IPT work.",
                          span=risk.present[0].span))
    elif risk.unasked:
        flags.append(Flag(code="risk_unasked", message=f"Not yet asked: {risk.describe_unasked()}. Ask directly; if the "
                          "answer is yes, safety comes before ordinary IPT work."))
    for mid in request.out_of_frame:
        item = catalog.frame_entries.get(mid)
        name = item.name if item else mid.replace("_", " ")
        flags.append(Flag(code="out_of_frame_request", message=f"{name} is outside the IPT frame; redirected.",
                          span=request.spans.get(mid)))
    for sid in request.not_fit:
        item = catalog.frame_entries.get(sid)
        flags.append(Flag(code="not_ipt_fit", message=f"{item.name if item else sid}: check whether IPT is the right treatment.",
                          span=request.spans.get(sid)))
    for aid in request.adaptations:
        ad = catalog.frame_entries[aid]
        flags.append(Flag(code="adaptation", message=f"Consider the {ad.name} adaptation.", span=request.spans.get(aid)))
    if info is None:
        flags.append(Flag(code="session_number_unknown",
                          message="No session number given; phase-specific advice needs it (--session N)."))
    if primary is None:
        flags.append(Flag(code="focal_area_unknown",
                          message="No focal area given or evident; the interpersonal inventory decides it (--focus AREA)."))

    phase_name = info.phase if info else None
    query = text
    if primary:
        query += " " + catalog.focal_areas[primary].name
    named = retriever.named_techniques(text)
    hits = retriever.techniques(query, phase=phase_name, focal_area=primary, k=max(k, 8), named=named,
                                query_vector=vector[0] if vector else None)
    # A technique the clinician names that does not fit the focal area is explained, not recommended.
    mismatched = [t for t in named if primary and primary not in catalog.techniques[t].focal_areas]
    named = [t for t in named if t not in mismatched]
    hits = [h for h in hits if h.doc_id not in mismatched]
    hits = _prioritise(hits, catalog, risk, request, info, primary, named)[:k]
    stage = dispute_stage(text) if primary == "role_dispute" else None
    plan = AskPlan(text, session, total, info, primary, source, inference.evidence, inference.secondary,
                   risk, request, hits, stage, flags, mismatched)
    from .situations import match_for_plan

    plan.situation = match_for_plan(plan, catalog, query_vector=vector[0] if vector else None)
    return plan


#: Techniques held back while a risk kind is signalled, at either level (stated or possible): no role
#: play or rehearsed confrontation with a violent partner (and no joint session: IPT's conjoint work is
#: not offered under intimate partner violence); no ordinary IPT steps before stabilisation in mania,
#: psychosis or intoxication.
_ORDINARY = {"role_play", "role_dispute_resolution", "communication_analysis", "decision_analysis",
             "encouragement_of_affect", "affect_exploration", "grief_work", "role_transition_support",
             "interpersonal_deficits_work", "social_skills_training", "communication_patterns", "directive_techniques"}
CONTRAINDICATED = {
    "ipv": {"role_play", "role_dispute_resolution", "communication_analysis", "communication_patterns",
            "decision_analysis"},
    "harm_to_others": {"role_play", "role_dispute_resolution"},
    "safeguarding": {"role_play"},
    "intoxication": _ORDINARY,
    "psychosis": _ORDINARY,
    "mania": _ORDINARY,
    "suicide_plan": {"role_play"},
}
#: Held back under any risk, stated or possible: rehearsing a confrontation before safety is addressed.
ANY_RISK = {"role_play", "role_dispute_resolution"}
#: What comes first for each risk kind (after asking directly).
_SAFETY_FIRST_TECHNIQUES = {"mania": ["psychoeducation"], "psychosis": ["psychoeducation"],
                            "intoxication": ["psychoeducation"]}


def _initial_steps(info: PhaseInfo) -> list[str]:
    """What the initial phase does first, by session: diagnosis and sick role, inventory and
    timeline, then the formulation and contract at the last initial session."""
    if info.session == 1:
        return ["psychoeducation", "interpersonal_inventory"]
    if info.session is not None and info.session >= info.initial_end:
        return ["case_formulation", "interpersonal_inventory"]
    return ["interpersonal_inventory", "symptom_timeline"]


def _prioritise(hits: list[Hit], catalog: Catalog, risk: RiskView, request: RequestView,
                info: PhaseInfo | None, focal: str | None, named: list[str] | None = None) -> list[Hit]:
    """Code-level IPT rules on top of retrieval: what comes first in this situation."""
    order = [h.doc_id for h in hits]
    first: list[str] = list(named or [])
    if risk.is_risk:
        first[:0] = ["direct_elicitation"] + [t for c in risk.categories for t in _SAFETY_FIRST_TECHNIQUES.get(c, [])]
    elif risk.unasked:
        first[:0] = ["direct_elicitation"]  # a risk not yet asked about: asking directly comes first
    for mid in request.out_of_frame:
        item = catalog.frame_entries.get(mid)
        if item:
            fitting = [t for t in item.techniques
                       if focal is None or focal in catalog.techniques[t].focal_areas]
            first.extend(fitting[:2])
    if info is not None and info.phase == "initial":
        first.extend(_initial_steps(info))
    if info is not None and info.phase == "termination":
        first.insert(0, "termination_work")
    seen: list[str] = []
    for tid in first + order:
        if tid not in seen and tid in catalog.techniques:
            seen.append(tid)
    blocked = set().union(*(CONTRAINDICATED.get(c, set()) for c in risk.categories)) if risk.is_risk else set()
    if risk.is_risk:
        blocked |= ANY_RISK  # rehearsal waits until safety has been addressed, whatever the kind
    seen = [t for t in seen if t not in blocked]
    if info is not None and info.phase == "middle" and info.raise_termination and "termination_work" not in seen[:3]:
        # Two to four sessions before the end, raising the ending belongs in the plan.
        seen = [t for t in seen if t != "termination_work"]
        seen.insert(min(2, len(seen)), "termination_work")
    by_id = {h.doc_id: h for h in hits}
    return [by_id.get(tid) or Hit(f"technique:{tid}", "technique", tid, catalog.techniques[tid].name, 0.0)
            for tid in seen]
