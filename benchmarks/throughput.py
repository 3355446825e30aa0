"""Whole-process throughput of `zhclean clean` on a WARC: records per CPU second per
recipe, next to trafilatura and to the parse-only limit, all measured in one run.

    python benchmarks/throughput.py CRAWL.warc.gz [--recipe extract] [--workers 1] [--repeat 3] [--no-peers]

Every figure is a fresh process (start-up and imports count, as a user sees them), timed
by the kernel's accounting of the finished child (user + system CPU seconds, its own
children included: with `--workers N` the workers' CPU counts too). Records per CPU second
is what a cluster bills per core; wall seconds are printed beside it. The commands run in
turn, `--repeat` rounds (zhclean per recipe, trafilatura, parse-only, then again), so a
change in the machine's load hits all of them alike; medians are reported.

* zhclean: `zhclean clean CRAWL --recipe R --workers N`; records counts every record read,
  kept or rejected.
* trafilatura (`--no-peers` skips it and the limit): one process reads the WARC with
  fastwarc and hands `trafilatura.extract` the raw bytes of each response record, as
  served.
* parse-only limit: the same reading, and each response body parsed by lexbor
  (selectolax's `LexborHTMLParser`, the parser zhclean's extractor walks) and nothing
  else: what a one-process extractor on this parser cannot beat.

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
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TRAFILATURA_SCRIPT = """
import sys
from fastwarc.warc import ArchiveIterator, WarcRecordType
import trafilatura
pages = 0
for record in ArchiveIterator(sys.argv[1], record_types=WarcRecordType.response, fsspec_args=False):
    body = record.reader.read()
    trafilatura.extract(body)
    pages += 1
print(pages)
"""

PARSE_ONLY_SCRIPT = """
import sys
from fastwarc.warc import ArchiveIterator, WarcRecordType
from selectolax.lexbor import LexborHTMLParser
pages = 0
for record in ArchiveIterator(sys.argv[1], record_types=WarcRecordType.response, fsspec_args=False):
    body = record.reader.read()
    LexborHTMLParser(body)
    pages += 1
print(pages)
"""


def timed(command: list[str]) -> tuple[float, float, str]:
    """(CPU seconds, wall seconds, stdout) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    completed = subprocess.run(command, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall, completed.stdout


def run_zhclean(crawl: Path, recipe: str, workers: int) -> tuple[float, float, dict]:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "out"
        command = [
            sys.executable,
            "-m",
            "zhclean",
            "clean",
            str(crawl),
            "-o",
            str(out),
            "--recipe",
            recipe,
            "--workers",
            str(workers),
            "--no-progress",
        ]
        cpu, wall, _ = timed(command)
        stats = json.loads((out / "_stats.json").read_text())
    return cpu, wall, stats


def run_script(script: str, crawl: Path) -> tuple[float, float, int]:
    cpu, wall, printed = timed([sys.executable, "-c", script, str(crawl)])
    return cpu, wall, int(printed.strip().splitlines()[-1])


def summary(records: int, runs: list[tuple[float, float]]) -> dict:
    cpu = statistics.median(run[0] for run in runs)
    wall = statistics.median(run[1] for run in runs)
    return {
        "records": records,
        "cpu_seconds_median": round(cpu, 3),
        "wall_seconds_median": round(wall, 3),
        "records_per_cpu_second": round(records / cpu, 1),
        "records_per_wall_second": round(records / wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("crawl", type=Path)
    parser.add_argument(
        "--recipe", action="append", help="a recipe to time (repeatable; default: extract and default)"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="zhclean's --workers (default 1: one core against one)"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--no-peers", action="store_true", help="time zhclean only (no trafilatura, no parse-only limit)"
    )
    parser.add_argument("--no-compile", action="store_true", help="skip compiling zhclean's bytecode first")
    arguments = parser.parse_args()
    recipes = arguments.recipe or ["extract", "default"]
    if not arguments.crawl.exists():
        sys.exit(f"throughput: no such file: {arguments.crawl}")
    if not arguments.no_compile:
        spec = importlib.util.find_spec("zhclean")
        for location in (spec.submodule_search_locations or []) if spec else []:
            compileall.compile_dir(location, quiet=1)
    load_before = os.getloadavg()[0]
    ours: dict[str, list[tuple[float, float]]] = {recipe: [] for recipe in recipes}
    stats: dict[str, dict] = {}
    peers: dict[str, list[tuple[float, float]]] = {"trafilatura": [], "parse_only_lexbor": []}
    pages: dict[str, int] = {}
    for _ in range(arguments.repeat):
        for recipe in recipes:
            cpu, wall, stats[recipe] = run_zhclean(arguments.crawl, recipe, arguments.workers)
            ours[recipe].append((cpu, wall))
        if not arguments.no_peers:
            for name, script in (
                ("trafilatura", TRAFILATURA_SCRIPT),
                ("parse_only_lexbor", PARSE_ONLY_SCRIPT),
            ):
                cpu, wall, pages[name] = run_script(script, arguments.crawl)
                peers[name].append((cpu, wall))
    result: dict = {
        "crawl": str(arguments.crawl),
        "workers": arguments.workers,
        "repeat": arguments.repeat,
        "bytecode_compiled": not arguments.no_compile,
        "load_average_1min_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "zhclean": {
            recipe: {
                **summary(stats[recipe]["read"], ours[recipe]),
                "kept": stats[recipe]["kept"],
                "in_process_seconds_by_step": {
                    step["name"]: step["seconds"] for step in stats[recipe]["steps"]
                },
            }
            for recipe in recipes
        },
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    if not arguments.no_peers:
        result["peers"] = {name: summary(pages[name], runs) for name, runs in peers.items()}
        trafilatura = result["peers"]["trafilatura"]["records_per_cpu_second"]
        limit = result["peers"]["parse_only_lexbor"]["records_per_cpu_second"]
        result["ratios_per_cpu_second"] = {
            recipe: {
                "vs_trafilatura": round(result["zhclean"][recipe]["records_per_cpu_second"] / trafilatura, 2),
                "share_of_parse_only_limit": round(
                    result["zhclean"][recipe]["records_per_cpu_second"] / limit, 3
                ),
            }
            for recipe in recipes
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
