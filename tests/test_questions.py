"""The question sets written for issue 12 are well formed: gold substrings occur, splits are disjoint."""

from __future__ import annotations

import json
from pathlib import Path

QUESTIONS = Path(__file__).resolve().parent.parent / "benchmarks" / "questions"


def read(name: str) -> list[dict]:
    return [json.loads(line) for line in (QUESTIONS / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_gold_substring_occurs_in_a_bundled_paragraph(documents):
    from kilde.index.documents.passages import split_document

    texts = [p.text for d in documents for p in split_document(d)]
    for name in ("ontopic_tune.jsonl", "ontopic_heldout.jsonl"):
        for record in read(name):
            assert record["lang"] in ("nb", "nn", "en")
            assert record["gold"], record
            for gold in record["gold"]:
                assert any(gold in t for t in texts), (name, record["q"], gold)


def test_splits_are_disjoint_and_a_third_is_held_out():
    for stem in ("ontopic", "offtopic_common"):
        tune = {r["q"] for r in read(f"{stem}_tune.jsonl")}
        held = {r["q"] for r in read(f"{stem}_heldout.jsonl")}
        assert not tune & held
        assert len(held) * 3 >= len(tune | held) - 2
    assert len(read("ontopic_tune.jsonl")) + len(read("ontopic_heldout.jsonl")) >= 60
    assert len(read("offtopic_common_tune.jsonl")) + len(read("offtopic_common_heldout.jsonl")) >= 40
