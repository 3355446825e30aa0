"""`zhclean clean` fails loudly and loses nothing: type and range errors in recipes, runs
that could read nothing, empty inputs; one output schema that every Parquet reader loads
in one call; input fields carried through; the smaller promises (summary counts, dedup
details that name kept rows, resume by another path, the progress total)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import zhclean.engines.driver
from zhclean.cli import main
from zhclean.cli.clean import with_scoring_before_dedup
from zhclean.filters import HanShareFilter
from zhclean.io.shards import OUTPUT_SCHEMA, shard_paths
from zhclean.recipe import load_recipe

NEWS = (
    "今天上午，市政府召开新闻发布会，介绍了今年城市建设的主要进展。"
    "专家表示，这一政策将有助于推动区域经济的协调发展，也会让市民的生活更加便利。"
)


def clean(*arguments: str) -> int:
    return main(["clean", "--no-progress", *arguments])


def rows(directory: Path) -> list[dict]:
    return [row for path in shard_paths(directory) for row in pq.read_table(path).to_pylist()]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text(
        "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8"
    )
    return path


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"0.2"', "min_han_share = '0.2' is a string; it must be a number"),
        ("20", "min_han_share = 20 is out of range: it must be from 0 to 1"),
    ],
)
def test_a_recipe_value_of_the_wrong_type_or_range_stops_the_run(
    value: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recipe = tmp_path / "mine.toml"
    recipe.write_text(f'[[steps]]\nname = "cjk_ratio"\nmin_han_share = {value}\n')
    source = write_jsonl(tmp_path / "docs.jsonl", [{"id": "a", "text": NEWS}])
    assert clean(str(source), "-o", str(tmp_path / "out"), "--recipe", str(recipe)) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and message in error and "step 1" in error
    assert not (tmp_path / "out").exists()
    assert main(["recipe", "check", str(recipe)]) == 2
    assert main(["recipe", "check", "default", "heuristics"]) == 0


def test_text_under_another_field_fails_the_run_and_names_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_jsonl(
        tmp_path / "docs.jsonl", [{"id": str(n), "content": NEWS, "url": "u"} for n in range(20)]
    )
    out = tmp_path / "out"
    assert clean(str(source), "-o", str(out)) == 1
    error = capsys.readouterr().err
    assert "20 of 20 records" in error and "io.missing_field" in error
    assert "fields found: content, id, url" in error and "--text-field content" in error
    assert len(rows(out / "rejected")) == 20  # everything read is written
    assert clean(str(source), "-o", str(out), "--overwrite", "--text-field", "content") == 0


def test_a_step_that_crashes_on_every_record_fails_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(self: HanShareFilter, doc: object) -> None:
        raise TypeError("'<' not supported between instances of 'float' and 'str'")

    monkeypatch.setattr(HanShareFilter, "check", broken)
    source = write_jsonl(tmp_path / "docs.jsonl", [{"id": str(n), "text": NEWS * 2} for n in range(10)])
    assert clean(str(source), "-o", str(tmp_path / "out"), "--workers", "1", "--recipe", "heuristics") == 1
    error = capsys.readouterr().err
    assert "cjk_ratio.crashed" in error and "'cjk_ratio' raised" in error


def test_a_few_unreadable_records_are_a_normal_run(demo_crawl: Path, tmp_path: Path) -> None:
    # The demo crawl holds an image and a 404 (io.*): 2 of 11, not a failed run.
    assert clean(str(demo_crawl), "-o", str(tmp_path / "out")) == 0


def test_an_empty_input_warns_and_still_makes_both_directories(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    out = tmp_path / "out"
    assert clean(str(empty), "-o", str(out)) == 0
    assert "warning: the inputs held no records" in capsys.readouterr().err
    for which in ("kept", "rejected"):
        [shard] = shard_paths(out / which)
        assert pq.read_schema(shard) == OUTPUT_SCHEMA and pq.ParquetFile(shard).metadata.num_rows == 0


def test_nothing_kept_still_gives_a_kept_directory(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "docs.jsonl", [{"id": "a", "text": "太短"}])
    out = tmp_path / "out"
    assert clean(str(source), "-o", str(out)) == 0
    assert rows(out / "kept") == [] and len(rows(out / "rejected")) == 1
    assert (
        main(["dedup", str(out / "kept"), "-o", str(tmp_path / "next"), "--no-progress"]) == 0
    )  # the next tool runs


def test_the_whole_output_loads_in_one_call_everywhere(demo_crawl: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert clean(str(demo_crawl), "-o", str(out)) == 0
    kept, rejected = rows(out / "kept"), rows(out / "rejected")
    assert set(kept[0]) == set(rejected[0]) == set(OUTPUT_SCHEMA.names)
    assert all(row["kept"] and row["reason"] is None and row["detail"] is None for row in kept)
    assert all(not row["kept"] and row["reason"] for row in rejected)
    total = len(kept) + len(rejected)

    import duckdb
    import pandas as pd
    import polars as pl
    import pyarrow.dataset as ds

    assert pq.read_table(out).num_rows == total
    assert len(pd.read_parquet(out)) == total
    assert ds.dataset(out).count_rows() == total
    assert pl.read_parquet(f"{out}/**/*.parquet").height == total
    assert duckdb.sql(f"select count(*) from read_parquet('{out}/**/*.parquet')").fetchall() == [(total,)]
    datasets = pytest.importorskip("datasets")
    loaded = datasets.load_dataset(
        "parquet", data_files=f"{out}/**/*.parquet", split="train", cache_dir=str(tmp_path / "hf")
    )
    assert loaded.num_rows == total and sum(loaded["kept"]) == len(kept)


def test_input_fields_are_carried_through(tmp_path: Path) -> None:
    records = [
        {
            "id": "n1",
            "title": "城市建设新进展",
            "text": NEWS * 2,
            "split": "train",
            "source": "my-crawl",
            "score": 3,
        },
        {"id": "n2", "title": "短讯", "text": "太短", "split": "dev", "source": "my-crawl", "score": 1},
    ]
    source = write_jsonl(tmp_path / "docs.jsonl", records)
    out = tmp_path / "out"
    assert clean(str(source), "-o", str(out), "--recipe", "heuristics") == 0
    [kept], [rejected] = rows(out / "kept"), rows(out / "rejected")
    assert (kept["title"], rejected["title"]) == ("城市建设新进展", "短讯")
    assert json.loads(kept["fields"]) == {"split": "train", "source": "my-crawl", "score": 3}
    assert json.loads(rejected["fields"]) == {"split": "dev", "source": "my-crawl", "score": 1}
    assert kept["source"] == f"{source}#0"  # zhclean's own source column is unchanged
    chosen = tmp_path / "chosen"
    assert clean(str(source), "-o", str(chosen), "--recipe", "heuristics", "--keep-fields", "split") == 0
    assert json.loads(rows(chosen / "kept")[0]["fields"]) == {"split": "train"}
    # zhclean's own output read again keeps the fields it carried, not its own columns.
    again = tmp_path / "again"
    assert clean(str(out / "kept"), "-o", str(again), "--recipe", "clean-text") == 0
    assert json.loads(rows(again / "kept")[0]["fields"]) == {
        "split": "train",
        "source": "my-crawl",
        "score": 3,
    }


def test_the_summary_counts_what_the_kept_shards_lost(
    demo_crawl: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert clean(str(demo_crawl), "-o", str(out)) == 0
    printed = (
        capsys.readouterr().out.split("stripped from kept documents (fragments):\n", 1)[1].split("\n\n", 1)[0]
    )
    summary = {
        code: int(count.replace(",", ""))
        for code, count in re.findall(r"^\s+(\S+)\s+([\d,]+)$", printed, re.MULTILINE)
    }
    in_shards: dict[str, int] = {}
    for row in rows(out / "kept"):
        for fragment in row["removed"]:
            in_shards[fragment["code"]] = in_shards.get(fragment["code"], 0) + 1
    # The summary lists the most frequent codes (at most 12), each with the shards' count.
    assert summary and all(in_shards[code] == count for code, count in summary.items())
    assert len(summary) == min(12, len(in_shards))
    assert min(summary.values()) >= max(
        (count for code, count in in_shards.items() if code not in summary), default=0
    )
    assert json.loads((out / "_stats.json").read_text())["kept_removals"] == in_shards


def test_a_duplicate_names_the_kept_copy_by_its_id(demo_crawl: Path, tmp_path: Path) -> None:
    doubled = tmp_path / "doubled.warc.gz"
    doubled.write_bytes(demo_crawl.read_bytes() * 2)
    out = tmp_path / "out"
    assert clean(str(doubled), "-o", str(out)) == 0
    kept = {(row["id"], row["source"]) for row in rows(out / "kept")}
    rejected = {(row["id"], row["source"]): row["reason"] for row in rows(out / "rejected")}
    duplicates = [
        (row["reason"], json.loads(row["detail"]))
        for row in rows(out / "rejected")
        if row["reason"].endswith(".duplicate")
    ]
    assert duplicates
    for reason, detail in duplicates:
        named = (detail["kept_id"], detail["kept_source"])
        if reason == "minhash.duplicate":  # the last deduplicator: the copy it kept is in kept/
            assert named in kept
        else:  # the copy exact_dup kept is kept, or a near-duplicate that minhash then dropped
            assert named in kept or rejected.get(named) == "minhash.duplicate"


def test_an_interrupted_run_suggests_resume(
    demo_crawl: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert clean(str(demo_crawl), "-o", str(out)) == 0
    manifest = out / "_manifest.json"
    manifest.write_text(
        json.dumps({**json.loads(manifest.read_text()), "finished": False})
    )  # as after Ctrl-C
    capsys.readouterr()
    assert clean(str(demo_crawl), "-o", str(out)) == 2
    assert "--resume" in capsys.readouterr().err


def test_resume_accepts_the_same_input_by_absolute_path(
    demo_crawl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(demo_crawl.parent)
    out = tmp_path / "out"
    assert clean(demo_crawl.name, "-o", str(out)) == 0
    before = sorted((row["id"], row["source"]) for row in rows(out / "kept"))
    assert clean(str(demo_crawl.resolve()), "-o", str(out), "--resume") == 0
    assert sorted((row["id"], row["source"]) for row in rows(out / "kept")) == before
    monkeypatch.chdir(tmp_path)  # the relative path of the first run no longer leads there
    assert clean(str(demo_crawl.resolve()), "-o", str(out), "--resume") == 0


def test_the_progress_total_counts_a_split_file_once(
    demo_crawl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int | None, int]] = []
    original = zhclean.engines.driver.Progress

    class Recording(original):  # type: ignore[misc, valid-type]
        def close(self) -> None:
            seen.append((self.total, sum(self.unit_positions.values())))
            super().close()

        def __init__(self, total_bytes: int | None, description: str, enabled: bool) -> None:
            super().__init__(total_bytes, description, enabled)
            self.total = total_bytes
            self.bar = _Bar()

    monkeypatch.setattr(zhclean.engines.driver, "Progress", Recording)
    assert clean(str(demo_crawl), "-o", str(tmp_path / "out"), "--workers", "3") == 0
    size = os.path.getsize(demo_crawl)
    total, reached = seen[0]
    assert total is not None and size - 3 <= total <= size and size - 3 <= reached <= size


class _Bar:
    """Stands in for tqdm so that the bar's positions are counted without a terminal."""

    def update(self, amount: int) -> None:
        pass

    def set_postfix_str(self, text: str, refresh: bool = False) -> None:
        pass

    def close(self) -> None:
        pass


