"""From an :class:`AskPlan` to an :class:`Answer`: grounded offline, or a model's
prose checked by code (citations, frame), with offline fallback on endpoint failure."""

from __future__ import annotations

import re
import time
from typing import Callable

from .catalog import Catalog
from .compose import citations, compose_offline, compose_safety, orientation, sources_line
from .context import case_block, pack_context
from .errors import EndpointError
from .llm import ChatModel, Completion, Message, guarded
from .models import Answer, Flag, Usage
from .planning import AskPlan
from .signals.check import frame_flags, remove_safety_undoing
from .prompts import ANSWER_SYSTEM, ANSWER_USER, load_prompt
from .tokens import count_messages
from .written import StreamGuard, WrittenCheck, check_written

REDIRECT_PREFIXES = ("**Holding the IPT frame", "**Is IPT the right fit?")
_CITE = re.compile(r"\[([a-z][a-z_]+)\]|`([a-z][a-z_]+)`")


def _base(plan: AskPlan) -> dict:
    return dict(
        session=plan.session,
        total_sessions=plan.total,
        phase=plan.phase.phase if plan.phase else None,
        focal_area=plan.focal_area,
        focal_area_source=plan.focal_source,
        focal_evidence=plan.focal_evidence,
        secondary_focal_area=plan.secondary,
        retrieved=plan.techniques,
    )


def offline_answer(plan: AskPlan, cat: Catalog, *, extra_flags: list[Flag] | None = None,
                   note: str | None = None, started: float | None = None) -> Answer:
    text = compose_offline(plan, cat, fallback=note is not None)
    if note:
        text = f"> {note}\n>\n" + text
    flags = list(plan.flags) + (extra_flags or [])
    usage = Usage(latency_ms=round((time.perf_counter() - started) * 1000, 2) if started else 0.0)
    return Answer(answer=text, mode="offline", model=None, techniques=plan.techniques,
                  citations=citations(plan, cat), flags=flags, usage=usage, **_base(plan))


def strip_redirects(text: str) -> str:
    """``text`` without the paragraphs that decline or refer (so the frame check does not flag them)."""
    # The redirect and fit paragraphs name other models' methods on purpose (to decline or refer).
    return "\n".join(l for l in text.splitlines() if not l.startswith(REDIRECT_PREFIXES))


def build_messages(plan: AskPlan, cat: Catalog, budget: int,
                   history: list[Message] | None = None) -> tuple[list[Message], list[str], int]:
    packed = pack_context(plan, cat, budget)
    if plan.safety_first:
        instructions = ("Risk is present. The clinician's safety steps are already shown above your answer. "
                        "Add only: how to ask about the risk directly in this case (wording), and how IPT work "
                        "resumes once the client is safe. Do not score or grade risk.")
    else:
        instructions = "Answer now. Cite technique ids in square brackets."
    system = load_prompt(ANSWER_SYSTEM).render()
    user = load_prompt(ANSWER_USER).render(case=case_block(plan, cat), context=packed.text,
                                           question=plan.question, instructions=instructions)
    messages = [{"role": "system", "content": system}, *(history or []), {"role": "user", "content": user}]
    return messages, packed.technique_ids, packed.tokens


def cited_ids(text: str) -> list[str]:
    seen: list[str] = []
    for m in _CITE.finditer(text):
        tid = m.group(1) or m.group(2)
        if tid not in seen:
            seen.append(tid)
    return seen


def llm_answer(plan: AskPlan, cat: Catalog, model: ChatModel, *, budget: int = 1600, max_tokens: int = 900,
               on_token: Callable[[str], None] | None = None, started: float | None = None,
               history: list[Message] | None = None) -> Answer:
    """Ask the model; check what it wrote; fall back to offline on endpoint failure."""
    started = started or time.perf_counter()
    messages, _, ctx_tokens = build_messages(plan, cat, budget, history)
    prompt_tokens = count_messages(messages)
    preamble = preamble_lines(plan, cat)
    if on_token is not None:
        on_token("\n".join(preamble) + "\n")
    try:
        # A loop, or a pasted context or earlier answer, is cut off early (when streamed).
        with guarded(StreamGuard("\n".join(m["content"] for m in messages[1:]))):
            completion = model.complete(messages, max_tokens=max_tokens, temperature=0.2, on_token=on_token)
    except EndpointError as err:
        flag = Flag(code="endpoint_error", message=f"{err} — showing the grounded offline answer instead.")
        ans = offline_answer(plan, cat, extra_flags=[flag], started=started,
                             note=f"The model endpoint failed ({err}); this is the grounded offline answer.")
        ans.model = model.name
        ans.usage.model_calls = int(getattr(err, "attempts", 0) or 0)
        return ans
    written = check_written(completion.text, messages[-1]["content"], completion.finish_reason)
    if not written.ok:  # copied the context, hit the token limit or wrote a tool call: never shown as an answer
        return rejected_answer(plan, cat, completion, written, started)
    return checked_answer(plan, cat, completion, plan.techniques, preamble, prompt_tokens, ctx_tokens, started)


