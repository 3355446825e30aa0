"""A run killed with SIGKILL at any moment and resumed ends identical to one that was not."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from zhclean.io.shards import shard_paths

SENTENCES = [
    "城市公园的荷花开了，吸引了许多市民前来观赏拍照。",
    "研究人员发现，适量运动有助于改善睡眠质量。",
    "这家老字号面馆已经开了三十多年，招牌牛肉面深受欢迎。",
    "图书馆推出了夜间阅读服务，方便上班族借阅图书。",
    "扫码关注公众号，领取优惠券！",
    "短",
]


def write_inputs(folder: Path, files: int, lines: int) -> list[Path]:
    generator = random.Random(7)
    paths = []
    for number in range(files):
        path = folder / f"part-{number}.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for line in range(lines):
                text = "".join(generator.choice(SENTENCES) for _ in range(generator.randint(1, 12)))
                handle.write(json.dumps({"id": f"{number}-{line}", "text": text}, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


def zhclean(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "zhclean", "clean", "--no-progress", "--workers", "2", *arguments]


def snapshot(out: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]], dict]:
    def rows(directory: Path, column: str) -> list[tuple[str, str]]:
        return sorted(
            (row["id"], row[column])
            for path in shard_paths(directory)
            for row in pq.read_table(path, columns=["id", column]).to_pylist()
        )

    stats = json.loads((out / "_stats.json").read_text())
    counts = {key: stats[key] for key in ("read", "kept", "rejected", "reasons")}
    return rows(out / "kept", "text"), rows(out / "rejected", "reason"), counts


@pytest.mark.slow
def test_sigkill_at_five_moments_then_resume_gives_the_uninterrupted_output(tmp_path: Path) -> None:
    inputs = [str(path) for path in write_inputs(tmp_path, files=6, lines=4000)]
    reference = tmp_path / "reference"
    began = time.monotonic()
    subprocess.run(
        zhclean(*inputs, "-o", str(reference), "--recipe", "heuristics"),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    duration = time.monotonic() - began
    expected = snapshot(reference)
    assert expected[2]["read"] == 24000

    moments = random.Random(2026)
    for attempt in range(5):
        out = tmp_path / f"killed-{attempt}"
        process = subprocess.Popen(
            zhclean(*inputs, "-o", str(out), "--recipe", "heuristics"), stdout=subprocess.DEVNULL
        )
        time.sleep(moments.uniform(0.3, max(0.4, duration * 0.9)))
        process.send_signal(signal.SIGKILL)
        process.wait()
        subprocess.run(
            zhclean(*inputs, "-o", str(out), "--recipe", "heuristics", "--resume"),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        assert snapshot(out) == expected, f"attempt {attempt} differs after resume"
        assert not [path for path in out.rglob(".*.tmp")], "a temporary shard survived"


def test_resume_refuses_an_output_made_from_other_inputs(tmp_path: Path) -> None:
    first, second = write_inputs(tmp_path, files=2, lines=20)
    out = tmp_path / "out"
    subprocess.run(zhclean(str(first), "-o", str(out)), check=True, stdout=subprocess.DEVNULL)
    result = subprocess.run(zhclean(str(second), "-o", str(out), "--resume"), capture_output=True, text=True)
    assert result.returncode == 2
    assert "cannot resume" in result.stderr and "Traceback" not in result.stderr
