"""The reader: all-MiniLM-L6-v2 fine-tuned end to end on the labelled snippets (scripts/train_reader.py),
shipped as an int8 ONNX graph (``data/reader.onnx``). Where the linear probes read a frozen sentence
vector, the reader reads the whole snippet with every layer trained for the task, so it weighs the words
around a risk topic ("since she was 15", "her brother", "denies", "if he ever") as a clinician does.

It reads a *unit* (a line of text, or a window of sentences of a long line) and says:
- ``current``: the unit speaks of the client's current risk (stated or possible), as the labels read it;
- ``stated``: ... and the risk is stated outright (not only warning-sign language);
- ``topic``: the unit mentions a risk topic at all (negated, hypothetical, historical, someone else's);
- ``frame``: the unit asks for, proposes or considers a method outside the IPT frame;
- ``assertion``: a distribution over how the unit asserts its risk topic (``None``: no risk topic).

:func:`arbitrate`, called by ``detect.analyse``, uses it to add the client's current risk the rules did not
find (at the possible level: ask directly), to take back a risk found by meaning alone that the reader
reads as not current, and to give a risk mention its assertion. It never takes back an explicit term or
its ConText scope, and it never reads a score out to a clinician. The ``frame`` head is trained but not
used: out of fold it rarely cleared 0.5 on dev requests (too few of them among the training snippets).

The notes and the checks on model output call ``analyse(..., reader=False)``: on bullet sets the reader
added risk to ordinary lines (README, "The signal layer"). Loaded on first use; ``IPT_READER=off``
switches it off everywhere (the rules and the probes then read alone)."""

from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .types import RISK_SCREEN, Signal

READER_FILE = Path(__file__).parent / "data" / "reader.onnx"
READER_SHA256 = "c7447b203bb582c803fcbd14bcf3568b6903edb317b2749c5d15fa670197b956"
HEADS: tuple[str, ...] = ("current", "stated", "topic", "frame")
ASSERTION_CLASSES: tuple[str | None, ...] = (None, "present", "negated", "hypothetical", "not_assessed", "historical",
                                             "other_person")
#: The reader was trained on snippets of at most 64 tokens (a question, a bullet line); a unit is read
#: whole up to this many tokens.
MAX_TOKENS = 128
#: A line longer than this many characters is read in windows of whole sentences.
UNIT_CHARS = 400
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


@dataclass(frozen=True)
class ReaderScores:
    current: float
    stated: float
    topic: float
    frame: float
    assertion: dict[str | None, float]

    def mention(self, *, current: bool = True) -> tuple[str, float]:
        """The likeliest way the unit asserts a risk topic, given that it mentions one (``current=False``:
        the likeliest of the ways that are not current risk)."""
        best = max((a for a in ASSERTION_CLASSES if a and (current or a != "present")),
                   key=lambda a: self.assertion.get(a, 0.0))
        return str(best), self.assertion.get(best, 0.0)


def units(text: str) -> list[tuple[int, int]]:
    """The spans the reader reads: each non-blank line; a line over ``UNIT_CHARS`` in windows of whole
    sentences (a sentence longer than that alone)."""
    out: list[tuple[int, int]] = []
    for m in re.finditer(r"[^\n]+", text):
        a, b = m.start(), m.end()
        if not text[a:b].strip():
            continue
        if b - a <= UNIT_CHARS:
            out.append((a, b))
            continue
        start = a
        cuts = [a + x.end() for x in _SENTENCE_END.finditer(text[a:b])] + [b]
        prev = a
        for cut in cuts:
            if cut - start > UNIT_CHARS and prev > start:
                out.append((start, prev))
                start = prev
            prev = cut
        out.append((start, b))
    return out


