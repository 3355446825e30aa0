"""Readers and the decoder on hostile bytes, record by record."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from tests.hardening.badinput import (
    GARBAGE,
    PDF,
    PNG,
    good_page,
    record,
    with_warc_length,
    without_warc_header,
)

from zhclean.document import Document, Rejected
from zhclean.io.decode import Decode
from zhclean.io.readers import ReaderOptions, read_records
from zhclean.pipeline import reason_for


def outcomes(path: Path, format: str, **options: int) -> list[tuple[str, str]]:
    result = []
    for outcome in read_records(path, format, ReaderOptions(**options)):  # type: ignore[arg-type]
        if isinstance(outcome, Rejected):
            result.append((outcome.document.id, outcome.reason))
        else:
            result.append((outcome.id, "kept"))
    return result


GOOD = [record(f"urn:uuid:g{n}", good_page(n)) for n in range(3)]
BAD = record("urn:uuid:bad", good_page(9))


@pytest.mark.parametrize(
    ("name", "middle", "bad_reasons"),
    [
        ("garbage", GARBAGE, ["io.corrupt"]),
        ("no content-length", without_warc_header(BAD, b"Content-Length"), ["io.bad_header"]),
        ("content-length too large", with_warc_length(BAD, len(BAD) + 100), ["io.bad_length"]),
        ("content-length too small", with_warc_length(BAD, 10), ["io.http_status", "io.corrupt"]),
    ],
)
@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
def test_good_records_after_a_bad_one_are_read(
    tmp_path: Path, name: str, middle: bytes, bad_reasons: list[str], compressed: bool
) -> None:
    pieces = [GOOD[0], middle, GOOD[1], GOOD[2]]
    if compressed:
        pieces = [piece if piece is GARBAGE else gzip.compress(piece, mtime=0) for piece in pieces]
    path = tmp_path / ("c.warc.gz" if compressed else "c.warc")
    path.write_bytes(b"".join(pieces))
    result = outcomes(path, "warc")
    kept = [record_id for record_id, reason in result if reason == "kept"]
    assert kept == ["urn:uuid:g0", "urn:uuid:g1", "urn:uuid:g2"]
    rejected = [reason for _, reason in result if reason != "kept"]
    assert rejected and set(rejected) <= set(bad_reasons)


def test_cut_gzip_member_in_the_middle_costs_one_record(tmp_path: Path) -> None:
    members = [gzip.compress(piece, mtime=0) for piece in (GOOD[0], BAD, GOOD[1])]
    path = tmp_path / "c.warc.gz"
    path.write_bytes(members[0] + members[1][:50] + members[2])
    assert [reason for _, reason in outcomes(path, "warc")] == ["kept", "io.corrupt", "kept"]


def test_a_record_over_the_limit_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "c.warc"
    path.write_bytes(GOOD[0] + record("urn:uuid:big", b"<p>" + b"x" * 5000 + b"</p>") + GOOD[1])
    assert outcomes(path, "warc", max_record_bytes=4000) == [
        ("urn:uuid:g0", "kept"),
        ("urn:uuid:big", "limit.record_bytes"),
        ("urn:uuid:g1", "kept"),
    ]


def test_jsonl_long_line_nesting_and_surrogates(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    lines = [
        b'{"id": "a", "text": "\\u7532\\ud800"}',
        b"[" * 3000 + b"]" * 3000,
        b'{"id": "long", "text": "' + b"x" * 9000 + b'"}',
        b'{"id": "b", "text": "\\u4e59"}',
    ]
    path.write_bytes(b"\n".join(lines))
    read = list(read_records(path, "jsonl", ReaderOptions(max_record_bytes=8000)))
    assert [o.reason if isinstance(o, Rejected) else "kept" for o in read] == [
        "kept",
        "io.bad_json",
        "limit.record_bytes",
        "kept",
    ]
    first = read[0]
    assert isinstance(first, Document) and first.text == "甲\ufffd"
    first.text.encode("utf-8")  # storable in Parquet


@pytest.mark.parametrize(
    ("raw", "content_type", "expected"),
    [
        (PDF, "text/html", "decode.binary"),
        (PNG, "text/html", "decode.binary"),
        (b"\x00" * 64 + good_page(1), "text/html", "decode.binary"),
        (b"", "text/html", "decode.empty"),
        (good_page(1).decode().encode("utf-16-le"), "text/html", "utf-16-le"),
        (good_page(1).decode().encode("utf-16-be"), "text/html", "utf-16-be"),
        (good_page(1).replace(b"</p>", b"\x00</p>"), "text/html", "utf-8"),
        (good_page(1, "gb18030", "utf-8"), "text/html; charset=utf-8", "gb18030"),
        (b"x" * 2000, "text/html", "limit.record_bytes"),
    ],
    ids=[
        "pdf",
        "png",
        "nul-head",
        "empty",
        "utf16le-no-bom",
        "utf16be-no-bom",
        "stray-nuls",
        "gbk-as-utf8",
        "too-large",
    ],
)
def test_decode_hostile_payloads(raw: bytes, content_type: str, expected: str) -> None:
    verdict = Decode(max_bytes=1000 if expected == "limit.record_bytes" else 64 << 20).apply(
        Document(id="d", raw=raw, meta={"http_content_type": content_type})
    )
    if expected.startswith(("decode.", "limit.")):
        assert not isinstance(verdict, Document) and reason_for(Decode(), verdict.code) == expected
    else:
        assert isinstance(verdict, Document) and verdict.meta["encoding"] == expected
        assert "样本文章1" in (verdict.html or "") or expected == "utf-8"
