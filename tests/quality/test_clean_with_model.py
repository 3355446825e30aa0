"""`zhclean clean --quality-model … --min-quality …` scores kept shards and rejects below it."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from zhclean.cli import main
from zhclean.io.shards import shard_paths


def test_clean_scores_and_thresholds(
    tiny_model: Path, good_documents: list[str], bad_documents: list[str], tmp_path: Path
) -> None:
    source = tmp_path / "docs.jsonl"
    lines = [{"id": f"good-{n}", "text": text} for n, text in enumerate(good_documents[:10])]
    lines += [{"id": f"bad-{n}", "text": text} for n, text in enumerate(bad_documents[:10])]
    source.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    out = tmp_path / "out"
    status = main(
        [
            "clean",
            str(source),
            "-o",
            str(out),
            "--recipe",
            "clean-text",
            "--no-progress",
            "--quality-model",
            str(tiny_model),
            "--min-quality",
            "0.5",
        ]
    )
    assert status == 0
    kept = [row for path in shard_paths(out / "kept") for row in pq.read_table(path).to_pylist()]
    rejected = [row for path in shard_paths(out / "rejected") for row in pq.read_table(path).to_pylist()]
    assert all(row["quality"] is not None and row["quality"] >= 0.5 for row in kept)
    assert {row["reason"] for row in rejected} <= {"quality_threshold.below_threshold", "ad_lines.emptied"}
    assert sum(row["id"].startswith("good-") for row in kept) >= 8
    assert sum(row["id"].startswith("bad-") for row in kept) <= 2
    stats = json.loads((out / "_stats.json").read_text())
    assert stats["recipe"] == "clean-text+quality"
