"""Indexing on a real two-node Ray cluster on loopback (`ray.cluster_utils.Cluster`), started and shut down here."""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

# Ray advertises the machine's outward address unless told it is not a cluster host; on loopback
# only (read when Ray is imported, so set first). The two nodes still are two raylets.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
ray = pytest.importorskip("ray")
from ray.cluster_utils import Cluster  # noqa: E402

from kilde.index.cluster.ray_embed import RayEmbedder, ray_cluster  # noqa: E402
from kilde.index.documents.reader import bundled_corpus, read_documents  # noqa: E402
from kilde.index.store.builds import build_index, load_index  # noqa: E402

pytestmark = pytest.mark.cluster
NODE = {"num_cpus": 1, "object_store_memory": 100 * 1024 ** 2}


@pytest.fixture(scope="module")
def cluster():
    nodes = Cluster(initialize_head=True, head_node_args=NODE | {"include_dashboard": False})
    try:
        nodes.add_node(**NODE)
        nodes.wait_for_nodes()
        yield nodes
    finally:
        nodes.shutdown()


class Recording(RayEmbedder):
    """The Ray embedder, remembering how many texts each call sent to the cluster."""

    sent: list[int]

    def __call__(self, texts):
        self.sent.append(len(texts))
        return super().__call__(texts)


def _vectors(index_dir: Path) -> tuple[list[str], np.ndarray]:
    stored = load_index(index_dir)
    return [p.id for p in stored.passages], stored.vectors.reconstruct_n(0, stored.vectors.ntotal)


def test_ray_build_equals_a_local_build_and_sends_only_new_passages(cluster, embedder, bundled_index, tmp_path):
    files = sorted(bundled_corpus().glob("*.txt"))
    with ray_cluster(cluster.address):
        assert len([n for n in ray.nodes() if n["Alive"]]) == 2
        embed = Recording(embedder)
        embed.sent = []
        first = build_index(read_documents(files[:1]), embedder, tmp_path, [str(files[0])], embed=embed)
        documents = read_documents([bundled_corpus()])
        second = build_index(documents, embedder, tmp_path, [str(bundled_corpus())], embed=embed)
    # Only what the live build lacks goes to the cluster: the second build reuses most of the first
    # (one passage of that document reads differently with the folder's metadata, so not all of it).
    assert embed.sent == [first.embedded, second.embedded] and first.embedded == first.passage_count
    assert second.reused >= first.passage_count - 1 and second.embedded + second.reused == second.passage_count
    ray_ids, ray_vectors = _vectors(tmp_path)
    local_ids, local_vectors = _vectors(bundled_index)
    assert ray_ids == local_ids
    assert float((ray_vectors * local_vectors).sum(axis=1).min()) >= 0.9999


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _embed_actors(cluster) -> list[int]:
    """PIDs of the embedding actors of this test's own cluster (children of its raylets)."""
    raylets = [p.process.pid for node in cluster.list_all_nodes() for p in node.all_processes.get("raylet", [])]
    actors = []
    for pid in (c for r in raylets for c in _children(r)):
        try:
            if b"MapWorker" in Path(f"/proc/{pid}/cmdline").read_bytes():
                actors.append(pid)
        except OSError:
            continue
    return actors


def _copies(documents, count: int):
    """The documents and `count` copies of each whose every paragraph reads a little differently (so none is
    reused by content hash): enough embedding work that the build is still running when an actor dies. With
    the bundled 50 passages alone, OpenVINO finished a CI build before the killer struck."""
    copies = [replace(d, info=replace(d.info, id=f"{d.info.id}-kopi-{n}", title=f"{d.info.title} (kopi {n})"),
                      text=d.text.replace("\n\n", f" (kopi {n})\n\n"))
              for n in range(1, count + 1) for d in documents]
    return list(documents) + copies


def test_a_worker_killed_mid_build_does_not_break_the_build(cluster, embedder, tmp_path):
    killed, done = [], threading.Event()

    def kill_one_actor() -> None:
        seen = {}
        while not done.is_set():
            for pid in _embed_actors(cluster):
                seen.setdefault(pid, time.monotonic())
                if time.monotonic() - seen[pid] > 3:  # its model loaded: it is embedding a batch
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    return
            time.sleep(0.2)

    documents = _copies(read_documents([bundled_corpus()]), 8)
    sources = [str(bundled_corpus())]
    local = build_index(documents, embedder, tmp_path / "local", sources)
    killer = threading.Thread(target=kill_one_actor)
    with ray_cluster(cluster.address):
        killer.start()
        try:
            manifest = build_index(documents, embedder, tmp_path / "ray", sources,
                                   embed=RayEmbedder(embedder, batch_size=4))
            finished_before_kill = not killed
        finally:
            done.set()
            killer.join()
    assert killed and not finished_before_kill, "the actor was not killed while the build ran"
    assert manifest.passage_count == local.passage_count and manifest.embedded == local.passage_count
    ray_ids, ray_vectors = _vectors(tmp_path / "ray")
    local_ids, local_vectors = _vectors(tmp_path / "local")
    assert ray_ids == local_ids
    assert float((ray_vectors * local_vectors).sum(axis=1).min()) >= 0.9999


def test_ray_auto_without_an_address_is_a_clear_cli_error(tmp_path):
    from .conftest import run_kilde

    done = run_kilde("index", str(sorted(bundled_corpus().glob("*.txt"))[0]), "--index", str(tmp_path / "i"),
                     "--ray", "auto", env={"RAY_ADDRESS": ""})
    assert done.returncode == 2 and "RAY_ADDRESS" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "i" / "CURRENT").exists()
