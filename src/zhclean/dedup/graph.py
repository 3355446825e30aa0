"""The graph behind both deduplicators, and the in-memory mode.

Each signature (a row of uint16 words) is cut into `bands` bands of `rows_per_band` words;
two documents whose words agree on a whole band are candidates. Candidate pairs whose
signatures agree on at least `min_agreement` of their words become edges; the connected
components of the edge graph are the clusters; in each cluster one document is kept and
the others are duplicates.

Which copy is kept (deterministic, independent of input order): the document with the
highest quality score (`meta["quality"]`; documents without one come after every scored
document), then the longest text, then the smallest id (code-point order).

Grouping is a star, not all pairs, so a cluster of 10,000 exact copies is 9,999 edges, not
50 million. The centre of a group is the member whose id has the smallest 64-bit digest,
so the result does not depend on input order. A pair is verified against the star's
centre only: two members that agree with each other but not with the centre stay linked
only if another band links them.

The memory mode holds every signature in one numpy matrix and sorts all band rows at once;
the staged mode (`zhclean.dedup.staged`) runs the same functions on the same rows, so the
two give identical results.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from zhclean.dedup.signatures import WORD_DTYPE, fmix64, signature_array, splitmix64
from zhclean.steps import DedupEntry

UINT32_MASK = np.uint64(0xFFFFFFFF)
SHIFT_32 = np.uint64(32)
# Edges verified per numpy call: bounds the temporary (edges × words) comparison arrays.
VERIFY_BATCH_EDGES = 65_536


@dataclass(frozen=True)
class ClusterSpec:
    """How signatures become clusters."""

    words: int  # uint16 words per signature
    bands: int
    rows_per_band: int
    min_agreement: float  # fraction of equal words for a candidate pair to be an edge
    seed: int

    def __post_init__(self) -> None:
        if self.bands * self.rows_per_band > self.words:
            needed = self.bands * self.rows_per_band
            raise ValueError(f"{self.bands} × {self.rows_per_band} bands need {needed} words: {self.words}")


@dataclass(frozen=True)
class Duplicate:
    """A document to drop, and what it duplicates."""

    id: str
    kept_id: str
    cluster_size: int
    agreement: float  # fraction of signature words equal to the kept copy's


def cluster_name(kept_id: str) -> str:
    """A stable name for a cluster, the same in every mode and run: a digest of the id
    of the copy that is kept."""
    return hashlib.blake2b(kept_id.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


# -- the graph, shared by both modes ----------------------------------------------------


def band_keys(signatures: np.ndarray, spec: ClusterSpec) -> np.ndarray:
    """(documents × bands) uint64 keys: equal keys mean (up to a 2^-64 chance) equal
    bands. Each band's key is salted with its index, so keys of different bands never
    need telling apart."""
    count = signatures.shape[0]
    keys = np.empty((count, spec.bands), dtype=np.uint64)
    multiplier = np.uint64(splitmix64(spec.seed + 101) | 1)
    for band in range(spec.bands):
        key = np.full(count, splitmix64(spec.seed + 1_000 + band), dtype=np.uint64)
        for word in range(band * spec.rows_per_band, (band + 1) * spec.rows_per_band):
            key *= multiplier
            key += signatures[:, word].astype(np.uint64)
            key = fmix64(key)
        keys[:, band] = key
    return keys


def id_digests(ids: Sequence[str]) -> np.ndarray:
    """A 64-bit digest of each id: the order in which a group of equal band keys is
    linked, so that the result does not depend on the order of the input."""
    return np.fromiter(
        (
            int.from_bytes(
                hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little"
            )
            for doc_id in ids
        ),
        dtype=np.uint64,
        count=len(ids),
    )


def star_edges(keys: np.ndarray, documents: np.ndarray, digests: np.ndarray) -> np.ndarray:
    """Packed edges (smaller document << 32 | larger), unique and sorted: every document
    of a group of equal keys linked to the group's centre, the document whose id digest
    is smallest (`digests` is indexed by document number)."""
    if len(keys) == 0:
        return np.empty(0, dtype=np.uint64)
    order = np.lexsort((documents, digests[documents], keys))
    sorted_keys = keys[order]
    sorted_documents = documents[order].astype(np.uint64)
    starts = np.empty(len(order), dtype=bool)
    starts[0] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=starts[1:])
    centre = sorted_documents[np.flatnonzero(starts)][np.cumsum(starts) - 1]
    linked = sorted_documents != centre
    first = np.minimum(centre[linked], sorted_documents[linked])
    second = np.maximum(centre[linked], sorted_documents[linked])
    return unique((first << SHIFT_32) | second)


def unique(values: np.ndarray) -> np.ndarray:
    """`np.unique` of a 1-d array: the sorted distinct values. numpy 2's own imports
    numpy.ma on first use, ≈ 20 ms of every dedup process."""
    ordered = np.sort(values)
    distinct = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=distinct[1:])
    return ordered[distinct]


def unpack(edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (edges >> SHIFT_32).astype(np.int64), (edges & UINT32_MASK).astype(np.int64)


def agreements(signatures: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Fraction of equal words between signatures[first[i]] and signatures[second[i]]."""
    result = np.empty(len(first), dtype=np.float64)
    for start in range(0, len(first), VERIFY_BATCH_EDGES):
        stop = start + VERIFY_BATCH_EDGES
        equal = signatures[first[start:stop]] == signatures[second[start:stop]]
        result[start:stop] = equal.mean(axis=1)
    return result


