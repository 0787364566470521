"""The lexical leg: Norwegian tokenisation, stemming, decompounding and BM25 scoring."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from kilde.index.retrieval.lexical import Analyzer, Decompounder, LexicalIndex, words
from kilde.index.retrieval.spelling import Spelling


def test_norwegian_letters_survive():
    assert words("Blåbærsyltetøy på Ærøy, ÆØÅ!") == ["blåbærsyltetøy", "på", "ærøy", "æøå"]
    assert "blåbærsyltetøy" in Analyzer(Counter(), decompound=False).terms("Blåbærsyltetøy")


def test_hyphenated_words_numbers_and_percentages():
    assert words("rus- og psykisk helse") == ["rus", "og", "psykisk", "helse"]
    assert words("nærmere 2500 årsverk, 90% av dem") == ["nærmere", "2500", "årsverk", "90", "av", "dem"]
    terms = Analyzer(Counter(), decompound=False).terms("rus- og psykisk helse, 2500 årsverk")
    assert "og" not in terms  # stopword
    assert {"rus", "psykisk", "2500"} <= set(terms)


def test_decompounding_against_the_corpus_vocabulary():
    vocabulary = Counter({"rus": 9, "behandling": 4, "narkotika": 3, "politikk": 2, "arbeid": 2, "plass": 2})
    split = Decompounder(vocabulary)
    assert split.parts("rusbehandling") == ["rus", "behandling"]
    assert split.parts("narkotikapolitikk") == ["narkotika", "politikk"]
    assert split.parts("arbeidsplass") == ["arbeid", "plass"]  # linking s
    assert split.parts("behandling") == []
    assert split.parts("overdosedødsfall") == []  # parts unknown to the corpus


def test_compound_meets_its_parts():
    texts = ["Tilbudet om rusbehandling skal styrkes.", "Politikk for narkotika må endres.", "Været i Tromsø."]
    index = LexicalIndex.build(texts, decompound=True)
    assert int(np.argmax(index.question_scores("behandling av rus"))) == 0
    assert int(np.argmax(index.question_scores("narkotikapolitikk"))) == 1
    assert index.question_scores("hovedstaden i Australia").max() == 0


def test_bm25_scores_match_the_lucene_formula():
    """Peer check: bm25s against BM25 written out (Lucene variant, k1=1.5, b=0.75)."""
    texts = ["rus rus behandling", "behandling ventetid", "ventetid ventetid ventetid kø", "skole"]
    index = LexicalIndex.build(texts, decompound=False)
    docs = [Analyzer(Counter(), decompound=False).terms(t) for t in texts]
    avgdl = sum(map(len, docs)) / len(docs)

    def lucene(query: list[str], doc: list[str]) -> float:
        total = 0.0
        for term in query:
            df = sum(term in d for d in docs)
            idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
            tf = doc.count(term)
            total += idf * tf / (tf + 1.5 * (1 - 0.75 + 0.75 * len(doc) / avgdl))
        return total

    for question in ["rus behandling", "ventetid", "kø skole"]:
        expected = [lucene(Analyzer(Counter(), decompound=False).terms(question), d) for d in docs]
        assert index.question_scores(question) == pytest.approx(expected, rel=1e-4)


def test_saved_index_scores_the_same(tmp_path):
    texts = ["Høyre vil styrke ettervernet i rusomsorgen.", "Regjeringen la fram en opptrappingsplan."]
    index = LexicalIndex.build(texts, decompound=True)
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    for question in ["ettervern", "opptrappingsplanen for rusfeltet", "rusomsorg"]:
        assert loaded.question_scores(question) == pytest.approx(index.question_scores(question))


def test_the_spelling_index_is_saved_with_the_index_and_read_back(tmp_path):
    texts = ["Høyre vil styrke ettervernet i rusomsorgen.", "Kommunen gir et tilpasset botilbud."]
    index = LexicalIndex.build(texts)
    index.save(tmp_path)
    assert Spelling.saved_in(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    for term in ["etterven", "butilbod", "rusomsorgn", "ettervern", "xyz"]:
        assert loaded.spelling.match(term) == index.spelling.match(term)
    assert loaded.spelling.match("butilbod") == ["botilbud"]
