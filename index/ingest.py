"""Add documents to an index and take them out (`kilde add`, `kilde remove`, the upload).

Both read the index's sources again, change them (see `kilde.index.documents.sources`) and build
incrementally: only passages the live build does not already hold are embedded. One
change at a time per index folder, so two at once cannot lose each other's work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kilde.index.model.embedder import Embedder
from kilde.index.ensure import edit_lock
from kilde.index.errors import CorpusError, IndexStateError
from kilde.index.documents.sources import sources_of, with_added, without
from kilde.index.store.builds import Manifest, build_index, check_model, load_index, read_manifest

LISTED_IDS = 20  # how many of the index's ids an «unknown id» error names


@dataclass(frozen=True)
class Change:
    manifest: Manifest  # the new live build's
    added: list[str]  # ids new to the index
    replaced: list[str]  # ids the index held, now read from the added files
    removed: list[str]


def add_documents(index_dir: Path, paths: list[Path], embedder: Embedder,
                  overrides: Mapping[str, str | None] | None = None, progress: bool = False) -> Change:
    """Add the documents in `paths` (files or folders) to the index, replacing any with the same id.

    Without an index yet, the new index holds just these documents.
    """
    with edit_lock(index_dir):
        manifest = read_manifest(index_dir)
        if manifest is not None:
            check_model(manifest, embedder, index_dir)
        before = {record["id"] for record in manifest.documents} if manifest else set()
        if manifest is not None and not before:  # built before the manifest listed its documents
            before = set(load_index(index_dir).documents)
        current = manifest.source_list() if manifest else []
        sources, documents, ids = with_added(current, sources_of([p.resolve() for p in paths], overrides))
        if not ids:
            raise CorpusError("corpus.no_documents", path=", ".join(str(p) for p in paths))
        new_manifest = build_index(documents, embedder, index_dir, sources, progress=progress)
    return Change(new_manifest, [i for i in ids if i not in before], [i for i in ids if i in before], [])


def check_removable(index_dir: Path, ids: list[str]) -> dict[str, str]:
    """Where each document of the index was read from; refuses ids the index does not hold
    and taking out every document (before any model is loaded)."""
    manifest = read_manifest(index_dir)
    if manifest is None:
        raise IndexStateError("index.missing", path=str(index_dir))
    indexed = {record["id"]: record["source"] for record in manifest.documents} or {
        doc_id: info.source for doc_id, info in load_index(index_dir).documents.items()}  # an older manifest
    unknown = [doc_id for doc_id in dict.fromkeys(ids) if doc_id not in indexed]
    if unknown:
        known = sorted(indexed)
        listed = ", ".join(known[:LISTED_IDS]) + (" …" if len(known) > LISTED_IDS else "")
        raise IndexStateError("index.unknown_document", path=str(index_dir), ids=", ".join(unknown), known=listed)
    if set(indexed) <= set(ids):
        raise IndexStateError("index.would_be_empty", path=str(index_dir))
    return indexed


def remove_documents(index_dir: Path, ids: list[str], embedder: Embedder, progress: bool = False) -> Change:
    """Take the documents `ids` out of the index; an id it does not hold is an error."""
    ids = list(dict.fromkeys(ids))
    check_removable(index_dir, ids)  # no index: nothing to lock
    with edit_lock(index_dir):
        indexed = check_removable(index_dir, ids)
        manifest = read_manifest(index_dir)
        check_model(manifest, embedder, index_dir)
        sources, documents = without(manifest.source_list(), set(ids), indexed)
        if not documents:
            raise IndexStateError("index.would_be_empty", path=str(index_dir))
        new_manifest = build_index(documents, embedder, index_dir, sources, progress=progress)
    return Change(new_manifest, [], [], ids)
