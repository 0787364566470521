"""«Legg til dokumenter»: a page of the web interface for uploading documents into the index.

Off unless the server is started with `kilde serve --allow-upload`: anyone who can reach the
page can change what the index holds. Uploaded files are kept in the index folder's
`uploads/` (the index re-reads its sources, so they must outlive Gradio's temporary files)
and added as `kilde add` adds them: a file with the name of one uploaded before replaces it,
and only passages the index does not hold yet are embedded. Every page of the server
(search, widget, API) searches the new index as soon as the upload is done.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from kilde.index.documents.budgets import Budgets
from kilde.index.documents.reader import read_documents
from kilde.index.errors import KildeError
from kilde.index.library import Library

from . import texts
from .ui import gr
from .upload_guard import UploadedFiles, check_uploaded

UPLOAD_PAGE_PATH = "/legg-til"
UPLOAD_FOLDER = "uploads"
METADATA_FIELDS = ("title", "publisher", "date", "url", "type")


def upload_page(library: Library) -> Callable[[gr.Blocks], None]:
    """What adds the upload page to the interface. Every page searches `library`, which switches to
    the new build by itself after an upload."""
    return lambda demo: add_upload_page(demo, library)


def add_upload_page(demo: gr.Blocks, library: Library) -> None:
    with demo.route(texts.UPLOAD_PAGE_NAME, UPLOAD_PAGE_PATH):
        gr.Navbar(main_page_name=texts.NAVBAR_MAIN_PAGE)
        gr.Markdown(texts.UPLOAD_INTRO)
        # No `file_types`: Gradio's own check of them answers «Invalid file type» in English, which its i18n
        # cannot reach; a file Kilde cannot read is refused by the reader instead, in Norwegian
        # (`corpus.unknown_type`, naming the file).
        files = UploadedFiles(label=texts.UPLOAD_FILES_LABEL, file_count="multiple",
                        elem_id="kilde-upload-files")
        with gr.Row():
            fields = [gr.Textbox(label=texts.UPLOAD_FIELD_LABELS[name], elem_id=f"kilde-upload-{name}")
                      for name in METADATA_FIELDS]
        button = gr.Button(texts.UPLOAD_BUTTON, variant="primary", elem_id="kilde-upload-button")
        status = gr.Markdown(elem_id="kilde-upload-status")

        def upload(paths: list[str] | None, *values: str) -> str:
            files = [Path(p) for p in paths or []]
            try:
                check_uploaded(files)  # again here: nothing outside Gradio's upload folder is ever read
            except KildeError as error:
                return texts.describe(error)
            return ingest(library, files, dict(zip(METADATA_FIELDS, values)))

        button.click(upload, inputs=[files, *fields], outputs=status, concurrency_limit=1, api_visibility="private")


def ingest(library: Library, paths: list[Path], overrides: dict[str, str]) -> str:
    """Add uploaded files to the index; the Norwegian message to show.

    Each file is read on its own first, under the parse budgets: one that cannot be read (broken,
    over a budget) gets its message, named by file name, and the others are still added."""
    if not paths:
        return texts.UPLOAD_NO_FILES
    overrides = {key: value.strip() for key, value in overrides.items() if value and value.strip()}
    readable, refused, late = [], [], []
    budgets = Budgets.from_environment()
    deadline = time.monotonic() + budgets.upload_seconds  # the whole upload's parsing (budgets.py)
    for path in paths:
        left = deadline - time.monotonic()
        if left <= 0:
            late.append(Path(path.name).name)
            continue
        try:  # a broken file fails here, before it is kept; it may take what the upload has left
            read_documents([path], overrides, budgets=replace(budgets, seconds=min(budgets.seconds, left)))
        except KildeError as error:
            refused.append(_described(error))
        else:
            readable.append(path)
    if late:
        refused.append(texts.describe(KildeError("upload.too_slow", seconds=f"{budgets.upload_seconds:g}",
                                                 files=", ".join(f"«{name}»" for name in late))))
    if not readable:
        return "\n\n".join(refused)
    try:
        folder = library.path / UPLOAD_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        kept = []
        for path in readable:
            target = folder / Path(path.name).name
            shutil.copyfile(path, target)
            kept.append(target)
        change = library.add(kept, **overrides)
    except KildeError as error:
        return "\n\n".join([*refused, _described(error)])
    manifest = change.manifest
    lines = [template.format(ids=", ".join(f"«{i}»" for i in ids))
             for template, ids in ((texts.CLI_ADDED, change.added), (texts.CLI_REPLACED, change.replaced)) if ids]
    lines.append(texts.UPLOAD_DONE.format(documents=manifest.document_count, passages=manifest.passage_count,
                                          embedded=manifest.embedded, reused=manifest.reused))
    return "\n\n".join([*lines, *refused])


def _described(error: KildeError) -> str:
    """The error's Norwegian message, a file named by its name: the server's folders are no visitor's business."""
    return texts.describe(KildeError(error.code, **{key: Path(str(value)).name if key == "path" else value
                                                    for key, value in error.params.items()}))
