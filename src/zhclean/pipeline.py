"""A pipeline: steps applied in order, with per-step statistics.

From Python:

    pipeline = Pipeline([Decode(), VisibleTextExtractor(), WhitespaceNormalizer(), LengthFilter()])
    for outcome in pipeline.run(documents):
        ...  # a Document (kept) or a Rejected (with its reason)

Per-document steps stream. A step that runs past `max_seconds_per_record` on a document
rejects that document as `limit.seconds` instead of holding up the run (see `time_limit`).
A deduplicator needs every document at once, so `run` splits the pipeline at each
deduplicator into segments: the documents that survive a segment are held until the
deduplicator has seen them all (the file engine spills them to Parquet
instead, see `engines/driver.py`).
"""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from zhclean.batching import batched
from zhclean.document import Document, Reject, Rejected
from zhclean.steps import DedupEntry, Deduplicator, Step, dedup_key
from zhclean.tables import apply_pipeline, kept_flags

# Documents go through the steps in batches: batching lets scorers run their model once
# per batch, and keeps the per-step timing overhead negligible.
DEFAULT_BATCH_SIZE = 256

# How long one step may spend on one document before the document is rejected as
# `limit.seconds`. Real pages take milliseconds; a page built to trap a crawler (or a bug)
# can take forever, and over billions of records "forever" happens.
DEFAULT_MAX_SECONDS_PER_RECORD = 30.0

# Reasons that start with this name a resource limit rather than a step's judgement: a
# step declares such a code (`limit.dom_depth`) and it is the reason as it stands, the
# same whichever step enforced it, so that an audit counts all hostile records together.
LIMIT_PREFIX = "limit."


@dataclass
class StepStats:
    """Counts for one step: documents in and out, rejections per reason, removals per
    code, and seconds spent."""

    name: str
    docs_in: int = 0
    docs_out: int = 0
    seconds: float = 0.0
    rejected: Counter[str] = field(default_factory=Counter)
    removals: Counter[str] = field(default_factory=Counter)

    def merge(self, other: StepStats) -> None:
        self.docs_in += other.docs_in
        self.docs_out += other.docs_out
        self.seconds += other.seconds
        self.rejected.update(other.rejected)
        self.removals.update(other.removals)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "in": self.docs_in,
            "out": self.docs_out,
            "seconds": round(self.seconds, 4),
            "rejected": dict(sorted(self.rejected.items())),
            "removals": dict(sorted(self.removals.items())),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StepStats:
        return cls(
            name=data["name"],
            docs_in=data["in"],
            docs_out=data["out"],
            seconds=data["seconds"],
            rejected=Counter(data["rejected"]),
            removals=Counter(data["removals"]),
        )


@dataclass
class PipelineStats:
    """Counts for a whole run. `read` counts every record a reader produced, including
    those it could not read (rejected with an `io.*` reason before any step)."""

    steps: list[StepStats]
    read: int = 0
    read_rejected: Counter[str] = field(default_factory=Counter)
    # Rejected by the engine after the last step (e.g. `pipeline.not_extracted`).
    output_rejected: Counter[str] = field(default_factory=Counter)
    kept: int = 0
    rejected: int = 0
    # Fragments cut from the documents that were kept, per removal code. A step's own
    # `removals` also counts cuts from documents a later step rejected.
    kept_removals: Counter[str] = field(default_factory=Counter)

    @classmethod
    def for_steps(cls, steps: Sequence[Step]) -> PipelineStats:
        return cls(steps=[StepStats(name=step.name) for step in steps])

    def merge(self, other: PipelineStats) -> None:
        for mine, theirs in zip(self.steps, other.steps, strict=True):
            mine.merge(theirs)
        self.read += other.read
        self.read_rejected.update(other.read_rejected)
        self.output_rejected.update(other.output_rejected)
        self.kept += other.kept
        self.rejected += other.rejected
        self.kept_removals.update(other.kept_removals)

    def reasons(self) -> Counter[str]:
        total = Counter(self.read_rejected) + Counter(self.output_rejected)
        for step in self.steps:
            total.update(step.rejected)
        return total

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "kept": self.kept,
            "rejected": self.rejected,
            "reasons": dict(self.reasons().most_common()),
            "read_rejected": dict(sorted(self.read_rejected.items())),
            "output_rejected": dict(sorted(self.output_rejected.items())),
            "kept_removals": dict(self.kept_removals.most_common()),
            "steps": [step.as_dict() for step in self.steps],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PipelineStats:
        return cls(
            steps=[StepStats.from_dict(step) for step in data["steps"]],
            read=data["read"],
            read_rejected=Counter(data["read_rejected"]),
            output_rejected=Counter(data.get("output_rejected", {})),
            kept=data["kept"],
            rejected=data["rejected"],
            kept_removals=Counter(data.get("kept_removals", {})),
        )


