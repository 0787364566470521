"""HTML: the page's main content as blocks, without the page furniture around it.

The content is <main> (or role="main"), else the longest <article>, else <body>.
Navigation, page header and footer, menus, cookie banners, forms, scripts and
styles are removed first (but never an element holding the main content or half the
page's text), and so are in-page links that stand alone («Til toppen»).
Each block element (p, h1–h6, blockquote, pre, dt, dd, figcaption, div, ...) becomes
one block, and <br> a line break inside it. A list is one block with a line per item
(«- » or «1. » in front), as in Markdown, so that short items are not taken for
headings; a table is one block with a line per row, cells joined by « | ».
Whitespace is collapsed as a browser shows it.
The metadata comes from <meta> (author, description, Open Graph, article:published_time,
Dublin Core), <link rel="canonical"> and, for the title, og:title, else the content's first <h1>,
else <title>; a site name after a separator («Rusreformen | Fjordvik Avis») is dropped from
og:title and <title>, since a citation names the site as publisher. A list of share links inside
an article («Del på Facebook», «Del på X») is furniture, not a paragraph.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag, UnicodeDammit
from bs4.element import PreformattedString

from kilde.index.documents.formats.extracted import Extracted

# Never content.
REMOVED_TAGS = ["script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "nav", "aside",
                "button", "select", "textarea", "dialog", "menu"]
REMOVED_ROLES = re.compile(r"^(navigation|banner|contentinfo|complementary|search|menu|menubar|dialog|alertdialog)$")
# Class or id words that mark furniture («cookie-banner», «share-buttons», «breadcrumbs», «skip-link»).
FURNITURE_WORDS = frozenset({"cookie", "cookies", "consent", "gdpr", "breadcrumb", "breadcrumbs", "menu", "navbar",
                             "nav", "navigation", "share", "sharing", "social", "skiplink", "skip", "sidebar"})
# Elements that hold the main content, which furniture never does.
CONTENT_TAGS = ["main", "article", "h1"]
BLOCK_TAGS = frozenset({"address", "article", "blockquote", "body", "dd", "details", "div", "dl", "dt", "fieldset",
                        "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
                        "main", "p", "pre", "section", "summary"})
SHARE_PREFIXES = ("del på ", "del via ", "del ", "share on ", "share", "del")
CELL_SEPARATOR = " | "
SPACES = re.compile(r"\s+")

# Metadata, most specific first: <meta> name, property or itemprop (lower case) per field.
META_FIELDS = {
    "title": ["og:title", "dc.title", "dcterms.title"],
    "publisher": ["og:site_name", "publisher", "dc.publisher", "dcterms.publisher"],
    "author": ["author", "article:author", "dc.creator", "dcterms.creator"],
    "date": ["article:published_time", "datepublished", "date", "dc.date", "dcterms.date", "dc.date.issued",
             "dcterms.issued", "dcterms.created"],
    "description": ["description", "og:description", "dc.description", "dcterms.description"],
    "url": ["og:url"],
}


TITLE_SEPARATORS = (" | ", " – ", " — ", " - ", " · ", " :: ")


def read(path: Path) -> Extracted:
    soup = BeautifulSoup(_decoded(path.read_bytes()), "html.parser")
    metadata = _metadata(soup)
    _remove_furniture(soup)
    if "og:title" not in metadata.pop("_title_source", ""):
        h1 = _content_root(soup).find("h1")
        if h1 and (heading := " ".join(h1.get_text(" ").split())):
            metadata["title"] = heading
    blocks: list[str] = []
    _collect(_content_root(soup), blocks, [])
    return Extracted("\n\n".join(blocks), metadata)


def _decoded(raw: bytes) -> str:
    """The page's declared charset; if none, UTF-8, else Windows-1252 (what browsers assume
    for Norwegian pages), never a statistical guess, which misreads æ, ø and å."""
    return UnicodeDammit(raw, is_html=True, user_encodings=["utf-8", "windows-1252"]).unicode_markup


def _metadata(soup: BeautifulSoup) -> dict[str, str]:
    meta: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
        content = " ".join(str(tag.get("content") or "").split())
        if key and content:
            meta.setdefault(key, content)
    found = {}
    for field, keys in META_FIELDS.items():
        values = [meta[key] for key in keys if key in meta and not (field == "author" and "://" in meta[key])]
        if values:
            found[field] = values[0]
    if "title" in found:
        found["_title_source"] = next(key for key in META_FIELDS["title"] if key in meta)
    elif soup.title and soup.title.get_text(strip=True):
        found["title"] = " ".join(soup.title.get_text().split())
    if "title" in found:
        found["title"] = without_site_name(found["title"], found.get("publisher", ""))
    canonical = soup.find("link", rel="canonical", href=True)
    if canonical and "://" in canonical["href"]:  # a relative canonical link says nothing on its own
        found["url"] = canonical["href"].strip()
    return found


def without_site_name(title: str, site: str) -> str:
    """«Rusreformen | Fjordvik Avis» -> «Rusreformen»: the site's name after a separator goes; after
    « | », any last part goes (the usual site suffix), after a dash only the site's own name."""
    for separator in TITLE_SEPARATORS:
        head, found, tail = title.rpartition(separator)
        if found and head.strip() and (tail.strip().casefold() == site.casefold() or separator == " | "):
            return head.strip()
    return title


