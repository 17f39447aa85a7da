"""Grounded offline answers: composed from the knowledge base by code, no model involved."""

from __future__ import annotations

from .catalog import Catalog
from .models import Citation
from .planning import RISK_TO_FRAME, AskPlan

OFFLINE_LABEL = "> **Grounded offline answer** — no model configured; composed from the IPT knowledge base."
FALLBACK_LABEL = "> **Grounded offline answer** — composed from the IPT knowledge base because the model endpoint failed."
DETAILED = 3


def _area_name(cat: Catalog, area: str | None) -> str:
    return cat.focal_areas[area].name.lower() if area else "not yet chosen"


def orientation(plan: AskPlan, cat: Catalog) -> str:
    """One line: session, phase, focal area (with its source)."""
    parts: list[str] = []
    if plan.phase:
        p = plan.phase
        guide = cat.phases[p.phase]
        rng = p.ranges[p.phase]
        if p.session is None:
            parts.append(f"{guide.id} phase ({rng})")
        else:
            parts.append(f"Session {p.session} of {p.total} · {guide.id} phase (sessions {rng})")
    else:
        parts.append("Session not given · phase unknown")
    if plan.focal_area:
        src = plan.focal_source or ""
        cues = next((e.cues for e in plan.focal_evidence if e.area == plan.focal_area), [])
        why = f"inferred from {', '.join(repr(c) for c in cues[:3])}" if src == "inferred" and cues else src
        line = f"focal area: {_area_name(cat, plan.focal_area)} ({why})"
        if plan.secondary:
            line += f"; secondary: {_area_name(cat, plan.secondary)}"
        parts.append(line)
    else:
        parts.append("focal area: not yet chosen")
    return "**" + " · ".join(parts) + "**"


def _technique_block(n: int, tid: str, cat: Catalog, detailed: bool) -> list[str]:
    t = cat.techniques[tid]
    if not detailed:
        return [f"{n}. **{t.name}** (`{tid}`) — {t.summary}"]
    steps = "; ".join(s.rstrip(".") for s in t.how_to[:3])
    return [
        f"{n}. **{t.name}** (`{tid}`) — {t.summary}",
        f"   - *How:* {steps}.",
        f"   - *Say:* {t.key_phrases[0]}",
        f"   - *Ask:* {t.follow_up_questions[0]}",
    ]


def _frame_sections(plan: AskPlan, cat: Catalog) -> list[str]:
    lines: list[str] = []
    for mid in plan.request.out_of_frame:
        m = cat.frame_entries.get(mid)
        if m:
            lines.append(f"**Holding the IPT frame — {m.name} ({m.belongs_to}):** this is not part of IPT. "
                         f"{m.why_not} **What IPT does instead:** {m.ipt_instead}")
    for sid in plan.request.not_fit:
        s = cat.frame_entries.get(sid)
        if s:
            lines.append(f"**Is IPT the right fit? — {s.name}:** {s.description} "
                         f"**Consider:** {' '.join(s.what_to_do[:2])}")
    for aid in plan.request.adaptations:
        a = cat.frame_entries[aid]
        lines.append(f"**Adaptation — {a.name}** ({a.population}): " + " ".join(a.changes[:2]))
    for tid in plan.mismatched:
        t = cat.techniques[tid]
        areas = " or ".join(cat.focal_areas[a].name.split(" (")[0].lower() for a in t.focal_areas)
        focus = _area_name(cat, plan.focal_area).split(" (")[0]
        lines.append(f"**About {t.name.lower()}:** IPT uses it when the focal area is {areas}; here the focus "
                     f"is {focus}, so the steps below fit better.")
    if plan.risk.bereavement_by_suicide and not plan.risk.is_risk:
        lines.append("**Bereavement by suicide:** people bereaved by suicide carry raised risk themselves; "
                     "ask the client directly about their own suicidal thoughts and note the answer.")
    return lines


def compose_safety(plan: AskPlan, cat: Catalog) -> list[str]:
    """The safety-first block: used in both modes, always first."""
    found = ", ".join(f"“{f.span}”" for f in plan.risk.present[:3])
    lines = ["## Safety first",
             f"The question mentions {plan.risk.describe()} ({found}). Ordinary IPT work waits until the "
             f"client is safe. This tool does not assess, grade or score risk; your clinical judgement and your "
             f"service's protocol decide.", ""]
    lines += [f"{i}. {step}" for i, step in enumerate(cat.frame.safety_first, 1)]
    seen: set[str] = set()
    for category in plan.risk.categories:
        sid = RISK_TO_FRAME.get(category)
        if not sid or sid in seen:
            continue
        seen.add(sid)
        s = cat.frame_entries.get(sid)
        if s and sid != "acute_suicidal_risk":
            lines += ["", f"**{s.name}:** {s.description}"]
            lines += [f"- {w}" for w in s.what_to_do]
    de = cat.techniques["direct_elicitation"]
    lines += ["", f"**Asking directly** (`direct_elicitation`): {de.key_phrases[0]}"]
    return lines


