"""On the real dev data (../shared/data, when it is beside the checkout): the Ray engine on a
local Ray with 2 CPUs keeps exactly the documents the local engine keeps, `default` recipe."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from zhclean.engines import run_clean
from zhclean.io.shards import shard_paths
from zhclean.recipe import load_recipe

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SHARED_DATA = Path(
    os.environ.get("ZHCLEAN_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data")
)
INPUTS = [SHARED_DATA / "crawl" / "dev-crawl.warc.gz", SHARED_DATA / "web" / "inews.jsonl"]


def ids(out: Path, folder: str) -> list[str]:
    return sorted(
        row
        for path in shard_paths(out / folder)
        for row in pq.read_table(path, columns=["id"]).column("id").to_pylist()
    )


@pytest.mark.slow
def test_local_and_ray_keep_the_same_documents_of_the_dev_data(tmp_path: Path) -> None:
    if not all(path.exists() for path in INPUTS):
        pytest.skip(f"the dev data is not at {SHARED_DATA} (set ZHCLEAN_SHARED_DATA)")
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.data")
    recipe = load_recipe("default")
    common = dict(recipe_name=recipe.name, recipe_fingerprint=recipe.fingerprint(), show_progress=False)
    # The local run goes first and in this process (workers=1): no fork next to Ray's threads.
    run_clean(INPUTS, tmp_path / "local", recipe.steps, workers=1, **common)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    try:
        run_clean(INPUTS, tmp_path / "ray", recipe.steps, workers=2, engine="ray", **common)
    finally:
        ray.shutdown()
    assert ids(tmp_path / "ray", "kept") == ids(tmp_path / "local", "kept")
    assert ids(tmp_path / "ray", "rejected") == ids(tmp_path / "local", "rejected")
    assert len(ids(tmp_path / "local", "kept")) > 5000
