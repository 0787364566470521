"""Write an index's passages and vectors into a Milvus collection, and check a collection before use.

One entity a passage: its id (the primary key), the dense vector (HNSW, inner product = cosine on
normalised vectors), `terms` — the passage as Kilde's own Norwegian analyzer sees it (stemmed
BM25 terms joined by spaces; Milvus' BM25 function turns it into the sparse vector it ranks), the
verbatim text, document, paragraph, section, page and the document's metadata (JSON).
Pre-analysed terms make the lexical leg the same on Milvus Lite (whose `stemmer: norwegian` filter
is accepted but ignored) and on a production Milvus 2.5+ cluster.

The collection's properties record the model (name, fingerprint, dimension) and which build it
holds; a collection with vectors from another model is refused, as an index folder is.
Export is incremental: each entity carries a digest of what it holds, and only passages whose
digest the collection lacks are written; passages no longer in the index are deleted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from kilde.index.errors import ClusterError
from kilde.index.store.builds import Manifest, StoredIndex, load_index

MARKER = "kilde.collection"  # property present on every collection Kilde made
MODEL, FINGERPRINT, DIMENSION, BUILD = "kilde.model", "kilde.model_fingerprint", "kilde.dimension", "kilde.build"
ID_LENGTH, TEXT_LENGTH, NAME_LENGTH = 128, 65535, 2048
BATCH = 500  # entities per upsert
HNSW = {"M": 16, "efConstruction": 200}
BM25 = {"bm25_k1": 1.5, "bm25_b": 0.75}  # bm25s' defaults (index/retrieval/lexical.py), so the legs rank alike


@dataclass(frozen=True)
class ExportReport:
    collection: str
    passages: int  # in the index, and now in the collection
    written: int  # new or changed passages upserted
    deleted: int  # passages the index no longer has
    kept: int  # already there, unchanged


def connect(uri: str):
    try:
        from pymilvus import MilvusClient
    except ImportError as exc:
        raise ClusterError("cluster.not_installed") from exc
    try:
        client = MilvusClient(uri=uri, timeout=30)
        client.list_collections()
    except Exception as exc:  # pymilvus raises its own exceptions, and grpc's, for an unreachable server
        raise ClusterError("milvus.unreachable", uri=uri) from exc
    return client


def build_fingerprint(index: StoredIndex) -> str:
    """Identifies the passages of a build: the collection holds this build when the fingerprints match."""
    digest = hashlib.sha256()
    for passage in index.passages:
        digest.update(passage.id.encode() + b"\n")
    return digest.hexdigest()


def check_collection(client, collection: str, manifest: Manifest) -> dict[str, str]:
    """The collection's properties; refuses one Kilde did not make or one with another model's vectors."""
    if not client.has_collection(collection):
        raise ClusterError("milvus.missing", collection=collection)
    properties = client.describe_collection(collection).get("properties", {})
    if MARKER not in properties:
        raise ClusterError("milvus.not_kilde", collection=collection)
    if (properties.get(MODEL), properties.get(FINGERPRINT), properties.get(DIMENSION)) != (
            manifest.model_name, manifest.model_fingerprint, str(manifest.dimension)):
        raise ClusterError("milvus.other_model", collection=collection, built_with=properties.get(MODEL),
                           requested=manifest.model_name)
    return properties


def export_index(index_dir: Path, uri: str, collection: str) -> ExportReport:
    index = load_index(index_dir)
    client = connect(uri)
    if not client.has_collection(collection):
        _create(client, collection, index.manifest)
    check_collection(client, collection, index.manifest)
    held = _digests(client, collection)
    analyzer = index.lexical.analyzer
    # the exact rows (a memmap, read as the loop goes), not the FAISS index's 8-bit codes
    vectors = index.exact if index.exact is not None else index.vectors_at(np.arange(len(index.passages)))
    rows, wanted, written = [], set(), 0
    for passage, vector in zip(index.passages, vectors):  # upserted BATCH by BATCH: memory stays small at 100k+
        entity = _entity(index, passage, vector, analyzer)
        wanted.add(passage.id)
        if held.get(passage.id) != entity["digest"]:
            rows.append(entity)
        if len(rows) == BATCH:
            client.upsert(collection, rows)
            written, rows = written + len(rows), []
    if rows:
        client.upsert(collection, rows)
        written += len(rows)
    gone = [i for i in held if i not in wanted]
    for start in range(0, len(gone), BATCH):
        client.delete(collection, ids=gone[start:start + BATCH])
    client.flush(collection)
    client.alter_collection_properties(collection, properties={BUILD: build_fingerprint(index)})
    return ExportReport(collection, len(index.passages), written, len(gone), len(index.passages) - written)


def _create(client, collection: str, manifest: Manifest) -> None:
    from pymilvus import DataType, Function, FunctionType

    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=ID_LENGTH)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=manifest.dimension)
    # Milvus Lite knows only the `standard` and `jieba` tokenizers; `standard` splits Kilde's
    # space-joined terms back into themselves (they are lower-case words already).
    schema.add_field("terms", DataType.VARCHAR, max_length=TEXT_LENGTH, enable_analyzer=True,
                     analyzer_params={"tokenizer": "standard"})
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_field("text", DataType.VARCHAR, max_length=TEXT_LENGTH)
    schema.add_field("document", DataType.VARCHAR, max_length=NAME_LENGTH)
    schema.add_field("paragraph", DataType.INT64)
    schema.add_field("section", DataType.VARCHAR, max_length=TEXT_LENGTH)
    schema.add_field("metadata", DataType.JSON)  # the passage's page and start, the document's metadata
    schema.add_field("digest", DataType.VARCHAR, max_length=64)
    schema.add_function(Function(name="terms_bm25", function_type=FunctionType.BM25,
                                 input_field_names=["terms"], output_field_names=["sparse"]))
    indexes = client.prepare_index_params()
    indexes.add_index(field_name="vector", index_type="HNSW", metric_type="IP", params=HNSW)
    indexes.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=BM25)
    client.create_collection(collection, schema=schema, index_params=indexes, properties={
        MARKER: "1", MODEL: manifest.model_name, FINGERPRINT: manifest.model_fingerprint,
        DIMENSION: str(manifest.dimension)})


def _entity(index: StoredIndex, passage, vector, analyzer) -> dict:
    document = index.documents[passage.document_id].as_json()
    terms = " ".join(analyzer.terms(passage.embedding_text()))
    metadata = {"page": passage.page, "start": passage.start, "document": document}
    record = {"id": passage.id, "terms": terms, "text": passage.text, "document": passage.document_id,
              "paragraph": passage.paragraph, "section": passage.section, "metadata": metadata}
    digest = hashlib.sha256(json.dumps([asdict(passage), record, index.manifest.model_fingerprint],
                                       ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    return record | {"vector": vector.tolist(), "digest": digest}


def _digests(client, collection: str) -> dict[str, str]:
    """id -> digest of every entity the collection holds."""
    held = {}
    iterator = client.query_iterator(collection, batch_size=1000, filter="", output_fields=["id", "digest"])
    try:
        while batch := iterator.next():
            held.update({entity["id"]: entity["digest"] for entity in batch})
    finally:
        iterator.close()
    return held
