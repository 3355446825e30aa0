"""datatrove with the FineWeb-2 Mandarin configuration, for benchmarks/compare.py: the
pipelines that run inside datatrove's own venv (`compare.py --child datatrove-*`), and
how the parent starts them. Imports nothing of zhclean: it runs in the peer's venv."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

# Children run through compare.py's `--child`, which dispatches back to this module.
COMPARE_SCRIPT = Path(__file__).resolve().parent / "compare.py"

from compare_process import measure  # noqa: E402  (a sibling module: this folder is on sys.path)

# FineWeb-2's per-language thresholds for Mandarin in Han script, from
# huggingface/fineweb-2 `configs/cmn_Hani.yml` (the values its `fineweb-2-pipeline.py`
# passes to the three filters; the stop words are that file's list).
FINEWEB2_CMN_HANI: dict[str, Any] = {
    "dup_line_frac": 0.287,
    "dup_n_grams": [[5, 0.198], [6, 0.182], [7, 0.167], [8, 0.154], [9, 0.14], [10, 0.127]],
    "top_n_grams": [[2, 0.256], [3, 0.201], [4, 0.171]],
    "line_punct_thr": 0.106,
    "new_line_ratio": 0.178,
    "max_avg_word_length": 5,
    "min_avg_word_length": 1,
    "max_non_alpha_words_ratio": 0.735,
    "stopwords": [
        "的",
        "年",
        "在",
        "月",
        "是",
        "和",
        "日",
        "了",
        "於",
        "·",
        "為",
        "有",
        "被",
        "人",
        "中",
        "为",
        "他",
        "與",
        "後",
        "也",
        "而",
        "由",
    ],
}

# -- datatrove (run inside its own venv: `--child datatrove-*`) --------------------------


def datatrove_filters() -> list[Any]:
    from datatrove.pipeline.filters import FineWebQualityFilter, GopherQualityFilter, GopherRepetitionFilter

    config = FINEWEB2_CMN_HANI
    # Arguments exactly as fineweb-2-pipeline.py passes them, language "cmn_Hani" (spaCy
    # blank "zh" with the jieba segmenter, per datatrove's tokenizer_assignment.csv).
    return [
        GopherRepetitionFilter(
            language="cmn_Hani",
            dup_para_frac=0,
            dup_line_char_frac=0,
            dup_para_char_frac=0,
            dup_line_frac=config["dup_line_frac"],
            top_n_grams=[tuple(pair) for pair in config["top_n_grams"]],
            dup_n_grams=[tuple(pair) for pair in config["dup_n_grams"]],
        ),
        FineWebQualityFilter(
            language="cmn_Hani",
            short_line_thr=999,
            char_duplicates_ratio=0.1,
            line_punct_thr=config["line_punct_thr"],
            new_line_ratio=config["new_line_ratio"],
        ),
        GopherQualityFilter(
            language="cmn_Hani",
            max_avg_word_length=config["max_avg_word_length"],
            min_avg_word_length=config["min_avg_word_length"],
            stop_words=config["stopwords"],
            max_non_alpha_words_ratio=config["max_non_alpha_words_ratio"],
            min_stop_words=2,
        ),
    ]


def datatrove_pipeline_child(source: Path, workdir: Path, stage: str) -> None:
    """One stage of the FineWeb-2 cmn_Hani pipeline, local executor, one task (one input
    file). Stages run as separate processes, as they do as separate jobs on a cluster
    (and because datatrove deep-copies a pipeline per task, which fails once a spaCy
    tokenizer shared through its tokenizer cache has been loaded in the process)."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import MinhashDedupCluster, MinhashDedupFilter, MinhashDedupSignature
    from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupBuckets
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.readers import JsonlReader, WarcReader
    from datatrove.pipeline.writers.jsonl import JsonlWriter
    from datatrove.utils.hashing import HashConfig

    filtered, minhash = workdir / "filtered", workdir / "minhash"
    # MinHash as FineWeb-2 configures it: xxhash 64-bit, 14 buckets × 8 hashes, 5-grams
    # of cmn_Hani words.
    config = MinhashConfig(
        hash_config=HashConfig(hash_fc="xxhash", precision=64), num_buckets=14, hashes_per_bucket=8, n_grams=5
    )
    tasks = 1
    pipeline: list[Any]
    if stage == "filter":
        if source.name.endswith((".warc.gz", ".warc")):
            pipeline = [
                WarcReader(str(source.parent), glob_pattern=source.name),
                Trafilatura(favour_precision=True),
            ]
        else:
            pipeline = [JsonlReader(str(source.parent), glob_pattern=source.name)]
        pipeline += [*datatrove_filters(), JsonlWriter(str(filtered))]
    elif stage == "signatures":
        pipeline = [
            JsonlReader(str(filtered)),
            MinhashDedupSignature(
                output_folder=str(minhash / "signatures"), config=config, language="cmn_Hani"
            ),
        ]
    elif stage == "buckets":
        pipeline = [
            MinhashDedupBuckets(
                input_folder=str(minhash / "signatures"),
                output_folder=str(minhash / "buckets"),
                config=config,
            )
        ]
        tasks = config.num_buckets
    elif stage == "clusters":
        pipeline = [
            MinhashDedupCluster(
                input_folder=str(minhash / "buckets"),
                output_folder=str(minhash / "remove_ids"),
                config=config,
            )
        ]
    else:  # "dedup-filter"
        pipeline = [
            JsonlReader(str(filtered)),
            MinhashDedupFilter(input_folder=str(minhash / "remove_ids")),
            JsonlWriter(str(workdir / "output")),
        ]
    LocalPipelineExecutor(pipeline, tasks=tasks, workers=1, logging_dir=str(workdir / "logs" / stage)).run()


