"""Telling English text from Norwegian (Bokmål or Nynorsk) by its function words, and what the lexical leg does with it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kilde.index.retrieval.evaluation import read_questions
from kilde.index.retrieval.language import is_english
from kilde.index.retrieval.lexical import Analyzer, LexicalIndex, words

from .conftest import SHARED

QUESTIONS = Path(__file__).resolve().parents[1] / "benchmarks" / "questions"


@pytest.mark.parametrize("question,english", [
    ("What does Høyre want to do about aftercare?", True),
    ("Which substances cause health damage?", True),
    ("Who wrote Peer Gynt?", True),
    ("Hva vil Høyre gjøre med ettervernet?", False),
    ("Kva vil Høgre gjere med ettervernet?", False),
    ("Hvem skrev Peer Gynt?", False),
    ("rusreformutvalget", False),  # no function words: not English
])
def test_function_words_decide(question, english):
    assert is_english(words(question)) is english


@pytest.mark.parametrize("path,english", [
    (QUESTIONS / "seed_dev_english.jsonl", True),
    (QUESTIONS / "offtopic_english.jsonl", True),
    (QUESTIONS / "norquad_validation_english.jsonl", True),
    (SHARED / "eval" / "offtopic_dev.jsonl", False),
    (SHARED / "eval" / "seed_dev.jsonl", False),
    (QUESTIONS / "seed_dev_nynorsk.jsonl", False),
    (QUESTIONS / "offtopic_extra.jsonl", False),
    (SHARED / "eval" / "norquad" / "questions_validation.jsonl", False),
])
def test_every_question_of_a_set_is_told_right(path, english):
    assert [q.question for q in read_questions(path) if is_english(words(q.question)) is not english] == []


def test_english_text_loses_its_function_words_norwegian_keeps_its_own():
    analyzer = Analyzer(Counter(), decompound=False)
    assert analyzer.terms("What does Høyre want to do about aftercare?") == ["høyr", "want", "aftercar"]
    # «by» (city) is an English stopword, but a Norwegian content word.
    assert analyzer.terms("Hvilken by ligger nord for polarsirkelen?") == ["by", "ligg", "nord", "polarsirkel"]


def test_english_questions_get_no_spelling_matches():
    index = LexicalIndex.build(["Laget vant kampen i fjor.", "Wien er hovedstaden i Østerrike."])
    assert {q.term: q.matches for q in index.query("Hvem vannt kampen?")}["vannt"] == ("vant",)  # a typo
    # «want» is one edit from «vant» (won), a false friend: an English word is matched exactly or not at all.
    assert {q.term: q.matches for q in index.query("What does the team want?")}["want"] == ()


def test_nynorsk_function_words_are_no_terms():
    """The Nynorsk forms of function words the Bokmål list has («frå» for «fra», «ei», «berre») are
    stopwords too: before, each was a rare word no Bokmål passage holds, and lowered the question's
    lexical confidence."""
    analyzer = Analyzer(Counter(), decompound=False)
    assert analyzer.terms("Kva for ei gruppe frå Noreg er berre utan hjelp?") == \
        analyzer.terms("Kva for gruppe Noreg er hjelp?")
    assert "grupp" in analyzer.terms("Kva for ei gruppe frå Noreg?")  # content words stay


def _questions_with_language():
    """(question, its language) of every question file: a file's own language, else each record's «lang»."""
    import json

    files = [*QUESTIONS.glob("*.jsonl"), SHARED / "eval" / "seed_dev.jsonl", SHARED / "eval" / "offtopic_dev.jsonl",
             SHARED / "eval" / "norquad" / "questions_validation.jsonl"]
    for path in files:
        language = "nn" if "nynorsk" in path.name else "en" if "english" in path.name else None
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                yield record.get("q") or record["question"], language or record.get("lang", "nb")


def test_every_nynorsk_question_is_told_from_bokmaal():
    from kilde.index.retrieval.language import is_nynorsk

    told = Counter()
    for question, language in _questions_with_language():
        found = words(question)
        told[language, "en" if is_english(found) else "nn" if is_nynorsk(found) else "nb"] += 1
    assert {pair for pair in told if pair[0] != pair[1]} == set(), told
    assert told["nn", "nn"] >= 42 and told["nb", "nb"] >= 570
