"""What the audit report shows, gathered in one scan of an output: length and quality
histograms, and reservoir samples of rejected documents per reason and of stripped
fragments per rule."""

from __future__ import annotations

import math
import random
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy
import pyarrow.compute as pc

from zhclean.audit.definitions import Definitions
from zhclean.audit.output import CleanedOutput, scan
from zhclean.audit.samples import Sample, load_rejected, load_removals, stripped_fragments
from zhclean.audit.summary import Summary, summarize

DEFAULT_SAMPLES_PER_GROUP = 8
REPORT_CONTEXT_CHARS = 240
# Bin edges of the length histograms, in characters: roughly ×2 steps, since document
# lengths spread over four orders of magnitude.
LENGTH_EDGES = [0, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000]
QUALITY_BINS = 20


class Reservoirs:
    """Uniform samples of at most `size` items per key, in one pass (algorithm R), the
    same for the same seed and the same order of items."""

    def __init__(self, size: int, seed: int) -> None:
        self.size = size
        self.random = random.Random(seed)
        self.seen: dict[Hashable, int] = {}
        self.items: dict[Hashable, list[Any]] = {}

    def add(self, key: Hashable, item: Any) -> None:
        seen = self.seen.get(key, 0) + 1
        self.seen[key] = seen
        bucket = self.items.setdefault(key, [])
        if len(bucket) < self.size:
            bucket.append(item)
        else:
            slot = self.random.randrange(seen)
            if slot < self.size:
                bucket[slot] = item


def length_histogram(output: CleanedOutput, which: str) -> list[int]:
    counts = [0] * len(LENGTH_EDGES)
    for _, _, batch in scan(output.shards(which), ["text"]):
        if "text" not in batch.schema.names:
            continue
        lengths = pc.fill_null(pc.utf8_length(batch.column(0)), 0).to_numpy(zero_copy_only=False)
        indices = numpy.searchsorted(numpy.array(LENGTH_EDGES[1:]), lengths, side="right")
        for index, count in zip(*numpy.unique(indices, return_counts=True), strict=False):
            counts[int(index)] += int(count)
    return counts


def quality_values(output: CleanedOutput) -> list[float]:
    values: list[float] = []
    for _, _, batch in scan(output.kept_shards, ["quality"]):
        if "quality" in batch.schema.names:
            values.extend(
                value
                for value in batch.column(0).to_pylist()
                if isinstance(value, (int, float)) and math.isfinite(value)
            )
    return values


def sampled_rejected(
    output: CleanedOutput, definitions: Definitions, size: int, seed: int
) -> dict[str, list[Sample]]:
    reservoirs = Reservoirs(size, seed)
    for shard, offset, batch in scan(output.rejected_shards, ["reason"]):
        if "reason" not in batch.schema.names:
            continue
        for index, reason in enumerate(batch.column(0).to_pylist()):
            reservoirs.add(reason or "", (shard, offset + index))
    samples: dict[str, list[Sample]] = {}
    for reason, rows in reservoirs.items.items():
        samples[str(reason)] = load_rejected(output, sorted(rows), definitions, REPORT_CONTEXT_CHARS)
    return samples


def sampled_removals(
    output: CleanedOutput, definitions: Definitions, size: int, seed: int
) -> dict[tuple[str, str], list[Sample]]:
    reservoirs = Reservoirs(size, seed)
    for shard, row, position, code, rule in stripped_fragments(output):
        reservoirs.add((code, rule), (shard, row, position))
    samples: dict[tuple[str, str], list[Sample]] = {}
    for key, fragments in reservoirs.items.items():
        samples[key] = load_removals(output, sorted(fragments), definitions)  # type: ignore[index]
    return samples


@dataclass
class ReportData:
    summary: Summary
    definitions: Definitions
    kept_lengths: list[int]
    rejected_lengths: list[int]
    quality: list[float]
    rejected_samples: dict[str, list[Sample]]
    removal_samples: dict[tuple[str, str], list[Sample]]


def gather(
    output: CleanedOutput, samples_per_group: int = DEFAULT_SAMPLES_PER_GROUP, seed: int = 0
) -> ReportData:
    definitions = Definitions.for_output(output.stats)
    return ReportData(
        summary=summarize(output),
        definitions=definitions,
        kept_lengths=length_histogram(output, "kept"),
        rejected_lengths=length_histogram(output, "rejected"),
        quality=quality_values(output),
        rejected_samples=sampled_rejected(output, definitions, samples_per_group, seed),
        removal_samples=sampled_removals(output, definitions, samples_per_group, seed),
    )
