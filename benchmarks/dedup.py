"""Exact + MinHash deduplication: recall, precision, speed and memory at scale, same run.

    python benchmarks/dedup.py ../shared/data            # everything (≈ 5 min on 2 cores)
    python benchmarks/dedup.py ../shared/data --scale-docs 0     # skip the 1 M run

DATA_DIR is a directory in the layout of `../shared/data`: it reads `web/inews.jsonl`,
`quality/labelled.jsonl` (label `high`) and `dedup/pairs.jsonl`. Nothing is copied.

What it measures (printed as JSON):

* planted reposts: real documents with at least `--min-chars` normalized characters that
  have no near-duplicate among the others (true character-5-gram Jaccard < 0.5 to every
  other, checked on candidates from a sensitive 64 × 2 banding) are split into bases and
  distinct documents. Each base gets 1–3 reposts: a generated portal header and footer
  (navigation, date, source, editor, copyright notice, related links), 0–6 sentence edits
  (replaced by a sentence of another document, deleted, or inserted), and random
  punctuation / spacing changes. The corpus (bases + reposts + distinct) goes through
  `exact_dup` then `minhash`, both modes. Recall: planted (base, repost) pairs that end
  in one cluster, by true Jaccard bin (the target is on ≥ 0.8). False merges: distinct
  documents whose cluster holds a document of another origin.
* paraphrases: each `qa_corpus*` pair of `dedup/pairs.jsonl` deduplicated on its own (a
  two-document corpus): merged pairs, split into pairs whose normalized texts are equal
  (an exact duplicate after normalization, merging is right) and the rest (target 0).
  The `sohu*` pairs the same way, by grade (0 different … 5 same event), as extra info.
* signatures/s: `MinHashDeduplicator.signature` against datasketch's default `MinHash`
  (128 permutations, one `update` per shingle) and rensa's `RMinHash` (128, one
  `update` with the shingle list) on the same texts, same normalization and shingles.
* scale: a subprocess builds `--scale-docs` short documents (3–6 sentences drawn from the
  real texts, 10% of them reposts of earlier ones), computes signatures while streaming
  them into the staged mode, and reports `ru_maxrss` (peak resident memory) and stage
  times. A second pair of subprocesses runs memory and staged mode on the first
  `--compare-docs` of the same documents and checks that they drop the same ids.
* versus datasketch (`--versus-datasketch DOCS`, and nothing else): `zhclean dedup
  --workers 1` and a datasketch-only script (MinHash 128 permutations, MinHashLSH at 0.8,
  candidates verified at 0.8) as fresh processes on the first DOCS inews documents,
  alternating `--repeat` times: median CPU and wall seconds, and each one's recall of
  true Jaccard ≥ 0.8 groups and false merges (dropped documents with no other of Jaccard
  ≥ 0.5).
* components (`--components-docs N`, off by default): the staged MinHash on N synthetic
  documents as above, then its connected-components stage run again in fresh
  subprocesses: in one process (the fast path under `max_edges_in_memory`), partitioned on
  disk in this process (serial executor), and partitioned on a pool of 2 processes. Reports
  seconds, peak resident memory (VmHWM; the pool's workers are separate processes, their
  peak is reported too) and whether the labels are identical. `--components-edges M` does
  the same on a synthetic graph of M edge rows (clusters of geometric size, as near
  duplicates make), where the in-memory path's size shows.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from zhclean.dedup import ExactDeduplicator, MinHashDeduplicator
from zhclean.dedup.normalize import normalized_text
from zhclean.dedup.signatures import MinHashScheme, minhash_signature
from zhclean.document import Document, Rejected
from zhclean.pipeline import Pipeline, dedup_entry
from zhclean.steps import DedupEntry

SENTENCE_END = re.compile(r"(?<=[。！？!?；\n])")
PORTALS = [
    "新浪新闻",
    "搜狐网",
    "网易新闻",
    "凤凰资讯",
    "腾讯新闻",
    "今日头条",
    "东方财富网",
    "中华网",
    "光明网",
    "环球网",
    "大河网",
    "北青网",
]
SECTIONS = ["首页", "新闻", "财经", "体育", "娱乐", "科技", "汽车", "房产", "教育", "健康", "旅游", "时尚"]
EDITORS = ["王小明", "李华", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "孙丽"]


# -- data ------------------------------------------------------------------------------------


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def real_documents(data_dir: Path) -> list[tuple[str, str]]:
    documents = [(row["id"], row["text"]) for row in read_jsonl(data_dir / "web" / "inews.jsonl")]
    documents += [
        (row["id"], row["text"])
        for row in read_jsonl(data_dir / "quality" / "labelled.jsonl")
        if row["label"] == "high"
    ]
    return documents


def shingles(text: str, n: int = 5) -> set[str]:
    normalized = normalized_text(text)
    if len(normalized) < n:
        return {normalized}
    return {normalized[index : index + n] for index in range(len(normalized) - n + 1)}


def jaccard(first: set[str], second: set[str]) -> float:
    if not first and not second:
        return 1.0
    return len(first & second) / len(first | second)


def sensitive_candidates(texts: list[str]) -> set[tuple[int, int]]:
    """Index pairs of texts that may be similar: 64 bands × 2 rows of a MinHash, so a
    pair of Jaccard 0.3 is a candidate with probability 0.998."""
    scheme = MinHashScheme(seed=7, ngram_chars=5, bins=128)
    matrix = np.stack([np.frombuffer(minhash_signature(text, scheme), dtype="<u4") for text in texts])
    candidates: set[tuple[int, int]] = set()
    for band in range(64):
        groups: dict[bytes, list[int]] = defaultdict(list)
        for index, row in enumerate(matrix[:, 2 * band : 2 * band + 2]):
            groups[row.tobytes()].append(index)
        for members in groups.values():
            if 1 < len(members) <= 200:
                for position, first in enumerate(members):
                    for second in members[position + 1 :]:
                        candidates.add((first, second))
    return candidates


def distinct_pool(
    documents: list[tuple[str, str]], min_chars: int
) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """Documents with at least `min_chars` normalized characters and true Jaccard < 0.5
    to every other such document (one representative kept of each group of ≥ 0.8)."""
    long_enough = [(doc_id, text) for doc_id, text in documents if len(normalized_text(text)) >= min_chars]
    candidates = sensitive_candidates([text for _, text in long_enough])
    shingle_sets = [shingles(text) for _, text in long_enough]
    excluded: set[int] = set()
    counts = {"candidates": len(candidates), "near_pairs_0.5_0.8": 0, "near_pairs_0.8_up": 0}
    for first, second in sorted(candidates):
        similarity = jaccard(shingle_sets[first], shingle_sets[second])
        if similarity >= 0.8:
            counts["near_pairs_0.8_up"] += 1
            excluded.add(second)  # keep the first as the representative
        elif similarity >= 0.5:
            counts["near_pairs_0.5_0.8"] += 1
            excluded.update((first, second))
    pool = [document for index, document in enumerate(long_enough) if index not in excluded]
    counts.update({"long_enough": len(long_enough), "pool": len(pool)})
    return pool, counts


def sentences(text: str) -> list[str]:
    return [piece for piece in SENTENCE_END.split(text) if piece.strip()]


def boilerplate(rng: random.Random, titles: list[str]) -> tuple[str, str]:
    portal = rng.choice(PORTALS)
    nav = " | ".join(rng.sample(SECTIONS, rng.randint(4, 8)))
    day = f"{rng.randint(2008, 2023)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    date = f"{day} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
    header = f"{portal} {nav}\n发布时间：{date}　来源：{rng.choice(PORTALS)}　作者：{rng.choice(EDITORS)}\n"
    related = "\n".join(rng.sample(titles, 3))
    footer = (
        f"\n责任编辑：{rng.choice(EDITORS)}\n【版权声明】本文转载自{rng.choice(PORTALS)}，如有侵权请联系删除。\n"
        f"扫码关注{portal}官方微信，获取更多资讯\n相关阅读：\n{related}"
    )
    return header, footer


def repost(text: str, rng: random.Random, donor_sentences: list[str], titles: list[str]) -> str:
    body = sentences(text)
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 4, 6])):
        action = rng.choice(["replace", "delete", "insert"])
        position = rng.randrange(len(body)) if body else 0
        if action == "replace" and body:
            body[position] = rng.choice(donor_sentences)
        elif action == "delete" and len(body) > 1:
            del body[position]
        else:
            body.insert(position, rng.choice(donor_sentences))
    joined = "".join(body)
    if rng.random() < 0.5:  # punctuation and spacing style of another portal
        joined = joined.replace("，", ", ").replace("。", ". ").replace("　", "")
    if rng.random() < 0.3:
        joined = joined.replace("\n", "\n\n　　")
    header, footer = boilerplate(rng, titles)
    return header + joined + footer


# -- quality ---------------------------------------------------------------------------------


def final_groups(outcomes: list[Document | Rejected]) -> dict[str, str]:
    """Document id → id of the kept document its duplicate chain ends at."""
    parent: dict[str, str] = {}
    for outcome in outcomes:
        if isinstance(outcome, Rejected) and "kept_id" in outcome.detail:
            parent[outcome.document.id] = outcome.detail["kept_id"]
        else:
            document = outcome.document if isinstance(outcome, Rejected) else outcome
            parent.setdefault(document.id, document.id)

    def root(doc_id: str) -> str:
        while parent.get(doc_id, doc_id) != doc_id:
            doc_id = parent[doc_id]
        return doc_id

    return {doc_id: root(doc_id) for doc_id in parent}


def planted_benchmark(
    data_dir: Path, seed: int, bases: int, min_chars: int, minhash_params: dict[str, Any]
) -> tuple[dict[str, Any], list[Document]]:
    rng = random.Random(seed)
    documents = real_documents(data_dir)
    pool, pool_counts = distinct_pool(documents, min_chars)
    rng.shuffle(pool)
    base_documents, distinct_documents = pool[:bases], pool[bases:]
    donor_sentences = [
        sentence for _, text in distinct_documents[:500] for sentence in sentences(text) if len(sentence) > 8
    ]
    titles = [row["title"] for row in read_jsonl(data_dir / "web" / "inews.jsonl") if row.get("title")]
    corpus: list[Document] = []
    origin: dict[str, str] = {}
    pairs: list[tuple[str, str, float]] = []
    for base_id, text in base_documents:
        corpus.append(Document(id=base_id, text=text))
        origin[base_id] = base_id
        base_shingles = shingles(text)
        for copy_index in range(rng.randint(1, 3)):
            copy_id = f"{base_id}~repost{copy_index}"
            copy_text = repost(text, rng, donor_sentences, titles)
            corpus.append(Document(id=copy_id, text=copy_text))
            origin[copy_id] = base_id
            pairs.append((base_id, copy_id, jaccard(base_shingles, shingles(copy_text))))
    for doc_id, text in distinct_documents:
        corpus.append(Document(id=doc_id, text=text))
        origin[doc_id] = doc_id
    rng.shuffle(corpus)

    results: dict[str, Any] = {
        "pool": pool_counts,
        "documents": len(corpus),
        "bases": len(base_documents),
        "reposts": len(pairs),
        "distinct": len(distinct_documents),
    }
    kept_ids_by_mode: dict[str, list[str]] = {}
    for mode in ("memory", "staged"):
        with tempfile.TemporaryDirectory(prefix="zhclean-bench-dedup-") as scratch:
            steps = [ExactDeduplicator(mode=mode), MinHashDeduplicator(**{**minhash_params, "mode": mode})]
            began = time.perf_counter()
            if mode == "memory":
                outcomes = list(Pipeline(steps).run(corpus))
            else:
                outcomes = run_staged(steps, corpus, Path(scratch))
            seconds = time.perf_counter() - began
        kept_ids_by_mode[mode] = sorted(o.id for o in outcomes if isinstance(o, Document))
        if mode != "memory":
            continue
        groups = final_groups(outcomes)
        bins = {"0.0-0.5": [0, 0], "0.5-0.7": [0, 0], "0.7-0.8": [0, 0], "0.8-0.9": [0, 0], "0.9-1.0": [0, 0]}
        missed_examples = []
        for base_id, copy_id, similarity in pairs:
            uppers = (0.5, 0.7, 0.8, 0.9, 1.01)
            name = next(label for label, upper in zip(bins, uppers, strict=True) if similarity < upper)
            found = groups[base_id] == groups[copy_id]
            bins[name][0] += int(found)
            bins[name][1] += 1
            if not found and similarity >= 0.8:
                missed_examples.append({"pair": [base_id, copy_id], "true_jaccard": round(similarity, 3)})
        members: dict[str, set[str]] = defaultdict(set)
        for doc_id, root in groups.items():
            members[root].add(origin[doc_id])
        distinct_ids = [doc_id for doc_id, _ in distinct_documents]
        false_merges = [doc_id for doc_id in distinct_ids if len(members[groups[doc_id]]) > 1]
        wrong_planted = sum(1 for base_id, _ in base_documents if len(members[groups[base_id]]) > 1)
        recalled = bins["0.8-0.9"][0] + bins["0.9-1.0"][0]
        total = bins["0.8-0.9"][1] + bins["0.9-1.0"][1]
        results["memory"] = {
            "seconds": round(seconds, 2),
            "recall_true_jaccard_ge_0.8": round(recalled / total, 4) if total else None,
            "recalled_pairs_ge_0.8": [recalled, total],
            "recall_by_true_jaccard": {
                name: {"found": found, "pairs": count, "rate": round(found / count, 3) if count else None}
                for name, (found, count) in bins.items()
            },
            "missed_ge_0.8_examples": missed_examples[:5],
            "distinct_falsely_merged": len(false_merges),
            "distinct_false_merge_rate": round(len(false_merges) / len(distinct_ids), 5),
            "false_merge_examples": false_merges[:5],
            "planted_clusters_mixed_with_other_origin": wrong_planted,
            "rejected_by_reason": dict(sorted(count_reasons(outcomes).items())),
        }
    results["staged_equals_memory"] = kept_ids_by_mode["memory"] == kept_ids_by_mode["staged"]
    results["kept"] = len(kept_ids_by_mode["memory"])
    return results, corpus


def count_reasons(outcomes: list[Document | Rejected]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for outcome in outcomes:
        if isinstance(outcome, Rejected):
            counts[outcome.reason] += 1
    return counts


def run_staged(steps: list[Any], corpus: list[Document], scratch: Path) -> list[Document | Rejected]:
    """Deduplicators one after another with a work directory each, as the file engine
    runs them (the in-memory Pipeline passes no work directory)."""
    outcomes: list[Document | Rejected] = list(corpus)
    for index, step in enumerate(steps):
        entries = [dedup_entry(item, step) for item in outcomes if isinstance(item, Document)]
        duplicates = step.find_duplicates(entries, scratch / f"step-{index}")
        outcomes = [
            Rejected(item, f"{step.name}.{duplicates[item.id].code}", duplicates[item.id].detail)
            if isinstance(item, Document) and item.id in duplicates
            else item
            for item in outcomes
        ]
    return outcomes


def pairs_benchmark(data_dir: Path, minhash_params: dict[str, Any]) -> dict[str, Any]:
    exact = ExactDeduplicator()
    minhash = MinHashDeduplicator(**minhash_params)
    summary: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"pairs": 0, "merged": 0, "merged_equal_normalized": 0, "merged_different_normalized": 0}
    )
    examples: list[dict[str, Any]] = []
    for row in read_jsonl(data_dir / "dedup" / "pairs.jsonl"):
        family = "qa_corpus" if row["subset"].startswith("qa_corpus") else "sohu"
        key = f"{family} label={row['label']}"
        first = Document(id="a", text=row["text_a"])
        second = Document(id="b", text=row["text_b"])
        merged = False
        for step in (exact, minhash):
            if step.find_duplicates([dedup_entry(first, step), dedup_entry(second, step)]):
                merged = True
                break
        entry = summary[key]
        entry["pairs"] += 1
        if merged:
            entry["merged"] += 1
            if normalized_text(row["text_a"]) == normalized_text(row["text_b"]):
                entry["merged_equal_normalized"] += 1
            else:
                entry["merged_different_normalized"] += 1
                if family == "qa_corpus" and len(examples) < 5:
                    examples.append(
                        {
                            "id": row["id"],
                            "jaccard": round(jaccard(shingles(row["text_a"]), shingles(row["text_b"])), 3),
                        }
                    )
    qa_wrong = sum(
        value["merged_different_normalized"] for key, value in summary.items() if key.startswith("qa_corpus")
    )
    return {
        "qa_corpus_wrongly_merged": qa_wrong,
        "by_subset_label": dict(sorted(summary.items())),
        "qa_wrong_examples": examples,
    }


# -- speed -----------------------------------------------------------------------------------


def speed_benchmark(data_dir: Path, docs: int, datasketch_docs: int) -> dict[str, Any]:
    texts = [text for _, text in real_documents(data_dir)][:docs]
    step = MinHashDeduplicator()
    step.scheme()
    results: dict[str, Any] = {"docs": len(texts), "mean_chars": round(sum(map(len, texts)) / len(texts), 1)}

    def rate(function: Any, sample: list[str]) -> float:
        began = time.perf_counter()
        for text in sample:
            function(text)
        return len(sample) / (time.perf_counter() - began)

    def python_shingles(text: str) -> list[str]:
        normalized = normalized_text(text)
        if len(normalized) < 5:
            return [normalized]
        return [normalized[index : index + 5] for index in range(len(normalized) - 4)]

    ours = rate(lambda text: step.signature(Document(id="x", text=text)), texts)
    results["zhclean_docs_per_s"] = round(ours)
    from datasketch import MinHash

    def datasketch_default(text: str) -> None:
        sketch = MinHash(num_perm=128)
        for shingle in python_shingles(text):
            sketch.update(shingle.encode("utf-8"))

    def datasketch_batch(text: str) -> None:
        MinHash(num_perm=128).update_batch([shingle.encode("utf-8") for shingle in python_shingles(text)])

    datasketch_rate = rate(datasketch_default, texts[:datasketch_docs])
    results["datasketch_default_docs_per_s"] = round(datasketch_rate, 1)
    results["datasketch_update_batch_docs_per_s"] = round(
        rate(datasketch_batch, texts[: datasketch_docs * 3]), 1
    )
    results["speedup_vs_datasketch_default"] = round(ours / datasketch_rate, 1)
    try:
        import rensa
    except ImportError:
        results["rensa"] = "not installed (pip install rensa)"
    else:

        def rensa_rminhash(text: str) -> None:
            sketch = rensa.RMinHash(num_perm=128, seed=1)
            sketch.update(python_shingles(text))
            sketch.digest()

        rensa_rate = rate(rensa_rminhash, texts)
        results["rensa_rminhash_docs_per_s"] = round(rensa_rate)
        results["speedup_vs_rensa"] = round(ours / rensa_rate, 2)
    # Ours again at the end: the machine is shared, so bracket the peers.
    results["zhclean_docs_per_s_again"] = round(
        rate(lambda text: step.signature(Document(id="x", text=text)), texts)
    )
    return results


# -- scale (subprocess) ----------------------------------------------------------------------


def synthetic_texts(data_dir: Path, count: int, seed: int) -> Iterator[tuple[str, str]]:
    """`count` short documents: 3–6 sentences drawn at random from the real texts; one in
    ten is a repost of an earlier one (new spacing, maybe one sentence replaced)."""
    rng = random.Random(seed)
    pool = [
        sentence.strip()
        for _, text in real_documents(data_dir)
        for sentence in sentences(text)
        if 10 <= len(sentence.strip()) <= 120
    ]
    recent: list[str] = []
    for index in range(count):
        if recent and rng.random() < 0.1:
            body = sentences(rng.choice(recent))
            if body and rng.random() < 0.5:
                body[rng.randrange(len(body))] = rng.choice(pool)
            text = " ".join(body)
        else:
            text = "".join(rng.choice(pool) for _ in range(rng.randint(3, 6)))
            recent.append(text)
            if len(recent) > 10_000:
                recent.pop(rng.randrange(len(recent)))
        yield f"syn-{index:08d}", text


def scale_child(data_dir: Path, count: int, mode: str, workdir: Path) -> dict[str, Any]:
    step = MinHashDeduplicator(mode=mode)
    timings: dict[str, float] = {}
    began = time.perf_counter()
    produced = 0

    def entries() -> Iterator[DedupEntry]:
        nonlocal produced
        for doc_id, text in synthetic_texts(data_dir, count, seed=11):
            produced += 1
            yield dedup_entry(Document(id=doc_id, text=text), step)

    source: Any = entries() if mode == "staged" else list(entries())
    if mode == "memory":
        timings["generate_and_sign_s"] = time.perf_counter() - began
    duplicates = step.find_duplicates(source, workdir)
    timings["total_s"] = time.perf_counter() - began
    usage = resource.getrusage(resource.RUSAGE_SELF)
    high_water_mb = None
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                high_water_mb = round(int(line.split()[1]) / 1024, 1)
    return {
        "mode": mode,
        "documents": produced,
        "duplicates": len(duplicates),
        # Linux: kilobytes. ru_maxrss also counts the parent's memory at fork time, so the
        # children run first, while the parent is small; VmHWM is this process image only.
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "vm_hwm_mb": high_water_mb,
        "seconds": {key: round(value, 1) for key, value in timings.items()},
        "duplicate_ids_sha256": hashlib.sha256("\n".join(sorted(duplicates)).encode()).hexdigest()[:16],
    }


def vm_hwm_mb() -> float | None:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def with_peak_memory(function: Any, partition: int) -> tuple[Any, float | None]:
    return function(partition), vm_hwm_mb()


class CountingExecutor:
    """Counts the executor's calls (one per operation of the components stage) and keeps
    the highest VmHWM a task reported (a pool worker's, or this process's)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls = 0
        self.task_peak_mb = 0.0

    def map_partitions(self, function: Any, partitions: Any) -> list[Any]:
        import functools

        self.calls += 1
        pairs = self.inner.map_partitions(functools.partial(with_peak_memory, function), partitions)
        self.task_peak_mb = max([self.task_peak_mb, *(peak or 0.0 for _, peak in pairs)])
        return [result for result, _ in pairs]


