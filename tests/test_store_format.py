"""The on-disk format of issue 9 and the recovery of issue 14 §5–6: lazy passages, the vector
index by size, reuse from the memory-mapped vectors, the previous build, `kilde check`, disk full."""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import faiss
import numpy as np
import pytest

from kilde.app import texts
from kilde.index import notices
from kilde.index.documents.reader import Document, DocumentInfo, bundled_corpus
from kilde.index.errors import IndexStateError
from kilde.index.retrieval.search import Searcher, filter_parameters
from kilde.index.store import builds, passage_table, publish, vector_index
from kilde.index.store.builds import build_index, load_index, read_manifest

from .conftest import run_kilde

SOURCES = [str(bundled_corpus())]
EXTRA = Document(DocumentInfo(id="ekstra", title="Et ekstra dokument"),
                 "Kommunen åpnet et nytt lavterskeltilbud for unge rusbrukere i fjor høst, med døgnåpen bemanning.\n\n"
                 "Tilbudet ble evaluert etter et halvt år, og brukerne var godt fornøyde med oppfølgingen.")


def live_build(index_dir: Path) -> Path:
    return index_dir / "builds" / (index_dir / "CURRENT").read_text().strip()


def test_opening_creates_no_passage_objects(index_copy, monkeypatch):
    made = []

    class Counted(passage_table.Passage):
        def __init__(self, *args, **kwargs):
            made.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(passage_table, "Passage", Counted)
    index = load_index(index_copy)
    assert made == [] and len(index.passages) == 50 and len(index.documents) == 2
    third = index.passages[3]
    assert len(made) == 1 and index.passage_at(3) == third and index.row_of(third.id) == 3
    assert index.row_of("no-such-passage") is None
    assert [p.id for p in index.passages][3] == third.id  # in-order iteration
    positions = index.passage_document_positions()
    assert positions.dtype == np.int64 and len(positions) == 50
    assert index.document_order[positions[3]] == third.document_id
    vectors = index.vectors_at(np.array([3, 7]))
    assert vectors.dtype == np.float32 and np.allclose(vectors, index.vectors.reconstruct_batch(np.array([3, 7])))
    assert isinstance(index.exact, np.memmap)


