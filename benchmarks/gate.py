"""Quality gate: a fast evaluation on ../shared/data against floors pinned in floors.json.

    python benchmarks/gate.py [DATA_DIR] [--floors benchmarks/floors.json]

In the spirit of trafilatura's evaluation gate: CI fails when a quality figure drops
below its pinned floor (or a share that must stay low rises above its ceiling). Raising
a floor is a normal commit; lowering one needs a line in the commit message saying why.

Figures (all deterministic; the functions are those of the benchmark scripts beside this
file, imported, not copied):

* `extraction.<kind>.f1` / `.snippets_passed`: `main_content` on every page of
  extraction/pages.jsonl, scored per `gold_kind` with benchmarks/extraction.py's metric
  (F1 of character-bigram multisets; snippet checks for snippet gold).
* `extraction_split.<part>.f1` / `.f1_p10` / `.share_under_0.5`: `main_content` on the
  human-gold pages of extraction/pages.jsonl and pages-more.jsonl, per part of the fixed
  dev split (`tune`, `untouched`; benchmarks/split.json): the mean, the 10th-percentile
  page and the share of pages under F1 0.5, so neither the untouched pages nor the worst
  pages can fall while the tuned mean holds.
* `text_mode.<kind>.f1`: the `clean-text` steps on all visible text of each page
  (benchmarks/text_cleaning.py's `text_mode`).
* `text_mode_split.<part>.f1` / `.f1_p10` / `.share_under_0.5`: the same per part of the
  dev split, on the human gold of pages.jsonl and pages-more.jsonl.
* `heuristics_split.<part>.<label>.rejected_share` / `.lost`: the `heuristics` steps on
  every `high` and `spam` document of quality/labelled.jsonl, per part of the dev split.
* `heuristics.<label>.rejected_share`: the `heuristics` steps on a fixed sample
  (seeded) of quality/labelled.jsonl: `high` must stay under its ceiling, `spam` over its
  floor.
* `dedup.recall_ge_0.8` / `dedup.distinct_false_merge_rate`: exact + MinHash dedup on the
  planted reposts of benchmarks/dedup.py (a small set: `--dedup-bases` bases).

Prints JSON (every figure, every check, seconds). Exit status: 0 all checks pass, 1 a
figure is past its floor or ceiling (or missing), 2 the data directory is absent.
DATA_DIR defaults to $ZHCLEAN_SHARED_DATA, else ../shared/data beside the checkout.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

import dedup as dedup_benchmark  # noqa: E402  (benchmarks/dedup.py)
import extraction as extraction_benchmark  # noqa: E402  (benchmarks/extraction.py)
import text_cleaning as text_cleaning_benchmark  # noqa: E402  (benchmarks/text_cleaning.py)
from zhclean.document import Document, Rejected  # noqa: E402
from zhclean.pipeline import Pipeline  # noqa: E402

DEFAULT_FLOORS = BENCHMARKS / "floors.json"
# Documents per label in the heuristics sample: enough for a share to move by a visible
# step (1/600 ≈ 0.17 points) when a rule changes, small enough for seconds of CPU.
HEURISTICS_SAMPLE_PER_LABEL = 600
SAMPLE_SEED = 20240611


def default_data_dir() -> Path:
    configured = os.environ.get("ZHCLEAN_SHARED_DATA")
    if configured:
        return Path(configured)
    return BENCHMARKS.parents[1] / "shared" / "data"


def kind_key(gold_kind: str) -> str:
    """A short metric name for a `gold_kind` ("snippet gold: strings …" → "snippet_gold"):
    the words before any ':', ';' or '(', as many as fit in 32 characters."""
    head = re.split(r"[:;(]", gold_kind, maxsplit=1)[0]
    words = [word for word in re.split(r"[^a-z0-9]+", head.lower()) if word]
    kept: list[str] = []
    for word in words:
        if kept and len("_".join([*kept, word])) > 32:
            break
        kept.append(word)
    return "_".join(kept)


# -- the figures --------------------------------------------------------------------------


def extraction_figures(pages_path: Path, more_pages_path: Path) -> dict[str, float]:
    """`main_content` once over both page files: figures per gold kind on pages.jsonl, and
    per part of the dev split on the human gold of both."""
    pages, _ = extraction_benchmark.load_pages(pages_path)
    first_file = len(pages)
    if more_pages_path.exists():
        pages += extraction_benchmark.load_pages(more_pages_path)[0]
    texts, seconds = extraction_benchmark.run_extractor(extraction_benchmark.zhclean_extractor(), pages)
    summary = extraction_benchmark.summarize(pages[:first_file], texts[:first_file], seconds[:first_file])
    figures: dict[str, float] = {}
    for kind, entry in summary.items():
        if kind == "all":
            continue
        if "f1" in entry:
            figures[f"extraction.{kind_key(kind)}.f1"] = entry["f1"]
        if entry.get("snippet_checks"):
            figures[f"extraction.{kind_key(kind)}.snippets_passed"] = round(
                entry["snippet_checks_passed"] / entry["snippet_checks"], 4
            )
    # The tuned part and the untouched part, each with its mean, its 10th-percentile F1
    # and its share of pages under F1 0.5.
    parts = extraction_benchmark.summarize(pages, texts, seconds)["human_by_part"]
    figures.update(
        {
            f"extraction_split.{part}.{figure}": entry[figure]
            for part, entry in parts.items()
            for figure in ("f1", "f1_p10", "share_under_0.5")
        }
    )
    return figures


def text_mode_figures(pages_path: Path) -> dict[str, float]:
    return {
        f"text_mode.{kind_key(kind)}.f1": entry["f1"]
        for kind, entry in text_cleaning_benchmark.text_mode(pages_path).items()
    }


def text_mode_split_figures(pages_paths: list[Path]) -> dict[str, float]:
    """The `clean-text` steps on the visible text of the human-gold pages, per part of the
    dev split: mean F1, 10th-percentile F1, share of pages under 0.5."""
    parts = text_cleaning_benchmark.text_mode_by_part([path for path in pages_paths if path.exists()])
    return {
        f"text_mode_split.{part}.{figure}": entry[figure]
        for part, entry in parts.items()
        for figure in ("f1", "f1_p10", "share_under_0.5")
    }


def heuristics_split_figures(labelled_path: Path) -> dict[str, float]:
    """The `heuristics` steps on every `high` and `spam` document, per part of the dev
    split: the share rejected, and documents lost (must be none)."""
    documents = [
        entry
        for entry in text_cleaning_benchmark.load_documents(labelled_path, "label")
        if entry[0] in ("high", "spam")
    ]
    parts = text_cleaning_benchmark.outcomes_by_part(documents)
    figures: dict[str, float] = {}
    for part, labels in parts.items():
        if not isinstance(labels, dict):  # `lost_outcomes`: outcomes missing altogether
            figures["heuristics_split.lost_outcomes"] = float(labels)
            continue
        for label, entry in labels.items():
            figures[f"heuristics_split.{part}.{label}.rejected_share"] = entry["rejected_share"]
            figures[f"heuristics_split.{part}.{label}.lost"] = entry["lost"]
    return figures


def heuristics_sample(labelled_path: Path, labels: tuple[str, ...]) -> list[tuple[str, Document]]:
    by_label: dict[str, list[dict[str, Any]]] = {label: [] for label in labels}
    with labelled_path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["label"] in by_label:
                by_label[record["label"]].append(record)
    rng = random.Random(SAMPLE_SEED)
    sample: list[tuple[str, Document]] = []
    for label in labels:
        records = by_label[label]
        chosen = rng.sample(records, min(HEURISTICS_SAMPLE_PER_LABEL, len(records)))
        sample += [(label, Document(id=record["id"], text=record["text"])) for record in chosen]
    return sample


def heuristics_figures(labelled_path: Path) -> dict[str, float]:
    sample = heuristics_sample(labelled_path, ("high", "spam"))
    pipeline = Pipeline(text_cleaning_benchmark.heuristics_steps())
    outcomes = pipeline.run(document for _, document in sample)
    totals: Counter[str] = Counter()
    rejected: Counter[str] = Counter()
    for (label, _), outcome in zip(sample, outcomes, strict=True):
        totals[label] += 1
        # A document stripped to nothing comes out rejected too (as in text_cleaning.py).
        rejected[label] += isinstance(outcome, Rejected)
    return {
        f"heuristics.{label}.rejected_share": round(rejected[label] / totals[label], 4) for label in totals
    }


def dedup_figures(data_dir: Path, bases: int) -> dict[str, float]:
    # min_chars 200 and default MinHash parameters: the settings of benchmarks/dedup.py.
    results, _ = dedup_benchmark.planted_benchmark(data_dir, 0, bases, 200, {})
    memory = results["memory"]
    figures = {
        "dedup.recall_ge_0.8": memory["recall_true_jaccard_ge_0.8"],
        "dedup.distinct_false_merge_rate": memory["distinct_false_merge_rate"],
        # memory and staged modes must drop the same documents: 1.0 when they do.
        "dedup.staged_equals_memory": 1.0 if results["staged_equals_memory"] else 0.0,
    }
    return figures


def measure_all(data_dir: Path, dedup_bases: int) -> tuple[dict[str, float], dict[str, float]]:
    """Every figure, and the seconds each group took."""
    pages = data_dir / "extraction" / "pages.jsonl"
    groups = {
        "extraction": lambda: extraction_figures(pages, data_dir / "extraction" / "pages-more.jsonl"),
        "text_mode": lambda: text_mode_figures(pages),
        "text_mode_split": lambda: text_mode_split_figures(
            [pages, data_dir / "extraction" / "pages-more.jsonl"]
        ),
        "heuristics": lambda: heuristics_figures(data_dir / "quality" / "labelled.jsonl"),
        "heuristics_split": lambda: heuristics_split_figures(data_dir / "quality" / "labelled.jsonl"),
        "dedup": lambda: dedup_figures(data_dir, dedup_bases),
    }
    figures: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for name, measure in groups.items():
        began = time.perf_counter()
        figures.update(measure())
        seconds[name] = round(time.perf_counter() - began, 1)
    return figures, seconds


# -- the checks ---------------------------------------------------------------------------


def check(figures: dict[str, float], floors: dict[str, dict[str, float]]) -> list[dict[str, Any]]:
    """One result per pinned figure: `min` is a floor, `max` a ceiling; a pinned figure
    that was not measured fails (a renamed gold kind must not pass silently)."""
    results = []
    for name, bounds in sorted(floors.items()):
        value = figures.get(name)
        failures = []
        if value is None:
            failures.append("not measured")
        else:
            if "min" in bounds and value < bounds["min"]:
                failures.append(f"{value} < floor {bounds['min']}")
            if "max" in bounds and value > bounds["max"]:
                failures.append(f"{value} > ceiling {bounds['max']}")
        bound_text = {key: bounds[key] for key in ("min", "max") if key in bounds}
        results.append(
            {"figure": name, "value": value, **bound_text, "ok": not failures, "failures": failures}
        )
    return results


def run_gate(data_dir: Path, floors_path: Path = DEFAULT_FLOORS) -> dict[str, Any]:
    floors_file = json.loads(floors_path.read_text(encoding="utf-8"))
    began = time.perf_counter()
    figures, seconds = measure_all(data_dir, int(floors_file.get("dedup_bases", 200)))
    checks = check(figures, floors_file["floors"])
    return {
        "passed": all(result["ok"] for result in checks),
        "failed": [result for result in checks if not result["ok"]],
        "checks": checks,
        "unpinned_figures": {
            name: value for name, value in figures.items() if name not in floors_file["floors"]
        },
        "seconds": {**seconds, "total": round(time.perf_counter() - began, 1)},
        "data_dir": str(data_dir),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=None)
    parser.add_argument("--floors", type=Path, default=DEFAULT_FLOORS)
    arguments = parser.parse_args(argv)
    data_dir = arguments.data_dir or default_data_dir()
    if not (data_dir / "extraction" / "pages.jsonl").exists():
        print(json.dumps({"passed": None, "skipped": f"no evaluation data at {data_dir}"}))
        return 2
    report = run_gate(data_dir, arguments.floors)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