def components_child(workdir: Path, variant: str) -> dict[str, Any]:
    """The components stage of the staged work directory `workdir` (its `edges/` complete),
    run again: "memory", "partitioned" (serial) or "partitioned-pool" (2 processes)."""
    from zhclean.dedup.parallel import SerialExecutor
    from zhclean.dedup.staged import StagedClustering
    from zhclean.engines.executor import LocalExecutor

    partitions = len(list((workdir / "edges").glob("part-*.parquet")))
    spec = MinHashDeduplicator().spec()
    baseline = vm_hwm_mb()
    pool = LocalExecutor(2) if variant == "partitioned-pool" else None
    executor = CountingExecutor(pool or SerialExecutor())
    limit = 2**62 if variant == "memory" else 0
    staged = StagedClustering(workdir, spec, partitions, 1, executor, max_edges_in_memory=limit)
    staged.components_path.unlink(missing_ok=True)
    began = time.perf_counter()
    staged._components()
    seconds = time.perf_counter() - began
    if pool:
        pool.close()
    import pyarrow.parquet as pq

    table = pq.read_table(staged.components_path)
    digest = hashlib.sha256(
        table.column("document").to_numpy().tobytes() + table.column("label").to_numpy().tobytes()
    ).hexdigest()[:16]
    return {
        "variant": variant,
        "edge_rows": staged._edge_rows(),
        "nodes": table.num_rows,
        "operations": executor.calls,
        "seconds": round(seconds, 2),
        "vm_hwm_mb": vm_hwm_mb(),
        "vm_hwm_after_imports_mb": baseline,
        "task_process_peak_mb": executor.task_peak_mb if pool else None,
        "components_sha256": digest,
    }


