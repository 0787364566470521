"""Bringing documents in and taking them out: incremental builds, `kilde add`, `kilde remove`.

Real model, real index. Each test starts from a copy of the session's index of the bundled
corpus, so an unchanged passage is never embedded again and the counts are exact.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from kilde.index import notices
from kilde.index.documents.reader import bundled_corpus, read_documents
from kilde.index import Library
from kilde.index.errors import IndexStateError
from kilde.index.store.builds import build_index, load_index, read_manifest, vector_key

from .conftest import run_kilde

HOYRE = "hoyre-rusomsorg"
ADDED = " Høyre vil også gi sprøytebrukere gratis tannhelse hos kommunen."
SPEECH = "opptrappingsplanen-for-rusfeltet"
NOTE = """---
title: Sprøytebuss i nord
publisher: Tromsø kommune
date: 2024-09-01
---

# Sprøytebussen

Kommunen setter inn en sprøytebuss som kjører mellom Tromsø og Alta hver tirsdag fra høsten av.

Til toppen
"""
PAGE = """<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8"><title>Lavterskel i Bodø</title>
<link rel="canonical" href="https://bodo.kommune.no/lavterskel"></head><body>
<nav><a href="/">Forsiden</a> <a href="/helse">Helse</a></nav>
<main><h1>Lavterskeltilbud</h1>
<p>Bodø åpner et lavterskeltilbud for rusavhengige med gratis frokost og sykepleier på fredager.</p>
<p><a href="#top">Til toppen</a></p></main>
<div class="cookie-banner">Vi bruker informasjonskapsler.</div></body></html>
"""


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(bundled_corpus(), folder, ignore=shutil.ignore_patterns("__*"))
    return folder


@pytest.fixture
def index_dir(tmp_path, bundled_index) -> Path:
    """A copy of the session's index: its vectors are there to be reused."""
    folder = tmp_path / "index"
    shutil.copytree(bundled_index, folder)
    return folder


@pytest.fixture
def heard():
    """The notices the core sends while a test runs."""
    received: list[tuple[str, dict]] = []
    before = notices._handler
    notices.set_handler(lambda code, params: received.append((code, params)))
    yield received
    notices.set_handler(before)


def embedding_counts(heard) -> list[dict]:
    return [params for code, params in heard if code == "index.embedding"]


def body_passage(index, document_id):
    """A long body paragraph of the document (not a heading, not under a repeated text)."""
    return next(p for p in index.passages if p.document_id == document_id and len(p.text) > 200)


def test_changing_one_paragraph_embeds_exactly_one_passage(corpus, index_dir, embedder, heard):
    # The same documents read from another folder: every vector is reused.
    first = build_index(read_documents([corpus]), embedder, index_dir, [str(corpus)])
    assert (first.embedded, first.reused) == (0, 50)
    before = load_index(index_dir)
    changed = body_passage(before, HOYRE)
    path = corpus / f"{HOYRE}.txt"
    text = path.read_text(encoding="utf-8")
    assert text.count(changed.text) == 1
    path.write_text(text.replace(changed.text, changed.text + ADDED), encoding="utf-8")

    searcher = Library.open(index_dir, model=embedder)  # sources from the manifest: sees the change, rebuilds
    after = load_index(index_dir)
    assert (after.manifest.embedded, after.manifest.reused) == (1, 49)
    assert embedding_counts(heard) == [{"new": 0, "reused": 50}, {"new": 1, "reused": 49}]

    # Unchanged paragraphs keep their ids (permalinks survive) and their exact vectors.
    old = {p.id: i for i, p in enumerate(before.passages)}
    new = {p.id: i for i, p in enumerate(after.passages)}
    assert set(old) - set(new) == {changed.id}
    assert len(set(new) - set(old)) == 1
    for passage_id in set(old) & set(new):
        assert np.array_equal(before.vectors.reconstruct(old[passage_id]), after.vectors.reconstruct(new[passage_id]))
    (new_id,) = set(new) - set(old)
    fresh = after.passages[new[new_id]]
    assert fresh.paragraph == changed.paragraph and fresh.text.endswith(ADDED)
    # The new text is searchable in both legs: its words (BM25) and its meaning (the new vector).
    assert searcher.search("tannhelse sprøytebrukere", 1, mode="bm25").hits[0].passage.id == new_id
    assert new_id in [h.passage.id for h in searcher.search("Hva sier Høyre om tannhelse for sprøytebrukere?", 3).hits]

    # The manifest: a changed document gets a new content hash and ingestion time, the other keeps both.
    records = {r["id"]: r for r in first.documents}
    now = {r["id"]: r for r in after.manifest.documents}
    assert now[HOYRE]["content_hash"] != records[HOYRE]["content_hash"]
    assert now[SPEECH] == records[SPEECH]
    assert now[HOYRE]["source"] == str(path)


