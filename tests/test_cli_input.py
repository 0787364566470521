"""Issue 14 §4 and §6 in the `kilde` command: invalid text in a question, argparse in Norwegian,
terminal escapes from documents. Real processes, the real model, a real index.

On main a question of invalid UTF-8 exited 1 with «Noe gikk galt …» (the tokenizer's TypeError);
in batch mode one such line aborted the run; argparse spoke English; `kilde ask` printed a
document's escape sequences to the terminal as they were.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from kilde.app.cli import printable

from .conftest import KILDE, run_kilde


def kilde_bytes(*args: bytes | str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(KILDE), *args], input=stdin, capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def index_args(bundled_index) -> list[str]:
    return ["--index", str(bundled_index)]


def test_invalid_utf8_in_the_question_is_exit_2_in_norwegian(index_args):
    result = kilde_bytes("ask", b"\xff\xfe rus", *index_args)
    stderr = result.stderr.decode()
    assert result.returncode == 2, stderr
    assert stderr.startswith("kilde: feil: Spørsmålet inneholder tegn som ikke er gyldig tekst")
    assert "Noe gikk galt" not in stderr and "Traceback" not in stderr


def test_a_bad_line_in_a_batch_is_reported_and_the_rest_answered(index_args):
    lines = b"Hva er fritt behandlingsvalg?\n\xed\xa0\x80 rus\nHva sa statsministeren om brukerinvolvering?\n"
    result = kilde_bytes("ask", "--json", "-k", "1", *index_args, stdin=lines)
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert result.returncode == 1 and len(records) == 3, result.stderr
    assert records[0]["hits"] and records[2]["hits"]
    assert "ugyldig UTF-8" in records[1]["error"] and records[1]["question"] == "\ufffd\ufffd\ufffd rus"


def test_human_batch_mode_reports_the_bad_line_on_stderr(index_args):
    result = kilde_bytes("ask", "-k", "1", *index_args, stdin=b"\xff\nHva er fritt behandlingsvalg?\n")
    assert result.returncode == 1
    assert "ugyldig UTF-8" in result.stderr.decode() and "fritt behandlingsvalg" in result.stdout.decode()


@pytest.mark.parametrize("args, expected", [
    (["ask", "-k", "fem", "rus"], "argumentet -k: 'fem' er ikke et helt tall"),
    (["finnes-ikke"], "ugyldig valg: 'finnes-ikke'"),
    (["ask", "--mode", "alt", "rus"], "argumentet --mode: ugyldig valg: 'alt' (velg blant 'hybrid', 'dense', 'bm25')"),
    (["add"], "disse argumentene mangler: FIL"),
    (["ask", "rus", "--finnes-ikke"], "ukjente argumenter: --finnes-ikke"),
    (["serve", "--port"], "argumentet --port: trenger én verdi"),
    (["serve", "--max-upload-mb", "0"], "argumentet --max-upload-mb: «0» er ikke et gyldig tall her."),
    (["serve", "--max-searches", "-1"], "argumentet --max-searches: «-1» er ikke et gyldig tall her."),
    (["serve", "--search-threads", "-1"], "argumentet --search-threads: «-1» er ikke et gyldig tall her."),
])
def test_argparse_speaks_norwegian(args, expected):
    result = run_kilde(*args)
    assert result.returncode == 2
    assert result.stderr.startswith("bruk: kilde") and ": feil: " in result.stderr, result.stderr
    assert expected in result.stderr, result.stderr
    for english in ("usage:", "error:", "invalid", "required", "expected", "unrecognized"):
        assert english not in result.stderr


def test_help_is_norwegian():
    result = run_kilde("ask", "--help")
    assert result.returncode == 0 and result.stdout.startswith("bruk: kilde ask")
    assert "vis denne hjelpeteksten og avslutt" in result.stdout and "valg:" in result.stdout
    assert "usage:" not in result.stdout and "show this help" not in result.stdout


def test_terminal_escapes_in_documents_are_not_printed(tmp_path):
    doc = tmp_path / "farlig.txt"
    doc.write_text("\x1b]0;kapret tittel\x07Overdosedødsfall \x1b[31mi Norge\x1b[0m er \x9b2J260 i året.\x07\n",
                   encoding="utf-8")
    index = str(tmp_path / "index")
    assert run_kilde("index", str(doc), "--index", index).returncode == 0
    result = run_kilde("ask", "Hvor mange overdosedødsfall i Norge?", "--index", index)
    assert result.returncode == 0, result.stderr
    assert "Overdosedødsfall i Norge er 260 i året." in result.stdout
    assert not any(char in result.stdout for char in "\x1b\x07\x9b")
    as_json = run_kilde("ask", "--json", "Hvor mange overdosedødsfall i Norge?", "--index", index)
    assert "\x1b[31m" in json.loads(as_json.stdout)["hits"][0]["text"]  # --json gives the text as it is


def test_printable_keeps_text_tabs_and_newlines():
    assert printable("a\tb\nc «æøå» \u2013 \U0001F600") == "a\tb\nc «æøå» \u2013 \U0001F600"
    assert printable("\x1b[1;31mrød\x1b[0m\x1b]8;;http://x\x1b\\lenke\x1b]8;;\x1b\\\x00\x7f") == "rødlenke"
