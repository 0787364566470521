"""Build, publish and open an index: passages, their vectors, two BM25 indexes and a manifest.

A build (format 2) is a folder of files read on demand, never loaded whole as Python objects:

- `passages.sqlite` passages and documents' metadata (`kilde.index.store.passage_table`);
- `vectors.npy` every passage's vector, memory-mapped, and `vectors.faiss`, flat or IVF by size
  (`kilde.index.store.vector_index`);
- `passage-documents.npy` each passage's document position (int64, for filters and fusion);
- `passage-hubness.npy` each passage's mean cosine to its 10 nearest others (float32, for fusion:
  `kilde.index.store.hubness`);
- `bm25-passages/`, `bm25-documents/` (bm25s, loaded with mmap);
- `vector-keys.txt` each vector's key, for incremental builds;
- `manifest.json`, with the sha256 of each of those files (`kilde check`).

Publishing, the CURRENT/PREVIOUS pointers and the disk-space check are in
`kilde.index.store.publish`. When the live build cannot be read, the previous good one is
served with a notice. A format-1 build (the JSON Lines of Kilde before issue 9) still opens,
loaded into memory as before; the next build writes format 2.

Builds are incremental: each vector is stored with a key, the sha256 of the model and the exact
text embedded, and a new build takes the vectors of unchanged passages from the live build (read
from its memory-mapped `vectors.npy`) instead of embedding them again.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from importlib.metadata import version
from pathlib import Path

import faiss
import numpy as np

from kilde.index.documents.passages import Passage, split_document
from kilde.index.documents.reader import Document, DocumentInfo, corpus_hash
from kilde.index.documents.sources import Source, sources_of
from kilde.index.errors import IndexStateError
from kilde.index.model.embedder import Embedder
from kilde.index.notices import notify
from kilde.index.retrieval.lexical import LexicalIndex
from kilde.index.store import publish
from kilde.index.store.hubness import HUBNESS_FILE, passage_hubness
from kilde.index.store.manifest import FORMAT, Manifest, read_manifest_at
from kilde.index.store.passage_table import TABLE_FILE, PassageTable, write_table
from kilde.index.store.vector_index import (EXACT_FILE, INDEX_FILE, ExactRows, build_vector_index, choose_kind,
                                            new_exact, open_exact, open_vector_index)

__all__ = ["Manifest", "StoredIndex", "build_index", "load_index", "read_manifest", "check_model", "vector_key"]

VECTORS = INDEX_FILE
PASSAGE_DOCUMENTS = "passage-documents.npy"
LEXICAL_PASSAGES = "bm25-passages"
LEXICAL_DOCUMENTS = "bm25-documents"
VECTOR_KEYS = "vector-keys.txt"  # one key a line, in `passages` order
EMBED_BATCH = 50_000  # passages embedded per call, written straight into the memory-mapped vectors
# Format 1 (before issue 9), still opened.
OLD_PASSAGES = "passages.jsonl"
OLD_DOCUMENTS = "documents.jsonl"
READ_ERRORS = (OSError, ValueError, TypeError, KeyError, RuntimeError, IndexError)


@dataclass
class StoredIndex:
    manifest: Manifest
    vectors: faiss.Index
    passages: Sequence[Passage]  # lazy (SQLite): len, passages[row], in-order iteration
    documents: Mapping[str, DocumentInfo]  # lazy (SQLite), iterated in `document_order`
    lexical: LexicalIndex  # one entry per passage, in `passages` order
    document_lexical: LexicalIndex  # one entry per document, in `document_order`
    document_order: list[str]
    exact: np.ndarray | None = None  # every row's vector (a read-only memmap of the build's file)
    positions: np.ndarray | None = None  # per row, its document's position in `document_order`
    table: PassageTable | None = None  # None for a format-1 build held in memory
    build: Path | None = None
    hubness: np.ndarray | None = None  # per row (`kilde.index.store.hubness`); None: not read or computed yet

    def vectors_at(self, rows: np.ndarray) -> np.ndarray:
        """The exact float32 vectors of these rows."""
        rows = np.asarray(rows, dtype=np.int64)
        if self._exact_rows is not None:
            return self._exact_rows.read(rows)
        if self.exact is None:
            return self.vectors.reconstruct_batch(rows)
        return np.asarray(self.exact[rows], dtype=np.float32)

    @cached_property
    def _exact_rows(self) -> ExactRows | None:
        """`exact`'s file read row by row (`ExactRows`), when `exact` maps one; derived, so an index
        given other vectors (`dataclasses.replace(index, exact=…)`) is searched with those."""
        if isinstance(self.exact, np.memmap) and self.exact.filename:
            return ExactRows(Path(self.exact.filename), self.exact)
        return None

    def passage_document_positions(self) -> np.ndarray:
        """Per row, the position of its passage's document in `document_order` (int64)."""
        if self.positions is None:
            position = {doc_id: i for i, doc_id in enumerate(self.document_order)}
            self.positions = np.array([position[p.document_id] for p in self.passages], dtype=np.int64)
        return self.positions

    def passage_hubness(self) -> np.ndarray:
        """Per row, its mean cosine to its nearest other rows (float32): the build's file, or computed now
        for a build made before Kilde stored it (and for one held in memory)."""
        if self.hubness is None:
            count = int(self.vectors.ntotal)
            exact = self.exact if self.exact is not None else self.vectors_at(np.arange(count))
            self.hubness = passage_hubness(exact, self.vectors)
        return self.hubness

    def row_of(self, passage_id: str) -> int | None:
        if self.table is not None:
            return self.table.row_of(passage_id)
        if not hasattr(self, "_rows"):
            self._rows = {}
            for row, p in enumerate(self.passages):
                self._rows.setdefault(p.id, row)
        return self._rows.get(passage_id)

    def passage_at(self, row: int) -> Passage:
        return self.passages[int(row)]

    def passages_at(self, rows: Sequence[int]) -> dict[int, Passage]:
        """These rows' passages keyed by row, in one read of the table where there is one."""
        if self.table is not None:
            return self.table.passages_at(list(rows))
        return {int(row): self.passages[int(row)] for row in rows}


