"""Bullets -> :class:`Note`: parse facts, render offline or let the model draft,
then fact-check the draft against the bullets and repair or fall back."""

from __future__ import annotations

import re
import time
from typing import Callable

from ..catalog import Catalog
from ..errors import EndpointError, InputError
from ..llm import ChatModel, Message
from ..models import Flag, Note, SessionFacts, Usage
from ..planning import normalise_focus
from ..prompts import JUDGE_CLAIMS, NOTE_SYSTEM, NOTE_USER, load_prompt
from ..tokens import count_messages
from .factcheck import Unsupported, find_unsupported, prepare_check, remove_unsupported
from .io import check_bullets
from .parse import parse_bullets
from .sanitise import label_sections, paragraph_sections, sanitise
from .render import (FORMAT_NAMES, FORMAT_SECTIONS, RISK_NOT_DOCUMENTED, render_offline, risk_assessment, risk_plan,
                     section_of, to_markdown)

#: More removals than this and the model draft is discarded for the offline one.
MAX_REMOVALS = 3
_HEADING = re.compile(r"^\s*#{1,4}\s*\**([A-Za-z ]+?)\**\s*:?\s*$|^\s*\*\*([A-Za-z ]+?):?\*\*\s*:?\s*$", re.M)


def fact_flags(f: SessionFacts, cat: Catalog) -> list[Flag]:
    flags: list[Flag] = []
    if f.risk.status in ("present", "possible"):
        flags.append(Flag(code="risk_present", message="Risk is documented in the bullets; the note surfaces it in "
                          "assessment and plan with the safety-plan status as written.",
                          span="; ".join(f.risk.details)[:200]))
    elif f.risk.status in ("not_documented", "not_assessed"):
        flags.append(Flag(code="risk_not_documented", message="The bullets do not document suicidal ideation status; "
                          "the note says so and leaves it for you to complete (it never writes 'denies')."))
    if f.session_kind == "missed":
        flags.append(Flag(code="session_not_held", message="The bullets document a session that did not take "
                          "place; the note records attendance only (no IPT phase or intervention).",
                          span="; ".join(f.session_kind_evidence)[:200]))
    if f.non_ipt:
        flags.append(Flag(code="non_ipt_content", message="The session included work outside IPT; the note states "
                          "it as documented and does not present it as IPT.", span="; ".join(f.non_ipt)[:200]))
    for conflict in f.conflicts:
        flags.append(Flag(code="conflict", message=f"{conflict}; the given value was used — check which is right."))
    if f.focal_status == "tentative":
        flags.append(Flag(code="focal_area_tentative", message="The focal area is documented as tentative; the "
                          "note does not present it as agreed.", span=(f.focal_statement or "")[:200]))
    if not f.tasks and f.session_kind != "missed":
        flags.append(Flag(code="no_interpersonal_task", message="No interpersonal task for before the next session "
                          "was documented."))
    if f.focal_area is None and f.session_kind != "missed":
        flags.append(Flag(code="focal_area_unknown", message="No focal area stated or evident; add it (--focus AREA)."))
    elif f.focal_area_source == "inferred":
        flags.append(Flag(code="focal_area_inferred", message=f"Focal area {f.focal_area} was inferred from the "
                          "bullets; confirm it."))
    if f.session is None:
        flags.append(Flag(code="session_number_unknown", message="No session number documented (--session N)."))
    return flags


def _facts_for_prompt(f: SessionFacts, cat: Catalog) -> str:
    lines = [
        f"session: {f.session if f.session is not None else 'not documented'}",
        f"total_sessions: {f.total_sessions if f.total_sessions is not None else 'not documented'}",
        f"session_kind: {f.session_kind}" + (" (state what was documented; no IPT phase or intervention)"
                                             if f.session_kind in ("missed", "non_ipt") else ""),
        f"phase: {f.phase or 'unknown'}",
        f"focal_area: {cat.focal_areas[f.focal_area].name if f.focal_area else 'not documented'}"
        + (f" (with {f.focal_person})" if f.focal_person else "") + f" — status: {f.focal_status}",
        f"risk_status: {f.risk.status}" + (f" — {'; '.join(f.risk.details)}" if f.risk.details else ""),
        f"safety_plan: {f.risk.safety_plan_text or 'not documented'} (write its status in these words)",
    ]
    for name in ("mood", "ratings", "symptoms", "interpersonal_events", "observations", "interventions",
                 "interventions_planned", "non_ipt", "client_response", "task_review", "tasks", "plan", "goals",
                 "session_notes", "other"):
        values = getattr(f, name)
        if values:
            lines.append(f"{name}: " + " | ".join(values))
    if f.risk.status == "not_documented":
        lines.append(f"REQUIRED risk sentence: {RISK_NOT_DOCUMENTED}")
    return "\n".join(lines)