def verified(edges: np.ndarray, signatures: np.ndarray, spec: ClusterSpec) -> np.ndarray:
    if len(edges) == 0 or spec.min_agreement <= 0:
        return edges
    first, second = unpack(edges)
    # A small tolerance so that e.g. 0.75 accepts 192/256 words despite rounding.
    return edges[agreements(signatures, first, second) >= spec.min_agreement - 1e-9]


def connected_components(edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(nodes, labels): the documents that have an edge, sorted, and for each the
    position in `nodes` of the smallest document of its component.

    Min-label propagation with pointer jumping, vectorised: each round every edge pulls
    both ends to the smaller label, then labels are followed to their root."""
    first, second = unpack(edges)
    nodes = unique(np.concatenate([first, second]))
    first = np.searchsorted(nodes, first)
    second = np.searchsorted(nodes, second)
    labels = np.arange(len(nodes), dtype=np.int64)
    while True:
        smaller = np.minimum(labels[first], labels[second])
        updated = labels.copy()
        np.minimum.at(updated, first, smaller)
        np.minimum.at(updated, second, smaller)
        while True:
            jumped = updated[updated]
            if np.array_equal(jumped, updated):
                break
            updated = jumped
        if np.array_equal(updated, labels):
            return nodes, labels
        labels = updated


def keep_order(ids: Sequence[str], lengths: np.ndarray, qualities: np.ndarray) -> np.ndarray:
    """Rank of each document in keep preference (0 = kept first): highest quality (NaN =
    unscored, after all scored), then longest, then smallest id."""

    def preference(index: int) -> tuple[bool, float, int, str]:
        quality = float(qualities[index])
        unscored = math.isnan(quality)
        return (unscored, 0.0 if unscored else -quality, -int(lengths[index]), ids[index])

    order = sorted(range(len(ids)), key=preference)
    ranks = np.empty(len(ids), dtype=np.int64)
    ranks[np.asarray(order, dtype=np.int64)] = np.arange(len(ids), dtype=np.int64)
    return ranks


def kept_members(labels: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """For each node, the position of its component's kept node."""
    best_rank = np.full(len(labels), len(labels), dtype=np.int64)
    np.minimum.at(best_rank, labels, ranks)
    by_rank = np.empty(len(ranks), dtype=np.int64)
    by_rank[ranks] = np.arange(len(ranks), dtype=np.int64)
    return by_rank[best_rank[labels]]


@dataclass(frozen=True)
class Decision:
    """Per non-kept node: its document number, its kept copy's, the cluster size."""

    documents: np.ndarray
    kept_documents: np.ndarray
    cluster_sizes: np.ndarray


def decide(
    nodes: np.ndarray, labels: np.ndarray, ids: Sequence[str], lengths: np.ndarray, qualities: np.ndarray
) -> Decision:
    """`ids`, `lengths`, `qualities` are those of `nodes`, in the same order."""
    kept = kept_members(labels, keep_order(ids, lengths, qualities))
    sizes = np.bincount(labels, minlength=len(labels))[labels]
    dropped = np.flatnonzero(kept != np.arange(len(nodes)))
    return Decision(
        documents=nodes[dropped], kept_documents=nodes[kept[dropped]], cluster_sizes=sizes[dropped]
    )


# -- memory mode ---------------------------------------------------------------------------


def as_matrix(signatures: Sequence[Any], words: int) -> np.ndarray:
    if not signatures:
        return np.empty((0, words), dtype=WORD_DTYPE)
    if isinstance(signatures[0], bytes):
        joined = b"".join(signatures)
        if len(joined) != WORD_DTYPE.itemsize * words * len(signatures):
            raise ValueError(f"every signature must be {WORD_DTYPE.itemsize * words} bytes")
        return np.frombuffer(joined, dtype=WORD_DTYPE).reshape(len(signatures), words)
    return np.stack([signature_array(signature) for signature in signatures]).reshape(len(signatures), words)


def quality_value(quality: float | None) -> float:
    return math.nan if quality is None else float(quality)


def find_in_memory(entries: Iterable[DedupEntry], spec: ClusterSpec) -> list[Duplicate]:
    ids: list[str] = []
    lengths: list[int] = []
    qualities: list[float] = []
    signatures: list[Any] = []
    for entry in entries:
        ids.append(entry.id)
        lengths.append(entry.length)
        qualities.append(quality_value(entry.quality))
        signatures.append(entry.signature)
    matrix = as_matrix(signatures, spec.words)
    del signatures
    keys = band_keys(matrix, spec)
    documents = np.repeat(np.arange(len(ids), dtype=np.uint32), spec.bands)
    edges = verified(star_edges(keys.reshape(-1), documents, id_digests(ids)), matrix, spec)
    del keys, documents
    nodes, labels = connected_components(edges)
    length_array = np.asarray(lengths, dtype=np.int64)
    quality_array = np.asarray(qualities, dtype=np.float64)
    decision = decide(nodes, labels, [ids[node] for node in nodes], length_array[nodes], quality_array[nodes])
    agreement = agreements(matrix, decision.documents, decision.kept_documents)
    return [
        Duplicate(id=ids[document], kept_id=ids[kept], cluster_size=int(size), agreement=float(value))
        for document, kept, size, value in zip(
            decision.documents, decision.kept_documents, decision.cluster_sizes, agreement, strict=True
        )
    ]
