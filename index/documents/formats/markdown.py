"""Markdown: the file's own blocks, with the markup taken out of each.

Every blank-line-separated block of the file (after any front matter) becomes exactly
one block of the extracted text, so paragraph N is still the N-th block you count in
the .md file. Inside a block, markdown-it-py renders the inline markup away: heading
hashes, emphasis, link targets and code backticks go; link text, image alt text, list
markers and table cells (joined by « | ») stay. A block that renders to nothing (a
rule, a link definition, an HTML comment) keeps its raw text, so the count holds.
Front matter (YAML between `---` lines, or TOML between `+++` lines) gives the metadata; without
a title there, the file's first level-1 heading (`# Tittel` or a `===` underline) is its title, as
a reader of the note sees it (the file name, «mote-2024-03», is no title to cite).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from kilde.index.errors import CorpusError
from kilde.index.documents.formats.extracted import Extracted
from kilde.index.documents.formats.text import read_utf8

FRONT_MATTER = re.compile(r"\A(---|\+\+\+)[ \t]*\n(?:(.*?)\n)?\1[ \t]*(?:\n|\Z)", flags=re.DOTALL)
BLANK_LINES = re.compile(r"\n\s*\n")  # keeps the next block's indentation, which Markdown reads
FRONT_MATTER_KEYS = ("title", "publisher", "author", "speaker", "date", "type", "description", "url", "retrieved")
CELL_SEPARATOR = " | "

_parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def read(path: Path) -> Extracted:
    source = read_utf8(path).replace("\r\n", "\n")
    metadata, body = _front_matter(source, path)
    env: dict = {}
    _parser.parse(body, env)  # collects link reference definitions for every block
    rendered = [_render(block, env) for block in BLANK_LINES.split(body) if block.strip()]
    if "title" not in metadata and (heading := _first_heading(body, env)):
        metadata["title"] = heading
    return Extracted("\n\n".join(rendered), metadata)


def _first_heading(body: str, env: dict) -> str:
    """The text of the first level-1 heading, or "" if there is none."""
    tokens = _parser.parse(body, dict(env))
    for token, inline in zip(tokens, tokens[1:]):
        if token.type == "heading_open" and token.tag == "h1":
            return " ".join(_inline(inline.children or []).split())
    return ""


def _front_matter(source: str, path: Path) -> tuple[dict[str, object], str]:
    """The front matter's metadata and the body after it; text that only looks like front matter stays body."""
    match = FRONT_MATTER.match(source)
    if not match:
        return {}, source
    fence, content = match.groups()
    try:
        data = tomllib.loads(content or "") if fence == "+++" else yaml.safe_load(content or "{}")
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise CorpusError("corpus.bad_metadata", path=str(path), detail=str(exc)) from exc
    if not isinstance(data, dict):
        return {}, source
    data.setdefault("author", data.get("authors"))
    return {key: data[key] for key in FRONT_MATTER_KEYS if data.get(key) not in (None, "")}, source[match.end():]


def _render(block: str, env: dict) -> str:
    """One raw block as plain text, never empty and without blank lines."""
    lines: list[str] = []
    cells: list[str] | None = None  # the cells of the table row being read
    marker, depth = "", 0
    for token in _parser.parse(block, dict(env)):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.type == "list_item_open":
            marker = "  " * (depth - 1) + token.info + token.markup + " "
        elif token.type == "tr_open":
            cells = []
        elif token.type == "tr_close" and cells is not None:
            lines.append(CELL_SEPARATOR.join(cells))
            cells = None
        elif token.type == "inline" and cells is not None:
            cells.append(_inline(token.children or []))
        elif token.type == "inline":
            lines.append(marker + _inline(token.children or []))
            marker = ""
        elif token.type in ("fence", "code_block", "html_block"):
            lines.append(token.content)
    text = "\n".join(line.rstrip() for line in "\n".join(lines).splitlines() if line.strip())
    return text or block.strip()


def _inline(children: list[Token]) -> str:
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(_inline(child.children or []))
    return "".join(parts)
