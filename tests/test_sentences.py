"""The highlighter's one-pass sentence rules give exactly the sentences of sentence-splitter, the
library they come from, on every paragraph Kilde ships or is measured on, and on generated text."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings, strategies as st
from sentence_splitter import SentenceSplitter

from kilde.index.documents.reader import bundled_corpus
from kilde.index.retrieval import sentences

LIBRARY = SentenceSplitter(language="no")
NORQUAD = Path(__file__).resolve().parents[2] / "shared" / "eval" / "norquad" / "passages_all.jsonl"


def paragraphs() -> list[str]:
    found = [p for f in sorted(bundled_corpus().glob("*.txt")) for p in f.read_text(encoding="utf-8").split("\n\n")]
    with NORQUAD.open(encoding="utf-8") as lines:
        found += [p for line in lines for p in json.loads(line)["text"].split("\n")]
    return [p for p in found if p.strip()]


def test_same_sentences_as_the_library_on_every_paragraph():
    texts = paragraphs()
    assert len(texts) > 6000
    differ = [t for t in texts if sentences.split(t) != LIBRARY.split(t)]
    assert differ == []
    assert sum(len(sentences.split(t)) > 1 for t in texts) > 1000  # the rules do split


def test_the_rules_the_highlighter_relies_on():
    assert sentences.split("Dette gjelder bl.a. rusomsorg. Neste setning.") == [
        "Dette gjelder bl.a. rusomsorg.", "Neste setning."]
    assert sentences.split("Den 15. mai kom planen. Så kom loven.") == ["Den 15. mai kom planen.", "Så kom loven."]
    assert sentences.split("Hva nå? «Vi venter.» Ny linje\nandre linje") == [
        "Hva nå?", "«Vi venter.»", "Ny linje", "andre linje"]
    assert sentences.split("") == [] and sentences.split("nr. 5 og s. 3.") == LIBRARY.split("nr. 5 og s. 3.")


PIECES = st.sampled_from(["Rusreformen", "kom", "bl.a.", "f.eks.", "nr.", "s.", "U.S.", "15.", "mai", "Hvorfor?",
                          "Ja!", "...", "«Sitat.»", "(Parentes.)", "\"Slik.\"", "ja.", "Nei", "\n", "  ", "1.", "Å.",
                          "–", "ca.", "kl.", "Dr.", "»", "«", ")", "(", "Ø", "æ.", ".", "?", "!"])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=14).map(" ".join))
def test_same_sentences_as_the_library_on_generated_text(text):
    assert sentences.split(text) == LIBRARY.split(text)
