"""Samples of rejected documents and of fragments stripped from kept documents, with what
matched highlighted in its context.

* A rejected document is shown around the strings its Reject named: the values in its
  `detail` that occur in its text (the spam words that were counted, a matched phrase),
  and the words of a rule the detail names. Measured values (shares, counts) are shown
  beside it. Without such strings its opening is shown.
* A stripped fragment is the removed text itself; where its rule has a `pattern` in its
  rule file, the part the pattern matched is highlighted inside the fragment (the rest of
  the fragment is the line or block it took with it).

Sampling is reproducible: the same output, selection, `n` and `seed` give the same rows.
Selection reads only the `reason`/`detail` (or `removed`) columns; the sampled rows are
then read from the row groups that hold them.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow.compute as pc

from zhclean.audit.definitions import Definitions, strings_in
from zhclean.audit.output import CleanedOutput, parse_json_column, scan, take_rows
from zhclean.io.storage import parquet_file

# Characters of context shown on each side of the first highlight.
CONTEXT_CHARS = 160
# A rejected document without highlights shows its opening, this long.
OPENING_CHARS = 400
# Strings shorter than this in a detail are not highlighted: one character (a digit, 的)
# would light up the whole text.
MIN_TERM_CHARS = 2
MAX_HIGHLIGHTS = 200
# Detail keys whose values identify things rather than quote the text.
IDENTIFIER_KEYS = {"rule", "kept_id", "cluster", "hint", "id", "url"}

Segment = tuple[str, bool]  # (text, highlighted)


@dataclass
class Sample:
    """One sampled rejected document or stripped fragment, ready to print or render."""

    kind: str  # "rejected" or "removal"
    id: str
    url: str
    source: str
    reason: str  # reason of a rejected document, code of a removal
    rule: str = ""  # rule id of a removal; the rule a rejected document's detail names
    detail: Any = None
    segments: list[Segment] = field(default_factory=list)
    highlights: int = 0
    text_chars: int = 0
    note: str = ""
    removed: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "url": self.url,
            "source": self.source,
            "reason": self.reason,
            "rule": self.rule,
            "detail": self.detail,
            "highlights": self.highlights,
            "text_chars": self.text_chars,
            "context": "".join(f"[[{text}]]" if marked else text for text, marked in self.segments),
            "note": self.note,
            "removed": self.removed,
        }


# -- highlighting -----------------------------------------------------------------------------


def find_spans(text: str, terms: list[str], patterns: list[re.Pattern[str]]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of `terms` (longest first) and `patterns`."""
    spans: list[tuple[int, int]] = []
    for pattern in patterns:
        for match in pattern.finditer(text):
            if match.end() > match.start():
                spans.append((match.start(), match.end()))
            if len(spans) >= MAX_HIGHLIGHTS:
                break
    for term in sorted(set(terms), key=len, reverse=True):
        start = text.find(term)
        while start != -1 and len(spans) < MAX_HIGHLIGHTS * 2:
            spans.append((start, start + len(term)))
            start = text.find(term, start + len(term))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged[:MAX_HIGHLIGHTS]


def segments_for(text: str, spans: list[tuple[int, int]], window: int | None) -> list[Segment]:
    """`text` cut into plain and highlighted segments. With `window`, only the stretch from
    `window` characters before the first span to `window` after the last span that starts
    within 4 × window of it, with ellipses where text was left out."""
    if not spans:
        if window is None or len(text) <= OPENING_CHARS:
            return [(text, False)]
        return [(text[:OPENING_CHARS], False), ("…", False)]
    begin, end = 0, len(text)
    if window is not None:
        begin = max(0, spans[0][0] - window)
        limit = spans[0][0] + 4 * window
        last = max(span_end for span_start, span_end in spans if span_start <= limit)
        end = min(len(text), last + window)
    segments: list[Segment] = []
    if begin > 0:
        segments.append(("…", False))
    position = begin
    for start, stop in spans:
        if start < begin or start >= end:
            continue
        if start > position:
            segments.append((text[position:start], False))
        segments.append((text[start : min(stop, end)], True))
        position = min(stop, end)
    if position < end:
        segments.append((text[position:end], False))
    if end < len(text):
        segments.append(("…", False))
    return segments


def rule_patterns(definitions: Definitions, rule_id: str) -> list[re.Pattern[str]]:
    """The compiled `pattern` of a rule file entry, if it has one (case-insensitive, as
    the ad-line rules are matched); none when it does not compile here."""
    rule = definitions.rules.get(rule_id)
    if rule is None:
        return []
    patterns = []
    for key in ("pattern", "patterns", "regex"):
        value = rule.fields.get(key)
        for source in [value] if isinstance(value, str) else (value or []):
            if not isinstance(source, str):
                continue
            try:
                patterns.append(re.compile(source, re.IGNORECASE))
            except re.error:
                continue
    return patterns


