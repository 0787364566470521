"""One change at a time per index folder, across processes: `kilde add` and `kilde index` take the lock
(and say that they wait for it)."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from filelock import FileLock

from kilde.index.documents.reader import bundled_corpus
from kilde.index.library import EDIT_LOCK
from kilde.index.store.builds import load_index, read_manifest

from .conftest import KILDE

NOTES = {
    "sproytebuss": "Sprøytebuss i nord\n\nSprøytebussen kjører hver tirsdag fra Tromsø sentrum til Finnsnes.\n",
    "frokost": "Lavterskel i Bodø\n\nBodø kommune gir rusavhengige gratis frokost på Sentrum treffsted hver morgen.\n",
}


@pytest.fixture
def index_dir(tmp_path, bundled_index) -> Path:
    folder = tmp_path / "index"
    shutil.copytree(bundled_index, folder)
    return folder


def kilde(*args: str) -> subprocess.Popen:
    return subprocess.Popen([str(KILDE), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_until_waiting(process: subprocess.Popen, deadline: float = 300) -> None:
    """Until the process says it waits for another change (the `index.waiting` notice on stderr)."""
    waited = time.monotonic() + deadline
    while time.monotonic() < waited:
        line = process.stderr.readline()
        if "Venter på at en annen endring av indeksen" in line:
            return
        assert line or process.poll() is None, process.communicate()
    raise AssertionError("the process never said it was waiting for the lock")


def test_two_processes_adding_at_once_lose_nothing(tmp_path, index_dir):
    paths = []
    for name, text in NOTES.items():
        paths.append(tmp_path / f"{name}.txt")
        paths[-1].write_text(text, encoding="utf-8")
    processes = [kilde("add", str(path), "--index", str(index_dir)) for path in paths]
    for process in processes:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
    manifest = read_manifest(index_dir)
    ids = [record["id"] for record in manifest.documents]
    assert sorted(ids) == sorted(["hoyre-rusomsorg", "opptrappingsplanen-for-rusfeltet", *NOTES])
    assert sorted(load_index(index_dir).documents) == sorted(ids)  # the build holds what its manifest says


def test_kilde_index_waits_for_a_change_in_progress_and_so_does_add(tmp_path, index_dir):
    corpus = tmp_path / "docs"  # the same documents from another folder: a new build, nothing to embed
    shutil.copytree(bundled_corpus(), corpus, ignore=shutil.ignore_patterns("__*"))
    note = tmp_path / "sproytebuss.txt"
    note.write_text(NOTES["sproytebuss"], encoding="utf-8")
    lock_path = index_dir / EDIT_LOCK
    current = (index_dir / "CURRENT").read_text()
    with FileLock(str(lock_path)):  # a change in progress in another process
        indexing = kilde("index", str(corpus), "--index", str(index_dir))
        wait_until_waiting(indexing)
        adding = kilde("add", str(note), "--index", str(index_dir))
        wait_until_waiting(adding)
        assert indexing.poll() is None and adding.poll() is None
        assert (index_dir / "CURRENT").read_text() == current  # neither has built anything
    for process in (indexing, adding):
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
    manifest = read_manifest(index_dir)
    ids = [record["id"] for record in manifest.documents]
    # One after the other: `index` then `add` keeps the note; `add` then `index` replaces everything.
    assert ids in (["hoyre-rusomsorg", "opptrappingsplanen-for-rusfeltet", "sproytebuss"],
                   ["hoyre-rusomsorg", "opptrappingsplanen-for-rusfeltet"])
    assert str(corpus) in manifest.sources
    assert sorted(load_index(index_dir).documents) == sorted(ids)
