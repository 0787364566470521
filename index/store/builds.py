"""Persist passages and their vectors as a FAISS index with a manifest.

A build holds the FAISS vectors, two BM25 indexes (over passages and over whole
documents), the passages and the documents' metadata. An index folder holds
`CURRENT` (the name of the live build) and `builds/`.
A build is written into a fresh folder and only then made live by atomically
replacing `CURRENT`, so a crash mid-build leaves the previous index in use.

Builds are incremental: each vector is stored with a key, the sha256 of the model and
the exact text embedded, and a new build takes the vectors of unchanged passages from
the live build instead of embedding them again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from importlib.metadata import version
from pathlib import Path

import faiss
import numpy as np
from filelock import FileLock

from kilde.index.documents.reader import Document, DocumentInfo, corpus_hash
from kilde.index.model.embedder import Embedder
from kilde.index.errors import IndexStateError
from kilde.index.retrieval.lexical import LexicalIndex
from kilde.index.notices import notify
from kilde.index.documents.passages import Passage, split_document
from kilde.index.documents.sources import Source, from_manifest, sources_of

MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"
PASSAGES = "passages.jsonl"
DOCUMENTS = "documents.jsonl"
LEXICAL_PASSAGES = "bm25-passages"
LEXICAL_DOCUMENTS = "bm25-documents"
VECTOR_KEYS = "vector-keys.txt"  # one key a line, in `passages` order


@dataclass(frozen=True)
class Manifest:
    kilde_version: str
    model_name: str
    model_fingerprint: str
    dimension: int
    corpus_hash: str
    passage_count: int
    document_count: int
    sources: list[str]
    built_at: str
    build_seconds: float
    # Added for `kilde add` / `kilde remove` and incremental builds; older manifests lack them.
    # Per source path with any: {"overrides": {field: value}, "exclude": [document id, ...]}.
    source_options: dict[str, dict] = field(default_factory=dict)
    # One record a document: {"id", "content_hash", "source", "ingested_at", "retrieved"}.
    documents: list[dict] = field(default_factory=list)
    embedded: int = 0  # passages embedded by this build
    reused: int = 0  # passages whose vectors this build took from the previous one

    def source_list(self) -> list[Source]:
        return from_manifest(self.sources, self.source_options)


@dataclass
class StoredIndex:
    manifest: Manifest
    vectors: faiss.Index
    passages: list[Passage]
    documents: dict[str, DocumentInfo]
    lexical: LexicalIndex  # one entry per passage, in `passages` order
    document_lexical: LexicalIndex  # one entry per document, in `document_order`
    document_order: list[str]


EmbedTexts = Callable[[list[str]], np.ndarray]  # passage texts -> normalised vectors, one row a text


def build_index(documents: list[Document], embedder: Embedder, index_dir: Path,
                sources: Sequence[str | Source], progress: bool = False,
                embed: EmbedTexts | None = None) -> Manifest:
    """Make `documents` the live index of `index_dir`, embedding only passages the live build lacks.

    `sources` (paths, or `Source`s with their overrides and exclusions) is what the documents
    were read from; reading it again must give the same documents. `embed`, when given, embeds
    the missing passages instead of `embedder.embed_passages` (a Ray cluster's workers:
    `kilde.index.cluster.ray_embed`); it must give the vectors `embedder` would.
    """
    started = time.monotonic()
    sources = [s if isinstance(s, Source) else sources_of([s])[0] for s in sources]
    previous = _previous_manifest(index_dir)
    passages = [p for doc in documents for p in split_document(doc)]
    texts = [p.embedding_text() for p in passages]
    notify("index.passages", documents=len(documents), passages=len(passages))
    keys = [vector_key(embedder, text) for text in texts]
    vectors, reused = _vectors(index_dir, embedder, texts, keys, progress, embed)
    index = faiss.IndexFlatIP(embedder.dimension)
    index.add(vectors)
    lexical = LexicalIndex.build(texts)
    document_lexical = LexicalIndex.build([f"{doc.info.title}\n{doc.text}" for doc in documents])
    built_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    records = _document_records(documents, previous, built_at)
    infos = [replace(doc.info, retrieved=record["retrieved"]) for doc, record in zip(documents, records)]
    manifest = Manifest(
        kilde_version=version("kilde"), model_name=embedder.name, model_fingerprint=embedder.fingerprint,
        dimension=embedder.dimension, corpus_hash=corpus_hash(documents), passage_count=len(passages),
        document_count=len(documents), sources=[s.path for s in sources],
        built_at=built_at, build_seconds=round(time.monotonic() - started, 2),
        source_options={s.path: s.options() for s in sources if s.options()},
        documents=records, embedded=len(passages) - reused, reused=reused,
    )
    _publish(index_dir, manifest, index, passages, infos, lexical, document_lexical, keys)
    return manifest


def vector_key(embedder: Embedder, text: str) -> str:
    """Identifies a passage's vector: the model (name, weights, prompt) and the exact text embedded."""
    payload = json.dumps([embedder.name, embedder.fingerprint, embedder.passage_prompt, text], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _vectors(index_dir: Path, embedder: Embedder, texts: list[str], keys: list[str],
             progress: bool, embed: EmbedTexts | None = None) -> tuple[np.ndarray, int]:
    """One vector per text, in order, and how many came from the live build."""
    rows, old = _previous_vectors(index_dir, embedder)
    missing: dict[str, str] = {}  # key -> text, each text embedded once
    for key, text in zip(keys, texts):
        if key not in rows:
            missing.setdefault(key, text)
    reused = sum(key in rows for key in keys)
    notify("index.embedding", new=len(keys) - reused, reused=reused)
    embed = embed or (lambda batch: embedder.embed_passages(batch, progress=progress))
    fresh = embed(list(missing.values())) if missing else None
    new_rows = {key: row for row, key in enumerate(missing)}
    vectors = np.zeros((len(keys), embedder.dimension), np.float32)
    for i, key in enumerate(keys):
        vectors[i] = old[rows[key]] if key in rows else fresh[new_rows[key]]
    return vectors, reused


def _previous_vectors(index_dir: Path, embedder: Embedder) -> tuple[dict[str, int], np.ndarray | None]:
    """The live build's vectors by key; nothing when there is none or it cannot be read."""
    try:
        live = _live_build(index_dir)
        if live is None:
            return {}, None
        keys = (live / VECTOR_KEYS).read_text(encoding="utf-8").split()
        index = faiss.read_index(str(live / VECTORS))
        if index.ntotal != len(keys) or index.d != embedder.dimension:
            return {}, None
        vectors = index.reconstruct_n(0, index.ntotal)
    except (OSError, RuntimeError, ValueError, IndexStateError):  # no keys (an older build), or a broken one
        return {}, None
    return {key: row for row, key in enumerate(keys)}, vectors


def _previous_manifest(index_dir: Path) -> Manifest | None:
    try:
        return read_manifest(index_dir)
    except IndexStateError:
        return None


def _document_records(documents: list[Document], previous: Manifest | None, now: str) -> list[dict]:
    """Each document's content hash and when it was ingested (kept while its content is unchanged).

    A web document (one with a URL) that does not say when it was retrieved counts as
    retrieved the day it was ingested.
    """
    before = {record.get("id"): record for record in previous.documents} if previous else {}
    records = []
    for doc in documents:
        content_hash = doc.content_hash
        earlier = before.get(doc.info.id, {})
        ingested_at = earlier.get("ingested_at") if earlier.get("content_hash") == content_hash else None
        ingested_at = ingested_at or now
        retrieved = doc.info.retrieved or (ingested_at[:10] if doc.info.url else "")
        records.append({"id": doc.info.id, "content_hash": content_hash, "source": doc.info.source,
                        "ingested_at": ingested_at, "retrieved": retrieved})
    return records


def _publish(index_dir: Path, manifest: Manifest, index: faiss.Index, passages: list[Passage],
             infos: list[DocumentInfo], lexical: LexicalIndex, document_lexical: LexicalIndex,
             keys: list[str]) -> None:
    builds = index_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    with FileLock(str(index_dir / ".lock")):
        name = time.strftime("%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:8]
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=builds))
        faiss.write_index(index, str(staging / VECTORS))
        (staging / VECTOR_KEYS).write_text("".join(key + "\n" for key in keys), encoding="utf-8")
        _write_jsonl(staging / PASSAGES, (asdict(p) for p in passages))
        _write_jsonl(staging / DOCUMENTS, (info.as_json() for info in infos))
        lexical.save(staging / LEXICAL_PASSAGES)
        document_lexical.save(staging / LEXICAL_DOCUMENTS)
        (staging / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2, ensure_ascii=False))
        os.replace(staging, builds / name)
        pointer = index_dir / f".CURRENT.{uuid.uuid4().hex}"
        pointer.write_text(name)
        _fsync(pointer)
        os.replace(pointer, index_dir / "CURRENT")
        for old in builds.iterdir():  # earlier builds and staging left by crashed runs
            if old.name != name:
                shutil.rmtree(old, ignore_errors=True)


