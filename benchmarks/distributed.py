"""Past one machine, measured on this one: Ray embedding throughput and Milvus search latency.

    python benchmarks/distributed.py embed   [--passages 384] [--batch-sizes 16 32 64 128] [--actors 1 2]
    python benchmarks/distributed.py search  [--passages 100000]  # Milvus Lite vs local candidate legs
    python benchmarks/distributed.py search  --index DIR [--queries 100]  # the same on a built index
    python benchmarks/distributed.py quality INDEX_DIR QUESTIONS  # NorQuAD: Milvus vs local, per leg

`embed`: the same passages (the bundled corpus's, repeated) embedded by one warm local process
(the baseline: the default backend on all cores), then by a Ray cluster on loopback of 1 node
with every CPU, for each actor count (an actor gets CPUs / actors CPUs and as many threads) and
batch size, and last by one node per CPU with `RayEmbedder`'s defaults; actor start and model
load included, as a build pays them. Passages/s and the ratio to the local run, all in one run.

`search`: N synthetic passages (corpus sentences recombined, random unit vectors: latency does
not depend on what the vectors mean) in a local FAISS flat index + bm25s, and in a Milvus Lite
collection (HNSW + BM25 function) on loopback. p50/p95 of each leg's candidate search (top 100),
the part the engines differ in; the rest of a search (embedding the question, highlight) is the same.
With `--index DIR` (e.g. benchmarks/scale.py's 100k index; only read): `kilde export milvus` of it,
timed, then each leg's top 100 through the local engine and Milvus' (`MilvusEngine`) for real
NorQuAD validation questions embedded by the bundled model, alternating question by question, and
the overlap of Milvus' top 10 with local's.

`quality`: copies INDEX_DIR (only read; the copy takes the edit lock), exports it with `kilde export
milvus` to a Milvus Lite server on loopback (timed), and evaluates `Library.open(copy)` and
`Library.open(copy, engine=milvus_engine(uri, collection))` on QUESTIONS in every mode (R@1, R@5,
MRR@10; `kilde eval QUESTIONS --engine milvus --uri URI --collection NAME` gives Milvus' rows
alone). Then each leg on its own, from the same question vector and terms: whether Milvus' top 1
is local's, and the overlap of their top 10 and top 100 (the candidates fusion sees).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

NORQUAD_QUESTIONS = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "norquad" / "questions_validation.jsonl"
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # loopback only (see tests/test_cluster_ray.py)


def corpus_texts() -> list[str]:
    from kilde.index.documents.passages import split_document
    from kilde.index.documents.reader import bundled_corpus, read_documents

    return [p.embedding_text() for d in read_documents([bundled_corpus()]) for p in split_document(d)]


def bench_embed(count: int, batch_sizes: list[int], actor_counts: list[int]) -> None:
    from kilde.index.cluster.ray_embed import RayEmbedder, ray_cluster
    from kilde.index.model.embedder import load_embedder

    base = corpus_texts()
    texts = (base * (count // len(base) + 1))[:count]
    embedder = load_embedder()
    embedder.embed_passages(texts[:8])  # warm
    started = time.monotonic()
    local = embedder.embed_passages(texts)
    rows = [("local, one warm process", time.monotonic() - started, 1.0)]

    def timed(label: str, address: str, **options) -> None:
        with ray_cluster(address):
            started = time.monotonic()
            vectors = RayEmbedder(embedder, **options)(texts)
            seconds = time.monotonic() - started
        cosine = float((vectors * local).sum(axis=1).min())
        rows.append((f"{label} (min cosine {cosine:.6f})", seconds, seconds / rows[0][1]))
        print(f"  {rows[-1][0]}: {seconds:.1f} s", flush=True)

    cpus = os.cpu_count() or 2
    cluster = _cluster([cpus])
    try:  # one node: actors per node x batch size; an actor gets cpus / actors CPUs and as many threads
        for actors in actor_counts:
            for batch in batch_sizes:
                timed(f"Ray, 1 node, {actors} actor(s) x {cpus // actors} CPU, batch {batch}", cluster.address,
                      batch_size=batch, actors=actors, cpus_per_actor=cpus // actors)
    finally:
        cluster.shutdown()
    cluster = _cluster([1] * cpus)
    try:  # the default settings on nodes of one CPU each
        timed(f"Ray, {cpus} nodes x 1 CPU, defaults", cluster.address)
    finally:
        cluster.shutdown()
    print(f"\nEmbedding {count} passages (bundled model, {embedder.backend.label}; this machine: {cpus} cores, "
          f"shared; load average {os.getloadavg()[0]:.1f}); Ray rows include actor start and model load\n")
    print(f"{'run':<66}{'seconds':>9}{'passages/s':>12}{'time / local':>14}")
    for label, seconds, ratio in rows:
        print(f"{label:<66}{seconds:>9.1f}{count / seconds:>12.2f}{ratio:>14.2f}")


def _cluster(node_cpus: list[int]):
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": node_cpus[0], "include_dashboard": False,
                                                            "object_store_memory": 100 * 1024 ** 2})
    for cpus in node_cpus[1:]:
        cluster.add_node(num_cpus=cpus, object_store_memory=100 * 1024 ** 2)
    cluster.wait_for_nodes()
    return cluster


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


def bench_search_index(index_dir: Path, queries: int, limit: float) -> None:
    """A built index (only read): `kilde export milvus` timed, then each leg's candidate search, local
    against Milvus, with real question vectors (NorQuAD validation, embedded by the bundled model)."""
    from kilde.index.cluster.milvus_engine import MilvusEngine, MilvusSearcher
    from kilde.index.cluster.milvus_store import connect
    from kilde.index.model.embedder import load_embedder
    from kilde.index.retrieval.evaluation import read_questions
    from kilde.index.retrieval.query import analyse
    from kilde.index.retrieval.search import CANDIDATES, Searcher, top
    from kilde.index.store.builds import load_index

    asked = [q.question for q in read_questions(NORQUAD_QUESTIONS)][:queries]
    embedder = load_embedder()
    vectors = [embedder.embed_query(q) for q in asked]
    index = load_index(index_dir)
    ours = Searcher(index, embedder)
    analysed = [analyse(q, v, index.lexical, index.document_lexical) for q, v in zip(asked, vectors)]
    with milvus_lite() as uri:
        started = time.monotonic()
        try:
            exported = subprocess.run([str(Path(sys.executable).with_name("kilde")), "export", "milvus", "--index",
                                       str(index_dir), "--uri", uri, "--collection", "scale"],
                                      capture_output=True, text=True, timeout=limit)
        except subprocess.TimeoutExpired:
            print(f"\n`kilde export milvus` of {len(index.passages)} passages did not finish in {limit:.0f} s")
            return
        export_seconds = time.monotonic() - started
        if exported.returncode:
            raise RuntimeError(exported.stderr)
        client = connect(uri)
        started = time.monotonic()
        client.load_collection("scale")
        load_seconds = time.monotonic() - started
        theirs = MilvusSearcher(index, embedder, MilvusEngine(client, uri, "scale", index))
        legs = {
            "dense": lambda s, q: s.dense_candidates(q.vector, CANDIDATES)[0],
            "lexical": lambda s, q: _ranked(s._passage_lexical(q), CANDIDATES, top),
        }
        times = {(engine, leg): [] for engine in ("local", "Milvus") for leg in legs}
        pairs = {leg: [] for leg in legs}
        for searcher in (ours, theirs):  # warm-up
            for leg, run in legs.items():
                run(searcher, analysed[0])
        for query in analysed:  # the engines alternate question by question: the machine is shared
            for leg, run in legs.items():
                found = []
                for engine, searcher in (("local", ours), ("Milvus", theirs)):
                    started = time.perf_counter()
                    found.append(list(run(searcher, query)))
                    times[engine, leg].append(time.perf_counter() - started)
                pairs[leg].append(tuple(found))
    kind = index.manifest.vector_index.get("type", "?")
    print(f"\nCandidate search, top {CANDIDATES} of each leg, {len(index.passages)} passages ({index_dir}, local "
          f"vectors: FAISS {kind}), {len(analysed)} NorQuAD validation questions embedded by {embedder.backend.label}; "
          f"load average {os.getloadavg()[0]:.1f}\n`kilde export milvus` {export_seconds:.0f} s "
          f"({exported.stdout.strip()}), load_collection {load_seconds:.1f} s\n")
    print(f"{'engine, leg':<28}{'p50 ms':>9}{'p95 ms':>9}{'top-10 overlap with local':>28}")
    for (engine, leg), seconds in times.items():
        p50, p95 = _percentiles(seconds)
        overlap = f"{_overlap(pairs[leg], 10):.3f}" if engine == "Milvus" else "—"
        print(f"{engine + ', ' + leg:<28}{p50:>9.1f}{p95:>9.1f}{overlap:>28}")


LEG_K = 10  # the legs' agreement: overlap of each leg's top LEG_K, and whether the top 1 is the same


def bench_quality(index_dir: Path, questions_path: Path) -> None:
    """NorQuAD (or any questions file) through the local engine and through Milvus, one index, one run."""
    from kilde.index import Library
    from kilde.index.cluster.milvus_engine import milvus_engine
    from kilde.index.retrieval.evaluation import evaluate, read_questions
    from kilde.index.retrieval.search import CANDIDATES, top

    questions = read_questions(questions_path)
    with tempfile.TemporaryDirectory() as work, milvus_lite() as uri:
        copy = Path(work) / "index"  # the index is only read, but Library.open takes the folder's edit lock
        shutil.copytree(index_dir, copy, symlinks=True)
        started = time.monotonic()
        exported = subprocess.run([str(Path(sys.executable).with_name("kilde")), "export", "milvus", "--index",
                                   str(copy), "--uri", uri, "--collection", "quality"],
                                  capture_output=True, text=True, check=True)
        export_seconds = time.monotonic() - started
        local = Library.open(copy)
        remote = Library.open(copy, engine=milvus_engine(uri, "quality"))
        print(f"\n{len(questions)} questions from {questions_path}, index {index_dir} "
              f"({local.searcher().size} passages, {local.manifest.model_backend}); "
              f"`kilde export milvus` {export_seconds:.0f} s: {exported.stdout.strip()}\n")
        print(f"{'mode':<8}{'local R@1':>10}{'Milvus':>8}{'diff':>8}{'local R@5':>11}{'Milvus':>8}"
              f"{'local MRR@10':>14}{'Milvus':>8}{'diff':>8}")
        for mode in ("hybrid", "dense", "bm25"):
            a, b = evaluate(local, questions, mode), evaluate(remote, questions, mode)
            print(f"{mode:<8}{a.recall[1]:>10.3f}{b.recall[1]:>8.3f}{b.recall[1] - a.recall[1]:>+8.3f}"
                  f"{a.recall[5]:>11.3f}{b.recall[5]:>8.3f}{a.mrr:>14.3f}{b.mrr:>8.3f}{b.mrr - a.mrr:>+8.3f}",
                  flush=True)
        ours, theirs = local.searcher(), remote.searcher()
        legs = {"dense": [], "lexical": []}
        for q in questions:
            query = ours.analyse(q.question)  # one embedding and analysis, both engines' legs from it
            for leg, (mine, other) in {
                "dense": (ours.dense_candidates(query.vector, CANDIDATES)[0],
                          theirs.dense_candidates(query.vector, CANDIDATES)[0]),
                "lexical": (_ranked(ours._passage_lexical(query), CANDIDATES, top),
                            _ranked(theirs._passage_lexical(query), CANDIDATES, top)),
            }.items():
                legs[leg].append((list(mine), list(other)))
        print(f"\nEach leg's candidates, Milvus against local, same question vector and terms "
              f"(mean over {len(questions)} questions)\n")
        print(f"{'leg':<10}{'top-1 same':>12}{f'top-{LEG_K} overlap':>16}{f'top-{CANDIDATES} overlap':>17}")
        for leg, pairs in legs.items():
            same = sum(bool(m) and bool(o) and m[0] == o[0] for m, o in pairs) / len(pairs)
            print(f"{leg:<10}{same:>12.3f}{_overlap(pairs, LEG_K):>16.3f}{_overlap(pairs, CANDIDATES):>17.3f}")


def _ranked(scores: np.ndarray, k: int, top) -> list[int]:
    """The rows of the k best positive scores, best first (a leg's candidates)."""
    return [int(r) for r in top(scores, k) if scores[r] > 0]


def _overlap(pairs: list[tuple[list[int], list[int]]], k: int) -> float:
    """Mean share of local's top k that Milvus' top k also holds (1.0 when local has none)."""
    shares = [len(set(m[:k]) & set(o[:k])) / len(m[:k]) if m[:k] else 1.0 for m, o in pairs]
    return sum(shares) / len(shares)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parts = parser.add_subparsers(dest="part", required=True)
    embed = parts.add_parser("embed")
    embed.add_argument("--passages", type=int, default=384)
    embed.add_argument("--batch-sizes", type=int, nargs="+", default=[16, 32, 64, 128])
    embed.add_argument("--actors", type=int, nargs="+", default=[1, 2], help="actors on the one node")
    search = parts.add_parser("search")
    search.add_argument("--passages", type=int, default=100_000)
    search.add_argument("--queries", type=int, default=100)
    search.add_argument("--index", type=Path, help="a built index (only read) instead of synthetic passages")
    search.add_argument("--export-limit", type=float, default=1800, help="seconds the export may take (with --index)")
    quality = parts.add_parser("quality")
    quality.add_argument("index_dir", type=Path)
    quality.add_argument("questions", type=Path)
    args = parser.parse_args()
    if args.part == "embed":
        bench_embed(args.passages, args.batch_sizes, args.actors)
    elif args.part == "search" and args.index:
        bench_search_index(args.index, args.queries, args.export_limit)
    elif args.part == "search":
        bench_search(args.passages, args.queries)
    else:
        bench_quality(args.index_dir, args.questions)


if __name__ == "__main__":
    main()
