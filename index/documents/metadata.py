"""Where a document's metadata comes from, and which source wins.

From weakest to strongest: the file name (id and title), what the file itself says
(HTML meta tags, PDF info, docx core properties, Markdown front matter), the folder's
`metadata.toml` entry, a sidecar `<file name>.meta.toml` next to the file, and the
caller's overrides (command-line flags). Dates are normalised to ISO YYYY-MM-DD.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from kilde.index.errors import CorpusError

SIDECAR_SUFFIX = ".meta.toml"
DATE_FIELDS = ("date", "retrieved")
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")  # also the start of an ISO date-time
PDF_DATE = re.compile(r"D:(\d{4})(\d{2})(\d{2})")  # D:YYYYMMDDHHmmSSOHH'mm'
NORWEGIAN_DATE = re.compile(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})$")  # 26.05.2015


def iso_date(value: object) -> str:
    """YYYY-MM-DD where the value reads as a calendar date; otherwise the value as given."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    for pattern, year, month, day in ((ISO_DATE, 1, 2, 3), (PDF_DATE, 1, 2, 3), (NORWEGIAN_DATE, 3, 2, 1)):
        if match := pattern.match(text):
            try:
                return date(int(match[year]), int(match[month]), int(match[day])).isoformat()
            except ValueError:
                return text
    try:
        return parsedate_to_datetime(text).date().isoformat()  # e-mail and HTTP style dates
    except (TypeError, ValueError):
        return text


def read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CorpusError("corpus.bad_metadata", path=str(path), detail=str(exc)) from exc


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> dict:
    """The metadata in `<file name>.meta.toml` next to `path` (the keys of a metadata.toml entry), if any."""
    sidecar = sidecar_path(path)
    return read_toml(sidecar) if sidecar.is_file() else {}


def merge(*layers: Mapping[str, object]) -> dict[str, str]:
    """Later layers win, but an empty value never overrides.

    A file's author stands in as publisher when nothing names a publisher; otherwise it
    is kept as an extra field.
    """
    merged: dict[str, object] = {}
    for layer in layers:
        merged.update((key, value) for key, value in layer.items() if value not in (None, ""))
    if "author" in merged and "publisher" not in merged:
        merged["publisher"] = merged.pop("author")
    return {key: iso_date(value) if key in DATE_FIELDS else _text(value, key) for key, value in merged.items()}


LINE_LISTS = ("examples",)  # lists whose items may hold commas (questions): one item a line


def _text(value: object, key: str = "") -> str:
    if isinstance(value, list):
        return ("\n" if key in LINE_LISTS else ", ").join(str(item) for item in value)
    return str(value)
