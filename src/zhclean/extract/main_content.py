"""The main text of a Chinese web page, with ads and boilerplate dropped at the DOM level.

    from zhclean.extract import MainContentExtractor
    doc = MainContentExtractor().apply(Document(id="1", html=page))
    doc.text, doc.meta["title"], doc.meta["page_kind"], doc.removed

Stages (one walk of the DOM, see `blocks.py`; how readability and trafilatura choose,
re-thought for Chinese):

1. **Drop boilerplate containers** named by the tokens in `zhclean/rules/dom_tokens.toml` (ad, nav,
   footer, sidebar, share, comment, related, login, hidden, iframe, form …) during the
   walk, without walking them. Each dropped container with visible text becomes a
   `Removal` ("main_content.<category>", the rule id). A matched container holding most
   of the page's characters or of its sentence punctuation is walked instead (WeChat
   hides `#js_content` until a script shows it; ASP.NET wraps pages in a `<form>`).
   Short boilerplate lines (copyright, ICP licence, bylines, "上一篇") are dropped by
   text rules of the same file.
2. **Choose the main content**: every text block gets a weight: its non-link characters
   when it reads like prose (Chinese sentence punctuation, or long), negative when it is
   mostly link text or a short label, half credit for runs of short lines (verse). Every
   container's children form a sequence of units; the best contiguous run of siblings
   (Kadane) over all containers wins. Counting characters, not words, and Chinese
   punctuation, not commas, is what makes this work on Chinese pages; `<br>`/`&nbsp;`
   paragraphs of old GBK pages are blocks like any other.
3. **Page kind**: a forum thread (repeated post boxes, each with its own byline) yields
   its first post (`forum_replies=True` keeps the replies); a page made of repeated short
   linked items is a list page; otherwise an article. `meta["page_kind"]` says which.
4. **Render** the chosen range: one line per paragraph, heading, list item and table
   row (cells joined by tabs); link-only lines and labels at its edges trimmed.

Pathological pages (too large, binary, nested deeper than a browser would build, too
many nodes) are rejected with a reason instead of hanging the run; the walk uses an
explicit stack, never recursion.
"""

from __future__ import annotations

import re
from itertools import accumulate, count
from typing import Any, ClassVar

from selectolax.lexbor import LexborHTMLParser

from zhclean.document import Document, Reject, Removal
from zhclean.extract.blocks import (
    CJK_RANGES,
    KIND_HEADING,
    KIND_PRE,
    KIND_TEXT,
    MAX_JOINED_PARTS,
    SENTENCE_PUNCTUATION,
    WHITESPACE,
    PageBlocks,
    PathologicalPage,
    build_blocks,
    count_chars,
    count_sentence_punctuation,
)
from zhclean.extract.dom_tokens import DEFAULT_RULES_FILE, NO_MATCH, DomTokenRules
from zhclean.rules import load_rules_file
from zhclean.steps import Extractor
from zhclean.text.patterns import trie_pattern

# 8 M characters: the largest real pages in our samples (novel chapters, wiki articles
# with their navigation) are under 4 M; beyond that a page is a dump or a trap.
DEFAULT_MAX_HTML_CHARS = 8_000_000
# Chromium's HTML parser stops nesting at 512 levels (kMaximumHTMLParserDOMTreeDepth):
# deeper markup is never rendered as written, so it is hostile or broken.
DEFAULT_MAX_DOM_DEPTH = 512
# lexbor's parse time grows with the square of the nesting of block containers (20,000
# nested <div> take 2 s, 200,000 ten minutes), so nesting is estimated on the markup
# before parsing. Inline tags (span, b, font, a) do not cost that way.
NESTING_TAGS = (
    "div",
    "section",
    "article",
    "aside",
    "nav",
    "header",
    "footer",
    "main",
    "ul",
    "ol",
    "dl",
    "blockquote",
    "center",
    "fieldset",
    "figure",
    "details",
    "address",
    "menu",
    "dir",
)


# The tag names as a trie: the engine rejects a `<p` or `<span` after one character test
# instead of trying every name in turn (half the time of the flat alternation).
NESTING_TAG_PATTERN = re.compile(rb"<(/?)(?:" + trie_pattern(list(NESTING_TAGS)).encode() + rb")[\s>/]")
NESTING_STEP = {b"": 1, b"/": -1}
# Twice the nodes of the largest real page in our samples (a 1 MB list of 93 k nodes);
# walking is linear, so this bounds a hostile page to about a second.
DEFAULT_MAX_DOM_NODES = 200_000
# Share of control characters (and U+FFFD) in a sample above which the "page" is binary
# data that a lenient decoder let through; text pages have essentially none.
MAX_CONTROL_CHAR_SHARE = 0.05
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffd]")
BINARY_SAMPLE_CHARS = 8_192

