"""A page as a flat sequence of text blocks, each DOM container a range of them.

One walk over the DOM (selectolax/lexbor, an explicit stack, never recursion) turns the
page into *blocks*: the text between two block boundaries (`<p>`, `<div>`, `<br>`, `<td>` …),
with its character, link-character and punctuation counts. Blocks come out in document
order, so every container element covers a contiguous range `[start, end)` of them: both
removing a boilerplate element and choosing the main-content container are then range
operations on arrays, with no second pass over the DOM.

Counting is in characters (non-whitespace), not words: `split()` finds almost no words in
Chinese text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import filterfalse
from typing import Any

from zhclean.extract.dom_tokens import NO_MATCH, DomTokenRules

# Elements whose content is never visible text. Skipped with their whole subtree.
INVISIBLE_TAGS = frozenset(
    "script style noscript template textarea svg math head title meta link base canvas audio video source "
    "track map area img picture param datalist _comment !doctype".split()
)
# Elements that end a line before and after them.
BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dialog dir div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html li main menu nav ol p pre section "
    "summary table tbody thead tfoot tr td th caption ul legend option frameset frame iframe "
    "noframes marquee".split()
)
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
CELL_TAGS = frozenset(("td", "th"))
LIST_ITEM_TAGS = frozenset(("li", "dt", "dd"))

# Sentence punctuation, full-width (Chinese) and ASCII: prose has it, menus do not.
# Colons are left out: "来源：新华社", "作者：张三" are labels, not sentences.
SENTENCE_PUNCTUATION = "，。！？；、,;!?"
WHITESPACE = " \t\n\r\f\v\xa0\u3000"

# Block kinds, for rendering and for heuristics.
KIND_TEXT = 0
KIND_HEADING = 1
KIND_LIST_ITEM = 2
KIND_CELL = 3
KIND_PRE = 4

# Inline formatting that never hides text or boxes content: not even classified.
PLAIN_INLINE_TAGS = frozenset(
    "b strong em i u s strike nobr small big sup sub tt cite abbr acronym q del ins mark wbr bdi bdo "
    "ruby rt rp kbd samp var dfn time".split()
)
# ... and comments, which lexbor names "-comment": they count as nodes and for depth only.
UNCLASSIFIED_TAGS = PLAIN_INLINE_TAGS | {"-comment"}

# Flags of a close marker on the stack.
CLOSES_LINK = 1
CLOSES_PRE = 2
CLOSES_BLOCK = 4
CLOSES_ROW = 16
CLOSES_CELL = 64
CLOSE_FLAG_SPAN = 128
# The close marker of an element that only counts for depth: no record, no flags.
PLAIN_CLOSE = 0
# lexbor's tag id of text nodes (LXB_TAG__TEXT; a test reads it from a parsed page).
TEXT_TAG_ID = 2


class PathologicalPage(Exception):
    """The page cannot be walked within the limits: `code` is the reject code."""

    def __init__(self, code: str, detail: dict[str, Any]) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass
class PageBlocks:
    """Blocks (parallel lists, document order) and container records (pre-order)."""

    text: list[str] = field(default_factory=list)
    chars: list[int] = field(default_factory=list)
    link_chars: list[int] = field(default_factory=list)
    separator: list[str] = field(default_factory=list)  # what goes before the block: "\n", "\t", ""
    kind: list[int] = field(default_factory=list)
    owner: list[int] = field(default_factory=list)  # innermost record holding the block
    # Records: element containers and matched elements, in pre-order.
    record_tag: list[str] = field(default_factory=list)
    record_start: list[int] = field(default_factory=list)
    record_end: list[int] = field(default_factory=list)
    record_parent: list[int] = field(default_factory=list)
    record_content: list[bool] = field(default_factory=list)  # a content-root rule matched
    # What repeated boxes (forum posts) share: tag, class, id without digits, width.
    record_signature: list[str] = field(default_factory=list)
    # Boilerplate containers dropped during the walk: (block position, rule index, text).
    removals: list[tuple[int, int, str]] = field(default_factory=list)
    record_has_removal: list[bool] = field(default_factory=list)
    nodes: int = 0
    max_depth: int = 0


def is_cjk(char: str) -> bool:
    return "\u2e80" <= char <= "\u9fff" or "\uac00" <= char <= "\ud7af" or "\uf900" <= char <= "\uffef"


CJK_RANGES = "\u2e80-\u9fff\uac00-\ud7af\uf900-\uffef"  # the ranges of `is_cjk`
# A space between two CJK characters: in `" ".join(words)` every space is a word break.
# The space comes first (the character before it is checked looking back): `re` then
# skips from space to space instead of trying the lookbehind at every character.
SPACE_BETWEEN_CJK = re.compile(f" (?<=[{CJK_RANGES}] )(?=[{CJK_RANGES}])")


# A block split by more spaces than this is spaced on purpose (a keyword list, mixed
# text), not a paragraph wrapped in the source: its spaces stay, and no per-word scan.
MAX_JOINED_PARTS = 64


def join_words(parts: list[str]) -> str:
    """Whitespace-split words joined by one space, and none at all between two CJK
    characters: there a line break in the source is not a word break."""
    if not parts:
        return ""
    spaced = " ".join(parts)
    # Mostly Latin text (code, English; CJK takes 3 UTF-8 bytes a character, Latin 1):
    # its spaces are word breaks, and a part-by-part scan would cost a call per word.
    if len(parts) > MAX_JOINED_PARTS or spaced.isascii():
        return spaced
    if len(parts) > 2 * len(spaced.encode("utf-8")) - 2 * len(spaced):
        return spaced
    return SPACE_BETWEEN_CJK.sub("", spaced)


def collapse_whitespace(raw: str) -> str:
    """Runs of whitespace (with &nbsp; and the ideographic space) become one space, or
    none between CJK characters."""
    return join_words(raw.split())


def count_chars(text: str, chars: str) -> int:
    """How many characters of `text` are one of `chars`. A str.count per character (C-speed
    scans beat one str.translate, a dict lookup per character, ~30x slower on CJK text),
    only for those present: `in` is a memchr scan that stops at the first hit, so the
    absent ones (form feed, vertical tab, carriage return, half the marks on most
    pages) cost a fraction of a count."""
    return sum([text.count(char) for char in chars if char in text])


def count_sentence_punctuation(text: str) -> int:
    return count_chars(text, SENTENCE_PUNCTUATION)


def removal_text(text: str) -> str:
    """A dropped container's text for the audit: one line per text node, spaces collapsed."""
    # map/filter over C functions: no Python frame per line (a dropped menu has hundreds).
    # Blank lines (whitespace between tags, most of them) go first: empty ones by
    # filter(None), whitespace-only ones by str.isspace (the same whitespace as str.split),
    # which unlike str.strip builds no string to test.
    lines = filterfalse(str.isspace, filter(None, text.split("\n")))
    return "\n".join(map(" ".join, map(str.split, lines)))


