"""Telling an English question from a Norwegian one (Bokmål or Nynorsk) by its function words."""

from __future__ import annotations

from pathlib import Path

import pytest

from kilde.index.evaluation import read_questions
from kilde.index.language import is_english

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
    assert is_english(question) is english


@pytest.mark.parametrize("path,english", [
    (QUESTIONS / "seed_dev_english.jsonl", True),
    (QUESTIONS / "offtopic_english.jsonl", True),
    (SHARED / "eval" / "seed_dev.jsonl", False),
    (QUESTIONS / "seed_dev_nynorsk.jsonl", False),
    (QUESTIONS / "offtopic_extra.jsonl", False),
    (SHARED / "eval" / "norquad" / "questions_validation.jsonl", False),
])
def test_every_question_of_a_set_is_told_right(path, english):
    assert [q.question for q in read_questions(path) if is_english(q.question) is not english] == []
