"""The staged dedup's per-partition stages through an executor, and the connected components
partitioned on disk: the same duplicates, kept copies and cluster names as the in-memory
path, whatever runs the partitions."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.dedup.corpus import ARTICLE_RIVER, EntryLists, random_documents, repost

from zhclean.dedup import ExactDeduplicator, MinHashDeduplicator
from zhclean.dedup.components import PartitionedComponents
from zhclean.dedup.graph import SHIFT_32, connected_components, unique
from zhclean.dedup.parallel import SerialExecutor
from zhclean.document import Document
from zhclean.engines.executor import LocalExecutor
from zhclean.engines.ray import RayExecutor
from zhclean.pipeline import dedup_entry
from zhclean.steps import DedupEntry, DedupEntryParts


def packed(pairs: list[tuple[int, int]]) -> np.ndarray:
    """Edges as stage 2 stores them: smaller << 32 | larger."""
    return np.array([(min(a, b) << 32) | max(a, b) for a, b in pairs if a != b], dtype=np.uint64)


def random_graph(nodes: int, edges: int, seed: int) -> list[tuple[int, int]]:
    rng = random.Random(seed)
    # Sparse document numbers, as in a corpus where most documents have no edge.
    names = sorted(rng.sample(range(10 * nodes), nodes))
    return [(rng.choice(names), rng.choice(names)) for _ in range(edges)]


def path_graph(length: int, seed: int) -> list[tuple[int, int]]:
    """A long chain in shuffled order: the slowest shape for label propagation."""
    order = list(range(length))
    random.Random(seed).shuffle(order)
    return list(zip(order, order[1:], strict=False))


GRAPHS = {
    "empty": [],
    "one edge": [(3, 7)],
    "star": [(0, leaf) for leaf in range(1, 40)],
    "star around a large node": [(500, leaf) for leaf in range(40)],
    "chain": path_graph(300, seed=1),
    "two chains and a triangle": path_graph(50, seed=2)
    + [(a + 100, b + 100) for a, b in path_graph(60, seed=3)]
    + [(900, 901), (901, 902), (902, 900)],
    "sparse random": random_graph(400, 250, seed=4),
    "dense random": random_graph(200, 1_000, seed=5),
    "large numbers": [(2**32 - 1, 2**32 - 2), (2**32 - 2, 5), (6, 5)],
}


def write_edge_partitions(directory: Path, edges: np.ndarray, partitions: int, seed: int) -> None:
    """Edges spread over partitions at random, some in two partitions (as a pair found by
    bands in two partitions is)."""
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True)
    where = rng.integers(0, partitions, len(edges))
    again = rng.random(len(edges)) < 0.2
    for index in range(partitions):
        chosen = edges[(where == index) | (again & (where == (index + 1) % partitions))]
        pq.write_table(
            pa.table({"edge": pa.array(chosen, pa.uint64())}), directory / f"part-{index:04d}.parquet"
        )


@pytest.mark.parametrize("partitions", [1, 3, 8])
@pytest.mark.parametrize("graph", list(GRAPHS))
def test_partitioned_components_equal_in_memory(graph: str, partitions: int, tmp_path: Path) -> None:
    edges = packed(GRAPHS[graph])
    write_edge_partitions(tmp_path / "edges", edges, partitions, seed=partitions)
    expected_nodes, expected_labels = connected_components(np.unique(edges))
    nodes, labels = PartitionedComponents(tmp_path / "work", tmp_path / "edges", partitions).run()
    assert nodes.tolist() == expected_nodes.tolist()
    assert labels.tolist() == expected_labels.tolist()


@pytest.mark.parametrize("graph", list(GRAPHS))
def test_unique_is_numpys(graph: str) -> None:
    edges = packed(GRAPHS[graph] + GRAPHS[graph][:3])
    assert unique(edges).tolist() == np.unique(edges).tolist()
    assert unique(edges).dtype == np.unique(edges).dtype


def test_partitioned_components_restart_after_a_crash(tmp_path: Path) -> None:
    edges = packed(path_graph(200, seed=6) + random_graph(100, 80, seed=7))
    write_edge_partitions(tmp_path / "edges", edges, 4, seed=8)
    expected = PartitionedComponents(tmp_path / "first", tmp_path / "edges", 4).run()
    operations = sorted((tmp_path / "first").iterdir())
    assert len(operations) >= 3  # map, then large/small rounds
    # As a crash leaves it: the last operation incomplete, one task done, one half-written.
    last = operations[-1]
    (last / "_complete.json").unlink()
    (last / "result-0001.json").unlink()
    (last / "rows-0002.u64.partial").write_bytes(b"half")
    (operations[-2] / "_complete.json").unlink(missing_ok=True)
    nodes, labels = PartitionedComponents(tmp_path / "first", tmp_path / "edges", 4).run()
    assert nodes.tolist() == expected[0].tolist() and labels.tolist() == expected[1].tolist()


def test_a_cluster_ends_as_one_star_row_per_member(tmp_path: Path) -> None:
    # The memory of a task: at convergence a component is a star of (size - 1) rows, and no
    # operation adds rows (each undirected edge gives at most one).
    edges = packed(path_graph(120, seed=9))
    write_edge_partitions(tmp_path / "edges", edges, 4, seed=10)
    PartitionedComponents(tmp_path / "work", tmp_path / "edges", 4).run()
    stored = sum(pq.ParquetFile(path).metadata.num_rows for path in (tmp_path / "edges").iterdir())
    for operation in sorted((tmp_path / "work").iterdir()):
        rows = sum(path.stat().st_size // 8 for path in operation.glob("rows-*.u64"))
        # The map writes both directions of every stored row (a pair stored in two
        # partitions twice); after it, duplicates are gone and rows never grow.
        assert rows <= 2 * (stored if operation.name.endswith("map") else len(edges)), operation.name
    final = sorted((tmp_path / "work").glob("*-large"))[-1]
    labels = np.concatenate([np.fromfile(path, dtype="<u8") for path in final.glob("labels-*.u64")])
    assert len(labels) == 120 and set((labels & np.uint64(0xFFFFFFFF)).tolist()) == {0}
    assert sorted((labels >> SHIFT_32).tolist()) == list(range(120))


# -- through the deduplicators -----------------------------------------------------------------


def corpus_entries(step: Any, count: int, seed: int) -> list[DedupEntry]:
    documents = [Document(id=doc_id, text=text) for doc_id, text in random_documents(count, seed=seed)]
    documents += [
        Document(id="river", text=ARTICLE_RIVER),
        Document(id="river-repost-1", text=repost(ARTICLE_RIVER, "城市晚报网")),
        Document(id="river-repost-2", text=repost(ARTICLE_RIVER, "晨报在线")),
    ]
    return [dedup_entry(document, step) for document in documents]


@pytest.fixture(scope="module")
def process_pool() -> Iterator[LocalExecutor]:
    with LocalExecutor(workers=2) as executor:
        yield executor


@pytest.mark.parametrize("step_class", [ExactDeduplicator, MinHashDeduplicator])
@pytest.mark.parametrize("executor_name", ["serial", "process pool"])
def test_partitioned_staged_mode_equals_memory_mode(
    step_class: Any, executor_name: str, process_pool: LocalExecutor, tmp_path: Path
) -> None:
    executor = {"serial": SerialExecutor(), "process pool": process_pool}[executor_name]
    memory_step = step_class()
    entries = corpus_entries(memory_step, 400, seed=12)
    expected = memory_step.find_duplicates(entries)
    assert len(expected) > 20
    # max_edges_in_memory=0: the components are found partitioned, whatever the size.
    staged = step_class(mode="staged", partitions=6, chunk_docs=64, max_edges_in_memory=0)
    found = staged.find_duplicates(entries, tmp_path / "work", executor=executor)
    # Same ids, same kept copy, same cluster names and details.
    assert found == expected
    assert (tmp_path / "work" / "components.parquet").exists()
    assert not (tmp_path / "work" / "components.work").exists()  # the rounds are cleaned up
    # The fast path (and the default executor) on the same entries.
    fast = step_class(mode="staged", partitions=6, chunk_docs=64)
    assert fast.find_duplicates(entries, tmp_path / "fast") == expected


class RecordingExecutor(SerialExecutor):
    def __init__(self) -> None:
        self.tasks: list[str] = []

    def map_partitions(self, function: Any, partitions: Any) -> list[Any]:
        self.tasks.append(function.func.__name__)
        return super().map_partitions(function, partitions)


def ingested(workdir: Path) -> tuple[bytes, list[dict[str, Any]]]:
    documents = [pq.read_table(path) for path in sorted((workdir / "ingest").glob("docs-*.parquet"))]
    return (workdir / "ingest" / "signatures.u16").read_bytes(), pa.concat_tables(documents).to_pylist()


@pytest.mark.parametrize("executor_name", ["serial", "process pool"])
def test_entries_in_parts_are_ingested_a_part_a_task(
    executor_name: str, process_pool: LocalExecutor, tmp_path: Path
) -> None:
    executor = {"serial": RecordingExecutor(), "process pool": process_pool}[executor_name]
    step = MinHashDeduplicator(mode="staged", partitions=4, chunk_docs=64)
    entries = corpus_entries(step, 300, seed=16)
    parts = EntryLists((tuple(entries[:100]), tuple(entries[100:101]), (), tuple(entries[101:])))
    assert isinstance(parts, DedupEntryParts)
    expected = step.find_duplicates(entries, tmp_path / "one-pass")
    assert len(expected) > 10
    assert step.find_duplicates(parts, tmp_path / "parts", executor=executor) == expected
    # The same signatures and documents, numbered as one pass over the parts numbers them.
    assert ingested(tmp_path / "parts") == ingested(tmp_path / "one-pass")
    assert len(list((tmp_path / "parts" / "ingest" / "bands").iterdir())) == 4 * len(parts)
    if isinstance(executor, RecordingExecutor):
        assert executor.tasks[0] == "ingest_part_task"
    # A deduplicator that only iterates takes the parts as a list of entries.
    assert MinHashDeduplicator().find_duplicates(parts) == MinHashDeduplicator().find_duplicates(entries)


def test_a_staged_run_resumes_with_another_executor(tmp_path: Path) -> None:
    step = MinHashDeduplicator(mode="staged", partitions=4, chunk_docs=50, max_edges_in_memory=0)
    entries = corpus_entries(step, 200, seed=13)
    expected = step.find_duplicates(entries, tmp_path / "work")
    (tmp_path / "work" / "components.parquet").unlink()
    (tmp_path / "work" / "duplicates.parquet").unlink()
    with LocalExecutor(2) as executor:
        assert step.find_duplicates([], tmp_path / "work", executor=executor) == expected


def test_executors_keep_the_order_of_partitions() -> None:
    assert SerialExecutor().map_partitions(abs, [-3, 1, -2]) == [3, 1, 2]
    with LocalExecutor(2) as executor:
        assert executor.map_partitions(abs, [-3, 1, -2, -7]) == [3, 1, 2, 7]
        assert executor.map_partitions(abs, [-5, 6]) == [5, 6]  # the same pool, reused
        assert executor.map_partitions(abs, []) == []
    with pytest.raises(ValueError):
        LocalExecutor(0)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_ray_executor_gives_the_same_duplicates(tmp_path: Path) -> None:
    ray = pytest.importorskip("ray")
    step_memory = MinHashDeduplicator()
    entries = corpus_entries(step_memory, 300, seed=14)
    expected = step_memory.find_duplicates(entries)
    already_running = ray.is_initialized()
    if not already_running:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        assert RayExecutor().map_partitions(abs, [-1, 2, -3]) == [1, 2, 3]
        staged = MinHashDeduplicator(mode="staged", partitions=5, chunk_docs=64, max_edges_in_memory=0)
        assert staged.find_duplicates(entries, tmp_path / "work", executor=RayExecutor()) == expected
    finally:
        if not already_running:
            ray.shutdown()


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_ray_engine_runs_the_staged_dedup_as_ray_tasks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.data")
    import json

    from zhclean.engines import run_clean

    inputs = []
    documents = random_documents(600, seed=15)
    for part in range(3):
        path = tmp_path / f"news-{part}.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for doc_id, text in documents[part::3]:
                handle.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")
        inputs.append(path)

    def kept_ids(engine: str) -> list[str]:
        steps = [
            ExactDeduplicator(mode="staged", partitions=4, max_edges_in_memory=0),
            MinHashDeduplicator(mode="staged", partitions=4, max_edges_in_memory=0),
        ]
        out = tmp_path / engine
        # The local reference runs in this process (one worker): a process running Ray, as
        # this one may be after other tests, should not fork workers.
        workers = 1 if engine == "local" else 2
        run_clean(inputs, out, steps, workers=workers, show_progress=False, engine=engine, batch_size=64)
        return sorted(
            row["id"]
            for path in sorted((out / "kept").rglob("*.parquet"))
            for row in pq.read_table(path).to_pylist()
        )

    local = kept_ids("local")
    assert 300 < len(local) < 600
    calls: list[int] = []
    original = RayExecutor.map_partitions

    def counted(self: RayExecutor, function: Any, partitions: Any) -> Any:
        calls.append(len(partitions))
        return original(self, function, partitions)

    monkeypatch.setattr(RayExecutor, "map_partitions", counted)
    already_running = ray.is_initialized()
    if not already_running:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        assert kept_ids("ray") == local
    finally:
        if not already_running:
            ray.shutdown()
    # Both deduplicators: the edges, the map and at least one large-star round each.
    assert len(calls) >= 6 and sum(calls) > 0
