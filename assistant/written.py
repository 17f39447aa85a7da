"""Was the answer written, or copied? Checks on a model's reply before it is shown.

Small local models often paste the context back (its lines, labels and bracketed headings) instead of
writing an answer, or run into the token limit mid-word. Both are caught here, for ``ask`` and for the
chat agent alike, and the caller shows the grounded offline answer instead:

* ``copied_context``: a large share of the reply's words sit inside word n-grams that also occur in the
  context the model was given (:func:`copied_share`), or several lines start with the context's own
  labels or bracketed headings;
* ``truncated``: the endpoint reported ``finish_reason="length"`` (the reply hit ``max_tokens``);
* ``pseudo_tool_call``: the reply is a tool call written as text, or a bare JSON blob, not prose;
* ``repetitive``: the reply repeats a long run of its own words (a small model caught in a loop).

:class:`StreamGuard` applies the same measures while a reply streams, so that a loop or a copy is cut off
after a few dozen words instead of running to ``max_tokens`` (on a CPU model, minutes). The stream is then
closed and the reply ends with one of the ``STOP_*`` finish reasons, which :func:`check_written` reads.

Pure functions over strings: cheap, no model, no patient text logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from .models import Flag

#: Word n-gram length used for the copy measure.
NGRAM = 6
#: A reply with at least this share of its words inside shared n-grams is a copy.
COPY_SHARE = 0.5
#: This many lines starting with a context label or heading make a reply a copy, whatever the share.
LABEL_LINES = 3
#: A reply that repeats a run of this many of its own words is caught in a loop (no answer says a 20-word
#: sentence twice; a quoted key phrase is shorter than this and is said once).
REPEAT_WORDS = 20
#: While streaming: stop a reply whose last this many words all sit inside n-grams of its sources (a whole
#: paragraph pasted; one quoted phrase from the context is shorter).
COPY_WINDOW = 40
#: While streaming, when a tool call is expected: stop after this many characters with no call in them.
CALL_CHARS = 600

#: Finish reasons of a stream the guard stopped (never sent by a server).
STOP_REPEAT = "ipt_repetition"
STOP_COPY = "ipt_copying"
STOP_CALL = "ipt_tool_call"
STOP_NO_CALL = "ipt_no_tool_call"
STOP_REASONS = frozenset({STOP_REPEAT, STOP_COPY, STOP_CALL, STOP_NO_CALL})

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


def repeats_itself(answer: str, n: int = REPEAT_WORDS) -> bool:
    """True when some run of ``n`` words occurs twice in ``answer``."""
    a = words(answer)
    seen: set[tuple[str, ...]] = set()
    for i in range(len(a) - n + 1):
        gram = tuple(a[i:i + n])
        if gram in seen:
            return True
        seen.add(gram)
    return False


class StreamGuard:
    """Watches a reply as it streams; :meth:`feed` returns a ``STOP_*`` reason when it should stop:

    * it repeats a run of :data:`REPEAT_WORDS` of its own words (:data:`STOP_REPEAT`);
    * its last :data:`COPY_WINDOW` words are all inside word n-grams of ``sources`` (:data:`STOP_COPY`);
    * with ``find_call`` (a tool call is expected): as soon as ``find_call(text)`` finds one
      (:data:`STOP_CALL`: what a model writes after its call is never used), or after :data:`CALL_CHARS`
      characters without one (:data:`STOP_NO_CALL`).

    Words are counted when complete (followed by a separator), so a word split across pieces counts once."""

    def __init__(self, sources: str = "", *, find_call: Callable[[str], Any] | None = None) -> None:
        c = words(sources)
        self._grams = {tuple(c[i:i + NGRAM]) for i in range(len(c) - NGRAM + 1)}
        self._find_call = find_call
        self.start()

    def start(self) -> None:
        """Forget what was fed (a new attempt streams from the beginning)."""
        self.text = ""
        self._read = 0  # characters of ``text`` already split into complete words
        self._words: list[str] = []
        self._own: set[tuple[str, ...]] = set()
        self._covered: list[bool] = []
        self.reason: str | None = None

    def feed(self, piece: str) -> str | None:
        if self.reason is not None or not piece:
            return self.reason
        self.text += piece
        if self._find_call is not None:
            if self._find_call(self.text):
                self.reason = STOP_CALL
            elif len(self.text) > CALL_CHARS:
                self.reason = STOP_NO_CALL
            if self.reason is not None:
                return self.reason
        cut = max(self.text.rfind(c) for c in " \n\t.,;:!?\"") + 1  # after the last complete word
        fresh = words(self.text[self._read:cut]) if cut > self._read else []
        self._read = max(self._read, cut)
        for w in fresh:
            self._words.append(w)
            self._covered.append(False)
            k = len(self._words)
            if k >= REPEAT_WORDS:
                gram = tuple(self._words[k - REPEAT_WORDS:])
                if gram in self._own:
                    self.reason = STOP_REPEAT
                self._own.add(gram)
            if k >= NGRAM and tuple(self._words[k - NGRAM:]) in self._grams:
                self._covered[k - NGRAM:] = [True] * NGRAM
            if self.reason is None and k >= COPY_WINDOW and all(self._covered[k - COPY_WINDOW:]):
                self.reason = STOP_COPY
            if self.reason is not None:
                break
        return self.reason


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
    repeated: bool = False
    copy_stopped: bool = False  # the stream guard stopped it as a copy

    @property
    def copied(self) -> bool:
        return self.share >= COPY_SHARE or self.labels >= LABEL_LINES or self.copy_stopped

    @property
    def ok(self) -> bool:
        return not (self.copied or self.truncated or self.pseudo_call or self.repeated)

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
        if self.repeated:
            out.append(Flag(code="repetitive", message="the model began repeating itself; it was stopped and "
                            "not shown"))
        return out

    def reason(self) -> str:
        parts = []
        if self.pseudo_call:
            parts.append("wrote a tool call instead of an answer")
        if self.copied:
            parts.append("copied the context instead of writing an answer")
        if self.truncated:
            parts.append("stopped at the token limit")
        if self.repeated:
            parts.append("began repeating itself")
        return " and ".join(parts)


def check_written(text: str, context: str, finish_reason: str | None) -> WrittenCheck:
    """Measure a model reply against the context it was given."""
    return WrittenCheck(share=copied_share(text, context), labels=label_lines(text),
                        truncated=finish_reason == "length", pseudo_call=looks_like_tool_call(text),
                        repeated=finish_reason == STOP_REPEAT or repeats_itself(text),
                        copy_stopped=finish_reason == STOP_COPY)