def synthetic_edges(workdir: Path, edge_rows: int, partitions: int, seed: int) -> dict[str, Any]:
    """Edge partitions as stage 2 writes them, of a graph shaped like near duplicates:
    clusters of geometric size (mean 4) over sparse document numbers, each member linked
    to an earlier one of its cluster, a fifth of the links doubled (a pair found by two
    bands in two partitions)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    links = int(edge_rows / 1.2)
    sizes = rng.geometric(0.25, size=links)  # mean 4 members, 3 links
    sizes = sizes[np.cumsum(sizes - 1) <= links]
    members = int(sizes.sum())
    cluster = np.repeat(np.arange(len(sizes)), sizes)
    starts = np.cumsum(sizes) - sizes
    position = np.arange(members) - starts[cluster]
    # Documents: the members spread over 5 × as many numbers (most documents have no edge).
    documents = np.sort(rng.choice(members * 5, size=members, replace=False)).astype(np.uint64)
    documents = documents[rng.permutation(members)]
    later = np.flatnonzero(position > 0)
    earlier = starts[cluster[later]] + (rng.random(len(later)) * position[later]).astype(np.int64)
    first, second = documents[later], documents[earlier]
    edges = (np.minimum(first, second) << np.uint64(32)) | np.maximum(first, second)
    doubled = rng.random(len(edges)) < 0.2
    edges = np.concatenate([edges, edges[doubled]])
    where = rng.integers(0, partitions, len(edges))
    (workdir / "edges").mkdir(parents=True)
    for index in range(partitions):
        chosen = np.sort(edges[where == index])
        pq.write_table(
            pa.table({"edge": pa.array(chosen, pa.uint64())}), workdir / "edges" / f"part-{index:04d}.parquet"
        )
    return {"edge_rows": len(edges), "clusters": len(sizes), "documents_with_an_edge": members}


def components_benchmark(workdir: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for variant in ("memory", "partitioned", "partitioned-pool"):
        command = [
            sys.executable,
            __file__,
            ".",
            "--components-child",
            variant,
            "--child-workdir",
            str(workdir),
        ]
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            results[variant] = {"error": completed.stderr[-2000:]}
        else:
            results[variant] = json.loads(completed.stdout)
    hashes = {result.get("components_sha256") for result in results.values()}
    results["identical"] = len(hashes) == 1 and None not in hashes
    return results


def run_child(data_dir: Path, count: int, mode: str, scratch: Path) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        str(data_dir),
        "--scale-child",
        str(count),
        "--child-mode",
        mode,
        "--child-workdir",
        str(scratch),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        return {"mode": mode, "documents": count, "error": completed.stderr[-2000:]}
    return json.loads(completed.stdout)


# -- whole processes: zhclean dedup against a datasketch-only script --------------------------

# What a user writes with datasketch alone: 128-permutation MinHash of character 5-grams
# (whitespace removed, lower case), MinHashLSH at 0.8, a document dropped when a kept one
# it collides with estimates at least 0.8. Prints the dropped ids, one a line.
DATASKETCH_SCRIPT = """
import json, re, sys
from datasketch import MinHash, MinHashLSH
space = re.compile(r"\\s+")
lsh = MinHashLSH(threshold=0.8, num_perm=128)
kept = {}
with open(sys.argv[1], encoding="utf-8") as handle:
    for line in handle:
        row = json.loads(line)
        text = space.sub("", row["text"]).lower()
        shingles = {text[i : i + 5] for i in range(max(1, len(text) - 4))}
        sketch = MinHash(num_perm=128)
        sketch.update_batch([shingle.encode("utf-8") for shingle in shingles])
        if any(kept[other].jaccard(sketch) >= 0.8 for other in lsh.query(sketch)):
            print(row["id"])
            continue
        lsh.insert(row["id"], sketch)
        kept[row["id"]] = sketch