def _write_jsonl(path: Path, records) -> None:
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
        os.fsync(out.fileno())


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def read_manifest(index_dir: Path) -> Manifest | None:
    """The live build's manifest, or None if the folder holds no index yet."""
    live = _live_build(index_dir)
    if live is None:
        return None
    try:
        return Manifest(**json.loads((live / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        raise IndexStateError("index.broken", path=str(index_dir)) from exc


def load_index(index_dir: Path) -> StoredIndex:
    manifest = read_manifest(index_dir)
    if manifest is None:
        raise IndexStateError("index.missing", path=str(index_dir))
    live = _live_build(index_dir)
    try:
        vectors = faiss.read_index(str(live / VECTORS))
        passages = [Passage(**r) for r in _read_jsonl(live / PASSAGES)]
        infos = [DocumentInfo.from_json(r) for r in _read_jsonl(live / DOCUMENTS)]
        lexical = LexicalIndex.load(live / LEXICAL_PASSAGES)
        document_lexical = LexicalIndex.load(live / LEXICAL_DOCUMENTS)
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as exc:
        raise IndexStateError("index.broken", path=str(index_dir)) from exc
    if not vectors.ntotal == len(passages) == manifest.passage_count == lexical.size or (
            document_lexical.size != len(infos)):
        raise IndexStateError("index.broken", path=str(index_dir))
    return StoredIndex(manifest, vectors, passages, {info.id: info for info in infos}, lexical,
                       document_lexical, [info.id for info in infos])


def check_model(manifest: Manifest, embedder: Embedder, index_dir: Path) -> None:
    """Refuse to search an index with vectors from another model."""
    if (manifest.model_name, manifest.model_fingerprint, manifest.dimension) != (
            embedder.name, embedder.fingerprint, embedder.dimension):
        raise IndexStateError("index.other_model", path=str(index_dir),
                              built_with=manifest.model_name, requested=embedder.name)


def _live_build(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return None
    build = index_dir / "builds" / name
    if not name or not build.is_dir():
        raise IndexStateError("index.broken", path=str(index_dir))
    return build


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]
