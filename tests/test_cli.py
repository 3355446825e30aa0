from __future__ import annotations

import gzip
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pyarrow.parquet as pq
import pytest

from zhclean.cli import main
from zhclean.engines import executor as local_executor
from zhclean.io.shards import shard_paths


def table_rows(directory: Path) -> list[dict]:
    return [row for path in shard_paths(directory) for row in pq.read_table(path).to_pylist()]


def clean(*arguments: str) -> int:
    return main(["clean", "--no-progress", *arguments])


def test_clean_demo_crawl_writes_kept_rejected_and_stats(
    demo_crawl: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert clean(str(demo_crawl), "-o", str(out)) == 0
    stats = json.loads((out / "_stats.json").read_text())
    kept, rejected = table_rows(out / "kept"), table_rows(out / "rejected")
    assert stats["read"] == 11 == len(kept) + len(rejected)
    assert {row["reason"] for row in rejected} >= {"io.not_html", "io.http_status"}
    assert all(row["reason"] and row["detail"] for row in rejected)
    assert {"id", "url", "text", "source", "removed"} <= set(kept[0])
    # GBK and Big5 pages decode into real text.
    texts = "\n".join(row["text"] for row in kept)
    assert "茶是中国人生活中不可缺少的饮品" in texts and ("淡水" in texts)
    assert "秋天气候干燥" in texts  # the page whose HTTP header lies about its charset
    summary = capsys.readouterr().out
    assert "read 11" in summary and "rejected by reason" in summary


@pytest.fixture
def pool_even_for_small_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo crawl is small enough to run in the main process whatever --workers says:
    these tests are about the worker pool, so every segment is made big enough for it."""
    monkeypatch.setattr(local_executor, "SMALL_SEGMENT_BYTES", 0)
    monkeypatch.setattr(local_executor, "SMALL_SEGMENT_DOCS", 0)


@pytest.mark.usefixtures("pool_even_for_small_inputs")
def test_the_same_ids_with_one_or_two_workers(demo_crawl: Path, tmp_path: Path) -> None:
    second = tmp_path / "second.warc.gz"
    second.write_bytes(demo_crawl.read_bytes())
    results = {}
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}"
        assert clean(str(demo_crawl), str(second), "-o", str(out), "--workers", workers) == 0
        results[workers] = (
            sorted((row["source"], row["id"]) for row in table_rows(out / "kept")),
            sorted((row["source"], row["id"], row["reason"]) for row in table_rows(out / "rejected")),
        )
    assert results["1"] == results["2"]
    assert len(results["1"][0]) + len(results["1"][1]) == 22


def test_a_record_id_read_twice_keeps_one_copy(demo_crawl: Path, tmp_path: Path) -> None:
    # The same WARC twice in one file: every record id appears twice. Deduplicators must
    # judge each copy, keeping one and rejecting the other, not reject both.
    doubled = tmp_path / "doubled.warc.gz"
    doubled.write_bytes(demo_crawl.read_bytes() * 2)
    once, twice = tmp_path / "once", tmp_path / "twice"
    assert clean(str(demo_crawl), "-o", str(once), "--recipe", "default") == 0
    assert clean(str(doubled), "-o", str(twice), "--recipe", "default") == 0
    kept_once = sorted(row["id"] for row in table_rows(once / "kept"))
    kept_twice = sorted(row["id"] for row in table_rows(twice / "kept"))
    assert kept_once and kept_twice == kept_once

    def duplicates(out: Path) -> int:
        return sum(
            row["reason"].endswith("_dup.duplicate") or row["reason"] == "minhash.duplicate"
            for row in table_rows(out / "rejected")
        )

    # Each kept page's second copy is one more duplicate; duplicates stay duplicates.
    assert duplicates(twice) == 2 * duplicates(once) + len(kept_once)


def test_max_record_bytes_rejects_larger_records_and_keeps_the_rest(tmp_path: Path) -> None:
    small = "这是一段用来测试记录大小上限的中文内容，长度足够通过默认的长度过滤器，不会被丢弃。"
    source = tmp_path / "docs.jsonl"
    records = [("small", small), ("large", small * 40)]
    source.write_text(
        "".join(json.dumps({"id": key, "text": text}, ensure_ascii=False) + "\n" for key, text in records)
    )
    out = tmp_path / "out"
    assert clean(str(source), "-o", str(out), "--recipe", "clean-text", "--max-record-bytes", "2000") == 0
    assert [row["id"] for row in table_rows(out / "kept")] == ["small"]
    # Rejected unread, so it is named by its place in the file, not by its id.
    assert [(row["id"], row["reason"]) for row in table_rows(out / "rejected")] == [
        ("docs.jsonl#1", "limit.record_bytes")
    ]


def test_a_bad_limit_is_a_usage_error(
    demo_crawl: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        clean(str(demo_crawl), "-o", str(tmp_path / "out"), "--max-seconds-per-record", "-1")
    assert exit_info.value.code == 2
    assert "must be 0 or more" in capsys.readouterr().err


@pytest.mark.parametrize("recipe", ["extract", "clean-text", "heuristics", "default"])
def test_every_builtin_recipe_runs_by_name(recipe: str, demo_crawl: Path, tmp_path: Path) -> None:
    text_input = tmp_path / "docs.jsonl"
    text_input.write_text(
        json.dumps(
            {
                "id": "j1",
                "text": "这是一段用来测试文本输入的中文内容，长度足够通过默认的长度过滤器，不会被当成短文本丢弃。",
            },
            ensure_ascii=False,
        )
        + "\n"
    )
    out = tmp_path / "out"
    assert clean(str(demo_crawl), str(text_input), "-o", str(out), "--recipe", recipe) == 0
    assert json.loads((out / "_stats.json").read_text())["recipe"] == recipe


def test_missing_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert clean(str(tmp_path / "nope.warc.gz"), "-o", str(tmp_path / "out")) == 2
    error = capsys.readouterr().err
    assert error.startswith("zhclean: error: input not found") and "Traceback" not in error
    assert not (tmp_path / "out").exists()


def test_non_empty_output_needs_overwrite(
    demo_crawl: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert clean(str(demo_crawl), "-o", str(out)) == 0
    assert clean(str(demo_crawl), "-o", str(out)) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert clean(str(demo_crawl), "-o", str(out), "--overwrite") == 0
    assert len(table_rows(out / "kept")) + len(table_rows(out / "rejected")) == 11


def test_a_corrupt_file_does_not_stop_the_others(demo_crawl: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl.gz"
    good = gzip.compress(
        ("\n".join(json.dumps({"id": f"d{n}", "text": "测试内容" * 30}) for n in range(300)) + "\n").encode()
    )
    broken.write_bytes(good[: len(good) // 2])
    out = tmp_path / "out"
    assert clean(str(broken), str(demo_crawl), "-o", str(out), "--workers", "2") == 0
    rejected = table_rows(out / "rejected")
    assert any(row["reason"] == "io.truncated" for row in rejected)
    assert any(row["source"].startswith(str(demo_crawl)) for row in table_rows(out / "kept"))


def test_bad_recipe_is_a_user_error(
    demo_crawl: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recipe = tmp_path / "r.toml"
    recipe.write_text('[[steps]]\nname = "lenght"\n')
    assert clean(str(demo_crawl), "-o", str(tmp_path / "out"), "--recipe", str(recipe)) == 2
    assert "unknown step 'lenght'" in capsys.readouterr().err


def test_recipe_list_and_show_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recipe", "list"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in ("extract", "clean-text", "heuristics", "default"))
    assert main(["recipe", "show", "default"]) == 0
    shown = capsys.readouterr().out
    saved = tmp_path / "mine.toml"
    saved.write_text(shown)
    assert main(["recipe", "show", str(saved)]) == 0
    assert capsys.readouterr().out.split("\n", 1)[1] == shown.split("\n", 1)[1]


def test_dedup_command_on_cleaned_shards(tmp_path: Path) -> None:
    article = (
        "今年夏天，江南多地降水偏多，部分河段水位上涨，水利部门启动了防汛应急响应，沿江各区县加强巡查。" * 3
    )
    edited = article.replace("加强巡查", "加强了巡查", 1)
    other = "秋天的公园里，银杏叶慢慢变黄，许多市民带着孩子来拍照，老人们在长椅上聊天晒太阳。" * 3
    source = tmp_path / "docs.jsonl"
    records = [("a", article), ("b", article + " "), ("c", edited), ("d", other)]
    source.write_text(
        "".join(json.dumps({"id": key, "text": text}, ensure_ascii=False) + "\n" for key, text in records)
    )
    cleaned = tmp_path / "cleaned"
    assert clean(str(source), "-o", str(cleaned), "--recipe", "clean-text") == 0
    deduped = tmp_path / "deduped"
    assert main(["dedup", str(cleaned / "kept"), "-o", str(deduped), "--no-progress"]) == 0
    kept_ids = sorted(row["id"] for row in table_rows(deduped / "kept"))
    reasons = {row["id"]: row["reason"] for row in table_rows(deduped / "rejected")}
    assert len(kept_ids) == 2 and "d" in kept_ids
    assert sorted(reasons.values()) == ["exact_dup.duplicate", "minhash.duplicate"]


def test_min_quality_needs_a_model(
    demo_crawl: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert clean(str(demo_crawl), "-o", str(tmp_path / "out"), "--min-quality", "0.5") == 2
    assert "--min-quality needs --quality-model" in capsys.readouterr().err


def test_missing_quality_model_is_a_user_error(
    demo_crawl: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        clean(str(demo_crawl), "-o", str(tmp_path / "out"), "--quality-model", str(tmp_path / "none.bin"))
        == 2
    )
    error = capsys.readouterr().err
    assert error.startswith("zhclean: error:") and "Traceback" not in error


@pytest.mark.usefixtures("pool_even_for_small_inputs")
def test_one_file_is_shared_between_workers_with_the_same_result(demo_crawl: Path, tmp_path: Path) -> None:
    outputs = {}
    for workers in ("1", "3"):
        out = tmp_path / f"w{workers}"
        assert clean(str(demo_crawl), "-o", str(out), "--workers", workers) == 0
        outputs[workers] = (
            sorted((row["id"], row["text"]) for row in table_rows(out / "kept")),
            sorted((row["id"], row["reason"]) for row in table_rows(out / "rejected")),
        )
        manifest = json.loads((out / "_manifest.json").read_text())
        assert len(manifest["plan"]) == int(workers)  # one interleaved part per worker
    assert outputs["1"] == outputs["3"]


def test_a_small_run_with_several_workers_matches_the_pooled_run(
    demo_crawl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small segments run in the main process; the plan (units, shard names) and the
    # output are those of a run on the pool.
    outputs = {}
    for name, threshold in (("in-process", 1 << 40), ("pool", 0)):
        monkeypatch.setattr(local_executor, "SMALL_SEGMENT_BYTES", threshold)
        monkeypatch.setattr(local_executor, "SMALL_SEGMENT_DOCS", threshold)
        out = tmp_path / name
        assert clean(str(demo_crawl), "-o", str(out), "--workers", "2", "--recipe", "default") == 0
        outputs[name] = (
            sorted(path.name for path in shard_paths(out / "kept") + shard_paths(out / "rejected")),
            sorted((row["id"], row["text"]) for row in table_rows(out / "kept")),
            sorted((row["id"], row["reason"], row["detail"]) for row in table_rows(out / "rejected")),
        )
    assert outputs["in-process"] == outputs["pool"]


def test_the_local_executor_runs_small_segments_in_this_process() -> None:
    def tasks(segment: int) -> list[Any]:
        return [SimpleNamespace(segment=segment, unit=SimpleNamespace(index=index)) for index in (0, 1)]

    small, big = local_executor.SMALL_SEGMENT_BYTES - 1, local_executor.SMALL_SEGMENT_BYTES
    two, one = local_executor.LocalExecutor(2), local_executor.LocalExecutor(1)
    assert two.is_small(tasks(0), {0: small, 1: 0}, None)
    assert not two.is_small(tasks(0), {0: big - 1, 1: 1}, None)
    assert one.is_small(tasks(0), {0: big, 1: big}, None)
    assert two.is_small(tasks(1), {}, local_executor.SMALL_SEGMENT_DOCS - 1)
    assert not two.is_small(tasks(1), {}, local_executor.SMALL_SEGMENT_DOCS)
    assert not two.is_small(tasks(1), {}, None)  # a resumed run: unknown, so the pool


def test_resume_keeps_the_plan_it_started_with(demo_crawl: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert clean(str(demo_crawl), "-o", str(out), "--workers", "2") == 0
    assert clean(str(demo_crawl), "-o", str(out), "--workers", "1", "--resume") == 0
    assert len(json.loads((out / "_manifest.json").read_text())["plan"]) == 2
    assert len(table_rows(out / "kept")) + len(table_rows(out / "rejected")) == 11
