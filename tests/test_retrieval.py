"""Retrieval on the bundled corpus with the bundled model, measured on the shared seed questions."""

from __future__ import annotations

import pytest

from .conftest import SHARED, SEED_FILES, read_jsonl

SEED_DEV = SHARED / "eval" / "seed_dev.jsonl"


def first_relevant_rank(hits, gold: list[str]) -> int | None:
    return next((h.rank for h in hits if any(g in h.passage.text for g in gold)), None)


def test_recall_at_3_on_seed_dev(searcher):
    questions = read_jsonl(SEED_DEV)
    assert len(questions) >= 10
    ranks = [first_relevant_rank(searcher.search(q["q"], 3).hits, q["gold"]) for q in questions]
    recall_at_3 = sum(r is not None for r in ranks) / len(ranks)
    assert recall_at_3 >= 0.9, list(zip([q["q"] for q in questions], ranks))


def test_every_hit_is_verbatim_from_its_source_file(searcher):
    sources = {path.stem: path.read_text(encoding="utf-8") for path in SEED_FILES}
    for question in ["Hvor mange dør av overdose i Norge hvert år?", "Hva mener Høyre om straff for narkotikabruk?",
                     "Hva sa statsministeren om dialog?"]:
        hits = searcher.search(question, 10).hits
        assert len(hits) == 10
        for hit in hits:
            assert hit.passage.text in sources[hit.document.id]
            blocks = [b.strip() for b in sources[hit.document.id].split("\n\n") if b.strip()]
            last = hit.passage.last_paragraph or hit.passage.paragraph  # a lead-in joined with its continuation
            assert [t.strip() for t in hit.passage.text.split("\n\n")] == blocks[hit.passage.paragraph - 1:last]


def test_heading_leads_to_the_paragraph_under_it(searcher):
    top = searcher.search("Hva innebærer den gylne regel?", 1).hits[0]
    assert top.passage.section.endswith("Gjeninnførte den gylne regel")
    assert top.passage.text.startswith("Den medfører at psykisk helsevern")


def test_overdose_question_finds_the_overdose_figure(searcher):
    hits = searcher.search("Hvor mange dør av overdose i Norge hvert år?", 3).hits
    assert any("260 mennesker av overdose" in h.passage.text for h in hits)
    top = hits[0].as_json()
    assert set(top) == {"id", "text", "document", "title", "publisher", "date", "section", "paragraph", "score",
                        "highlight"}
    assert [h.rank for h in hits] == [1, 2, 3]
    assert hits[0].score >= hits[1].score >= hits[2].score


@pytest.mark.parametrize("question,code", [("", "question.empty"), ("   \n ", "question.empty"),
                                           ("x" * 1001, "question.too_long")])
def test_bad_questions_are_refused(searcher, question, code):
    from kilde.index.errors import QuestionError

    with pytest.raises(QuestionError) as error:
        searcher.search(question, 5).hits
    assert error.value.code == code
