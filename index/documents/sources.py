"""What an index is built from, and how `kilde add` and `kilde remove` change it.

An index records its sources in order: each a path (a folder, a file or a JSON Lines
file) with the metadata overrides given with it (command-line flags) and the ids of
documents left out of it: taken out with `kilde remove`, or replaced by a document with
the same id added later. Reading the sources again gives exactly the documents in the
index, so `kilde ask` and `kilde serve`, which rebuild the index when its sources have
changed on disk, never undo an `add` or a `remove`. How a change edits the sources is
`kilde.index.library.Library`'s (`add`, `remove`); which of their files are read again, `kilde.index.gather`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
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