def _mapped_kb(name: str) -> int:
    """Resident kB of this process' mappings of files called `name` (/proc/self/smaps)."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        fields = line.split()
        if "-" in fields[0] and len(fields) >= 5 and not fields[0].endswith(":"):
            inside = len(fields) >= 6 and fields[-1].endswith("/" + name)
        elif inside and fields[0] == "Rss:":
            total += int(fields[1])
    return total


def test_a_search_reads_its_rows_without_mapping_them(index_copy, embedder, tmp_path):
    index = load_index(index_copy)
    whole = np.load(live_build(index_copy) / vector_index.EXACT_FILE)  # read, not mapped
    rng = np.random.default_rng(3)
    for rows in (np.array([7, 3, 3, 49, 0]), np.arange(10, 30), rng.integers(0, 50, 200), np.array([], np.int64)):
        assert np.array_equal(index.vectors_at(rows), whole[rows])
    with pytest.raises(IndexError):
        index.vectors_at(np.array([50]))
    other = np.ones_like(whole)  # an index given other vectors (benchmarks/english_attempts.py) searches those
    assert np.array_equal(replace(index, exact=other).vectors_at(np.array([1, 2])), other[[1, 2]])
    opened = load_index(index_copy)
    assert Searcher(opened, embedder).search("Hva er skadereduksjon?", 5, mode="hybrid").hits
    if Path("/proc/self/smaps").exists():
        assert _mapped_kb(vector_index.EXACT_FILE) == 0
    bad = tmp_path / "vectors.npy"
    np.save(bad, whole.astype(">f4"))
    with pytest.raises(ValueError):
        vector_index.ExactRows(bad, np.load(bad, mmap_mode="r"))


def test_passages_read_again_come_from_memory_and_are_the_same(index_copy, monkeypatch):
    monkeypatch.setattr(passage_table, "PASSAGES_KEPT", 8)
    table = passage_table.PassageTable(live_build(index_copy) / passage_table.TABLE_FILE)
    queries = []
    table._connection.set_trace_callback(queries.append)
    first = table.passages_at([3, 7, 7, 49, 60, -1])
    assert sorted(first) == [3, 7, 49] and first[7] == table.passage_at(7) and len(queries) == 2
    queries.clear()
    assert table.passages_at([49, 3]) == {49: first[49], 3: first[3]} and queries == []  # kept
    table.passages_at(list(range(10, 20)))  # more than are kept: the oldest go
    assert len(table._kept) == 8 and 3 not in table._kept
    queries.clear()
    assert table.passages_at([3])[3] == first[3] and len(queries) == 1
    assert table.document(first[3].document_id) is table.document(first[3].document_id)  # parsed once


def _clustered(rng, count=6000, dimension=64):
    centres = rng.standard_normal((60, dimension)).astype(np.float32)
    vectors = centres[rng.integers(0, 60, count)] + 0.7 * rng.standard_normal((count, dimension)).astype(np.float32)
    faiss.normalize_L2(vectors)
    return vectors


def _fresh_questions(rng, vectors):
    queries = vectors[rng.choice(len(vectors), 200, replace=False)]
    queries = queries + 0.1 * rng.standard_normal(queries.shape).astype(np.float32)
    faiss.normalize_L2(queries)  # fresh questions, not the calibration's
    return queries


def test_hnsw_above_the_limit_keeps_recall_against_exact(monkeypatch):
    rng = np.random.default_rng(3)
    vectors = _clustered(rng)
    monkeypatch.setattr(vector_index, "FLAT_LIMIT", 5000)
    monkeypatch.delenv(vector_index.KIND_VARIABLE, raising=False)
    assert vector_index.choose_kind(4999) == "flat" and vector_index.choose_kind(6000) == "hnsw"
    index, parameters = vector_index.build_vector_index(vectors, vector_index.choose_kind(len(vectors)))
    assert parameters["type"] == "hnsw" and parameters["ef_construction"] >= 128
    assert parameters["ef_search"] in vector_index.EF_SEARCHES
    queries = _fresh_questions(rng, vectors)
    _, found = index.search(queries, 100)  # as a search does: 100 candidates, re-scored exactly
    rescored = [f[np.argsort(-(vectors[f] @ q), kind="stable")][:10] for q, f in zip(queries, found)]
    assert vector_index.recall_at(vector_index.exact_top(vectors, queries, 10), np.array(rescored)) >= 0.95


def test_forced_ivf_keeps_recall_against_exact():
    rng = np.random.default_rng(3)
    vectors = _clustered(rng)
    index, parameters = vector_index.build_vector_index(vectors, "ivf")
    assert parameters["type"] == "ivf" and parameters["nlist"] == round(4 * np.sqrt(6000))
    assert parameters["nprobe"] < parameters["nlist"]  # approximate, not a flat scan in disguise
    queries = _fresh_questions(rng, vectors)
    _, found = index.search(queries, 10)
    assert vector_index.recall_at(vector_index.exact_top(vectors, queries, 10), found) >= 0.95


def test_forced_hnsw_build_is_recorded_opened_and_searched_with_a_filter(index_copy, embedder, documents,
                                                                        monkeypatch):
    monkeypatch.setenv(vector_index.KIND_VARIABLE, "hnsw")
    manifest = build_index(documents, embedder, index_copy, SOURCES)
    assert manifest.vector_index["type"] == "hnsw" and manifest.reused == 50 and manifest.embedded == 0
    index = load_index(index_copy)
    assert faiss.downcast_index(index.vectors).hnsw.efSearch == manifest.vector_index["ef_search"]
    searcher = Searcher(index, embedder)
    hits = searcher.search("Hvor mange dør av overdose i Norge hvert år?", 3, mode="dense").hits
    assert hits and "overdose" in " ".join(h.passage.text for h in hits)
    mask = np.array([p.document_id == hits[0].passage.document_id for p in index.passages])
    params = filter_parameters(index.vectors, faiss.IDSelectorBatch(np.flatnonzero(mask).astype(np.int64)))
    found = index.vectors.search(embedder.embed_query("overdose")[None, :], 10, params=params)[1][0]
    assert len(found[found >= 0]) and mask[found[found >= 0]].all()


def test_forced_ivf_build_is_recorded_opened_and_searched(index_copy, embedder, documents, monkeypatch):
    monkeypatch.setenv(vector_index.KIND_VARIABLE, "ivf")
    manifest = build_index(documents, embedder, index_copy, SOURCES)
    assert manifest.vector_index["type"] == "ivf" and manifest.vector_index["nprobe"] >= 1
    assert manifest.reused == 50 and manifest.embedded == 0
    index = load_index(index_copy)
    assert faiss.extract_index_ivf(index.vectors).nprobe == manifest.vector_index["nprobe"]
    hits = Searcher(index, embedder).search("Hvor mange dør av overdose i Norge hvert år?", 3, mode="dense").hits
    assert hits and "overdose" in " ".join(h.passage.text for h in hits)


def test_incremental_build_reuses_vectors_from_the_memmap(index_copy, embedder, documents, monkeypatch):
    before = load_index(index_copy)
    old = {p.id: before.vectors_at(np.array([row]))[0] for row, p in enumerate(before.passages)}

    def no_faiss_reading(*args, **kwargs):
        raise AssertionError("vectors are reused from vectors.npy, not read back from FAISS")

    embedded = []
    monkeypatch.setattr(builds.faiss, "read_index", no_faiss_reading)
    monkeypatch.setattr(type(embedder), "embed_passages",
                        lambda self, texts, progress=False: embedded.extend(texts) or
                        np.stack([self.embed_query(t) for t in texts]))
    manifest = build_index([*documents, EXTRA], embedder, index_copy, SOURCES)
    assert manifest.reused == 50 and manifest.embedded == 2 and len(embedded) == 2
    monkeypatch.undo()
    after = load_index(index_copy)
    for row, passage in enumerate(after.passages):
        if passage.id in old:
            assert np.array_equal(after.vectors_at(np.array([row]))[0], old[passage.id])


def test_two_builds_are_kept_and_older_ones_deleted(index_copy, embedder, documents):
    first = live_build(index_copy).name
    build_index([*documents, EXTRA], embedder, index_copy, SOURCES)
    second = live_build(index_copy).name
    assert {p.name for p in (index_copy / "builds").iterdir()} == {first, second}
    assert (index_copy / "PREVIOUS").read_text() == first
    build_index(documents, embedder, index_copy, SOURCES)
    assert {p.name for p in (index_copy / "builds").iterdir()} == {second, live_build(index_copy).name}


@pytest.mark.parametrize("damage", ["manifest", "table", "vectors"])
def test_previous_build_is_served_when_the_live_one_is_unreadable(index_copy, embedder, documents, damage,
                                                                  monkeypatch):
    build_index([*documents, EXTRA], embedder, index_copy, SOURCES)
    live = live_build(index_copy)
    if damage == "manifest":
        (live / "manifest.json").write_text("garbage")
    elif damage == "table":
        (live / "passages.sqlite").write_bytes(b"not a database")
    else:
        (live / "vectors.npy").unlink()
    told = []
    monkeypatch.setattr(builds, "_told", set())
    notices.set_handler(lambda code, params: told.append(texts.notice(code, params)))
    try:
        index = load_index(index_copy)
        manifest = read_manifest(index_copy)
    finally:
        notices.set_handler(notices._plain)
    assert index.manifest.passage_count == 50 and "ekstra" not in index.documents  # the previous build
    assert manifest.sources == SOURCES  # the recorded sources survive, so a rebuild keeps the user's corpus
    assert len(told) == 1 and "forrige gode versjon" in told[0]
    previous = (index_copy / "PREVIOUS").read_text()
    build_index(documents, embedder, index_copy, SOURCES)  # the rebuild keeps the good build, not the broken one
    assert (index_copy / "PREVIOUS").read_text() == previous and (index_copy / "builds" / previous).is_dir()


def test_check_passes_a_good_build_and_fails_a_damaged_one(index_copy, embedder, documents):
    good = run_kilde("check", "--index", str(index_copy))
    assert good.returncode == 0 and "er i orden" in good.stdout, good.stderr
    build_index([*documents, EXTRA], embedder, index_copy, SOURCES)
    table = live_build(index_copy) / "passages.sqlite"
    data = bytearray(table.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte, same size: only the hash tells
    table.write_bytes(bytes(data))
    damaged = run_kilde("check", "--index", str(index_copy))
    assert damaged.returncode == 2
    assert "er skadet" in damaged.stderr and "endret: passages.sqlite" in damaged.stderr
    assert "Forrige versjon" in damaged.stderr and "Traceback" not in damaged.stderr
    missing = run_kilde("check", "--index", str(index_copy / "nothing"))
    assert missing.returncode == 2 and "ingen indeks" in missing.stderr


def test_an_old_format_build_still_opens_and_is_rebuilt_in_the_new_one(index_copy, embedder, documents):
    """Format 1 (before issue 9): passages and documents as JSON Lines, a flat FAISS file, no hashes."""
    live = live_build(index_copy)
    index = load_index(index_copy)
    with (live / "passages.jsonl").open("w", encoding="utf-8") as out:
        for p in index.passages:
            out.write(json.dumps(p.__dict__, ensure_ascii=False) + "\n")
    with (live / "documents.jsonl").open("w", encoding="utf-8") as out:
        for info in index.documents.values():
            out.write(json.dumps(info.as_json(), ensure_ascii=False) + "\n")
    index.table.close()
    for name in ("passages.sqlite", "vectors.npy", "passage-documents.npy"):
        (live / name).unlink()
    manifest = json.loads((live / "manifest.json").read_text())
    for key in ("format", "vector_index", "build_files", "files", "model_backend"):
        del manifest[key]
    (live / "manifest.json").write_text(json.dumps(manifest))
    old = load_index(index_copy)
    assert old.manifest.format == 1 and len(old.passages) == 50
    assert old.row_of(old.passages[5].id) == 5 and old.vectors_at(np.array([5])).shape == (1, 384)
    assert "er i et eldre format" in run_kilde("check", "--index", str(index_copy)).stdout
    rebuilt = build_index(documents, embedder, index_copy, SOURCES)
    assert rebuilt.format == 2 and rebuilt.reused == 50


def _failing_write(*args, **kwargs):
    raise RuntimeError("Error in faiss::FileIOWriter: No space left on device")


def test_disk_full_while_writing_gives_the_message_and_leaves_no_staging(index_copy, embedder, documents,
                                                                        monkeypatch):
    before = (index_copy / "CURRENT").read_text()
    monkeypatch.setattr(builds.faiss, "write_index", _failing_write)
    with pytest.raises(IndexStateError) as error:
        build_index([*documents, EXTRA], embedder, index_copy, SOURCES)
    assert error.value.code == "index.disk_full_writing"
    assert "Disken ble full" in texts.describe(error.value) and "faiss" not in texts.describe(error.value)
    assert not [p for p in (index_copy / "builds").iterdir() if p.name.startswith(".staging")]
    assert (index_copy / "CURRENT").read_text() == before and load_index(index_copy).manifest.passage_count == 50


def test_disk_full_is_found_before_embedding(index_copy, embedder, documents, monkeypatch):
    embedded = []
    monkeypatch.setattr(type(embedder), "embed_passages", lambda self, texts, progress=False: embedded.append(texts))
    monkeypatch.setattr(publish.shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10**9, 10**9 - 1000, 1000))
    with pytest.raises(IndexStateError) as error:
        build_index([*documents, EXTRA], embedder, index_copy, SOURCES)
    assert error.value.code == "index.disk_full" and error.value.params["free_mb"] == 1
    assert embedded == [] and not [p for p in (index_copy / "builds").iterdir() if p.name.startswith(".staging")]


@pytest.fixture
def small_disk(tmp_path):
    """A real 1 MB filesystem (tmpfs; needs root, as in this project's sandbox)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    yield mount
    gc.collect()  # the test's memory maps and SQLite connection into the disk
    subprocess.run(["umount", "--lazy", str(mount)], check=False)


def test_a_really_full_disk(small_disk, bundled_index, embedder, documents, monkeypatch):
    index_dir = small_disk / "index"
    shutil.copytree(bundled_index, index_dir, ignore=shutil.ignore_patterns("PREVIOUS"))
    for build in (index_dir / "builds").iterdir():
        if build.name != (index_dir / "CURRENT").read_text():
            shutil.rmtree(build)
    before = (index_dir / "CURRENT").read_text()
    free = shutil.disk_usage(small_disk).free
    (small_disk / "filler").write_bytes(b"\0" * (free - 120_000))  # room for a third of a build
    with pytest.raises(IndexStateError) as error:  # found before embedding
        build_index([*documents, EXTRA], embedder, index_dir, SOURCES)
    assert error.value.code == "index.disk_full"
    assert "ikke nok ledig diskplass" in texts.describe(error.value)
    monkeypatch.setattr(publish, "estimated_bytes", lambda *args: 0)  # an estimate too low: the write fails
    with pytest.raises(IndexStateError) as error:
        build_index([*documents, EXTRA], embedder, index_dir, SOURCES)
    assert error.value.code == "index.disk_full_writing"
    assert not [p for p in (index_dir / "builds").iterdir() if p.name.startswith(".staging")]
    reopened = load_index(index_dir)
    assert (index_dir / "CURRENT").read_text() == before and reopened.manifest.passage_count == 50
    reopened.table.close()


def test_kilde_index_without_paths_rebuilds_the_recorded_sources_not_the_bundled_corpus(
        tmp_path, bundled_index, embedder, capsys):
    """Issue 14 §5: garbage in the live manifest, then the advised `kilde index --index D`."""
    from kilde.app.cli import main
    from kilde.index.documents.reader import read_documents
    from kilde.index.documents.sources import Source

    corpus = tmp_path / "mine"
    shutil.copytree(bundled_corpus(), corpus, ignore=shutil.ignore_patterns("__*"))
    (corpus / "ekstra.txt").write_text(EXTRA.text, encoding="utf-8")
    index_dir = tmp_path / "index"
    shutil.copytree(bundled_index, index_dir)  # its vectors, so nothing but the extra file is embedded
    recorded = [Source(str(corpus), {"publisher": "Kommunen"})]  # a flag the index records, to survive
    for _ in range(2):  # live and previous build both of the user's corpus
        build_index(read_documents([corpus], {"publisher": "Kommunen"}), embedder, index_dir, recorded)
    (live_build(index_dir) / "manifest.json").write_text("garbage")
    assert main(["index", "--index", str(index_dir)]) == 0
    index = load_index(index_dir)
    assert index.manifest.document_count == 3 and index.documents["ekstra"].publisher == "Kommunen"
    assert index.manifest.sources == [str(corpus)]
    for build in (index_dir / "builds").iterdir():  # nothing readable left: refuse, don't build the bundled corpus
        (build / "manifest.json").write_text("garbage")
    capsys.readouterr()
    assert main(["index", "--index", str(index_dir)]) == 2
    assert "Oppgi dem" in capsys.readouterr().err


def test_an_appending_build_extends_the_hnsw_graph_and_a_removal_builds_it_anew(index_copy, embedder, documents,
                                                                                monkeypatch):
    monkeypatch.setenv(vector_index.KIND_VARIABLE, "hnsw")
    assert build_index(documents, embedder, index_copy, SOURCES).vector_index["rows_kept"] == 0
    note = Document(DocumentInfo(id="notat", title="Notat"), "Sprøyterom i Bergen åpnet i 2005 for folk som injiserer.")
    grown = build_index([*documents, note], embedder, index_copy, [*SOURCES, "notat"])
    assert grown.vector_index["rows_kept"] == 50 and grown.passage_count == 51 and grown.embedded == 1
    index = load_index(index_copy)
    assert index.vectors.ntotal == 51
    hits = Searcher(index, embedder).search("Når åpnet sprøyterommet i Bergen?", 3, mode="dense").hits
    assert hits[0].passage.document_id == "notat"
    shrunk = build_index(documents[1:], embedder, index_copy, SOURCES[1:] if len(SOURCES) > 1 else SOURCES)
    assert shrunk.vector_index["rows_kept"] == 0 and load_index(index_copy).vectors.ntotal == shrunk.passage_count
