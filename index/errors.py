"""Errors the core reports to the interfaces.

Each carries a code and its parameters; the interfaces turn them into
Norwegian text (`kilde.app.texts`), so the core holds no user-facing wording.
"""

from __future__ import annotations


class KildeError(Exception):
    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        details = ", ".join(f"{k}={v!r}" for k, v in params.items())
        super().__init__(f"{code}({details})")


class CorpusError(KildeError):
    """A path or file that cannot be read as documents."""


class QuestionError(KildeError):
    """A question the search cannot take (empty, too long) or a bad k."""


class IndexStateError(KildeError):
    """An index that is missing, broken, or built for another model or corpus."""


class ClusterError(KildeError):
    """A Ray cluster or Milvus server that cannot be reached or used (missing extra, bad address, wrong model)."""
