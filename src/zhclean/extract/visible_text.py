"""The baseline extractor: all visible text of a page, scripts and styles dropped.

What a WET file holds. The Chinese-aware main-content extractor replaces it in the
built-in recipes; it stays as the reference point ("plain visible text") and as a
fallback for markup where the main content cannot be told apart.
"""

from __future__ import annotations

from typing import ClassVar

from selectolax.lexbor import LexborHTMLParser

from zhclean.document import Document, Reject
from zhclean.steps import Extractor

INVISIBLE_TAGS = ("script", "style", "noscript", "template", "head", "svg", "iframe", "object")
# Block-level tags end a line; inline tags (a, span, b …) join their text to the line.
BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody thead tfoot tr ul "
    "title".split()
)
# A table's row is one line, its cells separated by tabs, as the row is read on screen (and
# as the main-content extractor writes it); a cell holding blocks of its own (a layout
# table's column) still breaks into their lines.
CELL_TAGS = frozenset(("td", "th"))


def visible_text(html: str) -> tuple[str, str]:
    """(text, title) of a page: visible text with one line per block element."""
    tree = LexborHTMLParser(html)
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node is not None else ""
    tree.strip_tags(list(INVISIBLE_TAGS))
    root = tree.body or tree.root
    if root is None:
        return "", title
    parts: list[str] = []
    # An explicit stack, not recursion: hostile pages nest far deeper than Python's limit.
    # A `None` entry marks the end of a block element, which also ends its line.
    stack: list[object] = [root]
    while stack:
        node = stack.pop()
        if node is None:
            parts.append("\n")
            continue
        tag = node.tag  # type: ignore[attr-defined]
        if tag == "-text":
            parts.append(node.text_content or "")  # type: ignore[attr-defined]
            continue
        if tag in BLOCK_TAGS:
            parts.append("\n")
            stack.append(None)
        elif tag in CELL_TAGS:
            parts.append("\t")
        children = list(node.iter(include_text=True))  # type: ignore[attr-defined]
        stack.extend(reversed(children))
    # Tabs left at a line's ends (before a row's first cell, around a cell's own blocks) go.
    return "\n".join(line.strip("\t") for line in "".join(parts).split("\n")), title


class VisibleTextExtractor(Extractor):
    """All visible text, one line per block element; the page title goes to `meta`."""

    name: ClassVar[str] = "visible_text"
    codes: ClassVar[tuple[str, ...]] = ("no_text",)

    def __init__(self) -> None:
        pass

    def extract(self, doc: Document) -> Document | Reject:
        text, title = visible_text(doc.html or "")
        if not text.strip():
            return Reject("no_text", {"html_chars": len(doc.html or "")})
        meta = dict(doc.meta)
        if title:
            meta["title"] = title
        return doc.replace(html=None, text=text, meta=meta)
