"""The search path at scale: a question analysed once, nothing embedded but it, exact search under a filter."""

from __future__ import annotations

from collections import Counter

import faiss
import numpy as np
import pytest

from kilde.index.documents.passages import Passage
from kilde.index.documents.reader import DocumentInfo
from kilde.index.retrieval import search as search_module
from kilde.index.retrieval.lexical import Analyzer, LexicalIndex, words
from kilde.index.retrieval.search import MODES, Searcher, filter_parameters
from kilde.index.store.builds import Manifest, StoredIndex

QUESTION = "Hvor mange dør av overdose i Norge hvert år?"


@pytest.mark.parametrize("mode", MODES)
def test_the_question_is_analysed_once_per_search(searcher, monkeypatch, mode):
    """The question's words reach the analyzer once (before: five times), whatever else it analyses (sentences)."""
    analysed = []
    kept = Analyzer.kept
    monkeypatch.setattr(Analyzer, "kept", lambda self, text_words, english: analysed.append(tuple(text_words))
                        or kept(self, text_words, english))
    searcher.highlighter.sentences.cache_clear()  # the hits' sentences are analysed once, then kept
    result = searcher.search(QUESTION, 5, mode=mode)
    assert result.hits
    assert analysed.count(tuple(words(QUESTION))) == 1
    assert len(analysed) > 1  # the highlighter's sentences went through the same analyzer: the patch counts


def test_the_query_carries_what_the_stages_used_to_recompute(searcher, monkeypatch):
    from kilde.index.retrieval.nynorsk import Translator

    monkeypatch.setattr(searcher, "translator", Translator("kilde-no-such-apertium"))  # the spelling match itself
    query = searcher.analyse("Kva med butilbodet for rusavhengige?")
    assert not query.english
    assert query.terms == tuple(searcher.index.lexical.analyzer.terms(query.text))
    assert [q.term for q in query.passage_terms] == list(query.terms)
    assert query.coverage == searcher.index.lexical.coverage(query.text)
    assert ("butilbod", ("botilbud",)) in [(q.term, q.matches) for q in query.passage_terms]  # Nynorsk → Bokmål
    assert query.vector.shape == (searcher.embedder.dimension,)


def test_nothing_but_the_question_is_embedded(searcher, monkeypatch):
    """The highlight is chosen without the model: embed_passages is never called during a search."""
    calls = Counter()
    embedder = searcher.embedder
    for name in ("embed_query", "embed_passages"):
        real = getattr(embedder, name)
        monkeypatch.setattr(embedder, name, lambda *a, _real=real, _name=name, **kw: calls.update([_name]) or _real(*a, **kw))
    for mode in MODES:
        hits = searcher.search(QUESTION, 10, mode=mode).hits
        assert all(h.highlight for h in hits)
    assert calls == {"embed_query": len(MODES)}


def synthetic_index(passages_per_document: int = 40, documents: int = 100, dimension: int = 32) -> StoredIndex:
    """A real StoredIndex with an approximate FAISS index (IVF, one list probed) over random unit vectors."""
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((passages_per_document * documents, dimension)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    quantizer = faiss.IndexFlatIP(dimension)
    ivf = faiss.IndexIVFFlat(quantizer, dimension, 64, faiss.METRIC_INNER_PRODUCT)
    ivf.train(vectors)
    ivf.add(vectors)
    ivf.make_direct_map()  # so vectors_at can read vectors back
    ivf.nprobe = 1
    infos = [DocumentInfo(f"d{d}", f"Dokument {d}") for d in range(documents)]
    passages = [Passage(f"p{d}-{i}", f"d{d}", i + 1, f"Avsnitt {i} om tema {d % 7}.", "")
                for d in range(documents) for i in range(passages_per_document)]
    manifest = Manifest("test", "random", "random", dimension, "", len(passages), documents, [], "", 0.0)
    return StoredIndex(manifest, ivf, passages, {i.id: i for i in infos},
                       LexicalIndex.build([p.text for p in passages]),
                       LexicalIndex.build([i.title for i in infos]), [i.id for i in infos]), vectors


def test_a_selective_filter_returns_the_true_top_k(embedder):
    index, vectors = synthetic_index()
    searcher = Searcher(index, embedder)
    allowed_documents = ["d3", "d50"]  # 2 % of the passages
    allowed = searcher._allowed_documents(allowed_documents)
    mask = allowed[index.passage_document_positions()]
    rng = np.random.default_rng(1)
    misses_through_faiss = 0
    for _ in range(20):
        vector = rng.standard_normal(vectors.shape[1]).astype(np.float32)
        vector /= np.linalg.norm(vector)
        truth = np.where(mask, vectors @ vector, -np.inf)
        expected = np.argsort(-truth)[:10]
        rows, scores = searcher.dense_candidates(vector, 10, allowed)
        assert rows.tolist() == expected.tolist()
        assert scores == pytest.approx(truth[expected], abs=1e-5)
        selector = filter_parameters(index.vectors, faiss.IDSelectorBatch(np.flatnonzero(mask).astype(np.int64)))
        found = index.vectors.search(vector[None, :], 10, params=selector)[1][0]
        misses_through_faiss += len(set(expected.tolist()) - set(found.tolist()))
    assert misses_through_faiss > 0  # the approximate index alone would have lost some: the test can fail


def test_a_broad_filter_goes_through_the_faiss_index(embedder, monkeypatch):
    index, vectors = synthetic_index()
    searcher = Searcher(index, embedder)
    monkeypatch.setattr(search_module, "EXACT_FILTER_ROWS", 10)
    read = []
    monkeypatch.setattr(index, "vectors_at", lambda rows: read.append(len(rows)) or StoredIndex.vectors_at(index, rows))
    rows, _ = searcher.dense_candidates(vectors[0], 5, searcher._allowed_documents(["d0", "d1"]))
    assert read == [] and set(index.passage_document_positions()[rows].tolist()) <= {0, 1}
