"""The ConText rules as data: every pattern is valid (the pipeline skips spaCy's per-pattern validation
at run time), and the expanded rules (patterns.py) find exactly the modifiers the rules as written find."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.signals import assertion
from assistant.signals.patterns import expand, expand_rules, finite_language

REPO = Path(__file__).resolve().parents[1]


def _rules_as_written() -> list:
    return assertion.blank_pipeline(expanded=False).get_pipe("medspacy_context").rules


def test_every_rule_pattern_is_valid() -> None:
    from spacy.schemas import validate_token_pattern

    patterns = [r.pattern for r in _rules_as_written() if isinstance(r.pattern, list)]
    assert len(patterns) > 100
    errors = {json.dumps(p)[:80]: validate_token_pattern(p) for p in patterns}
    assert not {k: v for k, v in errors.items() if v}
    # an expanded copy's first token is a plain word: valid whenever the rule as written is
    firsts = [p[0] for r in expand_rules(_rules_as_written()) for p in [r.pattern] if isinstance(p, list)]
    assert all(validate_token_pattern([f]) == [] for f in firsts if isinstance(next(iter(f.values())), str))


def test_finite_language_enumerates_anchored_alternations_only() -> None:
    assert finite_language(r"^(previous(ly)?|prior|h/o)$") == ["previous", "previously", "prior", "h/o"]
    assert sorted(finite_language(r"^neighbou?rs?$") or []) == ["neighbor", "neighbors", "neighbour", "neighbours"]
    assert finite_language(r"^(and|&|\+|,)$") == ["and", "&", "+", ","]
    assert finite_language(r"^(do|does)?(n't|not)?$") == ["n't", "not", "do", "don't", "donot", "does",
                                                            "doesn't", "doesnot"]  # "" dropped
    assert finite_language(r"^(19|20)\d\d$") is None  # \d: not expanded
    assert finite_language(r"^en\w+$") is None  # unbounded
    assert finite_language(r"(said|says)") is None  # unanchored: re.search would find it inside words
    assert finite_language(r"^(a|b") is None  # not a regex


def test_expand_keeps_the_rest_and_the_optional_first_token() -> None:
    pattern = [{"LOWER": {"IN": ["may", "might"]}, "OP": "?"}, {"LOWER": "be"}, {"LOWER": "ruled"}]
    assert expand(pattern) == [[{"LOWER": "may"}, {"LOWER": "be"}, {"LOWER": "ruled"}],
                               [{"LOWER": "might"}, {"LOWER": "be"}, {"LOWER": "ruled"}],
                               [{"LOWER": "be"}, {"LOWER": "ruled"}]]
    assert expand([{"LOWER": {"REGEX": r"^\d+$"}}, {"LOWER": "yrs"}]) == [[{"LOWER": {"REGEX": r"^\d+$"}},
                                                                         {"LOWER": "yrs"}]]
    star = [{"LOWER": {"IN": ["a"]}, "OP": "*"}, {"LOWER": "b"}]
    assert expand(star) == [star]
    assert expand("a literal") == ["a literal"]


@pytest.fixture(scope="module")
def dev_texts() -> list[str]:
    """Every sixth dev snippet (all 5,560 signals snippets were compared when the expansion was written)."""
    texts = []
    for path in sorted((REPO / "evals" / "signals" / "dev").glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts[::6]


def test_expanded_rules_find_exactly_the_modifiers_of_the_rules_as_written(dev_texts: list[str]) -> None:
    nlp = assertion.pipeline()
    reference = assertion.blank_pipeline(expanded=False)
    ctx = reference.get_pipe("medspacy_context")
    assert len(nlp.get_pipe("medspacy_context").rules) > 2 * len(ctx.rules)

    def modifiers(pipe, text: str) -> list:
        return sorted((m.category, m.modifier_span, m.scope_span, m.rule.literal)
                      for m in pipe(text)._.context_graph.modifiers)

    assert len(dev_texts) > 300
    differ = [t for t in dev_texts if modifiers(nlp, t) != modifiers(reference, t)]
    assert differ == []
    assert sum(bool(modifiers(nlp, t)) for t in dev_texts) > 150  # the comparison saw modifiers at all