# A matched boilerplate container is kept (walked like any element) when it holds more
# than this share of the page's characters: then the token names a wrapper of the
# content, not a box beside it.
MAX_REMOVED_SHARE = 0.5
# ... or more than this share of its sentence punctuation (its prose): comment threads and
# related-article boxes carry punctuation too, so this is below a half.
MAX_REMOVED_PROSE_SHARE = 0.4
STRIPPED_TAGS = ("script", "style", "noscript", "template")
# Blocks with at least this share of link characters are navigation, not prose.
LINK_BLOCK_SHARE = 0.5
SENTENCE_MARK = re.compile("[" + re.escape(SENTENCE_PUNCTUATION) + "]")
# A block without sentence punctuation counts as prose from this many characters on
# (about one Chinese sentence); shorter ones are labels ("发布时间", "首页", a date).
PROSE_MIN_CHARS = 40
# Weight of a short label's characters: slightly negative, so that a container is not
# widened just to take in bylines and menus.
LABEL_WEIGHT = -0.3
# Weight of a link block's characters: navigation menus cost what they hold.
LINK_WEIGHT = -1.0
# Runs of at least this many short unlinked lines in one container are verse, weighing
# this much per character.
VERSE_MIN_LINES = 4
VERSE_WEIGHT = 0.5
# A content-root token (article-content, js_content, 正文 …) multiplies the weight sum.
CONTENT_ROOT_BONUS = 1.1
# Below this many prose characters in the best container, a page with many link blocks
# is a list page (a channel index, a forum board, search results).
LIST_PAGE_MAX_PROSE_CHARS = 100
LIST_PAGE_MIN_LINK_BLOCKS = 10
# A best container scoring under this (a blurb) loses to a list of links holding this many
# times its score in characters.
LIST_PAGE_MAX_ARTICLE_SCORE = 200
LIST_PAGE_MIN_RATIO = 3.0
# On a page without prose, a container with this many more non-link than link characters
# holds text in short lines (lyrics, a poem, a table) rather than being a list page.
TEXT_MODE_MIN_CHARS = 200
# A list page seen from its items: at least this many sibling boxes of one kind, this
# share of them with a link line, together this share of the text, each this short on
# average (a headline with a one-line abstract, a thread title with its counters).
LIST_MIN_ITEMS = 8
LIST_MIN_LINKED_SHARE = 0.7
LIST_MIN_TEXT_SHARE = 0.5
LIST_MAX_ITEM_CHARS = 150
# Seen from the whole page (no prose anywhere), the items need only this share of its text:
# the rest is navigation.
LIST_MIN_PAGE_TEXT_SHARE = 0.3
# Prose outside the items beyond this (about two paragraphs) is an article beside a list.
LIST_MAX_PROSE_OUTSIDE_CHARS = 300
# A teaser list inside an article: at least this many sibling boxes of one kind, this share
# of them led by a linked headline of at least this many characters (a user name is
# shorter), each this short on average, beside this much prose of the article's own.
TEASER_MIN_ITEMS = 4
TEASER_MIN_HEADLINE_SHARE = 0.7
TEASER_MIN_HEADLINE_CHARS = 8
TEASER_MAX_ITEM_CHARS = 300
TEASER_MIN_PROSE_OUTSIDE = 100
TEASER_RULE = "dom.teaser_list"
# A keyword list: a block split by more spaces than join_words joins (its spaces stay), no
# sentence mark, this share of its characters Chinese (English without commas is not one).
KEYWORD_LIST_MIN_WORDS = MAX_JOINED_PARTS + 1
KEYWORD_LIST_MIN_CJK_SHARE = 0.3
KEYWORD_LIST_RULE = "dom.keyword_list"
# Runs, not single characters: a keyword list is counted in one match per word.
CJK_RUN = re.compile(f"[{CJK_RANGES}]+")
# A forum thread: this many sibling post containers of one kind, this many of them with
# boilerplate of their own; the first post with this many prose characters is the content.
FORUM_MIN_POSTS = 3
FORUM_MIN_POSTS_WITH_BOILERPLATE = 2
FORUM_MIN_POST_CHARS = 20
# Containers a forum post comes in; paragraphs and headings repeat in every article.
POST_TAGS = frozenset("div table tbody tr li article section dl".split())


