"""Nynorsk questions searched in Bokmål through the real Apertium (Debian: apertium, apertium-nno-nob)."""

from __future__ import annotations

import logging

import pytest

from kilde.index.retrieval.nynorsk import Translator
from kilde.index.retrieval.search import Searcher

NYNORSK = "Kva vil Høgre gjere med butilbodet for rusavhengige?"
BOKMAAL = "Hva vil Høyre gjøre med boligtilbudet for rusavhengige?"  # its seed_dev twin; gold «tilpasset botilbud»


@pytest.fixture(scope="module")
def translator() -> Translator:
    found = Translator()
    assert found.available, "install Apertium with its Nynorsk–Bokmål pair: apt-get install apertium apertium-nno-nob"
    return found


def test_apertium_turns_a_nynorsk_question_into_bokmaal(translator):
    assert translator.to_bokmaal(NYNORSK) == "Hva vil Høyre gjøre med botilbudet for rusavhengige?"


def test_only_nynorsk_questions_are_translated(searcher, translator):
    assert searcher.searched_text(NYNORSK) == translator.to_bokmaal(NYNORSK)
    assert searcher.searched_text(BOKMAAL) == BOKMAAL
    english = "What does Høyre want to do about housing for people with addiction?"
    assert searcher.searched_text(english) == english


def test_a_nynorsk_question_finds_what_its_bokmaal_twin_finds(searcher, translator):
    """Asked as written, the gold paragraph came third (benchmarks/questions/README.md, cause N)."""
    found = searcher.search(NYNORSK, 3)
    assert found.question == NYNORSK  # the result keeps the question as asked
    assert "tilpasset botilbud" in found.hits[0].passage.text
    assert found.hits[0].passage.id == searcher.search(BOKMAAL, 3).hits[0].passage.id


def test_a_translated_question_says_what_was_searched(searcher, translator):
    """The translation is machine-made: the result, its JSON and its cards say what was searched."""
    from kilde.app.cards import results_html
    from kilde.app.citations import result_json

    found, bokmaal = searcher.search(NYNORSK, 3), translator.to_bokmaal(NYNORSK)
    assert found.searched_as == bokmaal and result_json(found)["searched_as"] == bokmaal
    html = results_html(found, [searcher.context(h.passage.id) for h in found.hits])
    assert f"Søkt på bokmål, maskinoversatt: «{bokmaal}»" in html
    assert "?q=Kva+vil+H%C3%B8gre" in html  # «Lenke til søket» repeats the question as asked
    as_asked = searcher.search(BOKMAAL, 3)
    assert as_asked.searched_as is None and "searched_as" not in as_asked.as_json()
    assert "maskinoversatt" not in results_html(as_asked, [searcher.context(h.passage.id) for h in as_asked.hits])


def test_without_apertium_a_nynorsk_question_is_searched_as_asked(searcher):
    missing = Translator("kilde-no-such-apertium")
    assert not missing.available and missing.to_bokmaal(NYNORSK) is None
    plain = Searcher(searcher.index, searcher.embedder, searcher.fusion, searcher.abstention)
    plain.translator = missing
    assert plain.searched_text(NYNORSK) == NYNORSK
    found = plain.search(NYNORSK, 3)
    assert found.hits and found.searched_as is None  # answered, without the translation


def test_the_kept_pipeline_answers_many_questions_and_keeps_reserved_characters(translator):
    from kilde.index.retrieval.nynorsk import _translated

    _translated.cache_clear()
    assert translator.to_bokmaal("Kva er [sic] 5/3 av $ 100 <b>?") == "Hva er [sic] 5/3 av $ 100 <b>?"
    for number in range(20):  # one pipeline, each answer read up to its own NUL
        assert translator.to_bokmaal(f"Kva meiner dei om sak {number}?") == f"Hva mener de om sak {number}?"


def test_a_pipeline_that_died_is_started_again(translator):
    from kilde.index.retrieval.nynorsk import _pipelines, _translated

    import os
    import signal

    translator.to_bokmaal("Kva er fritt behandlingsval?")
    died = _pipelines[translator.command].process
    os.killpg(died.pid, signal.SIGKILL)  # every program of it, as the kernel's OOM killer might
    died.wait()
    _translated.cache_clear()
    assert translator.to_bokmaal(NYNORSK) == "Hva vil Høyre gjøre med botilbudet for rusavhengige?"


def _fake_apertium(folder, program: str) -> str:
    """An Apertium installation that lists the pair and runs `program` as its pipeline (a stand-in:
    the real one will not fail on demand)."""
    (folder / "bin").mkdir(exist_ok=True)
    command = folder / "bin" / "apertium"
    command.write_text('#!/bin/sh\nif [ "$1" = "-l" ]; then echo "  nno-nob"; fi\n')
    command.chmod(0o755)
    modes = folder / "share" / "apertium" / "modes"
    modes.mkdir(parents=True, exist_ok=True)
    (modes / "nno-nob.mode").write_text(program + "\n")
    return str(command)


def test_a_failing_pipeline_falls_back_and_is_not_remembered(tmp_path, caplog):
    from kilde.index.retrieval.nynorsk import _pipelines

    command = _fake_apertium(tmp_path, "false")  # ends at once: no answer
    translator = Translator(command)
    with caplog.at_level(logging.WARNING, logger="kilde"):
        assert translator.available and translator.to_bokmaal(NYNORSK) is None
    assert "the pipeline ended" in caplog.text
    echo = tmp_path / "bin" / "echo-pipeline"  # a program that passes its input on, whatever its options
    echo.write_text("#!/bin/sh\nexec cat\n")
    echo.chmod(0o755)
    _fake_apertium(tmp_path, str(echo))  # now it answers (with the question itself)
    assert translator.to_bokmaal(NYNORSK) == NYNORSK  # the failure was not kept
    _pipelines.pop(command).stop()  # this stand-in's pipeline ends with the test
