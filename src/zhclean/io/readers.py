"""Readers: input files to documents.

Every record a reader meets comes out, as a `Document` or, when it cannot be read, as a
`Rejected` with an `io.*` reason: a truncated gzip, a broken JSON line or a record missing
its text field is counted and kept for the audit, never dropped silently. Whatever was
read before a fatal error in a file is kept.

The format is chosen from the file name (`format_for_path`) and can be overridden.
"""

from __future__ import annotations

import base64
import dataclasses
import gzip
import io
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from zhclean.document import Document, Rejected, Source
from zhclean.io.storage import StoragePath, parquet_file

FORMATS = ("warc", "wet", "jsonl", "parquet", "html")

# Content types whose payload is a page to extract; `text/plain` is kept as text.
HTML_CONTENT_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")
TEXT_CONTENT_TYPES = ("text/plain",)
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")


DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024


class InputError(Exception):
    """A problem with what the user asked for (missing file, unknown format): reported
    as one line, never a traceback."""


@dataclass(frozen=True)
class ReaderOptions:
    """How to read text inputs: the field (JSONL) or column (Parquet) names."""

    text_field: str = "text"
    id_field: str = "id"
    url_field: str = "url"
    # JSONL/Parquet records that carry a page instead of text: the field with the HTML
    # markup, or with base64 bytes as served (the schema of zhclean's sample data).
    html_field: str | None = None
    raw_base64_field: str | None = None
    # A record larger than this is rejected (`limit.record_bytes`) without being read into
    # memory: 64 MiB is 8× the largest real page in our samples (main_content stops at
    # 8 M characters), and bounds what one record costs a worker.
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES
    # Which of a record's other fields the output carries (in `fields`): None for all of
    # them, or the names to keep (an empty tuple keeps none).
    keep_fields: tuple[str, ...] | None = None


def format_for_path(path: StoragePath) -> str:
    """The reader for a path, from its name; InputError when the name says nothing."""
    if path.is_dir():
        return "html"
    name = path.name.lower()
    for suffix in ("", ".gz", ".zst", ".zstd"):
        stem = name[: len(name) - len(suffix)] if suffix and name.endswith(suffix) else name
        if suffix and not name.endswith(suffix):
            continue
        if stem.endswith(".wet"):
            return "wet"
        if stem.endswith((".warc", ".arc")):
            return "warc"
        if stem.endswith((".jsonl", ".ndjson", ".json")):
            return "jsonl"
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(HTML_SUFFIXES):
        return "html"
    raise InputError(
        f"cannot tell the format of {path} from its name; pass --format with one of: {', '.join(FORMATS)}"
    )


def read_records(
    path: StoragePath, format: str, options: ReaderOptions, progress: ByteProgress | None = None
) -> Iterator[Document | Rejected]:
    """Every record of one input, in file order."""
    readers = {
        "warc": read_warc,
        "wet": read_warc,
        "jsonl": read_jsonl,
        "parquet": read_parquet,
        "html": read_html,
    }
    if format not in readers:
        raise InputError(f"unknown format {format!r}; valid: {', '.join(FORMATS)}")
    return readers[format](path, options, progress or ByteProgress())


class ByteProgress:
    """How far into its input a reader is, in bytes of the file as stored; the engine
    turns it into an ETA."""

    def __init__(self) -> None:
        self.position = 0


def io_rejected(
    path: StoragePath,
    offset: int,
    code: str,
    detail: dict[str, Any],
    record_id: str | None = None,
    text: str = "",
) -> Rejected:
    """A record the reader could not read: `io.<code>`, or `code` itself for a limit."""
    document = Document(id=record_id or f"{path.name}#{offset}", text=text, source=Source(str(path), offset))
    return Rejected(document, code if code.startswith("limit.") else f"io.{code}", detail)


# -- WARC and WET --------------------------------------------------------------------------


