"""The records that flow through a pipeline, and the verdicts steps give about them.

A `Document` is immutable in spirit: steps never change the one they are given, they
return a copy made with `Document.replace` (or `Document.with_text` for cleaners).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    """Where a record came from: the input file and the record's position in it."""

    path: str
    offset: int  # record index in the file (line number for JSONL, row for Parquet, …)

    def __str__(self) -> str:
        return f"{self.path}#{self.offset}"


@dataclass(frozen=True)
class Removal:
    """A fragment a cleaner cut out of a document that was otherwise kept.

    `code` is `"<step>.<code>"` (e.g. `ad_lines.qr_follow`), `rule` the id of the rule that
    matched (e.g. `ad.qr_follow`), `text` the fragment itself, so an audit can show it.
    """

    code: str
    rule: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "rule": self.rule, "text": self.text}


@dataclass(frozen=True)
class Reject:
    """A step's verdict that a document must be dropped.

    `code` is a short snake_case predicate from the step's declared `codes`; measured
    values go in `detail` so that the set of reasons stays small and countable.
    """

    code: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Document:
    """One record. `raw` holds undecoded bytes and `html` decoded markup until the decode
    and extract steps turn them into `text`; text inputs (JSONL, WET, Parquet) start with
    `text` set and both of those empty.

    `meta` holds what zhclean learnt (encoding, title, scores); `fields` the input record's
    other fields (a JSONL `split`, a Parquet `source` column …), which no step reads or
    changes and which the output carries through, so results join back to the input."""

    id: str
    text: str = ""
    url: str = ""
    source: Source | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    removed: tuple[Removal, ...] = ()
    raw: bytes | None = None
    html: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)

    def replace(self, **changes: Any) -> Document:
        """A copy with `changes` applied; `meta` is copied so the original stays untouched."""
        if "meta" not in changes:
            changes["meta"] = dict(self.meta)
        return dataclasses.replace(self, **changes)

    def with_text(self, text: str, removals: list[Removal] | tuple[Removal, ...] = ()) -> Document:
        """A copy with new text and `removals` appended to those already recorded."""
        return self.replace(text=text, removed=self.removed + tuple(removals))

    def with_meta(self, **entries: Any) -> Document:
        meta = dict(self.meta)
        meta.update(entries)
        return self.replace(meta=meta)

    def best_text(self) -> str:
        """The most processed content available: text, else markup, else raw bytes shown
        leniently. Used for rejected rows, so an audit always has something to look at."""
        if self.text:
            return self.text
        if self.html:
            return self.html
        if self.raw:
            return self.raw.decode("utf-8", errors="replace")
        return ""


@dataclass(frozen=True)
class Rejected:
    """A document together with the reason it was dropped: `"<step>.<code>"`."""

    document: Document
    reason: str
    detail: dict[str, Any] = field(default_factory=dict)

    def detail_json(self) -> str:
        return json.dumps(self.detail, ensure_ascii=False, sort_keys=True, default=str)


Outcome = Document | Rejected
