"""Fuzz target for the reader + decoder + extractor path.

    python tests/hardening/fuzz_target.py -max_total_time=600      # atheris (libFuzzer)
    python tests/hardening/fuzz_target.py --mutate 600             # no atheris: our mutator

`fuzz_one(data)` turns the bytes into one input (the first byte picks the kind: a WARC
file, a gzip'd WARC, a JSONL file, or a raw page with a Content-Type), reads it, and sends
every record through Decode, MainContentExtractor and the text cleaners, calling each step
directly: any exception is a crash (a Pipeline would only have rejected the record as
`<step>.crashed`, which still loses it). Outcomes are checked too: every record is a
Document or a Rejected with a `<step>.<code>` reason from its step's declared codes.

`mutation_fuzz(seconds)` is the dependency-free fallback used in CI: seeded byte-level
mutations (flips, inserts, deletes, splices, truncations) of the seed corpus below.
"""

from __future__ import annotations

import gzip
import random
import sys
import tempfile
import time
from pathlib import Path

from zhclean.document import Document, Reject, Rejected
from zhclean.io.decode import Decode
from zhclean.io.readers import ReaderOptions, read_records
from zhclean.io.warc_writer import HttpResponse, warc_response_record
from zhclean.registry import exported_steps
from zhclean.steps import Cleaner, Extractor, Step

KINDS = ("warc", "warc.gz", "jsonl", "page")
CONTENT_TYPES = (
    "text/html",
    "text/html; charset=utf-8",
    "text/html; charset=gbk",
    "text/html; charset=big5",
    "text/html; charset=utf-16",
    "text/plain",
    "text/html; charset=x-unknown",
)
# Inputs longer than this are cut: the fuzzer looks for crashes, the size limits have
# their own tests.
MAX_INPUT_BYTES = 64 * 1024


def seed_inputs() -> list[bytes]:
    page = (
        '<html><head><meta charset="utf-8"><title>标题</title></head><body><div class="nav"><a href="/">首页</a></div>'
        '<div class="content"><p>今天天气很好，我们一起去公园散步。</p><p>湖边有人钓鱼，有人下棋。</p></div></body></html>'
    ).encode()
    gbk = page.decode().replace("utf-8", "gbk").encode("gbk")
    record = warc_response_record(
        HttpResponse(
            "http://fuzz.example.invalid/a", page, "text/html; charset=utf-8", record_id="urn:uuid:a"
        )
    )
    record_gbk = warc_response_record(
        HttpResponse("http://fuzz.example.invalid/b", gbk, "text/html", record_id="urn:uuid:b")
    )
    jsonl = '{"id": "1", "text": "第一行。\\n第二行。"}\n{"id": 2, "text": null}\n[1]\n'.encode()
    return [
        bytes([0]) + record + record_gbk,
        bytes([1]) + gzip.compress(record, mtime=0) + gzip.compress(record_gbk, mtime=0),
        bytes([2]) + jsonl,
        bytes([3, 1]) + page,
        bytes([3, 2]) + gbk,
        bytes([3, 0]) + page.decode().encode("utf-16-le"),
        bytes([3, 0]) + b"<div>" * 600 + "字".encode() + b"</div>" * 600,
    ]


