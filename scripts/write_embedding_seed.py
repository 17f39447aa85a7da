"""Rewrite ``assistant/data/embedding-seed.npz``: the vectors of the texts the package embeds for itself
(the knowledge base's chunks and the situation exemplars), so that a first ``ipt index`` does not embed
them again. Run it after editing ``knowledge/``; ``tests/test_embedding_seed.py`` fails until you do.

    python scripts/write_embedding_seed.py
"""

from __future__ import annotations

from assistant.catalog import load_catalog
from assistant.chunks import build_chunks
from assistant.embeddings import SEED_PATH, write_seed
from assistant.situations import exemplar_texts


def seed_texts() -> list[str]:
    catalog = load_catalog()
    return [c.text for c in build_chunks(catalog)] + exemplar_texts(catalog)[0]


if __name__ == "__main__":
    n = write_seed(seed_texts())
    print(f"wrote {n} vectors to {SEED_PATH} ({SEED_PATH.stat().st_size // 1024} KB)")
