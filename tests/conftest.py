"""Shared fixtures. Every pipeline the suite runs is checked for conservation: each record
read ends up kept or rejected, exactly once (docs/ARCHITECTURE.md, conservation)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

import zhclean.cli.clean
import zhclean.engines.driver
from zhclean.demo.pages import demo_responses
from zhclean.io.shards import shard_paths
from zhclean.io.storage import StoragePath, parquet_file
from zhclean.io.warc_writer import write_warc
from zhclean.pipeline import Pipeline


def count_rows(directory: StoragePath) -> int:
    return sum(parquet_file(path).metadata.num_rows for path in shard_paths(directory))


def assert_output_conserves(result: zhclean.engines.driver.RunResult) -> None:
    stats = result.stats
    kept_rows = count_rows(result.out_dir / "kept")
    rejected_rows = count_rows(result.out_dir / "rejected")
    assert stats.kept + stats.rejected == stats.read, "stats lose records"
    assert (kept_rows, rejected_rows) == (stats.kept, stats.rejected), "shards and stats disagree"


@pytest.fixture(autouse=True)
def conservation_everywhere(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    original_run = Pipeline.run

    def checked_run(self: Pipeline, documents):  # type: ignore[no-untyped-def]
        read_before, kept_before, rejected_before = self.stats.read, self.stats.kept, self.stats.rejected
        outcomes = 0
        for outcome in original_run(self, documents):
            outcomes += 1
            yield outcome
        read = self.stats.read - read_before
        assert outcomes == read, f"pipeline read {read} records but gave {outcomes}"
        assert (self.stats.kept - kept_before) + (self.stats.rejected - rejected_before) == read

    original_clean = zhclean.engines.driver.run_clean

    @functools.wraps(original_clean)
    def checked_clean(*args, **kwargs):  # type: ignore[no-untyped-def]
        result = original_clean(*args, **kwargs)
        assert_output_conserves(result)
        return result

    monkeypatch.setattr(Pipeline, "run", checked_run)
    monkeypatch.setattr(zhclean.engines.driver, "run_clean", checked_clean)
    monkeypatch.setattr(zhclean.cli.clean, "run_clean", checked_clean)
    yield


@pytest.fixture(scope="session")
def demo_crawl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled demo crawl as a .warc.gz: pages in UTF-8, GBK and Big5, an image, a 404."""
    return write_warc(tmp_path_factory.mktemp("crawl") / "demo.warc.gz", demo_responses())
