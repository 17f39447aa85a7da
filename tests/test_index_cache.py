"""The cold path and the caches behind it: sparse BM25 (equal to the formula, saved and loaded),
vectorised entry ranking (equal to the per-entry loop it replaced), the embedding cache by text hash,
the chromadb-free vector cache, the cached ONNX graph, and what a cold offline ask imports."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "retrieval.yaml"


# -- BM25 ---------------------------------------------------------------------------------------------
def _reference_bm25(docs: list[str], query: str, k1: float = 1.4, b: float = 0.6) -> np.ndarray:
    from assistant.bm25 import tokenize

    toks = [Counter(tokenize(d)) for d in docs]
    n = len(docs)
    avgdl = sum(sum(c.values()) for c in toks) / n
    out = np.zeros(n)
    for term in set(tokenize(query)):
        df = sum(1 for c in toks if term in c)
        if not df:
            continue
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        for i, c in enumerate(toks):
            tf = c.get(term, 0)
            dl = sum(c.values())
            out[i] += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
    return out


def test_sparse_bm25_equals_the_formula_and_survives_save_and_load(assistant_offline, tmp_path: Path):
    from assistant.bm25 import BM25

    docs = [c.text for c in assistant_offline.retriever.chunks]
    bm = BM25(docs)
    questions = [item["question"] for item in yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))][:12]
    for q in questions + ["zzz unknown words", ""]:
        assert np.allclose(bm.scores(q), _reference_bm25(docs, q), rtol=1e-5, atol=1e-5), q
    path = tmp_path / "bm25.npz"
    bm.save(path)
    loaded = BM25.load(path)
    for q in questions:
        assert np.array_equal(loaded.scores(q), bm.scores(q))
    # no dense documents x vocabulary matrix: storage follows the postings
    assert bm.weights.size == bm.doc_ids.size < len(docs) * len(bm.vocab) / 10


def test_bm25_cache_rebuilds_what_is_damaged_or_for_other_documents(tmp_path: Path):
    from assistant.bm25 import BM25

    docs = ["role play the argument with her husband", "grief after her mother died", "new job, new city"]
    path = tmp_path / "bm" / "bm25.npz"
    first = BM25.cached(docs, path)
    assert path.is_file()
    path.write_bytes(b"not an index")
    again = BM25.cached(docs, path)
    assert np.array_equal(again.scores("grief mother"), first.scores("grief mother"))
    assert BM25.load(path).n_docs == 3  # rewritten
    more = BM25.cached(docs + ["retirement and loss of role"], path)  # a cache for 3 docs does not serve 4
    assert more.n_docs == 4 and more.scores("retirement")[3] > 0
    with pytest.raises(ValueError):
        (tmp_path / "bad.npz").write_bytes(b"x")
        BM25.load(tmp_path / "bad.npz")


# -- vectorised ranking -------------------------------------------------------------------------------
def _reference_search(r, query, kinds=None, phase=None, focal_area=None, k=8, mode="hybrid", boost=True,
                      query_vector=None):
    """The per-entry loop that retrieval used before it was vectorised."""
    from assistant import retrieval as R

    scores = r.chunk_scores(R.clean_query(query), mode, query_vector)
    by_key, best = {}, {}
    for pos, chunk in enumerate(r.chunks):
        if kinds and chunk.kind not in kinds:
            continue
        if chunk.key not in by_key:
            by_key[chunk.key] = R.Hit(chunk.key, chunk.kind, chunk.doc_id, chunk.title, 0.0)
            best[chunk.key] = []
        by_key[chunk.key].chunks.append(chunk)
        best[chunk.key].append(float(scores[pos]))
    named = set(r.named_techniques(query)) if boost else set()
    area = r.catalog.focal_areas.get(focal_area or "")
    focal_list = area.techniques if area else []
    phase_list = r.catalog.phases[phase].techniques if phase in r.catalog.phases else []
    raw = {key: sorted(v, reverse=True) for key, v in best.items()}
    top = max((s[0] + R.SUPPORT_WEIGHT * sum(s[1:3]) for s in raw.values()), default=0.0) or 1.0
    for key, hit in by_key.items():
        s = raw[key]
        hit.score = (s[0] + R.SUPPORT_WEIGHT * sum(s[1:3])) / top
        if hit.kind == "technique" and boost:
            t = r.catalog.techniques[hit.doc_id]
            if focal_area:
                if hit.doc_id in focal_list:
                    hit.score += R.FOCAL_LISTED * (1 - focal_list.index(hit.doc_id) / len(focal_list))
                elif focal_area not in t.focal_areas:
                    hit.score += R.FOCAL_MISMATCH
            if phase:
                if hit.doc_id in phase_list:
                    hit.score += R.PHASE_LISTED * (1 - phase_list.index(hit.doc_id) / len(phase_list))
                hit.score += R.PHASE_MATCH if phase in t.phases else R.PHASE_MISMATCH
            if hit.doc_id in named:
                hit.score += R.NAMED
    return sorted(by_key.values(), key=lambda h: (-h.score, h.key))[:k]


@lru_cache(maxsize=1)
def _question_vectors(questions: tuple[str, ...]) -> np.ndarray:
    from assistant.embeddings import get_encoder

    return get_encoder().encode(list(questions))


@pytest.mark.parametrize("phase,focal,kinds", [(None, None, None), ("middle", "role_dispute", ("technique",)),
                                               ("initial", "grief", None), ("termination", None, ("phase", "frame")),
                                               (None, "role_transition", ("technique",))])
def test_vectorised_search_equals_the_entry_loop(assistant_offline, phase, focal, kinds):
    r = assistant_offline.retriever
    questions = [item["question"] for item in yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))][::6]
    questions.append("how do I set up a role play?")
    vectors = _question_vectors(tuple(questions))
    for q, vec in zip(questions, vectors):
        for mode in ("hybrid", "bm25", "dense"):
            got = r.search(q, kinds=kinds, phase=phase, focal_area=focal, k=8, mode=mode, query_vector=vec)
            want = _reference_search(r, q, kinds, phase, focal, 8, mode, query_vector=vec)
            assert [(h.key, [c.chunk_id for c in h.chunks]) for h in got] == \
                   [(h.key, [c.chunk_id for c in h.chunks]) for h in want], (q, mode)
            assert np.allclose([h.score for h in got], [h.score for h in want], rtol=0, atol=1e-12)


# -- the embedding cache and the vector cache ---------------------------------------------------------
def test_embedding_cache_keys_round_trip_even_with_trailing_zero_bytes(tmp_path: Path):
    from assistant.index import EmbeddingCache

    cache = EmbeddingCache(tmp_path)
    keys = [b"\x01" * 19 + b"\x00", b"\x00" * 20, bytes(range(20))]
    vectors = {k: np.full(384, i + 1, dtype=np.float32) for i, k in enumerate(keys)}
    cache.save(vectors, {})
    loaded = cache.load()
    assert set(loaded) == set(keys)
    for k in keys:
        assert np.array_equal(loaded[k], vectors[k])


def test_cached_index_needs_no_chromadb_and_matches_the_store(assistant_offline, ipt_data_dir: Path,
                                                             tmp_path: Path):
    from assistant.index import VectorIndex

    r = assistant_offline.retriever
    opened = VectorIndex.open(r.chunks, r.catalog.content_hash, ipt_data_dir)
    cached = VectorIndex.cached(r.chunks, r.catalog.content_hash, ipt_data_dir)
    assert cached is not None and cached.built is False and cached._collection is None
    q = opened.embeddings.encoder.encode(["she keeps fighting with her husband"])[0]
    assert cached.search(q, n=10) == opened.search(q, n=10)
    # not for other chunks, another knowledge version, or a data dir without a store
    assert VectorIndex.cached(r.chunks[:-1], r.catalog.content_hash, ipt_data_dir) is None
    assert VectorIndex.cached(r.chunks, "another-hash", ipt_data_dir) is None
    assert VectorIndex.cached(r.chunks, r.catalog.content_hash, tmp_path) is None
    # the collection opens on demand
    assert cached.collection.count() == len(r.chunks)


def test_a_cold_offline_ask_imports_neither_chromadb_nor_langchain(assistant_offline, ipt_data_dir: Path):
    _ = assistant_offline.retriever.index  # the shared index (and its vector cache) exists
    script = (
        "import sys\nfrom assistant.cli import main\n"
        "rc = main(['ask', 'Session 5: she keeps fighting with her husband about chores. Next?', '--json'])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'chromadb', 'langchain_core', 'langchain',"
        " 'opentelemetry', 'grpc', 'scipy'})\n"
        "print('HEAVY', ','.join(heavy), rc, file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IPT_", "OPENAI_"))}
    env["IPT_DATA_DIR"] = str(ipt_data_dir)
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("HEAVY")]
    assert line == ["HEAVY  0"], proc.stderr[-2000:]


# -- the ONNX graph cache ------------------------------------------------------------------------------
def test_optimised_graph_is_cached_reused_and_replaced_when_damaged(tmp_path: Path):
    from assistant.embeddings import MiniLMEncoder

    texts = ["She keeps arguing with her husband about the housework.", "Her mother died in May."]
    plain = MiniLMEncoder(cache_dir=None).encode(texts)
    first = MiniLMEncoder(cache_dir=tmp_path)
    (folder,) = tmp_path.glob("minilm-*")
    graph, weights = folder / "graph.onnx", folder / "graph.bin"
    assert graph.stat().st_size > 0 and weights.stat().st_size > 50_000_000  # the weights as external data
    assert not list(tmp_path.glob(".*.tmp"))
    assert np.allclose(first.encode(texts), plain, atol=1e-5)
    again = MiniLMEncoder(cache_dir=tmp_path)  # loads the cached graph
    assert np.allclose(again.encode(texts), plain, atol=1e-5)
    for damaged, damage in ((graph, b"damaged"), (weights, weights.read_bytes()[:1000])):
        damaged.write_bytes(damage)
        healed = MiniLMEncoder(cache_dir=tmp_path)
        assert np.allclose(healed.encode(texts), plain, atol=1e-5)
        assert graph.stat().st_size > 1000 and weights.stat().st_size > 50_000_000
    old = tmp_path / "minilm-0123456789abcdef-ort1.0-x86_64.onnx"  # a single-file graph of an older version
    old.write_bytes(b"x")
    shutil.rmtree(folder)
    MiniLMEncoder(cache_dir=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([folder.name, "sha256.json"])
    assert (tmp_path / "sha256.json").is_file()  # the model's hash is recorded, not recomputed each start
