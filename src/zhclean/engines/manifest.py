"""The output directory's bookkeeping: `_manifest.json` (what the run was made from and
which units and dedup stages are complete) and the rules for reusing a directory
(`--overwrite`, `--resume`)."""

from __future__ import annotations

import json
from typing import Any

from zhclean.engines.plan import Unit
from zhclean.engines.unit import work_dir
from zhclean.io.shards import shard_paths
from zhclean.io.storage import StoragePath, remove_tree, write_text_atomic
from zhclean.pipeline import PipelineStats

# The run's own files. Their names start with an underscore, which pyarrow, pandas,
# polars, DuckDB and 🤗 datasets skip when they read a directory of Parquet files, so
# `pandas.read_parquet(OUT)` reads the shards and nothing else.
STATS_NAME = "_stats.json"
MANIFEST_NAME = "_manifest.json"
# Entries the output directory may hold that a run owns (and `--overwrite` replaces);
# `stats.json` and `manifest.json` are the names older versions gave the run's files.
OWNED_OUTPUTS = (
    "kept",
    "rejected",
    "_work",
    STATS_NAME,
    MANIFEST_NAME,
    "stats.json",
    "manifest.json",
    "report.html",
)


class OutputError(Exception):
    """The output directory cannot be used as asked."""


def prepare_output(out_dir: StoragePath, overwrite: bool) -> None:
    if out_dir.is_file():
        raise OutputError(f"output {out_dir} exists and is not a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not overwrite:
            if unfinished_run(out_dir):
                raise OutputError(
                    f"output directory {out_dir} holds an interrupted run; pass --resume to continue it "
                    "(same inputs and recipe), or --overwrite to start again"
                )
            raise OutputError(
                f"output directory {out_dir} is not empty; pass --overwrite to replace its results"
            )
        for name in OWNED_OUTPUTS:
            target = out_dir / name
            if target.is_dir():
                remove_tree(target)
            elif target.exists():
                target.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)


def unfinished_run(out_dir: StoragePath) -> bool:
    path = out_dir / MANIFEST_NAME
    if not path.exists():
        return False
    try:
        return not json.loads(path.read_text(encoding="utf-8")).get("finished", False)
    except (OSError, ValueError):
        return False


class Manifest:
    """`_manifest.json`: what this output was made from, and which units (and dedup stages)
    are complete, with their counts and shards. Rewritten atomically after each unit."""

    def __init__(self, path: StoragePath, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data
        self.deferred = False

    def defer_saves(self) -> None:
        """Records what completes in memory only, until `finish` writes it all: for a run
        that keeps nothing a resumed run could start from (work held in memory)."""
        self.deferred = True

    def save(self) -> None:
        if self.deferred:
            return
        # Compact, so json's C encoder writes it: the manifest is rewritten after every
        # unit and grows with them, and with indentation (the pure-Python encoder) a
        # 2,000-unit manifest took 0.55 s a save instead of 0.09 s.
        write_text_atomic(self.path, json.dumps(self.data, ensure_ascii=False, separators=(",", ":")))

    def unit_stats(self, segment: int, unit_index: int) -> PipelineStats | None:
        entry = self.data["completed"].get(str(segment), {}).get(str(unit_index))
        return PipelineStats.from_dict(entry["stats"]) if entry else None

    def mark_unit(self, segment: int, unit: Unit, stats: PipelineStats, out_dir: StoragePath) -> None:
        shards = {
            directory.name if directory.parent == out_dir else f"_work/{directory.name}": [
                path.name for path in shard_paths(directory) if path.name.startswith(unit.prefix + "-")
            ]
            for directory in (out_dir / "kept", out_dir / "rejected", work_dir(out_dir, segment))
        }
        self.data["completed"].setdefault(str(segment), {})[str(unit.index)] = {
            "path": str(unit.path),
            "stats": stats.as_dict(),
            "shards": {key: value for key, value in shards.items() if value},
        }
        self.save()

    def dedup_stats(self, segment: int) -> dict[str, Any] | None:
        return self.data["dedup"].get(str(segment))

    def mark_dedup(self, segment: int, done: dict[str, Any]) -> None:
        self.data["dedup"][str(segment)] = done
        self.save()

    def finish(self) -> None:
        self.data["finished"] = True
        self.deferred = False
        self.save()


def open_manifest(
    out_dir: StoragePath, identity: dict[str, Any], *, overwrite: bool, resume: bool
) -> Manifest:
    path = out_dir / MANIFEST_NAME
    if resume and path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        mismatched = [key for key, value in identity.items() if data.get("identity", {}).get(key) != value]
        if mismatched:
            raise OutputError(
                f"cannot resume {out_dir}: it was made with other {', '.join(mismatched)}; "
                "rerun with the same inputs and recipe, or use --overwrite"
            )
        data["finished"] = False
        return Manifest(path, data)
    if resume and out_dir.is_dir() and any(out_dir.iterdir()):
        raise OutputError(
            f"cannot resume {out_dir}: it has no {MANIFEST_NAME}; use --overwrite to start again"
        )
    prepare_output(out_dir, overwrite)
    manifest = Manifest(path, {"identity": identity, "completed": {}, "dedup": {}, "finished": False})
    manifest.save()
    return manifest
