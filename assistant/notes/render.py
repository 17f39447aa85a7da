"""Deterministic offline note renderer: readable clinical prose built only from
:class:`SessionFacts`, with catalog phrasing for the IPT interventions used."""

from __future__ import annotations

import re

from ..catalog import Catalog
from ..models import SessionFacts

FORMAT_SECTIONS: dict[str, tuple[str, ...]] = {
    "soap": ("Subjective", "Objective", "Assessment", "Plan"),
    "dap": ("Data", "Assessment", "Plan"),
    "birp": ("Behavior", "Intervention", "Response", "Plan"),
    "girp": ("Goals", "Intervention", "Response", "Plan"),
}
FORMAT_NAMES = {"soap": "SOAP", "dap": "DAP", "birp": "BIRP", "girp": "GIRP"}
#: Other spellings of a section's heading that notes use ("Goal" for GIRP's "Goals", British "Behaviour").
SECTION_SPELLINGS = {"goal": "goals", "behaviour": "behavior", "behaviours": "behavior", "behaviors": "behavior",
                     "interventions": "intervention", "responses": "response", "plans": "plan",
                     "assessments": "assessment"}


def section_of(heading: str, sections: tuple[str, ...]) -> str | None:
    """The format's section a heading names, in any of its usual spellings, or None."""
    name = heading.strip().lower()
    name = SECTION_SPELLINGS.get(name, name)
    return next((s for s in sections if s.lower() == name), None)
RISK_NOT_DOCUMENTED = "Risk was not documented in the session bullets; clinician to complete."


def _sentence(text: str) -> str:
    text = text.strip().rstrip(";,")
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


_LABEL = re.compile(r"^\s*(?:plan|task|hw|homework|next(?:\s+session)?|goals?|f/u|risk|response|intervention|"
                    r"between[\s-]sessions?|interpersonal\s+task|ipt\s+task|nxt|p)\s*(?:[:\-–—=>]|→)\s*", re.I)


def _unlabel(item: str) -> str:
    """A bullet clause minus a leading label the sentence already says ("HW: ", "Plan - ")."""
    return _LABEL.sub("", item, count=1).strip()


def _items(items: list[str]) -> str:
    """Clauses joined with semicolons, minus a leading label (kept for the risk lines, which stay whole)."""
    return "; ".join(_unlabel(i).rstrip(".;") for i in items if i.strip())


def _prose(items: list[str], lead: str = "") -> str:
    """One short sentence per clause, in the clinician's words; ``lead`` introduces the first."""
    out = []
    for i, item in enumerate(x for x in items if x.strip()):
        text = _unlabel(item)
        out.append(_sentence(f"{lead}{text}" if i == 0 and lead else text))
    return " ".join(out)


def _area_name(f: SessionFacts, cat: Catalog) -> str:
    return cat.focal_areas[f.focal_area].name.split(" (")[0].lower() if f.focal_area else ""


def frame_line(f: SessionFacts, cat: Catalog) -> str:
    """Session n of m, phase and focal area, in IPT language, or what is missing. A missed session or
    one with non-IPT work never gets an IPT phase."""
    if f.session_kind == "missed":
        which = f"Session {f.session}" + (f" of {f.total_sessions}" if f.total_sessions else "") \
            if f.session is not None else "Session"
        held = _prose(f.session_notes, f"{which} not held, as documented: ") or f"{which} not held."
        return held + (" " + focal_line(f, cat) if f.focal_area or f.focal_statement else "")
    total = f.total_sessions or 16
    course = f" of {total}" if f.total_sessions else " (course length not documented)"
    if f.session_kind == "non_ipt":
        s = (f"Session {f.session}{course}; it included work outside IPT." if f.session is not None
             else "Session number not documented; the session included work outside IPT.")
    elif f.session is not None:
        phase = f"{f.phase} phase" if f.phase else "phase unknown"
        kind = "IPT group session" if f.session_kind == "group" else "IPT session"
        s = f"{kind} {f.session}{course}, {phase}."
    else:
        s = "IPT session; session number not documented."
    if f.session_kind in ("group", "joint") and f.session_notes:
        s += " " + _prose(f.session_notes, "As documented: ")
    return s + " " + focal_line(f, cat)


def focal_line(f: SessionFacts, cat: Catalog) -> str:
    area = _area_name(f, cat)
    if f.focal_status == "tentative":
        if f.focal_statement:
            return _sentence(f"Focal area not yet agreed; under consideration, as documented: {f.focal_statement}")
        return _sentence(f"Focal area not yet agreed; under consideration: {area}" if f.focal_area
                         else "Focal area not yet agreed")
    if f.focal_area and f.focal_area_source == "inferred":
        return f"Focal area: {area} (inferred from the bullets; confirm)."
    if f.focal_area:
        detail = f" (as documented: {f.focal_statement})" if f.focal_statement else ""
        return f"Focal area: {area}{detail}."
    return "Focal area not documented."


