"""`Library`: one index folder as one object — Kilde's Python API, and what every interface uses.

    library = Library.open("./min-indeks")
    library.add(["rapport.pdf"], publisher="Helseetaten")
    result = library.search("Hvor mange dør av overdose?")

Opening reads only source files whose fingerprint changed since the live build
(`kilde.index.gather`). Every change (`index`, `add`, `remove`, a rebuild on opening) holds the
folder's edit lock, so two processes changing one index never lose each other's work. A search
uses the live build as it was when the search began; the next one notices (by reading the tiny
`CURRENT` file) that another process or thread published a new build, and switches to it.
The model is loaded on the first search or the first passage that needs embedding: opening,
`documents()`, `passage()`, `manifest` and `remove` never load torch.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock, Timeout
import numpy as np

from kilde.index.documents.sources import Source, all_exist, sources_of
from kilde.index.errors import CorpusError, IndexStateError
from kilde.index.notices import notify

if TYPE_CHECKING:  # the heavy parts load on use
    from kilde.index.model.embedder import Embedder
    from kilde.index.retrieval.search import Context, SearchResult, Searcher
    from kilde.index.store.builds import Manifest, StoredIndex
    from kilde.index.documents.passages import Passage
    from kilde.index.documents.reader import DocumentInfo

    SearcherFactory = Callable[[StoredIndex, Embedder], Searcher]

EDIT_LOCK = ".edit.lock"
POINTER = "CURRENT"
LISTED_IDS = 20  # how many of the index's ids an «unknown id» error names


def default_index_dir() -> Path:
    """$KILDE_INDEX_DIR, else the user's data folder; the only index the bundled corpus is built into."""
    from platformdirs import user_data_dir

    return Path(os.environ.get("KILDE_INDEX_DIR") or Path(user_data_dir("kilde")) / "index")


@dataclass(frozen=True)
class Change:
    """What `index`, `add` or `remove` did."""

    manifest: Manifest  # the new live build's
    added: list[str]  # ids new to the index
    replaced: list[str]  # ids the index held, now read from the added files
    removed: list[str]