def read_warc(
    path: StoragePath, options: ReaderOptions, progress: ByteProgress
) -> Iterator[Document | Rejected]:
    """Response records (pages) of a WARC, or conversion records (text) of a WET file.
    Compression (gzip, zstd, lz4) is detected from the bytes, not the name.

    A crawl file that goes bad in the middle (garbage between records, a gzip member cut
    short, a record whose Content-Length lies) costs the bad stretch, not the records
    after it: the reader rejects what it could not read and starts again at the next
    record it finds (`next_record_start`)."""
    start: int | None = 0
    offset = 0
    with path.open("rb") as handle:
        compression = sniff_compression(handle.read(4))
        while start is not None:
            handle.seek(start)
            state = _WarcScan(offset)
            yield from scan_warc_records(handle, path, options, progress, state, compression)
            offset = state.offset
            if state.resync_after is None:
                break
            start = next_record_start(handle, state.resync_after + 1, compression)
    progress.position = path.stat().st_size


class _WarcScan:
    """What one pass of fastwarc over a WARC left behind: how many records it gave out,
    and where it lost track of the record boundaries (None if it did not)."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        self.resync_after: int | None = None


def scan_warc_records(
    handle: IO[bytes],
    path: StoragePath,
    options: ReaderOptions,
    progress: ByteProgress,
    state: _WarcScan,
    compression: str,
) -> Iterator[Document | Rejected]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    start = handle.tell()
    last_position = start
    records_this_pass = 0
    try:
        records = ArchiveIterator(
            handle,
            record_types=WarcRecordType.any_type,
            parse_http=True,
            min_content_length=None,
            fsspec_args=False,
            stream_detect=True,
        )
        for record in records:
            # stream_pos counts from the start of the file, not of this pass.
            last_position = record.stream_pos
            progress.position = last_position
            records_this_pass += 1
            record_type = record.record_type
            if record_type & WarcRecordType.unknown:
                state.offset += 1
                detail = {
                    "error": "record of an unknown WARC-Type",
                    "warc_type": record.headers.get("WARC-Type"),
                    "at_byte": last_position,
                }
                yield io_rejected(
                    path, state.offset - 1, "bad_header", detail, warc_record_id(record.headers)
                )
                continue
            # warcinfo, request, metadata, revisit: not pages. (A record with no WARC-Type
            # at all never gets here: fastwarc skips it, as a record that is no response.)
            if not record_type & (
                WarcRecordType.response | WarcRecordType.conversion | WarcRecordType.resource
            ):
                continue
            offset = state.offset
            state.offset += 1
            record_id = warc_record_id(record.headers)
            if record.headers.get("Content-Length") is None:
                # Every WARC record declares its length; without it the record's end is
                # unknown: a header block cut off by the end of the file, or a broken writer.
                state.resync_after = last_position
                at_end = next_record_start(handle, last_position + 1, compression) is None
                detail = {
                    "error": "record headers cut short" if at_end else "no Content-Length",
                    "at_byte": last_position,
                }
                yield io_rejected(path, offset, "truncated" if at_end else "bad_header", detail, record_id)
                return
            if record.content_length > options.max_record_bytes:
                # Not read into memory: fastwarc skips the body when the loop moves on.
                detail = {"bytes": record.content_length, "max_record_bytes": options.max_record_bytes}
                yield io_rejected(path, offset, "limit.record_bytes", detail, record_id)
                continue
            body = record.reader.read()
            if len(body) < record.content_length:
                # The file ended inside the record: a truncated download, or a Content-Length
                # larger than the record (then the records it swallowed are found again).
                detail = {
                    "error": "record cut short",
                    "bytes": len(body),
                    "content_length": record.content_length,
                }
                yield io_rejected(
                    path, offset, "truncated", detail, record_id, body.decode("utf-8", errors="replace")
                )
                state.resync_after = last_position
                return
            if EMBEDDED_WARC_HEADER.search(body):
                # A Content-Length that reaches into the next record: this block holds the
                # start of another record, so it is rejected and the other record re-read.
                detail = {
                    "error": "block holds another record's header",
                    "content_length": record.content_length,
                }
                yield io_rejected(
                    path, offset, "bad_length", detail, record_id, body.decode("utf-8", errors="replace")
                )
                state.resync_after = last_position
                return
            yield warc_record_to_document(record, body, path, offset)
    except Exception as error:  # fastwarc raises OSError (and others) on corrupt input
        if records_this_pass or start == 0:
            # One rejection per bad stretch: a resync attempt that fails at once is the
            # same stretch, not another lost record.
            detail = {
                "error": f"{type(error).__name__}: {error}"[:500],
                "after_byte": last_position,
                "records_read": state.offset,
            }
            yield io_rejected(path, state.offset, "corrupt", detail)
            state.offset += 1
        state.resync_after = last_position


def warc_record_id(headers: Any) -> str | None:
    return (headers.get("WARC-Record-ID") or "").strip("<>") or None


# A WARC record's first line. Looked for inside a block (a lying Content-Length) and when
# scanning for the next record after a bad stretch. The pattern starts with a literal
# ("\nWARC/1."), so `re` finds candidates with a fast literal scan: a leading "\r?" (same
# matches, as only whether there is one counts) made it try every byte, ~25 MB/s, which
# was the slowest part of reading a WARC.
EMBEDDED_WARC_HEADER = re.compile(rb"\nWARC/1\.[01]\r?\nWARC-")
WARC_RECORD_START = re.compile(rb"WARC/1\.[01]\r?\n")
GZIP_MEMBER_START = b"\x1f\x8b\x08"
ZSTD_FRAME_START = b"\x28\xb5\x2f\xfd"
# Bytes read at a time while scanning for the next record, and how far a scan goes
# before the rest of the file is given up (a multi-GB stretch of garbage is not a crawl).
RESYNC_CHUNK_BYTES = 1 << 20
RESYNC_MAX_BYTES = 1 << 30


def sniff_compression(head: bytes) -> str:
    if head.startswith(GZIP_MEMBER_START):
        return "gzip"
    if head.startswith(ZSTD_FRAME_START):
        return "zstd"
    return "none"


def next_record_start(handle: IO[bytes], position: int, compression: str) -> int | None:
    """Where the next record may start at or after `position`: the next gzip member (zstd
    frame) in a compressed file (crawlers write one per record), the next `WARC/1.x` line
    in a plain one. None when there is none."""
    if compression == "gzip":
        pattern = re.compile(re.escape(GZIP_MEMBER_START))
    elif compression == "zstd":
        pattern = re.compile(re.escape(ZSTD_FRAME_START))
    else:
        pattern = WARC_RECORD_START
    overlap = 16  # a marker split across two chunks is still found
    scanned = 0
    while scanned < RESYNC_MAX_BYTES:
        handle.seek(position)
        chunk = handle.read(RESYNC_CHUNK_BYTES)
        if not chunk:
            return None
        match = pattern.search(chunk)
        if match:
            return position + match.start()
        if len(chunk) < RESYNC_CHUNK_BYTES:
            return None
        position += len(chunk) - overlap
        scanned += len(chunk)
    return None


def warc_record_to_document(record: Any, body: bytes, path: StoragePath, offset: int) -> Document | Rejected:
    headers = record.headers
    record_id = warc_record_id(headers) or f"{path.name}#{offset}"
    url = headers.get("WARC-Target-URI") or ""
    source = Source(str(path), offset)
    meta: dict[str, Any] = {}
    if headers.get("WARC-Date"):
        meta["warc_date"] = headers.get("WARC-Date")
    record_type = headers.get("WARC-Type")
    if record_type == "conversion":  # WET: text already extracted, UTF-8 by the format's definition
        text = body.decode("utf-8", errors="replace")
        return Document(id=record_id, url=url, text=text, source=source, meta=meta)
    content_type = ""
    if record.http_headers is not None:
        status = record.http_headers.status_code
        content_type = record.http_headers.get("Content-Type") or ""
        meta["http_status"] = status
        if status is not None and not 200 <= status < 300:
            document = Document(id=record_id, url=url, source=source, meta=meta, raw=body)
            return Rejected(document, "io.http_status", {"status": status})
    elif record_type == "resource":
        content_type = headers.get("Content-Type") or ""
    if content_type:
        meta["http_content_type"] = content_type
    media_type = content_type.split(";")[0].strip().lower()
    if media_type and not media_type.startswith(HTML_CONTENT_TYPES + TEXT_CONTENT_TYPES):
        document = Document(id=record_id, url=url, source=source, meta=meta, raw=body)
        return Rejected(document, "io.not_html", {"content_type": content_type, "bytes": len(body)})
    if media_type.startswith(TEXT_CONTENT_TYPES):
        meta["payload_kind"] = "text"
    return Document(id=record_id, url=url, source=source, meta=meta, raw=body)


# -- JSONL -------------------------------------------------------------------------------


class _CountingReader(io.RawIOBase):
    """Wraps a file to report how many stored (compressed) bytes were consumed."""

    def __init__(self, handle: IO[bytes], progress: ByteProgress) -> None:
        self.handle = handle
        self.progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self.handle.readinto(buffer)  # type: ignore[attr-defined]
        self.progress.position = self.handle.tell()
        return count or 0


def open_text_lines(path: StoragePath, progress: ByteProgress) -> IO[bytes]:
    raw = _CountingReader(path.open("rb"), progress)
    buffered = io.BufferedReader(raw, buffer_size=1 << 20)
    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.GzipFile(fileobj=buffered)  # type: ignore[return-value]
    if name.endswith((".zst", ".zstd")):
        import zstandard

        return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(buffered))  # type: ignore[arg-type,return-value]
    return buffered


def read_jsonl(
    path: StoragePath, options: ReaderOptions, progress: ByteProgress
) -> Iterator[Document | Rejected]:
    line_number = 0
    try:
        with open_text_lines(path, progress) as lines:
            for line_number, line in enumerate(bounded_lines(lines, options.max_record_bytes)):
                if isinstance(line, int):
                    detail = {"bytes": line, "max_record_bytes": options.max_record_bytes}
                    yield io_rejected(path, line_number, "limit.record_bytes", detail)
                    continue
                if not line.strip():
                    continue
                yield json_line_to_document(line, path, line_number, options)
    except (EOFError, OSError, zlib.error) as error:
        # A truncated or corrupt compressed file: what came before is kept.
        yield io_rejected(path, line_number + 1, "truncated", {"error": f"{type(error).__name__}: {error}"})
    except Exception as error:  # zstandard raises its own ZstdError
        yield io_rejected(path, line_number + 1, "corrupt", {"error": f"{type(error).__name__}: {error}"})


def bounded_lines(stream: IO[bytes], max_bytes: int) -> Iterator[bytes | int]:
    """The lines of `stream`; a line longer than `max_bytes` comes out as its length in
    bytes instead, read past in 1 MB pieces, so one endless line never fills memory."""
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        if len(line) <= max_bytes or line.endswith(b"\n"):
            yield line
            continue
        skipped = len(line)
        while not line.endswith(b"\n"):
            line = stream.readline(1 << 20)
            if not line:
                break
            skipped += len(line)
        yield skipped


# A JSON `\ud800`-style escape: the line may hold a lone surrogate, which Python decodes
# but UTF-8 (and so Parquet) cannot store.
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(value: Any) -> Any:
    """`value` with every lone surrogate in its strings replaced by U+FFFD."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value) if _has_surrogate(value) else value
    if isinstance(value, dict):
        return {without_lone_surrogates(key): without_lone_surrogates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_lone_surrogates(item) for item in value]
    return value


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def json_line_to_document(
    line: bytes, path: StoragePath, line_number: int, options: ReaderOptions
) -> Document | Rejected:
    try:
        record = json.loads(line)
    except (ValueError, RecursionError) as error:  # RecursionError: `[[[[…` nested too deep
        return io_rejected(
            path,
            line_number,
            "bad_json",
            {"error": f"{type(error).__name__}: {error}"[:200]},
            text=shown_text(line)[:10_000],
        )
    if not isinstance(record, dict):
        return io_rejected(
            path,
            line_number,
            "bad_json",
            {"error": "line is not a JSON object"},
            text=shown_text(line)[:10_000],
        )
    if SURROGATE_ESCAPE.search(line):
        record = without_lone_surrogates(record)
    return record_to_document(record, path, line_number, options, line)