"""


def timed_child(command: list[str]) -> tuple[float, float, str]:
    """(CPU seconds, wall seconds, stdout) of one subprocess, CPU from the kernel's
    accounting of reaped children (user + system, the subprocess and its own children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    completed = subprocess.run(command, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, completed.stdout


def true_duplicate_groups(rows: list[dict[str, Any]], threshold: float) -> list[set[str]]:
    """Groups of documents linked by a true character-5-gram Jaccard (on normalized
    text) of at least `threshold`, from `sensitive_candidates`."""
    candidates = sensitive_candidates([row["text"] for row in rows])
    shingle_sets: dict[int, set[str]] = {}
    parent = list(range(len(rows)))

    def find(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for first, second in sorted(candidates):
        for index in (first, second):
            if index not in shingle_sets:
                shingle_sets[index] = shingles(rows[index]["text"])
        if jaccard(shingle_sets[first], shingle_sets[second]) >= threshold:
            parent[find(first)] = find(second)
    members: dict[int, set[str]] = defaultdict(set)
    for index, row in enumerate(rows):
        members[find(index)].add(row["id"])
    return [group for group in members.values() if len(group) > 1]


def dedup_quality(dropped: set[str], groups_08: list[set[str]], groups_05: list[set[str]]) -> dict[str, Any]:
    """Recall: of the documents a true ≥ 0.8 group should lose (all but one), how many
    were dropped. False merges: dropped documents with no other document of true Jaccard
    ≥ 0.5 (nothing they could be a near duplicate of)."""
    should_drop = sum(len(group) - 1 for group in groups_08)
    caught = sum(min(len(group & dropped), len(group) - 1) for group in groups_08)
    near = set().union(*groups_05) if groups_05 else set()
    false_merges = sorted(dropped - near)
    return {
        "dropped": len(dropped),
        "should_drop_jaccard_0.8": should_drop,
        "recall_0.8": round(caught / should_drop, 4) if should_drop else None,
        "false_merges": len(false_merges),
        "false_merge_ids_sample": false_merges[:5],
    }


def versus_datasketch(data_dir: Path, docs: int, repeat: int) -> dict[str, Any]:
    """`zhclean dedup --workers 1` and the datasketch-only script, each a fresh process on
    the same JSONL, alternating `repeat` times: CPU and wall seconds (medians) and what
    each dropped, against true Jaccard groups."""
    rows = list(read_jsonl(data_dir / "web" / "inews.jsonl"))[:docs]
    rows = [{"id": row["id"], "text": row["text"]} for row in rows]
    groups_08 = true_duplicate_groups(rows, 0.8)
    groups_05 = true_duplicate_groups(rows, 0.5)
    ours: list[tuple[float, float]] = []
    peer: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory(prefix="zhclean-bench-dedup-") as scratch:
        corpus = Path(scratch) / "docs.jsonl"
        with open(corpus, "w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        out = Path(scratch) / "out"
        ours_command = [sys.executable, "-m", "zhclean", "dedup", str(corpus), "-o", str(out)]
        ours_command += ["--workers", "1", "--no-progress", "--overwrite"]
        peer_command = [sys.executable, "-c", DATASKETCH_SCRIPT, str(corpus)]
        for _ in range(repeat):  # alternate, so a change in the machine's load hits both
            cpu, wall, _ = timed_child(ours_command)
            ours.append((cpu, wall))
            cpu, wall, printed = timed_child(peer_command)
            peer.append((cpu, wall))
        peer_dropped = set(printed.split())
        rejected = [
            row
            for path in sorted((out / "rejected").glob("*.parquet"))
            for row in pq.read_table(path, columns=["id", "reason"]).to_pylist()
        ]
        duplicate_reasons = ("exact_dup.duplicate", "minhash.duplicate")
        ours_dropped = {row["id"] for row in rejected if row["reason"] in duplicate_reasons}

    def median(values: list[float]) -> float:
        return round(float(np.median(values)), 3)

    ours_cpu, peer_cpu = median([cpu for cpu, _ in ours]), median([cpu for cpu, _ in peer])
    return {
        "docs": len(rows),
        "runs_each": repeat,
        "zhclean": {
            "cpu_seconds": ours_cpu,
            "wall_seconds": median([wall for _, wall in ours]),
            **dedup_quality(ours_dropped, groups_08, groups_05),
        },
        "datasketch": {
            "cpu_seconds": peer_cpu,
            "wall_seconds": median([wall for _, wall in peer]),
            **dedup_quality(peer_dropped, groups_08, groups_05),
        },
        "cpu_ratio_datasketch_over_zhclean": round(peer_cpu / ours_cpu, 2),
        "same_dropped": len(ours_dropped ^ peer_dropped) == 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bases", type=int, default=800, help="planted bases (each gets 1–3 reposts)")
    parser.add_argument(
        "--min-chars", type=int, default=200, help="normalized characters a planted/distinct document needs"
    )
    parser.add_argument(
        "--minhash-params",
        type=json.loads,
        default={},
        help="MinHashDeduplicator parameters as JSON, e.g. '{\"min_estimated_jaccard\": 0.8}'",
    )
    parser.add_argument("--skip-pairs", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--speed-docs", type=int, default=3000)
    parser.add_argument("--datasketch-docs", type=int, default=200)
    parser.add_argument("--scale-docs", type=int, default=1_000_000, help="0 skips the scale run")
    parser.add_argument(
        "--compare-docs",
        type=int,
        default=200_000,
        help="memory vs staged on this many synthetic documents; 0 skips",
    )
    parser.add_argument(
        "--components-docs",
        type=int,
        default=0,
        help="connected components in memory vs partitioned on the staged run of this many documents",
    )
    parser.add_argument(
        "--components-edges", type=int, default=0, help="the same on a synthetic graph of this many edge rows"
    )
    parser.add_argument("--components-only", action="store_true", help="run only the components benchmarks")
    parser.add_argument(
        "--versus-datasketch",
        type=int,
        default=0,
        metavar="DOCS",
        help="only this: zhclean dedup against a datasketch-only script on DOCS inews documents",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each process for --versus-datasketch")
    parser.add_argument("--components-child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--scale-child", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--child-mode", default="staged", help=argparse.SUPPRESS)
    parser.add_argument("--child-workdir", type=Path, default=None, help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.scale_child:
        print(
            json.dumps(
                scale_child(
                    arguments.data_dir, arguments.scale_child, arguments.child_mode, arguments.child_workdir
                )
            )
        )
        return

    if arguments.components_child:
        print(json.dumps(components_child(arguments.child_workdir, arguments.components_child)))
        return

    report: dict[str, Any] = {}
    began = time.perf_counter()
    if arguments.versus_datasketch:
        report["versus_datasketch"] = versus_datasketch(
            arguments.data_dir, arguments.versus_datasketch, arguments.repeat
        )
        report["seconds"] = round(time.perf_counter() - began, 1)
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    if arguments.components_docs:
        with tempfile.TemporaryDirectory(prefix="zhclean-bench-dedup-") as scratch:
            staged = run_child(arguments.data_dir, arguments.components_docs, "staged", Path(scratch))
            report["components_corpus"] = {"staged_run": staged, **components_benchmark(Path(scratch))}
    if arguments.components_edges:
        with tempfile.TemporaryDirectory(prefix="zhclean-bench-dedup-") as scratch:
            graph = synthetic_edges(Path(scratch), arguments.components_edges, 64, arguments.seed)
            report["components_synthetic"] = {"graph": graph, **components_benchmark(Path(scratch))}
    if arguments.components_only:
        report["seconds"] = round(time.perf_counter() - began, 1)
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    report["minhash"] = repr(MinHashDeduplicator(**arguments.minhash_params))
    # Subprocesses first, while this process is small (see `scale_child`).
    if arguments.scale_docs:
        with tempfile.TemporaryDirectory(prefix="zhclean-bench-dedup-") as scratch:
            report["scale"] = run_child(arguments.data_dir, arguments.scale_docs, "staged", Path(scratch))
    if arguments.compare_docs:
        with tempfile.TemporaryDirectory(prefix="zhclean-bench-dedup-") as scratch:
            memory = run_child(arguments.data_dir, arguments.compare_docs, "memory", Path(scratch) / "memory")
            staged = run_child(arguments.data_dir, arguments.compare_docs, "staged", Path(scratch) / "staged")
        report["compare"] = {
            "memory": memory,
            "staged": staged,
            "same_duplicate_ids": memory.get("duplicate_ids_sha256") == staged.get("duplicate_ids_sha256")
            and "error" not in memory,
        }
    report["planted"], _ = planted_benchmark(
        arguments.data_dir, arguments.seed, arguments.bases, arguments.min_chars, arguments.minhash_params
    )
    if not arguments.skip_pairs:
        report["pairs"] = pairs_benchmark(arguments.data_dir, arguments.minhash_params)
    if not arguments.skip_speed:
        report["speed"] = speed_benchmark(arguments.data_dir, arguments.speed_docs, arguments.datasketch_docs)
    report["seconds"] = round(time.perf_counter() - began, 1)
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
