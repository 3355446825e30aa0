"""`zhclean quality train` and `zhclean quality bootstrap`.

    zhclean quality train --positive good.jsonl --negative spam.jsonl -o quality.bin
    zhclean quality train labelled.jsonl --label-field label --positive-label high \\
        --negative-label spam -o quality.bin --quantize     # writes a compressed model
    zhclean quality bootstrap crawl.jsonl -o quality.bin    # labels from zhclean's rules

Both write MODEL and its sidecar MODEL.json (tokenization, labels, training figures) and
print the validation precision, recall, F1 and ROC AUC. Use the model with
`zhclean clean --quality-model MODEL [--min-quality X]` or the `fasttext_quality` step.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from zhclean.cli.common import user_error
from zhclean.document import Document, Rejected
from zhclean.io.readers import (
    ByteProgress,
    InputError,
    ReaderOptions,
    format_for_path,
    open_text_lines,
    read_records,
)
from zhclean.quality.model import (
    DEFAULT_BUCKETS,
    DEFAULT_CHUNK_CHARS,
    DEFAULT_DIMENSIONS,
    DEFAULT_EPOCHS,
    DEFAULT_LEARNING_RATE,
    DEFAULT_MIN_COUNT,
    DEFAULT_SEED,
    DEFAULT_THREADS,
    DEFAULT_VALIDATION_SHARE,
    ModelError,
    TrainingOptions,
    train_quality_model,
)
from zhclean.quality.tokenize import DEFAULT_MAX_CHARS, TOKENIZERS


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    quality = subparsers.add_parser(
        "quality",
        help="train fastText quality models",
        description="Train fastText quality models for the fasttext_quality step.",
    )
    actions = quality.add_subparsers(dest="quality_command", required=True, metavar="ACTION")

    train = actions.add_parser(
        "train",
        help="train on good and bad documents you name",
        description=(
            "Train on --positive and --negative files, or on labelled FILEs with --label-field. "
            "Holds out a validation share and prints precision, recall, F1 and ROC AUC."
        ),
    )
    train.add_argument(
        "labelled",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="JSONL/Parquet files with a label field (with --label-field)",
    )
    train.add_argument(
        "--positive", nargs="+", type=Path, default=[], metavar="FILE", help="files of good documents"
    )
    train.add_argument(
        "--negative", nargs="+", type=Path, default=[], metavar="FILE", help="files of bad documents"
    )
    train.add_argument(
        "--label-field", help="field (JSONL) or column (Parquet) holding each document's label"
    )
    train.add_argument(
        "--positive-label",
        action="append",
        default=[],
        metavar="X",
        help="label value that means good (repeatable)",
    )
    train.add_argument(
        "--negative-label",
        action="append",
        default=[],
        metavar="Y",
        help="label value that means bad (repeatable; default: every value that is not a positive label)",
    )
    add_common_options(train)
    train.set_defaults(handler=command_train)

    bootstrap = actions.add_parser(
        "bootstrap",
        help="train without labels: weak labels from zhclean's own rules",
        description=(
            "Run a heuristics recipe over CORPUS: documents kept with nothing stripped are positives, "
            "documents rejected by spam, ad or repetition rules (or emptied by a cleaner) negatives. "
            "Prints how many of each were used, then trains as `train` does."
        ),
    )
    bootstrap.add_argument("corpus", nargs="+", type=Path, metavar="CORPUS")
    bootstrap.add_argument(
        "--recipe", default="heuristics", help="recipe whose verdicts give the labels (default: %(default)s)"
    )
    bootstrap.add_argument(
        "--negative-reason",
        action="append",
        default=None,
        metavar="PATTERN",
        help="reason pattern (e.g. 'spam_words.*', '*.emptied') that makes a rejected document a negative; "
        "repeatable; default: zhclean's spam, ad and repetition rules",
    )
    bootstrap.add_argument(
        "--max-imbalance",
        type=float,
        default=None,
        help="cap the larger label at this many times the smaller (default: 3)",
    )
    add_common_options(bootstrap)
    bootstrap.set_defaults(handler=command_bootstrap)


def add_common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        metavar="MODEL",
        help="model file to write (.bin, or .ftz with --quantize)",
    )
    parser.add_argument("--text-field", default="text", help="field holding the text (default: %(default)s)")
    model = parser.add_argument_group("model")
    model.add_argument(
        "--tokenizer",
        choices=TOKENIZERS,
        default="char_ngrams",
        help="how texts are cut into tokens (default: %(default)s)",
    )
    model.add_argument(
        "--stop-words",
        metavar="FILE",
        help="drop these words before training and scoring (the `words` of a rule file, e.g. stop_words.toml)",
    )
    model.add_argument(
        "--max-chars",
        type=int,
        default=DEFAULT_MAX_CHARS,
        help="characters of a document used (default: %(default)s)",
    )
    model.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS, help="(default: %(default)s)")
    model.add_argument(
        "--learning-rate", type=float, default=DEFAULT_LEARNING_RATE, help="(default: %(default)s)"
    )
    model.add_argument("--dimensions", type=int, default=DEFAULT_DIMENSIONS, help="(default: %(default)s)")
    model.add_argument(
        "--word-ngrams",
        type=int,
        help="token n-grams fastText adds (default: 2 for char_ngrams and jieba, 1 for chars)",
    )
    model.add_argument(
        "--buckets", type=int, default=DEFAULT_BUCKETS, help="hash buckets for n-grams (default: %(default)s)"
    )
    model.add_argument(
        "--min-count",
        type=int,
        default=DEFAULT_MIN_COUNT,
        help="drop tokens seen fewer times (default: %(default)s)",
    )
    model.add_argument(
        "--chunk-chars",
        type=int,
        default=DEFAULT_CHUNK_CHARS,
        help="training examples are pieces of at most this many characters (default: %(default)s)",
    )
    model.add_argument(
        "--validation-share",
        type=float,
        default=DEFAULT_VALIDATION_SHARE,
        help="documents held out to report on (default: %(default)s)",
    )
    model.add_argument("--seed", type=int, default=DEFAULT_SEED, help="(default: %(default)s)")
    model.add_argument(
        "--threads",
        type=int,
        default=DEFAULT_THREADS,
        help="fastText threads; more than 1 is faster but not reproducible (default: %(default)s)",
    )
    model.add_argument(
        "--quantize", action="store_true", help="write a quantized model (much smaller, slower to score)"
    )


def training_options(arguments: argparse.Namespace) -> TrainingOptions:
    stop_words: tuple[str, ...] = ()
    if arguments.stop_words:
        from zhclean.rules import rule_words

        stop_words = tuple(rule_words(arguments.stop_words))
    if not 0 <= arguments.validation_share < 1:
        raise ValueError("--validation-share must be in [0, 1)")
    return TrainingOptions(
        tokenizer=arguments.tokenizer,
        stop_words=stop_words,
        max_chars=arguments.max_chars,
        epochs=arguments.epochs,
        learning_rate=arguments.learning_rate,
        dimensions=arguments.dimensions,
        word_ngrams=arguments.word_ngrams,
        buckets=arguments.buckets,
        min_count=arguments.min_count,
        chunk_chars=arguments.chunk_chars,
        validation_share=arguments.validation_share,
        seed=arguments.seed,
        threads=arguments.threads,
        quantize=arguments.quantize,
    )


# -- reading --------------------------------------------------------------------------------


def read_texts(paths: list[Path], text_field: str, skipped: Counter[str]) -> list[str]:
    """Texts of every readable record; unreadable ones are counted by reason in `skipped`."""
    texts = []
    options = ReaderOptions(text_field=text_field)
    for path in paths:
        for outcome in read_records(path, format_for_path(path), options):
            if isinstance(outcome, Rejected):
                skipped[outcome.reason] += 1
            elif outcome.text.strip():
                texts.append(outcome.text)
            else:
                skipped["empty_text"] += 1
    return texts


def labelled_records(path: Path, text_field: str, label_field: str) -> Iterator[tuple[str, str] | None]:
    """(text, label) of each record, None for one without both. The readers keep only the
    text, id and URL of a record, so the label column is read here."""
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    kind = format_for_path(path)
    if kind == "jsonl":
        with open_text_lines(path, ByteProgress()) as lines:
            for line in lines:
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    yield None
                    continue
                yield text_and_label(record, text_field, label_field)
    elif kind == "parquet":
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(path)
        missing = {text_field, label_field} - set(parquet.schema_arrow.names)
        if missing:
            raise InputError(
                f"{path} has no column(s) {sorted(missing)}; columns: {', '.join(parquet.schema_arrow.names)}"
            )
        for batch in parquet.iter_batches(columns=[text_field, label_field], batch_size=4096):
            for record in batch.to_pylist():
                yield text_and_label(record, text_field, label_field)
    else:
        raise InputError(f"{path}: labelled training files must be JSONL or Parquet, not {kind}")


def text_and_label(record: Any, text_field: str, label_field: str) -> tuple[str, str] | None:
    if not isinstance(record, dict):
        return None
    text, label = record.get(text_field), record.get(label_field)
    if not isinstance(text, str) or not text.strip() or label is None:
        return None
    return text, str(label)


def read_labelled(
    paths: list[Path],
    text_field: str,
    label_field: str,
    positive_labels: set[str],
    negative_labels: set[str],
    skipped: Counter[str],
) -> tuple[list[str], list[str]]:
    positives, negatives = [], []
    for path in paths:
        for item in labelled_records(path, text_field, label_field):
            if item is None:
                skipped["unreadable_or_unlabelled"] += 1
                continue
            text, label = item
            if label in positive_labels:
                positives.append(text)
            elif not negative_labels or label in negative_labels:
                negatives.append(text)
            else:
                skipped[f"label_{label}"] += 1
    return positives, negatives


# -- commands --------------------------------------------------------------------------------


def command_train(arguments: argparse.Namespace) -> int:
    try:
        skipped: Counter[str] = Counter()
        positives = read_texts(arguments.positive, arguments.text_field, skipped)
        negatives = read_texts(arguments.negative, arguments.text_field, skipped)
        if arguments.labelled:
            if not arguments.label_field or not arguments.positive_label:
                raise InputError("labelled FILEs need --label-field and --positive-label")
            more_positives, more_negatives = read_labelled(
                arguments.labelled,
                arguments.text_field,
                arguments.label_field,
                set(arguments.positive_label),
                set(arguments.negative_label),
                skipped,
            )
            positives += more_positives
            negatives += more_negatives
        elif not arguments.positive and not arguments.negative:
            raise InputError(
                "name training data: --positive FILE... --negative FILE..., "
                "or FILE... --label-field L --positive-label X"
            )
        check_counts(len(positives), len(negatives))
        card = train_quality_model(
            positives,
            negatives,
            arguments.output,
            training_options(arguments),
            {"skipped_records": dict(skipped)},
        )
    except (InputError, ModelError, ValueError, RuntimeError, FileNotFoundError) as error:
        return user_error(error)
    print_report(card, arguments.output)
    return 0


def command_bootstrap(arguments: argparse.Namespace) -> int:
    from zhclean.quality.bootstrap import (
        DEFAULT_MAX_IMBALANCE,
        NEGATIVE_REASON_PATTERNS,
        balanced,
        weak_labels,
    )
    from zhclean.recipe import RecipeError, load_recipe

    try:
        recipe = load_recipe(arguments.recipe)
        patterns = tuple(arguments.negative_reason or NEGATIVE_REASON_PATTERNS)
        options = ReaderOptions(text_field=arguments.text_field)
        for path in arguments.corpus:
            if not path.exists():
                raise InputError(f"no such file: {path}")
        documents: Iterator[Document | Rejected] = (
            outcome
            for path in arguments.corpus
            for outcome in read_records(path, format_for_path(path), options)
        )
        labels = weak_labels(documents, recipe.steps, patterns)
        summary = labels.summary()
        max_imbalance = (
            arguments.max_imbalance if arguments.max_imbalance is not None else DEFAULT_MAX_IMBALANCE
        )
        reasons = ", ".join(f"{reason} {count}" for reason, count in labels.negative_reasons.most_common())
        print(
            f"weak labels from recipe {recipe.name}: {summary['positive']} positive, "
            f"{summary['negative']} negative ({reasons or 'no negative reasons'})",
            file=sys.stderr,
        )
        check_counts(len(labels.positives), len(labels.negatives))
        positives, negatives = balanced(labels, max_imbalance, arguments.seed)
        print(
            f"used after balancing (at most {max_imbalance}:1): "
            f"{len(positives)} positive, {len(negatives)} negative",
            file=sys.stderr,
        )
        extra = {
            "bootstrap": {
                "recipe": recipe.name,
                "negative_reason_patterns": list(patterns),
                "max_imbalance": max_imbalance,
                **summary,
                "used": {"positive": len(positives), "negative": len(negatives)},
            }
        }
        card = train_quality_model(positives, negatives, arguments.output, training_options(arguments), extra)
    except (InputError, ModelError, RecipeError, ValueError, RuntimeError, FileNotFoundError) as error:
        return user_error(error)
    print_report(card, arguments.output)
    return 0


def check_counts(positives: int, negatives: int) -> None:
    from zhclean.quality.bootstrap import MIN_EXAMPLES_PER_LABEL

    if positives < MIN_EXAMPLES_PER_LABEL or negatives < MIN_EXAMPLES_PER_LABEL:
        raise ValueError(
            f"too few examples to train: {positives} positive, {negatives} negative "
            f"(need at least {MIN_EXAMPLES_PER_LABEL} of each)"
        )


def print_report(card: dict[str, Any], output: Path) -> None:
    documents = card["training"]["documents"]
    print(f"model: {output} (+ {output.name}.json)")
    print(
        f"documents: {documents['positive']} positive, {documents['negative']} negative; "
        f"{documents['training']} trained on ({documents['training_examples']} examples), "
        f"{documents['validation']} held out"
    )
    validation = card.get("validation")
    if validation:
        print(
            f"validation: precision {validation['precision']:.4f}  recall {validation['recall']:.4f}  "
            f"F1 {validation['f1']:.4f}  ROC AUC {validation['roc_auc']:.4f}  "
            f"(threshold {validation['threshold']})"
        )
    else:
        print("validation: none (--validation-share 0)")
    print(f"seconds: {card['training']['seconds']['total']}")
