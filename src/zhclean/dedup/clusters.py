"""From signatures to clusters of duplicates: in memory, or staged on disk.

Both deduplicators reduce to the same graph problem. Each signature (a row of uint16
words) is cut into `bands` bands of `rows_per_band` words; two documents whose words agree
on a whole band are candidates. Candidate pairs whose signatures agree on at least
`min_agreement` of their words become edges; the connected components of the edge graph
are the clusters; in each cluster one document is kept and the others are duplicates.

Which copy is kept (deterministic, independent of input order): the document with the
highest quality score (`meta["quality"]`; documents without one come after every scored
document), then the longest text, then the smallest id (code-point order).

Two modes give identical results, because they run the same functions on the same rows:

* memory: every signature in one numpy matrix, all band rows sorted at once.
* staged, for corpora larger than memory, in a work directory, each stage restartable
  (its output is written under a temporary name and renamed when complete, so a stage
  whose output exists is skipped):

  1. `ingest/`: documents (`docs-*.parquet`: id, length, quality, id digest), signatures
     (`signatures.u16`, a raw row-major uint16 matrix: the later stages read rows of it
     at random, which a memory map does without loading it), and band rows (band key,
     document number) partitioned by key into `bands/part-*.parquet`.
  2. `edges/part-*.parquet`: per partition, the rows grouped by band key, each group
     linked as a star from its centre (below), pairs verified on their signatures. A
     band key lies in exactly one partition, so no partition needs another; the only
     per-document array held is the 8-byte id digest (8 MB per million documents).
  3. `components.parquet`: connected components of the edges, over the documents that
     have an edge only (state grows with the duplicates, not the corpus). Up to
     `max_edges_in_memory` edge rows, in this process (`connected_components`); above,
     partitioned on disk (`PartitionedComponents`: large-star / small-star rounds, no
     process holds more than one partition of edges).
  4. `duplicates.parquet`: for each non-kept document, its kept copy, cluster size and
     signature agreement with the kept copy.

The per-partition work of stages 2 and 3 runs through an executor
(`zhclean.dedup.parallel`: this process by default, a process pool, or Ray tasks). The
band rows partitioned by key in stage 1 are the shuffle: each edge task reads one
partition and the shared signature and digest files, and needs nothing from another task.

Grouping is a star, not all pairs, so a cluster of 10,000 exact copies is 9,999 edges, not
50 million. The centre of a group is the member whose id has the smallest 64-bit digest,
so the result does not depend on input order. A pair is verified against the star's
centre only: two members that agree with each other but not with the centre stay linked
only if another band links them.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from zhclean.dedup.parallel import PartitionExecutor, SerialExecutor
from zhclean.dedup.signatures import WORD_DTYPE, fmix64, signature_array, splitmix64
from zhclean.document import Reject
from zhclean.steps import DedupEntry, Deduplicator

UINT32_MASK = np.uint64(0xFFFFFFFF)
SHIFT_32 = np.uint64(32)
# Edges verified per numpy call: bounds the temporary (edges × words) comparison arrays.
VERIFY_BATCH_EDGES = 65_536
COMPLETE_MARKER = "_complete.json"
# Edge rows (summed over the edge partitions, before removing pairs found in several)
# up to which the components are found in one process. The in-memory path peaks at about
# 115 bytes an edge row (the rows, their unique copy, unpacked int64 ends, positions and
# labels; benchmarks/dedup.py --components-edges 5000000: 577 MB above the interpreter),
# so 10 M rows ≈ 1.2 GB. A 1 M-document staged run has ≈ 0.7 M rows: the fast path.
DEFAULT_MAX_EDGES_IN_MEMORY = 10_000_000
DIGESTS_FILE = "id_digests.u64"


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
    return np.unique((first << SHIFT_32) | second)


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
    nodes = np.unique(np.concatenate([first, second]))
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


# -- staged mode ---------------------------------------------------------------------------


def _write_table_atomically(table: pa.Table, path: Path) -> None:
    partial = path.with_name(path.name + ".partial")
    pq.write_table(table, partial, compression="zstd")
    os.replace(partial, path)


def _batched(entries: Iterable[DedupEntry], size: int) -> Iterator[list[DedupEntry]]:
    batch: list[DedupEntry] = []
    for entry in entries:
        batch.append(entry)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class StagedClustering:
    """The staged mode over one work directory (see the module docstring)."""

    def __init__(
        self,
        workdir: Path,
        spec: ClusterSpec,
        partitions: int,
        chunk_docs: int,
        executor: PartitionExecutor | None = None,
        max_edges_in_memory: int = DEFAULT_MAX_EDGES_IN_MEMORY,
    ) -> None:
        if partitions < 1 or chunk_docs < 1:
            raise ValueError("partitions and chunk_docs must be positive")
        if max_edges_in_memory < 0:
            raise ValueError("max_edges_in_memory must not be negative")
        self.workdir = Path(workdir)
        self.spec = spec
        self.partitions = partitions
        self.chunk_docs = chunk_docs
        # Neither changes the result, so neither is in parameters.json: a run may be
        # resumed with another executor or threshold.
        self.executor: PartitionExecutor = executor or SerialExecutor()
        self.max_edges_in_memory = max_edges_in_memory

    # paths
    @property
    def ingest_dir(self) -> Path:
        return self.workdir / "ingest"

    @property
    def edges_dir(self) -> Path:
        return self.workdir / "edges"

    @property
    def components_path(self) -> Path:
        return self.workdir / "components.parquet"

    @property
    def duplicates_path(self) -> Path:
        return self.workdir / "duplicates.parquet"

    def run(self, entries: Iterable[DedupEntry]) -> list[Duplicate]:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._check_parameters()
        if not (self.ingest_dir / COMPLETE_MARKER).exists():
            self._ingest(entries)
        if not (self.edges_dir / COMPLETE_MARKER).exists():
            self._edges()
        if not self.components_path.exists():
            self._components()
        if not self.duplicates_path.exists():
            self._duplicates()
        return self.read_duplicates()

    def _check_parameters(self) -> None:
        parameters = {"spec": asdict(self.spec), "partitions": self.partitions}
        path = self.workdir / "parameters.json"
        if path.exists():
            found = json.loads(path.read_text())
            if found != parameters:
                raise ValueError(
                    f"{self.workdir} holds a run with other parameters ({found}); use an empty work directory"
                )
            return
        partial = path.with_name("parameters.json.partial")
        partial.write_text(json.dumps(parameters, sort_keys=True))
        os.replace(partial, path)

    def _document_count(self) -> int:
        return int(json.loads((self.ingest_dir / COMPLETE_MARKER).read_text())["documents"])

    def _signatures(self) -> np.ndarray:
        count = self._document_count()
        if count == 0:
            return np.empty((0, self.spec.words), dtype=WORD_DTYPE)
        return np.memmap(
            self.ingest_dir / "signatures.u16", dtype=WORD_DTYPE, mode="r", shape=(count, self.spec.words)
        )

    # 1. ingest
    def _ingest(self, entries: Iterable[DedupEntry]) -> None:
        partial = self.workdir / "ingest.partial"
        shutil.rmtree(partial, ignore_errors=True)
        (self.workdir / DIGESTS_FILE).unlink(missing_ok=True)  # made from the ingest's documents
        (partial / "bands").mkdir(parents=True)
        band_schema = pa.schema([("key", pa.uint64()), ("document", pa.uint32())])
        writers = [
            pq.ParquetWriter(partial / "bands" / f"part-{index:04d}.parquet", band_schema, compression="zstd")
            for index in range(self.partitions)
        ]
        count = 0
        try:
            with open(partial / "signatures.u16", "wb") as signature_file:
                for chunk_index, chunk in enumerate(_batched(entries, self.chunk_docs)):
                    matrix = as_matrix([entry.signature for entry in chunk], self.spec.words)
                    signature_file.write(matrix.astype(WORD_DTYPE, copy=False).tobytes())
                    documents_table = pa.table(
                        {
                            "id": pa.array([entry.id for entry in chunk], pa.string()),
                            "length": pa.array([entry.length for entry in chunk], pa.int64()),
                            "quality": pa.array([entry.quality for entry in chunk], pa.float64()),
                            "id_digest": pa.array(id_digests([entry.id for entry in chunk]), pa.uint64()),
                        }
                    )
                    pq.write_table(
                        documents_table, partial / f"docs-{chunk_index:06d}.parquet", compression="zstd"
                    )
                    keys = band_keys(matrix, self.spec).reshape(-1)
                    documents = np.repeat(
                        np.arange(count, count + len(chunk), dtype=np.uint32), self.spec.bands
                    )
                    partition = (keys % np.uint64(self.partitions)).astype(np.int64)
                    order = np.argsort(partition, kind="stable")
                    bounds = np.searchsorted(partition[order], np.arange(self.partitions + 1))
                    for index, writer in enumerate(writers):
                        rows = order[bounds[index] : bounds[index + 1]]
                        if len(rows):
                            writer.write_table(
                                pa.table({"key": keys[rows], "document": documents[rows]}, schema=band_schema)
                            )
                    count += len(chunk)
                    if count >= 2**32:
                        raise ValueError("staged dedup numbers documents with 32 bits: split the corpus")
        finally:
            for writer in writers:
                writer.close()
        (partial / COMPLETE_MARKER).write_text(json.dumps({"documents": count}))
        shutil.rmtree(self.ingest_dir, ignore_errors=True)
        os.replace(partial, self.ingest_dir)

    def _documents_table(self, columns: list[str]) -> pa.Table:
        files = sorted(self.ingest_dir.glob("docs-*.parquet"))
        if not files:
            empty = {
                "id": pa.array([], pa.string()),
                "length": pa.array([], pa.int64()),
                "quality": pa.array([], pa.float64()),
                "id_digest": pa.array([], pa.uint64()),
            }
            return pa.table(empty).select(columns)
        return pa.concat_tables([pq.read_table(path, columns=columns) for path in files])

    # 2. edges
    def _edges(self) -> None:
        partial_dir = self.workdir / "edges.partial"
        partial_dir.mkdir(exist_ok=True)
        self._write_digests()
        todo = [
            index
            for index in range(self.partitions)
            if not (partial_dir / f"part-{index:04d}.parquet").exists()  # done before a restart
        ]
        task = partial(edge_partition_task, str(self.workdir), self.spec, self._document_count())
        self.executor.map_partitions(task, todo)
        (partial_dir / COMPLETE_MARKER).write_text(json.dumps({"partitions": self.partitions}))
        shutil.rmtree(self.edges_dir, ignore_errors=True)
        os.replace(partial_dir, self.edges_dir)

    def _write_digests(self) -> None:
        """The id digests as a raw uint64 file, so that each edge task maps it instead of
        reading every document file (8 bytes a document)."""
        path = self.workdir / DIGESTS_FILE
        if path.exists():
            return
        digests = self._documents_table(["id_digest"]).column("id_digest").to_numpy()
        partial_path = path.with_name(path.name + ".partial")
        digests.astype("<u8").tofile(partial_path)
        os.replace(partial_path, path)

    # 3. components
    def _edge_rows(self) -> int:
        return sum(
            pq.ParquetFile(self.edges_dir / f"part-{index:04d}.parquet").metadata.num_rows
            for index in range(self.partitions)
        )

    def _components(self) -> None:
        if self._edge_rows() > self.max_edges_in_memory:
            nodes, labels = PartitionedComponents(
                self.workdir / "components.work", self.edges_dir, self.partitions, self.executor
            ).run()
        else:
            parts = [
                pq.read_table(self.edges_dir / f"part-{index:04d}.parquet").column("edge").to_numpy()
                for index in range(self.partitions)
            ]
            # The same pair can come from bands in different partitions.
            edges = np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.uint64)
            del parts
            nodes, labels = connected_components(edges)
        _write_table_atomically(
            pa.table(
                {"document": pa.array(nodes.astype(np.uint32)), "label": pa.array(labels.astype(np.uint32))}
            ),
            self.components_path,
        )
        shutil.rmtree(self.workdir / "components.work", ignore_errors=True)

    # 4. duplicates
    def _duplicates(self) -> None:
        components = pq.read_table(self.components_path)
        nodes = components.column("document").to_numpy().astype(np.int64)
        labels = components.column("label").to_numpy().astype(np.int64)
        documents = self._documents_table(["id", "length", "quality"])
        take = pa.array(nodes)
        ids = documents.column("id").take(take).to_pylist()
        lengths = documents.column("length").take(take).to_numpy()
        qualities = documents.column("quality").take(take).to_numpy(zero_copy_only=False).astype(np.float64)
        del documents
        decision = decide(nodes, labels, ids, lengths, qualities)
        agreement = agreements(self._signatures(), decision.documents, decision.kept_documents)
        position = {int(node): index for index, node in enumerate(nodes)}
        table = pa.table(
            {
                "id": pa.array(
                    [ids[position[int(document)]] for document in decision.documents], pa.string()
                ),
                "kept_id": pa.array(
                    [ids[position[int(document)]] for document in decision.kept_documents], pa.string()
                ),
                "cluster_size": pa.array(decision.cluster_sizes.astype(np.int64)),
                "agreement": pa.array(agreement, pa.float64()),
            }
        )
        _write_table_atomically(table, self.duplicates_path)

    def read_duplicates(self) -> list[Duplicate]:
        table = pq.read_table(self.duplicates_path)
        return [
            Duplicate(
                id=row["id"],
                kept_id=row["kept_id"],
                cluster_size=row["cluster_size"],
                agreement=row["agreement"],
            )
            for row in table.to_pylist()
        ]


def find_duplicates(
    entries: Iterable[DedupEntry],
    spec: ClusterSpec,
    mode: str,
    workdir: Path | None,
    partitions: int,
    chunk_docs: int,
    executor: PartitionExecutor | None = None,
    max_edges_in_memory: int = DEFAULT_MAX_EDGES_IN_MEMORY,
) -> list[Duplicate]:
    """Duplicates among `entries`; `mode` is "memory" or "staged" (staged without a work
    directory uses a temporary one, removed afterwards). `executor` and
    `max_edges_in_memory` are for the staged mode (the memory mode is one process)."""
    if mode == "memory":
        return find_in_memory(entries, spec)
    if mode != "staged":
        raise ValueError(f"unknown dedup mode {mode!r}: 'memory' or 'staged'")
    if workdir is not None:
        return StagedClustering(workdir, spec, partitions, chunk_docs, executor, max_edges_in_memory).run(
            entries
        )
    import tempfile

    with tempfile.TemporaryDirectory(prefix="zhclean-dedup-") as scratch:
        return StagedClustering(
            Path(scratch), spec, partitions, chunk_docs, executor, max_edges_in_memory
        ).run(entries)


# -- the per-partition tasks of the staged mode ---------------------------------------------
# Module-level functions of plain arguments, so that a process pool or Ray can pickle them.


def edge_partition_task(workdir: str, spec: ClusterSpec, documents: int, index: int) -> int:
    """Stage 2 for one partition of band rows: its star edges, verified, written to
    `edges.partial/part-<index>.parquet`. Holds the partition's rows and edges; the
    signatures and id digests are memory-mapped. Returns the number of edges."""
    root = Path(workdir)
    if documents:
        signatures: np.ndarray = np.memmap(
            root / "ingest" / "signatures.u16", dtype=WORD_DTYPE, mode="r", shape=(documents, spec.words)
        )
        digests: np.ndarray = np.memmap(root / DIGESTS_FILE, dtype="<u8", mode="r", shape=(documents,))
    else:
        signatures = np.empty((0, spec.words), dtype=WORD_DTYPE)
        digests = np.empty(0, dtype=np.uint64)
    rows = pq.read_table(root / "ingest" / "bands" / f"part-{index:04d}.parquet")
    keys = rows.column("key").to_numpy()
    members = rows.column("document").to_numpy()
    edges = verified(star_edges(keys, members, digests), signatures, spec)
    _write_table_atomically(
        pa.table({"edge": pa.array(edges, pa.uint64())}), root / "edges.partial" / f"part-{index:04d}.parquet"
    )
    return len(edges)


# -- connected components, partitioned -------------------------------------------------------


class PartitionedComponents:
    """Connected components of the edges in `edges_dir/part-*.parquet`, without any
    process holding more than one partition of them: the "large-star / small-star"
    algorithm (Kiveris, Lattanzi, Mirrokni, Rastogi & Vassilvitskii, "Connected Components
    in MapReduce and Beyond", SoCC 2014), each operation a shuffle of directed edge rows
    (node, neighbour) into `partitions` partitions by a hash of the node.

    * large-star, per node u with neighbours N(u): m = min(N(u) ∪ {u}); every neighbour
      v > u is re-linked to m.
    * small-star, per node u with its smaller neighbours N'(u): m = min(N'(u) ∪ {u});
      every node of N'(u) ∪ {u} other than m is linked to m.

    Both keep every component connected and never add edges (each undirected edge gives
    at most one edge out), and alternating them ends, in O(log² n) rounds, with every
    component a star around its smallest node. Converged is checked locally in each
    large-star task: every node is a centre (all neighbours larger) or a leaf (one
    neighbour, smaller). Then each large-star task's (node, m) pairs are the labels.

    Memory of a task: the rows of its partition, about 2 × edges / partitions rows of 8
    bytes (the rows are uint64: node << 32 | neighbour) and a few working copies — plus
    the skew of a node of high degree, whose rows all land in its partition (a cluster of
    k copies ends as a star of k rows around one node). The driver gathers only the final
    (node, label) pairs, one per document that has an edge — what stage 4 reads anyway.

    Each operation writes one file of rows per task, sorted by target partition, with the
    partition bounds beside it; the next operation's task p reads slice p of every file
    (one seek each). An operation whose directory is complete is not run again, and a task
    whose result file exists is skipped: the stage restarts where it stopped.
    """

    MAX_ROUNDS = 200  # far above the O(log² n) bound for any corpus of < 2^32 documents

    def __init__(
        self, workdir: Path, edges_dir: Path, partitions: int, executor: PartitionExecutor | None = None
    ) -> None:
        self.workdir = Path(workdir)
        self.edges_dir = Path(edges_dir)
        self.partitions = partitions
        self.executor: PartitionExecutor = executor or SerialExecutor()

    def run(self) -> tuple[np.ndarray, np.ndarray]:
        """(nodes, labels) exactly as `connected_components` returns them."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        source = self._operation(0, "map", str(self.edges_dir))
        step = 1
        for _ in range(self.MAX_ROUNDS):
            large = self._operation(step, "large", source)
            if sum(self._results(large)) == 0:
                return self._labels(large)
            source = self._operation(step + 1, "small", large)
            step += 2
        raise RuntimeError(f"connected components did not converge in {self.MAX_ROUNDS} rounds")

    def _operation(self, step: int, kind: str, source: str) -> str:
        directory = self.workdir / f"{step:03d}-{kind}"
        if not (directory / COMPLETE_MARKER).exists():
            directory.mkdir(exist_ok=True)
            todo = [
                index
                for index in range(self.partitions)
                if not (directory / f"result-{index:04d}.json").exists()
            ]
            task = partial(component_task, kind, source, str(directory), self.partitions)
            self.executor.map_partitions(task, todo)
            if kind != "large" or sum(self._results(str(directory))) > 0:
                # The partition bounds of every task in one matrix, so that each task of the
                # next operation reads one small file instead of one per task.
                bounds = np.stack(
                    [
                        np.fromfile(directory / f"bounds-{index:04d}.i64", dtype="<i8")
                        for index in range(self.partitions)
                    ]
                )
                _save_raw_atomically(directory / "bounds.i64", bounds)
            (directory / COMPLETE_MARKER).write_text("{}")
        return str(directory)

    def _results(self, directory: str) -> list[int]:
        return [
            int(json.loads((Path(directory) / f"result-{index:04d}.json").read_text()))
            for index in range(self.partitions)
        ]

    def _labels(self, directory: str) -> tuple[np.ndarray, np.ndarray]:
        pieces = [
            np.fromfile(Path(directory) / f"labels-{index:04d}.u64", dtype="<u8")
            for index in range(self.partitions)
        ]
        rows = np.concatenate(pieces) if pieces else np.empty(0, dtype=np.uint64)
        rows.sort()  # by node: each node is in exactly one partition, so once
        nodes = (rows >> SHIFT_32).astype(np.int64)
        smallest = (rows & UINT32_MASK).astype(np.int64)
        return nodes, np.searchsorted(nodes, smallest)