def nesting_estimate(markup: bytes) -> int:
    """The deepest nesting of block containers the markup can build: a running count of
    their opening minus closing tags (one regex pass over the lower-cased bytes, ~3 µs per
    kB; implicit closes make it an overestimate only for broken markup)."""
    tags = NESTING_TAG_PATTERN.findall(markup.lower())
    return max(accumulate(map(NESTING_STEP.__getitem__, tags)), default=0)


# A headline shorter than this (whitespace removed) is a label ("新闻", "正文"), too common
# to identify the article's box.
HEADLINE_MIN_CHARS = 6


def page_headline(tree: LexborHTMLParser, title: str) -> str:
    """The article's headline, whitespace removed: the text of the first `<h1>` (else `<h2>`)
    that the page title contains or that contains the page title ("标题_频道_网站名" and
    "标题" both match); "" when no heading matches."""
    squashed_title = "".join(title.split())
    if len(squashed_title) < HEADLINE_MIN_CHARS:
        return ""
    for selector in ("h1", "h2"):
        for node in tree.css(selector):
            heading = "".join(node.text(deep=True).split())
            if len(heading) >= HEADLINE_MIN_CHARS and (
                heading in squashed_title or squashed_title in heading
            ):
                return heading
    return ""


def page_title(tree: LexborHTMLParser) -> str:
    node = tree.css_first("title")
    title = node.text(strip=True) if node is not None else ""
    if not title:
        for selector in ('meta[property="og:title"]', 'meta[name="twitter:title"]'):
            meta = tree.css_first(selector)
            if meta is not None:
                title = (meta.attributes.get("content") or "").strip()
                if title:
                    break
    return " ".join(title.split())


class MainContentExtractor(Extractor):
    """Chinese-aware main-content extraction; ad and boilerplate blocks become Removals.

    Writes `meta["title"]`, `meta["page_kind"]` ("article" or "list") and
    `meta["content_chars"]`."""

    name: ClassVar[str] = "main_content"
    codes: ClassVar[tuple[str, ...]] = (
        "limit.html_chars",
        "binary",
        "limit.dom_depth",
        "limit.dom_nodes",
        "no_text",
    )

    def __init__(
        self,
        max_html_chars: int = DEFAULT_MAX_HTML_CHARS,
        max_dom_depth: int = DEFAULT_MAX_DOM_DEPTH,
        max_dom_nodes: int = DEFAULT_MAX_DOM_NODES,
        forum_replies: bool = False,
        record_removals: bool = True,
        rules_file: str = DEFAULT_RULES_FILE,
    ) -> None:
        self.max_html_chars = max_html_chars
        self.max_dom_depth = max_dom_depth
        self.max_dom_nodes = max_dom_nodes
        self.forum_replies = forum_replies
        self.record_removals = record_removals
        self.rules_file = rules_file
        self._rules: DomTokenRules | None = None

    @property
    def rules(self) -> DomTokenRules:
        if self._rules is None:
            self._rules = DomTokenRules(load_rules_file(self.rules_file))
        return self._rules

    def extract(self, doc: Document) -> Document | Reject:
        html = doc.html or ""
        if len(html) > self.max_html_chars:
            return Reject(
                "limit.html_chars", {"html_chars": len(html), "max_html_chars": self.max_html_chars}
            )
        sample = html[:BINARY_SAMPLE_CHARS]
        control_chars = len(CONTROL_CHARS.findall(sample))
        if sample and control_chars > MAX_CONTROL_CHAR_SHARE * len(sample):
            return Reject("binary", {"control_chars": control_chars, "sample_chars": len(sample)})
        markup = html.encode("utf-8", errors="replace")
        nesting = nesting_estimate(markup)
        if nesting > self.max_dom_depth:
            return Reject(
                "limit.dom_depth", {"estimated_depth": nesting, "max_dom_depth": self.max_dom_depth}
            )
        tree = LexborHTMLParser(markup)
        title = page_title(tree)
        root = tree.root
        if root is None:
            return Reject("no_text", {"html_chars": len(html)})
        # Script and style text is never content; gone before any subtree's text is taken.
        tree.strip_tags(list(STRIPPED_TAGS))
        page_text = root.text(deep=True)
        page_chars = len(page_text) - count_chars(page_text, WHITESPACE)
        headline = page_headline(tree, title)
        try:
            page = build_blocks(
                root,
                self.rules,
                self.max_dom_depth,
                self.max_dom_nodes,
                max_removed_chars=int(MAX_REMOVED_SHARE * page_chars),
                max_removed_punctuation=int(MAX_REMOVED_PROSE_SHARE * count_sentence_punctuation(page_text)),
                headline=headline,
            )
        except PathologicalPage as error:
            return Reject(error.code, error.detail)
        text, removals, facts = select_main_content(
            page, self.rules, self.forum_replies, headline, title_headline=title_segment(title)
        )
        if not text.strip():
            return Reject("no_text", {"html_chars": len(html), "blocks": len(page.text)})
        meta = dict(doc.meta)
        if title:
            meta["title"] = title
        meta.update(facts)
        return doc.replace(
            html=None,
            text=text,
            meta=meta,
            removed=doc.removed + (tuple(removals) if self.record_removals else ()),
        )


