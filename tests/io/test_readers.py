from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from zhclean.document import Document, Rejected
from zhclean.io.readers import InputError, ReaderOptions, format_for_path, read_records
from zhclean.io.warc_writer import HttpResponse, wet_conversion_record, write_warc

PAGE = "<html><head><meta charset='utf-8'><title>标题</title></head><body><p>这是一个测试页面的正文内容。</p></body></html>"


def read_all(path: Path, format: str, **options: str) -> list[Document | Rejected]:
    return list(read_records(path, format, ReaderOptions(**options)))


def reasons(outcomes: list[Document | Rejected]) -> list[str]:
    return [outcome.reason if isinstance(outcome, Rejected) else "kept" for outcome in outcomes]


@pytest.mark.parametrize(
    ("name", "format"),
    [
        ("crawl.warc.gz", "warc"),
        ("crawl.warc", "warc"),
        ("CC-MAIN-1.warc.wet.gz", "wet"),
        ("part.wet", "wet"),
        ("docs.jsonl", "jsonl"),
        ("docs.jsonl.gz", "jsonl"),
        ("docs.jsonl.zst", "jsonl"),
        ("shard.parquet", "parquet"),
        ("page.html", "html"),
    ],
)
def test_format_from_file_name(tmp_path: Path, name: str, format: str) -> None:
    assert format_for_path(tmp_path / name) == format


