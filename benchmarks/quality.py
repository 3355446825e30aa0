"""Benchmark of fastText quality scoring.

    python benchmarks/quality.py [DATA_DIR] [--skip-bootstrap] [--train-docs 100000]

DATA_DIR defaults to ../shared/data. Prints JSON with:
(a) `high_vs_spam`: a model trained with the library's defaults on half of the `high` and
    `spam` documents of quality/labelled.jsonl (stratified, seeded), ROC AUC / P / R / F1
    on the other half, scored through the `fasttext_quality` step;
    `through_clean` repeats the held-out check end to end: the held-out half written as
    JSONL, `zhclean clean --recipe R` with a recipe file that runs `fasttext_quality` on
    the trained model, AUC from the `quality` column of the kept Parquet shards;
(b) `clean_vs_dirty`: ChineseWebText's `clean`/`dirty` samples (10 of each): the
    high-vs-spam model scoring them (transfer), and a model trained on half of them
    (5+5 documents, so a weak figure) scoring the other half;
(c) `scoring`: documents/s of the scorer step in one process on ≈2,000-character
    documents cut from the real ones (wall and CPU seconds; the machine may be shared);
(d) `training`: seconds to train on `--train-docs` documents sampled from the real ones
    with their own length distribution (a random window of each), per 100k documents;
(e) `bootstrap`: weak labels from the `heuristics` recipe on web/inews.jsonl (no labels
    given), the model trained on them, and its ROC AUC on every `high` vs `spam` document.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from zhclean.document import Document
from zhclean.io.readers import ReaderOptions, read_records
from zhclean.quality import FastTextQualityScorer
from zhclean.quality.bootstrap import DEFAULT_MAX_IMBALANCE, balanced, weak_labels
from zhclean.quality.metrics import classifier_report
from zhclean.quality.model import TrainingOptions, train_quality_model
from zhclean.recipe import load_recipe

SEED = 0


def load_labelled(data_dir: Path) -> dict[str, list[str]]:
    by_label: dict[str, list[str]] = {}
    with open(data_dir / "quality" / "labelled.jsonl", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            by_label.setdefault(record["label"], []).append(record["text"])
    return by_label


def halves(texts: list[str], seed: int) -> tuple[list[str], list[str]]:
    shuffled = list(texts)
    random.Random(seed).shuffle(shuffled)
    middle = len(shuffled) // 2
    return shuffled[:middle], shuffled[middle:]


def score_texts(model_path: Path, texts: list[str]) -> list[float]:
    scorer = FastTextQualityScorer(model=str(model_path))
    documents = [Document(id=str(index), text=text) for index, text in enumerate(texts)]
    scored = scorer.apply_batch(documents)
    return [float(document.meta["quality"]) for document in scored]  # type: ignore[union-attr]


def evaluate(model_path: Path, positives: list[str], negatives: list[str]) -> dict[str, Any]:
    scores = score_texts(model_path, positives + negatives)
    return classifier_report([1] * len(positives) + [0] * len(negatives), scores)


def evaluate_through_clean(
    model_path: Path, positives: list[str], negatives: list[str], workdir: Path
) -> dict[str, Any]:
    import pyarrow.parquet as pq

    inputs = workdir / "held_out.jsonl"
    with open(inputs, "w", encoding="utf-8") as handle:
        for index, text in enumerate(positives + negatives):
            label = "positive" if index < len(positives) else "negative"
            handle.write(json.dumps({"id": f"{label}-{index}", "text": text}, ensure_ascii=False) + "\n")
    recipe = workdir / "score.toml"
    recipe.write_text(f'[[steps]]\nname = "fasttext_quality"\nmodel = "{model_path}"\n', encoding="utf-8")
    output = workdir / "clean_out"
    command = [
        sys.executable,
        "-m",
        "zhclean",
        "clean",
        str(inputs),
        "-o",
        str(output),
        "--recipe",
        str(recipe),
    ]
    subprocess.run([*command, "--no-progress", "--overwrite"], check=True, capture_output=True)
    ids: list[str] = []
    scores: list[float] = []
    for shard in sorted((output / "kept").glob("*.parquet")):
        table = pq.read_table(shard, columns=["id", "quality"]).to_pydict()
        ids += table["id"]
        scores += table["quality"]
    report = classifier_report([1 if item.startswith("positive") else 0 for item in ids], scores)
    report["kept_of"] = len(positives) + len(negatives)
    return report


def bench_high_vs_spam(by_label: dict[str, list[str]], workdir: Path) -> tuple[dict[str, Any], Path]:
    high_train, high_test = halves(by_label["high"], SEED)
    spam_train, spam_test = halves(by_label["spam"], SEED)
    model_path = workdir / "high_vs_spam.bin"
    card = train_quality_model(high_train, spam_train, model_path, TrainingOptions(validation_share=0.0))
    result = {
        "trained_on": {"high": len(high_train), "spam": len(spam_train)},
        "held_out": evaluate(model_path, high_test, spam_test),
        "train_seconds": card["training"]["seconds"]["total"],
    }
    result["through_clean"] = evaluate_through_clean(model_path, high_test, spam_test, workdir)
    quantized = workdir / "high_vs_spam.ftz"
    train_quality_model(
        high_train, spam_train, quantized, TrainingOptions(validation_share=0.0, quantize=True)
    )
    result["held_out_quantized"] = evaluate(quantized, high_test, spam_test)
    result["model_bytes"] = {"bin": model_path.stat().st_size, "ftz": quantized.stat().st_size}
    return result, model_path


def bench_clean_vs_dirty(by_label: dict[str, list[str]], high_vs_spam: Path, workdir: Path) -> dict[str, Any]:
    clean, dirty = by_label.get("clean", []), by_label.get("dirty", [])
    result: dict[str, Any] = {"documents": {"clean": len(clean), "dirty": len(dirty)}}
    if not clean or not dirty:
        return result
    result["high_vs_spam_model"] = evaluate(high_vs_spam, clean, dirty)
    clean_train, clean_test = halves(clean, SEED)
    dirty_train, dirty_test = halves(dirty, SEED)
    own = workdir / "clean_vs_dirty.bin"
    # Ten training documents: fastText's minimum count of 2 would drop most bigrams.
    train_quality_model(
        clean_train, dirty_train, own, TrainingOptions(validation_share=0.0, min_count=1, epochs=25)
    )
    result["own_model_on_other_half"] = evaluate(own, clean_test, dirty_test)
    return result


def two_thousand_char_documents(by_label: dict[str, list[str]], count: int) -> list[str]:
    """Windows of ≈2,000 characters (1,800–2,200) from the real documents, joined end to
    end so that short ones make up full-length documents."""
    generator = random.Random(SEED)
    pool = [text for texts in by_label.values() for text in texts]
    stream = "\n".join(generator.sample(pool, len(pool)))
    documents = []
    for _ in range(count):
        length = generator.randint(1800, 2200)
        start = generator.randrange(0, len(stream) - length)
        documents.append(stream[start : start + length])
    return documents


def bench_scoring(model_path: Path, by_label: dict[str, list[str]], count: int) -> dict[str, Any]:
    documents = [
        Document(id=str(index), text=text)
        for index, text in enumerate(two_thousand_char_documents(by_label, count))
    ]
    scorer = FastTextQualityScorer(model=str(model_path))
    scorer.apply_batch(documents[:10])  # the model loads once per process: not timed
    wall, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(documents), 256):  # the pipeline's batch size
        scorer.apply_batch(documents[start : start + 256])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    characters = sum(len(document.text) for document in documents)
    return {
        "documents": len(documents),
        "mean_chars": round(characters / len(documents)),
        "docs_per_second_wall": round(len(documents) / wall),
        "docs_per_second_cpu": round(len(documents) / cpu),
        "model": model_path.name,
    }


def bench_training(by_label: dict[str, list[str]], count: int, workdir: Path) -> dict[str, Any]:
    """`count` documents: random windows of the real ones, each as long as a real document
    drawn at random (so the length distribution is the data's, capped at 2,000)."""
    generator = random.Random(SEED + 1)
    positives_pool, negatives_pool = (
        by_label["high"] + by_label.get("clean", []),
        by_label["spam"] + by_label.get("dirty", []),
    )
    lengths = [min(2000, len(text)) for texts in by_label.values() for text in texts]

    def window(pool: list[str]) -> str:
        text = generator.choice(pool)
        length = min(len(text), generator.choice(lengths))
        start = generator.randrange(0, len(text) - length + 1)
        return text[start : start + length]

    positives = [window(positives_pool) for _ in range(count // 2)]
    negatives = [window(negatives_pool) for _ in range(count - count // 2)]
    characters = sum(map(len, positives)) + sum(map(len, negatives))
    result: dict[str, Any] = {"documents": count, "mean_chars": round(characters / count)}
    for threads in (1, 2):
        began = time.perf_counter()
        card = train_quality_model(
            positives,
            negatives,
            workdir / f"train_{threads}.bin",
            TrainingOptions(threads=threads, validation_share=0.0),
        )
        seconds = time.perf_counter() - began
        result[f"threads_{threads}"] = {
            "seconds": round(seconds, 2),
            "seconds_per_100k_docs": round(seconds * 100_000 / count, 2),
            "phases": card["training"]["seconds"],
        }
    return result


def bench_bootstrap(data_dir: Path, by_label: dict[str, list[str]], workdir: Path) -> dict[str, Any]:
    recipe = load_recipe("heuristics")
    corpus = data_dir / "web" / "inews.jsonl"
    began = time.perf_counter()
    labels = weak_labels(read_records(corpus, "jsonl", ReaderOptions()), recipe.steps)
    labelling_seconds = time.perf_counter() - began
    positives, negatives = balanced(labels, DEFAULT_MAX_IMBALANCE, SEED)
    model_path = workdir / "bootstrap.bin"
    card = train_quality_model(positives, negatives, model_path, TrainingOptions())
    return {
        "corpus": str(corpus),
        "recipe_steps": [step.name for step in recipe.steps],
        "weak_labels": labels.summary(),
        "used": {"positive": len(positives), "negative": len(negatives)},
        "labelling_seconds": round(labelling_seconds, 1),
        "validation_on_weak_labels": card["validation"],
        "high_vs_spam_all": evaluate(model_path, by_label["high"], by_label["spam"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data_dir", nargs="?", type=Path, default=Path("../shared/data"))
    parser.add_argument("--train-docs", type=int, default=100_000)
    parser.add_argument("--score-docs", type=int, default=20_000)
    parser.add_argument("--skip-bootstrap", action="store_true")
    arguments = parser.parse_args(argv)
    by_label = load_labelled(arguments.data_dir)
    report: dict[str, Any] = {"labels": {label: len(texts) for label, texts in sorted(by_label.items())}}
    with tempfile.TemporaryDirectory(prefix="zhclean-quality-bench-") as scratch:
        workdir = Path(scratch)
        report["high_vs_spam"], model_path = bench_high_vs_spam(by_label, workdir)
        report["clean_vs_dirty"] = bench_clean_vs_dirty(by_label, model_path, workdir)
        report["scoring"] = bench_scoring(model_path, by_label, arguments.score_docs)
        report["scoring_quantized"] = bench_scoring(
            workdir / "high_vs_spam.ftz", by_label, arguments.score_docs // 4
        )
        report["training"] = bench_training(by_label, arguments.train_docs, workdir)
        if not arguments.skip_bootstrap:
            report["bootstrap"] = bench_bootstrap(arguments.data_dir, by_label, workdir)
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