class Reader:
    """Thread-safe: texts -> :class:`ReaderScores`, remembering its last ``CACHE`` texts (a note's bullets
    are read by the parse and again by the fact check)."""

    CACHE = 512

    def __init__(self, path: Path = READER_FILE, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from ..embeddings import _cache_dir, _tokenizer_path, _verified

        cache = _cache_dir()
        _verified(str(path), READER_SHA256, str(cache) if cache else None)
        self.tokenizer = Tokenizer.from_file(str(_tokenizer_path()))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.no_padding()
        opts = ort.SessionOptions()
        # One thread that does not spin between runs: the reader reads a line or a few, and a second pool
        # of spinning threads beside the encoder's slowed both (query embedding 9 -> 16 ms p50 on 2 cores).
        opts.intra_op_num_threads = threads or 1
        opts.inter_op_num_threads = 1
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()
        self._seen: OrderedDict[str, ReaderScores] = OrderedDict()
        self._pending: dict[str, tuple[Future[list[ReaderScores]], list[str]]] = {}  # text -> (its read, its batch)
        self._pool: ThreadPoolExecutor | None = None

    def clear_cache(self) -> None:
        with self._lock:
            self._seen.clear()

    def prefetch(self, texts: Sequence[str]) -> None:
        """Start reading ``texts`` in the background (the signal layer does so before its own passes, so the
        reader's one thread overlaps the rules' Python work); :meth:`read` then waits for the result."""
        with self._lock:
            todo = list(dict.fromkeys(t for t in texts if t not in self._seen and t not in self._pending))
            if not todo:
                return
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ipt-reader")
            future = self._pool.submit(self._run, todo)
            for t in todo:
                self._pending[t] = (future, todo)
        future.add_done_callback(lambda f: self._settle(todo, f))  # a prefetch nobody reads still fills the cache

    def _settle(self, batch: list[str], future: Future[list[ReaderScores]]) -> None:
        with self._lock:
            for t in batch:
                if self._pending.get(t, (None,))[0] is future:
                    del self._pending[t]
            if future.exception() is None:
                self._remember(batch, future.result())

    def _remember(self, texts: Sequence[str], scores: Sequence[ReaderScores]) -> None:
        self._seen.update(zip(texts, scores))  # the caller holds the lock
        while len(self._seen) > self.CACHE:
            self._seen.popitem(last=False)

    def read(self, texts: Sequence[str]) -> list[ReaderScores]:
        with self._lock:
            found = {t: self._seen[t] for t in texts if t in self._seen}
            waiting = {id(f): (f, batch) for t in texts if t not in found and t in self._pending
                       for f, batch in [self._pending[t]]}
        for future, batch in waiting.values():
            try:
                done = dict(zip(batch, future.result()))
            except Exception:  # noqa: BLE001 - read them again below, where an error surfaces as usual
                continue
            found.update((t, done[t]) for t in texts if t in done)
        todo = list(dict.fromkeys(t for t in texts if t not in found))
        if todo:
            fresh = self._run(todo)
            found.update(zip(todo, fresh))
            with self._lock:
                self._remember(todo, fresh)
        return [found[t] for t in texts]

    def _run(self, texts: list[str]) -> list[ReaderScores]:
        from ..embeddings import padded

        ids, mask = padded(self.tokenizer.encode_batch([t if t.strip() else "." for t in texts]))
        (logits,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
        heads = 1.0 / (1.0 + np.exp(-logits[:, :len(HEADS)]))
        z = logits[:, len(HEADS):]
        z = np.exp(z - z.max(axis=1, keepdims=True))
        dist = z / z.sum(axis=1, keepdims=True)
        return [ReaderScores(*(float(x) for x in h), assertion=dict(zip(ASSERTION_CLASSES, map(float, d))))
                for h, d in zip(heads, dist)]


def enabled() -> bool:
    return os.environ.get("IPT_READER", "").strip().lower() not in ("off", "0", "false", "no")


@lru_cache(maxsize=1)
def get_reader() -> Reader | None:
    """The shipped reader, or None when it is switched off or missing."""
    if not enabled() or not READER_FILE.exists():
        return None
    return Reader()


#: Arbitration thresholds, chosen on the reader's out-of-fold scores over dev (int8 graphs, 5 folds, each dev
#: snippet read by a reader and probes trained without it), as the setting with the
#: highest risk recall whose false-alarm rate is not above the rules' own (0.115). Of ADD in 0.5-0.8 and DROP
#: in 0.05-0.3: recall 0.862 -> 0.934, false alarms 0.115 -> 0.113, assertion 0.784 -> 0.863.
#: At or above ADD, a line with no current risk found by the rules gets one (at the possible level: ask
#: directly); below DROP, a current risk the probes found by meaning alone is read as the reader reads it.
#: ADD was re-chosen for the reader retrained in the twenty-first round, on out-of-fold readings of the writers'
#: read halves (two readers, each trained without one group of halves and scoring it): of 0.2-0.5, the highest
#: recall, at false alarms still under the old reader's (README, "The twenty-first round").
ADD = 0.3
DROP = 0.1
#: Below this ``topic``, the unit has no risk topic at all ("killing it at work"): what the rules found goes.
NO_TOPIC = 0.5
#: The reader's reading of a mention (negated, historical, someone else's ...) stands at this or above.
MENTION = 0.5
#: ... and over the assertion the rules gave an explicit term (its ConText scope has an exact span).
MENTION_OVER_RULE = 0.8
#: At or above this, a line whose explicit risk terms the rules read only as denied or supposed gets a possible risk
#: over it all the same (ask directly): "Smashes her head against the steering wheel when angry ('not self harm' she
#: says), bruised forehead today", "no SI today (first time in weeks) - very calm, says she's 'got it all figured out'",
#: "talks about his late wife as if he'll see her soon, 'not long now, love'". Not a term read as someone else's, as past
#: or as not asked: those scopes are the rules' surest (a pupil's disclosure to a teacher client reads as current to the
#: reader). Chosen on the read halves (thirty-first round): of 0.3-0.95, 0.85 gained 6 current risks for no false alarm
#: (0.7 gained 9 for one, and took "says she is not suicidal, 'just totally fed up with all of it'", a denial an earlier
#: writer's label keeps, for a risk); below 0.7, denials that stand ("denies SI/SH/thoughts harm baby") came in.
OVER_DENIAL = 0.85
#: The assertions of an explicit term that ``OVER_DENIAL`` may read past.
_READ_PAST = frozenset({"negated", "hypothetical"})


def _sentences(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """The sentences of ``text[a:b]``, stripped, as spans of ``text``."""
    out, start = [], a
    for end, nxt in [(m.start(), m.end()) for m in _SENTENCE_END.finditer(text, a, b)] + [(b, b)]:
        piece = text[start:end]
        if piece.strip():
            x = start + len(piece) - len(piece.lstrip())
            out.append((x, x + len(piece.strip())))
        start = nxt
    return out


def _over(text: str, a: int, b: int, kind: str, assertion: str, level: str | None, score: float, evidence: str,
          tag: str) -> Signal:
    """A finding of the reader's own, spanning the unit ``text[a:b]``."""
    return Signal(kind, a, b, text[a:b], assertion, evidence, round(score, 3), "reader", level, (tag,), text[a:b])  # type: ignore[arg-type]


_CONTRAST = re.compile(r"\b(?:but|however|although|though|yet|except|whereas|despite)\b", re.I)


def _spoken_by_another(s: Signal) -> bool:
    return s.assertion == "other_person" and any(m.endswith("(speaks)") for m in s.modifiers)


#: The client stated sober now, in the session ("clear-headed and coherent today", "was sober today", "in session sober"),
#: not "not sober", nor sober for years ("sober 4 yrs": a history, not this session).
_SOBER_WORD = r"(?<!\bnot\s)(?<!\bn't\s)\b(?:sober|clear[-\s]headed|not\s+(?:intoxicated|under\s+the\s+influence|drunk))\b"
_NOW = r"\b(?:today|in\s+(?:the\s+)?session|this\s+session|on\s+arrival|now)\b"
_SOBER = re.compile(rf"{_SOBER_WORD}(?:\s+[\w,-]+){{0,3}}?\s+{_NOW}|{_NOW}[^.;]{{0,30}}?{_SOBER_WORD}", re.I)


def _sober(text: str, a: int, b: int, kind: Callable[[], str]) -> bool:
    """The reader's current risk would be intoxication (``kind()``, asked only when needed) where the unit ``a:b`` says
    the client is sober now: the drinking it reads is dependence, a presentation to stabilise first, not intoxication
    ("wakes needing a drink to stop the shakes; clear-headed and coherent today"). Other kinds are added as ever."""
    return bool(_SOBER.search(text, a, b)) and kind() == "intoxication"


def prefetch(text: str) -> None:
    """Start the reader on ``text``'s units in the background (a no-op when the reader is off)."""
    reader = get_reader()
    if reader is not None:
        reader.prefetch([text[a:b] for a, b in units(text)])


def _only_figurative(reader: "Reader", text: str, a: int, b: int, figurative: Sequence[tuple[int, int]]) -> bool:
    """Whether the unit ``text[a:b]`` reads as current risk only through a fixed idiom in it ("would sooner shoot
    myself in the foot than go"): read again without the idiom's words, it no longer does."""
    if not any(a <= x < b for x, _ in figurative):
        return False
    rest = _without(text, a, b, figurative)
    return not rest or reader.read([rest])[0].current < ADD


#: A pair of quote marks with nothing inside: what a cut leaves of a quoted idiom.
_EMPTY_QUOTES = re.compile(r"(?:^|(?<=\s))['‘\"“]\s*['’\"”](?=\s|[.,;:!?)]|$)")


def _without(text: str, a: int, b: int, cut: Sequence[tuple[int, int]]) -> str:
    """The unit ``text[a:b]`` without the spans ``cut``, its spacing normalised."""
    from .detect import _outside

    rest = " ".join(_outside(text, a, b, list(cut)))
    # Quote marks the cut left empty ("'Going to lose my mind' if ..." without its idiom) are gone with their words: an
    # empty pair alone read as a risk of 0.67 to the reader.
    rest = _EMPTY_QUOTES.sub(" ", rest)
    return " ".join(rest.split())


#: "Never" or "not" as an intensifier of how bad things are ("never felt so low", "has never been this bad", "not
#: felt this low since ..."): not a denial of what the line goes on to say.
_INTENSIFIER = re.compile(r"\b(?:never|not|n't)\s+(?:ever\s+)?(?:felt|feeling|been|seen|known|had|was)\s+(?:(?:her|him|them|it|"
                          r"me|things|anything|ever)\s+)?(?:so|this|that|as|more|worse|lower|darker|bleaker)\s+(?:low|bad|"
                          r"down|dark|bleak|hopeless|awful|desperate|rough|worse|grim|black)\b", re.I)


def _intensified(reader: "Reader", text: str, a: int, b: int) -> bool:
    """Whether the unit ``text[a:b]`` holds an intensifier and, read again without it, reads as current risk."""
    m = _INTENSIFIER.search(text, a, b)
    if m is None:
        return False
    rest = _without(text, a, b, [m.span()]).strip(" ,;-")
    return bool(rest) and reader.read([rest])[0].current >= ADD


#: The agent of a passive ("was found by her sister in the garage ...", "got talked down by a friend"): the person named
#: found, stopped or brought in the client; the experience is the subject's, not theirs.
_PASSIVE_AGENT = re.compile(
    r"\b(?:found|discovered|stopped|interrupted|caught|spotted|seen|talked\s+down|pulled\s+back|brought\s+(?:in|to)|"
    r"taken\s+to|driven\s+to|picked\s+up|rescued|walked\s+in\s+on)\b[^.;]{0,40}?"
    r"(?P<agent>\bby\s+(?:her|his|their|my|a|an|the|pt'?s|client'?s)\s+(?:[\w-]+\s+){0,2}?[\w-]+)", re.I)


def _unit_text(text: str, a: int, b: int) -> str:
    """The unit ``text[a:b]`` as the reader reads it: without the agent of a passive, whose person is not the one
    the line is about."""
    cut = [m.span("agent") for m in _PASSIVE_AGENT.finditer(text, a, b)]
    if not cut:
        return text[a:b]
    return _without(text, a, b, cut).strip(" ,;-") or text[a:b]


def _words_past(text: str, a: int, b: int) -> bool:
    """Whether the unit ``text[a:b]`` says anything outside every denial's and supposition's scope (see
    assertion.unscoped)."""
    from .assertion import unscoped

    return any(unscoped(text[x:y], only=_READ_PAST) is not None for x, y in _sentences(text, a, b))


def _answered_list(explicit: Sequence[Signal]) -> bool:
    """Explicit terms, at least two, each denied (or supposed), and by more than one cue ("SI -ve / HI -ve / no DV"):
    a list of screens answered item by item, not one denial over a list ("denies SI, HI"); or denied by an answer
    given to the list together ("[ ] thoughts of death [ ] plan [ ] intent - none ticked", "SI/SH - all 'no'")."""
    cues = [next((m for m in s.modifiers if m.startswith(("negated:", "hypothetical:"))), None) for s in explicit]
    if explicit and all(c is not None and _TOGETHER_CUE.match(c) for c in cues):
        return True
    return len(explicit) >= 2 and None not in cues and len(set(cues)) >= 2


def _fields_answered_no(explicit: Sequence[Signal]) -> bool:
    """Explicit terms, at least two, each answered no in a field of its own (answers.py: "SI [ ]  SH [ ]  low mood [x]",
    "SI: N  SH: N  HI: N"): a form filled in item by item, whose other items (ticked symptoms) are not read past it."""
    return len(explicit) >= 2 and all("form field:negated" in s.modifiers for s in explicit)


#: The cue of an answer given to a list together: "all 'no'", "both denied", "none ticked", "nothing circled".
_TOGETHER_CUE = re.compile(r"negated:(?:all|both|each|none|nothing|no\s+(?:boxes|items))\b\W*\w", re.I)


def arbitrate(text: str, items: list[Signal], kind_of: Callable[[int, int], str],
              figurative: Sequence[tuple[int, int]] = ()) -> list[Signal]:
    """The rules' risk findings in ``text``, reconciled with the reader unit by unit. ``kind_of(start, end)``
    names the likeliest risk kind for a span where the reader finds what the rules did not.

    - ``current`` >= ADD and no current risk found: a possible risk over the unit (ask directly). Where an
      explicit term the rules scoped away is in the unit, over each other sentence of it that reads so alone.
    - The unit speaks of risk but not as current, and the rules found no risk there: a mention with the
      reader's assertion and no level (it raises nothing; it says how the text speaks of risk).
    - Not current and the reader is sure how the mention is asserted: the rules' mentions take it.
    - ``current`` < DROP: the rules' current risk in the unit is re-read as the reader's mention, or dropped
      where the reader reads no risk topic at all.
    """
    reader = get_reader()
    if reader is None:
        return items
    spans = units(text)
    if not spans:
        return items
    out: list[Signal | None] = list(items)
    added: list[Signal] = []
    alone: list[tuple[int, int, int, int]] = []  # a sentence, and its unit
    parts: list[tuple[int, Signal | None]] = []
    for (a, b), r in zip(spans, reader.read([_unit_text(text, a, b) for a, b in spans])):
        mine = [k for k, s in enumerate(out) if s is not None and s.family == "risk" and s.category != RISK_SCREEN
                and a <= s.start < b]
        present = [k for k in mine if out[k].present and out[k].level]  # type: ignore[union-attr]
        tag = f"reader:current {r.current:.2f}"
        # Where its own assertion head reads the line as someone else's risk ("Mum's new partner drinking heavily and
        # shouting at mum; pt lives separately"), the current-risk head alone adds nothing: the line is a mention.
        theirs = not present and r.assertion.get("other_person", 0.0) > r.assertion.get("present", 0.0)
        if r.current >= ADD and not theirs:
            # An explicit term the rules scoped away (someone else's, denied, past) keeps its scope; so do words a
            # relative speaks in the first person ("his wife keeps saying 'I'd rather be dead'": they are hers).
            # So does a risk screen's documented negative result ("PHQ-9 = 11, item 9 = 0. GAD-7 = 5."), unless
            # something set against it follows ("item 9 = 0 but told OT she's 'planning to go to the woods'").
            screened = any(s is not None and s.category == RISK_SCREEN and s.assertion == "negated" and a <= s.start < b
                           and not _CONTRAST.search(text, s.end, b) for s in out)
            explicit = [out[k] for k in mine if out[k].source == "lexicon"]  # type: ignore[union-attr]
            # (Not over a list of screens answered item by item with nothing else said: "SI -ve / HI -ve / no DV
            # disclosed when seen alone" leaves nothing past its answers to read.)
            past_denial = bool(explicit) and r.current >= OVER_DENIAL \
                and all(s.assertion in _READ_PAST for s in explicit) \
                and not (_answered_list(explicit) and not _words_past(text, a, b)) \
                and not _fields_answered_no(explicit)  # type: ignore[arg-type, union-attr]
            if not present and not screened and (not explicit or past_denial) \
                    and not any(_spoken_by_another(out[k]) for k in mine) and not _sober(text, a, b, lambda: kind_of(a, b)) \
                    and not _only_figurative(reader, text, a, b, figurative):  # type: ignore[arg-type]
                why = tag + (" (beside a denied or supposed term)" if explicit else "")
                added.append(_over(text, a, b, kind_of(a, b), "present", "possible_risk", r.current, why, tag))
            elif not present:
                # ... but only over its own sentence: another sentence of the line, with no finding of the rules
                # in it, is read on its own ("No SH. Partner controls all the finances and checks her phone").
                alone += [(x, y, a, b) for x, y in _sentences(text, a, b)
                          if (x, y) != (a, b) and not any(s is not None and s.family == "risk" and x <= s.start < y for s in out)]
            continue
        if not present and not any(out[k].source == "lexicon" for k in mine) and _intensified(reader, text, a, b):  # type: ignore[union-attr]
            # "never felt so low, thinks about stepping in front of a train": the reader took the intensifier's
            # "never" for a denial; without it the unit reads as current risk
            added.append(_over(text, a, b, kind_of(a, b), "present", "possible_risk", r.current, tag + " (intensifier)",
                               tag))
            continue
        mention, p = r.mention()
        if mention != "present" and p >= MENTION and r.topic >= NO_TOPIC:
            if not mine:
                added.append(_over(text, a, b, kind_of(a, b), mention, None, p, f"reader:{mention} {p:.2f}", tag))
                continue
            for k in mine:
                s = out[k]
                if s is not None and not s.present and s.assertion != mention and \
                        (s.source != "lexicon" or p >= MENTION_OVER_RULE):
                    out[k] = replace(s, assertion=mention, modifiers=s.modifiers + (f"reader:{mention} {p:.2f}",))  # type: ignore[arg-type]
        if r.current >= DROP:
            continue
        mention, _ = r.mention(current=False)  # not current, even where "present" is its likeliest reading
        for k in present:
            s = out[k]
            if s.source != "semantic":  # type: ignore[union-attr]
                continue  # an explicit term found by the rules stands: the reader never takes back stated risk
            taken = None if r.topic < NO_TOPIC else replace(s, assertion=mention, modifiers=s.modifiers + (tag,))  # type: ignore[arg-type, union-attr]
            if s.evidence.startswith("part:"):  # type: ignore[union-attr]
                parts.append((k, taken))  # read in one part of its clause: the reader reads that part too (below)
            else:
                out[k] = taken
    if parts:
        # "lost his job in March and is now saying he wants to end it": the line as a whole read as the event's past;
        # the part that holds the finding, read alone, decides
        for (k, taken), r in zip(parts, reader.read([out[k].evidence.removeprefix("part:") for k, _ in parts])):  # type: ignore[union-attr]
            if r.current < DROP:
                out[k] = taken
    if alone:
        for (x, y, a, b), r in zip(alone, reader.read([text[x:y] for x, y, _, _ in alone])):
            if r.current >= ADD and not _only_figurative(reader, text, x, y, figurative) \
                    and not _sober(text, a, b, lambda: kind_of(x, y)):  # (the line's sobriety answers its sentence)
                tag = f"reader:current {r.current:.2f} (its sentence)"
                added.append(_over(text, x, y, kind_of(x, y), "present", "possible_risk", r.current, tag, tag))
    return [s for s in out if s is not None] + added
