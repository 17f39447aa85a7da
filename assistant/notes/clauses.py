"""Bullets -> clauses: the unit a note places. Each clause keeps the clinician's own words.

A bullet splits at semicolons, full stops and spaced dashes. Commas split it only where the parts are
of different kinds: a bare session mention ("s6/16, argued with Mark"), a bare measure, or a risk
part beside a non-risk part ("passive SI, no plan, safety plan reviewed, PHQ-9 15"). Everything else
stays one clause, so a task such as "tell Mark one thing she needs, calmly" is never cut.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

_I = re.IGNORECASE
_ABBREVIATIONS = ("vs", "dr", "mr", "mrs", "ms", "e.g", "i.e", "approx", "pt", "wk", "sess", "appt", "re", "s",
                  "etc", "cf", "no", "st", "min", "hrs", "yrs", "mos", "fu", "f/u",
                  # clinicians' shortenings written with a point: "cont. mourning the lost role", "incl. sleep"
                  "cont", "contd", "esp", "incl", "poss", "prob", "ref", "dept", "mgr", "tel", "info", "wks", "mins",
                  # died and born: "mum d. Feb", "husband d. 8mo ago (MI)", "b. 1961"
                  "d", "b")
_SENTENCE_END = re.compile(r"(?<=[\w)\]'\"”])\.\s+(?=[\"“(]?[A-Za-z])")
#: A spaced dash breaks a bullet, except before a screen's result or a question's answer ("SI/HI - neg", "risk - nil",
#: "asked about SI - denies", a risk assessment's grade: "RA completed - low").
#: (and a focus's: "Focal area: Grief - agreed")
_RESULT = (r"(?:neg|negative|nil|none|den(?:ied|ies|y|ying)|-ve|positive|yes|no|nope|never|declined|agreed|not\s+(?:asked|assessed)"
           r"|\d+(?:/\d+)?|(?:low|minimal)(?=\s*(?:[.;,]|$)))\b|\+")
_HARD_BREAK = re.compile(rf"\s*;\s*|\s+[–—]\s+(?![\"“']?{_RESULT})|\s+-\s+(?=\S)(?![\"“']?{_RESULT})|\s*\|\s*", re.I)
_COMMA = re.compile(r",\s*")
#: What a quoted answer to a question begins with.
_QUOTED_ANSWER = re.compile(r"\s*(?:no|nope|nah|never|not|yes|yeah|yep|none|nothing)\b", re.I)


@dataclass(frozen=True)
class Clause:
    text: str
    bullet: int  # index of the bullet it came from


def _sentence_pieces(bullet: str) -> list[str]:
    pieces: list[str] = []
    pos = 0
    for m in _SENTENCE_END.finditer(bullet):
        word = re.search(r"([\w./]+)$", bullet[pos:m.start()])
        if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
            continue
        pieces.append(bullet[pos:m.start() + 1])
        pos = m.end()
    pieces.append(bullet[pos:])
    return pieces


_BARE_LABEL = re.compile(r"^\s*(?:hw|homework|task|plan|goal|next|nxt|p|f/u)\s*$", _I)


def _label_joined(sentence: str, opens_item: Callable[[str], bool] | None = None,
                  keeps_addition: Callable[[str, str], bool] | None = None) -> list[str]:
    """Pieces between hard breaks; a bare label ("HW — ask Sam") stays with what follows it, and so does a labelled
    plan or task (``opens_item``) with what a dash adds to it, to the next semicolon ("plan to start termination phase
    then - ending + relapse signs"); and a piece with the addition a dash gives it when ``keeps_addition(piece,
    addition)`` holds ("reviewed relationship w dad - good and not so good bits")."""
    pieces: list[str] = []
    starts: list[int] = []  # where each piece starts in the sentence
    dashed: list[bool] = []  # whether a dash follows the piece
    pos = 0
    carry = None
    for m in _HARD_BREAK.finditer(sentence):
        start = pos if carry is None else carry
        piece = sentence[start:m.start()]
        carry = None
        dash = not re.match(r"\s*[;|]", m.group(0))
        if _BARE_LABEL.match(piece) or dash and opens_item is not None and opens_item(piece.strip()):
            carry = start
            pos = m.end()
            continue
        pieces.append(piece)
        starts.append(start)
        dashed.append(dash)
        pos = m.end()
    start = carry if carry is not None else pos
    pieces.append(sentence[start:])
    starts.append(start)
    dashed.append(False)
    if keeps_addition is None:
        return pieces
    out: list[str] = []
    k = 0
    while k < len(pieces):
        end = k
        while dashed[end] and end + 1 < len(pieces) and \
                keeps_addition(sentence[starts[k]:starts[end] + len(pieces[end])].strip(), pieces[end + 1].strip()):
            end += 1
        out.append(pieces[k] if end == k else sentence[starts[k]:starts[end] + len(pieces[end])])
        k = end + 1
    return out


def _comma_parts(piece: str) -> list[tuple[int, int]]:
    """Spans of the parts between commas outside brackets and quotes; and outside a single-quoted answer ("asked about
    thoughts of suicide -> 'no, never, I've got my dog'": an apostrophe inside a word neither opens nor closes one).
    Other single-quoted words are still read part by part ("said 'I don't know why I bother, it's hopeless'": the
    hopelessness is read on its own)."""
    spans: list[tuple[int, int]] = []
    depth = 0
    quoted = single = False
    start = 0
    for i, ch in enumerate(piece + ","):
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
        elif ch in "\"“”":
            quoted = (not quoted) if ch == '"' else ch == "“"
        elif ch in "'‘" and not single and (i == 0 or not piece[i - 1].isalnum()) and _QUOTED_ANSWER.match(piece, i + 1) \
                and ("'" in piece[i + 1:] or "’" in piece[i + 1:]):
            single = True
        elif ch in "'’" and single and (i + 1 >= len(piece) or not piece[i + 1].isalnum()):
            single = False
        elif ch == "," and (not depth and not quoted and not single or i == len(piece)):
            a, b = start, i
            while a < b and piece[a].isspace():
                a += 1
            while b > a and piece[b - 1].isspace():
                b -= 1
            if b > a:
                spans.append((a, b))
            start = i + 1
    return spans


def split_clauses(bullets: list[str], kind_of: Callable[[str], str],
                  whole: Callable[[str], bool] | None = None,
                  opens_item: Callable[[str], bool] | None = None,
                  keeps_addition: Callable[[str, str], bool] | None = None) -> list[Clause]:
    """``kind_of(part)`` says what a comma part is: "session", "measure", "risk" or "text". Adjacent
    parts of the same kind stay one clause, exactly as written. A bullet for which ``whole(bullet)``
    holds (a labelled plan, task or goal: one item as the clinician wrote it) is one clause; so is a piece for which
    ``opens_item(piece)`` holds with what dashes add to it, and a piece with a dash's addition for which
    ``keeps_addition(piece, addition)`` holds."""
    out: list[Clause] = []
    for bi, bullet in enumerate(bullets):
        if whole is not None and whole(bullet) and bullet.strip().rstrip(".").strip():
            out.append(Clause(bullet.strip().rstrip(".").strip(), bi))
            continue
        for sentence in _sentence_pieces(bullet):
            for piece in _label_joined(sentence, opens_item, keeps_addition):
                piece = piece.strip().rstrip(".").strip()
                if not piece:
                    continue
                if opens_item is not None and opens_item(piece):
                    out.append(Clause(piece, bi))  # one item, as written
                    continue
                spans = _comma_parts(piece)
                kinds = [kind_of(piece[a:b]) for a, b in spans]
                if len(spans) <= 1 or len(set(kinds)) == 1:
                    out.append(Clause(piece, bi))
                    continue
                first = 0
                for j in range(1, len(spans) + 1):
                    if j == len(spans) or kinds[j] != kinds[first]:
                        out.append(Clause(piece[spans[first][0]:spans[j - 1][1]], bi))
                        first = j
    return out
