"""The `audit` and `report` subcommands through a parser built with `register`."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from zhclean.cli.audit import register


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="zhclean")
    register(parser.add_subparsers(dest="command", required=True))
    arguments = parser.parse_args(list(argv))
    return int(arguments.handler(arguments))


def test_audit_json_counts_add_up(audit_output: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("audit", str(audit_output), "--format", "json") == 0
    summary = json.loads(capsys.readouterr().out)
    assert sum(row["documents"] for row in summary["reasons"]) == summary["rejected"] == 5
    assert summary["reasons"][0]["definition"]["params"]["min_chars"] == 50
    assert any(
        row["rule"] == "ad.qr_follow.scan" and row["definition"]["file"] == "ad_lines.toml"
        for row in summary["removals"]
    )


def test_audit_text_shows_funnel_reasons_and_rules(
    audit_output: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("audit", str(audit_output)) == 0
    text = capsys.readouterr().out
    assert "funnel" in text and "length.too_short" in text and "min_chars=50" in text
    assert re.search(r"ad\.qr_follow\.scan .*ad_lines\.toml:\d+", text)


def test_audit_reason_samples_mark_the_match(audit_output: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("audit", str(audit_output), "--reason", "spam_words", "--sample", "1", "--seed", "3") == 0
    text = capsys.readouterr().out
    assert "[[百家乐]]" in text and "spam.gambling" in text and "spam_words.toml:" in text


def test_audit_rule_samples_fragments(audit_output: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("audit", str(audit_output), "--rule", "ad.qr_follow", "--format", "json") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["removals"]["matching"] == 2
    assert {sample["context"] for sample in result["removals"]["samples"]} == {
        "[[扫码]]关注我们，获取更多资讯",
        "[[长按识别]][[二维码]]关注",
    }


def test_audit_one_document(audit_output: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("audit", str(audit_output), "--id", "r1", "--format", "json") == 0
    rejected = json.loads(capsys.readouterr().out)
    assert rejected["verdict"] == "rejected" and rejected["detail"]["hits"] == 12
    assert rejected["rules"][0]["file"] == "spam_words.toml"
    assert run("audit", str(audit_output), "--id", "k1") == 0
    text = capsys.readouterr().out
    assert "KEPT" in text and "2 fragments stripped" in text and "首页 > 新闻 > 正文" in text


def test_audit_diff(data, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    a = data.write_output(tmp_path / "a", data.kept, data.rejected)
    b = data.write_output(
        tmp_path / "b",
        data.kept[:2],
        data.rejected
        + [
            __import__("zhclean.document", fromlist=["Rejected"]).Rejected(
                data.kept[2], "length.too_short", {"chars": 60}
            )
        ],
    )
    assert run("audit", "diff", str(a), str(b)) == 0
    text = capsys.readouterr().out
    assert "changed verdict 1" in text and "kept" in text and "length.too_short" in text


def test_report_writes_a_file_and_prints_its_path(
    audit_output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    destination = tmp_path / "r" / "report.html"
    assert run("report", str(audit_output), "-o", str(destination)) == 0
    assert capsys.readouterr().out.strip() == str(destination.resolve())
    assert destination.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["audit", "{missing}"], "not found"),
        (
            ["audit", "{out}", "--reason", "no_such.reason"],
            "no rejected document or stripped fragment matches",
        ),
        (["audit", "{out}", "--id", "no-such-id"], "no document with id"),
        (["audit", "diff", "{out}"], "usage"),
        (["audit", "{out}", "{out}"], "one output directory"),
        (["report", "{missing}"], "not found"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(
    audit_output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    filled = [part.format(out=audit_output, missing=tmp_path / "missing") for part in argv]
    assert run(*filled) == 2
    error = capsys.readouterr().err.strip()
    assert message in error and "\n" not in error