def block_weights(page: PageBlocks) -> tuple[list[float], list[bool]]:
    """(weight, is a link block) of every block."""
    weights: list[float] = []
    link_blocks: list[bool] = []
    # Locals: this loop runs once per block of every page.
    add_weight, add_link = weights.append, link_blocks.append
    has_sentence_mark = SENTENCE_MARK.search
    link_block_share, link_weight, label_weight = LINK_BLOCK_SHARE, LINK_WEIGHT, LABEL_WEIGHT
    prose_min_chars = PROSE_MIN_CHARS
    for text, chars, link_chars, kind in zip(page.text, page.chars, page.link_chars, page.kind, strict=True):
        # Even a long punctuated paragraph is a teaser when it is all link text (a linked
        # abstract under a linked headline); `<a name>` anchors are not links (blocks.py).
        if link_chars >= link_block_share * chars:
            add_weight(link_weight * chars)
            add_link(True)
            continue
        add_link(False)
        if chars - link_chars >= prose_min_chars or has_sentence_mark(text):
            add_weight(float(chars - link_chars))
        elif kind == KIND_TEXT:
            add_weight(label_weight * chars)
        else:
            # Headings are structure; short text in a table cell or list item is data (a
            # filmography, a schedule) as often as a label: neutral, so that the tables
            # and lists inside an article stay with it.
            add_weight(0.0)
    # Verse: a run of short lines in one container (lyrics, a poem, `<br>`-broken text of
    # old pages) is text, not a row of labels; half credit, as its lines carry no marks.
    owners, kinds, chars_list = page.owner, page.kind, page.chars
    run: list[int] = []
    run_owner = NO_MATCH
    for index, weight in enumerate(weights):
        is_label = weight < 0 and kinds[index] == KIND_TEXT and not link_blocks[index]
        if is_label and owners[index] == run_owner:
            run.append(index)
            continue
        if len(run) >= VERSE_MIN_LINES:
            for position in run:
                weights[position] = VERSE_WEIGHT * chars_list[position]
        if is_label:
            run, run_owner = [index], owners[index]
        elif weight > 0 and owners[index] == run_owner:
            continue  # a punctuated line inside the verse does not end it
        else:
            run, run_owner = [], NO_MATCH
    if len(run) >= VERSE_MIN_LINES:
        for position in run:
            weights[position] = VERSE_WEIGHT * chars_list[position]
    return weights, link_blocks


def prefix_sums(values: list[float], positive_only: bool = False) -> list[float]:
    """sums[i] = the sum of values[:i] (of their positive part with `positive_only`)."""
    if positive_only:
        return list(accumulate((value if value > 0 else 0.0 for value in values), initial=0.0))
    return list(accumulate(values, initial=0.0))


def keyword_list_blocks(page: PageBlocks) -> list[int]:
    """Blocks that are lists of Chinese keywords: many space-separated words, no sentence
    mark (SEO stuffing, tag clouds). Chinese prose has no spaces between its words;
    `join_words` keeps the spaces of a block split into this many parts."""
    found = []
    # Few blocks have that many spaces: the others are passed over in one comprehension.
    spaced = [index for index, text in enumerate(page.text) if text.count(" ") >= KEYWORD_LIST_MIN_WORDS - 1]
    for index in spaced:
        text = page.text[index]
        if page.kind[index] == KIND_PRE or SENTENCE_MARK.search(text):
            continue
        if sum(map(len, CJK_RUN.findall(text))) >= KEYWORD_LIST_MIN_CJK_SHARE * page.chars[index]:
            found.append(index)
    return found


