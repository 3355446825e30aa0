"""Benchmark of the text cleaners and heuristic filters.

    python benchmarks/text_cleaning.py [DATA_DIR]     # default ../shared/data

Prints JSON with:
(a) `text_mode`: all visible text of each page in `extraction/pages.jsonl` (what a WET
    record holds) run through the `clean-text` steps and scored against the gold with the
    extraction metric (NFKC, keep `str.isalnum()` characters, F1 of character-bigram
    multisets, mean over pages), per `gold_kind`, next to plain visible text;
(b) `heuristics`: the `heuristics` steps on `quality/labelled.jsonl`: share of each label
    rejected (a document stripped to nothing counts as rejected), reasons per label;
(c) `throughput`: MB of UTF-8 text per second of `heuristics` (cleaners + filters) in this
    one process, on the labelled documents.

The step lists are built here from the classes; the built-in recipes `clean-text` and
`heuristics` hold the same steps.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from zhclean.clean import AdLineCleaner, BoilerplateRunCleaner, Normalizer, TraditionalToSimplified
from zhclean.document import Document, Rejected
from zhclean.extract.visible_text import visible_text
from zhclean.filters import (
    CjkRatioFilter,
    ContactDensityFilter,
    KeywordStuffingFilter,
    LengthFilter,
    MojibakeFilter,
    PunctuationFilter,
    RepetitionFilter,
    ScriptFilter,
    SpamWordFilter,
    StopWordFilter,
)
from zhclean.io.decode import decode_bytes
from zhclean.pipeline import Pipeline
from zhclean.steps import Step


def clean_text_steps() -> list[Step]:
    return [Normalizer(), TraditionalToSimplified(), AdLineCleaner(), BoilerplateRunCleaner()]


def heuristics_steps() -> list[Step]:
    # `boilerplate_runs` is left out: it picks the main text of a page's layout, and on
    # text that is already an article (a JSONL dump, Wikipedia) it cuts poems, lists and
    # reference sections (5.8% of the characters of `high` in quality/labelled.jsonl).
    return [Normalizer(), TraditionalToSimplified(), AdLineCleaner()] + [
        LengthFilter(),
        MojibakeFilter(),
        ScriptFilter(),
        CjkRatioFilter(),
        StopWordFilter(),
        PunctuationFilter(),
        RepetitionFilter(),
        SpamWordFilter(),
        ContactDensityFilter(),
        KeywordStuffingFilter(),
    ]


def bigrams(text: str) -> Counter[str]:
    kept = "".join(character for character in unicodedata.normalize("NFKC", text) if character.isalnum())
    return Counter(kept[index : index + 2] for index in range(len(kept) - 1))


def bigram_prf(predicted: str, gold: str) -> tuple[float, float, float]:
    predicted_grams, gold_grams = bigrams(predicted), bigrams(gold)
    overlap = sum((predicted_grams & gold_grams).values())
    precision = overlap / max(1, sum(predicted_grams.values()))
    recall = overlap / max(1, sum(gold_grams.values()))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def text_mode(pages_path: Path) -> dict[str, Any]:
    pipeline = Pipeline(clean_text_steps())
    scores: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    with pages_path.open(encoding="utf-8") as lines:
        for line in lines:
            page = json.loads(line)
            gold = page.get("gold_text")
            if not gold:
                continue
            decoded = decode_bytes(base64.b64decode(page["raw_b64"]))
            html = decoded[0] if decoded else ""
            text, _ = visible_text(html)
            outcome = pipeline.process(Document(id=page["id"], text=text))
            cleaned = "" if isinstance(outcome, Rejected) else outcome.text
            kind = page["gold_kind"]
            precision, recall, f1 = bigram_prf(cleaned, gold)
            scores[kind]["precision"].append(precision)
            scores[kind]["recall"].append(recall)
            scores[kind]["f1"].append(f1)
            scores[kind]["visible_text_f1"].append(bigram_prf(text, gold)[2])
    return {
        kind: {"pages": len(values["f1"]), **{name: round(sum(v) / len(v), 4) for name, v in values.items()}}
        for kind, values in sorted(scores.items())
    }


def heuristics(labelled_path: Path) -> dict[str, Any]:
    documents: list[tuple[str, Document]] = []
    with labelled_path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            documents.append((record["label"], Document(id=record["id"], text=record["text"])))
    pipeline = Pipeline(heuristics_steps())
    began = time.perf_counter()
    began_cpu = time.process_time()
    outcomes = list(pipeline.run(document for _, document in documents))
    seconds = time.perf_counter() - began
    # CPU seconds too: on a shared machine wall time mostly measures the neighbours.
    cpu_seconds = time.process_time() - began_cpu
    total_bytes = sum(len(document.text.encode("utf-8")) for _, document in documents)
    per_label: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for (label, _), outcome in zip(documents, outcomes, strict=True):
        totals[label] += 1
        if isinstance(outcome, Rejected):
            per_label[label][outcome.reason] += 1
    labels = {
        label: {
            "documents": totals[label],
            "rejected_share": round(sum(per_label[label].values()) / totals[label], 4),
            "reasons": dict(per_label[label].most_common()),
        }
        for label in sorted(totals)
    }
    removals: Counter[str] = Counter()
    for step in pipeline.stats.steps:
        removals.update(step.removals)
    return {
        "labels": labels,
        "removals": dict(removals.most_common()),
        "throughput": {
            "documents": len(documents),
            "megabytes": round(total_bytes / 1e6, 2),
            "seconds": round(seconds, 2),
            "mb_per_second": round(total_bytes / 1e6 / seconds, 2),
            "cpu_seconds": round(cpu_seconds, 2),
            "mb_per_cpu_second": round(total_bytes / 1e6 / cpu_seconds, 2),
            "seconds_per_step": {step.name: round(step.seconds, 3) for step in pipeline.stats.steps},
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", default="../shared/data", type=Path)
    arguments = parser.parse_args(argv)
    result: dict[str, Any] = {}
    pages = arguments.data_dir / "extraction" / "pages.jsonl"
    labelled = arguments.data_dir / "quality" / "labelled.jsonl"
    if pages.exists():
        result["text_mode"] = text_mode(pages)
    if labelled.exists():
        result["heuristics"] = heuristics(labelled)
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
