"""The `kilde` command as a user runs it: a real process, the real model, a real index."""

from __future__ import annotations

import json

import pytest

from .conftest import run_kilde

FIELDS = {"id", "text", "document", "title", "publisher", "date", "section", "paragraph", "score", "highlight",
          "citation"}


@pytest.fixture(scope="module")
def index_args(bundled_index) -> list[str]:
    return ["--index", str(bundled_index)]


def test_ask_prints_cited_paragraphs(index_args):
    result = run_kilde("ask", "Hva mener Høyre om straff for narkotikabruk?", *index_args)
    assert result.returncode == 0, result.stderr
    assert "Høyre: «Rusomsorg», avsnitt" in result.stdout
    assert "fra straff til hjelp" in result.stdout
    assert "Traceback" not in result.stderr


def test_ask_json_shape(index_args):
    result = run_kilde("ask", "Hvor mange dør av overdose i Norge hvert år?", "--json", "-k", "3", *index_args)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["question"] == "Hvor mange dør av overdose i Norge hvert år?"
    assert len(record["hits"]) == 3
    for hit in record["hits"]:
        assert set(hit) == FIELDS
        assert isinstance(hit["paragraph"], int) and isinstance(hit["score"], float)
        assert all(0 <= start < end <= len(hit["text"]) for start, end in hit["highlight"])
    for hit in record["hits"]:  # both citation forms (their wording: tests/test_citations.py)
        assert hit["citation"]["quote"].startswith(f"«{hit['text']}» – ") and f"avsnitt {hit['paragraph']}" in hit["citation"]["quote"]
        assert hit["citation"]["reference"].startswith(("Høyre. (u.å.). Rusomsorg.", "Solberg, E. (2015, 26. mai)."))
    (start, end), = record["hits"][0]["highlight"]
    assert "260 mennesker av overdose" in record["hits"][0]["text"][start:end]
    assert record["hits"][0]["document"] in {"hoyre-rusomsorg", "opptrappingsplanen-for-rusfeltet"}


def test_stdin_batch_gives_one_json_line_per_question(index_args):
    questions = "Hva er fritt behandlingsvalg?\n\nHva sa statsministeren om brukerinvolvering?\nKva vil Høgre avgrense?\n"
    result = run_kilde("ask", "--json", "-k", "2", *index_args, stdin=questions)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [r["question"] for r in records] == ["Hva er fritt behandlingsvalg?",
                                                 "Hva sa statsministeren om brukerinvolvering?", "Kva vil Høgre avgrense?"]
    assert all(len(r["hits"]) == 2 for r in records)
    # only the Nynorsk one was searched as something else: its Bokmål machine translation (Apertium)
    assert [r.get("searched_as") for r in records] == [None, None, "Hva vil Høyre begrense?"]


def test_ask_says_a_nynorsk_question_was_searched_in_bokmaal(index_args):
    result = run_kilde("ask", "Kva vil Høgre avgrense?", "-k", "1", *index_args)
    assert result.returncode == 0, result.stderr
    assert "Søkt på bokmål, maskinoversatt: «Hva vil Høyre begrense?»" in result.stdout.splitlines()[1]


@pytest.mark.parametrize("question,message", [("", "Skriv et spørsmål først."), ("   ", "Skriv et spørsmål først."),
                                              ("å" * 1200, "Spørsmålet er for langt (1200 tegn)")])
def test_bad_question_is_a_clear_error(index_args, question, message):
    result = run_kilde("ask", question, *index_args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_k_out_of_range_is_a_clear_error(index_args):
    result = run_kilde("ask", "Hva er fritt behandlingsvalg?", "-k", "0", *index_args)
    assert result.returncode == 2
    assert "Antall treff må være et helt tall fra 1 til 50" in result.stderr


def test_over_long_line_in_a_batch_is_reported_and_the_rest_answered(index_args):
    result = run_kilde("ask", "--json", *index_args, stdin="x" * 1001 + "\nHva er rusreformutvalget?\n")
    assert result.returncode == 1
    records = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert "for langt" in records[0]["error"]
    assert records[1]["hits"]


def test_missing_corpus_path_is_a_clear_error(tmp_path):
    result = run_kilde("index", str(tmp_path / "finnes-ikke.txt"), "--index", str(tmp_path / "ix"))
    assert result.returncode == 2
    assert "Finner ikke" in result.stderr and "Traceback" not in result.stderr


def test_json_marks_abstention_and_modes_are_selectable(index_args):
    result = run_kilde("ask", "--json", "-k", "2", *index_args,
                       stdin="Hva er hovedstaden i Australia?\nHva vil Høyre gjøre med ettervernet?\n"
                             "What is the capital of Australia?\n"
                             "What does Høyre want to do about housing for people with addiction?\n")
    assert result.returncode == 0, result.stderr
    off, on, off_english, on_english = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert off["abstained"] is True and len(off["hits"]) == 2
    assert "abstained" not in on
    # An English question has none of the corpus' words; it is judged by its (cross-lingual) cosine alone.
    assert off_english["abstained"] is True
    assert "abstained" not in on_english and len(on_english["hits"]) == 2
    top = {}
    for mode in ("dense", "bm25", "hybrid"):
        result = run_kilde("ask", "Hva vil Høyre gjøre med ettervernet?", "--mode", mode, "-k", "3", "--json",
                           *index_args)
        assert result.returncode == 0, result.stderr
        hits = json.loads(result.stdout)["hits"]
        assert any("styrke ettervernet" in hit["text"] for hit in hits)
        top[mode] = hits[0]["text"]
    assert "styrke ettervernet" in top["bm25"] and "styrke ettervernet" in top["hybrid"]
    assert top["dense"] != top["bm25"]  # the modes really are different rankings