def node_partitions(nodes: np.ndarray, partitions: int) -> np.ndarray:
    """The partition of each node: a mixed hash, so that runs of consecutive document
    numbers (a burst of reposts) spread over the partitions."""
    return (fmix64(nodes.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)) % np.uint64(partitions)).astype(
        np.int64
    )


def _save_raw_atomically(path: Path, array: np.ndarray) -> None:
    """Raw little-endian values, no header: a reader takes a slice with one seek."""
    partial_path = path.with_name(path.name + ".partial")
    array.astype(array.dtype.newbyteorder("<"), copy=False).tofile(partial_path)
    os.replace(partial_path, path)


def _write_shuffled(
    directory: Path, index: int, nodes: np.ndarray, neighbours: np.ndarray, partitions: int
) -> None:
    """Rows (node, neighbour) sorted by the node's partition, and the partition bounds."""
    rows = (nodes.astype(np.uint64) << SHIFT_32) | neighbours.astype(np.uint64)
    targets = node_partitions(nodes, partitions)
    order = np.argsort(targets, kind="stable")
    bounds = np.searchsorted(targets[order], np.arange(partitions + 1))
    _save_raw_atomically(directory / f"rows-{index:04d}.u64", rows[order])
    _save_raw_atomically(directory / f"bounds-{index:04d}.i64", bounds.astype(np.int64))


