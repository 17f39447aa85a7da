"""The knowledge base's cue words: a text tries only the cues whose first word it contains (patterns are
compiled on first need). The matches are those of trying every cue's pattern on every clause."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.catalog import get_catalog
from assistant.signals import detect

REPO = Path(__file__).resolve().parents[1]


def _every_cue(cues) -> list[tuple[str, re.Pattern[str]]]:
    out = []
    for category, words in cues:
        for w in words:
            body = r"\s+".join(re.escape(x) for x in w.lower().split())
            tail = "" if len(w) >= 5 else r"\b"
            out.append((category, re.compile(rf"(?<![a-z]){body}{tail}", re.IGNORECASE)))
    return out


def _matches(patterns, norm: str, spans: list[tuple[int, int]]) -> list[tuple[int, str, int, int]]:
    return [(ci, category, cs + m.start(), cs + m.end()) for category, pattern in patterns
            for ci, (cs, ce) in enumerate(spans) for m in pattern.finditer(norm[cs:ce])]


def test_the_first_word_filter_finds_what_every_pattern_finds() -> None:
    catalog = get_catalog()
    cues = tuple((a.id, tuple(a.cues)) for a in catalog.frame.adaptations) + \
        tuple((a.id, tuple(a.cues)) for a in catalog.focal.areas)
    indexed = detect._catalog_cues(catalog.content_hash, cues)
    lines = [line.strip() for path in sorted((REPO / "evals").rglob("*.yaml"))
             for line in path.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 20]
    lines += ["Her Nan in her 80s retired; RETIREMENT party", "postpartum  depression", "a migrant's job loss"]
    patterns = _every_cue(cues)
    found = 0
    for text in lines:
        half = len(text) // 2
        spans = [(0, half), (half, len(text))]
        want = _matches(patterns, text, spans)
        got = [(ci, cue.category, s, e) for ci, cue, s, e in detect.cue_matches(text, spans, indexed)]
        assert got == want, text
        found += len(want)
    assert found > 300  # the texts exercise the cues
