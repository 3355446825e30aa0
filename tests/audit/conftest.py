"""A small cleaned output written for the audit tests: Chinese text written for them, rows
written with the engine's own row functions, a _stats.json as the engine writes it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zhclean.document import Document, Rejected, Removal, Source
from zhclean.io.shards import KEPT_SCHEMA, REJECTED_SCHEMA, ShardWriter, kept_row, rejected_row

NEWS = "今天上午，市政府召开新闻发布会，介绍了今年城市建设的主要进展。专家表示，这一政策将有助于推动区域经济的协调发展。"
GAMBLING = "百家乐真人娱乐城，注册送彩金，首存优惠，百家乐在线投注，老虎机天天返水。"

KEPT = [
    Document(
        id="k1",
        url="https://news.example.cn/1",
        text=NEWS,
        source=Source("crawl.warc.gz", 1),
        meta={"quality": 0.91},
        removed=(
            Removal("ad_lines.qr_follow", "ad.qr_follow.scan", "扫码关注我们，获取更多资讯"),
            Removal("main_content.nav", "dom.nav", "首页 > 新闻 > 正文"),
        ),
    ),
    Document(
        id="k2",
        url="https://news.example.cn/2",
        text=NEWS * 2,
        source=Source("crawl.warc.gz", 2),
        meta={"quality": 0.42},
        removed=(
            Removal("ad_lines.qr_follow", "ad.qr_follow.scan", "长按识别二维码关注"),
            Removal("boilerplate_runs.outside_main", "runs.after_main", "版权所有 转载请注明出处"),
        ),
    ),
    Document(id="k3", url="https://news.example.cn/3", text=NEWS, source=Source("crawl.warc.gz", 3)),
]
REJECTED = [
    Rejected(
        Document(id="r1", url="https://spam.example.cn/1", text=GAMBLING * 3),
        "spam_words.gambling",
        {"rule": "spam.gambling", "hits": 12, "top_words": {"百家乐": 6, "彩金": 3}},
    ),
    Rejected(
        Document(id="r2", url="https://short.example.cn/2", text="你好"),
        "length.too_short",
        {"chars": 2, "min_chars": 50},
    ),
    Rejected(
        Document(id="r3", url="https://short.example.cn/3", text="谢谢"),
        "length.too_short",
        {"chars": 2, "min_chars": 50},
    ),
    Rejected(
        Document(id="r4", url="https://en.example.com/4", text="hello world " * 10),
        "cjk_ratio.too_low",
        {"han_share": 0.0, "min_han_share": 0.2},
    ),
    Rejected(
        Document(id="r5", url="https://x.example.cn/5", raw=b"\x89PNG"),
        "io.not_html",
        {"content_type": "image/png"},
    ),
]
STEP_PARAMS = [
    {"name": "ad_lines", "params": {"rules_file": "ad_lines.toml", "remove_fragments": True}},
    {"name": "length", "params": {"min_chars": 50, "max_chars": 1_000_000}},
    {"name": "cjk_ratio", "params": {"min_han_share": 0.2}},
    {"name": "spam_words", "params": {"rules_file": "spam_words.toml"}},
]


def write_output(
    out: Path, kept: list[Document], rejected: list[Rejected], stats_changes: dict[str, object] | None = None
) -> Path:
    kept_writer = ShardWriter(out / "kept", "part-00000", KEPT_SCHEMA)
    for document in kept:
        kept_writer.write(kept_row(document))
    kept_writer.close()
    rejected_writer = ShardWriter(out / "rejected", "part-00000-s0", REJECTED_SCHEMA, max_rows=3)
    for outcome in rejected:
        rejected_writer.write(rejected_row(outcome))
    rejected_writer.close()
    reasons: dict[str, int] = {}
    for outcome in rejected:
        reasons[outcome.reason] = reasons.get(outcome.reason, 0) + 1
    in_steps = len(kept) + len(rejected) - reasons.get("io.not_html", 0)
    steps = []
    for entry in STEP_PARAMS:
        name = entry["name"]
        step_rejected = {reason: count for reason, count in reasons.items() if reason.startswith(name + ".")}
        removals: dict[str, int] = {}
        for document in kept:
            for removal in document.removed:
                if removal.code.startswith(name + "."):
                    removals[removal.code] = removals.get(removal.code, 0) + 1
        out_steps = in_steps - sum(step_rejected.values())
        steps.append(
            {
                "name": name,
                "in": in_steps,
                "out": out_steps,
                "seconds": 0.01,
                "rejected": step_rejected,
                "removals": removals,
            }
        )
        in_steps = out_steps
    stats = {
        "zhclean_version": "test",
        "recipe": "audit-test",
        "recipe_fingerprint": "0123456789abcdef",
        "read": len(kept) + len(rejected),
        "kept": len(kept),
        "rejected": len(rejected),
        "reasons": reasons,
        "read_rejected": {key: value for key, value in reasons.items() if key.startswith("io.")},
        "output_rejected": {},
        "steps": steps,
        "step_params": STEP_PARAMS,
    }
    stats.update(stats_changes or {})
    (out / "_stats.json").write_text(json.dumps(stats, ensure_ascii=False), encoding="utf-8")
    return out


@pytest.fixture
def audit_output(tmp_path: Path) -> Path:
    return write_output(tmp_path / "out", KEPT, REJECTED)


class AuditData:
    """What the tests need from this module (conftest modules are not importable under
    pytest's importlib import mode, so the tests get them through a fixture)."""

    kept = KEPT
    rejected = REJECTED
    write_output = staticmethod(write_output)


@pytest.fixture
def data() -> type[AuditData]:
    return AuditData
