"""Kilde at 10k, 100k and 1M passages: build, disk, open, memory and search time (issue 9 §4).

    python benchmarks/scale.py                          # 10k, 100k and 1M passages
    python benchmarks/scale.py --sizes 10k,100k         # a shorter run
    python benchmarks/scale.py --base /work/nq-index    # where the real NorQuAD vectors come from

Real text throughout, stand-in vectors. The 6,583 NorQuAD passages (an index of
`shared/eval/norquad/passages_all.jsonl` built by Kilde with the bundled model, `--base`) are
recombined to reach each size: a benchmark passage is the first half (by sentences) of one real
passage followed by the second half of another, grouped ten to a document. Embedding a million
passages would take about 15 hours on 2 cores, so its vector is not embedded: it is the normalised
sum of the two real passages' real embeddings plus Gaussian noise (norm `NOISE` × the sum's),
which makes the vectors harder than real ones (more near-ties). The embedder the build sees is a
stand-in that returns those vectors; its time is measured and left out of the build time. The
questions are the 472 NorQuAD validation questions, embedded by the real bundled model; their
embedding is timed on its own and searches are timed with the vector already computed.

Each size is built in one process and measured in a fresh one (open, then `--searches` searches per
mode), so the resident memory (RSS, from /proc) is that of a process that only opened and searched.
`recall@10` compares the index's FAISS search with an exact scan of the stored vectors for the
questions' vectors. The last line is the bundled corpus: hybrid search median as a ratio to
embedding the question alone, measured in the same run (the issue's target is ≤ 1.5×).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kilde.index.documents.reader import Document, DocumentInfo, bundled_corpus
from kilde.index.model.embedder import Embedder, load_embedder
from kilde.index.retrieval.evaluation import read_questions
from kilde.index.library import Library
from kilde.index.retrieval.search import CANDIDATES, MODES
from kilde.index.store.builds import build_index, load_index
from kilde.index.store.vector_index import exact_top, recall_at

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "eval"
NORQUAD_QUESTIONS = SHARED / "norquad" / "questions_validation.jsonl"
DEFAULT_BASE = Path("/work/nq-index")
PASSAGES_PER_DOCUMENT = 10
NOISE = 0.3
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def parse_size(text: str) -> int:
    text = text.strip().lower()
    return int(float(text[:-1]) * {"k": 1_000, "m": 1_000_000}[text[-1]]) if text[-1] in "km" else int(text)


def rss_mb(field: str = "VmRSS") -> float:
    """Resident memory from /proc; "RssAnon" is the process' own (heap, model), "VmRSS" adds the
    pages of memory-mapped index files it has touched, which the kernel can drop and read again."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def disk_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


# ------------------------------------------------------------------------------- the corpus


@dataclass
class Base:
    """The real passages (their halves) and their real vectors."""

    heads: list[str]
    tails: list[str]
    titles: list[str]
    vectors: np.ndarray


def read_base(folder: Path) -> Base:
    if not (folder / "CURRENT").exists():
        sys.exit(f"scale.py: no Kilde index in {folder}; build one with\n"
                 f"  kilde index {SHARED / 'norquad' / 'passages_all.jsonl'} --index {folder}")
    stored = load_index(folder)
    heads, tails, titles = [], [], []
    for passage in stored.passages:
        head, tail = halves(passage.text)
        heads.append(head)
        tails.append(tail)
        titles.append(stored.documents[passage.document_id].title)
    vectors = stored.vectors_at(np.arange(len(heads)))
    return Base(heads, tails, titles, np.ascontiguousarray(vectors, dtype=np.float32))


