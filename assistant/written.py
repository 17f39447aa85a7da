"""Was the answer written, or copied? Checks on a model's reply before it is shown.

Small local models often paste the context back (its lines, labels and bracketed headings) instead of
writing an answer, or run into the token limit mid-word. Both are caught here, for ``ask`` and for the
chat agent alike, and the caller shows the grounded offline answer instead:

* ``copied_context``: a large share of the reply's words sit inside word n-grams that also occur in the
  context the model was given (:func:`copied_share`), or several lines start with the context's own
  labels or bracketed headings;
* ``truncated``: the endpoint reported ``finish_reason="length"`` (the reply hit ``max_tokens``);
* ``pseudo_tool_call``: the reply is a tool call written as text, or a bare JSON blob, not prose.

Pure functions over strings: cheap, no model, no patient text logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import Flag

#: Word n-gram length used for the copy measure.
NGRAM = 6
#: A reply with at least this share of its words inside shared n-grams is a copy.
COPY_SHARE = 0.5
#: This many lines starting with a context label or heading make a reply a copy, whatever the share.
LABEL_LINES = 3

_WORD = re.compile(r"[a-z0-9']+")
#: Line starts that belong to the context format (old and new), never to a written answer.
_CONTEXT_LABEL = re.compile(
    r"^\s*(?:[-*]\s*)?(?:\[(?:phase|situation|focal_area|frame|safety):[^\]]*\]"
    r"|(?:how|say|ask|step|warning|direct answer|techniques|schools|method|example wording|example question|"
    r"caution|pitfall|steps in this phase|the ipt answer|techniques to cite|tasks|avoid)\s*:)",
    re.IGNORECASE | re.MULTILINE)
_TOOL_BLOCK = re.compile(r"</?tool_call>|<\|?tool_call|\"name\"\s*:\s*\"[a-z_]+\"\s*,\s*\"(?:arguments|parameters)\"",
                         re.IGNORECASE)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def copied_share(answer: str, context: str, n: int = NGRAM) -> float:
    """Share of the answer's words covered by a word ``n``-gram that also occurs in ``context``
    (0.0 for an answer shorter than ``n`` words)."""
    a = words(answer)
    if len(a) < n:
        return 0.0
    c = words(context)
    grams = {tuple(c[i:i + n]) for i in range(len(c) - n + 1)}
    covered = [False] * len(a)
    for i in range(len(a) - n + 1):
        if tuple(a[i:i + n]) in grams:
            for j in range(i, i + n):
                covered[j] = True
    return sum(covered) / len(a)


def label_lines(answer: str) -> int:
    """Lines of the answer that start with one of the context format's labels or headings."""
    return len(_CONTEXT_LABEL.findall(answer))


_FUNCTION_LINE = re.compile(r"^[\s*_`>#-]*[A-Za-z]+_[A-Za-z0-9_]+\s*\(.*\)[\s*_`.]*$")


def looks_like_tool_call(text: str) -> bool:
    """True when ``text`` is (or mostly is) a tool call written as text or a bare JSON object/array, or
    starts with a call in function syntax (``search_knowledge("...")``)."""
    first = next((line for line in text.strip().splitlines() if line.strip()), "")
    if _FUNCTION_LINE.match(first):
        return True
    stripped = text.strip().strip("`").strip()
    if stripped.startswith("json"):
        stripped = stripped[4:].strip()
    if _TOOL_BLOCK.search(text):
        return True
    return bool(stripped) and stripped[0] in "{[" and stripped[-1:] in "}]"


@dataclass
class WrittenCheck:
    share: float
    labels: int
    truncated: bool
    pseudo_call: bool

    @property
    def copied(self) -> bool:
        return self.share >= COPY_SHARE or self.labels >= LABEL_LINES

    @property
    def ok(self) -> bool:
        return not (self.copied or self.truncated or self.pseudo_call)

    def flags(self) -> list[Flag]:
        out: list[Flag] = []
        if self.pseudo_call:
            out.append(Flag(code="pseudo_tool_call", message="the model wrote a tool call or a JSON blob instead "
                            "of an answer; it was not shown"))
        if self.copied:
            out.append(Flag(code="copied_context", message=f"the model copied the context instead of writing an "
                            f"answer ({self.share:.0%} of its words repeat the context"
                            + (f", {self.labels} context label lines" if self.labels else "") + "); it was not shown"))
        if self.truncated:
            out.append(Flag(code="truncated", message="the model's answer stopped at the token limit "
                            "(finish_reason=length); it was not shown"))
        return out

    def reason(self) -> str:
        parts = []
        if self.pseudo_call:
            parts.append("wrote a tool call instead of an answer")
        if self.copied:
            parts.append("copied the context instead of writing an answer")
        if self.truncated:
            parts.append("stopped at the token limit")
        return " and ".join(parts)


def check_written(text: str, context: str, finish_reason: str | None) -> WrittenCheck:
    """Measure a model reply against the context it was given."""
    return WrittenCheck(share=copied_share(text, context), labels=label_lines(text),
                        truncated=finish_reason == "length", pseudo_call=looks_like_tool_call(text))
