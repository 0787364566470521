"""A file's fingerprint: its size and modification time, and the sha256 of its bytes.

Opening an index compares each source file's size and mtime (one `stat`) with what the manifest
recorded; only when those differ are the bytes hashed, and only when the hash differs is the file
read again. A file touched but not changed (`touch`, a checkout, a copy that keeps the bytes) is
not parsed again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 1 << 20


def fingerprint(path: Path, recorded: dict | None = None) -> dict:
    """{"size", "mtime_ns", "sha256"} of `path`; the recorded sha256 is kept when size and mtime match."""
    stat = path.stat()
    if recorded and (recorded.get("size"), recorded.get("mtime_ns")) == (stat.st_size, stat.st_mtime_ns) \
            and recorded.get("sha256"):
        return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": recorded["sha256"]}
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha256_of(path)}


def same(path: Path, recorded: dict | None) -> bool:
    """Whether `path` still holds the bytes `recorded` describes (hashing only when size or mtime differ)."""
    if not recorded or not recorded.get("sha256"):
        return False
    try:
        stat = path.stat()
    except OSError:
        return False
    if (recorded.get("size"), recorded.get("mtime_ns")) == (stat.st_size, stat.st_mtime_ns):
        return True
    return recorded.get("size") == stat.st_size and sha256_of(path) == recorded["sha256"]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()
