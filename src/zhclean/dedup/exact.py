"""Exact-duplicate removal on normalized text: a cheap first pass before MinHash.

Reason: `exact_dup.duplicate`, detail `{"cluster", "kept_id", "cluster_size"}`.

Two documents are exact duplicates when their texts are equal after normalization
(`zhclean.dedup.normalize`: NFKC, lower case, no whitespace, punctuation or symbols), so a
repost that only changed spacing or `，` to `,` is caught here. The signature is a 128-bit
BLAKE2b digest of the normalized text; which copy is kept follows the same rule as
MinHash: highest `meta["quality"]`, then longest original text, then smallest id.

Runs on the same machinery as MinHash (`zhclean.dedup.clusters`): one band of the eight
digest words, a pair linked only when all eight agree; `mode="staged"` spills to Parquet,
with the same `executor` and `max_edges_in_memory` as MinHash (`zhclean.dedup.minhash`).
"""

from __future__ import annotations

from typing import ClassVar

from zhclean.dedup.clusters import ClusteringDeduplicator
from zhclean.dedup.graph import ClusterSpec
from zhclean.dedup.minhash import DEFAULT_CHUNK_DOCS, DEFAULT_PARTITIONS, MODES
from zhclean.dedup.signatures import EXACT_SIGNATURE_WORDS, exact_signature, exact_signatures
from zhclean.dedup.staged import DEFAULT_MAX_EDGES_IN_MEMORY
from zhclean.document import Document


class ExactDeduplicator(ClusteringDeduplicator):
    name: ClassVar[str] = "exact_dup"
    codes: ClassVar[tuple[str, ...]] = ("duplicate",)

    def __init__(
        self,
        mode: str = "memory",
        partitions: int = DEFAULT_PARTITIONS,
        chunk_docs: int = DEFAULT_CHUNK_DOCS,
        max_edges_in_memory: int = DEFAULT_MAX_EDGES_IN_MEMORY,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self.mode = mode
        self.partitions = partitions
        self.chunk_docs = chunk_docs
        self.max_edges_in_memory = max_edges_in_memory

    def signature(self, doc: Document) -> bytes:
        return exact_signature(doc.text)

    def signatures(self, docs: list[Document]) -> list[bytes]:
        return exact_signatures([doc.text for doc in docs])

    def spec(self) -> ClusterSpec:
        return ClusterSpec(
            words=EXACT_SIGNATURE_WORDS,
            bands=1,
            rows_per_band=EXACT_SIGNATURE_WORDS,
            min_agreement=1.0,
            seed=0,
        )
