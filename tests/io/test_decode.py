from __future__ import annotations

import codecs

import pytest

from zhclean.document import Document, Reject
from zhclean.io.decode import Decode, decode_bytes, normalize_charset

PAGE = (
    "<html><head>{meta}<title>秋天的公园</title></head><body>"
    "<p>公园里的银杏叶黄了，孩子们在树下捡落叶，老人们在长椅上晒太阳。裏面還有幾個繁體字。</p></body></html>"
)
TRADITIONAL = (
    "<html><head>{meta}</head><body>"
    "<p>秋天的公園中，銀杏葉黃了，孩子們在樹下撿落葉，老人們在長椅上曬太陽。</p></body></html>"
)
SIMPLIFIED = (
    "<html><head>{meta}</head><body>"
    "<p>今天的天气很好，我们一起去公园散步，看见湖面上有很多游船，岸边的柳树随风摆动。</p></body></html>"
)


@pytest.mark.parametrize(
    ("raw", "content_type", "codec", "layer"),
    [
        (codecs.BOM_UTF8 + PAGE.format(meta="").encode(), None, "utf-8-sig", "bom"),
        ("\ufeff" + PAGE.format(meta=""), None, "utf-16", "bom"),  # encoded below
        (SIMPLIFIED.format(meta="").encode("gbk"), "text/html; charset=GBK", "gb18030", "http_header"),
        (SIMPLIFIED.format(meta='<meta charset="gb2312">').encode("gb2312"), None, "gb18030", "meta"),
        # The header lies (UTF-8 on a GBK body): the meta declaration wins.
        (
            SIMPLIFIED.format(meta='<meta charset="gbk">').encode("gbk"),
            "text/html; charset=utf-8",
            "gb18030",
            "meta",
        ),
        # The meta lies (GB2312 on a UTF-8 body): strict UTF-8 wins.
        (PAGE.format(meta='<meta charset="gb2312">').encode("utf-8"), None, "utf-8", "utf8_strict"),
        (TRADITIONAL.format(meta='<meta charset="big5">').encode("big5"), None, "big5hkscs", "meta"),
        # Nothing declared, not UTF-8: the detector decides.
        (SIMPLIFIED.format(meta="").encode("gbk"), None, "gb18030", "detector"),
    ],
)
def test_layered_charset_detection(
    raw: bytes | str, content_type: str | None, codec: str, layer: str
) -> None:
    if isinstance(raw, str):
        raw = raw.encode("utf-16")
    decoded = decode_bytes(raw, content_type)
    assert decoded is not None
    text, found_codec, found_layer = decoded
    assert (found_codec, found_layer) == (codec, layer)
    assert "公园" in text or "公園" in text


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("GB2312", "gb18030"),
        ("gbk", "gb18030"),
        ("BIG5", "big5hkscs"),
        ("utf8", "utf-8"),
        ("no-such-charset", None),
    ],
)
def test_declared_labels_map_to_supersets(label: str, codec: str | None) -> None:
    assert normalize_charset(label) == codec


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"", "empty"),
        (b"   \n ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"%PDF-1.4\n\x00\x01\x02", "binary"),
    ],
)
def test_decode_rejects_what_is_not_text(raw: bytes, code: str) -> None:
    verdict = Decode().apply(Document(id="x", raw=raw))
    assert isinstance(verdict, Reject) and verdict.code == code


def test_decode_moves_bytes_to_html_and_records_the_charset() -> None:
    original = Document(
        id="p",
        raw=SIMPLIFIED.format(meta="").encode("gbk"),
        meta={"http_content_type": "text/html; charset=gbk"},
    )
    decoded = Decode().apply(original)
    assert isinstance(decoded, Document)
    assert decoded.raw is None and decoded.html is not None and "散步" in decoded.html
    assert decoded.meta["encoding"] == "gb18030" and decoded.meta["encoding_source"] == "http_header"
    assert original.raw is not None and "encoding" not in original.meta


def test_text_payloads_become_text() -> None:
    document = Document(id="t", raw="纯文本内容".encode(), meta={"payload_kind": "text"})
    decoded = Decode().apply(document)
    assert isinstance(decoded, Document) and decoded.text == "纯文本内容" and decoded.html is None


def test_documents_without_raw_bytes_pass_through() -> None:
    document = Document(id="t", text="已经是文本")
    assert Decode().apply(document) is document
