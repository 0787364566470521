"""A build's manifest: what it was built from and with, and how its files are laid out.

`format` 2 (SQLite passages, memory-mapped vectors, see `kilde.index.store.builds`) added
`format`, `vector_index` and `build_files`; a manifest without `format` is a format-1 build
(JSON Lines passages, flat FAISS only), which `load_index` still opens.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kilde.index.documents.sources import Source, from_manifest
from kilde.index.errors import IndexStateError

MANIFEST = "manifest.json"
FORMAT = 2


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
    # Format 2 (issue 9): 1 for builds that lack the field.
    format: int = 1
    # {"type": "flat"}, {"type": "hnsw", "m", "ef_construction", "ef_search", "calibration_recall_at_10"}
    # or {"type": "ivf", "nlist", "nprobe", "trained_on", "calibration_recall_at_10"}
    vector_index: dict = field(default_factory=lambda: {"type": "flat"})
    # sha256 and size of every file of the build (but the manifest) at publish time: `kilde check`.
    build_files: dict[str, dict] = field(default_factory=dict)
    # Each source file read, by path: {"size", "mtime_ns", "sha256", "documents": [id, ...]}
    # (`kilde.index.documents.fingerprints`), so opening the index reads only files that changed.
    files: dict[str, dict] = field(default_factory=dict)
    # The backend and precision that embedded (issue 10); builds from before backends used torch fp32.
    model_backend: str = "torch fp32"

    def source_list(self) -> list[Source]:
        return from_manifest(self.sources, self.source_options)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)


_READ: dict[str, tuple[tuple[int, int, int], Manifest]] = {}  # path -> (its stat, its manifest)


def read_manifest_at(build: Path, index_dir: Path) -> Manifest:
    """The manifest of one build folder; `index.broken` when it is missing or garbage.

    A manifest lists every document, so at 100,000 documents it is ~30 MB of JSON and 0.16 s to
    parse; opening an index read it three times (`benchmarks/scale.py`'s 1M index). It is read again
    only when the file's inode, size or mtime changed (a build folder's manifest never changes
    once published; a rewritten one gets a new inode or mtime). Callers must not change it."""
    path = build / MANIFEST
    try:
        stat = path.stat()
        key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        cached = _READ.get(str(path))
        if cached is not None and cached[0] == key:
            return cached[1]
        manifest = Manifest(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        raise IndexStateError("index.broken", path=str(index_dir)) from exc
    if len(_READ) > 64:
        _READ.clear()
    _READ[str(path)] = (key, manifest)
    return manifest