def test_vectors_are_keyed_by_model_and_text(embedder):
    assert vector_key(embedder, "Rusreformen") == vector_key(embedder, "Rusreformen")
    assert vector_key(embedder, "Rusreformen") != vector_key(embedder, "Rusreformen.")
    other = type(embedder)(embedder.name, "0" * 64, embedder.query_prompt, embedder.passage_prompt, embedder.model)
    assert vector_key(other, "Rusreformen") != vector_key(embedder, "Rusreformen")


def test_an_added_web_page_is_found_records_its_retrieval_and_can_be_removed(tmp_path, index_dir, embedder, heard):
    page = tmp_path / "lavterskel.html"
    page.write_text(PAGE, encoding="utf-8")
    change = Library.open(index_dir, model=embedder).add([page])
    assert change.added == ["lavterskel"] and change.replaced == []
    assert (change.manifest.embedded, change.manifest.reused) == (1, 50)
    record = next(r for r in change.manifest.documents if r["id"] == "lavterskel")
    today = date.today().isoformat()
    assert record["retrieved"] == today and record["ingested_at"].startswith(today)
    assert len(record["content_hash"]) == 64 and record["source"] == str(page.resolve())
    assert not next(r for r in change.manifest.documents if r["id"] == HOYRE)["retrieved"]  # no URL: not a web page

    built = (index_dir / "CURRENT").read_text()
    searcher = Library.open(index_dir, model=embedder)  # reading the sources again gives the same index
    assert (index_dir / "CURRENT").read_text() == built
    assert searcher.passage(searcher.search("frokost", 1, mode="bm25").hits[0].passage.id).document.retrieved == today
    hit = searcher.search("Hvor får rusavhengige gratis frokost?", 3).hits[0]
    assert hit.document.id == "lavterskel" and hit.document.url == "https://bodo.kommune.no/lavterskel"
    assert hit.passage.text.startswith("Bodø åpner et lavterskeltilbud") and hit.passage.paragraph == 2
    assert not any("informasjonskapsler" in p.text or "Forsiden" in p.text for p in load_index(index_dir).passages)

    page.unlink()  # a removed document's file may already be gone
    change = Library.open(index_dir, model=embedder).remove(["lavterskel"])
    assert change.removed == ["lavterskel"] and (change.manifest.embedded, change.manifest.reused) == (0, 50)
    assert change.manifest.sources == [str(bundled_corpus())]
    searcher = Library.open(index_dir, model=embedder)
    assert "lavterskel" not in [d.id for d in searcher.documents()]
    assert all(h.document.id != "lavterskel" for h in searcher.search("Hvor får rusavhengige gratis frokost?", 5).hits)


