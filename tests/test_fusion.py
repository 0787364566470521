"""Hybrid fusion and abstention: the rules themselves, on hand-made evidence."""

from __future__ import annotations

import numpy as np
import pytest

from kilde.index.retrieval.abstention import SIGNALS, Abstention, Signals
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


def test_signals_read_the_best_score_and_its_margin_over_another_document():
    ev = evidence([0.90, 0.88, 0.80], [0, 0, 0], [0, 0, 0], [0, 0, 1])
    signals = Signals.of(Evidence(**{**ev.__dict__, "lexical_confidence": 0.4}), np.array([1.2, 1.18, 1.05]), True, 0.7)
    assert signals.fused == pytest.approx(1.2) and signals.margin == pytest.approx(0.15)  # over document 1, not 1.18
    assert signals.cosine == pytest.approx(0.90) and signals.coverage == pytest.approx(0.4) and signals.english
    assert signals.rare_coverage == pytest.approx(0.7) and len(signals.values()) == len(SIGNALS)
    one_document = Signals.of(evidence([0.9, 0.8], [0, 0], [0, 0], [0, 0]), np.array([1.2, 1.1]), False)
    assert one_document.margin == pytest.approx(0.1)  # over the second passage when one document has them all


def test_abstention_is_a_logistic_decision_over_the_signals(tmp_path):
    rule = Abstention(weights=(-10.0, 0.0, 0.0, 0.0, 0.0, 0.0), intercept=11.0)  # P(off-topic) ≥ 0.5 below fused 1.1
    near = Signals(fused=1.09, margin=0.0, cosine=0.8, coverage=0.0, english=False)
    assert rule.abstains(near) and not rule.abstains(Signals(1.11, 0.0, 0.8, 0.0, False))
    assert rule.probability(Signals(1.1, 0.0, 0.8, 0.0, False)) == pytest.approx(0.5)
    rule.save(tmp_path / "a.json")
    assert Abstention.load(tmp_path / "a.json") == rule  # stored as data, read back unchanged


def test_the_shipped_abstention_is_fitted_data():
    shipped = Abstention.load()
    assert len(shipped.weights) == len(SIGNALS) and "tuning" in shipped.fitted_on
    assert any(w != 0 for w in shipped.weights)


def test_lexical_confidence_scales_the_lexical_evidence_only():
    ev = evidence([0.86, 0.85], [0.0, 1.0], [0.0, 1.0], [0, 1])
    fusion = Fusion(0.04, 0.06, 0, 0)
    assert [i for i, _ in fusion.rank(ev, 2)] == [1, 0]
    unsure = Evidence(**{**ev.__dict__, "lexical_confidence": 0.1})  # the question's rare words are not in the corpus
    assert [i for i, _ in fusion.rank(unsure, 2)] == [0, 1]
    assert fusion.scores(unsure) == pytest.approx([0.86, 0.85 + 0.1 * 0.1])
