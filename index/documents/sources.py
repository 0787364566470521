"""What an index is built from, and how `kilde add` and `kilde remove` change it.

An index records its sources in order: each a path (a folder, a file or a JSON Lines
file) with the metadata overrides given with it (command-line flags) and the ids of
documents left out of it: taken out with `kilde remove`, or replaced by a document with
the same id added later. Reading the sources again gives exactly the documents in the
index, so `kilde ask` and `kilde serve`, which rebuild the index when its sources have
changed on disk, never undo an `add` or a `remove`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from kilde.index.documents.reader import Document, read_documents
from kilde.index.errors import CorpusError


@dataclass(frozen=True)
class Source:
    path: str
    overrides: Mapping[str, str] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()  # document ids left out (removed, or replaced by a later source)

    def read(self) -> list[Document]:
        if not Path(self.path).exists():
            raise CorpusError("corpus.source_missing", path=self.path)
        return [doc for doc in read_documents([Path(self.path)], self.overrides) if doc.info.id not in self.exclude]

    def options(self) -> dict:
        """What the manifest records beside the path; empty for a plain path."""
        options = {}
        if self.overrides:
            options["overrides"] = dict(self.overrides)
        if self.exclude:
            options["exclude"] = list(self.exclude)
        return options


def sources_of(paths: Iterable[Path | str], overrides: Mapping[str, str | None] | None = None) -> list[Source]:
    overrides = {key: value for key, value in (overrides or {}).items() if value}
    return [Source(str(path), dict(overrides)) for path in paths]


def from_manifest(paths: list[str], options: Mapping[str, Mapping]) -> list[Source]:
    return [Source(path, dict(options.get(path, {}).get("overrides", {})),
                   tuple(options.get(path, {}).get("exclude", ()))) for path in paths]


def all_exist(sources: list[Source]) -> bool:
    return all(Path(source.path).exists() for source in sources)


def read_sources(sources: list[Source]) -> list[Document]:
    """Every document of every source, in order; an id may occur only once."""
    documents = [doc for source in sources for doc in source.read()]
    _check_unique(documents)
    return documents


def with_added(sources: list[Source], added: list[Source]) -> tuple[list[Source], list[Document], list[str]]:
    """The sources after adding `added`, their documents, and the ids of the documents added.

    A document with the id of one already in the index replaces it (the older source leaves
    it out from now on); a path given again replaces its earlier entry.
    """
    new_documents = [doc for source in added for doc in source.read()]  # bad input fails here, first
    _check_unique(new_documents)
    new_ids = {doc.info.id for doc in new_documents}
    new_paths = {source.path for source in added}
    kept, documents = [], []
    for source in sources:
        if source.path in new_paths:
            continue
        own = source.read()
        replaced = {doc.info.id for doc in own} & new_ids
        if replaced and replaced == {doc.info.id for doc in own}:
            continue  # everything it held is replaced: the source is no longer needed
        kept.append(replace(source, exclude=tuple(sorted({*source.exclude, *replaced}))))
        documents += [doc for doc in own if doc.info.id not in replaced]
    documents += new_documents
    _check_unique(documents)
    return kept + added, documents, [doc.info.id for doc in new_documents]


def without(sources: list[Source], ids: set[str], indexed: Mapping[str, str]) -> tuple[list[Source], list[Document]]:
    """The sources after taking out the documents `ids`, and the documents left.

    `indexed` maps each document id in the index to where it was read from (its `source`),
    so that a file that no longer exists can still be taken out of the index.
    """
    kept, documents = [], []
    for source in sources:
        if not Path(source.path).exists():
            from_here = {doc_id for doc_id, where in indexed.items() if _read_from(where, source.path)}
            if from_here and from_here <= ids:
                continue  # the file is gone, and so are all its documents
        own = source.read()
        left = [doc for doc in own if doc.info.id not in ids]
        if own and not left:
            continue
        gone = {doc.info.id for doc in own} & ids
        kept.append(replace(source, exclude=tuple(sorted({*source.exclude, *gone}))))
        documents += left
    _check_unique(documents)
    return kept, documents


def _read_from(where: str, path: str) -> bool:
    return where == path or where.startswith(path + "#")  # a JSON Lines record: «file.jsonl#id»


def _check_unique(documents: list[Document]) -> None:
    seen: set[str] = set()
    for doc in documents:
        if doc.info.id in seen:
            raise CorpusError("corpus.duplicate_id", id=doc.info.id)
        seen.add(doc.info.id)
