"""`kilde check`: compare a build's files with the sha256 recorded in its manifest at publish time."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kilde.index.errors import IndexStateError
from kilde.index.store import publish
from kilde.index.store.manifest import Manifest, read_manifest_at


@dataclass(frozen=True)
class BuildCheck:
    name: str  # the build's folder name ("" when CURRENT names none)
    manifest: Manifest | None
    problems: list[tuple[str, str]] = field(default_factory=list)  # (kind, file): missing, changed, unreadable, …
    files: int = 0  # files compared

    @property
    def ok(self) -> bool:
        return self.manifest is not None and not self.problems

    @property
    def verifiable(self) -> bool:
        """False for a format-1 build, which recorded no hashes."""
        return self.manifest is not None and bool(self.manifest.build_files)


@dataclass(frozen=True)
class IndexCheck:
    live: BuildCheck
    previous: BuildCheck | None


def check_index(index_dir: Path) -> IndexCheck:
    """The live build's check and, when there is one, the previous build's."""
    live = publish.pointed(index_dir, publish.CURRENT)
    if live is None:
        raise IndexStateError("index.missing", path=str(index_dir))
    previous = publish.pointed(index_dir, publish.PREVIOUS)
    return IndexCheck(check_build(index_dir, live),
                      check_build(index_dir, previous) if previous and previous != live else None)


def check_build(index_dir: Path, name: str) -> BuildCheck:
    build = index_dir / publish.BUILDS / name
    if not build.is_dir():
        return BuildCheck(name, None, [("pointer", name)])
    try:
        manifest = read_manifest_at(build, index_dir)
    except IndexStateError:
        return BuildCheck(name, None, [("manifest", "manifest.json")])
    if not manifest.build_files:
        return BuildCheck(name, manifest)
    problems = []
    try:
        found = publish.file_hashes(build)
    except OSError:
        return BuildCheck(name, manifest, [("unreadable", name)], len(manifest.build_files))
    for file, recorded in sorted(manifest.build_files.items()):
        if file not in found:
            problems.append(("missing", file))
        elif found[file] != recorded:
            problems.append(("changed", file))
    return BuildCheck(name, manifest, problems, len(manifest.build_files))