def detail_terms(detail: Any, definitions: Definitions, text: str) -> list[str]:
    """Strings from a Reject's detail that occur in the text: what the step counted."""
    terms: list[str] = []
    if isinstance(detail, dict):
        values = [value for key, value in detail.items() if key not in IDENTIFIER_KEYS]
    else:
        values = [detail]
    for value in values:
        for candidate in strings_in(value):
            if len(candidate) >= MIN_TERM_CHARS and candidate in text:
                terms.append(candidate)
    for rule_id in definitions.rule_ids_in(detail):
        words = definitions.rules[rule_id].fields.get("words")
        if isinstance(words, list):
            terms.extend(
                word
                for word in words
                if isinstance(word, str) and len(word) >= MIN_TERM_CHARS and word in text
            )
    return terms


def rejected_sample(
    row: dict[str, Any], definitions: Definitions, window: int | None = CONTEXT_CHARS
) -> Sample:
    text = row.get("text") or ""
    detail = parse_json_column(row.get("detail"))
    rules = definitions.rule_ids_in(detail)
    patterns = [pattern for rule_id in rules for pattern in rule_patterns(definitions, rule_id)]
    spans = find_spans(text, detail_terms(detail, definitions, text), patterns)
    return Sample(
        kind="rejected",
        id=row.get("id") or "",
        url=row.get("url") or "",
        source=row.get("source") or "",
        reason=row.get("reason") or "",
        rule=", ".join(rules),
        detail=detail,
        segments=segments_for(text, spans, window),
        highlights=len(spans),
        text_chars=len(text),
        removed=list(row.get("removed") or []),
    )


def removal_sample(row: dict[str, Any], position: int, definitions: Definitions) -> Sample:
    removed = list(row.get("removed") or [])
    fragment = removed[position]
    text = fragment.get("text") or ""
    spans = find_spans(text, [], rule_patterns(definitions, fragment.get("rule") or ""))
    note = f"fragment {position + 1} of {len(removed)} stripped from this kept document"
    if not spans:
        spans = [(0, len(text))] if text else []
        note += "; the whole fragment is what the rule matched"
    return Sample(
        kind="removal",
        id=row.get("id") or "",
        url=row.get("url") or "",
        source=row.get("source") or "",
        reason=fragment.get("code") or "",
        rule=fragment.get("rule") or "",
        segments=segments_for(text, spans, None),
        highlights=len(spans),
        text_chars=len(text),
        note=note,
    )


# -- selection --------------------------------------------------------------------------------


def matches_name(value: str, wanted: str) -> bool:
    """`wanted` selects a name exactly or as a dotted prefix (`repetition` selects
    `repetition.top_ngram`; `ad.qr_follow` selects `ad.qr_follow.scan`)."""
    return value == wanted or value.startswith(wanted + ".")


REJECTED_COLUMNS = ["id", "url", "source", "reason", "detail", "text", "removed"]
KEPT_COLUMNS = ["id", "url", "source", "removed"]


def select_rejected(
    output: CleanedOutput, reason: str | None, rule: str | None
) -> list[tuple[int, int, str]]:
    """(shard, row, reason) of every rejected row matching: reason (exact or prefix) and a
    detail that names `rule`. Reads `reason`, and `detail` only when a rule is asked for."""
    columns = ["reason"] + (["detail"] if rule else [])
    found: list[tuple[int, int, str]] = []
    quoted = f'"{rule}"' if rule else ""
    for shard, offset, batch in scan(output.rejected_shards, columns):
        if "reason" not in batch.schema.names:
            continue
        reasons = batch.column(batch.schema.names.index("reason")).to_pylist()
        details = (
            batch.column(batch.schema.names.index("detail")).to_pylist()
            if rule and "detail" in batch.schema.names
            else None
        )
        for index, value in enumerate(reasons):
            value = value or ""
            if reason and not matches_name(value, reason):
                continue
            if rule:
                detail_text = details[index] if details else None
                if not detail_text or not any(
                    matches_name(text, rule) for text in strings_in(parse_json_column(detail_text))
                ):
                    if not (detail_text and quoted in detail_text):
                        continue
            found.append((shard, offset + index, value))
    return found


def select_removals(
    output: CleanedOutput, reason: str | None, rule: str | None
) -> list[tuple[int, int, int, str]]:
    """(shard, row, position in `removed`, rule) of every stripped fragment in kept
    documents whose code matches `reason` and rule matches `rule`."""
    return [
        (shard, row, position, rule_id)
        for shard, row, position, code, rule_id in stripped_fragments(output)
        if (not reason or matches_name(code, reason)) and (not rule or matches_name(rule_id, rule))
    ]