def note_messages(f: SessionFacts, cat: Catalog, fmt: str) -> list[Message]:
    techniques = "\n".join(f"- {cat.techniques[t].name} ({t}): {cat.techniques[t].summary}" for t in f.techniques) \
        or "- none documented"
    user = load_prompt(NOTE_USER).render(format_name=FORMAT_NAMES[fmt], sections=", ".join(FORMAT_SECTIONS[fmt]),
                                         facts=_facts_for_prompt(f, cat), techniques=techniques,
                                         bullets="\n".join(f"- {b}" for b in f.bullets))
    return [{"role": "system", "content": load_prompt(NOTE_SYSTEM).render()}, {"role": "user", "content": user}]


def split_sections(text: str, fmt: str) -> dict[str, str] | None:
    """Model text -> ordered sections, or None if any required heading is missing."""
    wanted = FORMAT_SECTIONS[fmt]
    marks: list[tuple[str, int, int]] = []
    for m in _HEADING.finditer(text):
        name = (m.group(1) or m.group(2) or "").strip().lower()
        match = section_of(name, wanted)
        if match and match not in [x[0] for x in marks]:
            marks.append((match, m.start(), m.end()))
    if [m[0] for m in marks] != list(wanted):
        return None
    sections: dict[str, str] = {}
    for i, (name, _, end) in enumerate(marks):
        stop = marks[i + 1][1] if i + 1 < len(marks) else len(text)
        sections[name] = text[end:stop].strip()
    return sections


def _allowed_numbers(f: SessionFacts) -> set[str]:
    """The session number and course length as given or parsed, and the next session's number."""
    numbers = {str(n) for n in (f.session, f.total_sessions) if n is not None}
    if f.session is not None and (f.total_sessions is None or f.session < f.total_sessions):
        numbers.add(str(f.session + 1))  # "bring it to session 15" in session 14
    return numbers


def _clauses(f: SessionFacts) -> list[str]:
    """The bullets' clauses as the fact check's evidence (a dash's addition that the note keeps with its work, on its
    own: parse.py)."""
    return f._evidence or [c for c, _ in f.clauses] or f.bullets  # type: ignore[return-value]


def check_sections(sections: dict[str, str], f: SessionFacts, raw: str, cat: Catalog) -> list[Unsupported]:
    draft = "\n".join(sections.values())
    return find_unsupported(draft, raw, cat, allowed_numbers=_allowed_numbers(f),
                            clauses=_clauses(f), focal=(f.focal_area, f.focal_status),
                            source_signals=f._signals)


def _unlabelled(line: str) -> str:
    return re.sub(r"^\s*(?:risk|si|hi)\s*[:\-–]\s*", "", line, flags=re.I).rstrip(".;")


def _ensure_risk(sections: dict[str, str], f: SessionFacts, fmt: str) -> dict[str, str]:
    """Risk must be surfaced as the facts say, whatever the model wrote."""
    assess_key = {"soap": "Assessment", "dap": "Assessment", "birp": "Response", "girp": "Response"}[fmt]
    text = sections[assess_key]
    if f.risk.status == "not_documented" and RISK_NOT_DOCUMENTED.lower() not in text.lower():
        sections[assess_key] = (text + " " + RISK_NOT_DOCUMENTED).strip()
    if f.risk.status in ("present", "possible"):
        # Documented risk always appears in the bullets' own words, whatever the draft said.
        if not all(_unlabelled(d) in text for d in f.risk.details):
            sections[assess_key] = (text + " " + risk_assessment(f)).strip()
        plan = risk_plan(f)
        if plan and not re.search(r"\b(?:risk|safety)\b", sections["Plan"], re.I):
            sections["Plan"] = (plan + " " + sections["Plan"]).strip()
    return sections


def judge_claims(sections: dict[str, str], raw: str, judge: ChatModel) -> set[str]:
    """Sentences an entailment judge says the bullets do not support (one call for the whole draft).
    Raises EndpointError or ValueError when the judge fails or answers unusably."""
    import json

    from .factcheck import split_sentences

    sentences = [x for text in sections.values() for x in split_sentences(text) if x.strip()]
    if not sentences:
        return set()
    numbered = "\n".join(f"{i}. {x}" for i, x in enumerate(sentences, 1))
    prompt = load_prompt(JUDGE_CLAIMS).render(bullets=raw.strip(), sentences=numbered)
    reply = judge.complete([{"role": "user", "content": prompt}], max_tokens=200, temperature=0.0).text
    m = re.search(r"\{.*\}", reply, re.S)
    if not m:
        raise ValueError("no JSON in the judge reply")
    numbers = json.loads(m.group(0)).get("unsupported", [])
    if not isinstance(numbers, list) or not all(isinstance(n, int) for n in numbers):
        raise ValueError("judge reply: 'unsupported' is not a list of sentence numbers")
    return {sentences[n - 1] for n in numbers if 1 <= n <= len(sentences)}


