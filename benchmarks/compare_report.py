"""The comparison's report: versions and machine, and RESULTS.md rendered from the JSON
report of benchmarks/compare.py (`--render JSON` rewrites it from a saved one)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent


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
TARGET_RATIO_PER_CORE = 10.0

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