@dataclass(frozen=True)
class BuiltDocument:
    """A document of the live build, taken into the next build as it is, without reading its file again."""

    info: DocumentInfo
    passages: list[Passage]
    keys: list[str]  # each passage's vector key (`vector_key`)
    content_hash: str


EmbedderSource = Embedder | Callable[[], Embedder]  # an embedder, or what loads it when a passage needs embedding
EmbedTexts = Callable[[list[str]], np.ndarray]  # passage texts -> normalised vectors, one row a text


def build_index(documents: Sequence[Document | BuiltDocument], embedder: EmbedderSource, index_dir: Path,
                sources: Sequence[str | Source], progress: bool = False,
                files: Mapping[str, dict] | None = None, vector_index: str | None = None,
                embed: EmbedTexts | None = None) -> Manifest:
    """Make `documents` the live index of `index_dir`, embedding only passages the live build lacks.

    `sources` (paths, or `Source`s with their overrides and exclusions) is what the documents
    were read from; reading it again must give the same documents. A `BuiltDocument` keeps its
    passages and vector keys, so a build of only those (a `remove`) never loads the model: `embedder`
    may be a function that loads it, called only when some passage is new.
    `files` are the fingerprints of the source files read (`Manifest.files`). `vector_index`
    ("auto", "flat", "hnsw", "ivf"; default: $KILDE_VECTOR_INDEX, else auto) picks the FAISS index type.
    `embed`, when given, embeds the new passages instead of `embedder` (a Ray cluster:
    `kilde.index.cluster.ray_embed`); it must give the vectors `embedder` would.
    """
    started = time.monotonic()
    sources = [s if isinstance(s, Source) else sources_of([s])[0] for s in sources]
    previous = _readable(index_dir)
    split = [(doc.passages, doc.keys) if isinstance(doc, BuiltDocument) else (split_document(doc), None)
             for doc in documents]
    passages = [p for own, _ in split for p in own]
    notify("index.passages", documents=len(documents), passages=len(passages))
    texts = [p.embedding_text() for p in passages]
    loaded: list[Embedder] = []

    def model() -> Embedder:
        if not loaded:
            loaded.append(embedder if isinstance(embedder, Embedder) else embedder())
        return loaded[0]

    keys = [key for own, own_keys in split
            for key in (own_keys or [vector_key(model(), p.embedding_text()) for p in own])]
    rows, old = _previous_vectors(previous)
    if loaded or previous is None or any(key not in rows for key in keys):
        identity = (model().name, model().fingerprint, model().dimension, model().backend.label)
    else:  # nothing to embed (a `remove`): the model stays unloaded, the build keeps the previous identity
        manifest = previous[1]
        identity = (manifest.model_name, manifest.model_fingerprint, manifest.dimension, manifest.model_backend)
    dimension = identity[2]
    kind = choose_kind(len(passages), vector_index)
    text_bytes = sum(len(t.encode("utf-8")) for t in texts)
    publish.check_space(index_dir, publish.estimated_bytes(len(passages), text_bytes, dimension))
    with publish.staging(index_dir) as folder:
        exact = new_exact(folder / EXACT_FILE, len(passages), dimension)
        reused = _fill_vectors(exact, rows, old, model, texts, keys, progress, embed)
        exact.flush()
        (folder / VECTOR_KEYS).write_text("".join(key + "\n" for key in keys), encoding="utf-8")
        built_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        records = _document_records(documents, previous[1] if previous else None, built_at)
        infos = [replace(doc.info, retrieved=record["retrieved"]) for doc, record in zip(documents, records)]
        write_table(folder / TABLE_FILE, passages, infos)
        position = {info.id: i for i, info in enumerate(infos)}
        np.save(folder / PASSAGE_DOCUMENTS, np.array([position[p.document_id] for p in passages], dtype=np.int64))
        document_texts = [document_text(doc.info, own) for doc, (own, _) in zip(documents, split)]
        del passages, split
        index, parameters = build_vector_index(exact, kind, grown=_grown_graph(previous, keys, kind))
        faiss.write_index(index, str(folder / VECTORS))
        np.save(folder / HUBNESS_FILE, passage_hubness(exact, index))
        del index, exact
        LexicalIndex.build(texts).save(folder / LEXICAL_PASSAGES)
        del texts
        LexicalIndex.build(document_texts).save(folder / LEXICAL_DOCUMENTS)
        manifest = Manifest(
            kilde_version=version("kilde"), model_name=identity[0], model_fingerprint=identity[1],
            dimension=dimension, corpus_hash=corpus_hash(documents), passage_count=len(keys),
            document_count=len(documents), sources=[s.path for s in sources],
            built_at=built_at, build_seconds=round(time.monotonic() - started, 2),
            source_options={s.path: s.options() for s in sources if s.options()},
            documents=records, embedded=len(keys) - reused, reused=reused, files=dict(files or {}),
            model_backend=identity[3], format=FORMAT, vector_index=parameters,
            build_files=publish.file_hashes(folder),
        )
        publish.publish(index_dir, folder, manifest)
    return manifest


