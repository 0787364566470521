"""Which documents an index's sources hold, reading only the files that changed since the live build.

The manifest records every file a build read (`Manifest.files`): its fingerprint
(`kilde.index.documents.fingerprints`), the files whose metadata it takes (the folder's
`metadata.toml`, its sidecar) and the ids of the documents read from it. A file whose fingerprint,
metadata files and source options (overrides) are unchanged, and whose documents the live build
holds, is not read: its documents are taken from the live build as they are (`BuiltDocument`).
A folder is listed each time, so a new file is read and a vanished one drops out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kilde.index.documents.fingerprints import fingerprint, same
from kilde.index.documents.reader import Document, corpus_hash, metadata_files, read_documents, source_files
from kilde.index.documents.sources import Source
from kilde.index.errors import CorpusError
from kilde.index.store.builds import BuiltDocument, Manifest


@dataclass
class Plan:
    """Per source file: the ids to take from the live build, or None where the file must be read."""

    sources: list[Source]
    files: list[tuple[Source, Path, list[str] | None]] = field(default_factory=list)

    @property
    def to_read(self) -> list[Path]:
        return [path for _, path, kept in self.files if kept is None]

    def kept_ids(self) -> list[str]:
        return [i for source, _, kept in self.files for i in kept or () if i not in source.exclude]


@dataclass
class Gathered:
    documents: list[Document | BuiltDocument]
    files: dict[str, dict]  # for `Manifest.files`
    read: int  # files read


def plan(sources: list[Source], manifest: Manifest | None, fresh: Mapping[str, object] = {}) -> Plan:
    """What reading `sources` needs, by fingerprint; a source in `fresh` is read whatever it recorded."""
    recorded = manifest.files if manifest else {}
    held = {record.get("id") for record in manifest.documents} if manifest else set()
    result = Plan(sources)
    for source in sources:
        path = Path(source.path)
        if not path.exists():
            raise CorpusError("corpus.source_missing", path=source.path)
        was = (manifest.source_options.get(source.path, {}) if manifest else {}).get("overrides", {})
        same_options = manifest is not None and source.path in manifest.sources and was == dict(source.overrides)
        for file in source_files(path):
            entry = recorded.get(str(file))
            metadata = [str(p) for p in metadata_files(file, path)]
            unchanged = (same_options and source.path not in fresh and entry is not None
                         and entry.get("metadata", []) == metadata and same(file, entry)
                         and all(same(Path(m), recorded.get(m)) for m in metadata))
            ids = list(entry.get("documents", [])) if unchanged else None
            if ids is not None and not all(i in held for i in ids if i not in source.exclude):
                ids = None  # a document left out before is wanted again: read it
            result.files.append((source, file, ids))
    return result


def stale(sources: list[Source], manifest: Manifest) -> bool:
    """Whether the sources no longer give the live build's documents (without reading any document)."""
    found = plan(sources, manifest)
    return bool(found.to_read) or found.kept_ids() != [record.get("id") for record in manifest.documents]


def gather(found: Plan, manifest: Manifest | None, live: Callable[[], dict[str, BuiltDocument]],
           fresh: Mapping[str, list[Document]] = {}) -> Gathered:
    """The documents of the planned sources, in order: read where the plan says, else from `live`."""
    recorded = manifest.files if manifest else {}
    by_file: dict[str, list[Document]] = {}
    reading: dict[str, tuple[Source, list[Path]]] = {}
    for source, file, kept in found.files:
        if kept is None and source.path not in fresh:
            reading.setdefault(source.path, (source, []))[1].append(file)
    for source, files in reading.values():
        only = {str(f) for f in files}
        _group(read_documents([Path(source.path)], source.overrides, only), only, by_file)
    for path, documents in fresh.items():
        _group(documents, {str(f) for s, f, _ in found.files if s.path == path}, by_file)
    taken = live() if any(kept for _, _, kept in found.files) else {}
    documents: list[Document | BuiltDocument] = []
    files: dict[str, dict] = {}
    for source, file, kept in found.files:
        key = str(file)
        metadata = [str(p) for p in metadata_files(file, Path(source.path))]
        if kept is None:
            own = by_file.get(key, [])
            ids = [doc.info.id for doc in own]
        else:
            missing = [i for i in kept if i not in source.exclude and i not in taken]
            if missing:  # the live build lost them (an older or broken build): read the file after all
                return gather(_replanned(found, file), manifest, live, fresh)
            own, ids = [taken[i] for i in kept if i not in source.exclude], kept
        documents += [doc for doc in own if doc.info.id not in source.exclude]
        files[key] = {**fingerprint(file, recorded.get(key)), "metadata": metadata, "documents": ids}
        for name in metadata:
            files[name] = fingerprint(Path(name), recorded.get(name))
    _check_unique(documents)
    return Gathered(documents, files, sum(len(f) for _, f in reading.values()))


def changed(gathered: Gathered, manifest: Manifest | None, sources: list[Source]) -> bool:
    """Whether a build of `gathered` would differ from the live one."""
    if manifest is None:
        return True
    return (corpus_hash(gathered.documents) != manifest.corpus_hash or [s.path for s in sources] != manifest.sources
            or {s.path: s.options() for s in sources if s.options()} != manifest.source_options)


def _group(documents: list[Document], files: set[str], by_file: dict[str, list[Document]]) -> None:
    for doc in documents:
        source = doc.info.source
        key = source if source in files else source.rsplit("#", 1)[0]  # a JSON Lines record: «file.jsonl#id»
        by_file.setdefault(key, []).append(doc)


def _replanned(found: Plan, file: Path) -> Plan:
    return Plan(found.sources, [(s, f, None if f == file else kept) for s, f, kept in found.files])


def _check_unique(documents: list) -> None:
    seen: set[str] = set()
    for doc in documents:
        if doc.info.id in seen:
            raise CorpusError("corpus.duplicate_id", id=doc.info.id)
        seen.add(doc.info.id)
