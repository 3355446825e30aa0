"""Whole-process throughput of `zhclean clean` on a WARC, in pages per second.

    python benchmarks/throughput.py CRAWL.warc.gz [--recipe extract] [--workers N] [--repeat 3] [--versus-trafilatura]

Runs the CLI in a fresh process (so start-up and imports count, as a user sees them),
`--repeat` times, and prints JSON with the best and median wall time. Pages/s counts
every record read, kept or rejected. `--versus-trafilatura` also times trafilatura
extracting the same response records in one process (a fresh process too, reading the
WARC with fastwarc and handing trafilatura the raw bytes as served), alternating with
zhclean, and prints the ratio of the medians.

zhclean runs as installed: its bytecode is compiled first (`compileall`, as pip does when
it installs a wheel), since an environment with PYTHONDONTWRITEBYTECODE=1 (this project's
sandbox) would otherwise compile every module from source in every run (~0.1 s, while the
peers' bytecode is already in site-packages). `--no-compile` skips that step.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_once(crawl: Path, recipe: str, workers: int) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "out"
        command = [sys.executable, "-m", "zhclean", "clean", str(crawl), "-o", str(out),
                   "--recipe", recipe, "--workers", str(workers), "--no-progress"]
        began = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - began
        stats = json.loads((out / "_stats.json").read_text())
    return seconds, stats


TRAFILATURA_SCRIPT = """
import sys, time
from fastwarc.warc import ArchiveIterator, WarcRecordType
import trafilatura
pages = 0
for record in ArchiveIterator(sys.argv[1], record_types=WarcRecordType.response, fsspec_args=False):
    body = record.reader.read()
    trafilatura.extract(body)
    pages += 1
print(pages)
"""


def run_trafilatura(crawl: Path) -> tuple[float, int]:
    began = time.perf_counter()
    completed = subprocess.run([sys.executable, "-c", TRAFILATURA_SCRIPT, str(crawl)], check=True, capture_output=True, text=True)
    return time.perf_counter() - began, int(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("crawl", type=Path)
    parser.add_argument("--recipe", default="extract")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--versus-trafilatura", action="store_true", help="also time trafilatura on the same pages (bench extra)")
    parser.add_argument("--no-compile", action="store_true", help="skip compiling zhclean's bytecode first")
    arguments = parser.parse_args()
    if not arguments.crawl.exists():
        sys.exit(f"throughput: no such file: {arguments.crawl}")
    if not arguments.no_compile:
        spec = importlib.util.find_spec("zhclean")
        for location in (spec.submodule_search_locations or []) if spec else []:
            compileall.compile_dir(location, quiet=1)
    load_before = os.getloadavg()[0]
    runs = []
    peer_seconds = []
    for _ in range(arguments.repeat):  # alternate, so load changes hit both alike
        runs.append(run_once(arguments.crawl, arguments.recipe, arguments.workers))
        if arguments.versus_trafilatura:
            seconds, pages = run_trafilatura(arguments.crawl)
            peer_seconds.append(seconds)
    seconds = [run[0] for run in runs]
    stats = runs[0][1]
    result = {
        "crawl": str(arguments.crawl),
        "recipe": arguments.recipe,
        "workers": arguments.workers,
        "bytecode_compiled": not arguments.no_compile,
        # Other work on the machine slows the two-process zhclean run more than the
        # one-process peer: compare ratios from runs at a similar load.
        "load_average_1min_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "records": stats["read"],
        "kept": stats["kept"],
        "best_seconds": round(min(seconds), 3),
        "median_seconds": round(statistics.median(seconds), 3),
        "pages_per_second_best": round(stats["read"] / min(seconds), 1),
        "pages_per_second_median": round(stats["read"] / statistics.median(seconds), 1),
        "in_process_seconds_by_step": {step["name"]: step["seconds"] for step in stats["steps"]},
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    if peer_seconds:
        result["trafilatura_median_seconds"] = round(statistics.median(peer_seconds), 3)
        result["trafilatura_pages_per_second_median"] = round(pages / statistics.median(peer_seconds), 1)
        result["zhclean_vs_trafilatura_median"] = round(statistics.median(peer_seconds) / statistics.median(seconds), 2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