def compose_offline(plan: AskPlan, cat: Catalog, *, fallback: bool = False) -> str:
    """The full grounded offline answer as markdown (``fallback``: the endpoint failed)."""
    out: list[str] = [FALLBACK_LABEL if fallback else OFFLINE_LABEL, "", orientation(plan, cat), ""]
    if plan.safety_first:
        out += compose_safety(plan, cat)
        out += ["", "## When the client is safe",
                "Resume the IPT contract only after the crisis has settled; then:"]
        for n, tid in enumerate(plan.techniques[1:3], 1):
            out += _technique_block(n, tid, cat, detailed=False)
        out += ["", sources_line(plan, cat)]
        return "\n".join(out).strip() + "\n"

    frame = _frame_sections(plan, cat)
    if frame:
        out += frame + [""]
    if plan.phase:
        guide = cat.phases[plan.phase.phase]
        out += [f"**Where you are:** {guide.summary}", ""]
    out += ["## Next steps"]
    for n, tid in enumerate(plan.techniques[:DETAILED], 1):
        out += _technique_block(n, tid, cat, detailed=True)
    more = plan.techniques[DETAILED:]
    if more:
        out.append("   Also relevant: " + ", ".join(f"{cat.techniques[t].name} (`{t}`)" for t in more))
    out += ["", *_this_session(plan, cat)]
    out += ["", "## Watch for", *_warnings(plan, cat), "", sources_line(plan, cat)]
    return "\n".join(out).strip() + "\n"


def _this_session(plan: AskPlan, cat: Catalog) -> list[str]:
    lines = ["## This session"]
    if plan.phase:
        p = plan.phase
        guide = cat.phases[p.phase]
        lines += [f"- {s}" for s in guide.session_structure[:3]]
        if p.phase in ("initial", "middle") and p.raise_termination:
            lines.append(f"- **Ending:** {p.sessions_left} session(s) remain after this one — name the ending now "
                         f"and begin termination work (`termination_work`).")
    else:
        lines.append("- Give the session number (`--session N`) for phase-specific structure; in any phase, open "
                     "with mood since the last meeting and the interpersonal events around it.")
    if plan.focal_area:
        area = cat.focal_areas[plan.focal_area]
        lines += [f"- *{area.name}:* {s}" for s in area.strategies[:2]]
        if plan.stage:
            st = next((s for s in area.stages if s.id == plan.stage), None)
            if st:
                lines.append(f"- *Dispute stage — looks like {st.name.lower()}:* {st.strategy[0]}")
    else:
        sel = cat.focal.selection
        lines.append(f"- *Choosing the focal area:* {sel.steps[0]}")
    return lines


def _warnings(plan: AskPlan, cat: Catalog) -> list[str]:
    lines: list[str] = []
    if plan.techniques:
        lines.append(f"- {cat.techniques[plan.techniques[0]].warnings[0]}")
    if plan.focal_area:
        lines.append(f"- {cat.focal_areas[plan.focal_area].pitfalls[0]}")
    if plan.phase:
        lines.append(f"- {cat.phases[plan.phase.phase].avoid[0]}")
    trap_id = _relevant_trap(plan)
    trap = cat.frame_entries.get(trap_id)
    if trap:
        lines.append(f"- *Common trap — {trap.name}:* {trap.remedy}")
    return lines


def _relevant_trap(plan: AskPlan) -> str:
    if plan.phase and plan.phase.phase == "initial":
        return "skipping_inventory"
    if plan.secondary:
        return "too_many_areas"
    if "role_play" in plan.techniques[:3] or plan.focal_area == "role_dispute":
        return "avoiding_role_play"
    return "interpreting_not_investigating"


def citations(plan: AskPlan, cat: Catalog, technique_ids: list[str] | None = None) -> list[Citation]:
    ids = technique_ids if technique_ids is not None else plan.techniques
    cites = [Citation(id=t, title=cat.techniques[t].name, kind="technique") for t in ids]
    if plan.phase:
        cites.append(Citation(id=plan.phase.phase, title=cat.phases[plan.phase.phase].name, kind="phase"))
    if plan.focal_area:
        cites.append(Citation(id=plan.focal_area, title=cat.focal_areas[plan.focal_area].name, kind="focal_area"))
    frame_ids = plan.request.out_of_frame + plan.request.not_fit + plan.request.adaptations
    if plan.safety_first:
        frame_ids = ["safety_first"] + [RISK_TO_FRAME[c] for c in plan.risk.categories if c in RISK_TO_FRAME]
    for fid in dict.fromkeys(frame_ids):
        entry = cat.frame_entries.get(fid)
        title = entry.name if entry else "Safety-first steps" if fid == "safety_first" else fid
        cites.append(Citation(id=fid, title=title, kind="frame"))
    return cites


def sources_line(plan: AskPlan, cat: Catalog) -> str:
    ids = [f"`{c.id}`" for c in citations(plan, cat)]
    return "Sources: " + ", ".join(ids)