def shown_text(original: str | bytes) -> str:
    """What a rejected record's row shows of the line it was read from. Decoded only for
    a rejected record: decoding every line cost a tenth of reading a JSONL file."""
    return original.decode("utf-8", errors="replace") if isinstance(original, bytes) else original


# The columns of zhclean's own output (`io.shards.OUTPUT_SCHEMA`). A record that has
# `removed` and `fields` is a row of a previous run (`zhclean dedup OUT/kept`): its carried
# fields are its `fields` column, and its other columns are zhclean's, not the input's.
OUTPUT_COLUMNS = frozenset(
    (
        "id",
        "url",
        "text",
        "chars",
        "source",
        "title",
        "quality",
        "kept",
        "reason",
        "detail",
        "meta",
        "removed",
        "fields",
    )
)


def carried_fields(record: dict[str, Any], options: ReaderOptions) -> dict[str, Any]:
    """The record's fields that the output carries through unchanged: every field zhclean
    does not read itself (text, id, url, markup, `title`, `meta`), or those named by
    `options.keep_fields`."""
    if "removed" in record and "fields" in record:
        previous = record["fields"]
        if isinstance(previous, str):
            try:
                previous = json.loads(previous)
            except ValueError:
                previous = None
        fields = previous if isinstance(previous, dict) else {}
        if options.keep_fields is not None:
            fields = {name: fields[name] for name in options.keep_fields if name in fields}
        return fields
    if options.keep_fields is not None:
        return {name: record[name] for name in options.keep_fields if name in record}
    read_here = {
        options.text_field,
        options.id_field,
        options.url_field,
        options.html_field,
        options.raw_base64_field,
        "title",
        "meta",
    }
    return {name: value for name, value in record.items() if name not in read_here}


