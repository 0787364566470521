"""Open an index for searching: build it when missing, rebuild it when its corpus changed,
refuse it when it was built with another model."""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock
from platformdirs import user_data_dir

from kilde.index.documents.reader import Document, bundled_corpus, corpus_hash
from kilde.index.model.embedder import Embedder
from kilde.index.notices import notify
from kilde.index.retrieval.search import Searcher
from kilde.index.documents.sources import Source, all_exist, read_sources, sources_of
from kilde.index.store.builds import Manifest, build_index, check_model, load_index, read_manifest


EDIT_LOCK = ".edit.lock"


def edit_lock(index_dir: Path) -> FileLock:
    """Held while reading an index's sources and building from them, so that two changes
    (an `add`, a `remove`, a rebuild by `ask`) never overwrite each other."""
    index_dir.mkdir(parents=True, exist_ok=True)
    return FileLock(str(index_dir / EDIT_LOCK))


def default_index_dir() -> Path:
    import os

    return Path(os.environ.get("KILDE_INDEX_DIR") or Path(user_data_dir("kilde")) / "index")


def resolve_sources(index_dir: Path, sources: list[Path] | None) -> list[Source]:
    """Sources given now, else those the index was built from (with what `kilde add` and
    `kilde remove` recorded), else the bundled corpus."""
    return _sources(read_manifest(index_dir), sources)


def _sources(manifest: Manifest | None, sources: list[Path] | None) -> list[Source]:
    if sources:
        return sources_of(sources)
    if manifest is not None:
        return manifest.source_list()
    return sources_of([bundled_corpus()])


def open_searcher(index_dir: Path, embedder: Embedder, sources: list[Path] | None = None,
                  progress: bool = True) -> Searcher:
    manifest = read_manifest(index_dir)
    if manifest is not None:
        check_model(manifest, embedder, index_dir)
    if _stale(manifest, _sources(manifest, sources)):
        with edit_lock(index_dir):
            manifest = read_manifest(index_dir)  # again: an `add` may have finished meanwhile
            wanted = _sources(manifest, sources)
            if documents := _stale(manifest, wanted):
                notify("index.building" if manifest is None else "index.rebuilding", path=str(index_dir))
                build_index(documents, embedder, index_dir, wanted, progress=progress)
    return Searcher(load_index(index_dir), embedder)


def _stale(manifest: Manifest | None, sources: list[Source]) -> list[Document] | None:
    """The documents to build from when the index is missing or its sources have changed."""
    if not all_exist(sources):  # a source that is gone: search the index as it is
        return None
    documents = read_sources(sources)
    if manifest is None or manifest.corpus_hash != corpus_hash(documents):
        return documents
    return None
