"""Checks on model output through the signal layer: out-of-frame recommendations, risk scored or the
client diagnosed, and (on a risk answer) sentences that deny, minimise or skip the safety steps."""

from __future__ import annotations

import re
from typing import Any

from ..models import Flag

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
#: A meaning-level out-of-frame finding in model text counts only at this probability or above.
OUTPUT_SEMANTIC_MIN = 0.9
#: Scoring or diagnosing: the tool leaves both to the clinician.
_SCORING = re.compile(
    r"\b(?:(?:is|at|as|presents?\s+(?:as|at))\s+(?:low|moderate|medium|high|imminent|severe|minimal|no)\s+risk|"
    r"risk\s+(?:level|score|rating)\s*(?:is\b|[:=]\s*(?=\w))|(?:meets|meet)\s+criteria\s+for|"
    r"(?:she|he|they|client|patient)\s+(?:has|suffers\s+from)\s+(?:bipolar|borderline|major\s+depressive|schizo\w+|bpd|ptsd|"
    r"an?\s+\w+\s+disorder))\b", re.IGNORECASE)
#: Sentences that undo safety on a risk answer: minimising, resolving, grading, or skipping it.
_UNDOING = re.compile(
    r"\b(?:(?:low|minimal|little|no|negligible|reduced)\s+(?:\w+\s+)?risk|risk\s+(?:is|was|seems|appears)\s+(?:low|minimal|"
    r"resolved|settled|gone|manageable|not\s+(?:a\s+)?concern)|(?:resolved|settled|passed|no\s+longer\s+(?:a\s+)?(?:concern|"
    r"an\s+issue|relevant))|not\s+(?:a\s+)?(?:real|serious|genuine|immediate)\s+(?:risk|concern|danger|threat)|"
    r"(?:skip|bypass|postpone|defer|drop|leave\s+out|forgo|omit)\w*\s+(?:the\s+)?(?:safety|risk)|"
    r"(?:safety\s+(?:steps?|planning|plan|check)|risk\s+assessment)\s+(?:can|could|may|might)\s+(?:be\s+)?"
    r"(?:skipped|wait|postponed|deferred|left|dropped|omitted)|"
    # a risk question declared unnecessary: "no need to revisit suicidal ideation", "not going to ask about SH"
    r"(?:no\s+(?:need|reason)|not\s+(?:needed|necessary|required|going)|unnecessary|no\s+longer\s+need\w*)\s+(?:to\s+|for\s+)?"
    r"(?:\w+\s+){0,3}(?:safety|risk|ask\w*|review\w*|revisit\w*|re-?check\w*|check\w*|re-?assess\w*|assess\w*|screen\w*|"
    r"monitor\w*|follow\w*)|(?:risk|safety|SI|suicid\w*|self[-\s]?harm)\s+(?:\w+\s+){0,2}(?:is|was|are|were)\s+"
    r"(?:not|no\s+longer)\s+(?:needed|necessary|required|indicated|warranted)|nothing\s+to\s+worry\s+about|just\s+(?:venting|attention|talk)|"
    r"(?:client|she|he|they|pt|patient)\s+(?:denies|denied|is\s+not|isn'?t|was\s+not|wasn'?t)\s+(?:\w+\s+){0,2}"
    r"(?:suicid\w*|SI|at\s+risk|in\s+danger|unsafe))",
    re.IGNORECASE)


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text) if s.strip()]


def _name(catalog: Any, entry_id: str) -> str:
    entries = getattr(catalog, "frame_entries", {}) if catalog is not None else {}
    entry = entries.get(entry_id)
    return entry.name if entry else entry_id.replace("_", " ")


def frame_flags(text: str, catalog: Any = None) -> list[Flag]:
    """Out-of-frame methods the text recommends (asserted as present; a negated, hypothetical or
    contrasted mention passes: "IPT does not use thought records"), and risk scored or the client
    diagnosed."""
    from .detect import analyse

    flags: list[Flag] = []
    if text.strip():
        seen: set[str] = set()
        # The reader (reader.py) was trained on clinicians' snippets, not model prose, and reads risk only.
        for s in analyse(text, reader=False).items:
            # In model text, a method must be named, or the meaning be unmistakable: ordinary IPT prose
            # ("you mentioned the thoughts are back") must not read as a thought record.
            explicit = s.source == "lexicon" or s.score >= OUTPUT_SEMANTIC_MIN
            if s.family == "frame" and s.present and explicit and s.category not in seen:
                seen.add(s.category)
                flags.append(Flag(code="frame_violation",
                                  message=f"recommends {_name(catalog, s.category)}, which is outside the IPT frame",
                                  span=s.text.strip()[:160]))
    for sentence in sentences(text):
        m = _SCORING.search(sentence)
        if m and not re.search(r"\b(?:not|never|don'?t|doesn'?t|does\s+not|without|no)\b", sentence[: m.start()], re.IGNORECASE):
            flags.append(Flag(code="frame_violation",
                              message="scores risk or diagnoses the client; the tool leaves that to the clinician",
                              span=m.group(0)))
    return flags


def undoes_safety(sentence: str) -> bool:
    """A sentence that denies, minimises, resolves, grades or skips risk or the safety steps."""
    if _UNDOING.search(sentence):
        return True
    from .detect import analyse

    sig = analyse(sentence, reader=False)
    return any(s.family == "risk" and s.assertion == "negated" for s in sig.items)


def remove_safety_undoing(text: str) -> tuple[str, list[str]]:
    """Drop sentences of a model answer that undo safety; returns (text, removed sentences)."""
    removed: list[str] = []
    kept_lines: list[str] = []
    for line in text.split("\n"):
        parts = re.split(r"(?<=[.!?])\s+", line)
        keep = [p for p in parts if not (p.strip() and undoes_safety(p))]
        removed += [p for p in parts if p not in keep]
        if keep or not line.strip():
            kept_lines.append(" ".join(keep))
    return "\n".join(kept_lines), removed
