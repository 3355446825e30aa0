"""The Ray engine writes what the local engine writes: same kept and rejected ids and texts,
same shards, same counts; resume works through it; errors in a worker reach the caller."""

from __future__ import annotations

import builtins
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from zhclean.demo.pages import demo_responses
from zhclean.engines import run_clean
from zhclean.engines.plan import Unit
from zhclean.engines.unit import UnitTask
from zhclean.io.readers import InputError, ReaderOptions
from zhclean.io.shards import shard_paths
from zhclean.io.warc_writer import write_warc
from zhclean.recipe import load_recipe

# Ray Data warns about its own deprecated settings while it starts; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SENTENCES = [
    "小区门口新开了一家早餐店，豆浆油条每天一早就卖光了。",
    "气象台发布高温预警，提醒市民午后减少户外活动。",
    "这座古镇保留了大量明清时期的民居，吸引了不少游客。",
    "学校食堂推出了新的菜单，学生们可以在线预约午餐。",
    "点击关注，领取新人红包！",
    "好",
]


def write_jsonl_files(folder: Path, files: int, lines: int) -> list[Path]:
    generator = random.Random(11)
    paths = []
    for number in range(files):
        path = folder / f"news-{number}.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for line in range(lines):
                text = "".join(generator.choice(SENTENCES) for _ in range(generator.randint(1, 10)))
                handle.write(json.dumps({"id": f"n{number}-{line}", "text": text}, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


def snapshot(out: Path) -> dict[str, Any]:
    def rows(directory: Path, columns: list[str]) -> list[tuple[Any, ...]]:
        return sorted(
            tuple(row[column] for column in columns)
            for path in shard_paths(directory)
            for row in pq.read_table(path, columns=columns).to_pylist()
        )

    stats = json.loads((out / "_stats.json").read_text(encoding="utf-8"))
    return {
        "kept": rows(out / "kept", ["id", "text"]),
        "rejected": rows(out / "rejected", ["id", "reason", "text"]),
        "shards": sorted(str(path.relative_to(out)) for path in out.rglob("*.parquet")),
        "counts": {key: stats[key] for key in ("read", "kept", "rejected", "reasons")},
    }


def clean(inputs: list[Path], out: Path, engine: str, *, resume: bool = False) -> None:
    recipe = load_recipe("heuristics")
    run_clean(
        inputs,
        out,
        recipe.steps,
        recipe_name=recipe.name,
        recipe_fingerprint=recipe.fingerprint(),
        workers=2,
        show_progress=False,
        engine=engine,
        resume=resume,
        batch_size=64,
    )


@pytest.fixture(scope="module")
def local_ray() -> Iterator[Any]:
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.data")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("inputs")
    crawl = write_warc(folder / "demo.warc.gz", demo_responses())
    return [crawl, *write_jsonl_files(folder, files=3, lines=400)]


@pytest.fixture(scope="module")
def local_output(inputs: list[Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    # Made before Ray starts: the local engine forks its workers, and a process running
    # Ray's threads should not fork.
    out = tmp_path_factory.mktemp("local") / "out"
    clean(inputs, out, "local")
    return snapshot(out)


@pytest.mark.slow
def test_ray_engine_output_equals_the_local_engine_output(
    local_output: dict[str, Any], local_ray: Any, inputs: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "ray"
    clean(inputs, out, "ray")
    result = snapshot(out)
    assert result["counts"]["read"] == len(demo_responses()) + 3 * 400
    assert result["counts"]["read"] == result["counts"]["kept"] + result["counts"]["rejected"]
    assert result["kept"] and result["rejected"]
    assert result == local_output
    manifest = json.loads((out / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["finished"] and sorted(manifest["completed"]["0"]) == ["0", "1", "2", "3"]


@pytest.mark.slow
def test_ray_engine_resumes_a_run_with_units_left_to_do(
    local_output: dict[str, Any], local_ray: Any, inputs: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "ray"
    clean(inputs, out, "ray")
    # As a crash leaves it: two units not recorded as done, one of them with a shard and a
    # temporary file on disk, the other with nothing written yet.
    manifest_path = out / "_manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for unit in ("0", "2"):
        del manifest["completed"]["0"][unit]
    manifest["finished"] = False
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    for path in shard_paths(out / "kept"):
        if path.name.startswith("part-00002-"):
            path.unlink()
    (out / "kept" / ".part-00000-001.parquet.tmp").write_bytes(b"half a shard")
    (out / "_stats.json").unlink()

    clean(inputs, out, "ray", resume=True)
    assert snapshot(out) == local_output
    assert not list(out.rglob(".*.tmp"))


@pytest.mark.slow
def test_an_error_in_a_ray_worker_is_raised_in_the_caller(local_ray: Any, tmp_path: Path) -> None:
    from zhclean.engines.progress import Progress
    from zhclean.engines.ray import run_units_on_ray

    path = tmp_path / "notes.txt"
    path.write_text("这不是任何已知格式。", encoding="utf-8")
    recipe = load_recipe("heuristics")
    task = UnitTask(Unit(0, path, "bogus"), 0, recipe.steps, ReaderOptions(), tmp_path / "out", 64)
    progress = Progress(None, "reading", enabled=False)
    with pytest.raises(InputError, match="unknown format 'bogus'"):
        run_units_on_ray([task], progress, {}, lambda task, stats: None)
    progress.close()


def test_without_ray_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real_import = builtins.__import__

    def no_ray(name: str, *arguments: Any, **keywords: Any) -> Any:
        if name == "ray" or name.startswith("ray."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *arguments, **keywords)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    path = tmp_path / "one.jsonl"
    path.write_text(
        json.dumps({"id": "a", "text": "今天天气很好，我们去公园散步。"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"the Ray engine needs the ray extra: pip install 'zhclean\[ray\]'"):
        clean([path], tmp_path / "out", "ray")


class RecordingRay:
    """Stands in for the `ray` module: records how `connect` calls `ray.init`."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def is_initialized(self) -> bool:
        return False

    def init(self, **options: Any) -> None:
        self.calls.append(options)


def test_connect_without_an_address_starts_a_local_ray_even_beside_a_running_cluster(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from zhclean.engines.ray import connect

    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    ray = RecordingRay()
    connect(ray, None)
    # address="local": without it ray.init joins a `ray start` cluster and refuses num_cpus.
    assert ray.calls[0]["address"] == "local"
    assert ray.calls[0]["num_cpus"] >= 1


def test_connect_joins_ray_address_from_the_environment_without_resource_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from zhclean.engines.ray import connect

    monkeypatch.setenv("RAY_ADDRESS", "10.0.0.5:6379")
    ray = RecordingRay()
    connect(ray, None)
    assert ray.calls[0]["address"] == "10.0.0.5:6379"
    assert "num_cpus" not in ray.calls[0]
    connect(ray, "auto")  # an explicit address wins
    assert ray.calls[1]["address"] == "auto"