def interventions_text(f: SessionFacts, cat: Catalog) -> str:
    parts: list[str] = []
    if f.session_kind != "missed" and f.techniques:
        names = [cat.techniques[t].name.lower() for t in f.techniques]
        parts.append(_sentence("IPT interventions used: " + ", ".join(names)))
    parts.append(_prose(f.interventions))
    if f.non_ipt:
        parts.append(_prose(f.non_ipt, "Work outside IPT, as documented: "))
    text = " ".join(p for p in parts if p)
    if not f.interventions and not f.techniques:
        lead = "No interventions were documented." if f.session_kind == "missed" else \
            "No IPT interventions were documented."
        text = (lead + " " + text).strip()
    return text


def task_text(f: SessionFacts) -> str:
    if f.tasks:
        return _prose(f.tasks, "Interpersonal task for before the next session: ")
    if f.session_kind == "missed":
        return ""
    return "No interpersonal task was documented for before the next session."


def _as_documented(what: str, details: list[str]) -> str:
    """"<what>, as documented: <details>." or, with no words of the bullets to quote, "<what>." (never an empty quote)."""
    return f"{what}, as documented: {_items(details)}." if details else f"{what}."


def risk_assessment(f: SessionFacts) -> str:
    r = f.risk
    if r.status == "present":
        sp = f"Safety plan, as documented: {r.safety_plan_text}." if r.safety_plan_text and r.safety_plan_reviewed \
            is not None else {True: "Safety plan reviewed, as documented.", False: "Safety plan not reviewed, as documented.",
                              None: "Safety plan status not documented."}[r.safety_plan_reviewed]
        return _as_documented("Risk", r.details) + " " + sp
    if r.status == "possible":
        return (_as_documented("Possible risk", r.details) + " Clinician to ask directly about suicidal "
                "thoughts and safety and document the answer.")
    if r.status == "not_assessed":
        # (Its words may be a plan alone, "to screen next wk (C-SSRS)", which the plan keeps: no empty quotation here.)
        return _as_documented("Risk not assessed this session", r.details)
    if r.status == "denied":
        extra = [d for d in r.details if d not in (r.denial_text or "")]
        text = "Risk screen, as documented: " + (r.denial_text or "").rstrip(".;") + "."
        return text + (" " + _prose(extra) if extra else "")
    if r.details:
        return "Risk line as documented: " + _items(r.details) + ". " \
               "Suicidal ideation status was not documented in the session bullets; clinician to complete."
    return RISK_NOT_DOCUMENTED


def risk_plan(f: SessionFacts) -> str | None:
    """A prompt to the clinician, only when risk is present or possible."""
    if f.risk.status == "possible":
        return ("Clinician to ask directly about risk at the next contact and follow the service's protocol if it "
                "is confirmed.")
    if f.risk.status != "present":
        return None
    # (the status in the bullets' words stands in the assessment; the plan does not restate it as done)
    sp = "safety plan status not documented" if f.risk.safety_plan_reviewed is None else \
        "safety plan as documented in the assessment"
    return (f"Safety first: clinician to follow up the risk documented this session under the service's crisis "
            f"protocol ({sp}) before ordinary IPT work.")


def progress_text(f: SessionFacts) -> str:
    if f.client_response:
        return _prose(f.client_response)
    if f.session_kind == "missed":
        return ""
    return "The client's response was not documented."


def _report(f: SessionFacts) -> str:
    """What the client reported: mood, symptoms, events, the last task, anything else said."""
    parts = [_prose(f.mood), _prose(f.symptoms), _prose(f.interpersonal_events),
             _prose(f.task_review), _prose(f.other)]
    return " ".join(p for p in parts if p)


def _measures(f: SessionFacts) -> str:
    return _prose(f.ratings, "Measures: ") if f.ratings else ""


def _observed(f: SessionFacts) -> str:
    return _prose(f.observations, "Observed: ") if f.observations else ""


def _goals_text(f: SessionFacts) -> str:
    if not f.goals:
        return ""
    # the bullets' own number: "goals: (1) ... (2) ..." is two goals, and the note keeps the plural
    plural = len(f.goals) > 1 or bool(_PLURAL_GOALS.match(f.goals[0]) or _NUMBERED.search(f.goals[0]))
    return _prose(f.goals, "Goals, as documented: " if plural else "Goal, as documented: ")


_PLURAL_GOALS = re.compile(r"\s*(?:treatment\s+|tx\s+)?(?:goals|aims|objectives)\b", re.I)
_NUMBERED = re.compile(r"\(2\)|(?:^|\s)2[.)]\s")


