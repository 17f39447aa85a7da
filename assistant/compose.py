"""Grounded offline answers: composed from the knowledge base by code, no model involved.

The default (``detail="short"``, about 150-300 words) answers the question first: the matched situation's
IPT answer (``knowledge/situations.yaml``), or the focal area's guidance for this phase, or, when the focal
area is not known, the assessment that would settle it. Then 2-3 steps that fit the phase, 1-2 phrases and
one question fitted to the person in the question, one "watch for" line and the sources. Risk puts the
safety-first section, with the steps for each kind of risk, before anything else.

``detail="full"`` (``ipt ask --long``) adds the phase summary, the ranked techniques with how-to, the
session structure and the situation's full guidance.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator

from .catalog import Catalog
from .fitting import CLINICIAN, People, choose, fill, people_in
from .models import Citation
from .schema import RISK_KIND_ALIASES, step_fits, step_text
from .situations import SituationMatch, situation_for

OFFLINE_LABEL = "> **Grounded offline answer** — no model configured; composed from the IPT knowledge base."
FALLBACK_LABEL = "> **Grounded offline answer** — composed from the IPT knowledge base because the model endpoint failed."
DETAILED = 3
SHORT, FULL = "short", "full"
MAX_SAFETY_STEPS = 6
#: Techniques that belong to the initial phase only: never offered as a step later in the course.
_INITIAL_ONLY = frozenset({"interpersonal_inventory", "case_formulation", "sick_role", "symptom_timeline"})
#: Set-up work of the initial phase; a technique step that mentions it is not offered after that phase.
_INITIAL_WORK = re.compile(r"\b(?:formulation|inventory|timeline|sick\s+role|contract|diagnos\w*|first\s+session|"
                           r"choos\w*\s+(?:the\s+)?focal|focal\s+area\s+is\s+(?:chosen|agreed))\b", re.I)

_detail: ContextVar[str] = ContextVar("ipt_answer_detail", default=SHORT)


@contextmanager
def use_detail(detail: str | None) -> Iterator[None]:
    """Compose answers at ``detail`` ("short" or "full") inside the block (``Assistant.ask(detail=...)``,
    ``ipt ask --long``)."""
    token = _detail.set(normalise_detail(detail))
    try:
        yield
    finally:
        _detail.reset(token)


def normalise_detail(detail: str | None) -> str:
    value = (detail or SHORT).strip().lower()
    if value in {"full", "long", "detailed"}:
        return FULL
    if value in {"short", "brief", "default"}:
        return SHORT
    from .errors import InputError

    raise InputError(f"unknown answer detail {detail!r}: use 'short' or 'full'")


def current_detail(plan: Any = None) -> str:
    return normalise_detail(getattr(plan, "detail", None) or _detail.get())


# -- small helpers -------------------------------------------------------------------------------------


def _area_name(cat: Catalog, area: str | None) -> str:
    return cat.focal_areas[area].name.lower() if area else "not yet chosen"


def _phase_name(plan: Any) -> str | None:
    return plan.phase.phase if plan.phase else None


def _people(plan: Any) -> People:
    return people_in(plan.question, plan.focal_area)


def title(name: str) -> str:
    """A situation's name as the lead's bold title: "Client keeps arriving late." """
    return name if name.endswith((".", "?", "!")) else name + "."


def _q(text: str) -> str:
    return f"“{text.strip().strip(chr(34))}”"


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


class _Seen:
    """Say each thing once per answer."""

    def __init__(self) -> None:
        self.keys: set[str] = set()

    def fresh(self, text: str) -> bool:
        k = _key(text)
        if not k or k in self.keys:
            return False
        self.keys.add(k)
        return True


def orientation(plan: Any, cat: Catalog) -> str:
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
        evidence = getattr(plan, "focal_evidence", None) or []
        cues = next((e.cues for e in evidence if e.area == plan.focal_area), [])
        short = [c if len(c) <= 40 else c[:38].rstrip() + "…" for c in cues][:2]
        why = f"inferred from {', '.join(repr(c) for c in short)}" if src == "inferred" and short else src
        line = f"focal area: {_area_name(cat, plan.focal_area)} ({why})" if why else \
            f"focal area: {_area_name(cat, plan.focal_area)}"
        if plan.secondary:
            line += f"; secondary: {_area_name(cat, plan.secondary)}"
        parts.append(line)
    else:
        parts.append("focal area: not yet chosen")
    return "**" + " · ".join(parts) + "**"


# -- the direct answer ------------------------------------------------------------------------------


def _situation(plan: Any, cat: Catalog) -> SituationMatch | None:
    try:
        return situation_for(plan, cat)
    except Exception:  # noqa: BLE001 - a matcher failure must never cost the clinician the answer
        return None


def _lead(plan: Any, cat: Catalog, sit: SituationMatch | None, people: People) -> str | None:
    """The direct answer: the situation's, else the focal area's for this phase, else how to settle the
    focal area. ``None`` when an out-of-frame redirect answers the question instead."""
    if sit is not None:
        s = cat.situations[sit.id]
        return f"**{title(s.name)}** {fill(s.answer, people) or s.answer}"
    if plan.request.out_of_frame:
        return None
    phase = _phase_name(plan)
    if plan.focal_area:
        area = cat.focal_areas[plan.focal_area]
        guide = area.by_phase[phase or "middle"]
        text = guide.answer
        if phase is None:
            text += " (Give the session number for steps that fit the phase.)"
        return f"**In short:** {text}"
    sel = cat.focal.selection
    text = sel.answer
    if phase and phase != "initial" and plan.phase.session is not None:
        text += (f" If a focus was agreed earlier in the course, give it (`--focus AREA`) for steps that fit "
                 f"session {plan.phase.session}.")
    return f"**In short:** {text}"


# -- steps, wording, watch-for ----------------------------------------------------------------------


def _technique_step(plan: Any, cat: Catalog, people: People, seen: _Seen, skip: set[str]) -> str | None:
    phase = _phase_name(plan)
    for tid in plan.techniques:
        if tid in skip:
            continue
        t = cat.techniques[tid]
        if phase and phase not in t.phases:
            continue
        if phase and phase != "initial" and tid in _INITIAL_ONLY:
            continue
        for how in t.how_to:
            if phase != "initial" and _INITIAL_WORK.search(how):
                continue
            text = fill(how, people, CLINICIAN)
            if text and seen.fresh(text):
                return f"{text.rstrip('.')} (`{tid}`)."
    return None


def _ending_step(plan: Any) -> str | None:
    p = plan.phase
    if p and p.phase in ("initial", "middle") and p.raise_termination and p.session is not None:
        return (f"Name the ending: {p.sessions_left} session(s) remain after this one, so raise finishing now and "
                f"begin termination work (`termination_work`).")
    return None


def _steps(plan: Any, cat: Catalog, sit: SituationMatch | None, people: People, seen: _Seen,
           limit: int = 3) -> list[str]:
    phase = _phase_name(plan)
    steps: list[str] = []

    def add(text: str | None) -> None:
        if text and len(steps) < limit and seen.fresh(text):
            steps.append(text)

    ending = _ending_step(plan)
    room = limit - (1 if ending else 0)
    if sit is not None:
        for st in cat.situations[sit.id].steps:
            if len(steps) >= room:
                break
            if step_fits(st, phase):
                add(fill(step_text(st), people, CLINICIAN))
    if plan.focal_area is None and (sit is None or len(steps) < 2):
        for st in cat.focal.selection.steps:
            if len(steps) >= room:
                break
            add(fill(st, people, CLINICIAN))
    elif plan.focal_area:
        # The focal area's steps for this phase; in the middle phase (and maintenance) two of them and
        # one step from the best-ranked technique, elsewhere the area's steps only.
        working = phase in (None, "middle", "maintenance")
        want = min(2, room) if working else room
        for st in cat.focal_areas[plan.focal_area].by_phase[phase or "middle"].steps:
            if len(steps) >= want:
                break
            add(fill(st, people, CLINICIAN))
        if working and len(steps) < room:
            add(_technique_step(plan, cat, people, seen, skip=set()))
    if ending:
        steps.append(ending)
    return steps[:limit]


def _say_ask(plan: Any, cat: Catalog, sit: SituationMatch | None, people: People,
             n_say: int = 2) -> tuple[list[str], str | None]:
    phase = _phase_name(plan)
    say: list[str] = []
    ask: str | None = None
    if sit is not None:
        s = cat.situations[sit.id]
        say = choose(s.wording, people, n_say)
        got = choose(s.follow_up, people, 1)
        ask = got[0] if got else None
    techs = [t for t in plan.techniques if not phase or phase in cat.techniques[t].phases]
    if phase and phase != "initial":
        techs = [t for t in techs if t not in _INITIAL_ONLY]
    for tid in techs:
        if len(say) >= n_say:
            break
        say += choose(cat.techniques[tid].key_phrases, people, n_say - len(say), exclude=set(say))
    if ask is None and plan.focal_area is None:
        got = choose(cat.focal.selection.settling_questions, people, 1)
        ask = got[0] if got else None
    for tid in techs:
        if ask is not None:
            break
        got = choose(cat.techniques[tid].follow_up_questions, people, 1)
        ask = got[0] if got else None
    return say[:n_say], ask


def _watch(plan: Any, cat: Catalog, sit: SituationMatch | None, people: People, seen: _Seen) -> str | None:
    phase = _phase_name(plan)
    candidates: list[str] = []
    if sit is not None:
        candidates += list(cat.situations[sit.id].pitfalls)
    for tid in plan.techniques[:2]:
        t = cat.techniques[tid]
        if not phase or phase in t.phases:
            candidates += list(t.warnings)
    if plan.focal_area:
        candidates += list(cat.focal_areas[plan.focal_area].pitfalls)
    if phase:
        candidates += list(cat.phases[phase].avoid)
    for c in candidates:
        text = fill(c, people, CLINICIAN)
        if text and seen.fresh(text):
            return text
    return None


# -- frame, adaptation and safety sections ---------------------------------------------------------


def _frame_sections(plan: Any, cat: Catalog, *, full: bool) -> list[str]:
    lines: list[str] = []
    for mid in plan.request.out_of_frame:
        m = cat.frame_entries.get(mid)
        if m:
            lines.append(f"**Holding the IPT frame — {m.name} ({m.belongs_to}):** this is not part of IPT. "
                         f"{m.why_not} **What IPT does instead:** {m.ipt_instead}")
    for sid in plan.request.not_fit:
        s = cat.frame_entries.get(sid)
        if s:
            todo = s.what_to_do[:2] if full else s.what_to_do[:1]
            lines.append(f"**Is IPT the right fit? — {s.name}:** {s.description} **Consider:** {' '.join(todo)}")
    for aid in plan.request.adaptations:
        a = cat.frame_entries.get(aid)
        if a:
            changes = a.changes[:2] if full else a.changes[:1]
            lines.append(f"**Adaptation — {a.name}** ({a.population}): " + " ".join(changes))
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


def risk_kinds(plan: Any, cat: Catalog, *, merge_ideation: bool = True) -> list[str]:
    """The plan's risk categories as safety-step kinds (old names such as ``violence_at_home`` resolve).
    With ``merge_ideation``, a plan's steps stand for the suicidal thoughts' as well."""
    kinds: list[str] = []
    for c in plan.risk.categories:
        kind = RISK_KIND_ALIASES.get(c, c)
        if kind in cat.safety_by_kind and kind not in kinds:
            kinds.append(kind)
    if merge_ideation and "suicide_plan" in kinds and "suicidal_ideation" in kinds:
        kinds.remove("suicidal_ideation")
    return kinds


def possible_risk_line(plan: Any, cat: Catalog) -> str | None:
    """Warning-sign language short of stated risk: prompt the clinician to ask directly (never a score)."""
    if plan.risk.is_risk or getattr(plan.risk, "level", None) != "possible_risk":
        return None
    kinds = risk_kinds(plan, cat) or ["suicidal_ideation"]
    found = ", ".join(f"“{span}”" for span in list(dict.fromkeys(f.span for f in plan.risk.present))[:2])
    ask = " ".join(_q(cat.safety_by_kind[k].ask) for k in kinds[:2])
    return (f"**Possible risk — ask directly:** the question mentions {plan.risk.describe()}"
            + (f" ({found})" if found else "") + f". Before ordinary IPT work, ask: {ask}")


def unasked_line(plan: Any, cat: Catalog) -> str | None:
    """A risk the question names as not yet asked about ("should I ask about suicide?"): yes, ask directly."""
    unasked = getattr(plan.risk, "unasked", None)
    if plan.risk.is_risk or not unasked:
        return None
    kinds = [k for k in (RISK_KIND_ALIASES.get(c, c) for c in unasked) if k in cat.safety_by_kind]
    ask = " ".join(_q(cat.safety_by_kind[k].ask) for k in kinds[:2])
    return (f"**Not yet asked — ask directly:** {plan.risk.describe_unasked()}. Asking does not plant the idea; "
            + (f"ask: {ask} " if ask else "") + "If the answer is yes, safety comes before ordinary IPT work.")


#: The one at risk named as a baby ("over bubs face", "dropping the baby", "urges to shake the newborn").
_BABY_WORDS = re.compile(r"\b(?:bab(?:y|ies|y's)|bubs?|infant|newborn|toddler)\b", re.I)


def own_child_at_risk(plan: Any) -> bool:
    """Whether the harm the question mentions is to the client's own baby: a baby named in the risk found, or the
    client is perinatal (a new parent's "him" is the baby)."""
    spans = " ".join(f.span for f in plan.risk.present)
    return bool(_BABY_WORDS.search(spans)) or "perinatal" in (getattr(getattr(plan, "request", None), "adaptations", None) or ())


def compose_safety(plan: Any, cat: Catalog) -> list[str]:
    """The safety-first block: used in both modes, always first."""
    full = current_detail(plan) == FULL
    found = ", ".join(f"“{span}”" for span in list(dict.fromkeys(f.span for f in plan.risk.present))[:3])
    generic = cat.frame.safety_first
    lines = ["## Safety first",
             f"The question mentions {plan.risk.describe()} ({found}). {generic[0]} {generic[1]}", ""]
    kinds = risk_kinds(plan, cat)
    child = own_child_at_risk(plan)
    step_kinds = kinds
    if child and "harm_to_others" in kinds and cat.safety_by_kind["harm_to_others"].child_steps:
        step_kinds = [k for k in kinds if k != "safeguarding"]  # the perinatal steps hold the safeguarding step
    steps: list[str] = []
    per_kind = MAX_SAFETY_STEPS if len(step_kinds) <= 1 else max(2, MAX_SAFETY_STEPS // len(step_kinds))
    for kind in step_kinds:
        own = cat.safety_by_kind[kind].for_case(child)[0]
        for step in own[: len(own) if full else per_kind]:
            if step not in steps:
                steps.append(step)
    if not full:
        steps = steps[:MAX_SAFETY_STEPS + (2 if len(step_kinds) > 1 else 0)]
    lines += [f"{i}. {step}" for i, step in enumerate(steps, 1)]
    if kinds:
        asks = [cat.safety_by_kind[k].for_case(child)[1] for k in kinds[: 3 if full else 2]]
        lines += ["", "**Ask directly:** " + " ".join(_q(a) for a in asks)]
    for line in generic[2:]:
        lines += ["", line]
    if kinds:
        lines += ["", f"**When the client is safe:** {cat.safety_by_kind[kinds[0]].for_case(child)[2]}"]
    if full:
        seen: set[str] = set()
        for kind in kinds:
            fid = cat.safety_by_kind[kind].frame_entry
            entry = cat.frame_entries.get(fid or "")
            if entry and fid not in seen:
                seen.add(fid)
                lines += ["", f"**{entry.name}:** {entry.description}"] + [f"- {w}" for w in entry.what_to_do]
    return lines


# -- the answer ------------------------------------------------------------------------------------


def compose_offline(plan: Any, cat: Catalog, *, fallback: bool = False, detail: str | None = None) -> str:
    """The grounded offline answer as markdown (``fallback``: the endpoint failed). ``detail`` is
    "short" (default) or "full"; when not given, the ``use_detail`` setting applies."""
    if detail is not None:
        with use_detail(detail):
            return compose_offline(plan, cat, fallback=fallback)
    full = current_detail(plan) == FULL
    people = _people(plan)
    sit = _situation(plan, cat)
    seen = _Seen()
    out: list[str] = [FALLBACK_LABEL if fallback else OFFLINE_LABEL, "", orientation(plan, cat), ""]

    if plan.safety_first:
        out += compose_safety(plan, cat) + [""]
        if sit is not None:
            s = cat.situations[sit.id]
            out += [f"**{title(s.name)}** {fill(s.answer, people) or s.answer}", ""]
        if full:
            out += ["## When the client is safe", "Resume the IPT contract only after the crisis has settled; then:"]
            for n, tid in enumerate(plan.techniques[1:3], 1):
                out += _technique_block(n, tid, cat, people, seen, detailed=False)
            out.append("")
        out += [sources_line(plan, cat, sit)]
        return "\n".join(out).strip() + "\n"

    lead = _lead(plan, cat, sit, people)
    frame = _frame_sections(plan, cat, full=full)
    possible = possible_risk_line(plan, cat) or unasked_line(plan, cat)
    if possible:
        out += [possible, ""]
    if lead:
        out += [lead, ""]
    if frame:
        out += frame + [""]
    if full and plan.phase:
        out += [f"**Where you are:** {cat.phases[plan.phase.phase].summary}", ""]

    steps = _steps(plan, cat, sit, people, seen, limit=4 if full else 3)
    if steps:
        out += ["## Next steps"] + [f"{i}. {s}" for i, s in enumerate(steps, 1)] + [""]
    say, ask = _say_ask(plan, cat, sit, people, n_say=3 if full else 2)
    if say:
        out.append("**Say:** " + " · ".join(_q(s) for s in say))
    if ask:
        out.append(f"**Ask:** {_q(ask)}")
    watch = _watch(plan, cat, sit, people, seen)
    if watch:
        out.append(f"**Watch for:** {watch}")
    out.append("")

    if full:
        out += _full_sections(plan, cat, sit, people, seen)
    out.append(sources_line(plan, cat, sit))
    return "\n".join(out).strip() + "\n"


def _technique_block(n: int, tid: str, cat: Catalog, people: People, seen: _Seen, detailed: bool,
                     phase: str | None = None) -> list[str]:
    t = cat.techniques[tid]
    if not detailed:
        return [f"{n}. **{t.name}** (`{tid}`) — {t.summary}"]
    hows = [h for h in (fill(x, people, CLINICIAN) for x in t.how_to
                        if phase is None or phase == "initial" or not _INITIAL_WORK.search(x)) if h][:3]
    lines = [f"{n}. **{t.name}** (`{tid}`) — {t.summary}"]
    if hows:
        lines.append("   - *How:* " + "; ".join(h.rstrip(".") for h in hows) + ".")
    say = choose(t.key_phrases, people, 1)
    if say and seen.fresh(say[0]):
        lines.append(f"   - *Say:* {_q(say[0])}")
    ask = choose(t.follow_up_questions, people, 1)
    if ask and seen.fresh(ask[0]):
        lines.append(f"   - *Ask:* {_q(ask[0])}")
    return lines


def _full_sections(plan: Any, cat: Catalog, sit: SituationMatch | None, people: People, seen: _Seen) -> list[str]:
    phase = _phase_name(plan)
    out: list[str] = []
    if sit is not None:
        s = cat.situations[sit.id]
        more = [fill(step_text(x), people, CLINICIAN) for x in s.steps if step_fits(x, phase)]
        more = [f"- {m}" for m in more if m and seen.fresh(m)]
        more += [f"- *Pitfall:* {p}" for p in s.pitfalls if seen.fresh(p)]
        if s.schools:
            more.append(f"- *Where the schools differ:* {' '.join(s.schools.split())}")
        if more:
            out += [f"## {s.name}: more", *more, ""]
    techs = [t for t in plan.techniques if not phase or phase in cat.techniques[t].phases]
    if phase and phase != "initial":
        techs = [t for t in techs if t not in _INITIAL_ONLY]
    if techs:
        out.append("## Techniques")
        for n, tid in enumerate(techs[:DETAILED], 1):
            out += _technique_block(n, tid, cat, people, seen, detailed=True, phase=phase)
        rest = techs[DETAILED:]
        if rest:
            out.append("   Also relevant: " + ", ".join(f"{cat.techniques[t].name} (`{t}`)" for t in rest))
        out.append("")
    if plan.phase:
        guide = cat.phases[plan.phase.phase]
        out.append("## This session")
        out += [f"- {x}" for x in guide.session_structure[:3] if seen.fresh(x)]
        if plan.stage and plan.focal_area:
            area = cat.focal_areas[plan.focal_area]
            st = next((x for x in area.stages if x.id == plan.stage), None)
            if st:
                out.append(f"- *Dispute stage — looks like {st.name.lower()}:* {st.strategy[0]}")
        out.append("")
    watch = []
    for tid in techs[:1]:
        watch += [fill(w, people, CLINICIAN) for w in cat.techniques[tid].warnings[:2]]
    if plan.focal_area:
        watch.append(cat.focal_areas[plan.focal_area].pitfalls[0])
    trap = cat.frame_entries.get(_relevant_trap(plan))
    if trap:
        watch.append(f"*Common trap — {trap.name}:* {trap.remedy}")
    watch = [w for w in watch if w and seen.fresh(w)]
    if watch:
        out += ["## Also watch for"] + [f"- {w}" for w in watch] + [""]
    return out


def _relevant_trap(plan: Any) -> str:
    if plan.phase and plan.phase.phase == "initial":
        return "skipping_inventory"
    if plan.secondary:
        return "too_many_areas"
    if "role_play" in plan.techniques[:3] or plan.focal_area == "role_dispute":
        return "avoiding_role_play"
    return "interpreting_not_investigating"


def citations(plan: Any, cat: Catalog, technique_ids: list[str] | None = None) -> list[Citation]:
    ids = technique_ids if technique_ids is not None else plan.techniques
    cites = [Citation(id=t, title=cat.techniques[t].name, kind="technique") for t in ids]
    if plan.phase:
        cites.append(Citation(id=plan.phase.phase, title=cat.phases[plan.phase.phase].name, kind="phase"))
    if plan.focal_area:
        cites.append(Citation(id=plan.focal_area, title=cat.focal_areas[plan.focal_area].name, kind="focal_area"))
    frame_ids = plan.request.out_of_frame + plan.request.not_fit + plan.request.adaptations
    if plan.safety_first:
        frame_ids = ["safety_first"] + [cat.safety_by_kind[k].frame_entry or "safety_first"
                                        for k in risk_kinds(plan, cat)]
    for fid in dict.fromkeys(frame_ids):
        entry = cat.frame_entries.get(fid)
        title = entry.name if entry else "Safety-first steps" if fid == "safety_first" else fid
        cites.append(Citation(id=fid, title=title, kind="frame"))
    return cites


def sources_line(plan: Any, cat: Catalog, situation: SituationMatch | None | object = ...) -> str:
    ids = [f"`{c.id}`" for c in citations(plan, cat)]
    sit = _situation(plan, cat) if situation is ... else situation
    if isinstance(sit, SituationMatch):
        ids.insert(0, f"`situation:{sit.id}`")
    return "Sources: " + ", ".join(ids)