def remove_boilerplate(page: PageBlocks, rules: DomTokenRules) -> tuple[list[bool], list[Removal]]:
    """Removals for the containers the walk dropped, and boilerplate text blocks marked
    as removed, with one Removal each."""
    block_count = len(page.text)
    removed = [False] * block_count
    removals: list[tuple[int, Removal]] = []  # (block position, removal), sorted at the end
    for position, rule_index, text in page.removals:
        rule = rules.rules[rule_index]
        removals.append((position, Removal(code=f"main_content.{rule.category}", rule=rule.id, text=text)))
    texts = page.text
    keyword_rule = rules.rule_index(KEYWORD_LIST_RULE)
    for index in keyword_list_blocks(page):
        removed[index] = True
        rule = rules.rules[keyword_rule]
        removals.append(
            (index, Removal(code=f"main_content.{rule.category}", rule=rule.id, text=texts[index]))
        )
    for index, rule_index in rules.classify_texts(texts, page.chars):
        removed[index] = True
        rule = rules.rules[rule_index]
        removals.append(
            (index, Removal(code=f"main_content.{rule.category}", rule=rule.id, text=texts[index]))
        )
    removals.sort(key=lambda entry: entry[0])  # stable: a container before the blocks after it
    return removed, [removal for _, removal in removals]


Unit = tuple[int, int, float]  # (first block, end block, weight sum)


def best_container(page: PageBlocks, weights: list[float]) -> tuple[int, int, float, list[Unit]]:
    """(start, end, score, units of the run) of the best run of sibling containers.

    Every container's children (child containers, and blocks directly inside it) form a
    sequence of units weighing the sum of their blocks; the best contiguous run of units
    (Kadane) is that container's candidate, and the best candidate over all containers
    wins. Taking whole children keeps the DOM's grouping (an article `<div>` is taken
    whole, with its short captions); taking a run rather than all of them handles content
    that is not wrapped on its own (paragraphs loose in a table cell between a headline
    table and a related-links list, as on many early-2000s portals)."""
    record_count = len(page.record_tag)
    prefix = prefix_sums(weights)
    positive = prefix_sums(weights, positive_only=True)
    record_start, record_end, record_parent = page.record_start, page.record_end, page.record_parent
    units: list[list[Unit]] = [[] for _ in range(record_count + 1)]  # last: outside every record
    # Block units built by zip (C speed): (index, index + 1, weight).
    for owner, unit in zip(page.owner, zip(count(), count(1), weights), strict=False):
        units[owner].append(unit)
    child_records = [0] * (record_count + 1)
    for record in range(record_count):
        start, end = record_start[record], record_end[record]
        if start == end:
            continue
        parent = record_parent[record]
        units[parent].append((start, end, prefix[end] - prefix[start]))
        child_records[parent] += 1
    best: tuple[int, int, float, list[Unit]] = (0, 0, 0.0, [])
    for record in [NO_MATCH, *range(record_count)]:
        children = units[record]
        if not children:
            continue
        if record != NO_MATCH:
            start, end = record_start[record], record_end[record]
            if positive[end] - positive[start] <= best[2] / CONTENT_ROOT_BONUS:
                continue  # cannot beat the best: all its positive weight is less
            if len(children) == 1 and child_records[record] == 1:
                continue  # a wrapper: its one child is a candidate of its own
        children.sort()
        run_first, run_sum = 0, 0.0
        best_first, best_end, best_sum = 0, 0, 0.0
        for position, unit in enumerate(children):
            if run_sum <= 0:
                run_first, run_sum = position, 0.0
            run_sum += unit[2]
            # >=: neutral units after the prose (a table, a list) stay with it.
            if run_sum >= best_sum and run_sum > 0:
                best_first, best_end, best_sum = run_first, position + 1, run_sum
        score = best_sum
        if record != NO_MATCH and page.record_content[record]:
            score *= CONTENT_ROOT_BONUS
        # Ties go to the later record (deeper in pre-order): the same prose, less around it.
        if score >= best[2] and score > 0:
            run = children[best_first:best_end]
            best = (run[0][0], run[-1][1], score, run)
    return best