class Pipeline:
    """Steps in order. `stats` accumulates over every `run`.

    Besides `run` over documents, a pipeline cleans plain strings (`clean_text`,
    `clean_texts`) and tables (`apply`: a pandas or polars DataFrame, a pyarrow Table, a
    batch dict, a list, a 🤗 dataset), and `apply` / `keeps` are the functions to hand to
    `datasets.Dataset.map(batched=True)` / `.filter(batched=True)` and to Ray Data's
    `map_batches`."""

    def __init__(
        self,
        steps: Sequence[Step],
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_seconds_per_record: float | None = DEFAULT_MAX_SECONDS_PER_RECORD,
    ) -> None:
        if isinstance(steps, (str, Step)) or not isinstance(steps, Iterable):
            raise TypeError(
                f"Pipeline takes a list of steps, not {type(steps).__name__}; "
                "for a recipe by name use zhclean.load_recipe(name).pipeline()"
            )
        steps = list(steps)
        for position, step in enumerate(steps):
            if not isinstance(step, Step):
                hint = " (a step class: call it, e.g. LengthFilter())" if isinstance(step, type) else ""
                raise TypeError(
                    f"step {position + 1} of the pipeline is not a zhclean step but {step!r}{hint}"
                )
        self.steps = steps
        self.batch_size = batch_size
        self.max_seconds_per_record = max_seconds_per_record
        self.stats = PipelineStats.for_steps(self.steps)

    def __repr__(self) -> str:
        return f"Pipeline({self.steps!r})"

    def segments(self) -> list[tuple[int, int, Deduplicator | None]]:
        """(start, end, deduplicator) index ranges of per-document steps, each followed by
        the deduplicator that closes it (None for the last segment)."""
        result: list[tuple[int, int, Deduplicator | None]] = []
        start = 0
        for index, step in enumerate(self.steps):
            if isinstance(step, Deduplicator):
                result.append((start, index, step))
                start = index + 1
        result.append((start, len(self.steps), None))
        return result

    # -- per-document steps ---------------------------------------------------------------

    def process_batch(
        self, items: list[Document | Rejected], start: int = 0, end: int | None = None
    ) -> list[Document | Rejected]:
        """Runs steps[start:end] (none of them deduplicators) over a batch; the order of
        the results is the order of the items."""
        end = len(self.steps) if end is None else end
        results: list[Document | Rejected] = list(items)
        pending = [index for index, item in enumerate(results) if isinstance(item, Document)]
        for step_index in range(start, end):
            if not pending:
                break
            step = self.steps[step_index]
            stats = self.stats.steps[step_index]
            documents = [results[index] for index in pending]
            began = time.perf_counter()
            verdicts = apply_isolated(step, documents, self.max_seconds_per_record)  # type: ignore[arg-type]
            stats.seconds += time.perf_counter() - began
            stats.docs_in += len(documents)
            still_pending = []
            for index, document, verdict in zip(pending, documents, verdicts, strict=True):
                if isinstance(verdict, Reject):
                    reason = reason_for(step, verdict.code)
                    stats.rejected[reason] += 1
                    results[index] = Rejected(document, reason, verdict.detail)  # type: ignore[arg-type]
                else:
                    # Steps only append removals, so the new ones are past the old count.
                    for removal in verdict.removed[len(document.removed) :]:  # type: ignore[union-attr]
                        stats.removals[removal.code] += 1
                    results[index] = verdict
                    still_pending.append(index)
            stats.docs_out += len(still_pending)
            pending = still_pending
        return results

    def count_read(self, items: list[Document | Rejected]) -> None:
        self.stats.read += len(items)
        for item in items:
            if isinstance(item, Rejected):
                self.stats.read_rejected[item.reason] += 1

    def count_final(self, items: Iterable[Document | Rejected]) -> None:
        for item in items:
            if isinstance(item, Rejected):
                self.stats.rejected += 1
            else:
                self.stats.kept += 1
                self.stats.kept_removals.update(removal.code for removal in item.removed)

    def process(self, document: Document) -> Document | Rejected:
        """One document through every per-document step (no deduplicator allowed)."""
        if any(isinstance(step, Deduplicator) for step in self.steps):
            raise TypeError("this pipeline deduplicates: use run() over all documents")
        self.count_read([document])
        [result] = self.process_batch([document])
        self.count_final([result])
        return result

    # -- whole runs -----------------------------------------------------------------------

    def run(self, documents: Iterable[Document | Rejected | str]) -> Iterator[Document | Rejected]:
        """Every input comes out exactly once: kept as a Document or as a Rejected.

        A plain string is a document of that text, its id its position ("0", "1", …).
        Streams when there is no deduplicator; otherwise the survivors of each segment
        are held in memory until the deduplicator has seen them all."""
        if isinstance(documents, (str, bytes, Document)):
            raise TypeError(
                f"run takes an iterable of documents or strings, not one {type(documents).__name__}; "
                "wrap it in a list, or use clean_text(text) for one string"
            )
        outcomes: Iterable[Document | Rejected] = self._read(documents)
        for start, end, deduplicator in self.segments():
            outcomes = self._run_segment(outcomes, start, end)
            if deduplicator is not None:
                outcomes = self._deduplicate(outcomes, deduplicator, self.steps.index(deduplicator))
        for outcome in outcomes:
            self.count_final([outcome])
            yield outcome

    def _read(self, documents: Iterable[Document | Rejected | str]) -> Iterator[Document | Rejected]:
        for position, item in enumerate(documents):
            if not isinstance(item, (Document, Rejected)):
                item = document_of(item, position)
            self.count_read([item])
            yield item

    def _run_segment(
        self, outcomes: Iterable[Document | Rejected], start: int, end: int
    ) -> Iterator[Document | Rejected]:
        for batch in batched(outcomes, self.batch_size):
            yield from self.process_batch(batch, start, end)

    def _deduplicate(
        self, outcomes: Iterable[Document | Rejected], deduplicator: Deduplicator, step_index: int
    ) -> Iterator[Document | Rejected]:
        held = list(outcomes)
        stats = self.stats.steps[step_index]
        began = time.perf_counter()
        entries = [
            entry
            for documents in batched((item for item in held if isinstance(item, Document)), self.batch_size)
            for entry in dedup_entries(documents, deduplicator)
        ]
        duplicates = deduplicator.find_duplicates(entries)
        by_key = {dedup_key(item.id, item.source): item for item in held if isinstance(item, Document)}
        duplicates = {key: with_kept_copy_named(verdict, by_key) for key, verdict in duplicates.items()}
        stats.seconds += time.perf_counter() - began
        stats.docs_in += len(entries)
        for item in held:
            if isinstance(item, Document):
                verdict = duplicates.get(dedup_key(item.id, item.source))
                if verdict is not None:
                    reason = reason_for(deduplicator, verdict.code)
                    stats.rejected[reason] += 1
                    yield Rejected(item, reason, verdict.detail)
                    continue
                stats.docs_out += 1
            yield item

    # -- strings and tables ----------------------------------------------------------------

    def clean_text(self, text: str) -> str | None:
        """The text as this pipeline keeps it, or None when it rejects it."""
        if not isinstance(text, str):
            raise TypeError(
                f"clean_text takes a str, not {type(text).__name__}; for many texts use clean_texts"
            )
        [result] = self.clean_texts([text])
        return result

    def clean_texts(self, texts: Iterable[str]) -> list[str | None]:
        """Each text as kept, or None where it was rejected, in the order given (a
        deduplicator keeps one copy among these texts)."""
        if isinstance(texts, (str, bytes)):
            raise TypeError("clean_texts takes a list of strings, not one string; use clean_text(text)")
        return [outcome.text if isinstance(outcome, Document) else None for outcome in self.run(list(texts))]

    def apply(
        self,
        data: Any,
        text_column: str = "text",
        id_column: str | None = None,
        html_column: str | None = None,
    ) -> Any:
        """`data` with zhclean's columns added (text, kept, reason, detail, removed,
        quality), of the same type and with the same rows in the same order: a pandas or
        polars DataFrame, a pyarrow Table or RecordBatch, a batch dict of columns (what
        `datasets.Dataset.map(batched=True)` and Ray Data's `map_batches` pass), a list
        of strings or of row dicts, or a 🤗 `datasets.Dataset`. See `zhclean.api`."""
        return apply_pipeline(
            self, data, text_column=text_column, id_column=id_column, html_column=html_column
        )

    def keeps(
        self,
        data: Any,
        text_column: str = "text",
        id_column: str | None = None,
        html_column: str | None = None,
    ) -> Any:
        """Whether each row is kept (a list of bools; one bool for one example): the
        function for `datasets.Dataset.filter`, batched or not."""
        return kept_flags(self, data, text_column=text_column, id_column=id_column, html_column=html_column)


