"""The hubness penalty (CSLS): each passage's mean cosine to its nearest others, stored per build and
subtracted by the fusion, so a paragraph near everything does not outrank the one that answers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from kilde.index.retrieval.fusion import Evidence, Fusion
from kilde.index.retrieval.search import Searcher
from kilde.index.store import builds, hubness
from kilde.index.store.builds import build_index, load_index
from kilde.index.store.hubness import HUBNESS_FILE, NEIGHBOURS, passage_hubness
from kilde.index.store.vector_index import build_vector_index

from .test_store_format import EXTRA, SOURCES, live_build


def unit_rows(count: int, dimension: int = 32, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(count, dimension)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def brute_force(vectors: np.ndarray, k: int) -> np.ndarray:
    """The definition, one row at a time: the mean of the k largest cosines to the other rows."""
    out = []
    for i, row in enumerate(vectors):
        others = np.delete(vectors, i, axis=0) @ row
        out.append(np.sort(others)[-k:].mean())
    return np.array(out, dtype=np.float32)


def test_exact_values_are_the_definition_across_blocks(monkeypatch):
    monkeypatch.setattr(hubness, "BLOCK", 64)  # 300 rows: five blocks, the last one short
    vectors = unit_rows(300)
    assert passage_hubness(vectors, k=7) == pytest.approx(brute_force(vectors, 7), abs=1e-5)


def test_values_through_a_faiss_index_match_the_exact_scan(monkeypatch):
    vectors = unit_rows(2000, seed=1)
    expected = brute_force(vectors, NEIGHBOURS)
    monkeypatch.setattr(hubness, "EXACT_LIMIT", 100)
    monkeypatch.setattr(hubness, "SEARCH_BATCH", 512)
    flat, _ = build_vector_index(vectors, "flat")
    assert passage_hubness(vectors, flat) == pytest.approx(expected, abs=1e-5)
    graph, _ = build_vector_index(vectors, "hnsw")  # approximate neighbours, 8-bit codes: close, not equal
    assert np.abs(passage_hubness(vectors, graph) - expected).mean() < 0.01


def test_a_twin_is_a_neighbour_and_a_tiny_corpus_has_fewer_neighbours():
    vectors = unit_rows(5, seed=2)
    vectors[4] = vectors[0]  # the same text in two places
    values = passage_hubness(vectors, k=1)
    assert values[0] == pytest.approx(1.0) and values[4] == pytest.approx(1.0)
    assert passage_hubness(vectors[:3]) == pytest.approx(brute_force(vectors[:3], 2), abs=1e-6)  # k shrinks to 2
    assert passage_hubness(vectors[:1]).tolist() == [0.0]
    assert passage_hubness(vectors[:0]).shape == (0,)


def test_the_fusion_ranks_a_hub_below_an_equally_close_specific_passage():
    ev = Evidence(rows=np.arange(2), documents=np.array([0, 0]), cosine=np.array([0.86, 0.85], dtype=np.float32),
                  passage_bm25=np.zeros(2, np.float32), document_bm25=np.zeros(2, np.float32),
                  hubness=np.array([0.04, -0.01], dtype=np.float32))  # the first is near everything
    assert [i for i, _ in Fusion(0, 0, 0, 0).rank(ev, 2)] == [1, 0]
    assert [i for i, _ in Fusion(0, 0, 0, 0, hubness=0).rank(ev, 2)] == [0, 1]  # without it, cosine decides
    assert Fusion(0, 0, 0, 0).scores(ev) == pytest.approx([0.84, 0.855])
    plain = Evidence(**{**ev.__dict__, "hubness": None})
    assert Fusion(0, 0, 0, 0).scores(plain) == pytest.approx([0.86, 0.85])


def test_a_build_stores_the_values_and_a_search_reads_them_without_computing(index_copy, embedder, monkeypatch):
    live = live_build(index_copy)
    stored = np.load(live / HUBNESS_FILE)
    manifest = json.loads((live / "manifest.json").read_text())
    assert HUBNESS_FILE in manifest["build_files"] and stored.dtype == np.float32
    exact = np.load(live / "vectors.npy")
    assert stored == pytest.approx(brute_force(exact, NEIGHBOURS), abs=1e-5)
    monkeypatch.setattr(builds, "passage_hubness", lambda *a, **k: pytest.fail("computed again at open"))
    index = load_index(index_copy)
    searcher = Searcher(index, embedder)
    assert index.passage_hubness() is index.hubness and len(index.hubness) == 50
    assert float(np.abs(searcher._hubness.mean())) < 1e-6  # centred on the corpus' mean
    query = searcher.analyse("Hvem er den nye planen for rusfeltet laget for?")
    evidence = searcher.evidence(query)
    assert evidence.hubness == pytest.approx(stored[evidence.rows] - stored.mean(), abs=1e-6)


def test_an_added_document_changes_its_neighbours_values(index_copy, embedder, documents):
    before = np.load(live_build(index_copy) / HUBNESS_FILE)
    build_index(list(documents) + [EXTRA], embedder, index_copy, SOURCES)
    after = np.load(live_build(index_copy) / HUBNESS_FILE)
    exact = np.load(live_build(index_copy) / "vectors.npy")
    assert len(after) == len(before) + 2 and after == pytest.approx(brute_force(exact, NEIGHBOURS), abs=1e-5)


def test_a_build_made_before_the_file_existed_opens_and_computes_it(index_copy):
    live = live_build(index_copy)
    expected = np.load(live / HUBNESS_FILE)
    (live / HUBNESS_FILE).unlink()
    manifest = json.loads((live / "manifest.json").read_text())
    del manifest["build_files"][HUBNESS_FILE]
    (live / "manifest.json").write_text(json.dumps(manifest))
    index = load_index(index_copy)
    assert index.hubness is None
    assert index.passage_hubness() == pytest.approx(expected, abs=1e-6)


def test_a_stored_file_of_the_wrong_length_is_a_broken_build(index_copy):
    from kilde.index.errors import IndexStateError

    live = live_build(index_copy)
    short = np.load(live / HUBNESS_FILE)[:-1]
    np.save(live / HUBNESS_FILE, short)
    manifest = json.loads((live / "manifest.json").read_text())
    manifest["build_files"][HUBNESS_FILE]["size"] = (live / HUBNESS_FILE).stat().st_size
    (live / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexStateError) as raised:
        builds.open_build(live, index_copy)
    assert raised.value.code == "index.broken"



def test_on_the_bundled_corpus_the_penalty_puts_the_answer_above_the_hubs(bundled_index, embedder):
    """«the drug reform committee» shares no word with «rusreformutvalget»; without the penalty the
    paragraphs near everything rank above the answer (benchmarks/questions/README.md)."""
    index = load_index(bundled_index)
    question = "What is the drug reform committee?"
    with_penalty = Searcher(index, embedder).search(question, 3).hits
    without = Searcher(index, embedder, fusion=Fusion(hubness=0)).search(question, 3).hits
    assert "satte ned rusreformutvalget" in with_penalty[0].passage.text
    assert not any("satte ned rusreformutvalget" in hit.passage.text for hit in without)
