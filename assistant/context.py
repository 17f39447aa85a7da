"""Pack retrieved knowledge into a token budget (counted with tiktoken) for the model prompt."""

from __future__ import annotations

from dataclasses import dataclass

from .catalog import Catalog
from .planning import RISK_TO_FRAME, AskPlan
from .tokens import count_tokens, truncate_to_tokens


@dataclass
class PackedContext:
    text: str
    tokens: int
    technique_ids: list[str]  # techniques that made it into the context
    dropped: list[str]


def _technique_text(tid: str, cat: Catalog, full: bool) -> str:
    t = cat.techniques[tid]
    lines = [f"[{tid}] {t.name}: {t.summary}"]
    lines += [f"  how: {s}" for s in (t.how_to if full else t.how_to[:3])]
    lines += [f"  say: {p}" for p in t.key_phrases[: 3 if full else 2]]
    lines += [f"  ask: {q}" for q in t.follow_up_questions[:2]]
    lines += [f"  warning: {w}" for w in t.warnings[:2 if full else 1]]
    return "\n".join(lines)


def case_block(plan: AskPlan, cat: Catalog) -> str:
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
        lines.append("Focal area: not chosen yet.")
    if plan.stage:
        lines.append(f"Role dispute stage suggested by the wording: {plan.stage}.")
    if plan.risk.is_risk:
        lines.append(f"RISK detected by code: {plan.risk.describe()}. Safety comes first.")
    if plan.request.out_of_frame:
        lines.append("Out-of-frame request: " + ", ".join(plan.request.out_of_frame) + " (decline and redirect).")
    if plan.request.not_fit:
        lines.append("Possible poor fit for IPT: " + ", ".join(plan.request.not_fit) + ".")
    if plan.request.adaptations:
        lines.append("Adaptation to consider: " + ", ".join(plan.request.adaptations) + ".")
    return "\n".join(lines)


def pack_context(plan: AskPlan, cat: Catalog, budget: int = 1600) -> PackedContext:
    """Priority order: frame items, phase, focal area, then techniques best first, until the budget."""
    blocks: list[tuple[str, str, bool]] = []  # (key, text, required)
    for mid in plan.request.out_of_frame:
        m = cat.frame_entries.get(mid)
        if m:
            blocks.append((f"frame:{mid}", f"[frame:{mid}] {m.name} ({m.belongs_to}): {m.why_not} IPT instead: {m.ipt_instead}", True))
    if plan.risk.is_risk:
        steps = " ".join(cat.frame.safety_first[:4])
        blocks.append(("frame:safety_first", f"[frame:safety_first] {steps}", True))
        for c in plan.risk.categories:
            s = cat.frame_entries.get(RISK_TO_FRAME.get(c, ""))
            if s:
                blocks.append((f"frame:{s.id}", f"[frame:{s.id}] {s.name}: " + " ".join(s.what_to_do[:3]), False))
    for sid in plan.request.not_fit:
        s = cat.frame_entries.get(sid)
        if s:
            blocks.append((f"frame:{sid}", f"[frame:{sid}] {s.name}: {s.description} " + " ".join(s.what_to_do[:2]), False))
    for aid in plan.request.adaptations:
        a = cat.frame_entries[aid]
        blocks.append((f"frame:{aid}", f"[frame:{aid}] {a.name}: " + " ".join(a.changes[:3]), False))
    if plan.phase:
        g = cat.phases[plan.phase.phase]
        blocks.append((f"phase:{g.id}", f"[phase:{g.id}] {g.name}. Tasks: " + " ".join(g.tasks[:4])
                       + " Avoid: " + " ".join(g.avoid[:2]) + f" Ending: {g.termination}", False))
    if plan.focal_area:
        a = cat.focal_areas[plan.focal_area]
        text = f"[focal_area:{a.id}] {a.name}: {a.summary} Strategies: " + " ".join(a.strategies[:4])
        if plan.stage:
            st = next((s for s in a.stages if s.id == plan.stage), None)
            if st:
                text += f" Stage ({st.name}): {st.description} " + " ".join(st.strategy[:2])
        blocks.append((f"focal_area:{a.id}", text, False))
    for i, tid in enumerate(plan.techniques):
        blocks.append((tid, _technique_text(tid, cat, full=i < 2), i < 2))

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
