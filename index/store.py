"""Persist passages and their vectors as a FAISS index with a manifest.

A build holds the FAISS vectors, two BM25 indexes (over passages and over whole
documents), the passages and the documents' metadata. An index folder holds
`CURRENT` (the name of the live build) and `builds/`.
A build is written into a fresh folder and only then made live by atomically
replacing `CURRENT`, so a crash mid-build leaves the previous index in use.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path

import faiss
import numpy as np
from filelock import FileLock

from .documents import Document, DocumentInfo, corpus_hash
from .embedder import Embedder
from .errors import IndexStateError
from .lexical import LexicalIndex
from .notices import notify
from .passages import Passage, split_document

MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"
PASSAGES = "passages.jsonl"
DOCUMENTS = "documents.jsonl"
LEXICAL_PASSAGES = "bm25-passages"
LEXICAL_DOCUMENTS = "bm25-documents"


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


@dataclass
class StoredIndex:
    manifest: Manifest
    vectors: faiss.Index
    passages: list[Passage]
    documents: dict[str, DocumentInfo]
    lexical: LexicalIndex  # one entry per passage, in `passages` order
    document_lexical: LexicalIndex  # one entry per document, in `document_order`
    document_order: list[str]


def build_index(documents: list[Document], embedder: Embedder, index_dir: Path,
                sources: list[str], progress: bool = False) -> Manifest:
    """Embed every passage and make the result the live index of `index_dir`."""
    started = time.monotonic()
    passages = [p for doc in documents for p in split_document(doc)]
    titles = {doc.info.id: doc.info.title for doc in documents}
    texts = [p.embedding_text(titles[p.document_id]) for p in passages]
    notify("index.passages", documents=len(documents), passages=len(passages))
    vectors = embedder.embed_passages(texts, progress=progress) if passages else np.zeros((0, embedder.dimension), np.float32)
    index = faiss.IndexFlatIP(embedder.dimension)
    index.add(vectors)
    lexical = LexicalIndex.build(texts)
    document_lexical = LexicalIndex.build([f"{doc.info.title}\n{doc.text}" for doc in documents])
    manifest = Manifest(
        kilde_version=version("kilde"), model_name=embedder.name, model_fingerprint=embedder.fingerprint,
        dimension=embedder.dimension, corpus_hash=corpus_hash(documents), passage_count=len(passages),
        document_count=len(documents), sources=sources,
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"), build_seconds=round(time.monotonic() - started, 2),
    )
    _publish(index_dir, manifest, index, passages, [doc.info for doc in documents], lexical, document_lexical)
    return manifest


def _publish(index_dir: Path, manifest: Manifest, index: faiss.Index, passages: list[Passage],
             infos: list[DocumentInfo], lexical: LexicalIndex, document_lexical: LexicalIndex) -> None:
    builds = index_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    with FileLock(str(index_dir / ".lock")):
        name = time.strftime("%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:8]
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=builds))
        faiss.write_index(index, str(staging / VECTORS))
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
