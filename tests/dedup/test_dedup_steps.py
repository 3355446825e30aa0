from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
from tests.dedup.corpus import ARTICLE_MARKET, ARTICLE_RIVER, SENTENCES, random_documents, repost

from zhclean.dedup import ExactDeduplicator, MinHashDeduplicator, to_lean_minhash
from zhclean.dedup.signatures import estimated_jaccard
from zhclean.document import Document, Rejected
from zhclean.pipeline import Pipeline, dedup_entry
from zhclean.steps import DedupEntry


def entries_for(step, documents: list[Document]) -> list[DedupEntry]:
    return [dedup_entry(document, step) for document in documents]


def duplicates_of(step, texts: dict[str, str], workdir: Path | None = None) -> dict:
    documents = [Document(id=doc_id, text=text) for doc_id, text in texts.items()]
    return step.find_duplicates(entries_for(step, documents), workdir)


def true_jaccard(first: str, second: str, n: int = 5) -> float:
    from zhclean.dedup.normalize import normalized_text

    a, b = normalized_text(first), normalized_text(second)
    shingles_a = {a[i : i + n] for i in range(max(1, len(a) - n + 1))}
    shingles_b = {b[i : i + n] for i in range(max(1, len(b) - n + 1))}
    return len(shingles_a & shingles_b) / len(shingles_a | shingles_b)


# -- which pairs are duplicates ---------------------------------------------------------------

PAIRS = [
    # (first, second, exact duplicate?, near duplicate?)
    (ARTICLE_RIVER, ARTICLE_RIVER, True, True),
    (ARTICLE_RIVER, ARTICLE_RIVER.replace("，", ", ").replace("。", "。\n\n"), True, True),
    (ARTICLE_RIVER, repost(ARTICLE_RIVER, "城市晚报网", edit=False), False, True),
    (ARTICLE_RIVER, repost(ARTICLE_RIVER, "晨报在线", edit=True), False, True),
    (repost(ARTICLE_RIVER, "城市晚报网"), repost(ARTICLE_RIVER, "晨报在线"), False, True),
    (ARTICLE_RIVER, ARTICLE_MARKET, False, False),
    (ARTICLE_RIVER[:200], ARTICLE_RIVER[150:], False, False),  # two halves overlap a little
    ("如何修改绑定的手机号", "怎样更换绑定的手机号码", False, False),  # a paraphrase
    ("为什么我的退款还没有到账", "为什么退款还没有到账呢", False, False),  # short paraphrase
    ("你好", "你好！", True, True),  # shorter than an n-gram: still a signature
    ("你好", "您好", False, False),
]


@pytest.mark.parametrize(("first", "second", "exact", "near"), PAIRS)
def test_which_pairs_are_duplicates(first: str, second: str, exact: bool, near: bool) -> None:
    texts = {"a": first, "b": second}
    assert bool(duplicates_of(ExactDeduplicator(), texts)) is exact
    assert bool(duplicates_of(MinHashDeduplicator(), texts)) is near


def test_repost_pairs_really_are_near_duplicates_by_the_definition() -> None:
    # Guards the table above: the near pairs have true character-5-gram Jaccard >= 0.8
    # (after normalization), the non-near ones well below.
    assert true_jaccard(ARTICLE_RIVER, repost(ARTICLE_RIVER, "晨报在线")) >= 0.8
    assert true_jaccard(ARTICLE_RIVER, ARTICLE_MARKET) < 0.1


# -- which copy is kept, and the reason detail -------------------------------------------------


@pytest.mark.parametrize(
    ("documents", "kept"),
    [
        # highest quality first
        ([("b", ARTICLE_RIVER, 0.9), ("a", ARTICLE_RIVER + "。", 0.2)], "b"),
        # a scored document beats an unscored one
        ([("a", ARTICLE_RIVER, None), ("b", ARTICLE_RIVER, 0.1)], "b"),
        # then the longest text
        ([("a", ARTICLE_RIVER, None), ("b", ARTICLE_RIVER + "\n\n", None)], "b"),
        # then the smallest id
        ([("b", ARTICLE_RIVER, 0.5), ("a", ARTICLE_RIVER, 0.5), ("c", ARTICLE_RIVER, 0.5)], "a"),
    ],
)
@pytest.mark.parametrize("step_class", [ExactDeduplicator, MinHashDeduplicator])
def test_which_copy_is_kept(documents: list[tuple[str, str, float | None]], kept: str, step_class) -> None:
    step = step_class()
    entries = [
        DedupEntry(doc_id, step.signature(Document(id=doc_id, text=text)), len(text), quality)
        for doc_id, text, quality in documents
    ]
    for order in (entries, entries[::-1]):
        duplicates = step.find_duplicates(order)
        assert set(duplicates) == {doc_id for doc_id, _, _ in documents} - {kept}
        assert {reject.detail["kept_id"] for reject in duplicates.values()} == {kept}


