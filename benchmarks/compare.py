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
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent

# The sibling modules: run as a script, this file's folder is first on sys.path.
from compare_process import count_records, measure, repeated_file  # noqa: E402
from compare_report import machine, render_markdown, versions  # noqa: E402
from peer_data_juicer import DATA_JUICER_ZH_DEDUP, DATA_JUICER_ZH_FILTERS, run_data_juicer_offline  # noqa: E402
from peer_datatrove import (  # noqa: E402
    datatrove_all_stages_child,
    datatrove_extract_child,
    datatrove_labelled_child,
    datatrove_pipeline_child,
    missing_datatrove_modules,
    run_child,
)

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