def draft_note(bullets: str | list[str], cat: Catalog, model: ChatModel | None, *, format: str = "dap",
               session: int | None = None, total_sessions: int | None = None, focal_area: str | None = None,
               on_token: Callable[[str], None] | None = None, judge: ChatModel | None = None) -> Note:
    """``judge``: an optional entailment judge (``IPT_JUDGE_BASE_URL``); after the code's fact check it
    rules on each remaining sentence of a model draft, and the sentences it finds unsupported are removed."""
    started = time.perf_counter()
    raw = "\n".join(f"- {b}" for b in bullets) if isinstance(bullets, list) else bullets
    check_bullets(raw)
    fmt = (format or "").lower()
    if fmt not in FORMAT_SECTIONS:
        raise InputError(f"unknown note format {format!r}: use one of {', '.join(FORMAT_SECTIONS)}")
    if session is not None and session < 1:
        raise InputError(f"session number must be 1 or more, got {session}")
    if total_sessions is not None and total_sessions < 1:
        raise InputError(f"course length must be 1 or more, got {total_sessions}")
    focus = normalise_focus(focal_area)
    facts = parse_bullets(raw, cat, session=session, total_sessions=total_sessions, focal_area=focus)
    flags = fact_flags(facts, cat)
    offline = render_offline(facts, cat, fmt)

    def offline_note(extra: list[Flag], model_name: str | None = None) -> Note:
        # The offline render is built from the parsed facts only; the test suite checks every fixture's
        # render with the fact check (zero unsupported claims), so it is not re-checked at run time.
        return Note(format=fmt, sections=offline, text=to_markdown(fmt, offline, "offline"), facts=facts,  # type: ignore[arg-type]
                    techniques=facts.techniques, flags=flags + extra, mode="offline", model=model_name,
                    usage=Usage(latency_ms=round((time.perf_counter() - started) * 1000, 2)))

    if model is None:
        return offline_note([])
    messages = note_messages(facts, cat, fmt)
    prepare_check(_clauses(facts), cat, raw)  # the bullets' side of the fact check, before the model is asked
    try:
        completion = model.complete(messages, max_tokens=900, temperature=0.0, on_token=on_token)
    except EndpointError as err:
        return offline_note([Flag(code="endpoint_error", message=f"{err} — used the offline draft instead.")], model.name)
    clean, removed = sanitise(completion.text, FORMAT_SECTIONS[fmt])
    if removed:
        flags.append(Flag(code="markdown_sanitised", message="removed from the model draft: "
                          + ", ".join(removed) + " (images, links out, raw HTML, code or extra sections)."))
    sections = split_sections(clean, fmt)
    if sections is None and (labelled := label_sections(clean, FORMAT_SECTIONS[fmt])) is not None:
        sections = split_sections(labelled, fmt)  # "S: ...", "O: ...": the sections as plain labels
    if sections is None and (ordered := paragraph_sections(clean, FORMAT_SECTIONS[fmt])) is not None:
        sections = split_sections(ordered, fmt)  # one unlabelled paragraph per section, in the format's order
    usage = Usage(prompt_tokens=completion.prompt_tokens or count_messages(messages),
                  completion_tokens=completion.completion_tokens, model_calls=completion.attempts,
                  total_tokens=(completion.prompt_tokens or count_messages(messages)) + completion.completion_tokens)
    if sections is None:
        note = offline_note([Flag(code="fallback_offline", message="the model draft lacked the required sections; "
                                  "used the offline draft.")], completion.model)
        note.usage = usage
        return note
    problems = check_sections(sections, facts, raw, cat)
    claim_flags = [Flag(code="unsupported_claim", message=p.message, span=p.span) for p in problems]
    invented_risk = any(p.kind == "risk statement" for p in problems)
    cleaned = {k: remove_unsupported(v, problems).strip() for k, v in sections.items()}
    removals = len({p.sentence for p in problems})  # sentences removed: one sentence may carry several problems
    if invented_risk or removals > MAX_REMOVALS or any(not v for v in cleaned.values()):
        why = "an invented risk statement" if invented_risk else f"{len(problems)} unsupported claim(s)"
        note = offline_note(claim_flags + [Flag(code="fallback_offline", message=f"the model draft had {why}; "
                                                "used the offline draft instead.")], completion.model)
        note.usage = usage
        return note
    if judge is not None:
        try:
            refused = judge_claims(cleaned, raw, judge)
        except (EndpointError, ValueError) as err:
            claim_flags.append(Flag(code="judge_error", message=f"the entailment judge failed ({type(err).__name__}); "
                                    "the code's fact check stands alone."))
        else:
            if refused:
                judged = [Unsupported("claim (judge)", x[:80], x) for x in refused]
                claim_flags += [Flag(code="unsupported_claim", message=u.message, span=u.span) for u in judged]
                cleaned = {k: remove_unsupported(v, judged).strip() for k, v in cleaned.items()}
                if any(not v for v in cleaned.values()):
                    note = offline_note(claim_flags + [Flag(code="fallback_offline", message="the judge removed a "
                                                            "whole section; used the offline draft.")], completion.model)
                    note.usage = usage
                    return note
    cleaned = _ensure_risk(cleaned, facts, fmt)
    usage.latency_ms = round((time.perf_counter() - started) * 1000, 2)
    return Note(format=fmt, sections=cleaned, text=to_markdown(fmt, cleaned, "llm"), facts=facts,  # type: ignore[arg-type]
                techniques=facts.techniques, flags=flags + claim_flags, mode="llm", model=completion.model, usage=usage)