def _subjective(f: SessionFacts) -> str:
    return _report(f) or "No client report was documented."


def _objective(f: SessionFacts, cat: Catalog) -> str:
    parts = [frame_line(f, cat), _measures(f), _observed(f)]
    if f.session_kind != "missed" or f.interventions or f.non_ipt:
        parts.append(interventions_text(f, cat))
    if f.session_kind not in ("missed", "group", "joint") and f.session_notes:
        parts.append(_prose(f.session_notes, "Attendance: "))
    return " ".join(p for p in parts if p)


def _assessment(f: SessionFacts, cat: Catalog) -> str:
    parts = []
    if f.focal_area and f.focal_status == "agreed" and f.session_kind not in ("missed", "non_ipt"):
        verb = "Focal area identified:" if f.phase == "initial" else "Work continues in the focal area:"
        parts.append(f"{verb} {_area_name(f, cat)}.")
    parts += [_goals_text(f), progress_text(f), risk_assessment(f)]
    return " ".join(p for p in parts if p)


def _plan(f: SessionFacts) -> str:
    parts = [risk_plan(f) or "", task_text(f), _prose(f.interventions_planned, "Planned: "), _prose(f.plan)]
    if f.risk.status in ("not_documented", "not_assessed") and f.session_kind != "missed":
        parts.append("Complete and document the risk assessment for this session.")
    return " ".join(p for p in parts if p)


def _goals(f: SessionFacts, cat: Catalog) -> str:
    parts = [frame_line(f, cat)]
    if f.goals:
        parts.append(_goals_text(f))
    elif f.focal_area and f.focal_status == "agreed" and f.session_kind not in ("missed", "non_ipt"):
        area = cat.focal_areas[f.focal_area]
        parts.append(f"IPT goal for this focal area (standard IPT aim, not a client-specific goal): {area.goals[0]}")
    else:
        parts.append("No treatment goal was documented.")
    return " ".join(parts)


def _data(f: SessionFacts, cat: Catalog) -> str:
    parts = [frame_line(f, cat), _report(f), _measures(f), _observed(f)]
    if f.session_kind != "missed" or f.interventions or f.non_ipt:
        parts.append(interventions_text(f, cat))
    if f.session_kind not in ("missed", "group", "joint") and f.session_notes:
        parts.append(_prose(f.session_notes, "Attendance: "))
    return " ".join(p for p in parts if p)


def _behavior(f: SessionFacts, cat: Catalog) -> str:
    parts = [frame_line(f, cat), _subjective(f), _measures(f), _observed(f)]
    if f.session_kind not in ("missed", "group", "joint") and f.session_notes:
        parts.append(_prose(f.session_notes, "Attendance: "))
    return " ".join(p for p in parts if p)


def _response(f: SessionFacts, with_status: bool = False) -> str:
    parts = []
    if with_status:  # GIRP has no data section: the client's status goes with the response
        parts += [_report(f), _measures(f), _observed(f)]
        if f.session_kind not in ("missed", "group", "joint") and f.session_notes:
            parts.append(_prose(f.session_notes, "Attendance: "))
    parts += [progress_text(f), risk_assessment(f)]
    return " ".join(p for p in parts if p)


def render_offline(f: SessionFacts, cat: Catalog, fmt: str) -> dict[str, str]:
    """Ordered section name -> text for ``fmt``."""
    if fmt == "soap":
        return {"Subjective": _subjective(f), "Objective": _objective(f, cat), "Assessment": _assessment(f, cat),
                "Plan": _plan(f)}
    if fmt == "dap":
        return {"Data": _data(f, cat), "Assessment": _assessment(f, cat), "Plan": _plan(f)}
    if fmt == "birp":
        # BIRP has no goals section: a documented goal leads the plan
        return {"Behavior": _behavior(f, cat), "Intervention": interventions_text(f, cat), "Response": _response(f),
                "Plan": " ".join(p for p in (_goals_text(f), _plan(f)) if p)}
    if fmt == "girp":
        return {"Goals": _goals(f, cat), "Intervention": interventions_text(f, cat), "Response": _response(f, True),
                "Plan": _plan(f)}
    raise ValueError(fmt)


def to_markdown(fmt: str, sections: dict[str, str], mode: str) -> str:
    label = "offline draft built from your bullets" if mode == "offline" else "model draft, fact-checked against your bullets"
    out = [f"# IPT progress note ({FORMAT_NAMES[fmt]})", f"_Draft for clinician review — {label}._", ""]
    for name, text in sections.items():
        out += [f"## {name}", text.strip(), ""]
    return "\n".join(out).rstrip() + "\n"