def record_to_document(
    record: dict[str, Any], path: StoragePath, offset: int, options: ReaderOptions, original: str | bytes
) -> Document | Rejected:
    record_id = record.get(options.id_field)
    record_id = str(record_id) if record_id not in (None, "") else f"{path.name}#{offset}"
    url = record.get(options.url_field)
    url = url if isinstance(url, str) else ""
    source = Source(str(path), offset)
    # zhclean's own shards carry meta and removals: keep them when re-reading output.
    meta = dict(record["meta"]) if isinstance(record.get("meta"), dict) else {}
    title = record.get("title")
    if isinstance(title, str) and title:
        meta["title"] = title
    fields = carried_fields(record, options)

    def rejected(code: str, detail: dict[str, Any]) -> Rejected:
        return io_rejected(path, offset, code, detail, record_id, shown_text(original))

    if options.raw_base64_field and options.raw_base64_field in record:
        try:
            raw = base64.b64decode(record[options.raw_base64_field], validate=False)
        except (ValueError, TypeError) as error:
            return rejected("bad_field", {"field": options.raw_base64_field, "error": str(error)})
        return Document(id=record_id, url=url, source=source, raw=raw, meta=meta, fields=fields)
    if options.html_field and options.html_field in record:
        html = record[options.html_field]
        if not isinstance(html, str):
            return rejected("bad_field", {"field": options.html_field, "type": type(html).__name__})
        return Document(id=record_id, url=url, source=source, html=html, meta=meta, fields=fields)
    if options.text_field not in record:
        return rejected("missing_field", {"field": options.text_field, "fields": sorted(record)[:20]})
    text = record[options.text_field]
    if not isinstance(text, str):
        return rejected("bad_field", {"field": options.text_field, "type": type(text).__name__})
    return Document(id=record_id, url=url, text=text, source=source, meta=meta, fields=fields)


