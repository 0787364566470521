"""General-language word rarity (wordfreq's lists) and the abstention signal built on it."""

from __future__ import annotations

import pytest

from kilde.index.retrieval.word_rarity import RARITY_CAP, rare_coverage, rarity


def test_a_rare_word_weighs_more_than_an_ordinary_one():
    assert rarity("brunost") > rarity("lage") + 1.5
    assert rarity("og") == 0.0  # the commonest words weigh nothing
    assert rarity("xqzvbrunostkake") == RARITY_CAP  # a word the list lacks weighs the most


def test_english_words_are_weighed_by_the_english_list():
    assert rarity("treatment", english=True) < rarity("treatment")
    assert rarity("behandling", english=True) > rarity("behandling")


def test_rare_coverage_is_the_share_of_rarity_the_corpus_matches():
    assert rare_coverage([], english=False) == 0.0
    assert rare_coverage([("brunost", True), ("lage", True)], english=False) == pytest.approx(1.0)
    only_ordinary = rare_coverage([("brunost", False), ("lage", True)], english=False)
    assert only_ordinary == pytest.approx(rarity("lage") / (rarity("lage") + rarity("brunost")))
    assert only_ordinary < 0.35  # «lage» 1.6, «brunost» 3.6


def test_an_ordinary_shared_word_does_not_cover_an_off_topic_question(searcher):
    """«lage» is in the bundled corpus, «brunost» is not: by the corpus' IDF the question looks 28 % covered."""
    def signals(question):
        query = searcher.analyse(question)
        return searcher.signals(query, searcher.evidence(query))

    brunost = signals("Hvordan lager man brunost hjemme?")
    assert brunost.rare_coverage < brunost.coverage
    on_topic = signals("Hva mener Høyre om straff for bruk av narkotika?")  # «mener» is not in the corpus
    assert on_topic.rare_coverage > 0.8 and on_topic.rare_coverage > on_topic.coverage


def test_a_source_name_is_no_evidence_of_the_topic(searcher):
    """«Høyre» publishes one of the bundled documents: it matches, but it says nothing of «bompenger»."""
    query = searcher.analyse("Hva mener Høyre om bompenger?")
    assert searcher.signals(query, searcher.evidence(query)).rare_coverage == 0.0