def test_minhash_detail() -> None:
    texts = {
        "original": ARTICLE_RIVER,
        "copy-1": repost(ARTICLE_RIVER, "城市晚报网"),
        "copy-2": repost(ARTICLE_RIVER, "晨报在线"),
    }
    duplicates = duplicates_of(MinHashDeduplicator(), texts)
    longest = max(texts, key=lambda doc_id: len(texts[doc_id]))
    assert set(duplicates) == set(texts) - {longest}
    for reject in duplicates.values():
        assert reject.code == "duplicate"
        assert set(reject.detail) == {"cluster", "kept_id", "jaccard", "cluster_size"}
        assert reject.detail["kept_id"] == longest
        assert reject.detail["cluster_size"] == 3
        assert 0.75 <= reject.detail["jaccard"] <= 1.0
    assert len({reject.detail["cluster"] for reject in duplicates.values()}) == 1


def test_exact_detail() -> None:
    # The spaced copy is longer, so it is the one kept.
    duplicates = duplicates_of(
        ExactDeduplicator(), {"a": ARTICLE_MARKET, "b": ARTICLE_MARKET.replace("。", ". ")}
    )
    assert duplicates["a"].code == "duplicate"
    assert duplicates["a"].detail["kept_id"] == "b"
    assert duplicates["a"].detail["cluster_size"] == 2


# -- signatures ----------------------------------------------------------------------------------


def test_signature_is_compact_deterministic_and_picklable() -> None:
    step = MinHashDeduplicator()
    document = Document(id="a", text=ARTICLE_MARKET)
    signature = step.signature(document)
    assert isinstance(signature, bytes) and len(signature) == 2 * step.signature_words
    assert pickle.loads(pickle.dumps(step)).signature(document) == signature
    assert MinHashDeduplicator(seed=2).signature(document) != signature
    assert isinstance(ExactDeduplicator().signature(document), bytes)


@pytest.mark.parametrize("text", ["", "啊", "好的", "！？。", " \n "])
def test_short_and_empty_texts_get_signatures(text: str) -> None:
    step = MinHashDeduplicator()
    signature = step.signature(Document(id="a", text=text))
    assert len(signature) == 2 * step.signature_words
    assert step.signature(Document(id="b", text=text)) == signature


@pytest.mark.parametrize(
    "params", [{}, {"ngram_chars": 1}, {"ngram_chars": 9, "seed": 4}, {"signature_words": 128, "bands": 8}]
)
def test_a_batch_of_signatures_is_the_signatures_one_by_one(params: dict) -> None:
    # Long, short (below n), empty, punctuation-only and combining-mark texts, mixed, so
    # the batch's texts of n or more characters are hashed together around the others.
    texts = [text for _, text in random_documents(30, seed=9)]
    texts[3:3] = ["", "啊", "好的", "！？。", "今天天气", "e\u0301很好", "😀\ufe0f开心的一天", ARTICLE_RIVER[:5]]
    step = MinHashDeduplicator(**params)
    documents = [Document(id=str(index), text=text) for index, text in enumerate(texts)]
    assert step.signatures(documents) == [step.signature(document) for document in documents]
    assert step.signatures(documents[3:4]) == [step.signature(documents[3])]


def test_estimated_jaccard_tracks_true_jaccard() -> None:
    step = MinHashDeduplicator()
    base = "".join(SENTENCES[:12])
    for keep in (12, 10, 8, 6, 4):
        variant = "".join(SENTENCES[:keep]) + "".join(SENTENCES[20 : 20 + 12 - keep])
        estimate = estimated_jaccard(
            step.signature(Document(id="a", text=base)), step.signature(Document(id="b", text=variant))
        )
        # 256 words: standard deviation <= 0.032; 4 of them is a generous bound.
        assert abs(estimate - true_jaccard(base, variant)) < 0.13


def test_lean_minhash_interop_with_datasketch_lsh() -> None:
    from datasketch import MinHashLSH

    step = MinHashDeduplicator()
    signatures = {
        "river": step.signature(Document(id="river", text=ARTICLE_RIVER)),
        "repost": step.signature(Document(id="repost", text=repost(ARTICLE_RIVER, "晨报在线"))),
        "market": step.signature(Document(id="market", text=ARTICLE_MARKET)),
    }
    lsh = MinHashLSH(num_perm=step.signature_words, params=(step.bands, step.rows_per_band))
    for key, signature in signatures.items():
        lsh.insert(key, to_lean_minhash(signature, step.seed))
    assert set(lsh.query(step.to_lean_minhash(signatures["river"]))) == {"river", "repost"}
    lean = to_lean_minhash(signatures["river"])
    assert lean.jaccard(to_lean_minhash(signatures["repost"])) == pytest.approx(
        estimated_jaccard(signatures["river"], signatures["repost"])
    )


# -- memory and staged modes -------------------------------------------------------------------


@pytest.mark.parametrize("step_class", [ExactDeduplicator, MinHashDeduplicator])
def test_staged_equals_memory(step_class, tmp_path: Path) -> None:
    documents = [Document(id=doc_id, text=text) for doc_id, text in random_documents(400, seed=3)]
    memory_step = step_class()
    staged_step = step_class(mode="staged", partitions=5, chunk_docs=64)
    entries = entries_for(memory_step, documents)
    in_memory = memory_step.find_duplicates(entries)
    assert len(in_memory) > 20  # the corpus has clusters
    assert staged_step.find_duplicates(entries, tmp_path / "work") == in_memory
    # Without a work directory, staged mode uses a temporary one.
    assert staged_step.find_duplicates(entries) == in_memory
    # Input order does not change the decision.
    assert memory_step.find_duplicates(entries[::-1]) == in_memory


