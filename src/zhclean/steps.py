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

import functools
import inspect
import math
import os
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from zhclean.document import Document, Reject, Removal


class Step:
    """Base of every step. Subclasses set `name` (used in recipes and in reasons) and
    `codes` (every reject code the step may emit, so reasons stay a declared set)."""

    name: ClassVar[str] = ""
    codes: ClassVar[tuple[str, ...]] = ()
    # Allowed (low, high) of numeric parameters, where the rule in `parameter_range` does
    # not say it: a step names only its exceptions.
    param_ranges: ClassVar[dict[str, tuple[float, float]]] = {}

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

    @classmethod
    def parameter_types(cls) -> dict[str, Any]:
        """Each parameter's annotated type (parameters without one are left out)."""
        try:
            hints = typing.get_type_hints(cls.__init__)
        except (NameError, TypeError):  # an annotation that does not evaluate: no checks
            return {}
        return {name: hints[name] for name in cls.parameter_names() if name in hints}

    @classmethod
    def parameter_range(cls, name: str) -> tuple[float, float]:
        """Where a numeric parameter must lie. A share, ratio, Jaccard similarity, score or
        quality (a float named so) lies in [0, 1]; any other count, length or rate is 0
        or more (`min_han_for_share` is a count of characters): a negative `min_chars` or a
        `min_han_share` of 20 (meant as 20 %) is a mistake that would silently reject
        everything or nothing."""
        if name in cls.param_ranges:
            return cls.param_ranges[name]
        if cls.parameter_types().get(name) is float and set(name.split("_")) & PROPORTION_WORDS:
            return (0.0, 1.0)
        return (0.0, math.inf)

    @classmethod
    def check_params(cls, params: dict[str, Any]) -> None:
        """Raises TypeError or ValueError, with one line naming the parameter, its value
        and what it must be, when a value does not fit its parameter's type or range."""
        types_by_name = cls.parameter_types()
        for name, value in params.items():
            expected = types_by_name.get(name)
            if expected is None:
                continue
            if not conforms(value, expected):
                raise TypeError(
                    f"{name} = {value!r} is {describe_value(value)}; it must be {describe_type(expected)}"
                )
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                low, high = cls.parameter_range(name)
                if not (low <= value <= high):  # also refuses nan
                    allowed = f"from {low:g} to {high:g}" if high != math.inf else f"{low:g} or more"
                    raise ValueError(f"{name} = {value!r} is out of range: it must be {allowed}")

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


# Parameter names with one of these words hold a proportion in [0, 1].
PROPORTION_WORDS = frozenset(("share", "ratio", "fraction", "jaccard", "score", "quality"))


def conforms(value: Any, expected: Any) -> bool:
    """Whether a parameter value fits its annotation (the types recipes can hold: numbers,
    booleans, strings, paths, None, and lists or tuples of them; TOML has lists where a
    parameter has tuples)."""
    if expected is Any:
        return True
    origin = typing.get_origin(expected)
    arguments = typing.get_args(expected)
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, member) for member in arguments)
    if expected is type(None):
        return value is None
    if expected is bool:
        return isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected is str:
        return isinstance(value, (str, os.PathLike))  # a Path for a file name is fine
    if expected is Path:
        return isinstance(value, (str, os.PathLike))
    if origin in (tuple, list):
        if not isinstance(value, (tuple, list)):
            return False
        if not arguments:
            return True
        if origin is tuple and not (len(arguments) == 2 and arguments[1] is Ellipsis):
            return len(value) == len(arguments) and all(
                conforms(item, kind) for item, kind in zip(value, arguments, strict=True)
            )
        return all(conforms(item, arguments[0]) for item in value)
    if origin is dict:
        return isinstance(value, dict)
    if isinstance(expected, type):
        return isinstance(value, expected)
    return True  # an annotation this check does not know: not refused


def describe_type(expected: Any) -> str:
    origin = typing.get_origin(expected)
    arguments = typing.get_args(expected)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe_type(member) for member in arguments)
    names = {
        bool: "true or false",
        int: "a whole number",
        float: "a number",
        str: "a string",
        Path: "a path",
        type(None): "nothing (left out)",
    }
    if expected in names:
        return names[expected]
    if origin in (tuple, list):
        if origin is tuple and arguments and not (len(arguments) == 2 and arguments[1] is Ellipsis):
            return "a list [" + ", ".join(describe_type(kind) for kind in arguments) + "]"
        return f"a list, each item {describe_type(arguments[0])}" if arguments else "a list"
    return getattr(expected, "__name__", str(expected))


def describe_value(value: Any) -> str:
    kinds = {
        str: "a string",
        bool: "a boolean",
        int: "a whole number",
        float: "a number",
        list: "a list",
        dict: "a table",
    }
    return kinds.get(type(value), f"a {type(value).__name__}")


