"""A fastText quality model and the sidecar that says how to use it.

    model = QualityModel.load(Path("quality.bin"))     # reads quality.bin.json beside it
    model.scores(["一段文字", "另一段"])                   # probability of the positive label

    report = train_quality_model(good_texts, bad_texts, Path("quality.bin"))

The sidecar (`MODEL.json`, e.g. `quality.bin.json`) records the tokenization (so scoring
always cuts text as training did), the labels and which one is "good", and the training
figures (parameters, document counts, validation precision/recall/F1/ROC AUC, seconds).

One fastText distribution only: `fasttext-numpy2` (module `fasttext`). The official
package's Python `predict` fails under numpy 2 (docs/ARCHITECTURE.md), so prediction goes through the
binding's `multilinePredict` directly, with texts we have already made single lines.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zhclean.quality.metrics import classifier_report
from zhclean.quality.tokenize import DEFAULT_MAX_CHARS, Tokenization

SIDECAR_FORMAT = "zhclean-quality-model"
SIDECAR_VERSION = 1
LABEL_PREFIX = "__label__"
POSITIVE_LABEL = "good"
NEGATIVE_LABEL = "bad"

# Training defaults, chosen on ../shared/data/quality (benchmarks/quality.py):
# * character bigrams (wordNgrams=2) hashed into 200k buckets: bigrams carry most of the
#   signal single characters miss (词 vs 字), and a small hash table keeps the rows fetched
#   per document in cache: at 32 dimensions 200k buckets are a 26 MB model that scored
#   7.1k docs/s (CPU) against 6.0k for 500k (64 MB) and ~4k for fastText's 2M, with the
#   same held-out AUC (0.9999 on high vs spam).
# * 32 dimensions: two classes need few, and a 128-byte row is two cache lines.
# * 5 epochs at learning rate 0.5: fastText's supervised tutorial settles on lr 0.5–1.0;
#   more epochs only cost time here.
DEFAULT_EPOCHS = 5
DEFAULT_LEARNING_RATE = 0.5
DEFAULT_DIMENSIONS = 32
DEFAULT_BUCKETS = 200_000
DEFAULT_WORD_NGRAMS = {"chars": 1, "char_ngrams": 2, "jieba": 2}
DEFAULT_MIN_COUNT = 2
DEFAULT_VALIDATION_SHARE = 0.1
DEFAULT_SEED = 0
DEFAULT_THREADS = 1  # one thread is reproducible; fastText with more threads is not
# Training examples are cut into pieces of at most this many characters: more, shorter
# examples give more updates per epoch, and bound fastText's work per example (one
# zh-Wikipedia article is ~50k characters). Scoring still reads the first `max_chars` of a
# document: the classifier averages token vectors, so a longer text is on the same scale.
DEFAULT_CHUNK_CHARS = 1_000
# A divergence is retried with the learning rate halved, this many times.
NAN_RETRIES = 3


class ModelError(Exception):
    """A model that cannot be used: missing file, missing or unreadable sidecar."""


def sidecar_path(model_path: Path) -> Path:
    """`quality.bin` → `quality.bin.json`: the suffix is kept so that a `.bin` and its
    quantized `.ftz` each have their own."""
    return model_path.with_name(model_path.name + ".json")


def load_fasttext(model_path: Path) -> Any:
    try:
        import fasttext
    except ImportError:  # pragma: no cover - depends on the environment
        raise ModelError("quality models need fastText: pip install fasttext-numpy2") from None
    if not model_path.is_file():
        raise ModelError(f"no fastText model at {model_path}")
    # `_FastText(model_path=…)` is what `fasttext.load_model` does, minus its warning.
    return fasttext.FastText._FastText(model_path=str(model_path))


@dataclass
class QualityModel:
    """A loaded model with its sidecar; `scores` gives the positive label's probability."""

    path: Path
    tokenization: Tokenization
    positive_label: str
    card: dict[str, Any]
    fasttext_model: Any = field(repr=False)

    @classmethod
    def load(cls, model_path: Path) -> QualityModel:
        card_path = sidecar_path(model_path)
        if not card_path.is_file():
            raise ModelError(
                f"no sidecar {card_path} beside the model: it records how texts were tokenized; "
                "train with `zhclean quality train` or write one (see zhclean.quality.model)"
            )
        try:
            card = json.loads(card_path.read_text(encoding="utf-8"))
            tokenization = Tokenization.from_dict(card["tokenization"])
            positive_label = str(card["labels"]["positive"])
        except (ValueError, KeyError, TypeError) as error:
            raise ModelError(f"sidecar {card_path} is not a zhclean quality model card: {error}") from None
        model = load_fasttext(model_path)
        labels = [label.removeprefix(LABEL_PREFIX) for label in model.get_labels()]
        if positive_label not in labels:
            raise ModelError(
                f"model {model_path} has labels {labels}, not the sidecar's positive label {positive_label!r}"
            )
        return cls(model_path, tokenization, positive_label, card, model)

    def scores(self, texts: Sequence[str]) -> list[float]:
        """Probability of the positive label for each text; 0.0 for a text with no tokens
        (nothing to call good)."""
        lines = self.tokenization.lines(texts)
        # fastText would still see its end-of-line token in an empty line, and score it.
        with_tokens = [index for index, line in enumerate(lines) if not line.isspace()]
        scores = [0.0] * len(lines)
        if len(with_tokens) == len(lines):
            return predict_positive(self.fasttext_model, lines, LABEL_PREFIX + self.positive_label)
        predicted = predict_positive(
            self.fasttext_model, [lines[index] for index in with_tokens], LABEL_PREFIX + self.positive_label
        )
        for index, score in zip(with_tokens, predicted, strict=False):
            scores[index] = score
        return scores


