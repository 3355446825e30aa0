from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from zhclean.document import Document, Rejected, Removal, Source
from zhclean.io.shards import KEPT_SCHEMA, REJECTED_SCHEMA, ShardWriter, kept_row, rejected_row, shard_paths


def test_shards_are_bounded_and_complete(tmp_path: Path) -> None:
    writer = ShardWriter(tmp_path, "part-00000", KEPT_SCHEMA, max_rows=3)
    for number in range(7):
        writer.write(
            kept_row(Document(id=str(number), text=f"第{number}篇", source=Source("in.jsonl", number)))
        )
    shards = writer.close()
    assert [path.name for path in shards] == [
        "part-00000-000.parquet",
        "part-00000-001.parquet",
        "part-00000-002.parquet",
    ]
    assert [pq.ParquetFile(path).metadata.num_rows for path in shards] == [3, 3, 1]
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind
    row = pq.read_table(shards[0]).to_pylist()[0]
    assert (row["id"], row["text"], row["source"]) == ("0", "第0篇", "in.jsonl#0")


def test_aborted_shard_leaves_nothing_that_looks_whole(tmp_path: Path) -> None:
    writer = ShardWriter(tmp_path, "part-00001", KEPT_SCHEMA, max_rows=10_000)
    for number in range(2500):  # past one row group: a temporary file exists on disk
        writer.write(kept_row(Document(id=str(number), text="内容")))
    writer.abort()
    assert shard_paths(tmp_path) == []
    assert list(tmp_path.iterdir()) == []


def test_rejected_rows_carry_reason_detail_and_removals(tmp_path: Path) -> None:
    document = Document(
        id="r", text="正文", removed=(Removal("ad_lines.qr_follow", "ad.qr_follow", "扫码关注"),)
    )
    writer = ShardWriter(tmp_path, "part-00000-s0", REJECTED_SCHEMA)
    writer.write(rejected_row(Rejected(document, "length.too_short", {"chars": 2, "min_chars": 50})))
    [row] = pq.read_table(writer.close()[0]).to_pylist()
    assert row["reason"] == "length.too_short"
    assert row["detail"] == '{"chars": 2, "min_chars": 50}'
    assert row["removed"] == [{"code": "ad_lines.qr_follow", "rule": "ad.qr_follow", "text": "扫码关注"}]