def document_text(info: DocumentInfo, passages: list[Passage]) -> str:
    """What the document-level BM25 indexes: the title, then each section heading and passage.

    Made from the passages, not the file's text, so that a document taken over from the live build
    (`BuiltDocument`) is indexed exactly as when it was read."""
    lines, section = [info.title], ""
    for passage in passages:
        if passage.section and passage.section != section:
            lines.append(passage.section)
        section = passage.section
        lines.append(passage.text)
    return "\n".join(lines)


def built_documents(index_dir: Path) -> dict[str, BuiltDocument]:
    """The live build's documents with their passages and vector keys; empty without a (readable) build."""
    try:
        stored = load_index(index_dir)
        keys = (stored.build / VECTOR_KEYS).read_text(encoding="utf-8").split()
    except (OSError, IndexStateError):
        return {}
    if len(keys) != len(stored.passages):
        return {}
    hashes = {record.get("id"): record.get("content_hash") for record in stored.manifest.documents}
    own: dict[str, tuple[list[Passage], list[str]]] = {doc_id: ([], []) for doc_id in stored.document_order}
    for passage, key in zip(stored.passages, keys):
        own[passage.document_id][0].append(passage)
        own[passage.document_id][1].append(key)
    return {doc_id: BuiltDocument(stored.documents[doc_id], *own[doc_id], hashes[doc_id])
            for doc_id in stored.document_order if hashes.get(doc_id)}


