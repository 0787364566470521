"""Hybrid fusion and abstention: the rules themselves, on hand-made evidence."""

from __future__ import annotations

import numpy as np
import pytest

from kilde.index.retrieval.abstention import Abstention
from kilde.index.retrieval.fusion import Evidence, Fusion, unit


def evidence(cosine, passage_bm25, document_bm25, documents) -> Evidence:
    n = len(cosine)
    return Evidence(rows=np.arange(n), documents=np.array(documents), cosine=np.array(cosine, dtype=np.float32),
                    passage_bm25=np.array(passage_bm25, dtype=np.float32),
                    document_bm25=np.array(document_bm25, dtype=np.float32))


def test_unit_scales_to_the_best_and_keeps_zero():
    assert unit(np.array([2.0, 1.0, 0.0])).tolist() == [1.0, 0.5, 0.0]
    assert unit(np.zeros(3)).tolist() == [0.0, 0.0, 0.0]


def test_lexical_evidence_lifts_a_passage_over_a_slightly_closer_one():
    ev = evidence([0.86, 0.85], [0.0, 1.0], [0.5, 0.5], [0, 1])
    assert [i for i, _ in Fusion(0.04, 0, 0, 0).rank(ev, 2)] == [1, 0]
    assert [i for i, _ in Fusion(0, 0, 0, 0).rank(ev, 2)] == [0, 1]  # without it, cosine decides


def test_document_cosine_is_the_best_candidate_of_the_document():
    ev = evidence([0.8, 0.9, 0.7], [0, 0, 0], [0, 0, 0], [0, 0, 1])
    assert ev.document_cosine.tolist() == pytest.approx([0.9, 0.9, 0.7])


def test_same_document_penalty_lets_another_document_through():
    ev = evidence([0.90, 0.895, 0.89, 0.885], [0] * 4, [0] * 4, [0, 0, 0, 1])
    plain = [i for i, _ in Fusion(0, 0, 0, 0).rank(ev, 3)]
    diverse = [i for i, _ in Fusion(0, 0, 0, 0.01).rank(ev, 3)]
    assert plain == [0, 1, 2]
    assert diverse == [0, 3, 1]  # the other document's best passage moves up
    # the reported score is the fused score, not the penalised one
    assert Fusion(0, 0, 0, 0.01).rank(ev, 3)[1][1] == pytest.approx(0.885)


def test_rank_never_returns_more_than_the_candidates():
    assert len(Fusion().rank(evidence([0.9], [1], [1], [0]), 5)) == 1


@pytest.mark.parametrize("cosine,coverage,abstains", [
    (0.80, 0.0, True),    # far in meaning, words foreign to the corpus: off-topic
    (0.80, 0.75, False),  # the corpus uses the question's words
    (0.86, 0.0, False),   # close in meaning (e.g. an English question)
    (0.8399, 0.4999, True),
])
def test_abstention_needs_both_signals(cosine, coverage, abstains):
    assert Abstention(min_coverage=0.5, min_cosine=0.84).abstains(cosine, coverage) is abstains


@pytest.mark.parametrize("cosine,abstains", [(0.80, False), (0.7899, True), (0.86, False)])
def test_an_english_question_is_judged_by_its_cosine_alone(cosine, abstains):
    # None of its words are the corpus' own, so coverage says nothing: 0.0 and 1.0 decide alike.
    rule = Abstention(min_coverage=0.5, min_cosine=0.84, min_cosine_english=0.79)
    assert rule.abstains(cosine, 0.0, english=True) is abstains
    assert rule.abstains(cosine, 1.0, english=True) is abstains


def test_lexical_confidence_scales_the_lexical_evidence_only():
    ev = evidence([0.86, 0.85], [0.0, 1.0], [0.0, 1.0], [0, 1])
    fusion = Fusion(0.04, 0.06, 0, 0)
    assert [i for i, _ in fusion.rank(ev, 2)] == [1, 0]
    unsure = Evidence(**{**ev.__dict__, "lexical_confidence": 0.1})  # the question's rare words are not in the corpus
    assert [i for i, _ in fusion.rank(unsure, 2)] == [0, 1]
    assert fusion.scores(unsure) == pytest.approx([0.86, 0.85 + 0.1 * 0.1])