def test_staged_stages_restart(tmp_path: Path) -> None:
    documents = [Document(id=doc_id, text=text) for doc_id, text in random_documents(200, seed=4)]
    step = MinHashDeduplicator(mode="staged", partitions=4, chunk_docs=50)
    entries = entries_for(step, documents)
    workdir = tmp_path / "work"
    expected = step.find_duplicates(entries, workdir)
    assert {path.name for path in workdir.iterdir()} >= {
        "ingest",
        "edges",
        "components.parquet",
        "duplicates.parquet",
    }

    # Complete stages are not run again: a finished work directory answers without input.
    assert step.find_duplicates([], workdir) == expected
    # A crash in the middle of the edge stage: one partition done, stage not complete.
    shutil.rmtree(workdir / "edges.partial", ignore_errors=True)
    (workdir / "components.parquet").unlink()
    (workdir / "duplicates.parquet").unlink()
    edges = workdir / "edges"
    edges.rename(workdir / "edges.partial")
    (workdir / "edges.partial" / "_complete.json").unlink()
    (workdir / "edges.partial" / "part-0002.parquet").unlink()
    (workdir / "edges.partial" / "part-0003.parquet.partial").write_bytes(b"half a file")
    assert step.find_duplicates([], workdir) == expected
    # A half-written ingest is started again from the entries.
    shutil.rmtree(workdir)
    (workdir / "ingest.partial").mkdir(parents=True)
    (workdir / "ingest.partial" / "docs-000000.parquet").write_bytes(b"garbage")
    assert step.find_duplicates(entries, workdir) == expected


def test_staged_refuses_a_work_directory_of_other_parameters(tmp_path: Path) -> None:
    documents = [Document(id=doc_id, text=text) for doc_id, text in random_documents(20, seed=5)]
    step = MinHashDeduplicator(mode="staged")
    step.find_duplicates(entries_for(step, documents), tmp_path)
    other = MinHashDeduplicator(mode="staged", bands=8, rows_per_band=16)
    with pytest.raises(ValueError, match="other parameters"):
        other.find_duplicates(entries_for(other, documents), tmp_path)


@pytest.mark.parametrize("mode", ["memory", "staged"])
def test_no_entries(mode: str, tmp_path: Path) -> None:
    assert MinHashDeduplicator(mode=mode).find_duplicates([], tmp_path) == {}
    assert (
        ExactDeduplicator(mode=mode).find_duplicates(
            [DedupEntry("a", ExactDeduplicator().signature(Document(id="a", text="文本")), 2)], tmp_path / "x"
        )
        == {}
    )


def test_bad_parameters() -> None:
    with pytest.raises(ValueError):
        MinHashDeduplicator(mode="cluster")
    with pytest.raises(ValueError):
        MinHashDeduplicator(signature_words=64)
    with pytest.raises(ValueError):
        ExactDeduplicator(mode="disk")


# -- in a pipeline -------------------------------------------------------------------------------


def test_pipeline_exact_then_minhash_conserves_documents() -> None:
    documents = [
        Document(id="river", text=ARTICLE_RIVER),
        Document(id="river-spaced", text=ARTICLE_RIVER.replace("，", ", ")),
        Document(id="river-repost", text=repost(ARTICLE_RIVER, "晨报在线")),
        Document(id="market", text=ARTICLE_MARKET),
    ]
    pipeline = Pipeline([ExactDeduplicator(), MinHashDeduplicator()])
    outcomes = list(pipeline.run(documents))
    assert len(outcomes) == len(documents)
    reasons = {outcome.document.id: outcome.reason for outcome in outcomes if isinstance(outcome, Rejected)}
    kept = {outcome.id for outcome in outcomes if isinstance(outcome, Document)}
    assert kept | set(reasons) == {document.id for document in documents}
    assert (
        reasons == {"river": "exact_dup.duplicate", "river-spaced": "minhash.duplicate"}
        or reasons
        == {
            "river-spaced": "exact_dup.duplicate",
            "river": "minhash.duplicate",
        }
        or "market" in kept
        and len(kept) == 2
    )
    assert "market" in kept and len(kept) == 2
    assert pipeline.stats.kept + pipeline.stats.rejected == pipeline.stats.read


def test_signatures_as_numpy_arrays_are_accepted() -> None:
    step = MinHashDeduplicator()
    texts = [ARTICLE_RIVER, ARTICLE_RIVER + "。"]
    entries = [
        DedupEntry(
            str(i), np.frombuffer(step.signature(Document(id="x", text=t)), dtype="<u2").copy(), len(t)
        )
        for i, t in enumerate(texts)
    ]
    assert set(step.find_duplicates(entries)) == {"0"}
