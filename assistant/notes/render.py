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
RISK_NOT_DOCUMENTED = "Risk was not documented in the session bullets; clinician to complete."
_OBSERVED = ("appeared", "presented", "observed", "affect", "tearful", "eye contact", "groomed", "on time",
             "late", "arrived", "speech", "oriented", "engaged", "attended", "psychomotor")


def _sentence(text: str) -> str:
    text = text.strip().rstrip(";,")
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


_LABEL = re.compile(r"^\s*(?:plan|task|hw|homework|next|goals?|f/u|risk|response|intervention)\s*[:\-–]\s*", re.I)


def _items(items: list[str]) -> str:
    """Verbatim bullets joined with semicolons, minus a leading label the heading already says."""
    return "; ".join(_LABEL.sub("", i).rstrip(".;") for i in items if i.strip())


def _join(items: list[str]) -> str:
    return " ".join(_sentence(i) for i in items if i.strip())


def frame_line(f: SessionFacts, cat: Catalog) -> str:
    """Session n of m, phase and focal area, in IPT language, or what is missing."""
    if f.session is not None:
        total = f.total_sessions or 16
        course = f" of {total}" if f.total_sessions else " (course length not documented)"
        phase = f"{f.phase} phase" if f.phase else "phase unknown"
        s = f"IPT session {f.session}{course}, {phase}."
    else:
        s = "IPT session; session number not documented."
    if f.focal_area:
        area = cat.focal_areas[f.focal_area].name.split(" (")[0].lower()
        who = f" with {f.focal_person}" if f.focal_person and f.focal_area in ("role_dispute",) else ""
        how = {"given": "", "stated": "", "inferred": " (inferred from the bullets; confirm)"}[f.focal_area_source or "stated"]
        s += f" Focal area: {area}{who}{how}."
    else:
        s += " Focal area not documented."
    return s


def interventions_text(f: SessionFacts, cat: Catalog) -> str:
    if not f.techniques and not f.interventions:
        return "No IPT interventions were documented."
    parts: list[str] = []
    if f.techniques:
        names = [cat.techniques[t].name.lower() for t in f.techniques]
        lead = "IPT interventions used: " + ", ".join(names) + "."
        parts.append(lead[0].upper() + lead[1:])
    parts.append("As documented: " + _items(f.interventions) + ".")
    return " ".join(parts)


def task_text(f: SessionFacts) -> str:
    if f.tasks:
        return "Interpersonal task agreed for before the next session: " + _items(f.tasks) + "."
    return "No interpersonal task was documented for before the next session."


def risk_assessment(f: SessionFacts) -> str:
    r = f.risk
    if r.status == "present":
        sp = {True: "Safety plan reviewed, as documented.", False: "Safety plan not reviewed, as documented.",
              None: "Safety plan status not documented."}[r.safety_plan_reviewed]
        return "Risk documented this session: " + _items(r.details) + ". " + sp
    if r.status == "possible":
        return ("Possible risk, as documented: " + _items(r.details) + ". Clinician to ask directly about suicidal "
                "thoughts and safety and document the answer.")
    if r.status == "not_assessed":
        return "Risk not assessed this session, as documented: " + _items(r.details) + "."
    if r.status == "denied":
        extra = [d for d in r.details if d not in (r.denial_text or "")]
        text = "Risk as documented: " + (r.denial_text or "").rstrip(".;") + "."
        return text + (" " + _join(extra) if extra else "")
    if r.details:
        return "Risk line as documented: " + _items(r.details) + ". " \
               "Suicidal ideation status was not documented in the session bullets; clinician to complete."
    return RISK_NOT_DOCUMENTED


def risk_plan(f: SessionFacts) -> str | None:
    if f.risk.status == "possible":
        return "Clinician to ask directly about risk at the next contact and follow the service's protocol if it is confirmed."
    if f.risk.status != "present":
        return None
    sp = {True: "safety plan reviewed as documented", False: "safety plan not reviewed as documented",
          None: "safety plan status not documented"}[f.risk.safety_plan_reviewed]
    return (f"Safety first: follow up the risk documented this session per crisis protocol ({sp}); "
            "ordinary IPT work resumes once the client is stable.")


def progress_text(f: SessionFacts) -> str:
    if f.task_review or f.client_response:
        return "Progress on the focal-area work, as documented: " + "; ".join(
            x.rstrip(".;") for x in f.task_review + [r for r in f.client_response if r not in f.task_review]) + "."
    return "Progress toward the focal-area goal was not documented."


