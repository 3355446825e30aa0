"""The step kinds a pipeline is built from.

A step is fully described by its constructor keyword parameters (as in scikit-learn):
each parameter is stored on an attribute of the same name, so a step can be written to a
recipe, rebuilt from it, pickled to a worker and fingerprinted. Expensive state (a model,
a converter, a compiled rule set) is built lazily on first use and never pickled: a worker
rebuilds it once from the parameters.

Kinds:
* `Extractor`: markup (`Document.html`) to text.
* `Cleaner`: text to text, recording every cut as a `Removal`.
* `Filter`: `check(doc)` returns a `Reject` or `None`.
* `Scorer`: adds a score to `meta`; a threshold filter decides on it.
* `Deduplicator`: needs a global view, so the engine runs it in stages: a per-document
  `signature`, then `find_duplicates` over all signatures.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from zhclean.document import Document, Reject, Removal


class Step:
    """Base of every step. Subclasses set `name` (used in recipes and in reasons) and
    `codes` (every reject code the step may emit, so reasons stay a declared set)."""

    name: ClassVar[str] = ""
    codes: ClassVar[tuple[str, ...]] = ()

    def apply(self, doc: Document) -> Document | Reject:
        raise NotImplementedError

    def apply_batch(self, docs: list[Document]) -> list[Document | Reject]:
        """Steps that gain from batching (model inference) override this."""
        return [self.apply(doc) for doc in docs]

    # -- parameters --------------------------------------------------------------------

    @classmethod
    def parameter_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return [
            parameter.name
            for parameter in signature.parameters.values()
            if parameter.name != "self"
            and parameter.kind in (parameter.KEYWORD_ONLY, parameter.POSITIONAL_OR_KEYWORD)
        ]

    @classmethod
    def default_params(cls) -> dict[str, Any]:
        signature = inspect.signature(cls.__init__)
        return {
            name: signature.parameters[name].default
            for name in cls.parameter_names()
            if signature.parameters[name].default is not inspect.Parameter.empty
        }

    def get_params(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.parameter_names()}

    def __getstate__(self) -> dict[str, Any]:
        # Only the parameters travel; lazily built state is rebuilt where it is used.
        return self.get_params()

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def __repr__(self) -> str:
        params = ", ".join(f"{key}={value!r}" for key, value in self.get_params().items())
        return f"{type(self).__name__}({params})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.get_params() == other.get_params()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, repr(sorted(self.get_params().items()))))


class Extractor(Step):
    """Turns `Document.html` into `Document.text`. Documents without markup pass through,
    so recipes that extract also run on text inputs."""

    def apply(self, doc: Document) -> Document | Reject:
        if doc.html is None:
            return doc
        return self.extract(doc)

    def extract(self, doc: Document) -> Document | Reject:
        raise NotImplementedError


@dataclass(frozen=True)
class Cleaned:
    """What a cleaner made of a text: the new text, what it cut, and facts for `meta`."""

    text: str
    removals: tuple[Removal, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)


class Cleaner(Step):
    """Text to text. Every cut is a `Removal`, so an audit can list what a kept document
    lost. A cleaner that leaves nothing of a non-empty text rejects it as `emptied`: a
    document that was only ads is spam, not an empty training example."""

    codes: ClassVar[tuple[str, ...]] = ("emptied",)

    def clean(self, text: str) -> Cleaned:
        raise NotImplementedError

    def removal(self, code: str, rule: str, fragment: str) -> Removal:
        return Removal(code=f"{self.name}.{code}", rule=rule, text=fragment)

    def apply(self, doc: Document) -> Document | Reject:
        if not doc.text:
            return doc
        cleaned = self.clean(doc.text)
        if cleaned.text is doc.text and not cleaned.removals and not cleaned.meta:
            return doc
        if not cleaned.text.strip():
            return Reject("emptied", {"chars_before": len(doc.text), "removals": len(cleaned.removals)})
        result = doc.with_text(cleaned.text, cleaned.removals)
        if cleaned.meta:
            result.meta.update(cleaned.meta)
        return result


class Filter(Step):
    """Keeps a document or rejects it; never changes it."""

    def check(self, doc: Document) -> Reject | None:
        raise NotImplementedError

    def apply(self, doc: Document) -> Document | Reject:
        verdict = self.check(doc)
        return doc if verdict is None else verdict


class Scorer(Step):
    """Adds a score to `meta[score_field]`; a threshold filter decides on it."""

    score_field: str = "score"

    def score_batch(self, texts: list[str]) -> list[float]:
        raise NotImplementedError

    def apply(self, doc: Document) -> Document | Reject:
        result = self.apply_batch([doc])[0]
        return result

    def apply_batch(self, docs: list[Document]) -> list[Document | Reject]:
        scores = self.score_batch([doc.text for doc in docs])
        return [doc.with_meta(**{self.score_field: score}) for doc, score in zip(docs, scores)]


@dataclass(frozen=True)
class DedupEntry:
    """What a deduplicator knows of one document in its global stage. `id` is the
    document's `dedup_key`, unique per record read even when record ids repeat."""

    id: str
    signature: Any
    length: int  # characters of text
    quality: float | None = None  # meta["quality"] when a scorer ran before


def dedup_key(document_id: str, source: object) -> str:
    """The name deduplicators give a record: its id, plus where it was read when that is
    known. Ids repeat in real dumps (a WARC concatenated with itself, a JSONL with a
    reused `id`), and every copy needs its own verdict: keyed by id alone, one verdict
    would reject all the copies and keep none."""
    return f"{document_id} @ {source}" if source else document_id


class Deduplicator(Step):
    """Needs every document at once. The engine calls `signature` per document (in
    parallel), then `find_duplicates` once over all entries, then drops the documents it
    names. `workdir` is a scratch directory for deduplicators that spill to disk."""

    def apply(self, doc: Document) -> Document | Reject:
        raise TypeError(f"{self.name} is a deduplicator: run it through a Pipeline, not per document")

    def signature(self, doc: Document) -> Any:
        raise NotImplementedError

    def find_duplicates(self, entries: Iterable[DedupEntry], workdir: Path | None = None) -> dict[str, Reject]:
        raise NotImplementedError