# A container holding the headline holds the article when it also has this many sentence
# marks: a breadcrumb or a "related" box that repeats the headline has none or one or two.
HEADLINE_MIN_PUNCTUATION = 5


def holds_article(text: str, headline: str, punctuation: int) -> bool:
    """Whether a container's text, with `punctuation` sentence marks, holds the page's
    headline and prose after it."""
    if not headline or punctuation < HEADLINE_MIN_PUNCTUATION:
        return False
    # The headline has no whitespace: found as written, it is found in the squashed text,
    # which is only built when it is not.
    return headline in text or headline in "".join(text.split())


def is_dropped(text: str, max_chars: int, max_punctuation: int, headline: str) -> bool:
    """Whether a container a boilerplate rule matched, holding `text`, is dropped: not when
    it holds more than `max_chars` characters or `max_punctuation` sentence marks (-1: no
    limit), nor when it holds the page's `headline` and prose (see `build_blocks`)."""
    # Characters are counted only when the length (an upper bound) exceeds the limit:
    # eight str.count passes per matched container were a tenth of the walk.
    if 0 <= max_chars < len(text) and len(text) - count_chars(text, WHITESPACE) > max_chars:
        return False
    punctuation = count_sentence_punctuation(text)
    if 0 <= max_punctuation < punctuation:
        return False
    return not holds_article(text, headline, punctuation)