def _read_partition(source: Path, index: int, partitions: int) -> np.ndarray:
    """Slice `index` of every task's rows in `source`, without duplicates, sorted."""
    pieces = []
    bounds = np.fromfile(source / "bounds.i64", dtype="<i8").reshape(partitions, partitions + 1)
    for task in range(partitions):
        start, stop = int(bounds[task, index]), int(bounds[task, index + 1])
        if stop > start:
            pieces.append(
                np.fromfile(
                    source / f"rows-{task:04d}.u64", dtype="<u8", count=stop - start, offset=8 * start
                )
            )
    if not pieces:
        return np.empty(0, dtype=np.uint64)
    return np.unique(np.concatenate(pieces))


def _groups(nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows sorted by node: the first row of each node, and each row's group number."""
    starts = np.empty(len(nodes), dtype=bool)
    starts[:1] = True
    np.not_equal(nodes[1:], nodes[:-1], out=starts[1:])
    return np.flatnonzero(starts), np.cumsum(starts) - 1


def component_task(kind: str, source: str, directory: str, partitions: int, index: int) -> int:
    """One task of `PartitionedComponents`; returns, for a large-star, the number of its
    nodes that are neither a centre nor a leaf (0 everywhere = converged)."""
    output = Path(directory)
    result = 0
    if kind == "map":
        # An edge partition of stage 2: both directions of every edge.
        edges = pq.read_table(Path(source) / f"part-{index:04d}.parquet").column("edge").to_numpy()
        first, second = edges >> SHIFT_32, edges & UINT32_MASK
        _write_shuffled(
            output, index, np.concatenate([first, second]), np.concatenate([second, first]), partitions
        )
    elif kind == "large":
        rows = _read_partition(Path(source), index, partitions)
        nodes, neighbours = rows >> SHIFT_32, rows & UINT32_MASK
        starts, group = _groups(nodes)
        group_nodes = nodes[starts]
        # Rows are sorted, so a node's first row holds its smallest neighbour.
        smallest_neighbour = neighbours[starts]
        sizes = np.diff(np.append(starts, len(rows)))
        centre = smallest_neighbour > group_nodes
        leaf = (sizes == 1) & (smallest_neighbour < group_nodes)
        result = int(np.count_nonzero(~(centre | leaf)))
        smallest = np.minimum(group_nodes, smallest_neighbour)
        larger = neighbours > nodes
        # To the small-star: each re-linked edge keyed by its larger end.
        _write_shuffled(output, index, neighbours[larger], smallest[group[larger]], partitions)
        # If every task converged, these are the labels (node, smallest of its component).
        _save_raw_atomically(output / f"labels-{index:04d}.u64", (group_nodes << SHIFT_32) | smallest)
    elif kind == "small":
        # Rows (u, w), w < u, keyed by the larger end u.
        rows = _read_partition(Path(source), index, partitions)
        nodes, neighbours = rows >> SHIFT_32, rows & UINT32_MASK
        starts, group = _groups(nodes)
        smallest = neighbours[starts]  # every neighbour here is smaller than its node
        others = neighbours != smallest[group]
        first = np.concatenate([neighbours[others], nodes[starts]])
        second = np.concatenate([smallest[group][others], smallest])
        # To the next large-star: both directions.
        _write_shuffled(
            output, index, np.concatenate([first, second]), np.concatenate([second, first]), partitions
        )
    else:
        raise ValueError(f"unknown component operation {kind!r}")
    (output / f"result-{index:04d}.json.partial").write_text(json.dumps(result))
    os.replace(output / f"result-{index:04d}.json.partial", output / f"result-{index:04d}.json")
    return result


class ClusteringDeduplicator(Deduplicator):
    """What exact and MinHash dedup share: signatures become clusters through
    `find_duplicates` and every copy but the kept one is rejected as `duplicate`.
    Subclasses give `spec()` and set `mode`, `partitions`, `chunk_docs` and
    `max_edges_in_memory`."""

    mode: str
    partitions: int
    chunk_docs: int
    max_edges_in_memory: int

    def spec(self) -> ClusterSpec:
        raise NotImplementedError

    def duplicate_detail(self, duplicate: Duplicate) -> dict[str, Any]:
        return {
            "cluster": cluster_name(duplicate.kept_id),
            "kept_id": duplicate.kept_id,
            "cluster_size": duplicate.cluster_size,
        }

    def find_duplicates(
        self,
        entries: Iterable[DedupEntry],
        workdir: Path | None = None,
        executor: PartitionExecutor | None = None,
    ) -> dict[str, Reject]:
        """`executor` runs the staged mode's per-partition tasks (default: this process)."""
        duplicates = find_duplicates(
            entries,
            self.spec(),
            self.mode,
            workdir,
            self.partitions,
            self.chunk_docs,
            executor,
            self.max_edges_in_memory,
        )
        return {
            duplicate.id: Reject("duplicate", self.duplicate_detail(duplicate))
            for duplicate in duplicates
        }
