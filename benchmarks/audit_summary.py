"""Times `zhclean audit OUT --format json` (the summary) on a generated output with a large
rejected set (default 1,000,000 rows), and checks that its counts add up.

    python benchmarks/audit_summary.py [--rows 1000000] [--out /tmp/audit-bench] [--keep]

The rows are generated (Chinese text written here, 40–1,200 characters, 14 reasons, some
with removals), written as the engine writes rejected shards (io/shards.py schema, zstd,
100k rows per shard). Prints JSON: rows, seconds to generate, seconds for the summary.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import shutil
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from zhclean.io.shards import DEFAULT_MAX_ROWS, KEPT_SCHEMA, REJECTED_SCHEMA, ROW_GROUP_ROWS

REASONS = [
    "length.too_short",
    "cjk_ratio.too_low",
    "repetition.duplicate_ngrams",
    "repetition.top_ngram",
    "spam_words.gambling",
    "spam_words.advertising",
    "punctuation.too_little",
    "mojibake.garbled",
    "stop_words.too_few",
    "contact_density.too_many",
    "minhash.duplicate",
    "exact_dup.duplicate",
    "io.http_status",
    "main_content.no_text",
]
SENTENCES = [
    "今天上午，市政府召开新闻发布会，介绍了今年城市建设的主要进展。",
    "专家表示，这一政策将有助于推动区域经济的协调发展。",
    "扫码关注公众号，获取更多精彩内容！",
    "本站所有文章均来自网络，如有侵权请联系删除。",
    "这家店的菜味道不错，服务也很周到，下次还会再来。",
    "北京时间昨晚，国家队在主场以二比一战胜对手。",
]


def make_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        target = rng.randint(40, 1200)
        parts: list[str] = []
        length = 0
        while length < target:
            sentence = rng.choice(SENTENCES)
            parts.append(sentence)
            length += len(sentence)
        texts.append("".join(parts)[:target])
    return texts


def generate(out: Path, rows: int, seed: int = 1, chars_column: bool = True) -> None:
    """Rejected shards as the engine writes them; `chars_column=False` leaves the `chars`
    column empty, as in outputs written before it existed (the audit then measures text)."""
    schema = REJECTED_SCHEMA
    rng = random.Random(seed)
    pool = make_texts(5_000, seed)
    (out / "rejected").mkdir(parents=True)
    (out / "kept").mkdir(parents=True)
    counts: dict[str, int] = {}
    shard = 0
    written = 0
    while written < rows:
        shard_rows = min(DEFAULT_MAX_ROWS, rows - written)
        writer = pq.ParquetWriter(
            out / "rejected" / f"part-{shard:05d}-s0-000.parquet",
            schema,
            compression="zstd",
            compression_level=3,
        )
        for start in range(0, shard_rows, ROW_GROUP_ROWS * 5):
            size = min(ROW_GROUP_ROWS * 5, shard_rows - start)
            reasons = [REASONS[min(len(REASONS) - 1, int(rng.expovariate(0.4)))] for _ in range(size)]
            for reason in reasons:
                counts[reason] = counts.get(reason, 0) + 1
            texts = [pool[rng.randrange(len(pool))] for _ in range(size)]
            columns = {
                "id": [f"doc-{written + start + index}" for index in range(size)],
                "url": [f"https://example.invalid/{written + start + index}" for index in range(size)],
                "text": texts,
                "source": [f"bench.jsonl#{written + start + index}" for index in range(size)],
                "reason": reasons,
                "detail": ['{"share": 0.1}'] * size,
                "meta": ["{}"] * size,
                "removed": [
                    []
                    if index % 4
                    else [
                        {"code": "ad_lines.qr_follow", "rule": "ad.qr_follow.scan", "text": "扫码关注公众号"}
                    ]
                    for index in range(size)
                ],
            }
            columns["chars"] = [len(text) for text in texts] if chars_column else [None] * size
            table = pa.table(columns, schema=schema)
            writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
        writer.close()
        written += shard_rows
        shard += 1
    kept = pa.table(
        {
            "id": ["kept-0"],
            "url": [""],
            "text": [pool[0]],
            "chars": [len(pool[0])],
            "source": [""],
            "title": [None],
            "quality": [0.9],
            "meta": ["{}"],
            "removed": [[{"code": "ad_lines.qr_follow", "rule": "ad.qr_follow.scan", "text": "扫码关注"}]],
        },
        schema=KEPT_SCHEMA,
    )
    pq.write_table(kept, out / "kept" / "part-00000-000.parquet", compression="zstd")
    stats = {
        "read": rows + 1,
        "kept": 1,
        "rejected": rows,
        "reasons": counts,
        "read_rejected": {},
        "output_rejected": {},
        "steps": [],
        "step_params": [],
        "recipe": "benchmark",
    }
    (out / "_stats.json").write_text(json.dumps(stats), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/zhclean-audit-bench"))
    parser.add_argument("--keep", action="store_true", help="keep the generated output")
    parser.add_argument(
        "--no-chars-column",
        dest="chars_column",
        action="store_false",
        help="leave the `chars` column empty, as in outputs from before it existed",
    )
    parser.add_argument("--reuse", action="store_true", help="reuse an output generated earlier at --out")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (best is reported)")
    arguments = parser.parse_args()
    from zhclean.audit.output import open_output
    from zhclean.cli.audit import audit_summary

    began = time.perf_counter()
    if not (arguments.reuse and arguments.out.exists()):
        if arguments.out.exists():
            shutil.rmtree(arguments.out)
        generate(arguments.out, arguments.rows, chars_column=arguments.chars_column)
    generated = time.perf_counter() - began
    timings = []
    result: dict = {}
    for _ in range(arguments.repeat):
        buffer = io.StringIO()
        began = time.perf_counter()
        audit_summary(
            open_output(arguments.out), "json", buffer
        )  # what `zhclean audit OUT --format json` runs
        timings.append(time.perf_counter() - began)
        result = json.loads(buffer.getvalue())
    total = sum(entry["documents"] for entry in result["reasons"])
    size = sum(path.stat().st_size for path in (arguments.out / "rejected").glob("*.parquet"))
    print(
        json.dumps(
            {
                "rejected_rows": arguments.rows,
                "chars_column": arguments.chars_column,
                "rejected_bytes_on_disk": size,
                "generate_seconds": round(generated, 2),
                "summary_seconds_best": round(min(timings), 3),
                "summary_seconds_all": [round(t, 3) for t in timings],
                "reasons": len(result["reasons"]),
                "counts_add_up": total == result["rejected"] == arguments.rows,
                "rejected_chars": sum(entry["chars"] for entry in result["reasons"]),
            },
            indent=2,
        )
    )
    if not arguments.keep:
        shutil.rmtree(arguments.out)
    return 0 if total == arguments.rows else 1


if __name__ == "__main__":
    sys.exit(main())
