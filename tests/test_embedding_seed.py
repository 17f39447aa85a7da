"""The shipped embedding seed: current, of this model, verified, and used for batches only."""

from __future__ import annotations

import runpy
from pathlib import Path

import numpy as np
import pytest

from assistant import embeddings as E

REPO = Path(__file__).resolve().parents[1]
REWRITE = "the knowledge base changed: run `python scripts/write_embedding_seed.py` and commit the seed"


@pytest.fixture(scope="module")
def seed_texts() -> list[str]:
    return runpy.run_path(str(REPO / "scripts" / "write_embedding_seed.py"))["seed_texts"]()


def test_the_seed_holds_every_text_the_package_embeds(seed_texts: list[str]) -> None:
    seed = E.seed_vectors()
    assert seed, "the seed is missing or does not verify"
    missing = [t for t in seed_texts if E.text_sha1(t) not in seed]
    assert not missing, f"{len(missing)} texts not in the seed, e.g. {missing[0][:80]!r}: {REWRITE}"
    stale = len(seed) - len({E.text_sha1(t) for t in seed_texts})
    assert stale == 0, f"{stale} vectors for texts no longer embedded: {REWRITE}"


def test_the_seed_is_this_models_vectors(seed_texts: list[str]) -> None:
    encoder = E.get_encoder()
    seed = E.seed_vectors()
    for text in seed_texts[:: max(1, len(seed_texts) // 6)]:
        fresh = encoder.encode([text])[0]  # one text: computed, never taken from the seed
        assert float(fresh @ seed[E.text_sha1(text)]) > 0.9999


def test_a_batch_embeds_only_what_the_seed_lacks(seed_texts: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    encoder = E.get_encoder()
    # Texts encoded one at a time by the test above are cached as computed (float noise apart from the seed
    # under another onnxruntime build): start from an empty cache so the batch must take the seed's vectors.
    encoder.clear_cache()
    embedded: list[str] = []
    real = encoder._encode_sorted
    monkeypatch.setattr(encoder, "_encode_sorted", lambda texts, size: embedded.extend(texts) or real(texts, size))
    new = "A sentence that is in no knowledge entry at all."
    vectors = encoder.encode([seed_texts[0], new, seed_texts[1]])
    assert embedded == [new]
    assert np.allclose(vectors[0], E.seed_vectors()[E.text_sha1(seed_texts[0])])
    assert float(vectors[1] @ encoder.encode([new])[0]) > 0.9999


@pytest.mark.parametrize("damage", ["bytes", "other-model", "missing"])
def test_a_seed_that_does_not_verify_is_ignored(damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "seed.npz"
    if damage == "bytes":
        path.write_bytes(E.SEED_PATH.read_bytes()[:-100])
    elif damage == "other-model":
        monkeypatch.setattr(E, "MODEL_SHA256", "0" * 64)  # the digest covers the model
        path.write_bytes(E.SEED_PATH.read_bytes())
    monkeypatch.setattr(E, "SEED_PATH", path)
    E.seed_vectors.cache_clear()
    try:
        assert E.seed_vectors() == {}
    finally:
        monkeypatch.undo()
        E.seed_vectors.cache_clear()
    assert E.seed_vectors()


def test_windows_and_token_capped_batches_give_the_same_vectors(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tokenising a window at a time and capping batches by padded tokens change memory and speed, not
    the vectors: padding is masked out of the mean."""
    encoder = E.get_encoder()
    texts = ["a", "she keeps fighting with her husband about chores", "x " * 150, "", "hello there"] * 3
    one_by_one = np.stack([encoder._encode_sorted([t], 1)[0] for t in texts])
    monkeypatch.setattr(E, "TOKENIZE_WINDOW", 4)
    windowed = encoder._encode_sorted(texts, 8)
    monkeypatch.setattr(E, "TOKENIZE_WINDOW", 10_000)
    monkeypatch.setattr(E, "BATCH_TOKENS", 10_000)
    whole = encoder._encode_sorted(texts, 32)
    assert np.abs(windowed - one_by_one).max() < 1e-5 and np.abs(whole - one_by_one).max() < 1e-5
