"""Read documents and their metadata from the paths a user gives.

Accepted: a folder (its `metadata.toml`, if any, and its `.txt` and `.jsonl`
files), a `.txt` file, or a JSON Lines file with one document a line
(`{"id", "title", "text", ...}`; fields Kilde does not know are kept as metadata).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from .errors import CorpusError

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


def read_documents(paths: list[Path]) -> list[Document]:
    documents: list[Document] = []
    for path in paths:
        if not path.exists():
            raise CorpusError("corpus.missing", path=str(path))
        if path.is_dir():
            documents += _read_folder(path)
        elif path.suffix.lower() == ".jsonl":
            documents += _read_jsonl(path)
        elif path.suffix.lower() == ".txt":
            documents.append(_text_document(path, {}))
        else:
            raise CorpusError("corpus.unknown_type", path=str(path))
    seen: set[str] = set()
    for doc in documents:
        if doc.info.id in seen:
            raise CorpusError("corpus.duplicate_id", id=doc.info.id)
        seen.add(doc.info.id)
    return documents


def _read_folder(folder: Path) -> list[Document]:
    meta_path = folder / METADATA_FILE
    metadata = tomllib.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    by_file = {entry.get("file", f"{doc_id}.txt"): {"id": doc_id, **entry} for doc_id, entry in metadata.items()}
    documents = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() == ".txt":
            documents.append(_text_document(path, by_file.get(path.name, {})))
        elif path.suffix.lower() == ".jsonl":
            documents += _read_jsonl(path)
    return documents


def _text_document(path: Path, meta: dict) -> Document:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError("corpus.not_utf8", path=str(path)) from exc
    meta = {"id": path.stem, "title": path.stem, **meta}
    return Document(_info(meta, source=str(path)), text)


def _read_jsonl(path: Path) -> list[Document]:
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
            record = {**record, "id": str(record["id"])}
            record.setdefault("title", record["id"])
            documents.append(Document(_info(record, source=f"{path}#{record['id']}"), record["text"],
                                      line_paragraphs=True))
    return documents


def _info(meta: dict, source: str) -> DocumentInfo:
    known = {k: str(v) for k, v in meta.items() if k in KNOWN_FIELDS - {"file", "text"}}
    extra = tuple(sorted((k, str(v)) for k, v in meta.items() if k not in KNOWN_FIELDS))
    return DocumentInfo(**known, source=source, extra=extra)