# -- Parquet -----------------------------------------------------------------------------


def read_parquet(
    path: StoragePath, options: ReaderOptions, progress: ByteProgress
) -> Iterator[Document | Rejected]:
    from zhclean.io.shards import removals_from_column

    try:
        parquet = parquet_file(path)
    except Exception as error:
        yield io_rejected(path, 0, "corrupt", {"error": f"{type(error).__name__}: {error}"})
        return
    names = set(parquet.schema_arrow.names)
    total_rows = max(1, parquet.metadata.num_rows)
    file_size = path.stat().st_size
    content_fields = [
        name for name in (options.text_field, options.html_field, options.raw_base64_field) if name
    ]
    if options.keep_fields is None:
        wanted = parquet.schema_arrow.names  # every column may be carried through
    else:
        read_here = [
            *content_fields,
            options.id_field,
            options.url_field,
            "title",
            "meta",
            "removed",
            "fields",
        ]
        wanted = [name for name in dict.fromkeys([*read_here, *options.keep_fields]) if name in names]
    has_content = any(name in names for name in content_fields)
    row = 0
    try:
        for batch in parquet.iter_batches(columns=wanted, batch_size=4096):
            for record in batch.to_pylist():
                if not has_content:
                    record_id = record.get(options.id_field)
                    yield io_rejected(
                        path,
                        row,
                        "missing_field",
                        {"field": options.text_field, "columns": sorted(names)[:20]},
                        str(record_id) if record_id not in (None, "") else None,
                    )
                else:
                    yield parquet_record_to_document(record, path, row, options, removals_from_column)
                row += 1
            progress.position = int(file_size * row / total_rows)
    except Exception as error:
        yield io_rejected(path, row, "corrupt", {"error": f"{type(error).__name__}: {error}"})


