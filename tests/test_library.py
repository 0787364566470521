"""`Library` end to end: add, remove, search, passage, documents, reopen; what it never loads; the CLI
around it (`kilde documents`, an empty folder, a mistyped --index, relative source paths)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kilde.index import Library
from kilde.index.documents.reader import bundled_corpus
from kilde.index.errors import CorpusError, IndexStateError
from kilde.index.store.builds import read_manifest

from .conftest import KILDE, run_kilde

HOYRE = "hoyre-rusomsorg"
SPEECH = "opptrappingsplanen-for-rusfeltet"
NOTE = "Sprøytebuss i nord\n\nSprøytebussen kjører hver tirsdag fra Tromsø sentrum til Finnsnes.\n"


@pytest.fixture
def index_dir(tmp_path, bundled_index) -> Path:
    folder = tmp_path / "index"
    shutil.copytree(bundled_index, folder)
    return folder


def test_add_search_passage_documents_remove_and_reopen(tmp_path, index_dir, embedder):
    library = Library.open(index_dir, model=embedder)
    assert [d.id for d in library.documents()] == [HOYRE, SPEECH]
    note = tmp_path / "sproytebuss.txt"
    note.write_text(NOTE, encoding="utf-8")

    change = library.add([note], publisher="Helseetaten i Tromsø", type="notat")
    assert change.added == ["sproytebuss"] and (change.manifest.embedded, change.manifest.reused) == (1, 50)
    hit = library.search("Hvor kjører sprøytebussen?", k=1).hits[0]
    assert (hit.document.id, hit.document.publisher, hit.document.type) == ("sproytebuss", "Helseetaten i Tromsø",
                                                                            "notat")
    context = library.passage(hit.passage.id)
    assert context.passage == hit.passage and context.previous is None and context.next is None
    assert library.passage("0000000000000000") is None
    summary = {d.id: d for d in library.documents()}["sproytebuss"]
    assert (summary.title, summary.passages, summary.source) == ("sproytebuss", 1, str(note.resolve()))

    reopened = Library.open(index_dir, model=embedder)  # another Library on the same folder sees it all
    assert [d.id for d in reopened.documents()] == [HOYRE, SPEECH, "sproytebuss"]
    assert reopened.manifest == library.manifest

    change = reopened.remove(["sproytebuss"])
    assert change.removed == ["sproytebuss"] and (change.manifest.embedded, change.manifest.reused) == (0, 50)
    # The first Library switches to the build the second one published, by itself.
    assert [d.id for d in library.documents()] == [HOYRE, SPEECH]
    assert all(h.document.id != "sproytebuss" for h in library.search("Hvor kjører sprøytebussen?", k=5).hits)


def test_a_folder_without_an_index_opens_empty_and_builds_nothing(tmp_path):
    library = Library.open(tmp_path / "skrivefeil")
    assert library.manifest is None and not (tmp_path / "skrivefeil").exists()
    with pytest.raises(IndexStateError) as error:
        library.documents()
    assert error.value.code == "index.missing"


def test_indexing_an_empty_folder_is_refused(tmp_path):
    (tmp_path / "tom").mkdir()
    with pytest.raises(CorpusError) as error:
        Library(tmp_path / "index").index([tmp_path / "tom"])
    assert error.value.code == "corpus.no_documents"


NO_TORCH = """
import sys
from kilde.index import Library
library = Library.open(sys.argv[1])
manifest = library.manifest
documents = library.documents()
import json
from kilde.index.store.builds import load_index
passage_id = load_index(library.path).passages[0].id
context = library.passage(passage_id)
change = library.remove([sys.argv[2]])
print(json.dumps({"documents": [d.id for d in documents], "context": context.passage.id,
                  "embedded": change.manifest.embedded, "reused": change.manifest.reused,
                  "after": [d.id for d in library.documents()],
                  "torch": "torch" in sys.modules, "st": "sentence_transformers" in sys.modules}))
"""


def test_open_documents_passage_manifest_and_remove_never_load_torch(index_dir):
    result = subprocess.run([sys.executable, "-c", NO_TORCH, str(index_dir), SPEECH], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["documents"] == [HOYRE, SPEECH] and report["after"] == [HOYRE]
    assert (report["embedded"], report["torch"], report["st"]) == (0, False, False)
    assert report["reused"] == read_manifest(index_dir).passage_count


def test_importing_the_package_stays_light():
    result = subprocess.run([sys.executable, "-c", "import sys, kilde.index; from kilde.index import Library; "
                             "print(any(m in sys.modules for m in ('torch', 'faiss', 'sentence_transformers')))"],
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "False", result.stderr


def test_kilde_documents_lists_the_index(bundled_index):
    listed = run_kilde("documents", "--index", str(bundled_index))
    assert listed.returncode == 0, listed.stderr
    assert f"{HOYRE}: «Rusomsorg» (Høyre" in listed.stdout and "2 dokumenter, 50 avsnitt." in listed.stdout
    as_json = run_kilde("documents", "--json", "--index", str(bundled_index))
    records = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [r["id"] for r in records] == [HOYRE, SPEECH] and sum(r["passages"] for r in records) == 50
    assert set(records[0]) == {"id", "title", "publisher", "speaker", "date", "type", "url", "source", "passages"}


def test_kilde_index_of_an_empty_folder_is_a_clear_error(tmp_path):
    (tmp_path / "tom").mkdir()
    result = run_kilde("index", str(tmp_path / "tom"), "--index", str(tmp_path / "ix"))
    assert result.returncode == 2, result.stderr
    assert "Fant ingen dokumenter i" in result.stderr and "Traceback" not in result.stderr


def test_a_mistyped_index_is_not_built_but_explained(tmp_path):
    result = run_kilde("ask", "Hva er fritt behandlingsvalg?", "--index", str(tmp_path / "skrivefeil"))
    assert result.returncode == 2
    assert f"Det finnes ingen indeks i {tmp_path / 'skrivefeil'}" in result.stderr
    assert "kilde index MAPPE --index" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "skrivefeil").exists()


def test_an_index_of_relative_paths_is_not_rebuilt_by_ask(tmp_path):
    shutil.copytree(bundled_corpus(), tmp_path / "docs", ignore=shutil.ignore_patterns("__*"))
    built = subprocess.run([str(KILDE), "index", "docs", "--index", "ri"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    before = read_manifest(tmp_path / "ri")
    current = (tmp_path / "ri" / "CURRENT").read_text()
    asked = subprocess.run([str(KILDE), "ask", "Hva er fritt behandlingsvalg?",
                            "--index", "ri"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert asked.returncode == 0, asked.stderr
    assert "bygger indeksen" not in asked.stderr
    assert (tmp_path / "ri" / "CURRENT").read_text() == current
    assert read_manifest(tmp_path / "ri").documents == before.documents  # every ingested_at kept
    assert before.sources == [str(tmp_path / "docs")]