class Harness:
    """The steps, built once: decode, every exported extractor and cleaner."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        steps = exported_steps()
        self.decode = Decode()
        self.extractors: list[Step] = [cls() for cls in steps.values() if issubclass(cls, Extractor)]
        self.cleaners: list[Step] = [cls() for cls in steps.values() if issubclass(cls, Cleaner)]

    def run(self, data: bytes) -> None:
        if not data:
            return
        data = data[:MAX_INPUT_BYTES]
        kind, body = KINDS[data[0] % len(KINDS)], data[1:]
        if kind == "page":
            content_type = CONTENT_TYPES[body[0] % len(CONTENT_TYPES)] if body else ""
            documents: list[Document | Rejected] = [
                Document(id="page", raw=body[1:], meta={"http_content_type": content_type})
            ]
        else:
            path = self.directory / f"input.{kind if kind != 'jsonl' else 'jsonl'}"
            path.write_bytes(body)
            documents = list(read_records(path, "jsonl" if kind == "jsonl" else "warc", ReaderOptions()))
        for outcome in documents:
            if isinstance(outcome, Rejected):
                assert outcome.reason.startswith("io."), outcome.reason
                continue
            assert isinstance(outcome, Document)
            self.through_steps(outcome)

    def through_steps(self, document: Document) -> None:
        verdict = check_verdict(self.decode, self.decode.apply(document))
        if verdict is None:
            return
        for extractor in self.extractors:
            extracted = check_verdict(extractor, extractor.apply(verdict))
            if extracted is None:
                continue
            text = extracted
            for cleaner in self.cleaners:
                cleaned = check_verdict(cleaner, cleaner.apply(text))
                if cleaned is None:
                    break
                text = cleaned
            text.text.encode("utf-8")  # what the Parquet writer will do


def check_verdict(step: Step, verdict: Document | Reject) -> Document | None:
    if isinstance(verdict, Reject):
        assert verdict.code in step.codes, f"{step.name} emitted undeclared code {verdict.code!r}"
        return None
    assert isinstance(verdict, Document), f"{step.name} returned {type(verdict).__name__}"
    return verdict


def mutate(data: bytes, seeds: list[bytes], rng: random.Random) -> bytes:
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        choice = rng.random()
        position = rng.randrange(len(buffer) + 1)
        if choice < 0.3 and buffer:
            buffer[min(position, len(buffer) - 1)] ^= 1 << rng.randrange(8)
        elif choice < 0.45:
            buffer[position:position] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif choice < 0.6 and buffer:
            del buffer[position : position + rng.randint(1, 64)]
        elif choice < 0.75:
            other = rng.choice(seeds)
            start = rng.randrange(len(other))
            buffer[position:position] = other[start : start + rng.randint(1, 256)]
        elif choice < 0.85:
            del buffer[max(1, position) :]  # truncation
        else:
            token = rng.choice(
                [
                    b"\r\n\r\n",
                    b"WARC/1.0\r\n",
                    b"Content-Length: 99999\r\n",
                    b"\x00",
                    b"<div>" * 50,
                    b"\xff\xfe",
                    b"\x1f\x8b\x08",
                    b'"',
                    b"\\ud800",
                ]
            )
            buffer[position:position] = token
    return bytes(buffer)


def mutation_fuzz(seconds: float, seed: int = 0) -> int:
    """Runs mutated seeds through the harness for `seconds`; returns how many inputs ran.
    Raises (with the input saved next to the temporary files' name in the message) on the
    first crash."""
    rng = random.Random(seed)
    seeds = seed_inputs()
    corpus = list(seeds)
    runs = 0
    deadline = time.monotonic() + seconds
    with tempfile.TemporaryDirectory(prefix="zhclean-fuzz-") as directory:
        harness = Harness(Path(directory))
        for data in seeds:
            harness.run(data)
        while time.monotonic() < deadline:
            data = mutate(rng.choice(corpus), seeds, rng)
            try:
                harness.run(data)
            except Exception as error:
                crash = Path(tempfile.gettempdir()) / f"zhclean-fuzz-crash-{seed}-{runs}.bin"
                crash.write_bytes(data)
                raise AssertionError(
                    f"crash on input saved to {crash}: {type(error).__name__}: {error}"
                ) from error
            runs += 1
            if rng.random() < 0.05 and len(corpus) < 500:
                corpus.append(data)  # keep some mutants as new starting points
    return runs


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1] == "--mutate":
        seconds = float(sys.argv[2])
        runs = mutation_fuzz(seconds, seed=int(time.time()))
        print(f"mutation fuzz: {runs} inputs in {seconds:.0f} s, no crash")
        return
    import atheris  # pip install atheris

    directory = Path(tempfile.mkdtemp(prefix="zhclean-fuzz-"))
    harness = Harness(directory)
    seed_directory = directory / "seeds"
    seed_directory.mkdir()
    for index, data in enumerate(seed_inputs()):
        (seed_directory / f"seed-{index}").write_bytes(data)
    atheris.instrument_all()  # coverage feedback from zhclean and its pure-Python dependencies
    atheris.Setup([*sys.argv, str(seed_directory)], harness.run)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