def vector_key(embedder: Embedder, text: str) -> str:
    """Identifies a passage's vector: the model (name, weights, prompt) and the exact text embedded."""
    payload = json.dumps([embedder.name, embedder.fingerprint, embedder.passage_prompt, text], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _fill_vectors(exact: np.ndarray, rows: dict[str, int], old: np.ndarray | None, model: Callable[[], Embedder],
                  texts: list[str], keys: list[str], progress: bool, embed: EmbedTexts | None = None) -> int:
    """Write one vector per text into `exact`, in order, taking those of keys in `rows` from `old`
    (the served build's); return how many were taken. `model` is called only when some text is new."""
    missing: dict[str, int] = {}  # key -> first row needing it: each text embedded once
    reused = 0
    for i, key in enumerate(keys):
        if key in rows:
            reused += 1
        else:
            missing.setdefault(key, i)
    notify("index.embedding", new=len(keys) - reused, reused=reused)
    if reused:
        at = np.array([i for i, key in enumerate(keys) if key in rows], dtype=np.int64)
        source = np.array([rows[keys[i]] for i in at.tolist()], dtype=np.int64)
        for start in range(0, len(at), EMBED_BATCH):  # sorted reads from the old memmap
            exact[at[start:start + EMBED_BATCH]] = old[source[start:start + EMBED_BATCH]]
    first = list(missing.values())
    for start in range(0, len(first), EMBED_BATCH):
        batch = first[start:start + EMBED_BATCH]
        batch_texts = [texts[i] for i in batch]
        exact[np.array(batch, dtype=np.int64)] = (embed(batch_texts) if embed is not None
                                                  else model().embed_passages(batch_texts, progress=progress))
    if len(missing) < len(keys) - reused:  # the same text twice: copy the first row's vector
        for i, key in enumerate(keys):
            if key not in rows and missing[key] != i:
                exact[i] = exact[missing[key]]
    return reused


def _grown_graph(previous: tuple[Path, Manifest] | None, keys: list[str], kind: str) -> faiss.Index | None:
    """The served build's HNSW graph when this build only appends rows to it (same vector keys, in
    order, first), to be extended (`build_vector_index`); None when it must be built anew."""
    if kind != "hnsw" or previous is None or previous[1].vector_index.get("type") != "hnsw":
        return None
    build, _ = previous
    try:
        old_keys = (build / VECTOR_KEYS).read_text(encoding="utf-8").split()
        if len(old_keys) > len(keys) or keys[:len(old_keys)] != old_keys:
            return None
        graph = faiss.read_index(str(build / VECTORS))  # into memory: it is written again, larger
    except READ_ERRORS:
        return None
    return graph if graph.ntotal == len(old_keys) else None


def _previous_vectors(previous: tuple[Path, Manifest] | None) -> tuple[dict[str, int], np.ndarray | None]:
    """The served build's vectors by key; nothing when there is none or it cannot be read.

    A key names the model, so a vector of another model is never taken."""
    if previous is None:
        return {}, None
    build, manifest = previous
    try:
        keys = (build / VECTOR_KEYS).read_text(encoding="utf-8").split()
        if manifest.format >= 2:
            vectors = open_exact(build / EXACT_FILE)
        else:
            index = faiss.read_index(str(build / VECTORS))
            vectors = index.reconstruct_n(0, index.ntotal)
        if vectors.shape[0] != len(keys):
            return {}, None
    except READ_ERRORS:  # no keys (an older build), or a broken one
        return {}, None
    return {key: row for row, key in enumerate(keys)}, vectors


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


# ------------------------------------------------------------------------------------------ opening


def read_manifest(index_dir: Path) -> Manifest | None:
    """The served build's manifest (the live one, or the previous one when the live one is
    unreadable), or None if the folder holds no index yet."""
    found = _readable(index_dir, strict=True)
    return found[1] if found else None


def load_index(index_dir: Path) -> StoredIndex:
    """Open the live build; when it cannot be read, the previous one, with a notice."""
    live = publish.pointed(index_dir, publish.CURRENT)
    if live is None:
        raise IndexStateError("index.missing", path=str(index_dir))
    try:
        return open_build(index_dir / publish.BUILDS / live, index_dir)
    except IndexStateError as error:
        fallback = _previous_build(index_dir, live)
        if fallback is None:
            raise
        try:
            stored = open_build(fallback, index_dir)
        except IndexStateError:
            raise error from None
        _served_previous(index_dir, stored.manifest)
        return stored


def open_build(build: Path, index_dir: Path) -> StoredIndex:
    """One build folder, opened for searching; `index.broken` when it cannot be read whole."""
    if not build.is_dir():
        raise IndexStateError("index.broken", path=str(index_dir))
    manifest = read_manifest_at(build, index_dir)
    if manifest.format < 2:
        return _open_format1(build, index_dir, manifest)
    try:
        for name, recorded in manifest.build_files.items():  # a cheap look for truncation; `kilde check` hashes
            if (build / name).stat().st_size != recorded["size"]:
                raise IndexStateError("index.broken", path=str(index_dir))
        table = PassageTable(build / TABLE_FILE)
        vectors = open_vector_index(build / VECTORS, manifest.vector_index)
        exact = open_exact(build / EXACT_FILE)
        positions = np.load(build / PASSAGE_DOCUMENTS)
        hubness = np.load(build / HUBNESS_FILE) if (build / HUBNESS_FILE).exists() else None
        lexical = LexicalIndex.load(build / LEXICAL_PASSAGES)
        document_lexical = LexicalIndex.load(build / LEXICAL_DOCUMENTS)
        order = table.document_ids()
    except READ_ERRORS + (sqlite3.Error,) as exc:
        raise IndexStateError("index.broken", path=str(index_dir)) from exc
    count = manifest.passage_count
    if not (vectors.ntotal == table.passage_count == count == lexical.size == len(exact) == len(positions)) or (
            hubness is not None and len(hubness) != count) or (
            exact.shape[1:] != (manifest.dimension,) or not (
            document_lexical.size == len(order) == manifest.document_count)):
        raise IndexStateError("index.broken", path=str(index_dir))
    return StoredIndex(manifest, vectors, table.passages, table.documents, lexical, document_lexical, order,
                       exact=exact, positions=positions, table=table, build=build, hubness=hubness)


def _open_format1(build: Path, index_dir: Path, manifest: Manifest) -> StoredIndex:
    """A build of Kilde before issue 9: JSON Lines and a flat FAISS index, loaded into memory."""
    try:
        vectors = faiss.read_index(str(build / VECTORS))
        passages = [Passage(**r) for r in _read_jsonl(build / OLD_PASSAGES)]
        infos = [DocumentInfo.from_json(r) for r in _read_jsonl(build / OLD_DOCUMENTS)]
        lexical = LexicalIndex.load(build / LEXICAL_PASSAGES)
        document_lexical = LexicalIndex.load(build / LEXICAL_DOCUMENTS)
    except READ_ERRORS as exc:
        raise IndexStateError("index.broken", path=str(index_dir)) from exc
    if not vectors.ntotal == len(passages) == manifest.passage_count == lexical.size or (
            document_lexical.size != len(infos)):
        raise IndexStateError("index.broken", path=str(index_dir))
    return StoredIndex(manifest, vectors, passages, {info.id: info for info in infos}, lexical,
                       document_lexical, [info.id for info in infos], build=build)


def _readable(index_dir: Path, strict: bool = False) -> tuple[Path, Manifest] | None:
    """The build to serve and its manifest: the live one, else the previous one (with a notice).
    None when there is no index; with `strict`, `index.broken` when neither can be read."""
    live = publish.pointed(index_dir, publish.CURRENT)
    if live is None:
        return None
    build = index_dir / publish.BUILDS / live
    try:
        if not build.is_dir():
            raise IndexStateError("index.broken", path=str(index_dir))
        return build, read_manifest_at(build, index_dir)
    except IndexStateError:
        fallback = _previous_build(index_dir, live)
        if fallback is not None:
            try:
                manifest = read_manifest_at(fallback, index_dir)
            except IndexStateError:
                manifest = None
            if manifest is not None:
                _served_previous(index_dir, manifest)
                return fallback, manifest
        if strict:
            raise
        return None


def _previous_build(index_dir: Path, live: str) -> Path | None:
    name = publish.pointed(index_dir, publish.PREVIOUS)
    if name is None or name == live or not (index_dir / publish.BUILDS / name).is_dir():
        return None
    return index_dir / publish.BUILDS / name


_told: set[tuple[str, str]] = set()


def _served_previous(index_dir: Path, manifest: Manifest) -> None:
    """Say once per process and build that the previous build is served instead of the broken live one."""
    if (str(index_dir), manifest.built_at) not in _told:
        _told.add((str(index_dir), manifest.built_at))
        notify("index.previous_served", path=str(index_dir), built_at=manifest.built_at)


def check_model(manifest: Manifest, embedder: Embedder, index_dir: Path) -> None:
    """Refuse to search an index with vectors from another model, or the same model on another backend."""
    if (manifest.model_name, manifest.model_fingerprint, manifest.dimension) != (
            embedder.name, embedder.fingerprint, embedder.dimension):
        if manifest.model_name == embedder.name and manifest.model_backend != embedder.backend.label:
            built, requested = manifest.model_backend.split(" ") + ["fp32"], embedder.backend
            raise IndexStateError("index.other_backend", path=str(index_dir), built_with=manifest.model_backend,
                                  requested=requested.label, backend=built[0], precision=built[1],
                                  requested_backend=requested.name, requested_precision=requested.precision)
        raise IndexStateError("index.other_model", path=str(index_dir),
                              built_with=manifest.model_name, requested=embedder.name)


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]
