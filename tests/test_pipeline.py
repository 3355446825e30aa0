from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

import pytest

from zhclean import Cleaned, Cleaner, DedupEntry, Deduplicator, Document, Filter, Pipeline, Reject, Rejected
from zhclean.clean import WhitespaceNormalizer
from zhclean.filters import LengthFilter


class DropLinesWithAds(Cleaner):
    name: ClassVar[str] = "test_ads"

    def __init__(self) -> None:
        pass

    def clean(self, text: str) -> Cleaned:
        kept, removals = [], []
        for line in text.split("\n"):
            if "广告" in line:
                removals.append(self.removal("ad_marker", "test.ad_marker", line))
            else:
                kept.append(line)
        return Cleaned("\n".join(kept), tuple(removals))


class HangsOnStuck(Filter):
    """Spins (never sleeps, so only a signal can stop it) on documents that say 卡住."""

    name: ClassVar[str] = "test_hangs"

    def __init__(self) -> None:
        pass

    def check(self, doc: Document) -> Reject | None:
        if "卡住" in doc.text:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                pass
        return None


class ExplodesOnBoom(Filter):
    name: ClassVar[str] = "test_explodes"

    def __init__(self) -> None:
        pass

    def check(self, doc: Document) -> Reject | None:
        if "爆炸" in doc.text:
            raise RuntimeError("步骤出错")
        return None


class SameTextDedup(Deduplicator):
    name: ClassVar[str] = "test_same_text"
    codes: ClassVar[tuple[str, ...]] = ("duplicate",)

    def __init__(self) -> None:
        pass

    def signature(self, doc: Document) -> str:
        return doc.text

    def find_duplicates(
        self, entries: Iterable[DedupEntry], workdir: Path | None = None
    ) -> dict[str, Reject]:
        first: dict[str, str] = {}
        duplicates = {}
        for entry in sorted(entries, key=lambda entry: entry.id):
            if entry.signature in first:
                duplicates[entry.id] = Reject("duplicate", {"kept_id": first[entry.signature]})
            else:
                first[entry.signature] = entry.id
        return duplicates


ARTICLE = "今天下午，市图书馆举办了一场关于城市历史的讲座，吸引了两百多位市民到场聆听。"


def test_run_keeps_rejects_and_counts_each_step() -> None:
    pipeline = Pipeline([WhitespaceNormalizer(), DropLinesWithAds(), LengthFilter(min_chars=20)])
    documents = [
        Document(id="keep", text=f"{ARTICLE}\n【广告】全场五折"),
        Document(id="short", text="太短了"),
        Document(id="only-ads", text="广告位招租\n广告联系电话"),
    ]
    outcomes = {
        outcome.document.id if isinstance(outcome, Rejected) else outcome.id: outcome
        for outcome in pipeline.run(documents)
    }

    kept = outcomes["keep"]
    assert isinstance(kept, Document)
    assert kept.text == ARTICLE
    assert [(r.code, r.rule, r.text) for r in kept.removed] == [
        ("test_ads.ad_marker", "test.ad_marker", "【广告】全场五折")
    ]
    assert isinstance(outcomes["short"], Rejected) and outcomes["short"].reason == "length.too_short"
    assert outcomes["short"].detail == {"chars": 3, "min_chars": 20}
    assert isinstance(outcomes["only-ads"], Rejected) and outcomes["only-ads"].reason == "test_ads.emptied"

    stats = pipeline.stats
    assert (stats.read, stats.kept, stats.rejected) == (3, 1, 2)
    by_name = {step.name: step for step in stats.steps}
    assert (by_name["test_ads"].docs_in, by_name["test_ads"].docs_out) == (3, 2)
    assert by_name["test_ads"].removals == {"test_ads.ad_marker": 1}
    assert stats.reasons() == {"length.too_short": 1, "test_ads.emptied": 1}


def test_steps_do_not_change_the_documents_they_are_given() -> None:
    original = Document(id="a", text=f"  {ARTICLE}\n广告", meta={"来源": "测试"})
    snapshot = (original.text, dict(original.meta), original.removed)
    list(Pipeline([WhitespaceNormalizer(), DropLinesWithAds()]).run([original]))
    assert (original.text, original.meta, original.removed) == snapshot


def test_a_step_that_raises_rejects_only_that_document() -> None:
    pipeline = Pipeline([ExplodesOnBoom()])
    outcomes = list(
        pipeline.run([Document(id="ok", text=ARTICLE), Document(id="bad", text="爆炸" + ARTICLE)])
    )
    assert isinstance(outcomes[0], Document)
    assert isinstance(outcomes[1], Rejected)
    assert outcomes[1].reason == "test_explodes.crashed"
    assert "步骤出错" in outcomes[1].detail["error"]


def test_a_step_that_hangs_rejects_only_that_document_as_past_the_time_limit() -> None:
    pipeline = Pipeline([HangsOnStuck()], max_seconds_per_record=0.3)
    documents = [
        Document(id="a", text=ARTICLE),
        Document(id="stuck", text="卡住" + ARTICLE),
        Document(id="b", text=ARTICLE),
    ]
    began = time.monotonic()
    outcomes = list(pipeline.run(documents))
    assert time.monotonic() - began < 5
    assert [outcome.id if isinstance(outcome, Document) else outcome.reason for outcome in outcomes] == [
        "a",
        "limit.seconds",
        "b",
    ]
    assert outcomes[1].detail == {"step": "test_hangs", "max_seconds": 0.3}
    assert pipeline.stats.reasons() == {"limit.seconds": 1}


def test_rejected_inputs_pass_through_uncounted_by_steps() -> None:
    unreadable = Rejected(Document(id="broken"), "io.bad_json", {"error": "x"})
    pipeline = Pipeline([LengthFilter(min_chars=1)])
    outcomes = list(pipeline.run([unreadable, Document(id="ok", text=ARTICLE)]))
    assert outcomes[0] is unreadable
    assert pipeline.stats.read_rejected == {"io.bad_json": 1}
    assert pipeline.stats.steps[0].docs_in == 1


def test_deduplicator_splits_the_pipeline_and_sees_every_document() -> None:
    pipeline = Pipeline([WhitespaceNormalizer(), SameTextDedup(), LengthFilter(min_chars=10)], batch_size=2)
    documents = [
        Document(id="b", text=ARTICLE),
        Document(id="a", text=f"  {ARTICLE}  "),  # the same once whitespace is normalized
        Document(id="c", text="另一篇完全不同的文章，讲的是秋天的菊花展。"),
    ]
    outcomes = list(pipeline.run(documents))
    rejected = [outcome for outcome in outcomes if isinstance(outcome, Rejected)]
    assert [(item.document.id, item.reason, item.detail) for item in rejected] == [
        ("b", "test_same_text.duplicate", {"kept_id": "a"})
    ]
    assert pipeline.segments()[0][2] is pipeline.steps[1]


def test_process_refuses_a_deduplicating_pipeline() -> None:
    with pytest.raises(TypeError):
        Pipeline([SameTextDedup()]).process(Document(id="a", text=ARTICLE))
