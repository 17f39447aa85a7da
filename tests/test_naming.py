"""Naming techniques in text: the first-word index that picks which patterns to try must never change
what is found (checked against trying every pattern), and must try few patterns in a large catalog."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from assistant.bench import synthetic_catalog
from assistant.naming import _catalog_patterns, match_techniques, negated_before

ROOT = Path(__file__).resolve().parents[1]


def _texts() -> list[str]:
    """Questions and bullets from the fixtures and eval cases, plus shorthand and look-alikes."""
    out = [f["question"] for f in yaml.safe_load((ROOT / "tests/fixtures/retrieval.yaml").read_text())]
    for path in sorted((ROOT / "evals/cases").rglob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            for key in ("question", "bullets"):
                if isinstance(case.get(key), str):
                    out.append(case[key])
    out += ["RP'd the talk with her mum; comm analysis of Sunday's row", "did CA and II, then psycho-ed",
            "roleplay next week?", "Role-playing it felt odd", "she was angry at me for cancelling sessions",
            "gave sick role; pros & cons of moving", "w/ her sister: closeness circle", "ROLE PLAY VARIANT 2",
            "interpersonal   inventory", "never role-played it", "Communication-Analysis of the fight"]
    return out


def _brute(text: str, catalog, question: bool) -> dict[str, str]:
    """match_techniques with every pattern tried (the behaviour before the index)."""
    text = re.sub(r"\bw/(?=\s|\w)", "with ", text)
    found: dict[str, str] = {}
    for tid, pat in _catalog_patterns(catalog, question).pats:
        for m in pat.finditer(text):
            if tid in found:
                break
            if negated_before(text, m.start()):
                continue
            found[tid] = m.group(0)
    return found


@pytest.mark.parametrize("question", [True, False])
def test_the_index_finds_what_every_pattern_finds(catalog, question: bool):
    texts = _texts()
    assert len(texts) > 150
    hits = 0
    for cat in (catalog, synthetic_catalog(catalog, 3)):
        for text in texts:
            got = match_techniques(text, cat, question=question)
            assert got == _brute(text, cat, question), text
            assert list(got) == list(_brute(text, cat, question))  # same order
            hits += bool(got)
    assert hits > 50  # the texts do name techniques


def test_a_large_catalog_tries_few_patterns(catalog):
    big = synthetic_catalog(catalog, 50)
    pats = _catalog_patterns(big, True)
    assert len(pats.pats) > 2000
    tried = pats.candidates("She keeps fighting with her husband about chores; what should I focus on today?")
    assert len(tried) < 60  # the hand-written shorthand and cues, and names starting with these words
    assert match_techniques("Can I use role play variant 7 here?", big, question=True) == {
        "role_play": "role play", "role_play_v7": "role play variant 7"}
