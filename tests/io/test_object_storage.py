"""Inputs and outputs on object storage (s3://), against a real S3-protocol server: moto's
server mode, started here on 127.0.0.1 (nothing of zhclean's is mocked). s3fs reaches it
through AWS_ENDPOINT_URL, as it would reach any S3-compatible store."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from zhclean.cli import main
from zhclean.document import Document
from zhclean.io import ShardWriter, as_path, read_documents, shard_paths
from zhclean.io.shards import OUTPUT_SCHEMA, ROW_GROUP_ROWS, kept_row

moto_server = pytest.importorskip("moto.server")  # in the dev extra
s3fs = pytest.importorskip("s3fs")

SENTENCES = [
    "城市公园的荷花开了，吸引了许多市民前来观赏拍照。",
    "研究人员发现，适量运动有助于改善睡眠质量。",
    "这家老字号面馆已经开了三十多年，招牌牛肉面深受欢迎。",
    "图书馆推出了夜间阅读服务，方便上班族借阅图书。",
    "扫码关注公众号，领取优惠券！",
]


@pytest.fixture(scope="module")
def s3_env() -> Iterator[dict[str, str]]:
    """A moto S3 server on a free loopback port, and the environment that points s3fs (in
    this process, in workers and in subprocesses) at it."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    settings = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
    }
    saved = {key: os.environ.get(key) for key in settings}
    os.environ.update(settings)
    s3fs.S3FileSystem.clear_instance_cache()
    try:
        yield {**os.environ, **settings}
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        s3fs.S3FileSystem.clear_instance_cache()


@pytest.fixture
def bucket(s3_env: dict[str, str], request: pytest.FixtureRequest) -> str:
    fs = s3fs.S3FileSystem()
    name = "zhclean-" + request.node.name.replace("_", "-")[:40].lower().strip("-")
    fs.mkdir(name)
    return name


def rows(out: object, which: str, column: str) -> list[tuple[str, str]]:
    paths = shard_paths(as_path(str(out)) / which)
    found = []
    for path in paths:
        with path.open("rb") as handle:
            table = pq.read_table(handle, columns=["id", column])
        found += [(row["id"], row[column]) for row in table.to_pylist()]
    return sorted(found)


def snapshot(out: object) -> tuple[list, list]:
    return rows(out, "kept", "text"), rows(out, "rejected", "reason")


def test_clean_from_s3_to_s3_keeps_what_a_local_run_keeps(
    demo_crawl: Path, bucket: str, tmp_path: Path
) -> None:
    fs = s3fs.S3FileSystem()
    fs.put(str(demo_crawl), f"{bucket}/in.warc.gz")
    local = tmp_path / "local"
    assert main(["clean", "--no-progress", str(demo_crawl), "-o", str(local)]) == 0
    remote = f"s3://{bucket}/out"
    assert main(["clean", "--no-progress", "--workers", "2", f"s3://{bucket}/in.warc.gz", "-o", remote]) == 0
    assert snapshot(remote) == snapshot(local)
    assert snapshot(remote)[0], "the demo crawl keeps pages"
    names = sorted(key.rsplit("/", 1)[-1] for key in fs.find(f"{bucket}/out"))
    assert "_stats.json" in names and "_manifest.json" in names
    assert not [name for name in names if name.startswith(".")], "a temporary shard survived"
    stats = json.loads(fs.cat(f"{bucket}/out/_stats.json"))
    assert stats["read"] == 11
    # The same output directory again needs --overwrite, as on a local disk.
    assert main(["clean", "--no-progress", f"s3://{bucket}/in.warc.gz", "-o", remote]) == 2