def test_unknown_file_name_asks_for_format(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--format"):
        format_for_path(tmp_path / "dump.bin")


def test_warc_response_records_keep_their_id_and_url(tmp_path: Path) -> None:
    path = write_warc(
        tmp_path / "c.warc.gz",
        [
            HttpResponse(
                "http://example.invalid/a",
                PAGE.encode(),
                "text/html; charset=utf-8",
                record_id="urn:uuid:aaaa",
            ),
            HttpResponse("http://example.invalid/logo.png", b"\x89PNG\r\n", "image/png"),
            HttpResponse("http://example.invalid/gone", b"<p>404</p>", "text/html", status=404),
            HttpResponse("http://example.invalid/notes.txt", "纯文本".encode(), "text/plain"),
        ],
    )
    outcomes = read_all(path, "warc")
    assert reasons(outcomes) == ["kept", "io.not_html", "io.http_status", "kept"]
    page = outcomes[0]
    assert isinstance(page, Document)
    assert (page.id, page.url, page.raw) == ("urn:uuid:aaaa", "http://example.invalid/a", PAGE.encode())
    assert page.meta["http_content_type"] == "text/html; charset=utf-8"
    assert page.source is not None and page.source.offset == 0
    assert isinstance(outcomes[3], Document) and outcomes[3].meta["payload_kind"] == "text"


def test_wet_conversion_records_are_text(tmp_path: Path) -> None:
    path = tmp_path / "c.warc.wet.gz"
    path.write_bytes(
        gzip.compress(wet_conversion_record("http://example.invalid/w", "第一行\n第二行", "urn:uuid:w1"))
    )
    [document] = read_all(path, format_for_path(path))
    assert isinstance(document, Document)
    assert (document.id, document.url, document.text, document.raw) == (
        "urn:uuid:w1",
        "http://example.invalid/w",
        "第一行\n第二行",
        None,
    )


def test_truncated_warc_keeps_what_was_read(tmp_path: Path) -> None:
    responses = [HttpResponse(f"http://example.invalid/{n}", (PAGE * 50).encode()) for n in range(5)]
    whole = write_warc(tmp_path / "whole.warc.gz", responses).read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(whole[: len(whole) * 7 // 10])
    outcomes = read_all(cut, "warc")
    assert reasons(outcomes)[-1] == "io.truncated"
    assert reasons(outcomes)[:-1] == ["kept"] * (len(outcomes) - 1)
    assert len(outcomes) >= 3


def test_garbage_after_records_is_reported(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "c.warc", [HttpResponse("http://example.invalid/a", PAGE.encode())])
    path.write_bytes(path.read_bytes() + b"this is not a WARC record\r\n\r\n")
    assert reasons(read_all(path, "warc")) == ["kept", "io.corrupt"]


def write_lines(path: Path, lines: list[str]) -> Path:
    data = ("\n".join(lines) + "\n").encode()
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    elif path.name.endswith(".zst"):
        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", ["d.jsonl", "d.jsonl.gz", "d.jsonl.zst"])
def test_jsonl_in_every_compression(tmp_path: Path, name: str) -> None:
    path = write_lines(
        tmp_path / name,
        [
            json.dumps({"id": "甲", "text": "第一篇", "url": "http://x.invalid/1"}),
            json.dumps({"text": "第二篇"}),
        ],
    )
    outcomes = read_all(path, "jsonl")
    assert [(doc.id, doc.text) for doc in outcomes if isinstance(doc, Document)] == [
        ("甲", "第一篇"),
        (f"{name}#1", "第二篇"),
    ]
    assert outcomes[0].url == "http://x.invalid/1"  # type: ignore[union-attr]


def test_jsonl_bad_lines_are_rejected_not_dropped(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "d.jsonl",
        [
            json.dumps({"id": "1", "text": "好的记录"}),
            '{"id": "2", "text": "断开的',
            json.dumps({"id": "3", "body": "没有text字段"}),
            json.dumps({"id": "4", "text": 42}),
            json.dumps(["不是", "对象"]),
            "",
            json.dumps({"id": "6", "text": "又一条好的记录"}),
        ],
    )
    assert reasons(read_all(path, "jsonl")) == [
        "kept",
        "io.bad_json",
        "io.missing_field",
        "io.bad_field",
        "io.bad_json",
        "kept",
    ]


def test_jsonl_field_names_are_configurable(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "d.jsonl", [json.dumps({"doc_id": "x1", "content": "正文"})])
    [document] = read_all(path, "jsonl", text_field="content", id_field="doc_id")
    assert isinstance(document, Document) and (document.id, document.text) == ("x1", "正文")


def test_truncated_gzip_jsonl(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": str(n), "text": f"第{n}条记录，内容足够长以便压缩。" * 20}) for n in range(200)
    ]
    whole = write_lines(tmp_path / "w.jsonl.gz", lines).read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    outcomes = read_all(cut, "jsonl")
    assert reasons(outcomes)[-1] == "io.truncated"
    assert 0 < len(outcomes) - 1 < 200


def test_parquet_with_a_named_text_column(tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "content": ["第一", "第二"]}), path)
    outcomes = read_all(path, "parquet", text_field="content")
    assert [(doc.id, doc.text) for doc in outcomes if isinstance(doc, Document)] == [
        ("a", "第一"),
        ("b", "第二"),
    ]


def test_parquet_without_the_text_column_rejects_every_row(tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "body": ["第一", "第二"]}), path)
    outcomes = read_all(path, "parquet")
    assert reasons(outcomes) == ["io.missing_field", "io.missing_field"]
    assert [outcome.document.id for outcome in outcomes if isinstance(outcome, Rejected)] == ["a", "b"]


def test_corrupt_parquet(tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    path.write_bytes(b"PAR1 not really")
    assert reasons(read_all(path, "parquet")) == ["io.corrupt"]


def test_directory_of_html_files(tmp_path: Path) -> None:
    (tmp_path / "site" / "sub").mkdir(parents=True)
    (tmp_path / "site" / "a.html").write_bytes(PAGE.encode())
    (tmp_path / "site" / "sub" / "b.htm").write_bytes(PAGE.encode("utf-8"))
    (tmp_path / "site" / "notes.txt").write_text("不是网页")
    outcomes = read_all(tmp_path / "site", "html")
    assert [doc.id for doc in outcomes] == ["a.html", "sub/b.htm"]  # type: ignore[union-attr]
