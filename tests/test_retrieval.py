"""Retrieval quality on the hand-labelled fixture, index freshness (built once, reused,
rebuilt when the knowledge changes, never stale), chunk metadata, chroma's embedding
function, and IPT_CHROMA_URL validation."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ipt_cli import run_ipt
import yaml

from assistant.evals.graders import retrieval_metrics
from assistant.phase import phase_for

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "retrieval.yaml"
EMBEDDING_FUNCTION = "ipt-minilm-int8"


def load_fixture() -> list[dict[str, Any]]:
    items = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    assert isinstance(items, list) and len(items) >= 30
    return items


def ranked(retriever: Any, item: dict[str, Any], mode: str) -> list[str]:
    phase = phase_for(item["session"]).phase if item.get("session") else None
    hits = retriever.techniques(item["question"], phase=phase, focal_area=item.get("focus"), k=10, mode=mode)
    return [h.doc_id for h in hits]


@pytest.fixture(scope="module")
def quality(assistant_offline) -> dict[str, Any]:
    """Metrics and misses per retrieval mode over the fixture."""
    r = assistant_offline.retriever
    out: dict[str, Any] = {}
    for mode in ("hybrid", "bm25", "dense"):
        pairs, misses = [], []
        for item in load_fixture():
            got = ranked(r, item, mode)
            pairs.append((got, item["expected"]))
            if item["expected"][0] not in got[:3]:
                misses.append(f"{item['id']}: expected {item['expected'][0]}, top 3 {got[:3]}")
        out[mode] = {"metrics": retrieval_metrics(pairs, k=3), "misses": misses}
    return out


def _fmt(quality: dict[str, Any]) -> str:
    return "; ".join(f"{mode}: recall@3 {q['metrics']['recall_at_k']:.3f}, hit@3 {q['metrics']['hit_at_k']:.3f}, "
                     f"MRR {q['metrics']['mrr']:.3f}" for mode, q in quality.items())


def test_fixture_is_well_formed(catalog):
    items = load_fixture()
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids))
    for item in items:
        assert item["expected"] and len(item["expected"]) <= 3, item["id"]
        assert all(t in catalog.techniques for t in item["expected"]), item["id"]
        assert item.get("focus") in (None, *catalog.focal_areas), item["id"]


def test_hybrid_recall_at_3(quality: dict[str, Any]):
    m = quality["hybrid"]["metrics"]
    assert m["n"] == len(load_fixture())
    assert m["recall_at_k"] >= 0.9, (
        f"hybrid recall@3 {m['recall_at_k']:.3f} < 0.9 ({_fmt(quality)}); primary expected id missed in: "
        + " | ".join(quality["hybrid"]["misses"]))


@pytest.mark.parametrize("other", ["bm25", "dense"])
def test_hybrid_mrr_not_worse_than_single_retrievers(quality: dict[str, Any], other: str):
    hybrid, single = quality["hybrid"]["metrics"]["mrr"], quality[other]["metrics"]["mrr"]
    assert hybrid >= single, f"hybrid MRR {hybrid:.3f} < {other}-only MRR {single:.3f} ({_fmt(quality)})"


def test_modes_really_differ(assistant_offline):
    """bm25-only, dense-only and hybrid are three different rankers (the comparison means something)."""
    r = assistant_offline.retriever
    item = {"question": "she never saw her father again before he died and feels guilty", "session": 6}
    rankings = {mode: ranked(r, item, mode) for mode in ("hybrid", "bm25", "dense")}
    assert len({tuple(v) for v in rankings.values()}) > 1, rankings
    assert "grief_work" in rankings["hybrid"][:3], rankings


# -- index freshness --------------------------------------------------------------------------------
def _collection_meta(data_dir: Path) -> tuple[str, dict[str, Any]]:
    from assistant.index import COLLECTION, make_client

    col = make_client(data_dir).get_collection(COLLECTION)
    return str(col.id), dict(col.metadata or {})


def test_index_reused_when_knowledge_unchanged(assistant_offline, ipt_data_dir: Path):
    from assistant.index import VectorIndex

    r = assistant_offline.retriever
    _ = r.index  # built (or reused) once for the session
    again = VectorIndex.open(r.chunks, r.catalog.content_hash, ipt_data_dir)
    assert again.built is False and again.build_seconds == 0.0
    assert again.collection.metadata["content_hash"] == r.catalog.content_hash
    assert again.collection.count() == len(r.chunks)


def test_index_built_reused_and_rebuilt_when_knowledge_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              knowledge_dir: Path, ipt_data_dir: Path,
                                                              seeded_data_dir):
    from assistant import Assistant
    from assistant.catalog import load_catalog
    from assistant.config import Settings
    from assistant.index import VectorIndex

    kdir = tmp_path / "knowledge"
    shutil.copytree(knowledge_dir, kdir)
    data = seeded_data_dir("data")  # the session's embedding cache: the store is still built here
    monkeypatch.setenv("IPT_KNOWLEDGE_DIR", str(kdir))
    monkeypatch.setenv("IPT_DATA_DIR", str(data))
    settings = Settings.from_env(offline=True)
    assert settings.knowledge_dir == kdir and settings.data_dir == data

    # 1. first use builds the index
    a = Assistant(settings)
    old_hash = a.catalog.content_hash
    first = a.retriever.index
    assert first.built is True and first.build_seconds > 0
    assert first.collection.metadata["content_hash"] == old_hash

    # 2. unchanged knowledge: reused, not rebuilt (also from a fresh process-level object)
    again = VectorIndex.open(a.retriever.chunks, old_hash, data)
    assert again.built is False
    assert Assistant(settings).retriever.index.built is False

    # 3. edit a technique summary: new hash, rebuilt, never stale
    word = "zorbalexian"
    path = kdir / "techniques" / "role_play.yaml"
    entry = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry["summary"] = entry["summary"].rstrip() + f" Also known in this clinic as the {word} rehearsal."
    path.write_text(yaml.safe_dump(entry, sort_keys=False, allow_unicode=True), encoding="utf-8")
    new_cat = load_catalog(kdir)
    assert new_cat.content_hash != old_hash

    from assistant.embeddings import get_encoder

    encoder = get_encoder()
    real_encode = encoder.encode
    embedded: list[str] = []
    monkeypatch.setattr(encoder, "encode", lambda texts, *a, **k: embedded.extend(texts) or real_encode(texts, *a, **k))
    b = Assistant(settings)
    b_cat = b.catalog
    if b_cat.content_hash == old_hash:  # the catalog cache checks file times at most once a second
        import time

        time.sleep(1.1)
        b_cat = b.catalog
    assert b_cat.content_hash == new_cat.content_hash
    rebuilt = b.retriever.index
    assert rebuilt.built is True
    # only the edited entry's changed chunk was embedded again (the embedding cache is keyed by text)
    assert embedded and all(word in t for t in embedded), [t[:80] for t in embedded if word not in t]
    monkeypatch.setattr(encoder, "encode", real_encode)
    assert rebuilt.collection.metadata["content_hash"] == new_cat.content_hash
    col_id, meta = _collection_meta(data)
    assert meta["content_hash"] == new_cat.content_hash
    found = rebuilt.collection.get(where_document={"$contains": word}, include=["metadatas"])
    assert found["ids"] and all(m["doc_id"] == "role_play" for m in found["metadatas"]), found
    top = b.retriever.techniques(f"the {word} rehearsal", k=3)
    assert top[0].doc_id == "role_play", [h.doc_id for h in top]
    # the old content is not served: nothing in the store carries the old hash
    assert VectorIndex.open(b.retriever.chunks, b_cat.content_hash, data).built is False

    # 4. `ipt index --json` forces a rebuild even though the index is fresh
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IPT_", "OPENAI_"))}
    env.update(IPT_DATA_DIR=str(data), IPT_KNOWLEDGE_DIR=str(kdir))
    proc = subprocess.run([sys.executable, "-m", "assistant.cli", "index", "--json"], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["content_hash"] == new_cat.content_hash
    assert info["chunks"] == len(b.retriever.chunks) and info["seconds"] > 0
    assert info["store"] == str(data / "chroma")
    new_id, meta = _collection_meta(data)
    assert new_id != col_id, "ipt index did not rebuild the collection"
    assert meta["content_hash"] == new_cat.content_hash


def test_a_stale_index_is_rebuilt_not_served(tmp_path: Path, assistant_offline):
    """Metadata that disagrees with the knowledge (hash, embedder, count) means rebuild."""
    from assistant.index import VectorIndex

    r = assistant_offline.retriever
    chunks = r.chunks[:6]  # a small chunk set keeps this fast
    first = VectorIndex.open(chunks, "hash-one", tmp_path)
    assert first.built is True
    assert VectorIndex.open(chunks, "hash-one", tmp_path).built is False
    changed = VectorIndex.open(chunks, "hash-two", tmp_path)
    assert changed.built is True and changed.collection.metadata["content_hash"] == "hash-two"
    fewer = VectorIndex.open(chunks[:5], "hash-two", tmp_path)
    assert fewer.built is True and fewer.collection.count() == 5
    forced = VectorIndex.open(chunks[:5], "hash-two", tmp_path, force=True)
    assert forced.built is True


# -- chunks and the embedding function ------------------------------------------------------------
def test_chunks_carry_metadata(assistant_offline):
    from assistant.schema import FOCAL_AREAS, PHASES

    r = assistant_offline.retriever
    cat = r.catalog
    kinds = {c.kind for c in r.chunks}
    assert kinds == {"technique", "situation", "phase", "focal_area", "frame"}
    assert len({c.chunk_id for c in r.chunks}) == len(r.chunks)
    for c in r.chunks:
        meta = c.metadata()
        assert meta["kind"] == c.kind and meta["doc_id"] == c.doc_id and meta["title"]
        for p in PHASES:
            assert meta[f"phase_{p}"] is (p in c.phases)
        for a in FOCAL_AREAS:
            assert meta[f"focal_{a}"] is (a in c.focal_areas)
        assert all(isinstance(v, (str, bool)) for v in meta.values())
    rp = next(c for c in r.chunks if c.chunk_id == "technique:role_play:howto")
    t = cat.techniques["role_play"]
    assert rp.metadata()["phase_middle"] is ("middle" in t.phases)
    assert rp.metadata()["focal_role_dispute"] is ("role_dispute" in t.focal_areas)
    assert {c.doc_id for c in r.chunks if c.kind == "technique"} == set(cat.techniques)

    # the store holds the same metadata
    col = r.index.collection
    got = col.get(ids=["technique:role_play:howto"], include=["metadatas", "documents"])
    assert got["metadatas"][0] == rp.metadata()
    assert got["documents"][0] == rp.text
    where = col.get(where={"$and": [{"kind": "technique"}, {"focal_grief": True}]}, include=["metadatas"])
    assert where["ids"] and all(m["kind"] == "technique" and m["focal_grief"] for m in where["metadatas"])


def test_every_collection_uses_our_embedding_function(assistant_offline, ipt_data_dir: Path):
    from assistant.index import make_client

    index = assistant_offline.retriever.index
    ef = index.collection._embedding_function
    assert ef is not None and ef.name() == EMBEDDING_FUNCTION
    assert "Default" not in type(ef).__name__
    client = make_client(ipt_data_dir)
    collections = client.list_collections()
    assert collections
    for col in collections:
        conf = col._model.configuration_json or {}
        assert conf.get("embedding_function", {}).get("name") == EMBEDDING_FUNCTION, (col.name, conf)
    # the embedding function embeds with our model (384-d, normalised), without downloads
    vec = ef(["role play the conversation with her husband"])[0]
    assert len(vec) == 384


def test_telemetry_off_in_the_client(ipt_data_dir: Path):
    from assistant.index import make_client

    assert make_client(ipt_data_dir).get_settings().anonymized_telemetry is False


# -- IPT_CHROMA_URL ----------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["not a url", "localhost:8000", "http://", "chroma"])
def test_invalid_chroma_url_is_a_clear_error(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             assistant_offline):
    from assistant import Assistant
    from assistant.config import Settings
    from assistant.errors import IPTError

    def no_network(self: socket.socket, *args: Any, **kwargs: Any) -> None:
        raise AssertionError("network access while validating IPT_CHROMA_URL")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setenv("IPT_CHROMA_URL", url)
    settings = Settings.from_env(offline=True)
    assert settings.chroma_url == url.strip()
    a = Assistant(settings)
    with pytest.raises(IPTError) as err:
        _ = a.retriever.index
    assert "IPT_CHROMA_URL" in str(err.value) and repr(url) in str(err.value)
    with pytest.raises(IPTError, match="IPT_CHROMA_URL"):
        a.ask("Session 5: she keeps fighting with her husband about chores.")


def test_invalid_chroma_url_from_the_cli(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IPT_", "OPENAI_"))}
    env.update(IPT_DATA_DIR=str(tmp_path), IPT_CHROMA_URL="not a url")
    proc = run_ipt(["index"], env=env, text=True)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "ipt: IPT_CHROMA_URL is not a URL: 'not a url'"
