"""A small run that this process runs whole holds the documents between its segments in
memory (`HeldWork`) instead of writing work shards: the same shards, rows and counts as a
run that spills, and an interrupted one resumes to the same output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.dedup.corpus import ARTICLE_MARKET, ARTICLE_RIVER, random_documents, repost

import zhclean.engines.driver as driver
import zhclean.engines.unit as unit
from zhclean.dedup import ExactDeduplicator, MinHashDeduplicator
from zhclean.document import Document, Source
from zhclean.engines import run_clean
from zhclean.io.shards import document_from_work_row, shard_paths, work_row
from zhclean.io.storage import parquet_file


def write_corpus(folder: Path) -> list[Path]:
    documents = [("river", ARTICLE_RIVER), ("river-copy", ARTICLE_RIVER + "　"), ("market", ARTICLE_MARKET)]
    documents += [("river-repost", repost(ARTICLE_RIVER, "环球网")), *random_documents(40, seed=3)]
    paths = []
    for part in range(2):
        path = folder / f"news-{part}.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for doc_id, text in documents[part::2]:
                record = {"id": doc_id, "text": text, "title": f"标题{doc_id}", "split": "train"}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


def run(inputs: list[Path], out: Path, **options: Any) -> None:
    steps = [ExactDeduplicator(), MinHashDeduplicator()]
    run_clean(inputs, out, steps, workers=1, show_progress=False, **options)


def output(out: Path) -> tuple[list[str], list[tuple[Any, ...]], dict[str, Any]]:
    directories = [out / "kept", out / "rejected"]
    names = sorted(path.name for directory in directories for path in shard_paths(directory))
    rows = sorted(
        (row["id"], row["source"], row["text"], row["reason"], row["detail"], row["meta"], row["fields"])
        for directory in directories
        for path in shard_paths(directory)
        for row in parquet_file(path).read().to_pylist()
    )
    stats = json.loads((out / "_stats.json").read_text(encoding="utf-8"))
    counts = {key: stats[key] for key in ("read", "kept", "rejected", "reasons")}
    return names, rows, counts


def no_work_shards(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("a held run wrote a work shard")


def test_a_held_run_writes_what_a_spilling_run_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = write_corpus(tmp_path)
    with monkeypatch.context() as patch:
        patch.setattr(driver, "HELD_RUN_MAX_BYTES", -1)
        run(inputs, tmp_path / "spilled")
    monkeypatch.setattr(unit, "WorkShardWriter", no_work_shards)
    run(inputs, tmp_path / "held")
    spilled, held = output(tmp_path / "spilled"), output(tmp_path / "held")
    assert held == spilled
    assert set(held[2]["reasons"]) == {"exact_dup.duplicate", "minhash.duplicate"}
    assert not (tmp_path / "held" / "_work").exists()


def test_an_interrupted_held_run_resumes_to_the_same_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = write_corpus(tmp_path)
    run(inputs, tmp_path / "reference")

    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(MinHashDeduplicator, "find_duplicates", interrupted)
        with pytest.raises(KeyboardInterrupt):
            run(inputs, tmp_path / "out")
    # The first segment and the exact dedup were done, in memory only: nothing recorded.
    manifest = json.loads((tmp_path / "out" / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["completed"] == {} and manifest["dedup"] == {} and not manifest["finished"]
    run(inputs, tmp_path / "out", resume=True)
    assert output(tmp_path / "out") == output(tmp_path / "reference")


class PlainExecutor:
    """An executor with only the methods every executor has: it does not say whether it
    runs a whole run in this process (`runs_here`)."""

    workers = 1

    def run_units(self, tasks: Any, progress: Any, sizes: Any, on_done: Any, documents: Any = None) -> None:
        for task in tasks:
            on_done(task, unit.run_unit(task, lambda *report: None))

    def map_partitions(self, function: Any, partitions: Any) -> list[Any]:
        return [function(partition) for partition in partitions]

    def close(self) -> None:
        pass


def test_a_run_on_an_executor_that_does_not_say_where_it_runs_spills(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = write_corpus(tmp_path)
    run(inputs, tmp_path / "held")
    opened: list[str] = []

    class CountedWriter(unit.WorkShardWriter):
        def __init__(self, out_dir: Any, segment: int, prefix: str) -> None:
            opened.append(prefix)
            super().__init__(out_dir, segment, prefix)

    monkeypatch.setattr(unit, "WorkShardWriter", CountedWriter)
    run(inputs, tmp_path / "plain", engine=PlainExecutor())
    assert opened and output(tmp_path / "plain") == output(tmp_path / "held")


def test_a_held_document_is_what_a_work_shard_gives_back() -> None:
    plain = Document(
        id="甲",
        text="今天天气很好。",
        source=Source("news.jsonl", 3),
        meta={"title": "天气"},
        fields={"n": [1, 2.5]},
    )
    assert unit.as_read_back(plain) is plain
    unusual = Document(id="乙", text="文本", meta={"span": (1, 2)}, raw=b"\xe6\x96\x87")
    read_back = unit.as_read_back(unusual)
    assert read_back == document_from_work_row(work_row(unusual, None))
    assert read_back.raw is None and read_back.meta == {"span": [1, 2]}