def _subjective(f: SessionFacts) -> str:
    parts = []
    if f.mood:
        parts.append("Reported mood: " + _items(f.mood) + ".")
    if f.symptoms:
        parts.append("Symptoms: " + _items(f.symptoms) + ".")
    if f.interpersonal_events:
        parts.append("Interpersonal events: " + _items(f.interpersonal_events) + ".")
    if f.task_review:
        parts.append("Review of the last interpersonal task: " + _items(f.task_review) + ".")
    if f.other:
        parts.append("Also noted: " + _items(f.other) + ".")
    return " ".join(parts) or "No client report was documented."


def _objective(f: SessionFacts, cat: Catalog) -> str:
    observed = [x for x in f.mood + f.client_response if any(w in x.lower() for w in _OBSERVED)]
    parts = [frame_line(f, cat)]
    measures = [r for r in f.ratings if r not in f.mood]
    if measures:
        parts.append("Measures as recorded: " + _items(measures) + ".")
    if observed:
        parts.append("Observed: " + _items(observed) + ".")
    parts.append(interventions_text(f, cat))
    return " ".join(parts)


def _assessment(f: SessionFacts, cat: Catalog) -> str:
    parts = [frame_line(f, cat) if not f.focal_area else ""]
    if f.focal_area:
        area = cat.focal_areas[f.focal_area]
        verb = "Focal area identified:" if f.phase == "initial" else "Work continues in the focal area:"
        parts.append(f"{verb} {area.name.split(' (')[0].lower()}.")
    parts += [progress_text(f), risk_assessment(f)]
    return " ".join(p for p in parts if p)


def _plan(f: SessionFacts) -> str:
    parts = [task_text(f)]
    if f.plan:
        parts.append("Plan as documented: " + _items(f.plan) + ".")
    rp = risk_plan(f)
    if rp:
        parts.insert(0, rp)
    if f.risk.status in ("not_documented", "not_assessed"):
        parts.append("Complete and document the risk assessment for this session.")
    return " ".join(parts)


def _goals(f: SessionFacts, cat: Catalog) -> str:
    parts = [frame_line(f, cat)]
    if f.goals:
        parts.append("Goals as documented: " + _items(f.goals) + ".")
    elif f.focal_area:
        area = cat.focal_areas[f.focal_area]
        parts.append(f"IPT goal for this focal area (standard IPT aim, not a client-specific goal): {area.goals[0]}")
    else:
        parts.append("No treatment goal was documented.")
    return " ".join(parts)


def _data(f: SessionFacts, cat: Catalog) -> str:
    measures = [r for r in f.ratings if r not in f.mood]
    return " ".join([frame_line(f, cat), _subjective(f),
                     ("Measures as recorded: " + _items(measures) + ".") if measures else "",
                     interventions_text(f, cat),
                     ("Client response: " + _items(f.client_response) + ".") if f.client_response else ""]).replace("  ", " ").strip()


def _behavior(f: SessionFacts, cat: Catalog) -> str:
    parts = [frame_line(f, cat), _subjective(f)]
    measures = [r for r in f.ratings if r not in f.mood]
    if measures:
        parts.append("Measures as recorded: " + _items(measures) + ".")
    return " ".join(parts)


def _response(f: SessionFacts, with_status: bool = False) -> str:
    parts = []
    if with_status:  # GIRP has no data section: the client's status goes with the response
        measures = [r for r in f.ratings if r not in f.mood]
        parts.append(_subjective(f) if (f.mood or f.symptoms or f.interpersonal_events or f.task_review or f.other) else "")
        parts.append(("Measures as recorded: " + _items(measures) + ".") if measures else "")
    if f.client_response:
        parts.append("Client response: " + _items(f.client_response) + ".")
    else:
        parts.append("The client's response to the interventions was not documented.")
    parts.append(progress_text(f) if f.task_review and not with_status else "")
    parts.append(risk_assessment(f))
    return " ".join(p for p in parts if p)


def render_offline(f: SessionFacts, cat: Catalog, fmt: str) -> dict[str, str]:
    """Ordered section name -> text for ``fmt``."""
    if fmt == "soap":
        return {"Subjective": _subjective(f), "Objective": _objective(f, cat), "Assessment": _assessment(f, cat),
                "Plan": _plan(f)}
    if fmt == "dap":
        return {"Data": _data(f, cat), "Assessment": _assessment(f, cat), "Plan": _plan(f)}
    if fmt == "birp":
        return {"Behavior": _behavior(f, cat), "Intervention": interventions_text(f, cat), "Response": _response(f),
                "Plan": _plan(f)}
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