def _remove_furniture(soup: BeautifulSoup) -> None:
    for tag in soup.find_all(REMOVED_TAGS):
        tag.decompose()
    for tag in soup.find_all(["header", "footer"]):
        if not tag.decomposed and tag.find_parent(["article", "main"]) is None:  # the site's, not an article's
            tag.decompose()
    page_chars = len(soup.get_text(strip=True))
    for tag in soup.find_all(_looks_like_furniture):
        if not tag.decomposed and not _holds_content(tag, page_chars):
            tag.decompose()
    for share in soup.find_all(["ul", "ol", "p", "div"]):
        if not share.decomposed and _is_share_list(share):
            share.decompose()
    for link in soup.find_all("a", href=re.compile(r"^#")):
        if link.parent is not None and link.parent.get_text(strip=True) == link.get_text(strip=True):
            link.decompose()  # a «Til toppen» or table-of-contents link standing alone


def _is_share_list(tag: Tag) -> bool:
    """A list or line of links that are all «Del på …» / «Del» / «Share» (page furniture without a class)."""
    links = tag.find_all("a")
    text = " ".join(tag.get_text(" ").split()).casefold()
    if not links or not text:
        return False
    labels = [" ".join(a.get_text(" ").split()).casefold() for a in links]
    rest = text
    for label in labels:
        rest = rest.replace(label, "")
    return (all(label.startswith(SHARE_PREFIXES) or label in SHARE_PREFIXES for label in labels)
            and not re.sub(r"[\s/|·,–-]+", "", rest))


def _looks_like_furniture(tag: Tag) -> bool:
    """A form, a navigation role, or a class or id that says cookie, menu, share, breadcrumb, ..."""
    if tag.name in ("html", "body", *CONTENT_TAGS):
        return False
    if tag.name == "form" or REMOVED_ROLES.match(tag.get("role", "")):
        return True
    names = [*tag.get("class", []), tag.get("id", "")]
    return bool({word for name in names for word in re.split(r"[-_\s]+", str(name).lower())} & FURNITURE_WORDS)


def _holds_content(tag: Tag, page_chars: int) -> bool:
    """Furniture never holds a main, article or h1 element, or half the page's text (a form around
    the whole page, as ASP.NET writes it, or a wrapper whose class says «menu-open»)."""
    return tag.find(CONTENT_TAGS) is not None or len(tag.get_text(strip=True)) >= page_chars / 2


def _content_root(soup: BeautifulSoup) -> Tag:
    main = soup.find("main") or soup.find(attrs={"role": "main"})
    if main:
        return main
    articles = soup.find_all("article")
    if articles:
        return max(articles, key=lambda article: len(article.get_text()))
    return soup.body or soup


def _collect(node: Tag, blocks: list[str], inline: list[str], preformatted: bool = False) -> None:
    """Walk the tree, closing a block at each block element's start and end."""
    for child in node.children:
        if isinstance(child, PreformattedString):  # comments, doctypes, CDATA
            continue
        if isinstance(child, NavigableString):
            inline.append(str(child) if preformatted else SPACES.sub(" ", child))
        elif child.name == "br":
            inline.append("\n")
        elif child.name in ("ul", "ol", "table"):
            _flush(blocks, inline)
            block = _table(child) if child.name == "table" else _list(child)
            if block:
                blocks.append(block)
        elif child.name in BLOCK_TAGS:
            _flush(blocks, inline)
            _collect(child, blocks, inline, preformatted or child.name == "pre")
            _flush(blocks, inline)
        else:
            _collect(child, blocks, inline, preformatted)


def _list(node: Tag) -> str:
    """A list is one block, an item a line: «- » or «N. » in front, a nested list indented under its item."""
    start = str(node.get("start", "1"))
    number = int(start) if start.isdigit() else 1
    lines = []
    for item in node.find_all("li", recursive=False):
        parts: list[str] = []
        inline: list[str] = []
        _collect(item, parts, inline)
        _flush(parts, inline)
        item_lines = "\n".join(parts).splitlines()
        if item_lines:
            lines.append((f"{number}. " if node.name == "ol" else "- ") + item_lines[0])
            lines += ["  " + line for line in item_lines[1:]]
            number += 1
    return "\n".join(lines)


def _table(node: Tag) -> str:
    """A table is one block, a row a line, its cells joined by « | »."""
    rows = []
    for row in node.find_all("tr"):
        if row.find_parent("table") is node:  # not the rows of a table nested in a cell
            cells = (" ".join(cell.get_text(" ").split()) for cell in row.find_all(["td", "th"], recursive=False))
            rows.append(CELL_SEPARATOR.join(cell for cell in cells if cell))
    return "\n".join(row for row in rows if row)


def _flush(blocks: list[str], inline: list[str]) -> None:
    """Close the running block: lines trimmed and blank lines dropped, so that it stays one block."""
    if block := "\n".join(line.strip() for line in "".join(inline).splitlines() if line.strip()):
        blocks.append(block)
    inline.clear()
