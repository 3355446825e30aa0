"""Benchmark of the text cleaners and heuristic filters.

    python benchmarks/text_cleaning.py [DATA_DIR]     # default ../shared/data
    python benchmarks/text_cleaning.py --examples spam_words.advertising --label high

Prints JSON with:
(a) `text_mode`: all visible text of each page in `extraction/pages.jsonl` (what a WET
    record holds) run through the `clean-text` steps and scored against the gold with the
    extraction metric (NFKC, keep `str.isalnum()` characters, F1 of character-bigram
    multisets, mean over pages), per `gold_kind`, next to plain visible text;
    `text_mode_by_part`: the same on the human gold of `extraction/pages*.jsonl`, per part
    of the dev split (`tune` / `untouched`, benchmarks/split.py) and per source, with the
    share of pages under F1 0.5 and the 10th-percentile F1;
(b) `heuristics`: the `heuristics` steps on `quality/labelled.jsonl`: share of each label
    rejected (a document stripped to nothing counts as rejected), reasons per label, and
    `by_part`: the same per part of the split, with `lost` (documents that came out
    neither kept nor rejected: must be 0) and the ad_lines rules that cut text of each
    label (documents touched per rule);
(c) `inews`: the `heuristics` steps on `web/inews.jsonl` (real news and forum text, no
    labels) per part: rejected share, reasons, ad_lines rules;
(d) `throughput`: MB of UTF-8 text per second of `heuristics` (cleaners + filters) in this
    one process, on the labelled documents.

`--examples REASON` prints, instead, the tune-part documents of `--label` (or of inews
with `--label inews`) whose rejection reason or removal rule starts with REASON, with
what fired; the untouched part is never listed.

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
    ContactDensityFilter,
    HanShareFilter,
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from extraction import worst_page_figures  # noqa: E402  (benchmarks/extraction.py)
from split import TUNE, load_split, part_of  # noqa: E402  (benchmarks/split.py)


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
        HanShareFilter(),
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


def text_mode_by_part(pages_paths: list[Path]) -> dict[str, Any]:
    """Clean-text F1 on the human gold of every page file, per part of the dev split and
    per source (`site`, else `page_type`, else the file)."""
    split = load_split()
    pipeline = Pipeline(clean_text_steps())
    f1s: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    visible: dict[str, list[float]] = defaultdict(list)
    for path in pages_paths:
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                page = json.loads(line)
                if page.get("gold_kind") != "human" or not page.get("gold_text"):
                    continue
                decoded = decode_bytes(base64.b64decode(page.get("raw_b64") or ""))
                html = decoded[0] if decoded else ""
                text, _ = visible_text(html)
                outcome = pipeline.process(Document(id=page["id"], text=text))
                cleaned = "" if isinstance(outcome, Rejected) else outcome.text
                part = part_of(str(path), str(page["id"]), split)
                group = page.get("site") or page.get("page_type") or path.stem
                f1s[part][group].append(bigram_prf(cleaned, page["gold_text"])[2])
                visible[part].append(bigram_prf(text, page["gold_text"])[2])
    result: dict[str, Any] = {}
    for part, groups in sorted(f1s.items()):
        every_page = [f1 for values in groups.values() for f1 in values]
        result[part] = {
            **worst_page_figures(every_page),
            "visible_text_f1": round(sum(visible[part]) / len(visible[part]), 4),
            "by_source": {group: worst_page_figures(values) for group, values in sorted(groups.items())},
        }
    return result


def load_documents(path: Path, label_field: str | None) -> list[tuple[str, str, Document]]:
    """(label, part, document) for each record; records without a label field are `all`."""
    split = load_split()
    documents = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            label = record[label_field] if label_field else "all"
            documents.append(
                (
                    label,
                    part_of(str(path), str(record["id"]), split),
                    Document(id=record["id"], text=record["text"]),
                )
            )
    return documents


def outcomes_by_part(documents: list[tuple[str, str, Document]]) -> dict[str, Any]:
    """Rejected share, reasons and the ad_lines rules that cut text, per part and label."""
    pipeline = Pipeline(heuristics_steps())
    outcomes = list(pipeline.run(document for _, _, document in documents))
    table: dict[str, dict[str, Any]] = {}
    for (label, part, _), outcome in zip(documents, outcomes, strict=True):
        entry = table.setdefault(part, {}).setdefault(
            label, {"documents": 0, "rejected": 0, "lost": 0, "reasons": Counter(), "cut_rules": Counter()}
        )
        entry["documents"] += 1
        if isinstance(outcome, Rejected):
            entry["rejected"] += 1
            entry["reasons"][outcome.reason] += 1
            removed = outcome.document.removed
        elif isinstance(outcome, Document):
            removed = outcome.removed
        else:
            entry["lost"] += 1
            continue
        entry["cut_rules"].update({removal.rule for removal in removed})
    entries = [entry for labels in table.values() for entry in labels.values()]
    lost = len(documents) - len(outcomes)
    for entry in entries:
        entry["rejected_share"] = round(entry["rejected"] / entry["documents"], 4)
        entry["reasons"] = dict(entry["reasons"].most_common())
        entry["cut_rules"] = dict(entry["cut_rules"].most_common())
    if lost:
        table["lost_outcomes"] = lost  # type: ignore[assignment]
    return {part: dict(sorted(labels.items())) for part, labels in sorted(table.items())}


def examples(
    path: Path, label_field: str | None, label: str, prefix: str, limit: int
) -> list[dict[str, Any]]:
    """Tune-part documents whose rejection reason or removal rule starts with `prefix`."""
    documents = [
        entry for entry in load_documents(path, label_field) if entry[0] == label and entry[1] == TUNE
    ]
    pipeline = Pipeline(heuristics_steps())
    found = []
    for (_, _, document), outcome in zip(documents, pipeline.run(d for _, _, d in documents), strict=True):
        fired: list[Any] = []
        if isinstance(outcome, Rejected) and outcome.reason.startswith(prefix):
            fired.append({"reason": outcome.reason, "detail": outcome.detail})
        removed = outcome.document.removed if isinstance(outcome, Rejected) else outcome.removed
        fired += [
            {"rule": r.rule, "text": r.text[:120]}
            for r in removed
            if r.rule.startswith(prefix) or r.code.startswith(prefix)
        ]
        if fired:
            found.append({"id": document.id, "fired": fired, "text": document.text[:300]})
        if len(found) >= limit:
            break
    return found


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
    parser.add_argument(
        "--examples", metavar="REASON", help="list tune-part documents this reason or rule fires on"
    )
    parser.add_argument("--label", default="high", help="label for --examples (`inews`: web/inews.jsonl)")
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument(
        "--skip", default="", help="comma-separated sections to skip: text_mode,heuristics,inews"
    )
    arguments = parser.parse_args(argv)
    result: dict[str, Any] = {}
    pages = arguments.data_dir / "extraction" / "pages.jsonl"
    labelled = arguments.data_dir / "quality" / "labelled.jsonl"
    inews = arguments.data_dir / "web" / "inews.jsonl"
    if arguments.examples:
        if arguments.label == "inews":
            found = examples(inews, None, "all", arguments.examples, arguments.limit)
        else:
            found = examples(labelled, "label", arguments.label, arguments.examples, arguments.limit)
        for item in found:
            print(json.dumps(item, ensure_ascii=False))
        return 0
    skip = set(filter(None, arguments.skip.split(",")))
    if pages.exists() and "text_mode" not in skip:
        result["text_mode"] = text_mode(pages)
        result["text_mode_by_part"] = text_mode_by_part(sorted(pages.parent.glob("pages*.jsonl")))
    if labelled.exists() and "heuristics" not in skip:
        result["heuristics"] = heuristics(labelled)
        result["heuristics"]["by_part"] = outcomes_by_part(
            [entry for entry in load_documents(labelled, "label") if entry[0] in ("high", "spam", "ham")]
        )
    if inews.exists() and "inews" not in skip:
        result["inews"] = outcomes_by_part(load_documents(inews, None))
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
