"""A task the bullets leave undecided, written as set (issue 9: "a planned step written as done", and its
neighbour, an idea the client is still weighing written as homework).

"discussed possibly writing a letter to friend - pt unsure, will think about it" supports "A letter to his friend
was discussed; he is unsure", not "The client was asked to write a letter to his friend before the next session".
A draft sentence that sets a task (asked to, assigned, homework, agreed to, will ...) and has no hedge of its own
needs a bullet line on that task that is not itself undecided. The task is found by its content words: a line
shares at least two of them with the sentence."""

from __future__ import annotations

import re
from functools import lru_cache

_I = re.IGNORECASE

#: A sentence that sets a task: an assignment, homework, an agreement to do it, or a plain future of doing it.
_SETS = re.compile(
    r"\b(?:was|were|is|are|has\s+been|have\s+been)\s+(?:asked|assigned|given|set|instructed|tasked|encouraged)\s+"
    r"(?:with\s+|as\s+)?(?:to\b|homework|a\s+task|the\s+task)|\bhomework\b|\bHW\b|\b(?:agreed|committed|undertook|will\s+aim)\s+to\b|"
    r"\bwill\s+(?:\w+\s+)?(?:complete|write|call|phone|ring|text|email|contact|speak|talk|ask|bring|send|try|"
    r"practi[sc]e|tell|attend|arrange|book|visit|meet|invite|join|start|keep|list|plan|do)\b", _I)
#: The sentence's own hedge: it does not claim the task was set (a question mark too: a bullet copied whole).
_HEDGED = re.compile(
    r"\?|\b(?:consider\w*|possib\w*|may|might|whether|unsure|uncertain|not\s+sure|undecided|think\s+(?:about|over|it)|"
    r"option\w*|idea|discuss\w*|explor\w*|if\s+(?:she|he|they)|perhaps|maybe|tentative\w*|weigh\w*|reflect\w*|"
    r"ambivalen\w*|hesita\w*|reluctan\w*|not\s+(?:yet|ready)|declin\w*|open\s+to)\b", _I)
#: A bullet line that leaves the task undecided. Not a question mark: "ask partner to come to session 10?? -> pt will
#: ask him tonight" asks, then decides.
_UNDECIDED = re.compile(
    r"\b(?:possibl\w*|poss|maybe|might|perhaps|consider\w*|unsure|not\s+sure|undecided|ambivalen\w*|reluctan\w*|"
    r"hesita\w*|(?:will|to|wants?\s+to|going\s+to|needs?\s+to)\s+think\s+(?:about|abt|over|it\s+over|on)|"
    r"if\s+(?:she|he|they|pt)\s+(?:wants?|feels?|decides?|chooses?)|whether|not\s+ready|didn'?t\s+want|declined|"
    r"refused|idea\s+of|floated|mooted)\b", _I)
#: Words that name the setting of a task, the session or the people, not the task itself.
_NOT_THE_TASK = frozenset({
    "client", "patient", "therapist", "session", "sessions", "next", "before", "after", "week", "weeks", "today",
    "will", "would", "with", "that", "this", "their", "there", "about", "asked", "assigned", "given", "homework",
    "agreed", "committed", "undertook", "task", "tasks", "plan", "planned", "encouraged", "instructed", "from",
    "into", "they", "them", "have", "been", "were", "also", "then", "when", "what", "which", "some", "each",
    "her", "his", "she", "and", "the", "for", "was", "has", "had"})


@lru_cache(maxsize=512)
def _stems(text: str) -> frozenset[str]:
    """A text's content words, cut to five letters (cached: each bullet line is read once per draft, not per
    sentence)."""
    return frozenset(w[:5] for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in _NOT_THE_TASK)


def undecided_as_set(sentence: str, bullet_lines: list[str]) -> str | None:
    """The words setting a task in ``sentence`` when every bullet line about that task leaves it undecided."""
    m = _SETS.search(sentence)
    if m is None or _HEDGED.search(sentence):
        return None
    task = _stems(sentence)
    about = [line for line in bullet_lines if len(task & _stems(line)) >= 2]
    if about and all(_undecided(line) for line in about):
        return m.group(0)
    return None


def _undecided(line: str) -> bool:
    """The bullet line leaves its task undecided: a word of doubt with no decision after it ("didn't want to talk about
    it further, agreed to return to it" decides)."""
    doubts = [d.end() for d in _UNDECIDED.finditer(line)]
    return bool(doubts) and not _SETS.search(line, doubts[-1])