def rejected_answer(plan: AskPlan, cat: Catalog, completion: Completion, written: WrittenCheck,
                    started: float, model_calls: int | None = None) -> Answer:
    """The grounded offline answer in place of a model reply that failed :func:`check_written`."""
    ans = offline_answer(plan, cat, extra_flags=written.flags(), started=started,
                         note=f"The model {written.reason()}; this is the grounded offline answer.")
    ans.model = completion.model
    ans.usage.model_calls = completion.attempts if model_calls is None else model_calls
    ans.usage.completion_tokens = completion.completion_tokens
    ans.usage.prompt_tokens = completion.prompt_tokens
    ans.usage.total_tokens = completion.prompt_tokens + completion.completion_tokens
    return ans


#: Flags that say why a streamed answer was replaced by the offline one, most telling first.
_REPLACED_BY = ("endpoint_error", "copied_context", "repetitive", "truncated", "pseudo_tool_call")


def fallback_notice(pieces_shown: int, answer: Answer) -> str:
    """The line between what was streamed and the offline answer that replaces it. The first piece
    streamed is the case header (:func:`preamble_lines`); only later pieces are the model's text."""
    code = next((c for c in _REPLACED_BY if answer.has_flag(c)), "endpoint_error")
    said = ("The model's text above is incomplete or unchecked: discard it." if pieces_shown > 1
            else "No answer came from the model.")
    return f"\n\n[{code}] {said} The grounded offline answer follows.\n\n"


def preamble_lines(plan: AskPlan, cat: Catalog) -> list[str]:
    lines = [orientation(plan, cat), ""]
    if plan.safety_first:
        lines += compose_safety(plan, cat) + ["", "## From the model", ""]
    return lines


def checked_answer(plan: AskPlan, cat: Catalog, completion: Completion, retrieved: list[str], preamble: list[str],
                   prompt_tokens: int, ctx_tokens: int, started: float) -> Answer:
    """Code checks on model text: citations must name retrieved techniques; the frame must hold."""
    text = completion.text.strip()
    flags = list(plan.flags)
    known = set(cat.techniques)
    cited = cited_ids(text)
    # A catalog id that was not retrieved, or an id-shaped citation not in the catalog, is a phantom.
    phantom = [c for c in cited if (c in known and c not in retrieved)
               or (c not in known and "_" in c and c not in cat.focal_areas)]
    for c in phantom:
        flags.append(Flag(code="phantom_citation", message=f"cites {c!r}, which was not retrieved for this question", span=c))
    valid = [c for c in cited if c in known and c in retrieved]
    if not valid:
        flags.append(Flag(code="citation_missing", message="the model cited none of the retrieved techniques; "
                          "check the advice against the sources listed"))
    body: list[str] = []
    if plan.risk.is_risk:
        # Model text cannot undo safety: sentences that deny, minimise, grade or skip it are removed.
        text, removed = remove_safety_undoing(text)
        for sentence in removed:
            flags.append(Flag(code="safety_undone", message="removed a model sentence that denied, minimised or "
                              "skipped the documented risk; the safety steps above stand", span=sentence.strip()[:200]))
        if removed:
            body += ["> ⚠ **Safety check:** removed model text that minimised or skipped the risk.", ""]
    violations = frame_flags(text, cat)
    flags += violations
    if violations:
        body += ["> ⚠ **Frame check:** " + "; ".join(f"{v.message} (“{v.span}”)" for v in violations), ""]
    body += preamble + [text]
    # Code decides the order when safety comes first (the model's citations cannot move a technique
    # above asking about risk); otherwise the model's cited order leads.
    ordered = list(retrieved) if plan.risk.is_risk else valid + [t for t in retrieved if t not in valid]
    body += ["", sources_line(plan, cat)]
    used = completion.prompt_tokens or prompt_tokens
    usage = Usage(prompt_tokens=used, completion_tokens=completion.completion_tokens,
                  total_tokens=used + completion.completion_tokens, context_tokens=ctx_tokens,
                  model_calls=completion.attempts, latency_ms=round((time.perf_counter() - started) * 1000, 2))
    base = _base(plan)
    base["retrieved"] = retrieved
    return Answer(answer="\n".join(body).strip() + "\n", mode="llm", model=completion.model,
                  techniques=ordered, citations=citations(plan, cat, ordered), flags=flags, usage=usage, **base)