def test_the_quality_scorer_runs_before_deduplication() -> None:
    from zhclean.quality import FastTextQualityScorer, QualityThresholdFilter

    steps = load_recipe("default").steps
    added = [FastTextQualityScorer(model="m.bin"), QualityThresholdFilter(min_quality=0.5)]
    names = [step.name for step in with_scoring_before_dedup(steps, added)]
    assert names[-4:] == ["fasttext_quality", "quality_threshold", "exact_dup", "minhash"]
    assert [step.name for step in with_scoring_before_dedup(load_recipe("heuristics").steps, added)][-2:] == [
        "fasttext_quality",
        "quality_threshold",
    ]


def test_a_missing_quality_model_is_named(
    demo_crawl: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        clean(str(demo_crawl), "-o", str(tmp_path / "out"), "--quality-model", str(tmp_path / "missing.bin"))
        == 2
    )
    assert f"quality model not found: {tmp_path / 'missing.bin'}" in capsys.readouterr().err


def test_help_lists_only_commands_that_exist(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["recipe", "--help"])
    listed = capsys.readouterr().out
    for action in ("list", "show", "check", "steps"):
        assert action in listed


def test_the_report_names_cjk_fonts_for_chinese_text(demo_crawl: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert clean(str(demo_crawl), "-o", str(out)) == 0
    assert main(["report", str(out), "-o", str(tmp_path / "report.html")]) == 0
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    body_fonts = re.search(r"body\{font:[^;]*;", html).group(0)  # type: ignore[union-attr]
    sample_fonts = re.search(r"\.doc\{font-family:[^;]*;", html).group(0)  # type: ignore[union-attr]
    for fonts in (body_fonts, sample_fonts):
        assert '"Noto Sans CJK SC"' in fonts and '"Microsoft YaHei"' in fonts and '"PingFang SC"' in fonts
