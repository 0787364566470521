"""A folder of the model cache, built once: under a file lock, in a temporary folder renamed into place.

The bundled model (`bundled_model`) and each backend's export (`onnx_export`) are built this way, so
two processes starting at once build it once, and a build cut short leaves no half-written folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock


def build_once(folder: Path, marker: str, build: Callable[[Path], None]) -> Path:
    """`folder`, made by `build(tmp)` unless it holds `marker` already; `build` must write `marker`."""
    if (folder / marker).exists():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder) + ".lock"):
        if not (folder / marker).exists():
            tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=folder.parent))
            try:
                build(tmp)
                if folder.exists():
                    shutil.rmtree(folder)
                os.replace(tmp, folder)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    return folder
