"""The encoder's in-memory memory of texts it has embedded: exact, bounded, and forgettable."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.embeddings import MiniLMEncoder

TEXTS = ["pt tearful when describing the funeral", "denies SI", "hw: ask partner for 10 minutes on Sunday"]


@pytest.fixture(scope="module")
def _encoder() -> MiniLMEncoder:
    return MiniLMEncoder(threads=1)


@pytest.fixture
def encoder(_encoder: MiniLMEncoder, monkeypatch: pytest.MonkeyPatch) -> tuple[MiniLMEncoder, list[int]]:
    """An encoder with an empty memory, and a list that records the batch size of every forward pass."""
    enc = _encoder
    enc.clear_cache()
    passes: list[int] = []
    real = enc.session

    class Counting:
        def run(self, names, feeds):  # type: ignore[no-untyped-def]
            passes.append(int(feeds["input_ids"].shape[0]))
            return real.run(names, feeds)

    monkeypatch.setattr(enc, "session", Counting())
    return enc, passes


def test_a_text_seen_before_is_not_embedded_again_and_gets_the_same_vector(encoder) -> None:
    enc, passes = encoder
    first = enc.encode(TEXTS)
    assert sum(passes) == len(TEXTS)
    again = enc.encode([TEXTS[1], "a text not seen before", TEXTS[0]])
    assert sum(passes) == len(TEXTS) + 1  # only the new text
    assert np.array_equal(again[0], first[1]) and np.array_equal(again[2], first[0])
    # and the remembered vector is the one a fresh embedding gives
    assert np.array_equal(first, np.stack([enc._encode_sorted([t], 1)[0] for t in TEXTS]))


def test_duplicates_in_one_call_are_embedded_once(encoder) -> None:
    enc, passes = encoder
    out = enc.encode([TEXTS[0], TEXTS[0], TEXTS[1]])
    assert sum(passes) == 2 and np.array_equal(out[0], out[1])


def test_a_forward_pass_is_remembered_for_span_vectors(encoder) -> None:
    enc, passes = encoder
    text = "Session 5: she keeps fighting with her husband. She feels hopeless."
    spans = [(0, 46), (47, len(text))]
    whole, parts = enc.encode_spans(text, spans)
    n = len(passes)
    whole2, parts2 = enc.encode_spans(text, spans[::-1])
    assert len(passes) == n
    assert np.array_equal(whole, whole2) and np.array_equal(parts, parts2[::-1])


def test_clear_cache_forgets_and_the_memory_is_bounded(encoder, monkeypatch: pytest.MonkeyPatch) -> None:
    enc, passes = encoder
    enc.encode(TEXTS)
    enc.clear_cache()
    enc.encode(TEXTS)
    assert sum(passes) == 2 * len(TEXTS)
    monkeypatch.setattr(MiniLMEncoder, "VECTOR_CACHE", 8)
    for i in range(5):
        enc.encode([f"clause number {i} {j}" for j in range(2)])
    assert len(enc._vectors) == 8
    enc.encode(["clause number 4 1"])  # the newest is kept
    enc.encode(["clause number 0 0"])  # the oldest was dropped
    assert sum(passes) == 2 * len(TEXTS) + 10 + 1
