"""Opening an index parses only the files that changed (counted at the format readers, not timed)."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from kilde.index import Library
from kilde.index.documents import formats
from kilde.index.documents.fingerprints import fingerprint, same
from kilde.index.store.builds import load_index

FILES = 200


@pytest.fixture
def parsed(monkeypatch) -> Counter:
    """How many times each file was parsed, by any reader."""
    counts: Counter = Counter()
    for suffix, reader in list(formats.READERS.items()):
        def counting(path: Path, reader=reader):
            counts[path.name] += 1
            return reader(path)
        monkeypatch.setitem(formats.READERS, suffix, counting)
    return counts


def note(number: int, extra: str = "") -> str:
    return (f"Notat {number}\n\nKommune nummer {number} har {number * 3} plasser i lavterskeltilbudet for "
            f"rusavhengige, og venteliste på {number % 7} uker.{extra}\n")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, embedder) -> tuple[Path, Path]:
    """A real index of 200 small generated files."""
    root = tmp_path_factory.mktemp("fingerprints")
    folder = root / "notater"
    folder.mkdir()
    for number in range(FILES):
        (folder / f"notat-{number:03}.txt").write_text(note(number), encoding="utf-8")
    Library.open(root / "index", model=embedder).index([folder])
    return folder, root / "index"


def test_fingerprint_hashes_only_when_size_or_time_changed(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("en", encoding="utf-8")
    recorded = fingerprint(path)
    assert same(path, recorded)
    os.utime(path, ns=(recorded["mtime_ns"] + 10**9, recorded["mtime_ns"] + 10**9))  # touched, same bytes
    assert same(path, recorded)
    path.write_text("to", encoding="utf-8")
    assert not same(path, recorded)


def test_unchanged_index_opens_and_answers_without_parsing(corpus, embedder, parsed):
    folder, index_dir = corpus
    current = (index_dir / "CURRENT").read_text()
    library = Library.open(index_dir, model=embedder)
    assert library.search("Hvor mange plasser har kommune nummer 17?", k=1).hits
    assert sum(parsed.values()) == 0 and (index_dir / "CURRENT").read_text() == current


def test_a_touched_file_is_hashed_not_parsed(corpus, embedder, parsed):
    folder, index_dir = corpus
    current = (index_dir / "CURRENT").read_text()
    path = folder / "notat-005.txt"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5 * 10**9))
    Library.open(index_dir, model=embedder)
    assert sum(parsed.values()) == 0 and (index_dir / "CURRENT").read_text() == current


def test_a_changed_file_is_the_only_one_parsed_and_the_rest_come_from_the_live_build(corpus, embedder, parsed):
    folder, index_dir = corpus
    before = load_index(index_dir)
    (folder / "notat-042.txt").write_text(note(42, " Tilbudet flytter til Storgata i mars."), encoding="utf-8")
    library = Library.open(index_dir, model=embedder)
    assert parsed == Counter({"notat-042.txt": 1})
    assert (library.manifest.embedded, library.manifest.reused) == (1, FILES - 1)
    after = load_index(index_dir)
    assert [p for p in after.passages if p.document_id != "notat-042"] == [
        p for p in before.passages if p.document_id != "notat-042"]
    assert library.search("Hvor flytter tilbudet i mars?", k=1, mode="bm25").hits[0].document.id == "notat-042"
    parsed.clear()
    Library.open(index_dir, model=embedder)  # and now it is unchanged again
    assert sum(parsed.values()) == 0


def test_new_and_vanished_files_in_a_folder(corpus, embedder, parsed):
    folder, index_dir = corpus
    (folder / "notat-900.txt").write_text(note(900), encoding="utf-8")
    (folder / "notat-007.txt").unlink()
    library = Library.open(index_dir, model=embedder)
    assert parsed == Counter({"notat-900.txt": 1})
    ids = [d.id for d in library.documents()]
    assert "notat-900" in ids and "notat-007" not in ids and len(ids) == FILES


def test_adding_one_file_reads_one_file_and_removing_reads_none(tmp_path, corpus, embedder, parsed):
    folder, index_dir = corpus
    extra = tmp_path / "ekstra.txt"
    extra.write_text(note(1000), encoding="utf-8")
    library = Library.open(index_dir, model=embedder)
    change = library.add([extra])
    assert change.added == ["ekstra"]
    assert parsed == Counter({"ekstra.txt": 1})
    parsed.clear()
    change = library.remove(["ekstra", "notat-100"])
    assert sum(parsed.values()) == 0 and change.manifest.embedded == 0
    assert "notat-100" not in [d.id for d in library.documents()]