def halves(text: str) -> tuple[str, str]:
    """A passage cut at its middle sentence boundary (at its middle word if it is one sentence)."""
    parts = SENTENCE_END.split(text.replace("\n", " "))
    if len(parts) < 2:
        parts = text.split()
    cut = max(1, len(parts) // 2)
    return " ".join(parts[:cut]), " ".join(parts[cut:])


def corpus(base: Base, size: int, seed: int = 0) -> tuple[list[Document], dict[int, tuple[int, int]]]:
    """`size` recombined passages in documents of ten, and per passage text's hash its two real passages."""
    rng = np.random.default_rng(seed)
    firsts = rng.integers(0, len(base.heads), size)
    seconds = rng.integers(0, len(base.tails), size)
    origin: dict[int, tuple[int, int]] = {}
    documents = []
    for start in range(0, size, PASSAGES_PER_DOCUMENT):
        lines = []
        for a, b in zip(firsts[start:start + PASSAGES_PER_DOCUMENT].tolist(),
                        seconds[start:start + PASSAGES_PER_DOCUMENT].tolist()):
            text = f"{base.heads[a]} {base.tails[b]}".strip()
            origin.setdefault(hash(text), (a, b))
            lines.append(text)
        doc_id = f"skala-{start // PASSAGES_PER_DOCUMENT:07d}"
        info = DocumentInfo(id=doc_id, title=base.titles[int(firsts[start])], publisher="NorQuAD (omsatt)",
                            source=f"benchmark:scale:{size}")
        documents.append(Document(info, "\n".join(lines), line_paragraphs=True))
    return documents, origin


class StandInEmbedder(Embedder):
    """The real model's identity, with passage vectors made from the real embeddings (see the docstring)."""

    def __init__(self, real: Embedder, base: Base, origin: dict[int, tuple[int, int]], seed: int = 1) -> None:
        super().__init__(real.name, real.fingerprint, real.query_prompt, real.passage_prompt, real.model)
        self._base, self._origin = base, origin
        self._rng = np.random.default_rng(seed)
        self._dimension = real.dimension
        self.seconds = 0.0

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        started = time.perf_counter()
        pairs = np.array([self._origin.get(hash(t.rsplit("\n", 1)[-1]), (0, 0)) for t in texts], dtype=np.int64)
        vectors = blended(self._base.vectors, pairs, self._rng)
        self.seconds += time.perf_counter() - started
        return vectors


def blended(real: np.ndarray, pairs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A stand-in vector per row of `pairs`: the two real vectors' sum plus Gaussian noise of norm
    NOISE × the sum's, normalised (float32)."""
    vectors = real[pairs[:, 0]] + real[pairs[:, 1]]
    noise = rng.standard_normal(vectors.shape).astype(np.float32)
    noise *= NOISE * np.linalg.norm(vectors, axis=1, keepdims=True) / np.linalg.norm(noise, axis=1, keepdims=True)
    vectors += noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32)


class PrecomputedQueries(Embedder):
    """The real embedder whose `embed_query` returns the question's vector computed beforehand."""

    def __init__(self, real: Embedder, vectors: dict[str, np.ndarray]) -> None:
        super().__init__(real.name, real.fingerprint, real.query_prompt, real.passage_prompt, real.model)
        self._vectors = vectors

    def embed_query(self, text: str) -> np.ndarray:
        return self._vectors[text]


# ------------------------------------------------------------------------------- the steps


def build_step(args) -> dict:
    real = load_embedder()
    base = read_base(args.base)
    documents, origin = corpus(base, args.size)
    standin = StandInEmbedder(real, base, origin)
    started = time.perf_counter()
    manifest = build_index(documents, standin, args.dir, [f"benchmark:scale:{args.size}"])
    seconds = time.perf_counter() - started
    live = args.dir / "builds" / (args.dir / "CURRENT").read_text().strip()
    return {"passages": manifest.passage_count, "documents": manifest.document_count,
            "build_s": seconds - standin.seconds, "standin_s": standin.seconds,
            "build_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "disk_mb": disk_mb(live), "vector_index": manifest.vector_index}


def questions() -> list[str]:
    return [q.question for q in read_questions(NORQUAD_QUESTIONS)]


def embed_questions(real: Embedder, texts: list[str]) -> tuple[dict[str, np.ndarray], list[float]]:
    real.embed_query(texts[0])  # warm-up
    vectors, times = {}, []
    for text in texts:
        started = time.perf_counter()
        vectors[text] = real.embed_query(text)
        times.append(1000 * (time.perf_counter() - started))
    return vectors, times


def measure_step(args) -> dict:
    texts = questions()[:args.searches]
    real = load_embedder()
    vectors, embed_times = embed_questions(real, texts)
    embedder = PrecomputedQueries(real, vectors)
    rss_before = rss_mb()
    started = time.perf_counter()
    library = Library.open(args.dir, model=embedder)
    searcher = library.searcher()  # the build is read here: SQLite, memory maps, the FAISS index
    open_s = time.perf_counter() - started
    rss_open = rss_mb()
    result = {"open_s": open_s, "rss_open_mb": rss_open, "rss_model_mb": rss_before,
              "embed_p50": statistics.median(embed_times), "embed_p95": float(np.percentile(embed_times, 95))}
    for mode in MODES:
        library.search(texts[0], 5, mode=mode)  # warm-up
        times = []
        for text in texts:
            started = time.perf_counter()
            library.search(text, 5, mode=mode)
            times.append(1000 * (time.perf_counter() - started))
        result[f"{mode}_p50"] = statistics.median(times)
        result[f"{mode}_p95"] = float(np.percentile(times, 95))
        if mode == MODES[0]:
            result["rss_searched_mb"] = rss_mb()
            result["rss_searched_anon_mb"] = rss_mb("RssAnon")
    result["rss_all_mb"] = rss_mb()
    index = searcher.index
    queries = np.stack([vectors[t] for t in texts]).astype(np.float32)
    exact = index.exact if index.exact is not None else index.vectors_at(np.arange(len(index.passages)))
    found = [searcher.dense_candidates(query, CANDIDATES)[0] for query in queries]  # as the dense leg takes them
    rescored = np.array([rescore(exact, query, rows)[:10] for query, rows in zip(queries, found)])
    result["recall_at_10"] = recall_at(exact_top(exact, queries, 10), rescored)
    return result


def rescore(exact: np.ndarray, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The rows ordered by their exact cosine to the query, as the search's fusion sees them."""
    rows = np.sort(rows)
    return rows[np.argsort(-(np.asarray(exact[rows]) @ query), kind="stable")]


BUNDLED_ROUNDS = 3


def bundled_step(args) -> dict:
    """Hybrid search median on the bundled corpus as a ratio to embedding the question alone: rounds of
    the 20 questions embedded, then searched, alternating; each side's best round median (the machine is
    shared: one round of 20 moved the ratio by ±0.2)."""
    real = load_embedder()
    texts = [q.question for path in (SHARED / "seed_dev.jsonl", HERE / "questions" / "seed_dev_nynorsk.jsonl")
             for q in read_questions(path)][:20]
    embeds, searches = [], []
    with tempfile.TemporaryDirectory() as folder:
        library = Library.open(folder, model=real)
        library.index([bundled_corpus()])
        library.search(texts[0], 5)
        for _ in range(BUNDLED_ROUNDS):
            embeds.append(statistics.median(embed_questions(real, texts)[1]))
            times = []
            for text in texts:
                started = time.perf_counter()
                library.search(text, 5, mode="hybrid")
                times.append(1000 * (time.perf_counter() - started))
            searches.append(statistics.median(times))
    embed, hybrid = min(embeds), min(searches)
    return {"embed_ms": embed, "hybrid_ms": hybrid, "ratio": hybrid / embed,
            "rounds": [round(h / e, 3) for e, h in zip(embeds, searches)]}


def recalibrate_step(args) -> dict:
    """Calibrate an HNSW build's efSearch again with today's `calibrate_ef` (the graph is kept) and
    record it in its manifest: for an index built before the calibration changed, since a 1M build
    takes most of an hour."""
    from kilde.index.store.vector_index import calibrate_ef

    live = args.dir / "builds" / (args.dir / "CURRENT").read_text().strip()
    index = load_index(args.dir)
    before = dict(index.manifest.vector_index)
    ef, recall = calibrate_ef(index.vectors, index.exact, np.random.default_rng(0))
    data = json.loads((live / "manifest.json").read_text(encoding="utf-8"))
    data["vector_index"].update(ef_search=ef, calibration_recall_at_10=round(recall, 4), recalibrated=True)
    (live / "manifest.json").write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return {"before": before, "after": data["vector_index"]}


def run_step(step: str, **options) -> dict:
    command = [sys.executable, __file__, "--step", step]
    for key, value in options.items():
        command += [f"--{key}", str(value)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"scale.py: step {step} {options} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def label(size: int) -> str:
    return f"{size // 1_000_000}M" if size % 1_000_000 == 0 else f"{size // 1_000}k"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k,1m", help="passage counts, comma-separated (10k, 100k, 1m)")
    parser.add_argument("--base", type=Path, default=DEFAULT_BASE, help="a Kilde index of NorQuAD's passages")
    parser.add_argument("--searches", type=int, default=200, help="searches per mode")
    parser.add_argument("--work", type=Path, default=None, help="folder for the indexes (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the indexes built")
    parser.add_argument("--step", choices=("build", "measure", "bundled", "recalibrate"), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step = {"build": build_step, "measure": measure_step, "bundled": bundled_step,
                "recalibrate": recalibrate_step}[args.step]
        print(json.dumps(step(args)))
        return
    work = Path(args.work or tempfile.mkdtemp(prefix="kilde-scale-"))
    rows = []
    try:
        for size in [parse_size(s) for s in args.sizes.split(",")]:
            folder = work / f"index-{label(size)}"
            shutil.rmtree(folder, ignore_errors=True)
            built = run_step("build", size=size, dir=folder, base=args.base)
            print(f"built {label(size)}: {json.dumps(built)}", file=sys.stderr, flush=True)
            measured = run_step("measure", dir=folder, searches=args.searches, base=args.base)
            print(f"measured {label(size)}: {json.dumps(measured)}", file=sys.stderr, flush=True)
            rows.append((label(size), built, measured))
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)
        bundled = run_step("bundled")
    finally:
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print_table(rows, bundled, args.searches)


def print_table(rows, bundled: dict, searches: int) -> None:
    print(f"Kilde at scale: {os.cpu_count()} CPUs; times in ms unless marked; search times exclude the "
          f"question's embedding; {searches} NorQuAD questions per mode")
    header = ["size", "passages", "index", "build s", "disk MB", "open s", "RSS open MB", f"RSS {searches} MB (own)",
              "embed p50", "embed p95"] + [f"{m} {p}" for m in MODES for p in ("p50", "p95")] + ["recall@10"]
    print(" | ".join(header))
    for size, built, measured in rows:
        kind = built["vector_index"]["type"]
        if kind == "ivf":
            kind += f" {built['vector_index']['nlist']}/{built['vector_index']['nprobe']}"
        elif kind == "hnsw":
            kind += f" ef {built['vector_index']['ef_search']}"
        cells = [size, str(built["passages"]), kind, f"{built['build_s']:.0f}", f"{built['disk_mb']:.0f}",
                 f"{measured['open_s']:.2f}", f"{measured['rss_open_mb']:.0f}",
                 f"{measured['rss_searched_mb']:.0f} ({measured.get('rss_searched_anon_mb', float('nan')):.0f})",
                 f"{measured['embed_p50']:.1f}", f"{measured['embed_p95']:.1f}"]
        cells += [f"{measured[f'{m}_{p}']:.1f}" for m in MODES for p in ("p50", "p95")]
        cells.append(f"{measured['recall_at_10']:.3f}")
        print(" | ".join(cells))
    print(f"bundled corpus: hybrid median {bundled['hybrid_ms']:.1f} ms, embedding the question "
          f"{bundled['embed_ms']:.1f} ms: {bundled['ratio']:.2f}× (target ≤ 1.5×; "
          f"round by round {', '.join(f'{r:.2f}' for r in bundled['rounds'])})")


if __name__ == "__main__":
    main()
