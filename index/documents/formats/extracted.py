"""What a format reader hands back: the text Kilde numbers, and the metadata the file carries."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Extracted:
    """A file's text, laid out so that Kilde's paragraph rule holds for it.

    `text` has one block per paragraph, blocks separated by a blank line, and one
    chunk per page separated by form feeds for paged formats. `metadata` holds only
    what the file itself says, under DocumentInfo's field names (plus `author`), with
    values as the file gives them (text, dates, lists); `metadata.merge` makes them text.
    """

    text: str
    metadata: dict[str, object] = field(default_factory=dict)
