"""The local engine (--workers 2) against the Ray engine on 2 local CPUs, same input.

    python benchmarks/engines.py INPUT... [--recipe heuristics] [--repeat 3]

Two measures for each engine:

* `cli`: `zhclean clean` in a fresh process, as a user runs it; the Ray run starts its own
  local Ray (every core of the machine) and that start-up counts. Runs interleaved (local,
  ray, local, ray, …) so that a change in the machine's load hits both alike.
* `warm`: `run_clean` in this process with Ray already started (`ray.init(num_cpus=2)`),
  as on a running cluster; what remains is Ray's per-run cost (worker actors, scheduling).

Also checks that both engines kept and rejected the same ids with the same texts and
reasons, and prints JSON. Records/s counts every record read, kept or rejected.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from zhclean.engines import run_clean
from zhclean.io.shards import shard_paths
from zhclean.recipe import load_recipe

WORKERS = 2


def outcome(out: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    def rows(directory: Path, column: str) -> list[tuple[str, str]]:
        return sorted(
            (row["id"], row[column])
            for path in shard_paths(directory)
            for row in pq.read_table(path, columns=["id", column]).to_pylist()
        )

    return rows(out / "kept", "text"), rows(out / "rejected", "reason")


def run_cli(inputs: list[Path], recipe: str, engine: str, out: Path) -> float:
    command = [
        sys.executable,
        "-m",
        "zhclean",
        "clean",
        *map(str, inputs),
        "-o",
        str(out),
        "--recipe",
        recipe,
        "--engine",
        engine,
        "--workers",
        str(WORKERS),
        "--no-progress",
        "--overwrite",
    ]
    began = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - began


def run_warm(inputs: list[Path], recipe: str, engine: str, out: Path) -> float:
    loaded = load_recipe(recipe)
    began = time.perf_counter()
    run_clean(
        inputs,
        out,
        loaded.steps,
        recipe_name=loaded.name,
        recipe_fingerprint=loaded.fingerprint(),
        workers=WORKERS,
        overwrite=True,
        show_progress=False,
        engine=engine,
    )
    return time.perf_counter() - began


def summarise(seconds: list[float], records: int) -> dict[str, float]:
    best, median = min(seconds), statistics.median(seconds)
    return {
        "seconds": [round(value, 2) for value in seconds],
        "best_seconds": round(best, 2),
        "median_seconds": round(median, 2),
        "records_per_second_median": round(records / median, 1),
        "records_per_second_per_core_median": round(records / median / WORKERS, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("inputs", type=Path, nargs="+")
    parser.add_argument("--recipe", default="heuristics")
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    missing = [str(path) for path in arguments.inputs if not path.exists()]
    if missing:
        sys.exit(f"engines: no such input: {', '.join(missing)}")
    import ray

    load_before = os.getloadavg()[0]
    results: dict[str, dict[str, list[float]]] = {
        "cli": {"local": [], "ray": []},
        "warm": {"local": [], "ray": []},
    }
    with tempfile.TemporaryDirectory() as scratch:
        outs = {engine: Path(scratch) / engine for engine in ("local", "ray")}
        for _ in range(arguments.repeat):
            for engine in ("local", "ray"):
                results["cli"][engine].append(
                    run_cli(arguments.inputs, arguments.recipe, engine, outs[engine])
                )
        identical_cli = outcome(outs["local"]) == outcome(outs["ray"])
        stats = json.loads((outs["local"] / "_stats.json").read_text())

        # The warm local runs come first: the local engine forks its workers, and forking a
        # process that already runs Ray's threads is asking for trouble.
        for _ in range(arguments.repeat):
            results["warm"]["local"].append(
                run_warm(arguments.inputs, arguments.recipe, "local", outs["local"])
            )
        began = time.perf_counter()
        ray.init(num_cpus=WORKERS, include_dashboard=False, log_to_driver=False)
        ray_init_seconds = time.perf_counter() - began
        try:
            for _ in range(arguments.repeat):
                results["warm"]["ray"].append(
                    run_warm(arguments.inputs, arguments.recipe, "ray", outs["ray"])
                )
        finally:
            ray.shutdown()
        identical_warm = outcome(outs["local"]) == outcome(outs["ray"])

    records = stats["read"]
    report = {
        "inputs": [str(path) for path in arguments.inputs],
        "recipe": arguments.recipe,
        "records": records,
        "kept": stats["kept"],
        "cpus": WORKERS,
        # The warm pair can differ only if the code changed during the run: Ray's workers
        # import it afresh, the local engine's forks reuse this process's copy.
        "identical_kept_and_rejected": {"cli": identical_cli, "warm": identical_warm},
        "cli": {engine: summarise(seconds, records) for engine, seconds in results["cli"].items()},
        "warm": {engine: summarise(seconds, records) for engine, seconds in results["warm"].items()},
        "ray_init_seconds": round(ray_init_seconds, 2),
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "ray": ray.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cores": os.cpu_count(),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
