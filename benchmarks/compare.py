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
`fasttext-numpy2-wheel`, which would overwrite zhclean's `fasttext` module (docs/ARCHITECTURE.md),
so it must not go into zhclean's venv. Set-up used for RESULTS.md:

    python3 -m venv /tmp/peers-dt && /tmp/peers-dt/bin/pip install 'datatrove[processing]' \\
        spacy jieba faust-cchardet python-magic warcio orjson lxml_html_clean
    python3 -m venv /tmp/peers-dj && /tmp/peers-dj/bin/pip install py-data-juicer aiohttp

Measured per system and input: records/s per core = records / CPU seconds of the whole
process tree (user + system, from RUSAGE_CHILDREN with compare.py as subreaper, so a
forked worker counts; on a shared 2-core machine CPU seconds are steadier than wall time),
wall seconds, peak memory (the largest single process's `ru_maxrss`, and the peak of the
tree's summed RSS, sampled every 0.1 s with psutil), kept share. Quality: extraction F1 on the human-gold pages (the metric of
benchmarks/extraction.py; the same decoded HTML goes to every extractor), and the share
of `high` and `spam` documents of quality/labelled.jsonl each system's filters drop
(dedup drops are not counted: they are not a quality verdict).

Input: `crawl/dev-crawl.warc.gz` concatenated `--crawl-repeat` times (default 25, 5,200
records). Repeated records are real duplicates: dedup legitimately drops all copies but
one, so the kept share of that input is small for every system that deduplicates.
`web/inews.jsonl` once. `--scaling` runs zhclean on 1×, 4× and 16× (dev crawl + inews),
with the `default` recipe and with `heuristics` (the same without dedup, to show memory
outside the dedup index), and plots time and memory to benchmarks/scaling.png (needs
matplotlib: the `bench` extra).