def build_blocks(
    root: Any,
    rules: DomTokenRules,
    max_depth: int,
    max_nodes: int,
    max_removed_chars: int = -1,
    max_removed_punctuation: int = -1,
    headline: str = "",
) -> PageBlocks:
    """Walks the DOM under `root` once. Raises PathologicalPage past `max_depth` nesting
    or `max_nodes` nodes, so a hostile page costs bounded time and no recursion.

    A container a boilerplate rule matches is dropped without being walked (its text,
    taken at C speed, goes to `removals`) unless it holds more than `max_removed_chars`
    characters or `max_removed_punctuation` sentence marks (the prose of the page): then
    the rule names a wrapper of the content (WeChat hides `#js_content` until a script
    shows it, ASP.NET wraps pages in a `<form>`, a blog puts its post in a "rightbox") and
    it is walked like any other element. -1: no limit. So is a matched container that holds
    the page's `headline` (whitespace removed) and prose: a token in the class list of the
    article's own box ("enableAdSlots", "disableAsideSection") does not make it boilerplate."""
    page = PageBlocks()
    removals, record_has_removal = page.removals, page.record_has_removal
    texts, chars_list, links_list = page.text, page.chars, page.link_chars
    separators, kinds, owners = page.separator, page.kind, page.owner
    record_tag, record_start, record_end = page.record_tag, page.record_start, page.record_end
    record_parent, record_content = page.record_parent, page.record_content
    record_signature = page.record_signature
    classify, classify_tag = rules.classify, rules.classify_tag
    inline_rules = rules.inline_rules

    pieces: list[str] = []
    link_pieces: list[str] = []
    pending_separator = "\n"
    link_depth = 0
    pre_depth = 0
    depth = 0
    deepest = 0
    nodes = 0
    row_cells: list[int] = [0]  # cells seen in the current table row (a stack for nested tables)
    open_records: list[int] = [NO_MATCH]
    kind_stack: list[int] = [KIND_TEXT]

    def flush() -> None:
        nonlocal pending_separator
        raw = pieces[0] if len(pieces) == 1 else "".join(pieces)
        pieces.clear()
        if pre_depth:
            text = "\n".join(line.rstrip() for line in raw.strip("\n").split("\n"))
            chars = len("".join(raw.split()))
        else:
            parts = raw.split()
            if len(parts) == 1:
                text = parts[0]
                chars = len(text)
            else:
                text = join_words(parts)
                chars = len(text) - text.count(" ")
        if not chars:
            link_pieces.clear()
            return
        if link_pieces:
            link_chars = len("".join("".join(link_pieces).split()))
            link_pieces.clear()
            links_list.append(min(link_chars, chars))
        else:
            links_list.append(0)
        texts.append(text)
        chars_list.append(chars)
        separators.append(pending_separator)
        kinds.append(KIND_PRE if pre_depth else kind_stack[-1])
        owners.append(open_records[-1])
        pending_separator = ""

    # Children come from lexbor's own iterator (C code) and subtree ends are where an
    # iterator runs out: a Python stack of every node, with its `prev` links followed one
    # property read at a time, cost a third of the walk.
    iterators: list[Iterator[Any]] = [iter((root,))]
    closes: list[int] = [PLAIN_CLOSE]  # what ends with each iterator (the root's: nothing)
    descend, ascend = iterators.append, iterators.pop
    tag_names: dict[int, str | None] = {}  # lexbor tag id -> tag name, for this page
    add_piece = pieces.append
    while iterators:
        for item in iterators[-1]:
            nodes += 1
            # The id is an int; `item.tag` decodes a new string for every node.
            tag_id = item.tag_id
            if tag_id == TEXT_TAG_ID:
                text = item.text_content
                if not text:
                    continue
                if text.isspace():
                    # Whitespace between tags: a word break at most, never a block of its own.
                    if pieces and not pre_depth:
                        add_piece(" ")
                        continue
                    if not pre_depth:
                        continue
                add_piece(text)
                if link_depth:
                    link_pieces.append(text)
                continue
            tag = tag_names.get(tag_id)
            if tag is None:
                tag = tag_names[tag_id] = item.tag
            if tag in INVISIBLE_TAGS:
                continue
            if nodes > max_nodes:
                raise PathologicalPage("limit.dom_nodes", {"nodes": nodes, "max_dom_nodes": max_nodes})
            if tag == "br":
                if pieces:
                    flush()
                pending_separator = "\n"
                continue
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > max_depth:
                    raise PathologicalPage("limit.dom_depth", {"depth": deepest, "max_dom_depth": max_depth})
            if tag in UNCLASSIFIED_TAGS:
                descend(item.iter(include_text=True))
                closes.append(PLAIN_CLOSE)
                break
            attributes = item.attributes
            if attributes:
                rule, content = classify(tag, attributes)
            else:
                rule, content = classify_tag(tag)
            is_block = tag in BLOCK_TAGS
            if rule != NO_MATCH and not is_block and rule not in inline_rules:
                rule = NO_MATCH
            if rule != NO_MATCH:
                dropped = item.text(deep=True, separator="\n")
                if is_dropped(dropped, max_removed_chars, max_removed_punctuation, headline):
                    depth -= 1
                    if dropped.strip(WHITESPACE):  # any character at all
                        if is_block and pieces:
                            flush()
                        removals.append((len(texts), rule, removal_text(dropped)))
                        # Mark the open containers (up to one already marked) as holding one.
                        for holder in reversed(open_records):
                            if holder == NO_MATCH or record_has_removal[holder]:
                                break
                            record_has_removal[holder] = True
                    if is_block:
                        pending_separator = "\n"
                    continue
                rule = NO_MATCH
            flags = 0
            record = NO_MATCH
            if is_block:
                # Block elements end the current line and become records (containers).
                if pieces:
                    flush()
                flags |= CLOSES_BLOCK
                if tag in CELL_TAGS:
                    pending_separator = "\t" if row_cells[-1] and pending_separator == "\t" else "\n"
                    row_cells[-1] += 1
                    kind_stack.append(KIND_CELL)
                    flags |= CLOSES_CELL
                else:
                    pending_separator = "\n"
                    if tag in HEADING_TAGS:
                        kind_stack.append(KIND_HEADING)
                    elif tag in LIST_ITEM_TAGS:
                        kind_stack.append(KIND_LIST_ITEM)
                    else:
                        kind_stack.append(kind_stack[-1] if kind_stack[-1] != KIND_CELL else KIND_TEXT)
                if tag == "tr":
                    row_cells.append(0)
                    flags |= CLOSES_ROW
                elif tag == "pre":
                    pre_depth += 1
                    flags |= CLOSES_PRE
                record = len(record_tag)
                record_tag.append(tag)
                record_start.append(len(texts))
                record_end.append(len(texts))
                record_parent.append(open_records[-1])
                record_content.append(content)
                record_has_removal.append(False)
                record_signature.append(
                    f"{tag}|{attributes.get('class') or ''}|{(attributes.get('id') or '').rstrip('0123456789_-')}"
                    f"|{attributes.get('width') or ''}"
                    if attributes
                    else tag
                )
                open_records.append(record)
            # Only an anchor with a target is a link: `<a name=…>` marks a place in the page
            # and often wraps a whole article on old portals.
            if tag == "a" and attributes and attributes.get("href"):
                link_depth += 1
                flags |= CLOSES_LINK
            descend(item.iter(include_text=True))
            # An int, not a tuple: ints are not tracked by the cyclic garbage collector.
            closes.append((record + 1) * CLOSE_FLAG_SPAN + flags)
            break
        else:
            # The element whose children these were ends here.
            ascend()
            close = closes.pop()
            depth -= 1
            if close == PLAIN_CLOSE:
                continue
            record, flags = divmod(close, CLOSE_FLAG_SPAN)
            record -= 1
            if flags & CLOSES_LINK:
                link_depth -= 1
            if flags & CLOSES_BLOCK:
                if pieces:
                    flush()
                # After a table cell the next cell of the row follows on the same line.
                pending_separator = "\t" if flags & CLOSES_CELL else "\n"
                kind_stack.pop()
                if flags & CLOSES_PRE:
                    pre_depth -= 1
                if flags & CLOSES_ROW:
                    row_cells.pop()
                if record != NO_MATCH:
                    record_end[record] = len(texts)
                    open_records.pop()
    if pieces:
        flush()
    page.nodes = nodes
    page.max_depth = deepest
    return page