def document_of(item: object, position: int) -> Document:
    """A string given to a pipeline as a document; anything else is a TypeError that says
    what to pass."""
    if isinstance(item, str):
        return Document(id=str(position), text=item)
    raise TypeError(
        f"item {position} is a {type(item).__name__}: a pipeline runs zhclean.Document objects or str texts "
        "(for a table or DataFrame use pipeline.apply(data))"
    )


def with_kept_copy_named(verdict: Reject, documents: dict[str, Document]) -> Reject:
    """A deduplicator's detail names the kept copy by its `dedup_key`; the output names it
    by its id (`kept_id`) and where it was read (`kept_source`)."""
    kept = documents.get(verdict.detail.get("kept_id"))  # type: ignore[arg-type]
    if kept is None:
        return verdict
    detail = {**verdict.detail, "kept_id": kept.id}
    if kept.source is not None:
        detail["kept_source"] = str(kept.source)
    return Reject(verdict.code, detail)


def reason_for(step: Step, code: str) -> str:
    """`<step>.<code>`, or the code itself for a resource limit (`limit.*`)."""
    return code if code.startswith(LIMIT_PREFIX) else f"{step.name}.{code}"


# The reason code a step gets when it raises on a document instead of returning a verdict:
# a bug or a hostile input must cost one document, never the run.
CRASH_CODE = "crashed"
TIME_LIMIT_CODE = LIMIT_PREFIX + "seconds"


