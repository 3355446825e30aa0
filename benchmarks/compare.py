"""zhclean against its peers on the same inputs, same machine, same run; writes RESULTS.md.

    python benchmarks/compare.py ../shared/data \\
        --datatrove-python /tmp/peers-dt/bin/python --data-juicer-python /tmp/peers-dj/bin/python

Systems, each run as its users run it, as a whole process (start-up included):

* zhclean: `zhclean clean INPUT -o OUT --recipe default`.
* datatrove with the FineWeb-2 Mandarin (`cmn_Hani`) configuration: WarcReader (or
  JsonlReader for text) → Trafilatura(favour_precision=True) → GopherRepetitionFilter →
  FineWebQualityFilter → GopherQualityFilter with the cmn_Hani thresholds → MinHash
  (signatures, buckets, clusters, filter), on a LocalPipelineExecutor.
* data-juicer: the operators of its Chinese recipe (`alpaca-cot-zh-refine.yaml`), by its
  own `dj-process` command, on text input (it has no WARC reader or main-content extractor).

The peers live in their own virtual environments (`--datatrove-python`,
`--data-juicer-python`): `datatrove[processing]` pins trafilatura 1.x and installs
`fasttext-numpy2-wheel`, which would overwrite zhclean's `fasttext` module (DESIGN.md),
so it must not go into zhclean's venv. Set-up used for RESULTS.md:

    python3 -m venv /tmp/peers-dt && /tmp/peers-dt/bin/pip install 'datatrove[processing]' \\
        spacy jieba faust-cchardet python-magic
    python3 -m venv /tmp/peers-dj && /tmp/peers-dj/bin/pip install py-data-juicer aiohttp

Measured per system and input: records/s per core = records / CPU seconds of the whole
process tree (user + system, sampled every 0.1 s with psutil, so a forked worker counts;
on a shared 2-core machine CPU seconds are steadier than wall time), wall seconds,
peak memory (the largest single process's `ru_maxrss`, and the peak of the tree's summed
RSS), kept share. Quality: extraction F1 on the human-gold pages (the metric of
benchmarks/extraction.py; the same decoded HTML goes to every extractor), and the share
of `high` and `spam` documents of quality/labelled.jsonl each system's filters drop
(dedup drops are not counted: they are not a quality verdict).

Input: `crawl/dev-crawl.warc.gz` concatenated `--crawl-repeat` times (default 25, 5,200
records). Repeated records are real duplicates: dedup legitimately drops all copies but
one, so the kept share of that input is small for every system that deduplicates.
`web/inews.jsonl` once. `--scaling` runs zhclean on 1×, 4× and 16× (dev crawl + inews)
and plots time and memory (needs matplotlib).

Prints JSON; `--results` writes the Markdown report.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent

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


# -- measuring a process tree -------------------------------------------------------------


def measure(
    command: list[str], log: Path, env: dict[str, str] | None = None, timeout_seconds: float = 1800
) -> dict[str, Any]:
    """Run `command`; wall seconds, CPU seconds and peak memory of its whole process tree.
    A run past `timeout_seconds` is killed (its process group) and marked so."""
    import signal

    import psutil

    began = time.perf_counter()
    with log.open("w") as log_file:
        process = subprocess.Popen(
            command, stdout=log_file, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            os.killpg(process.pid, signal.SIGKILL)

        killer = threading.Timer(timeout_seconds, kill)
        killer.start()
        cpu_by_pid: dict[tuple[int, float], float] = {}
        peak_tree_rss = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak_tree_rss
            root = psutil.Process(process.pid)
            while not done.is_set():
                try:
                    members = [root, *root.children(recursive=True)]
                except psutil.NoSuchProcess:
                    break
                tree_rss = 0
                for member in members:
                    try:
                        with member.oneshot():
                            times = member.cpu_times()
                            key = (member.pid, member.create_time())
                            cpu_by_pid[key] = times.user + times.system
                            tree_rss += member.memory_info().rss
                    except psutil.Error:
                        continue
                peak_tree_rss = max(peak_tree_rss, tree_rss)
                done.wait(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        done.set()
        killer.cancel()
        sampler.join()
    wall = time.perf_counter() - began
    # The root's own rusage is exact; its descendants as last sampled (each loses at most
    # one sampling interval of CPU at its end).
    root_cpu = usage.ru_utime + usage.ru_stime
    others = sum(value for (pid, _), value in cpu_by_pid.items() if pid != process.pid)
    return {
        "exit_code": os.waitstatus_to_exitcode(status),
        **({"timed_out_after_seconds": timeout_seconds} if timed_out.is_set() else {}),
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(root_cpu + others, 2),
        # wait4: the root and the descendants it waited for; the largest one counts.
        "max_process_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "peak_tree_rss_mb": round(peak_tree_rss / 2**20, 1),
    }


# -- inputs -------------------------------------------------------------------------------


def repeated_file(source: Path, times: int, target: Path) -> Path:
    """`source` repeated `times` times. Contents repeat exactly (real duplicates, which
    dedup rightly drops), but every copy gets its own record ids, as records of a real
    crawl or dump have: a WARC-Record-ID gets a new UUID (derived from the copy number and
    the original id), a JSONL `id` the suffix `~copyN`. Copy 0 keeps the original ids."""
    if target.exists():
        return target
    if source.name.endswith(".warc.gz"):
        members = list(gzip_members(source.read_bytes()))
        with target.open("wb") as out:
            for copy in range(times):
                for member in members:
                    out.write(gzip.compress(renumbered_warc_record(member, copy), compresslevel=6))
        return target
    rows = [json.loads(line) for line in source.open(encoding="utf-8") if line.strip()]
    with target.open("w", encoding="utf-8") as out:
        for copy in range(times):
            for row in rows:
                if copy:
                    row = {**row, "id": f"{row['id']}~copy{copy}"}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return target


def gzip_members(data: bytes) -> Iterator[bytes]:
    """The decompressed members of a multi-member gzip file (one WARC record each)."""
    while data:
        decompressor = zlib.decompressobj(31)
        yield decompressor.decompress(data) + decompressor.flush()
        data = decompressor.unused_data


WARC_RECORD_ID = re.compile(rb"^WARC-Record-ID: *<urn:uuid:([0-9a-fA-F-]{36})>", re.MULTILINE)


def renumbered_warc_record(record: bytes, copy: int) -> bytes:
    if copy == 0:
        return record
    header_end = record.find(b"\r\n\r\n")

    def new_id(match: re.Match[bytes]) -> bytes:
        fresh = uuid.uuid5(uuid.NAMESPACE_URL, f"{copy}:{match.group(1).decode()}")
        return b"WARC-Record-ID: <urn:uuid:" + str(fresh).encode() + b">"

    return WARC_RECORD_ID.sub(new_id, record[:header_end], count=1) + record[header_end:]


def count_records(path: Path) -> int:
    if path.name.endswith((".warc.gz", ".warc")):
        from fastwarc.warc import ArchiveIterator, WarcRecordType

        with path.open("rb") as stream:
            return sum(1 for _ in ArchiveIterator(stream, record_types=WarcRecordType.response))
    with path.open("rb") as stream:
        return sum(1 for line in stream if line.strip())


# -- zhclean ------------------------------------------------------------------------------


def zhclean_command() -> list[str]:
    return [str(Path(sys.executable).with_name("zhclean"))]


def run_zhclean(
    source: Path, workdir: Path, recipe: str = "default", workers: int | None = None
) -> dict[str, Any]:
    out = workdir / f"zhclean-{source.name}-{recipe}"
    command = [
        *zhclean_command(),
        "clean",
        str(source),
        "-o",
        str(out),
        "--recipe",
        recipe,
        "--overwrite",
        "--no-progress",
    ]
    if workers:
        command += ["--workers", str(workers)]
    result = measure(command, workdir / f"{out.name}.log")
    result["command"] = " ".join(["zhclean", *command[1:]])
    stats = json.loads((out / "stats.json").read_text())
    result.update({"records": stats["read"], "kept": stats["kept"], "workers": stats.get("workers")})
    result["output"] = str(out)
    return result


def zhclean_rejected_ids(out: Path) -> dict[str, str]:
    import pyarrow.parquet as pq

    reasons: dict[str, str] = {}
    for shard in sorted((out / "rejected").glob("*.parquet")):
        table = pq.read_table(shard, columns=["id", "reason"])
        reasons.update(zip(table.column("id").to_pylist(), table.column("reason").to_pylist(), strict=True))
    return reasons


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
    import gzip

    for stage in DATATROVE_STAGES:
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            f"datatrove-stage-{stage}",
            str(source),
            str(workdir),
        ]
        subprocess.run(command, check=True)

    def lines(folder: Path) -> int:
        return sum(sum(1 for _ in gzip.open(path, "rt")) for path in folder.glob("*.jsonl.gz"))

    counts = {"after_filters": lines(workdir / "filtered"), "kept": lines(workdir / "output")}
    (workdir / "counts.json").write_text(json.dumps(counts))


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


def run_child(python: str, child: str, *arguments: Path, log: Path) -> dict[str, Any]:
    command = [python, str(Path(__file__).resolve()), "--child", child, *map(str, arguments)]
    return measure(command, log) | {"command": " ".join(command)}


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


# -- quality ------------------------------------------------------------------------------


def extraction_quality(data: Path, workdir: Path, datatrove_python: str | None) -> dict[str, Any]:
    sys.path.insert(0, str(BENCHMARKS))
    import extraction  # benchmarks/extraction.py: the metric and the page loader

    pages, _ = extraction.load_pages(data / "extraction" / "pages.jsonl")
    human = [page for page in pages if page["gold_kind"] == "human"]

    def mean_f1(texts: list[str]) -> float:
        scores = [
            extraction.bigram_scores(text, page["gold_text"])[2]
            for text, page in zip(texts, human, strict=True)
        ]
        return round(sum(scores) / len(scores), 4)

    result: dict[str, Any] = {"pages": len(human)}
    texts, _ = extraction.run_extractor(extraction.zhclean_extractor(), human)
    result["zhclean"] = mean_f1(texts)
    texts, _ = extraction.run_extractor(extraction.trafilatura_extractor(), human)
    result["trafilatura_in_zhclean_venv"] = mean_f1(texts)
    if datatrove_python:
        pages_file, texts_file = workdir / "human-pages.jsonl", workdir / "datatrove-texts.jsonl"
        with pages_file.open("w", encoding="utf-8") as out:
            for page in human:
                out.write(json.dumps({"id": page["id"], "html": page["html"]}, ensure_ascii=False) + "\n")
        run_child(
            datatrove_python, "datatrove-extract", pages_file, texts_file, log=workdir / "dt-extract.log"
        )
        by_id = {row["id"]: row["text"] for row in map(json.loads, texts_file.open(encoding="utf-8"))}
        result["datatrove"] = mean_f1([by_id.get(page["id"], "") for page in human])
        pages_file.unlink()  # decoded third-party pages: do not leave them around
    return result


def labelled_drops(labels: dict[str, str], dropped: set[str]) -> dict[str, float]:
    totals = Counter(labels.values())
    dropped_by_label = Counter(labels[doc_id] for doc_id in dropped if doc_id in labels)
    return {
        label: round(dropped_by_label[label] / totals[label], 4)
        for label in ("high", "spam", "ham", "clean", "dirty")
        if totals[label]
    }


def labelled_quality(
    data: Path, workdir: Path, datatrove_python: str | None, dj_python: str | None
) -> dict[str, Any]:
    labelled = data / "quality" / "labelled.jsonl"
    labels = {row["id"]: row["label"] for row in map(json.loads, labelled.open(encoding="utf-8"))}
    result: dict[str, Any] = {"documents": dict(Counter(labels.values()))}
    run = run_zhclean(labelled, workdir)
    reasons = zhclean_rejected_ids(Path(run["output"]))
    not_dedup = {
        doc_id for doc_id, reason in reasons.items() if not reason.startswith(("exact_dup.", "minhash."))
    }
    result["zhclean"] = labelled_drops(labels, not_dedup)
    if datatrove_python:
        out = workdir / "datatrove-labelled.jsonl"
        run_child(datatrove_python, "datatrove-labelled", labelled, out, log=workdir / "dt-labelled.log")
        dropped = {row["id"] for row in map(json.loads, out.open()) if row["reason"]}
        result["datatrove"] = labelled_drops(labels, dropped)
    if dj_python:
        dj = run_data_juicer(dj_python, labelled, workdir, DATA_JUICER_ZH_FILTERS, "labelled")
        if "error" in dj:
            operators = [op for op in DATA_JUICER_ZH_FILTERS if "flagged_words_filter" not in op]
            dj = run_data_juicer(dj_python, labelled, workdir, operators, "labelled-offline")
            result["data_juicer_note"] = "flagged_words_filter left out (it could not run offline)"
        if "error" in dj:
            result["data_juicer"] = {"error": dj["error"]}
        else:
            kept = set(dj["kept_ids"])
            result["data_juicer"] = labelled_drops(labels, set(labels) - kept)
    return result


# -- throughput ---------------------------------------------------------------------------


def throughput(
    inputs: dict[str, Path], workdir: Path, datatrove_python: str | None, dj_python: str | None
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name, source in inputs.items():
        records = count_records(source)
        entry: dict[str, Any] = {"records": records}
        run = run_zhclean(source, workdir)
        run.pop("output")
        entry["zhclean"] = run
        if datatrove_python:
            child_dir = workdir / f"datatrove-{name}"
            shutil.rmtree(child_dir, ignore_errors=True)
            child_dir.mkdir(parents=True)
            run = run_child(
                datatrove_python, "datatrove-pipeline", source, child_dir, log=child_dir / "run.log"
            )
            counts_file = child_dir / "counts.json"
            if counts_file.exists():
                run.update(json.loads(counts_file.read_text()))
            run["records"] = records
            entry["datatrove"] = run
        if dj_python and name == "inews":
            operators = DATA_JUICER_ZH_FILTERS + DATA_JUICER_ZH_DEDUP
            run = run_data_juicer(dj_python, source, workdir, operators, name)
            note = None
            if "error" in run:
                first_error = run["error"]
                operators = [op for op in operators if "flagged_words_filter" not in op]
                run = run_data_juicer(dj_python, source, workdir, operators, f"{name}-offline")
                note = {"flagged_words_filter_error": first_error}
            run.pop("kept_ids", None)
            run["records"] = records
            if note:
                run["note"] = note
            entry["data_juicer"] = run
        for system in ("zhclean", "datatrove", "data_juicer"):
            run = entry.get(system)
            if run and run.get("exit_code") == 0 and run.get("cpu_seconds"):
                run["records_per_cpu_second"] = round(records / run["cpu_seconds"], 2)
                if "kept" in run:
                    run["kept_share"] = round(run["kept"] / records, 4)
        if "datatrove" in entry and entry["datatrove"].get("records_per_cpu_second"):
            entry["zhclean_vs_datatrove_per_core"] = round(
                entry["zhclean"]["records_per_cpu_second"] / entry["datatrove"]["records_per_cpu_second"], 2
            )
        results[name] = entry
    return results


# -- scaling ------------------------------------------------------------------------------


def scaling(data: Path, workdir: Path, factors: list[int], plot: Path | None) -> dict[str, Any]:
    crawl = data / "crawl" / "dev-crawl.warc.gz"
    inews = data / "web" / "inews.jsonl"
    rows = []
    for factor in factors:
        folder = workdir / f"scale-{factor}x"
        folder.mkdir(parents=True, exist_ok=True)
        sources = [
            repeated_file(crawl, factor, folder / "crawl.warc.gz"),
            repeated_file(inews, factor, folder / "inews.jsonl"),
        ]
        out = workdir / f"scale-out-{factor}x"
        command = [
            *zhclean_command(),
            "clean",
            *map(str, sources),
            "-o",
            str(out),
            "--overwrite",
            "--no-progress",
        ]
        run = measure(command, workdir / f"scale-{factor}x.log")
        stats = json.loads((out / "stats.json").read_text())
        rows.append(
            {
                "factor": factor,
                "records": stats["read"],
                "kept": stats["kept"],
                **{
                    key: run[key]
                    for key in ("wall_seconds", "cpu_seconds", "max_process_rss_mb", "peak_tree_rss_mb")
                },
            }
        )
        shutil.rmtree(out, ignore_errors=True)
    result: dict[str, Any] = {
        "command": "zhclean clean crawl.warc.gz inews.jsonl -o OUT (recipe default, 2 workers)",
        "rows": rows,
    }
    if plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
        records = [row["records"] for row in rows]
        left.plot(records, [row["wall_seconds"] for row in rows], "o-", label="wall s")
        left.plot(records, [row["cpu_seconds"] for row in rows], "s--", label="CPU s (all processes)")
        left.set_xlabel("records")
        left.set_ylabel("seconds")
        left.set_title("time")
        left.legend()
        right.plot(records, [row["max_process_rss_mb"] for row in rows], "o-", label="largest process")
        right.plot(records, [row["peak_tree_rss_mb"] for row in rows], "s--", label="all processes")
        right.set_xlabel("records")
        right.set_ylabel("peak RSS (MB)")
        right.set_ylim(bottom=0)
        right.set_title("memory")
        right.legend()
        figure.suptitle("zhclean clean --recipe default: dev crawl + inews at 1×, 4×, 16×")
        figure.tight_layout()
        figure.savefig(plot, dpi=110)
        result["plot"] = plot.name
    return result


# -- report -------------------------------------------------------------------------------


def versions(datatrove_python: str | None, dj_python: str | None) -> dict[str, str]:
    from importlib.metadata import version

    found = {
        "python": platform.python_version(),
        "zhclean": version("zhclean"),
        "trafilatura (zhclean venv)": version("trafilatura"),
    }

    def peer(python: str, packages: list[str]) -> None:
        listed = repr(packages)
        code = f"import importlib.metadata as m, json; print(json.dumps({{p: m.version(p) for p in {listed}}}))"  # noqa: E501
        completed = subprocess.run([python, "-c", code], capture_output=True, text=True, check=False)
        if completed.returncode == 0:
            found.update(json.loads(completed.stdout))

    if datatrove_python:
        peer(datatrove_python, ["datatrove", "trafilatura", "spacy", "jieba"])
    if dj_python:
        peer(dj_python, ["py-data-juicer"])
    return found


def machine() -> dict[str, str]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "memory_gb": f"{int(memory) / 2**20:.0f}",
        "os": platform.platform(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=Path("../shared/data"))
    parser.add_argument(
        "--datatrove-python", help="python of a venv with datatrove[processing] (skipped when absent)"
    )
    parser.add_argument(
        "--data-juicer-python", help="python of a venv with py-data-juicer (skipped when absent)"
    )
    parser.add_argument(
        "--crawl-repeat", type=int, default=25, help="copies of the dev crawl (25 → 5,200 records)"
    )
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "zhclean-compare")
    parser.add_argument("--scaling", default="1,4,16", help="factors for the scaling run; empty skips it")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument(
        "--results", type=Path, help="write the JSON here (RESULTS.md is written by hand from it)"
    )
    parser.add_argument("--plot", type=Path, default=BENCHMARKS / "scaling.png")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("child_arguments", nargs="*", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.child:
        first, *rest = [arguments.data, *arguments.child_arguments]
        if arguments.child == "datatrove-pipeline":
            datatrove_all_stages_child(first, rest[0])
        elif arguments.child.startswith("datatrove-stage-"):
            datatrove_pipeline_child(first, rest[0], arguments.child.removeprefix("datatrove-stage-"))
        elif arguments.child == "datatrove-extract":
            datatrove_extract_child(first, rest[0])
        elif arguments.child == "datatrove-labelled":
            datatrove_labelled_child(first, rest[0])
        return 0

    data: Path = arguments.data
    workdir: Path = arguments.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(arguments.datatrove_python, arguments.data_juicer_python),
    }
    began = time.perf_counter()
    if not arguments.skip_throughput:
        inputs = {
            "crawl": repeated_file(
                data / "crawl" / "dev-crawl.warc.gz",
                arguments.crawl_repeat,
                workdir / f"crawl-x{arguments.crawl_repeat}.warc.gz",
            ),
            "inews": data / "web" / "inews.jsonl",
        }
        report["throughput"] = throughput(
            inputs, workdir, arguments.datatrove_python, arguments.data_juicer_python
        )
    if not arguments.skip_quality:
        report["extraction_f1_human"] = extraction_quality(data, workdir, arguments.datatrove_python)
        report["labelled_dropped_share"] = labelled_quality(
            data, workdir, arguments.datatrove_python, arguments.data_juicer_python
        )
    if arguments.scaling:
        factors = [int(value) for value in arguments.scaling.split(",")]
        report["scaling"] = scaling(data, workdir, factors, arguments.plot)
    report["seconds"] = round(time.perf_counter() - began, 1)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if arguments.results:
        arguments.results.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