@dataclass(frozen=True)
class DocumentSummary:
    id: str
    title: str
    publisher: str
    speaker: str
    date: str
    type: str
    url: str
    source: str
    passages: int

    def as_json(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class DocumentText:
    """A document as the index holds it: its metadata and its passages, in order."""

    info: DocumentInfo
    passages: list[Passage]


class _Build:
    """One loaded build: what a search holds on to while it runs."""

    def __init__(self, name: str, stored: StoredIndex, engine: SearcherFactory | None = None) -> None:
        self.name = name
        self.stored = stored
        self._engine = engine
        self._searcher: Searcher | None = None
        self._lock = threading.Lock()

    def searcher(self, embedder: Embedder) -> Searcher:
        with self._lock:
            if self._searcher is None:
                from kilde.index.retrieval.search import Searcher

                self._searcher = (self._engine or Searcher)(self.stored, embedder)
            return self._searcher

    def row(self, passage_id: str) -> int | None:
        return self.stored.row_of(passage_id)  # a SQLite look-up: no table of every passage in memory


class Library:
    default_mode = "hybrid"

    def __init__(self, path: Path | str, model: str | Embedder | None = None, backend: str | None = None,
                 precision: str | None = None, *, threads: int | None = None, engine: SearcherFactory | None = None,
                 default: bool = False) -> None:
        """`model`: a sentence-transformers name or path (None: the bundled model), or an `Embedder`
        already loaded (several libraries, or tests, sharing one model). `backend` and `precision`
        choose how the bundled model runs (`kilde.index.model.backends`); `threads`: cores one
        encode uses (None: all; a server passes 1). `engine` makes each build's searcher (None: Kilde's
        own over the index folder; `kilde.index.cluster.milvus_engine.milvus_engine` searches Milvus)."""
        self.path = Path(path).expanduser().absolute()
        loaded = model if model is not None and not isinstance(model, (str, Path)) else None
        self.model_name = loaded.name if loaded is not None else (str(model) if model is not None else None)
        self._model_options = {key: value for key, value in (("backend", backend), ("precision", precision),
                                                             ("threads", threads)) if value is not None}
        if loaded is None:  # a backend or precision that cannot be had fails now, before anything is read
            from kilde.index.model.backends import choose_backend
            from kilde.index.model.bundled_model import BUNDLED_MODEL_NAME

            choose_backend(backend, precision, bundled=self.model_name in (None, BUNDLED_MODEL_NAME))
        self._engine = engine
        self._default = default  # the default index: the only one the bundled corpus is built into
        self._embedder: Embedder | None = loaded
        self._build: _Build | None = None
        self._loading = threading.Lock()  # one thread loads a build
        self._model_lock = threading.Lock()  # one thread loads the model
        self._threads = threading.RLock()  # the edit lock between threads; the file lock between processes
        self._edit: FileLock | None = None

    @classmethod
    def open(cls, path: Path | str | None = None, model: str | Embedder | None = None, backend: str | None = None,
             precision: str | None = None, progress: bool = False, threads: int | None = None,
             engine: SearcherFactory | None = None) -> "Library":
        """The index in `path` (None: the default index, built from the bundled corpus when missing).

        Refuses an index built with another model; rebuilds it (from the sources it records) when
        some source file changed. A folder without an index opens empty: `index` or `add` makes one."""
        default = path is None or Path(path).expanduser().absolute() == default_index_dir().expanduser().absolute()
        library = cls(path if path is not None else default_index_dir(), model, backend, precision, threads=threads,
                      engine=engine, default=default)
        library._check_model()
        library.refresh(progress)
        return library

    # ---- reading -------------------------------------------------------------------------------------

    @property
    def manifest(self) -> Manifest | None:
        """The live build's manifest; None while the folder holds no index."""
        from kilde.index.store.builds import read_manifest

        return read_manifest(self.path)

    def search(self, question: str, k: int = 5, mode: str | None = None,
               documents: list[str] | None = None) -> SearchResult:
        """The k best passages for `question` (`documents`: ids to restrict them to)."""
        from kilde.index.retrieval.search import check_k, check_mode, clean_question

        clean_question(question), check_k(k), check_mode(mode or self.default_mode)  # before any model loads
        build = self._live()  # this search keeps this build, whatever is published meanwhile
        return build.searcher(self.embedder).search(question, k, mode=mode, documents=documents)

    def searcher(self) -> Searcher:
        """The live build's `Searcher` (for benchmarks that look inside a search)."""
        return self._live().searcher(self.embedder)

    def passage(self, passage_id: str) -> Context | None:
        """The passage with this id, with its document and neighbours; None when no passage has it."""
        from kilde.index.retrieval.search import Context

        build = self._live()
        row = build.row(passage_id)
        if row is None:
            return None
        stored = build.stored
        passage = stored.passage_at(row)

        def neighbour(at: int):  # passages are stored document by document, in order
            if not 0 <= at < len(stored.passages):
                return None
            other = stored.passage_at(at)
            return other if other.document_id == passage.document_id else None

        return Context(passage, build.stored.documents[passage.document_id], neighbour(row - 1), neighbour(row + 1))

    @property
    def build_id(self) -> str:
        """The name of the build searches use now (what the folder's `CURRENT` names, once switched to);
        `GET /api/documents` reports it, so each replica behind a load balancer can be asked which it serves."""
        return self._live().name

    def documents(self) -> list[DocumentSummary]:
        """The index's documents, in index order, with how many passages each has."""
        stored = self._live().stored
        counts = np.bincount(stored.passage_document_positions(), minlength=len(stored.document_order))
        return [DocumentSummary(info.id, info.title, info.publisher, info.speaker, info.date, info.type, info.url,
                                info.source, int(counts[position]))
                for position, info in enumerate(stored.documents[doc_id] for doc_id in stored.document_order)]

    def infos(self) -> list[DocumentInfo]:
        """Every document's metadata (what a citation needs), in index order."""
        stored = self._live().stored
        return [stored.documents[doc_id] for doc_id in stored.document_order]

    def document(self, document_id: str) -> DocumentText | None:
        """A document whole, its passages in order (the `?d=` view); None when the index has no such document."""
        stored = self._live().stored
        info = stored.documents.get(document_id)
        if info is None:
            return None
        position = stored.document_order.index(document_id)
        rows = np.flatnonzero(stored.passage_document_positions() == position)
        return DocumentText(info, [stored.passage_at(int(row)) for row in rows])

    @property
    def embedder(self) -> Embedder:
        """The model, loaded on first use (`open` has checked it against the index by its fingerprint)."""
        if self._embedder is not None:
            return self._embedder
        with self._model_lock:
            if self._embedder is None:
                from kilde.index.model.embedder import load_embedder

                self._embedder = load_embedder(self.model_name, **self._model_options)
            return self._embedder

    # ---- changing ------------------------------------------------------------------------------------

    def index(self, paths: Iterable[Path | str], progress: bool = False, ray: str | None = None,
              **metadata: str | None) -> Change:
        """Make the index hold exactly the documents in `paths` (files or folders).

        `metadata` (title, publisher, date, …) overrides what the files say, for every document."""
        from kilde.index.documents.reader import read_documents

        sources = sources_of([Path(p).expanduser().resolve() for p in paths], metadata)
        with self._lock():
            manifest = self.manifest
            before = [record["id"] for record in manifest.documents] if manifest else []
            read_documents([Path(s.path) for s in sources], metadata, only=())  # a missing path fails first
            try:
                self._check_model()
                reuse = True
            except IndexStateError:  # built with another model: that build's documents cannot be taken over
                reuse = False
            build = self._rebuild(sources, progress, always=True, reuse=reuse, ray=ray,
                                  empty_path=", ".join(s.path for s in sources))
            ids = [record["id"] for record in build.documents]
        return Change(build, [i for i in ids if i not in set(before)], [], [i for i in before if i not in set(ids)])

    def rebuild(self, progress: bool = False, **metadata: str | None) -> Change:
        """Build again from the sources the index records (the live build's, else the previous
        build's), with `metadata` over theirs — never from the bundled corpus (issue 14 §5)."""
        from dataclasses import replace

        with self._lock():
            try:
                manifest = self.manifest
            except IndexStateError:
                raise IndexStateError("index.sources_unknown", path=str(self.path)) from None
            if manifest is None:
                raise IndexStateError("index.missing", path=str(self.path))
            overrides = {key: value for key, value in metadata.items() if value}
            sources = [replace(s, overrides={**s.overrides, **overrides}) for s in manifest.source_list()]
            build = self._rebuild(sources, progress, always=True, empty_path=", ".join(s.path for s in sources))
        return Change(build, [], [], [])

    def add(self, paths: Iterable[Path | str], progress: bool = False, ray: str | None = None,
            **metadata: str | None) -> Change:
        """Add the documents in `paths`, replacing any with the same id; without an index yet, make one."""
        from kilde.index.documents.reader import read_documents

        paths = [Path(p).expanduser().resolve() for p in paths]
        added = sources_of(paths, metadata)
        # Read once, before the lock and the model: bad input fails here.
        fresh = {source.path: read_documents([Path(source.path)], source.overrides) for source in added}
        fresh_ids = [doc.info.id for documents in fresh.values() for doc in documents]
        if not fresh_ids:
            raise CorpusError("corpus.no_documents", path=", ".join(str(p) for p in paths))
        if len(set(fresh_ids)) < len(fresh_ids):
            raise CorpusError("corpus.duplicate_id", id=next(i for i in fresh_ids if fresh_ids.count(i) > 1))
        with self._lock():
            manifest = self.manifest
            self._check_model()
            before = {record["id"] for record in manifest.documents} if manifest else set()
            kept = self._without(manifest, set(fresh_ids), {s.path for s in added})
            build = self._rebuild(kept + added, progress, fresh=fresh, always=True, ray=ray)
        return Change(build, [i for i in fresh_ids if i not in before], [i for i in fresh_ids if i in before], [])

    def remove(self, ids: Iterable[str], progress: bool = False) -> Change:
        """Take the documents `ids` out; an id the index does not hold is an error. Needs no model."""
        ids = list(dict.fromkeys(ids))
        self._check_removable(ids)  # no index: nothing to lock
        with self._lock():
            manifest = self._check_removable(ids)
            build = self._rebuild(self._without(manifest, set(ids)), progress, always=True)
        return Change(build, [], [], ids)

    def refresh(self, progress: bool = False) -> Manifest | None:
        """Build the default index when missing; rebuild when a source file changed. Reads only changed files."""
        from kilde.index.documents.reader import bundled_corpus
        from kilde.index.gather import stale

        manifest = self.manifest
        if manifest is None:
            if not self._default:
                return None  # an empty folder (or a mistyped path): nothing is built here unasked
            with self._lock():
                if (manifest := self.manifest) is None:
                    notify("index.building", path=str(self.path))
                    return self._rebuild(sources_of([bundled_corpus()]), progress)
            return manifest
        sources = manifest.source_list()
        if not all_exist(sources) or not stale(sources, manifest):  # a source that is gone: search it as it is
            return manifest
        with self._lock():
            manifest = self.manifest  # again: another process may have rebuilt meanwhile
            sources = manifest.source_list()
            if all_exist(sources) and stale(sources, manifest):
                return self._rebuild(sources, progress, notice="index.rebuilding")
            return manifest

    # ---- inside --------------------------------------------------------------------------------------

    def _rebuild(self, sources: list[Source], progress: bool, fresh: dict | None = None, always: bool = False,
                 notice: str | None = None, empty_path: str | None = None, reuse: bool = True,
                 ray: str | None = None) -> Manifest:
        """Build from `sources` (holding the lock), reading only changed files; the live manifest.

        `ray` (an address, `auto` or `local`): new passages are embedded on that Ray cluster."""
        from kilde.index.gather import changed, gather, plan
        from kilde.index.store.builds import build_index, built_documents

        live = self.manifest
        manifest = live if reuse else None
        found = plan(sources, manifest, fresh or {})
        gathered = gather(found, manifest, lambda: built_documents(self.path), fresh or {})
        if not gathered.documents:
            raise CorpusError("corpus.no_documents", path=empty_path or ", ".join(s.path for s in sources))
        if live is not None and not changed(gathered, manifest, sources) and not (always and gathered.read):
            return live
        if notice:
            notify(notice, path=str(self.path))
        with self._cluster(ray) as embed:
            return build_index(gathered.documents, lambda: self.embedder, self.path, sources, progress=progress,
                               files=gathered.files, embed=embed)

    def _cluster(self, ray: str | None):
        """What embeds on a Ray cluster (`kilde.index.cluster`, imported only then); nothing without `ray`."""
        if not ray:
            return nullcontext()
        from kilde.index.cluster.ray_embed import ray_embedder, resolve_address

        return ray_embedder(resolve_address(ray), self.embedder)

    def _without(self, manifest: Manifest | None, ids: set[str], paths: set[str] = frozenset()) -> list[Source]:
        """The index's sources minus those in `paths`, with the documents `ids` left out (or the whole
        source dropped when it holds nothing else). Which source holds which document comes from the
        live build, so no file is read."""
        from dataclasses import replace

        if manifest is None:
            return []
        where = {record["id"]: record.get("source", "") for record in manifest.documents}
        kept = []
        for source in manifest.source_list():
            if source.path in paths:
                continue
            own = {doc_id for doc_id, at in where.items() if _read_from(at, source.path)} - set(source.exclude)
            if own and own <= ids:
                continue  # everything it held is taken out or replaced
            gone = own & ids
            kept.append(replace(source, exclude=tuple(sorted({*source.exclude, *gone}))))
        return kept

    def _check_removable(self, ids: list[str]) -> Manifest:
        manifest = self.manifest
        if manifest is None:
            raise IndexStateError("index.missing", path=str(self.path))
        indexed = [record["id"] for record in manifest.documents]
        unknown = [doc_id for doc_id in ids if doc_id not in set(indexed)]
        if unknown:
            known = sorted(indexed)
            listed = ", ".join(known[:LISTED_IDS]) + (" …" if len(known) > LISTED_IDS else "")
            raise IndexStateError("index.unknown_document", path=str(self.path), ids=", ".join(unknown), known=listed)
        if set(indexed) <= set(ids):
            raise IndexStateError("index.would_be_empty", path=str(self.path))
        return manifest

    def _check_model(self) -> None:
        """Refuse an index built with another model, or with the same model on another backend,
        from the manifest and the model's recorded fingerprint: no weights are loaded."""
        from kilde.index.model.backends import choose_backend
        from kilde.index.model.bundled_model import BUNDLED_MODEL_NAME
        from kilde.index.model.embedder import model_fingerprint

        manifest = self.manifest
        if manifest is None:
            return
        name = self.model_name or BUNDLED_MODEL_NAME
        if self._embedder is not None:
            backend, fingerprint = self._embedder.backend, self._embedder.fingerprint
        else:
            backend = choose_backend(self._model_options.get("backend"), self._model_options.get("precision"),
                                     bundled=name == BUNDLED_MODEL_NAME)
            fingerprint = model_fingerprint(name, backend)
        if manifest.model_name == name and manifest.model_backend != backend.label:
            built = manifest.model_backend.split(" ") + ["fp32"]
            raise IndexStateError("index.other_backend", path=str(self.path), built_with=manifest.model_backend,
                                  requested=backend.label, backend=built[0], precision=built[1],
                                  requested_backend=backend.name, requested_precision=backend.precision)
        if manifest.model_name != name or (fingerprint and manifest.model_fingerprint != fingerprint):
            raise IndexStateError("index.other_model", path=str(self.path), built_with=manifest.model_name,
                                  requested=name)

    @contextmanager
    def _lock(self) -> Iterator[None]:
        """The folder's edit lock: one change at a time, across threads and processes."""
        with self._threads:
            if self._edit is None:
                self.path.mkdir(parents=True, exist_ok=True)
                self._edit = FileLock(str(self.path / EDIT_LOCK), thread_local=False)
            try:
                self._edit.acquire(timeout=0)
            except Timeout:  # another change holds it: say so, then wait for it
                notify("index.waiting", path=str(self.path))
                self._edit.acquire()
            try:
                yield
            finally:
                self._edit.release()

    def _live(self) -> _Build:
        """The live build, loaded again when `CURRENT` names another one than the loaded build."""
        from kilde.index.store.builds import load_index

        name = self._pointer()
        build = self._build
        if build is not None and build.name == name:
            return build
        with self._loading:
            if self._build is not None and self._build.name == self._pointer():
                return self._build
            for _ in range(3):  # a build published and replaced while it was being loaded: load the newer one
                name = self._pointer()
                if name is None:
                    raise IndexStateError("index.missing", path=str(self.path))
                try:
                    stored = load_index(self.path)
                except IndexStateError:
                    if self._pointer() == name:
                        raise
                    continue
                self._build = _Build(name, stored, self._engine)
                return self._build
            raise IndexStateError("index.broken", path=str(self.path))

    def _pointer(self) -> str | None:
        """The build `CURRENT` names, read on every search (a plain `os.read`: `Path.read_text` was
        0.1–0.2 ms of a 2 ms search on the bundled corpus)."""
        try:
            handle = os.open(self.path / POINTER, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            return os.read(handle, 4096).decode("utf-8").strip()
        finally:
            os.close(handle)


def _read_from(where: str, path: str) -> bool:
    """Whether a document read from `where` (a file, or «file.jsonl#id») comes from the source `path`."""
    return where == path or where.startswith(path + "#") or where.startswith(path.rstrip(os.sep) + os.sep)