def parquet_record_to_document(
    record: dict[str, Any], path: StoragePath, row: int, options: ReaderOptions, removals_from_column: Any
) -> Document | Rejected:
    meta = record.get("meta")
    if isinstance(meta, str):
        try:
            record["meta"] = json.loads(meta)
        except ValueError:
            record["meta"] = {}
    result = record_to_document(record, path, row, options, "")
    if isinstance(result, Document) and record.get("removed"):
        result = result.replace(removed=removals_from_column(record["removed"]))
    return result


# -- a directory of HTML files -------------------------------------------------------------


def html_files(path: StoragePath) -> list[StoragePath]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.name.lower().endswith(HTML_SUFFIXES) and p.is_file())  # type: ignore[type-var]


def read_html(
    path: StoragePath, options: ReaderOptions, progress: ByteProgress
) -> Iterator[Document | Rejected]:
    """Each file is one page; its id is its path relative to the directory."""
    base = path if path.is_dir() else path.parent
    for file in html_files(path):
        record_id = file.relative_to(base).as_posix()  # type: ignore[arg-type]
        try:
            size = file.stat().st_size
            if size > options.max_record_bytes:
                progress.position += size
                yield io_rejected(
                    file,
                    0,
                    "limit.record_bytes",
                    {"bytes": size, "max_record_bytes": options.max_record_bytes},
                    record_id,
                )
                continue
            raw = file.read_bytes()
        except OSError as error:
            yield io_rejected(file, 0, "unreadable", {"error": str(error)}, record_id)
            continue
        progress.position += len(raw)
        yield Document(id=record_id, url=file.resolve().as_uri(), source=Source(str(file), 0), raw=raw)


def input_size(path: StoragePath) -> int:
    """Bytes a reader will go through, for the progress bar."""
    if path.is_dir():
        return sum(file.stat().st_size for file in html_files(path))
    return path.stat().st_size


def read_documents(
    path: str | Path | StoragePath, format: str | None = None, **options: Any
) -> Iterator[Document | Rejected]:
    """Every record of one input file (or directory of HTML files) as a `Document`, or a
    `Rejected` with an `io.*` reason where it cannot be read. `format` is guessed from
    the name when not given; `options` are `ReaderOptions` fields (`text_field="content"`,
    `keep_fields=("split",)` …). `path` may be an object-store URL."""
    from zhclean.io.storage import as_path

    location = as_path(path)
    if not location.exists():
        raise InputError(f"input not found: {location}")
    try:
        reader_options = ReaderOptions(**options)
    except TypeError:
        valid = ", ".join(field.name for field in dataclasses.fields(ReaderOptions))
        raise TypeError(f"unknown reader option in {sorted(options)}; valid: {valid}") from None
    return read_records(location, format or format_for_path(location), reader_options)
