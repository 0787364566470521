"""Writing a build: a staging folder, a disk-space check, atomic publishing, and which builds to keep.

An index folder holds `CURRENT` (the live build's name), `PREVIOUS` (the build that was live
before it, kept and served when the live one cannot be read, issue 14 §5) and `builds/`.
A build is written into `builds/.staging-<pid>-…` and only made live by atomically replacing
`CURRENT`, so a crash mid-build leaves the previous index in use. A build is deleted only
once two newer builds have been published (a long-running server may still read the one
before the live one); staging folders are removed when their build fails and, if a crash
left one, by the next publish once the process that wrote it is gone.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock

from kilde.index.errors import IndexStateError
from kilde.index.store.manifest import MANIFEST, Manifest, read_manifest_at

BUILDS = "builds"
CURRENT = "CURRENT"
PREVIOUS = "PREVIOUS"
STAGING_PREFIX = ".staging-"
HASH_CHUNK = 1 << 20
# Bytes a passage takes on disk beside its vector (twice: .npy and FAISS) and its text (three
# times: SQLite, BM25 postings, documents' BM25): key, row, position, SQLite and FAISS overhead.
# With a quarter more for safety, the bundled corpus' build is estimated at 330 kB (280 kB written).
BYTES_PER_PASSAGE = 400
SAFETY = 1.25


def is_disk_full(error: BaseException) -> bool:
    """ENOSPC or EDQUOT, also when FAISS or SQLite only says so in its message."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(error)
    return "No space left on device" in text or "database or disk is full" in text or "Disk quota exceeded" in text


def estimated_bytes(passage_count: int, text_bytes: int, dimension: int) -> int:
    return int(SAFETY * (passage_count * (dimension * 4 * 2 + BYTES_PER_PASSAGE) + 3 * text_bytes))


def check_space(index_dir: Path, needed: int) -> None:
    """Refuse a build the disk cannot hold, before any passage is embedded."""
    index_dir.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(index_dir).free
    if free < needed:
        raise IndexStateError("index.disk_full", path=str(index_dir), needed_mb=_mb(needed), free_mb=_mb(free))


def _mb(count: int) -> int:
    return max(1, round(count / 1e6))


@contextmanager
def staging(index_dir: Path):
    """A fresh staging folder, removed when the build inside fails; a full disk becomes `index.disk_full_writing`."""
    builds = index_dir / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    folder = builds / f"{STAGING_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    try:
        yield folder
    except BaseException as error:
        shutil.rmtree(folder, ignore_errors=True)
        if is_disk_full(error) and not isinstance(error, IndexStateError):
            free = shutil.disk_usage(index_dir).free
            raise IndexStateError("index.disk_full_writing", path=str(index_dir), free_mb=_mb(free)) from error
        raise


def file_hashes(build: Path) -> dict[str, dict]:
    """sha256 and size of every file of a build but its manifest, by path relative to the build."""
    found = {}
    for path in sorted(p for p in build.rglob("*") if p.is_file() and p.name != MANIFEST):
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(HASH_CHUNK):
                digest.update(chunk)
        found[path.relative_to(build).as_posix()] = {"sha256": digest.hexdigest(), "size": path.stat().st_size}
    return found


def publish(index_dir: Path, folder: Path, manifest: Manifest) -> str:
    """Write the manifest, make the staged build live, keep the one it replaces as PREVIOUS,
    delete older builds. Returns the new build's name."""
    builds = index_dir / BUILDS
    for path in folder.rglob("*"):
        if path.is_file():
            _fsync(path)
    (folder / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    _fsync(folder / MANIFEST)
    with FileLock(str(index_dir / ".lock")):
        name = time.strftime("%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:8]
        os.replace(folder, builds / name)
        live = pointed(index_dir, CURRENT)
        if live is not None and _readable_manifest(builds / live, index_dir):  # else keep the older good one
            _point(index_dir, PREVIOUS, live)
        _point(index_dir, CURRENT, name)
        keep = {name, pointed(index_dir, PREVIOUS)}
        for old in builds.iterdir():
            if old.name in keep or (old.name.startswith(STAGING_PREFIX) and _writer_alive(old.name)):
                continue
            shutil.rmtree(old, ignore_errors=True)
    return name


def _readable_manifest(build: Path, index_dir: Path) -> bool:
    """A good build to keep as PREVIOUS: its manifest reads and every file it records is there,
    at the recorded size (what opening checks too; `kilde check` compares the hashes)."""
    try:
        manifest = read_manifest_at(build, index_dir)
        return all((build / name).stat().st_size == recorded["size"] for name, recorded in manifest.build_files.items())
    except (IndexStateError, OSError, KeyError, TypeError):
        return False


def pointed(index_dir: Path, pointer: str) -> str | None:
    try:
        return (index_dir / pointer).read_text().strip() or None
    except FileNotFoundError:
        return None


def _point(index_dir: Path, pointer: str, name: str) -> None:
    temporary = index_dir / f".{pointer}.{uuid.uuid4().hex}"
    temporary.write_text(name)
    _fsync(temporary)
    os.replace(temporary, index_dir / pointer)


def _writer_alive(staging_name: str) -> bool:
    """Whether the process that wrote this staging folder still runs; if not, a crash left it."""
    pid = staging_name[len(STAGING_PREFIX):].split("-")[0]
    if not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return True  # another build of this process (a server's thread) may be writing it
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
