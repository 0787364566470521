"""The vectors on disk: exact rows in a float32 .npy, searched through a FAISS index that
follows the corpus size.

- `vectors.npy` holds every passage's vector, row by row, memory-mapped when opened: exact
  cosines for re-scoring (`StoredIndex.vectors_at`) and the vectors an incremental build reuses.
- `vectors.faiss` is exact (`IndexFlatIP`) below `FLAT_LIMIT` passages and an inverted file
  (`IndexIVFFlat`, nlist ≈ 4·√N) above. Both are read with FAISS' mmap flags, so opening costs
  no copy of the vectors.

Measured for the limit (`/tmp` script, 384-d normalised vectors, one question, k=100, faiss 1.15.1,
one thread, the shared 2-core machine at load 15): flat p50 0.4 ms at 10k, 2.8 ms at 25k, 13.7 ms at
50k, 30.8 ms at 100k; IVF (nlist 4·√N, nprobe nlist/20) 0.1, 0.2, 0.35, 0.6 ms. Above ~20k
passages the flat scan alone would eat the 10 ms budget a search has at 100k, so IVF starts there.
HNSW was not chosen: it cannot remove vectors and needs efConstruction ≥ 128 to reach the recall.

nprobe is not guessed: the build measures Recall@10 of the IVF index against the exact search
on pseudo-questions made from its own vectors (a stored vector plus noise, normalised) and takes the
smallest nprobe that reaches `CALIBRATION_RECALL`, a margin over the 0.95 target for real questions.
`KILDE_VECTOR_INDEX=ivf` (or `build_index(..., vector_index="ivf")`) forces the inverted file on a
small corpus, to measure its quality there; `flat` forces the exact one.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import faiss
import numpy as np

EXACT_FILE = "vectors.npy"
INDEX_FILE = "vectors.faiss"
FLAT_LIMIT = 20_000
KIND_VARIABLE = "KILDE_VECTOR_INDEX"
KINDS = ("auto", "flat", "ivf")
CALIBRATION_RECALL = 0.97
CALIBRATION_QUERIES = 300
CALIBRATION_NOISE = 0.6  # noise norm beside a unit vector: the pseudo-question's cosine to its row ≈ 0.86
NPROBES = (1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)
TRAINING_PER_LIST = 39  # FAISS' own minimum of training points per centroid
KMEANS_ITERATIONS = 12
ADD_BATCH = 65_536


def choose_kind(count: int, requested: str | None = None) -> str:
    requested = (requested or os.environ.get(KIND_VARIABLE) or "auto").strip().lower()
    if requested not in KINDS:
        raise ValueError(f"{KIND_VARIABLE} must be one of {KINDS}, not {requested!r}")
    if requested != "auto":
        return requested
    return "ivf" if count >= FLAT_LIMIT else "flat"


def build_vector_index(exact: np.ndarray, kind: str, seed: int = 0) -> tuple[faiss.Index, dict]:
    """A FAISS index over `exact` (rows of normalised float32 vectors, a memmap is fine) and its
    parameters for the manifest."""
    count, dimension = exact.shape
    if kind == "flat" or count == 0:
        index = faiss.IndexFlatIP(dimension)
        for start in range(0, count, ADD_BATCH):
            index.add(np.ascontiguousarray(exact[start:start + ADD_BATCH]))
        return index, {"type": "flat"}
    nlist = max(1, min(round(4 * math.sqrt(count)), count))
    rng = np.random.default_rng(seed)
    sample_size = min(count, TRAINING_PER_LIST * nlist)
    sample = np.ascontiguousarray(exact[np.sort(rng.choice(count, sample_size, replace=False))])
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, nlist, faiss.METRIC_INNER_PRODUCT)
    index.cp.niter = KMEANS_ITERATIONS
    index.cp.min_points_per_centroid = 1  # a small forced corpus: fewer than 39 points a list is fine
    index.cp.seed = seed
    index.train(sample)
    del sample
    for start in range(0, count, ADD_BATCH):
        index.add(np.ascontiguousarray(exact[start:start + ADD_BATCH]))
    index.make_direct_map()  # reconstruct() by row, for code that re-scores through FAISS
    nprobe, recall = calibrate_nprobe(index, exact, rng)
    index.nprobe = nprobe
    return index, {"type": "ivf", "nlist": nlist, "nprobe": nprobe, "trained_on": sample_size,
                   "calibration_recall_at_10": round(recall, 4)}


def calibrate_nprobe(index: faiss.IndexIVF, exact: np.ndarray, rng: np.random.Generator) -> tuple[int, float]:
    """The smallest nprobe whose Recall@10 against exact search reaches CALIBRATION_RECALL."""
    count, dimension = exact.shape
    rows = np.sort(rng.choice(count, min(CALIBRATION_QUERIES, count), replace=False))
    noise = rng.standard_normal((len(rows), dimension)).astype(np.float32)
    noise *= CALIBRATION_NOISE / np.linalg.norm(noise, axis=1, keepdims=True)
    queries = np.asarray(exact[rows], dtype=np.float32) + noise
    faiss.normalize_L2(queries)
    truth = exact_top(exact, queries, 10)
    best = (index.nlist, 1.0)
    for nprobe in (p for p in NPROBES if p < index.nlist):
        index.nprobe = nprobe
        _, found = index.search(queries, 10)
        recall = recall_at(truth, found)
        if recall >= CALIBRATION_RECALL:
            return nprobe, recall
    return best


def exact_top(exact: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Row numbers of the k best inner products per query, scanning `exact` a slice at a time."""
    scores, rows = [], []
    for start in range(0, len(exact), ADD_BATCH):
        part = queries @ np.asarray(exact[start:start + ADD_BATCH]).T
        keep = min(k, part.shape[1])
        top = np.argpartition(-part, keep - 1, axis=1)[:, :keep]
        scores.append(np.take_along_axis(part, top, axis=1))
        rows.append(top + start)
    scores, rows = np.concatenate(scores, axis=1), np.concatenate(rows, axis=1)
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(rows, order, axis=1)


def recall_at(truth: np.ndarray, found: np.ndarray) -> float:
    """Share of the exact top-k rows that the approximate search also returned."""
    k = truth.shape[1]
    return float(np.mean([len(set(t) & set(f[:k])) / k for t, f in zip(truth.tolist(), found.tolist())]))


def open_vector_index(path: Path, parameters: dict) -> faiss.Index:
    """The FAISS index of a build, memory-mapped; an IVF index gets the nprobe its build measured."""
    if parameters.get("type") == "ivf":
        index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
        faiss.extract_index_ivf(index).nprobe = int(parameters["nprobe"])
        return index
    return faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC)


def open_exact(path: Path) -> np.ndarray:
    return np.load(str(path), mmap_mode="r")


def new_exact(path: Path, count: int, dimension: int) -> np.ndarray:
    """A writable memmap for a build's vectors, filled row by row and flushed before publishing."""
    return np.lib.format.open_memmap(str(path), mode="w+", dtype=np.float32, shape=(count, dimension))