def first_forum_post(
    page: PageBlocks, run: list[tuple[int, int, float]], removed: list[bool], weights: list[float]
) -> tuple[int, int] | None:
    """The block range of the first post, when the chosen run is a forum thread: at least
    FORUM_MIN_POSTS sibling containers of one kind, each of several blocks, and several
    of them carrying boilerplate of their own (a byline, "回复", a user card)."""
    if len(run) < FORUM_MIN_POSTS:
        return None
    start_to_record: dict[tuple[int, int], int | None] = {}
    for start, end, _ in run:
        if end - start >= 2:
            start_to_record[(start, end)] = None
    if len(start_to_record) < FORUM_MIN_POSTS:
        return None
    for record in range(len(page.record_tag)):
        key = (page.record_start[record], page.record_end[record])
        if key in start_to_record and start_to_record[key] is None:
            start_to_record[key] = record  # the outermost record with that range
    groups: dict[str, list[tuple[int, int, int]]] = {}  # signature -> (start, end, record)
    for (start, end), outermost in start_to_record.items():
        if outermost is not None and page.record_tag[outermost] in POST_TAGS:
            groups.setdefault(page.record_signature[outermost], []).append((start, end, outermost))
    posts = max(groups.values(), key=len, default=[])
    if len(posts) < FORUM_MIN_POSTS:
        return None
    with_boilerplate = sum(
        1 for start, end, record in posts if page.record_has_removal[record] or any(removed[start:end])
    )
    if with_boilerplate < FORUM_MIN_POSTS_WITH_BOILERPLATE:
        return None
    for start, end, _ in sorted(posts):
        if sum(weight for weight in weights[start:end] if weight > 0) >= FORUM_MIN_POST_CHARS:
            return start, end
    return None


def list_items(
    page: PageBlocks,
    start: int,
    end: int,
    link_blocks: list[bool],
    removed: list[bool],
    weights: list[float],
    min_text_share: float = LIST_MIN_TEXT_SHARE,
) -> int:
    """How many items of a list the range is made of, or 0: the largest group of sibling
    containers of one kind (LIST_MIN_ITEMS or more) where most items hold a link line (a
    headline, a thread title), items are short, and together they hold most of the text."""
    groups: dict[tuple[int, str], list[int]] = {}
    record_start, record_end = page.record_start, page.record_end
    for record in range(len(page.record_tag)):
        first, last = record_start[record], record_end[record]
        if first < start or last > end or first == last or removed[first]:
            continue
        key = (page.record_parent[record], page.record_signature[record])
        groups.setdefault(key, []).append(record)
    items = max(groups.values(), key=len, default=[])
    if len(items) < LIST_MIN_ITEMS:
        return 0
    chars = page.chars
    total_chars = (
        sum(count for count, gone in zip(chars[start:end], removed[start:end], strict=True) if not gone) or 1
    )
    item_chars = 0
    with_link = 0
    in_items = [False] * (end - start)
    for record in items:
        first, last = record_start[record], record_end[record]
        item_chars += sum(chars[first:last])
        with_link += any(link_blocks[first:last])
        in_items[first - start : last - start] = [True] * (last - first)
    # An article beside the list (a story with a feed under it) makes it an article page.
    prose_outside = sum(
        weight
        for weight, inside in zip(weights[start:end], in_items, strict=True)
        if not inside and weight > 0
    )
    if (
        prose_outside < LIST_MAX_PROSE_OUTSIDE_CHARS
        and with_link >= LIST_MIN_LINKED_SHARE * len(items)
        and item_chars >= min_text_share * total_chars
        and item_chars <= LIST_MAX_ITEM_CHARS * len(items)
    ):
        return len(items)
    return 0


