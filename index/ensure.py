"""Open an index for searching: build it when missing, rebuild it when its corpus changed,
refuse it when it was built with another model."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir

from .documents import bundled_corpus, corpus_hash, read_documents
from .embedder import Embedder
from .notices import notify
from .search import Searcher
from .store import build_index, check_model, load_index, read_manifest


def default_index_dir() -> Path:
    import os

    return Path(os.environ.get("KILDE_INDEX_DIR") or Path(user_data_dir("kilde")) / "index")


def resolve_sources(index_dir: Path, sources: list[Path] | None) -> list[Path]:
    """Sources given now, else those the index was built from, else the bundled corpus."""
    if sources:
        return sources
    manifest = read_manifest(index_dir)
    if manifest is not None:
        return [Path(s) for s in manifest.sources]
    return [bundled_corpus()]


def open_searcher(index_dir: Path, embedder: Embedder, sources: list[Path] | None = None,
                  progress: bool = True) -> Searcher:
    sources = resolve_sources(index_dir, sources)
    manifest = read_manifest(index_dir)
    if manifest is not None:
        check_model(manifest, embedder, index_dir)
    if all(path.exists() for path in sources):
        documents = read_documents(sources)
        if manifest is None or manifest.corpus_hash != corpus_hash(documents):
            notify("index.building" if manifest is None else "index.rebuilding", path=str(index_dir))
            build_index(documents, embedder, index_dir, [str(p) for p in sources], progress=progress)
    return Searcher(load_index(index_dir), embedder)
