"""Issue 12 on the real bundled index: the fitted abstention, lead-ins, collapsed hits."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kilde.index.retrieval.collapse import collapse_contained

OFF_TOPIC = ["Hva er hovedstaden i Australia?", "Hvordan lager man brunost hjemme?",
             "Kva tid opnar symjehallen i byen etter oppussinga?", "What is the capital of Australia?",
             "Hva er pensjonsalderen i Norge?"]  # only «Norge» found: answered without the rarity signal
ON_TOPIC = ["Hva mener Høyre om straff for bruk av narkotika?", "Hva er fritt behandlingsvalg?",
            "Kor mange menneske døyr av overdose kvart år?", "What does Høyre want to do about aftercare?",
            "Kva sa statsministeren om brukarinvolvering?"]  # its rare word, spelt «brukerinvolvering», is found


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_the_fitted_abstention_abstains_on_clear_off_topic_questions(searcher, question):
    assert searcher.search(question, 3).abstained


@pytest.mark.parametrize("question", ON_TOPIC)
def test_the_fitted_abstention_answers_on_topic_questions(searcher, question):
    assert not searcher.search(question, 3).abstained


def test_the_fitted_decision_is_read_without_scikit_learn():
    # sentence-transformers itself imports scikit-learn, so the check is on the decision's own modules.
    code = ("import sys; from kilde.index.retrieval.abstention import Abstention; from kilde.index.retrieval "
            "import collapse, fusion; Abstention.load(); assert 'sklearn' not in sys.modules, 'sklearn imported'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


def test_a_joined_lead_in_is_one_hit_cited_with_both_paragraphs(searcher):
    hits = searcher.search("Hvordan gjør Norge det sammenlignet med andre land på brukerinvolvering?", 5).hits
    joined = next(h for h in hits if "ligger bak andre land" in h.passage.text)
    assert (joined.passage.paragraph, joined.passage.last_paragraph) == (20, 21)
    assert "systemet er dårlig på å legge til rette" in joined.passage.text
    assert joined.as_json()["paragraph"] == 20 and joined.as_json()["last_paragraph"] == 21
    assert not any(h.passage.paragraph == 21 for h in hits if h.document.id == joined.document.id)


def test_collapse_drops_a_hit_contained_in_a_higher_one():
    texts = {1: "Kjære alle sammen! Det er på tide å sette sammen disse bitene.", 2: "Kjære alle sammen!",
             3: "Vi skal hjelpe de som har de største behovene.", 4: "Kjære   alle\nsammen!"}
    ranked = [(1, 1.2), (2, 1.1), (3, 1.0), (4, 0.9)]
    assert collapse_contained(ranked, texts.get) == [(1, 1.2), (3, 1.0)]
    assert collapse_contained(ranked, texts.get, k=1) == [(1, 1.2)]
    # a longer hit below a shorter one is not contained in it: both stay
    assert collapse_contained([(2, 1.2), (1, 1.1)], texts.get) == [(2, 1.2), (1, 1.1)]


def test_search_never_shows_a_hit_contained_in_a_higher_one(searcher):
    hits = searcher.search("Kjære alle sammen, hva er det på tide å gjøre?", 10).hits
    assert len(hits) == 10
    for i, low in enumerate(hits):
        assert not any(" ".join(low.passage.text.split()) in " ".join(high.passage.text.split()) for high in hits[:i])


def test_a_searcher_given_another_decision_reads_it(searcher):
    from kilde.index.retrieval.abstention import SIGNALS, Abstention
    from kilde.index.retrieval.search import Searcher

    always = Abstention(tuple(0.0 for _ in SIGNALS), 10.0)  # P(off-topic) = σ(10) whatever the signals
    other = Searcher(searcher.index, searcher.embedder, searcher.fusion, always)
    assert other.search(ON_TOPIC[0], 3).abstained
    other.abstention = Abstention(tuple(0.0 for _ in SIGNALS), -10.0)
    assert not other.search(OFF_TOPIC[0], 3).abstained


def test_the_shipped_decision_does_not_read_the_corpus_idf_coverage():
    """Its scale grows with the corpus (an unseen word weighs log(2N + 2)): `rare_coverage` stands in for it."""
    from dataclasses import replace

    from kilde.index.retrieval.abstention import Signals, default_abstention

    signals = Signals(fused=1.1, margin=0.03, cosine=0.84, coverage=0.2, english=False, rare_coverage=0.5)
    decision = default_abstention()
    assert decision.probability(signals) == decision.probability(replace(signals, coverage=0.9))
    assert decision.probability(signals) > decision.probability(replace(signals, rare_coverage=0.9))
