"""Pack retrieved knowledge into a token budget (counted with tiktoken) for the model prompt.

The model gets the same structure the offline composer uses: the matched situation (its IPT answer,
steps and wording) comes first after any frame or safety items, then the phase and the focal area's
guidance for this phase, then the techniques. Wording is filled for the person in the question
("your husband", "he"), so the model is not shown relatives the question never mentions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .catalog import Catalog
from .fitting import CLINICIAN, People, choose, fill, people_in
from .compose import own_child_at_risk, risk_kinds
from .schema import step_fits, step_text
from .situations import SituationMatch, situation_for
from .tokens import count_tokens, truncate_to_tokens


@dataclass
class PackedContext:
    text: str
    tokens: int
    technique_ids: list[str]  # techniques that made it into the context
    dropped: list[str]


def _technique_text(tid: str, cat: Catalog, full: bool, people: People | None = None) -> str:
    t = cat.techniques[tid]
    people = people or People()
    hows = [h for h in (fill(x, people, CLINICIAN) for x in (t.how_to if full else t.how_to[:3])) if h]
    lines = [f"[{tid}] {t.name}. {t.summary}"]
    if hows:
        lines.append("  Method: " + " ".join(_sentence(h) for h in hows))
    lines += _quoted("  Example wording", choose(t.key_phrases, people, 3 if full else 2))
    lines += _quoted("  Example question", choose(t.follow_up_questions, people, 2))
    if t.warnings:
        lines.append("  Caution: " + " ".join(_sentence(w) for w in t.warnings[:2 if full else 1]))
    return "\n".join(lines)


def _sentence(text: str) -> str:
    text = " ".join(str(text).split())
    return text if text[-1:] in ".!?" else text + "."


def _quoted(label: str, items: list[str]) -> list[str]:
    """One line of example wording, each item quoted (a reference to reword, not lines to copy)."""
    items = [" ".join(str(i).split()).strip('"') for i in items if str(i).strip()]
    return [f"{label}: " + " / ".join(f'"{i}"' for i in items)] if items else []


def _situation(plan: Any, cat: Catalog) -> SituationMatch | None:
    try:
        return situation_for(plan, cat)
    except Exception:  # noqa: BLE001 - the model still gets the rest of the context
        return None


def situation_text(sid: str, cat: Catalog, plan: Any, people: People) -> str:
    """The situation block: its direct answer first, then steps for this phase, wording and pitfalls."""
    s = cat.situations[sid]
    phase = plan.phase.phase if plan.phase else None
    steps = [x for x in (fill(step_text(st), people, CLINICIAN) for st in s.steps if step_fits(st, phase)) if x]
    lines = [f"[situation:{sid}] {s.name}", f"  The IPT answer: {_sentence(s.answer)}"]
    if steps:
        lines.append("  Steps in this phase: " + " ".join(f"({i}) {_sentence(x)}" for i, x in enumerate(steps[:4], 1)))
    lines += _quoted("  Example wording", choose(s.wording, people, 2))
    lines += _quoted("  Example question", choose(s.follow_up, people, 1))
    if s.pitfalls:
        lines.append(f"  Pitfall: {_sentence(s.pitfalls[0])}")
    if s.schools:
        lines.append(f"  Schools: {' '.join(s.schools.split())}")
    lines.append(f"  Techniques to cite: {', '.join(f'[{t}]' for t in s.techniques)}")
    return "\n".join(lines)


def _person_line(people: People) -> str:
    if people.other is None:
        return ("People: the question names no particular other person; say 'the other person' / 'they' in "
                "wording, and do not introduce a relative.")
    named = ", ".join(sorted({p.word for p in people.others}))
    o = people.other
    return (f"People: the question mentions {named}. Fit wording to {o.noun} ({o.pronoun('they')}/"
            f"{o.pronoun('them')}); name no relative the question does not mention.")


def case_block(plan: Any, cat: Catalog) -> str:
    lines = []
    if plan.phase and plan.phase.session is None:
        lines.append(f"Phase: {plan.phase.phase} (from the question; session number not given).")
    elif plan.phase:
        p = plan.phase
        lines.append(f"Session {p.session} of {p.total}; phase: {p.phase} (sessions {p.ranges[p.phase]}); "
                     f"{p.sessions_left} session(s) left after this one.")
    else:
        lines.append("Session number: not given (phase unknown).")
    if plan.focal_area:
        lines.append(f"Focal area: {plan.focal_area} ({plan.focal_source})"
                     + (f"; secondary: {plan.secondary}" if plan.secondary else ""))
    else:
        lines.append("Focal area: not chosen yet (give initial-phase steps and the question that would settle it).")
    if plan.stage:
        lines.append(f"Role dispute stage suggested by the wording: {plan.stage}.")
    sit = _situation(plan, cat)
    if sit is not None:
        lines.append(f"Matched situation: {sit.id} ({cat.situations[sit.id].name}); lead with its direct answer.")
    lines.append(_person_line(people_in(plan.question, plan.focal_area)))
    if plan.risk.is_risk:
        lines.append(f"RISK detected by code: {plan.risk.describe()}. Safety comes first.")
    elif getattr(plan.risk, "level", None) == "possible_risk":
        lines.append(f"Possible risk noted by code: {plan.risk.describe()}. Prompt the clinician to ask directly.")
    elif getattr(plan.risk, "unasked", None):
        lines.append(f"Not yet asked about, per the question: {plan.risk.describe_unasked()}. Tell the clinician to ask "
                     "directly, and that safety comes first if the answer is yes.")
    if plan.request.out_of_frame:
        lines.append("Out-of-frame request: " + ", ".join(plan.request.out_of_frame) + " (decline and redirect).")
    if plan.request.not_fit:
        lines.append("Possible poor fit for IPT: " + ", ".join(plan.request.not_fit) + ".")
    if plan.request.adaptations:
        lines.append("Adaptation to consider: " + ", ".join(plan.request.adaptations) + ".")
    return "\n".join(lines)


def pack_context(plan: Any, cat: Catalog, budget: int = 1600) -> PackedContext:
    """Priority order: frame and safety items, the matched situation, phase, focal area, then techniques
    best first, until the budget."""
    people = people_in(plan.question, plan.focal_area)
    blocks: list[tuple[str, str, bool]] = []  # (key, text, required)
    for mid in plan.request.out_of_frame:
        m = cat.frame_entries.get(mid)
        if m:
            blocks.append((f"frame:{mid}", f"[frame:{mid}] {m.name} ({m.belongs_to}): {m.why_not} IPT instead: {m.ipt_instead}", True))
    if plan.risk.is_risk:
        steps = " ".join(cat.frame.safety_first)
        blocks.append(("frame:safety_first", f"[frame:safety_first] {steps}", True))
        child = own_child_at_risk(plan)
        for k in risk_kinds(plan, cat, merge_ideation=False):
            r = cat.safety_by_kind[k]
            steps, ask, resume = r.for_case(child)
            blocks.append((f"safety:{k}", f"[safety:{k}] {r.name}: " + " ".join(steps) + f" Ask: {ask} "
                           f"Resume: {resume}", False))
    sit = _situation(plan, cat)
    if sit is not None:
        blocks.append((f"situation:{sit.id}", situation_text(sit.id, cat, plan, people), True))
    for sid in plan.request.not_fit:
        s = cat.frame_entries.get(sid)
        if s:
            blocks.append((f"frame:{sid}", f"[frame:{sid}] {s.name}: {s.description} " + " ".join(s.what_to_do[:2]), False))
    for aid in plan.request.adaptations:
        a = cat.frame_entries.get(aid)
        if a:
            blocks.append((f"frame:{aid}", f"[frame:{aid}] {a.name}: " + " ".join(a.changes[:3]), False))
    phase = plan.phase.phase if plan.phase else None
    if plan.phase:
        g = cat.phases[phase]
        blocks.append((f"phase:{g.id}", f"[phase:{g.id}] {g.name}. Tasks: " + " ".join(g.tasks[:4])
                       + " Avoid: " + " ".join(g.avoid[:2]) + f" Ending: {g.termination}", False))
    if plan.focal_area:
        a = cat.focal_areas[plan.focal_area]
        here = a.by_phase[phase or "middle"]
        steps = [x for x in (fill(s, people, CLINICIAN) for s in here.steps) if x]
        text = f"[focal_area:{a.id}] {a.name}: {a.summary} This phase: {here.answer} Steps: " + " ".join(steps)
        if plan.stage:
            st = next((s for s in a.stages if s.id == plan.stage), None)
            if st:
                text += f" Stage ({st.name}): {st.description} " + " ".join(st.strategy[:2])
        blocks.append((f"focal_area:{a.id}", text, False))
    else:
        sel = cat.focal.selection
        blocks.append(("focal_area:selection", f"[focal_area:selection] {sel.answer} Steps: " + " ".join(sel.steps[:3])
                       + " Ask: " + " ".join(sel.settling_questions[:2]), False))
    for i, tid in enumerate(plan.techniques):
        blocks.append((tid, _technique_text(tid, cat, full=i < 2, people=people), i < 2))

    parts: list[str] = []
    used = 0
    kept: list[str] = []
    dropped: list[str] = []
    for key, text, required in blocks:
        n = count_tokens(text) + 1
        if used + n > budget:
            if required and budget - used > 60:
                text = truncate_to_tokens(text, budget - used - 1)
                n = count_tokens(text) + 1
            else:
                dropped.append(key)
                continue
        parts.append(text)
        used += n
        if ":" not in key:
            kept.append(key)
    return PackedContext("\n\n".join(parts), used, kept, dropped)


def stuffed_catalog_tokens(cat: Catalog) -> int:
    """Tokens needed to put the whole technique catalog in a prompt (the naive baseline)."""
    return sum(count_tokens(_technique_text(t, cat, full=True)) for t in cat.techniques)