DATATROVE_STAGES = ("filter", "signatures", "buckets", "clusters", "dedup-filter")


def datatrove_all_stages_child(source: Path, workdir: Path) -> None:

    for stage in DATATROVE_STAGES:
        command = [
            sys.executable,
            str(COMPARE_SCRIPT),
            "--child",
            f"datatrove-stage-{stage}",
            str(source),
            str(workdir),
        ]
        subprocess.run(command, check=True)

    def lines(folder: Path) -> int:
        return sum(sum(1 for _ in gzip.open(path, "rt")) for path in folder.glob("*.jsonl.gz"))

    counts: dict[str, Any] = {"after_filters": lines(workdir / "filtered"), "kept": lines(workdir / "output")}
    # datatrove's own counters of the filter stage: how many records its reader produced
    # and how many pages its extractor skipped (timeouts): skipped pages cost no filter time.
    counts["filter_stage"] = datatrove_step_counters(workdir / "logs" / "filter" / "stats.json")
    (workdir / "counts.json").write_text(json.dumps(counts))


def datatrove_step_counters(stats_file: Path) -> dict[str, dict[str, float]]:
    """{step name: {counter: total}} from a datatrove executor's stats.json."""
    if not stats_file.exists():
        return {}
    data = json.loads(stats_file.read_text())
    steps = data if isinstance(data, list) else data.get("stats", [])
    counters: dict[str, dict[str, float]] = {}
    for step in steps:
        values: dict[str, float] = {}
        for key, value in step.get("stats", {}).items():
            total = value.get("total") if isinstance(value, dict) else value
            if isinstance(total, (int, float)):
                values[key] = total
        counters[step.get("name", "?")] = values
    return counters


def datatrove_extract_child(pages: Path, out: Path) -> None:
    """datatrove's Trafilatura extractor (FineWeb settings) on each page's decoded HTML."""
    from datatrove.pipeline.extractors import Trafilatura

    extractor = Trafilatura(favour_precision=True)
    with pages.open(encoding="utf-8") as lines, out.open("w", encoding="utf-8") as results:
        for line in lines:
            page = json.loads(line)
            try:
                text = extractor.extract(page["html"]) or ""
            except Exception as error:  # a crash on a page scores 0 there
                text = ""
                print(f"{page['id']}: {type(error).__name__}", file=sys.stderr)
            results.write(json.dumps({"id": page["id"], "text": text}, ensure_ascii=False) + "\n")


def datatrove_labelled_child(labelled: Path, out: Path) -> None:
    """Each document through the three filters; the first that drops it is recorded."""
    from datatrove.data import Document as DatatroveDocument

    filters = datatrove_filters()
    with labelled.open(encoding="utf-8") as lines, out.open("w", encoding="utf-8") as results:
        for line in lines:
            row = json.loads(line)
            document = DatatroveDocument(text=row["text"], id=row["id"])
            reason = None
            for step in filters:
                verdict = step.filter(document)
                passed, why = verdict if isinstance(verdict, tuple) else (verdict, "")
                if not passed:
                    reason = f"{type(step).__name__}.{why}"
                    break
            results.write(json.dumps({"id": row["id"], "reason": reason}) + "\n")


# What the datatrove pipeline needs beyond datatrove[processing]: its readers and its
# trafilatura import these only when a step starts, so a gap fails every run, not the set-up.
DATATROVE_RUNTIME_MODULES = ("datatrove", "warcio", "orjson", "trafilatura", "spacy", "jieba")


def missing_datatrove_modules(python: str) -> str:
    """The first module of DATATROVE_RUNTIME_MODULES `python` cannot import, with its error."""
    probe = "import " + ", ".join(DATATROVE_RUNTIME_MODULES)
    result = subprocess.run([python, "-c", probe], capture_output=True, text=True)
    return "" if result.returncode == 0 else (result.stderr.strip().splitlines() or ["?"])[-1]


def run_child(python: str, child: str, *arguments: Path, log: Path) -> dict[str, Any]:
    command = [python, str(COMPARE_SCRIPT), "--child", child, *map(str, arguments)]
    return measure(command, log) | {"command": " ".join(command)}