Prints the JSON report, writes benchmarks/RESULTS.md from it (`--markdown`), and the JSON
itself with `--results`; `--render JSON` rewrites RESULTS.md from a saved JSON report.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import platform
import re
import resource
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

    # The 1-minute load average before and after: other people's jobs on a shared machine
    # slow every figure down, so the report says how busy the machine was.
    load_before = os.getloadavg()[0]
    become_subreaper()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
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
    reap_orphans()
    # CPU seconds of the whole tree. The kernel adds a process's CPU to its parent's
    # "children" account when the parent reaps it, all the way up; orphans were reparented
    # to this process (subreaper) and reaped above. So the growth of this process's
    # RUSAGE_CHILDREN is exact for the whole tree. (Adding the root's wait4 rusage to the
    # sampled CPU of its descendants, as an earlier version did, counts every reaped
    # descendant twice: wait4 already includes them.)
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    tree_cpu = (children_after.ru_utime - children_before.ru_utime) + (
        children_after.ru_stime - children_before.ru_stime
    )
    return {
        "exit_code": os.waitstatus_to_exitcode(status),
        **({"timed_out_after_seconds": timeout_seconds} if timed_out.is_set() else {}),
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(tree_cpu, 2),
        # wait4: the root and the descendants it waited for; the largest one counts.
        "max_process_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "peak_tree_rss_mb": round(peak_tree_rss / 2**20, 1),
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def become_subreaper() -> None:
    """Make this process the reaper of orphaned descendants (Linux prctl
    PR_SET_CHILD_SUBREAPER), so that a worker whose parent exits without waiting for it is
    still reaped here and its CPU seconds are counted."""
    import ctypes

    set_child_subreaper = 36  # PR_SET_CHILD_SUBREAPER from <linux/prctl.h>
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(set_child_subreaper, 1, 0, 0, 0)


def reap_orphans(grace_seconds: float = 30) -> None:
    """Wait for descendants that outlived the measured root (they were reparented to this
    process); kill any still running after `grace_seconds`."""
    import psutil

    orphans = psutil.Process().children()
    _, alive = psutil.wait_procs(orphans, timeout=grace_seconds)
    for process in alive:
        process.kill()
    psutil.wait_procs(alive, timeout=5)


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


def zhclean_clean_command(sources: list[Path], out: Path, recipe: str) -> list[str]:
    """The installed `zhclean` of this venv, as a user runs it."""
    zhclean = str(Path(sys.executable).with_name("zhclean"))
    return [
        zhclean,
        "clean",
        *map(str, sources),
        "-o",
        str(out),
        "--recipe",
        recipe,
        "--overwrite",
        "--no-progress",
    ]


def run_zhclean(
    source: Path, workdir: Path, recipe: str = "default", workers: int | None = None
) -> dict[str, Any]:
    out = workdir / f"zhclean-{source.name}-{recipe}"
    command = zhclean_clean_command([source], out, recipe)
    if workers:
        command += ["--workers", str(workers)]
    result = measure(command, workdir / f"{out.name}.log")
    result["command"] = " ".join(["zhclean", *command[1:]])
    stats = json.loads((out / "_stats.json").read_text())
    result.update({"records": stats["read"], "kept": stats["kept"], "workers": stats.get("workers")})
    result["kept_before_dedup"] = records_before_dedup(stats)
    # Seconds inside each step, summed over the worker processes: where zhclean's time goes.
    result["step_seconds"] = {step["name"]: round(step["seconds"], 2) for step in stats["steps"]}
    result["output"] = str(out)
    return result


DEDUP_STEPS = ("exact_dup", "minhash")


def records_before_dedup(stats: dict[str, Any]) -> int:
    """Records that passed every filter, before dedup: the input of the first dedup step.
    On a repeated input this is the kept share that says something about the filters."""
    for step in stats["steps"]:
        if step["name"] in DEDUP_STEPS:
            return int(step["in"])
    return int(stats["kept"])


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


# -- quality ------------------------------------------------------------------------------


def extraction_quality(data: Path, workdir: Path, datatrove_python: str | None) -> dict[str, Any]:
    sys.path.insert(0, str(BENCHMARKS))
    import extraction  # benchmarks/extraction.py: the metric and the page loader

    pages, _ = extraction.load_pages(data / "extraction" / "pages.jsonl")
    human = [page for page in pages if page["gold_kind"] == "human"]

    def mean_f1(texts: list[str]) -> float:
        return float(extraction.summarize(human, texts, [0.0] * len(human))["human"]["f1"])

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
        dj, first_error = run_data_juicer_offline(
            dj_python, labelled, workdir, DATA_JUICER_ZH_FILTERS, "labelled"
        )
        if first_error:
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
            run, first_error = run_data_juicer_offline(
                dj_python, source, workdir, DATA_JUICER_ZH_FILTERS + DATA_JUICER_ZH_DEDUP, name
            )
            run.pop("kept_ids", None)
            run["records"] = records
            if first_error:
                run["note"] = {"flagged_words_filter_error": first_error}
            entry["data_juicer"] = run
        for system in ("zhclean", "datatrove", "data_juicer"):
            system_run: dict[str, Any] | None = entry.get(system)
            if system_run and system_run.get("exit_code") == 0 and system_run.get("cpu_seconds"):
                system_run["records_per_cpu_second"] = round(records / system_run["cpu_seconds"], 2)
                if "kept" in system_run:
                    system_run["kept_share"] = round(system_run["kept"] / records, 4)
        if "datatrove" in entry and entry["datatrove"].get("records_per_cpu_second"):
            entry["zhclean_vs_datatrove_per_core"] = round(
                entry["zhclean"]["records_per_cpu_second"] / entry["datatrove"]["records_per_cpu_second"], 2
            )
        results[name] = entry
    return results


# -- scaling ------------------------------------------------------------------------------


def scaling(
    data: Path, workdir: Path, factors: list[int], recipes: list[str], plot: Path | None
) -> dict[str, Any]:
    """zhclean on (dev crawl + inews) repeated `factors` times, once per recipe. The
    `default` recipe holds the dedup index in memory; `heuristics` is the same recipe
    without the dedup steps, so its memory is everything outside the index."""
    crawl = data / "crawl" / "dev-crawl.warc.gz"
    inews = data / "web" / "inews.jsonl"
    rows = []
    for recipe in recipes:
        for factor in factors:
            folder = workdir / f"scale-{factor}x"
            folder.mkdir(parents=True, exist_ok=True)
            sources = [
                repeated_file(crawl, factor, folder / "crawl.warc.gz"),
                repeated_file(inews, factor, folder / "inews.jsonl"),
            ]
            out = workdir / f"scale-out-{recipe}-{factor}x"
            command = zhclean_clean_command(sources, out, recipe)
            run = measure(command, workdir / f"scale-{recipe}-{factor}x.log")
            stats = json.loads((out / "_stats.json").read_text())
            rows.append(
                {
                    "recipe": recipe,
                    "factor": factor,
                    "records": stats["read"],
                    "kept": stats["kept"],
                    **{
                        key: run[key]
                        for key in (
                            "wall_seconds",
                            "cpu_seconds",
                            "max_process_rss_mb",
                            "peak_tree_rss_mb",
                            "load_average_1min",
                        )
                    },
                }
            )
            shutil.rmtree(out, ignore_errors=True)
    result: dict[str, Any] = {
        "command": "zhclean clean crawl.warc.gz inews.jsonl -o OUT --recipe RECIPE (2 workers)",
        "rows": rows,
    }
    if plot:
        plot_scaling(rows, plot)
        result["plot"] = plot.name
    return result


def plot_scaling(rows: list[dict[str, Any]], plot: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display on a build machine
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    # One colour per recipe; solid lines for the figure that matters (wall time, memory of
    # all processes), dashed for the second (CPU seconds, the largest single process).
    for index, recipe in enumerate(dict.fromkeys(row["recipe"] for row in rows)):
        colour = f"C{index}"
        mine = [row for row in rows if row["recipe"] == recipe]
        records = [row["records"] / 1000 for row in mine]
        wall = [row["wall_seconds"] for row in mine]
        cpu = [row["cpu_seconds"] for row in mine]
        tree = [row["peak_tree_rss_mb"] for row in mine]
        largest = [row["max_process_rss_mb"] for row in mine]
        left.plot(records, wall, "o-", color=colour, label=f"{recipe}: wall s")
        left.plot(records, cpu, "s--", color=colour, label=f"{recipe}: CPU s")
        right.plot(records, tree, "o-", color=colour, label=f"{recipe}: all processes")
        right.plot(records, largest, "s--", color=colour, label=f"{recipe}: largest process")
    for axes, y_label, title in ((left, "seconds", "time"), (right, "peak RSS (MB)", "memory")):
        axes.set_xlabel("records (thousands)")
        axes.set_ylabel(y_label)
        axes.set_title(title)
        axes.set_xlim(left=0)
        axes.set_ylim(bottom=0)
        axes.legend(fontsize=8)
    factors = ", ".join(f"{factor}×" for factor in dict.fromkeys(row["factor"] for row in rows))
    figure.suptitle(f"zhclean clean, dev crawl + inews at {factors} (2 workers)")
    figure.tight_layout()
    figure.savefig(plot, dpi=110)


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
        code = (
            f"import importlib.metadata as m, json; print(json.dumps({{p: m.version(p) for p in {listed}}}))"  # noqa: E501
        )
        completed = subprocess.run([python, "-c", code], capture_output=True, text=True, check=False)
        if completed.returncode == 0:
            found.update(json.loads(completed.stdout))

    if datatrove_python:
        peer(datatrove_python, ["datatrove", "trafilatura", "spacy", "jieba"])
    if dj_python:
        peer(dj_python, ["py-data-juicer"])
    found["zhclean tree"] = git_state()
    return found


def git_state() -> str:
    """The commit measured, and whether the tree had changes not committed yet (other
    engineers work in the same tree, so a run may include their work in progress)."""

    def git(*arguments: str) -> str:
        completed = subprocess.run(
            ["git", *arguments], cwd=BENCHMARKS, capture_output=True, text=True, check=False
        )
        return completed.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = git("status", "--porcelain", "--untracked-files=no", "--", "../src")
    return f"{commit}{' + uncommitted changes in src/' if changed else ''}"


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


# -- RESULTS.md ---------------------------------------------------------------------------

# The ratio of records per CPU second, zhclean over datatrove, that this comparison checks.
TARGET_RATIO_PER_CORE = 5.0

# Hand-written set-up notes about the peers: facts about how they install and run, not
# measurements, so they are kept here as text and copied into every RESULTS.md.
PEER_NOTES = """\
* **zhclean**: `zhclean clean INPUT -o OUT --recipe default` (2 worker processes, the default).
* **datatrove, FineWeb-2 Mandarin configuration**: WarcReader (JsonlReader for text) →
  `Trafilatura(favour_precision=True)` → `GopherRepetitionFilter` → `FineWebQualityFilter`
  → `GopherQualityFilter`. The filters use the `cmn_Hani` thresholds and stop words from
  huggingface/fineweb-2 `configs/cmn_Hani.yml`, with the arguments `fineweb-2-pipeline.py`
  gives them. Word tokenizer: spaCy blank `zh` with jieba, which is datatrove's assignment
  for cmn_Hani. Then MinHash as FineWeb-2 sets it up (xxhash 64-bit, 14 buckets × 8, 5-grams):
  signatures → buckets (14 tasks) → clusters → filter. Each stage is one
  `LocalPipelineExecutor` (1 worker) in its own process. One process for all stages fails:
  datatrove deep-copies the pipeline per task, and that breaks ("cannot pickle 'module'")
  once the spaCy tokenizer, which its tokenizer cache shares, has been loaded.
  * **What could not run offline, and what was done instead:** FineWeb-2's
    `LanguageFilter` / GlotLID and the fastText lid.176 model are downloaded at run time,
    so language identification is **left out**: every input here is Chinese. URLFilter is
    also left out. FineWeb-2 runs MinHash before the filters; here the filters come first,
    as zhclean's default recipe orders them, which gives datatrove's MinHash less work.
  * datatrove runs trafilatura in a sandbox process with a 1 s wall-clock timeout per page
    and skips a page that times out. On a loaded machine more pages time out. A skipped
    page costs at most 1 s of extraction and no filter time, so timeouts make datatrove
    look faster than it is (the count is in the throughput section).
  * WarcReader drops the records it cannot decode (it tries UTF-8, then cchardet).
    zhclean reads every record and sends the undecodable ones to `rejected/` with a reason.
* **data-juicer**: the operators of its only Chinese text recipe,
  `configs/data_juicer_recipes/alpaca_cot/alpaca-cot-zh-refine.yaml`, run by
  `dj-process --config recipe.yaml` with `np: 1`. The operators are alphanumeric,
  character_repetition, flagged_words (zh) and text_length filters, then document dedup
  and SimHash dedup. Text input only: data-juicer has no WARC reader and no main-content
  extractor, so it has no crawl figures.
  * **Could not run offline: `flagged_words_filter`.** On first use it downloads its word
    list from `dail-wlcb.oss-cn-wulanchabu.aliyuncs.com` and fails with a
    `ConnectionError` (the exact error of this run is quoted below). compare.py then runs
    the recipe again without it.
  * On first run, `dj-process` installed `ray` into its venv with `uv`. The base
    `py-data-juicer` install also lacks `aiohttp`, which has to be installed by hand.
"""


def number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def share(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


SYSTEM_LABELS = {
    "zhclean": "zhclean `default`",
    "datatrove": "datatrove FineWeb-2 cmn_Hani",
    "data_juicer": "data-juicer zh recipe",
}


def system_label(system: str, ran_without_an_operator: bool) -> str:
    """A system's name in the tables; data-juicer's says when an operator could not run."""
    if system == "data_juicer" and ran_without_an_operator:
        return SYSTEM_LABELS[system] + " (without flagged_words)"
    return SYSTEM_LABELS[system]


def throughput_markdown(report: dict[str, Any]) -> list[str]:
    throughput_results = report["throughput"]
    repeat = report.get("crawl_repeat", 25)
    input_labels = {
        "crawl": f"dev crawl ×{repeat} (WARC)",
        "inews": "web/inews.jsonl (text)",
    }
    lines = [
        "## Throughput, memory, kept share",
        "",
        "records / CPU s = records per second per core: records divided by the CPU seconds",
        "(user + system) of the whole process tree, start-up included. Memory: the largest",
        "single process (`ru_maxrss`) and the peak of the summed RSS of all processes of the",
        "tree (sampled every 0.1 s). CPU seconds are the growth of compare.py's",
        "`RUSAGE_CHILDREN`, with compare.py as subreaper, so every descendant counts exactly",
        "once (the partial results before this run counted reaped descendants twice).",
        "Kept before dedup: share that passed every filter; the repeated crawl holds each",
        "page many times, so dedup rightly drops most of it.",
        "",
        "| input | system | records | CPU s | records / CPU s | wall s | largest process | "
        "all processes | kept | kept before dedup | load (1 min) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, entry in throughput_results.items():
        first = True
        for system in ("zhclean", "datatrove", "data_juicer"):
            run = entry.get(system)
            if not run:
                continue
            label = system_label(system, bool(run.get("note")))
            if run.get("exit_code") != 0:
                lines.append(
                    f"| {input_labels.get(name, name) if first else ''} | {label} | "
                    f"{number(entry['records'])} | failed (exit {run.get('exit_code')}) |||||||| "
                )
                first = False
                continue
            before_dedup = run.get("kept_before_dedup", run.get("after_filters"))
            load = run.get("load_average_1min") or [None, None]
            lines.append(
                f"| {input_labels.get(name, name) if first else ''} | {label} | {number(entry['records'])} | "
                f"{number(run['cpu_seconds'], 1)} | **{number(run.get('records_per_cpu_second'), 1)}** | "
                f"{number(run['wall_seconds'], 1)} | {number(run['max_process_rss_mb'])} MB | "
                f"{number(run['peak_tree_rss_mb'])} MB | {share(run.get('kept_share'))} | "
                f"{share(before_dedup / entry['records'] if before_dedup is not None else None)} | "
                f"{number(load[0], 1)} → {number(load[1], 1)} |"
            )
            first = False
    lines.append("")
    for name, entry in throughput_results.items():
        ratio = entry.get("zhclean_vs_datatrove_per_core")
        if ratio is None:
            continue
        verdict = "meets" if ratio >= TARGET_RATIO_PER_CORE else "**falls short of**"
        lines.append(
            f"* {input_labels.get(name, name)}: zhclean / datatrove records per CPU second = "
            f"**{ratio:.2f}×**, which {verdict} the ≥ {TARGET_RATIO_PER_CORE:.0f}× target."
        )
    for name, entry in throughput_results.items():
        datatrove_run = entry.get("datatrove") or {}
        filter_stage = datatrove_run.get("filter_stage") or {}
        extractor = next((v for k, v in filter_stage.items() if "trafilatura" in k.lower()), None)
        reader: dict[str, float] = next((v for k, v in filter_stage.items() if "reader" in k.lower()), {})
        if extractor:
            lines.append(
                f"* datatrove on {input_labels.get(name, name)}: its reader produced "
                f"{number(reader.get('documents'))} of {number(entry['records'])} records (it drops "
                "those it cannot decode, which saves it their extraction; records / CPU s counts "
                f"all {number(entry['records'])} for every system); trafilatura "
                f"extracted {number(extractor.get('extracted'))}, timed out on "
                f"**{number(extractor.get('timeout', 0))}** (skipped) and failed on "
                f"{number(extractor.get('clean_error', 0))}."
            )
    dj = throughput_results.get("inews", {}).get("data_juicer") or {}
    if dj.get("note"):
        # The last error line says it all; the full traceback is in the run's log.
        error = (dj["note"].get("flagged_words_filter_error") or ["?"])[-1].strip()
        lines.append(f"* data-juicer, first attempt with `flagged_words_filter`: `{error[:220]}…`")
    lines.append("")
    crawl_run = throughput_results.get("crawl", {}).get("zhclean") or {}
    steps = crawl_run.get("step_seconds")
    if steps:
        total = sum(steps.values())
        lines += [
            "### Where zhclean's time goes (dev crawl run above)",
            "",
            "Wall seconds inside each step, summed over the worker processes (from zhclean's "
            "`stats.json`; under load they include waiting for a core, so read the shares). "
            "Reading, writing Parquet, dedup bookkeeping and start-up happen outside the steps.",
            "",
            "| step | seconds | share of step time |",
            "|---|---:|---:|",
        ]
        for step, seconds in sorted(steps.items(), key=lambda item: -item[1]):
            if seconds >= 0.005 * total:
                lines.append(f"| {step} | {seconds:.1f} | {share(seconds / total)} |")
        lines.append("")
    return lines


def quality_markdown(report: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    f1 = report.get("extraction_f1_human")
    if f1:
        lines += [
            "## Extraction F1",
            "",
            f"On the {f1['pages']} human-gold pages of extraction/pages.jsonl, with the metric of",
            "benchmarks/extraction.py (character-bigram F1). Every extractor gets the same HTML,",
            "decoded by zhclean's decoder.",
            "",
            "| extractor | F1 |",
            "|---|---:|",
            f"| zhclean `main_content` | **{f1['zhclean']:.4f}** |",
        ]
        if "datatrove" in f1:
            lines.append(
                f"| datatrove `Trafilatura(favour_precision=True)`, trafilatura "
                f"{report['versions'].get('trafilatura', '?')} | {f1['datatrove']:.4f} |"
            )
        lines += [
            f"| trafilatura {report['versions'].get('trafilatura (zhclean venv)', '?')}, defaults without "
            f"comments (extraction.py) | {f1['trafilatura_in_zhclean_venv']:.4f} |",
            "",
        ]
    labelled = report.get("labelled_dropped_share")
    if labelled:
        documents = labelled["documents"]
        lines += [
            "## Quality filters on quality/labelled.jsonl",
            "",
            "Share of each label dropped by each system's filters (dedup drops not counted: they",
            "are no quality verdict). Documents: "
            + ", ".join(f"{label} {number(count)}" for label, count in sorted(documents.items()))
            + ". The `clean` / `dirty` labels are too few to read.",
            "",
            "| system | `high` dropped (lower is better) | `spam` dropped (higher is better) "
            "| `ham` dropped |",
            "|---|---:|---:|---:|",
        ]
        for system in ("zhclean", "datatrove", "data_juicer"):
            drops = labelled.get(system)
            if not drops:
                continue
            label = system_label(system, bool(labelled.get("data_juicer_note")))
            if "error" in drops:
                lines.append(f"| {label} | failed: {' / '.join(drops['error'])} | | |")
                continue
            high, spam, ham = (share(drops.get(name)) for name in ("high", "spam", "ham"))
            lines.append(f"| {label} | {high} | {spam} | {ham} |")
        lines.append("")
    return lines


# Scaling verdicts: CPU per record may differ this much between the two largest runs and
# still count as linear (the machine is shared: run-to-run noise is about ±10 %), and peak
# memory may grow this much per 1,000 records added and still count as flat (about 25 MB
# across the 98,000 records added from 1× to 16×: allocator and page-cache noise).
LINEAR_TOLERANCE = 0.2
FLAT_MEMORY_MB_PER_1000_RECORDS = 0.25


def recipe_deduplicates(recipe: str) -> bool:
    from zhclean.recipe import load_recipe
    from zhclean.steps import Deduplicator

    return any(isinstance(step, Deduplicator) for step in load_recipe(recipe).steps)


def scaling_markdown(report: dict[str, Any]) -> list[str]:
    scale = report.get("scaling")
    if not scale:
        return []
    rows = scale["rows"]
    lines = [
        "## Scaling",
        "",
        "`zhclean clean crawl.warc.gz inews.jsonl` on the dev crawl and inews repeated 1×, 4× and",
        "16× (every copy with its own record ids, contents identical). `default` holds the dedup",
        "index; `heuristics` is the same recipe without the dedup steps, so its memory is",
        "everything outside the index.",
        "",
        "| recipe | factor | records | kept | wall s | CPU s | CPU ms / record | largest process | "
        "all processes | load (1 min) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        load = row.get("load_average_1min") or [None, None]
        lines.append(
            f"| {row['recipe']} | {row['factor']}× | {number(row['records'])} | {number(row['kept'])} | "
            f"{number(row['wall_seconds'], 1)} | {number(row['cpu_seconds'], 1)} | "
            f"{number(1000 * row['cpu_seconds'] / row['records'], 2)} | "
            f"{number(row['max_process_rss_mb'])} MB | "
            f"{number(row['peak_tree_rss_mb'])} MB | {number(load[0], 1)} → {number(load[1], 1)} |"
        )
    lines.append("")
    # Growth between the smallest and the largest run: linear time keeps CPU ms per record
    # level; memory outside the index should not grow with the input.
    for recipe in dict.fromkeys(row["recipe"] for row in rows):
        mine = sorted((row for row in rows if row["recipe"] == recipe), key=lambda row: row["records"])
        if len(mine) < 2:
            continue
        small, large = mine[0], mine[-1]
        added_records = large["records"] - small["records"]
        memory_slope = (large["peak_tree_rss_mb"] - small["peak_tree_rss_mb"]) / added_records * 1000
        lines.append(
            f"* `{recipe}`: {large['records'] / small['records']:.0f}× the records took "
            f"{large['cpu_seconds'] / small['cpu_seconds']:.1f}× the CPU seconds and "
            f"{large['wall_seconds'] / small['wall_seconds']:.1f}× the wall time; peak memory of all "
            f"processes went from {number(small['peak_tree_rss_mb'])} to "
            f"{number(large['peak_tree_rss_mb'])} MB "
            f"({memory_slope:+.2f} MB per 1,000 records added)."
        )
        # Verdicts against the targets. Start-up weighs on the smallest run, so
        # linearity compares CPU per record of the two largest runs.
        per_record = [row["cpu_seconds"] / row["records"] for row in mine[-2:]]
        linear = abs(per_record[1] / per_record[0] - 1) <= LINEAR_TOLERANCE
        flat = memory_slope <= FLAT_MEMORY_MB_PER_1000_RECORDS
        if flat:
            memory_verdict = "stays flat"
        elif recipe_deduplicates(recipe):
            memory_verdict = "grows with the input (this recipe holds a dedup index of every record)"
        else:
            memory_verdict = "**grows with the input, outside any dedup index**"
        lines.append(
            f"  Time {'grows linearly' if linear else '**does not grow linearly**'} (CPU per record of "
            f"the two largest runs within ±{LINEAR_TOLERANCE:.0%}: {per_record[0] * 1000:.2f} vs "
            f"{per_record[1] * 1000:.2f} ms); memory {memory_verdict} "
            f"(flat means ≤ {FLAT_MEMORY_MB_PER_1000_RECORDS} MB per 1,000 records)."
        )
    if scale.get("plot"):
        lines += ["", f"![zhclean scaling: time and memory]({scale['plot']})"]
    lines.append("")
    return lines


def render_markdown(report: dict[str, Any]) -> str:
    machine_info = report["machine"]
    load = report.get("load_average_1min", {})
    lines = [
        "# zhclean compared with its peers",
        "",
        "<!-- Written by benchmarks/compare.py from one run; do not edit by hand. The set-up",
        "notes are the PEER_NOTES template in compare.py; rerun the command below to refresh. -->",
        "",
        f"Date: {report['date']} (UTC), one run of `benchmarks/compare.py`, "
        f"{number(report.get('seconds', 0) / 60, 0)} minutes.",
        f'Machine: {machine_info["nproc"]} cores, CPU "{machine_info["cpu"]}", '
        f"{machine_info['memory_gb']} GB RAM, {machine_info['os']}.",
        f"Load average (1 / 5 / 15 min) at the start: {load.get('start', '?')}, at the end: "
        f"{load.get('end', '?')}. Each run's 1-minute load before → after is in the tables. "
        "The machine is shared with other engineers' jobs; CPU seconds of the process tree "
        "are steadier than wall time under load, but still rise with it (cache and memory "
        "contention), so compare ratios within this run only, and mind each run's load.",
        "",
        "Versions: " + ", ".join(f"{name} {value}" for name, value in report["versions"].items()) + ".",
        "The peers run in their own venvs (set-up commands in the docstring of compare.py):",
        "`datatrove[processing]` pins trafilatura 1.x and installs `fasttext-numpy2-wheel`, which",
        "would overwrite zhclean's `fasttext` module.",
        "",
        "Command:",
        "",
        f"    {report.get('command', 'python benchmarks/compare.py')}",
        "",
        "## How each system runs (as its users run it)",
        "",
        PEER_NOTES,
    ]
    if "throughput" in report:
        lines += throughput_markdown(report)
    lines += quality_markdown(report)
    lines += scaling_markdown(report)
    lines += [
        "## Repeated inputs",
        "",
        "The crawl is `dev-crawl.warc.gz` concatenated, every copy after the first with fresh",
        "`WARC-Record-ID`s (UUID5 of the copy number and the old id) and byte-identical content;",
        "JSONL copies get ids ending `~copyN`. Copies are real duplicates: every system that",
        "deduplicates keeps about one copy of each distinct page.",
        "",
    ]
    return "\n".join(lines)


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
    parser.add_argument(
        "--scaling-recipes",
        default="default,heuristics",
        help="zhclean recipes for the scaling run (heuristics = default without dedup)",
    )
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--results", type=Path, help="also write the JSON report here")
    parser.add_argument(
        "--markdown",
        default=str(BENCHMARKS / "RESULTS.md"),
        help="write the Markdown report here (default benchmarks/RESULTS.md); empty skips it",
    )
    parser.add_argument(
        "--render", type=Path, metavar="JSON", help="only write the Markdown from a saved --results JSON"
    )
    parser.add_argument("--plot", type=Path, default=BENCHMARKS / "scaling.png")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("child_arguments", nargs="*", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.child:
        child_paths: list[Path] = [arguments.data, *arguments.child_arguments]
        first, rest = child_paths[0], child_paths[1:]
        if arguments.child == "datatrove-pipeline":
            datatrove_all_stages_child(first, rest[0])
        elif arguments.child.startswith("datatrove-stage-"):
            datatrove_pipeline_child(first, rest[0], arguments.child.removeprefix("datatrove-stage-"))
        elif arguments.child == "datatrove-extract":
            datatrove_extract_child(first, rest[0])
        elif arguments.child == "datatrove-labelled":
            datatrove_labelled_child(first, rest[0])
        return 0

    if arguments.render:
        Path(arguments.markdown).write_text(render_markdown(json.loads(arguments.render.read_text())))
        return 0

    if arguments.datatrove_python:
        missing = missing_datatrove_modules(arguments.datatrove_python)
        if missing:
            print(
                f"{arguments.datatrove_python} cannot import {missing}: set up the venv as the docstring says",
                file=sys.stderr,
            )
            return 2
    data: Path = arguments.data
    workdir: Path = arguments.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": invocation(),
        "machine": machine(),
        "versions": versions(arguments.datatrove_python, arguments.data_juicer_python),
        "load_average_1min": {"start": load_averages()},
        "crawl_repeat": arguments.crawl_repeat,
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
        recipes = [name for name in arguments.scaling_recipes.split(",") if name]
        report["scaling"] = scaling(data, workdir, factors, recipes, arguments.plot)
    report["seconds"] = round(time.perf_counter() - began, 1)
    report["load_average_1min"]["end"] = load_averages()
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if arguments.results:
        arguments.results.write_text(text + "\n")
    if arguments.markdown:
        Path(arguments.markdown).write_text(render_markdown(report))
    return 0


def load_averages() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def invocation() -> str:
    """This run's command line, as typed from the repository root (HF_HUB_OFFLINE included:
    datatrove and data-juicer reach for the Hugging Face hub otherwise)."""
    prefix = "HF_HUB_OFFLINE=1 " if os.environ.get("HF_HUB_OFFLINE") else ""
    python = os.path.relpath(sys.executable, BENCHMARKS.parent)
    script = os.path.relpath(Path(__file__).resolve(), BENCHMARKS.parent)
    return prefix + " ".join([python, script, *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
