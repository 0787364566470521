"""Past one machine, measured on this one: Ray embedding throughput and Milvus search latency.

    python benchmarks/distributed.py embed   [--passages 96]      # local vs Ray, 1 and 2 nodes
    python benchmarks/distributed.py search  [--passages 100000]  # Milvus Lite vs local candidate legs
    python benchmarks/distributed.py quality INDEX_DIR QUESTIONS  # NorQuAD: Milvus vs local, per leg

`embed`: the same passages (the bundled corpus's, repeated) embedded by one warm local process
(the baseline, torch on all cores), then by a Ray cluster on loopback of 1 node (2 CPUs, 2 actors)
and of 2 nodes (1 CPU each, 1 actor each), through `RayEmbedder`, actor start and model load
included, as a build pays them. Passages/s and the ratio to the local run, all in one run.

`search`: N synthetic passages (corpus sentences recombined, random unit vectors: latency does
not depend on what the vectors mean) in a local FAISS flat index + bm25s, and in a Milvus Lite
collection (HNSW + BM25 function) on loopback. p50/p95 of each leg's candidate search (top 100),
the part the engines differ in; the rest of a search (embedding the question, highlight) is the same.

`quality`: exports INDEX_DIR to a Milvus Lite server and evaluates both searchers on QUESTIONS
(R@1, MRR@10 per mode) and the top-1 agreement of each leg.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # loopback only (see tests/test_cluster_ray.py)


def corpus_texts() -> list[str]:
    from kilde.index.documents.passages import split_document
    from kilde.index.documents.reader import bundled_corpus, read_documents

    return [p.embedding_text() for d in read_documents([bundled_corpus()]) for p in split_document(d)]


def bench_embed(count: int) -> None:
    from ray.cluster_utils import Cluster

    from kilde.index.cluster.ray_embed import RayEmbedder, ray_cluster
    from kilde.index.model.embedder import load_embedder

    base = corpus_texts()
    texts = (base * (count // len(base) + 1))[:count]
    embedder = load_embedder()
    embedder.embed_passages(texts[:8])  # warm
    started = time.monotonic()
    local = embedder.embed_passages(texts)
    rows = [("local, one warm process", time.monotonic() - started, 1.0)]
    for label, nodes in (("Ray, 1 node x 2 CPUs", [2]), ("Ray, 2 nodes x 1 CPU", [1, 1])):
        cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": nodes[0], "include_dashboard": False,
                                                                "object_store_memory": 100 * 1024 ** 2})
        try:
            for cpus in nodes[1:]:
                cluster.add_node(num_cpus=cpus, object_store_memory=100 * 1024 ** 2)
            cluster.wait_for_nodes()
            with ray_cluster(cluster.address):
                started = time.monotonic()
                vectors = RayEmbedder(embedder)(texts)
                seconds = time.monotonic() - started
        finally:
            cluster.shutdown()
        cosine = float((vectors * local).sum(axis=1).min())
        rows.append((f"{label} (min cosine {cosine:.6f})", seconds, seconds / rows[0][1]))
    print(f"\nEmbedding {count} passages (bundled model, this machine: {os.cpu_count()} cores, shared)\n")
    print(f"{'run':<48}{'seconds':>9}{'passages/s':>12}{'time / local':>14}")
    for label, seconds, ratio in rows:
        print(f"{label:<48}{seconds:>9.1f}{count / seconds:>12.2f}{ratio:>14.2f}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def milvus_lite():
    from kilde.index.cluster.milvus_store import connect
    from kilde.index.errors import ClusterError

    port = _free_port()
    with tempfile.TemporaryDirectory() as data:
        server = subprocess.Popen([str(Path(sys.executable).with_name("milvus-lite")), "server", "--data-dir", data,
                                   "--host", "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL)
        uri = f"http://127.0.0.1:{port}"
        try:
            for _ in range(240):
                try:
                    connect(uri)
                    break
                except ClusterError:
                    time.sleep(0.5)
            yield uri
        finally:
            server.terminate()
            server.wait(timeout=60)


def _percentiles(seconds: list[float]) -> tuple[float, float]:
    ordered = sorted(seconds)
    return statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000


def bench_search(count: int, queries: int) -> None:
    from pymilvus import DataType, Function, FunctionType

    import faiss

    from kilde.index.cluster.milvus_store import BM25, HNSW, connect
    from kilde.index.retrieval.lexical import LexicalIndex

    rng, shuffle = np.random.default_rng(0), random.Random(0)
    sentences = [s for t in corpus_texts() for s in t.replace("\n", " ").split(". ") if s]
    texts = [". ".join(shuffle.sample(sentences, 3)) for _ in range(count)]
    vectors = rng.standard_normal((count, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    questions = [shuffle.choice(sentences) for _ in range(queries)]
    asked = rng.standard_normal((queries, 384)).astype(np.float32)
    asked /= np.linalg.norm(asked, axis=1, keepdims=True)

    flat = faiss.IndexFlatIP(384)
    flat.add(vectors)
    lexical = LexicalIndex.build(texts)
    local_dense, local_bm25 = [], []
    for vector, question in zip(asked, questions):
        started = time.perf_counter()
        flat.search(vector[None, :], 100)
        local_dense.append(time.perf_counter() - started)
        started = time.perf_counter()
        scores = lexical.scores(t for q in lexical.query(question) for t in q.matches)
        np.argsort(-scores)[:100]
        local_bm25.append(time.perf_counter() - started)

    with milvus_lite() as uri:
        client = connect(uri)
        schema = client.create_schema(auto_id=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=384)
        schema.add_field("terms", DataType.VARCHAR, max_length=65535, enable_analyzer=True,
                         analyzer_params={"tokenizer": "standard"})
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["terms"],
                                     output_field_names=["sparse"]))
        indexes = client.prepare_index_params()
        indexes.add_index(field_name="vector", index_type="HNSW", metric_type="IP", params=HNSW)
        indexes.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=BM25)
        client.create_collection("bench", schema=schema, index_params=indexes)
        started = time.monotonic()
        for start in range(0, count, 2000):
            client.insert("bench", [{"id": i, "vector": vectors[i].tolist(),
                                     "terms": " ".join(lexical.analyzer.terms(texts[i]))}
                                    for i in range(start, min(start + 2000, count))])
        client.flush("bench")
        client.load_collection("bench")
        loaded = time.monotonic() - started
        milvus_dense, milvus_bm25 = [], []
        for vector, question in zip(asked, questions):
            started = time.perf_counter()
            client.search("bench", data=[vector.tolist()], anns_field="vector", limit=100,
                          search_params={"metric_type": "IP", "params": {"ef": 128}})
            milvus_dense.append(time.perf_counter() - started)
            terms = " ".join(t for q in lexical.query(question) for t in q.matches)
            started = time.perf_counter()
            client.search("bench", data=[terms], anns_field="sparse", limit=100, search_params={"metric_type": "BM25"})
            milvus_bm25.append(time.perf_counter() - started)
    print(f"\nCandidate search, top 100, {count} passages, {queries} questions "
          f"(Milvus Lite insert + index + load: {loaded:.0f} s)\n")
    print(f"{'engine, leg':<34}{'p50 ms':>9}{'p95 ms':>9}")
    for label, seconds in (("local FAISS flat, dense", local_dense), ("Milvus Lite HNSW, dense", milvus_dense),
                           ("local bm25s, lexical", local_bm25), ("Milvus Lite BM25, lexical", milvus_bm25)):
        p50, p95 = _percentiles(seconds)
        print(f"{label:<34}{p50:>9.1f}{p95:>9.1f}")


def bench_quality(index_dir: Path, questions_path: Path) -> None:
    from kilde.index.cluster.milvus_engine import open_milvus_searcher
    from kilde.index.cluster.milvus_store import export_index
    from kilde.index.model.embedder import load_embedder
    from kilde.index.retrieval.evaluation import evaluate, read_questions
    from kilde.index.retrieval.search import Searcher
    from kilde.index.store.builds import load_index

    embedder = load_embedder()
    questions = read_questions(questions_path)
    local = Searcher(load_index(index_dir), embedder)
    with milvus_lite() as uri:
        export_index(index_dir, uri, "quality")
        remote = open_milvus_searcher(index_dir, embedder, uri, "quality")
        print(f"\n{len(questions)} questions from {questions_path}\n")
        print(f"{'mode':<8}{'local R@1':>11}{'Milvus R@1':>12}{'local MRR@10':>14}{'Milvus MRR@10':>15}"
              f"{'top-1 agreement':>17}")
        for mode in ("hybrid", "dense", "bm25"):
            a, b = evaluate(local, questions, mode), evaluate(remote, questions, mode)
            same = sum([h.passage.id for h in local.search(q.question, 1, mode=mode).hits] ==
                       [h.passage.id for h in remote.search(q.question, 1, mode=mode).hits] for q in questions)
            print(f"{mode:<8}{a.recall[1]:>11.3f}{b.recall[1]:>12.3f}{a.mrr:>14.3f}{b.mrr:>15.3f}"
                  f"{same / max(len(questions), 1):>17.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parts = parser.add_subparsers(dest="part", required=True)
    parts.add_parser("embed").add_argument("--passages", type=int, default=96)
    search = parts.add_parser("search")
    search.add_argument("--passages", type=int, default=100_000)
    search.add_argument("--queries", type=int, default=100)
    quality = parts.add_parser("quality")
    quality.add_argument("index_dir", type=Path)
    quality.add_argument("questions", type=Path)
    args = parser.parse_args()
    if args.part == "embed":
        bench_embed(args.passages)
    elif args.part == "search":
        bench_search(args.passages, args.queries)
    else:
        bench_quality(args.index_dir, args.questions)


if __name__ == "__main__":
    main()