def predict_positive(fasttext_model: Any, lines: list[str], positive: str) -> list[float]:
    # k=-1, threshold 0: every label with its probability, so the positive one is always there.
    all_labels, all_probabilities = fasttext_model.f.multilinePredict(lines, -1, 0.0, "replace")
    scores = []
    for labels, probabilities in zip(all_labels, all_probabilities, strict=False):
        score = 0.0
        for label, probability in zip(labels, probabilities, strict=False):
            if label == positive:
                score = min(1.0, max(0.0, float(probability)))  # fastText adds 1e-5 smoothing
                break
        scores.append(score)
    return scores


# -- training -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingOptions:
    tokenizer: str = "char_ngrams"
    stop_words: tuple[str, ...] = ()
    max_chars: int = DEFAULT_MAX_CHARS
    epochs: int = DEFAULT_EPOCHS
    learning_rate: float = DEFAULT_LEARNING_RATE
    dimensions: int = DEFAULT_DIMENSIONS
    word_ngrams: int | None = None  # None: the tokenizer's default
    buckets: int = DEFAULT_BUCKETS
    min_count: int = DEFAULT_MIN_COUNT
    chunk_chars: int = DEFAULT_CHUNK_CHARS
    validation_share: float = DEFAULT_VALIDATION_SHARE
    seed: int = DEFAULT_SEED
    threads: int = DEFAULT_THREADS
    quantize: bool = False

    def fasttext_arguments(self) -> dict[str, Any]:
        word_ngrams = (
            self.word_ngrams if self.word_ngrams is not None else DEFAULT_WORD_NGRAMS[self.tokenizer]
        )
        return {
            "epoch": self.epochs,
            "lr": self.learning_rate,
            "dim": self.dimensions,
            "wordNgrams": word_ngrams,
            # Never 0, even without n-grams: this fastText build diverged ("Encountered
            # NaN") in our runs with bucket=0; unused buckets only cost memory.
            "bucket": self.buckets,
            "minCount": self.min_count,
            "seed": self.seed,
            "thread": self.threads,
            "loss": "softmax",
        }


