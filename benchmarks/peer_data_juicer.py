"""data-juicer with the operators of its Chinese recipe, for benchmarks/compare.py: run by
its own `dj-process` command in its own venv."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from compare_process import measure  # noqa: E402  (a sibling module: this folder is on sys.path)

# data-juicer's Chinese recipe: the operators of `configs/data_juicer_recipes/alpaca_cot/
# alpaca-cot-zh-refine.yaml` (its only Chinese text recipe), same parameters.
DATA_JUICER_ZH_FILTERS: list[dict[str, Any]] = [
    {"alphanumeric_filter": {"tokenization": False, "min_ratio": 0.10}},
    {"character_repetition_filter": {"rep_len": 10, "max_ratio": 0.6}},
    {"flagged_words_filter": {"lang": "zh", "tokenization": True, "use_words_aug": True, "max_ratio": 0.017}},
    {"text_length_filter": {"min_len": 10}},
]
DATA_JUICER_ZH_DEDUP: list[dict[str, Any]] = [
    {"document_deduplicator": {"lowercase": True, "ignore_non_character": True}},
    {
        "document_simhash_deduplicator": {
            "tokenization": "character",
            "window_size": 4,
            "lowercase": True,
            "ignore_pattern": "\\p{P}",
            "num_blocks": 10,
            "hamming_distance": 8,
        }
    },
]


# -- data-juicer --------------------------------------------------------------------------


def data_juicer_config(source: Path, export: Path, operators: list[dict[str, Any]], workers: int) -> str:
    import yaml  # type: ignore[import-untyped]

    return yaml.safe_dump(
        {
            "project_name": "zhclean-compare",
            "dataset_path": str(source),
            "export_path": str(export),
            "np": workers,
            "text_keys": "text",
            "open_tracer": False,
            "process": operators,
        },
        allow_unicode=True,
    )


def run_data_juicer(
    python: str, source: Path, workdir: Path, operators: list[dict[str, Any]], tag: str
) -> dict[str, Any]:
    run_dir = workdir / f"dj-{tag}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    export = run_dir / "out.jsonl"
    config = run_dir / "recipe.yaml"
    config.write_text(data_juicer_config(source, export, operators, workers=1))
    dj_process = str(Path(python).with_name("dj-process"))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_CACHE": str(run_dir / "hf-cache")}
    result = measure([dj_process, "--config", str(config)], run_dir / "run.log", env=env)
    result["command"] = f"dj-process --config {config}"
    if result["exit_code"] != 0 or not export.exists():
        tail = (run_dir / "run.log").read_text(errors="replace").splitlines()
        errors = [line for line in tail if "Error" in line or "error" in line]
        result["error"] = errors[-3:] if errors else tail[-5:]
        return result
    result["kept_ids"] = [json.loads(line).get("id") for line in export.open(encoding="utf-8")]
    result["kept"] = len(result["kept_ids"])
    return result


def run_data_juicer_offline(
    python: str, source: Path, workdir: Path, operators: list[dict[str, Any]], tag: str
) -> tuple[dict[str, Any], list[str] | None]:
    """`run_data_juicer`, and when that fails, again without `flagged_words_filter`, which
    downloads its word list on first use and so cannot run offline. Returns the run and
    the first attempt's error (None when it ran)."""
    run = run_data_juicer(python, source, workdir, operators, tag)
    if "error" not in run:
        return run, None
    offline = [operator for operator in operators if "flagged_words_filter" not in operator]
    return run_data_juicer(python, source, workdir, offline, f"{tag}-offline"), run["error"]