def text_document(value: object, where: str) -> Document:
    """A plain string as a document, for the methods that take either; anything else is a
    TypeError that says what to pass."""
    if isinstance(value, str):
        return Document(id="text", text=value)
    raise TypeError(f"{where} takes a zhclean.Document or a str, not {type(value).__name__}")


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

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        clean = cls.__dict__.get("clean")
        if clean is not None and not getattr(clean, "takes_documents_too", False):
            cls.clean = taking_text_of_documents(clean)  # type: ignore[method-assign,assignment]

    def clean(self, text: str) -> Cleaned:
        raise NotImplementedError

    def clean_text(self, text: str) -> str:
        """The cleaned text alone (`clean` also says what was cut and why)."""
        return self.clean(text).text

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
    """Keeps a document or rejects it; never changes it. `check` takes a Document or a
    plain string; `check_text(text)` is the same for a string."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        check = cls.__dict__.get("check")
        if check is not None and not getattr(check, "takes_text_too", False):
            cls.check = taking_text_too(check)  # type: ignore[method-assign,assignment]

    def check(self, doc: Document) -> Reject | None:
        raise NotImplementedError

    def check_text(self, text: str) -> Reject | None:
        """The verdict on a plain string: a Reject (its `code` and measured `detail`), or
        None when the text passes."""
        return self.check(text_document(text, f"{type(self).__name__}.check_text"))

    def apply(self, doc: Document) -> Document | Reject:
        verdict = self.check(doc)
        return doc if verdict is None else verdict


class Scorer(Step):
    """Adds a score to `meta[score_field]`; a threshold filter decides on it."""

    score_field: str = "score"

    def score_batch(self, texts: list[str]) -> list[float]:
        raise NotImplementedError

    def score_text(self, text: str) -> float:
        if not isinstance(text, str):
            raise TypeError(f"{type(self).__name__}.score_text takes a str, not {type(text).__name__}")
        return self.score_batch([text])[0]

    def apply(self, doc: Document) -> Document | Reject:
        result = self.apply_batch([doc])[0]
        return result

    def apply_batch(self, docs: list[Document]) -> list[Document | Reject]:
        scores = self.score_batch([doc.text for doc in docs])
        return [doc.with_meta(**{self.score_field: score}) for doc, score in zip(docs, scores, strict=True)]


def taking_text_too(check: Callable[[Any, Document], Reject | None]) -> Callable[[Any, Any], Reject | None]:
    """A filter's `check` that also takes a plain string (as a document of that text)."""

    @functools.wraps(check)
    def check_document_or_text(self: Any, doc: Any) -> Reject | None:
        if not isinstance(doc, Document):
            doc = text_document(doc, f"{type(self).__name__}.check")
        return check(self, doc)

    check_document_or_text.takes_text_too = True  # type: ignore[attr-defined]
    return check_document_or_text


def taking_text_of_documents(clean: Callable[[Any, str], Cleaned]) -> Callable[[Any, Any], Cleaned]:
    """A cleaner's `clean`, which takes a string, also given a Document (its text)."""

    @functools.wraps(clean)
    def clean_text_or_document(self: Any, text: Any) -> Cleaned:
        if not isinstance(text, str):
            if not isinstance(text, Document):
                raise TypeError(
                    f"{type(self).__name__}.clean takes a str (or a zhclean.Document), not {type(text).__name__}"
                )
            text = text.text
        return clean(self, text)

    clean_text_or_document.takes_documents_too = True  # type: ignore[attr-defined]
    return clean_text_or_document


@dataclass(frozen=True)
class DedupEntry:
    """What a deduplicator knows of one document in its global stage. `id` is the
    document's `dedup_key`, unique per record read even when record ids repeat."""

    id: str
    signature: Any
    length: int  # characters of text
    quality: float | None = None  # meta["quality"] when a scorer ran before


@typing.runtime_checkable
class DedupEntryParts(typing.Protocol):
    """A deduplicator's entries in parts that can each be read on its own, in any process
    (the object pickles small): a staged deduplicator ingests the parts in parallel on
    its executor. Iterating it gives every entry, part after part, so a deduplicator
    that only iterates takes it as it takes any iterable of entries."""

    def __iter__(self) -> Iterator[DedupEntry]: ...

    def __len__(self) -> int:
        """How many parts."""
        ...

    def part_size(self, index: int) -> int:
        """How many entries part `index` holds, known without reading them."""
        ...

    def read_part(self, index: int) -> Iterator[DedupEntry]: ...


def dedup_key(document_id: str, source: object) -> str:
    """The name deduplicators give a record: its id, plus where it was read when that is
    known. Ids repeat in real dumps (a WARC concatenated with itself, a JSONL with a
    reused `id`), and every copy needs its own verdict: keyed by id alone, one verdict
    would reject all the copies and keep none."""
    return f"{document_id} @ {source}" if source else document_id


class PartitionExecutor(typing.Protocol):
    """Runs a deduplicator's per-partition tasks: `zhclean.dedup.parallel.SerialExecutor`,
    or the run's executor (`zhclean.engines.executor`)."""

    def map_partitions(self, function: Callable[[int], Any], partitions: Sequence[int]) -> list[Any]:
        """`[function(p) for p in partitions]`, in that order, run wherever the executor runs."""
        ...


class Deduplicator(Step):
    """Needs every document at once. The engine calls `signature` per document (in
    parallel), then `find_duplicates` once over all entries, then drops the documents it
    names. `workdir` is a scratch directory for deduplicators that spill to disk."""

    def apply(self, doc: Document) -> Document | Reject:
        raise TypeError(f"{self.name} is a deduplicator: run it through a Pipeline, not per document")

    def signature(self, doc: Document) -> Any:
        raise NotImplementedError

    def signatures(self, docs: list[Document]) -> list[Any]:
        """`signature` of each document; a deduplicator that computes a batch faster than
        its documents one by one overrides this."""
        return [self.signature(doc) for doc in docs]

    def find_duplicates(
        self,
        entries: Iterable[DedupEntry],
        workdir: Path | None = None,
        executor: PartitionExecutor | None = None,
    ) -> dict[str, Reject]:
        """The documents to drop, by `DedupEntry.id`. `executor` runs per-partition work
        where a deduplicator has any (the run's executor; this process when None)."""
        raise NotImplementedError
