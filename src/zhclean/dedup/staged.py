"""The staged mode, for corpora larger than memory: in a work directory, each stage
restartable (its output is written under a temporary name and renamed when complete, so a
stage whose output exists is skipped):

1. `ingest/`: documents (`docs-*.parquet`: id, length, quality, id digest), signatures
   (`signatures.u16`, a raw row-major uint16 matrix: the later stages read rows of it at
   random, which a memory map does without loading it), and band rows (band key, document
   number) partitioned by key into `bands/part-<partition>-*.parquet`. Entries that come
   in parts (`DedupEntryParts`: the engine's work shards) are ingested a part a task.
2. `edges/part-*.parquet`: per partition, the rows grouped by band key, each group linked
   as a star from its centre (`zhclean.dedup.graph`), pairs verified on their signatures.
   A band key lies in exactly one partition, so no partition needs another; the only
   per-document array held is the 8-byte id digest (8 MB per million documents).
3. `components.parquet`: connected components of the edges, over the documents that have
   an edge only (state grows with the duplicates, not the corpus). Up to
   `max_edges_in_memory` edge rows, in this process; above, partitioned on disk
   (`zhclean.dedup.components`: no process holds more than one partition of edges).
4. `duplicates.parquet`: for each non-kept document, its kept copy, cluster size and
   signature agreement with the kept copy.

The per-part work of stage 1 and the per-partition work of stages 2 and 3 run through an
executor (`map_partitions`: this process by default, or the run's executor: a process
pool or Ray tasks). The band rows
partitioned by key in stage 1 are the shuffle: each edge task reads one partition and the
shared signature and digest files, and needs nothing from another task.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import asdict
from functools import partial
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from zhclean.batching import batched
from zhclean.dedup.components import COMPLETE_MARKER, PartitionedComponents
from zhclean.dedup.graph import (
    ClusterSpec,
    Duplicate,
    agreements,
    as_matrix,
    band_keys,
    connected_components,
    decide,
    id_digests,
    star_edges,
    unique,
    verified,
)
from zhclean.dedup.parallel import PartitionExecutor, SerialExecutor
from zhclean.dedup.signatures import WORD_DTYPE
from zhclean.steps import DedupEntry, DedupEntryParts

# Edge rows (summed over the edge partitions, before removing pairs found in several)
# up to which the components are found in one process. The in-memory path peaks at about
# 115 bytes an edge row (the rows, their unique copy, unpacked int64 ends, positions and
# labels; benchmarks/dedup.py --components-edges 5000000: 577 MB above the interpreter),
# so 10 M rows ≈ 1.2 GB. A 1 M-document staged run has ≈ 0.7 M rows: the fast path.
DEFAULT_MAX_EDGES_IN_MEMORY = 10_000_000
DIGESTS_FILE = "id_digests.u64"
SIGNATURES_FILE = "signatures.u16"
TOO_MANY_DOCUMENTS = "staged dedup numbers documents with 32 bits: split the corpus"


# -- staged mode ---------------------------------------------------------------------------


def _write_table_atomically(table: pa.Table, path: Path) -> None:
    partial = path.with_name(path.name + ".partial")
    pq.write_table(table, partial, compression="zstd")
    os.replace(partial, path)


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
            self.ingest_dir / SIGNATURES_FILE, dtype=WORD_DTYPE, mode="r", shape=(count, self.spec.words)
        )

    # 1. ingest
    def _ingest(self, entries: Iterable[DedupEntry]) -> None:
        """Entries in parts (`DedupEntryParts`) are ingested a part a task on the
        executor, each part's documents numbered from the sum of the parts before it, so
        the files hold what one pass over the parts in order writes."""
        staging = self.workdir / "ingest.partial"
        shutil.rmtree(staging, ignore_errors=True)
        (self.workdir / DIGESTS_FILE).unlink(missing_ok=True)  # made from the ingest's documents
        (staging / "bands").mkdir(parents=True)
        signatures = staging / SIGNATURES_FILE
        if isinstance(entries, DedupEntryParts) and len(entries) > 1:
            sizes = [entries.part_size(index) for index in range(len(entries))]
            count = sum(sizes)
            if count >= 2**32:
                raise ValueError(TOO_MANY_DOCUMENTS)
            firsts = [sum(sizes[:index]) for index in range(len(sizes))]
            with open(signatures, "wb") as handle:  # each task writes its rows in place
                handle.truncate(count * self.spec.words * WORD_DTYPE.itemsize)
            task = partial(
                ingest_part_task, str(staging), self.spec, self.partitions, self.chunk_docs, entries, firsts
            )
            ingested = self.executor.map_partitions(task, list(range(len(entries))))
            if ingested != sizes:
                raise ValueError(f"dedup entry parts held {ingested} entries, not the {sizes} they announced")
        else:
            signatures.touch()
            count = ingest_part(staging, self.spec, self.partitions, self.chunk_docs, entries, 0, 0)
        (staging / COMPLETE_MARKER).write_text(json.dumps({"documents": count}))
        shutil.rmtree(self.ingest_dir, ignore_errors=True)
        os.replace(staging, self.ingest_dir)

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
            edges = unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.uint64)
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


# -- the per-partition tasks of the staged mode ---------------------------------------------
# Module-level functions of plain arguments, so that a process pool or Ray can pickle them.


def ingest_part_task(
    staging: str,
    spec: ClusterSpec,
    partitions: int,
    chunk_docs: int,
    parts: DedupEntryParts,
    firsts: list[int],
    index: int,
) -> int:
    """Stage 1 for one part of the entries (`ingest_part`); returns how many it held."""
    return ingest_part(
        Path(staging), spec, partitions, chunk_docs, parts.read_part(index), firsts[index], index
    )


def ingest_part(
    staging: Path,
    spec: ClusterSpec,
    partitions: int,
    chunk_docs: int,
    entries: Iterable[DedupEntry],
    first: int,
    part: int,
) -> int:
    """Numbers `entries` from `first`: writes their signatures at that row of the
    signature file, their documents to `docs-<part>-<chunk>.parquet` and their band rows
    to `bands/part-<partition>-<part>.parquet`. Returns how many entries there were."""
    band_schema = pa.schema([("key", pa.uint64()), ("document", pa.uint32())])
    writers = [
        pq.ParquetWriter(
            staging / "bands" / f"part-{index:04d}-{part:06d}.parquet", band_schema, compression="zstd"
        )
        for index in range(partitions)
    ]
    count = first
    try:
        with open(staging / SIGNATURES_FILE, "r+b") as signature_file:
            signature_file.seek(first * spec.words * WORD_DTYPE.itemsize)
            for chunk_index, chunk in enumerate(batched(entries, chunk_docs)):
                matrix = as_matrix([entry.signature for entry in chunk], spec.words)
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
                    documents_table,
                    staging / f"docs-{part:06d}-{chunk_index:06d}.parquet",
                    compression="zstd",
                )
                keys = band_keys(matrix, spec).reshape(-1)
                documents = np.repeat(np.arange(count, count + len(chunk), dtype=np.uint32), spec.bands)
                partition = (keys % np.uint64(partitions)).astype(np.int64)
                order = np.argsort(partition, kind="stable")
                bounds = np.searchsorted(partition[order], np.arange(partitions + 1))
                for index, writer in enumerate(writers):
                    rows = order[bounds[index] : bounds[index + 1]]
                    if len(rows):
                        writer.write_table(
                            pa.table({"key": keys[rows], "document": documents[rows]}, schema=band_schema)
                        )
                count += len(chunk)
                if count >= 2**32:
                    raise ValueError(TOO_MANY_DOCUMENTS)
    finally:
        for writer in writers:
            writer.close()
    return count - first


def band_rows(root: Path, index: int) -> pa.Table:
    """The band rows of partition `index`: one file per ingested part (a work directory
    ingested before parts were, one file)."""
    bands = root / "ingest" / "bands"
    paths = sorted(bands.glob(f"part-{index:04d}-*.parquet")) or [bands / f"part-{index:04d}.parquet"]
    return pa.concat_tables([pq.read_table(path) for path in paths])


def edge_partition_task(workdir: str, spec: ClusterSpec, documents: int, index: int) -> int:
    """Stage 2 for one partition of band rows: its star edges, verified, written to
    `edges.partial/part-<index>.parquet`. Holds the partition's rows and edges; the
    signatures and id digests are memory-mapped. Returns the number of edges."""
    root = Path(workdir)
    if documents:
        signatures: np.ndarray = np.memmap(
            root / "ingest" / SIGNATURES_FILE, dtype=WORD_DTYPE, mode="r", shape=(documents, spec.words)
        )
        digests: np.ndarray = np.memmap(root / DIGESTS_FILE, dtype="<u8", mode="r", shape=(documents,))
    else:
        signatures = np.empty((0, spec.words), dtype=WORD_DTYPE)
        digests = np.empty(0, dtype=np.uint64)
    rows = band_rows(root, index)
    keys = rows.column("key").to_numpy()
    members = rows.column("document").to_numpy()
    edges = verified(star_edges(keys, members, digests), signatures, spec)
    _write_table_atomically(
        pa.table({"edge": pa.array(edges, pa.uint64())}), root / "edges.partial" / f"part-{index:04d}.parquet"
    )
    return len(edges)
