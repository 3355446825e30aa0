"""Writing small WARC files: the demo crawl and test fixtures.

Each record is its own gzip member, as crawlers write them, so a reader can start at any
record. Not meant for writing crawls at scale.
"""

from __future__ import annotations

import gzip
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class HttpResponse:
    """A page as a server sent it: URL, body bytes and the Content-Type header."""

    url: str
    body: bytes
    content_type: str = "text/html"
    status: int = 200
    record_id: str | None = None  # stable ids make fixtures reproducible


def warc_response_record(response: HttpResponse, date: str = "2026-01-01T00:00:00Z") -> bytes:
    reason = {200: "OK", 404: "Not Found", 301: "Moved Permanently"}.get(response.status, "Status")
    http = (
        f"HTTP/1.1 {response.status} {reason}\r\n"
        f"Content-Type: {response.content_type}\r\n"
        f"Content-Length: {len(response.body)}\r\n\r\n"
    ).encode("latin-1") + response.body
    record_id = response.record_id or f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, response.url)}"
    digest = hashlib.sha1(http).hexdigest()
    headers = (
        "WARC/1.0\r\n"
        "WARC-Type: response\r\n"
        f"WARC-Record-ID: <{record_id}>\r\n"
        f"WARC-Date: {date}\r\n"
        f"WARC-Target-URI: {response.url}\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"WARC-Block-Digest: sha1:{digest}\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode()
    return headers + http + b"\r\n\r\n"


def wet_conversion_record(url: str, text: str, record_id: str) -> bytes:
    """A WET record: text already extracted from a page, as Common Crawl publishes it."""
    body = text.encode("utf-8")
    headers = (
        "WARC/1.0\r\n"
        "WARC-Type: conversion\r\n"
        f"WARC-Target-URI: {url}\r\n"
        "WARC-Date: 2026-01-01T00:00:00Z\r\n"
        f"WARC-Record-ID: <{record_id}>\r\n"
        "Content-Type: text/plain\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    return headers + body + b"\r\n\r\n"


def write_warc(path: Path, responses: Iterable[HttpResponse], compress: bool | None = None) -> Path:
    """Writes response records; gzip per record when the name ends in `.gz`."""
    compress = path.name.endswith(".gz") if compress is None else compress
    with open(path, "wb") as handle:
        for response in responses:
            record = warc_response_record(response)
            handle.write(gzip.compress(record, mtime=0) if compress else record)
    return path