def teaser_items(
    page: PageBlocks, start: int, end: int, link_blocks: list[bool], weights: list[float]
) -> list[tuple[int, int]]:
    """Block ranges of the teaser boxes inside an article's range [start, end): groups of
    sibling containers of one kind, most led by a linked headline, each short, when the
    range has prose of its own outside them (else the range is a list, not an article)."""
    record_start, record_end, chars = page.record_start, page.record_end, page.chars
    groups: dict[tuple[int, str], list[int]] = {}
    for record in range(len(page.record_tag)):
        first, last = record_start[record], record_end[record]
        if first < start or last > end or first == last:
            continue
        groups.setdefault((page.record_parent[record], page.record_signature[record]), []).append(record)
    inside = [False] * (end - start)
    items: list[tuple[int, int]] = []
    for records in groups.values():
        if len(records) < TEASER_MIN_ITEMS:
            continue
        ranges = [(record_start[record], record_end[record]) for record in records]
        if any(inside[first - start] for first, _ in ranges):
            continue  # an outer group took these boxes already
        item_chars = sum(sum(chars[first:last]) for first, last in ranges)
        led_by_headline = sum(
            1
            for first, last in ranges
            if any(
                link_blocks[index] and chars[index] >= TEASER_MIN_HEADLINE_CHARS
                for index in range(first, last)
            )
        )
        if led_by_headline >= TEASER_MIN_HEADLINE_SHARE * len(
            ranges
        ) and item_chars <= TEASER_MAX_ITEM_CHARS * len(ranges):
            items.extend(ranges)
            for first, last in ranges:
                inside[first - start : last - start] = [True] * (last - first)
    if not items:
        return []
    prose_outside = sum(
        weight for weight, taken in zip(weights[start:end], inside, strict=True) if weight > 0 and not taken
    )
    return sorted(items) if prose_outside >= TEASER_MIN_PROSE_OUTSIDE else []


def list_range(
    page: PageBlocks, link_blocks: list[bool], removed: list[bool], weights: list[float]
) -> tuple[int, int] | None:
    """The block range of the page's main list, when the page has one."""
    if not list_items(page, 0, len(page.text), link_blocks, removed, weights, LIST_MIN_PAGE_TEXT_SHARE):
        return None
    list_weights = [
        0.0 if gone else float(count) if link else -0.5 * count
        for count, link, gone in zip(page.chars, link_blocks, removed, strict=True)
    ]
    start, end, _, _ = best_container(page, list_weights)
    return (start, end) if start < end else None


def headline_block(page: PageBlocks, headline: str, title_headline: str = "") -> int:
    """The position of the heading block that reads the headline, else (no headline) of
    the first unlinked block that reads `title_headline`, or NO_MATCH."""
    wanted = headline or title_headline
    if not wanted:
        return NO_MATCH
    # `chars` counts a block's characters without whitespace: only a block of the same
    # count can read the headline, so few blocks are squashed and compared.
    for index, (text, kind, chars) in enumerate(zip(page.text, page.kind, page.chars, strict=True)):
        if chars != len(wanted):
            continue
        right_kind = kind == KIND_HEADING if headline else not page.link_chars[index]
        if right_kind and "".join(text.split()) == wanted:
            return index
    return NO_MATCH


# No `\s*` around them: the segment's whitespace is removed anyway, and a `\s*` that may
# start anywhere in a long run of spaces rescans the run from each of them.
TITLE_SEPARATORS = re.compile(r"[_|｜]|--|——|-\s")


def title_segment(title: str) -> str:
    """The first segment of a page title ("标题_频道_网站名" -> "标题"), whitespace removed,
    when long enough to name an article."""
    first = TITLE_SEPARATORS.split(title, maxsplit=1)[0]
    squashed = "".join(first.split())
    return squashed if len(squashed) >= HEADLINE_MIN_CHARS else ""


def heads_most_prose(anchor: int, start: int, end: int, weights: list[float]) -> bool:
    """Whether more of the range's prose follows the headline block than precedes it: a
    block that reads the title in the middle of an article (a caption, a quote of the
    title) is not where it starts."""
    before = sum(weight for weight in weights[start:anchor] if weight > 0)
    after = sum(weight for weight in weights[anchor + 1 : end] if weight > 0)
    return after >= before


def follows_headline(anchor: int, start: int, weights: list[float]) -> bool:
    """Whether the range starting at `start` is the first prose after the headline block
    `anchor`: a short news item under its own headline is an article, however little
    prose it has."""
    return (
        anchor != NO_MATCH and anchor < start and all(weight <= 0 for weight in weights[anchor + 1 : start])
    )