def test_audit_and_report_read_an_output_on_s3(
    demo_crawl: Path, bucket: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local, remote = tmp_path / "local", f"s3://{bucket}/out"
    assert main(["clean", "--no-progress", str(demo_crawl), "-o", str(local)]) == 0
    assert main(["clean", "--no-progress", str(demo_crawl), "-o", remote]) == 0
    capsys.readouterr()
    assert main(["audit", str(local), "--format", "json"]) == 0
    on_disk = json.loads(capsys.readouterr().out)
    assert main(["audit", remote, "--format", "json"]) == 0
    on_s3 = json.loads(capsys.readouterr().out)
    assert on_s3["read"] == on_disk["read"] == 11
    assert on_s3["reasons"] == on_disk["reasons"]
    # The report beside the output on S3 (the default), and to a local file.
    assert main(["report", remote]) == 0
    assert "<svg" in s3fs.S3FileSystem().cat(f"{bucket}/out/report.html").decode()
    assert main(["report", remote, "-o", str(tmp_path / "report.html")]) == 0
    assert "<svg" in (tmp_path / "report.html").read_text(encoding="utf-8")


def write_jsonl_inputs(fs: object, bucket: str, files: int, lines: int) -> list[str]:
    urls = []
    for number in range(files):
        records = []
        for line in range(lines):
            text = "".join(SENTENCES[(number + line + step) % len(SENTENCES)] for step in range(1 + line % 9))
            records.append(
                json.dumps({"id": f"{number}-{line}", "text": text, "split": "train"}, ensure_ascii=False)
            )
        key = f"{bucket}/in/part-{number}.jsonl"
        fs.pipe(key, ("\n".join(records) + "\n").encode())  # type: ignore[attr-defined]
        urls.append(f"s3://{key}")
    return urls


def zhclean(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "zhclean", "clean", "--no-progress", "--workers", "2", *arguments]


def test_resume_after_a_kill_on_s3_gives_the_uninterrupted_output(
    bucket: str, s3_env: dict[str, str]
) -> None:
    fs = s3fs.S3FileSystem()
    inputs = write_jsonl_inputs(fs, bucket, files=4, lines=1500)
    reference = f"s3://{bucket}/reference"
    subprocess.run(zhclean(*inputs, "-o", reference), check=True, env=s3_env, stdout=subprocess.DEVNULL)
    expected = snapshot(reference)
    assert len(expected[0]) + len(expected[1]) == 6000

    out = f"s3://{bucket}/killed"
    process = subprocess.Popen(zhclean(*inputs, "-o", out), env=s3_env, stdout=subprocess.DEVNULL)
    manifest = f"{bucket}/killed/_manifest.json"
    deadline = time.monotonic() + 120
    # Killed once the first unit is recorded as done: some shards complete, others not.
    while time.monotonic() < deadline and process.poll() is None:
        fs.invalidate_cache()
        if fs.exists(manifest) and json.loads(fs.cat(manifest)).get("completed", {}).get("0"):
            break
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert json.loads(fs.cat(manifest))["finished"] is False
    # Without --resume the user is told to pass it.
    refused = subprocess.run(zhclean(*inputs, "-o", out), env=s3_env, capture_output=True, text=True)
    assert refused.returncode == 2 and "--resume" in refused.stderr
    subprocess.run(zhclean(*inputs, "-o", out, "--resume"), check=True, env=s3_env, stdout=subprocess.DEVNULL)
    assert snapshot(out) == expected
    fs.invalidate_cache()
    assert not [key for key in fs.find(f"{bucket}/killed") if key.rsplit("/", 1)[-1].startswith(".")]


@pytest.mark.slow
def test_the_ray_engine_reads_and_writes_s3(
    demo_crawl: Path, bucket: str, s3_env: dict[str, str], tmp_path: Path
) -> None:
    fs = s3fs.S3FileSystem()
    fs.put(str(demo_crawl), f"{bucket}/in.warc.gz")
    local = tmp_path / "local"
    assert main(["clean", "--no-progress", str(demo_crawl), "-o", str(local)]) == 0
    remote = f"s3://{bucket}/out-ray"
    # A subprocess: its Ray workers inherit the endpoint settings from its environment.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "zhclean",
            "clean",
            "--no-progress",
            "--engine",
            "ray",
            f"s3://{bucket}/in.warc.gz",
            "-o",
            remote,
        ],
        check=True,
        env={**s3_env, "RAY_ADDRESS": ""},
        stdout=subprocess.DEVNULL,
    )
    assert snapshot(remote) == snapshot(local)


def test_a_shard_on_s3_is_visible_only_when_complete(bucket: str) -> None:
    directory = as_path(f"s3://{bucket}/shards")
    writer = ShardWriter(directory, "part-00000", OUTPUT_SCHEMA)
    for number in range(ROW_GROUP_ROWS + 10):  # past one row group: the upload has begun
        writer.write(kept_row(Document(id=str(number), text="内容")))
    assert shard_paths(directory) == []
    [shard] = writer.close()
    assert shard_paths(directory) == [shard] and str(shard) == f"s3://{bucket}/shards/part-00000-000.parquet"
    aborted = ShardWriter(directory, "part-00001", OUTPUT_SCHEMA)
    for number in range(ROW_GROUP_ROWS + 10):
        aborted.write(kept_row(Document(id=str(number), text="内容")))
    aborted.abort()
    assert shard_paths(directory) == [shard]


def test_readers_take_s3_urls(bucket: str) -> None:
    fs = s3fs.S3FileSystem()
    fs.pipe(
        f"{bucket}/docs.jsonl", '{"id": "a", "content": "你好", "title": "标题", "lang": "zh"}\n'.encode()
    )
    [document] = list(read_documents(f"s3://{bucket}/docs.jsonl", text_field="content"))
    assert isinstance(document, Document)
    assert (document.id, document.text, document.meta["title"], document.fields) == (
        "a",
        "你好",
        "标题",
        {"lang": "zh"},
    )
    assert str(document.source) == f"s3://{bucket}/docs.jsonl#0"


def test_an_unknown_protocol_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clean", "--no-progress", "nosuchfs://bucket/in.jsonl", "-o", str(tmp_path / "out")]) == 2
    assert "nosuchfs://bucket/in.jsonl" in capsys.readouterr().err
