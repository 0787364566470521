"""Serving from Milvus: a real Milvus Lite gRPC server on loopback, started and stopped here."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

from kilde.index.cluster.milvus_engine import open_milvus_searcher  # noqa: E402
from kilde.index.cluster.milvus_store import FINGERPRINT, connect, export_index  # noqa: E402
from kilde.index.documents.reader import bundled_corpus, read_documents  # noqa: E402
from kilde.index.errors import ClusterError  # noqa: E402
from kilde.index.store.builds import build_index  # noqa: E402

from .conftest import SHARED, free_port, read_jsonl, run_kilde  # noqa: E402
from .servers import kilde_serve  # noqa: E402

pytestmark = pytest.mark.cluster
MILVUS_LITE = Path(sys.executable).with_name("milvus-lite")


@pytest.fixture(scope="module")
def milvus(tmp_path_factory):
    """The URI of a Milvus Lite server listening on 127.0.0.1 only."""
    port = free_port()
    server = subprocess.Popen([str(MILVUS_LITE), "server", "--data-dir", str(tmp_path_factory.mktemp("milvus")),
                               "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    uri = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                connect(uri)
                break
            except ClusterError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"milvus-lite did not start: {server.stderr.read()}") from None
                time.sleep(0.5)
        yield uri
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def exported(milvus, bundled_index):
    report = export_index(bundled_index, milvus, "bundled")
    return report


QUESTIONS = [q["q"] for q in read_jsonl(SHARED / "eval" / "seed_dev.jsonl")]


def test_export_writes_every_passage_then_only_changes(milvus, bundled_index, exported):
    assert (exported.written, exported.deleted) == (exported.passages, 0) and exported.passages > 0
    again = export_index(bundled_index, milvus, "bundled")
    assert (again.written, again.deleted, again.kept) == (0, 0, exported.passages)
    entity = connect(milvus).query("bundled", filter="paragraph >= 0", limit=1,
                                   output_fields=["text", "document", "paragraph", "section", "metadata", "terms"])[0]
    assert entity["text"] and entity["document"] and entity["metadata"]["document"]["title"]
    assert entity["terms"] == entity["terms"].lower()  # Kilde's analysed terms, not the raw text


def test_milvus_search_gives_the_local_top_hits_in_both_legs(milvus, exported, bundled_index, embedder, searcher):
    remote = open_milvus_searcher(bundled_index, embedder, milvus, "bundled")
    for question in QUESTIONS[:3]:  # each search embeds its hits' sentences: a few questions keep CI short
        for mode in ("dense", "bm25", "hybrid"):
            local, found = searcher.search(question, 3, mode=mode), remote.search(question, 3, mode=mode)
            assert [h.passage.id for h in found.hits][:1] == [h.passage.id for h in local.hits][:1], (question, mode)
            assert found.abstained == local.abstained
            assert [h.highlight for h in found.hits[:1]] == [h.highlight for h in local.hits[:1]]


def test_a_collection_with_another_model_is_refused(milvus, bundled_index, embedder):
    export_index(bundled_index, milvus, "other_model")
    # A second model cannot be loaded offline; the collection says it holds another model's vectors.
    connect(milvus).alter_collection_properties("other_model", properties={FINGERPRINT: "0" * 64})
    for attempt in (lambda: export_index(bundled_index, milvus, "other_model"),
                    lambda: open_milvus_searcher(bundled_index, embedder, milvus, "other_model")):
        with pytest.raises(ClusterError) as refused:
            attempt()
        assert refused.value.code == "milvus.other_model"


def test_a_new_build_needs_a_new_export_which_deletes_what_is_gone(milvus, bundled_index, embedder, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(bundled_index, index_dir)
    first = export_index(index_dir, milvus, "changing")
    kept = read_documents([bundled_corpus()])[:1]  # the folder's reading (its metadata), less a document
    build_index(kept, embedder, index_dir, [str(bundled_corpus())])
    with pytest.raises(ClusterError) as refused:
        open_milvus_searcher(index_dir, embedder, milvus, "changing")
    assert refused.value.code == "milvus.out_of_date"
    second = export_index(index_dir, milvus, "changing")
    assert (second.written, second.deleted, second.kept) == (0, first.passages - second.passages, second.passages)
    hit = open_milvus_searcher(index_dir, embedder, milvus, "changing").search(QUESTIONS[0], 1).hits[0]
    assert hit.document.id == kept[0].info.id


def test_cli_exports_and_serves_the_api_from_milvus(milvus, bundled_index, searcher):
    done = run_kilde("export", "milvus", "--index", str(bundled_index), "--uri", milvus, "--collection", "cli")
    assert done.returncode == 0, done.stderr
    assert "cli" in done.stdout
    missing = run_kilde("serve", "--index", str(bundled_index), "--engine", "milvus", "--uri", milvus,
                        "--collection", "nothing_here", "--port", str(free_port()))
    assert missing.returncode == 2 and "nothing_here" in missing.stderr and "Traceback" not in missing.stderr
    with kilde_serve(bundled_index, "--engine", "milvus", "--uri", milvus, "--collection", "cli") as base:
        question = QUESTIONS[1]
        with urllib.request.urlopen(f"{base}/api/search?" + urllib.parse.urlencode({"q": question})) as response:
            body = json.load(response)
    assert body["hits"][0]["id"] == searcher.search(question, 5).hits[0].passage.id