def select_main_content(
    page: PageBlocks,
    rules: DomTokenRules,
    forum_replies: bool = False,
    headline: str = "",
    title_headline: str = "",
) -> tuple[str, list[Removal], dict[str, Any]]:
    """(text, removals, meta facts) of a walked page; `headline` is the article's headline
    (`page_headline`), whitespace removed."""
    block_count = len(page.text)
    chars = page.chars
    weights, link_blocks = block_weights(page)
    removed, removals = remove_boilerplate(page, rules)
    kept_weights = [0.0 if gone else weight for gone, weight in zip(removed, weights, strict=True)]
    start, end, score, run = best_container(page, kept_weights)

    page_kind = "article"
    anchor = headline_block(page, headline, title_headline)
    if score < LIST_PAGE_MAX_PROSE_CHARS and not follows_headline(anchor, start, kept_weights):
        # Little prose anywhere: a list of links (an index page, a board), or text in
        # short lines (lyrics, poems, a schedule) that the prose weights undervalue.
        is_link = [not gone and link for gone, link in zip(removed, link_blocks, strict=True)]
        link_chars = sum(count for count, link in zip(chars, is_link, strict=True) if link)
        text_chars = sum(
            count for count, link, gone in zip(chars, is_link, removed, strict=True) if not link and not gone
        )
        text_weights = [
            0.0 if gone else -float(count) if link else float(count)
            for count, link, gone in zip(chars, is_link, removed, strict=True)
        ]
        text_start, text_end, text_score, text_run = best_container(page, text_weights)
        mostly_links = sum(is_link) >= LIST_PAGE_MIN_LINK_BLOCKS and link_chars > text_chars
        if text_score >= TEXT_MODE_MIN_CHARS or not (
            mostly_links
            or list_items(page, 0, block_count, link_blocks, removed, kept_weights, LIST_MIN_PAGE_TEXT_SHARE)
        ):
            start, end, run = text_start, text_end, text_run
        else:
            page_kind = "list"
            list_weights = [
                0.0 if gone else float(count) if link else -0.5 * count
                for count, link, gone in zip(chars, is_link, removed, strict=True)
            ]
            start, end, _, _ = best_container(page, list_weights)
    if start == end:
        start, end = 0, block_count
    elif page_kind == "article":
        first_post = None if forum_replies else first_forum_post(page, run, removed, kept_weights)
        if first_post is not None:
            page_kind = "forum"
            start, end = first_post
        elif list_items(page, start, end, link_blocks, removed, kept_weights):
            page_kind = "list"
        elif score < LIST_PAGE_MAX_ARTICLE_SCORE:
            # A short "article" next to a long list of links is a list page's blurb.
            items = list_range(page, link_blocks, removed, kept_weights)
            if items is not None and sum(chars[items[0] : items[1]]) > LIST_PAGE_MIN_RATIO * score:
                page_kind = "list"
                start, end = items

    if page_kind == "article":
        # The article starts after its headline: what comes before it in the chosen range
        # (a ticker, a channel's menu, the site's banner) belongs to the page's frame, and
        # the headline itself is `meta["title"]`.
        if start <= anchor < end - 1 and heads_most_prose(anchor, start, end, kept_weights):
            start = anchor + 1
    keep = [not removed[index] for index in range(start, end)]
    if page_kind == "article":
        teaser_rule = rules.rule_index(TEASER_RULE)
        for first, last in teaser_items(page, start, end, link_blocks, kept_weights):
            kept_lines = [page.text[index] for index in range(first, last) if keep[index - start]]
            keep[first - start : last - start] = [False] * (last - first)
            if kept_lines:
                rule = rules.rules[teaser_rule]
                removals.append(
                    Removal(code=f"main_content.{rule.category}", rule=rule.id, text="\n".join(kept_lines))
                )
    if page_kind != "list":
        # Link lines inside the article are menus and "related" lists; labels at its edges
        # are bylines, dates and headings of neighbouring boxes, and a heading left at its
        # end heads nothing of it (a "热门推荐" box a script fills in later).
        for offset in range(len(keep)):
            if link_blocks[start + offset]:
                keep[offset] = False
        for order in (range(len(keep)), range(len(keep) - 1, -1, -1)):
            trailing = order.step < 0
            for offset in order:
                if not keep[offset]:
                    continue
                index = start + offset
                heads_nothing = trailing and page.kind[index] == KIND_HEADING
                if weights[index] > 0 or (weights[index] == 0 and not heads_nothing):
                    break
                keep[offset] = False
    lines: list[str] = []
    content_chars = 0
    for offset, kept in enumerate(keep):
        if not kept:
            continue
        index = start + offset
        if lines:
            lines.append(page.separator[index])
        lines.append(page.text[index])
        content_chars += chars[index]
    facts: dict[str, Any] = {"page_kind": page_kind, "content_chars": content_chars}
    return "".join(lines), removals, facts
