"""English questions moved toward Norwegian (`kilde.index.retrieval.language_shift`), on the real bundled model."""

from __future__ import annotations

import numpy as np

from kilde.index.retrieval.language_shift import LanguageShift, for_model, shipped_shift

TWINS = [("What does Høyre want to do about aftercare?", "Hva vil Høyre gjøre med ettervernet?"),
         ("What is free choice of treatment?", "Hva er fritt behandlingsvalg?")]


def test_the_shipped_shift_belongs_to_the_bundled_model_and_no_other(embedder):
    shift = for_model(embedder.name, embedder.dimension)
    assert shift is not None and shift is shipped_shift()
    assert 0 < shift.weight <= 1.5 and 0.1 < float(np.linalg.norm(shift.vector)) < 0.6
    assert for_model("intfloat/multilingual-e5-base", embedder.dimension) is None  # another model: no shift
    assert for_model(embedder.name, embedder.dimension * 2) is None


def test_a_shifted_vector_stays_a_unit_vector():
    shift = LanguageShift("m", 0.5, np.array([0.3, 0.0, 0.0], dtype=np.float32))
    moved = shift.apply(np.array([0.0, 1.0, 0.0], dtype=np.float32))
    assert np.isclose(np.linalg.norm(moved), 1.0) and moved[0] > 0 and moved.dtype == np.float32


def test_an_english_question_is_searched_nearer_its_norwegian_twin(searcher, embedder):
    for english, norwegian in TWINS:
        plain = embedder.embed_query(english)
        shifted = searcher.analyse(english).vector
        twin = searcher.analyse(norwegian).vector
        assert not np.allclose(plain, shifted)
        assert float(shifted @ twin) > float(plain @ twin) + 0.01, english


def test_a_norwegian_question_is_not_moved(searcher, embedder):
    question = "Hva mener Høyre om straff for bruk av narkotika?"
    assert np.allclose(searcher.analyse(question).vector, embedder.embed_query(question))


def test_a_searcher_without_the_shift_embeds_english_as_asked(searcher, embedder):
    from kilde.index.retrieval.search import Searcher

    searcher = Searcher(searcher.index, embedder)  # its own: the session's searcher keeps its shift
    searcher.language_shift = None
    question = TWINS[0][0]
    assert np.allclose(searcher.analyse(question).vector, embedder.embed_query(question))
