"""The vectors on disk: exact rows in a float32 .npy, searched through a FAISS index that
follows the corpus size.

- `vectors.npy` holds every passage's vector, row by row: exact cosines for re-scoring, read row by
  row (`ExactRows`, `StoredIndex.vectors_at`), and, memory-mapped, the vectors an incremental build reuses.
- `vectors.faiss` is exact (`IndexFlatIP`) below `FLAT_LIMIT` passages and a graph (`IndexHNSWSQ`:
  HNSW, M = 32, efConstruction = 128, over 8-bit scalar-quantised vectors) above. The graph's
  candidates are re-scored with the exact vectors by the search (`Evidence.cosine`), so the
  quantisation changes which 100 candidates are found, not their scores. An inverted file
  (`IndexIVFFlat`, nlist ≈ 4·√N) is kept as an option (`KILDE_VECTOR_INDEX=ivf`).

Measured for the limit (`/tmp` script, 384-d normalised vectors, one question, k=100, faiss 1.15.1,
one thread, the shared 2-core machine at load 15): flat p50 0.4 ms at 10k, 2.8 ms at 25k, 13.7 ms at
50k, 30.8 ms at 100k. Above ~20k passages the flat scan alone would eat the 10 ms budget a search
has at 100k, so the approximate index starts there.

Why HNSW and not IVF (`benchmarks/scale.py`'s 100k index, its 472 NorQuAD questions, Recall@10
against an exact scan, k = 100 then re-scored, one thread, 2 Dec 2026): the benchmark's vectors
blend two real passages each, so a passage's nearest neighbours share one half with it and lie in
many IVF cells; the inverted file (nlist 1,255) needed nprobe 384 (31 % of the vectors scanned) for
0.929 and 512 for 0.957, p50 8.8 / 10.0 ms for the FAISS search alone. HNSW-SQ8 reached 0.955 at
efSearch 128 and 0.974 at 192 with p50 0.6 / 1.2 ms; HNSW-Flat M = 32 0.959 at 128, but keeps
float32 vectors in RAM (1.5 GB more at 1M). HNSW costs build time: 182 s at 100k on the loaded
2-core machine against 24 s for the IVF, paid once per build, beside an embedding of the same
passages that takes ~12 minutes on the fastest backend. HNSW cannot remove vectors: a build that
removes or changes passages builds the graph anew, one that only appends extends the previous one
(`build_vector_index(grown=…)`).

The search parameter is not guessed: the build measures Recall@10 against the exact search on
pseudo-questions made from its own vectors (a stored vector plus noise, normalised) and takes the
smallest efSearch that reaches `HNSW_CALIBRATION_RECALL` (nprobe for IVF: `CALIBRATION_RECALL`).
At noise 0.6 these pseudo-questions are as hard as real ones for the IVF (on the 100k index within
0.03 of the NorQuAD questions' recall at every nprobe from 1 to 512) and harder for the graph (see
`HNSW_CALIBRATION_RECALL`). `KILDE_VECTOR_INDEX=hnsw|ivf` (or
`build_index(..., vector_index=…)`) forces an approximate index on a small corpus, to measure its
quality there; `flat` forces the exact one.
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
KINDS = ("auto", "flat", "hnsw", "ivf")
LARGE_KIND = "hnsw"  # what `auto` takes from FLAT_LIMIT on
CALIBRATION_RECALL = 0.97
CALIBRATION_QUERIES = 300
CALIBRATION_NOISE = 0.6  # noise norm beside a unit vector: the pseudo-question's cosine to its row ≈ 0.86
NPROBES = (1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 128  # the floor for the recall on these vectors
EF_SEARCHES = (100, 128, 160, 192, 256, 384, 512, 768, 1024, 1536, 2048)  # never below a leg's 100 candidates
# The graph's pseudo-questions are harder than real ones: on the benchmark's 1M index real questions'
# Recall@10 was 0.929 / 0.944 / 0.950 / 0.960 at efSearch 512 / 768 / 1024 / 1536 where the
# pseudo-questions' was 0.900 / 0.921 / 0.933 / 0.945 (at 100k: 0.988 against 0.971 at 384), so the
# graph is calibrated to the 0.95 the search needs, without the IVF's margin.
HNSW_CALIBRATION_RECALL = 0.95
CALIBRATION_CANDIDATES = 100  # as many as a search takes (`search.CANDIDATES`), re-scored exactly
TRAINING_PER_LIST = 39  # FAISS' own minimum of training points per centroid
KMEANS_ITERATIONS = 12
ADD_BATCH = 65_536


def choose_kind(count: int, requested: str | None = None) -> str:
    requested = (requested or os.environ.get(KIND_VARIABLE) or "auto").strip().lower()
    if requested not in KINDS:
        raise ValueError(f"{KIND_VARIABLE} must be one of {KINDS}, not {requested!r}")
    if requested != "auto":
        return requested
    return LARGE_KIND if count >= FLAT_LIMIT else "flat"


def build_vector_index(exact: np.ndarray, kind: str, seed: int = 0,
                       grown: faiss.Index | None = None) -> tuple[faiss.Index, dict]:
    """A FAISS index over `exact` (rows of normalised float32 vectors, a memmap is fine) and its
    parameters for the manifest.

    `grown`, an HNSW index of the previous build whose rows are the first rows of `exact` (an `add`
    that appends documents), is extended with the new rows instead of building the graph again:
    inserting is how HNSW builds its graph anyway, and at a million passages the whole graph costs
    tens of minutes on 2 cores while the rows of one added document cost a fraction of a second."""
    count, dimension = exact.shape
    if kind == "flat" or count == 0:
        index = faiss.IndexFlatIP(dimension)
        for start in range(0, count, ADD_BATCH):
            index.add(np.ascontiguousarray(exact[start:start + ADD_BATCH]))
        return index, {"type": "flat"}
    rng = np.random.default_rng(seed)
    if kind == "hnsw":
        return _build_hnsw(exact, rng, grown)
    nlist = max(1, min(round(4 * math.sqrt(count)), count))
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


def _build_hnsw(exact: np.ndarray, rng: np.random.Generator,
                grown: faiss.Index | None = None) -> tuple[faiss.Index, dict]:
    count, dimension = exact.shape
    kept = 0
    if grown is not None and grown.d == dimension and grown.ntotal <= count:
        index, kept = grown, grown.ntotal  # read_index gives the concrete (owning) IndexHNSWSQ
    else:
        index = faiss.IndexHNSWSQ(dimension, faiss.ScalarQuantizer.QT_8bit, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        sample_size = min(count, 100_000)  # the quantiser learns each dimension's range
        index.train(np.ascontiguousarray(exact[np.sort(rng.choice(count, sample_size, replace=False))]))
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    for start in range(kept, count, ADD_BATCH):
        index.add(np.ascontiguousarray(exact[start:min(start + ADD_BATCH, count)]))
    chosen, recall = calibrate_ef(index, exact, rng)
    return index, {"type": "hnsw", "m": HNSW_M, "ef_construction": HNSW_EF_CONSTRUCTION, "ef_search": chosen,
                   "calibration_recall_at_10": round(recall, 4), "rows_kept": kept}


def calibrate_ef(index: faiss.Index, exact: np.ndarray, rng: np.random.Generator) -> tuple[int, float]:
    """The smallest efSearch whose re-scored Recall@10 on pseudo-questions reaches
    HNSW_CALIBRATION_RECALL (the largest tried when none does); it is set on `index`."""
    queries, truth = pseudo_questions(exact, rng)
    graph = faiss.downcast_index(index).hnsw
    chosen, recall = EF_SEARCHES[-1], 0.0
    for ef in EF_SEARCHES:
        recall = _rescored_recall(index, exact, queries, truth, faiss.SearchParametersHNSW(efSearch=ef))
        if recall >= HNSW_CALIBRATION_RECALL:
            chosen = ef
            break
    graph.efSearch = chosen
    return chosen, recall


def pseudo_questions(exact: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """CALIBRATION_QUERIES stored vectors plus noise of norm CALIBRATION_NOISE, and their exact top 10."""
    count, dimension = exact.shape
    rows = np.sort(rng.choice(count, min(CALIBRATION_QUERIES, count), replace=False))
    noise = rng.standard_normal((len(rows), dimension)).astype(np.float32)
    noise *= CALIBRATION_NOISE / np.linalg.norm(noise, axis=1, keepdims=True)
    queries = np.asarray(exact[rows], dtype=np.float32) + noise
    faiss.normalize_L2(queries)
    return queries, exact_top(exact, queries, 10)


def _rescored_recall(index: faiss.Index, exact: np.ndarray, queries: np.ndarray, truth: np.ndarray,
                     params: faiss.SearchParameters) -> float:
    """Recall@10 of the top CALIBRATION_CANDIDATES re-scored with the exact vectors, as a search does."""
    _, found = index.search(queries, CALIBRATION_CANDIDATES, params=params)
    best = []
    for query, rows in zip(queries, found):
        rows = rows[rows >= 0]
        scores = np.asarray(exact[np.sort(rows)], dtype=np.float32) @ query
        best.append(np.sort(rows)[np.argsort(-scores, kind="stable")][:10])
    return recall_at(truth, np.array(best))


def calibrate_nprobe(index: faiss.IndexIVF, exact: np.ndarray, rng: np.random.Generator) -> tuple[int, float]:
    """The smallest nprobe whose Recall@10 against exact search reaches CALIBRATION_RECALL."""
    queries, truth = pseudo_questions(exact, rng)
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
    """The FAISS index of a build, memory-mapped where FAISS can (flat, IVF lists; an HNSW graph is
    read into memory); an approximate index gets the search parameter its build measured."""
    if parameters.get("type") == "hnsw":
        index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC)  # the quantised codes stay on disk
        faiss.downcast_index(index).hnsw.efSearch = int(parameters["ef_search"])
        return index
    if parameters.get("type") == "ivf":
        index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
        faiss.extract_index_ivf(index).nprobe = int(parameters["nprobe"])
        return index
    return faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC)


def open_exact(path: Path) -> np.ndarray:
    """`vectors.npy` memory-mapped, for reading all of it or long runs of it (a build reusing the previous
    build's rows, an export). A search reads its rows with `ExactRows` instead."""
    return np.load(str(path), mmap_mode="r")


class ExactRows:
    """Chosen rows of `vectors.npy` read with `preadv` into one array: what a search re-scores.

    Why not the memory map: a search reads some 200 scattered rows (1.5 kB each). Through a map, the
    kernel's read-ahead pulled in each row's neighbourhood (1,173 MB of the 1.5 GB file resident after
    200 searches at 1M); with `MADV_RANDOM` it still maps the cached pages around each page touched
    (fault-around), so a warm page cache left VmRSS at 3.11 GB (RssAnon 0.96 GB). A read puts the pages
    in the page cache only, which is not the process' memory: `benchmarks/scale.txt` has the figures.
    Runs of consecutive rows (a document's passages, a filter's rows) are one read each."""

    def __init__(self, path: Path, layout: np.ndarray) -> None:
        """`layout`: the file's memory map (`open_exact`), for where its rows start and their shape."""
        if layout.dtype != np.dtype("<f4") or layout.ndim != 2 or not layout.flags.c_contiguous:
            raise ValueError(f"{path}: not rows of little-endian float32")
        self.count, self.dimension = layout.shape
        self.start = int(layout.offset)
        self.row_bytes = 4 * self.dimension
        self._file = open(path, "rb", buffering=0)  # held like a map: a published build may be replaced meanwhile
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(self._file.fileno(), 0, 0, os.POSIX_FADV_RANDOM)

    def read(self, rows: np.ndarray) -> np.ndarray:
        """The float32 vectors of `rows` (any order, repeats allowed), in that order."""
        rows = np.asarray(rows, dtype=np.int64).reshape(-1)
        if rows.size == 0:
            return np.empty((0, self.dimension), np.float32)
        unique, inverse = np.unique(rows, return_inverse=True)
        if unique[0] < 0 or unique[-1] >= self.count:
            raise IndexError(f"rows outside 0..{self.count - 1}")
        out = np.empty((len(unique), self.dimension), np.float32)
        buffer = memoryview(out).cast("B")
        breaks = np.flatnonzero(np.diff(unique) != 1) + 1
        firsts = np.concatenate(([0], breaks)).tolist()
        for first, end in zip(firsts, np.concatenate((breaks, [len(unique)])).tolist()):
            self._read_into(buffer[first * self.row_bytes:end * self.row_bytes],
                            self.start + int(unique[first]) * self.row_bytes)
        return out[inverse]

    def _read_into(self, target: memoryview, offset: int) -> None:
        while len(target):
            got = os.preadv(self._file.fileno(), [target], offset)
            if got <= 0:
                raise OSError(f"{self._file.name} ends before its rows do")
            target, offset = target[got:], offset + got


def new_exact(path: Path, count: int, dimension: int) -> np.ndarray:
    """A writable memmap for a build's vectors, filled row by row and flushed before publishing."""
    return np.lib.format.open_memmap(str(path), mode="w+", dtype=np.float32, shape=(count, dimension))
