"""Read documents and their metadata from the paths a user gives.

Accepted: a folder (its `metadata.toml`, if any, and the files in it that Kilde can
read), a single file in one of the formats of `kilde.index.documents.formats` (.txt, .md,
.html, .pdf, .docx), or a JSON Lines file with one document a line
(`{"id", "title", "text", ...}`; fields Kilde does not know are kept as metadata).
How metadata sources rank is described in `kilde.index.documents.metadata`.
Every file is read under the parse budgets of `kilde.index.documents.budgets`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields
from importlib.resources import files
from pathlib import Path

from kilde.index.errors import CorpusError
from kilde.index.documents.budgets import Budgets
from kilde.index.documents.formats import can_read, check_size, read_file
from kilde.index.documents.metadata import merge, read_sidecar, read_toml, sidecar_path

METADATA_FILE = "metadata.toml"
KNOWN_FIELDS = {"id", "file", "title", "text", "publisher", "speaker", "date", "type", "description", "url",
                "retrieved"}


@dataclass(frozen=True)
class DocumentInfo:
    """What a citation needs to know about a document (everything but its text)."""

    id: str
    title: str
    publisher: str = ""
    speaker: str = ""
    date: str = ""
    type: str = ""
    description: str = ""
    url: str = ""
    retrieved: str = ""  # ISO date a web document was fetched («hentet»)
    source: str = ""
    extra: tuple[tuple[str, str], ...] = ()

    def as_json(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k != "extra"}
        data["extra"] = dict(self.extra)
        return data

    @classmethod
    def from_json(cls, data: dict) -> "DocumentInfo":
        return cls(**{**data, "extra": tuple(sorted(data.get("extra", {}).items()))})


@dataclass(frozen=True)
class Document:
    info: DocumentInfo
    text: str = field(repr=False)
    # How paragraphs are separated: blank lines (text files) or single newlines (JSON Lines).
    line_paragraphs: bool = False

    @property
    def content_hash(self) -> str:
        """Changes when the text or any metadata changes."""
        payload = json.dumps([self.info.as_json(), self.text], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def bundled_corpus() -> Path:
    """The folder of documents that ships with Kilde."""
    return Path(str(files("kilde.corpus")))


def corpus_hash(documents: list[Document]) -> str:
    digest = hashlib.sha256()
    for doc in sorted(documents, key=lambda d: d.info.id):
        digest.update(f"{doc.info.id}\0{doc.content_hash}\n".encode())
    return digest.hexdigest()


def read_documents(paths: list[Path], overrides: Mapping[str, str | None] | None = None,
                   only: Collection[str] | None = None, budgets: Budgets | None = None) -> list[Document]:
    """Every document under `paths`; `overrides` (e.g. from command-line flags) win over all other metadata.

    `only` (file paths as `source_files` gives them) reads just those files of the paths; `budgets`
    replaces the environment's parse budgets (the upload page gives a file what its upload has left)."""
    overrides = _checked(overrides or {})
    documents: list[Document] = []
    for path in paths:
        if not path.exists():
            raise CorpusError("corpus.missing", path=str(path))
        if path.is_dir():
            documents += _read_folder(path, overrides, only, budgets)
        elif only is not None and str(path) not in only:
            continue
        elif path.suffix.lower() == ".jsonl":
            documents += _read_jsonl(path, overrides)
        elif can_read(path):
            documents.append(_file_document(path, {}, overrides, budgets))
        else:
            raise CorpusError("corpus.unknown_type", path=str(path))
    seen: set[str] = set()
    for doc in documents:
        if doc.info.id in seen:
            raise CorpusError("corpus.duplicate_id", id=doc.info.id)
        seen.add(doc.info.id)
    return documents


def _checked(overrides: Mapping[str, str | None]) -> dict[str, str]:
    allowed = {f.name for f in fields(DocumentInfo)} - {"id", "source", "extra"}
    unknown = set(overrides) - allowed
    if unknown:
        raise ValueError(f"cannot override {sorted(unknown)}; only {sorted(allowed)}")
    return {key: value for key, value in overrides.items() if value}


def source_files(path: Path) -> list[Path]:
    """The files a path's documents are read from, in reading order: itself, or a folder's readable files."""
    if not path.is_dir():
        return [path]
    return [p for p in sorted(path.iterdir()) if not p.name.startswith((".", "~$"))  # hidden files, Office lock files
            and (p.suffix.lower() == ".jsonl" or (p.is_file() and can_read(p)))]


def metadata_files(file: Path, source: Path) -> list[Path]:
    """The files besides `file` whose metadata its documents take: the folder's metadata.toml, its sidecar."""
    found = [source / METADATA_FILE] if source.is_dir() else []
    return [p for p in [*found, sidecar_path(file)] if p.is_file()]


def _read_folder(folder: Path, overrides: dict[str, str], only: Collection[str] | None = None,
                 budgets: Budgets | None = None) -> list[Document]:
    meta_path = folder / METADATA_FILE
    metadata = read_toml(meta_path) if meta_path.exists() else {}
    for doc_id, entry in metadata.items():
        if not isinstance(entry, dict):
            raise CorpusError("corpus.bad_metadata_entry", path=str(meta_path), key=doc_id)
    entries = {doc_id: {"id": doc_id, **entry} for doc_id, entry in metadata.items()}
    by_file = {entry["file"]: entry for entry in entries.values() if "file" in entry}
    by_stem = {doc_id: entry for doc_id, entry in entries.items() if "file" not in entry}
    documents = []
    for path in source_files(folder):
        if only is not None and str(path) not in only:
            continue
        if path.suffix.lower() == ".jsonl":
            documents += _read_jsonl(path, overrides)
        else:
            entry = by_file.get(path.name) or by_stem.get(path.stem, {})
            documents.append(_file_document(path, entry, overrides, budgets))
    return documents


def _file_document(path: Path, entry: dict, overrides: dict[str, str], budgets: Budgets | None = None) -> Document:
    extracted = read_file(path, budgets)
    meta = merge({"id": path.stem, "title": path.stem}, extracted.metadata, entry, read_sidecar(path), overrides)
    return Document(_info(meta, source=str(path)), extracted.text)


def _read_jsonl(path: Path, overrides: dict[str, str]) -> list[Document]:
    check_size(path, Budgets.from_environment())  # read here: one json.loads a line is linear in the size
    documents = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError("corpus.bad_json", path=str(path), line=number) from exc
            if not isinstance(record, dict) or not isinstance(record.get("text"), str) or "id" not in record:
                raise CorpusError("corpus.bad_record", path=str(path), line=number)
            fields_ = {key: value for key, value in record.items() if key != "text"}
            meta = merge({"title": str(record["id"])}, fields_, overrides, {"id": str(record["id"])})
            documents.append(Document(_info(meta, source=f"{path}#{meta['id']}"), record["text"],
                                      line_paragraphs=True))
    return documents


def _info(meta: dict[str, str], source: str) -> DocumentInfo:
    known = {k: v for k, v in meta.items() if k in KNOWN_FIELDS - {"file", "text"}}
    extra = tuple(sorted((k, v) for k, v in meta.items() if k not in KNOWN_FIELDS))
    return DocumentInfo(**known, source=source, extra=extra)