def test_an_added_file_replaces_the_document_with_its_id_and_stays_replaced(tmp_path, corpus, index_dir, embedder):
    build_index(read_documents([corpus]), embedder, index_dir, [str(corpus)])
    newer = tmp_path / "nyere" / f"{HOYRE}.txt"
    newer.parent.mkdir()
    newer.write_text("Rusomsorg\n\nHøyre vil gi alle kommuner en egen ruskoordinator innen 2030.\n", encoding="utf-8")
    change = Library.open(index_dir, model=embedder).add([newer], publisher="Høyre", date="01.02.2025")
    assert change.replaced == [HOYRE] and change.added == []
    manifest = change.manifest
    assert manifest.source_options == {str(corpus): {"exclude": [HOYRE]},
                                       str(newer): {"overrides": {"publisher": "Høyre", "date": "01.02.2025"}}}
    index = load_index(index_dir)
    assert [p.text for p in index.passages if p.document_id == HOYRE] == [
        "Høyre vil gi alle kommuner en egen ruskoordinator innen 2030."]
    assert index.documents[HOYRE].date == "2025-02-01" and index.documents[HOYRE].source == str(newer)

    built = (index_dir / "CURRENT").read_text()
    Library.open(index_dir, model=embedder)  # the folder still holds the old file: the index must not go back to it
    assert (index_dir / "CURRENT").read_text() == built

    # Removing a document that came from a folder leaves the folder's other documents in.
    change = Library.open(index_dir, model=embedder).remove([SPEECH])
    assert change.manifest.document_count == 1 and change.manifest.sources == [str(newer)]
    with pytest.raises(IndexStateError) as error:
        Library.open(index_dir, model=embedder).remove([HOYRE])
    assert error.value.code == "index.would_be_empty"


def test_remove_refuses_an_unknown_id(index_dir, embedder):
    with pytest.raises(IndexStateError) as error:
        Library.open(index_dir, model=embedder).remove(["finnes-ikke"])
    assert error.value.code == "index.unknown_document"
    assert error.value.params["known"] == f"{HOYRE}, {SPEECH}"


def test_kilde_add_and_remove_as_a_user_runs_them(tmp_path, index_dir):
    note = tmp_path / "sproytebuss.md"
    note.write_text(NOTE, encoding="utf-8")
    question = "Hvor kjører sprøytebussen?"
    where = ["--index", str(index_dir)]

    added = run_kilde("add", str(note), "--publisher", "Helseetaten i Tromsø", "--type", "notat", *where)
    assert added.returncode == 0, added.stderr
    assert "Lagt til: «sproytebuss»." in added.stdout
    assert "har nå 3 dokumenter og 51 avsnitt (1 lest inn, 50 gjenbrukt" in added.stdout
    assert "1 nye eller endrede avsnitt leses inn av språkmodellen, 50 uendrede gjenbrukes" in added.stderr

    asked = run_kilde("ask", question, "--json", "-k", "1", *where)
    assert asked.returncode == 0, asked.stderr
    hit = json.loads(asked.stdout)["hits"][0]
    assert (hit["document"], hit["title"], hit["publisher"]) == ("sproytebuss", "Sprøytebuss i nord",
                                                                  "Helseetaten i Tromsø")
    assert hit["paragraph"] == 2 and hit["section"] == "Sprøytebussen"
    assert "bygger indeksen" not in asked.stderr  # the flags are remembered: no rebuild undoes them

    removed = run_kilde("remove", "sproytebuss", *where)
    assert removed.returncode == 0, removed.stderr
    assert "Tatt ut: «sproytebuss»." in removed.stdout and "0 nye eller endrede" in removed.stderr
    asked = run_kilde("ask", question, "--json", "-k", "5", *where)
    assert asked.returncode == 0 and "bygger indeksen" not in asked.stderr
    assert all(h["document"] != "sproytebuss" for h in json.loads(asked.stdout)["hits"])
    assert read_manifest(index_dir).document_count == 2


def test_kilde_remove_of_an_unknown_id_is_a_clear_error(index_dir):
    result = run_kilde("remove", "finnes-ikke", "--index", str(index_dir))
    assert result.returncode == 2
    assert f"har ikke noe dokument med id-en «finnes-ikke». Dokumentene i den er: {HOYRE}, {SPEECH}." in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_kilde_remove_without_an_index_is_a_clear_error(tmp_path):
    result = run_kilde("remove", HOYRE, "--index", str(tmp_path / "ingen"))
    assert result.returncode == 2
    assert "Det finnes ingen indeks i" in result.stderr and "Traceback" not in result.stderr
