"""The sentence highlight: Norwegian sentence boundaries, offsets inside the hit, the answer marked."""

from __future__ import annotations

import pytest

from kilde.index.retrieval.highlight import sentence_spans

from .conftest import SHARED, read_jsonl

SEED_DEV = SHARED / "eval" / "seed_dev.jsonl"


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


def test_abbreviations_and_dates_do_not_end_a_sentence():
    text = ("Regjeringen har bl.a. økt bevilgningene, f.eks. til rusbehandling. Det dør ca. 260 i året. "
            "Planen kom 15. mai 2015.  «Vi må handle.» Det sa hun!")
    assert sentences(text) == ["Regjeringen har bl.a. økt bevilgningene, f.eks. til rusbehandling.",
                               "Det dør ca. 260 i året.", "Planen kom 15. mai 2015.", "«Vi må handle.»", "Det sa hun!"]


def test_lines_and_unusual_spaces_end_sentences_and_offsets_stay_exact():
    text = "Rusmisbrukere lever 20 år kortere.\u202fI tillegg dør 260 i året\n- punkt én\n\t- punkt to. "
    assert sentences(text) == ["Rusmisbrukere lever 20 år kortere.", "I tillegg dør 260 i året", "- punkt én",
                               "- punkt to."]
    assert sentence_spans("") == [] and sentence_spans("  \n ") == []


@pytest.mark.parametrize("question", ["Hvor mange dør av overdose i Norge hvert år?", "Hva er fritt behandlingsvalg?",
                                      "Hva mener de om brukermedvirkning?", "Hva vil Høyre gjøre med ettervernet?"])
def test_highlight_lies_inside_the_hit_on_sentence_boundaries(searcher, question):
    for hit in searcher.search(question, 10).hits:
        text = hit.passage.text
        assert hit.highlight, hit
        for start, end in hit.highlight:
            assert 0 <= start < end <= len(text)
            assert (start, end) in sentence_spans(text)  # whole sentences, never a cut word
            assert text[start:end] == text[start:end].strip()
        assert hit.as_json()["highlight"] == [list(span) for span in hit.highlight]


def test_highlight_marks_the_sentence_with_the_answer(searcher):
    hit = searcher.search("Hvor mange dør av overdose i Norge hvert år?", 1).hits[0]
    assert len(sentence_spans(hit.passage.text)) > 1
    (start, end), = hit.highlight
    assert "260 mennesker av overdose" in hit.passage.text[start:end]


def test_highlight_holds_the_gold_answer_for_seed_questions(searcher):
    """Every seed question whose best gold paragraph has several sentences: the highlight holds the gold text."""
    checked = 0
    for question in read_jsonl(SEED_DEV):
        hit = next(h for h in searcher.search(question["q"], 10).hits if any(g in h.passage.text for g in question["gold"]))
        if len(sentence_spans(hit.passage.text)) < 2:
            continue
        marked = " ".join(" ".join(hit.passage.text[start:end].split()) for start, end in hit.highlight)
        assert any(g in marked for g in question["gold"]), (question, marked)  # spaces normalised: the text has U+202F
        checked += 1
    assert checked >= 3
