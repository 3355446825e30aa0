from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import ClassVar

import pytest

from zhclean.cli.quality import register
from zhclean.document import Document, Reject, Rejected
from zhclean.quality.bootstrap import balanced, is_negative_reason, weak_labels
from zhclean.quality.model import sidecar_path
from zhclean.steps import Filter


def run_command(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="zhclean")
    register(parser.add_subparsers(dest="command", required=True))
    arguments = parser.parse_args(list(argv))
    return arguments.handler(arguments)


def write_jsonl(path: Path, records: list[dict[str, str]]) -> Path:
    path.write_text(
        "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8"
    )
    return path


TINY = ("--min-count", "1", "--epochs", "25", "--validation-share", "0.2", "--buckets", "20000")


def test_train_from_positive_and_negative_files(
    tmp_path: Path, good_documents: list[str], bad_documents: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", [{"body": text} for text in good_documents])
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"body": text} for text in bad_documents])
    model = tmp_path / "model.bin"
    assert (
        run_command(
            "quality",
            "train",
            "--positive",
            str(good),
            "--negative",
            str(bad),
            "-o",
            str(model),
            "--text-field",
            "body",
            *TINY,
        )
        == 0
    )
    printed = capsys.readouterr().out
    for figure in ("precision", "recall", "F1", "ROC AUC"):
        assert figure in printed
    assert model.is_file() and sidecar_path(model).is_file()


def test_train_from_a_labelled_file_quantized(
    tmp_path: Path, good_documents: list[str], bad_documents: list[str]
) -> None:
    records = [{"text": text, "kind": "good"} for text in good_documents] + [
        {"text": text, "kind": "ad"} for text in bad_documents
    ]
    records.append({"text": "不参与训练的第三类", "kind": "other"})
    labelled = write_jsonl(tmp_path / "labelled.jsonl", records)
    model = tmp_path / "model.ftz"
    code = run_command(
        "quality",
        "train",
        str(labelled),
        "--label-field",
        "kind",
        "--positive-label",
        "good",
        "--negative-label",
        "ad",
        "-o",
        str(model),
        "--quantize",
        *TINY,
    )
    assert code == 0
    card = json.loads(sidecar_path(model).read_text(encoding="utf-8"))
    assert card["training"]["quantized"] is True
    assert card["training"]["documents"]["negative"] == len(bad_documents)
    assert card["skipped_records"] == {"label_other": 1}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("quality", "train", "-o", "m.bin"), "name training data"),
        (("quality", "train", "x.jsonl", "-o", "m.bin"), "--label-field"),
    ],
)
def test_train_user_errors(argv: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_command(*argv) == 2
    assert message in capsys.readouterr().err


def test_too_few_examples_is_a_user_error(
    tmp_path: Path, good_documents: list[str], bad_documents: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", [{"text": good_documents[0]}])
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"text": bad_documents[0]}])
    assert (
        run_command(
            "quality", "train", "--positive", str(good), "--negative", str(bad), "-o", str(tmp_path / "m.bin")
        )
        == 2
    )
    assert "too few examples" in capsys.readouterr().err


class AdWordFilter(Filter):
    """Stands in for the spam rules: rejects text with an advertising word."""

    name: ClassVar[str] = "spam_words"
    codes: ClassVar[tuple[str, ...]] = ("advertising",)

    def check(self, doc: Document) -> Reject | None:
        return (
            Reject("advertising")
            if any(word in doc.text for word in ("微信", "点击", "优惠", "免费"))
            else None
        )


class ShortFilter(Filter):
    name: ClassVar[str] = "length"
    codes: ClassVar[tuple[str, ...]] = ("too_short",)

    def check(self, doc: Document) -> Reject | None:
        return Reject("too_short") if len(doc.text) < 5 else None


@pytest.mark.parametrize(
    ("reason", "negative"),
    [
        ("spam_words.advertising", True),
        ("ad_lines.emptied", True),
        ("normalize.emptied", True),
        ("repetition.top_ngram", True),
        ("length.too_short", False),
        ("script.japanese", False),
    ],
)
def test_negative_reasons(reason: str, negative: bool) -> None:
    assert is_negative_reason(reason) is negative


def test_weak_labels_sort_outcomes(good_documents: list[str], bad_documents: list[str]) -> None:
    documents: list[Document | Rejected] = [
        Document(id=f"g{index}", text=text) for index, text in enumerate(good_documents[:5])
    ]
    documents += [Document(id=f"b{index}", text=text) for index, text in enumerate(bad_documents[:3])]
    documents.append(Document(id="short", text="短"))
    labels = weak_labels(documents, [ShortFilter(), AdWordFilter()])
    assert (len(labels.positives), len(labels.negatives)) == (5, 3)
    assert labels.negative_reasons == {"spam_words.advertising": 3}
    assert labels.unused == {"length.too_short": 1}
    positives, negatives = balanced(labels, 1.0, seed=0)
    assert (len(positives), len(negatives)) == (3, 3)


def test_bootstrap_command_with_a_recipe_file(
    tmp_path: Path, good_documents: list[str], bad_documents: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = write_jsonl(
        tmp_path / "corpus.jsonl", [{"text": text} for text in good_documents + bad_documents]
    )
    recipe = tmp_path / "recipe.toml"
    recipe.write_text('[[steps]]\nname = "spam_words"\n', encoding="utf-8")
    model = tmp_path / "boot.bin"
    code = run_command("quality", "bootstrap", str(corpus), "--recipe", str(recipe), "-o", str(model), *TINY)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "positive" in captured.err and "negative" in captured.err
    card = json.loads(sidecar_path(model).read_text(encoding="utf-8"))
    assert card["bootstrap"]["negative"] > 0 and card["bootstrap"]["positive"] > 0
