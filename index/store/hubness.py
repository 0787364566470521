"""How crowded each passage's neighbourhood is: the mean cosine to its nearest other passages.

Some paragraphs are near everything their corpus is about: a lead-in («Regjeringen skal rette sin
innsats … gjennom denne nye opptrappingsplanen»), a party's summary of its whole programme. In the
embedding space they are *hubs* (Radovanović et al., 2010): near every question on the topic,
they outrank the paragraph that answers it by a few thousandths of a cosine. The standard remedy in
cross-lingual retrieval is CSLS (Conneau et al., 2018, «Word translation without parallel data»):
rank by `2·cos(q, p) − r(q) − r(p)`, where `r(p)` is the mean cosine of `p` to its 10 nearest
neighbours. For one question `r(q)` is the same for every passage, so the ranking is `cos(q, p) −
½·r(p)`: the fusion subtracts `Fusion.hubness` × (r(p) − the corpus' mean r) from the hybrid score
(`kilde.index.retrieval.fusion`). It reads nothing but the corpus' own vectors, so it carries to any
corpus without questions to fit on.

Measured (`python benchmarks/hubness.py`, the tuning questions and NorQuAD validation): with
CSLS' own k = 10 and weight ½, tuning R@1 / R@3 per language nb 0.812 / 0.969 → 0.844 / 0.938,
nn 0.800 / 0.960 → 0.840 / 0.960, en 0.520 / 0.800 → 0.560 / 0.960, NorQuAD validation R@1 / R@5 /
MRR@10 0.924 / 0.981 / 0.949 → 0.924 / 0.987 / 0.950.

The values are computed once per build (`passage-hubness.npy`), from every row: an exact scan in
blocks up to `EXACT_LIMIT` rows, the build's own FAISS index above (approximate neighbours, searched
with `GRAPH_EF_SEARCH`): on this 2-core machine 16–18 s for a 100k-passage HNSW index, against 34–39 s
to build its graph and some 12 minutes to embed its passages, and 349 s at 1M, against 626 s for the
graph (`benchmarks/hubness.txt`; mean error against an exact scan 0.0001 at 100k, 0.0009 at 1M, a
sixth of the values' spread). A build made before this file existed computes them when it is opened
(`StoredIndex.passage_hubness`).
"""

from __future__ import annotations

import faiss
import numpy as np

HUBNESS_FILE = "passage-hubness.npy"
NEIGHBOURS = 10  # CSLS' k (Conneau et al., 2018); 3, 5 and 20 measured in benchmarks/hubness.py
EXACT_LIMIT = 20_000  # an exact scan of 20k rows against 20k is ~1.5·10¹¹ multiply-adds: seconds
BLOCK = 1024  # rows scored at once by the exact scan: a 1024 × N float32 block (80 MB at 20k)
SEARCH_BATCH = 16_384  # rows searched at once through the FAISS index
# efSearch for these searches, not the build's calibrated one (which a question's 100 candidates need):
# on benchmarks/hubness.py's 100k stand-in index, against an exact scan of 1,000 rows, efSearch 16 / 32 /
# 64 / 128 / 384 took 5.6 / 8.9 / 16.0 / 30.5 / 87.4 s, with a correlation of 0.953 / 0.991 / 0.9997 /
# 0.9997 / 0.9998 and a largest error of 0.029 / 0.018 / 0.0015 / 0.0015 / 0.0015.
GRAPH_EF_SEARCH = 64


def passage_hubness(exact: np.ndarray, index: faiss.Index | None = None, k: int = NEIGHBOURS) -> np.ndarray:
    """Per row of `exact` (normalised float32 vectors), the mean cosine to its `k` nearest other rows.

    Exact up to EXACT_LIMIT rows (or without `index`); above, through `index`, which holds `exact`'s
    rows in order. A row's identical twin (the same text in two places) counts as a neighbour."""
    count = len(exact)
    k = min(k, count - 1)
    if k < 1:
        return np.zeros(count, dtype=np.float32)
    if index is None or count <= EXACT_LIMIT:
        return _exact(exact, k)
    return _searched(exact, index, k)


def excess(hubness: np.ndarray) -> np.ndarray:
    """Each passage's hubness minus the corpus' mean: what the fusion takes `Fusion.hubness` of."""
    return hubness - (float(hubness.mean()) if hubness.size else 0.0)


def _exact(exact: np.ndarray, k: int) -> np.ndarray:
    matrix = np.ascontiguousarray(exact, dtype=np.float32)
    hubness = np.empty(len(matrix), dtype=np.float32)
    for start in range(0, len(matrix), BLOCK):
        scores = matrix[start:start + BLOCK] @ matrix.T
        scores[np.arange(len(scores)), np.arange(start, start + len(scores))] = -np.inf  # not its own neighbour
        hubness[start:start + len(scores)] = np.partition(scores, -k, axis=1)[:, -k:].mean(axis=1)
    return hubness


def _searched(exact: np.ndarray, index: faiss.Index, k: int) -> np.ndarray:
    graph = getattr(faiss.downcast_index(index), "hnsw", None)
    calibrated = graph.efSearch if graph is not None else None
    if graph is not None:
        graph.efSearch = max(GRAPH_EF_SEARCH, k + 1)
    try:
        return _search_all(exact, index, k)
    finally:
        if graph is not None:
            graph.efSearch = calibrated


def _search_all(exact: np.ndarray, index: faiss.Index, k: int) -> np.ndarray:
    hubness = np.empty(len(exact), dtype=np.float32)
    for start in range(0, len(exact), SEARCH_BATCH):
        batch = np.ascontiguousarray(exact[start:start + SEARCH_BATCH], dtype=np.float32)
        scores, rows = index.search(batch, k + 1)
        own = rows == np.arange(start, start + len(batch))[:, None]
        own[~own.any(axis=1), -1] = True  # the row itself not found: drop the farthest instead
        kept = np.where(own | (rows < 0), np.nan, scores)
        with np.errstate(invalid="ignore"):
            hubness[start:start + len(batch)] = np.nanmean(kept, axis=1)
    unknown = np.isnan(hubness)  # no neighbour found at all (a graph's isolated row): the corpus' mean
    hubness[unknown] = float(np.nanmean(hubness)) if (~unknown).any() else 0.0
    return hubness
