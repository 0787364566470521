"""Progress notices from the core (model built, index rebuilt, ...), worded by the interface.

The core only names what happened; `kilde.app` installs a handler that words it
in Norwegian, so all user-facing text stays in one place.
"""

from __future__ import annotations

import sys
from typing import Callable

Handler = Callable[[str, dict], None]


def _plain(code: str, params: dict) -> None:
    details = " ".join(f"{k}={v}" for k, v in params.items())
    print(f"kilde: {code} {details}".rstrip(), file=sys.stderr, flush=True)


_handler: Handler = _plain


def set_handler(handler: Handler) -> None:
    global _handler
    _handler = handler


def notify(code: str, **params: object) -> None:
    _handler(code, params)
