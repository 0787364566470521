"""What a visitor may send to the upload page: only files Gradio itself wrote to its upload folder.

A Gradio event takes each file as a `FileData` whose `path` the browser sends back after
`/gradio_api/upload` stored the file. Nothing stops a visitor from sending another path
(`/etc/passwd`, `../README.md`, a symlink in a folder they can write). Gradio's own check is
skipped when an app is mounted with `gr.mount_gradio_app` (it runs only once `launch()` marks the
app launched), so Kilde checks for itself, twice:

- `UploadedFiles`, the upload page's file input, refuses such a path before Gradio copies the file
  anywhere (Gradio's "move to cache" is the component's own method), with a Norwegian `gr.Error`;
- `check_uploaded` refuses it again in the upload event, before anything is read or indexed.

Both resolve the path (symlinks included) and require it inside the folder Gradio's upload route
writes to: `gradio.utils.get_upload_folder()` (`$GRADIO_TEMP_DIR`, else `<tmp>/gradio`), the same
value each Gradio block keeps as `GRADIO_CACHE`.
"""

from __future__ import annotations

import os
from pathlib import Path

import gradio as gr
from gradio.utils import get_upload_folder

from kilde.index.errors import KildeError

from . import texts


class UploadRefused(KildeError):
    """A file the upload page will not take: not one Gradio stored for this upload."""


def upload_folder() -> Path:
    return Path(get_upload_folder()).resolve()


def is_uploaded(path: str | os.PathLike, folder: Path | None = None) -> bool:
    """True only for a regular file inside Gradio's upload folder, after resolving symlinks and `..`."""
    raw = os.fspath(path)
    if not raw or "\x00" in raw or not os.path.isabs(raw):
        return False
    folder = folder or upload_folder()
    try:
        resolved = Path(raw).resolve(strict=True)
    except (OSError, RuntimeError):
        return False
    return resolved != folder and resolved.is_relative_to(folder) and resolved.is_file()


def check_uploaded(paths: list[Path], folder: Path | None = None) -> None:
    """Raise `UploadRefused` (named by file name only) unless every path is an uploaded file."""
    for path in paths:
        if not is_uploaded(path, folder):
            raise UploadRefused("upload.not_uploaded", name=Path(os.fspath(path)).name or "?")


class UploadedFiles(gr.File):
    """`gr.File` that takes only files from Gradio's upload folder (see the module docstring)."""

    is_template = True  # as Gradio's own templates: the browser draws it as its base class, `gr.File`

    def _refuse_foreign(self, path: str | Path | None) -> None:
        if path is not None and not is_uploaded(path, Path(self.GRADIO_CACHE).resolve()):
            raise gr.Error(texts.describe(UploadRefused("upload.not_uploaded", name=Path(str(path)).name or "?")),
                           title=texts.UPLOAD_ERROR_TITLE, print_exception=False)

    def move_resource_to_block_cache(self, url_or_file_path: str | Path | None) -> str | None:
        self._refuse_foreign(url_or_file_path)
        return super().move_resource_to_block_cache(url_or_file_path)

    async def async_move_resource_to_block_cache(self, url_or_file_path: str | Path | None) -> str | None:
        self._refuse_foreign(url_or_file_path)
        return await super().async_move_resource_to_block_cache(url_or_file_path)
