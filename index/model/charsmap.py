"""Compile a per-codepoint normalisation map into SentencePiece's `precompiled_charsmap`.

`tokenizers.normalizers.Precompiled` is the only serialisable normaliser that
applies an arbitrary character map in one pass. It expects SentencePiece's
binary form: a little-endian u32 with the size of a darts-clone double-array
trie, the trie's u32 units, then the NUL-terminated replacement strings. The
trie maps the UTF-8 bytes of a source character to the offset of its
replacement. No maintained Python package builds darts-clone arrays, so the
(small, standard) construction is done here.
"""

from __future__ import annotations

import struct

_HAS_LEAF = 1 << 8
_IS_VALUE = 1 << 31
_MAX_PLAIN_OFFSET = 1 << 21


def _unit(label: int, offset: int, has_leaf: bool) -> int:
    if offset >= _MAX_PLAIN_OFFSET:
        raise ValueError("normalisation trie too large for a plain darts offset")
    return label | (offset << 10) | (_HAS_LEAF if has_leaf else 0)


def _build_trie(keys: dict[bytes, int]) -> list[int]:
    """Lay out a byte trie as a darts-clone double array (XOR addressing).

    A node at position p whose unit holds offset o finds its child with label c
    at p ^ o ^ c, and its value (if it ends a key) at p ^ o. Each node's base
    p ^ o is unique, so a child's label check can never match another parent.
    """
    trie: dict = {}
    for key, value in keys.items():
        node = trie
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = value

    units: list[int] = [0]
    used_bases: set[int] = set()

    def ensure(size: int) -> None:
        if len(units) < size:
            units.extend([0] * (size - len(units)))

    def free(pos: int) -> bool:
        return pos >= len(units) or (units[pos] == 0 and pos != 0)

    first_free = [1]

    def place(node: dict, pos: int, label: int) -> None:
        labels = [0 if k is None else k for k in node]
        while not free(first_free[0]):
            first_free[0] += 1
        base = max(1, (first_free[0] & ~0xFF))
        while base in used_bases or not all(free(base ^ lab) for lab in labels):
            base += 1
        used_bases.add(base)
        ensure((base | 0xFF) + 1)
        units[pos] = _unit(label, pos ^ base, None in node)
        for lab in labels:  # reserve every slot before descending
            units[base ^ lab] = _IS_VALUE if lab == 0 else lab
        if None in node:
            units[base] = _IS_VALUE | node[None]
        for byte, child in node.items():
            if byte is not None:
                place(child, base ^ byte, byte)

    place(trie, 0, 0)
    return units


def precompiled_charsmap(mapping: dict[int, str]) -> bytes:
    """Binary charsmap for `tokenizers.normalizers.Precompiled`."""
    pool = bytearray()
    keys: dict[bytes, int] = {}
    seen: dict[str, int] = {}
    for cp, replacement in sorted(mapping.items()):
        if replacement not in seen:
            seen[replacement] = len(pool)
            pool += replacement.encode("utf-8") + b"\0"
        keys[chr(cp).encode("utf-8")] = seen[replacement]
    units = _build_trie(keys)
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(pool)