def stripped_fragments(output: CleanedOutput) -> Iterator[tuple[int, int, int, str, str]]:
    """(shard, row, position in `removed`, code, rule) of every fragment stripped from a
    kept document, read from the `removed` column alone."""
    for shard, offset, batch in scan(output.kept_shards, ["removed"]):
        if "removed" not in batch.schema.names:
            continue
        removed = batch.column(batch.schema.names.index("removed"))
        flat = pc.list_flatten(removed)
        if len(flat) == 0:
            continue
        parents = pc.list_parent_indices(removed).to_pylist()
        codes = pc.struct_field(flat, "code").to_pylist()
        rules = pc.struct_field(flat, "rule").to_pylist()
        list_offsets = removed.offsets.to_pylist() if hasattr(removed, "offsets") else None
        for index, (parent, code, rule_id) in enumerate(zip(parents, codes, rules, strict=True)):
            position = index - list_offsets[parent] + list_offsets[0] if list_offsets else 0
            yield shard, offset + parent, position, code or "", rule_id or ""


def pick(candidates: list[Any], n: int, seed: int) -> list[Any]:
    if len(candidates) <= n:
        return list(candidates)
    chosen = sorted(random.Random(seed).sample(range(len(candidates)), n))
    return [candidates[index] for index in chosen]


def sample_rejected(
    output: CleanedOutput,
    definitions: Definitions,
    *,
    reason: str | None = None,
    rule: str | None = None,
    n: int = 5,
    seed: int = 0,
    window: int | None = CONTEXT_CHARS,
) -> tuple[int, list[Sample]]:
    """(how many rejected rows match, up to n samples of them)."""
    candidates = select_rejected(output, reason, rule)
    chosen = pick(candidates, n, seed)
    return len(candidates), load_rejected(
        output, [(shard, row) for shard, row, _ in chosen], definitions, window
    )


def load_rejected(
    output: CleanedOutput,
    rows: list[tuple[int, int]],
    definitions: Definitions,
    window: int | None = CONTEXT_CHARS,
) -> list[Sample]:
    by_shard: dict[int, list[int]] = defaultdict(list)
    for shard, row in rows:
        by_shard[shard].append(row)
    loaded: dict[tuple[int, int], dict[str, Any]] = {}
    for shard, shard_rows in by_shard.items():
        for row, record in zip(
            shard_rows, take_rows(output.rejected_shards[shard], shard_rows, REJECTED_COLUMNS), strict=False
        ):
            loaded[(shard, row)] = record
    return [rejected_sample(loaded[key], definitions, window) for key in rows]


def sample_removals(
    output: CleanedOutput,
    definitions: Definitions,
    *,
    reason: str | None = None,
    rule: str | None = None,
    n: int = 5,
    seed: int = 0,
) -> tuple[int, list[Sample]]:
    """(how many stripped fragments match, up to n samples of them)."""
    candidates = select_removals(output, reason, rule)
    chosen = pick(candidates, n, seed)
    return len(candidates), load_removals(
        output, [(shard, row, position) for shard, row, position, _ in chosen], definitions
    )


def load_removals(
    output: CleanedOutput, fragments: list[tuple[int, int, int]], definitions: Definitions
) -> list[Sample]:
    by_shard: dict[int, list[int]] = defaultdict(list)
    for shard, row, _ in fragments:
        if row not in by_shard[shard]:
            by_shard[shard].append(row)
    loaded: dict[tuple[int, int], dict[str, Any]] = {}
    for shard, shard_rows in by_shard.items():
        for row, record in zip(
            shard_rows, take_rows(output.kept_shards[shard], shard_rows, KEPT_COLUMNS), strict=False
        ):
            loaded[(shard, row)] = record
    return [removal_sample(loaded[(shard, row)], position, definitions) for shard, row, position in fragments]


def find_document(output: CleanedOutput, document_id: str) -> tuple[str, dict[str, Any]] | None:
    """("kept" or "rejected", the full row) of the document with this id, or None."""
    for which, shards in (("rejected", output.rejected_shards), ("kept", output.kept_shards)):
        for shard, offset, batch in scan(shards, ["id"]):
            ids = batch.column(0)
            mask = pc.equal(ids, document_id)
            hits = pc.indices_nonzero(mask).to_pylist()
            if hits:
                columns = parquet_file(shards[shard]).schema_arrow.names
                return which, take_rows(shards[shard], [offset + hits[0]], list(columns))[0]
    return None