def split_validation(count: int, share: float, seed: int) -> tuple[list[int], list[int]]:
    """Shuffled (training, validation) indices; validation gets `share` of `count`."""
    indices = list(range(count))
    random.Random(seed).shuffle(indices)
    validation_count = int(round(count * share)) if 0 < share < 1 else 0
    return indices[validation_count:], indices[:validation_count]


def chunked(
    texts: Sequence[str], labels: Sequence[bool], chunk_chars: int, max_chars: int
) -> tuple[list[str], list[bool]]:
    """Texts (clipped to `max_chars`, as scoring clips them) cut into pieces of at most
    `chunk_chars` characters, each with its document's label."""
    pieces: list[str] = []
    piece_labels: list[bool] = []
    for text, label in zip(texts, labels, strict=False):
        text = text[:max_chars]
        for start in range(0, max(1, len(text)), chunk_chars):
            pieces.append(text[start : start + chunk_chars])
            piece_labels.append(label)
    return pieces, piece_labels


def write_training_file(path: Path, lines: Sequence[str], labels: Sequence[bool], seed: int) -> int:
    """Labelled lines in a shuffled order (fastText reads its input in file order, and a
    file of all positives then all negatives trains badly); returns the line count."""
    order = list(range(len(lines)))
    random.Random(seed).shuffle(order)
    written = 0
    with open(path, "w", encoding="utf-8", errors="replace") as handle:
        for index in order:
            if not lines[index].strip():
                continue
            label = POSITIVE_LABEL if labels[index] else NEGATIVE_LABEL
            handle.write(f"{LABEL_PREFIX}{label} {lines[index]}")
            written += 1
    return written


def fit_fasttext(
    training_file: Path, output: Path, arguments: dict[str, Any], quantize: bool = False
) -> dict[str, Any]:
    """Trains (and quantizes) with fastText and saves the model to `output`, each attempt
    in a fresh child process. This fastText build trains correctly only the first time in
    a process: from the second model on it diverges ("Encountered NaN") on most runs, at
    any learning rate (seen on real data: 5/5 first trainings fine, 4/4 later ones NaN,
    same file and arguments), which points at memory the library does not initialise.
    A genuine divergence is retried with the learning rate halved (fastText's advice).
    Returns the arguments that worked."""
    arguments = dict(arguments)
    for attempt in range(NAN_RETRIES + 1):
        error = train_in_child_process(training_file, output, arguments, quantize)
        if error is None:
            return arguments
        if attempt == NAN_RETRIES:
            raise RuntimeError(
                f"fastText diverged ({error}) {NAN_RETRIES + 1} times, down to lr {arguments['lr']}; "
                "try a lower --learning-rate"
            )
        arguments["lr"] = arguments["lr"] / 2
    raise AssertionError("unreachable")  # pragma: no cover


