"""Question words matched to the corpus' spelling (Nynorsk, typos) and the lexical confidence they give."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest
from rapidfuzz.distance import Levenshtein

from kilde.index.documents.reader import bundled_corpus, read_documents
from kilde.index.retrieval.lexical import Analyzer, LexicalIndex
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


def test_a_term_found_in_another_spelling_counts_as_found():
    """A Nynorsk question whose words the corpus has in Bokmål spelling is as sure as the Bokmål one
    (SPELLING_COUNTS_AS_FOUND); before, each spelling match counted as an unseen word."""
    index = LexicalIndex.build(["Høyre vil ha et tilpasset botilbud.", "Ventetiden skal ned.", "Været i Tromsø."])
    assert index.confidence(index.query("Kva vil Høgre med butilbodet?")) == pytest.approx(
        index.confidence(index.query("Hva vil Høyre med botilbudet?")))
    assert index.confidence(index.query("Kva vil Høgre med butilbodet?")) == pytest.approx(1.0)


def scanned(vocabulary: list[str], term: str) -> list[str]:
    """The rule written out as a scan of the whole vocabulary (Kilde's matcher before the deletion index)."""
    if term in vocabulary:
        return [term]
    edits = allowed_edits(term)
    near = {t: Levenshtein.distance(term, t) for t in vocabulary}
    near = {t: d for t, d in near.items() if d <= edits} if edits else {}
    return sorted(t for t, d in near.items() if d == min(near.values()))


def test_the_deletion_index_matches_what_scanning_the_vocabulary_finds():
    """Peer check on a real word list (the bundled corpus' words, stemmed) and typos made from it."""
    text = " ".join(read_documents([bundled_corpus()])[i].text for i in range(2))
    vocabulary = sorted(set(Analyzer(Counter(), decompound=False).terms(text)))
    spelling = Spelling(vocabulary)
    rng = random.Random(7)
    questions = ["brukarinvolvering", "butilbod", "høgr", "rusreformutval", "romarsk", "ab", "abc", "abcd"]
    for word in rng.sample(vocabulary, 150):
        at = rng.randrange(len(word))
        letter = rng.choice("aeiounrstløå")
        questions += [word[:at] + word[at + 1:], word[:at] + letter + word[at + 1:], word[:at] + letter + word[at:],
                      word[:at] + letter + letter + word[at + 1:]]
    matched = 0
    for question in questions:
        assert spelling.match(question) == scanned(vocabulary, question), question
        matched += bool(spelling.match(question)) and question not in vocabulary
    assert matched > 200  # most typos find their word: the check is not vacuous