class RecordTimeout(BaseException):
    """Raised inside a step by `time_limit`'s alarm. A BaseException, so that a step's own
    `except Exception` cannot swallow it."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raises RecordTimeout in the block once `seconds` have passed (SIGALRM).

    Only the main thread of a process can receive signals, which is where the local
    engine's workers and Ray's actors run steps; elsewhere (a thread, or a platform
    without `setitimer`) the block runs without a limit rather than failing."""
    if (
        not seconds
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise RecordTimeout

    previous_handler = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)


def apply_isolated(
    step: Step, documents: list[Document], max_seconds: float | None = None
) -> list[Document | Reject]:
    """`step.apply_batch`, but a step that raises, or runs past `max_seconds`, only
    rejects the documents it raised or stalled on.

    The whole batch gets `max_seconds` at first (a batch of real pages takes a fraction
    of a second); when it fails or runs out of time, each document is run again on its
    own with its own `max_seconds`, so one hostile page costs itself and not its batch."""
    try:
        with time_limit(max_seconds):
            return step.apply_batch(documents)
    except (Exception, RecordTimeout):
        pass
    verdicts: list[Document | Reject] = []
    for document in documents:
        try:
            with time_limit(max_seconds):
                verdicts.append(step.apply(document))
        except RecordTimeout:
            verdicts.append(Reject(TIME_LIMIT_CODE, {"step": step.name, "max_seconds": max_seconds}))
        except Exception as error:  # noqa: BLE001 - isolating any failure is the point
            verdicts.append(Reject(CRASH_CODE, {"error": f"{type(error).__name__}: {error}"[:500]}))
    return verdicts


def dedup_entry(document: Document, deduplicator: Deduplicator) -> DedupEntry:
    return entry_with_signature(document, deduplicator.signature(document))


def dedup_entries(documents: list[Document], deduplicator: Deduplicator) -> list[DedupEntry]:
    """`dedup_entry` of each document, the signatures computed as one batch."""
    signatures = deduplicator.signatures(documents)
    return [
        entry_with_signature(document, signature)
        for document, signature in zip(documents, signatures, strict=True)
    ]


def entry_with_signature(document: Document, signature: Any) -> DedupEntry:
    quality = document.meta.get("quality")
    return DedupEntry(
        id=dedup_key(document.id, document.source),
        signature=signature,
        length=len(document.text),
        quality=float(quality) if isinstance(quality, (int, float)) else None,
    )
