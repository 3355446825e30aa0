"""Measuring whole process trees (CPU seconds from RUSAGE_CHILDREN, with the caller as
subreaper; peak memory sampled with psutil) and preparing the repeated inputs, for
benchmarks/compare.py."""

from __future__ import annotations

import gzip
import json
import os
import re
import resource
import subprocess
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# -- measuring a process tree -------------------------------------------------------------


def measure(
    command: list[str], log: Path, env: dict[str, str] | None = None, timeout_seconds: float = 1800
) -> dict[str, Any]:
    """Run `command`; wall seconds, CPU seconds and peak memory of its whole process tree.
    A run past `timeout_seconds` is killed (its process group) and marked so."""
    import signal

    import psutil

    # The 1-minute load average before and after: other people's jobs on a shared machine
    # slow every figure down, so the report says how busy the machine was.
    load_before = os.getloadavg()[0]
    become_subreaper()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    with log.open("w") as log_file:
        process = subprocess.Popen(
            command, stdout=log_file, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            os.killpg(process.pid, signal.SIGKILL)

        killer = threading.Timer(timeout_seconds, kill)
        killer.start()
        peak_tree_rss = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak_tree_rss
            root = psutil.Process(process.pid)
            while not done.is_set():
                try:
                    members = [root, *root.children(recursive=True)]
                except psutil.NoSuchProcess:
                    break
                tree_rss = 0
                for member in members:
                    try:
                        tree_rss += member.memory_info().rss
                    except psutil.Error:
                        continue
                peak_tree_rss = max(peak_tree_rss, tree_rss)
                done.wait(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        done.set()
        killer.cancel()
        sampler.join()
    wall = time.perf_counter() - began
    reap_orphans()
    # CPU seconds of the whole tree. The kernel adds a process's CPU to its parent's
    # "children" account when the parent reaps it, all the way up; orphans were reparented
    # to this process (subreaper) and reaped above. So the growth of this process's
    # RUSAGE_CHILDREN is exact for the whole tree. (Adding the root's wait4 rusage to the
    # sampled CPU of its descendants, as an earlier version did, counts every reaped
    # descendant twice: wait4 already includes them.)
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    tree_cpu = (children_after.ru_utime - children_before.ru_utime) + (
        children_after.ru_stime - children_before.ru_stime
    )
    return {
        "exit_code": os.waitstatus_to_exitcode(status),
        **({"timed_out_after_seconds": timeout_seconds} if timed_out.is_set() else {}),
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(tree_cpu, 2),
        # wait4: the root and the descendants it waited for; the largest one counts.
        "max_process_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "peak_tree_rss_mb": round(peak_tree_rss / 2**20, 1),
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def become_subreaper() -> None:
    """Make this process the reaper of orphaned descendants (Linux prctl
    PR_SET_CHILD_SUBREAPER), so that a worker whose parent exits without waiting for it is
    still reaped here and its CPU seconds are counted."""
    import ctypes

    set_child_subreaper = 36  # PR_SET_CHILD_SUBREAPER from <linux/prctl.h>
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(set_child_subreaper, 1, 0, 0, 0)


def reap_orphans(grace_seconds: float = 30) -> None:
    """Wait for descendants that outlived the measured root (they were reparented to this
    process); kill any still running after `grace_seconds`."""
    import psutil

    orphans = psutil.Process().children()
    _, alive = psutil.wait_procs(orphans, timeout=grace_seconds)
    for process in alive:
        process.kill()
    psutil.wait_procs(alive, timeout=5)


# -- inputs -------------------------------------------------------------------------------


def repeated_file(source: Path, times: int, target: Path) -> Path:
    """`source` repeated `times` times. Contents repeat exactly (real duplicates, which
    dedup rightly drops), but every copy gets its own record ids, as records of a real
    crawl or dump have: a WARC-Record-ID gets a new UUID (derived from the copy number and
    the original id), a JSONL `id` the suffix `~copyN`. Copy 0 keeps the original ids."""
    if target.exists():
        return target
    if source.name.endswith(".warc.gz"):
        members = list(gzip_members(source.read_bytes()))
        with target.open("wb") as out:
            for copy in range(times):
                for member in members:
                    out.write(gzip.compress(renumbered_warc_record(member, copy), compresslevel=6))
        return target
    rows = [json.loads(line) for line in source.open(encoding="utf-8") if line.strip()]
    with target.open("w", encoding="utf-8") as out:
        for copy in range(times):
            for row in rows:
                if copy:
                    row = {**row, "id": f"{row['id']}~copy{copy}"}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return target


def gzip_members(data: bytes) -> Iterator[bytes]:
    """The decompressed members of a multi-member gzip file (one WARC record each)."""
    while data:
        decompressor = zlib.decompressobj(31)
        yield decompressor.decompress(data) + decompressor.flush()
        data = decompressor.unused_data


WARC_RECORD_ID = re.compile(rb"^WARC-Record-ID: *<urn:uuid:([0-9a-fA-F-]{36})>", re.MULTILINE)


def renumbered_warc_record(record: bytes, copy: int) -> bytes:
    if copy == 0:
        return record
    header_end = record.find(b"\r\n\r\n")

    def new_id(match: re.Match[bytes]) -> bytes:
        fresh = uuid.uuid5(uuid.NAMESPACE_URL, f"{copy}:{match.group(1).decode()}")
        return b"WARC-Record-ID: <urn:uuid:" + str(fresh).encode() + b">"

    return WARC_RECORD_ID.sub(new_id, record[:header_end], count=1) + record[header_end:]


def count_records(path: Path) -> int:
    if path.name.endswith((".warc.gz", ".warc")):
        from fastwarc.warc import ArchiveIterator, WarcRecordType

        with path.open("rb") as stream:
            return sum(1 for _ in ArchiveIterator(stream, record_types=WarcRecordType.response))
    with path.open("rb") as stream:
        return sum(1 for line in stream if line.strip())
