"""Sources in the search core: the document filter, a passage's neighbours, both sides of a topic."""

from __future__ import annotations

import pytest

from kilde.index.errors import QuestionError
from kilde.index.retrieval.search import MODES

SPEECH, PARTY = "opptrappingsplanen-for-rusfeltet", "hoyre-rusomsorg"


@pytest.mark.parametrize("mode", MODES)
def test_filter_restricts_hits_to_the_chosen_document(searcher, mode):
    question = "Hvordan skal pasientene få behandling?"  # both documents answer it
    unfiltered = searcher.search(question, 5, mode=mode).hits
    assert {h.document.id for h in unfiltered} == {SPEECH, PARTY}
    for document in (SPEECH, PARTY):
        hits = searcher.search(question, 5, mode=mode, documents=[document]).hits
        assert len(hits) == 5 and {h.document.id for h in hits} == {document}
        assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    both = searcher.search(question, 5, mode=mode, documents=[SPEECH, PARTY]).hits
    assert [h.passage.id for h in both] == [h.passage.id for h in unfiltered]


def test_filter_by_an_unknown_document_is_refused(searcher):
    with pytest.raises(QuestionError) as error:
        searcher.search("Hva er fritt behandlingsvalg?", 5, documents=["finnes-ikke"])
    assert error.value.code == "document.unknown" and error.value.params == {"document": "finnes-ikke"}


def test_both_documents_answer_a_question_about_both(searcher):
    hits = searcher.search("Hva mener de om brukermedvirkning?", 5).hits
    assert {h.document.id for h in hits} == {SPEECH, PARTY}


def test_context_gives_the_neighbours_in_the_same_document(searcher):
    passages = searcher.index.passages
    first_of_party = next(i for i, p in enumerate(passages) if p.document_id == PARTY)
    middle = searcher.context(passages[first_of_party + 1].id)
    assert middle.previous == passages[first_of_party] and middle.next == passages[first_of_party + 2]
    assert middle.document.id == PARTY and middle.previous.paragraph < middle.passage.paragraph < middle.next.paragraph
    first = searcher.context(passages[first_of_party].id)
    assert first.previous is None and first.next == passages[first_of_party + 1]
    last = searcher.context(passages[-1].id)
    assert last.next is None and last.previous.document_id == last.passage.document_id
    assert searcher.context("0000000000000000") is None
