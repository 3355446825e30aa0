"""The bad-input corpus: hostile crawl files written by the tests, mixed with good records.

    corpus = write_corpus(tmp_path)            # files under tmp_path, lazily written
    corpus.inputs                              # the paths to give `zhclean clean`
    corpus.good_ids, corpus.bad                # what must be kept, what must be rejected

Everything is generated here: the Chinese prose was written for these tests, the broken
files are built byte by byte. The 100 MB page is streamed to disk in chunks, so writing
the corpus never holds it in memory.

Three kinds of records:
* good: ordinary pages and texts; each must come out in `kept/`.
* recoverable: damaged but readable (GBK declared as UTF-8, UTF-16 without a BOM, a few
  stray bytes in a UTF-8 page, a lone surrogate in JSON); each must be kept too.
* bad: each must be rejected with one of the reasons listed for it. Bad records that lose
  their id (garbage between records, a cut gzip member) are counted per file instead.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import random
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from zhclean.io.warc_writer import HttpResponse, warc_response_record

# Written for these tests; every good document takes three of them, so no two documents
# share more than two paragraphs (MinHash Jaccard well under the 0.8 threshold).
PARAGRAPHS = [
    "清晨的菜市场总是最热闹的地方。摊主们把新鲜的蔬菜摆得整整齐齐，青菜上还挂着露水，买菜的老人一边挑选一边和熟人聊着家常。",
    "我们学校的图书馆去年重新装修了，阅览室里增加了不少座位。每到考试周，同学们早早就来排队，希望能占到一个靠窗的位置安静地复习。",
    "这座小城依山傍水，老街两旁是青砖灰瓦的房子。傍晚时分，炊烟从屋顶升起，孩子们在石板路上追逐打闹，空气里飘着饭菜的香味。",
    "近年来，越来越多的年轻人选择回到家乡创业。他们利用网络把当地的土特产卖到全国各地，既增加了收入，也带动了乡亲们共同致富。",
    "爷爷退休以后迷上了书法，每天早饭后都要在书房里练上两个小时。他说写字能让人心平气和，还能锻炼耐心，比什么补品都管用。",
    "地铁新线路开通以后，从城东到城西只需要四十分钟。不少上班族表示，通勤时间缩短了一半，早上终于可以多睡一会儿了。",
    "秋天是登山的好季节。山上的枫叶渐渐变红，层层叠叠像一幅油画。我们沿着小路慢慢往上走，累了就坐在石头上喝口水，看看远处的云。",
    "社区最近组织了一场垃圾分类宣传活动。志愿者们耐心地向居民讲解可回收物和厨余垃圾的区别，还给每家每户发放了分类垃圾桶。",
    "妈妈做的红烧肉是全家人的最爱。她总是先把五花肉焯水，再用冰糖炒出糖色，最后小火慢炖一个多小时，出锅时肥而不腻，入口即化。",
    "科学家发现，适量运动不仅有益于身体健康，还能改善睡眠质量。专家建议，成年人每周至少进行一百五十分钟中等强度的有氧运动。",
    "这家小书店开在巷子深处，店主是一位喜欢旅行的中年人。书架上除了文学作品，还有很多他从各地带回来的明信片和地图，吸引了不少读者。",
    "春节前夕，火车站里挤满了回家过年的人。有人拖着大箱子，有人背着装满年货的包裹，虽然旅途辛苦，但每个人的脸上都带着笑容。",
    "果园里的苹果熟了，红彤彤地挂满枝头。果农们一大早就开始采摘，再把苹果按照大小分拣装箱，当天就能通过快递发往外地的客户。",
    "周末的时候，我喜欢去公园里散步。湖边有人钓鱼，有人下棋，还有一群阿姨伴着音乐跳广场舞，整个公园充满了生活的气息。",
]


def good_text(index: int) -> str:
    """Document `index` (0-27): three paragraphs, a different set for every index."""
    count = len(PARAGRAPHS)
    step = (1, 3) if index < count else (2, 7)
    chosen = (index % count, (index + step[0]) % count, (index + step[1]) % count)
    return "\n".join(PARAGRAPHS[position] for position in chosen)


def good_page(index: int, charset: str = "utf-8", declare: str | None = None) -> bytes:
    """A small article page for document `index`, encoded in `charset`, declaring
    `declare` (default: the charset itself) in its <meta>."""
    body = "".join(f"<p>{paragraph}</p>" for paragraph in good_text(index).split("\n"))
    html = (
        f'<!DOCTYPE html><html><head><meta charset="{declare or charset}"><title>样本文章{index}</title></head>'
        f'<body><div class="nav"><a href="/">首页</a></div>'
        f'<div class="content"><h1>样本文章{index}</h1>{body}</div></body></html>'
    )
    return html.encode(charset)


@dataclass
class Corpus:
    """The files written, and what must become of their records."""

    directory: Path
    inputs: list[Path] = field(default_factory=list)
    good_ids: set[str] = field(default_factory=set)
    # id -> reasons any one of which is right for it
    bad: dict[str, set[str]] = field(default_factory=dict)
    # file name -> how many rejected rows without a known id it must at least have
    anonymous_bad: dict[str, int] = field(default_factory=dict)
    big_page_bytes: int = 0


# -- raw WARC pieces ------------------------------------------------------------------------

PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    + bytes(range(256)) * 8
)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00"
    + bytes(range(256)) * 8
)


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "压缩包里的说明文件。" * 50)
    return buffer.getvalue()


def record(
    record_id: str, body: bytes, content_type: str = "text/html; charset=utf-8", status: int = 200
) -> bytes:
    url = f"http://bad.example.invalid/{record_id.rsplit(':', 1)[-1]}"
    return warc_response_record(HttpResponse(url, body, content_type, status=status, record_id=record_id))


def with_warc_length(raw_record: bytes, length: int) -> bytes:
    """The record with its WARC Content-Length replaced (the block itself unchanged)."""
    head, separator, rest = raw_record.partition(b"\r\n\r\n")
    head = re.sub(rb"\r\nContent-Length: \d+", b"\r\nContent-Length: %d" % length, head)
    return head + separator + rest


def without_warc_header(raw_record: bytes, name: bytes) -> bytes:
    head, separator, rest = raw_record.partition(b"\r\n\r\n")
    head = re.sub(rb"\r\n" + re.escape(name) + rb": [^\r]*", b"", head, count=1)
    return head + separator + rest


def deep_dom(levels: int) -> bytes:
    return (
        b"<html><body>"
        + b"<div>" * levels
        + "深层嵌套的文字。".encode()
        + b"</div>" * levels
        + b"</body></html>"
    )


GARBAGE = b"\x00\x01garbage between records \xff\xfe\r\nHTTP/1.1 200 OK\r\n\r\n<html>stray</html>\r\n\r\n"


# -- the files --------------------------------------------------------------------------------


def write_broken_warc_gz(corpus: Corpus, next_good: list[int]) -> Path:
    """Per-record gzip members, as crawlers write them, with bad members among good ones;
    the file ends in a member cut off in the middle."""
    path = corpus.directory / "broken.warc.gz"
    members: list[bytes] = []

    def good(
        charset: str = "utf-8", declare: str | None = None, content_type: str = "text/html; charset=utf-8"
    ) -> None:
        index = next_good.pop(0)
        record_id = f"urn:uuid:good-{index}"
        corpus.good_ids.add(record_id)
        members.append(
            gzip.compress(record(record_id, good_page(index, charset, declare), content_type), mtime=0)
        )

    def bad(
        name: str,
        body: bytes,
        reasons: set[str],
        content_type: str = "text/html; charset=utf-8",
        status: int = 200,
    ) -> None:
        record_id = f"urn:uuid:bad-{name}"
        corpus.bad[record_id] = reasons
        members.append(gzip.compress(record(record_id, body, content_type, status), mtime=0))

    good()
    # A member cut in the middle, then more members: its record is lost, the rest is not.
    members.append(gzip.compress(record("urn:uuid:bad-cut-member", good_page(99)), mtime=0)[:60])
    corpus.anonymous_bad[path.name] = 1
    good()
    members.append(GARBAGE)
    corpus.anonymous_bad[path.name] += 1
    good()
    bad("pdf", PDF, {"decode.binary", "main_content.binary"})
    bad("png", PNG, {"decode.binary", "main_content.binary"})
    bad("zip", zip_bytes(), {"decode.binary", "main_content.binary", "decode.undecodable"})
    bad("empty", b"", {"decode.empty"})
    bad("blank", b"   \r\n  ", {"decode.empty"})
    bad("nul-head", b"\x00" * 64 + good_page(98), {"decode.binary"})
    bad("random-utf8", bytes(range(128, 256)) * 64, {"decode.undecodable", "main_content.binary"})
    bad("deep-dom", deep_dom(100_000), {"limit.dom_depth"})
    bad(
        "many-nodes",
        b"<html><body>" + b"<span>\xe5\xad\x97</span>" * 300_000 + b"</body></html>",
        {"limit.dom_nodes"},
    )
    bad("http-404", good_page(97), {"io.http_status"}, status=404)
    # Recoverable: declarations that lie, a page with a few stray bytes, UTF-16 without BOM.
    good(charset="gb18030", declare="utf-8")  # GBK bytes, header and <meta> say UTF-8
    good(charset="utf-8", declare="gbk", content_type="text/html; charset=gbk")  # the reverse
    index = next_good.pop(0)
    corpus.good_ids.add(f"urn:uuid:good-{index}")
    page = good_page(index).replace("。".encode(), "。".encode() + b"\xff", 1)
    members.append(gzip.compress(record(f"urn:uuid:good-{index}", page), mtime=0))
    index = next_good.pop(0)
    corpus.good_ids.add(f"urn:uuid:good-{index}")
    utf16 = good_page(index).decode("utf-8").encode("utf-16-le")
    members.append(gzip.compress(record(f"urn:uuid:good-{index}", utf16, "text/html"), mtime=0))
    index = next_good.pop(0)
    corpus.good_ids.add(f"urn:uuid:good-{index}")
    with_nuls = good_page(index).replace(b"</p>", b"\x00</p>")
    members.append(gzip.compress(record(f"urn:uuid:good-{index}", with_nuls), mtime=0))
    good()
    # The last member is cut off in the middle: gzip truncated mid-member.
    members.append(gzip.compress(record("urn:uuid:bad-truncated", good_page(96)), mtime=0)[:-40])
    corpus.anonymous_bad[path.name] += 1
    path.write_bytes(b"".join(members))
    return path


def write_broken_warc(corpus: Corpus, next_good: list[int], big_page_bytes: int) -> Path:
    """An uncompressed WARC: lying Content-Lengths, a record missing its headers, garbage,
    and a page of `big_page_bytes` streamed to disk."""
    path = corpus.directory / "broken.warc"

    def good_record() -> bytes:
        index = next_good.pop(0)
        record_id = f"urn:uuid:good-{index}"
        corpus.good_ids.add(record_id)
        return record(record_id, good_page(index))

    with open(path, "wb") as handle:
        handle.write(good_record())
        # Content-Length too small: the rest of the block is read as the next header.
        corpus.bad["urn:uuid:bad-short-length"] = {"io.http_status", "io.corrupt", "decode.empty"}
        handle.write(with_warc_length(record("urn:uuid:bad-short-length", good_page(95)), 10))
        handle.write(good_record())
        # No Content-Length at all.
        corpus.bad["urn:uuid:bad-no-length"] = {"io.bad_header", "io.corrupt"}
        handle.write(without_warc_header(record("urn:uuid:bad-no-length", good_page(94)), b"Content-Length"))
        handle.write(good_record())
        # No WARC-Type: not a response record, so skipped like a warcinfo record (fastwarc
        # never hands it out); neither kept nor rejected.
        handle.write(without_warc_header(record("urn:uuid:bad-no-type", good_page(93)), b"WARC-Type"))
        handle.write(good_record())
        handle.write(GARBAGE * 3)
        corpus.anonymous_bad[path.name] = 1
        handle.write(good_record())
        # The 100 MB page, written in 1 MB chunks.
        write_big_record(handle, "urn:uuid:bad-huge-page", big_page_bytes)
        corpus.bad["urn:uuid:bad-huge-page"] = {"limit.record_bytes", "limit.html_chars"}
        handle.write(good_record())
        # Content-Length too large: the record swallows the start of the next good one.
        corpus.bad["urn:uuid:bad-long-length"] = {"io.bad_length"}
        swallowing = record("urn:uuid:bad-long-length", good_page(92))
        handle.write(with_warc_length(swallowing, len(swallowing.partition(b"\r\n\r\n")[2]) + 200))
        handle.write(good_record())
        handle.write(good_record())
    return path


def write_big_record(handle: io.BufferedWriter | io.BufferedRandom, record_id: str, body_bytes: int) -> None:
    """A response record whose HTML body is `body_bytes` long, streamed in 1 MB chunks of
    Chinese text on one line (no newline anywhere)."""
    head = b"<html><head><meta charset='utf-8'></head><body><p>"
    tail = b"</p></body></html>"
    chunk = ("很长的一行字没有换行" * 40_000).encode()[: 1 << 20]
    chunk = chunk[: len(chunk) - len(chunk) % 3]  # whole characters
    filler = body_bytes - len(head) - len(tail)
    http_head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {body_bytes}\r\n\r\n".encode()
    block_length = len(http_head) + body_bytes
    handle.write(
        (
            "WARC/1.0\r\nWARC-Type: response\r\n"
            f"WARC-Record-ID: <{record_id}>\r\nWARC-Date: 2026-01-01T00:00:00Z\r\n"
            "WARC-Target-URI: http://bad.example.invalid/huge\r\n"
            "Content-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {block_length}\r\n\r\n"
        ).encode()
    )
    handle.write(http_head + head)
    while filler > 0:
        piece = chunk[:filler] if filler < len(chunk) else chunk
        if len(piece) < len(chunk):
            piece = b"x" * filler
        handle.write(piece)
        filler -= len(piece)
    handle.write(tail + b"\r\n\r\n")


def write_broken_jsonl(corpus: Corpus, next_good: list[int], long_line_bytes: int) -> Path:
    """Broken lines, wrong types, missing fields, hostile nesting, a lone surrogate, and a
    last line of `long_line_bytes` without a newline."""
    path = corpus.directory / "broken.jsonl"
    lines: list[bytes] = []

    def good_line(text_suffix: str = "") -> None:
        index = next_good.pop(0)
        record_id = f"jsonl-good-{index}"
        corpus.good_ids.add(record_id)
        lines.append(
            json.dumps({"id": record_id, "text": good_text(index) + text_suffix}, ensure_ascii=False).encode()
        )

    def bad_line(record_id: str, line: bytes, reasons: set[str]) -> None:
        corpus.bad[record_id] = reasons
        lines.append(line)

    good_line()
    bad_line("broken.jsonl#1", b'{"id": "cut", "text": "\xe5\x8d\x8a\xe6\x88\xaa', {"io.bad_json"})
    bad_line("bad-int", b'{"id": "bad-int", "text": 12345}', {"io.bad_field"})
    bad_line("bad-null", b'{"id": "bad-null", "text": null}', {"io.bad_field"})
    bad_line(
        "bad-list",
        json.dumps({"id": "bad-list", "text": ["文字", "列表"]}, ensure_ascii=False).encode(),
        {"io.bad_field"},
    )
    bad_line(
        "bad-missing", b'{"id": "bad-missing", "body": "\xe6\xb2\xa1\xe6\x9c\x89text"}', {"io.missing_field"}
    )
    good_line()
    bad_line("broken.jsonl#7", b"[1, 2, 3]", {"io.bad_json"})
    bad_line("broken.jsonl#8", b"\xff\xfe\x00{not json at all", {"io.bad_json"})
    bad_line("broken.jsonl#9", b"[" * 100_000 + b"]" * 100_000, {"io.bad_json"})
    bad_line("broken.jsonl#10", b"\x00" * 100, {"io.bad_json"})
    # Recoverable: a lone surrogate escaped in JSON (Parquet cannot store it as is).
    index = next_good.pop(0)
    corpus.good_ids.add(f"jsonl-good-{index}")
    lines.append(
        b'{"id": "jsonl-good-%d", "text": "%s\\ud800"}' % (index, json.dumps(good_text(index))[1:-1].encode())
    )
    good_line()
    body = b"\n".join(lines) + b"\n"
    # The 10 MB line with no newline: an unterminated JSON string at the end of the file.
    last_line_number = len(lines)
    corpus.bad[f"broken.jsonl#{last_line_number}"] = {"io.bad_json", "limit.record_bytes"}
    with open(path, "wb") as handle:
        handle.write(body)
        handle.write(b'{"id": "long", "text": "')
        chunk = ("一行很长的文字" * 50_000).encode()
        written = 0
        while written < long_line_bytes:
            handle.write(chunk)
            written += len(chunk)
    return path


def write_truncated_jsonl_gz(corpus: Corpus, next_good: list[int]) -> Path:
    """Good lines, then the gzip stream cut off: what came before the cut is kept."""
    path = corpus.directory / "truncated.jsonl.gz"
    lines = []
    for _ in range(3):
        index = next_good.pop(0)
        corpus.good_ids.add(f"gz-good-{index}")
        lines.append(json.dumps({"id": f"gz-good-{index}", "text": good_text(index)}, ensure_ascii=False))
    # Incompressible filler after the good lines, so the cut falls well after them.
    filler = base64.b64encode(random.Random(0).randbytes(60_000)).decode()
    lines.append(json.dumps({"id": "gz-lost", "text": filler}))
    data = gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0)
    path.write_bytes(data[: len(data) - 2_000])
    corpus.anonymous_bad[path.name] = 1
    return path


def write_parquet_without_text(corpus: Corpus) -> Path:
    path = corpus.directory / "no_text.parquet"
    table = pa.table({"id": ["pq-1", "pq-2"], "content": [good_text(0), good_text(1)]})
    pq.write_table(table, path)
    corpus.bad["pq-1"] = {"io.missing_field"}
    corpus.bad["pq-2"] = {"io.missing_field"}
    return path


def write_wet_with_bad_utf8(corpus: Corpus, next_good: list[int]) -> Path:
    """A WET file (text records) whose UTF-8 is broken in places."""
    from zhclean.io.warc_writer import wet_conversion_record

    path = corpus.directory / "text.warc.wet"
    index = next_good.pop(0)
    corpus.good_ids.add(f"urn:uuid:wet-{index}")
    good = wet_conversion_record("http://wet.example.invalid/1", good_text(index), f"urn:uuid:wet-{index}")
    path.write_bytes(good + GARBAGE)
    corpus.anonymous_bad[path.name] = 1
    return path


def write_corpus(
    directory: Path, big_page_bytes: int = 100 * 1024 * 1024, long_line_bytes: int = 10 * 1024 * 1024
) -> Corpus:
    """Writes every file of the corpus under `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(directory=directory, big_page_bytes=big_page_bytes)
    next_good = list(range(28))
    corpus.inputs = [
        write_broken_warc_gz(corpus, next_good),
        write_broken_warc(corpus, next_good, big_page_bytes),
        write_broken_jsonl(corpus, next_good, long_line_bytes),
        write_truncated_jsonl_gz(corpus, next_good),
        write_parquet_without_text(corpus),
        write_wet_with_bad_utf8(corpus, next_good),
    ]
    return corpus