def train_in_child_process(
    training_file: Path, output: Path, arguments: dict[str, Any], quantize: bool
) -> str | None:
    """`python -m zhclean.quality.model JOB` (a subprocess, not multiprocessing: spawning
    re-imports the caller's main script, which breaks scripts without a main guard).
    None when the model is saved, the error message of a divergence."""
    job = json.dumps(
        {"input": str(training_file), "output": str(output), "arguments": arguments, "quantize": quantize}
    )
    finished = subprocess.run(
        [sys.executable, "-m", "zhclean.quality.model", job], capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        raise RuntimeError(f"fastText training failed: {finished.stderr.strip()[-2000:]}")
    result = json.loads(finished.stdout.strip().splitlines()[-1])
    return result["error"]


def train_and_save(job: dict[str, Any]) -> str | None:
    """Runs in the child process: None when the model is saved, the error of a divergence."""
    import fasttext

    try:
        model = fasttext.train_supervised(input=job["input"], verbose=0, **job["arguments"])
        if job["quantize"]:
            # Without retraining: the quantized model is a compressed copy of this one.
            model.quantize(input=job["input"], qnorm=True, retrain=False)
    except RuntimeError as error:
        if "NaN" not in str(error):
            raise
        return str(error)
    model.save_model(job["output"])
    return None


def train_quality_model(
    positive_texts: Sequence[str],
    negative_texts: Sequence[str],
    output: Path,
    options: TrainingOptions = TrainingOptions(),
    extra_card: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Trains on all but a validation share, reports on that share, writes `output` (a
    `.bin`, or with `options.quantize` a quantized model, conventionally `.ftz`) and its
    sidecar. Returns the sidecar's content."""
    if not positive_texts or not negative_texts:
        raise ValueError(
            f"need documents of both kinds: {len(positive_texts)} positive, {len(negative_texts)} negative"
        )
    began = time.perf_counter()
    tokenization = Tokenization(
        kind=options.tokenizer, stop_words=options.stop_words, max_chars=options.max_chars
    )
    texts = list(positive_texts) + list(negative_texts)
    labels = [True] * len(positive_texts) + [False] * len(negative_texts)
    # Documents, not pieces, are split, so no piece of a validation document is trained on.
    training, validation = split_validation(len(texts), options.validation_share, options.seed)
    pieces, piece_labels = chunked(
        [texts[index] for index in training],
        [labels[index] for index in training],
        options.chunk_chars,
        options.max_chars,
    )
    lines = tokenize_in_batches(tokenization, pieces)
    tokenized_seconds = time.perf_counter() - began
    with tempfile.TemporaryDirectory(prefix="zhclean-quality-") as scratch:
        training_file = Path(scratch) / "train.txt"
        examples = write_training_file(training_file, lines, piece_labels, options.seed)
        fit_began = time.perf_counter()
        output.parent.mkdir(parents=True, exist_ok=True)
        arguments = fit_fasttext(training_file, output, options.fasttext_arguments(), options.quantize)
        fit_seconds = time.perf_counter() - fit_began
    validation_report: dict[str, Any] | None = None
    if validation:
        # Scored through the saved model, exactly as the scorer will see it.
        saved = QualityModel(output, tokenization, POSITIVE_LABEL, {}, load_fasttext(output))
        validation_texts = [texts[index] for index in validation]
        scores: list[float] = []
        for start in range(0, len(validation_texts), TOKENIZE_BATCH):
            scores.extend(saved.scores(validation_texts[start : start + TOKENIZE_BATCH]))
        validation_report = classifier_report([labels[index] for index in validation], scores)
    card: dict[str, Any] = {
        "format": SIDECAR_FORMAT,
        "version": SIDECAR_VERSION,
        "model_file": output.name,
        "tokenization": tokenization.as_dict(),
        "labels": {"positive": POSITIVE_LABEL, "negative": NEGATIVE_LABEL, "prefix": LABEL_PREFIX},
        "training": {
            "fasttext": arguments,
            "quantized": options.quantize,
            "documents": {
                "positive": len(positive_texts),
                "negative": len(negative_texts),
                "training": len(training),
                "validation": len(validation),
                "training_examples": examples,
            },
            "chunk_chars": options.chunk_chars,
            "validation_share": options.validation_share,
            "seconds": {
                "tokenize": round(tokenized_seconds, 3),
                "fit": round(fit_seconds, 3),
                "total": round(time.perf_counter() - began, 3),
            },
        },
        "validation": validation_report,
    }
    if extra_card:
        card.update(extra_card)
    sidecar_path(output).write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return card


TOKENIZE_BATCH = 512


def tokenize_in_batches(tokenization: Tokenization, texts: Sequence[str]) -> list[str]:
    lines: list[str] = []
    for start in range(0, len(texts), TOKENIZE_BATCH):
        lines.extend(tokenization.lines(texts[start : start + TOKENIZE_BATCH]))
    return lines


if __name__ == "__main__":
    print(json.dumps({"error": train_and_save(json.loads(sys.argv[1]))}))
