"""Question words matched to the corpus' spelling (Nynorsk, typos) and the lexical confidence they give."""

from __future__ import annotations

import numpy as np
import pytest

from kilde.index.retrieval.lexical import LexicalIndex
from kilde.index.retrieval.spelling import Spelling, allowed_edits


def test_edits_allowed_grow_with_the_word_like_elasticsearch_auto_4_8():
    assert [allowed_edits("x" * n) for n in (1, 3, 4, 7, 8, 15)] == [0, 0, 1, 1, 2, 2]


@pytest.mark.parametrize("nynorsk,bokmal", [("brukarinvolvering", "brukerinvolvering"), ("butilbod", "botilbud"),
                                             ("høgr", "høyr"), ("rusreformutval", "rusreformutvalg")])
def test_nynorsk_forms_meet_the_bokmal_terms(nynorsk, bokmal):
    spelling = Spelling(["brukerinvolvering", "botilbud", "høyr", "rusreformutvalg", "behandl"])
    assert spelling.match(nynorsk) == [bokmal]


def test_known_terms_stay_and_distant_or_short_ones_find_nothing():
    spelling = Spelling(["rus", "to", "behandl", "behandlingsvalg", "romersk", "romansk"])
    assert spelling.match("behandl") == ["behandl"]  # in the corpus: never replaced by a neighbour
    assert spelling.match("too") == []  # three letters: must match exactly
    assert spelling.match("kjærlighet") == []  # more than two edits from everything
    assert spelling.match("romarsk") == ["romansk", "romersk"]  # every corpus term at the smallest distance


def test_a_nynorsk_question_scores_the_bokmal_paragraph():
    texts = ["Norge ligger bak når det gjelder brukerinvolvering.", "Et mer tilpasset botilbud til mennesker med rusproblemer.",
             "Været i Tromsø."]
    index = LexicalIndex.build(texts)
    assert int(np.argmax(index.question_scores("Kva sa dei om brukarinvolvering?"))) == 0
    assert int(np.argmax(index.question_scores("Kva med butilbodet?"))) == 1
    assert index.question_scores("hovedstaden i Australia").max() == 0


def test_confidence_is_the_share_of_the_questions_idf_the_corpus_matches():
    index = LexicalIndex.build(["Rusreformen ble stemt ned.", "Ventetiden skal ned.", "Ventetiden er lang."])
    assert index.confidence(index.query("rusreformen")) == pytest.approx(1.0)
    assert index.confidence(index.query("What is the drug reform committee?")) == 0.0
    partly = index.confidence(index.query("ventetiden for aftercare"))
    assert 0.0 < partly < 0.5  # the unmatched word counts with the highest IDF, the common one with its own
    assert index.confidence(index.query("og i på")) == 0.0  # stopwords only
